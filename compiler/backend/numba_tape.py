"""The tape of the numba target: one stack per recorded variable.

The numpy target records every value on one Python list (`tape.append(v)`,
`v = tape.pop()`); numba needs each stack to hold one type, so here each
recorded variable `v` gets its own stack `tape_v`. Pushes and pops of one
variable pair up last-in first-out, so splitting the one tape into
per-variable stacks keeps every pop's value.

Where `v` is bound before a top-level `for` loop over a `range` and pushed
only in that loop's own body (in its branches too, not in an inner loop), the
pushes number at most the trip count times the most pushes one trip makes:
`tape_v` is then an array allocated before the loop, typed by `v`'s value there
(runtime/numba_stack.py), `top_v` its depth, `nb.push(tape_v, top_v, v)` /
`v = nb.pop(tape_v, top_v, v)`. Elsewhere `tape_v` is a numba list, whose
storage grows by doubling: in a `while` loop or an inner loop (no size known
before the loop; an array grown inside the loop costs numba a reference count
update per trip, slower than a list's append) and for a variable first bound
inside the loop (branch decisions, kept shapes: nothing before the loop gives
the stack its type).

A variable unbound before the loop that first writes it (the numpy target
initialises it to None, which numba cannot type) is recorded after each
write instead of before it: the stack then holds its value after each write,
and undoing a write drops the newest and reads the one before it
(`nb.restore`). The value before the first write is never read. Where the rank
analysis knows such a variable holds one number (RK4's stages: `x2 = x + h * v`),
its stack is an array of numbers sized before the loop all the same (nothing
but a number goes in it), read back by `nb.restore_at`.
"""

from __future__ import annotations

import libcst as cst

from ..errors import UnsupportedError
from ..frontend.python_constructs import _target_names

HINT = "use target='numpy' for this model"


def split_tape(body: list[cst.BaseStatement], params: set[str],
               numbers: frozenset[str] = frozenset()) -> list[cst.BaseStatement]:
    """A function body with its one `tape` list split into typed per-variable stacks;
    `numbers`: the variables known to hold one number."""
    unbound = {_assigned_name(s) for s in body if _is_none_init(s)}
    pushed = _pushed_names(body)
    unbound &= set(pushed)
    body = [s for s in body if not (_is_none_init(s) and _assigned_name(s) in unbound)]
    sized = sized_stacks(body, params, unbound, numbers)
    body = _rewrite_block(_allocated(body, sized, unbound, numbers), unbound, set(sized))
    out = []
    for stmt in body:
        if _assigned_name(stmt) == "tape":  # tape = []: one empty list per other variable
            out += [_assign(_stack(n), cst.List([])) for n in pushed if n not in sized]
        else:
            out.append(stmt)
    return out


def sized_stacks(body: list, params: set[str], unbound: set[str],
                 numbers: frozenset[str] = frozenset()) -> dict[str, tuple]:
    """{v: (index of its top-level `for` loop, how many pushes it can take)} for each
    variable whose stack can be an array sized before its loop: bound before it (its
    value there types the stack), or first bound in it and known to be a number."""
    sites: dict[str, list] = {}  # v: (top-level index, pushed in that loop's own body)
    bound = set(params)
    bound_before = []
    for i, stmt in enumerate(body):
        bound_before.append(set(bound))
        counter = _PushSites(direct=_trips(stmt) is not None)
        stmt.visit(counter)
        for name, direct in counter.sites:
            sites.setdefault(name, []).append((i, direct))
        if isinstance(stmt, cst.SimpleStatementLine):
            bound |= {n for s in stmt.body if isinstance(s, cst.Assign)
                      for t in s.targets for n in _target_names(t.target)}
    out = {}
    shapes = _kept_shapes(body)
    for name, where in sites.items():
        if name in shapes:  # a shape (a tuple): nb.stack holds arrays and numbers
            continue
        loop = where[0][0]
        typed = name in numbers if name in unbound else name in bound_before[loop]
        if typed and all(i == loop and direct for i, direct in where):
            size, per_trip = _trips(body[loop]), _most_pushes(body[loop].body.body, name)
            if per_trip > 1:
                size = cst.BinaryOperation(cst.Integer(str(per_trip)), cst.Multiply(), size)
            out[name] = (loop, size)
    return out


def _kept_shapes(body: list) -> set[str]:
    """The names a top-level statement binds to a kept shape (`y_shape = nb.kept_shape(y)`:
    a name bound several times tapes its shape, ad/tape.py)."""
    names = set()
    for stmt in body:
        small = _small(stmt)
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call) and \
                isinstance(small.value.func, cst.Attribute) and \
                small.value.func.attr.value == "kept_shape":
            names.add(_assigned_name(stmt))
    return names


def _most_pushes(stmts, name: str) -> int:
    """The most pushes of `name` one pass through `stmts` makes (no loop among them
    pushes it): one branch of an `if` runs."""
    count = 0
    for stmt in stmts:
        if isinstance(stmt, cst.If):
            orelse = stmt.orelse
            other = [] if orelse is None else [orelse] if isinstance(orelse, cst.If) \
                else orelse.body.body
            count += max(_most_pushes(stmt.body.body, name), _most_pushes(other, name))
        elif isinstance(stmt, cst.SimpleStatementLine):
            count += _pushed(stmt) == name
        else:  # another compound statement (try, with): every push in it counts
            sites = _PushSites(direct=False)
            stmt.visit(sites)
            count += sum(n == name for n, _ in sites.sites)
    return count


class _PushSites(cst.CSTVisitor):
    """The variables pushed in a statement, each with whether the push is in the body of
    the statement's own loop (not in an inner loop) when `direct` (it is a counted loop)."""

    def __init__(self, direct: bool):
        super().__init__()
        self.direct, self.depth, self.sites = direct, 0, []

    def visit_For(self, node) -> None:
        self.depth += 1

    def leave_For(self, node) -> None:
        self.depth -= 1

    def visit_While(self, node) -> None:
        self.depth += 1

    def leave_While(self, node) -> None:
        self.depth -= 1

    def visit_SimpleStatementLine(self, node) -> None:
        name = _pushed(node)
        if name is not None:
            self.sites.append((name, self.direct and self.depth == 1))


def _trips(stmt) -> cst.BaseExpression | None:
    """The trip count of a `for` loop over `range(...)` of plain arguments (evaluated
    before the loop: the same as range's), else None."""
    it = stmt.iter if isinstance(stmt, cst.For) else None
    if not (isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and
            it.func.value == "range" and 1 <= len(it.args) <= 3 and
            all(isinstance(a.value, (cst.Name, cst.Integer)) and a.keyword is None
                and a.star == "" for a in it.args)):
        return None
    if len(it.args) == 1:
        return it.args[0].value
    return cst.Call(cst.Name("len"), [cst.Arg(it.with_changes(args=[
        a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in it.args]))])


def _allocated(body: list, sized: dict[str, tuple], unbound: set[str],
               numbers: frozenset[str] = frozenset()) -> list:
    """body with each sized stack allocated before its loop (`tape_v = nb.stack(v, n)`,
    `top_v = 0`; a number first bound in the loop: `nb.stack(0.0, n)`), the loop's
    model-line comment moved above them. Several stacks of numbers of one size share
    one array, a row each (`tapes_3 = nb.stacks(8, n)`, `tape_v = tapes_3[7]`): RK4's
    eight stacks were eight allocations, most of a call's time at ten steps."""
    out = []
    for i, stmt in enumerate(body):
        names = [n for n, (loop, _) in sized.items() if loop == i]
        if not names:
            out.append(stmt)
            continue
        lines = []
        shared = _shared_rows(names, sized, unbound | numbers)
        for size, rows in shared.items():
            lines.append(_statement(f"tapes_{i} = nb.stacks({len(rows)}, {size})"))
        for name in names:
            size = cst.Module([]).code_for_node(sized[name][1])
            like = "0.0" if name in unbound else name
            row = shared.get(size, [])
            alloc = f"tapes_{i}[{row.index(name)}]" if name in row else f"nb.stack({like}, {size})"
            lines += [_statement(f"{_stack(name)} = {alloc}"), _statement(f"{_top(name)} = 0")]
        out += [lines[0].with_changes(leading_lines=stmt.leading_lines), *lines[1:],
                stmt.with_changes(leading_lines=[])]
    return out


def _shared_rows(names: list[str], sized: dict[str, tuple], numbers: set[str]) -> dict:
    """{size: the names whose stacks are rows of one array}: the stacks of numbers of the
    one size most of them have (two or more), so one array name per loop suffices."""
    by_size: dict[str, list[str]] = {}
    for name in names:
        if name in numbers:
            by_size.setdefault(cst.Module([]).code_for_node(sized[name][1]), []).append(name)
    size, rows = max(by_size.items(), key=lambda item: len(item[1]), default=(None, []))
    return {size: rows} if len(rows) > 1 else {}


def _stack(name: str) -> str:
    return f"tape_{name}"


def _top(name: str) -> str:
    return f"top_{name}"


def _statement(text: str, like=None) -> cst.SimpleStatementLine:
    """One statement parsed from text, with the comments above `like` kept."""
    stmt = cst.parse_statement(text)
    return stmt if like is None else stmt.with_changes(leading_lines=like.leading_lines)


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


def _rewrite_block(stmts: list, unbound: set[str], sized: set[str]) -> list:
    """One block's pushes and pops onto per-variable stacks, nested blocks too."""
    stmts = [_rewrite_nested(s, unbound, sized) for s in stmts]
    out: list = []
    pending: dict[str, list] = {}  # pushes of unbound names, waiting for their write
    for stmt in stmts:
        name = _pushed(stmt)
        if name is not None:
            push = [_statement(f"nb.push({_stack(name)}, {_top(name)}, {name})", stmt),
                    _statement(f"{_top(name)} += 1")] if name in sized \
                else [_stack_call(stmt, name)]
            if name in unbound:
                pending[name] = push
            else:
                out += push
            continue
        name = _popped(stmt)
        if name is not None and name in sized:
            read = "restore_at" if name in unbound else "pop"
            out += [_statement(f"{_top(name)} -= 1", stmt),
                    _statement(f"{name} = nb.{read}({_stack(name)}, {_top(name)}, {name})")]
            continue
        if name is not None:
            out.append(_pop(stmt, name, name in unbound))
            continue
        out.append(stmt)
        written = _assigned_name(stmt)
        if written in pending:
            out += pending.pop(written)
    if pending:
        raise UnsupportedError(f"the numba target cannot record {', '.join(pending)}: its "
                               f"first write is inside a nested block", hint=HINT)
    return out


def _rewrite_nested(stmt, unbound: set[str], sized: set[str]):
    if isinstance(stmt, (cst.If, cst.For, cst.While, cst.Else)):
        body = _rewrite_block(list(stmt.body.body), unbound, sized)
        stmt = stmt.with_changes(body=stmt.body.with_changes(body=body))
        if isinstance(stmt, cst.If) and stmt.orelse is not None:
            stmt = stmt.with_changes(orelse=_rewrite_nested(stmt.orelse, unbound, sized))
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
