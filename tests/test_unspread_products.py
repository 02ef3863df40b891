"""A sum of a product of two arrays leaves its cotangent unspread (ad/unspread.py): each
factor's cotangent is g * other, summed back to or broadcast up to the factor's shape.
Every way the factors can broadcast, against jax in float64, numpy and numba targets."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import import_source

jax.config.update("jax_enable_x64", True)

MODELS = '''
import numpy as np
import agc


@agc.differentiate(wrt=("p", "y"))
def axis0(p, y):
    return np.sum(np.sin(np.sum(p * y, axis=0)))


@agc.differentiate(wrt=("p", "y"))
def axis1(p, y):
    return np.sum(np.sin(np.sum(p * y, axis=1)))


@agc.differentiate(wrt=("p", "y"))
def kept(p, y):
    return np.sum(np.cos(np.sum(p * y, axis=-1, keepdims=True)))


@agc.differentiate(wrt=("p", "y"))
def everything(p, y):
    return np.sum(p * y) ** 2
'''


def _jax(name):
    def f(p, y):
        if name == "axis0":
            return jnp.sum(jnp.sin(jnp.sum(p * y, axis=0)))
        if name == "axis1":
            return jnp.sum(jnp.sin(jnp.sum(p * y, axis=1)))
        if name == "kept":
            return jnp.sum(jnp.cos(jnp.sum(p * y, axis=-1, keepdims=True)))
        return jnp.sum(p * y) ** 2
    return jax.grad(f, argnums=(0, 1))


SHAPES = [((3, 4), (3, 4)), ((1, 4), (3, 4)), ((3, 4), (1, 4)), ((3, 1), (1, 4)),
          ((4,), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1))]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("unspread"), "unspread_models")


@pytest.mark.parametrize("name", ["axis0", "axis1", "kept", "everything"])
@pytest.mark.parametrize("shapes", SHAPES)
def test_each_factor_gets_its_own_shape_and_jax_values(models, name, shapes):
    rng = np.random.default_rng(3)
    p, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    fn = getattr(models, name)
    got = fn.grad(p, y)
    want = _jax(name)(p, y)
    for g, w, like in zip(got, want, (p, y)):
        assert np.shape(g) == like.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_the_cotangent_of_the_product_is_never_spread(models):
    p, y = np.ones((3, 4)), np.ones((3, 4))
    models.axis0.grad(p, y)
    source = "\n".join(c.source for c in models.axis0._compiled.values())
    assert "rt.sum_grad(" not in source and "xp.expand_dims(" in source


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((1, 4), (3, 4)), ((3, 4), (1, 4)),
                                    ((3, 1), (1, 4))])
def test_numba_sums_back_and_broadcasts_up_alike(models, shapes):
    """nb.unbroadcast gets g * other smaller than the factor on an axis: it spreads it."""
    pytest.importorskip("numba")
    rng = np.random.default_rng(4)
    p, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    fn = agc.differentiate(models.axis0, wrt=("p", "y"), target="numba")
    for g, w in zip(fn.grad(p, y), _jax("axis0")(p, y)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
