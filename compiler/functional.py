"""Functional forms built on the emitted derivative code: vjp, jvp, jacobians, second
derivatives (hvp, hessian, grad of grad), check_grad."""

from __future__ import annotations

import inspect
import types

import numpy as np

from . import api, wrt_paths
from .api import Differentiated, as_differentiated
from .errors import UsageError
from .runtime import array_module


def vjp(fn, *args, wrt=None):
    """(value, pullback): `pullback(v)` is v^T J, PyTorch's backward(gradient=v).

    The pullback runs the emitted adjoint with `v` as the output's adjoint;
    it recomputes the forward sweep, which keeps no state between calls.
    """
    f = as_differentiated(fn, wrt)
    value = f.fn(*args)

    def pullback(seed):
        """Cotangents of the wrt arguments for the output adjoint `seed`."""
        return f.value_and_grad(*args, seed=seed)[1]

    return value, pullback


def jvp(fn, primals, tangents):
    """(fn(*primals), its Jacobian times `tangents`), by forward mode — jax.jvp.

    `primals` and `tangents` are tuples, one tangent per primal (the same
    structure: an array, a number, a dict or list of arrays), None for a
    primal held fixed. The JVP function is compiled once per kind of
    arguments and cached on the function.
    """
    f = _forward_able(as_differentiated(fn))
    return f.jvp(*primals, tangents=tuple(tangents))


def _forward_able(f):
    """`f` if forward mode can compile it: a function, not yet a bound method."""
    if not isinstance(f, Differentiated):
        raise UsageError("forward mode (agc.jvp, agc.jacfwd) does not support bound methods "
                         "yet: pass the function and the instance, Model.loss and (model, x, ...)"
                         ", or use reverse mode (agc.grad, agc.jacrev)")
    return f


def jacfwd(fn, wrt=None):
    """A function returning the Jacobian d fn(args) / d wrt by forward mode.

    One JVP per element of the wrt arguments (cheaper than `jacrev` when the
    inputs are fewer than the outputs); shape out.shape + arg.shape, a tuple
    for several wrt names.
    """
    f = _forward_able(as_differentiated(fn, wrt))

    def jac(*args):
        names = list(_param_names(f.fn))
        positions = [names.index(w) for w in _wrt_names(f)]
        xp = array_module(*args)
        jacobians = []
        for position in positions:
            x = args[position]
            columns, out_shape = [], ()
            for index in np.ndindex(np.shape(x)):
                direction = _one_hot(xp, x, index)
                tangents = tuple(direction if i == position else None for i in range(len(args)))
                value, column = f.jvp(*args, tangents=tangents)
                out_shape = np.shape(value)
                columns.append(xp.asarray(column))
            stacked = xp.stack(columns, axis=-1) if columns else xp.zeros(out_shape + (0,))
            jacobians.append(stacked.reshape(out_shape + np.shape(x)))
        return jacobians[0] if len(jacobians) == 1 else tuple(jacobians)

    return jac


def _one_hot(xp, x, index):
    """A tangent of x's shape and float dtype: 1 at `index`, 0 elsewhere (1.0 for a number)."""
    if not np.shape(x):
        return 1.0 if not hasattr(x, "dtype") else xp.ones((), dtype=_float_dtype(x))
    direction = xp.zeros(np.shape(x), dtype=_float_dtype(x))
    direction[index] = 1.0
    return direction


def _float_dtype(x):
    dtype = getattr(x, "dtype", None)
    return dtype if dtype is not None and dtype.kind == "f" else np.float64


def jacrev(fn, wrt=None):
    """A function returning the Jacobian d fn(args) / d wrt: shape out.shape + arg.shape.

    Built from one vjp per output element (reverse mode, row by row).
    For several wrt names it returns a tuple, one Jacobian per name.
    """
    f = as_differentiated(fn, wrt)

    def jac(*args):
        xp = array_module(*args)  # numpy or cupy: the Jacobian stays on the arguments' device
        out = xp.asarray(f.fn(*args))
        dtype = out.dtype if out.dtype.kind == "f" else xp.float64
        rows = []
        for index in np.ndindex(out.shape or ()):
            seed = xp.zeros(out.shape, dtype=dtype)
            seed[index] = 1.0
            rows.append(f.value_and_grad(*args, seed=seed if out.shape else 1.0)[1])
        single = not isinstance(rows[0], tuple)
        parts = [[r] for r in rows] if single else [list(r) for r in rows]
        jacobians = tuple(xp.stack([xp.asarray(p[k]) for p in parts]).reshape(
            out.shape + tuple(getattr(parts[0][k], "shape", ()))) for k in range(len(parts[0])))
        return jacobians[0] if single else jacobians

    return jac


def jacobian(fn, wrt=None):
    """A function returning the Jacobian d fn(args) / d wrt: shape out.shape + arg.shape.

    Forward mode (`jacfwd`, one JVP per input element) when the wrt arguments
    have fewer elements than the output, else reverse mode (`jacrev`, one VJP
    per output element). For several wrt names it returns a tuple. The Jacobian of
    a gradient, `jacobian(agc.grad(f))`, is f's Hessian (agc.hessian).
    """
    inner = gradient_of(fn)
    if inner is not None and wrt is None:
        return hessian(inner)
    f = as_differentiated(fn, wrt)
    forward = jacfwd(f) if isinstance(f, Differentiated) else None
    reverse = jacrev(f)

    def jac(*args):
        if forward is None:  # a bound method: reverse mode only, for now
            return reverse(*args)
        names = list(_param_names(f.fn))
        inputs = sum(int(np.size(args[names.index(w)])) for w in _wrt_names(f))
        outputs = int(np.size(f.fn(*args)))
        return forward(*args) if inputs < outputs else reverse(*args)

    return jac


def grad(fn, wrt=None, has_aux=False):
    """A function computing the gradient of `fn` (api.grad); `grad(grad(f))` for f of one
    number is f's second derivative, by one Hessian-vector product."""
    inner = gradient_of(fn)
    if inner is not None and not has_aux:
        return grad_of_grad(inner, wrt)
    return api.grad(fn, wrt, has_aux)


def _hvp_able(fn, wrt) -> Differentiated:
    f = as_differentiated(fn, wrt)
    if not isinstance(f, Differentiated):
        raise UsageError("second derivatives (agc.hvp, agc.hessian) do not support bound "
                         "methods yet: pass the function and the instance, Model.loss and "
                         "(model, x, ...)")
    return f


def _wrt_names(f) -> list[str]:
    """f's wrt parameters, whole: paths into trees ("params/fc") are for gradients only."""
    if wrt_paths.has_paths(f.wrt):
        raise UsageError(f"wrt={f.wrt!r}: paths into trees work with grad, value_and_grad and "
                         "vjp; here name whole parameters")
    return list(f.wrt or list(_param_names(f.fn))[:1])


def _wrt_positions(f: Differentiated) -> list[int]:
    names = list(_param_names(f.fn))
    return [names.index(w) for w in _wrt_names(f)]


def hvp(fn, wrt=None):
    """A function `h(*args, v)`: the Hessian of the scalar `fn` at `args` times `v`.

    `v` has the shape of the wrt argument (a tuple, one per name, for several);
    so has the result. One sweep computes the gradient and its derivative along
    `v` (forward mode over the adjoint): no dense Hessian is formed.
    """
    f = _hvp_able(fn, wrt)

    def h(*args_and_v):
        *args, v = args_and_v
        positions = _wrt_positions(f)
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

    One Hessian-vector product per element of x (the one wrt argument).
    """
    f = _hvp_able(fn, wrt)
    positions = _wrt_positions(f)
    if len(positions) != 1:
        raise UsageError("agc.hessian takes one wrt argument; for mixed second derivatives "
                         "use agc.hvp with a tuple of directions")

    def hess(*args):
        x = args[positions[0]]
        xp = array_module(*args)
        rows = []
        for index in np.ndindex(np.shape(x)):
            tangents = [None] * len(args)
            tangents[positions[0]] = _one_hot(xp, x, index)
            rows.append(xp.asarray(f.hvp(*args, tangents=tangents)[1]))
        if not rows:
            return xp.zeros(np.shape(x) * 2)
        return xp.stack(rows).reshape(np.shape(x) * 2)

    return hess


def gradient_of(fn) -> Differentiated | None:
    """The decorated function whose `.grad` `fn` is (what agc.grad returns), else None."""
    if isinstance(fn, types.MethodType) and isinstance(fn.__self__, Differentiated) and \
            fn.__func__ is Differentiated.grad:
        return fn.__self__
    return None


def grad_of_grad(inner: Differentiated, wrt=None):
    """agc.grad(agc.grad(f)) for f of one number: its second derivative, by one HVP."""
    position = _wrt_positions(inner)
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
        tangents[position[0]] = _one_hot(np, x, ())
        return inner.hvp(*args, tangents=tangents)[1]

    return second


def check_grad(fn, *args, wrt=None, eps=1e-6, rtol=1e-5, atol=1e-7):
    """Compare agc's gradient with central finite differences; returns the largest error.

    Raises AssertionError naming the parameter and index where they disagree.
    """
    f = as_differentiated(fn, wrt)
    value = f.fn(*args)
    seed = None if np.ndim(value) == 0 else np.ones_like(value, dtype=float)  # checks sum(f)
    grads = f.value_and_grad(*args, seed=seed)[1]
    names = _wrt_names(f)
    grads = grads if len(names) > 1 else (grads,)
    worst = 0.0
    for name, grad in zip(names, grads):
        position = list(_param_names(f.fn)).index(name)
        numeric = _central_differences(f.fn, args, position, eps)
        error = np.abs(np.asarray(grad, dtype=float) - numeric)
        bound = atol + rtol * np.abs(numeric)
        if np.any(error > bound):
            at = np.unravel_index(np.argmax(error - bound), np.shape(numeric)) if np.ndim(numeric) else ()
            raise AssertionError(f"gradient of {name} disagrees with finite differences at "
                                 f"{at}: agc {np.asarray(grad)[at]!r}, numeric {numeric[at]!r}")
        worst = max(worst, float(np.max(error, initial=0.0)))
    return worst


def _param_names(fn):
    return inspect.signature(fn).parameters


def _central_differences(fn, args, position, eps):
    x = args[position]
    base = np.array(x, dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        values = []
        for step in (eps, -eps):
            moved = base.copy()
            moved[index] += step
            new_args = list(args)
            new_args[position] = moved if np.ndim(x) else float(moved)
            values.append(float(np.sum(fn(*new_args))))
        grad[index] = (values[0] - values[1]) / (2 * eps)
    return grad
