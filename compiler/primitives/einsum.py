"""einsum's rules: its adjoint is an einsum of the cotangent with the other operands
(written `xp.einsum('ik,jk->ij', g, b)`) where operand k's labels are distinct and all
seen elsewhere; otherwise (an ellipsis, a diagonal, a label only k has) `rt.einsum_grad`
works it out from the shapes. Its tangent is multilinear in the operands.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..backend.expressions import call, const
from ..ir.prims import Prim
from .linalg_more import as_objects
from .registry import emitter, jvp, meaning, vjp
from .tangents import multilinear


def _direct_grad_subscripts(subscripts: str, k: int, count: int) -> str | None:
    """The einsum giving operand k's cotangent from g and the others, or None if not that simple."""
    subs = subscripts.replace(" ", "")
    if "." in subs:
        return None
    if "->" not in subs:  # numpy's implicit output: the labels seen once, in sorted order
        letters = [c for c in subs if c.isalpha()]
        subs += "->" + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins, out = subs.split("->")
    parts = ins.split(",")
    if len(parts) != count:
        return None
    mine = parts[k]
    others = [p for j, p in enumerate(parts) if j != k]
    if len(set(mine)) != len(mine) or not set(mine) <= set(out + "".join(others)):
        return None
    return ",".join([out, *others]) + "->" + mine


@vjp(Prim.EINSUM)
def _einsum(b, g, s):
    subscripts = s.params.get("subscripts")
    grads = []
    for k, x in enumerate(s.args):
        direct = subscripts and _direct_grad_subscripts(subscripts, k, len(s.args))
        if direct:
            others = [a for j, a in enumerate(s.args) if j != k]
            # numpy broadcasts a size-1 axis of a labelled operand: sum it back
            grads.append(b.op(Prim.UNBROADCAST, b.op(Prim.EINSUM, g, *others, subscripts=direct),
                              x))
        else:
            grads.append(b.op(Prim.EINSUM_GRAD, g, *s.args, subscripts=subscripts, operand=k))
    return tuple(grads)


@emitter(Prim.EINSUM)
def _emit_einsum(stmt, atom):
    args = [const(stmt.params.get("subscripts"))] + [atom(a) for a in stmt.args]
    extra = {} if stmt.params.get("optimize") is None else \
        {"optimize": const(stmt.params.get("optimize"))}
    return call("xp.einsum", args, extra), True


@emitter(Prim.EINSUM_GRAD)
def _emit_einsum_grad(stmt, atom):
    g, *operands = [atom(a) for a in stmt.args]
    head = [g, const(stmt.params.get("subscripts")), const(stmt.params.get("operand"))]
    return call("rt.einsum_grad", head + operands), False


@meaning(Prim.EINSUM)
def _einsum_meaning(run, s, *operands):
    return _object_einsum(s.params.get("subscripts"), *operands)


@meaning(Prim.EINSUM_GRAD)
def _einsum_grad_meaning(run, s, g, *operands):
    return runtime.einsum_grad(as_objects(g), s.params.get("subscripts"), s.params.get("operand"),
                               *(as_objects(o) for o in operands))


def _object_einsum(subscripts, *operands):
    out = np.einsum(subscripts, *(as_objects(o) for o in operands))
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


jvp(Prim.EINSUM)(multilinear)
