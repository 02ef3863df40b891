"""Error classes and source locations for every message agc shows a user.

A `UserCodeError` renders as::

    model.py:12:9: error: `print` is not supported in a differentiated function
        y = print(x)
            ^^^^^
    hint: remove the call, or move it outside the function

No Python traceback from inside agc should reach a user for a problem in their
own code: the decorator and the CLI both catch `AgcError` and show `str(err)`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field


@functools.lru_cache(maxsize=16)
def _lines(text: str) -> tuple[str, ...]:
    """A text's lines, split once (emission asks for one line per statement)."""
    return tuple(text.splitlines())


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The text of one source file, shared by all locations inside it."""

    path: str
    text: str = field(repr=False)
    line_offset: int = 0  # added to line numbers (a function cut out of a bigger file)

    def line(self, number: int) -> str:
        """The source line with 1-based file `number`, or '' when out of range."""
        lines = _lines(self.text)
        index = number - 1 - self.line_offset
        return lines[index] if 0 <= index < len(lines) else ""


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a construct is: file, 1-based line, 0-based column, and its width."""

    source: SourceFile | None = field(default=None, compare=False, repr=False)
    line: int = 0
    col: int = 0
    width: int = 1

    @property
    def path(self) -> str:
        """The file name, or '<unknown>'."""
        return self.source.path if self.source else "<unknown>"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col + 1}"

    def marker(self, width: int = 88) -> str | None:
        """`model.py:12:5: z = x @ w + b`: the comment emitted code carries above the
        statements made from this line, its column where the statement starts (None
        without a source)."""
        if self.source is None or self.line <= 0:
            return None
        line = self.source.line(self.line)
        column = len(line) - len(line.lstrip()) + 1
        text = f"{os.path.basename(self.path)}:{self.line}:{column}: {line.strip()}"
        return text if len(text) <= width else text[:width - 3] + "..."


NO_LOC = Loc()


class AgcError(Exception):
    """Base class of every error agc raises on purpose."""


class UsageError(AgcError):
    """The tool or API was called wrongly (bad option, unknown name, missing file)."""


class UserCodeError(AgcError):
    """A problem in the user's code, shown with location, source line, caret and hint."""

    def __init__(self, message: str, loc: Loc = NO_LOC, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.hint = hint

    def __str__(self) -> str:
        parts = [f"{self.loc}: error: {self.message}"]
        if self.loc.source is not None:
            text = self.loc.source.line(self.loc.line)
            if text:
                parts.append("    " + text)
                width = max(1, min(self.loc.width, len(text) - self.loc.col))
                parts.append("    " + " " * self.loc.col + "^" * width)
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


class UnsupportedError(UserCodeError):
    """The user's code uses a construct agc cannot differentiate (yet)."""


class InternalError(AgcError):
    """A broken invariant inside agc (a bug in agc, never in the user's code)."""
