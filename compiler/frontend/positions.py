"""Source positions of every node of a parsed module, as libcst's PositionProvider gives them.

libcst's provider copies the whole tree (MetadataWrapper), builds two frozen dataclasses per
node, splits every token with a regular expression and hashes nodes through a Python
`__hash__`: about 60% of parsing a long model. This is the same code-generation walk with
the same rules (a node's syntactic position where libcst records one, else the span of its
code), kept as plain tuples keyed by `id(node)`. The spans hold on to every node they
name, so an id never comes to name another node.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.internal import CodegenState

# a node's (start line, start column, end line, end column); lines 1-based, columns 0-based
Span = tuple[int, int, int, int]


class _Recorded:
    """The context of libcst's `record_syntactic_position`: the span of what it wraps,
    its start or end taken from a child's where libcst says so (a block's last statement)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(self, state, node, start_node, end_node):
        self.state, self.node = state, node
        self.start_node, self.end_node = start_node, end_node

    def __enter__(self):
        self.start = (self.state.line, self.state.column)

    def __exit__(self, kind, error, trace):
        if kind is not None:  # out of recursion, say: with_room retries; record nothing
            return False
        state, spans = self.state, self.state.spans
        start = spans[id(self.start_node)][:2] if self.start_node is not None else self.start
        end = spans[id(self.end_node)][2:] if self.end_node is not None else (state.line,
                                                                            state.column)
        spans[id(self.node)] = (*start, *end)
        spans.nodes.append(self.node)
        return False


class Spans(dict):
    """id(node) -> the node's Span; `nodes` keeps those nodes alive."""

    def __init__(self):
        super().__init__()
        self.nodes: list[cst.CSTNode] = []


class _PositionState(CodegenState):
    """libcst's code generation, counting lines and columns as it goes."""

    def __init__(self, module: cst.Module):
        super().__init__(default_indent=module.default_indent,
                         default_newline=module.default_newline)
        self.line, self.column = 1, 0
        self.stack: list[tuple[int, int]] = []
        self.spans = Spans()

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        # the same line breaks as libcst's NEWLINE_RE (\r\n, \r, \n)
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.line += len(lines) - 1
        self.column = len(lines[-1])

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.stack.pop()
        if id(node) not in self.spans:  # a syntactic position recorded inside wins
            self.spans[id(node)] = (*start, self.line, self.column)
            self.spans.nodes.append(node)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None) -> _Recorded:
        return _Recorded(self, node, start_node, end_node)


def node_spans(module: cst.Module) -> Spans:
    """id(node) -> the node's span, for every node of `module` (libcst's PositionProvider)."""
    state = _PositionState(module)
    module._codegen(state)
    return state.spans
