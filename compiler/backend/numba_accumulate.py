"""Adjoint accumulators of the numba target, added into in place.

The numpy target accumulates a cotangent as `W_bar = W_bar + term`: a new
array per term, which in a loop costs an allocation and a pass over memory per
trip (the RNN's 64x64 `W_bar` every step). Where no other name can hold the
accumulator's array, adding in place is the same computation:
`W_bar = nb.accumulate(W_bar, term)` adds into the array it was given, and
`W_bar = nb.add_matmul_grad_left(W_bar, g, x, y)` adds x's matmul cotangent
(an outer product for a matrix-vector product) without building it first.

An accumulator qualifies when, in the function up to the last top-level
statement that adds into it (after that, nothing adds in place any more):
* every assignment to it is `A = nb.zeros_like(...)` (a fresh array) or
  `A = A + E` with A not read in E (E never sees the array change);
* it is no parameter, and nothing else reads it (a reader could keep a
  reference, see the array change under it: `B = A`, `tape_A.append(A)`,
  `nb.cast_like(A, x)`).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..frontend.python_constructs import _target_names as _names

FRESH = "zeros_like"


def accumulate_in_place(fn: cst.FunctionDef) -> cst.FunctionDef:
    """`fn` with each qualifying `A = A + E` an in-place accumulation."""
    body = list(fn.body.body)
    names = _accumulators(fn, body)
    if not names:
        return fn
    return fn.with_changes(body=fn.body.with_changes(body=[s.visit(_InPlace(names))
                                                          for s in body]))


def _accumulators(fn: cst.FunctionDef, body: list) -> set[str]:
    """The names whose every write up to the last top-level statement that accumulates
    them is a fresh zeros or `A = A + E`, and which nothing else reads up to there
    (after it, nothing adds in place any more)."""
    params = {p.name.value for p in fn.params.params}
    writes = _Writes.of(body)  # one walk picks the candidates: few names are added into
    out = set()
    for name in {n for n, kinds in writes.items() if "add" in kinds} - params:
        last = max((i for i, s in enumerate(body) if _accumulates(s, name)), default=None)
        if last is None:  # its `A = A + E` shares a line with another statement
            continue
        kinds = _Writes.of(body[:last + 1])[name]
        if kinds == {"add", "fresh"} and \
                not any(_reads_elsewhere(s, name) for s in body[:last + 1]):
            out.add(name)
    return out


class _Writes(cst.CSTVisitor):
    """The kinds of write each name gets: "fresh", "add" or "other"."""

    def __init__(self):
        super().__init__()
        self.kinds: dict[str, set[str]] = {}

    @staticmethod
    def of(body: list) -> dict[str, set[str]]:
        """The kinds of write each name gets in `body`."""
        writes = _Writes()
        cst.Module(body=body).visit(writes)
        return writes.kinds

    def _note(self, name: str, kind: str) -> None:
        self.kinds.setdefault(name, set()).add(kind)

    def visit_Assign(self, node) -> None:
        for target in node.targets:
            for name in _names(target.target):
                self._note(name, _kind(node, name))

    def on_visit(self, node) -> bool:
        # the other statements that bind a name: `A += x`, `A: float = x`, `(A := x)`, `for A in`
        if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.For)):
            for name in _names(node.target):
                self._note(name, "other")
        return super().on_visit(node)


def _kind(node: cst.Assign, name: str) -> str:
    if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
        return "other"
    if _term(node.value, name) is not None:
        return "add"
    value = node.value
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and \
            isinstance(value.func.value, cst.Name) and value.func.value.value == "nb" and \
            value.func.attr.value == FRESH:
        return "fresh"
    return "other"


def _term(value, name: str):
    """E of `name + E` or `E + name`, E not reading `name`; None for anything else."""
    if not (isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add)):
        return None
    for mine, other in ((value.left, value.right), (value.right, value.left)):
        if isinstance(mine, cst.Name) and mine.value == name and not _mentions(other, name):
            return other
    return None


class _Reads(cst.CSTVisitor):
    """Whether `name` is read in a node; with `skip_own`, outside its own fresh and
    accumulating assignments."""

    def __init__(self, name: str, skip_own: bool):
        super().__init__()
        self.name, self.skip_own, self.found = name, skip_own, False

    def visit_SimpleStatementLine(self, node) -> bool:
        return not (self.skip_own and _is_accumulation(node, self.name))

    def visit_Name(self, node) -> None:
        self.found |= node.value == self.name


def _mentions(node, name: str, skip_own: bool = False) -> bool:
    visitor = _Reads(name, skip_own)
    node.visit(visitor)
    return visitor.found


def _reads_elsewhere(stmt, name: str) -> bool:
    return _mentions(stmt, name, skip_own=True)


def _is_accumulation(stmt, name: str) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and \
        isinstance(stmt.body[0], cst.Assign) and _kind(stmt.body[0], name) in ("add", "fresh") \
        and stmt.body[0].targets[0].target.value == name


def _accumulates(stmt, name: str) -> bool:
    """Whether `stmt` holds an `A = A + E` for name A."""
    adds = m.findall(stmt, m.SimpleStatementLine())
    return any(_is_accumulation(s, name) and _kind(s.body[0], name) == "add" for s in adds)


class _InPlace(cst.CSTTransformer):
    """`A = A + E` as `A = nb.accumulate(A, E)` (or the fused matmul form)."""

    def __init__(self, names: set[str]):
        super().__init__()
        self.names = names

    def leave_Assign(self, original, updated):
        if len(updated.targets) != 1 or not isinstance(updated.targets[0].target, cst.Name):
            return updated
        name = updated.targets[0].target.value
        term = _term(updated.value, name) if name in self.names else None
        if term is None:
            return updated
        acc = cst.Arg(cst.Name(name))
        if isinstance(term, cst.Call) and isinstance(term.func, cst.Attribute) and \
                isinstance(term.func.value, cst.Name) and term.func.value.value == "nb" and \
                term.func.attr.value == "matmul_grad_left":
            call = _nb("add_matmul_grad_left", [acc, *term.args])
        else:
            call = _nb("accumulate", [acc, cst.Arg(_bare(term))])
        return updated.with_changes(value=call)


def _nb(helper: str, args: list) -> cst.Call:
    return cst.Call(cst.Attribute(cst.Name("nb"), cst.Name(helper)),
                    [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args])


def _bare(node):
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node
