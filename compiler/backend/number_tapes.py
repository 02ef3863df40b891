"""Numbers taped by a counted loop go on lists of their own, by trip index.

The numpy target records every overwritten value on one list: `tape.append(x)` in the
forward sweep, `x = tape.pop()` in the backward sweep. For a number taped once per trip
of a loop `for i in range(n)` of the function's body (the push in the loop's own body,
outside any branch or inner loop; no `break` or `continue`, and i never bound again in
it) whose backward loop `for i in reversed(range(n))` pops it once per trip the same
way, the value pushed on trip i is the one popped on trip i. It then goes on a list of
its own, made before the loop (`tape_x = [None] * len(range(n))`: `range` raises what
the loop would for an n that is no int), `tape_x[i] = x`, and comes back as
`x = tape_x[i]`: list stores and reads where `append` and `pop` were method calls, and
no list grown trip by trip. Numbers only (the ranks analysis, `Adjoint.numbers`): the
list keeps them until the function returns, as the expert's preallocated lists do,
which for arrays would keep memory that `pop` gives back trip by trip. Every other
value stays on `tape`."""

from __future__ import annotations

import libcst as cst

from .numba_tape import _popped, _small, _tape_call


def number_tapes(body: list[cst.BaseStatement], numbers: frozenset[str]) -> list:
    """`body` (a function's statements) with the numbers that qualify taped on lists of
    their own (see the module's docstring)."""
    names = _all_names(body)
    moved = {}  # name: the indices in body of its forward and its backward loop
    for name, loops in _loop_pairs(body).items():
        if name in numbers and f"tape_{name}" not in names:
            moved[name] = loops
    if not moved:
        return body
    out = []
    for i, stmt in enumerate(body):
        starts = [n for n, (forward, _) in moved.items() if forward == i]
        ends = {n for n, (_, backward) in moved.items() if backward == i}
        if starts:
            count = _range_count(stmt.iter)
            inits = [cst.parse_statement(f"tape_{n} = [None] * len(range({count}))")
                     for n in starts]
            out += [inits[0].with_changes(leading_lines=stmt.leading_lines), *inits[1:]]
            stmt = _rewritten(stmt.with_changes(leading_lines=[]), set(starts), push=True)
        if ends:
            stmt = _rewritten(stmt, ends, push=False)
        out.append(stmt)
    return out


def uses_tape(body: list[cst.BaseStatement]) -> bool:
    """Whether any statement still reads the name `tape`."""
    return "tape" in _all_names(body)


def _loop_pairs(body: list) -> dict[str, tuple[int, int]]:
    """{x: (index of its forward loop, of its backward loop)} for each variable pushed
    once in one counted loop's own body and popped once in the matching backward loop's,
    and nowhere else in the function."""
    pushes, pops = _sites(body, _pushed), _sites(body, _popped)
    pairs = {}
    for name, where in pushes.items():
        back = pops.get(name, [])
        if len(where) != 1 or len(back) != 1 or where[0] is None or back[0] is None:
            continue
        forward, backward = body[where[0]], body[back[0]]
        count = _range_count(forward.iter)
        if count is None or not _reversed_of(backward.iter, count) or \
                backward.target.value != forward.target.value or \
                _target_written(forward) or _target_written(backward):
            continue
        pairs[name] = (where[0], back[0])
    return pairs


def _sites(body: list, which) -> dict[str, list]:
    """{x: [the index in body of the counted loop whose own body holds the statement, or
    None for a statement anywhere else]} of each push (or pop) of x."""
    sites: dict[str, list] = {}
    for i, stmt in enumerate(body):
        direct = isinstance(stmt, cst.For) and _simple_loop(stmt)
        own = {id(s) for s in stmt.body.body} if direct else set()
        for s in _statement_lines(stmt):
            name = which(s)
            if name is not None:
                sites.setdefault(name, []).append(i if id(s) in own else None)
    return sites


def _simple_loop(loop: cst.For) -> bool:
    """A `for` over a name, with no `else`, `break` or `continue` in it."""
    if not isinstance(loop.target, cst.Name) or loop.orelse is not None:
        return False
    finder = _Finds((cst.Break, cst.Continue))
    loop.body.visit(finder)
    return not finder.found


def _range_count(it) -> str | None:
    """The text of n in `range(n)` (a name or an integer), else None."""
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and \
            it.func.value == "range" and len(it.args) == 1:
        arg = it.args[0]
        if arg.keyword is None and arg.star == "" and isinstance(arg.value, (cst.Name, cst.Integer)):
            return arg.value.value
    return None


def _reversed_of(it, count: str) -> bool:
    """Whether `it` is `reversed(range(count))`."""
    return isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and \
        it.func.value == "reversed" and len(it.args) == 1 and \
        _range_count(it.args[0].value) == count


def _target_written(loop: cst.For) -> bool:
    """Whether the loop's body binds its index again (then it is no trip number)."""
    finder = _Finds((cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr,
                     cst.Del, cst.WithItem))
    loop.body.visit(finder)
    targets = [getattr(n, "target", None) or getattr(n, "asname", None) for n in finder.nodes]
    return loop.target.value in _all_names([t for t in targets if t is not None])


def _rewritten(loop: cst.For, names: set[str], push: bool) -> cst.For:
    """The loop with the pushes or pops of `names` in its own body on their lists, at
    the loop's index: `tape_x[i] = x`, `x = tape_x[i]`."""
    body = []
    for stmt in loop.body.body:
        name = _pushed(stmt) if push else _popped(stmt)
        if name in names:
            stmt = stmt.with_changes(body=[_list_statement(name, loop.target.value, push)])
        body.append(stmt)
    return loop.with_changes(body=loop.body.with_changes(body=body))


def _list_statement(name: str, index: str, push: bool) -> cst.BaseSmallStatement:
    item = cst.Subscript(cst.Name(f"tape_{name}"), [cst.SubscriptElement(cst.Index(cst.Name(index)))])
    if push:
        return cst.Assign([cst.AssignTarget(item)], cst.Name(name))
    return cst.Assign([cst.AssignTarget(cst.Name(name))], item)


def _pushed(stmt) -> str | None:
    """`x` for the statement `tape.append(x)` of a variable (None for anything else)."""
    small = _small(stmt)
    if isinstance(small, cst.Expr) and _tape_call(small.value, "append") and \
            isinstance(small.value.args[0].value, cst.Name):
        return small.value.args[0].value.value
    return None


def _statement_lines(node) -> list:
    finder = _Finds((cst.SimpleStatementLine,))
    node.visit(finder)
    return finder.nodes


def _all_names(nodes) -> set[str]:
    finder = _Finds((cst.Name,))
    for node in nodes:
        node.visit(finder)
    return {n.value for n in finder.nodes}


class _Finds(cst.CSTVisitor):
    """The nodes of some types in a tree (`found`: whether any)."""

    def __init__(self, kinds: tuple):
        super().__init__()
        self.kinds, self.nodes = kinds, []

    @property
    def found(self) -> bool:
        return bool(self.nodes)

    def on_visit(self, node) -> bool:
        if isinstance(node, self.kinds):
            self.nodes.append(node)
        return True
