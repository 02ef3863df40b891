"""agc.nn: layers, activations and losses written as plain numpy code.

agc differentiates these functions the way it differentiates a user's own
helpers: it reads their source. So every function here stays inside agc's
subset (numpy calls from compiler/calls.py, `if`, positional parameters) and
is called positionally from a model:

    @agc.differentiate(wrt=("w", "b"))
    def loss(x, labels, w, b):
        return agc.nn.cross_entropy(agc.nn.linear(x, w, b), labels, "mean")

Conventions follow torch.nn.functional: `linear` takes a weight of shape
(out_features, in_features); losses take `reduction` ("mean", "sum" or
"none") as their third positional argument. Softmax-like functions work on
the last axis (agc needs axes to be constants, so `dim` is not a parameter).
Everything is numerically stable: shifted by the max before `exp`, and
`log(1 + exp(-|x|))` written with `log1p` of a number never above one.
"""

import numpy as np
from agc.runtime import array_module as _array_module
from agc.runtime import conv as _conv
from agc.runtime import pooling as _pooling
from agc.runtime import stop_gradient
from agc.torch_weights import load_torch_state_dict

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "linear",
    "load_torch_state_dict",
    "log_softmax",
    "logsumexp",
    "max_pool2d",
    "mse_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


# ------------------------------------------------------------------ layers
def linear(x, weight, bias=0.0):
    """x @ weight.T + bias, as torch.nn.functional.linear (weight is (out, in))."""
    return x @ weight.T + bias


# ------------------------------------------------------------- activations
def relu(x):
    """max(x, 0); its derivative at 0 is 0, as in PyTorch."""
    return np.where(x > 0, x, 0.0)


def sigmoid(x):
    """1 / (1 + exp(-x)), without overflow for any x."""
    # exp(-|x|) never overflows; `where` rather than abs keeps the slope exact at 0.
    positive = x >= 0
    z = np.exp(np.where(positive, -x, x))
    return np.where(positive, 1 / (1 + z), z / (1 + z))


def tanh(x):
    """The hyperbolic tangent."""
    return np.tanh(x)


def softmax(x):
    """exp(x) / sum(exp(x)) over the last axis."""
    # Shifting by the max is exact and keeps exp <= 1; the shift needs no derivative.
    e = np.exp(x - stop_gradient(np.max(x, axis=-1, keepdims=True)))
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(x):
    """x - logsumexp(x) over the last axis, without forming softmax."""
    shifted = x - stop_gradient(np.max(x, axis=-1, keepdims=True))
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def logsumexp(x):
    """log(sum(exp(x))) over the last axis (which is removed)."""
    m = stop_gradient(np.max(x, axis=-1, keepdims=True))
    kept = np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)) + m
    return np.squeeze(kept, axis=-1)


# ------------------------------------------------------------------ losses
def _reduce(loss, reduction):
    """PyTorch's reduction: "mean", "sum", or anything else ("none") unreduced."""
    # agc cannot differentiate `raise`, so an unknown name cannot be rejected here.
    if reduction == "mean":
        return np.mean(loss)
    if reduction == "sum":
        return np.sum(loss)
    return loss


def mse_loss(input, target, reduction="mean"):
    """(input - target) ** 2, reduced, as torch.nn.functional.mse_loss."""
    diff = input - target
    return _reduce(diff * diff, reduction)


def cross_entropy(input, target, reduction="mean"):
    """Softmax cross entropy of logits `input` (N, C) or (C,), as torch's cross_entropy.

    `target` holds integer class indices (shape (N,), or 0-d for one sample), or
    class probabilities / one-hot rows of input's shape. "mean" averages over samples.
    """
    logp = log_softmax(input)
    if np.ndim(target) == np.ndim(input):
        loss = -np.sum(target * logp, axis=-1)
    elif np.ndim(input) == 1:
        loss = -logp[target]
    else:
        loss = -logp[np.arange(np.shape(input)[0]), target]
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), stable, as PyTorch's."""
    # = max(x, 0) - x t + log1p(exp(-|x|)); `where` keeps the slope exact at x = 0.
    positive = input >= 0
    loss = (np.where(positive, input, 0.0) - input * target
            + np.log1p(np.exp(np.where(positive, -input, input))))
    return _reduce(loss, reduction)


# ------------------------------------------------------ convolution and pooling
# Primitives, not helpers: agc maps a call of these onto its own rules
# (compiler/primitives/conv.py); called directly they run the same runtime code.
# Their options must be constants in a model (ints, tuples, "same" / "valid").
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: x (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW)."""
    y = _conv.conv2d(x, weight, stride, padding, dilation, groups)
    return y if bias is None else y + _array_module(bias).reshape(bias, (-1, 1, 1))


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv1d: x (N, C, L) or (C, L), weight (O, C/groups, k)."""
    y = _conv.conv1d(x, weight, stride, padding, dilation, groups)
    return y if bias is None else y + _array_module(bias).reshape(bias, (-1, 1))


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """torch.nn.functional.max_pool2d (padding pads with -inf; ties: the first maximum)."""
    return _pooling.max_pool2d(x, kernel_size, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """torch.nn.functional.avg_pool2d, counting the padding's zeros (count_include_pad=True)."""
    return _pooling.avg_pool2d(x, kernel_size, stride, padding)


def adaptive_avg_pool2d(x, output_size):
    """torch.nn.functional.adaptive_avg_pool2d: the means of torch's output_size bins."""
    return _pooling.adaptive_avg_pool2d(x, output_size)
