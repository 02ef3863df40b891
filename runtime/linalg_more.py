"""Cotangents of einsum, tensordot, kron, cross, trace, diag, diagonal, and numpy.linalg's
inv, solve, det and slogdet (the factorizations are in linalg_factor.py).

Each helper takes the cotangent `g` of the result and what it needs of the
forward values, and returns one operand's cotangent, in that operand's shape
and dtype. They run on numpy and cupy alike (`array_module`). The matrix
helpers work on stacks of matrices (the last two axes), as numpy.linalg does.
"""

from __future__ import annotations

import string
from collections import Counter

import numpy

from .cotangents import unbroadcast
from .dispatch import array_module


def float_like(out, x):
    """`out` in x's dtype where x is a float array (a float64 seed must not promote float32)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and out.dtype != dtype:
        return out.astype(dtype)
    return out


def mT(a):
    """a with its last two axes swapped (the transposes of a stack of matrices)."""
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
    r = xp.asarray(xp.einsum(spec, *(v for _, v in terms)))  # (a number for object arrays)
    if len(present) < len(unique):  # labels only x has: x's cotangent is constant along them
        present_sizes = iter(r.shape)
        r = xp.reshape(r, tuple(next(present_sizes) if c in seen else 1 for c in unique))
        r = xp.broadcast_to(r, tuple(x.shape[mine.index(c)] for c in unique))
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
    return float_like(xp.asarray(r), x)


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
        return float_like(xp.einsum(f"{ol},{yl}->{xl}", g, y), x)
    return float_like(xp.einsum(f"{xl},{ol}->{yl}", x, g), y)


def kron_grad(g, x, y, side=0):
    """Cotangent of x (side 0) or y (side 1) for out = kron(x, y)."""
    xp = array_module(g, x, y)
    x, y = xp.asarray(x), xp.asarray(y)
    nd = max(x.ndim, y.ndim)
    xs = (1,) * (nd - x.ndim) + x.shape
    ys = (1,) * (nd - y.ndim) + y.shape
    blocks = xp.reshape(g, tuple(n for pair in zip(xs, ys) for n in pair))
    letters = string.ascii_letters
    xl, yl = letters[:nd], letters[nd:2 * nd]
    gl = "".join(a + b for a, b in zip(xl, yl))
    if side == 0:
        out = xp.einsum(f"{gl},{yl}->{xl}", blocks, xp.reshape(y, ys))
        return float_like(xp.reshape(out, x.shape), x)
    out = xp.einsum(f"{gl},{xl}->{yl}", blocks, xp.reshape(x, xs))
    return float_like(xp.reshape(out, y.shape), y)


def cross_grad(g, x, y, axisa=-1, axisb=-1, axisc=-1, axis=None, side=0):
    """Cotangent of x (side 0) or y (side 1) for out = cross(x, y, ...) of 3-vectors."""
    xp = array_module(g, x, y)
    if axis is not None:
        axisa = axisb = axisc = axis
    x, y, g = _last(xp, x, axisa), _last(xp, y, axisb), _last(xp, g, axisc)
    if x.shape[-1] != 3 or y.shape[-1] != 3:
        raise ValueError("agc differentiates np.cross of 3-vectors only (2-vectors are "
                         "deprecated by numpy)")
    if side == 0:
        return float_like(_from_last(xp, unbroadcast(_cross(xp, y, g), x), axisa), x)
    return float_like(_from_last(xp, unbroadcast(_cross(xp, g, x), y), axisb), y)


def _cross(xp, a, b):
    """cross(a, b) of 3-vectors on the last axis; for two numpy arrays of one shape and
    float dtype, numpy's own products and differences without its copies of a and b
    (`astype`) and its moveaxis: half the time, the same bits."""
    if type(a) is not numpy.ndarray or type(b) is not numpy.ndarray or a.shape != b.shape \
            or a.dtype != b.dtype or a.dtype.kind != "f":
        return xp.cross(a, b)
    out = numpy.empty(a.shape, a.dtype)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    tmp = numpy.multiply(a2, b1, out=...)  # an array even for one vector (0-d items)
    numpy.subtract(numpy.multiply(a1, b2, out=out[..., 0]), tmp, out=out[..., 0])
    numpy.multiply(a0, b2, out=tmp)
    numpy.subtract(numpy.multiply(a2, b0, out=out[..., 1]), tmp, out=out[..., 1])
    numpy.multiply(a1, b0, out=tmp)
    numpy.subtract(numpy.multiply(a0, b1, out=out[..., 2]), tmp, out=out[..., 2])
    return out


def _last(xp, a, axis):
    """a with `axis` moved last (a itself for the usual axis=-1: moveaxis costs microseconds)."""
    return a if axis == -1 else xp.moveaxis(a, axis, -1)


def _from_last(xp, a, axis):
    """_last undone."""
    return a if axis == -1 else xp.moveaxis(a, -1, axis)


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
    return float_like(xp.moveaxis(full, (-2, -1), (axis1, axis2)), x)


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
        return float_like(xp.diagonal(g, k).copy(), x)  # a writable array, not numpy's view
    return diagonal_grad(g, x, k, 0, 1)


# ------------------------------------------------------------ numpy.linalg
def inv_grad(g, inverse):
    """Cotangent of A for out = inv(A), from out: -out^T g out^T."""
    xp = array_module(g, inverse)
    t = mT(inverse)
    return float_like(-xp.matmul(xp.matmul(t, g), t), inverse)


def solve_grad_b(g, a, b):
    """Cotangent of b for x = solve(a, b) before broadcast batches are summed: solve(a^T, g)."""
    xp = array_module(g, a, b)
    if b.ndim == 1:  # numpy 2: a 1-D b is one vector, whatever a's batch
        out = xp.linalg.solve(mT(a), xp.asarray(g)[..., None])[..., 0]
    else:
        out = xp.linalg.solve(mT(a), g)
    return float_like(out, b)


def solve_grad_a(gb, x, b, a):
    """Cotangent of a for x = solve(a, b), from b's cotangent gb: -gb x^T, summed to a's shape."""
    xp = array_module(gb, x, b, a)
    if b.ndim == 1:
        out = -(gb[..., :, None] * x[..., None, :])
    else:
        out = -xp.matmul(gb, mT(x))
    return float_like(unbroadcast(out, a), a)


def det_grad(g, a, det):
    """Cotangent of A for out = det(A): g det(A) inv(A)^T, the adjugate's transpose.

    numpy's inv raises LinAlgError for a singular matrix, where det is 0 and numpy's det
    raises nothing: there the adjugate comes from the SVD (as jax and PyTorch give it).
    """
    xp = array_module(g, a, det)
    try:
        scale = xp.asarray(g * det)[..., None, None]
        return float_like(scale * mT(xp.linalg.inv(a)), a)
    except numpy.linalg.LinAlgError:
        return float_like(xp.asarray(g)[..., None, None] * mT(_adjugate(xp, a)), a)


def _adjugate(xp, a):
    """adj(A) = det(A) inv(A), singular A too: adj(U S Vh) = det(U Vh) Vh^T adj(S) U^T."""
    u, s, vh = xp.linalg.svd(a)
    n = s.shape[-1]
    others = xp.stack([xp.prod(xp.concatenate([s[..., :i], s[..., i + 1:]], axis=-1), axis=-1)
                       for i in range(n)], axis=-1)  # adj(S): the product of the others
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    return sign[..., None, None] * ((mT(vh) * others[..., None, :]) @ mT(u))


def slogdet_grad(g, a):
    """Cotangent of A for (sign, logabsdet) = slogdet(A): g[1] inv(A)^T (the sign has none)."""
    xp = array_module(a)
    g_log = g[1] if isinstance(g, (tuple, list)) else g.get(1, 0.0)
    return float_like(xp.asarray(g_log)[..., None, None] * mT(xp.linalg.inv(a)), a)
