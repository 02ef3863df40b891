"""Corpus: elementwise maths, operators and broadcasting, written as users write them."""

from __future__ import annotations

import numpy as np

from .harness import Corpus, num, pos, vec

corpus = Corpus()
add = corpus.add


@add(vec(5))
def sum_of_squares(x):
    return np.sum(x ** 2)


@add(vec(5))
def sum_of_x_times_x(x):
    return np.sum(x * x)


@add(vec(4))
def sin_cos_mix(x):
    return np.sum(np.sin(x) * np.cos(2 * x))


@add(vec(4))
def exp_then_log1p(x):
    return np.sum(np.log1p(np.exp(x)))


@add(pos(4))
def log_of_positive(x):
    return np.sum(np.log(x))


@add(pos(4))
def sqrt_of_positive(x):
    return np.sum(np.sqrt(x))


@add(vec(4))
def tanh_sum(x):
    return np.sum(np.tanh(x))


@add(vec(4))
def sigmoid_by_hand(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return np.sum(s)


@add(vec(4))
def softplus_by_hand(x):
    return np.sum(np.log(1 + np.exp(x)))


@add(pos(4))
def reciprocal(x):
    return np.sum(1 / x)


@add(pos(4))
def power_fractional(x):
    return np.sum(x ** 1.5)


@add(pos(4), num(0.5, 2.0), wrt=("x", "p"))
def power_with_learned_exponent(x, p):
    return np.sum(x ** p)


@add(pos(3), wrt="x")
def np_power_call(x):
    return np.sum(np.power(x, 3))


@add(pos(3))
def two_to_the_x(x):
    return np.sum(2.0 ** x)


@add(vec(4))
def square_and_negative(x):
    return np.sum(np.square(x) + np.negative(x))


@add(vec(4))
def expm1_sum(x):
    return np.sum(np.expm1(x))


@add(pos(4))
def log2_log10(x):
    return np.sum(np.log2(x) + 3 * np.log10(x))


@add(vec(4, lo=-0.9, hi=0.9))
def arcsin_arccos(x):
    return np.sum(np.arcsin(x) * np.arccos(x))


@add(vec(4))
def arctan_sum(x):
    return np.sum(np.arctan(x))


@add(vec(4), pos(4), wrt=("y", "x"))
def arctan2_both(y, x):
    return np.sum(np.arctan2(y, x))


@add(vec(4))
def sinh_cosh(x):
    return np.sum(np.sinh(x) - np.cosh(x) * 0.5)


@add(vec(4, lo=-1.2, hi=1.2))
def tan_sum(x):
    return np.sum(np.tan(x))


@add(vec(4), vec(4), wrt=("x", "y"))
def ufunc_calls(x, y):
    return np.sum(np.add(x, np.multiply(y, 2.0)) - np.subtract(x, y) + np.divide(x, 3.0))


@add(vec(4), pos(4), wrt=("a", "b"))
def true_divide_both(a, b):
    return np.sum(np.true_divide(a, b))


@add(vec(3), num(), wrt=("x", "c"))
def python_float_scale(x, c):
    return np.sum(c * x + c ** 2)


@add(num(0.2, 1.0), wrt="t")
def scalar_only_function(t):
    return np.exp(t) * np.sin(t) + t ** 3


@add(vec(3, 4), vec(4), wrt=("X", "b"))
def broadcast_row_vector(X, b):
    return np.sum((X + b) ** 2)


@add(vec(3, 4), vec(3, 1), wrt=("X", "c"))
def broadcast_column(X, c):
    return np.sum(np.tanh(X * c))


@add(vec(2, 3, 4), vec(3, 1), wrt=("T", "s"))
def broadcast_3d(T, s):
    return np.sum(np.sin(T + s))


@add(vec(3), vec(4), wrt=("a", "b"))
def outer_by_broadcasting(a, b):
    return np.sum((a[:, None] * b[None, :]) ** 2)


@add(vec(4))
def chain_of_unary(x):
    return np.sum(np.exp(np.sin(np.tanh(x))))


@add(vec(4))
def reuse_intermediate(x):
    y = np.tanh(x)
    z = y * y + 3 * y
    return np.sum(z * y)


@add(vec(4))
def reassign_same_name(x):
    y = x * 2
    y = np.sin(y)
    y = y + x
    return np.sum(y * y)


@add(vec(4))
def augmented_rebinding(x):
    y = x * 1.0
    y = y * 3
    y += np.cos(x)
    y *= x
    y -= 1.0
    y /= 2.0
    return np.sum(y)


@add(vec(4))
def polynomial_horner(x):
    y = ((0.5 * x + 1.0) * x - 2.0) * x + 0.25
    return np.sum(y)


@add(vec(3, 3))
def matrix_elementwise(X):
    return np.sum(np.exp(-X * X) * X)


@add(vec(4), vec(4), wrt=("x", "y"))
def gaussian_kernel(x, y):
    d = x - y
    return np.exp(-0.5 * np.sum(d * d))


@add(pos(4))
def divide_by_itself_plus_one(x):
    return np.sum(x / (x + 1.0))


@add(vec(4), wrt="x")
def x_minus_const_array(x):
    c = np.array([1.0, 2.0, 3.0, 4.0])
    return np.sum((x - c) ** 2)


@add(vec(4))
def zeros_like_accumulate(x):
    acc = np.zeros_like(x)
    acc = acc + x
    acc = acc * np.ones_like(x) * 2
    return np.sum(acc ** 3)


@add(vec(4))
def full_and_ones(x):
    a = np.full(4, 0.5)
    b = np.ones(4)
    return np.sum(a * x + b * x ** 2)


@add(vec(4))
def astype_float64(x):
    return np.sum(x.astype(np.float64) ** 2)


@add(vec(4))
def where_mask_multiply(x):
    m = x > 0
    return np.sum(x * m)


@add(vec(4, lo=0.1, hi=2.0))
def where_two_branches(x):
    return np.sum(np.where(x > 1.0, x ** 2, 3 * x))


@add(vec(4))
def where_with_scalar_branch(x):
    return np.sum(np.where(x < 0.0, 0.0, np.sin(x)))


@add(pos(4))
def mixed_constants(x):
    return np.sum(np.pi * x + np.e / x)


@add(vec(4), pos(4), wrt=("mu", "sigma"))
def gaussian_logpdf(mu, sigma):
    x = np.array([0.1, -0.3, 0.7, 1.2])
    return np.sum(-0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi))


@add(vec(4))
def floor_is_flat(x):
    return np.sum(np.floor(3 * x) * x)


@add(vec(4))
def sign_times_x(x):
    return np.sum(np.sign(x) * x ** 2)


@add(vec(4))
def mod_operator(x):
    return np.sum((x % 0.7) ** 2 + (x % 0.3) * x)


@add(vec(4))
def floor_division_is_flat(x):
    return np.sum((x // 0.5) * x)


@add(vec(4))
def fabs_absolute(x):
    return np.sum(np.fabs(x) + np.absolute(x) * x)


# ------------------------------------------------------------------ array outputs (checked through a seed)
@add(vec(4))
def vector_output_tanh(x):
    return np.tanh(x) * 2 + x ** 2


@add(vec(2, 3), vec(3, 2), wrt=("A", "B"))
def matrix_output_product(A, B):
    return np.exp(A @ B)


@add(vec(4))
def vector_output_from_loop(x):
    y = x
    for _ in range(3):
        y = np.sin(y) + 0.5 * x
    return y


@add(vec(3), num(), wrt=("x", "c"))
def vector_output_scalar_param(x, c):
    return x * c + c ** 2


@add(vec(4))
def comparison_functions_as_masks(x):
    m = (np.less(x, 0.2) * 1.0 + np.greater(x, -0.3) + np.less_equal(x, 0.5)
         + np.greater_equal(x, 0.0) + np.equal(x, x) + np.not_equal(x, 0.1))
    return np.sum(m * x ** 2)


@add(vec(4), num(), wrt=("x",))
def round_has_no_derivative(x, s):
    return np.sum(np.round(x * 3.0) * x) + np.sum(x) * round(s, 1)


@add(vec(4))
def round_decimals_value(x):
    return np.sum(np.round(x, 2) * x) + np.sum(x.round(1) ** 2)


@add(vec(4, lo=-2.0, hi=2.0))
def remainder_and_mod(x):
    return np.sum(np.remainder(x, 0.7) * x + np.mod(x * 3.0, 1.3) ** 2)


# ---------------------------------------- fmod, copysign, float_power, divmod (numpy_names_more)
@add(vec(3, 4, lo=-3.0, hi=3.0), pos(3, 4), wrt=("x", "c"))
def fmod_and_remainder(x, c):
    return np.sum(np.fmod(x, c) * x + np.mod(x, c))


@add(vec(3, 4), vec(3, 4), wrt=("x", "y"))
def copysign_magnitude(x, y):
    return np.sum(np.copysign(x, y) * x + np.copysign(x * x, y))


@add(pos(3, 4), vec(3, 4), wrt=("x", "y"))
def float_power_positive(x, y):
    return np.sum(np.float_power(x, y) + np.positive(x) * y)


@add(vec(3, 4, lo=-3.0, hi=3.0), pos(3, 4), wrt=("x", "c"))
def divmod_parts(x, c):
    q, r = np.divmod(x, c)
    return np.sum(q * x + r * r + np.floor_divide(x, c))


@add(vec(6, lo=0.0, hi=4.0), vec(5), vec(4), vec(3), wrt=("x", "fp", "a", "v"))
def interp_and_convolve(x, fp, a, v):
    knots = np.array([0.0, 1.0, 1.5, 3.0, 4.0])
    return np.sum(np.interp(x, knots, fp) ** 2) + np.sum(np.convolve(a, v, "same") * a)


@add(vec(3, 5), wrt="y")
def trapezoid_rows(y):
    return np.sum(np.trapezoid(y * y, dx=0.5)) + np.trapezoid(y[0], np.arange(5.0) ** 2)


@add(vec(3, 4))
def nanmax_nanmin(X):
    return np.sum(np.nanmax(X, axis=0)) + np.nanmin(X * X)
