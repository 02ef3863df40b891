"""A read-only walk of a libcst tree, without libcst's visitor machinery.

libcst's `node.visit(visitor)` is a transform: it rebuilds every node it passes (and
validates it) even for a visitor that changes nothing, and recurses once per level.
`nodes_under` reads the nodes' fields instead: the same nodes (in an order of its own),
a fraction of the time, and no recursion limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}  # node class -> its field names

# the statements and expressions whose `target` binds names
BINDERS = (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def nodes_under(node: cst.CSTNode, stop: tuple[type, ...] = ()) -> Iterator[cst.CSTNode]:
    """`node` and every node under it, except under a node of a `stop` class (which comes,
    as a CSTVisitor whose visit_X returns False sees it). The order is not source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if stop and isinstance(current, stop):
            continue
        for name in _fields(type(current)):
            value = getattr(current, name)
            if isinstance(value, cst.CSTNode):
                stack.append(value)
            elif isinstance(value, (tuple, list)):
                stack.extend(item for item in value if isinstance(item, cst.CSTNode))
