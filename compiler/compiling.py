"""Compiling a live function: its gradient, its JVP or its HVP, parsed from its source,
differentiated, emitted and loaded (the numba target's module also kept on disk).

`api.Differentiated` calls these for the kinds of arguments of a call (its key).
"""

from __future__ import annotations

import functools
import inspect
import types
import warnings

from . import emitted_cache, wrt_paths
from .deep import with_room
from .display import source_name
from .errors import UnsupportedError
from .live import function_source, load_module
from .runtime.arrays import checking_arguments
from .staleness import constants_read, helpers_bound, staleness_check

_KINDS = {float: "scalar", int: "scalar", dict: "tree", list: "tree", tuple: "tree"}


def parse_live(fn, wrt, key: tuple, has_aux: bool = False, keep: tuple[str, ...] = (),
           method=None, paths: dict | None = None):
    """(parsed module, target, names, path) of a live function, for arguments of kinds `key`."""
    from . import helper_modules, pipeline  # noqa: PLC0415 - loads the compiler where used
    from .frontend.resolve import names_from_globals  # noqa: PLC0415 - loads the compiler where used

    text, path, offset = function_source(fn)
    names = names_from_globals(fn.__globals__)
    parsed = helper_modules.parse(text, path, lambda module: names, offset)
    parsed.live_globals = fn.__globals__  # helpers' signatures, for calls with keywords
    parsed.method = method
    target = pipeline.Target(fn.__name__, wrt, _params_of_kind(fn, key, "scalar"),
                             _params_of_kind(fn, key, "tree"), has_aux, keep,
                             _array_ranks(fn, key), tuple((paths or {}).items()))
    return parsed, target, names, path


def compile_function(fn, wrt, key: tuple = (), has_aux: bool = False,
                     keep: tuple[str, ...] = (), method=None, paths=None,
                     backend: str = "numpy") -> types.SimpleNamespace:
    """Compile `fn`'s gradient and load it; returns the module's namespace (see wrt_paths).
    `backend` is "numpy", "numba" or "auto" (numba where it applies, else numpy); the
    numba target's emitted module is kept on disk for later processes (emitted_cache)."""
    if wrt_paths.has_paths(wrt):
        return wrt_paths.compiled(compile_function, fn, wrt, key, has_aux, keep, method, paths)
    disk = None
    if backend == "numba" and method is None and not keep and fn.__closure__ is None \
            and not emitted_cache.rules_changed():  # a closure's cells are not in its source
        disk = emitted_cache.entry_path(fn, function_source(fn), wrt, key, has_aux)
        entry = emitted_cache.load(disk, fn)
        if entry is not None:
            return emitted_cache.loaded(fn, entry, lambda: _compile_function(
                fn, wrt, key, has_aux, backend="numba"))
    return _compile_function(fn, wrt, key, has_aux, keep, method, paths, backend, disk)


def _compile_function(fn, wrt, key: tuple = (), has_aux: bool = False,
                      keep: tuple[str, ...] = (), method=None, paths=None,
                      backend: str = "numpy", disk=None) -> types.SimpleNamespace:
    """compile_function past the disk cache: parse, differentiate, emit and load (and, for
    the numba target, write the entry at `disk`)."""
    from . import numba_live, pipeline  # noqa: PLC0415 - loads the compiler where used
    from .backend.numba_target import model_locs  # noqa: PLC0415 - loads the compiler where used

    requested = backend
    parsed, target, names, path = with_room(parse_live, fn, wrt, key, has_aux, keep, method, paths)
    compiled, backend = _compiled_for_backend(parsed, target, path, fn.__globals__, backend)
    vg, grad, _ = pipeline.emitted_function_names(fn.__name__)
    wrt = compiled.adjoints[fn.__name__].wrt  # mixed libraries, integer wrt values: TypeError
    at = tuple(list(inspect.signature(fn).parameters).index(name) for name in wrt)
    read, bound = constants_read(fn, names, compiled), helpers_bound(fn, names, compiled)
    if backend == "numba":
        name, loc = f"{fn.__qualname__}_grad", compiled.primals[fn.__name__].loc
        try:
            namespace = numba_live.load_numba(compiled.source, name, fn.__globals__, loc)
        except UnsupportedError as err:
            if requested == "numba":
                raise
            warnings.warn(f"agc: target='auto' falls back to numpy: {err}", stacklevel=3)
            return compile_function(fn, wrt, key, has_aux, keep, method, paths)
        retry = None if requested == "numba" else functools.partial(
            compile_function, fn, wrt, key, has_aux, keep, method, paths)
        locs = model_locs([*compiled.adjoints.values(), *compiled.helpers])
        direct, entries = numba_live.entries(namespace, (vg, grad), compiled.source, locs, at,
                                             retry)
        if disk is not None and requested == "numba":
            entry = {"source": compiled.source, "name": name, "loc": loc, "names": (vg, grad),
                     "wrt": wrt, "at": at, "locs": locs,
                     "seed_name": compiled.adjoints[fn.__name__].seed_param}
            emitted_cache.store(disk, fn, entry, compiled, read, bound)
    else:
        namespace = load_module(compiled.source, f"agc-generated/{fn.__qualname__}_grad.py",
                                fn.__globals__)
        entries = direct = namespace[vg], namespace[grad]
    return types.SimpleNamespace(value_and_grad=checking_arguments(entries[0], wrt, at),
                                 grad=checking_arguments(entries[1], wrt, at),
                                 direct=direct, direct_float32=entries,
                                 source=compiled.source, namespace=namespace,
                                 seed_name=compiled.adjoints[fn.__name__].seed_param,
                                 adjoint=compiled.adjoints[fn.__name__], parsed=parsed,
                                 stale=staleness_check(read, bound))


def _compiled_for_backend(parsed, target, path: str, user_globals: dict, backend: str):
    """(Compiled, the backend used): "auto" falls back to numpy, with a warning, where the
    numba target refuses the model."""
    from . import pipeline  # noqa: PLC0415 - loads the compiler where used

    try:
        return with_room(pipeline.compile_parsed, parsed, [target], _short(path), user_globals,
                         backend="numba" if backend == "auto" else backend), \
            "numpy" if backend == "numpy" else "numba"
    except UnsupportedError as err:
        if backend != "auto":
            raise
        warnings.warn(f"agc: target='auto' falls back to numpy: {err}", stacklevel=4)
    return with_room(pipeline.compile_parsed, parsed, [target], _short(path),
                     user_globals), "numpy"


def _takes_by_position(fn, count: int, dots: tuple[str, ...]) -> bool:
    """Whether the emitted `fn` takes its tangents `dots` by position, right after the
    `count` arguments (not where a default made them keyword-only)."""
    params = list(inspect.signature(fn).parameters.values())
    return [p.name for p in params[count:]] == list(dots) and all(
        p.kind is p.POSITIONAL_OR_KEYWORD for p in params)


def compile_forward(fn, wrt: tuple[str, ...], key: tuple = ()) -> types.SimpleNamespace:
    """Compile `fn`'s JVP (forward mode) with tangents for `wrt` and load it."""
    from . import pipeline  # noqa: PLC0415 - loads the compiler where used

    parsed, target, names, path = parse_live(fn, wrt, key)
    compiled = pipeline.compile_parsed(parsed, [target], _short(path), fn.__globals__,
                                       mode="forward")
    namespace = load_module(compiled.source, f"agc-generated/{fn.__qualname__}_jvp.py",
                            fn.__globals__)
    return types.SimpleNamespace(jvp=namespace[f"{fn.__name__}_jvp"], source=compiled.source,
                                 tangent=compiled.tangents[fn.__name__],
                                 stale=staleness_check(constants_read(fn, names, compiled),
                                                       helpers_bound(fn, names, compiled)))


def compile_hvp(fn, wrt: tuple[str, ...], key: tuple = ()) -> types.SimpleNamespace:
    """Compile `fn`'s gradient with respect to `wrt` and its tangent H v (ad/second.py)."""
    from . import pipeline  # noqa: PLC0415 - loads the compiler where used
    from .backend.module import emit_module  # noqa: PLC0415 - loads the compiler where used

    parsed, target, names, path = parse_live(fn, wrt, key)
    adjoint, primal, tangent, helpers, helper_tangents = pipeline.second_order_functions(
        parsed, target, fn.__globals__)
    # the helpers' JVPs replace their primals and adjoints: only they are emitted
    nested = pipeline.nested_gradients(parsed, [tangent, *helper_tangents], fn.__globals__)
    source = emit_module([], parsed, _short(path), [], helper_tangents, hvps=[tangent],
                         nested=nested)
    namespace = load_module(source, f"agc-generated/{fn.__qualname__}_hvp.py", fn.__globals__)
    compiled = pipeline.Compiled(source, {fn.__name__: adjoint}, {fn.__name__: primal}, helpers,
                                 helper_tangents=helper_tangents)
    return types.SimpleNamespace(hvp=namespace[f"{fn.__name__}_hvp"], source=source,
                                 tangent=tangent,
                                 stale=staleness_check(constants_read(fn, names, compiled),
                                                       helpers_bound(fn, names, compiled)))


def _array_ranks(fn, key: tuple) -> tuple[tuple[str, int], ...]:
    names = list(inspect.signature(fn).parameters)
    return tuple((n, k) for n, k in zip(names, key) if type(k) is int)


def _params_of_kind(fn, key: tuple, kind: str) -> frozenset[str]:
    names = list(inspect.signature(fn).parameters)
    return frozenset(n for n, k in zip(names, key) if k == kind)


def _short(path: str) -> str:
    return source_name(path)


def scalar_key(args: tuple) -> tuple:
    """What the compiled code may assume of each argument: scalar, tree, or an array's ndim."""
    return tuple([_KINDS.get(type(a)) or getattr(a, "ndim", None) for a in args])
