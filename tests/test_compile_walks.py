"""The cheaper walks behind compile time (issue 15, item 4) find what libcst's own did.

`frontend/positions.py` replaces libcst's PositionProvider (and its copy of the tree),
`frontend/tree_walk.py` libcst's visitors where the frontend only reads: every error
position and every name they give must be the ones libcst gives.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import libcst as cst
import pytest
from agc.frontend.inline_bodies import _assignment_counts
from agc.frontend.local_names import function_names
from agc.frontend.positions import node_spans
from agc.frontend.tree_walk import nodes_under
from libcst.metadata import MetadataWrapper, PositionProvider

ROOT = Path(__file__).resolve().parent.parent
TRICKY = (
    "import numpy as np\r\n\r\n"
    "def f(x, *args, k=2, **kw):\r\n"
    "    '''doc\r\n    string'''\r\n"
    "    a, (b, *c) = x, (x, x)\r\n"
    "    if (t := x > 0) and a:\r\n"
    "        y = np.sin(x) ** -a  # comment\r\n"
    "    elif b:\r\n"
    "        y = [v for v in c if v]\r\n"
    "    else:\r\n"
    "        y: float = (x\r\n"
    "                    + 1)\r\n"
    "    for i in range(3):\r\n"
    "        y += i\r\n"
    "    g = lambda q: (w := q)\r\n"
    "    def inner(z):\r\n"
    "        u = z\r\n"
    "        return u\r\n"
    "    return y, x[1:, None, ...], f'{a!r}'\r\n"
)
SOURCES = [TRICKY, (ROOT / "examples" / "class_model.py").read_text(),
           (ROOT / "compiler" / "frontend" / "normalize.py").read_text()]


@pytest.mark.parametrize("source", SOURCES, ids=["tricky", "example", "normalize.py"])
def test_node_spans_are_libcsts_positions(source):
    tree = cst.parse_module(source)
    want = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    got = node_spans(tree)
    assert len(got) == len(want)
    for node, pos in want.items():
        assert got[id(node)] == (pos.start.line, pos.start.column, pos.end.line, pos.end.column)


def test_out_of_recursion_in_the_position_walk_stays_a_recursion_error():
    """A RecursionError (which compiler/deep.py retries with room) must not turn into a
    KeyError for a child whose span was never recorded (it did, at first)."""
    tree = cst.parse_module("x = " + "-" * 200 + "1\n")  # 200 nested UnaryOperations
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 150)
    try:
        with pytest.raises(RecursionError):
            node_spans(tree)
    finally:
        sys.setrecursionlimit(old)


class _Seen(cst.CSTVisitor):
    def __init__(self):
        self.ids: set[int] = set()

    def on_visit(self, node) -> bool:
        self.ids.add(id(node))
        return True


@pytest.mark.parametrize("source", SOURCES, ids=["tricky", "example", "normalize.py"])
def test_nodes_under_reaches_every_node_a_visitor_visits(source):
    tree = cst.parse_module(source)
    seen = _Seen()
    tree.visit(seen)
    assert {id(node) for node in nodes_under(tree)} == seen.ids


def test_names_and_assignment_counts_of_a_function():
    fn = next(s for s in cst.parse_module(TRICKY).body if isinstance(s, cst.FunctionDef))
    assigned, every = function_names(fn)
    assert assigned == {"x", "args", "k", "kw", "a", "b", "c", "t", "y", "i", "g", "w",
                        "z", "u", "q"}
    assert {"np", "sin", "range", "inner", "v", "c", "f"} <= every
    # a nested def binds its name only, a lambda nothing outside; a comprehension's `v`
    # is renamed where it is lowered; `*c` counts
    assert _assignment_counts(fn.body) == {"a": 1, "b": 1, "c": 1, "t": 1, "y": 4, "i": 1,
                                           "g": 1, "inner": 1}
