"""A model file parsed once: the libcst module, node positions and top-level functions."""

from __future__ import annotations

import ast

import libcst as cst

from ..errors import Loc, SourceFile, UserCodeError
from .positions import node_spans
from .resolve import Names


class ParsedModule:
    """A model file parsed once: libcst module, positions and its top-level names."""

    def __init__(self, source: SourceFile, names: Names):
        try:
            tree = cst.parse_module(source.text)
        except cst.ParserSyntaxError as err:
            raise _syntax_error(source, err) from None
        self.tree = tree
        self.spans = node_spans(tree)  # id(node) -> (line, column, end line, end column)
        self.source = source
        self.names = names
        # the globals of the live function it was read from (decorator mode), else None
        self.live_globals: dict | None = None
        self.method = None  # a MethodInfo when all its functions are methods of a class
        self.method_of: dict = {}  # function name -> MethodInfo (class methods of a file)
        self.functions = {s.name.value: s for s in self.tree.body if isinstance(s, cst.FunctionDef)}
        # (first line, where): the lines from there on are text agc wrote, not the file's
        # (compiler/seeded.py's f_seeded), all located where the model asks for it
        self.written_at: tuple[int, Loc] | None = None

    def loc(self, node: cst.CSTNode) -> Loc:
        """The location of a node of this module."""
        span = self.spans.get(id(node))
        if span is None:
            return Loc(self.source, self.source.line_offset + 1, 0, 1)
        line, column, end_line, end_column = span
        if self.written_at is not None and line + self.source.line_offset >= self.written_at[0]:
            return self.written_at[1]
        width = end_column - column if end_line == line else 1
        return Loc(self.source, line + self.source.line_offset, column, max(1, width))

    def holds(self, node: cst.CSTNode) -> bool:
        """Whether `node` is a node of this module (not one built while lowering)."""
        return id(node) in self.spans


def _syntax_error(source: SourceFile, err: cst.ParserSyntaxError) -> UserCodeError:
    """A syntax error located where Python's own parser puts it (libcst's is often later)."""
    line, col, message = err.raw_line, err.raw_column, err.message
    try:
        ast.parse(source.text)
    except SyntaxError as py_err:
        line, col, message = py_err.lineno or line, max(0, (py_err.offset or 1) - 1), py_err.msg
    loc = Loc(source, line + source.line_offset, col, 1)
    return UserCodeError(f"syntax error: {message}", loc, "fix the syntax; Python itself rejects it")
