"""Second derivatives: `hvp`, `hessian`, and `grad` of a gradient (forward-over-reverse).

The gradient of f, as reverse mode builds it, is differentiated again by
forward mode in one sweep (ad/second.py): the emitted `f_hvp(x, x_dot)`
returns f's gradient and the Hessian-vector product H x_dot together. A
Hessian is one such product per basis vector; no dense Hessian is formed for
an HVP.
"""

from __future__ import annotations

import os
import types

import numpy as np

from . import pipeline
from .ad.second import second_order
from .api import Differentiated, _parse, _scalar_key, as_differentiated
from .backend.module import emit_module
from .errors import AgcError, UsageError
from .live import load_module
from .runtime import array_module
from .staleness import constants_read, staleness_check


def compile_hvp(fn, wrt: tuple[str, ...], key: tuple = ()) -> types.SimpleNamespace:
    """Compile `fn`'s gradient with respect to `wrt` and its tangent (H v), and load it."""
    parsed, target, names, path = _parse(fn, wrt, key)
    adjoint, primal = pipeline.differentiate_function(parsed, target)
    tangent = second_order(adjoint, target.scalars, dict(target.ranks))
    source = emit_module([], parsed, os.path.basename(path), hvps=[tangent])
    namespace = load_module(source, f"agc-generated/{fn.__qualname__}_hvp.py", fn.__globals__)
    compiled = pipeline.Compiled(source, {fn.__name__: adjoint}, {fn.__name__: primal}, [])
    return types.SimpleNamespace(hvp=namespace[f"{fn.__name__}_hvp"], source=source,
                                 tangent=tangent,
                                 stale=staleness_check(constants_read(fn, names, compiled)))


def grad_and_hvp(f: Differentiated, args: tuple, tangents: tuple):
    """(gradient, H v) of a decorated function at `args` (already bound), one tangent per
    argument, None for those held fixed: the others are differentiated, along them."""
    names = list(f._signature.parameters)
    wrt = tuple(n for n, t in zip(names, tangents) if t is not None)
    if not wrt:
        raise UsageError(f"{f.fn.__name__}.hvp(): give a tangent for at least one argument")
    key = ("hvp", wrt) + _scalar_key(args)
    compiled = f._compiled.get(key)
    if compiled is None or compiled.stale():
        try:
            compiled = compile_hvp(f.fn, wrt, _scalar_key(args))
        except AgcError as err:
            raise err.with_traceback(None) from None
        f._compiled[key] = compiled
    dots = compiled.tangent.dot_params()  # keywords: after a default they are keyword-only
    return compiled.hvp(*args, **dict(zip(dots, (t for t in tangents if t is not None))))


def _hvp_able(fn, wrt) -> Differentiated:
    f = as_differentiated(fn, wrt)
    if not isinstance(f, Differentiated):
        raise UsageError("second derivatives (agc.hvp, agc.hessian) do not support bound "
                         "methods yet: pass the function and the instance, Model.loss and "
                         "(model, x, ...)")
    return f


def _wrt_positions(f: Differentiated) -> list[int]:
    names = list(f._signature.parameters)
    return [names.index(w) for w in (f.wrt or names[:1])]


def hvp(fn, wrt=None):
    """A function `h(*args, v)`: the Hessian of the scalar `fn` at `args` times `v`.

    `v` has the shape of the wrt argument (a tuple, one per name, for several);
    the result too. One sweep: the gradient and its derivative along `v`
    (forward-over-reverse), no dense Hessian.
    """
    f = _hvp_able(fn, wrt)

    def h(*args_and_v):
        *args, v = args_and_v
        args = f._bind(tuple(args), {})
        positions = _wrt_positions(f)
        vs = (v,) if len(positions) == 1 else tuple(v)
        if len(vs) != len(positions):
            raise UsageError(f"hvp of {f.fn.__name__}: {len(positions)} wrt arguments but "
                             f"{len(vs)} directions")
        tangents = [None] * len(args)
        for position, direction in zip(positions, vs):
            tangents[position] = direction
        return grad_and_hvp(f, args, tuple(tangents))[1]

    return h


def hessian(fn, wrt=None):
    """A function returning the Hessian of the scalar `fn`: shape x.shape + x.shape.

    One Hessian-vector product per element of x (the wrt argument; one only).
    """
    f = _hvp_able(fn, wrt)
    positions = _wrt_positions(f)
    if len(positions) != 1:
        raise UsageError("agc.hessian takes one wrt argument; for mixed second derivatives "
                         "use agc.hvp with a tuple of directions")

    def hess(*args):
        args = f._bind(args, {})
        x = args[positions[0]]
        xp = array_module(*args)
        rows = []
        for index in np.ndindex(np.shape(x)):
            direction = _one_hot(xp, x, index)
            tangents = tuple(direction if i == positions[0] else None for i in range(len(args)))
            rows.append(xp.asarray(grad_and_hvp(f, args, tangents)[1]))
        if not rows:
            return xp.zeros(np.shape(x) * 2)
        return xp.stack(rows).reshape(np.shape(x) * 2)

    return hess


def _one_hot(xp, x, index):
    """A direction shaped like x (1.0 for a number), of x's float dtype."""
    dtype = getattr(x, "dtype", None)
    dtype = dtype if dtype is not None and dtype.kind == "f" else np.float64
    if not np.shape(x):
        return 1.0 if not hasattr(x, "dtype") else xp.ones((), dtype=dtype)
    direction = xp.zeros(np.shape(x), dtype=dtype)
    direction[index] = 1.0
    return direction


def gradient_of(fn) -> Differentiated | None:
    """The decorated function whose `.grad` `fn` is (what agc.grad returns), else None."""
    if isinstance(fn, types.MethodType) and isinstance(fn.__self__, Differentiated) and \
            fn.__func__ is Differentiated.grad:
        return fn.__self__
    return None


def grad_of_grad(inner: Differentiated, wrt=None):
    """agc.grad(agc.grad(f)) for f of one number: its second derivative, by one HVP."""
    if wrt is not None and as_differentiated(inner.fn, wrt).wrt != (inner.wrt or
                                                                  _first(inner)):
        raise UsageError("agc.grad(agc.grad(f), wrt=...) differentiates again with respect "
                         "to the same argument only; for mixed second derivatives use "
                         "agc.hvp(f, wrt=(...))")
    position = _wrt_positions(inner)
    if len(position) != 1:
        raise UsageError("agc.grad(agc.grad(f)) needs f of one wrt argument: use agc.hessian "
                         "or agc.hvp")

    def second(*args, **kwargs):
        args = inner._bind(args, kwargs)
        x = args[position[0]]
        if np.ndim(x) != 0:
            raise UsageError(f"agc.grad(agc.grad({inner.fn.__name__})): the gradient of an "
                             f"array argument is an array, which has no gradient; use "
                             f"agc.hessian({inner.fn.__name__}) or agc.hvp")
        tangents = tuple(_one_hot(np, x, ()) if i == position[0] else None
                         for i in range(len(args)))
        return grad_and_hvp(inner, args, tangents)[1]

    return second


def _first(f: Differentiated) -> tuple[str, ...]:
    return tuple(list(f._signature.parameters)[:1])
