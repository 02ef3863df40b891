"""Pooling (agc.nn.max_pool2d, avg_pool2d, adaptive_avg_pool2d) and its gradient helpers.

NCHW (or unbatched CHW) as PyTorch. The windows are the strided view of
runtime/conv.py's Plan; max_pool2d pads with -inf and sends each window's
cotangent to its first maximum (torch's tie rule); avg_pool2d counts the
padding in each window's size (count_include_pad=True, torch's default);
adaptive_avg_pool2d averages torch's bins, floor(i*H/out) .. ceil((i+1)*H/out),
as a product of two averaging matrices (the bins of rows and of columns are
independent). Floating inputs keep their dtype.
"""

from __future__ import annotations

import math

from .arrays import astype
from .conv import Plan, pair, plan
from .dispatch import array_module as _xp
from .grads import _dtype


def pool_plan(x, kernel_size, stride=None, padding=0) -> Plan:
    """The Plan of a 2-d pooling; stride defaults to the kernel, as in torch."""
    kernel = pair(kernel_size, 2, "kernel_size")
    stride = kernel if stride is None else pair(stride, 2, "stride")
    pads = pair(padding, 2, "padding")
    if any(2 * p > k for p, k in zip(pads, kernel)):
        raise ValueError(f"pad should be at most half of effective kernel size, but got "
                         f"pad={padding!r} and kernel_size={kernel_size!r}")
    return plan(x.shape, kernel, stride, pads, 1, 2)


def _flat_windows(xp, x, p: Plan, fill=0):
    """x's windows as (N, C, OH, OW, kH * kW), one copy."""
    win = p.windows(xp, xp.reshape(x, p.x4), fill)
    return xp.reshape(win, win.shape[:4] + (-1,))


def _lowest(xp, x):
    """What max pooling pads with: -inf, or the least integer of an integer dtype."""
    kind = getattr(x.dtype, "kind", "f")
    return -math.inf if kind in "fc" else int(xp.iinfo(x.dtype).min) if kind in "iu" else False


def _taps(xp, x, p: Plan):
    """Each kernel tap's pixels of x's windows (padded with the lowest value), in the
    order of a window's flattened taps: (N, C, OH, OW) strided views."""
    win = p.windows(xp, xp.reshape(x, p.x4), _lowest(xp, x))
    return [win[..., i, j] for i in range(p.kernel[0]) for j in range(p.kernel[1])]


def _maximum(xp, taps):
    """The elementwise maximum of the taps, one at a time (NaN wins, as in max)."""
    y = xp.array(taps[0], copy=True)
    for tap in taps[1:]:
        xp.maximum(y, tap, out=y)
    return y


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """torch.nn.functional.max_pool2d (no dilation, floor mode): each window's maximum."""
    xp = _xp(x)
    p = pool_plan(x, kernel_size, stride, padding)
    # tap by tap: a copy of the windows (kH kW times the output) and a reduction over its
    # short last axis took six times as long (ResNet's stem: 8.4 -> 1.4 ms)
    return xp.reshape(_maximum(xp, _taps(xp, x, p)), p.shape)


def _first_max(xp, x, p: Plan):
    """Which tap of each window holds its first maximum (its first NaN, if any: argmax's
    rule): (N, C, OH, OW) small ints."""
    taps = _taps(xp, x, p)
    y = _maximum(xp, taps)
    at = xp.zeros(y.shape, dtype=xp.uint8 if len(taps) <= 256 else xp.intp)
    nan = getattr(x.dtype, "kind", "f") in "fc" and bool(xp.isnan(y).any())
    for k in reversed(range(len(taps))):  # the first tap equal to the maximum, written last
        hit = taps[k] == y
        if nan:  # (a NaN equals nothing; where the maximum is NaN, the first NaN)
            hit |= xp.isnan(taps[k])
        xp.copyto(at, k, where=hit)
    return at


def max_pool2d_grad(g, x, kernel_size, stride=None, padding=0):
    """Cotangent of x for y = max_pool2d(x): g to each window's first maximum."""
    xp = _xp(g, x)
    p = pool_plan(x, kernel_size, stride, padding)
    at = _first_max(xp, x, p)
    g4 = xp.reshape(g, at.shape)
    zero = xp.zeros((), dtype=_dtype(g, x))
    width = p.kernel[1]
    # each tap's share, added as it is made: g where it is the window's first maximum
    # (the shares of all taps at once were kH kW times g)
    return xp.reshape(p.scatter_taps(xp, lambda i, j: xp.where(at == i * width + j, g4, zero),
                                     _dtype(g, x)), x.shape)


def max_pool2d_jvp(v, x, kernel_size, stride=None, padding=0):
    """Tangent of y = max_pool2d(x) along v: v at each window's first maximum."""
    xp = _xp(v, x)
    p = pool_plan(x, kernel_size, stride, padding)
    at = _first_max(xp, x, p)
    v = xp.broadcast_to(v, x.shape)  # a number's tangent (a zero) spread over x
    chosen = xp.take_along_axis(_flat_windows(xp, v, p), at[..., None], axis=-1)
    return astype(xp.reshape(chosen, p.shape), _dtype(v, x), copy=False)


def _mean_dtype(xp, x):
    """The dtype of a mean of x: x's when floating, else the default float (numpy's)."""
    return x.dtype if getattr(x.dtype, "kind", "f") in "fc" else xp.asarray(0.0).dtype


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """torch.nn.functional.avg_pool2d (count_include_pad=True, floor mode)."""
    xp = _xp(x)
    p = pool_plan(x, kernel_size, stride, padding)
    dtype = _mean_dtype(xp, x)
    total = xp.sum(_flat_windows(xp, astype(x, dtype, copy=False), p), axis=-1)
    return xp.reshape(total / (p.kernel[0] * p.kernel[1]), p.shape)


def avg_pool2d_grad(g, x, kernel_size, stride=None, padding=0):
    """Cotangent of x for y = avg_pool2d(x): g / (kH kW) to every tap of its window."""
    xp = _xp(g, x)
    p = pool_plan(x, kernel_size, stride, padding)
    share = xp.reshape(g, p.x4[:2] + (1, 1) + p.out) / (p.kernel[0] * p.kernel[1])
    cols = xp.broadcast_to(share, p.x4[:2] + p.kernel + p.out)
    return xp.reshape(p.scatter(xp, cols, _dtype(g, x)), x.shape)


def _bins(xp, size: int, out: int, dtype):
    """The (out, size) matrix averaging torch's adaptive bins of one axis."""
    rows = []
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        rows.append([1.0 / (end - start) if start <= k < end else 0.0 for k in range(size)])
    return xp.asarray(rows, dtype=dtype)


def _adaptive(xp, x, output_size, dtype):
    """(rows, cols) averaging matrices of adaptive_avg_pool2d on x."""
    if x.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d expects a 3-d or 4-d input, got shape {x.shape}")
    oh, ow = (x.shape[-2], x.shape[-1]) if output_size is None else \
        pair(output_size, 2, "output_size")
    return _bins(xp, x.shape[-2], oh, dtype), _bins(xp, x.shape[-1], ow, dtype)


def adaptive_avg_pool2d(x, output_size):
    """torch.nn.functional.adaptive_avg_pool2d: the mean of each of torch's bins."""
    xp = _xp(x)
    dtype = _mean_dtype(xp, x)
    rows, cols = _adaptive(xp, x, output_size, dtype)
    return xp.matmul(xp.matmul(rows, astype(x, dtype, copy=False)), xp.swapaxes(cols, 0, 1))


def adaptive_avg_pool2d_grad(g, x, output_size):
    """Cotangent of x for y = adaptive_avg_pool2d(x): g spread evenly over each bin."""
    xp = _xp(g, x)
    dtype = _dtype(g, x)
    rows, cols = _adaptive(xp, x, output_size, dtype)
    return xp.matmul(xp.matmul(xp.swapaxes(rows, 0, 1), astype(g, dtype, copy=False)), cols)
