"""The tape of the numba target: one typed stack per recorded variable.

The numpy target records every value on one Python list (`tape.append(v)`,
`v = tape.pop()`); numba needs each list to hold one type, so here each
recorded variable `v` gets its own stack `tape_v` (a numba list: its storage
grows by doubling, so a `while` loop's tape needs no size known in advance).
Pushes and pops of one variable pair up last-in first-out, so splitting the
one tape into per-variable stacks keeps every pop's value.

A variable unbound before the loop that first writes it (the numpy target
initialises it to None, which numba cannot type) is recorded after each
write instead of before it: the stack then holds its value after each write,
and undoing a write drops the newest and reads the one before it
(`nb.restore`). The value before the first write is never read.
"""

from __future__ import annotations

import libcst as cst

from ..errors import UnsupportedError

HINT = "use target='numpy' for this model"


def split_tape(body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """A function body with its one `tape` list split into typed per-variable stacks."""
    unbound = {_assigned_name(s) for s in body if _is_none_init(s)}
    pushed = _pushed_names(body)
    unbound &= set(pushed)
    body = [s for s in body if not (_is_none_init(s) and _assigned_name(s) in unbound)]
    body = _rewrite_block(body, unbound)
    out = []
    for stmt in body:
        if _assigned_name(stmt) == "tape":  # tape = []: one empty stack per variable
            out += [_assign(_stack(n), cst.List([])) for n in pushed]
        else:
            out.append(stmt)
    return out


def _stack(name: str) -> str:
    return f"tape_{name}"


def _assign(target: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(target))], value)])


def _small(stmt) -> cst.BaseSmallStatement | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def _assigned_name(stmt) -> str | None:
    small = _small(stmt)
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
            isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value
    return None


def _is_none_init(stmt) -> bool:
    small = _small(stmt)
    return _assigned_name(stmt) is not None and isinstance(small.value, cst.Name) and \
        small.value.value == "None"


def _tape_call(node, method: str) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
        isinstance(node.func.value, cst.Name) and node.func.value.value == "tape" and \
        node.func.attr.value == method


def _pushed(stmt) -> str | None:
    """`v` for the statement `tape.append(v)`."""
    small = _small(stmt)
    if isinstance(small, cst.Expr) and _tape_call(small.value, "append"):
        value = small.value.args[0].value
        if not isinstance(value, cst.Name):
            raise UnsupportedError("the numba target records only variables on its tape",
                                   hint=HINT)
        return value.value
    return None


def _popped(stmt) -> str | None:
    """`v` for the statement `v = tape.pop()`."""
    small = _small(stmt)
    if isinstance(small, cst.Assign) and _tape_call(small.value, "pop"):
        return _assigned_name(stmt)
    return None


class _Pushes(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.names: dict[str, None] = {}

    def visit_SimpleStatementLine(self, node) -> None:
        name = _pushed(node)
        if name is not None:
            self.names[name] = None


def _pushed_names(body: list) -> list[str]:
    visitor = _Pushes()
    cst.Module(body=body).visit(visitor)
    return list(visitor.names)


def _rewrite_block(stmts: list, unbound: set[str]) -> list:
    """One block's pushes and pops onto per-variable stacks, nested blocks too."""
    stmts = [_rewrite_nested(s, unbound) for s in stmts]
    out: list = []
    pending: dict[str, cst.BaseStatement] = {}  # pushes of unbound names, waiting for their write
    for stmt in stmts:
        name = _pushed(stmt)
        if name is not None:
            push = _stack_call(stmt, name)
            if name in unbound:
                pending[name] = push
            else:
                out.append(push)
            continue
        name = _popped(stmt)
        if name is not None:
            out.append(_pop(stmt, name, name in unbound))
            continue
        out.append(stmt)
        written = _assigned_name(stmt)
        if written in pending:
            out.append(pending.pop(written))
    if pending:
        raise UnsupportedError(f"the numba target cannot record {', '.join(pending)}: its "
                               f"first write is inside a nested block", hint=HINT)
    return out


def _rewrite_nested(stmt, unbound: set[str]):
    if isinstance(stmt, (cst.If, cst.For, cst.While, cst.Else)):
        body = stmt.body.with_changes(body=_rewrite_block(list(stmt.body.body), unbound))
        stmt = stmt.with_changes(body=body)
        if isinstance(stmt, cst.If) and stmt.orelse is not None:
            stmt = stmt.with_changes(orelse=_rewrite_nested(stmt.orelse, unbound))
    return stmt


def _stack_call(stmt, name: str):
    """`tape_v.append(v)`, keeping the statement's comments."""
    call = cst.Call(cst.Attribute(cst.Name(_stack(name)), cst.Name("append")),
                    [cst.Arg(cst.Name(name))])
    return stmt.with_changes(body=[cst.Expr(call)])


def _pop(stmt, name: str, unbound: bool):
    """`v = tape_v.pop()`, or `v = nb.restore(tape_v, v)` for a variable recorded after writes."""
    if unbound:
        value = cst.Call(cst.Attribute(cst.Name("nb"), cst.Name("restore")),
                         [cst.Arg(cst.Name(_stack(name))), cst.Arg(cst.Name(name))])
    else:
        value = cst.Call(cst.Attribute(cst.Name(_stack(name)), cst.Name("pop")))
    small = _small(stmt).with_changes(value=value)
    return stmt.with_changes(body=[small])
