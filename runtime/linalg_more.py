"""Cotangents of einsum, tensordot, kron, cross, trace, diag, diagonal and numpy.linalg.

Each helper takes the cotangent `g` of the result and what it needs of the
forward values, and returns one operand's cotangent, in that operand's shape
and dtype. They run on numpy and cupy alike (`array_module`). The matrix
helpers work on stacks of matrices (the last two axes), as numpy.linalg does.
"""

from __future__ import annotations

import string
from collections import Counter

from .cotangents import unbroadcast
from .dispatch import array_module


def _like(out, x):
    """`out` in x's dtype where x is a float array (a float64 seed must not promote float32)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and out.dtype != dtype:
        return out.astype(dtype)
    return out


def _mT(a):
    return array_module(a).swapaxes(a, -1, -2)


# ------------------------------------------------------------------ einsum
def parse_einsum(subscripts: str, ndims) -> tuple[list[list[str]], list[str]]:
    """Explicit labels of an einsum: one list per operand and the output's, `...` expanded.

    The ellipsis becomes fresh letters (right-aligned, as numpy broadcasts it);
    an implicit output is the ellipsis, then the labels seen once in sorted order.
    """
    subs = subscripts.replace(" ", "")
    ins, arrow, out = subs.partition("->")
    parts = ins.split(",")
    if len(parts) != len(ndims):
        raise ValueError(f"einsum: {len(parts)} operand subscripts for {len(ndims)} operands")
    used = {c for c in subs if c.isalpha()}
    width = max([nd - len(p) + 3 for p, nd in zip(parts, ndims) if "..." in p], default=0)
    fresh = [c for c in string.ascii_letters if c not in used][:width]

    def expand(part: str, nd: int) -> list[str]:
        if "..." not in part:
            return list(part)
        head, _, tail = part.partition("...")
        k = nd - len(head) - len(tail)
        return list(head) + fresh[width - k:] + list(tail)

    operands = [expand(p, nd) for p, nd in zip(parts, ndims)]
    if arrow:
        output = expand(out, width + len(out) - 3 if "..." in out else len(out))
    else:
        counts = Counter(c for p in parts for c in p if c.isalpha())
        output = fresh + sorted(c for c, n in counts.items() if n == 1)
    return operands, output


def einsum_grad(g, subscripts, k, *operands):
    """Cotangent of operand k of out = einsum(subscripts, *operands).

    An einsum of g with the other operands, over the labels of operand k; a
    label only operand k has is broadcast back, a repeated one (a diagonal)
    is embedded with identity matrices, and a size-1 axis that numpy
    broadcast is summed over.
    """
    xp = array_module(g, *operands)
    g = xp.asarray(g)
    ins, out = parse_einsum(subscripts, [len(getattr(o, "shape", ())) for o in operands])
    x = operands[k]
    spare = iter([c for c in string.ascii_letters
                  if c not in {*out, *(c for p in ins for c in p)}])
    sizes: dict[str, int] = {}
    for labels, value in zip(ins, operands):
        for c, n in zip(labels, getattr(value, "shape", ())):
            sizes[c] = max(n, sizes.get(c, 1))

    def own(labels, shape):  # a broadcast size-1 axis gets a label of its own (summed away)
        return [next(spare) if n == 1 and sizes[c] > 1 else c for c, n in zip(labels, shape)]

    terms = [(own(out, g.shape), g)] + [(own(ins[j], o.shape), xp.asarray(o))
                                        for j, o in enumerate(operands) if j != k]
    mine = own(ins[k], x.shape)
    unique = list(dict.fromkeys(mine))
    seen = {c for labels, _ in terms for c in labels}
    present = [c for c in unique if c in seen]
    spec = ",".join("".join(labels) for labels, _ in terms) + "->" + "".join(present)
    r = xp.einsum(spec, *(v for _, v in terms))
    if len(present) < len(unique):  # labels only x has: x's cotangent is constant along them
        r = xp.reshape(r, [sizes.get(c, 1) if c in seen else 1 for c in unique])
        r = xp.broadcast_to(r, [x.shape[mine.index(c)] for c in unique])
    if len(unique) < len(mine):  # a repeated label: r lives on a diagonal of x
        first, eyes, labels = set(), [], []
        for c in mine:
            if c in first:
                d = next(spare)
                labels.append(d)
                eyes.append((c + d, xp.eye(x.shape[mine.index(c)], dtype=r.dtype)))
            else:
                first.add(c)
                labels.append(c)
        spec = ",".join(["".join(unique)] + [e for e, _ in eyes]) + "->" + "".join(labels)
        r = xp.einsum(spec, r, *(m for _, m in eyes))
    return _like(xp.asarray(r), x)


# ------------------------------------------------------- tensordot, kron, cross
def _tensordot_labels(x_ndim: int, y_ndim: int, axes) -> tuple[str, str, str]:
    """Einsum labels of x, y and tensordot(x, y, axes)."""
    if isinstance(axes, int):
        ax_x, ax_y = list(range(x_ndim - axes, x_ndim)), list(range(axes))
    else:
        ax_x, ax_y = ([a] if isinstance(a, int) else list(a) for a in axes)
    ax_x = [a % x_ndim for a in ax_x]
    ax_y = [a % y_ndim for a in ax_y]
    letters = iter(string.ascii_letters)
    xl = [next(letters) for _ in range(x_ndim)]
    yl = [next(letters) for _ in range(y_ndim)]
    for a, b in zip(ax_x, ax_y):
        yl[b] = xl[a]
    out = [c for i, c in enumerate(xl) if i not in ax_x] + \
        [c for i, c in enumerate(yl) if i not in ax_y]
    return "".join(xl), "".join(yl), "".join(out)


def tensordot_grad(g, x, y, axes=2, side=0):
    """Cotangent of x (side 0) or y (side 1) for out = tensordot(x, y, axes)."""
    xp = array_module(g, x, y)
    xl, yl, ol = _tensordot_labels(x.ndim, y.ndim, axes)
    if side == 0:
        return _like(xp.einsum(f"{ol},{yl}->{xl}", g, y), x)
    return _like(xp.einsum(f"{xl},{ol}->{yl}", x, g), y)


def kron_grad(g, x, y, side=0):
    """Cotangent of x (side 0) or y (side 1) for out = kron(x, y)."""
    xp = array_module(g, x, y)
    x, y = xp.asarray(x), xp.asarray(y)
    nd = max(x.ndim, y.ndim)
    xs = (1,) * (nd - x.ndim) + x.shape
    ys = (1,) * (nd - y.ndim) + y.shape
    blocks = xp.reshape(g, [n for pair in zip(xs, ys) for n in pair])
    letters = string.ascii_letters
    xl, yl = letters[:nd], letters[nd:2 * nd]
    gl = "".join(a + b for a, b in zip(xl, yl))
    if side == 0:
        out = xp.einsum(f"{gl},{yl}->{xl}", blocks, xp.reshape(y, ys))
        return _like(xp.reshape(out, x.shape), x)
    out = xp.einsum(f"{gl},{xl}->{yl}", blocks, xp.reshape(x, xs))
    return _like(xp.reshape(out, y.shape), y)


def cross_grad(g, x, y, axisa=-1, axisb=-1, axisc=-1, axis=None, side=0):
    """Cotangent of x (side 0) or y (side 1) for out = cross(x, y, ...) of 3-vectors."""
    xp = array_module(g, x, y)
    if axis is not None:
        axisa = axisb = axisc = axis
    x, y, g = xp.moveaxis(x, axisa, -1), xp.moveaxis(y, axisb, -1), xp.moveaxis(g, axisc, -1)
    if x.shape[-1] != 3 or y.shape[-1] != 3:
        raise ValueError("agc differentiates np.cross of 3-vectors only (2-vectors are "
                         "deprecated by numpy)")
    if side == 0:
        return _like(xp.moveaxis(unbroadcast(xp.cross(y, g), x), -1, axisa), x)
    return _like(xp.moveaxis(unbroadcast(xp.cross(g, x), y), -1, axisb), y)


# ------------------------------------------------------- trace, diagonal, diag
def _diagonal_selectors(xp, n1: int, n2: int, offset: int, dtype):
    """(S1, S2): diagonal position d of an n1 x n2 matrix is row argmax S1[d], column S2[d]."""
    rows = xp.arange(n1)[max(0, -offset):][:max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))]
    s1 = xp.where(rows[:, None] == xp.arange(n1)[None, :], 1, 0).astype(dtype)
    s2 = xp.where((rows + offset)[:, None] == xp.arange(n2)[None, :], 1, 0).astype(dtype)
    return s1, s2


def diagonal_grad(g, x, offset=0, axis1=0, axis2=1):
    """Cotangent of x for out = diagonal(x, offset, axis1, axis2): g put back on that diagonal."""
    xp = array_module(g, x)
    nd = x.ndim
    axis1, axis2 = axis1 % nd, axis2 % nd
    g = xp.asarray(g, dtype=x.dtype if x.dtype.kind == "f" else None)
    s1, s2 = _diagonal_selectors(xp, x.shape[axis1], x.shape[axis2], offset, g.dtype)
    full = xp.einsum("...d,di,dj->...ij", g, s1, s2)
    return _like(xp.moveaxis(full, (-2, -1), (axis1, axis2)), x)


def trace_grad(g, x, offset=0, axis1=0, axis2=1):
    """Cotangent of x for out = trace(x, offset, axis1, axis2): g on that diagonal."""
    xp = array_module(g, x)
    nd = x.ndim
    n1, n2 = x.shape[axis1 % nd], x.shape[axis2 % nd]
    length = max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))
    g = xp.asarray(g)
    spread = xp.broadcast_to(g[..., None], g.shape + (length,))
    return diagonal_grad(spread, x, offset, axis1, axis2)


def diag_grad(g, x, k=0):
    """Cotangent of v for out = diag(v, k): its diagonal (1-D v), or g on it (2-D v)."""
    xp = array_module(g, x)
    if x.ndim == 1:
        return _like(xp.diagonal(g, k).copy(), x)  # a writable array, not numpy's view
    return diagonal_grad(g, x, k, 0, 1)


# ------------------------------------------------------------ numpy.linalg
def inv_grad(g, inverse):
    """Cotangent of A for out = inv(A), from out: -out^T g out^T."""
    xp = array_module(g, inverse)
    t = _mT(inverse)
    return _like(-xp.matmul(xp.matmul(t, g), t), inverse)


def solve_grad_b(g, a, b):
    """Cotangent of b for x = solve(a, b) before broadcast batches are summed: solve(a^T, g)."""
    xp = array_module(g, a, b)
    if b.ndim == 1:  # numpy 2: a 1-D b is one vector, whatever a's batch
        out = xp.linalg.solve(_mT(a), xp.asarray(g)[..., None])[..., 0]
    else:
        out = xp.linalg.solve(_mT(a), g)
    return _like(out, b)


def solve_grad_a(gb, x, b, a):
    """Cotangent of a for x = solve(a, b), from b's cotangent gb: -gb x^T, summed to a's shape."""
    xp = array_module(gb, x, b, a)
    if b.ndim == 1:
        out = -(gb[..., :, None] * x[..., None, :])
    else:
        out = -xp.matmul(gb, _mT(x))
    return _like(unbroadcast(out, a), a)


def det_grad(g, a, det):
    """Cotangent of A for out = det(A): g det(A) inv(A)^T."""
    xp = array_module(g, a, det)
    scale = xp.asarray(g * det)[..., None, None]
    return _like(scale * _mT(xp.linalg.inv(a)), a)


def slogdet_grad(g, a):
    """Cotangent of A for (sign, logabsdet) = slogdet(A): g[1] inv(A)^T (the sign has none)."""
    xp = array_module(a)
    g_log = g[1] if isinstance(g, (tuple, list)) else g.get(1, 0.0)
    return _like(xp.asarray(g_log)[..., None, None] * _mT(xp.linalg.inv(a)), a)


def _triangle_only(grad, upper=False):
    """A symmetric-input cotangent as numpy reads it: the lower triangle only.

    numpy's cholesky and eigh read the lower triangle of A: A[i, j] below the
    diagonal stands for both A[i, j] and A[j, i]; the upper triangle is unused.
    """
    xp = array_module(grad)
    n = grad.shape[-1]
    both = xp.triu(grad + _mT(grad), 1) if upper else xp.tril(grad + _mT(grad), -1)
    return both + grad * xp.eye(n, dtype=grad.dtype)


def _cholesky_symmetric_grad(g, lower):
    """Cotangent of the symmetric A = L L^T from L's cotangent (Murray 2016), symmetrized."""
    xp = array_module(g, lower)
    n = lower.shape[-1]
    p = xp.matmul(_mT(lower), g)
    phi = xp.tril(p) - 0.5 * p * xp.eye(n, dtype=p.dtype)  # lower triangle, half diagonal
    inv_l = xp.linalg.inv(lower)
    grad = xp.matmul(xp.matmul(_mT(inv_l), phi), inv_l)
    return 0.5 * (grad + _mT(grad))


def cholesky_grad(g, factor, upper=False):
    """Cotangent of A for cholesky(A): L read from A's lower triangle, or U (upper=True) from
    its upper triangle, as numpy does."""
    if upper:
        grad = _cholesky_symmetric_grad(_mT(g), _mT(factor))
        return _like(_triangle_only(grad, upper=True), factor)
    return _like(_triangle_only(_cholesky_symmetric_grad(g, factor)), factor)


def eigvalsh_grad(g, a, UPLO="L"):
    """Cotangent of A for w = eigvalsh(A): V diag(g) V^T, read from A's UPLO triangle."""
    xp = array_module(g, a)
    _, v = xp.linalg.eigh(a, UPLO=UPLO)
    grad = xp.matmul(v * xp.asarray(g)[..., None, :], _mT(v))
    return _like(_triangle_only(grad, UPLO == "U"), a)


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
        inner = inner + _over_gaps(xp.matmul(_mT(v), gv), gap)
    grad = xp.matmul(xp.matmul(v, inner), _mT(v))
    return _like(_triangle_only(0.5 * (grad + _mT(grad)), UPLO == "U"), v)


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
        out = out + xp.matmul(xp.matmul(_mT(powers[k]), g), _mT(powers[n - 1 - k]))
    return _like(out, a)


def _pinv_adjoint(grad, a, p):
    """Cotangent of A from the cotangent `grad` of P = pinv(A), for A of constant rank."""
    xp = array_module(grad, a, p)
    m, n = a.shape[-2], a.shape[-1]
    left = xp.eye(m, dtype=a.dtype) - xp.matmul(a, p)  # I - A P
    right = xp.eye(n, dtype=a.dtype) - xp.matmul(p, a)  # I - P A
    g_t, p_t = _mT(grad), _mT(p)
    return (-xp.matmul(xp.matmul(p_t, grad), p_t)
            + xp.matmul(xp.matmul(left, g_t), xp.matmul(p, p_t))
            + xp.matmul(xp.matmul(p_t, p), xp.matmul(g_t, right)))


def pinv_grad(g, a, p):
    """Cotangent of A for P = pinv(A) (Golub and Pereyra), where A's rank does not change."""
    return _like(_pinv_adjoint(g, a, p), a)


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
    m = xp.matmul(r, _mT(gr)) - xp.matmul(_mT(gq), q)
    copyltu = xp.tril(m) + _mT(xp.tril(m, -1))
    rhs = gq + xp.matmul(q, copyltu)  # rhs R^-T, by a solve with R
    return _like(_mT(xp.linalg.solve(r, _mT(rhs))), q)


def svd_values_grad(g, a):
    """Cotangent of A for s = svd(A, compute_uv=False): U diag(g) V^T."""
    xp = array_module(g, a)
    u, _, vh = xp.linalg.svd(a, full_matrices=False)
    return _like(xp.matmul(u * xp.asarray(g)[..., None, :], vh), a)


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
    v = _mT(vh)
    inner = xp.zeros(s.shape[:-1] + (k, k), dtype=s.dtype)
    if gs is not None:
        inner = inner + gs[..., None] * xp.eye(k, dtype=s.dtype)
    squares = s * s
    gap = squares[..., None, :] - squares[..., :, None]  # s_j^2 - s_i^2
    grad = 0.0
    if gu is not None:
        ut_gu = xp.matmul(_mT(u), gu)
        inner = inner + _over_gaps(ut_gu - _mT(ut_gu), gap) * s[..., None, :]
        if m > k:
            rest = gu - xp.matmul(u, ut_gu)  # (I - U U^T) gU
            grad = grad + xp.matmul(rest / s[..., None, :], vh)
    if gvh is not None:
        gv = _mT(gvh)
        vt_gv = xp.matmul(_mT(v), gv)
        inner = inner + s[..., :, None] * _over_gaps(vt_gv - _mT(vt_gv), gap)
        if n > k:
            rest = gv - xp.matmul(v, vt_gv)  # (I - V V^T) gV
            grad = grad + xp.matmul(u / s[..., None, :], _mT(rest))
    grad = grad + xp.matmul(xp.matmul(u, inner), vh)
    return _like(grad, u)


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
        grad = grad + (_pinv_adjoint(xp.matmul(gx2, _mT(b2)), a, p) if side == 0
                       else xp.matmul(_mT(p), gx2))
    if gres is not None and res.shape[-1] > 0:
        r = b2 - xp.matmul(a, x2)
        weighted = 2.0 * r * xp.asarray(gres)
        grad = grad + (-xp.matmul(weighted, _mT(x2)) if side == 0 else weighted)
    if gs is not None and side == 0:
        grad = grad + svd_values_grad(gs, a)
    if side == 1:
        return _like(grad[:, 0] if vector else grad, b)
    return _like(grad, a)


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
    grad = -xp.matmul(gb2, _mT(x2)) if trans_code(trans) == 0 else -xp.matmul(x2, _mT(gb2))
    return _like(_triangle_of(grad, lower, unit_diagonal), x)


def cho_factor(a, lower=False):
    """scipy.linalg.cho_factor(a, lower): (c, lower), c holding the factor on one triangle.

    As scipy's, the other triangle keeps a's entries; scipy reads the triangle it is asked for.
    """
    xp = array_module(a)
    if lower:
        factor = xp.linalg.cholesky(a)
        return factor + xp.triu(a, 1), lower
    factor = _mT(xp.linalg.cholesky(_mT(a)))  # the upper factor, read from a's upper triangle
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
        return _like(grad + xp.triu(gc, 1), a)
    grad = _cholesky_symmetric_grad(_mT(xp.triu(gc)), _mT(xp.triu(c)))
    return _like(_triangle_only(grad, upper=True) + xp.tril(gc, -1), a)


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
    ga = -xp.matmul(gb2, _mT(x2))  # A's cotangent, A = L L^T (lower) or U^T U (upper)
    both = ga + _mT(ga)
    if lower:
        gc = xp.tril(xp.matmul(both, xp.tril(c)))
    else:
        gc = xp.triu(xp.matmul(xp.triu(c), both))
    return _like(gc, c), 0.0
