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
    facts = [_Facts.of([stmt]) for stmt in body]  # one walk of each top-level statement
    out = set()
    for name in {n for f in facts for n, kinds in f.kinds.items() if "add" in kinds} - params:
        last = max((i for i, f in enumerate(facts) if name in f.adds), default=None)
        if last is None:  # its `A = A + E` shares a line with another statement
            continue
        kinds = set().union(*(f.kinds.get(name, ()) for f in facts[:last + 1]))
        if kinds == {"add", "fresh"} and not any(name in f.reads for f in facts[:last + 1]):
            out.add(name)
    return out


class _Writes(cst.CSTVisitor):
    """The kinds of write each name gets: "fresh", "add" or "other"."""

    def __init__(self):
        super().__init__()
        self.kinds: dict[str, set[str]] = {}

    @classmethod
    def of(cls, body: list):
        """The visitor, having visited `body`."""
        writes = cls()
        cst.Module(body=body).visit(writes)
        return writes

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


class _Facts(_Writes):
    """Besides the writes: the names with an `A = A + E` line of their own (`adds`), and
    the names read (any mention) outside their own `A = A + E` and fresh-zeros lines."""

    def __init__(self):
        super().__init__()
        self.adds: set[str] = set()
        self.reads: set[str] = set()
        self.own = None  # the accumulator whose own line is being visited

    def visit_SimpleStatementLine(self, node) -> None:
        small = node.body[0]
        target = small.targets[0].target if isinstance(small, cst.Assign) else None
        name = target.value if isinstance(target, cst.Name) else None
        if name is not None and _is_accumulation(node, name):
            self.own = name
            if _kind(small, name) == "add":
                self.adds.add(name)

    def leave_SimpleStatementLine(self, node) -> None:
        self.own = None

    def visit_Name(self, node) -> None:
        if node.value != self.own:
            self.reads.add(node.value)


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
    """Whether `name` is read in a node."""

    def __init__(self, name: str):
        super().__init__()
        self.name, self.found = name, False

    def visit_Name(self, node) -> None:
        self.found |= node.value == self.name


def _mentions(node, name: str) -> bool:
    visitor = _Reads(name)
    node.visit(visitor)
    return visitor.found


def _is_accumulation(stmt, name: str) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and \
        isinstance(stmt.body[0], cst.Assign) and _kind(stmt.body[0], name) in ("add", "fresh") \
        and stmt.body[0].targets[0].target.value == name


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
