"""Cotangents of numpy.linalg's cholesky, eigh, eigvalsh, matrix_power, pinv, qr, svd and
lstsq, and of scipy.linalg's solve_triangular, cho_factor and cho_solve.

Like linalg_more.py: numpy or cupy (scipy.linalg or cupyx.scipy.linalg, imported
only when a helper needs it), stacks of matrices, the operand's dtype. A tuple
result's cotangent is a tuple (or a dict of the items reached).
"""

from __future__ import annotations

import numpy

from .dispatch import array_module
from .linalg_more import float_like, inv_grad, mT


def _triangle_only(grad, upper=False):
    """A symmetric-input cotangent as numpy reads it: the lower triangle only.

    numpy's cholesky and eigh read the lower triangle of A: A[i, j] below the
    diagonal stands for both A[i, j] and A[j, i]; the upper triangle is unused.
    """
    xp = array_module(grad)
    n = grad.shape[-1]
    both = xp.triu(grad + mT(grad), 1) if upper else xp.tril(grad + mT(grad), -1)
    return both + grad * xp.eye(n, dtype=grad.dtype)


def cholesky(a, upper=False):
    """numpy.linalg.cholesky(a, upper=upper) on numpy, cupy (which has no `upper=`) and others."""
    xp = array_module(a)
    if xp is numpy:
        return numpy.linalg.cholesky(a, upper=upper)
    if upper:  # the upper factor of A, read from its upper triangle: that of A^T, transposed
        return mT(xp.linalg.cholesky(mT(a)))
    return xp.linalg.cholesky(a)


def _cholesky_symmetric_grad(g, lower):
    """Cotangent of the symmetric A = L L^T from L's cotangent (Murray 2016), symmetrized."""
    xp = array_module(g, lower)
    n = lower.shape[-1]
    p = xp.matmul(mT(lower), g)
    phi = xp.tril(p) - 0.5 * p * xp.eye(n, dtype=p.dtype)  # lower triangle, half diagonal
    inv_l = xp.linalg.inv(lower)
    grad = xp.matmul(xp.matmul(mT(inv_l), phi), inv_l)
    return 0.5 * (grad + mT(grad))


def cholesky_grad(g, factor, upper=False):
    """Cotangent of A for cholesky(A): L read from A's lower triangle, or U (upper=True) from
    its upper triangle, as numpy does."""
    if upper:
        grad = _cholesky_symmetric_grad(mT(g), mT(factor))
        return float_like(_triangle_only(grad, upper=True), factor)
    return float_like(_triangle_only(_cholesky_symmetric_grad(g, factor)), factor)


def eigvalsh_grad(g, a, UPLO="L"):
    """Cotangent of A for w = eigvalsh(A): V diag(g) V^T, read from A's UPLO triangle."""
    xp = array_module(g, a)
    _, v = xp.linalg.eigh(a, UPLO=UPLO)
    grad = xp.matmul(v * xp.asarray(g)[..., None, :], mT(v))
    return float_like(_triangle_only(grad, UPLO == "U"), a)


def _over_gaps(term, gap):
    """term / gap off the diagonal, 0 on it; nan where a gap is 0 under a nonzero term.

    A repeated eigenvalue (singular value) leaves its vectors' gradient undefined, but
    only where the vectors' cotangent reaches them: unused vectors give exact zeros.
    """
    xp = array_module(term, gap)
    n = gap.shape[-1]
    off = ~xp.eye(n, dtype=bool)
    tied = (gap == 0) & off
    safe = xp.where(tied | ~off, 1.0, gap)
    out = xp.where(off, term / safe, 0.0)
    return xp.where(tied & (term != 0), xp.nan, out)


def eigh_grad(g, out, UPLO="L"):
    """Cotangent of A for (w, v) = eigh(A), distinct eigenvalues; read from A's lower triangle."""
    w, v = out
    gw, gv = (g[0], g[1]) if isinstance(g, (tuple, list)) else (g.get(0), g.get(1))
    xp = array_module(w, v)
    n = w.shape[-1]
    inner = xp.zeros(v.shape, dtype=v.dtype)
    if gw is not None:
        inner = inner + xp.asarray(gw)[..., None] * xp.eye(n, dtype=v.dtype)
    if gv is not None:
        gap = w[..., None, :] - w[..., :, None]  # w_j - w_i
        inner = inner + _over_gaps(xp.matmul(mT(v), gv), gap)
    grad = xp.matmul(xp.matmul(v, inner), mT(v))
    return float_like(_triangle_only(0.5 * (grad + mT(grad)), UPLO == "U"), v)


def eigh_jvp(da, out, UPLO="L"):
    """Tangents (dw, dv) of (w, v) = eigh(A) along dA, read from dA's UPLO triangle:
    with M = v^T dS v, dw = diag(M) and dv = v (M_ij / (w_j - w_i)), eigh_grad's transpose."""
    w, v = out
    xp = array_module(w, v, da)
    upper = UPLO == "U"
    strict = xp.triu(da, 1) if upper else xp.tril(da, -1)
    change = (xp.triu(da) if upper else xp.tril(da)) + mT(strict)
    m = xp.matmul(xp.matmul(mT(v), change), v)
    gap = w[..., None, :] - w[..., :, None]  # w_j - w_i
    return xp.diagonal(m, axis1=-2, axis2=-1), xp.matmul(v, _over_gaps(m, gap))


def eigvalsh_jvp(da, a, UPLO="L"):
    """The tangent of w = eigvalsh(A) along dA (eigh_jvp's dw)."""
    xp = array_module(a, da)
    return eigh_jvp(da, tuple(xp.linalg.eigh(a, UPLO=UPLO)), UPLO)[0]


# ------------------------------------- matrix_power, pinv, qr, svd, lstsq
def matrix_power_grad(g, a, n):
    """Cotangent of A for out = matrix_power(A, n): sum over k of (A^T)^k g (A^T)^(n-1-k)."""
    xp = array_module(g, a)
    if n < 0:  # A^n = inv(A)^(-n)
        inverse = xp.linalg.inv(a)
        return inv_grad(matrix_power_grad(g, inverse, -n), inverse)
    powers = [xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)]
    for _ in range(n - 1):
        powers.append(xp.matmul(powers[-1], a))
    out = xp.zeros(a.shape, dtype=xp.result_type(g, a))
    for k in range(n):
        out = out + xp.matmul(xp.matmul(mT(powers[k]), g), mT(powers[n - 1 - k]))
    return float_like(out, a)


def _pinv_adjoint(grad, a, p):
    """Cotangent of A from the cotangent `grad` of P = pinv(A), for A of constant rank."""
    xp = array_module(grad, a, p)
    m, n = a.shape[-2], a.shape[-1]
    left = xp.eye(m, dtype=a.dtype) - xp.matmul(a, p)  # I - A P
    right = xp.eye(n, dtype=a.dtype) - xp.matmul(p, a)  # I - P A
    g_t, p_t = mT(grad), mT(p)
    return (-xp.matmul(xp.matmul(p_t, grad), p_t)
            + xp.matmul(xp.matmul(left, g_t), xp.matmul(p, p_t))
            + xp.matmul(xp.matmul(p_t, p), xp.matmul(g_t, right)))


def pinv_grad(g, a, p):
    """Cotangent of A for P = pinv(A) (Golub and Pereyra), where A's rank does not change."""
    return float_like(_pinv_adjoint(g, a, p), a)


def pinv_jvp(da, a, p):
    """The tangent of P = pinv(A) along dA (Golub and Pereyra, A of constant rank):
    -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P. It is pinv_grad's map for A^T
    and P^T (A P and P A are symmetric), so the two are transposes by construction."""
    return _pinv_adjoint(da, mT(a), mT(p))


def svd_values_jvp(da, a):
    """The tangent of s = svd(A, compute_uv=False) along dA: u_i^T dA v_i for each i."""
    xp = array_module(da, a)
    u, _, vh = xp.linalg.svd(a, full_matrices=False)
    return xp.einsum("...ji,...jk,...ik->...i", u, da, vh)


def _items(g, count):
    """The cotangents of a tuple result, None where none came (a dict holds only those that did)."""
    if isinstance(g, dict):
        return [g.get(i) for i in range(count)]
    return list(g)


def qr_grad(g, out):
    """Cotangent of A for (Q, R) = qr(A), reduced, A square or tall of full rank."""
    q, r = out
    gq, gr = _items(g, 2)
    xp = array_module(q, r)
    if q.shape[-2] < r.shape[-1]:
        raise ValueError("agc differentiates np.linalg.qr of square or tall matrices only")
    gq = xp.zeros(q.shape, dtype=q.dtype) if gq is None else gq
    gr = xp.zeros(r.shape, dtype=r.dtype) if gr is None else gr
    m = xp.matmul(r, mT(gr)) - xp.matmul(mT(gq), q)
    copyltu = xp.tril(m) + mT(xp.tril(m, -1))
    rhs = gq + xp.matmul(q, copyltu)  # rhs R^-T, by a solve with R
    return float_like(mT(xp.linalg.solve(r, mT(rhs))), q)


def qr_jvp(da, out):
    """Tangents (dQ, dR) of (Q, R) = qr(A) along dA, reduced, A square or tall of full rank:
    with B = Q^T dA R^-1 and W = tril(B, -1) - tril(B, -1)^T (Q^T dQ's skew part),
    dR = (B - W) R and dQ = dA R^-1 - Q (B - W). qr_grad is its transpose."""
    q, r = out
    xp = array_module(q, r, da)
    if q.shape[-2] < r.shape[-1]:
        raise ValueError("agc differentiates np.linalg.qr of square or tall matrices only")
    da_rinv = mT(xp.linalg.solve(mT(r), mT(da)))  # dA R^-1, by a solve with R^T
    b = xp.matmul(mT(q), da_rinv)
    below = xp.tril(b, -1)
    upper = b - below + mT(below)  # B - W: upper triangular
    return da_rinv - xp.matmul(q, upper), xp.matmul(upper, r)


def svd_values_grad(g, a):
    """Cotangent of A for s = svd(A, compute_uv=False): U diag(g) V^T."""
    xp = array_module(g, a)
    u, _, vh = xp.linalg.svd(a, full_matrices=False)
    return float_like(xp.matmul(u * xp.asarray(g)[..., None, :], vh), a)


def svd_grad(g, out, full_matrices=True):
    """Cotangent of A for (U, s, Vh) = svd(A) (Townsend 2016), distinct nonzero singular values."""
    u, s, vh = out
    gu, gs, gvh = _items(g, 3)
    xp = array_module(u, s, vh)
    m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
    if full_matrices and m != n:  # U or Vh has columns (rows) that are not unique
        extra = [gu[..., k:] for gu in (gu,) if gu is not None and m > k] + \
            [gvh[..., k:, :] for gvh in (gvh,) if gvh is not None and n > k]
        if any(bool(xp.any(e != 0)) for e in extra):
            raise ValueError("agc differentiates U and Vh of np.linalg.svd of a non-square "
                             "matrix with full_matrices=False only")
        u, vh = u[..., :k], vh[..., :k, :]
        gu = None if gu is None else gu[..., :k]
        gvh = None if gvh is None else gvh[..., :k, :]
    v = mT(vh)
    inner = xp.zeros(s.shape[:-1] + (k, k), dtype=s.dtype)
    if gs is not None:
        inner = inner + gs[..., None] * xp.eye(k, dtype=s.dtype)
    squares = s * s
    gap = squares[..., None, :] - squares[..., :, None]  # s_j^2 - s_i^2
    grad = 0.0
    if gu is not None:
        ut_gu = xp.matmul(mT(u), gu)
        inner = inner + _over_gaps(ut_gu - mT(ut_gu), gap) * s[..., None, :]
        if m > k:
            rest = gu - xp.matmul(u, ut_gu)  # (I - U U^T) gU
            grad = grad + xp.matmul(rest / s[..., None, :], vh)
    if gvh is not None:
        gv = mT(gvh)
        vt_gv = xp.matmul(mT(v), gv)
        inner = inner + s[..., :, None] * _over_gaps(vt_gv - mT(vt_gv), gap)
        if n > k:
            rest = gv - xp.matmul(v, vt_gv)  # (I - V V^T) gV
            grad = grad + xp.matmul(u / s[..., None, :], mT(rest))
    grad = grad + xp.matmul(xp.matmul(u, inner), vh)
    return float_like(grad, u)


def lstsq_grad(g, a, b, out, rcond=None, side=0):
    """Cotangent of a (side 0) or b (side 1) for (x, residuals, rank, s) = lstsq(a, b, rcond).

    x = pinv(a) b (a of constant rank); the residuals |b - a x|^2 (given where a is
    tall and of full rank) have the cotangents -2 r x^T and 2 r, r = b - a x; the
    singular values those of svd.
    """
    x, res, _, _s = out
    gx, gres, _, gs = _items(g, 4)
    xp = array_module(a, b, x)
    vector = b.ndim == 1
    x2, b2 = (x[:, None], b[:, None]) if vector else (x, b)
    grad = xp.zeros(a.shape if side == 0 else b2.shape, dtype=xp.result_type(a, b))
    p = xp.linalg.pinv(a) if rcond is None else xp.linalg.pinv(a, rcond=rcond)
    if gx is not None:
        gx2 = gx[:, None] if vector else gx
        grad = grad + (_pinv_adjoint(xp.matmul(gx2, mT(b2)), a, p) if side == 0
                       else xp.matmul(mT(p), gx2))
    if gres is not None and res.shape[-1] > 0:
        r = b2 - xp.matmul(a, x2)
        weighted = 2.0 * r * xp.asarray(gres)
        grad = grad + (-xp.matmul(weighted, mT(x2)) if side == 0 else weighted)
    if gs is not None and side == 0:
        grad = grad + svd_values_grad(gs, a)
    if side == 1:
        return float_like(grad[:, 0] if vector else grad, b)
    return float_like(grad, a)


# -------------------------------------------------------------- scipy.linalg
def _scipy_linalg(xp):
    """scipy.linalg for numpy arrays, cupyx.scipy.linalg for cupy ones (imported when needed)."""
    try:
        if getattr(xp, "__name__", "") == "cupy":
            import cupyx.scipy.linalg as found  # noqa: PLC0415 - optional, cupy only
        else:
            import scipy.linalg as found  # noqa: PLC0415 - optional dependency
    except ImportError as err:
        raise ImportError("this gradient needs scipy (pip install scipy), or cupyx with "
                          "cupy arrays") from err
    return found


def trans_code(trans) -> int:
    """scipy's trans argument as 0 (solve a x = b) or 1 (solve a^T x = b), for real a."""
    return 0 if trans in (0, "N") else 1


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """scipy.linalg.solve_triangular(a, b, ...) on numpy or cupy arrays."""
    xp = array_module(a, b)
    return _scipy_linalg(xp).solve_triangular(a, b, trans=trans, lower=lower,
                                              unit_diagonal=unit_diagonal)


def _triangle_of(grad, lower, unit_diagonal=False):
    """The part of a square cotangent on the triangle a triangular solve reads."""
    xp = array_module(grad)
    k = -1 if unit_diagonal else 0
    return xp.tril(grad, k) if lower else xp.triu(grad, -k)


def solve_triangular_grad_a(gb, x, trans=0, lower=False, unit_diagonal=False):
    """Cotangent of a for x = solve_triangular(a, b, ...), from b's cotangent gb: -gb x^T."""
    xp = array_module(gb, x)
    gb2, x2 = (gb[:, None], x[:, None]) if x.ndim == 1 else (gb, x)
    grad = -xp.matmul(gb2, mT(x2)) if trans_code(trans) == 0 else -xp.matmul(x2, mT(gb2))
    return float_like(_triangle_of(grad, lower, unit_diagonal), x)


def cho_factor(a, lower=False):
    """scipy.linalg.cho_factor(a, lower): (c, lower), c holding the factor on one triangle.

    As scipy's, the other triangle keeps a's entries; scipy reads the triangle it is asked for.
    """
    xp = array_module(a)
    if lower:
        factor = xp.linalg.cholesky(a)
        return factor + xp.triu(a, 1), lower
    factor = mT(xp.linalg.cholesky(mT(a)))  # the upper factor, read from a's upper triangle
    return factor + xp.tril(a, -1), lower


def cho_factor_grad(g, a, out):
    """Cotangent of a for (c, lower) = cho_factor(a, lower): the factor's, and the kept triangle's."""
    c, lower = out
    gc = _items(g, 2)[0]
    xp = array_module(a, c)
    if gc is None:
        return xp.zeros(a.shape, dtype=a.dtype)
    if lower:
        grad = _triangle_only(_cholesky_symmetric_grad(xp.tril(gc), xp.tril(c)))
        return float_like(grad + xp.triu(gc, 1), a)
    grad = _cholesky_symmetric_grad(mT(xp.triu(gc)), mT(xp.triu(c)))
    return float_like(_triangle_only(grad, upper=True) + xp.tril(gc, -1), a)


def cho_solve(c_and_lower, b):
    """scipy.linalg.cho_solve((c, lower), b) on numpy or cupy arrays."""
    c, lower = c_and_lower
    xp = array_module(c, b)
    if getattr(xp, "__name__", "") != "cupy":
        return _scipy_linalg(xp).cho_solve((c, lower), b)
    first = solve_triangular(c, b, trans=0 if lower else 1, lower=lower)
    return solve_triangular(c, first, trans=1 if lower else 0, lower=lower)


def cho_solve_grad_c(gb, c_and_lower, x):
    """Cotangent of (c, lower) for x = cho_solve((c, lower), b), from b's cotangent gb."""
    c, lower = c_and_lower
    xp = array_module(gb, c, x)
    gb2, x2 = (gb[:, None], x[:, None]) if x.ndim == 1 else (gb, x)
    ga = -xp.matmul(gb2, mT(x2))  # A's cotangent, A = L L^T (lower) or U^T U (upper)
    both = ga + mT(ga)
    if lower:
        gc = xp.tril(xp.matmul(both, xp.tril(c)))
    else:
        gc = xp.triu(xp.matmul(xp.triu(c), both))
    return float_like(gc, c), 0.0
