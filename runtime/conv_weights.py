"""The weights' cotangent of a convolution (conv_grad_w), split from conv.py.

One GEMM per group over the batch and the output pixels together (g's matrix times
x's im2col columns), or, where the channels make each tap's GEMM a real one, one
kernel tap at a time over a few samples (never x padded nor a whole-batch im2col).
"""

from __future__ import annotations

from .arrays import astype
from .conv import MIN_TAP_CHANNELS, Plan, columns, conv_plan, flat_g, g_matrix
from .dispatch import array_module as _xp
from .grads import _dtype

TAP_CHUNK = 1 << 16  # elements of one batch chunk's pixels at a tap in the weight gradient


def conv_grad_w(g, x, w, stride=1, padding=0, dilation=1, groups=1):
    """Cotangent of w for y = conv(x, w): g times x's columns, summed over the batch.

    One GEMM per group over the batch and the output pixels together: a matmul per
    sample then a sum made (N, O, C kH kW) products, 1.3 s for ResNet's layer4 (1x1
    images, batch 32) against 10 ms this way.
    """
    xp = _xp(g, x)
    p, per_group = conv_plan(x, w, stride, padding, dilation, groups)
    if _taps_for_w(p, groups):
        dw = _grad_w_by_taps(xp, g, x, p, groups, per_group)
    else:
        flat = flat_g(xp, g, p, groups, per_group)  # (G, O/G, N OH OW)
        dw = xp.matmul(flat, xp.swapaxes(columns(xp, x, p, groups), -1, -2))
    return astype(xp.reshape(dw, w.shape), _dtype(g, w), copy=False)


def _taps_for_w(p: Plan, groups: int) -> bool:
    """Whether w's cotangent goes one kernel tap at a time: enough channels per group for
    each tap's GEMM to be a real one (ResNet's 3x3 layers: as fast, and no im2col, the
    largest temporary of their backward sweep); the stem's 3 channels take the im2col."""
    return p.kernel[0] * p.kernel[1] > 1 and p.x4[1] // groups >= MIN_TAP_CHANNELS


def _grad_w_by_taps(xp, g, x, p: Plan, groups: int, per_group: int):
    """conv_grad_w as (G, O/G, C/G, kH, kW): per kernel tap, g's matrix times x's pixels
    at that tap, a few samples at a time (TAP_CHUNK). Never x padded, nor g's matrix or
    a tap's pixels for the whole batch: at ResNet's layer1 those were the backward
    sweep's peak. A tap's pixels that fall in the padding are zeros."""
    n, c, h, w = p.x4
    x4 = xp.reshape(x, p.x4)
    g4 = g_matrix(xp, g, p, groups, per_group)  # (N, G, O/G, OH OW), a view
    dtype = xp.result_type(g.dtype, x.dtype)
    # each tap's product written in place: a list of them stacked after held w's gradient
    # twice (ResNet's layer4: 2 x 9 MiB) and copied it once more
    dw = xp.empty(p.kernel + (groups, per_group, c // groups), dtype=dtype)
    step = max(1, TAP_CHUNK // (c * p.out[0] * p.out[1]))
    product = xp.empty(dw.shape[2:], dtype=dtype) if step < n else None
    for lo in range(0, n, step):
        flat = xp.reshape(xp.transpose(g4[lo:lo + step], (1, 2, 0, 3)),
                          (groups, per_group, -1))  # (G, O/G, n OH OW), one copy
        pixels = xp.empty((flat.shape[-1] // (p.out[0] * p.out[1]),) + p.out + (c,),
                          dtype=x.dtype)  # (n, OH, OW, C), each tap's in turn
        for i in range(p.kernel[0]):
            rows, tap_rows = p.inside(i, 0, h)
            for j in range(p.kernel[1]):
                cols, tap_cols = p.inside(j, 1, w)
                _tap_pixels(xp, pixels, x4[lo:lo + step], rows, cols, tap_rows, tap_cols)
                matrix = xp.transpose(xp.reshape(pixels, (-1, groups, c // groups)), (1, 0, 2))
                if lo == 0:
                    xp.matmul(flat, matrix, out=dw[i, j])  # (G, O/G, C/G)
                else:
                    dw[i, j] += xp.matmul(flat, matrix, out=product)
        del flat, pixels  # (else alive while the next chunk's are made)
    return xp.transpose(dw, (2, 3, 4, 0, 1))  # (G, O/G, C/G, kH, kW)


def _tap_pixels(xp, pixels, x4, rows, cols, tap_rows, tap_cols) -> None:
    """Write into `pixels` (n, OH, OW, C) the pixels of x4 (n, C, H, W) one tap reads:
    x4[:, :, rows, cols] at the outputs tap_rows, tap_cols, zeros at the others."""
    if rows is None or cols is None:  # the tap reads only padding
        pixels[...] = 0
        return
    pixels[:, :tap_rows.start] = 0
    pixels[:, tap_rows.stop:] = 0
    pixels[:, :, :tap_cols.start] = 0
    pixels[:, :, tap_cols.stop:] = 0
    pixels[:, tap_rows, tap_cols] = xp.transpose(x4[:, :, rows, cols], (0, 2, 3, 1))
