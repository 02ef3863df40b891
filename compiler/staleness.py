"""Whether a compiled function is stale: a module-level constant it read, or a helper
it called, was rebound.

Python reads globals when a function runs; emitted code holds the values (and the
helpers' code) it was compiled with, so the decorator compiles again when one of them
changed.
"""

from __future__ import annotations

import sys


def constants_read(fn, names, compiled) -> list[tuple[dict, str, object]]:
    """(module globals, name, value) of every module-level constant the compiled code read."""
    read = [(fn.__globals__, name, _snapshot(names, name)) for name in sorted(names.read)]
    for helper in [*compiled.helpers, *compiled.helper_tangents]:
        home = helper.home  # a helper parsed on its own has names (and reads) of its own
        if home.names is not names:
            where = home.live_globals if home.live_globals is not None else fn.__globals__
            read += [(where, name, _snapshot(home.names, name)) for name in sorted(home.names.read)]
    return read


def helpers_bound(fn, names, compiled) -> list[tuple[dict, str, object]]:
    """(module globals, name, function) of every helper the compile found by name there:
    redefined later (a notebook cell run again), the emitted code would run the old one."""
    bound = [(fn.__globals__, name, func) for name, func in sorted(names.functions_read.items())]
    bound += _attributes_bound(names)
    for helper in [*compiled.helpers, *compiled.helper_tangents]:
        home = helper.home
        if home.names is not names and home.live_globals is not None:
            bound += [(home.live_globals, name, func)
                      for name, func in sorted(home.names.functions_read.items())]
            bound += _attributes_bound(home.names)
    return bound


def _attributes_bound(names) -> list[tuple[dict, str, object]]:
    """(module globals, name, function) of each helper called as `lib.h(x)`: the module's
    attribute rebound (`lib.h = other`, the module reloaded) means compiling again."""
    return [(vars(sys.modules[module]), name, func)
            for (module, name), func in sorted(names.attributes_read.items())
            if module in sys.modules]


def _snapshot(names, name: str):
    """What a read constant is now: numbers by value, containers copied, arrays by identity."""
    if name in names.constants:
        return names.constants[name]
    return _copy_tree(names.values[name])


def _copy_tree(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_tree(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    return value


def _unchanged(now, then) -> bool:
    """`now` is still `then`: the same array object (in-place writes are read at call time),
    equal numbers of the same type, containers equal leaf by leaf (an appended item, a
    rebound entry or a changed shape means compiling again)."""
    if now is then:
        return True
    if type(now) is not type(then):
        return False
    if isinstance(then, (list, tuple)):
        return len(now) == len(then) and all(map(_unchanged, now, then))
    if isinstance(then, dict):
        return now.keys() == then.keys() and all(_unchanged(now[k], then[k]) for k in then)
    if isinstance(then, (int, float)):
        return now == then
    return False


_MISSING = object()


def staleness_check(read: list[tuple[dict, str, object]], bound: list = ()):
    """A function telling whether a constant the code was compiled with (`read`), or a
    helper it called (`bound`: helpers_bound's triples), has been rebound.

    Python reads globals when a function runs; the emitted code holds the values
    it was compiled with, so a rebound constant or helper means compiling again.
    """
    if not read and not bound:
        return _never

    def stale() -> bool:
        for glob, name, func in bound:
            if glob.get(name, _MISSING) is not func:
                return True
        for glob, name, value in read:
            if not _unchanged(glob.get(name, _MISSING), value):
                return True
        return False

    stale.helpers_only, stale.bound = not read, tuple(bound)
    return stale


def _never() -> bool:
    return False


def never_stale(check) -> bool:
    """Whether a staleness check is the one of a model that reads no module constant
    and calls no helper."""
    return check is _never


def helpers_only(check) -> bool:
    """Whether a staleness check watches only helpers (no constant): cheap enough to ask
    on every call of a short path (a few identity tests)."""
    return getattr(check, "helpers_only", False)
