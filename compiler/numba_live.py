"""Loading code emitted for the numba target, and numba's errors at its first call.

numba's `cache=True` keeps machine code next to a real source file, so the
decorator writes the emitted module to a file named by a hash of its text
(under `AGC_CACHE_DIR`, by default `~/.cache/agc/numba`): a second process
compiling the same model finds numba's cache there and skips compiling.

numba types a function at its first call; what it cannot type (a numpy call
numba lacks, an array of another dtype on the tape) is raised there as numba's
TypingError. `first_call_errors` turns that into agc's positioned error at the
model line the failing emitted line comes from, with the hint to use the
numpy target.

`direct_dispatcher` is the short call path of a numba gradient (fast_calls.py):
a second dispatcher of the emitted entry that never compiles, holding the
machine code the first compiled for the calls agc checked.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import linecache
import os
import re
import sys
import threading
import traceback
import types
import warnings
from pathlib import Path

import numpy

from .errors import NO_LOC, UnsupportedError
from .runtime.wide_floats import float32_in_float64

_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_MARKER = re.compile(r"^\s*# (?P<where>[^:\s]+:\d+:\d+): ")
HINT = "the numba target covers numbers and float arrays of fixed rank; use target='numpy'"


def cache_dir() -> Path:
    """Where emitted numba modules (and numba's cache of them) live."""
    root = os.environ.get("AGC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache",
                                                            "agc")
    return Path(root) / "numba"


def load_numba(source: str, qualname: str, user_globals: dict, loc=NO_LOC) -> dict:
    """Execute a numba-target module from a file of its own, as a module registered in
    sys.modules under a name made from its text: numba's cache=True pickles references to
    the module by name, and a second process loading the same text finds it again. `loc`
    (the model function's) positions a refusal."""
    frozen = _frozen_globals(source, user_globals, loc)
    digest = hashlib.sha256((source + repr(frozen) + _helpers_digest()).encode()).hexdigest()[:16]
    name = f"agc_numba_{re.sub(r'[^A-Za-z0-9_]', '_', qualname)}_{digest}"
    path = cache_dir() / f"{name}.py"
    if not path.exists():  # the same text keeps its file, so numba's cache stays valid
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)
    module = sys.modules.get(name)
    if module is None:
        module = types.ModuleType(name)
        module.__dict__.update({k: v for k, v in user_globals.items() if not k.startswith("__")})
        module.__file__ = str(path)
        sys.modules[name] = module
        linecache.cache[str(path)] = (len(source), None, source.splitlines(True), str(path))
        exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102 - agc's own code
    return module.__dict__


@functools.cache
def _helpers_digest() -> str:
    """A hash of runtime/numba_helpers.py, numba_matmul.py, numba_more.py and numba_stack.py (the
    helpers' and the tape's overloads): numba's cache of an emitted module checks only
    that module's file, and would keep machine code built from older helpers (a changed agc then ran the old unbroadcast); naming
    the file by them compiles afresh instead."""
    digest = hashlib.sha256()
    for name in ("numba_helpers", "numba_matmul", "numba_more", "numba_stack"):
        digest.update(Path(importlib.util.find_spec(f"agc.runtime.{name}").origin).read_bytes())
    return digest.hexdigest()


def _frozen_globals(source: str, user_globals: dict, loc) -> list:
    """The module-level numbers the emitted functions read, as (name, value): numba
    compiles them in as constants, so they name the module file (a changed value compiles
    again). A module-level array, list or dict would be frozen too, and a later write
    into it silently ignored: refused."""
    names: set[str] = set()
    codes = [compile(source, "<numba target>", "exec")]
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    frozen = []
    for name in sorted(names & set(user_globals)):
        value = user_globals[name]
        if isinstance(value, (bool, int, float, complex, numpy.number)):
            frozen.append((name, repr(value)))
        elif isinstance(value, (numpy.ndarray, list, dict, tuple, set)):
            raise UnsupportedError(
                f"the model reads the module-level {type(value).__name__} {name}: numba "
                f"compiles it in as a constant, so a later change to it would be ignored",
                loc, hint=f"pass {name} as a parameter, or use target='numpy'")
    return frozen + _module_numbers(source)


def _module_numbers(source: str) -> list:
    """The numbers the emitted functions read as `lib.NAME` from an imported module (a
    helper's constants), as (lib.NAME, value): numba compiles them in too, so they name
    the module file; a rebound `lib.RATE` ran the machine code built with the old value."""
    read = []
    for module in sorted(set(re.findall(r"^import (\w+)$", source, re.MULTILINE))):
        values = vars(sys.modules[module]) if module in sys.modules else {}
        for name in sorted(set(re.findall(rf"\b{module}\.(\w+)", source))):
            value = values.get(name)
            if isinstance(value, (bool, int, float, complex, numpy.number)):
                read.append((f"{module}.{name}", repr(value)))
    return read


def entries(namespace: dict, names: tuple[str, str], source: str, locs: dict,
            at: tuple[int, ...], retry=None) -> tuple:
    """The loaded (value_and_grad, grad) of a numba-target module, numba's errors turned
    into agc's, as called with no float32 argument and as called with any; `locs`: the
    model-line comments' Locs (backend.numba_target.model_locs); `at`: the positions of
    the wrt parameters; `retry()` (target="auto") compiles the numpy target's instead."""
    fallbacks = (lambda: retry().value_and_grad, lambda: retry().grad) if retry else (None, None)
    direct = tuple(first_call_errors(namespace[name], source, locs, namespace["numba"],
                                     fallback) for name, fallback in zip(names, fallbacks))
    return direct, tuple(float32_in_float64(fn, at, vg) for fn, vg in zip(direct, (True, False)))


def first_call_errors(fn, source: str, locs: dict, numba, fallback=None):
    """`fn` (a numba dispatcher), raising agc's positioned UnsupportedError where numba
    cannot compile it for the arguments given (`numba`: the module, as the emitted code
    imported it; agc imports numba only where the numba target is used). With
    `fallback` (target="auto"), warns instead and calls `fallback()`'s function from then on."""
    errors = numba.core.errors.NumbaError
    current = [fn]

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return current[0](*args, **kwargs)
        except Exception as err:
            if not isinstance(err, errors) and not _numba_refused(err):
                raise  # the model's own assert, at run time
            refusal = numba_refusal(err, source, locs)
            if fallback is None:
                raise refusal from None
            warnings.warn(f"agc: target='auto' falls back to numpy: {refusal}", stacklevel=2)
            current[0] = fallback()
            return current[0](*args, **kwargs)
    call.dispatcher = fn if fallback is None else None  # auto may swap it: always through call
    return call


def direct_dispatcher(inner, full):
    """A numba dispatcher of `inner`'s function that runs the machine code given to it
    (`add_machine_code`) for exactly the argument types it was compiled for, picked by
    numba's dispatch in C, and calls `full(*args)` for any other types instead of
    compiling: numba would compile float32, integer or other-rank arguments as they
    come, where agc's full path widens, refuses or compiles other code for them."""
    py = inner.py_func  # without its defaults: numba refuses another count of arguments
    bare = types.FunctionType(py.__code__, py.__globals__, py.__name__, None, py.__closure__)
    outer = type(inner)(bare, targetoptions=dict(inner.targetoptions))
    # numba's dispatch calls this where it has no code for the types, then calls what it
    # returns with the arguments (numba/_dispatcher.cpp, compile_and_invoke)
    outer._compile_for_args = lambda *args, **kwargs: full
    return outer


def add_machine_code(outer, inner) -> None:
    """Give `outer` (a `direct_dispatcher`) the machine code `inner` has that it lacks."""
    with _ADDING:  # two threads adding the same types would leave numba two equal matches
        for types_, compiled in list(inner.overloads.items()):
            if types_ not in outer.overloads:
                outer.add_overload(compiled)


_ADDING = threading.Lock()


def _numba_refused(err: Exception) -> bool:
    """Whether an error other than numba's own comes from numba compiling (an assertion
    or an AttributeError inside its passes, an UnsupportedBytecodeError, which is no
    NumbaError) or from a feature numba's nopython code lacks (NotImplementedError); the
    model's own errors at run time (ValueError, its asserts) pass through."""
    if isinstance(err, NotImplementedError):
        return True
    frames = traceback.extract_tb(err.__traceback__)
    return any(f.name == "_compile_for_args" for f in frames)


def numba_refusal(err: Exception, source: str, locs: dict) -> UnsupportedError:
    """numba's error as agc's: the model line of the deepest emitted line it names."""
    first = str(err).strip().splitlines()
    what = next((line for line in first if line and not line.startswith("Failed in")), "")
    lines = source.splitlines()
    loc = None
    for match in _LINE.finditer(str(err)):
        number = int(match["line"])
        where = _marker_above(lines, number)
        if where is not None and where in locs:
            loc = locs[where]
    return UnsupportedError(f"numba cannot compile this for the numba target: {what.strip()}",
                            loc if loc is not None else NO_LOC, HINT)


def _marker_above(lines: list[str], number: int) -> str | None:
    """The model-line comment nearest above emitted line `number` (1-based)."""
    for text in reversed(lines[:number]):
        if _MARKER.match(text):
            return text.strip()[2:]
    return None
