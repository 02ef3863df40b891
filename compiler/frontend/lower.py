"""Lowering: a libcst function definition becomes an IR `Function`.

Takes: a parsed module (libcst, with positions) and the name of one of its
top-level functions. Guarantees: the result is in A-normal form (each
`Assign` applies one primitive to atoms), every statement has its source
location, `for` loops count over a range, and anything agc cannot handle
was rejected with a `UserCodeError` (file:line:col, source line, caret, hint).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from .. import ir
from ..errors import Loc, UnsupportedError, UserCodeError
from ..ir.namer import Namer
from ..ir.prims import Prim
from .calls import CallLowering
from .effect_statements import EffectStatements
from .expressions import ExpressionLowering
from .gradient_calls import GradientCallLowering
from .inline import InlineLowering, LocalFunction
from .inline_bodies import _assignment_counts, refuse_default_writes
from .list_methods import (
    augmented_operand,
)
from .local_names import EMITTED_NAMES, first_use, function_names
from .methods import MethodLowering
from .parsed import ParsedModule
from .pullbacks import lower_functional_vjp
from .python_constructs import PythonLowering, foldable
from .python_statements import PythonStatements, _has_star
from .resolve import SOURCE_DEFAULT, names_in
from .sequence_builtins import SequenceBuiltins
from .static_dicts import DictLowering

AUG_OPS = {
    cst.AddAssign: Prim.ADD, cst.SubtractAssign: Prim.SUB, cst.MultiplyAssign: Prim.MUL,
    cst.DivideAssign: Prim.DIV, cst.PowerAssign: Prim.POW, cst.MatrixMultiplyAssign: Prim.MATMUL,
    cst.FloorDivideAssign: Prim.FLOORDIV, cst.ModuloAssign: Prim.MOD, cst.BitAndAssign: Prim.BITAND,
    cst.BitOrAssign: Prim.BITOR, cst.BitXorAssign: Prim.BITXOR, cst.LeftShiftAssign: Prim.LSHIFT,
    cst.RightShiftAssign: Prim.RSHIFT,
}
STATEMENT_HINTS = {
    "Try": "move error handling outside the differentiated function",
    "Raise": "check inputs before calling the differentiated function",
    "Global": "pass the value as a parameter instead",
    "Nonlocal": "pass the value as a parameter instead",
    "ClassDef": "define classes outside the differentiated function",
    "Import": "import at module level",
    "ImportFrom": "import at module level",
    "Del": "leave the variable alone, or assign it a new value",
    "AsyncFunctionDef": "define helper functions at module level",
}


class Lowerer(PythonStatements, EffectStatements, PythonLowering, InlineLowering, DictLowering,
              ExpressionLowering, CallLowering, GradientCallLowering, MethodLowering,
              SequenceBuiltins):
    """Lowers one function; holds the block being built and the name supply."""

    def __init__(self, parsed: ParsedModule, node: cst.FunctionDef):
        self.parsed = parsed
        self.module = parsed.tree
        self.names = parsed.names
        self.node = node
        self.local_names, identifiers = function_names(node)
        first = [*node.params.posonly_params, *node.params.params][:1]
        self.method_info = parsed.method_of.get(node.name.value, parsed.method)
        self.self_name = first[0].name.value if self.method_info is not None and first else None
        self.namer = Namer(self.local_names | identifiers)
        self.temps: set[str] = set()
        self.block: list[ir.Stmt] = []
        self.helpers_called: set[str] = set()
        self.in_place: set[int] = set()  # ids of `y op= v` statements (see aliasing.py)
        self.extends: dict[int, str] = {}  # `l += (a, b)`: its tuple's id -> l (list_methods)
        self.list_methods: dict[int, str] = {}  # l.insert / l.pop as `l = ...`: id -> method
        self.item_updates: set[int] = set()  # ids of the item writes of `y[i] op= v`
        # inside comprehensions and inlined nested functions: their names -> fresh atoms
        self.renames: dict[str, ir.Atom] = {}
        self.local_functions: dict[str, LocalFunction] = {}  # nested defs and named lambdas
        self.returns_to: str | None = None  # an inlined function's result variable
        self.block_depth = 0  # how many branches and loop bodies enclose what is lowered
        self.outer_blocks: list[list[ir.Stmt]] = []  # the blocks enclosing self.block
        self.pullbacks: dict = {}  # `pull` of `y, pull = agc.vjp(f, x)` -> its Pullback
        self.inline_depth = 0
        self.inline_count = 0
        self.deleted: set[str] = set()  # names `del`eted and not bound again since
        self.assignment_counts = _assignment_counts(node.body)
        self.loop_flags: list[str | None] = []  # per enclosing loop: its `broke` flag (for-else)
        self.loc_alias: dict[cst.CSTNode, cst.CSTNode] = {}  # rebuilt node -> its source node
        self.dicts: dict[str, dict] = {}  # dicts built here: name -> {key: atom} (static_dicts.py)
        self.known: dict[str, ir.Const] = {}  # loop variables of unrolled loops: constant keys
        self.global_scope = False  # inlining a module-level function: free names are globals
        self.star_values: dict[str, list[ir.Atom]] = {}  # *args of inlined functions: their items
        self.foreign: list[ParsedModule] = []  # helpers' sources parsed for inlining
        self.recursion: dict[str, bool] = {}  # module-level helper -> whether it calls itself
        self.writers: dict[str, bool] = {}  # helper -> whether it is inlined for its writes
        self.drawers: dict[str, bool] = {}  # helper -> whether it is inlined for its draws
        self.helper_nodes: dict[str, cst.FunctionDef | None] = {}  # read from live functions

    # -------------------------------------------------------------- helpers
    def loc(self, node: cst.CSTNode) -> Loc:
        """Source location of a node (of the node it was rebuilt from, for a rebuilt one)."""
        node = self.loc_alias.get(node, node)
        for home in self.foreign:  # an inlined helper read from its live function
            if home.holds(node):
                return home.loc(node)
        return self.parsed.loc(node)

    def unsupported(self, node, what: str, hint: str | None = None) -> UnsupportedError:
        """An error saying `what` is not supported, pointing at `node`."""
        return UnsupportedError(f"{what} is not supported by agc", self.loc(node), hint)

    def new_temp(self) -> str:
        """A fresh temporary name."""
        name = self.namer.temp()
        self.temps.add(name)
        return name

    def sub_block(self, build: Callable[[], object]) -> ir.Block:
        """Run `build` collecting the statements it emits into a separate block."""
        outer, self.block = self.block, []
        self.block_depth += 1
        self.outer_blocks.append(outer)
        try:
            build()
            return tuple(self.block)
        finally:
            self.block = outer
            self.block_depth -= 1
            self.outer_blocks.pop()

    def is_local(self, name: str) -> bool:
        """Whether `name` is a variable of the code being lowered (not a global)."""
        if name in self.renames or name in self.local_functions:
            return True
        return name in self.local_names and not self.global_scope

    def store_name_of(self, name: str) -> str:
        """The IR name of `name`, without rebinding it."""
        atom = self.renames.get(name)
        return atom.name if isinstance(atom, ir.Var) else name

    def store_name(self, name: str) -> str:
        """The IR name that assigning `name` writes (renamed in comprehensions, nested functions)."""
        self.deleted.discard(name)
        self.pullbacks.pop(name, None)
        atom = self.renames.get(name)
        resolved = atom.name if isinstance(atom, ir.Var) else name
        self.known.pop(resolved, None)
        self.dicts.pop(resolved, None)
        return resolved

    # ------------------------------------------------------------- function
    def lower(self) -> ir.Function:
        """The IR of the whole function."""
        clashing = self.local_names & set(EMITTED_NAMES)
        if clashing:
            name = min(clashing)
            raise UserCodeError(
                f"a variable named `{name}` would hide the `{name}` that agc's emitted code "
                "uses", self.loc(first_use(self.node, clashing)), f"rename `{name}` (to `{name}_`, say)")
        params = tuple(self._param(p) for p in self._all_params())
        refuse_default_writes(self, self.node)
        body = list(self.node.body.body)
        doc = None
        if body and _is_docstring(body[0]):
            doc = body[0].body[0].value.evaluated_value
            body = body[1:]
        self.statements(body)  # the top level: block_depth stays 0
        block, self.block = tuple(self.block), []
        return ir.Function(self.node.name.value, params, block, self.loc(self.node.name),
                           doc, frozenset(self.temps))

    def _all_params(self):
        ps = self.node.params
        extra = [p for p in (ps.star_arg, ps.star_kwarg) if isinstance(p, cst.Param)]
        if extra:
            raise self.unsupported(extra[0], "*args or **kwargs parameters",
                                   "name each parameter")
        # Keyword-only parameters become ordinary ones after the others: the emitted code
        # passes every argument, and a caller naming them still can.
        return [*ps.posonly_params, *ps.params, *ps.kwonly_params]

    def _param(self, p: cst.Param) -> ir.Param:
        default = None
        if p.default is not None:
            default = self._default(p.default)
        annotation = None
        if p.annotation is not None and isinstance(p.annotation.annotation, cst.Name):
            annotation = p.annotation.annotation.value
        return ir.Param(p.name.value, default, annotation)

    def _default(self, node: cst.BaseExpression) -> ir.Const:
        """A parameter's default: a constant, or an expression of imported names only
        (`w=np.ones(3)`), written as is: Python evaluates it once, where the emitted
        function is defined, as it did for the original."""
        found: list[ir.Atom] = []
        block = self.sub_block(lambda: found.append(self.expr(node)))
        if not block and isinstance(found[0], ir.Const):
            return found[0]
        names = {n.value for n in names_in(node)}
        if not names <= set(self.names.qualified) | {"True", "False", "None"}:
            raise self.unsupported(node, "a default value computed from other names",
                                   "use a constant, an expression of numpy calls, or None")
        return ir.Const(SOURCE_DEFAULT, text=self.module.code_for_node(node))

    # ----------------------------------------------------------- statements
    def statements(self, nodes) -> None:
        """Lower a sequence of statements into the current block."""
        for node in nodes:
            if isinstance(node, cst.SimpleStatementLine):
                for small in node.body:
                    self.statement(small)
            else:
                self.statement(node)

    def statement(self, node: cst.CSTNode) -> None:
        """Lower one statement."""
        method = getattr(self, "_stmt_" + type(node).__name__, None)
        if method is None:
            kind = type(node).__name__
            raise self.unsupported(node, f"the `{kind}` statement", STATEMENT_HINTS.get(kind))
        method(node)

    def _stmt_Pass(self, node):
        pass

    def _stmt_Assign(self, node: cst.Assign):
        if lower_functional_vjp(self, node):  # y, pull = agc.vjp(f, x)
            return
        targets = [t.target for t in node.targets]
        first = targets[0]
        if isinstance(first, cst.Name) and len(targets) == 1 and isinstance(node.value, cst.Lambda):
            self.define_function(first.value, node.value, node)
            return
        if isinstance(first, cst.Name) and len(targets) == 1 \
                and (isinstance(node.value, (cst.Dict, cst.DictComp))
                     or self.is_dict_call(node.value)):
            entries = self.static_dict(node.value)
            self.dicts[self.store_name(first.value)] = \
                self.entry_variables(first.value, entries, node)
            return
        if isinstance(first, cst.Name) and len(targets) == 1:
            self.expr(node.value, self.store_name(first.value))
            return
        if len(targets) == 1 and _has_star(first):
            self.starred_assign(first, node.value, node)
            return
        if len(targets) == 1 and _same_length_tuples(first, node.value):
            # x, v = a, b: evaluate every right-hand side first, then bind each name.
            values = [self.expr(el.value) for el in self._plain_elements(node.value)]
            targets_named = {e.value.value for e in first.elements if isinstance(e.value, cst.Name)}
            values = [self.emit_assign(None, Prim.COPY, (v,), node.value)
                      if isinstance(v, ir.Var) and v.name in targets_named else v
                      for v in values]  # x, y = y, x reads both before binding either
            for element, value in zip(first.elements, values):
                self.assign_to(element.value, value, node.value)
            return
        value = self.expr(node.value)
        for target in targets:
            self.assign_to(target, value, node.value)

    def _stmt_AnnAssign(self, node: cst.AnnAssign):
        if node.value is None:
            return
        self._stmt_Assign(cst.Assign([cst.AssignTarget(node.target)], node.value))

    def _stmt_AugAssign(self, node: cst.AugAssign):
        prim = AUG_OPS.get(type(node.operator))
        self.refuse_self_write(node.target)
        entry = self.dict_entry(node.target) if prim is not None else None
        if entry is not None:  # d["w"] op= v: op= on the entry's object, as on a name
            right = self.expr(node.value)
            self.emit_assign(entry, prim, (ir.Var(entry), right), node)
            self.in_place.add(id(self.block[-1]))
            return
        if prim is not None and isinstance(node.target, cst.Subscript):
            old = self.expr(node.target)
            new = self.emit_assign(None, prim, (old, self.expr(node.value)), node)
            self.assign_to(node.target, new, node)
            if isinstance(node.target.value, cst.Name):  # `l[i] op= v`: see aliasing.py
                self.item_updates.add(id(self.block[-1]))
            return
        if prim is None or not isinstance(node.target, cst.Name):
            raise self.unsupported(node, "this augmented assignment",
                                   "write it out: x = x + y")
        right = augmented_operand(self, node)
        old = self.expr(node.target)
        name = self.store_name(node.target.value)
        self.emit_assign(name, prim, (old, right), node)
        self.in_place.add(id(self.block[-1]))

    def assign_to(self, target: cst.BaseExpression, value: ir.Atom, node) -> None:
        """Bind `value` to a name, or unpack it into a tuple of names."""
        self.refuse_self_write(target)
        if isinstance(target, cst.Name):
            self.emit_assign(self.store_name(target.value), Prim.COPY, (value,), node)
        elif isinstance(target, (cst.Tuple, cst.List)):
            if _has_star(target):
                raise self.unsupported(target, "starred unpacking of a computed sequence",
                                       "unpack by index: a, rest = xs[0], xs[1:]")
            # Python raises unless the value has exactly as many items as there are names
            built = self._built_tuple(value, len(target.elements))
            if built is None:
                self.emit_assign(None, Prim.CHECK_UNPACK, (value,), node,
                                 ir.Params.of(count=len(target.elements)))
            for i, element in enumerate(target.elements):
                part = built.args[i] if built is not None else None
                if not self._never_rebound(part):  # `a, b = b, a`: b's old value, not the new
                    part = self.emit_assign(None, Prim.GETITEM, (value, ir.Const(i)), node,
                                            ir.Params.of(index=ir.Index.at(1)))
                self.assign_to(element.value, part, node)
        elif isinstance(target, cst.Subscript) and self.set_dict_item(target, value):
            return
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) \
                and self.is_local(target.value.value):
            holes, template = self.index(target)
            old = self.expr(target.value)
            name = self.store_name(target.value.value)
            self.emit_assign(name, Prim.SETITEM, (old, value, *holes), target,
                             ir.Params.of(index=template.shift(1)))
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Subscript):
            self.assign_to_row_item(target, value, node)  # M[i][j] = v
        else:
            raise self.unsupported(target, "assigning to this target",
                                   "assign to a plain name")

    def _stmt_Return(self, node: cst.Return):
        if self.returns_to is not None:  # the end of an inlined nested function
            value = node.value if node.value is not None else cst.Name("None")
            self.expr(value, self.returns_to)
            return
        if node.value is None:
            raise self.unsupported(node, "a return without a value")
        if isinstance(node.value, cst.Tuple):
            values = tuple(self.expr(el.value) for el in self._plain_elements(node.value))
        else:
            values = (self.expr(node.value),)
        self.block.append(ir.Return(values, self.loc(node)))

    # --------------------------------------------------------- control flow
    def _stmt_If(self, node: cst.If):
        if self.if_and_nested(node):  # `if a and (w := v) > 0:` (python_statements.py)
            return
        cond = self.expr(node.test)
        if foldable(cond):  # decided when compiling: only the branch taken is code
            if cond.value:
                self.statements(node.body.body)
            elif isinstance(node.orelse, cst.If):
                self._stmt_If(node.orelse)
            elif isinstance(node.orelse, cst.Else):
                self.statements(node.orelse.body.body)
            return
        before, known = set(self.deleted), dict(self.known)
        body = self.sub_block(lambda: self.statements(node.body.body))
        deleted, self.deleted = self.deleted, before
        known_after_body, self.known = self.known, dict(known)
        orelse: ir.Block = ()
        if isinstance(node.orelse, cst.If):
            orelse = self.sub_block(lambda: self._stmt_If(node.orelse))
        elif isinstance(node.orelse, cst.Else):
            orelse = self.sub_block(lambda: self.statements(node.orelse.body.body))
        self.deleted |= deleted  # deleted on some path: still refused after the if
        self.known = {k: v for k, v in self.known.items() if known_after_body.get(k) == v}
        self.block.append(ir.If(cond, body, orelse, self.loc(node)))

    def _stmt_Continue(self, node):
        self.block.append(ir.Continue(self.loc(node)))


def _same_length_tuples(target, value) -> bool:
    kinds = (cst.Tuple, cst.List)
    return isinstance(target, kinds) and isinstance(value, kinds) \
        and len(target.elements) == len(value.elements)


def _is_docstring(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.SimpleString))


def lower_function(parsed: ParsedModule, name: str) -> tuple[ir.Function, Lowerer]:
    """Lower the top-level function `name` of a parsed module."""
    node = parsed.functions.get(name)
    if node is None:
        raise UserCodeError(f"no top-level function named {name!r} in {parsed.source.path}")
    lowerer = Lowerer(parsed, node)
    return lowerer.lower(), lowerer
