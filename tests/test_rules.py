"""Each derivative rule against central finite differences, over several shapes.

Every model below applies one primitive (or one call form of it); each case
lists argument specs, and the test checks agc's gradient with respect to
every float argument. Non-scalar outputs are checked through a vjp with a
random seed, so each output element counts. Inputs keep off kinks and
domain edges (abs away from 0, log on positives, arcsin inside (-1, 1)).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import agc
import numpy as np
import pytest
from agc.ir.prims import Prim
from agc.primitives import RULES
from gradcheck import check_gradient, numeric_grad


# ------------------------------------------------------------ argument specs
@dataclass(frozen=True)
class A:
    """An argument: a kind of values and a shape (None: a Python float)."""

    kind: str = "n"
    shape: tuple | None = (3, 4)


def n(*shape):
    """Values in (-1.5, 1.5)."""
    return A("n", shape)


def p(*shape):
    """Positive values in (0.5, 2)."""
    return A("p", shape)


def u(*shape):
    """Values in (-0.8, 0.8) (arcsin, arccos, tan)."""
    return A("u", shape)


def nz(*shape):
    """Values in +-(0.3, 1.5): away from zero (abs, sign, division)."""
    return A("nz", shape)


F, PF, UF, NZF = A("n", None), A("p", None), A("u", None), A("nz", None)  # Python floats


def make(spec, rng):
    """A value for one spec; ints pass through (indices)."""
    if not isinstance(spec, A):
        return spec
    size = 1 if spec.shape is None else spec.shape
    if spec.kind == "n":
        v = rng.uniform(-1.5, 1.5, size)
    elif spec.kind == "p":
        v = rng.uniform(0.5, 2.0, size)
    elif spec.kind == "u":
        v = rng.uniform(-0.8, 0.8, size)
    else:
        v = rng.uniform(0.3, 1.5, size) * rng.choice([-1.0, 1.0], size)
    return float(v.reshape(-1)[0]) if spec.shape is None else np.asarray(v, dtype=np.float64)


def binary_shapes(kx="n", ky="n"):
    """Shape pairs for a broadcasting binary op, incl. broadcasts and Python floats."""
    pairs = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((4,), (3, 4)), ((3, 4), (4,)),
             ((), (3, 4)), ((5,), ())]
    out = [(A(kx, a), A(ky, b)) for a, b in pairs]
    out += [(A(kx, None), A(ky, (3, 4))), (A(kx, (2, 3)), A(ky, None)),
            (A(kx, None), A(ky, None))]
    return out


def unary_shapes(k="n"):
    return [(A(k, (5,)),), (A(k, (3, 4)),), (A(k, ()),), (A(k, (2, 3, 2)),)]


CASES: list = []
_IDS: set = set()


def _spec_id(spec) -> str:
    if not isinstance(spec, A):
        return "int" if isinstance(spec, int) else "idx"
    if spec.shape is None:
        return "float"
    return "x".join(map(str, spec.shape)) if spec.shape else "0d"


def case(fn, arg_sets, wrt=None):
    """Register fn with a list of argument-spec tuples (one test each)."""
    for specs in arg_sets:
        base = f"{fn.__name__}-{','.join(_spec_id(s) for s in specs)}"
        test_id, k = base, 1
        while test_id in _IDS:
            k += 1
            test_id = f"{base}-{k}"
        _IDS.add(test_id)
        CASES.append(pytest.param(fn, specs, wrt, id=test_id))


# ---------------------------------------------------------------- arithmetic
def add(x, y):
    return x + y


def sub(x, y):
    return x - y


def mul(x, y):
    return x * y


def div(x, y):
    return x / y


def power(x, y):
    return x ** y


def np_ufuncs(x, y):
    return np.add(x, y) * np.subtract(x, y) + np.divide(np.multiply(x, y), y) - np.negative(x)


def neg(x):
    return -x


def pow_const(x):
    return x ** 3 + x ** 2 - x ** 0.5 + x ** -1.5


def rpow(x):
    return 2.0 ** x + np.power(x, 2)


def chain_consts(x):
    return 3.0 - 2 * x / 4.0 + 1 / x


for _fn in (add, sub, mul, np_ufuncs):
    case(_fn, binary_shapes())
case(div, binary_shapes("n", "nz"))
case(power, binary_shapes("p", "n"))
case(neg, unary_shapes())
case(pow_const, unary_shapes("p"))
case(rpow, unary_shapes("p"))
case(chain_consts, unary_shapes("nz") + [(NZF,)])


# ------------------------------------------------------------- linear algebra
def matmul_op(x, y):
    return x @ y


def np_matmul(x, y):
    return np.matmul(x, y)


def np_dot(x, y):
    return np.dot(x, y)


def method_dot(x, y):
    return x.dot(y)


def outer(x, y):
    return np.outer(x, y)


MATMUL_SHAPES = [(n(3, 4), n(4, 2)), (n(4,), n(4, 2)), (n(3, 4), n(4,)), (n(4,), n(4,)),
                 (n(1, 4), n(4, 1))]
for _fn in (matmul_op, np_matmul, np_dot, method_dot):
    case(_fn, MATMUL_SHAPES)
case(matmul_op, [(n(2, 3, 4), n(2, 4, 5)), (n(2, 3, 4), n(4, 5))])
case(outer, [(n(3), n(4)), (n(1), n(5))])


# --------------------------------------------------------- elementwise maths
def exp(x):
    return np.exp(x)


def log(x):
    return np.log(x)


def log1p(x):
    return np.log1p(x)


def expm1(x):
    return np.expm1(x)


def log2_log10(x):
    return np.log2(x) + np.log10(x)


def sqrt(x):
    return np.sqrt(x)


def square(x):
    return np.square(x)


def sin(x):
    return np.sin(x)


def cos(x):
    return np.cos(x)


def tan(x):
    return np.tan(x)


def tanh(x):
    return np.tanh(x)


def sinh(x):
    return np.sinh(x)


def cosh(x):
    return np.cosh(x)


def arcsin(x):
    return np.arcsin(x)


def arccos(x):
    return np.arccos(x)


def arctan(x):
    return np.arctan(x)


def np_abs(x):
    return np.abs(x)


def np_absolute(x):
    return np.absolute(x) * x


def sign(x):
    return np.sign(x) * x


for _fn, _kind in ((exp, "n"), (log, "p"), (log1p, "p"), (expm1, "n"), (log2_log10, "p"),
                   (sqrt, "p"), (square, "n"), (sin, "n"), (cos, "n"), (tan, "u"), (tanh, "n"),
                   (sinh, "n"), (cosh, "n"), (arcsin, "u"), (arccos, "u"), (arctan, "n"),
                   (np_abs, "nz"), (np_absolute, "nz"), (sign, "nz")):
    case(_fn, unary_shapes(_kind))


def arctan2(y, x):
    return np.arctan2(y, x)


def maximum(x, y):
    return np.maximum(x, y)


def minimum(x, y):
    return np.minimum(x, y)


def maximum_const(x):
    return np.maximum(x, 0.0) + np.minimum(0.5, x)


def where(x, y):
    return np.where(x > 0, x * y, y - x)


def where_const(x):
    return np.where(x < 0, 0.0, x * x)


def clip(x):
    return np.clip(x, -0.5, 0.7)


def clip_method(x):
    return x.clip(-0.5, 0.7) * x


case(arctan2, binary_shapes("nz", "nz"))
case(maximum, binary_shapes())
case(minimum, binary_shapes())
case(maximum_const, unary_shapes("nz"))
case(where, binary_shapes("nz", "n"))
case(where_const, unary_shapes("nz"))
case(clip, unary_shapes())
case(clip_method, unary_shapes())


# ---------------------------------------------------------------- reductions
def sum_all(x):
    return np.sum(x)


def sum_axis0(x):
    return np.sum(x, axis=0)


def sum_axis1_keep(x):
    return np.sum(x, axis=1, keepdims=True)


def sum_neg_axis(x):
    return x.sum(-1)


def sum_axes(x):
    return np.sum(x, axis=(0, 2))


def mean_all(x):
    return np.mean(x)


def mean_axis(x):
    return x.mean(axis=0)


def mean_keep(x):
    return np.mean(x, axis=-1, keepdims=True)


def max_all(x):
    return np.max(x)


def max_axis(x):
    return np.max(x, axis=1)


def max_keep(x):
    return x.max(axis=0, keepdims=True)


def min_all(x):
    return x.min()


def min_axis(x):
    return np.min(x, axis=0)


def amax_amin(x):
    return np.amax(x, axis=-1) - np.amin(x, axis=-1)


def prod_all(x):
    return np.prod(x)


def prod_axis(x):
    return np.prod(x, axis=1)


def prod_keep(x):
    return x.prod(axis=0, keepdims=True)


for _fn in (sum_all, sum_axis0, sum_axis1_keep, sum_neg_axis, mean_all, mean_axis, mean_keep,
            max_all, max_axis, max_keep, min_all, min_axis, amax_amin):
    case(_fn, [(n(3, 4),), (n(2, 3, 2),)])
case(sum_axes, [(n(2, 3, 4),)])
case(sum_all, [(n(5),), (n(),)])
for _fn in (prod_all, prod_axis, prod_keep):
    case(_fn, [(nz(3, 4),), (nz(2, 3, 2),)])


def norm(x):
    return np.linalg.norm(x)


def norm_scaled(x):
    return np.linalg.norm(3.0 * x) ** 2


case(norm, [(n(5),), (n(1),)])
case(norm_scaled, [(n(4),)])


# --------------------------------------------------------------------- shape
def dot_t(x):
    return x.T


def np_transpose(x):
    return np.transpose(x)


def transpose_axes(x):
    return np.transpose(x, (1, 2, 0))


def transpose_method(x):
    return x.transpose(2, 0, 1)


def reshape_method(x):
    return x.reshape(4, 3)


def reshape_tuple(x):
    return x.reshape((2, 6)) * 2.0


def np_reshape(x):
    return np.reshape(x, (-1,))


def flatten(x):
    return x.flatten() + x.ravel()


def expand_dims(x):
    return np.expand_dims(x, 0) * np.expand_dims(x, -1)[..., 0]


def squeeze(x):
    return np.squeeze(x)


def squeeze_axis(x):
    return np.squeeze(x, axis=1) + x.squeeze(1)


def concatenate(x, y):
    return np.concatenate([x, y])


def concatenate_axis1(x, y):
    return np.concatenate((x, y, x), axis=1)


def hstack_vstack(x, y):
    return np.vstack([x, y]) * 2.0


def stack(x, y):
    return np.stack([x, y])


def stack_axis(x, y):
    return np.stack((x, y, x * y), axis=-1)


case(dot_t, [(n(3, 4),), (n(1, 4),)])
case(np_transpose, [(n(3, 4),), (n(2, 3, 4),)])
case(transpose_axes, [(n(2, 3, 4),)])
case(transpose_method, [(n(2, 3, 4),)])
case(reshape_method, [(n(3, 4),), (n(12),)])
case(reshape_tuple, [(n(3, 4),)])
case(np_reshape, [(n(3, 4),), (n(2, 3, 2),)])
case(flatten, [(n(3, 4),)])
case(expand_dims, [(n(3),), (n(2, 3),)])
case(squeeze, [(n(3, 1, 4),), (n(1, 5),)])
case(squeeze_axis, [(n(3, 1, 4),)])
case(concatenate, [(n(3), n(4)), (n(2, 3), n(1, 3))])
case(concatenate_axis1, [(n(2, 3), n(2, 1))])
case(hstack_vstack, [(n(2, 3), n(1, 3))])
case(stack, [(n(3), n(3)), (n(2, 3), n(2, 3))])
case(stack_axis, [(n(3), n(3)), (n(2, 3), n(2, 3))])


# ------------------------------------------------------------------ indexing
def index_int(x):
    return x[0]


def index_last(x):
    return x[-1] * 2.0


def index_slice2(x):
    return x[:, 1:3]


def index_pair(x):
    return x[1, 2]


def index_vars(x, i, j):
    return x[i, j] * x[j, i]


def index_reverse(x):
    return x[::-1]


def index_none(x):
    return x[None]


def index_step(x):
    return x[1:, ::2]


def index_ellipsis(x):
    return x[..., 0]


def index_fancy(x):
    return x[np.array([0, 2, 2, 1])]  # a repeated entry: its cotangents add up


def index_fancy_param(x, idx):
    return x[idx] * x[idx]


def index_mixed(x):
    idx = np.array([0, 2, 2, 1])
    return x[idx, 1:3]


def index_reuse(x):
    return x[0] * x[1] + x[0]


case(index_int, [(n(4),), (n(3, 4),)])
case(index_last, [(n(4),), (n(3, 4),)])
case(index_slice2, [(n(3, 4),)])
case(index_pair, [(n(3, 4),)])
case(index_vars, [(n(3, 3), 0, 2), (n(3, 3), 1, 1)], wrt=("x",))
case(index_reverse, [(n(5),), (n(3, 4),)])
case(index_none, [(n(4),), (n(3, 4),)])
case(index_step, [(n(3, 5),)])
case(index_ellipsis, [(n(3, 4),), (n(2, 3, 4),)])
case(index_fancy, [(n(3),), (n(4, 2),)])
case(index_fancy_param, [(n(5), np.array([4, 0, 4, 4, 1]))], wrt=("x",))
case(index_mixed, [(n(3, 4),)])
case(index_reuse, [(n(3),), (n(2, 3),)])


# ---------------------------------------------------- Python floats and math
def math_unary(x):
    return (math.exp(x) + math.log(x) + math.log1p(x) + math.expm1(x) + math.sqrt(x)
            + math.sin(x) + math.cos(x) + math.tanh(x) + math.sinh(x) + math.cosh(x)
            + math.atan(x) + math.fabs(x) + math.log2(x) + math.log10(x))


def math_trig(x):
    return math.tan(x) + math.asin(x) + math.acos(x) * math.pi


def math_binary(x, y):
    return math.atan2(x, y) + math.pow(x, y) + pow(y, 2)


def builtins_abs_max_min(x, y):
    return abs(x) * max(x, y) - min(x, y) + abs(y - 3.0)


def float_and_array(x, y):
    return np.sum(np.sin(x) * y) + math.cos(x)


case(math_unary, [(PF,), (PF,)])
case(math_trig, [(UF,), (UF,)])
case(math_binary, [(PF, PF), (PF, NZF)])
case(builtins_abs_max_min, [(NZF, NZF), (F, F), (NZF, F)])
case(float_and_array, [(F, n(3)), (F, n(2, 2))])


# --------------------------------------------------------------------- tests
def _wrt(fn, specs, wrt):
    if wrt is not None:
        return wrt
    names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    return tuple(name for name, spec in zip(names, specs) if isinstance(spec, A))


@pytest.mark.parametrize("fn, specs, wrt", CASES)
def test_rule_matches_finite_differences(fn, specs, wrt):
    """agc's gradient (or vjp) of each primitive equals central differences."""
    rng = np.random.default_rng(zlib.crc32(fn.__name__.encode()))  # same inputs every run
    args = tuple(make(spec, rng) for spec in specs)
    check_gradient(fn, args, _wrt(fn, specs, wrt))


def test_numeric_grad_helper():
    """The finite-difference helper itself: known derivatives, seeds, Python floats."""
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(numeric_grad(lambda v: np.sum(v ** 3), (x,), 0), 3 * x ** 2,
                               rtol=1e-7)
    seed = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(numeric_grad(lambda v: np.sin(v), (x,), 0, seed),
                               seed * np.cos(x), rtol=1e-7)
    assert abs(numeric_grad(lambda a, b: a * b * b, (2.0, 3.0), 1) - 12.0) < 1e-6


def test_sign_has_zero_gradient():
    grad = agc.differentiate(_sign_model).grad(np.array([-1.0, 0.5, 2.0]))
    np.testing.assert_array_equal(grad, np.zeros(3))


def _sign_model(x):
    return np.sum(np.sign(x))


def test_every_differentiable_prim_has_a_rule():
    """A differentiable primitive without a rule would only fail deep inside a user's model."""
    missing = [p.name for p in Prim
               if p.differentiable and p.spec.group not in ("gradient", "call")
               and p not in RULES]
    assert missing == []


# ----------------------------------------------------------- float32 inputs
def f32_mul(x, y):
    return np.sum(x * y)


def f32_layer(x, w):
    return np.mean(np.tanh(x @ w) ** 2)


def f32_exp_log(x, y):
    return np.sum(np.exp(x) * np.log(y)) / 2.0


def f32_index_norm(x, y):
    return np.linalg.norm(x[1:]) + np.max(y[:, 0])


def f32_reduce_shape(x, y):
    return np.sum(np.concatenate([x, y]).reshape(2, -1).T * 3)


@pytest.mark.parametrize("fn, shapes", [
    (f32_mul, ((3, 4), (4,))), (f32_layer, ((3, 4), (4, 2))), (f32_exp_log, ((3,), (3,))),
    (f32_index_norm, ((4,), (3, 2))), (f32_reduce_shape, ((3,), (5,))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_float32_inputs_give_float32_gradients(fn, shapes):
    rng = np.random.default_rng(7)
    args = tuple(rng.uniform(0.5, 1.5, s).astype(np.float32) for s in shapes)
    grads = agc.differentiate(fn, wrt=("x", "y") if "y" in fn.__code__.co_varnames else
                              ("x", "w")).grad(*args)
    for g, a in zip(grads, args):
        assert g.dtype == np.float32, f"{fn.__name__}: gradient dtype {g.dtype}"
        assert g.shape == a.shape
    check_gradient(fn, tuple(a.astype(np.float64) for a in args),
                   fn.__code__.co_varnames[:2])


# ------------------------------------------------- non-differentiable calls
def nd_shape_len(x):
    return np.sum(x) * x.shape[0] + len(x) * np.sum(x * x)


def nd_zeros_like(x):
    return np.sum(np.zeros_like(x) + x) + np.sum(np.ones_like(x))


def nd_compare(x):
    return np.sum(x * (x > 0)) + np.sum(x >= 0.5)


def nd_argmax(x):
    return x[np.argmax(x)] * 2.0 + np.argmin(x)


def nd_floor(x):
    return np.sum(np.floor(x) * x) + np.sum(np.ceil(x))


@pytest.mark.parametrize("fn", [nd_shape_len, nd_zeros_like, nd_compare, nd_argmax, nd_floor],
                         ids=lambda f: f.__name__)
def test_non_differentiable_calls_give_zero_adjoint(fn):
    x = np.array([0.3, -1.2, 2.7, 1.6, -0.4])
    check_gradient(fn, (x,))


def nd_only_floor(x):
    return np.sum(np.floor(x))


def nd_only_argmax(x):
    return np.argmax(x) + 0.0 * x.shape[0]


def nd_only_compare(x):
    return np.sum(x > 0.0) + float(len(x))


def nd_only_zeros_like(x):
    return np.sum(np.zeros_like(x))


@pytest.mark.parametrize("fn", [nd_only_floor, nd_only_argmax, nd_only_compare,
                                nd_only_zeros_like], ids=lambda f: f.__name__)
def test_purely_non_differentiable_output_has_zero_gradient(fn):
    x = np.array([0.3, -1.2, 2.7, 1.6])
    grad = agc.differentiate(fn).grad(x)
    assert np.shape(grad) == x.shape
    np.testing.assert_array_equal(grad, np.zeros_like(x))
