"""Jacobians: `jacrev` from one forward sweep and a backward sweep per output element
(emitted `f_vjp_rows`, backend/jacobian.py), `jacfwd` from one JVP per input element."""

from __future__ import annotations

import numpy as np

from . import wrt_paths
from .api import Differentiated, _scalar_key, as_differentiated
from .errors import AgcError, UsageError
from .live import load_into
from .replay import Replay
from .runtime import array_module
from .runtime.arrays import check_wrt, checking_arguments
from .runtime.batched import Batched
from .runtime.model_lines import add_model_line


def forward_able(f):
    """`f` if forward mode can compile it: a function, not yet a bound method."""
    if not isinstance(f, Differentiated):
        raise UsageError("forward mode (agc.jvp, agc.jacfwd) does not support bound methods "
                         "yet: pass the function and the instance, Model.loss and (model, x, ...)"
                         ", or use reverse mode (agc.grad, agc.jacrev)")
    return f


def without_aux(f, what: str):
    """`f` unless it was made with has_aux=True: the Jacobians, Hessians and check_grad
    differentiate every output, so they would treat the auxiliary values as outputs."""
    if getattr(f, "has_aux", False):
        raise UsageError(f"{what} of a function made with has_aux=True is not supported: it "
                         "would differentiate the auxiliary values too. Pass a function "
                         "returning the loss alone (or use f.grad / f.value_and_grad, which "
                         "return the aux)")
    return f


def wrt_names(f: Differentiated) -> list[str]:
    """f's wrt parameters, whole: paths into trees ("params/fc") are for gradients only."""
    if wrt_paths.has_paths(f.wrt):
        raise UsageError(f"wrt={f.wrt!r}: paths into trees work with grad, value_and_grad and "
                         "vjp; here name whole parameters")
    return list(f.wrt or f._names[:1])  # f._names: its parameters, read once


def wrt_positions(f: Differentiated) -> list[int]:
    """Positions of the differentiated parameters among f's parameters."""
    return [f._names.index(w) for w in wrt_names(f)]


def output_shape(value, what: str) -> tuple:
    """The shape of the array numpy makes of fn's output (a tuple of arrays of one shape
    stacks), or a UsageError where it makes none: a tuple of a number and an array."""
    try:
        return np.shape(value)
    except ValueError:  # numpy's inhomogeneous shape: no one array, so no one Jacobian
        raise UsageError(
            f"{what} needs an output numpy can make one array of, and fn returns a "
            f"{type(value).__name__} of items of different shapes: return one array "
            "(np.concatenate of the raveled items), or take each item's Jacobian from a "
            "function returning that item alone") from None


def require_arrays(args: tuple, wrt: dict[str, int], what: str) -> None:
    """UsageError unless each differentiated argument ({name: position}) is an array or a
    number: these take one-hot directions and finite-difference steps element by element."""
    for name, position in wrt.items():
        x = args[position] if position < len(args) else 0.0
        if not (hasattr(x, "shape") or isinstance(x, (int, float, np.number))):
            raise UsageError(f"{what} differentiates arrays and numbers, and {name} is a "
                             f"{type(x).__name__}: pass np.asarray({name}), or use agc.grad "
                             "or agc.vjp, which take lists, tuples and dicts")


def jacfwd(fn, wrt=None):
    """A function returning the Jacobian d fn(args) / d wrt by forward mode.

    One JVP along all the input elements at once (a `Batched` tangent: cheaper
    than `jacrev` when the inputs are fewer than the outputs); where the JVP
    uses an operation a batch does not define, one JVP per element. Shape
    out.shape + arg.shape, a tuple for several wrt names.
    """
    f = without_aux(forward_able(as_differentiated(fn, wrt)), "agc.jacfwd")
    wrt: dict[str, int] = {}  # {name: position}, found at the first call (a wrong wrt is
    # reported there)

    def jac(*args):
        xp = array_module(*args)
        jacobians = []
        replay = Replay(args)  # every evaluation: copies of the arguments, the same draws
        wrt.update(wrt or zip(wrt_names(f), wrt_positions(f)))
        require_arrays(args, wrt, "agc.jacfwd")
        for name, position in wrt.items():  # an int has no derivative: refused as jacrev does
            check_wrt((name,), args[position])
        for position in wrt.values():
            batch = _jacobian_in_one_jvp(f, replay.fresh(), position) if xp is np else None
            jacobians.append(batch if batch is not None
                             else _jacobian_by_columns(f, xp, replay, position))
        replay.finish()
        return jacobians[0] if len(jacobians) == 1 else tuple(jacobians)

    return jac


def _jacobian_in_one_jvp(f: Differentiated, args: tuple, position: int):
    """d f / d args[position] from one JVP whose tangent is the batch of all one-hot
    directions; None where the JVP cannot run on a batch (an operation `Batched` does not
    define) or gives something other than a batch."""
    x = args[position]
    shape = np.shape(x)
    size = int(np.prod(shape))
    if size < 2 or not hasattr(x, "dtype"):
        return None
    directions = Batched(np.eye(size, dtype=_float_dtype(x)).reshape((size,) + shape))
    tangents = tuple(directions if i == position else None for i in range(len(args)))
    try:
        value, column = f.jvp(*args, tangents=tangents)
    except AgcError:
        raise
    except Exception:  # noqa: BLE001 (any failure on the batch: sweep one seed at a time)
        return None
    out_shape = output_shape(value, "agc.jacfwd")
    columns = per_seed(column, size, out_shape)
    return None if columns is None else np.moveaxis(columns, 0, -1).reshape(out_shape + shape)


def per_seed(result, size: int, shape: tuple):
    """The (size,) + shape array of a derivative swept over a batch of `size` seeds, or None.

    A `Batched` result of that shape gives its array. A plain one never met a seed, so it
    is the same for every seed; the sweep is linear in its seed, so it must be zero: then
    zeros (anything else is not trusted: None, and the caller sweeps seed by seed)."""
    if isinstance(result, Batched):
        return result.data if result.shape == shape and len(result.data) == size else None
    if type(result) is np.ndarray and result.shape == shape and not result.any():
        return np.zeros((size,) + shape, dtype=result.dtype)
    return None


def _jacobian_by_columns(f: Differentiated, xp, replay: Replay, position: int):
    """d f / d args[position] from one JVP per element of args[position], each run on
    fresh copies of the arguments (their arrays, lists and generators: compiler/replay.py)."""
    args = replay.fresh()
    x = args[position]
    columns, out_shape, along = [], (), None
    for index in np.ndindex(np.shape(x)):
        direction = one_hot(xp, x, index)
        run = replay.fresh()
        if along is None:  # the first column compiles (or finds) the JVP
            tangents = tuple(direction if i == position else None for i in range(len(args)))
            value, column = f.jvp(*run, tangents=tangents)
            along = _compiled_jvp(f, args, position)
        else:
            value, column = along(direction, run)
        out_shape = output_shape(value, "agc.jacfwd")
        columns.append(xp.asarray(column))
    if not columns:  # x has no element: the output's shape and dtype from one run of f
        value = xp.asarray(f(*replay.fresh()))
        return xp.zeros(output_shape(value, "agc.jacfwd") + np.shape(x), _float_dtype(value))
    return xp.stack(columns, axis=-1).reshape(out_shape + np.shape(x))


def _compiled_jvp(f: Differentiated, args: tuple, position: int):
    """The JVP that `f.jvp` just ran moving the argument at `position`, as a function of
    the direction: the other columns of a Jacobian skip f.jvp's lookups."""
    bound = f._bind(args, {})
    moving = tuple(i == position for i in range(len(bound)))
    compiled = f._compiled[("jvp", moving) + _scalar_key(bound)]
    dot = compiled.dots[0]

    def along(direction, run: tuple):
        """The column along `direction`, of f at `run` (a fresh copy of the arguments)."""
        try:
            return compiled.jvp(*f._bind(run, {}), **{dot: direction})
        except Exception as error:  # numpy's, raised in emitted code: name the model line
            add_model_line(error)
            raise

    return along


def one_hot(xp, x, index):
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

    Reverse mode: one forward sweep with its tape kept, then one backward sweep
    per output element (the emitted `f_vjp_rows`). Where the backward sweep writes
    into the model's values in place, one vjp per output element instead. For
    several wrt names it returns a tuple, one Jacobian per name.
    """
    f = without_aux(as_differentiated(fn, wrt), "agc.jacrev")

    def jac(*args):
        rows_of = vjp_rows(f, args)
        if rows_of is None:
            return _jacrev_by_rows(f, args)
        replay = Replay(args)  # the batch and its fallback: copies of the arguments, the same draws
        run = replay.fresh()
        batch = _jacobian_in_one_sweep(f, rows_of, run) if array_module(*args) is np else None
        if batch is not None:
            replay.finish()
            return batch
        run = replay.fresh()
        try:
            out, rows = rows_of(*f._bind(run, {}))
        except Exception as error:  # numpy's, raised in emitted code: name the model line
            add_model_line(error)
            raise
        replay.finish()
        return _stack_rows(array_module(*args), out, rows, run, f)

    return jac


def _jacobian_in_one_sweep(f: Differentiated, rows_of, args: tuple):
    """The Jacobian from one backward sweep whose seed is the batch of all one-hot output
    seeds; None where the sweep cannot run on a batch or gives something else."""
    try:
        out, rows = rows_of(*f._bind(args, {}), seeds="batch")
    except AgcError:
        raise
    except Exception:  # noqa: BLE001 (any failure on the batch: one sweep per seed)
        return None
    grads = rows[0] if len(wrt_names(f)) > 1 else (rows[0],)
    out_shape, jacobians = output_shape(out, "agc.jacrev"), []
    for position, grad in zip(wrt_positions(f), grads, strict=True):
        shape = np.shape(args[position])
        rows = per_seed(grad, np.size(out), shape)
        if rows is None:
            return None
        jacobians.append(rows.reshape(out_shape + shape))
    return jacobians[0] if len(jacobians) == 1 else tuple(jacobians)


def vjp_rows(f, args: tuple):
    """The compiled `f_vjp_rows` for `args`' kinds (loaded once into the compiled
    gradient's module), or None: a bound method, or a backward sweep that is not rerunnable.
    It takes every argument by position (`f._bind(args, {})`), then the seeds."""
    if not isinstance(f, Differentiated):
        return None
    args = f._bind(args, {})
    compiled = f.compiled_for(_scalar_key(args))
    if not hasattr(compiled, "vjp_rows"):
        import libcst as cst  # noqa: PLC0415 - loads the compiler where used

        from .backend.jacobian import vjp_rows_function  # noqa: PLC0415 - loads the compiler where used

        adj = compiled.adjoint
        function = vjp_rows_function(adj) if len(adj.outputs) == 1 else None
        compiled.vjp_rows = None
        if function is not None:
            name = f"agc-generated/{f.fn.__qualname__}_vjp_rows.py"
            load_into(cst.Module(body=[function]).code, name, compiled.namespace)
            at = tuple(list(f._signature.parameters).index(w) for w in adj.wrt)
            compiled.vjp_rows = checking_arguments(compiled.namespace[function.name.value],
                                                   tuple(adj.wrt), at)
    return compiled.vjp_rows


def _stack_rows(xp, out, rows, args, f):
    """The Jacobian (a tuple for several wrt names) from the gradient of each output element."""
    out_shape = output_shape(out, "agc.jacrev")
    shapes = [np.shape(args[p]) for p in wrt_positions(f)] if isinstance(
        f, Differentiated) else [np.shape(g) for g in (rows[0] if isinstance(rows[0], tuple)
                                                       else (rows[0],))]
    single = len(shapes) == 1
    parts = [[r] for r in rows] if single else [list(r) for r in rows]
    jacobians = []
    for k, shape in enumerate(shapes):
        if parts:
            stacked = xp.stack([xp.asarray(p[k]) for p in parts])
        else:
            stacked = xp.zeros((0,) + shape, dtype=_float_dtype(xp.asarray(out)))
        jacobians.append(stacked.reshape(out_shape + shape))
    return jacobians[0] if single else tuple(jacobians)


def _jacrev_by_rows(f, args):
    """The Jacobian from one vjp per output element, each running the forward sweep."""
    xp = array_module(*args)  # numpy or cupy: the Jacobian stays on the arguments' device
    replay = Replay(args)  # every row: copies of the arguments, the same draws
    out = f.fn(*replay.fresh())
    output_shape(out, "agc.jacrev")  # refused where numpy makes no one array of it
    out = xp.asarray(out)
    dtype = out.dtype if out.dtype.kind == "f" else xp.float64
    rows = []
    for index in np.ndindex(out.shape or ()):
        seed = xp.zeros(out.shape, dtype=dtype)
        seed[index] = 1.0
        rows.append(f.value_and_grad(*replay.fresh(), seed=seed if out.shape else 1.0)[1])
    replay.finish()
    return _stack_rows(xp, out, rows, args, f)
