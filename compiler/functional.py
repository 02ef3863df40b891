"""Functional forms built on the emitted derivative code: vjp, jvp, jacobians, second
derivatives (hvp, hessian, grad of grad), check_grad."""

from __future__ import annotations

import inspect
import types

import numpy as np

from . import api
from .api import Differentiated, as_differentiated
from .errors import AgcError, UsageError
from .jacobians import (
    _float_dtype,
    forward_able,
    jacfwd,
    jacrev,
    one_hot,
    output_shape,
    per_seed,
    require_arrays,
    without_aux,
    wrt_names,
    wrt_positions,
)
from .replay import Replay
from .runtime import array_module
from .runtime.batched import Batched

__all__ = ["check_grad", "grad", "hessian", "hvp", "jacfwd", "jacobian", "jacrev", "jvp", "vjp"]


def vjp(fn, *args, wrt=None):
    """(value, pullback): `pullback(v)` is v^T J, PyTorch's backward(gradient=v).

    The pullback runs the emitted adjoint with `v` as the output's adjoint;
    it recomputes the forward sweep, which keeps no state between calls. Each
    evaluation runs on copies of the arguments (compiler/replay.py): a model
    that writes an argument in place is pulled back at the caller's values, and
    one that draws from generator arguments sees the draws `value` saw.
    """
    f = as_differentiated(fn, wrt)
    replay = Replay(args)
    value = f.fn(*replay.fresh())
    replay.finish()

    def pullback(seed):
        """Cotangents of the wrt arguments for the output adjoint `seed`."""
        return f.value_and_grad(*replay.fresh(), seed=seed)[1]

    return value, pullback


def jvp(fn, primals, tangents):
    """(fn(*primals), its Jacobian times `tangents`), by forward mode — jax.jvp.

    `primals` and `tangents` are tuples, one tangent per primal (the same
    structure: an array, a number, a dict or list of arrays), None for a
    primal held fixed. The JVP function is compiled once per kind of
    arguments and cached on the function.
    """
    f = forward_able(as_differentiated(fn))
    return f.jvp(*primals, tangents=tuple(tangents))


def jacobian(fn, wrt=None):
    """A function returning the Jacobian d fn(args) / d wrt: shape out.shape + arg.shape.

    Forward mode (`jacfwd`, one JVP per input element) when the wrt arguments
    have fewer elements than the output, else reverse mode (`jacrev`: one forward
    sweep, one backward sweep per output element). The output's size is measured
    by running the function on the first call for each set of argument shapes
    only. For several wrt names it returns a tuple. The Jacobian of a gradient,
    `jacobian(agc.grad(f))`, is f's Hessian (agc.hessian).
    """
    inner = gradient_of(fn)
    if inner is not None and wrt is None:
        return hessian(inner)
    f = as_differentiated(fn, wrt)
    forward = jacfwd(f) if isinstance(f, Differentiated) else None
    reverse = jacrev(f)
    output_sizes: dict[tuple, int] = {}  # argument shapes -> the output's size

    def jac(*args):
        if forward is None:  # a bound method: reverse mode only, for now
            return reverse(*args)
        inputs = sum(int(np.size(args[p])) for p in wrt_positions(f))
        shapes = tuple(getattr(a, "shape", type(a)) for a in args)
        if shapes not in output_sizes:
            # on copies of any generators: measuring the size draws nothing for the caller
            out = f.fn(*Replay(args).fresh())
            output_sizes[shapes] = int(np.prod(output_shape(out, "agc.jacobian")))
        return forward(*args) if inputs < output_sizes[shapes] else reverse(*args)

    return jac


def grad(fn, wrt=None, has_aux=False, target="numpy"):
    """A function computing the gradient of `fn` (api.grad); `grad(grad(f))` for f of one
    number is f's second derivative, by one Hessian-vector product. `target` is "numpy",
    "numba" or "auto" (see `differentiate`)."""
    inner = gradient_of(fn)
    if inner is not None and not has_aux:
        if target != "numpy":
            raise UsageError("a second derivative (grad of grad) runs on the numpy target only")
        return grad_of_grad(inner, wrt)
    return api.grad(fn, wrt, has_aux, target)


def _hvp_able(fn, wrt) -> Differentiated:
    f = without_aux(as_differentiated(fn, wrt), "agc.hvp / agc.hessian")
    if not isinstance(f, Differentiated):
        raise UsageError("second derivatives (agc.hvp, agc.hessian) do not support bound "
                         "methods yet: pass the function and the instance, Model.loss and "
                         "(model, x, ...)")
    return f


def hvp(fn, wrt=None):
    """A function `h(*args, v)`: the Hessian of the scalar `fn` at `args` times `v`.

    `v` has the shape of the wrt argument (a tuple, one per name, for several);
    so has the result. One sweep computes the gradient and its derivative along
    `v` (forward mode over the adjoint): no dense Hessian is formed.
    """
    f = _hvp_able(fn, wrt)

    def h(*args_and_v):
        *args, v = args_and_v
        positions = wrt_positions(f)
        vs = (v,) if len(positions) == 1 else tuple(v)
        if len(vs) != len(positions):
            raise UsageError(f"hvp of {f.fn.__name__}: {len(positions)} wrt arguments but "
                             f"{len(vs)} directions")
        tangents = [None] * len(args)
        for position, direction in zip(positions, vs):
            tangents[position] = direction
        return f.hvp(*args, tangents=tangents)[1]

    return h


def hessian(fn, wrt=None):
    """A function returning the Hessian of the scalar `fn`: shape x.shape + x.shape.

    One Hessian-vector product along all the elements of x (the one wrt argument) at
    once, a `Batched` direction; one per element where the HVP cannot run on a batch.
    """
    f = _hvp_able(fn, wrt)
    positions = wrt_positions(f)
    if len(positions) != 1:
        raise UsageError("agc.hessian takes one wrt argument; for mixed second derivatives "
                         "use agc.hvp with a tuple of directions")
    named = dict(zip(wrt_names(f), positions))

    def hess(*args):
        require_arrays(args, named, "agc.hessian")
        x = args[positions[0]]
        xp = array_module(*args)
        replay = Replay(args)  # every evaluation: copies of the arguments, the same draws
        batch = _hessian_in_one_hvp(f, replay.fresh(), positions[0]) if xp is np else None
        if batch is not None:
            replay.finish()
            return batch
        rows = []
        for index in np.ndindex(np.shape(x)):
            tangents = [None] * len(args)
            tangents[positions[0]] = one_hot(xp, x, index)
            rows.append(xp.asarray(f.hvp(*replay.fresh(), tangents=tangents)[1]))
        replay.finish()
        if not rows:  # an empty x: the gradient's dtype, x's own (float64 for integers)
            return xp.zeros(np.shape(x) * 2, x.dtype if x.dtype.kind == "f" else np.float64)
        return xp.stack(rows).reshape(np.shape(x) * 2)

    return hess


def _hessian_in_one_hvp(f: Differentiated, args: tuple, position: int):
    """The Hessian from one HVP whose direction is the batch of every one-hot direction;
    None where the HVP cannot run on a batch or gives something other than a batch."""
    x = args[position]
    shape = np.shape(x)
    size = int(np.prod(shape))
    if size < 2 or not hasattr(x, "dtype"):
        return None
    tangents = [None] * len(args)
    tangents[position] = Batched(np.eye(size, dtype=_float_dtype(x)).reshape((size,) + shape))
    try:
        rows = f.hvp(*args, tangents=tangents)[1]
    except AgcError:
        raise
    except Exception:  # noqa: BLE001 (any failure on the batch: one HVP per element)
        return None
    rows = per_seed(rows, size, shape)
    return None if rows is None else rows.reshape(shape * 2)


def gradient_of(fn) -> Differentiated | None:
    """The decorated function whose `.grad` `fn` is (what agc.grad returns), else None."""
    if isinstance(fn, types.MethodType) and isinstance(fn.__self__, Differentiated) and \
            fn.__func__ is Differentiated.grad:
        return fn.__self__
    owner = getattr(fn, "differentiated", None)  # the numba target's (fast_calls.numba_methods)
    if isinstance(owner, Differentiated) and fn is owner.grad:
        return owner
    return None


def grad_of_grad(inner: Differentiated, wrt=None):
    """agc.grad(agc.grad(f)) for f of one number: its second derivative, by one HVP."""
    position = wrt_positions(inner)
    names = list(_param_names(inner.fn))
    if (wrt is not None and as_differentiated(inner.fn, wrt).wrt != tuple(
            names[i] for i in position)) or len(position) != 1:
        raise UsageError("agc.grad(agc.grad(f)) differentiates f twice with respect to one "
                         "argument; for mixed second derivatives use agc.hvp(f, wrt=(...)) "
                         "or agc.hessian")

    def second(*args):
        x = args[position[0]]
        if np.ndim(x) != 0:
            raise UsageError(f"agc.grad(agc.grad({inner.fn.__name__})): the gradient with "
                             f"respect to an array is an array, which has no gradient; use "
                             f"agc.hessian({inner.fn.__name__}) or agc.hvp")
        tangents = [None] * len(args)
        tangents[position[0]] = one_hot(np, x, ())
        return inner.hvp(*args, tangents=tangents)[1]

    return second


def check_grad(fn, *args, wrt=None, eps=1e-6, rtol=1e-5, atol=1e-7):
    """Compare agc's gradient with central finite differences; returns the largest error.

    Raises AssertionError naming the parameter and index where they disagree.
    """
    f = without_aux(as_differentiated(fn, wrt), "agc.check_grad")
    names = wrt_names(f)
    require_arrays(args, {n: list(_param_names(f.fn)).index(n) for n in names}, "agc.check_grad")
    replay = Replay(args)  # every evaluation: copies of the arguments, the same draws
    value = f.fn(*replay.fresh())
    seed = None if np.ndim(value) == 0 else np.ones_like(value, dtype=float)  # checks sum(f)
    grads = f.value_and_grad(*replay.fresh(), seed=seed)[1]
    names = wrt_names(f)
    grads = grads if len(names) > 1 else (grads,)
    worst = 0.0
    for name, grad in zip(names, grads):
        position = list(_param_names(f.fn)).index(name)
        numeric = _central_differences(f.fn, replay, position, eps)
        error = np.abs(np.asarray(grad, dtype=float) - numeric)
        bound = atol + rtol * np.abs(numeric)
        if np.any(error > bound):
            at = np.unravel_index(np.argmax(error - bound), np.shape(numeric)) if np.ndim(numeric) else ()
            raise AssertionError(f"gradient of {name} disagrees with finite differences at "
                                 f"{at}: agc {np.asarray(grad)[at]!r}, numeric {numeric[at]!r}")
        worst = max(worst, float(np.max(error, initial=0.0)))
    replay.finish()
    return worst


def _param_names(fn):
    return inspect.signature(fn).parameters


def _central_differences(fn, replay: Replay, position, eps):
    x = replay.args[position]
    base = np.array(x, dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        values = []
        for step in (eps, -eps):
            moved = base.copy()
            moved[index] += step
            new_args = list(replay.fresh())
            new_args[position] = moved if np.ndim(x) else float(moved)
            values.append(float(np.sum(fn(*new_args))))
        grad[index] = (values[0] - values[1]) / (2 * eps)
    return grad
