"""`rt.special`: scipy.special for emitted code, on the arguments' array library.

Emitted code never calls scipy itself: `scipy.special.erf(x)` in a model is
emitted `rt.special.erf(x)`, which calls scipy.special for numpy arrays and
numbers and cupyx.scipy.special for cupy arrays. scipy and cupyx are imported
here lazily, on first use, so that `import agc` works without them. The
gradient helpers (`softmax_grad`, `logsumexp_grad`, ...) use only functions
that numpy and cupy both have, and keep float32 float32.
"""

from __future__ import annotations

import math

import numpy

from .dispatch import array_module


def library(*values):
    """scipy.special for numpy arrays and numbers, cupyx.scipy.special for cupy arrays."""
    xp = array_module(*values)
    if xp is numpy:
        try:
            import scipy.special as lib  # noqa: PLC0415  (optional: only models using it need it)
        except ImportError as err:
            raise ImportError("this model calls scipy.special: install scipy "
                              "(pip install scipy)") from err
        return lib
    if getattr(xp, "__name__", "") == "cupy":
        import cupyx.scipy.special as lib  # noqa: PLC0415  (optional: only on a GPU)
        return lib
    raise TypeError(f"scipy.special functions run on numpy or cupy arrays, not on {xp!r}")


def _function(name: str, *values):
    lib = library(*values)
    fn = getattr(lib, name, None)
    if fn is None:
        raise NotImplementedError(f"{lib.__name__} has no `{name}`: compute this model's "
                                  f"{name} on numpy arrays, or upgrade the library")
    return fn


def _forwarder(name: str):
    def forward(x, *args, **kwargs):
        return _function(name, x, *args, *kwargs.values())(x, *args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    forward.__doc__ = f"scipy.special.{name} (cupyx.scipy.special.{name} on cupy arrays)."
    return forward


erf = _forwarder("erf")
erfc = _forwarder("erfc")
expit = _forwarder("expit")
logit = _forwarder("logit")
log_expit = _forwarder("log_expit")
gammaln = _forwarder("gammaln")
_scipy_digamma = _forwarder("digamma")


def digamma(x):
    """scipy.special.digamma (cupyx's on cupy arrays); for a Python number, also without scipy.

    math.lgamma's derivative is digamma, and a model that uses only the math module
    should not need scipy for its gradient.
    """
    if isinstance(x, (int, float)) and not _has_scipy():
        return _digamma_number(float(x))
    return _scipy_digamma(x)


def _has_scipy() -> bool:
    try:
        import scipy.special  # noqa: F401, PLC0415  (optional)
    except ImportError:
        return False
    return True


# Bernoulli terms B_2k / 2k of digamma's asymptotic series, k = 1..6
_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760)


def _digamma_number(x: float) -> float:
    """digamma(x) of one float (about 1e-15 relative): reflection, recurrence to x >= 10, series."""
    if x < 0.5:  # psi(x) = psi(1 - x) - pi / tan(pi x); lgamma has no value at the poles
        return _digamma_number(1.0 - x) - math.pi / math.tan(math.pi * (x - round(x)))
    shift = 0.0
    while x < 10.0:  # psi(x) = psi(x + 1) - 1 / x
        shift -= 1.0 / x
        x += 1.0
    inv2, power, tail = 1.0 / (x * x), 1.0, 0.0
    for term in _SERIES:
        power *= inv2
        tail += term * power
    return shift + math.log(x) - 0.5 / x - tail


multigammaln = _forwarder("multigammaln")
betaln = _forwarder("betaln")
xlogy = _forwarder("xlogy")
xlog1py = _forwarder("xlog1py")
logsumexp = _forwarder("logsumexp")
softmax = _forwarder("softmax")
log_softmax = _forwarder("log_softmax")
ndtr = _forwarder("ndtr")
log_ndtr = _forwarder("log_ndtr")
ndtri = _forwarder("ndtri")
erfinv = _forwarder("erfinv")
gamma = _forwarder("gamma")
beta = _forwarder("beta")
entr = _forwarder("entr")
rel_entr = _forwarder("rel_entr")


def _like(value, x):
    """value in x's floating dtype (scipy's polygamma computes in float64)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or dtype.kind != "f" or getattr(value, "dtype", dtype) == dtype:
        return value
    return value.astype(dtype)


def polygamma(n, x):
    """scipy.special.polygamma(n, x), in x's dtype (scipy's computes in float64)."""
    fn = _function("polygamma", x)
    if not isinstance(x, numpy.ndarray) and hasattr(x, "shape"):
        n = array_module(x).asarray(n)  # cupyx's polygamma takes n as an array only
    return _like(fn(n, x), x)


def trigamma(x):
    """polygamma(1, x), the derivative of digamma, in x's dtype."""
    return polygamma(1, x)


def _expand(value, axis, keepdims):
    """A reduced value with its reduced axes back (length 1), to broadcast against the input."""
    if keepdims or axis is None or not hasattr(value, "shape"):
        return value  # kept axes, or one number: broadcasts as it is
    return array_module(value).expand_dims(value, axis)


def logsumexp_grad(g, a, out, b=None, axis=None, keepdims=False):
    """g * exp(a - logsumexp(a, axis, b)), over a's shape broadcast with b's: the weights.

    The cotangent of `a` is these weights times b (b=None: times 1); that of `b`
    is the weights themselves.
    """
    xp = array_module(g, a, out)
    return _expand(g, axis, keepdims) * xp.exp(a - _expand(out, axis, keepdims))


def softmax_grad(g, out, axis=None):
    """Cotangent of x for out = softmax(x, axis): out * (g - sum(g * out, axis))."""
    xp = array_module(g, out)
    return out * (g - xp.sum(g * out, axis=axis, keepdims=True))


def log_softmax_grad(g, out, axis=None):
    """Cotangent of x for out = log_softmax(x, axis): g - exp(out) * sum(g, axis)."""
    xp = array_module(g, out)
    return g - xp.exp(out) * xp.sum(g, axis=axis, keepdims=True)


def hypot_grad(g, out):
    """g / out for out = hypot(x, y), and 0 where out is 0 (there x = y = 0: a zero distance)."""
    if not hasattr(out, "shape"):  # math.hypot's Python float
        return g / out if out != 0 else 0.0 * g
    xp = array_module(g, out)
    zero = out == 0
    return xp.where(zero, 0, g / xp.where(zero, 1, out))


def sinc_grad(g, x):
    """Cotangent of x for np.sinc(x): g * (cos(pi x) - sinc(x)) / x, and 0 at x = 0."""
    xp = array_module(g, x)
    zero = x == 0
    safe = xp.where(zero, 1, x)  # no 0 / 0 at x = 0, where the derivative is 0
    slope = (xp.cos(math.pi * safe) - xp.sinc(safe)) / safe
    return g * xp.where(zero, 0, slope)
