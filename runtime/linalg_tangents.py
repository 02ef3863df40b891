"""Forward-mode tangents of numpy.linalg.svd and lstsq and of scipy.linalg.cho_factor and
cho_solve (emitted JVPs call them as `rt.svd_jvp`, ...).

Each is the transpose of the cotangent helper of the same function in linalg_factor.py
(tests/test_forward.py checks <jvp(v), u> == <v, vjp(u)> over the corpus).
"""

from __future__ import annotations

from .dispatch import array_module
from .linalg_factor import _over_gaps, pinv_jvp, svd_values_jvp
from .linalg_more import float_like, mT


def svd_jvp(da, out, full_matrices=True):
    """Tangents (dU, ds, dVh) of (U, s, Vh) = svd(A) along dA (Townsend 2016), distinct
    nonzero singular values: with dP = U^T dA V and F_ij = 1 / (s_j^2 - s_i^2),
    ds = diag(dP), dU = U (F o (dP S + S dP^T)) + (I - U U^T) dA V / s and
    dV = V (F o (S dP + dP^T S)) + (I - V V^T) dA^T U / s."""
    u, s, vh = out
    xp = array_module(u, s, vh, da)
    m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
    if full_matrices and m != n:  # the columns of U (rows of Vh) past k are not unique
        raise ValueError("agc differentiates U and Vh of np.linalg.svd of a non-square "
                         "matrix with full_matrices=False only")
    v = mT(vh)
    da_v = xp.matmul(da, v)
    dp = xp.matmul(mT(u), da_v)
    squares = s * s
    gap = squares[..., None, :] - squares[..., :, None]  # s_j^2 - s_i^2
    du = xp.matmul(u, _over_gaps(dp * s[..., None, :] + s[..., :, None] * mT(dp), gap))
    dv = xp.matmul(v, _over_gaps(s[..., :, None] * dp + mT(dp) * s[..., None, :], gap))
    if m > k:
        du = du + (da_v - xp.matmul(u, dp)) / s[..., None, :]
    if n > k:
        dat_u = xp.matmul(mT(da), u)
        dv = dv + (dat_u - xp.matmul(v, mT(dp))) / s[..., None, :]
    return float_like(du, u), xp.diagonal(dp, axis1=-2, axis2=-1), float_like(mT(dv), vh)


def lstsq_jvp(da, db, a, b, out, rcond=None):
    """Tangents of (x, residuals, rank, s) = lstsq(a, b, rcond) along (da, db), a of constant
    rank: dx = dP b + P db with P = pinv(a) (pinv_jvp's dP); the residuals |r|^2 (given
    where a is tall and of full rank, so a^T r = 0) move by 2 r . (db - da x)."""
    x, res, _, _s = out
    xp = array_module(a, b, x)
    vector = b.ndim == 1
    x2, b2, db2 = (x[:, None], b[:, None], db[:, None]) if vector else (x, b, db)
    p = xp.linalg.pinv(a) if rcond is None else xp.linalg.pinv(a, rcond=rcond)
    dx = xp.matmul(pinv_jvp(da, a, p), b2) + xp.matmul(p, db2)
    dres = xp.zeros(res.shape, dtype=res.dtype)
    if res.shape[-1] > 0:
        r = b2 - xp.matmul(a, x2)
        dres = 2.0 * xp.sum(r * (db2 - xp.matmul(da, x2)), axis=0)
    dx = dx[:, 0] if vector else dx
    return float_like(dx, x), float_like(dres, res), 0.0, svd_values_jvp(da, a)


def cho_factor_jvp(da, a, out):
    """The tangent (dc, 0.0) of (c, lower) = cho_factor(a, lower) along da: the factor's
    (dL = L Phi(L^-1 dA L^-T), Phi the lower triangle with half the diagonal, dA read from
    the triangle cholesky reads) and the other triangle's, which keeps a's entries."""
    c, lower = out
    xp = array_module(a, c, da)
    if lower:
        factor, change, kept = xp.tril(c), xp.tril(da) + mT(xp.tril(da, -1)), xp.triu(da, 1)
    else:  # A = U^T U: the lower factor U^T, and its tangent transposed back
        factor, change, kept = mT(xp.triu(c)), xp.triu(da) + mT(xp.triu(da, 1)), xp.tril(da, -1)
    inner = xp.linalg.solve(factor, mT(xp.linalg.solve(factor, change)))  # L^-1 dA L^-T
    phi = xp.tril(inner, -1) + 0.5 * xp.tril(xp.triu(inner))
    d_factor = xp.matmul(factor, phi)
    return float_like((d_factor if lower else mT(d_factor)) + kept, a), 0.0


def cho_solve_moved(d_factor, factor, x):
    """dA x for x = cho_solve((c, lower), b), with dA the tangent of A = L L^T (lower) or
    U^T U (upper) along the factor's tangent (d_factor's first item): cho_solve's JVP is
    then cho_solve((c, lower), db - dA x)."""
    c, lower = factor
    dc = d_factor[0]
    xp = array_module(c, dc, x)
    if lower:
        tri, d_tri = xp.tril(c), xp.tril(dc)
        da = xp.matmul(d_tri, mT(tri)) + xp.matmul(tri, mT(d_tri))
    else:
        tri, d_tri = xp.triu(c), xp.triu(dc)
        da = xp.matmul(mT(d_tri), tri) + xp.matmul(mT(tri), d_tri)
    return float_like(xp.matmul(da, x), x)
