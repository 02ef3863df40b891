"""What made GradBench's gradients cheaper keeps them exact: a minor's adjoint added in
place per trip (Laplace's det), a list's adjoint added into at one position (hand
tracking), helper calls split in a caller that appends to its own lists (the LSTM), and
the unsplit call kept where a caller hands such a list on or writes an array in place.
Gradients against jax (float64) or central differences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import pipeline
from agc.ad.split import caller_may_split
from agc.frontend.resolve import names_from_module
from gradcheck import import_source, numeric_grad

jax.config.update("jax_enable_x64", True)

MODELS = '''
import numpy as np
import agc


def laplace(a, n):
    if n == 1:
        return a[0, 0]
    total = 0.0
    sign = 1.0
    for j in range(n):
        minor = np.concatenate((a[1:, :j], a[1:, j + 1:]), axis=1)
        total = total + sign * a[0, j] * laplace(minor, n - 1)
        sign = -sign
    return total


@agc.differentiate
def det4(a):
    return laplace(a, 4)


def cell(w, h, x):
    return np.tanh(w[0] * h + w[1] * x), np.sin(h) * w[2]


@agc.differentiate(wrt=("w",))
def unrolled(w, xs):
    h = np.zeros(xs.shape[1])
    hs = []
    cs = []
    for t in range(xs.shape[0]):
        h, c = cell(w, h, xs[t])
        hs.append(h)
        cs.append(c)
    return np.sum(np.stack(hs) ** 2) + np.sum(np.stack(cs)) + np.sum(hs[0] * cs[-1])


def total(parts):
    return np.sum(np.stack(parts) ** 2)


@agc.differentiate
def list_to_helper(x):
    parts = []
    s = 0.0
    for i in range(3):
        parts.append(np.sin(x) * (i + 1.0))
        s = s + total(parts)
    return s


@agc.differentiate(wrt=("x", "m"))
def chain(x, m):
    parts = [x]
    for i in range(1, 6):
        parts.append(np.tanh(np.dot(parts[i // 2], m)))
    return np.sum(np.stack(parts) ** 2)


def scale(v, w):
    return np.tanh(v * w)


@agc.differentiate
def array_written(x):
    y = np.zeros(x.shape[0])
    for i in range(3):
        y[i] = x[i] * 2.0
    return np.sum(scale(y, x))
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("gb_paths"), "gb_path_models")


def _body(fn, name, *args):
    """The emitted text of one function of fn's compiled module (after a call)."""
    fn.grad(*args)
    source = "\n".join(c.source for c in fn._compiled.values())
    start = source.index(f"def {name}(")
    end = source.find("\ndef ", start + 1)
    return source[start:end if end > 0 else None]


def test_each_minor_adjoint_is_added_into_in_place_and_det_grad_is_exact(models):
    a = np.random.default_rng(0).normal(size=(4, 4))
    body = _body(models.det4, "det4_value_and_grad", a)
    assert "minor_bar = rt.add_at(minor_bar, " in body
    assert "minor_1_bar = rt.add_at(minor_1_bar, " in body
    want = jax.grad(jnp.linalg.det)(a)
    np.testing.assert_allclose(models.det4.grad(a), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(models.det4(a), np.linalg.det(a), rtol=1e-12)


def _unrolled_jax(w, xs):
    h = jnp.zeros(xs.shape[1])
    hs, cs = [], []
    for t in range(xs.shape[0]):
        h, c = jnp.tanh(w[0] * h + w[1] * xs[t]), jnp.sin(h) * w[2]
        hs.append(h)
        cs.append(c)
    return jnp.sum(jnp.stack(hs) ** 2) + jnp.sum(jnp.stack(cs)) + jnp.sum(hs[0] * cs[-1])


def test_a_caller_appending_to_its_own_lists_runs_each_helper_once(models):
    rng = np.random.default_rng(1)
    w, xs = rng.normal(size=3), rng.normal(size=(5, 4))
    body = _body(models.unrolled, "unrolled_value_and_grad", w, xs)
    assert "cell_fwd(" in body and "cell_bwd(" in body and "cell_vjp(" not in body
    np.testing.assert_allclose(models.unrolled.grad(w, xs), jax.grad(_unrolled_jax)(w, xs),
                               rtol=1e-10, atol=1e-12)


def test_a_list_handed_to_a_helper_keeps_the_unsplit_call(models):
    x = np.linspace(-1.0, 1.0, 4)
    body = _body(models.list_to_helper, "list_to_helper_value_and_grad", x)
    assert "total_vjp(" in body and "total_fwd(" not in body
    np.testing.assert_allclose(models.list_to_helper.grad(x),
                               numeric_grad(models.list_to_helper, (x,), 0), rtol=1e-6)


def test_a_caller_writing_an_array_in_place_keeps_the_unsplit_call(models):
    x = np.linspace(-1.0, 1.0, 4)
    body = _body(models.array_written, "array_written_value_and_grad", x)
    assert "scale_vjp(" in body and "scale_fwd(" not in body
    np.testing.assert_allclose(models.array_written.grad(x),
                               numeric_grad(models.array_written, (x,), 0), rtol=1e-6)
    parsed = pipeline.parse(MODELS, "gb_path_models.py", names_from_module)
    assert caller_may_split(pipeline.primal_ir(parsed, "unrolled")[0])
    assert not caller_may_split(pipeline.primal_ir(parsed, "array_written")[0])
    assert not caller_may_split(pipeline.primal_ir(parsed, "list_to_helper")[0])


def _chain_jax(x, m):
    parts = [x]
    for i in range(1, 6):
        parts.append(jnp.tanh(jnp.dot(parts[i // 2], m)))
    return jnp.sum(jnp.stack(parts) ** 2)


def test_a_list_adjoint_is_added_into_at_one_position(models):
    """ht's chain of bone transforms: each item read back adds its cotangent at its
    position of the list's adjoint (a dict), not into a copy of the whole dict."""
    rng = np.random.default_rng(2)
    x, m = rng.normal(size=(2, 3)), 0.5 * rng.normal(size=(3, 3))
    body = _body(models.chain, "chain_value_and_grad", x, m)
    assert "parts_bar = rt.add_at(parts_bar, " in body
    got = models.chain.grad(x, m)
    want = jax.grad(_chain_jax, argnums=(0, 1))(x, m)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
