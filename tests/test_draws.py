"""Random draws in models (issue 19): rng.METHOD(...) of a Generator argument, agc.nn.dropout.

What must hold: a gradient call draws exactly what one call of the function
draws (the generator ends where the plain call leaves it), its gradient is the
gradient with those draws fixed, and every path that would draw twice for one
answer replays the generators or refuses with a position.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import agc
import numpy as np
import pytest
from agc import cli, nn
from agc.errors import UnsupportedError
from agc.runtime import dropout_mask
from gradcheck import import_file, import_source

torch = pytest.importorskip("torch")


def _rng(seed=7):
    return np.random.default_rng(seed)


def _next_after(call, seed=7):
    """The next draw of a generator after `call(rng)`: one plain call of the function."""
    rng = _rng(seed)
    call(rng)
    return rng.random()


# ------------------------------------------------------------------ dropout
@pytest.mark.parametrize("p", [0.25, 0.5, 0.9])
def test_dropout_is_torch_dropout_given_its_mask(p):
    """torch's dropout zeroes with probability p and scales the rest by 1 / (1 - p); given
    torch's own mask (read off its output), agc's formula gives torch's output in float32."""
    torch.manual_seed(0)
    x = torch.rand(500, dtype=torch.float32) + 0.5
    y = torch.nn.functional.dropout(x, p, training=True)
    kept = (y != 0).numpy()
    ours = x.numpy() * kept.astype(np.float32) * np.float32(1.0 / (1.0 - p))
    np.testing.assert_allclose(ours, y.numpy(), rtol=1e-6)
    mine = nn.dropout(x.numpy(), p, _rng())
    assert mine.dtype == np.float32
    ratio = mine / x.numpy()
    assert np.all(np.isclose(ratio, 0.0) | np.isclose(ratio, 1 / (1 - p), rtol=1e-6))
    assert abs((mine == 0).mean() - p) < 0.08  # 500 draws


def test_dropout_edges_as_torch():
    x = np.linspace(-1, 1, 6, dtype=np.float32)
    rng = _rng()
    state = rng.bit_generator.state
    eval_mode = nn.dropout(x, 0.5, rng, training=False)
    np.testing.assert_array_equal(eval_mode, torch.nn.functional.dropout(
        torch.from_numpy(x), 0.5, training=False).numpy())
    np.testing.assert_array_equal(nn.dropout(x, 0.0, rng), x)
    np.testing.assert_array_equal(nn.dropout(x, 1.0, rng), torch.nn.functional.dropout(
        torch.from_numpy(x), 1.0).numpy())
    assert rng.bit_generator.state == state  # none of these drew
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.dropout(x, p, rng)
        with pytest.raises(ValueError, match="between 0 and 1"):
            torch.nn.functional.dropout(torch.from_numpy(x), p)


@agc.differentiate(wrt=("w", "b"))
def mlp(w, b, x, rng, training):
    h = nn.relu(x @ w + b)
    h = nn.dropout(h, 0.5, rng, training)
    return np.mean(h ** 2)


@agc.differentiate(wrt=("w", "b"))
def mlp_with_mask(w, b, x, mask):
    h = nn.relu(x @ w + b) * mask
    return np.mean(h ** 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_gradient_is_the_gradient_with_its_mask_fixed(dtype):
    w = _rng(1).normal(size=(3, 4)).astype(dtype)
    b = _rng(2).normal(size=4).astype(dtype)
    x = _rng(3).normal(size=(5, 3)).astype(dtype)
    rng = _rng()
    value, (gw, gb) = mlp.value_and_grad(w, b, x, rng, True)
    mask = dropout_mask(_rng(), np.zeros((5, 4), dtype), 0.5, True)
    expected_value, (ew, eb) = mlp_with_mask.value_and_grad(w, b, x, mask)
    assert gw.dtype == dtype and gb.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(value, expected_value, rtol=tol)
    np.testing.assert_allclose(gw, ew, rtol=tol, atol=tol)
    np.testing.assert_allclose(gb, eb, rtol=tol, atol=tol)
    assert rng.random() == _next_after(lambda r: mlp.fn(w, b, x, r, True))
    # eval mode: no draw, the plain network's gradient
    rng = _rng()
    _, (gw, _) = mlp.value_and_grad(w, b, x, rng, False)
    np.testing.assert_allclose(gw, mlp_with_mask.grad(w, b, x, 1.0)[0], rtol=tol)
    assert rng.random() == _rng().random()


# ------------------------------------------------------------ Generator draws
@agc.differentiate(wrt="x")
def drawing_loop(x, rng):
    s = 0.0
    for i in range(3):
        u = rng.normal(0.0, 1.0, size=np.shape(x))
        rng.random()  # for its effect: the stream moves on
        _ = rng.integers(0, 10, size=2)  # unused: drawn all the same
        s = s + np.sum(np.sin(x * u)) * (i + 1)
    return s


def _drawing_loop_grad(x, rng):
    g = np.zeros_like(x)
    for i in range(3):
        u = rng.normal(0.0, 1.0, size=np.shape(x))
        rng.random()
        rng.integers(0, 10, size=2)
        g += np.cos(x * u) * u * (i + 1)
    return g


def test_a_loop_that_draws_each_iteration():
    x = np.array([0.3, -0.2, 0.9])
    rng = _rng()
    np.testing.assert_allclose(drawing_loop.grad(x, rng), _drawing_loop_grad(x, _rng()),
                               rtol=1e-12)
    assert rng.random() == _next_after(lambda r: drawing_loop.fn(x, r))
    code = [line.strip() for line in drawing_loop.gradient_source.splitlines()
            if not line.strip().startswith("#")]
    assert "rng.integers(0, 10, size=2)" in code  # unused, kept: the stream moves on
    assert "rng.random()" in code


@pytest.mark.parametrize("call", ["grad", "value_and_grad", "jvp", "hvp", "jacfwd",
                                  "jacrev", "hessian", "check_grad"])
def test_every_entry_point_draws_as_one_call(call):
    """Each answer is that of the function with one call's draws fixed, and the generator
    ends where one plain call leaves it (jacfwd, hessian, check_grad replay copies)."""
    x = np.array([0.3, -0.2])
    rng = _rng()
    run = {"grad": lambda: drawing_loop.grad(x, rng),
           "value_and_grad": lambda: drawing_loop.value_and_grad(x, rng)[1],
           "jvp": lambda: drawing_loop.jvp(x, rng, tangents=(np.ones(2), None))[1],
           "hvp": lambda: drawing_loop.hvp(x, rng, tangents=(np.ones(2), None))[0],
           "jacfwd": lambda: agc.jacfwd(drawing_loop)(x, rng),
           "jacrev": lambda: agc.jacrev(drawing_loop)(x, rng),
           "hessian": lambda: agc.hessian(drawing_loop)(x, rng),
           "check_grad": lambda: agc.check_grad(drawing_loop, x, rng)}[call]
    got = run()
    expected = _drawing_loop_grad(x, _rng())
    if call == "jvp":
        expected = np.sum(expected)
    if call != "hessian" and call != "check_grad":
        np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert rng.random() == _next_after(lambda r: drawing_loop.fn(x, r))


@agc.differentiate(wrt="x")
def in_order(x, rng):
    return np.sum(x * (rng.random(2) - 2 * rng.random(2)))


def test_draws_keep_their_order_in_one_expression():
    rng = _rng()
    a, b = rng.random(2), rng.random(2)
    np.testing.assert_allclose(in_order.grad(np.ones(2), _rng()), a - 2 * b)


# ------------------------------------------------------------------ helpers
def _jitter(v, rng):
    return v + 0.1 * rng.standard_normal(np.shape(v))


@agc.differentiate(wrt="x")
def uses_a_drawing_helper(x, rng):
    return np.sum(_jitter(x, rng) ** 2 + _jitter(x, rng))


def test_a_helper_of_the_model_module_that_draws_is_inlined():
    x = np.array([1.0, 2.0])
    rng = _rng()
    z = _rng().standard_normal(2)
    np.testing.assert_allclose(uses_a_drawing_helper.grad(x, rng), 2 * (x + 0.1 * z) + 1)
    assert rng.random() == _next_after(lambda r: uses_a_drawing_helper.fn(x, r))
    assert "_jitter_vjp" not in uses_a_drawing_helper.gradient_source


LIB = """
import numpy as np

def jitter(v, rng):
    return v + 0.1 * rng.standard_normal(np.shape(v))
"""

USES_LIB = """
import numpy as np
from draws_lib import jitter

def f(x, rng):
    return np.sum(jitter(x, rng) ** 2)
"""


def test_a_helper_of_another_module_that_draws_is_refused(tmp_path, monkeypatch):
    (tmp_path / "draws_lib.py").write_text(LIB)
    monkeypatch.setitem(sys.modules, "draws_lib", import_file(tmp_path / "draws_lib.py",
                                                              "draws_lib"))
    monkeypatch.syspath_prepend(str(tmp_path))
    model = import_source(USES_LIB, tmp_path, "draws_uses_lib")
    with pytest.raises(UnsupportedError, match=r"jitter\(\) draws random numbers") as err:
        agc.grad(model.f)(np.ones(2), _rng())
    assert ":6:" in str(err.value) and "not imported" in str(err.value)


# ------------------------------------------------------------------ refusals
@agc.differentiate(wrt="x")
def draws_inside(x, rng):
    return np.sum(x * x * rng.random(2))


@agc.differentiate(wrt="x")
def differentiates_a_drawing_gradient(x, rng):
    return np.sum(draws_inside.grad(x, rng) ** 2)


@agc.differentiate(wrt="mu")
def normal_of_a_parameter(mu, rng):
    return np.sum(rng.normal(mu, 1.0) ** 2)


def test_draws_that_would_be_wrong_are_refused_at_their_line():
    with pytest.raises(UnsupportedError, match="runs draws_inside\\(\\) again"):
        differentiates_a_drawing_gradient.grad(np.ones(2), _rng())
    with pytest.raises(UnsupportedError, match="rng.normal\\(\\) draws with an argument"):
        normal_of_a_parameter.grad(np.ones(2), _rng())
    with pytest.raises(UnsupportedError, match="rng.normal\\(\\) draws with an argument"):
        normal_of_a_parameter.jvp(np.ones(2), _rng(), tangents=(np.ones(2), None))
    with pytest.raises(UnsupportedError, match="no symbolic meaning") as err:
        agc.verify(draws_inside, np.ones(2), _rng())
    assert "rng.random(2)" in str(err.value)  # the line, with its caret


def test_numpy_global_random_functions_are_refused_with_a_hint():
    def f(x):
        return np.sum(x * np.random.uniform(size=2))
    with pytest.raises(UnsupportedError, match="np.random.uniform") as err:
        agc.grad(f)(np.ones(2))
    assert "numpy.random.Generator" in str(err.value)


def test_vjp_and_jacobian_draw_as_one_call():
    x = np.array([0.3, -0.2])
    rng = _rng()
    value, pullback = agc.vjp(drawing_loop, x, rng)
    assert value == drawing_loop.fn(x, _rng())
    expected = _drawing_loop_grad(x, _rng())
    np.testing.assert_allclose(pullback(1.0), expected, rtol=1e-10)
    np.testing.assert_allclose(pullback(2.0), 2 * expected, rtol=1e-10)  # the same draws
    assert rng.random() == _next_after(lambda r: drawing_loop.fn(x, r))
    rng = _rng()
    np.testing.assert_allclose(agc.jacobian(drawing_loop)(x, rng), expected, rtol=1e-10)
    assert rng.random() == _next_after(lambda r: drawing_loop.fn(x, r))


MODEL = """
import numpy as np
import agc


@agc.differentiate(wrt="x")
def f(x, rng):
    rng.random()
    unused = rng.integers(0, 3, size=2)
    return np.sum(np.sin(x) * rng.random(3))
"""


def test_the_emitted_module_draws_on_its_own_lines_and_passes_ruff(tmp_path):
    """An unused draw is a statement of its own (no unused name), each draw on its line."""
    (tmp_path / "drawing_model.py").write_text(MODEL)
    out = tmp_path / "drawing_model_grad.py"
    assert cli.main(["compile", str(tmp_path / "drawing_model.py"), "-o", str(out)]) == 0
    code = [line.strip() for line in out.read_text().splitlines()]
    assert "rng.random()" in code and "rng.integers(0, 3, size=2)" in code
    assert "t3 = rng.random(3)" in code
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        result = subprocess.run([str(ruff), "check", "--no-cache", str(out)],
                                capture_output=True, text=True, check=False,
                                cwd=Path(__file__).parent.parent)
        assert result.returncode == 0, result.stdout
    module = import_file(out)
    x = np.array([0.1, 0.2, 0.3])
    rng = _rng()
    _, grad = module.f_value_and_grad(x, rng)
    twin = _rng()
    twin.random()
    twin.integers(0, 3, size=2)
    np.testing.assert_allclose(grad, np.cos(x) * twin.random(3))
    assert rng.random() == twin.random()


@agc.differentiate(wrt="x")
def legacy_draws(x, state):
    return np.sum(np.sin(x) * state.normal(0.0, 1.0, size=2)) + state.random()


def test_a_random_state_argument_is_replayed_too():
    """An explicit np.random.RandomState argument draws as a Generator does."""
    x = np.array([0.3, -0.2])
    state = np.random.RandomState(3)
    hessian = agc.hessian(legacy_draws)(x, state)
    twin = np.random.RandomState(3)
    np.testing.assert_allclose(hessian, np.diag(-np.sin(x) * twin.normal(0.0, 1.0, size=2)))
    twin.random()
    assert state.random() == twin.random()
