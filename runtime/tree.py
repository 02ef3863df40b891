"""Minimal pytrees: nested dict / list / tuple containers whose leaves are arrays or scalars.

Containers are ``dict`` (any subclass is rebuilt as a plain dict), ``list``, ``tuple`` and
namedtuples. ``None`` is an empty container: it has no leaves and maps to ``None``.
Everything else (numpy / cupy arrays, Python and numpy scalars, ...) is a leaf.

Two dicts have the same structure when they have the same *set* of keys, like ``==`` on
dicts; results follow the key order of the first tree. Error messages name the place
with Python indexing syntax, e.g. ``params['W1'][0]``.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "TreeDef",
    "tree_add",
    "tree_flatten",
    "tree_leaves",
    "tree_leaves_with_path",
    "tree_map",
    "tree_structure_equal",
    "tree_unflatten",
    "tree_zeros_like",
]


@dataclass(frozen=True)
class TreeDef:
    """Hashable description of a pytree's containers, without its leaves."""

    kind: str  # "leaf", "none", "dict", "list", "tuple" or "namedtuple"
    meta: Any = None  # dict keys (a tuple) or the namedtuple class
    children: tuple = ()

    @property
    def num_leaves(self) -> int:
        """How many leaves a tree of this structure holds."""
        if self.kind == "leaf":
            return 1
        return sum(child.num_leaves for child in self.children)


def _kind(node: Any) -> str:
    """The container kind of `node`, or "leaf"."""
    if node is None:
        return "none"
    if isinstance(node, dict):
        return "dict"
    if isinstance(node, list):
        return "list"
    if isinstance(node, tuple):
        return "namedtuple" if hasattr(type(node), "_fields") else "tuple"
    return "leaf"


def _items(node: Any, kind: str) -> list[tuple[str, Any]]:
    """(path step, child) pairs of a container, in its own order."""
    if kind == "dict":
        return [(f"[{key!r}]", value) for key, value in node.items()]
    if kind == "namedtuple":
        return [(f".{field}", value) for field, value in zip(node._fields, node)]
    if kind in ("list", "tuple"):
        return [(f"[{i}]", value) for i, value in enumerate(node)]
    return []


def _rebuild(kind: str, meta: Any, values: Sequence[Any]) -> Any:
    """A container of `kind` holding `values` (dict keys / namedtuple class from `meta`)."""
    if kind == "dict":
        return dict(zip(meta, values))
    if kind == "list":
        return list(values)
    if kind == "tuple":
        return tuple(values)
    if kind == "namedtuple":
        return meta(*values)
    return None


def _meta(node: Any, kind: str) -> Any:
    """What besides the children is needed to rebuild `node`."""
    if kind == "dict":
        return tuple(node)
    if kind == "namedtuple":
        return type(node)
    return None


def tree_flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """Split `tree` into its leaves (depth first, container order) and its structure."""
    leaves: list[Any] = []

    def walk(node: Any) -> TreeDef:
        kind = _kind(node)
        if kind == "leaf":
            leaves.append(node)
            return TreeDef("leaf")
        children = tuple(walk(child) for _, child in _items(node, kind))
        return TreeDef(kind, _meta(node, kind), children)

    treedef = walk(tree)
    return leaves, treedef


def tree_unflatten(treedef: TreeDef, leaves: Sequence[Any]) -> Any:
    """Inverse of `tree_flatten`: put `leaves` back into the structure `treedef`."""
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(
            f"structure holds {treedef.num_leaves} leaves but {len(leaves)} were given")
    position = iter(leaves)

    def build(node: TreeDef) -> Any:
        if node.kind == "leaf":
            return next(position)
        return _rebuild(node.kind, node.meta, [build(child) for child in node.children])

    return build(treedef)


def tree_leaves(tree: Any) -> list[Any]:
    """The leaves of `tree`, depth first in container order (dict insertion order)."""
    return tree_flatten(tree)[0]


def tree_leaves_with_path(tree: Any) -> list[tuple[str, Any]]:
    """(path, leaf) pairs of `tree`; a path reads like indexing, e.g. "['W1'][0]"."""
    pairs: list[tuple[str, Any]] = []

    def walk(node: Any, path: str) -> None:
        kind = _kind(node)
        if kind == "leaf":
            pairs.append((path, node))
            return
        for step, child in _items(node, kind):
            walk(child, path + step)

    walk(tree, "")
    return pairs


def _describe(node: Any) -> str:
    """Short human description of a node, for structure-mismatch messages."""
    kind = _kind(node)
    if kind == "dict":
        return f"a dict with keys {list(node)!r}"
    if kind in ("list", "tuple"):
        return f"a {kind} of {len(node)} items"
    if kind == "namedtuple":
        return f"a {type(node).__name__} namedtuple"
    if kind == "none":
        return "None"
    return f"a leaf of type {type(node).__name__}"


def _node_mismatch(a: Any, b: Any) -> bool:
    """True when the top-level containers of `a` and `b` differ (children not inspected)."""
    kind = _kind(a)
    if kind != _kind(b):
        return True
    if kind == "dict":
        return set(a) != set(b)
    if kind == "namedtuple":
        return type(a) is not type(b)
    if kind in ("list", "tuple"):
        return len(a) != len(b)
    return False


def _first_mismatch(a: Any, b: Any, path: str) -> tuple[str, Any, Any] | None:
    """(path, node in a, node in b) of the first place where the structures differ, or None."""
    if _node_mismatch(a, b):
        return path, a, b
    kind = _kind(a)
    if kind == "dict":
        children = [(f"[{key!r}]", a[key], b[key]) for key in a]
    else:
        children = [(step, child, b_child)
                    for (step, child), (_, b_child) in zip(_items(a, kind), _items(b, kind))]
    for step, a_child, b_child in children:
        found = _first_mismatch(a_child, b_child, path + step)
        if found is not None:
            return found
    return None


def tree_structure_equal(a: Any, b: Any) -> bool:
    """True when `a` and `b` have the same containers (dict key order ignored)."""
    return _first_mismatch(a, b, "") is None


def _check_same_structure(trees: Sequence[Any], names: Sequence[str]) -> None:
    """Raise TypeError naming the first path where any tree differs from the first one."""
    for tree, name in zip(trees[1:], names[1:]):
        found = _first_mismatch(trees[0], tree, "")
        if found is not None:
            path, mine, theirs = found
            raise TypeError(
                f"pytree structures differ at {names[0]}{path}: {names[0]}{path} is "
                f"{_describe(mine)} but {name}{path} is {_describe(theirs)}"
            )


def _root_names(count: int, names: Sequence[str] | None) -> list[str]:
    """Names used for each tree in messages: the given ones or tree, rest[0], rest[1], ..."""
    if names is None:
        return ["tree"] + [f"rest[{i}]" for i in range(count - 1)]
    if len(names) != count:
        raise ValueError(f"got {len(names)} names for {count} trees")
    return list(names)


def _map_with_path(fn: Callable[..., Any], trees: Sequence[Any], path: str) -> Any:
    """Apply fn(path, *leaves) over trees already known to share one structure."""
    first = trees[0]
    kind = _kind(first)
    if kind == "leaf":
        return fn(path, *trees)
    if kind == "dict":
        # Look the other trees up by key so differently ordered dicts still line up.
        values = [_map_with_path(fn, [tree[key] for tree in trees], f"{path}[{key!r}]")
                  for key in first]
    else:
        columns = [_items(tree, kind) for tree in trees]
        values = [_map_with_path(fn, [column[i][1] for column in columns], path + step)
                  for i, (step, _) in enumerate(columns[0])]
    return _rebuild(kind, _meta(first, kind), values)


def tree_map(fn: Callable[..., Any], tree: Any, *rest: Any,
             names: Sequence[str] | None = None) -> Any:
    """New tree of `tree`'s structure with fn(leaf, *matching leaves of rest) at each leaf.

    `rest` must have the same structure as `tree` (else TypeError naming the path);
    `names` labels each tree in that message (default: tree, rest[0], ...).
    """
    trees = (tree, *rest)
    _check_same_structure(trees, _root_names(len(trees), names))
    return _map_with_path(lambda _path, *leaves: fn(*leaves), trees, "")


def _zeros_like(path: str, leaf: Any) -> Any:
    """A zero of the same type / shape / dtype / device as `leaf`."""
    if isinstance(leaf, (numbers.Number, np.bool_)):
        return type(leaf)(0)
    if hasattr(leaf, "shape") and hasattr(leaf, "fill") and hasattr(leaf, "copy"):
        # copy+fill works for numpy and cupy alike without knowing the array module.
        zeros = leaf.copy()
        zeros.fill(0)
        return zeros
    raise TypeError(f"cannot make a zero for the leaf at tree{path} of type {type(leaf).__name__}")


def tree_zeros_like(tree: Any) -> Any:
    """Tree of `tree`'s structure with zeros of each leaf's type, shape, dtype and device."""
    return _map_with_path(_zeros_like, [tree], "")


def _shape(leaf: Any) -> tuple:
    """Shape of an array leaf; () for scalars."""
    return tuple(getattr(leaf, "shape", ()))


def tree_add(a: Any, b: Any) -> Any:
    """Leafwise a + b of two trees of one structure; leaf shapes must match (no broadcasting)."""
    _check_same_structure((a, b), ("a", "b"))

    def add(path: str, x: Any, y: Any) -> Any:
        if _shape(x) != _shape(y):
            # Broadcasting here would silently change a gradient's shape.
            raise ValueError(f"shape mismatch at a{path}: {_shape(x)} vs b{path}: {_shape(y)}")
        return operator.add(x, y)

    return _map_with_path(add, (a, b), "")
