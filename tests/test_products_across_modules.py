"""A model in one module calling the VJP, gradient or JVP of a decorated function of another
module whose body calls products of its own module's functions (`layer.jvp`, `layer.vjp`,
`energy.grad`): each call is found in the module it is written in, not the model's, and
the derivatives the model's gradient needs of those calls (third derivatives of `layer`
for `jvp_cost.grad`) are emitted too. Against jax, in float64 and float32, in the
decorator and in `agc compile`'s module.
"""

from __future__ import annotations

import sys

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.cli.main import main
from gradcheck import import_file, import_source

jax.config.update("jax_enable_x64", True)

LIB = '''
import agc
import numpy as np

SCALE = 1.5


@agc.differentiate(wrt=("x", "w"))
def layer(x, w):
    return np.tanh(w @ x) * SCALE


@agc.differentiate(wrt="x")
def energy(x, w):
    return np.sum(np.sin(w @ x) ** 2)


@agc.differentiate(wrt=("x", "w"))
def through_jvp(x, w, t, u):
    y, ty = layer.jvp(x, w, tangents=(t, u))
    return np.sin(y) * ty


@agc.differentiate(wrt=("x", "w"))
def through_grad(x, w):
    return w @ (energy.grad(x, w) * x)


@agc.differentiate(wrt=("x", "w"))
def through_vjp(x, w, s):
    _, (gx, gw) = layer.vjp(x, w, seed=s)
    return np.tanh(gw @ gx)


@agc.differentiate(wrt=("x", "w"))
def jvp_cost(x, w, t):
    y, ty = layer.jvp(x, w, tangents=(t, None))
    return np.sum(np.sin(y) * ty)


def mix(x, w, t):
    _, ty = layer.jvp(x, w, tangents=(t, None))
    return ty * energy.grad(x, w)[:2]
'''

MODEL = '''
import numpy as np
from agc import differentiate
from across_lib import jvp_cost, mix, through_grad, through_jvp, through_vjp


def by_vjp(x, w, t, s):
    y, (gx, gw) = through_jvp.vjp(x, w, t, w * 0.5, seed=s)
    return np.sum(gx ** 2) + np.sum(gw * w) + np.sum(y)


def by_vjps(x, w, t, s):
    _, (gx, gw) = through_vjp.vjp(x, w, s, seed=s)
    gx2, gw2 = through_grad.vjp(x, w, seed=s)[1]
    return np.sum(gx * gx2) + np.sum(gw * gw2)


def by_grad(x, w, t, s):
    gx, gw = jvp_cost.grad(x, w, t)
    return np.sum(gx ** 2) + np.sum(gw * w)


def by_jvp(x, w, t, s):
    y, ty = through_vjp.jvp(x, w, s, tangents=(t, None))
    return np.sum(ty * y)


@differentiate(wrt=("x", "w"))
def by_helper(x, w, t, s):
    return np.sum(mix(x, w, t) * s)
'''


def _layer(x, w):
    return jnp.tanh(w @ x) * 1.5


def _energy(x, w):
    return jnp.sum(jnp.sin(w @ x) ** 2)


def _through_jvp(x, w, t, u):
    y, ty = jax.jvp(_layer, (x, w), (t, u))
    return jnp.sin(y) * ty


def _through_grad(x, w):
    return w @ (jax.grad(_energy)(x, w) * x)


def _through_vjp(x, w, s):
    gx, gw = jax.vjp(_layer, x, w)[1](s)
    return jnp.tanh(gw @ gx)


def _jvp_cost(x, w, t):
    y, ty = jax.jvp(lambda a: _layer(a, w), (x,), (t,))
    return jnp.sum(jnp.sin(y) * ty)


def _mix(x, w, t):
    ty = jax.jvp(lambda a: _layer(a, w), (x,), (t,))[1]
    return ty * jax.grad(_energy)(x, w)[:2]


def _by_vjp(x, w, t, s):
    y, pull = jax.vjp(lambda a, b: _through_jvp(a, b, t, w * 0.5), x, w)
    gx, gw = pull(s)
    return jnp.sum(gx ** 2) + jnp.sum(gw * w) + jnp.sum(y)


def _by_vjps(x, w, t, s):
    gx, gw = jax.vjp(lambda a, b: _through_vjp(a, b, s), x, w)[1](s)
    gx2, gw2 = jax.vjp(_through_grad, x, w)[1](s)
    return jnp.sum(gx * gx2) + jnp.sum(gw * gw2)


def _by_grad(x, w, t, s):
    gx, gw = jax.grad(_jvp_cost, argnums=(0, 1))(x, w, t)
    return jnp.sum(gx ** 2) + jnp.sum(gw * w)


def _by_jvp(x, w, t, s):
    y, ty = jax.jvp(lambda a: _through_vjp(a, w, s), (x,), (t,))
    return jnp.sum(ty * y)


def _by_helper(x, w, t, s):
    return jnp.sum(_mix(x, w, t) * s)


REFERENCES = {"by_vjp": _by_vjp, "by_vjps": _by_vjps, "by_grad": _by_grad, "by_jvp": _by_jvp,
              "by_helper": _by_helper}
X, W = np.array([0.3, -0.5, 1.2]), np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4]])
T, S = np.array([0.2, 0.4, -0.7]), np.array([0.7, -0.2])


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    """(folder, the model module): across_lib.py imported under its name, which the model's
    `from across_lib import ...` and the emitted module's `import across_lib` find."""
    folder = tmp_path_factory.mktemp("across")
    (folder / "across_lib.py").write_text(LIB)
    import_file(folder / "across_lib.py", "across_lib")
    yield folder, import_source(MODEL, folder, "across_model")
    sys.modules.pop("across_lib", None)


@pytest.mark.parametrize("name", list(REFERENCES))
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_a_model_differentiates_products_written_in_another_module(modules, name, dtype, rtol):
    model = getattr(modules[1], name)
    args = tuple(a.astype(dtype) for a in (X, W, T, S))
    value, grads = agc.value_and_grad(model, wrt=("x", "w"))(*args)
    np.testing.assert_allclose(value, REFERENCES[name](X, W, T, S), rtol=rtol)
    for got, want in zip(grads, jax.grad(REFERENCES[name], argnums=(0, 1))(X, W, T, S)):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


def test_agc_compile_writes_a_helper_of_another_module_calling_products(modules):
    """`mix`, read as text from across_lib.py, calls layer.jvp and energy.grad: both are
    looked up there, and their derivatives written into the model's module."""
    out = modules[0] / "across_emitted.py"
    assert main(["compile", str(modules[0] / "across_model.py"), "-o", str(out)]) == 0
    got = import_file(out).by_helper_grad(X, W, T, S)
    for g, want in zip(got, jax.grad(_by_helper, argnums=(0, 1))(X, W, T, S)):
        np.testing.assert_allclose(g, want, rtol=1e-10)


CLASHING = '''
import agc
import numpy as np
from across_lib import through_vjp


@agc.differentiate(wrt=("x", "w"))
def layer(x, w):
    return np.cos(w @ x)


@agc.differentiate(wrt=("x", "w"))
def own(x, w, s):
    _, (gx, _) = layer.vjp(x, w, seed=s)
    return gx


def model(x, w, s):
    return np.sum(through_vjp.vjp(x, w, s, seed=s)[1][0] * own.vjp(x, w, s, seed=x)[1][0])
'''


def test_two_functions_of_one_name_reached_from_two_modules_are_refused(modules):
    """across_lib's layer and the model's: the emitted module names them alike, so the
    model is refused at a call, never compiled with one standing for the other."""
    model = import_source(CLASHING, modules[0], "across_clashing").model
    with pytest.raises(agc.UserCodeError, match=r"two different functions named layer\(\)"):
        agc.grad(model, wrt="x")(X, W, S)
