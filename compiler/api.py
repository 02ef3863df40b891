"""The Python interface: `@differentiate`, `grad`, `value_and_grad`.

Calling a decorated function still runs the original. `f.grad(*args)` runs
the emitted gradient code: the function's source is read with
`inspect.getsource` and compiled on the first call for the kinds of
arguments given (Python numbers or arrays), then cached, so later calls
go straight to the generated function.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import emitted_cache, fast_calls, wrt_paths
from .along import AlongMethods
from .bound import BoundMethod, is_instance_argument
from .compiling import compile_function
from .compiling import scalar_key as _scalar_key
from .display import SourceText
from .errors import AgcError, UsageError
from .live import check_readable

if TYPE_CHECKING:
    from .backend.graph import Graph

TARGETS = ("numpy", "numba", "auto")
class Differentiated(AlongMethods):
    """A function together with its compiled gradient code (see `differentiate`)."""

    def __init__(self, fn: types.FunctionType, wrt: tuple[str, ...] | None, has_aux: bool = False,
                 target: str = "numpy"):
        check_readable(fn)
        if target not in TARGETS:
            raise UsageError(f"target={target!r}: choose one of {', '.join(TARGETS)}")
        self.target = target
        functools.update_wrapper(self, fn)
        self.fn = fn
        self._signature = inspect.signature(fn)
        self._names = list(self._signature.parameters)
        kinds = [p.kind for p in self._signature.parameters.values()]
        # every parameter positional: then len(args) == this means nothing to bind
        self._positional = len(kinds) if all(k < inspect.Parameter.VAR_POSITIONAL
                                             for k in kinds) else -1
        self._in_class = "." in fn.__qualname__.replace(".<locals>.", "")
        self.wrt = _normalize_wrt(fn, wrt)
        self.has_aux = has_aux
        self._compiled: dict[tuple, types.SimpleNamespace] = {}
        self._shown: tuple = ((), None)  # gradient_source's key: the last compiled for a call
        self._calls: dict[tuple, tuple] = {}  # _along's (function, staleness check, moving)
        if self._positional >= 0:  # f.jvp, f.hvp: their short path, for f's arity
            for what in ("jvp", "hvp"):  # (the general one: the method, bound)
                setattr(self, what, fast_calls.short_along(what, self._positional, self._calls,
                                                           getattr(self, what)))
        # exact argument types -> the entry their calls reach, and numba's dispatcher called
        # directly (fast_calls.py); a method or has_aux takes the full path
        self._fast = None if self._in_class or has_aux or wrt_paths.has_paths(self.wrt) \
            else fast_calls.Calls(self._full_path)
        self._direct = [None, None] if self._fast is None else self._fast.direct
        if self._fast is not None and target != "numpy" and self._positional >= 0:
            # f.grad and f.value_and_grad: one Python frame around numba's dispatch
            self.grad, self.value_and_grad = fast_calls.numba_methods(self)
        elif self._fast is not None:  # and one around the kept entry's checks
            self.grad, self.value_and_grad = fast_calls.numpy_methods(self)

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __get__(self, obj, objtype=None):
        # a decorated method read from an instance: `model.loss.grad(x)`
        return self if obj is None else BoundMethod(self, obj)

    # ---------------------------------------------------------- gradients
    def grad(self, *args: Any, **kwargs: Any) -> Any:
        """The gradient at `args`: one array for one wrt name, else a tuple.

        Arguments may be given by position or by name, as to the function itself;
        parameters left out take their defaults. With `has_aux`, returns
        (gradient, aux). With `intermediates=("a",)`, returns
        (gradient, {"a": adjoint of a}) — PyTorch's retain_grad.
        """
        if not kwargs:  # `intermediates` is read from kwargs: a keyword costs every call
            direct = self._direct[1]
            if direct is not None and len(args) == self._positional and \
                    not (self._fast.watches[1] and self._fast.rebound(1)):
                return direct(*args)  # numba's dispatch; other kinds of arguments: _grad
            if self._fast is not None:  # an entry kept for these types (numpy, float32)
                fast = self._fast.tables[1].get(tuple(map(type, args)))
                if fast is not None and (got := fast(args)) is not fast_calls.MISS:
                    return got
        return self._grad(args, kwargs.pop("intermediates", ()), kwargs)

    def _full_path(self, which: int):
        """What grad (which=1) or value_and_grad (0, called directly with the seed None
        after the arguments) runs for arguments numba has no code for (fast_calls.Calls):
        an entry kept for their types (float32's), else the full path."""
        table = self._fast.tables[which]
        if which:
            return lambda *args: fast_calls.kept(table, args, lambda: self._grad(args, (), {}))
        return lambda *args: fast_calls.kept(
            table, args[:-1], lambda: self._value_and_grad(args[:-1], None, {}))

    def _grad(self, args: tuple, intermediates: tuple[str, ...], kwargs: dict):
        if self._is_method_call(args):  # Model.loss.grad(model, x): bound here
            return BoundMethod(self, args[0], self._unbound_wrt()).grad(*args[1:], **kwargs)
        args = self._bind(args, kwargs)
        if intermediates:
            value, grads, kept = self._with_intermediates(args, intermediates, None)
            return (grads, self._aux(value), kept) if self.has_aux else (grads, kept)
        compiled = self._current(args)
        if self.has_aux:
            value, grads = compiled.value_and_grad(*args)
            return grads, self._aux(value)
        grads = compiled.grad(*args)
        if self._fast is not None:  # the checks passed: the next call like it goes direct
            self._fast.remember(args, compiled, 1)
        return grads

    def value_and_grad(self, *args: Any, seed: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """(value, gradient) at `args` (by position or by name); `seed` is the output's adjoint."""
        if seed is None and not kwargs:
            direct = self._direct[0]
            if direct is not None and len(args) == self._positional and \
                    not (self._fast.watches[0] and self._fast.rebound(0)):
                return direct(*args, None)  # the seed as the full path gives it: None
            if self._fast is not None:
                fast = self._fast.tables[0].get(tuple(map(type, args)))
                if fast is not None and (got := fast(args)) is not fast_calls.MISS:
                    return got
        return self._value_and_grad(args, seed, kwargs)

    def _value_and_grad(self, args: tuple, seed: Any, kwargs: dict):
        if self._is_method_call(args):
            return BoundMethod(self, args[0], self._unbound_wrt()).value_and_grad(
                *args[1:], seed=seed, **kwargs)
        args = self._bind(args, kwargs)
        compiled = self._current(args)
        result = compiled.value_and_grad(*args, **{compiled.seed_name: seed})
        if seed is None and self._fast is not None:
            self._fast.remember(args, compiled, 0)
        return result

    def _is_method_call(self, args: tuple) -> bool:
        """A function defined in a class, called with an instance as its first argument."""
        return self._in_class and bool(args) and is_instance_argument(args[0])

    def _unbound_wrt(self) -> tuple[str, ...]:
        """Called unbound, `self` counts as any first parameter: differentiated by default."""
        return self.wrt if self.wrt is not None else (next(iter(self._signature.parameters)),)

    def compiled_for_method(self, args: tuple, instance_key: tuple, wrt: tuple[str, ...],
                            method_info):
        """The compiled gradient of a method for an instance's kinds of attributes
        (`instance_key`); `method_info()` describes them to the compiler."""
        key = _scalar_key(args) + ((instance_key, wrt),)
        compiled = self._compiled.get(key)
        if compiled is None or compiled.stale():
            try:
                compiled = compile_function(self.fn, wrt, key, self.has_aux, method=method_info(),
                                            backend=self.target)
            except AgcError as err:
                raise err.with_traceback(None) from None
            self._compiled[key] = compiled
        return compiled

    def _bind(self, args: tuple, kwargs: dict) -> tuple:
        """All arguments by position, as Python binds them to the function (defaults too)."""
        signature = self._signature
        if not kwargs and len(args) == self._positional:
            return args  # the fast path: every gradient call runs this
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as err:
            raise UsageError(f"{self.fn.__name__}(): {err}") from None
        bound.apply_defaults()
        return tuple(bound.arguments[name] for name in signature.parameters)

    @staticmethod
    def _aux(value):
        return value[1] if len(value) == 2 else value[1:]

    def _with_intermediates(self, args, names, seed):
        names = (names,) if isinstance(names, str) else tuple(names)
        compiled = self.compiled_for(_scalar_key(args), names)
        value, grads, kept = compiled.value_and_grad(*args, **{compiled.seed_name: seed})
        return value, grads, dict(zip(names, kept))

    def vjp(self, *args: Any, seed: Any, **kwargs: Any) -> tuple[Any, Any]:
        """(value, vector-Jacobian product with `seed`) — PyTorch's backward(gradient=seed)."""
        return self.value_and_grad(*args, seed=seed, **kwargs)

    def graph(self, *args: Any, **kwargs: Any) -> Graph:
        """The computational graph at `args`' kinds: the model's forward sweep and its
        backward sweep (DOT text; `.save("g.svg")`, and a picture in a notebook)."""
        from .backend.graph import Graph, adjoint_graph  # noqa: PLC0415 - loads the compiler where used

        args = self._bind(args, kwargs)
        return Graph(adjoint_graph(self.compiled_for(_scalar_key(args)).adjoint))

    def tape_report(self, *args, **kwargs):
        """What the forward sweep keeps for the backward sweep at `args` (see TapeReport)."""
        from .backend.tape_report import tape_report  # noqa: PLC0415 - loads the compiler where used

        args = self._bind(args, kwargs)
        return tape_report(self.compiled_for(_scalar_key(args)), args)

    @property
    def gradient_source(self) -> str:
        """The emitted gradient module, as text: the one compiled last for a call's arguments
        (`f.grad(x)`: for their kinds, numbers or arrays of their ndims), so after calls of
        one kind of arguments what those calls run; before any call, the module for array
        arguments of any ndim, as `agc compile` writes it. `gradient_source_for` names the
        arguments."""
        key, paths = self._shown
        return SourceText(self.compiled_for(key, paths=paths).source)

    def gradient_source_for(self, *args: Any, **kwargs: Any) -> str:
        """The emitted gradient module `f.grad(*args, **kwargs)` runs, as text (compiled for
        the arguments' kinds if no call has compiled it yet)."""
        return SourceText(self._current(self._bind(args, kwargs)).source)

    def compiled_for(self, key: tuple, keep: tuple[str, ...] = (), paths=None):
        """The compiled gradient for arguments of kinds `key` (and kept intermediates)."""
        compiled = self._compiled.get(key + (keep,) if keep else key)
        if compiled is None or compiled.stale():
            compiled = self._compile_key(key, keep, paths)
        return compiled

    # ---------------------------------------------------------- compiling
    def _current(self, args: tuple) -> types.SimpleNamespace:
        """The compiled gradient for `args`, compiled again if a module constant it read changed."""
        if wrt_paths.has_paths(self.wrt):  # parts of trees: compiled for the keys they name
            paths = wrt_paths.resolve(self.wrt, dict(zip(self._signature.parameters, args)))
            self._shown = (_scalar_key(args) + (paths,), paths)
            return self.compiled_for(self._shown[0], paths=paths)
        compiled = self._compiled.get(_scalar_key(args))
        if compiled is None or compiled.stale():
            compiled = self._compile(args)
            self._shown = (_scalar_key(args), None)  # what gradient_source shows
        return compiled

    def _compile(self, args: tuple) -> types.SimpleNamespace:
        if len(args) > len(inspect.signature(self.fn).parameters):
            raise UsageError(f"{self.fn.__name__}() takes "
                             f"{len(inspect.signature(self.fn).parameters)} arguments")
        return self._compile_key(_scalar_key(args))

    def _compile_key(self, key: tuple, keep: tuple[str, ...] = (), paths=None):
        if self.wrt is not None and any("." in w for w in self.wrt):
            raise UsageError(f"wrt={self.wrt!r} names attributes: call the method on an "
                             f"instance, e.g. model.{self.fn.__name__}.grad(x)")
        try:
            compiled = compile_function(self.fn, self.wrt, key, self.has_aux, keep, paths=paths,
                                        backend=self.target)
        except AgcError as err:
            raise err.with_traceback(None) from None
        self._compiled[key + (keep,) if keep else key] = compiled
        return compiled


def _normalize_wrt(fn, wrt) -> tuple[str, ...] | None:
    """`wrt` as parameter names (or paths): a name, a position, a tuple/list, or a mask dict."""
    if wrt is None:
        return None
    wrt = wrt_paths.as_items(wrt, fn.__name__)  # one name or position: a tuple; a mask: paths
    names = list(inspect.signature(fn).parameters)
    listed = f"its parameters are {', '.join(names)}"
    if not isinstance(wrt, (tuple, list)) or not wrt:
        raise UsageError(f"wrt= must be a parameter name or position, or a non-empty tuple of "
                         f"them (got {wrt!r}); {listed}")
    out = []
    for item in wrt:
        item = _named(item, names, f"{fn.__name__}() has {len(names)} parameters; {listed}")
        # "self.w": an attribute of a method's instance (see bound.py)
        base = item.partition(".")[0] if isinstance(item, str) and names[:1] == [
            item.partition(".")[0]] else item
        base = wrt_paths.checked_base(item, fn.__name__) if "/" in str(item) else base
        if not isinstance(item, str) or base not in names:
            raise UsageError(f"{fn.__name__}() has no parameter {item!r}; {listed}")
        if item not in out:
            out.append(item)
    return tuple(out)


# ------------------------------------------------------------------ API
Wrt = str | int | Sequence[str | int] | None  # parameter names or positions


def differentiate(fn: Callable[..., Any] | None = None, *, wrt: Wrt = None,
                  has_aux: bool = False,
                  target: str = "numpy") -> Differentiated | Callable[..., Differentiated]:
    """Decorator: `@differentiate` or `@differentiate(wrt=("w", "b"))`.

    `wrt` names the parameters to differentiate (names or positions); by
    default the first parameter. The decorated function runs as before and
    gains `.grad`, `.value_and_grad`, `.vjp`, `.tape_report` and
    `.gradient_source`. With `has_aux=True` the function returns
    `(loss, aux...)`: only the loss is differentiated (JAX's has_aux). `target` is
    "numpy" (numpy or cupy arrays), "numba" (the gradient as `@numba.njit` functions, for
    loop-heavy models over numbers and float arrays) or "auto" (numba where it applies,
    else numpy with a warning).
    """
    if fn is None:
        return lambda f: Differentiated(_unwrap(f), wrt, has_aux, target)
    return Differentiated(_unwrap(fn), wrt, has_aux, target)


def _unwrap(fn):
    return fn.fn if isinstance(fn, Differentiated) else fn


def as_differentiated(fn, wrt=None, has_aux=False,
                      target: str = "numpy") -> Differentiated | BoundMethod:
    """`fn` itself if already decorated with the same options, else a new wrapper.

    A bound method (`model.loss`) gives a BoundMethod: a function of the arguments after
    `self`, whose positions `wrt` counts; `wrt="self"` differentiates the attributes.
    """
    if isinstance(fn, BoundMethod):
        fn = types.MethodType(fn.diff, fn.obj)
    if isinstance(fn, types.MethodType):
        inner = as_differentiated(fn.__func__, None, has_aux)
        names = list(inner._signature.parameters)[1:]
        if isinstance(wrt, int) or (isinstance(wrt, (tuple, list)) and any(
                isinstance(w, int) and not isinstance(w, bool) for w in wrt)):
            wrt = _positions_after_self(wrt, names, inner.__name__)
        full = _normalize_wrt(inner.fn, wrt)
        return BoundMethod(inner, fn.__self__, full if wrt is not None else inner.wrt)
    if isinstance(fn, Differentiated) and wrt is None and not has_aux and target == fn.target:
        return fn
    return _wrapper(_unwrap(fn), wrt if wrt is not None else getattr(fn, "wrt", None),
                    has_aux or getattr(fn, "has_aux", False), target)


def _wrapper(fn, wrt, has_aux: bool, target: str = "numpy") -> Differentiated:
    """The one Differentiated of (fn, wrt, has_aux): `agc.vjp(f, ...)` or `agc.grad(f)`
    called again reuses the code compiled for the first call (kept on the function), while
    the derivative rules stay the same."""
    check_readable(fn)
    key = (_normalize_wrt(fn, wrt), has_aux, emitted_cache.rules_changed(), target)
    wrappers = fn.__dict__.setdefault("_agc_wrappers", {})
    if key not in wrappers:
        wrappers[key] = Differentiated(fn, wrt, has_aux, target)
    return wrappers[key]


def _positions_after_self(wrt, names: list[str], name: str):
    items = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    why = f"the bound method {name}() takes {len(names)} arguments ({', '.join(names)})"
    return tuple(_named(item, names, why) for item in items)


def _named(item, names: list[str], why: str):
    """A wrt position as its parameter's name (a name as it is); UsageError out of range."""
    if isinstance(item, int) and not isinstance(item, bool):
        if not -len(names) <= item < len(names):
            raise UsageError(f"wrt={item!r}: {why}")
        return names[item]
    return item


def grad(fn: Callable[..., Any], wrt: Wrt = None, has_aux: bool = False,
         target: str = "numpy") -> Callable[..., Any]:
    """A function computing the gradient of `fn` (the functional form); `target` as in
    `differentiate`."""
    return as_differentiated(fn, wrt, has_aux, target).grad


def value_and_grad(fn: Callable[..., Any], wrt: Wrt = None, has_aux: bool = False,
                   target: str = "numpy") -> Callable[..., tuple[Any, Any]]:
    """A function computing `(fn(*args), gradient)`; `target` as in `differentiate`."""
    return as_differentiated(fn, wrt, has_aux, target).value_and_grad
