"""The short call path of a compiled gradient, for kinds of arguments seen before.

A gradient call goes through layers that each look at the arguments: binding
them (api.py), picking the compiled code for their kinds, checking that they
come from one array library and that the values differentiated are floats
(runtime/arrays.py), widening float32 for numba (numba_live.py). For a loop
over a few numbers compiled by numba, that is ten times the loop itself.

What those layers decide depends only on each argument's type, and for a numpy
array on its dtype and number of dimensions. So once a call has passed them,
the emitted entry it reached is kept under the arguments' exact types; a later
call with the same types (and, position by position, arrays of the same dtype
and rank) calls that entry directly. Anything else (keywords, a seed, a
method, `has_aux`, other types, a model that reads module constants) takes the
full path.

For the numba target even that lookup costs more than the compiled loop of a
few numbers: there the call goes to a numba dispatcher of the emitted entry
(`numba_live.direct_dispatcher`) whose machine code is the code the full path
compiled, for exactly the argument types it compiled it for. numba's own
dispatch (in C) then picks it, and any other types run the full path. And
the method call `f.grad(...)` itself (its `**kwargs`, the lookups of the
dispatcher and of the parameter count) cost as much as numba's dispatch, so
for the numba target `f.grad` and `f.value_and_grad` are plain functions of
their own (`numba_methods`) that hold both in their closure: a positional call
is one Python frame around numba's dispatch; keywords (`intermediates=`,
`seed=`, arguments by name) go on to the methods. On the numpy target `f.grad` and
`f.value_and_grad` are functions of their own too (`numpy_methods`): a call goes
from them through one kept entry, which checks the arrays' dtypes and ranks and
calls the emitted function, to the emitted function: three Python frames where the
method and the wrappers of the kept entry made five (a 500-step
training loop calling `f.grad` pays them 500 times).
"""

from __future__ import annotations

import functools
import itertools

import numpy

from . import numba_live
from .runtime.model_lines import add_model_line
from .staleness import helpers_only, never_stale

# the argument types whose kind for the compiled code (scalar, an array's rank, ...) and
# whose checks follow from the type alone: numpy arrays add their dtype and rank
SIMPLE = frozenset({float, int, bool, numpy.float64, numpy.float32, numpy.int64})
MISS = object()  # what a kept entry returns for arrays of another dtype or rank
NDIM = itertools.repeat("ndim")  # map()'s getattr argument


class Calls:
    """The short paths of one differentiated function, per entry (0: value_and_grad,
    1: grad): the entries kept under argument types, and the numba dispatcher called
    directly (None until a numba call has passed the full path). `full(which)` is the
    full path, a function of the arguments (numba calls it for types it has no code for).
    `watches`: (module globals, name, function) of the helpers the direct dispatcher's
    code calls (staleness.helpers_bound)."""

    def __init__(self, full):
        self.tables: tuple[dict, dict] = ({}, {})
        self.direct: list = [None, None]
        self.watches: tuple[list, list] = ([], [])
        self._full = full

    def rebound(self, which: int) -> bool:
        """Whether a helper the direct dispatcher's code calls was defined again: the
        dispatcher is dropped (the full path compiles again and makes a new one)."""
        for glob, name, func in self.watches[which]:  # every call: no generator, no call
            if glob.get(name, MISS) is not func:
                self.direct[which] = None
                self.watches[which].clear()
                return True
        return False

    def remember(self, args: tuple, compiled, which: int) -> None:
        """After a call that passed the full path: keep the entry it reached (`remember`),
        and give the numba dispatcher called directly the machine code it ran."""
        remember(self.tables[which], args, compiled, which)
        entry = getattr(compiled, "direct", None)
        inner = getattr(entry[which], "dispatcher", None) if entry is not None else None
        stale = compiled.stale
        if inner is None or not (never_stale(stale) or helpers_only(stale)):
            return
        watched = {(id(g), n, id(f)) for g, n, f in self.watches[which]}
        self.watches[which].extend(t for t in getattr(stale, "bound", ())
                                   if (id(t[0]), t[1], id(t[2])) not in watched)
        if self.direct[which] is None:
            self.direct[which] = numba_live.direct_dispatcher(inner, self._full(which))
        numba_live.add_machine_code(self.direct[which], inner)


def numba_methods(differentiated) -> tuple:
    """(grad, value_and_grad) of a Differentiated of the numba target: its methods, with a
    call without keywords going straight to the numba dispatcher of the entry
    (`Calls.direct`) once a call has made one. That dispatcher's function has no defaults,
    so numba raises TypeError for any other count of arguments before running anything:
    those calls bind their arguments in the methods (a `try` costs nothing when nothing is
    raised, unlike testing the count on every call)."""
    direct, count = differentiated._direct, differentiated._positional
    fast = differentiated._fast
    watches = fast.watches
    grad_method, value_and_grad_method = differentiated.grad, differentiated.value_and_grad

    @functools.wraps(grad_method)
    def grad(*args, **kwargs):
        if kwargs or (entry := direct[1]) is None or (watches[1] and fast.rebound(1)):
            return grad_method(*args, **kwargs)
        try:
            return entry(*args)
        except TypeError:
            if len(args) == count:  # raised by the model or agc's checks: not numba's count
                raise
        return grad_method(*args)

    @functools.wraps(value_and_grad_method)
    def value_and_grad(*args, **kwargs):
        if kwargs or (entry := direct[0]) is None or (watches[0] and fast.rebound(0)):
            return value_and_grad_method(*args, **kwargs)
        try:
            return entry(*args, None)  # the seed as the full path gives it: None
        except TypeError:
            if len(args) == count:
                raise
        return value_and_grad_method(*args)

    grad.differentiated = value_and_grad.differentiated = differentiated  # gradient_of
    return grad, value_and_grad


def numpy_methods(differentiated) -> tuple:
    """(grad, value_and_grad) of a Differentiated of the numpy target: a call without
    keywords whose arguments' types have a kept entry (`remember`) runs it, any other
    call the full path (`_grad`, `_value_and_grad`), as the methods would. For an f of
    `count` positional parameters the key is written out, `(type(args[0]), ...)`, in
    functions made for `count`: `tuple(map(type, args))` cost several times more."""
    count = differentiated._positional
    kinds = "".join(f"type(args[{i}]), " for i in range(count)) if count >= 0 else None
    key = f"({kinds})" if kinds is not None else "tuple(map(type, args))"
    fits = f"len(args) == {count}" if kinds is not None else "True"
    text = f"""
def grad(*args, **kwargs):
    if not kwargs and {fits} and (entry := grad_table.get({key})) is not None \\
            and (got := entry(args)) is not MISS:
        return got
    return full_grad(args, kwargs.pop("intermediates", ()), kwargs)

def value_and_grad(*args, seed=None, **kwargs):
    if seed is None and not kwargs and {fits} and \\
            (entry := value_and_grad_table.get({key})) is not None \\
            and (got := entry(args)) is not MISS:
        return got
    return full_value_and_grad(args, seed, kwargs)
"""
    tables = differentiated._fast.tables
    namespace = {"grad_table": tables[1], "value_and_grad_table": tables[0], "MISS": MISS,
                 "full_grad": differentiated._grad,
                 "full_value_and_grad": differentiated._value_and_grad}
    exec(text, namespace)  # noqa: S102 - agc's own text, for the arity
    methods = []
    for name in ("grad", "value_and_grad"):
        method = functools.wraps(getattr(differentiated, name))(namespace[name])
        method.differentiated = differentiated  # gradient_of
        methods.append(method)
    return tuple(methods)


def kept(table: dict, args: tuple, otherwise):
    """The result of the entry kept in `table` for `args`' types, else `otherwise()`."""
    fast = table.get(tuple(map(type, args)))
    if fast is not None and (got := fast(args)) is not MISS:
        return got
    return otherwise()


def remember(table: dict, args: tuple, compiled, which: int) -> None:
    """Keep, under `args`' exact types, the entry of `compiled` a call with them reaches:
    which=0 its value_and_grad, 1 its grad."""
    stale = compiled.stale
    if not (never_stale(stale) or helpers_only(stale)) or getattr(compiled, "direct", None) is None:
        return
    kinds = tuple(map(type, args))
    if not all(k in SIMPLE or k is numpy.ndarray for k in kinds):
        return
    arrays = tuple((i, a.dtype, a.ndim) for i, a in enumerate(args) if type(a) is numpy.ndarray)
    single = any(k is numpy.float32 for k in kinds) or \
        any(dtype == numpy.float32 for _, dtype, _ in arrays)
    entry = compiled.direct_float32[which] if single else compiled.direct[which]
    direct = None if single else getattr(entry, "dispatcher", None)
    if direct is None and never_stale(stale):  # the common case: one frame, the checks inline
        table[kinds] = _checked_entry(entry, arrays)
        return
    # numba's float32 widening (runtime.wide_floats.float32_in_float64) stays on the path
    call = _call(entry, direct)
    if not never_stale(stale):  # a helper redefined since: the full path compiles again
        call = _unless_stale(call, stale)
    table[kinds] = _checked(call, arrays) if arrays else call


def _unless_stale(call, stale):
    return lambda args: MISS if stale() else call(args)


def _call(entry, direct):
    """A call of `entry` with the model line added to its errors; with `direct` (a numba
    entry's dispatcher), the dispatcher itself: its wrapper (numba_live.first_call_errors)
    only turns numba's errors into agc's, so on an error the call runs again through it."""
    if direct is not None:
        def call(args):
            try:
                return direct(*args)
            except Exception:  # noqa: BLE001 - the wrapper raises it as agc would
                return _through(entry, args)
        return call
    return lambda args: _through(entry, args)


def _through(entry, args: tuple):
    try:
        return entry(*args)
    except Exception as error:  # raised in emitted code: name the model line
        add_model_line(error)
        raise


def _checked_entry(entry, arrays: tuple):
    """A call of `entry` (an emitted function) with the model line added to its errors,
    for arrays of the dtypes and ranks in `arrays` (else MISS): `_checked` of `_call`,
    in one frame. A dtype is compared by identity first: numpy's dtypes of the builtin
    types are shared objects, and `!=` of two dtypes costs a call into numpy."""
    def checked(args):
        for i, dtype, ndim in arrays:
            a = args[i]
            if a.ndim != ndim or (a.dtype is not dtype and a.dtype != dtype):
                return MISS
        try:
            return entry(*args)
        except Exception as error:  # raised in emitted code: name the model line
            add_model_line(error)
            raise
    return checked


def _checked(call, arrays: tuple):
    def checked(args):
        for i, dtype, ndim in arrays:
            a = args[i]
            if a.ndim != ndim or a.dtype != dtype:
                return MISS
        return call(args)
    return checked


def mapped_key(what: str, args: tuple, tangents: tuple) -> tuple:
    """The key under which `f.jvp` / `f.hvp` (along._along) keep their compiled code: `what`,
    the arguments' ndims and the tangents' types (which of them are None); AttributeError
    for an argument with no ndim (a number, a tree: along._along keys it by its type)."""
    return (what, *map(getattr, args, NDIM), *map(type, tangents))


def short_along(what: str, count: int, calls: dict, general):
    """`f.jvp` (what "jvp") or `f.hvp` of an f of `count` positional parameters, kept on the
    instance: a call of arrays by position with a tuple of `count` tangents, one of them
    given, runs the code kept in `calls` under mapped_key's key, here written out as
    attribute reads (`args[0].ndim, ..., type(tangents[0]), ...`) in a function made for
    `count`: Python's compiled reads cost about a third of map()'s, and every call builds
    the key (benchmarks/higher_order.py's jvp). Every other call goes to `general`
    (along._along's method, bound), which compiles."""
    ndims = "".join(f"args[{i}].ndim, " for i in range(count))
    kinds = "".join(f"type(tangents[{i}]), " for i in range(count))
    text = f"""
def {what}(*args, tangents, **kwargs):
    if not kwargs and type(tangents) is tuple and len(args) == len(tangents) == {count}:
        try:
            entry = calls.get(({what!r}, {ndims}{kinds}))
        except AttributeError:  # a number or a tree: keyed by its type, in general
            entry = None
        if entry is not None and entry[2] is not None and not entry[1]():
            try:
                return entry[0](*args, tangents[entry[2]])
            except Exception as error:  # raised in emitted code: name the model line
                add_model_line(error)
                raise
    return general(*args, tangents=tangents, **kwargs)
"""
    namespace = {"calls": calls, "general": general, "add_model_line": add_model_line}
    exec(text, namespace)  # noqa: S102 - agc's own text, for the arity
    short = namespace[what]
    short.__doc__, short.__qualname__ = general.__doc__, general.__qualname__
    return short
