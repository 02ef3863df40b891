"""Lowering of Python statements beyond the basics: `for` / `while` with `else:`, `assert`,
`del`, starred unpacking of a literal and `M[i][j] = v` (issue 13).

    for x in xs: ... else: E   ->  broke = False; for ...: (broke = True before each break)
                                    if not broke: E        (no flag when nothing breaks)
    assert c, msg              ->  kept in the forward sweep (Prim.ASSERT)
    del y                      ->  nothing; a later read of y is refused, as Python raises
    a, *rest = [x, y, z]       ->  a = x; rest = [y, z]
    y, (g, _) = f.vjp(...)     ->  y, g: the items of the tuples just built, bound once
    M[i][j] = v                ->  row = M[i]; row[j] = v; M[i] = row
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from .. import ir
from ..errors import UnsupportedError, UserCodeError
from ..ir.prims import Prim
from .copied_rows import advanced_names, subscript_advanced
from .inline_bodies import _assignment_counts
from .loops import lower_for
from .tree_walk import nodes_under


class PythonStatements:
    """Mixin of the Lowerer: the statements of this module."""

    def check_not_nested_list(self, target: cst.Subscript) -> None:
        """Refuse M[i][j] = v when M is built as a list here: agc does not follow a list's rows."""
        base = target.value
        while isinstance(base, cst.Subscript):
            base = base.value
        if isinstance(base, cst.Name) and base.value in _list_built_names(self.node):
            raise self.unsupported(target, "writing into a row of a nested list (M[i][j] = v)",
                                   "use a 2-D array and write M[i, j] = v, or build the row "
                                   "anew: M[i] = [v if k == j else w for k, w in enumerate(M[i])]")

    def check_row_is_a_view(self, target: cst.Subscript) -> None:
        """Refuse M[idx][j] = v where M[idx] is a copy (a list, array or mask index): numpy
        leaves M unchanged, and agc's `M[idx] = row` would write the row back."""
        row = target.value
        if isinstance(row, cst.Subscript) and subscript_advanced(row, advanced_names(self.node)):
            raise UnsupportedError("this write goes into a copy: with a list, array or "
                                   "mask index, numpy's M[idx] is a new array, and the write "
                                   "leaves M unchanged", self.loc(target),
                                   "index once to write into M: M[idx, j] = v; or bind the "
                                   "copy first: r = M[idx]; r[j] = v")

    def assign_to_row_item(self, target: cst.Subscript, value: ir.Atom, node) -> None:
        """M[i][j] = v: the row M[i] gets v at j, then goes back into M at i (a list's row is
        the same object, an array's row a view: either way M sees the write)."""
        self.check_not_nested_list(target)
        self.check_row_is_a_view(target)
        self.check_view_indices(target.value)
        row = self.emit_assign(self._row_name(target.value), Prim.COPY,
                               (self.expr(target.value),), target.value)
        holes, template = self.index(target)
        row = self.emit_assign(row.name, Prim.SETITEM, (row, value, *holes), target,
                               ir.Params.of(index=template.shift(1)))
        self.assign_to(target.value, row, node)

    def check_view_indices(self, row: cst.Subscript) -> None:
        """Check at run time each index of the row M[i] of M[i][j] = v that is not surely
        basic (a name, a call, an expression: it may hold an array, making M[i] a copy)."""
        for element in row.slice:
            if isinstance(element.slice, cst.Index) and not _surely_basic(element.slice.value):
                index = self.expr(element.slice.value)
                if isinstance(index, ir.Var):
                    self.emit_assign(None, Prim.CHECK_VIEW_INDEX, (index,), element)

    def _built_tuple(self, value: ir.Atom, count: int) -> ir.Assign | None:
        """The statement that built `value` as a tuple of `count` items, where unpacking
        `value` reads that tuple for sure (the (value, gradient) of `y, (gx, gw) =
        f.vjp(...)`): the statement just emitted, or that of a temporary of this block
        (bound once). A name bound to a tuple earlier may be rebound in a branch since."""
        found = self.block[-1] if self.block else None
        if isinstance(value, ir.Var) and value.name in self.temps:
            found = next((s for s in reversed(self.block)
                          if isinstance(s, ir.Assign) and s.target == value), None)
        if isinstance(found, ir.Assign) and found.target == value and \
                found.prim is Prim.TUPLE and len(found.args) == count:
            return found
        return None

    def _never_rebound(self, atom: ir.Atom | None) -> bool:
        """Whether `atom` (an item of a tuple just built) is bound once, so a name unpacked
        from the tuple may be that item itself: its unused items then get no cotangent, and
        `_, g = f.vjp(x, seed=s)` sweeps nothing back through f for `_`."""
        return isinstance(atom, ir.Const) or isinstance(atom, ir.Var) and atom.name in self.temps

    def _row_name(self, node: cst.Subscript) -> str:
        """A readable temporary for the row M[i] of M[i][j] = v."""
        base = node.value.value if isinstance(node.value, cst.Name) else "item"
        name = self.namer.fresh(f"{base}_row")
        self.temps.add(name)
        return name

    def walrus_in_right_operand(self, node: cst.BooleanOperation) -> None:
        """Refuse `a and (w := v)` outside an if's test: agc cannot follow that `w` is bound
        exactly where the result is true (`if a and (w := v) > 0:` is nested ifs)."""
        found = next((n for n in nodes_under(node.right) if isinstance(n, cst.NamedExpr)), None)
        if found is not None:
            raise self.unsupported(found, "a walrus (:=) in the right operand of `and` / `or` "
                                   "here", "bind it on a line of its own before, or nest the "
                                   "conditions: `if a:` then `if (w := v) > 0:`")

    def if_and_nested(self, node: cst.If) -> bool:
        """`if a and (w := v) > 0: body` with no else, as `if a: if (w := v) > 0: body`, so
        that `w` is bound wherever the body reads it; False for any other if."""
        test = node.test
        if node.orelse is not None or not isinstance(test, cst.BooleanOperation) or \
                not isinstance(test.operator, cst.And) or \
                not any(isinstance(n, cst.NamedExpr) for n in nodes_under(test.right)):
            return False
        operands = []
        while isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
            operands.insert(0, test.right)
            test = test.left
        operands.insert(0, test)
        known = dict(self.known)  # the body may not run: what it fixed is not known after
        self.block.extend(self._nested_ifs(node, operands))
        self.known = {k: v for k, v in self.known.items() if known.get(k) == v}
        return True

    def _nested_ifs(self, node: cst.If, operands: list) -> ir.Block:
        """The ifs of `operands`, each inside the one before, the body inside the last."""
        def nest():
            cond = self.expr(operands[0])
            if len(operands) == 1:
                body = self.sub_block(lambda: self.statements(node.body.body))
            else:
                body = self._nested_ifs(node, operands[1:])
            self.block.append(ir.If(cond, body, (), self.loc(node)))
        return self.sub_block(nest)

    def _stmt_While(self, node: cst.While):
        holder: list[ir.Atom] = []

        def loop():
            test = self.sub_block(lambda: holder.append(self.expr(node.test)))
            body = self.sub_block(lambda: self.statements(node.body.body))
            if any(ir.var_written(s) not in self.temps for s in ir.walk(test)
                   if isinstance(s, ir.Assign)):
                # the test binds a variable (walrus): `while True: test; if not c: break; body`,
                # so that the variable is a loop variable like any other
                leave = (ir.If(holder[0], (), (ir.Break(self.loc(node.test)),), self.loc(node)),)
                self.block.append(ir.While((), ir.Const(True), test + leave + body, self.loc(node)))
                return
            self.block.append(ir.While(test, holder[0], body, self.loc(node)))

        self.loop_with_else(node, loop)

    def loop_with_else(self, node, loop: Callable[[], object]) -> None:
        """A loop, then its `else:` block, which runs unless a `break` left the loop."""
        for name in _assignment_counts(node.body):  # changes on a later trip: not known
            self.known.pop(self.store_name_of(name), None)
        flag = None
        if node.orelse is not None and _breaks(node.body):
            flag = self.namer.fresh("broke")
            self.emit_assign(flag, Prim.COPY, (ir.Const(False),), node.orelse)
        self.loop_flags.append(flag)
        try:
            loop()
        finally:
            self.loop_flags.pop()
        if node.orelse is None:
            return
        if flag is None:
            self.statements(node.orelse.body.body)
            return
        orelse = self.sub_block(lambda: self.statements(node.orelse.body.body))
        self.block.append(ir.If(ir.Var(flag), (), orelse, self.loc(node.orelse)))

    def _stmt_Break(self, node):
        if self.loop_flags and self.loop_flags[-1] is not None:
            self.emit_assign(self.loop_flags[-1], Prim.COPY, (ir.Const(True),), node)
        self.block.append(ir.Break(self.loc(node)))

    def _stmt_For(self, node: cst.For):
        items = self.static_items(node.iter)
        if items is None and string_keys(node.iter):  # for k in ("a", "b"): d[k] reads
            items = self.static_items(node.iter, unroll_range=True)  # one entry per trip
        if items is not None:  # over a dict built here: unrolled, key by key
            if node.orelse is not None:
                raise self.unsupported(node.orelse, "`else:` on a loop over a dict")
            self.unrolled_loop(node, items)
            return
        self.loop_with_else(node, lambda: lower_for(self, node))

    def _stmt_Assert(self, node: cst.Assert):
        test = self.expr(node.test)
        if isinstance(test, ir.Const) and test.value and not isinstance(test.value, tuple):
            return  # holds whatever the arguments
        message = [self.expr(node.msg)] if node.msg is not None else []
        self.emit_assign(None, Prim.ASSERT, (test, *message), node)

    def _stmt_Del(self, node: cst.Del):
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else [node.target]
        for target in targets:
            target = target.value if isinstance(target, cst.Element) else target
            if not isinstance(target, cst.Name) or not self.is_local(target.value):
                raise self.unsupported(target, "`del` of anything but a local variable",
                                       "leave the item alone, or assign the variable anew")
            if self.loop_flags:
                raise self.unsupported(node, "`del` inside a loop",
                                       "leave the variable alone, or assign it a new value")
            self.deleted.add(target.value)

    def starred_assign(self, target, value, node) -> None:
        """a, *rest, z = [x, y, v, w]: a literal list or tuple, unpacked by position."""
        if not isinstance(value, (cst.List, cst.Tuple)) or _has_star(value):
            raise self.unsupported(target, "starred unpacking of a computed sequence",
                                   "unpack by index: a, rest = xs[0], xs[1:]")
        items = [self.expr(el.value) for el in value.elements]
        elements = target.elements
        star = next(i for i, el in enumerate(elements) if isinstance(el, cst.StarredElement))
        after = len(elements) - star - 1
        if len(items) < len(elements) - 1:
            raise UserCodeError(f"not enough values to unpack (expected at least "
                                f"{len(elements) - 1}, got {len(items)})", self.loc(node))
        middle = items[star:len(items) - after]
        parts = items[:star] + [None] + items[len(items) - after:]
        for i, (element, part) in enumerate(zip(elements, parts)):
            if i == star:
                part = self.emit_assign(None, Prim.LIST, middle, value)  # always a list
            self.assign_to(element.value, part, node)


class _ListBuilt(cst.CSTVisitor):
    """Names assigned a list literal or a list comprehension somewhere in a function."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, (cst.List, cst.ListComp)):
            self.names |= {t.target.value for t in node.targets if isinstance(t.target, cst.Name)}


def _list_built_names(node) -> set[str]:
    visitor = _ListBuilt()
    node.visit(visitor)
    return visitor.names


def string_keys(node) -> bool:
    """A literal tuple or list of string literals: keys a loop can unroll, one per trip."""
    return isinstance(node, (cst.Tuple, cst.List)) and bool(node.elements) and all(
        isinstance(el, cst.Element) and isinstance(el.value, cst.SimpleString)
        for el in node.elements)


def _has_star(node) -> bool:
    return isinstance(node, (cst.Tuple, cst.List)) and \
        any(isinstance(el, cst.StarredElement) for el in node.elements)


class _Breaks(cst.CSTVisitor):
    """Whether a loop body breaks out of its own loop (not of a nested one)."""

    def __init__(self):
        self.found = False

    def visit_Break(self, node):
        self.found = True

    def visit_For(self, node):
        return False

    def visit_While(self, node):
        return False

    def visit_FunctionDef(self, node):
        return False


def _breaks(body) -> bool:
    visitor = _Breaks()
    body.visit(visitor)
    return visitor.found


def _surely_basic(node: cst.BaseExpression) -> bool:
    """Whether an index is an integer literal, -literal, None or ... (a view's index)."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Ellipsis)) or \
        isinstance(node, cst.Name) and node.value == "None"
