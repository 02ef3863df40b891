"""More linear algebra: tensordot, kron, cross, trace, diag, diagonal, tril, triu and
numpy.linalg's inv, solve, det, slogdet, cholesky and eigh (einsum in einsum.py).

The cotangents are runtime helpers of runtime/linalg_more.py. slogdet and eigh
give tuples (`tuple(xp.linalg.eigh(A))`): their cotangent is a tuple too.
"""

from __future__ import annotations

import numpy as np
import sympy

from .. import ir, runtime
from ..backend.expressions import call, const, kwargs
from ..ir.prims import Prim
from ..proof.values import SymbolicError, sign_at, sym
from .registry import emitter, jvp, meaning, vjp
from .tangents import as_column, from_column, linear, matrix_weighted, multilinear, zero


def as_objects(x):
    """x as an object array of sympy values (numpy's einsum and friends take those)."""
    out = sym(x)
    if not isinstance(out, np.ndarray):
        box = np.empty((), dtype=object)
        box[()] = out
        return box
    return out


# ------------------------------------------------- tensordot, kron, cross
@vjp(Prim.TENSORDOT, Prim.KRON, Prim.CROSS)
def _two_sided(b, g, s):
    prim = {Prim.TENSORDOT: Prim.TENSORDOT_GRAD, Prim.KRON: Prim.KRON_GRAD,
            Prim.CROSS: Prim.CROSS_GRAD}[s.prim]
    x, y = s.args
    params = dict(s.params.items)
    return (b.apply(prim, (g, x, y), ir.Params.of(**params, side=0)),
            b.apply(prim, (g, x, y), ir.Params.of(**params, side=1)))


@meaning(Prim.TENSORDOT)
def _tensordot_meaning(run, s, x, y):
    axes = s.params.get("axes")
    return _scalar(np.tensordot(as_objects(x), as_objects(y), axes=2 if axes is None else axes))


@meaning(Prim.KRON)
def _kron_meaning(run, s, x, y):
    return np.kron(as_objects(x), as_objects(y))


@meaning(Prim.CROSS)
def _cross_meaning(run, s, x, y):
    return np.cross(as_objects(x), as_objects(y), **kwargs_of(s))


def kwargs_of(s, keep_side: bool = False) -> dict:
    """A statement's params as keyword arguments of numpy (or of the helper: with side)."""
    drop = ("lib", "nograd") if keep_side else ("side", "lib", "nograd")
    return {k: v for k, v in s.params.items if k not in drop}


def _scalar(out):
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


@meaning(Prim.TENSORDOT_GRAD, Prim.KRON_GRAD, Prim.CROSS_GRAD, Prim.TRACE_GRAD,
         Prim.DIAG_GRAD, Prim.DIAGONAL_GRAD, Prim.INV_GRAD)
def _helper_meaning(run, s, *args):
    """The runtime helper itself on object arrays: it uses only einsum, matmul and moves."""
    helper = getattr(runtime, s.prim.spec.name)
    return helper(*(as_objects(a) for a in args), **kwargs_of(s, keep_side=True))


# ------------------------------------------- trace, diag, diagonal, tril, triu
@vjp(Prim.TRACE)
def _trace(b, g, s):
    return (b.apply(Prim.TRACE_GRAD, (g, s.args[0]), s.params),)


@vjp(Prim.DIAGONAL)
def _diagonal(b, g, s):
    return (b.apply(Prim.DIAGONAL_GRAD, (g, s.args[0]), s.params),)


@vjp(Prim.DIAG)
def _diag(b, g, s):
    return (b.apply(Prim.DIAG_GRAD, (g, s.args[0]), s.params),)


@vjp(Prim.TRIL, Prim.TRIU)
def _triangle(b, g, s):
    x = s.args[0]
    out = b.apply(s.prim, (g,), s.params)
    # np.tril of a vector broadcasts it to a matrix first: sum the rows back
    return (out if (b.rank(x) or 0) >= 2 else b.op(Prim.UNBROADCAST, out, x),)


@meaning(Prim.TRACE)
def _trace_meaning(run, s, x):
    return _scalar(np.trace(as_objects(x), **kwargs_of(s)))


@meaning(Prim.DIAGONAL)
def _diagonal_meaning(run, s, x):
    return np.diagonal(as_objects(x), **kwargs_of(s)).copy()  # numpy's is a read-only view


@meaning(Prim.DIAG)
def _diag_meaning(run, s, x):
    x = as_objects(x)
    k = s.params.get("k") or 0
    if x.ndim == 2:
        return np.diagonal(x, k).copy()
    out = np.zeros((len(x) + abs(k),) * 2, dtype=object)
    out[...] = sympy.Integer(0)
    for i, v in enumerate(x):
        out[i + max(0, -k), i + max(0, k)] = v
    return out


@meaning(Prim.TRIL, Prim.TRIU)
def _triangle_meaning(run, s, x):
    x = as_objects(x)
    k = s.params.get("k") or 0
    rows, cols = x.shape[-2:] if x.ndim >= 2 else (x.shape[-1],) * 2
    keep = (np.tri(rows, cols, k, dtype=bool) if s.prim is Prim.TRIL
            else ~np.tri(rows, cols, k - 1, dtype=bool))
    return np.where(keep, x, sympy.Integer(0))


# ------------------------------------------------------------ numpy.linalg
@vjp(Prim.INV)
def _inv(b, g, s):
    return (b.op(Prim.INV_GRAD, g, s.target),)


@vjp(Prim.SOLVE)
def _solve(b, g, s):
    a, rhs = s.args
    g_rhs = b.op(Prim.SOLVE_GRAD_B, g, a, rhs)  # shaped like x: b's batch may be broadcast
    return b.op(Prim.SOLVE_GRAD_A, g_rhs, s.target, rhs, a), b.op(Prim.UNBROADCAST, g_rhs, rhs)


@vjp(Prim.DET)
def _det(b, g, s):
    return (b.op(Prim.DET_GRAD, g, s.args[0], s.target),)


@vjp(Prim.SLOGDET)
def _slogdet(b, g, s):
    return (b.op(Prim.SLOGDET_GRAD, g, s.args[0]),)


@vjp(Prim.CHOLESKY)
def _cholesky(b, g, s):
    return (b.apply(Prim.CHOLESKY_GRAD, (g, s.target), s.params),)


@emitter(Prim.CHOLESKY)
def _emit_cholesky(stmt, atom):
    """`xp.linalg.cholesky(A)`; the upper factor through rt.cholesky (cupy has no `upper=`)."""
    if stmt.params.get("upper"):
        return call("rt.cholesky", [atom(stmt.args[0])], {"upper": const(True)}), False
    return call("xp.linalg.cholesky", [atom(stmt.args[0])]), True


@vjp(Prim.EIGVALSH)
def _eigvalsh(b, g, s):
    return (b.apply(Prim.EIGVALSH_GRAD, (g, s.args[0]), s.params),)


@vjp(Prim.EIGH)
def _eigh(b, g, s):
    return (b.apply(Prim.EIGH_GRAD, (g, s.target), s.params),)


@emitter(Prim.SLOGDET, Prim.EIGH)
def _emit_tuple_result(stmt, atom):
    """`tuple(xp.linalg.eigh(A))`: a plain tuple, whatever named tuple numpy returns."""
    inner = call("xp." + stmt.prim.spec.name, [atom(stmt.args[0])], kwargs(stmt.params))
    return call("tuple", [inner]), True


def sympy_matrix(run, s, x) -> sympy.Matrix:
    """The sympy Matrix of a 2-D value (SymbolicError for a stack of matrices)."""
    x = as_objects(x)
    if x.ndim != 2:
        raise SymbolicError(f"line {s.loc.line}: {s.prim.spec.name} of a stack of matrices "
                            "has no symbolic meaning here")
    return sympy.Matrix(x.tolist())


def from_matrix(m: sympy.Matrix) -> np.ndarray:
    """A sympy Matrix as a 2-D object array."""
    out = np.empty(m.shape, dtype=object)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            out[i, j] = m[i, j]
    return out


@meaning(Prim.INV)
def _inv_meaning(run, s, a):
    return from_matrix(sympy_matrix(run, s, a).inv())


@meaning(Prim.DET)
def _det_meaning(run, s, a):
    return sympy_matrix(run, s, a).det()


@meaning(Prim.SOLVE)
def _solve_meaning(run, s, a, rhs):
    rhs = as_objects(rhs)
    if rhs.ndim > 2:
        raise SymbolicError(f"line {s.loc.line}: a batched solve has no symbolic meaning here")
    inverse = from_matrix(sympy_matrix(run, s, a).inv())
    return inverse @ rhs


@meaning(Prim.SLOGDET)
def _slogdet_meaning(run, s, a):
    det = sympy_matrix(run, s, a).det()
    sign = sign_at(run, det)
    return sympy.Integer(sign), sympy.log(sign * det)


@meaning(Prim.SOLVE_GRAD_B)
def _solve_grad_b_meaning(run, s, g, a, rhs):
    return from_matrix(sympy_matrix(run, s, a).T.inv()) @ as_objects(g)


@meaning(Prim.SOLVE_GRAD_A)
def _solve_grad_a_meaning(run, s, g_rhs, x, rhs, a):
    g_rhs, x = as_objects(g_rhs), as_objects(x)
    if g_rhs.ndim == 1:
        return -np.multiply.outer(g_rhs, x)
    return -(g_rhs @ x.T)


@meaning(Prim.DET_GRAD)
def _det_grad_meaning(run, s, g, a, det):
    return sym(g) * sym(det) * from_matrix(sympy_matrix(run, s, a).inv().T)


@meaning(Prim.DET_GRAD_JVP)
def _det_grad_jvp_meaning(run, s, g, da, a):
    t = sympy.Symbol("t")
    moved = sympy_matrix(run, s, a) + t * sympy_matrix(run, s, da)
    cofactors = moved.adjugate().T
    return sym(g) * from_matrix(cofactors.diff(t).subs(t, 0))


@meaning(Prim.SLOGDET_GRAD)
def _slogdet_grad_meaning(run, s, g, a):
    return sym(g[1]) * from_matrix(sympy_matrix(run, s, a).inv().T)


@meaning(Prim.CHOLESKY, Prim.EIGH, Prim.CHOLESKY_GRAD, Prim.EIGH_GRAD, Prim.EIGVALSH,
         Prim.EIGVALSH_GRAD, Prim.EIGH_JVP, Prim.EIGVALSH_JVP)
def _decomposition_meaning(run, s, *args):
    raise SymbolicError(f"line {s.loc.line}: {s.prim.spec.name} (a decomposition) has no "
                        "symbolic meaning")


# ------------------------------------------------------ tangents (forward mode)
jvp(Prim.TENSORDOT, Prim.KRON, Prim.CROSS)(multilinear)
jvp(Prim.TRACE, Prim.DIAGONAL, Prim.DIAG, Prim.TRIL, Prim.TRIU)(linear)
jvp(Prim.DET)(matrix_weighted)


@jvp(Prim.EIGH, Prim.EIGVALSH)
def _eigh_jvp(b, t, s):
    """rt.eigh_jvp's (dw, dv), rt.eigvalsh_jvp's dw: eigh_grad's and eigvalsh_grad's transposes."""
    if t[0] is None:
        return None
    if s.prim is Prim.EIGH:
        return b.apply(Prim.EIGH_JVP, (t[0], s.target), s.params)
    return b.apply(Prim.EIGVALSH_JVP, (t[0], s.args[0]), s.params)


@jvp(Prim.SLOGDET)
def _slogdet_jvp(b, t, s):
    """(sign, log|det A|): the sign is flat; d log|det A| = sum(inv(A)^T * dA)."""
    if t[0] is None:
        return None
    sign = b.apply(Prim.GETITEM, (s.target, ir.Const(0)), ir.Params.of(index=ir.Index.at(1)))
    weights = b.op(Prim.MATRIX_T, b.op(Prim.INV, s.args[0]))
    change = b.op(Prim.SUM, b.mul(weights, t[0]), axis=(-2, -1))
    return b.op(Prim.TUPLE, zero(b, sign), change)


@jvp(Prim.INV)
def _inv_jvp(b, t, s):
    """d inv(A) = -inv(A) dA inv(A)."""
    if t[0] is None:
        return None
    return b.neg(b.op(Prim.MATMUL, b.op(Prim.MATMUL, s.target, t[0]), s.target))


@jvp(Prim.SOLVE)
def _solve_jvp(b, t, s):
    """x = solve(A, r): dx = solve(A, dr - dA x)."""
    a, rhs = s.args
    if t[0] is None and t[1] is None:
        return None
    change, vector = t[1], b.rank(rhs) == 1  # a vector: solve reads it as one column
    if t[0] is not None:
        moved = from_column(b, b.op(Prim.MATMUL, t[0], as_column(b, s.target))) if vector \
            else b.op(Prim.MATMUL, t[0], s.target)
        change = b.neg(moved) if change is None else b.sub(change, moved)
    if not vector:
        return b.op(Prim.SOLVE, a, change)
    # a vector right-hand side of a stack of matrices: change has the stack's axes now
    return from_column(b, b.op(Prim.SOLVE, a, as_column(b, change)))


@jvp(Prim.CHOLESKY)
def _cholesky_jvp(b, t, s):
    """dL = L Phi(L^-1 dS L^-T), dS the symmetric change numpy reads from dA's triangle and
    Phi the lower triangle with half the diagonal; U = L^T for upper=True."""
    if t[0] is None:
        return None
    upper = bool(s.params.get("upper"))
    triangle = Prim.TRIU if upper else Prim.TRIL
    lower = b.op(Prim.MATRIX_T, s.target) if upper else s.target
    strict = b.op(triangle, t[0], k=1 if upper else -1)
    change = b.add(b.op(triangle, t[0]), b.op(Prim.MATRIX_T, strict))
    inner = b.op(Prim.SOLVE, lower, b.op(Prim.MATRIX_T, b.op(Prim.SOLVE, lower, change)))
    phi = b.mul(ir.Const(0.5), b.add(b.op(Prim.TRIL, inner), b.op(Prim.TRIL, inner, k=-1)))
    dl = b.op(Prim.MATMUL, lower, phi)
    return b.op(Prim.MATRIX_T, dl) if upper else dl
