"""The shapes most JVP rules take, registered by each family module next to its VJP rules.

* `linear`: a primitive linear in its differentiable arguments (sum, reshape,
  x[i], concatenate, ...): the same primitive applied to their tangents.
* `multilinear`: linear in each argument on its own (matmul, dot, einsum, outer):
  the sum, over the arguments with a tangent, of the primitive with that
  argument replaced by its tangent.
* `diagonal`: an elementwise primitive. Its Jacobian is diagonal, hence its
  own transpose, so the tangent is the VJP rule itself run with the tangent as
  the cotangent (and no summing back over broadcast axes). A kink therefore
  gets exactly the VJP's convention (docs/correctness.md): the JVP is the
  transpose of the VJP by construction.
* `weighted`: a reduction whose VJP spreads the cotangent with weights W(x)
  (max, prod, norm, var, median, logsumexp, det): the tangent is
  sum(W(x) * v) over the reduced axes, W being the VJP of ones.
"""

from __future__ import annotations

import numpy as np

from .. import ir
from ..ir.builder import Builder
from ..ir.prims import Prim
from .registry import rule_for


class _TangentBuilder(Builder):
    """A Builder whose `unbroadcast` keeps the tangent's broadcast shape (elementwise rules)."""

    def unbroadcast(self, g: ir.Atom, like: ir.Atom) -> ir.Atom:
        """The tangent as it is: it belongs to the output, not to `like`."""
        return g


def _sub_builder(b: Builder) -> Builder:
    return _TangentBuilder(b.namer, b.temps, b.loc, b.stmt, b.scalars, b.ranks)


def _positions(s: ir.Assign) -> range | tuple[int, ...]:
    diff = s.prim.spec.diff_args
    return diff if diff is not None else range(len(s.args))


def zero(b: Builder, like: ir.Atom) -> ir.Atom:
    """A zero tangent of `like`'s structure (a number for a number constant)."""
    if isinstance(like, ir.Const) and type(like.value) in (int, float, bool):
        return ir.Const(0.0)
    return b.op(Prim.ZERO_TANGENT, like)


def integer_dtype(dtype) -> bool:
    """Whether a static dtype holds integers or booleans (no derivative flows, as in jax)."""
    try:
        return dtype is not None and np.dtype(dtype).kind in "iub"
    except TypeError:
        return False


def linear(b: Builder, t: tuple, s: ir.Assign, params: ir.Params | None = None):
    """The primitive itself on the tangents of its differentiable arguments.

    An integer result (`dtype=np.int64`, np.full_like of an integer array) has none.
    """
    positions = _positions(s)
    dtype = s.params.get("dtype") or s.params.get("dtype_name")
    if all(t[i] is None for i in positions) or integer_dtype(dtype):
        return None
    args = [(t[i] if t[i] is not None else zero(b, a)) if i in positions else a
            for i, a in enumerate(s.args)]
    out = b.apply(s.prim, args, s.params if params is None else params)
    if s.prim is Prim.FULL_LIKE and dtype is None:  # the dtype of x, known when it runs
        out = b.op(Prim.INEXACT_ONLY, out, s.target)
    return out


def multilinear(b: Builder, t: tuple, s: ir.Assign):
    """sum_i prim(x_1, ..., t_i, ..., x_n) over the arguments that have a tangent."""
    total = None
    for i, ti in enumerate(t):
        if ti is None:
            continue
        args = list(s.args)
        args[i] = ti
        part = b.apply(s.prim, args, s.params)
        total = part if total is None else b.add(total, part)
    return total


def _needed(stmts: list, result: ir.Atom) -> list:
    """The statements of `stmts` that `result` depends on (the rest computed other cotangents)."""
    needed = {result.name} if isinstance(result, ir.Var) else set()
    kept = []
    for stmt in reversed(stmts):
        if isinstance(stmt, ir.Assign) and stmt.target.name in needed:
            kept.append(stmt)
            needed |= set(ir.vars_read(stmt))
    return kept[::-1]


def _vjp_part(b: Builder, g: ir.Atom, s: ir.Assign, i: int) -> tuple[ir.Atom | None, set]:
    """The VJP rule's cotangent of argument i for cotangent g, and the atoms it read."""
    sub = _sub_builder(b)
    cts = rule_for(s.prim)(sub, g, s)
    ct = cts[i] if i < len(cts) else None
    if ct is None:
        return None, set()
    kept = _needed(sub.stmts, ct)
    b.stmts += kept
    return ct, {a for stmt in kept for a in stmt.args} | {ct}


def diagonal(b: Builder, t: tuple, s: ir.Assign):
    """An elementwise primitive's tangent: its VJP rule with each tangent as the cotangent."""
    total, covered = None, set()
    for i in _positions(s):
        if t[i] is None:
            continue
        part, read = _vjp_part(b, t[i], s, i)
        if part is None:
            continue
        covered |= read | {s.args[i]}  # t[i] has the shape of argument i
        total = part if total is None else _add(b, total, part)
    # The sum has the output's shape where it reads the output, or every array argument.
    arrays = [a for a in s.args if not b.is_scalar(a)]
    if total is not None and s.target not in covered and not all(a in covered for a in arrays):
        total = b.op(Prim.BROADCAST_LIKE, total, s.target)
    elif total is not None and arrays and any(t[i] is not None and b.is_scalar(s.args[i])
                                              for i in _positions(s)):
        # a number's tangent is a Python float: np.where(c, v, 0.0) would make float32 float64
        total = b.op(Prim.CAST_LIKE, total, s.target)
    return total


def in_value_dtype(b: Builder, t: ir.Atom, s: ir.Assign, tangents: tuple) -> ir.Atom:
    """The rule's tangent t of s's value, cast to the value's dtype (`rt.broadcast_like`)
    where an argument without a tangent may widen the value and not the tangent:
    `x32 + np.zeros(4)` is float64, its tangent x_dot float32 (jax's is float64). An
    argument with a tangent has its dtype (by induction); a literal number is weak."""
    widening = [s.args[i] for i in _positions(s) if tangents[i] is None and
                (isinstance(s.args[i], ir.Var) or not b.is_scalar(s.args[i]))]
    if not widening:
        return t
    typed = _dtype_sources(b.stmts, t)
    if s.target in typed or all(a in typed for a in widening):
        return t
    return b.op(Prim.BROADCAST_LIKE, t, s.target)


def _dtype_sources(stmts: list, result: ir.Atom) -> set[ir.Atom]:
    """The atoms whose dtypes `result`, made by `stmts`, takes on: not a comparison's
    operands (np.maximum(x, c)'s tangent reads c in `x > c` only), a gradient helper's
    cotangent (its first argument) only, the dtype a cast takes."""
    sources, wanted = {result}, {result}
    for stmt in reversed(stmts):
        if not isinstance(stmt, ir.Assign) or stmt.target not in wanted:
            continue
        spec = stmt.prim.spec
        if stmt.prim in (Prim.BROADCAST_LIKE, Prim.CAST_LIKE):
            args = stmt.args[1:]
        elif spec.group == "nondiff":
            args = ()
        else:
            args = stmt.args[:1] if spec.group == "gradient" else stmt.args
        sources.update(args)
        wanted.update(a for a in args if isinstance(a, ir.Var))
    return sources


def _add(b: Builder, total: ir.Atom, part: ir.Atom) -> ir.Atom:
    """total + part, written total - y where part is a temporary made as -y."""
    for stmt in reversed(b.stmts):
        if isinstance(stmt, ir.Assign) and stmt.target == part:
            if stmt.prim is Prim.NEG:
                b.stmts.remove(stmt)
                return b.sub(total, stmt.args[0])
            break
    return b.add(total, part)


def _ones(b: Builder, s: ir.Assign) -> ir.Atom:
    if s.params.get("axis") is None and not s.params.get("keepdims"):
        return ir.Const(1.0)
    return b.op(Prim.ONES_LIKE, s.target)


def weighted(b: Builder, t: tuple, s: ir.Assign, axis: object = None):
    """sum(W(x) * v, over the reduced axes), W = the VJP rule's cotangent for ones."""
    total = None
    ones = None
    reduce = {"axis": s.params.get("axis") if axis is None else axis,
              "keepdims": s.params.get("keepdims") or None,
              "dtype": s.params.get("dtype")}  # np.prod(x32, dtype=np.float64) is float64
    for i in _positions(s):
        if t[i] is None:
            continue
        ones = ones if ones is not None else _ones(b, s)
        w, _ = _vjp_part(b, ones, s, i)
        if w is None:
            continue
        part = b.op(Prim.SUM, b.mul(w, t[i]), **reduce)
        total = part if total is None else b.add(total, part)
    return total


def matrix_weighted(b: Builder, t: tuple, s: ir.Assign):
    """`weighted` over the last two axes: a function of a (stack of) matrices (det)."""
    return weighted(b, t, s, axis=(-2, -1))


def as_column(b: Builder, x: ir.Atom) -> ir.Atom:
    """x[..., None]: (a stack of) vectors as one-column matrices."""
    index = ir.Index((ir.ELLIPSIS, ir.NEWAXIS), tuple_form=True)
    return b.apply(Prim.GETITEM, (x,), ir.Params.of(index=index))


def from_column(b: Builder, x: ir.Atom) -> ir.Atom:
    """x[..., 0]: one-column matrices back to vectors."""
    index = ir.Index((ir.ELLIPSIS, ir.Hole(1)), tuple_form=True)
    return b.apply(Prim.GETITEM, (x, ir.Const(0)), ir.Params.of(index=index))
