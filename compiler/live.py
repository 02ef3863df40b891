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

from .errors import UsageError


def function_source(fn) -> tuple[str, str, int]:
    """(source text, file name, line offset) of a function, dedented."""
    try:
        lines, start = inspect.getsourcelines(fn)
    except (OSError, TypeError) as err:
        raise UsageError(f"cannot read the source of {fn.__name__}: {err}") from None
    path = inspect.getsourcefile(fn) or inspect.getfile(fn)
    return textwrap.dedent("".join(lines)), path, max(0, start - 1)


def load_module(source: str, filename: str, user_globals: dict) -> dict:
    """Execute emitted source as a module; linecache makes tracebacks show it."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {k: v for k, v in user_globals.items() if not k.startswith("__")}
    namespace["__name__"] = "agc_generated"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - agc's own emitted code
    return namespace
