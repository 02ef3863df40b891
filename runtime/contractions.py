"""Cotangents of numpy's `dot` and `inner` for operands of any rank.

`dot(x, y)` sums over the last axis of x and the second-to-last of y (the only
axis of a 1-D y); `inner(x, y)` over the last axes of both. Either with a
number is a product. Neither is `matmul` once y has three axes or more, so
these do not share matmul's helpers.
"""

from __future__ import annotations

import numpy

from .cotangents import unbroadcast
from .dispatch import array_module


def contracted_axis(y_ndim: int, inner: bool) -> int:
    """The axis of y that dot (or inner) sums over."""
    return y_ndim - 1 if inner or y_ndim == 1 else y_ndim - 2


def _prepare(g, x, y):
    xp = array_module(g, x, y)
    g = xp.asarray(g)
    if g.ndim == 0:
        g = xp.asarray(g, dtype=xp.result_type(x, y))
    return xp, g


def dot_grad_left(g, x, y, inner=False):
    """Cotangent of x for out = dot(x, y) (inner(x, y) when `inner`)."""
    xd, yd = len(getattr(x, "shape", ())), len(getattr(y, "shape", ()))
    if xd == 0 or yd == 0:
        return unbroadcast(g * y, x)
    if not inner and _matrices(g, x, y, xd, yd):  # what tensordot computes, without its setup
        return numpy.dot(g, y.T) if yd == 2 and xd == 2 else \
            numpy.dot(y, g) if xd == 1 else numpy.outer(g, y)
    xp, g = _prepare(g, x, y)
    k = contracted_axis(yd, inner)
    free_y = [a for a in range(yd) if a != k]
    return xp.tensordot(g, y, axes=(list(range(xd - 1, xd - 1 + len(free_y))), free_y))


def dot_grad_right(g, x, y, inner=False):
    """Cotangent of y for out = dot(x, y) (inner(x, y) when `inner`)."""
    xd, yd = len(getattr(x, "shape", ())), len(getattr(y, "shape", ()))
    if xd == 0 or yd == 0:
        return unbroadcast(g * x, y)
    if not inner and _matrices(g, x, y, xd, yd):
        return numpy.outer(x, g) if xd == 1 else numpy.dot(x.T, g)
    xp, g = _prepare(g, x, y)
    lead = list(range(xd - 1))
    return xp.moveaxis(xp.tensordot(x, g, axes=(lead, lead)), 0, contracted_axis(yd, inner))


def _matrices(g, x, y, xd: int, yd: int) -> bool:
    """numpy arrays of one or two axes, not both vectors, and g shaped as dot(x, y) is."""
    return xd <= 2 and yd <= 2 and xd + yd > 2 and type(g) is numpy.ndarray and \
        type(x) is numpy.ndarray and type(y) is numpy.ndarray and g.ndim == xd + yd - 2
