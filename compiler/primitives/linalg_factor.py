"""numpy.linalg's matrix_power, pinv, qr, svd (and svdvals) and lstsq.

Their cotangents are runtime helpers (runtime/linalg_more.py). qr, svd and
lstsq give tuples (`tuple(xp.linalg.qr(A))`), so their cotangent is a tuple
too, with None (or a missing key) for the items nothing reached. Only
matrix_power and pinv, and the pinv adjoint, have a symbolic meaning; the
decompositions make the prover say INCONCLUSIVE.
"""

from __future__ import annotations

import numpy as np
import sympy

from .. import runtime
from ..backend.expressions import call, const, kwargs
from ..errors import UnsupportedError
from ..ir.prims import Prim
from ..proof.values import SymbolicError
from .linalg_more import as_objects, from_matrix, kwargs_of, sympy_matrix
from .registry import emitter, jvp, meaning, vjp
from .tangents import zero

UNROLLED_POWERS = 16  # the tangent of A^n is n products, written out one by one


@vjp(Prim.MATRIX_POWER)
def _matrix_power(b, g, s):
    return (b.apply(Prim.MATRIX_POWER_GRAD, (g, s.args[0]), s.params),)


@jvp(Prim.MATRIX_POWER)
def _matrix_power_jvp(b, t, s):
    """d(A^n) by the product rule, one factor at a time; A^-n as (A^-1)^n."""
    if t[0] is None:
        return None
    n, a, da = s.params.get("n"), s.args[0], t[0]
    if abs(n) > UNROLLED_POWERS:
        raise UnsupportedError(f"forward mode does not support np.linalg.matrix_power with "
                               f"|n| > {UNROLLED_POWERS} yet", s.loc,
                               "use reverse mode: agc.grad / agc.jacrev")
    if n == 0:
        return zero(b, s.target)
    if n < 0:
        a = b.op(Prim.INV, a)
        da = b.neg(b.op(Prim.MATMUL, b.op(Prim.MATMUL, a, da), a))
    power, dpower = a, da
    for i in range(abs(n) - 1):
        dpower = b.add(b.op(Prim.MATMUL, dpower, a), b.op(Prim.MATMUL, power, da))
        if i < abs(n) - 2:
            power = b.op(Prim.MATMUL, power, a)
    return dpower


@vjp(Prim.PINV)
def _pinv(b, g, s):
    return (b.op(Prim.PINV_GRAD, g, s.args[0], s.target),)


@vjp(Prim.QR)
def _qr(b, g, s):
    return (b.op(Prim.QR_GRAD, g, s.target),)


@vjp(Prim.SVD)
def _svd(b, g, s):
    full = s.params.get("full_matrices")
    return (b.op(Prim.SVD_GRAD, g, s.target, **({} if full is None else {"full_matrices": full})),)


@vjp(Prim.SVD_VALUES)
def _svd_values(b, g, s):
    return (b.op(Prim.SVD_VALUES_GRAD, g, s.args[0]),)


@vjp(Prim.LSTSQ)
def _lstsq(b, g, s):
    a, rhs = s.args
    rcond = {} if s.params.get("rcond") is None else {"rcond": s.params.get("rcond")}
    return (b.op(Prim.LSTSQ_GRAD, g, a, rhs, s.target, side=0, **rcond),
            b.op(Prim.LSTSQ_GRAD, g, a, rhs, s.target, side=1, **rcond))


@jvp(Prim.PINV)
def _pinv_jvp(b, t, s):
    """rt.pinv_jvp, the transpose of pinv_grad (A of constant rank)."""
    return None if t[0] is None else b.op(Prim.PINV_JVP, t[0], s.args[0], s.target)


@jvp(Prim.SVD_VALUES)
def _svd_values_jvp(b, t, s):
    """u_i^T dA v_i (rt.svd_values_jvp), the transpose of svd_values_grad."""
    return None if t[0] is None else b.op(Prim.SVD_VALUES_JVP, t[0], s.args[0])


@jvp(Prim.QR)
def _qr_jvp(b, t, s):
    """(dQ, dR) from rt.qr_jvp, the transpose of qr_grad."""
    return None if t[0] is None else b.op(Prim.QR_JVP, t[0], s.target)


@jvp(Prim.SVD)
def _svd_jvp(b, t, s):
    """(dU, ds, dVh) from rt.svd_jvp, the transpose of svd_grad."""
    full = s.params.get("full_matrices")
    return None if t[0] is None else b.op(
        Prim.SVD_JVP, t[0], s.target, **({} if full is None else {"full_matrices": full}))


@jvp(Prim.LSTSQ)
def _lstsq_jvp(b, t, s):
    """(dx, dresiduals, 0, ds) from rt.lstsq_jvp, the transpose of lstsq_grad."""
    if t[0] is None and t[1] is None:
        return None
    a, rhs = s.args
    da, db = (zero(b, x) if d is None else d for d, x in zip(t, s.args))
    rcond = {} if s.params.get("rcond") is None else {"rcond": s.params.get("rcond")}
    return b.op(Prim.LSTSQ_JVP, da, db, a, rhs, s.target, **rcond)


@emitter(Prim.QR, Prim.SVD, Prim.LSTSQ)
def _emit_tuple_result(stmt, atom):
    """`tuple(xp.linalg.svd(A, full_matrices=False))`: a plain tuple, not numpy's named one."""
    inner = call("xp." + stmt.prim.spec.name, [atom(a) for a in stmt.args], kwargs(stmt.params))
    return call("tuple", [inner]), True


@emitter(Prim.SVD_VALUES)
def _emit_svd_values(stmt, atom):
    return call("xp.linalg.svd", [atom(stmt.args[0])], {"compute_uv": const(False)}), True


@meaning(Prim.MATRIX_POWER)
def _matrix_power_meaning(run, s, a):
    return from_matrix(sympy_matrix(run, s, a) ** int(s.params.get("n")))


@meaning(Prim.PINV)
def _pinv_meaning(run, s, a):
    if s.params.get("rcond") is not None:
        raise SymbolicError(f"line {s.loc.line}: pinv with rcond has no symbolic meaning")
    return from_matrix(sympy_matrix(run, s, a).pinv())


@meaning(Prim.MATRIX_POWER_GRAD)
def _matrix_power_grad_meaning(run, s, g, a):
    n = int(s.params.get("n"))
    if n < 0 or np.ndim(a) != 2:
        raise SymbolicError(f"line {s.loc.line}: this matrix_power adjoint has no symbolic "
                            "meaning here")
    return runtime.matrix_power_grad(as_objects(g), as_objects(a), n)


@meaning(Prim.PINV_GRAD)
def _pinv_grad_meaning(run, s, g, a, p):
    return runtime.pinv_grad(as_objects(g), as_objects(a), as_objects(p))


@meaning(Prim.PINV_JVP)
def _pinv_jvp_meaning(run, s, da, a, p):
    return runtime.pinv_jvp(as_objects(da), as_objects(a), as_objects(p))


@meaning(Prim.QR, Prim.SVD, Prim.SVD_VALUES, Prim.LSTSQ, Prim.QR_GRAD, Prim.QR_JVP, Prim.SVD_GRAD,
         Prim.SVD_VALUES_GRAD, Prim.SVD_VALUES_JVP, Prim.LSTSQ_GRAD, Prim.SVD_JVP, Prim.LSTSQ_JVP)
def _decomposition_meaning(run, s, *args):
    raise SymbolicError(f"line {s.loc.line}: {s.prim.spec.name} (a decomposition) has no "
                        "symbolic meaning")




# -------------------------------------------------------------- scipy.linalg
@vjp(Prim.SOLVE_TRIANGULAR)
def _solve_triangular(b, g, s):
    a, _ = s.args
    flipped = 1 - runtime.linalg_factor.trans_code(s.params.get("trans") or 0)
    g_rhs = b.apply(Prim.SOLVE_TRIANGULAR, (a, g), s.params.with_(trans=flipped))
    return b.apply(Prim.SOLVE_TRIANGULAR_GRAD_A, (g_rhs, s.target), s.params), g_rhs


@jvp(Prim.SOLVE_TRIANGULAR)
def _solve_triangular_jvp(b, t, s):
    """x = op(T(a))^-1 r: dx = solve_triangular(a, dr - op(T(da)) x), T the triangle read."""
    if t[0] is None and t[1] is None:
        return None
    change = t[1]
    if t[0] is not None:
        k = -1 if s.params.get("unit_diagonal") else 0
        read = b.op(Prim.TRIL, t[0], k=k or None) if s.params.get("lower") else \
            b.op(Prim.TRIU, t[0], k=-k or None)
        if runtime.linalg_factor.trans_code(s.params.get("trans") or 0):
            read = b.op(Prim.MATRIX_T, read)
        moved = b.op(Prim.MATMUL, read, s.target)
        change = b.neg(moved) if change is None else b.sub(change, moved)
    return b.apply(Prim.SOLVE_TRIANGULAR, (s.args[0], change), s.params)


@vjp(Prim.CHO_FACTOR)
def _cho_factor(b, g, s):
    return (b.op(Prim.CHO_FACTOR_GRAD, g, s.args[0], s.target),)


@vjp(Prim.CHO_SOLVE)
def _cho_solve(b, g, s):
    factor, _ = s.args
    g_rhs = b.op(Prim.CHO_SOLVE, factor, g)  # A is symmetric: A^-T g = A^-1 g
    return b.op(Prim.CHO_SOLVE_GRAD_C, g_rhs, factor, s.target), g_rhs


@jvp(Prim.CHO_FACTOR)
def _cho_factor_jvp(b, t, s):
    """(dc, 0) from rt.cho_factor_jvp, the transpose of cho_factor_grad."""
    return None if t[0] is None else b.op(Prim.CHO_FACTOR_JVP, t[0], s.args[0], s.target)


@jvp(Prim.CHO_SOLVE)
def _cho_solve_jvp(b, t, s):
    """x = A^-1 r: dx = cho_solve((c, lower), dr - dA x), dA from the factor's tangent."""
    if t[0] is None and t[1] is None:
        return None
    factor, _ = s.args
    change = t[1]
    if t[0] is not None:
        moved = b.op(Prim.CHO_SOLVE_MOVED, t[0], factor, s.target)
        change = b.neg(moved) if change is None else b.sub(change, moved)
    return b.op(Prim.CHO_SOLVE, factor, change)


@meaning(Prim.SOLVE_TRIANGULAR)
def _solve_triangular_meaning(run, s, a, rhs):
    lower, unit = s.params.get("lower"), s.params.get("unit_diagonal")
    m = sympy_matrix(run, s, a)
    n = m.shape[0]
    t = sympy.Matrix(n, n, lambda i, j: (1 if unit else m[i, j]) if i == j else
                     m[i, j] if (i > j) == bool(lower) else 0)
    t = t.T if runtime.linalg_factor.trans_code(s.params.get("trans") or 0) else t
    return from_matrix(t.inv()) @ as_objects(rhs)


@meaning(Prim.SOLVE_TRIANGULAR_GRAD_A)
def _solve_triangular_grad_a_meaning(run, s, g_rhs, x):
    return runtime.solve_triangular_grad_a(as_objects(g_rhs), as_objects(x), **kwargs_of(s))


@meaning(Prim.CHO_FACTOR, Prim.CHO_SOLVE, Prim.CHO_FACTOR_GRAD, Prim.CHO_SOLVE_GRAD_C,
         Prim.CHO_FACTOR_JVP, Prim.CHO_SOLVE_MOVED)
def _cholesky_meaning(run, s, *args):
    raise SymbolicError(f"line {s.loc.line}: scipy.linalg.{s.prim.spec.name} has no symbolic "
                        "meaning")
