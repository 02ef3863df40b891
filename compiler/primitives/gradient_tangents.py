"""Tangent (JVP) rules of the gradient helpers, for second derivatives (ad/second.py).

Forward mode run over an adjoint differentiates the helpers its backward
sweep calls (rt.unbroadcast, rt.sum_grad, rt.matmul_grad_left, ...). Each is
linear in the cotangent `g` it spreads; what it reads of its other arguments
is either only their shape, dtype or a piecewise-constant choice (the tied
maxima of maxmin_grad, the sign of abs_grad, the order of sort_grad), whose
derivative is zero almost everywhere, or a second factor it is linear in too
(y in matmul_grad_left(g, x, y) = g @ y.T). So every rule here is `linear_in`
the cotangent or `multilinear_in` the cotangent and that factor. The helpers
not linear in what they read (norm_grad, softmax_grad, ...) have theirs in
nonlinear_tangents.py; one with none (prod_grad, cumprod_grad, ...) is refused
by second derivatives with its position.
"""

from __future__ import annotations

from ..ir.builder import Builder
from ..ir.prims import Prim
from .registry import jvp
from .tangents import zero


def linear_in(*positions: int):
    """The rule of a helper linear in the arguments at `positions`, constant in the rest."""

    def rule(b: Builder, t: tuple, s):
        if all(t[i] is None for i in positions if i < len(t)):
            return None
        args = [(t[i] if t[i] is not None else zero(b, a)) if i in positions else a
                for i, a in enumerate(s.args)]
        return b.apply(s.prim, args, s.params)

    return rule


def multilinear_in(*positions: int):
    """The rule of a helper linear in each argument at `positions` on its own (the product
    rule): the sum over those with a tangent of the helper with that argument replaced."""

    def rule(b: Builder, t: tuple, s):
        total = None
        for i in positions:
            if i >= len(t) or t[i] is None:
                continue
            args = list(s.args)
            args[i] = t[i]
            part = b.apply(s.prim, args, s.params)
            total = part if total is None else b.add(total, part)
        return total

    return rule


def _by_side(b: Builder, t: tuple, s):
    """tensordot_grad / kron_grad / cross_grad(g, x, y, side): g and the other operand."""
    other = 2 if not s.params.get("side") else 1
    return multilinear_in(0, other)(b, t, s)


@jvp(Prim.EINSUM_GRAD)
def _einsum_grad(b: Builder, t: tuple, s):
    """einsum_grad(g, *operands) for operand k: an einsum of g with the others (k: shape)."""
    k = s.params.get("operand")
    others = [1 + j for j in range(len(s.args) - 1) if j != k]
    return multilinear_in(0, *others)(b, t, s)


@jvp(Prim.SEED, Prim.ZERO_LIKE, Prim.ZERO_TANGENT, Prim.KEPT_SHAPE, Prim.KEPT_LIKE)
def _constant(b: Builder, t: tuple, s):
    """The output's seed (one, or the given constant), zeros and shapes: no tangent."""


jvp(Prim.UNBROADCAST, Prim.REDUCE_GRAD, Prim.MEAN_GRAD, Prim.MAXMIN_GRAD, Prim.CLIP_GRAD,
    Prim.ABS_GRAD, Prim.GETITEM_GRAD, Prim.CONCAT_GRAD, Prim.STACK_GRAD, Prim.RESHAPE_LIKE,
    Prim.CAST_LIKE, Prim.UNSTACK_GRAD, Prim.ASARRAY_GRAD, Prim.TILE_GRAD, Prim.REPEAT_GRAD,
    Prim.PAD_GRAD, Prim.SLIDING_WINDOW_GRAD, Prim.STACKED_GRAD, Prim.SPLIT_GRAD,
    Prim.MESHGRID_GRAD, Prim.TAKE_GRAD, Prim.TAKE_ALONG_AXIS_GRAD, Prim.TRACE_GRAD,
    Prim.DIAG_GRAD, Prim.DIAGONAL_GRAD, Prim.CUMSUM_GRAD, Prim.SORT_GRAD, Prim.MEDIAN_GRAD,
    Prim.NANSUM_GRAD, Prim.NANMEAN_GRAD, Prim.UNCONCAT_GRAD, Prim.INEXACT_ONLY,
    Prim.BROADCAST_LIKE, Prim.ZERO_AT, Prim.WRITTEN_GRAD, Prim.LIST_ITEM_GRAD,
    Prim.APPEND_GRAD, Prim.COMPLETE_LIKE, Prim.COMPLETE_PATHS, Prim.COPY_OF, Prim.LINSPACE_GRAD,
    Prim.WEIGHTS_LIKE_GRAD, Prim.SEQ_HEAD_GRAD, Prim.SEQ_TAIL_GRAD, Prim.WRITTEN_ITEM_GRAD,
    Prim.SEQ_REPEAT_GRAD)(linear_in(0))
jvp(Prim.ADD_ANY)(linear_in(0, 1))
# g @ y.T and x.T @ g: x (resp. y) is read for its shape only
jvp(Prim.MATMUL_GRAD_LEFT, Prim.DOT_GRAD_LEFT)(multilinear_in(0, 2))
jvp(Prim.MATMUL_GRAD_RIGHT, Prim.DOT_GRAD_RIGHT)(multilinear_in(0, 1))
jvp(Prim.TENSORDOT_GRAD, Prim.KRON_GRAD, Prim.CROSS_GRAD)(_by_side)
# g * 2 (x - mean(x)) / (n - ddof): linear in g and in x
jvp(Prim.VAR_GRAD)(multilinear_in(0, 1))


@jvp(Prim.LIST_POP)
def _list_pop(b: Builder, t: tuple, s):
    """lst_dot.pop(): the tangent list shrinks with the list (undoing an append)."""
    return b.apply(Prim.LIST_POP, (t[0],), s.params, target=t[0])
