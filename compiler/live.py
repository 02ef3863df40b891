"""Live functions and the code emitted for them.

Reading a live function's source (the decorator's case: `inspect`, not a
file read as text) and executing an emitted module beside a function's
globals. Shared by api (compiling a decorated function), pipeline (helpers
called from it) and backend.tape_report (the recording forward sweep).
"""

from __future__ import annotations

import inspect
import linecache
import textwrap
import types

from .errors import UsageError


def check_readable(fn) -> None:
    """A UsageError, saying what to write instead, unless fn is a `def` function agc can read."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if isinstance(fn, types.FunctionType) and name == "<lambda>":
        raise UsageError("agc differentiates functions written with `def`: a lambda has no "
                         "source of its own to compile. Write `def f(x): return ...` (a lambda "
                         "inside a model, or passed to a helper, is fine)")
    if not isinstance(fn, types.FunctionType):
        library = getattr(type(fn), "__module__", "") or ""
        raise UsageError(
            f"{name} ({type(fn).__name__}{' of ' + library if library != 'builtins' else ''}) "
            f"is not a Python function agc can read: agc differentiates your own `def` "
            f"functions. Call it from one: `def f(x): return {name}(x)`")


def function_source(fn) -> tuple[str, str, int]:
    """(source text, file name, line offset) of a function, dedented."""
    try:
        lines, start = inspect.getsourcelines(fn)
    except (OSError, TypeError) as err:
        raise UsageError(
            f"cannot read the source of {fn.__name__} ({err}): agc reads a function's source "
            f"code, which Python keeps for functions in files and notebook cells but not for "
            f"functions typed at an interactive prompt or made with exec(). Put it in a file "
            f"(or a notebook cell) and import it") from None
    path = inspect.getsourcefile(fn) or inspect.getfile(fn)
    return textwrap.dedent("".join(lines)), path, max(0, start - 1)


def load_module(source: str, filename: str, user_globals: dict) -> dict:
    """Execute emitted source as a module; linecache makes tracebacks show it."""
    namespace = {k: v for k, v in user_globals.items() if not k.startswith("__")}
    namespace["__name__"] = "agc_generated"
    load_into(source, filename, namespace)
    return namespace


def load_into(source: str, filename: str, namespace: dict) -> None:
    """Execute emitted source in `namespace` (an emitted module's: a function added to it)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - agc's own emitted code
