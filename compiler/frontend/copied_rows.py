"""`M[idx][j] = v` where `M[idx]` is a copy: numpy writes into the copy, M is unchanged.

agc lowers `M[i][j] = v` as `row = M[i]; row[j] = v; M[i] = row`, right for a basic index
(`M[i]` is a view, or a list's row object). With a list, array or mask index (`M[[0, 2]]`,
`y[x > 0]`), numpy's `M[idx]` is a new array and the write is lost; agc wrote it back into
M, a silently wrong value. Such a write is refused at its line. An index is taken to be
advanced where it is one syntactically, or a name the function binds to such a value.
"""

from __future__ import annotations

import libcst as cst

from .tree_walk import nodes_under

# numpy functions whose result, used as an index, is an integer or bool array (or a tuple
# of them): an advanced index
ARRAY_CALLS = frozenset({
    "array", "asarray", "argsort", "nonzero", "flatnonzero", "argwhere", "where", "arange",
    "isnan", "isfinite", "isinf", "logical_and", "logical_or", "logical_not", "logical_xor",
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "unique", "lexsort"})
MASK_OPERATORS = (cst.BitAnd, cst.BitOr, cst.BitXor)


def _called_name(node: cst.Call) -> str | None:
    func = node.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def advanced(node: cst.BaseExpression, names: frozenset[str] | set[str]) -> bool:
    """Whether `node`, as an index, is surely advanced (a list, an array, a mask)."""
    if isinstance(node, (cst.List, cst.ListComp, cst.Comparison)):
        return True
    if isinstance(node, cst.Tuple):
        return any(advanced(el.value, names) for el in node.elements)
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.BitInvert) or advanced(node.expression, names)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, MASK_OPERATORS):
        return True
    if isinstance(node, cst.Call):
        return _called_name(node) in ARRAY_CALLS
    if isinstance(node, cst.Subscript):  # np.where(c)[0], order[1:]: still arrays
        inner = node.value
        if isinstance(inner, cst.Call) and _called_name(inner) in ("where", "nonzero"):
            return True
        return advanced(inner, names) and any(isinstance(el.slice, cst.Slice)
                                              for el in node.slice)
    return isinstance(node, cst.Name) and node.value in names


def subscript_advanced(node: cst.Subscript, names: frozenset[str] | set[str]) -> bool:
    """Whether any item of `node`'s index is advanced: `node` is then a copy."""
    return any(isinstance(el.slice, cst.Index) and advanced(el.slice.value, names)
               for el in node.slice)


def advanced_names(function: cst.CSTNode) -> set[str]:
    """The names `function` binds (anywhere) to a list, an array or a mask."""
    return {t.target.value for node in nodes_under(function)
            if isinstance(node, cst.Assign) and advanced(node.value, frozenset())
            for t in node.targets if isinstance(t.target, cst.Name)}
