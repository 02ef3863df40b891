"""Lowering of everyday Python: comprehensions, the builtins sum / min / max /
isinstance / list / tuple, walrus, chained and identity comparisons, f-strings.

Everything lowers onto primitives and loops the IR already has, so that it
behaves exactly as Python does:

    [f(x) for x in xs if c(x)]     ->  t = []; for x in xs: if c(x): t.append(f(x))
    sum(f(x) for x in xs)          ->  t = 0; for x in xs: t = t + f(x)
    sum([a, b, c], s)              ->  s + a + b + c
    max(a, b, c), max([a, b, c])   ->  max(max(a, b), c)    (Python's ties: the first wins)
    max(f(x) for x in xs)          ->  t = [...]; m = t[0]; for k in 1..len(t): m = max(m, t[k])
    0 < x < 1                      ->  t = 0 < x; if t: t = x < 1
A comprehension's variables are its own (renamed), as in Python 3.
"""

from __future__ import annotations

import ast
import operator

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from .lazy_builtins import as_comprehension, lazy_kind, refuse_kept_iterator
from .list_methods import list_copy
from .loops import ITEM, lower_loop
from .python_statements import string_keys

# Folded when both sides are constants: enough to unroll recursion on a counter.
FOLDABLE = (int, bool, str, type(None))
COMPARE_FOLD = {
    Prim.LT: operator.lt, Prim.LE: operator.le, Prim.GT: operator.gt, Prim.GE: operator.ge,
    Prim.EQ: operator.eq, Prim.NE: operator.ne, Prim.IS: operator.is_, Prim.IS_NOT: operator.is_not,
}
BUILTIN_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "list": list,
                 "tuple": tuple, "dict": dict, "type(None)": type(None)}
NUMPY_TYPES = {"numpy.ndarray", "numpy.floating", "numpy.integer", "numpy.generic"}


def foldable(*atoms: ir.Atom) -> bool:
    """Whether every atom is a constant Python int, bool, str or None."""
    return all(isinstance(a, ir.Const) and type(a.value) in FOLDABLE for a in atoms)


class PythonLowering:
    """Mixin of the Lowerer: the Python constructs of this module."""

    # ------------------------------------------------------------ iterables
    def iterable(self, node: cst.BaseExpression) -> ir.Atom:
        """An expression that is iterated: a generator expression, map(...) or zip(...)
        becomes a list (lazy_builtins.py)."""
        if lazy_kind(self, node) is not None:
            node = as_comprehension(self, node)
        if isinstance(node, (cst.GeneratorExp, cst.ListComp)):
            return self._expr_ListComp(node, None)
        return self.expr(node)

    _builtin_map = _builtin_zip = refuse_kept_iterator

    def _expr_GeneratorExp(self, node, dest):
        raise self.unsupported(node, "a generator expression kept as a value",
                               "pass it straight to sum(), min(), max(), list() or a for loop, "
                               "or write a list comprehension [...]")

    def _expr_ListComp(self, node, dest):
        result = self.new_temp()  # not dest: the comprehension may read dest's old value
        self.emit_assign(result, Prim.LIST, (), node)

        def add_item():
            item = self.expr(node.elt)
            self.emit_assign(result, Prim.APPEND, (ir.Var(result), item), node.elt)

        self.comprehension(node.for_in, add_item)
        return ir.Var(result)

    def comprehension(self, comp: cst.CompFor, innermost) -> None:
        """Loops (and `if` filters) of a comprehension around `innermost()`, in its own scope."""
        saved = dict(self.renames)
        try:
            self._comp_for(comp, innermost)
        finally:
            self.renames = saved

    def _comp_for(self, comp: cst.CompFor, innermost) -> None:
        if comp.asynchronous is not None:
            raise self.unsupported(comp, "an async comprehension")

        def scope():  # after the iterable is evaluated: the loop's names are the comprehension's
            for name in _target_names(comp.target):
                self.renames[name] = ir.Var(self.namer.fresh(name))
                self.local_names.add(self.renames[name].name)

        def body():
            self._filtered(list(comp.ifs), lambda: self._comp_for(comp.inner_for_in, innermost)
                           if comp.inner_for_in is not None else innermost())

        items = self.static_items(comp.iter, unroll_range=string_keys(comp.iter))
        if items is not None:  # over a dict built here or string keys: unrolled, key by key
            for item in items:
                scope()
                self.assign_static(comp.target, item)
                body()
            return
        lower_loop(self, comp.target, comp.iter, body, comp, scope)

    def _filtered(self, ifs: list[cst.CompIf], inner) -> None:
        if not ifs:
            inner()
            return
        cond = self.expr(ifs[0].test)
        if isinstance(cond, ir.Const):
            if cond.value:
                self._filtered(ifs[1:], inner)
            return
        body = self.sub_block(lambda: self._filtered(ifs[1:], inner))
        self.block.append(ir.If(cond, body, (), self.loc(ifs[0])))

    def _expr_SetComp(self, node, dest):
        raise self.unsupported(node, "a set comprehension", "use a list comprehension")

    # ------------------------------------------------------------- builtins
    def builtin_call(self, node: cst.Call, name: str, dest) -> ir.Atom | None:
        """The lowering of a call of a builtin this module handles, or None."""
        method = getattr(self, "_builtin_" + name, None)
        return None if method is None else method(node, dest)

    def _plain_args(self, node: cst.Call, name: str, keywords=()) -> list[cst.BaseExpression]:
        for arg in node.args:
            if arg.star or (arg.keyword is not None and arg.keyword.value not in keywords):
                raise self.unsupported(arg, f"this argument of {name}()",
                                       f"{name}() takes its arguments by position here")
        return [a.value for a in node.args if a.keyword is None]

    def _keyword_arg(self, node: cst.Call, key: str):
        return next((a.value for a in node.args if a.keyword and a.keyword.value == key), None)

    def _builtin_sum(self, node: cst.Call, dest):
        args = self._plain_args(node, "sum", ("start",))
        if not 1 <= len(args) <= 2:
            raise UserCodeError(f"sum() takes 1 or 2 arguments ({len(args)} given)", self.loc(node))
        start_node = args[1] if len(args) == 2 else self._keyword_arg(node, "start")
        items = args[0]
        if isinstance(items, (cst.List, cst.Tuple)) and not _starred(items):
            total = self.expr(start_node) if start_node is not None else None
            values = [self.expr(el.value) for el in items.elements]
            if total is None and len(values) == 1:
                total = ir.Const(0)  # sum([a]) is 0 + a: a new value, never a itself
            for value in values:
                total = value if total is None else self.emit_assign(None, Prim.ADD,
                                                                    (total, value), node)
            return ir.Const(0) if total is None else total
        start = self.expr(start_node) if start_node is not None else ir.Const(0)
        total = self.new_temp()
        self.emit_assign(total, Prim.COPY, (start,), node)

        def add(value):
            self.emit_assign(total, Prim.ADD, (ir.Var(total), value), node)

        self._each_item(items, node, add)
        return ir.Var(total)

    def _each_item(self, items: cst.BaseExpression, node, use) -> None:
        """Call use(item) inside a loop over the items (a comprehension's are not kept)."""
        if isinstance(items, (cst.GeneratorExp, cst.ListComp)):
            self.comprehension(items.for_in, lambda: use(self.expr(items.elt)))
            return
        self.each(self.iterable(items), node, 0, use)

    def each(self, seq: ir.Atom, node, first: int, use) -> None:
        """A loop over seq[first:], by position, calling use(item) in its body."""
        length = self.emit_assign(None, Prim.LEN, (seq,), node)
        k = self.namer.fresh("k")
        body = self.sub_block(lambda: use(self.emit_assign(None, Prim.GETITEM, (seq, ir.Var(k)),
                                                           node, ITEM)))
        self.block.append(ir.For(ir.Var(k), ir.Const(first), length, ir.Const(1), body,
                                 loc=self.loc(node)))

    def _builtin_max(self, node: cst.Call, dest):
        return self._extremum(node, Prim.MAXIMUM, "max")

    def _builtin_min(self, node: cst.Call, dest):
        return self._extremum(node, Prim.MINIMUM, "min")

    def _extremum(self, node: cst.Call, prim: Prim, name: str) -> ir.Atom:
        args = self._plain_args(node, name)
        if not args:
            raise UserCodeError(f"{name}() expects at least 1 argument", self.loc(node))
        builtin = ir.Params.of(lib="builtins")
        if len(args) == 1 and isinstance(args[0], (cst.List, cst.Tuple)) \
                and args[0].elements and not _starred(args[0]):
            args = [el.value for el in args[0].elements]
        elif len(args) == 1:  # of a sequence: max(max(t[0], t[1]), t[2]) ...
            seq = self.iterable(args[0])
            best = self.new_temp()
            self.emit_assign(best, Prim.GETITEM, (seq, ir.Const(0)), node, ITEM)
            self.each(seq, node, 1, lambda item: self.emit_assign(
                best, prim, (ir.Var(best), item), node, builtin))
            return ir.Var(best)
        best = self.expr(args[0])
        for arg in args[1:]:  # Python keeps the first of equal values, as max(max(a, b), c) does
            best = self.emit_assign(None, prim, (best, self.expr(arg)), node, builtin)
        return best

    def _builtin_any(self, node: cst.Call, dest):
        return self._any_all(node, "any")

    def _builtin_all(self, node: cst.Call, dest):
        return self._any_all(node, "all")

    def _any_all(self, node: cst.Call, name: str) -> ir.Atom:
        """any(xs) / all(xs): a loop that stops at the first item that settles it, as
        Python's does (later items are neither computed nor tested)."""
        args = self._plain_args(node, name)
        if len(args) != 1:
            raise UserCodeError(f"{name}() takes 1 argument ({len(args)} given)", self.loc(node))
        items = args[0]
        if isinstance(items, cst.GeneratorExp) and items.for_in.inner_for_in is not None:
            raise self.unsupported(items, f"{name}() of a generator with several `for` clauses",
                                   "write the loops out, with a break")
        settles = name == "any"  # any: the first true item; all: the first false one
        # a named variable, not a temporary: it is assigned twice (temporaries are bound once)
        result = self.namer.fresh("found" if settles else "every")
        self.emit_assign(result, Prim.COPY, (ir.Const(not settles),), node)

        def test(item: ir.Atom) -> None:
            cond = item if settles else self.emit_assign(None, Prim.NOT, (item,), node)
            body = self.sub_block(lambda: (
                self.emit_assign(result, Prim.COPY, (ir.Const(settles),), node),
                self.block.append(ir.Break(self.loc(node)))))
            self.block.append(ir.If(cond, body, (), self.loc(node)))

        if isinstance(items, cst.GeneratorExp):
            self.comprehension(items.for_in, lambda: test(self.expr(items.elt)))
        else:
            self.each(self.expr(items), node, 0, test)
        return ir.Var(result)

    def _builtin_len(self, node: cst.Call, dest):
        entries = self.dict_named(node.args[0].value) if len(node.args) == 1 else None
        return None if entries is None else ir.Const(len(entries))  # else: numpy_names' len

    def _builtin_list(self, node: cst.Call, dest):
        args = self._plain_args(node, "list")
        if len(args) == 1 and isinstance(args[0], (cst.GeneratorExp, cst.ListComp)):
            return self.iterable(args[0])
        if not args:
            return self.emit_assign(dest, Prim.LIST, (), node)
        if len(args) == 1 and self.dict_named(args[0]) is None:
            return list_copy(self, args[0], node)
        raise self.unsupported(node, "list(...) of this argument",
                               "write a list comprehension: [v for v in xs]")

    def _builtin_isinstance(self, node: cst.Call, dest):
        args = self._plain_args(node, "isinstance")
        if len(args) != 2:
            raise UserCodeError("isinstance() takes 2 arguments", self.loc(node))
        value = self.expr(args[0])
        kinds = self._types(args[1])
        if isinstance(value, ir.Const):
            return ir.Const(isinstance(value.value, kinds.value))
        return self.emit_assign(dest, Prim.ISINSTANCE, (value, kinds), node)

    def _types(self, node: cst.BaseExpression) -> ir.Const:
        text = self.module.code_for_node(node)
        if isinstance(node, cst.Tuple):
            kinds = tuple(self._types(el.value).value for el in node.elements)
            return ir.Const(kinds, text=text)
        if isinstance(node, cst.Name) and node.value in BUILTIN_TYPES \
                and not self.is_local(node.value) and self.names.qualify(node.value) is None:
            return ir.Const(BUILTIN_TYPES[node.value], text=text)
        qualified = self.qualify(node)
        if qualified in NUMPY_TYPES:
            module, _, attr = qualified.partition(".")
            return ir.Const(getattr(__import__(module), attr), text=text)
        raise self.unsupported(node, "this type in isinstance()",
                               "test for int, float, bool, str, list, tuple, dict or np.ndarray")

    def _builtin_print(self, node: cst.Call, dest):
        raise self.unsupported(node, "the value of print(...)", "call print on its own line")

    def print_call(self, node: cst.Call) -> None:
        """print(...) on its own line: kept in the forward sweep, never differentiated."""
        params = {}
        for arg in node.args:
            if arg.star:
                raise self.unsupported(arg, "a starred argument of print()")
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            value = self.expr(arg.value)
            if key not in ("sep", "end", "flush") or not isinstance(value, ir.Const):
                raise self.unsupported(arg, f"print(..., {key}=...) here",
                                       "only constant sep=, end= and flush= are kept")
            params[key] = value.value
        values = [self.expr(a.value) for a in node.args if a.keyword is None]
        self.emit_assign(None, Prim.PRINT, values, node, ir.Params.of(**params))

    # ----------------------------------------------------- walrus, compares
    def _expr_NamedExpr(self, node: cst.NamedExpr, dest):
        if not isinstance(node.target, cst.Name):
            raise self.unsupported(node.target, "this walrus target")
        name = self.store_name(node.target.value)
        self.deleted.discard(node.target.value)
        value = self.expr(node.value, name)
        if dest is not None and value != ir.Var(dest):
            self.emit_assign(dest, Prim.COPY, (value,), node)
            return ir.Var(dest)
        return value

    def _expr_Comparison(self, node: cst.Comparison, dest):
        return self._chain(self.expr(node.left), list(node.comparisons), node, dest)

    def _chain(self, left: ir.Atom, comparisons: list, node, dest=None) -> ir.Atom:
        """a < b < c is (a < b) and (b < c), b evaluated once, c only when a < b holds."""
        first, *rest = comparisons
        right = self.expr(first.comparator)
        value = self.compare(first.operator, left, right, node, None if rest else dest)
        if not rest:
            return value
        if isinstance(value, ir.Const):
            return self._chain(right, rest, node) if value.value else value
        result = self.new_temp()  # fresh: a later operand may read the destination
        self.emit_assign(result, Prim.COPY, (value,), node)
        branch = self.sub_block(
            lambda: self.emit_assign(result, Prim.COPY, (self._chain(right, rest, node),), node))
        self.block.append(ir.If(ir.Var(result), branch, (), self.loc(node)))
        return ir.Var(result)

    def compare(self, op: cst.BaseCompOp, left: ir.Atom, right: ir.Atom, node,
                dest: str | None = None) -> ir.Atom:
        """One comparison `left op right`, folded when both are constants."""
        prim = _COMPARE.get(type(op))
        if prim is None:
            raise self.unsupported(op, "this comparison (in / not in)",
                                   "compare with == on each value")
        if foldable(left, right):
            return ir.Const(COMPARE_FOLD[prim](left.value, right.value))
        return self.emit_assign(dest, prim, (left, right), node)

    # ------------------------------------------------------------ f-strings
    def _expr_FormattedString(self, node: cst.FormattedString, dest):
        text, values = [], []
        kind = node.prefix.lower().replace("f", "")  # r for a raw f-string
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                # source text: escapes decoded as Python does; {{ and }} stay doubled, as
                # str.format wants them
                text.append(ast.literal_eval(kind + node.end + part.value + node.end))
                continue
            spec = ""
            if part.format_spec:
                if any(not isinstance(p, cst.FormattedStringText) for p in part.format_spec):
                    raise self.unsupported(part, "a computed format spec in an f-string",
                                           "write the format spec as text, e.g. {x:.3f}")
                spec = ":" + "".join(p.value for p in part.format_spec)
            conversion = part.conversion
            if part.equal is not None:  # f"{x=}": the source text, then repr unless formatted
                text.append(self.module.code_for_node(part.expression).replace("{", "{{")
                            .replace("}", "}}") + "=")
                conversion = conversion or ("r" if not spec else None)
            field = "{" + (f"!{conversion}" if conversion else "") + spec + "}"
            value = self.expr(part.expression)
            if isinstance(value, ir.Const):  # formatted now, exactly as Python would
                text.append(field.format(value.value).replace("{", "{{").replace("}", "}}"))
                continue
            text.append(field)
            values.append(value)
        if not values:
            return ir.Const("".join(text).format())
        return self.emit_assign(dest, Prim.FORMAT, values, node, ir.Params.of(text="".join(text)))


_COMPARE = {
    cst.LessThan: Prim.LT, cst.LessThanEqual: Prim.LE, cst.GreaterThan: Prim.GT,
    cst.GreaterThanEqual: Prim.GE, cst.Equal: Prim.EQ, cst.NotEqual: Prim.NE,
    cst.Is: Prim.IS, cst.IsNot: Prim.IS_NOT,
}


def _starred(node) -> bool:
    return any(isinstance(el, cst.StarredElement) for el in node.elements)


def _target_names(target) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for el in target.elements for n in _target_names(el.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []
