"""Differential testing of agc: a corpus entry against numpy, jax and central differences.

A corpus module makes a `Corpus` and registers plain numpy functions with it::

    corpus = Corpus()

    @corpus.add(vec(4), pos(4), wrt=("x", "w"))
    def weighted(x, w):
        return np.sum(w * np.tanh(x))

Each positional spec makes one argument from a seeded generator (seeds 0, 1,
2 give three points); `at=[(...), ...]` gives explicit points instead. The
checks for one entry (`check_entry`):

* the value agc returns equals the function's own value under plain numpy;
* agc's gradient equals the reference gradient: `jax.grad` in float64 of
  the same source with `np` bound to `jax.numpy` (or the entry's `ref`, a
  jax-friendly rewrite, for code that writes into arrays), or the entry's
  `grad` (explicit gradients at a kink, where the convention is documented);
* in float64 it also equals central differences (unless `fd=False`);
* each gradient has its parameter's shape and dtype (float32 stays float32).

An entry with `expect="refused"` must make agc raise a positioned
`agc.UserCodeError` (or `UnsupportedError`) instead. `check_reference`
checks the corpus itself: the reference's value is numpy's value and its
gradient agrees with central differences.
"""

from __future__ import annotations

import copy
import functools
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import agc
import jax
import jax.numpy as jnp
import numpy as np
from agc.jacobians import vjp_rows

jax.config.update("jax_enable_x64", True)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gradcheck import numeric_grad  # tests/gradcheck.py

SEEDS = (0, 1, 2)
RTOL64, RTOL_FD, RTOL_VALUE = 1e-7, 1e-5, 1e-9


# ------------------------------------------------------------------ argument specs
@dataclass(frozen=True)
class Spec:
    """An argument maker: `make(rng)` returns a fresh argument."""

    make: Callable[[np.random.Generator], Any]

    def __call__(self, rng):
        return self.make(rng)


def vec(*shape, lo: float = -1.0, hi: float = 1.0) -> Spec:
    """A float64 array of `shape` drawn uniformly from [lo, hi)."""
    return Spec(lambda rng: rng.uniform(lo, hi, size=shape))


def pos(*shape) -> Spec:
    """A float64 array of `shape` with entries in [0.5, 1.5) (safe for log, sqrt, /)."""
    return vec(*shape, lo=0.5, hi=1.5)


def num(lo: float = -1.0, hi: float = 1.0) -> Spec:
    """A Python float drawn uniformly from [lo, hi)."""
    return Spec(lambda rng: float(rng.uniform(lo, hi)))


# ------------------------------------------------------------------ entries
@dataclass(eq=False)  # hashed by identity: references are cached per entry
class Entry:
    """One corpus function and how to check it (see the module docstring).

    specs / at: argument makers (one point per seed) or explicit argument tuples.
    wrt: names of the parameters to differentiate.
    ref: jax reference taking the same arguments; default: fn's source on jax.numpy.
    grad: explicit expected gradients (a tuple in wrt order) instead of jax.
    expect: "ok", or "refused" (agc must raise a positioned UserCodeError).
    xfail / xfail32: reason ("issue 12: ...") for a known agc bug, all modes / float32 only.
    fd: also compare with central differences (off at kinks).
    f32: also run with float32 inputs, to tolerance tol32.
    phases: module globals to set before each round of checks (module constants).
    """

    fn: Callable
    specs: tuple = ()
    wrt: tuple = ()
    at: list | None = None
    ref: Callable | None = None
    grad: Callable | None = None
    expect: str = "ok"
    xfail: str | None = None
    xfail32: str | None = None
    fd: bool = True
    f32: bool = True
    tol32: float = 1e-3
    phases: list = field(default_factory=lambda: [{}])

    @property
    def name(self) -> str:
        """The test id: the function's name."""
        return self.fn.__name__

    def points(self) -> list[tuple]:
        """The argument tuples to check at (fresh objects on every call)."""
        if self.at is not None:
            return [copy.deepcopy(tuple(p)) for p in self.at]
        out = []
        for seed in SEEDS:
            rng = np.random.default_rng(seed)
            out.append(tuple(s(rng) if isinstance(s, Spec) else copy.deepcopy(s)
                             for s in self.specs))
        return out

    def has_float_arrays(self) -> bool:
        """Whether a float32 run means anything: some wrt argument is a float ndarray."""
        first = self.points()[0]
        return any(isinstance(first[i], np.ndarray) and first[i].dtype.kind == "f"
                   for i in self.wrt_indices())

    def wrt_indices(self) -> list[int]:
        """Positions of the wrt parameters."""
        names = list(self.fn.__code__.co_varnames[:self.fn.__code__.co_argcount])
        return [names.index(w) for w in self.wrt]


class Corpus:
    """A list of entries with a registering decorator."""

    def __init__(self):
        self.entries: list[Entry] = []

    def add(self, *specs, wrt=None, **options) -> Callable:
        """Decorator: register fn with argument specs and Entry options.

        wrt defaults to the first parameter.
        """

        def register(fn):
            names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
            w = (names[0],) if wrt is None else ((wrt,) if isinstance(wrt, str) else tuple(wrt))
            self.entries.append(Entry(fn, specs, w, **options))
            return fn

        return register

    def ref(self, fn: Callable) -> Callable:
        """Set fn (jax code, e.g. with .at[].set) as the reference of the entry added last."""
        self.entries[-1].ref = fn
        return fn


# ------------------------------------------------------------------ helpers
def cast32(args: tuple) -> tuple:
    """The arguments with every float ndarray cast to float32."""
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                 else a for a in args)


def _fresh(args: tuple) -> tuple:
    return copy.deepcopy(args)


def _on_copies(fn: Callable) -> Callable:
    """fn called on copies of its arguments (a function may write into them)."""
    return lambda *args: fn(*_fresh(args))


def _f64(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _scale(x) -> float:
    x = _f64(x)
    return max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0


def output_seed(value):
    """None for a scalar output, else a fixed seed shaped like the output, of its dtype."""
    if np.ndim(value) == 0:
        return None
    seed = np.random.default_rng(99).uniform(0.5, 1.5, size=np.shape(value))
    return seed.astype(np.result_type(value))


def _jax_float(v):
    """float() that lets a traced jax value through (float(x) is the identity on values)."""
    return v if isinstance(v, jax.Array) else float(v)


def jax_twin(fn: Callable) -> Callable:
    """fn re-bound to a copy of its module's globals with np = jax.numpy (helpers too)."""
    module = fn.__globals__
    ns = dict(module)
    ns["np"] = jnp
    ns["float"] = _jax_float
    for key, value in module.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is module:
            ns[key] = types.FunctionType(value.__code__, ns, value.__name__,
                                         value.__defaults__, value.__closure__)
            ns[key].__kwdefaults__ = value.__kwdefaults__  # keyword-only defaults too
    return types.FunctionType(fn.__code__, ns, fn.__name__, fn.__defaults__, fn.__closure__)


def _to_jax(a):
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return jnp.asarray(a, dtype=jnp.float64)
    return a


def _static(a) -> bool:
    """Python ints, bools, strings and None are compile-time constants to jax.jit."""
    return a is None or isinstance(a, (bool, int, str))


@functools.cache
def _jax_value_and_grad(entry: Entry, phase: int, statics: tuple):
    """(jitted, eager) value_and_grad of the entry's reference: f(seed, *args) -> ((s, out), grads)."""
    fn = entry.ref or jax_twin(entry.fn)

    def scalar(seed, *args):
        out = fn(*args)
        return (jnp.sum(out * seed) if seed is not None else out), out

    argnums = tuple(1 + i for i in entry.wrt_indices())
    eager = jax.value_and_grad(scalar, argnums=argnums, has_aux=True)
    return jax.jit(eager, static_argnums=tuple(1 + i for i in statics)), eager


_NEEDS_EAGER: set = set()  # (entry, phase) whose reference branches on traced values


def reference(entry: Entry, args: tuple, seed=None, phase: int = 0) -> tuple:
    """(value, gradients) of the reference at args, in float64 (jitted when jax can trace it)."""
    args = tuple(_to_jax(a) for a in _fresh(args))
    if entry.grad is not None:
        plain = tuple(np.asarray(a) if isinstance(a, jax.Array) else a for a in args)
        return _f64(entry.fn(*_fresh(plain))), tuple(_f64(g) for g in entry.grad(*plain))
    statics = tuple(i for i, a in enumerate(args) if _static(a))
    jitted, eager = _jax_value_and_grad(entry, phase, statics)
    result = None
    if (entry, phase) not in _NEEDS_EAGER:
        try:
            result = jitted(seed, *args)
        except (TypeError, IndexError):  # Python control flow on traced values
            _NEEDS_EAGER.add((entry, phase))
    (_, value), grads = result or eager(seed, *args)
    shapes = [np.shape(_f64(args[i])) for i in entry.wrt_indices()]
    return _f64(value), tuple(_f64(jax.tree_util.tree_leaves(g)).reshape(shape)
                              for g, shape in zip(grads, shapes))


@functools.cache
def _cached_reference(entry: Entry, mode: str, phase: int, point: int):
    args = entry.points()[point]
    args = cast32(args) if mode == "f32" else args
    seed = output_seed(entry.fn(*_fresh(args)))
    return reference(entry, args, seed, phase)


def _assert_close(got, expected, rtol: float, what: str) -> None:
    np.testing.assert_allclose(_f64(got), _f64(expected), rtol=rtol,
                               atol=rtol * _scale(expected), err_msg=what)


def _phases(entry: Entry):
    """Yield each phase's index with its module globals set; restore them after."""
    module = entry.fn.__globals__
    saved = {k: module[k] for phase in entry.phases for k in phase}
    try:
        for i, phase in enumerate(entry.phases):
            module.update(phase)
            yield i
    finally:
        module.update(saved)


# ------------------------------------------------------------------ the checks
def check_refused(entry: Entry) -> None:
    """agc raises a positioned UserCodeError for the entry on its first gradient call."""
    diff = agc.differentiate(entry.fn, wrt=entry.wrt)
    args = entry.points()[0]
    try:
        diff.value_and_grad(*_fresh(args), seed=output_seed(entry.fn(*_fresh(args))))
    except agc.UserCodeError as err:
        assert err.loc.line > 0, f"{entry.name}: the refusal has no position: {err}"
        return
    raise AssertionError(f"{entry.name}: declared refused, but agc differentiated it")


def check_entry(entry: Entry, mode: str = "f64") -> None:
    """All checks of one entry in mode "f64" or "f32" (inputs cast to float32)."""
    if entry.expect == "refused":
        check_refused(entry)
        return
    diff = agc.differentiate(entry.fn, wrt=entry.wrt)
    rtol = RTOL64 if mode == "f64" else entry.tol32
    wrong_dtypes = []  # reported after every value is checked: a wrong value is the worse news
    for phase in _phases(entry):
        for p, args in enumerate(entry.points()):
            args = cast32(args) if mode == "f32" else args
            where = f"{entry.name} [{mode}, phase {phase}, point {p}]"
            expected_value = entry.fn(*_fresh(args))
            seed = output_seed(expected_value)
            value, grads = diff.value_and_grad(*_fresh(args), seed=seed)
            grads = (grads,) if len(entry.wrt) == 1 else tuple(grads)
            _assert_close(value, expected_value, RTOL_VALUE if mode == "f64" else 1e-4,
                          f"{where}: value differs from numpy's")
            if seed is None:
                lean = diff.grad(*_fresh(args))
                grads_lean = (lean,) if len(entry.wrt) == 1 else tuple(lean)
            else:
                grads_lean = grads
            if mode == "f64" and p == 0:
                _check_kept_tape(entry, diff, args, seed, grads, where)
            _, ref_grads = _cached_reference(entry, mode, phase, p)
            for k, i in enumerate(entry.wrt_indices()):
                name, param = entry.wrt[k], args[i]
                for got, how in ((grads[k], "value_and_grad"), (grads_lean[k], "grad")):
                    what = f"{where}: d/d{name} from {how}"
                    assert np.shape(_f64(got)) == np.shape(_f64(param)), (
                        f"{what}: shape {np.shape(_f64(got))}, parameter {np.shape(_f64(param))}")
                    _assert_close(got, ref_grads[k], rtol, f"{what} vs the reference")
                for got, how in ((grads[k], "value_and_grad"), (grads_lean[k], "grad")):
                    if isinstance(param, np.ndarray) and np.result_type(got) != param.dtype:
                        wrong_dtypes.append(
                            f"{where}: d/d{name} from {how}: dtype {np.result_type(got)}, "
                            f"parameter {param.dtype}, numpy's value {np.result_type(expected_value)}")
                if mode == "f64" and entry.fd:
                    fd = numeric_grad(_on_copies(entry.fn), args, i, seed)
                    _assert_close(grads[k], fd, RTOL_FD, f"{where}: d/d{name} vs central differences")
    assert not wrong_dtypes, wrong_dtypes[0]


KEPT_TAPE_RETRACED: list[str] = []  # entries whose backward sweep cannot be rerun


def _check_kept_tape(entry: Entry, diff, args: tuple, seed, grads: tuple, where: str) -> None:
    """Two backward sweeps over one kept tape (the emitted f_vjp_rows that agc.jacrev runs)
    give value_and_grad's gradient twice: what a sweep rebinds or pops is restored."""
    rows_of = vjp_rows(diff, args)
    if rows_of is None:  # the sweep writes the model's values in place: jacrev goes row by row
        KEPT_TAPE_RETRACED.append(entry.name)
        return
    _, rows = rows_of(*diff._bind(_fresh(args), {}), [seed, seed])
    assert len(rows) == 2, f"{where}: {len(rows)} rows for two seeds"
    for sweep, row in enumerate(rows):
        row = (row,) if len(entry.wrt) == 1 else tuple(row)
        for k, name in enumerate(entry.wrt):
            _assert_close(row[k], grads[k], 1e-12, f"{where}: d/d{name} from kept-tape sweep "
                                                   f"{sweep + 1} vs value_and_grad")


def check_reference(entry: Entry) -> None:
    """The corpus itself: the reference's value is numpy's, its gradient central differences'."""
    for phase in _phases(entry):
        for p, args in enumerate(entry.points()):
            expected_value = entry.fn(*_fresh(args))
            if entry.expect == "refused":
                continue
            value, grads = _cached_reference(entry, "f64", phase, p)
            where = f"{entry.name} [phase {phase}, point {p}]"
            _assert_close(value, expected_value, RTOL_VALUE, f"{where}: reference value")
            if entry.fd:
                seed = output_seed(expected_value)
                for k, i in enumerate(entry.wrt_indices()):
                    fd = numeric_grad(_on_copies(entry.fn), args, i, seed)
                    _assert_close(grads[k], fd, RTOL_FD, f"{where}: reference d/d{entry.wrt[k]}")
