"""The numba target's emitted module kept on disk, so that a later process skips compiling.

A second process calling `agc.grad(f, target="numba")` on an unchanged model
would parse it with libcst, differentiate it and emit the same text again
before numba loads its cached machine code. This module keeps, under
`AGC_CACHE_DIR` (beside the emitted modules, see numba_live.cache_dir), what
that call needs: the emitted text, the names of its entry points, the wrt
names and their positions, the model-line locations of its refusals.

An entry is found under a hash of what decides the compile: agc's own files
(their sizes and times: a changed agc compiles again), Python's and numpy's
versions, the model's source text and position, its qualified name, the kinds
of the arguments, wrt and has_aux (a closure, whose cells its text does not
show, and a process with custom derivative rules are not cached). It is used only when it still holds: every file the model and its
helpers were read from has the bytes it had (a changed helper compiles
again), and every module constant the compiler read has its value (numbers
and strings only; a model reading another kind is not kept), and every helper
name is still bound to the function of that file and line. A file that
cannot be read back (partial, corrupt, another format) counts as absent and
is written again; files are written to a temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import types
from pathlib import Path

import numpy

from . import numba_live
from .runtime.arrays import checking_arguments
from .staleness import staleness_check

_FORMAT = 2  # bumped when an entry's fields change
_PLAIN = (bool, int, float, complex, str, type(None))  # constants kept by value
_AGC = Path(__file__).resolve().parent  # compiler/ (agc) and runtime/ (agc.runtime)
_STAMP: list[str] = []


def rules_changed() -> int:
    """How many derivative rules or emitters were registered since agc's own (0 while the
    compiler is not loaded): a custom rule changes what is emitted."""
    registry = sys.modules.get("agc.primitives.registry")
    return 0 if registry is None else registry.generation() - registry.BUILTIN[0]


def _agc_stamp() -> str:
    """A hash of agc's source files' names, sizes and modification times (once a process)."""
    if not _STAMP:
        runtime = sys.modules["agc.runtime"].__file__
        files = sorted([*_AGC.rglob("*.py"), *Path(runtime).resolve().parent.rglob("*.py")])
        parts = [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
        _STAMP.append(hashlib.sha256("\n".join(parts).encode()).hexdigest())
    return _STAMP[0]


def entry_path(fn, source: tuple[str, str, int], wrt, key: tuple, has_aux: bool) -> Path:
    """Where the entry for compiling `fn` (its `source`: text, file, line offset) lives."""
    parts = (_FORMAT, _agc_stamp(), sys.version, numpy.__version__, fn.__module__,
             fn.__qualname__, source, wrt, key, has_aux)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
    return numba_live.cache_dir() / "emitted" / f"{digest}.pickle"


def load(path: Path, fn) -> dict | None:
    """The entry at `path` if it is still valid for `fn`, with "stale" (the staleness check
    of the constants it read) added; None when absent, unreadable or outdated."""
    try:
        entry = pickle.loads(path.read_bytes())  # agc's own cache directory
        if entry.get("format") != _FORMAT:
            return None
        for file, digest in entry["files"]:
            if _file_digest(file) != digest:
                return None
        read = []
        for module, name, value in entry["constants"]:
            where = fn.__globals__ if module is None else vars(sys.modules[module])
            now = where.get(name, _plain)
            if type(now) is not type(value) or now != value:
                return None
            read.append((where, name, value))
        bound = []
        for module, name, defined in entry["helpers"]:
            where = fn.__globals__ if module is None else vars(sys.modules[module])
            now = where.get(name, _plain)
            if _defined_at(now) != defined:  # a helper defined again: compile
                return None
            bound.append((where, name, now))
    except Exception:  # noqa: BLE001 - a partial or corrupt file, a module not loaded: compile
        return None
    return {**entry, "stale": staleness_check(read, bound)}


def _defined_at(func) -> tuple | None:
    """(file, first line, name) of a helper's code (a decorated one's function's); a
    library function without Python code (`act = np.tanh`, a ufunc) by its names."""
    code = getattr(getattr(func, "fn", func), "__code__", None)
    if code is not None:
        return code.co_filename, code.co_firstlineno, code.co_name
    if not callable(func):
        return None
    return "", getattr(func, "__module__", None) or "", getattr(func, "__qualname__", "")


def store(path: Path, fn, entry: dict, compiled, constants: list, helpers: list = ()) -> None:
    """Write `entry` (what loading the emitted module needs) with what decides whether it
    still holds: the files of `compiled`'s model and helpers, the `constants` read
    (staleness.constants_read's triples). Nothing is written where one of those cannot be
    checked in a later process (a file-less helper, a constant that is no number)."""
    files = {h.home.source.path for h in [*compiled.helpers, *compiled.helper_tangents]}
    files.add(fn.__code__.co_filename)
    kept = []
    for where, name, value in constants:
        module = None if where is fn.__globals__ else where.get("__name__")
        if type(value) not in _PLAIN or (module is not None and vars(
                sys.modules.get(module, _plain)) is not where):
            return
        kept.append((module, name, value))
    named = []  # the helpers by where they are defined: one defined again is another
    for where, name, func in helpers:
        module = None if where is fn.__globals__ else where.get("__name__")
        if _defined_at(func) is None or (module is not None and vars(
                sys.modules.get(module, _plain)) is not where):
            return
        named.append((module, name, _defined_at(func)))
    digests = [(file, _file_digest(file)) for file in sorted(files)]
    if any(digest is None for _, digest in digests):
        return
    data = pickle.dumps({**entry, "format": _FORMAT, "files": digests, "constants": kept,
                         "helpers": named})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a reader sees the old file or the whole new one


def _file_digest(file: str) -> str | None:
    """The hash of a file's bytes (None where it is no readable file: a notebook cell)."""
    try:
        return hashlib.sha256(Path(file).read_bytes()).hexdigest()
    except OSError:
        return None


class FromDisk(types.SimpleNamespace):
    """A numba-target gradient loaded from the disk cache: what calls need; the rest
    (the adjoint's IR for graph, tape_report, Jacobians) compiled when first asked for."""

    def __getattr__(self, name: str):
        if name.startswith("__") or "_full" not in self.__dict__:
            raise AttributeError(name)
        full = self.__dict__.pop("_full")()
        self.__dict__.update({k: v for k, v in vars(full).items() if k not in self.__dict__})
        return getattr(self, name)


def loaded(fn, entry: dict, full) -> types.SimpleNamespace:
    """The compiled gradient from a disk-cache entry, as api.compile_function returns it;
    `full()` compiles it for what the entry lacks."""
    namespace = numba_live.load_numba(entry["source"], entry["name"], fn.__globals__,
                                      entry["loc"])
    direct, entries = numba_live.entries(namespace, entry["names"], entry["source"],
                                         entry["locs"], entry["at"])
    wrt, at = entry["wrt"], entry["at"]
    return FromDisk(value_and_grad=checking_arguments(entries[0], wrt, at),
                    grad=checking_arguments(entries[1], wrt, at), direct=direct,
                    direct_float32=entries, source=entry["source"], namespace=namespace,
                    seed_name=entry["seed_name"], stale=entry["stale"], _full=full)


class _Plain:
    """Stands for a missing global (never equal to a kept constant)."""


_plain = _Plain()
