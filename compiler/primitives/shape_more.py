"""Shapes and indexing of issue 13: swapaxes, moveaxis, flip, rot90, roll, tile, repeat, pad,
atleast_nd, mT, sliding_window_view, column_stack, dstack, split, take, take_along_axis
(casts, full_like, linspace and the non-differentiable index makers: constructors.py).

Forward forms are written as numpy writes them (`xp.flip(x, axis=1)`); the linear
rearrangements are undone by their own kind (flip by flip, roll by the opposite roll)
and the others by a runtime helper of runtime/shape_more.py. The symbolic meanings
run numpy itself on object arrays, and the helpers' meanings call the runtime helpers
on object arrays, so that what is proven is the code that runs.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..backend.expressions import call, const, kwargs, list_of
from ..errors import UserCodeError
from ..ir.prims import Prim
from ..proof.values import arr, index_value, sym
from .registry import emitter, jvp, meaning, vjp
from .tangents import linear

# The statics each special form writes positionally, in numpy's order (the rest as keywords).
_POSITIONAL = {
    Prim.SWAPAXES: ("axis1", "axis2"), Prim.MOVEAXIS: ("source", "destination"),
    Prim.ROLL: ("shift",), Prim.TILE: ("reps",),
    Prim.PAD: ("pad_width",), Prim.SLIDING_WINDOW: ("window_shape",),
    Prim.SPLIT: ("indices_or_sections",),
}
_NAMES = {Prim.SLIDING_WINDOW: "xp.lib.stride_tricks.sliding_window_view"}
_NOT_KEYWORDS = {"ndim", "array_split", "dtype_name"}


def _numpy_call(stmt, atom):
    """xp.NAME(x, positional statics..., keyword statics...)."""
    prim = stmt.prim
    order = _POSITIONAL.get(prim, ())
    args = [atom(a) for a in stmt.args] + [const(stmt.params.get(p)) for p in order]
    rest = {k: v for k, v in kwargs(stmt.params).items()
            if k not in order and k not in _NOT_KEYWORDS}
    name = _NAMES.get(prim, f"xp.{prim.spec.name}")
    if stmt.params.get("array_split"):
        name = "xp.array_split"
    return call(name, args, rest), True


for _prim in (Prim.SWAPAXES, Prim.MOVEAXIS, Prim.FLIP, Prim.ROT90, Prim.ROLL, Prim.TILE, Prim.REPEAT,
              Prim.PAD, Prim.SLIDING_WINDOW, Prim.SPLIT, Prim.TAKE, Prim.TAKE_ALONG_AXIS,
              Prim.FULL_LIKE, Prim.NONZERO):
    emitter(_prim)(_numpy_call)


# ------------------------------------------------------- linear rearrangements
@vjp(Prim.SWAPAXES)
def _swapaxes(b, g, s):
    return (b.op(Prim.SWAPAXES, g, axis1=s.params.get("axis1"), axis2=s.params.get("axis2")),)


@vjp(Prim.MOVEAXIS)
def _moveaxis(b, g, s):
    return (b.op(Prim.MOVEAXIS, g, source=s.params.get("destination"),
                 destination=s.params.get("source")),)


@vjp(Prim.FLIP)
def _flip(b, g, s):
    return (b.op(Prim.FLIP, g, **kept(s, "axis")),)


@vjp(Prim.ROT90)
def _rot90(b, g, s):
    return (b.op(Prim.ROT90, g, k=-s.params.get("k", 1), **kept(s, "axes")),)


@vjp(Prim.ROLL)
def _roll(b, g, s):
    shift = s.params.get("shift", 0)
    back = -shift if isinstance(shift, int) else tuple(-n for n in shift)
    return (b.op(Prim.ROLL, g, shift=back, **kept(s, "axis")),)


@vjp(Prim.MATRIX_T)
def _matrix_t(b, g, s):
    return (b.op(Prim.MATRIX_T, g),)


@vjp(Prim.ATLEAST)
def _atleast(b, g, s):
    return (b.op(Prim.RESHAPE_LIKE, g, s.args[0]),)


@emitter(Prim.ATLEAST)
def _emit_atleast(stmt, atom):
    return call(f"xp.atleast_{stmt.params.get('ndim')}d", [atom(stmt.args[0])]), True


@meaning(Prim.SWAPAXES)
def _swapaxes_meaning(run, s, x):
    return np.swapaxes(arr(x), s.params.get("axis1"), s.params.get("axis2"))


@meaning(Prim.MOVEAXIS)
def _moveaxis_meaning(run, s, x):
    return np.moveaxis(arr(x), s.params.get("source"), s.params.get("destination"))


@meaning(Prim.FLIP)
def _flip_meaning(run, s, x):
    return np.flip(arr(x), s.params.get("axis"))


@meaning(Prim.ROT90)
def _rot90_meaning(run, s, x):
    return np.rot90(arr(x), s.params.get("k", 1), s.params.get("axes", (0, 1)))


@meaning(Prim.ROLL)
def _roll_meaning(run, s, x):
    return np.roll(arr(x), s.params.get("shift"), s.params.get("axis"))


@meaning(Prim.MATRIX_T)
def _matrix_t_meaning(run, s, x):
    return np.swapaxes(arr(x), -1, -2)


@meaning(Prim.ATLEAST)
def _atleast_meaning(run, s, x):
    return getattr(np, f"atleast_{s.params.get('ndim')}d")(arr(x))


# ------------------------------------------------ copies summed back: tile, repeat, pad
@vjp(Prim.TILE)
def _tile(b, g, s):
    return (b.op(Prim.TILE_GRAD, g, s.args[0], reps=s.params.get("reps")),)


@vjp(Prim.REPEAT)
def _repeat(b, g, s):
    return b.op(Prim.REPEAT_GRAD, g, s.args[0], s.args[1], **kept(s, "axis")), None


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


@vjp(Prim.PAD)
def _pad(b, g, s):
    _check_pad_mode(s)
    return (b.op(Prim.PAD_GRAD, g, s.args[0], **kept(s, "pad_width", "mode")),)


def _check_pad_mode(s) -> None:
    """Refuse the modes of np.pad agc does not differentiate (not linear in the array)."""
    if s.params.get("mode", "constant") not in _PAD_MODES:
        raise UserCodeError(f"the gradient of np.pad with mode={s.params.get('mode')!r} is not "
                            "supported by agc", s.loc,
                            f"use one of the modes {', '.join(_PAD_MODES)}")


@vjp(Prim.SLIDING_WINDOW)
def _sliding_window(b, g, s):
    axis = s.params.get("axis")
    if isinstance(axis, tuple) and len(set(axis)) != len(axis):
        raise UserCodeError("the gradient of sliding_window_view with a repeated axis is not "
                            "supported by agc", s.loc,
                            "take the windows of that axis in two steps")
    return (b.op(Prim.SLIDING_WINDOW_GRAD, g, s.args[0], **kept(s, "window_shape", "axis")),)


def kept(s, *names: str) -> dict:
    """The statement's params among `names` (those left at numpy's default are absent)."""
    return {k: s.params.get(k) for k in names if s.params.get(k) is not None}


@meaning(Prim.TILE)
def _tile_meaning(run, s, x):
    return np.tile(arr(x), s.params.get("reps"))


@meaning(Prim.REPEAT)
def _repeat_meaning(run, s, x, repeats):
    return np.repeat(arr(x), counts(run, repeats), s.params.get("axis"))


def counts(run, value):
    """An integer argument (repeats, indices) as numpy wants it, from a list, tuple or array."""
    if isinstance(value, (list, tuple)) or getattr(value, "dtype", None) == object:
        return np.array(_integers(run, value), dtype=int)
    return index_value(run, value)


def _integers(run, value):
    """Nested lists of Python ints from lists, tuples and object arrays of integers."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_integers(run, v) for v in value]
    return run.integer(value)


@meaning(Prim.PAD)
def _pad_meaning(run, s, x):
    mode = s.params.get("mode", "constant")
    extra = {"constant_values": sym(s.params.get("constant_values", 0))} \
        if mode == "constant" else {}
    return np.pad(arr(x), s.params.get("pad_width"), mode=mode, **extra)


@meaning(Prim.SLIDING_WINDOW)
def _sliding_window_meaning(run, s, x):
    view = np.lib.stride_tricks.sliding_window_view(arr(x), s.params.get("window_shape"),
                                                    s.params.get("axis"))
    return np.array(view)


def _runtime_meaning(helper):
    """A helper's meaning: the runtime helper itself, on object arrays of expressions."""

    def run_helper(run, s, g, *args):
        return helper(arr(g), *(arr(a) for a in args), **params_of(s))

    return run_helper


def params_of(s) -> dict:
    """A statement's params as numpy's keywords."""
    return {k: v for k, v in s.params.items if k not in ("lib",)}


meaning(Prim.TILE_GRAD)(_runtime_meaning(runtime.tile_grad))


@meaning(Prim.REPEAT_GRAD)
def _repeat_grad_meaning(run, s, g, x, repeats):
    return runtime.repeat_grad(arr(g), arr(x), counts(run, repeats), **params_of(s))
meaning(Prim.PAD_GRAD)(_runtime_meaning(runtime.pad_grad))
meaning(Prim.SLIDING_WINDOW_GRAD)(_runtime_meaning(runtime.sliding_window_grad))
meaning(Prim.STACKED_GRAD)(_runtime_meaning(runtime.stacked_grad))


# ------------------------------------------------------------- column_stack, dstack
@vjp(Prim.COLUMN_STACK, Prim.DSTACK)
def _stacked(b, g, s):
    how = s.prim.spec.name
    return tuple(b.op(Prim.STACKED_GRAD, g, *s.args, how=how, part=i)
                 for i in range(len(s.args)))


@emitter(Prim.COLUMN_STACK, Prim.DSTACK)
def _emit_stacked(stmt, atom):
    return call(f"xp.{stmt.prim.spec.name}", [list_of([atom(a) for a in stmt.args])]), True


@meaning(Prim.COLUMN_STACK, Prim.DSTACK)
def _stacked_meaning(run, s, *xs):
    return getattr(np, s.prim.spec.name)([arr(x) for x in xs])


# ------------------------------------------------------------- split, array_split
@vjp(Prim.SPLIT)
def _split(b, g, s):
    return (b.op(Prim.SPLIT_GRAD, g, s.args[0], **kept(s, "indices_or_sections", "axis")),)


@meaning(Prim.SPLIT)
def _split_meaning(run, s, x):
    split = np.array_split if s.params.get("array_split") else np.split
    return list(split(arr(x), s.params.get("indices_or_sections"), s.params.get("axis", 0)))


@meaning(Prim.SPLIT_GRAD)
def _split_grad_meaning(run, s, g, x):
    return runtime.split_grad(g, arr(x), **params_of(s))


# ------------------------------------------------------------- meshgrid
@vjp(Prim.MESHGRID)
def _meshgrid(b, g, s):
    return tuple(b.op(Prim.MESHGRID_GRAD, g, x, part=i, count=len(s.args),
                      **kept(s, "indexing")) for i, x in enumerate(s.args))


@emitter(Prim.MESHGRID)
def _emit_meshgrid(stmt, atom):
    return call("xp.meshgrid", [atom(a) for a in stmt.args], kwargs(stmt.params)), True


@meaning(Prim.MESHGRID)
def _meshgrid_meaning(run, s, *xs):
    return list(np.meshgrid(*(arr(x) for x in xs), **params_of(s)))


@meaning(Prim.MESHGRID_GRAD)
def _meshgrid_grad_meaning(run, s, g, x):
    return runtime.meshgrid_grad(g, arr(x), **params_of(s))


# ------------------------------------------------------------- take, take_along_axis
@vjp(Prim.TAKE, Prim.TAKE_ALONG_AXIS)
def _take(b, g, s):
    helper = Prim.TAKE_GRAD if s.prim is Prim.TAKE else Prim.TAKE_ALONG_AXIS_GRAD
    return b.op(helper, g, s.args[0], s.args[1], **kept(s, "axis")), None


@meaning(Prim.TAKE)
def _take_meaning(run, s, x, indices):
    return np.take(arr(x), counts(run, indices), s.params.get("axis"))


@meaning(Prim.TAKE_ALONG_AXIS)
def _take_along_meaning(run, s, x, indices):
    return np.take_along_axis(arr(x), counts(run, indices), s.params.get("axis", -1))


@meaning(Prim.TAKE_GRAD, Prim.TAKE_ALONG_AXIS_GRAD)
def _take_grad_meaning(run, s, g, x, indices):
    helper = runtime.take_grad if s.prim is Prim.TAKE_GRAD else runtime.take_along_axis_grad
    return helper(arr(g), arr(x), counts(run, indices), **params_of(s))


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.SWAPAXES, Prim.MOVEAXIS, Prim.FLIP, Prim.ROT90, Prim.ROLL, Prim.MATRIX_T, Prim.ATLEAST,
    Prim.TILE, Prim.REPEAT, Prim.SLIDING_WINDOW, Prim.COLUMN_STACK, Prim.DSTACK, Prim.SPLIT,
    Prim.MESHGRID, Prim.TAKE, Prim.TAKE_ALONG_AXIS)(linear)


@jvp(Prim.PAD)
def _pad_jvp(b, t, s):
    _check_pad_mode(s)
    return linear(b, t, s, s.params.with_(constant_values=None))  # the padding is flat
