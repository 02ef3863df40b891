"""Convolution (agc.nn.conv2d / conv1d) and its gradient helpers, NCHW as PyTorch.

One convolution is an im2col and one matrix product per group: the input's
windows are a strided view of the (zero-padded) input, copied once into
columns (groups, C/groups * kH * kW, N * OH * OW), and each group's weight
matrix (O/groups, C/groups * kH * kW) multiplies them (BLAS over the whole
batch, no loop over pixels). Where that column matrix would be large (past
COLUMNS_LIMIT elements: kH kW times the input), the product goes one kernel
tap at a time instead, each tap's weights a contiguous matrix. conv1d is
conv2d over a unit height. The gradients are the transposes of that product:
dw = g @ columns.T (conv_weights.py), and dx scatters g's columns (w.T @ g) back onto the
input, one kernel tap at a time (kH * kW vectorised adds). Every helper keeps
float32 float32 and runs on the array module of its arguments (numpy or cupy).
"""

from __future__ import annotations

from dataclasses import dataclass

from .arrays import astype
from .dispatch import array_module as _xp
from .grads import _dtype

MIN_TAP_CHANNELS = 16  # fewer input channels per group: one im2col GEMM is faster
COLUMNS_LIMIT = 1 << 22  # elements of an im2col matrix; past it, one kernel tap at a time
CHUNK_COLUMNS = 1 << 16  # elements of one batch chunk's im2col in the input gradient


def pair(value, n: int, name: str) -> tuple:
    """An int or a sequence of n ints, as a tuple of n ints (torch's `_pair`)."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"expected {name} to be an int or a sequence of {n} ints, "
                         f"got {value!r}")
    return value


def paddings(padding, kernel: tuple, dilation: tuple, stride: tuple) -> tuple:
    """((before, after), ...) per spatial axis of an int, a pair, "valid" or "same"."""
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        # torch pads an even total unevenly: the extra row / column goes after
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):  # a string, but not an option's name: torch's ValueError
        raise ValueError(f"Invalid padding string {padding!r}, should be one of "  # noqa: TRY004
                         "{'valid', 'same'}")
    return tuple((p, p) for p in pair(padding, len(kernel), "padding"))


@dataclass(frozen=True)
class Plan:
    """The geometry of one convolution or pooling, always as 2-d (conv1d: a unit height)."""

    x4: tuple  # the input as (N, C, H, W)
    kernel: tuple  # (kH, kW)
    stride: tuple
    pads: tuple  # ((top, bottom), (left, right))
    dilation: tuple
    out: tuple  # (OH, OW)
    shape: tuple  # the output's shape as the caller sees it

    def windows(self, xp, x4, fill=0):
        """The windows of x4 padded with `fill`: a strided view (N, C, OH, OW, kH, kW)."""
        if any(p for pad in self.pads for p in pad):
            x4 = xp.pad(x4, ((0, 0), (0, 0)) + self.pads, constant_values=fill)
        n, c, sh, sw = x4.strides
        strides = (n, c, sh * self.stride[0], sw * self.stride[1],
                   sh * self.dilation[0], sw * self.dilation[1])
        shape = x4.shape[:2] + self.out + self.kernel
        if hasattr(xp, "lib") and hasattr(xp.lib, "stride_tricks"):
            tricks = xp.lib.stride_tricks
            if xp.__name__ == "numpy":
                return tricks.as_strided(x4, shape, strides, writeable=False)
            return tricks.as_strided(x4, shape, strides)
        raise TypeError(f"convolution needs strided views, which {xp.__name__} lacks")

    def scatter(self, xp, cols, dtype):
        """The transpose of `windows`: cols (N, C, kH, kW, OH, OW) added back onto the
        input, what lands in the padding dropped. Gives (N, C, H, W)."""
        return self.scatter_taps(xp, lambda i, j: cols[:, :, i, j], dtype)

    def scatter_taps(self, xp, tap, dtype, channels_first=False):
        """The transpose of `windows`, one kernel tap at a time: tap(i, j) (N, C, OH, OW),
        made when it is added, its part inside the input added onto it (what lands in the
        padding is never added: no padded array, no copy to cut it off). With
        `channels_first` the taps are (C, N, OH, OW), a GEMM's own layout, added as such
        into the (N, C, H, W) result. Gives (N, C, H, W), contiguous."""
        n, c, h, w = self.x4
        total = xp.zeros((n, c, h, w), dtype=dtype)
        for i in range(self.kernel[0]):  # one vectorised add per kernel tap
            rows, tap_rows = self.inside(i, 0, h)
            for j in range(self.kernel[1]):
                cols, tap_cols = self.inside(j, 1, w)
                if rows is None or cols is None:
                    continue  # the tap reads only padding
                part = tap(i, j)[:, :, tap_rows, tap_cols]
                total[:, :, rows, cols] += xp.transpose(part, (1, 0, 2, 3)) \
                    if channels_first else part
                del part  # (else alive while the next tap's product is made)
        return total

    def inside(self, tap: int, axis: int, size: int) -> tuple:
        """(the input's slice, the output's slice) of the outputs whose `tap` along `axis`
        reads inside the input (not padding); (None, None) where none does."""
        stride, out = self.stride[axis], self.out[axis]
        offset = tap * self.dilation[axis] - self.pads[axis][0]  # output o reads o s + offset
        first = max(0, -(offset // stride))
        last = min(out - 1, (size - 1 - offset) // stride)
        if last < first:
            return None, None
        return (slice(first * stride + offset, last * stride + offset + 1, stride),
                slice(first, last + 1))


def plan(x_shape: tuple, kernel: tuple, stride, padding, dilation, spatial: int) -> Plan:
    """The Plan of a window of `kernel` over an input of x_shape with `spatial` axes."""
    if len(x_shape) not in (spatial + 1, spatial + 2):
        raise ValueError(f"expected a {spatial + 1}-d (unbatched) or {spatial + 2}-d (batched) "
                         f"input, got shape {tuple(x_shape)}")
    batched = len(x_shape) == spatial + 2
    x = ((1,) if not batched else ()) + tuple(x_shape)
    stride = pair(stride, spatial, "stride")
    dilation = pair(dilation, spatial, "dilation")
    kernel = tuple(kernel)
    pads = paddings(padding, kernel, dilation, stride)
    if spatial == 1:  # a unit height in front of the length
        x, kernel, stride, dilation, pads = (x[:2] + (1,) + x[2:], (1,) + kernel, (1,) + stride,
                                             (1,) + dilation, ((0, 0),) + pads)
    out = []
    for size, k, s, d, (lo, hi) in zip(x[2:], kernel, stride, dilation, pads):
        span = size + lo + hi - d * (k - 1)
        if span < 1:
            raise ValueError(f"the input ({tuple(x_shape)}) is smaller than the kernel "
                             f"{tuple(kernel[-spatial:])} (dilated, after padding)")
        out.append((span - 1) // s + 1)
    shape = tuple(x[:2]) + tuple(out[-spatial:])
    return Plan(x, kernel, stride, pads, dilation, tuple(out), shape if batched else shape[1:])


def conv_plan(x, w, stride=1, padding=0, dilation=1, groups=1) -> tuple[Plan, int]:
    """The Plan of conv(x, w) and the output channels per group, checked as torch checks."""
    spatial = w.ndim - 2
    if spatial not in (1, 2):
        raise ValueError(f"expected a 3-d (conv1d) or 4-d (conv2d) weight, got shape {w.shape}")
    p = plan(x.shape, w.shape[2:], stride, padding, dilation, spatial)
    o, cg = w.shape[:2]
    if groups < 1 or o % groups or p.x4[1] != cg * groups:
        raise ValueError(f"conv: weight of shape {tuple(w.shape)} with groups={groups} takes "
                         f"{cg * groups} input channels, got {p.x4[1]} (input shape "
                         f"{tuple(x.shape)}); out channels must divide by groups")
    return Plan(p.x4, p.kernel, p.stride, p.pads, p.dilation, p.out, (
        p.shape[:-spatial - 1] + (o,) + p.shape[-spatial:])), o // groups


def _by_taps(p: Plan, groups: int, limit: int | None = None) -> bool:
    """Whether to convolve one kernel tap at a time: the im2col matrix would be large
    (kH kW times the input: past `limit` elements, COLUMNS_LIMIT by default) and each
    tap's GEMM a real one (enough channels per group)."""
    n, c = p.x4[:2]
    taps = p.kernel[0] * p.kernel[1]
    return taps > 1 and c // groups >= MIN_TAP_CHANNELS and \
        n * c * taps * p.out[0] * p.out[1] > (COLUMNS_LIMIT if limit is None else limit)


def columns(xp, x, p: Plan, groups: int):
    """The im2col of x: (G, C/G kH kW, N OH OW), one copy, so that one GEMM per group
    covers the whole batch (a GEMM per sample re-reads the weights N times)."""
    n, c = p.x4[:2]
    win = p.windows(xp, xp.reshape(x, p.x4))  # (N, C, OH, OW, kH, kW), a view
    win = xp.transpose(win, (1, 4, 5, 0, 2, 3))  # (C, kH, kW, N, OH, OW)
    return xp.reshape(win, (groups, (c // groups) * p.kernel[0] * p.kernel[1],
                            n * p.out[0] * p.out[1]))


def _weights(xp, w, groups: int, per_group: int):
    """w as one matrix per group: (groups, O/groups, C/groups * kH * kW), a view."""
    return xp.reshape(w, (groups, per_group, -1))


def _tap_weights(xp, w, p: Plan, groups: int, per_group: int):
    """w's taps, each one contiguous matrix (a strided one is not BLAS's): (kH, kW, G,
    O/G, C/G)."""
    taps = xp.reshape(w, (groups, per_group, w.shape[1]) + p.kernel)
    return xp.ascontiguousarray(xp.transpose(taps, (3, 4, 0, 1, 2)))


def g_matrix(xp, g, p: Plan, groups: int, per_group: int):
    """The output cotangent as (N, groups, O/groups, OH * OW), a view."""
    return xp.reshape(g, (p.x4[0], groups, per_group, p.out[0] * p.out[1]))


def flat_g(xp, g, p: Plan, groups: int, per_group: int):
    """The output cotangent as (G, O/G, N OH OW), one copy: the batch inside each GEMM."""
    gmat = g_matrix(xp, g, p, groups, per_group)
    return xp.reshape(xp.transpose(gmat, (1, 2, 0, 3)), (groups, per_group, -1))


def _batch_first(xp, y, n: int, spatial: tuple, shape: tuple):
    """Products (G, rows/G, N OH OW) as an array `shape` (N, rows, OH, OW), contiguous."""
    y = xp.reshape(y, (-1, n) + spatial)
    # NCHW in memory too: a transposed view would hand its layout on to every later op
    return xp.reshape(xp.ascontiguousarray(xp.transpose(y, (1, 0, 2, 3))), shape)


def conv2d(x, w, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d of x (N, C, H, W) or (C, H, W) with w, without bias."""
    if getattr(w, "ndim", None) != 4:
        raise ValueError(f"conv2d expects a 4-d weight (O, C/groups, kH, kW), got shape "
                         f"{getattr(w, 'shape', ())}")
    return conv(x, w, stride, padding, dilation, groups)


def conv1d(x, w, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv1d of x (N, C, L) or (C, L) with w, without bias."""
    if getattr(w, "ndim", None) != 3:
        raise ValueError(f"conv1d expects a 3-d weight (O, C/groups, k), got shape "
                         f"{getattr(w, 'shape', ())}")
    return conv(x, w, stride, padding, dilation, groups)


def conv(x, w, stride=1, padding=0, dilation=1, groups=1):
    """The convolution of x with w (1-d or 2-d, by w's rank), without bias."""
    xp = _xp(x, w)
    p, per_group = conv_plan(x, w, stride, padding, dilation, groups)
    if _by_taps(p, groups):
        y = _conv_by_taps(xp, x, w, p, groups, per_group)
    else:
        y = xp.matmul(_weights(xp, w, groups, per_group), columns(xp, x, p, groups))
    return _batch_first(xp, y, p.x4[0], p.out, p.shape)


def _conv_by_taps(xp, x, w, p: Plan, groups: int, per_group: int):
    """conv(x, w) as (G, O/G, N OH OW): the sum over the kernel taps of w[:, :, i, j] @ x's
    pixels at that tap; the same products as one im2col GEMM, but the largest copy is x's,
    not kH kW times it."""
    c = p.x4[1]
    win = p.windows(xp, xp.reshape(x, p.x4))  # (N, C, OH, OW, kH, kW), a view
    taps = _tap_weights(xp, w, p, groups, per_group)
    y = None
    for i in range(p.kernel[0]):
        for j in range(p.kernel[1]):
            pixels = xp.reshape(xp.transpose(win[..., i, j], (1, 0, 2, 3)),
                                (groups, c // groups, -1))  # (G, C/G, N OH OW), one copy
            term = xp.matmul(taps[i, j], pixels)
            y = term if y is None else xp.add(y, term, out=y)
            del pixels, term  # (else alive while the next tap's are made)
    return y


def conv_grad_x(g, x, w, stride=1, padding=0, dilation=1, groups=1):
    """Cotangent of x for y = conv(x, w): each kernel tap's weights times g, added onto x."""
    xp = _xp(g, w)
    p, per_group = conv_plan(x, w, stride, padding, dilation, groups)
    n, c = p.x4[:2]
    if p.kernel == (1, 1) and p.stride == (1, 1) and not any(sum(p.pads, ())):
        taps = xp.reshape(w, (groups, per_group, c // groups))
        gmat = g_matrix(xp, g, p, groups, per_group)  # (N, G, O/G, OH*OW): x's own layout
        dx = xp.matmul(xp.swapaxes(taps, -1, -2), gmat)
        return astype(xp.reshape(dx, x.shape), _dtype(g, x), copy=False)
    if _correlates(p, groups):
        return astype(xp.reshape(_full_correlation(xp, g, w, p), x.shape), _dtype(g, x),
                      copy=False)
    flat = flat_g(xp, g, p, groups, per_group)  # (G, O/G, N OH OW)
    # the columns w.T @ g only while no larger than a chunk of the correlation's (the
    # backward sweep's peak): ResNet's stride-2 3x3 layers by taps, as fast
    if _by_taps(p, groups, CHUNK_COLUMNS):
        # One product per tap (w[:, :, i, j].T @ g) added into dx at once: never the whole
        # column matrix, kH kW times larger than x.
        w5 = xp.reshape(w, (groups, per_group, c // groups) + p.kernel)

        def tap(i, j):
            # one tap's weights made contiguous at a time (BLAS's), not all taps' at once
            weights = xp.ascontiguousarray(w5[..., i, j])  # (G, O/G, C/G)
            product = xp.matmul(xp.swapaxes(weights, -1, -2), flat)  # (G, C/G, N OH OW)
            return xp.reshape(product, (c, n) + p.out)
    else:
        cols = xp.matmul(xp.swapaxes(_weights(xp, w, groups, per_group), -1, -2), flat)
        cols = xp.reshape(cols, (c,) + p.kernel + (n,) + p.out)  # (C, kH, kW, N, OH, OW)

        def tap(i, j):
            return cols[:, i, j]  # (C, N, OH, OW), a view
    dx = p.scatter_taps(xp, tap, _dtype(g, x), channels_first=True)
    return xp.reshape(dx, x.shape)


def _correlates(p: Plan, groups: int) -> bool:
    """Whether x's cotangent is best one convolution of g: stride 1, one group, no side
    padded past the kernel's reach, an im2col of g no larger than the forward's, and the
    weights' flipped copy (O C kH kW) at most twice that im2col (N O H W kH kW): for
    ResNet's layer4 (512 channels, 1x1 images) the copy would cost more than the GEMM."""
    reach = [d * (k - 1) for k, d in zip(p.kernel, p.dilation)]
    n, c, h, w = p.x4
    return p.stride == (1, 1) and groups == 1 and not _by_taps(p, groups) and \
        all(lo <= r and hi <= r for r, (lo, hi) in zip(reach, p.pads)) and c <= 2 * n * h * w


def _full_correlation(xp, g, w, p: Plan):
    """conv_grad_x of a stride-1, one-group convolution: g convolved with w's kernel
    flipped and its channel axes swapped, padded by what the forward's padding left of the
    kernel's reach. An im2col and a GEMM, as the forward: adding each tap's products
    onto a strided slice of dx (the scatter) costs more than the GEMM itself. The im2col
    goes a few samples at a time (CHUNK_COLUMNS): whole, it was kH kW times g, the
    largest array of the backward sweep (ResNet's layer1: 4.5 MiB for 0.5 MiB of g)."""
    n, c, h, wd = p.x4
    reach = [d * (k - 1) for k, d in zip(p.kernel, p.dilation)]
    pads = tuple((r - lo, r - hi) for r, (lo, hi) in zip(reach, p.pads))
    w4 = xp.reshape(w, w.shape[:2] + p.kernel)
    flipped = xp.reshape(xp.ascontiguousarray(xp.transpose(w4[:, :, ::-1, ::-1], (1, 0, 2, 3))),
                         (c, -1))
    o = w.shape[0]
    (top, bottom), (left, right) = pads
    g4 = xp.reshape(g, (n, o) + p.out)
    dx = xp.empty((n, c, h, wd), dtype=xp.result_type(g.dtype, w.dtype))
    step = min(n, max(1, CHUNK_COLUMNS // (flipped.shape[1] * h * wd)))
    # One zero-bordered buffer for every chunk, its inside overwritten chunk by chunk
    # (np.pad of each chunk took a third of the time at one sample a chunk)
    padded = xp.zeros((step, o, p.out[0] + top + bottom, p.out[1] + left + right), g.dtype)
    inside = padded[:, :, top:top + p.out[0], left:left + p.out[1]]
    plan = Plan(padded.shape, p.kernel, (1, 1), ((0, 0), (0, 0)), p.dilation, (h, wd),
                (n, c, h, wd))
    for lo in range(0, n, step):
        k = min(step, n - lo)
        inside[:k] = g4[lo:lo + k]
        win = plan.windows(xp, padded[:k])  # (k, O, H, W, kH, kW)
        cols = xp.reshape(xp.transpose(win, (1, 4, 5, 0, 2, 3)),
                          (flipped.shape[1], -1))  # (O kH kW, k H W), one copy
        y = xp.reshape(xp.matmul(flipped, cols), (c, -1, h, wd))
        dx[lo:lo + k] = xp.transpose(y, (1, 0, 2, 3))
        # (bound, this chunk's arrays were alive while the next one's were made: two
        # chunks at the backward sweep's peak)
        del win, cols, y
    return dx
