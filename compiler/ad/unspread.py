"""Cotangents left unspread: which reductions may hand back a number or a view.

`mean(r * r)` would spread its cotangent into an array of r's shape, only for
`r * r`'s rule to multiply it by `2 * r`; one number multiplies just as well.
This module finds such operands; the SUM/MEAN rule (primitives/reductions.py) uses it.
"""

from __future__ import annotations

from .. import ir
from ..ir.prims import Prim


def shaped_like_output(s: ir.Assign) -> ir.Atom | None:
    """An atom of s's output shape that s's rule reads and multiplies its cotangent by.

    None unless the rule gives every argument such a full-shaped contribution
    even when the cotangent is one number.
    """
    if s.params.get("lib") in ("math", "builtins"):
        return None
    reads = s.prim.spec.rule_reads  # see Spec.rule_reads
    if reads == "output":
        return s.target
    if reads == "input":
        return s.args[0]
    x = s.args[0] if s.args else None
    if s.prim is Prim.MUL and isinstance(x, ir.Var) and s.args[1] == x:
        return x
    if s.prim is Prim.POW and isinstance(s.args[1], ir.Const):
        return x
    return None


def product_of_arrays(s: ir.Assign, scalars: frozenset[str]) -> bool:
    """`p * y` of two different variables, neither known to be a number.

    Its rule sends each factor `unbroadcast(g * other, factor)`. With g a sum's cotangent
    left unspread (its summed axes of length one), `g * other` broadcasts to p * y's
    shape wherever the factor does not cover an axis, and unbroadcast sums over, or
    broadcasts up to, the factor's own shape: the same values as from the spread g, with
    no array of p * y's shape built for g itself (hand tracking's skinning sum).
    """
    return s.prim is Prim.MUL and s.params.get("lib") not in ("math", "builtins") and \
        all(isinstance(a, ir.Var) and a.name not in scalars for a in s.args) and \
        s.args[0] != s.args[1]


def spreadable(fn: ir.Function, temps: set[str],
               scalars: frozenset[str] = frozenset()) -> dict[str, ir.Atom]:
    """Temporaries whose sum or mean may hand back a cotangent not spread to their shape.

    Safe for a temporary defined once, read once (by a full sum or mean in the
    same block) and defined by a statement of `shaped_like_output`; or by a
    `product_of_arrays` read by a sum over some axes (g then keeps all the axes, so
    `g * other` has at least each factor's number of axes). Maps each to the atom of its shape that its
    rule reads (its size is the mean's count; a product's is its own, unread).
    """
    reads, counts = ir.read_counts(fn), ir.def_counts(fn)
    found: dict[str, ir.Atom] = {}

    def visit(block: ir.Block) -> None:
        candidates: dict[str, ir.Atom] = {}
        products: set[str] = set()
        for stmt in block:
            for child in ir.children(stmt):
                visit(child)
            if not isinstance(stmt, ir.Assign):
                continue
            x = stmt.args[0] if stmt.args else None
            if stmt.prim in (Prim.SUM, Prim.MEAN) and isinstance(x, ir.Var) \
                    and x.name in candidates:
                found[x.name] = candidates[x.name]
            elif stmt.prim is Prim.SUM and isinstance(x, ir.Var) and x.name in products \
                    and stmt.params.get("axis") is not None:  # a whole sum's is one fill
                found[x.name] = x
            name, like = stmt.target.name, shaped_like_output(stmt)
            once = name in temps and counts.get(name) == 1 and reads.get(name) == 1
            if like is not None and once:
                candidates[name] = like
            elif once and product_of_arrays(stmt, scalars):
                products.add(name)

    visit(fn.body)
    return found
