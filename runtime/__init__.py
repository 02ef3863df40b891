"""agc.runtime: everything emitted gradient code needs at run time.

Emitted modules import this package as `rt` and nothing of agc besides.
It holds the array-module dispatch (numpy, cupy, dask or an Array-API namespace,
picked from the arguments; see arrays.py), the helpers that derivative rules call (`unbroadcast`,
`sum_grad`, `getitem_grad`, ...; see grads.py), the arithmetic of cotangents (`seed`, `add`,
`zeros_like`; see cotangents.py), and the tape recorder used by reports.
No libcst and no sympy here.
"""

from __future__ import annotations

import contextlib

from . import special
from .activations import relu, relu_grad
from .arrays import check_wrt, item, length, scalar_cast
from .contractions import dot_grad_left, dot_grad_right
from .conv import conv1d, conv2d, conv_grad_x
from .conv_weights import conv_grad_w
from .cotangents import (
    accumulate,
    add,
    check_seed,
    complete_like,
    complete_paths,
    kept_like,
    kept_shape,
    seed,
    seeds_for,
    unbroadcast,
    zeros_like,
)
from .device import has_gpu, to_device
from .dispatch import array_module
from .draws import dropout_mask
from .grads import (
    abs_grad,
    add_mean_grad,
    add_sum_grad,
    cast_like,
    clip_grad,
    concatenate_grad,
    matmul_grad_left,
    matmul_grad_right,
    maxmin_grad,
    mean_grad,
    norm_grad,
    pow_exponent_grad,
    prod_grad,
    reshape_like,
    stack_grad,
    sum_grad,
)
from .item_grads import (
    append_grad,
    asarray_grad,
    copy_of,
    list_item_grad,
    unstack_grad,
    written_grad,
    zero_at,
)
from .linalg_factor import (
    cho_factor,
    cho_factor_grad,
    cho_solve,
    cho_solve_grad_c,
    cholesky,
    cholesky_grad,
    eigh_grad,
    eigh_jvp,
    eigvalsh_grad,
    eigvalsh_jvp,
    lstsq_grad,
    matrix_power_grad,
    pinv_grad,
    pinv_jvp,
    qr_grad,
    qr_jvp,
    solve_triangular,
    solve_triangular_grad_a,
    svd_grad,
    svd_values_grad,
    svd_values_jvp,
)
from .linalg_more import (
    cross_grad,
    det_grad,
    det_grad_jvp,
    diag_grad,
    diagonal_grad,
    einsum_grad,
    inv_grad,
    kron_grad,
    slogdet_grad,
    solve_grad_a,
    solve_grad_b,
    tensordot_grad,
    trace_grad,
)
from .linalg_tangents import cho_factor_jvp, cho_solve_moved, lstsq_jvp, svd_jvp
from .pooling import (
    adaptive_avg_pool2d,
    adaptive_avg_pool2d_grad,
    avg_pool2d,
    avg_pool2d_grad,
    max_pool2d,
    max_pool2d_grad,
    max_pool2d_jvp,
)
from .python_constructs import (
    check_iterable,
    check_out_cast,
    check_pop,
    check_positive,
    check_tolist,
    check_unpack,
    check_view,
    check_view_index,
    in_place,
    sorted_order,
    unconcatenate_grad,
)
from .quantiles import quantile_grad
from .scatter import add_at, getitem_grad, index_add, unpacked_grad
from .sequence_grads import (
    repeat_sequence,
    seq_head_grad,
    seq_repeat_grad,
    seq_tail_grad,
    written_item_grad,
)
from .shape_more import (
    along_axis_index,
    cycled_positions,
    diagonal_index,
    inexact_only,
    linspace_grad,
    meshgrid_grad,
    pad_grad,
    repeat_grad,
    sliding_window_grad,
    split_grad,
    stacked_grad,
    take_along_axis_grad,
    take_grad,
    tile_grad,
)
from .signal import convolve_grad, interp_grad
from .statistics import (
    cumprod_grad,
    cumsum_grad,
    edge_like,
    median_grad,
    nan_fill,
    nanmean_grad,
    nansum_grad,
    sort_grad,
    std_grad,
    var_grad,
    weights_like,
    weights_like_grad,
)
from .tangents import broadcast_like, cumprod_grad_jvp, cumprod_jvp, zero_tangent

__all__ = [  # noqa: RUF022 (issue 13's statistics helpers are listed at the end)
    "KeptTape",
    "TapeRecorder",
    "abs_grad",
    "accumulate",
    "add",
    "add_at",
    "along_axis_index",
    "cycled_positions",
    "diagonal_index",
    "append_grad",
    "array_module",
    "broadcast_like",
    "asarray_grad",
    "cast_like",
    "check_seed",
    "check_out_cast",
    "check_view",
    "check_pop",
    "check_positive",
    "check_iterable",
    "check_tolist",
    "check_view_index",
    "check_unpack",
    "sorted_order",
    "check_wrt",
    "cho_factor",
    "cho_factor_grad",
    "cho_solve",
    "cho_solve_grad_c",
    "cholesky",
    "cholesky_grad",
    "clip_grad",
    "complete_like",
    "complete_paths",
    "concatenate_grad",
    "copy_of",
    "cross_grad",
    "cumprod_jvp",
    "det_grad",
    "det_grad_jvp",
    "diag_grad",
    "diagonal_grad",
    "dot_grad_left",
    "dot_grad_right",
    "dropout_mask",
    "eigh_grad",
    "eigh_jvp",
    "eigvalsh_grad",
    "eigvalsh_jvp",
    "einsum_grad",
    "getitem_grad",
    "in_place",
    "index_add",
    "has_gpu",
    "index",
    "inv_grad",
    "inexact_only",
    "item",
    "kron_grad",
    "length",
    "linspace_grad",
    "list_item_grad",
    "lstsq_grad",
    "matmul_grad_left",
    "matmul_grad_right",
    "matrix_power_grad",
    "maxmin_grad",
    "add_mean_grad",
    "add_sum_grad",
    "mean_grad",
    "meshgrid_grad",
    "no_grad",
    "norm_grad",
    "pinv_grad",
    "pinv_jvp",
    "pow_exponent_grad",
    "prod_grad",
    "qr_grad",
    "qr_jvp",
    "svd_jvp",
    "lstsq_jvp",
    "cho_factor_jvp",
    "cho_solve_moved",
    "repeat_sequence",
    "reshape_like",
    "scalar_cast",
    "seed",
    "seq_head_grad",
    "seq_repeat_grad",
    "seq_tail_grad",
    "seeds_for",
    "special",
    "slogdet_grad",
    "solve_grad_a",
    "solve_grad_b",
    "solve_triangular",
    "solve_triangular_grad_a",
    "pad_grad",
    "repeat_grad",
    "sliding_window_grad",
    "split_grad",
    "stack_grad",
    "stacked_grad",
    "stop_gradient",
    "kept_like",
    "kept_shape",
    "sum_grad",
    "svd_grad",
    "svd_values_grad",
    "svd_values_jvp",
    "tensordot_grad",
    "take_along_axis_grad",
    "take_grad",
    "tile_grad",
    "to_device",
    "trace_grad",
    "unbroadcast",
    "unpacked_grad",
    "unconcatenate_grad",
    "unstack_grad",
    "written_grad",
    "written_item_grad",
    "zero_at",
    "zeros_like",
    "convolve_grad", "interp_grad",
    # issue 13, reductions and statistics
    "cumprod_grad", "cumsum_grad", "median_grad", "nan_fill", "nanmean_grad", "nansum_grad",
    "sort_grad", "std_grad", "var_grad", "weights_like", "weights_like_grad", "edge_like",
    "quantile_grad",
    "zero_tangent", "cumprod_grad_jvp",
    # issue 19, convolution and pooling
    "adaptive_avg_pool2d", "adaptive_avg_pool2d_grad", "avg_pool2d", "avg_pool2d_grad",
    "conv1d", "conv2d", "conv_grad_w", "conv_grad_x", "max_pool2d", "max_pool2d_grad",
    "max_pool2d_jvp", "relu", "relu_grad",
]


class _IndexMaker:
    """`rt.index[:, 1:3]` is the index object `(slice(None), slice(1, 3))`."""

    def __getitem__(self, key):
        return key


index = _IndexMaker()


def stop_gradient(x):
    """The value itself; agc gives it no derivative (PyTorch's `detach`)."""
    return x


def no_grad():
    """`with agc.no_grad():` in a model: the block runs, but passes no derivative.

    Called directly (outside agc) it is a context manager that does nothing.
    """
    return contextlib.nullcontext()


def shape_of(x) -> tuple:
    """The shape of an array, () for a Python number."""
    return getattr(x, "shape", ())


class KeptTape(list):
    """A tape read backward more than once: `pop()` moves a cursor down and leaves the
    value in place; `rewind()` puts the cursor back at the end (emitted `f_vjp_rows`)."""

    def __init__(self):
        super().__init__()
        self.top = 0

    def pop(self):
        """The value below the cursor (the last one pushed, the first time)."""
        if self.top == 0:  # never reached by emitted code: a bug, not a silent wrap-around
            raise IndexError("pop from the bottom of a kept tape")
        self.top -= 1
        return self[self.top]

    def rewind(self) -> None:
        """Read the tape again from its end."""
        self.top = len(self)


class TapeRecorder(list):
    """A tape that also notes what each entry is (used by tape reports)."""

    def __init__(self):
        super().__init__()
        self.labels: list[str] = []

    def record(self, label: str, value) -> None:
        """Push `value`, remembering it was the value of `label`."""
        self.append(value)
        self.labels.append(label)
