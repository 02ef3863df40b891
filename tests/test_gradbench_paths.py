"""What made GradBench's gradients cheaper keeps them exact: a minor's adjoint added in
place per trip (Laplace's det), a list's adjoint added into at one position (hand
tracking), helper calls split in a caller that appends to its own lists (the LSTM), and
the unsplit call kept where a caller hands such a list on or writes an array in place.
Gradients against jax (float64) or central differences."""

from __future__ import annotations

import sys
from pathlib import Path

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.ad.split import caller_may_split
from agc.frontend.resolve import names_from_module
from agc.helper_modules import parse
from agc.primals import primal_ir
from gradcheck import import_source, numeric_grad

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from workloads import gb_models

jax.config.update("jax_enable_x64", True)

MODELS = '''
import numpy as np
import agc


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


def test_each_minor_adjoint_is_added_into_in_place_and_det_grad_is_exact():
    """GradBench's det (benchmarks/workloads/gb_models.py): Laplace's expansion unrolled."""
    det = agc.differentiate(gb_models.det)
    a = np.random.default_rng(0).normal(size=(5, 5))
    body = _body(det, "det_value_and_grad", a)
    assert "minor_bar = rt.add_at(minor_bar, " in body
    assert "minor_2_bar = rt.add_at(minor_2_bar, " in body
    np.testing.assert_allclose(det.grad(a), jax.grad(jnp.linalg.det)(a), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(det(a), np.linalg.det(a), rtol=1e-12)


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


@pytest.mark.parametrize("name, helper", [("list_to_helper", "total"),
                                          ("array_written", "scale")])
def test_a_caller_handing_its_list_on_or_writing_an_array_keeps_the_unsplit_call(
        models, name, helper):
    x = np.linspace(-1.0, 1.0, 4)
    fn = getattr(models, name)
    body = _body(fn, f"{name}_value_and_grad", x)
    assert f"{helper}_vjp(" in body and f"{helper}_fwd(" not in body
    np.testing.assert_allclose(fn.grad(x), numeric_grad(fn, (x,), 0), rtol=1e-6)
    parsed = parse(MODELS, "gb_path_models.py", names_from_module)
    assert not caller_may_split(primal_ir(parsed, name)[0])
    assert caller_may_split(primal_ir(parsed, "unrolled")[0])


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
