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
from agc.runtime import activations as _activations
from agc.runtime import array_module as _array_module
from agc.runtime import conv as _conv
from agc.runtime import draws as _draws
from agc.runtime import pooling as _pooling
from agc.runtime import stop_gradient
from agc.torch_weights import load_torch_state_dict

try:  # gelu's erf; scipy is an optional extra, so agc.nn imports without it
    from scipy.special import erf
except ImportError:  # calling gelu then says to install scipy
    from agc.runtime.special import erf

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "dropout",
    "flatten",
    "gelu",
    "layer_norm",
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


def dropout(x, p, rng, training=True):
    """torch.nn.functional.dropout with its mask drawn from `rng`, a numpy.random.Generator.

    Training: each element is kept with probability 1 - p and scaled by 1 / (1 - p),
    else zeroed; eval (training=False) and p == 0 give x unchanged (as a new array), and
    draw nothing. A primitive: agc draws the mask once per gradient call and keeps it.
    """
    return x * _draws.dropout_mask(rng, x, p, training)


def flatten(x, start_dim=1, end_dim=-1):
    """Axes start_dim..end_dim merged into one, as torch.flatten (negative dims count back)."""
    shape = np.shape(x)
    start = start_dim % len(shape)
    end = end_dim % len(shape)
    merged = np.prod(shape[start:end + 1])
    return np.reshape(x, shape[:start] + (merged,) + shape[end + 1:])


def _affine(y, weight, bias):
    """y * weight + bias, each skipped when None (torch's elementwise_affine)."""
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _channel_stats(x):
    """(mean, biased var) over every axis but 1, kept as (1, C, 1, ...)."""
    # Axes must be constants written in the call, hence one branch per rank.
    if np.ndim(x) == 2:
        return np.mean(x, axis=0, keepdims=True), np.var(x, axis=0, keepdims=True)
    if np.ndim(x) == 3:
        return np.mean(x, axis=(0, 2), keepdims=True), np.var(x, axis=(0, 2), keepdims=True)
    return np.mean(x, axis=(0, 2, 3), keepdims=True), np.var(x, axis=(0, 2, 3), keepdims=True)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation of (N, C), (N, C, L) or (N, C, H, W), as torch's batch_norm.

    Returns (y, new_running_mean, new_running_var). Training normalises with the
    batch's mean and biased variance and updates the running statistics as torch
    does in place (momentum, unbiased variance), with no derivative through them;
    eval normalises with the running statistics and returns them unchanged.
    """
    per_channel = (1, np.shape(x)[1]) + (1,) * (np.ndim(x) - 2)
    if training:
        mean, var = _channel_stats(x)
        count = np.size(x) // np.shape(x)[1]
        new_mean = stop_gradient((1 - momentum) * running_mean
                                 + momentum * np.reshape(mean, np.shape(running_mean)))
        # the unbiased variance, as torch keeps (NaN for one value per channel, as numpy's)
        new_var = stop_gradient((1 - momentum) * running_var + momentum * np.reshape(
            var * count / (count - 1), np.shape(running_var)))
    else:
        mean = np.reshape(running_mean, per_channel)
        var = np.reshape(running_var, per_channel)
        new_mean, new_var = running_mean, running_var
    # y = (x - mean) / sqrt(var + eps) * weight + bias, as x * scale + shift (torch's CPU
    # kernel's form): one pass over x each way, and its gradient reads x and numbers per
    # channel only, never a normalised copy of x.
    scale = 1 / np.sqrt(var + eps)
    if weight is not None:
        scale = scale * np.reshape(weight, per_channel)
    shift = -mean * scale
    if bias is not None:
        shift = shift + np.reshape(bias, per_channel)
    return x * scale + shift, new_mean, new_var


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) axes, as torch's layer_norm."""
    shape = np.shape(x)
    rows = np.reshape(x, shape[:len(shape) - len(normalized_shape)] + (-1,))
    mean = np.mean(rows, axis=-1, keepdims=True)
    var = np.var(rows, axis=-1, keepdims=True)
    y = np.reshape((rows - mean) / np.sqrt(var + eps), shape)
    return _affine(y, weight, bias)


# ------------------------------------------------------------- activations
def relu(x):
    """max(x, 0); its derivative at 0 is 0, as in PyTorch. A primitive: its rule reads
    the output, as torch's does, so a gradient keeps no mask beside it."""
    return _activations.relu(x)


def gelu(x, approximate="none"):
    """x * Phi(x) (Phi the normal CDF, through erf), or torch's "tanh" approximation."""
    if approximate == "tanh":
        inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)  # sqrt(2 / pi)
        return 0.5 * x * (1 + np.tanh(inner))
    return 0.5 * x * (1 + erf(x * 0.7071067811865476))  # 1 / sqrt(2)


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


def cross_entropy(input, target, reduction="mean", label_smoothing=0.0):
    """Softmax cross entropy of logits `input` (N, C) or (C,), as torch's cross_entropy.

    `target` holds integer class indices (shape (N,), or 0-d for one sample), or
    class probabilities / one-hot rows of input's shape. "mean" averages over samples.
    `label_smoothing` e mixes the target with the uniform distribution over the C
    classes: (1 - e) * target + e / C, for index targets as for probabilities.
    """
    logp = log_softmax(input)
    if np.ndim(target) == np.ndim(input):
        if label_smoothing != 0.0:
            target = target * (1 - label_smoothing) + label_smoothing / np.shape(input)[-1]
        loss = -np.sum(target * logp, axis=-1)
    else:
        if np.ndim(input) == 1:
            loss = -logp[target]
        else:
            loss = -logp[np.arange(np.shape(input)[0]), target]
        if label_smoothing != 0.0:
            loss = (1 - label_smoothing) * loss - label_smoothing * np.mean(logp, axis=-1)
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
