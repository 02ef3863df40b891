"""A model that calls a gradient (`f.grad(x)` inside it): the issue's problems against jax
(jax.grad of a function calling jax.grad, float64), `agc compile`'s module run without
the compiler, and the positioned refusals of what is not supported.

The problems are the runnable examples (examples/*.py), loaded here as modules.
The corpus entries (tests/differential/corpus_nested.py) cover the constructs.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import subprocess
import sys

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.cli.main import main
from agc.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)
ROOT = pathlib.Path(__file__).resolve().parent.parent


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ the problems
def test_gradient_penalty_against_jax():
    ex = _example("gradient_penalty")
    W, v, real, fake, mixed = ex.data()

    def critic(x, W, v):
        return jnp.sum(v * jnp.tanh(W @ x))

    def loss(W):
        total = 0.0
        for i in range(real.shape[0]):
            total = total + critic(fake[i], W, v) - critic(real[i], W, v)
            g = jax.grad(critic)(mixed[i], W, v)
            total = total + 10.0 * (jnp.sqrt(jnp.sum(g * g)) - 1.0) ** 2
        return total / real.shape[0]

    np.testing.assert_allclose(ex.critic_loss.grad(W, v, real, fake, mixed), jax.grad(loss)(W),
                               rtol=1e-10)
    grad32 = ex.critic_loss.grad(*(a.astype(np.float32) for a in (W, v, real, fake, mixed)))
    assert grad32.dtype == np.float32
    np.testing.assert_allclose(grad32, jax.grad(loss)(W), rtol=2e-4, atol=1e-4)


def test_particle_in_a_gradient_field_against_jax():
    ex = _example("particle_in_field")

    def potential(x, theta):
        return jnp.sum(theta * x ** 4) - jnp.sum(jnp.cos(x))

    def objective(x0, theta, target):
        x, steps = x0, 0
        while jnp.sqrt(jnp.sum(jax.grad(potential)(x, theta) ** 2)) > 0.05 and steps < 200:
            x = x - 0.02 * jax.grad(potential)(x, theta)
            steps += 1
        return jnp.sum((x - target) ** 2)

    x0, theta, target = np.array([1.2, -0.8, 0.5]), np.array([0.5, 1.0, 2.0]), np.full(3, 0.1)
    got = ex.final_objective.grad(x0, theta, target)
    want = jax.grad(objective, argnums=(0, 1))(x0, theta, target)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-12)
    # forward mode through the same loop: the inner gradient's tangent is an HVP too
    direction = np.array([1.0, -0.5, 0.25])
    _, tangent = ex.final_objective.jvp(x0, theta, target, tangents=(direction, None, None))
    np.testing.assert_allclose(tangent, jax.jvp(lambda x: objective(x, theta, target), (x0,),
                                                (direction,))[1], rtol=1e-8)


def test_saddle_point_lookahead_against_jax():
    ex = _example("saddle_point")
    A = jnp.asarray(ex.A)

    def f(x, y):
        return x @ A @ y + 0.5 * jnp.sum(x ** 2) - 0.5 * jnp.sum(y ** 2) + jnp.sum(jnp.sin(x) * 0.3)

    def lookahead(x, y, lr):
        return f(x, y + lr * jax.grad(f, argnums=1)(x, y))

    x, y = np.array([1.0, -1.0]), np.array([0.5, 0.5])
    np.testing.assert_allclose(ex.lookahead.grad(x, y, 0.5), jax.grad(lookahead)(x, y, 0.5),
                               rtol=1e-12)


def test_newton_direction_for_kmeans_against_jax():
    ex = _example("newton_kmeans")
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(size=(5, 2)) - 3, rng.normal(size=(4, 2)) + 3])
    c = np.array([[-2.0, -2.5], [2.0, 2.5]])

    def loss(c):
        d = jnp.sum((x[:, None, :] - c[None, :, :]) ** 2, axis=2)
        return jnp.sum(jnp.min(d, axis=1))

    diagonal = np.diag(np.asarray(jax.hessian(loss)(c)).reshape(4, 4)).reshape(2, 2)
    np.testing.assert_allclose(ex.hessian_diagonal(c, x), diagonal)
    step = ex.newton_step(c, x)
    np.testing.assert_allclose(step, c - jax.grad(loss)(c) / diagonal, rtol=1e-12)
    assert ex.kmeans_loss(step, x) < ex.kmeans_loss(c, x)


# ------------------------------------------------------------------ agc compile
MODEL = '''
import agc
import numpy as np


@agc.differentiate(wrt="x")
def well(x, theta):
    return np.sum(theta * x ** 4) - np.sum(x ** 2)


cost_grad = agc.grad(well, wrt="theta")


@agc.differentiate(wrt=("x0", "theta"))
def run(x0, theta):
    x = x0
    for i in range(3):
        x = x - 0.1 * well.grad(x, theta)
    return np.sum(x ** 2) + np.sum(cost_grad(x, theta))
'''

RUN_WITHOUT_COMPILER = '''
import json
import sys
sys.modules["libcst"] = None  # the emitted module needs neither libcst nor sympy
sys.modules["sympy"] = None
import numpy as np
import emitted
x0, theta = np.array([0.3, -0.5, 1.2]), np.array([1.0, 2.0, 0.5])
print(json.dumps([list(g) for g in emitted.run_grad(x0, theta)]))
'''


def test_agc_compile_writes_a_module_that_runs_without_the_compiler(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    assert main(["compile", str(tmp_path / "model.py"), "-o", str(tmp_path / "emitted.py")]) == 0
    source = (tmp_path / "emitted.py").read_text()
    assert "def well_grad(x, theta):" in source and "def well_grad_theta(" in source
    assert "def well_hvp_x_theta(x, theta, x_dot, theta_dot):" in source
    (tmp_path / "check.py").write_text(RUN_WITHOUT_COMPILER)
    out = subprocess.run([sys.executable, "check.py"], cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_file_location("nested_model", tmp_path / "model.py")
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    x0, theta = np.array([0.3, -0.5, 1.2]), np.array([1.0, 2.0, 0.5])
    want = model.run.grad(x0, theta)
    np.testing.assert_allclose(np.array(json.loads(out)), np.array(want), rtol=1e-12)


# ------------------------------------------------------------------ what is refused
@agc.differentiate(wrt="x")
def bowl(x, k):
    return np.sum(k * x ** 4)


made_hvp = agc.hvp(bowl)


def _hvp_in_model(x):
    gradient, hv = bowl.hvp(x, 2.0, tangents=(x, None))
    return np.sum(gradient * hv)


def _tangents_not_literal(x):
    tangents = (x, None)
    value, tangent = bowl.jvp(x, 2.0, tangents=tangents)
    return value + tangent


@agc.differentiate(has_aux=True)
def bowl_with_aux(x):
    return np.sum(x ** 4), x


def _aux_in_model(x):
    return np.sum(bowl_with_aux.grad(x)[0])


def _functional_form_in_model(x):
    return np.sum(made_hvp(x, 2.0, x))


def _vjp_in_model(x):
    return agc.vjp(bowl, x, 2.0)[0]


def _hvp_made_in_model(x):
    return np.sum(agc.hvp(bowl)(x, 2.0, x))


def _steps(x):
    return np.sum((x - 0.1 * bowl.grad(x, 2.0)) ** 2)


@pytest.mark.parametrize("model, words", [
    (_hvp_in_model, "`bowl.hvp()` inside a differentiated model"),
    (_aux_in_model, "the gradient of bowl_with_aux() with has_aux"),
    (_functional_form_in_model, "made by agc's functional forms"),
    (_vjp_in_model, "`agc.vjp` inside a differentiated model"),
    (_hvp_made_in_model, "`agc.hvp` inside a differentiated model"),
])
def test_refused_with_position_and_hint(model, words):
    with pytest.raises(UnsupportedError) as caught:
        agc.grad(model)(np.array([0.5, -1.0]))
    assert words in str(caught.value) and caught.value.loc.line > 0
    assert "f.grad(...)" in caught.value.hint and "np.sum" not in caught.value.hint


def test_tangents_of_a_jvp_in_a_model_must_be_a_literal_tuple():
    with pytest.raises(UnsupportedError, match="not written as a literal tuple") as caught:
        agc.grad(_tangents_not_literal)(np.array([0.5, -1.0]))
    assert caught.value.loc.line == _tangents_not_literal.__code__.co_firstlineno + 2


@agc.differentiate
def _vector_field(x):
    return np.sin(x)


def _jvp_of_a_vector_function(x):
    value, tangent = _vector_field.jvp(x, tangents=(x,))
    return np.sum(value * tangent)


def _grad_of_a_vector_function(x):
    return np.sum(_vector_field.grad(x[0]) + _vector_field.grad(x))


def test_a_gradient_in_a_model_of_a_function_of_an_array_is_refused_when_compiled():
    with pytest.raises(UnsupportedError, match="returns an array of 1 dimension") as caught:
        agc.grad(_grad_of_a_vector_function)(np.array([0.5, -1.0]))
    assert str(caught.value).count("_vector_field.grad()") == 1 and caught.value.loc.line > 0
    assert "f.vjp(x, seed=s)" in caught.value.hint


def test_a_vjp_in_a_model_checks_its_seed_has_the_output_shape():
    def model(x):
        value, g = bowl.vjp(x, 2.0, seed=np.ones(2))
        return value + np.sum(g)

    with pytest.raises(ValueError, match="seed has shape"):
        agc.grad(model)(np.array([0.5, -1.0]))
    with pytest.raises(ValueError, match="seed has shape"):
        bowl.vjp(np.array([0.5, -1.0]), 2.0, seed=np.ones(2))


def test_second_derivatives_of_a_model_calling_a_gradient_against_jax():
    """hvp and hessian of the model: forward over its adjoint, where f.grad's VJP (f's
    HVP) is differentiated by forward mode over f's HVP (f's third derivatives)."""
    def reference(x):
        g = jax.grad(lambda a: jnp.sum(2.0 * a ** 4))(x)
        return jnp.sum((x - 0.1 * g) ** 2)

    x, v = np.array([0.5, -1.0]), np.array([1.0, 0.3])
    np.testing.assert_allclose(agc.hvp(_steps)(x, v), jax.jvp(jax.grad(reference), (x,),
                                                               (v,))[1], rtol=1e-12)
    np.testing.assert_allclose(agc.hessian(_steps)(x), jax.hessian(reference)(x), rtol=1e-12)


def test_a_decorated_function_is_a_helper_and_its_gradient_keeps_float32():
    def model(x):
        return bowl(x, 3.0) + np.sum(bowl.grad(x, 3.0))

    x = np.array([0.5, -1.0], dtype=np.float32)
    grad = agc.grad(model)(x)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, 12 * x ** 3 + 36 * x ** 2, rtol=1e-6)


def test_two_gradients_of_one_function_in_one_module_must_agree(tmp_path, capsys):
    """A target compiled with another wrt than the call's: an error, never a silent swap."""
    (tmp_path / "model.py").write_text(MODEL)
    assert main(["compile", str(tmp_path / "model.py"), "--wrt", "theta"]) != 0
    assert "twice, differently" in capsys.readouterr().err


def test_a_gradient_of_an_imported_function_in_agc_compile_says_what_to_write(tmp_path, capsys):
    (tmp_path / "lib_well.py").write_text("import agc\nimport numpy as np\n\n\n"
                                          "@agc.differentiate\ndef well(x):\n"
                                          "    return np.sum(x ** 4)\n")
    (tmp_path / "model.py").write_text("import numpy as np\nfrom agc import differentiate\n"
                                       "from lib_well import well\n\n\n@differentiate\n"
                                       "def m(x):\n    return np.sum(well.grad(x) * x)\n")
    assert main(["compile", str(tmp_path / "model.py")]) != 0
    err = capsys.readouterr().err
    assert "model.py:8:" in err and "not decorated in this file" in err
    assert "define f there" in err and "numpy function" not in err


def _scaled_square(v, a):
    return a * v * v


@agc.differentiate(wrt="x")
def _fixed_well(x, a):
    return np.sum(_scaled_square(x, 1.5))


def test_a_helper_of_the_model_and_of_the_gradient_it_calls_may_differ():
    """The model's _scaled_square_bwd gives cotangents for (v, a), the gradient's for v
    only: the gradient's copy is renamed, never a silent swap or a clash."""

    def model(x0, a):
        return np.sum(_scaled_square(x0, a)) + np.sum(_fixed_well.grad(x0, a))

    x0, a = np.array([0.3, -0.5]), np.array([1.0, 2.0])
    d_x0, d_a = agc.grad(model, wrt=("x0", "a"))(x0, a)
    np.testing.assert_allclose(d_x0, 2 * a * x0 + 3.0)
    np.testing.assert_allclose(d_a, x0 * x0)
    source = agc.differentiate(model, wrt=("x0", "a")).gradient_source
    assert "def _scaled_square_bwd_2(" in source


@agc.differentiate(wrt="p")
def _dict_well(p, x):
    return np.sum(p["w"] * x ** 2)


def test_a_gradient_with_respect_to_a_dict_is_refused_at_the_call():
    def model(p, x):
        g = _dict_well.grad(p, x)
        return np.sum(g["w"] ** 2)

    p, x = {"w": np.array([1.0, 2.0])}, np.array([0.3, 0.7])
    with pytest.raises(UnsupportedError, match="a dict, list or tuple") as caught:
        agc.grad(model)(p, x)
    assert caught.value.loc.line > 0
