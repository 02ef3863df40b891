"""Corpus: more elementwise numpy (cbrt, hypot, logaddexp, sinc, fmax, ...), math and scipy.special.

scipy.special and math calls have no jax.numpy twin, so their references are
the same source with `sp`, `special`, `scipy`, `math` and the names imported
from scipy.special bound to jax's versions (`_jax`).
"""

from __future__ import annotations

import functools
import math
import types

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np
import scipy
import scipy.special as sp
from scipy import special
from scipy.special import expit, logsumexp, softmax, xlogy

from .harness import Corpus, jax_twin, num, pos, vec

corpus = Corpus()
add = corpus.add

_SPECIAL_NAMES = ("erf", "erfc", "expit", "logit", "logsumexp", "xlogy", "xlog1py", "gammaln",
                  "digamma", "multigammaln", "betaln", "ndtr", "log_ndtr", "ndtri", "erfinv",
                  "gamma", "beta", "entr", "rel_entr", "polygamma")
JAX_SPECIAL = types.SimpleNamespace(
    **{n: getattr(jsp, n) for n in _SPECIAL_NAMES},
    psi=jsp.digamma, log_expit=jax.nn.log_sigmoid, cbrt=jnp.cbrt, exp2=jnp.exp2,
    expm1=jnp.expm1, log1p=jnp.log1p,
    softmax=functools.partial(jax.nn.softmax, axis=None),  # scipy's default axis is None
    log_softmax=functools.partial(jax.nn.log_softmax, axis=None))
JAX_MATH = types.SimpleNamespace(
    hypot=jnp.hypot, erf=jsp.erf, erfc=jsp.erfc, lgamma=jsp.gammaln, log2=jnp.log2,
    exp2=jnp.exp2, cbrt=jnp.cbrt, asinh=jnp.arcsinh, acosh=jnp.arccosh, atanh=jnp.arctanh,
    radians=jnp.deg2rad, degrees=jnp.rad2deg, exp=jnp.exp, sin=jnp.sin, pi=math.pi)


def _jax(fn):
    """fn's jax twin with scipy.special and math bound to jax's functions."""
    twin = jax_twin(fn)
    twin.__globals__.update(sp=JAX_SPECIAL, special=JAX_SPECIAL, math=JAX_MATH,
                            scipy=types.SimpleNamespace(special=JAX_SPECIAL),
                            expit=JAX_SPECIAL.expit, logsumexp=JAX_SPECIAL.logsumexp,
                            softmax=JAX_SPECIAL.softmax, xlogy=JAX_SPECIAL.xlogy)
    return twin


def add_jax(*specs, **options):
    """corpus.add, with the entry's reference its source on jax's scipy.special and math."""

    def register(fn):
        add(*specs, **options)(fn)
        corpus.entries[-1].ref = _jax(fn)
        return fn

    return register


X_AT_ZERO = [(np.array([0.0, 0.3, -1.2, 2.5]),)]


# ------------------------------------------------------------------ numpy elementwise
@add(pos(4))
def np_reciprocal(x):
    return np.sum(np.reciprocal(x) * x ** 2)


@add(vec(5, lo=-2.0, hi=2.0))
def np_cbrt(x):
    return np.sum(np.cbrt(x) * np.cos(x))


@add(vec(4), vec(4), wrt=("x", "y"))
def np_hypot(x, y):
    return np.sum(np.hypot(x, y) ** 2 + np.hypot(x, 0.5))


def _hypot_grads(x, y):
    """hypot's gradient with agc's convention at (0, 0): 0 (jax gives 1/2 each)."""
    h = np.hypot(x, y)
    safe = np.where(h == 0, 1.0, h)
    return np.where(h == 0, 0.0, x / safe), np.where(h == 0, 0.0, y / safe)


@add(at=[(np.array([0.0, 3.0, 0.0, -1.0]), np.array([0.0, -4.0, 2.0, 0.0]))], wrt=("x", "y"),
     grad=_hypot_grads, fd=False)
def np_hypot_at_origin(x, y):
    return np.sum(np.hypot(x, y))


@add(at=[(0.0, 0.0), (3.0, -4.0)], wrt=("a", "b"), fd=False,
     grad=lambda a, b: tuple(float(v) for v in _hypot_grads(np.array(a), np.array(b))))
def math_hypot_at_origin(a, b):
    return math.hypot(a, b)


@add(vec(3, 1), vec(4), wrt=("x", "y"))
def np_logaddexp_broadcast(x, y):
    return np.sum(np.logaddexp(x, y) * np.arange(4.0))


@add(vec(4), num(), wrt=("x", "c"))
def np_logaddexp2(x, c):
    return np.sum(np.logaddexp2(x, c))


@add(vec(4, lo=-3.0, hi=3.0))
def np_exp2(x):
    return np.sum(np.exp2(x) + 2 ** x)


@add(vec(5, lo=-2.0, hi=2.0))
def np_sinc(x):
    return np.sum(np.sinc(x) * x)


@add(at=X_AT_ZERO)
def np_sinc_at_zero(x):
    return np.sum(np.sinc(x))


@add(vec(5))
def np_heaviside(x):
    return np.sum(np.heaviside(x, 0.5) * x ** 2)


@add(vec(4), vec(4), wrt=("x", "h"))
def np_heaviside_second_argument(x, h):
    return np.sum(np.heaviside(x, h) * x + h)


@add(at=[(np.array([0.0, 1.0, -2.0, 0.0]), np.array([0.3, 0.5, 0.7, 2.0]))], wrt=("x", "h"),
     fd=False)
def np_heaviside_at_zero(x, h):
    return np.sum(np.heaviside(x, h) * np.array([1.0, 2.0, 3.0, 4.0]))


@add(at=[(np.array([[0.0, 1.0], [-2.0, 0.0]]), 0.5)], wrt="h")
def np_heaviside_scalar_h(x, h):
    return np.sum(np.heaviside(x, h))


@add(vec(3, 4), vec(4), wrt=("x", "y"))
def np_fmax_fmin(x, y):
    return np.sum(np.fmax(x, y) * 2 + np.fmin(x, y) ** 2)


@add(at=[(np.array([1.0, np.nan, -2.0, 0.5]), np.array([np.nan, 0.3, 1.0, np.nan]))],
     wrt=("x",))
def np_fmax_nan(x, y):
    return np.sum(np.fmax(x, y) ** 2 + np.fmin(x, y))


# a tie splits evenly, as np.maximum's (and PyTorch's); jax gives it all to y
@add(at=[(np.array([1.0, 2.0, -2.0]), np.array([1.0, 0.5, -2.0]))], wrt=("x", "y"), fd=False,
     grad=lambda x, y: (np.array([3.0, 2.0, 4.0]), np.array([3.0, 5.0, 4.0])))
def np_fmax_ties(x, y):
    return np.sum(np.fmax(x, y) * np.array([1.0, 2.0, 3.0]) + np.fmin(x, y) * 5)


@add(vec(4))
def np_square(x):
    return np.sum(np.square(x) * x)


@add(vec(4, lo=-180.0, hi=180.0))
def np_deg2rad_radians(x):
    return np.sum(np.sin(np.deg2rad(x)) + np.cos(np.radians(x)))


@add(vec(4))
def np_rad2deg_degrees(x):
    return np.sum(np.rad2deg(x) * np.degrees(x))


@add(vec(4, lo=-3.0, hi=3.0))
def np_arcsinh(x):
    return np.sum(np.arcsinh(x) * x)


@add(vec(4, lo=1.2, hi=4.0))
def np_arccosh(x):
    return np.sum(np.arccosh(x))


@add(vec(4, lo=-0.9, hi=0.9))
def np_arctanh(x):
    return np.sum(np.arctanh(x) ** 2)


@add(vec(4), vec(4), wrt=("y", "x"))
def np_arctan2(y, x):
    return np.sum(np.arctan2(y, x) * y)


@add(pos(4))
def np_log2(x):
    return np.sum(np.log2(x) * x)


@add(vec(4))
def np_sign(x):
    return np.sum(np.sign(x) * x ** 2)


# ------------------------------------------------------------------ math module
@add_jax(num(0.2, 2.0), num(-1.0, 1.0), wrt=("a", "b"))
def math_hypot(a, b):
    return math.hypot(a, b) * a


@add_jax(num(-1.5, 1.5), wrt="t")
def math_erf_erfc(t):
    return math.erf(t) * t + math.erfc(2 * t)


@add_jax(num(0.3, 4.0), wrt="t")
def math_lgamma_log2(t):
    return math.lgamma(t) + math.log2(t) * t


@add_jax(num(-2.0, 2.0), wrt="t")
def math_exp2_cbrt(t):
    return math.exp2(t) + math.cbrt(t) * t


@add_jax(num(-0.9, 0.9), wrt="t")
def math_inverse_hyperbolic(t):
    return math.asinh(t) + math.atanh(t) + math.acosh(t + 2.0)


@add_jax(num(-90.0, 90.0), wrt="t")
def math_radians_degrees(t):
    return math.sin(math.radians(t)) + math.degrees(t / 100)


# ------------------------------------------------------------------ scipy.special
@add_jax(vec(5, lo=-2.0, hi=2.0))
def sp_erf_erfc(x):
    return np.sum(sp.erf(x) * x + sp.erfc(x))


@add_jax(vec(5, lo=-3.0, hi=3.0))
def sp_expit_imported(x):
    return np.sum(expit(x) * x)


@add_jax(vec(5, lo=0.05, hi=0.95))
def sp_logit(x):
    return np.sum(special.logit(x) ** 2)


@add_jax(vec(5, lo=-3.0, hi=3.0))
def sp_log_expit(x):
    return np.sum(scipy.special.log_expit(x) * x)


@add_jax(vec(3, 4))
def sp_logsumexp_all(x):
    return sp.logsumexp(x)


@add_jax(vec(3, 4))
def sp_logsumexp_axis(x):
    return np.sum(logsumexp(x, axis=1) * np.array([1.0, 2.0, 3.0]))


@add_jax(vec(3, 4))
def sp_logsumexp_keepdims(x):
    return np.sum(x - sp.logsumexp(x, axis=0, keepdims=True))


@add_jax(vec(3, 4), pos(3, 4), wrt=("x", "w"))
def sp_logsumexp_weights(x, w):
    return np.sum(sp.logsumexp(x, axis=-1, b=w))


@add_jax(vec(3, 4), pos(4), wrt=("x", "w"))
def sp_logsumexp_weights_broadcast(x, w):
    return sp.logsumexp(x, b=w)


@add_jax(vec(3, 4))
def sp_softmax_axis(x):
    return np.sum(softmax(x, axis=1) * np.arange(4.0))


@add_jax(vec(5))
def sp_softmax_all(x):
    return np.sum(sp.softmax(x) ** 2)


@add_jax(vec(3, 4))
def sp_log_softmax_axis(x):
    return np.sum(sp.log_softmax(x, axis=0) * np.arange(12.0).reshape(3, 4))


@add_jax(vec(4), pos(4), wrt=("x", "y"))
def sp_xlogy(x, y):
    return np.sum(xlogy(x, y))


@add_jax(at=[(np.array([0.0, 0.5, -1.0]), np.array([2.0, 0.5, 3.0]))], wrt=("x", "y"))
def sp_xlogy_x_zero(x, y):
    return np.sum(sp.xlogy(x, y))


@add_jax(vec(4), vec(4, lo=-0.5, hi=2.0), wrt=("x", "y"))
def sp_xlog1py(x, y):
    return np.sum(sp.xlog1py(x, y) * x)


@add_jax(vec(4, lo=0.3, hi=5.0))
def sp_gammaln_digamma(x):
    return np.sum(sp.gammaln(x) + sp.digamma(x) * x + sp.psi(x + 1))


@add_jax(vec(4, lo=1.5, hi=5.0))
def sp_multigammaln(x):
    return np.sum(sp.multigammaln(x, 3))


@add_jax(num(2.0, 5.0), wrt="a")
def sp_multigammaln_scalar(a):
    return sp.multigammaln(a, d=2)


@add_jax(pos(4), pos(1), wrt=("a", "b"))
def sp_betaln(a, b):
    return np.sum(sp.betaln(a, b))


@add_jax(vec(5, lo=-3.0, hi=3.0))
def sp_ndtr_log_ndtr(x):
    return np.sum(sp.ndtr(x) * x + sp.log_ndtr(x))


@add_jax(at=[(np.array([-30.0, -8.0, 0.5, 6.0]),)])
def sp_log_ndtr_far_tail(x):
    return np.sum(sp.log_ndtr(x))


@add_jax(vec(5, lo=0.05, hi=0.95))
def sp_ndtri(p):
    return np.sum(sp.ndtri(p) ** 2)


@add_jax(vec(5, lo=-0.9, hi=0.9))
def sp_erfinv(x):
    return np.sum(special.erfinv(x) * x)


@add_jax(vec(4, lo=0.3, hi=4.0), pos(4), wrt=("a", "b"))
def sp_gamma_beta(a, b):
    return np.sum(sp.gamma(a) + sp.beta(a, b) * b)


@add_jax(pos(4), pos(4), wrt=("x", "y"))
def sp_entr_rel_entr(x, y):
    return np.sum(sp.entr(x) + sp.rel_entr(x, y))


@add_jax(pos(4))
def sp_numpy_copies(x):
    return np.sum(sp.cbrt(x) + sp.exp2(x) + sp.expm1(x) * sp.log1p(x))


@add_jax(vec(4, lo=0.4, hi=3.0))
def sp_polygamma(x):
    return np.sum(sp.polygamma(1, x) * x + sp.polygamma(2, x + 1.0))


@add_jax(num(0.5, 3.0), wrt="t")
def sp_polygamma_of_a_number(t):
    return sp.polygamma(0, t) * t


# ------------------------------------------------- in loops, helpers and branches
def _scores(z):
    return sp.log_softmax(z, axis=1) + np.hypot(z, 0.3)


@add_jax(vec(3, 4))
def sp_in_a_loop(x):
    s = 0.0
    for i in range(3):
        x = sp.expit(x) * 1.5 + np.cbrt(x)
        s = s + np.sum(sp.logsumexp(x, axis=0) * (i + 1))
    return s


@add_jax(vec(3, 4), vec(3, 4, lo=1.0, hi=3.0), wrt=("x", "w"))
def sp_in_a_helper(x, w):
    return np.sum(_scores(x * w) * softmax(x, axis=0))


@add_jax(num(0.1, 0.9), wrt="t")
def math_special_in_a_while(t):
    k = 0
    while k < 4:
        t = math.erf(t) + math.lgamma(t + 2.0) * 0.1
        k += 1
    return t


@add_jax(vec(3, 4))
def sp_in_a_branch(x):
    if np.sum(x) > 0:
        y = np.fmax(x, 0.1) * sp.erfc(x)
    else:
        y = np.sinc(x) + sp.xlogy(x * x, x * x + 1.0)
    return np.sum(y * y)


# ------------------------------------------------------------------ refused
@add(vec(4), expect="refused")
def sp_logsumexp_return_sign(x):
    value, sign = sp.logsumexp(x, return_sign=True)
    return value * sign


@add(vec(4), num(2.0, 3.0), expect="refused")
def sp_multigammaln_computed_d(x, k):
    return np.sum(sp.multigammaln(x + 3.0, int(k)))


@add(vec(3, 4), expect="refused")
def sp_softmax_computed_axis(x):
    return np.sum(sp.softmax(x, axis=x.ndim - 1) * x)


@add(vec(4), expect="refused")
def np_logaddexp_out_keyword(x):
    out = np.zeros(4)
    np.logaddexp(x, 0.5, out=out)
    return np.sum(out)


@add(num(), num(), num(), wrt=("a", "c"))  # hypot(hypot(a, b), c) (was refused)
def math_hypot_three_arguments(a, b, c):
    return math.hypot(a, b, c)


corpus.ref(lambda a, b, c: jnp.sqrt(a ** 2 + b ** 2 + c ** 2))
