"""Where argument ranks are known, the emitted adjoint is plain numpy, checked against FD."""

import numpy as np
import pytest
from gradcheck import emitted_source, import_source, numeric_grad

MODELS = '''
import numpy as np
import agc


@agc.differentiate(wrt=("A", "v"))
def products(A, v, B):
    u = A @ v
    w = v @ B
    return np.dot(u, u) + np.dot(w, v[:2]) + np.sum(A.T @ A) + np.sum(A @ B)


@agc.differentiate(wrt=("w", "b"))
def mse(w, b, x, y):
    r = w * x + b - y
    return np.mean(r * r)


@agc.differentiate(wrt=("x",))
def reductions(x, y):
    e = np.sum(np.exp(x)) + np.mean(np.tanh(x) ** 3)  # shares, multiplied by exp(x), ...
    twice = x * y
    return e + np.mean(twice) + np.sum(x) + np.sum(np.sqrt(x * x + 1.0))  # ... spread arrays
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("emitted"), "emitted_models")


def test_matrix_products_of_known_ranks(models):
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)))
    gA, gv = models.products.grad(*args)
    np.testing.assert_allclose(gA, numeric_grad(models.products.fn, args, 0), rtol=1e-6)
    np.testing.assert_allclose(gv, numeric_grad(models.products.fn, args, 1), rtol=1e-6)
    source = emitted_source(models.products)
    assert "matmul_grad" not in source
    # (v_bar, made fresh by a scatter, takes its later terms in place: backend/in_place.py)
    for line in ("u_bar = 2 * t4_bar * u", "A_bar = A_bar + u_bar[:, None] * v",
                 "v_bar = rt.accumulate(v_bar, u_bar @ A)",
                 "v_bar = rt.accumulate(v_bar, B @ w_bar)"):
        assert line in source, line


def test_a_mean_of_squares_hands_back_one_number(models):
    """mean(r * r)'s cotangent is 1/n, multiplied into 2 * r; no array of copies of it."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 50)
    args = (0.3, -0.2, x, 3 * x + 0.5)
    g_w, g_b = models.mse.grad(*args)
    r = 0.3 * x - 0.2 - args[3]
    assert np.isclose(g_w, 2 * np.mean(r * x)) and np.isclose(g_b, 2 * np.mean(r))
    source = emitted_source(models.mse)
    assert "t3_bar = out_bar / r.size" in source and "r_bar = 2 * t3_bar * r" in source
    assert "mean_grad" not in source and "(r * r)" not in source.split("def mse_grad")[1]
    args32 = tuple(np.float32(a) for a in args[:2]) + tuple(a.astype(np.float32) for a in args[2:])
    assert all(g.dtype == np.float32 for g in models.mse.grad(*args32))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_reductions_share_numbers_only_where_a_rule_spreads_them(models, dtype):
    rng = np.random.default_rng(2)
    args = (rng.uniform(0.1, 1.0, (3, 4)).astype(dtype), rng.standard_normal((3, 4)).astype(dtype))
    g = models.reductions.grad(*args)
    assert g.shape == (3, 4) and g.dtype == dtype
    x, y = args
    closed = np.exp(x) + 3 * np.tanh(x) ** 2 * (1 - np.tanh(x) ** 2) / x.size \
        + y / x.size + 1 + x / np.sqrt(x * x + 1)
    np.testing.assert_allclose(g, closed, rtol=1e-5 if dtype == np.float32 else 1e-12)
    source = emitted_source(models.reductions).split("def reductions_grad")[1]
    # mean(x*y), sum(x) (added into x_bar: rt.add_sum_grad, backend/in_place.py)
    assert source.count("sum_grad(") + source.count("mean_grad(") == 2
    assert "t4_bar = e_bar / t3.size" in source and "3 * t4_bar * t3 ** 2" in source
