"""Emission: an `Adjoint` becomes a Python module, built as libcst nodes.

The module holds, for each differentiated function `f`:

    f_value_and_grad(params..., seed=None) -> (value, gradient)
    f_grad(params...)                      -> gradient

A gradient is one array for one `wrt` name, a tuple for several. The code
reads like a hand-written adjoint: temporaries used once are inlined into
the expression that uses them (each binding on its own: a loop value the backward sweep
redoes is bound twice, each binding read once, and both go inline), adjoints are named
`x_bar`, and the array module `xp` is picked from the arguments at run time (numpy or
cupy).
Output is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ad.reverse import Adjoint
from ..ir.prims import Prim
from .expressions import Expr, const, name, unop
from .inlining import inline_plan, single_reads, use_counts
from .prims import assign_expr, in_place_statement


class FunctionEmitter:
    """Turns the IR statements of one emitted function into libcst statements."""

    def __init__(self, temps: frozenset[str] | set[str], blocks: list, report: bool = False,
                 released: frozenset[str] = frozenset(), sweep_start: int = 0,
                 early: frozenset[str] = frozenset()):
        self.temps = temps
        # names deleted once read for the last time in the top-level block, from statement
        # `sweep_start` on (the backward sweep): `del` at the end of each model line's
        # statements, so that a record or cotangent dies with the step that used it
        self.released = released
        self.sweep_start = sweep_start
        self.early = early  # released names that die in the forward sweep (stand-ins taken)
        self.report = report
        self.uses = use_counts(blocks)
        self.single = single_reads(blocks, self.uses)  # names each binding of which is read once
        self.inline: dict[str, Expr] = {}
        self.uses_xp = False
        self.uses_tape = False
        self.last_marker: str | None = None  # the model line the last statements came from

    # ----------------------------------------------------------- atoms
    def atom(self, atom: ir.Atom) -> Expr:
        """An atom as an expression, substituting inlined temporaries."""
        if isinstance(atom, ir.Const):
            return const(atom.value, atom.text)
        inlined = self.inline.pop(atom.name, None)
        return inlined if inlined is not None else name(atom.name)

    # ------------------------------------------------------- statements
    def block(self, stmts) -> list[cst.BaseStatement]:
        """A list of IR statements as libcst statements, with temporaries inlined."""
        out: list[cst.BaseStatement] = []
        stmts = list(stmts)
        unpacked: dict[int, tuple] = _unpacked_pairs(stmts, self.uses)
        plan = inline_plan(stmts, self.temps, self.single) - \
            {i for i, names in unpacked.items() if not names}
        unbound = {stmts[i].target.name for i in plan} | \
            {stmts[i].target.name for i, names in unpacked.items() if names}
        dying = _last_reads(stmts, self.released - unbound, plan, self.sweep_start, self.early)
        self.released, pending = frozenset(), []
        for i, stmt in enumerate(stmts):
            if i in plan:  # written into its one reader
                self.inline[stmt.target.name] = self.expression(stmt)
                continue
            if unpacked.get(i) == ():  # an item of `y, y_saved = h_fwd(...)`
                continue
            marker = self._new_marker(getattr(stmt, "loc", None))  # before a nested block's
            if marker is not None and pending:  # the last model line's values die here
                out.append(_del_line(pending))
                pending = []
            if i in unpacked:  # `y, y_saved = h_fwd(...)`
                lines = [_unpack_line(unpacked[i], self.expression(stmt))]
            else:
                lines = self.statement(stmt)
            out += _marked(lines, marker)
            pending += dying.get(i, [])
        return out

    def _new_marker(self, loc) -> str | None:
        """The comment naming the model line a statement comes from, when it is another
        line than the statements before it (errors map back through it); else None."""
        marker = loc.marker() if loc is not None else None
        if marker is None or marker == self.last_marker:
            return None
        self.last_marker = marker
        return marker

    def expression(self, stmt: ir.Assign) -> Expr:
        expr, uses_xp = assign_expr(stmt, self.atom)
        self.uses_xp |= uses_xp
        return expr

    def statement(self, stmt) -> list[cst.BaseStatement]:
        if isinstance(stmt, ir.Assign) and (stmt.prim.spec.in_place or stmt.prim.spec.effect):
            return [_line(in_place_statement(stmt, self.atom))]
        if isinstance(stmt, ir.Assign) and stmt.prim.spec.draws \
                and not self.uses.get(stmt.target.name):  # drawn only to move the generator on
            return [_line(cst.Expr(self.expression(stmt).node))]
        if isinstance(stmt, ir.Assign):
            return [_assign(stmt.target.name, self.expression(stmt))]
        if isinstance(stmt, ir.If):
            return [self.if_(stmt)]
        if isinstance(stmt, ir.While):
            return self.while_(stmt)
        if isinstance(stmt, ir.For):
            return [self.for_(stmt)]
        if isinstance(stmt, ir.Push):
            self.uses_tape = True
            return [_line(self.push(stmt))]
        if isinstance(stmt, ir.Pop):
            self.uses_tape = True
            call = cst.Call(cst.Attribute(cst.Name("tape"), cst.Name("pop")))
            return [_assign(stmt.target.name, Expr(call))]
        if isinstance(stmt, ir.Break):
            return [_line(cst.Break())]
        if isinstance(stmt, ir.Return):
            return [_line(cst.Return(self.values(stmt.values)))]
        raise TypeError(f"cannot emit {stmt!r}")

    def push(self, stmt: ir.Push) -> cst.BaseSmallStatement:
        value = self.atom(stmt.value).node
        if self.report:
            label = cst.SimpleString(repr(str(stmt.value)))
            call = cst.Call(cst.Attribute(cst.Name("tape"), cst.Name("record")),
                            [cst.Arg(label), cst.Arg(value)])
        else:
            call = cst.Call(cst.Attribute(cst.Name("tape"), cst.Name("append")), [cst.Arg(value)])
        return cst.Expr(call)

    def values(self, atoms) -> cst.BaseExpression:
        exprs = [self.atom(a) for a in atoms]
        if len(exprs) == 1:
            return exprs[0].node
        return cst.Tuple([cst.Element(e.node) for e in exprs], lpar=[], rpar=[])

    def if_(self, stmt: ir.If) -> cst.If:
        test = self.atom(stmt.cond)
        body = self.block(stmt.body)
        orelse = self.block(stmt.orelse)
        if not body and orelse:  # if c: pass / else: ...  reads better as  if not c: ...
            body, orelse = orelse, []
            test = unop("not", test)
        test = test.node
        body = body or [_line(cst.Pass())]
        other = None
        if orelse:
            other = cst.Else(cst.IndentedBlock(orelse))
            inner = _elif(orelse)
            if inner is not None:
                other = inner  # else: if ... -> elif ...
        return cst.If(test, cst.IndentedBlock(body), other)

    def while_(self, stmt: ir.While) -> list[cst.BaseStatement]:
        probe = list(stmt.test) + [ir.Return((stmt.cond,))]
        plan = inline_plan(probe, self.temps, self.single)
        if all(i in plan for i in range(len(stmt.test))):
            for s in stmt.test:  # the whole test fits in the `while` line
                self.inline[s.target.name] = self.expression(s)
            test = []
        else:
            test = self.block(stmt.test)
        cond = self.atom(stmt.cond).node
        body = self.block(stmt.body)
        if not test:
            return [cst.While(cond, cst.IndentedBlock(body or [_line(cst.Pass())]))]
        # The test needs statements of its own: while True, test, break when false.
        exit_ = cst.If(cst.UnaryOperation(cst.Not(), cond), cst.IndentedBlock([_line(cst.Break())]))
        return [cst.While(cst.Name("True"), cst.IndentedBlock(test + [exit_] + body))]

    def for_(self, stmt: ir.For) -> cst.For:
        bounds = [stmt.start, stmt.stop, stmt.step]
        if bounds[2] == ir.Const(1):
            bounds.pop()
            if bounds[0] == ir.Const(0):
                bounds.pop(0)
        iterable = cst.Call(cst.Name("range"), [cst.Arg(self.atom(b).node) for b in bounds])
        if stmt.limit is not None:
            upper = cst.Slice(None, self.atom(stmt.limit).node)
            iterable = cst.Subscript(iterable, [cst.SubscriptElement(upper)])
        if stmt.reverse:
            iterable = cst.Call(cst.Name("reversed"), [cst.Arg(iterable)])
        target = cst.Name(stmt.target.name if stmt.target else "_")
        body = self.block(stmt.body) or [_line(cst.Pass())]
        return cst.For(target, iterable, cst.IndentedBlock(body))


def _marked(lines: list, marker: str | None) -> list:
    """The statements, the first under the comment `# model.py:12: ...` if there is one."""
    if marker is None or not lines:
        return lines
    comment = cst.EmptyLine(comment=cst.Comment(f"# {marker}"))
    first = lines[0].with_changes(leading_lines=[*lines[0].leading_lines, comment])
    return [first, *lines[1:]]


def _line(small: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([small])


def _assign(target: str, expr: Expr) -> cst.SimpleStatementLine:
    return _line(cst.Assign([cst.AssignTarget(cst.Name(target))], expr.node))


def _last_reads(stmts: list, names: frozenset[str], plan: set[int],
                start: int, early: frozenset[str]) -> dict[int, list[str]]:
    """{position: the `names` read last there}: the statement that reads each last (the one
    its value is written into, for an inlined one), when that is at `start` or later and no
    loop or branch (a record a loop pops dies with the loop's next trip)."""
    if not names:  # nested blocks: reading an If's whole chain per level is quadratic
        return {}
    last: dict[str, int] = {}
    for i, stmt in enumerate(stmts):
        for n in ir.read_names((stmt,)) & names:
            last[n] = i
    out: dict[int, list[str]] = {}
    for n, i in sorted(last.items(), key=lambda item: (item[1], item[0])):  # a stable text
        while i in plan:
            target = stmts[i].target.name
            i = next(j for j in range(i + 1, len(stmts)) if target in ir.read_names((stmts[j],)))
        # (a name the backward sweep does not read, replaced there by a stand-in, dies in
        # the forward sweep)
        if (i >= start or n in early) and not ir.children(stmts[i]):
            out.setdefault(i, []).append(n)
    return out


def released_names(adj: Adjoint, blocks: list, returned: list) -> tuple[frozenset[str], int]:
    """The names `del`eted in the backward sweep once read for the last time, and where that
    sweep starts. Where a split helper's record is read at the top level (a model of
    layers), every value the sweep reads dies with the model line that read it last, as
    the records of the layers do; else none (the arguments stay: the caller holds them)."""
    if len(blocks) < 3 or not adj.records:
        return frozenset(), 0
    top = [s for block in blocks for s in block]
    start = len(blocks[0])
    if not any(r in ir.vars_read(s) for s in top[start:] for r in adj.records):
        return frozenset(), 0
    # only the function's own bindings: a `del` of a name it only reads (a module
    # constant) would make that name local to it, unbound where it is read
    bound = ir.assigned_names(tuple(top))
    return frozenset((ir.read_names(tuple(top[start:])) & bound) - kept_names(adj, returned)), \
        start


def bwd_released_names(backward: list, kept: set[str]) -> frozenset[str]:
    """The names a split helper's backward half (`h_bwd`) deletes once read for the last
    time: the cotangents and temporaries it binds, so that a layer's cotangent dies with
    the model line that used it, not when `h_bwd` returns (ResNet's blocks held a dozen
    arrays of their size to the end). Not `kept`: the record's items (the record still
    holds them) and what it returns."""
    stmts = tuple(backward)
    return frozenset((ir.read_names(stmts) & ir.assigned_names(stmts)) - kept)


def kept_names(adj: Adjoint, returned: list) -> set[str]:
    """The names a top-level function never deletes: its arguments and what it returns."""
    return set(adj.primal.param_names) | {a.name for a in returned if isinstance(a, ir.Var)}


def _del_line(names: list[str]) -> cst.SimpleStatementLine:
    """`del a, b`."""
    elements = [cst.Element(cst.Name(n)) for n in names]
    target = cst.Tuple(elements, lpar=[], rpar=[]) if len(elements) > 1 else elements[0].value
    return _line(cst.Del(target))


def _unpacked_pairs(stmts: list, uses: dict[str, int]) -> dict[int, tuple]:
    """{position of `pair = h_fwd(...)`: (value, record names)} for the pairs read only by
    `value = pair[0]` and `record = pair[1]` a few lines on (written as one unpacking),
    and {their positions: ()}; nothing in between reads or writes the value or record."""
    found: dict[int, tuple] = {}
    for i, stmt in enumerate(stmts):
        if not (isinstance(stmt, ir.Assign) and stmt.prim is Prim.CALL_FWD
                and uses.get(stmt.target.name) == 2):
            continue
        items = {j: s for j, s in enumerate(stmts[i + 1:i + 5], i + 1)
                 if isinstance(s, ir.Assign) and s.prim is Prim.GETITEM and s.args[0] == stmt.target}
        if sorted(s.args[1].value for s in items.values()) != [0, 1]:
            continue
        names = {s.args[1].value: s.target.name for s in items.values()}
        last = max(items)
        between = [s for j, s in enumerate(stmts[i + 1:last], i + 1) if j not in items]
        touched = {n for s in between for n in ir.read_names((s,)) | ir.assigned_names((s,))}
        if touched & set(names.values()) and not _only_after(stmts, items, names[0], i, last):
            continue
        found[i] = (names[0], names[1])
        found.update(dict.fromkeys(items, ()))
    return found


def _only_after(stmts: list, items: dict, value: str, start: int, last: int) -> bool:
    """Whether the lines between a pair's unpacking and its last item touch only the value,
    and only after its own item (they then read what the unpacking bound)."""
    at = next(j for j, s in items.items() if s.target.name == value)
    for j in range(start + 1, last):
        if j in items:
            continue
        names = ir.read_names((stmts[j],)) | ir.assigned_names((stmts[j],))
        record = next(s.target.name for s in items.values() if s.target.name != value)
        if record in names or (value in names and (j < at or value in
                                                   ir.assigned_names((stmts[j],)))):
            return False
    return True


def _unpack_line(names: tuple, expr: Expr) -> cst.SimpleStatementLine:
    target = cst.Tuple([cst.Element(cst.Name(n)) for n in names], lpar=[], rpar=[])
    return _line(cst.Assign([cst.AssignTarget(target)], expr.node))


# ----------------------------------------------------------------- module
def function_def(fname: str, params: list[cst.Param] | cst.Parameters, doc: str | None,
                 body: list[cst.BaseStatement]) -> cst.FunctionDef:
    """def fname(params): \"\"\"doc\"\"\" body."""
    statements = list(body)
    if doc:
        statements.insert(0, _line(cst.Expr(cst.SimpleString(f'"""{doc}"""'))))
    if not isinstance(params, cst.Parameters):
        params = cst.Parameters(params)
    return cst.FunctionDef(cst.Name(fname), params, cst.IndentedBlock(statements))


def param(pname: str, default: cst.BaseExpression | None = None) -> cst.Param:
    """A parameter, with `=default` written without spaces."""
    if default is None:
        return cst.Param(cst.Name(pname))
    return cst.Param(cst.Name(pname), default=default,
                     equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def emitted_names(adj: Adjoint) -> tuple[str, str, str]:
    """Names of the emitted value_and_grad, grad and tape-report functions."""
    base = adj.primal.name
    return f"{base}_value_and_grad", f"{base}_grad", f"{base}_forward_tape"


def _elif(orelse: list) -> cst.If | None:
    """The `elif` an else block is, if it is one: `if c` alone, or `t = c` then `if t`.

    The second form becomes `elif (t := c):`, so that an elif chain of the
    model stays one flat chain (nesting would hit Python's indentation limit).
    """
    if len(orelse) == 1 and isinstance(orelse[0], cst.If):
        return orelse[0]
    if len(orelse) != 2 or not isinstance(orelse[1], cst.If) or \
            not isinstance(orelse[0], cst.SimpleStatementLine) or len(orelse[0].body) != 1:
        return None
    assign, inner = orelse[0].body[0], orelse[1]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or \
            not isinstance(inner.test, cst.Name) or \
            not assign.targets[0].target.deep_equals(inner.test):
        return None
    test = cst.NamedExpr(inner.test, assign.value, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return inner.with_changes(test=test)
