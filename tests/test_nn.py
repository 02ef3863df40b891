"""agc.nn: values against PyTorch's formulas (written here in plain numpy), gradients
through models that call them against central finite differences, every reduction,
stability at logits of 1e3, float32 kept, and the three ways of calling them.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import agc
import numpy as np
import pytest
from agc import nn
from agc.nn import cross_entropy
from gradcheck import import_file

REDUCTIONS = ("mean", "sum", "none")


# ------------------------------------------------------- reference formulas
def ref_softmax(x):
    """Softmax as written in a textbook (fine for moderate x)."""
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def ref_reduce(loss, reduction):
    """PyTorch's reduction."""
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def ref_cross_entropy(logits, target, reduction):
    """-log softmax at the label, or -sum(p log softmax) for probability targets."""
    logp = np.log(ref_softmax(logits))
    if target.ndim == logits.ndim:
        return ref_reduce(-(target * logp).sum(axis=-1), reduction)
    return ref_reduce(-logp[np.arange(len(target)), target], reduction)


def ref_bce_with_logits(x, t, reduction):
    """-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))."""
    s = 1 / (1 + np.exp(-x))
    return ref_reduce(-(t * np.log(s) + (1 - t) * np.log(1 - s)), reduction)


# ------------------------------------------ models that call agc.nn (by module)
@agc.differentiate
def relu_model(x):
    return np.sum(np.cos(x) * nn.relu(x))


@agc.differentiate
def sigmoid_model(x):
    return np.sum(np.cos(x) * nn.sigmoid(x))


@agc.differentiate
def tanh_model(x):
    return np.sum(np.cos(x) * nn.tanh(x))


@agc.differentiate
def softmax_model(x, w):
    return np.sum(w * nn.softmax(x))


@agc.differentiate
def log_softmax_model(x, w):
    return np.sum(w * nn.log_softmax(x))


@agc.differentiate
def logsumexp_model(x, w):
    return np.sum(w * nn.logsumexp(x))


@agc.differentiate(wrt=("x", "weight", "bias"))
def linear_model(x, weight, bias):
    return np.sum(np.sin(nn.linear(x, weight, bias)))


@agc.differentiate(wrt=("x", "weight"))
def linear_no_bias_model(x, weight):
    return np.sum(np.sin(nn.linear(x, weight)))


@agc.differentiate(wrt=("pred", "target"))
def mse_model(pred, target, reduction):
    return nn.mse_loss(pred, target, reduction)


@agc.differentiate(wrt=("pred", "target"))
def mse_default_model(pred, target):
    return nn.mse_loss(pred, target)


@agc.differentiate(wrt="logits")
def cross_entropy_model(logits, target, reduction):
    return nn.cross_entropy(logits, target, reduction)


@agc.differentiate(wrt=("logits", "target"))
def soft_cross_entropy_model(logits, target, reduction):
    return nn.cross_entropy(logits, target, reduction)


@agc.differentiate(wrt="logits")
def cross_entropy_default_model(logits, target):
    return nn.cross_entropy(logits, target)


@agc.differentiate(wrt=("logits", "target"))
def bce_model(logits, target, reduction):
    return nn.binary_cross_entropy_with_logits(logits, target, reduction)


@agc.differentiate(wrt="logits")
def bce_default_model(logits, target):
    return nn.binary_cross_entropy_with_logits(logits, target)


@agc.differentiate(wrt="logits")
def imported_function_model(logits, target):
    return cross_entropy(logits, target, "sum")  # from agc.nn import cross_entropy


@agc.differentiate(wrt="logits")
def dotted_name_model(logits, target):
    return agc.nn.cross_entropy(logits, target, "sum")


# ----------------------------------------------------------------- values
def test_activations_match_their_formulas(rng):
    x = rng.normal(size=(4, 5)) * 3
    np.testing.assert_allclose(nn.relu(x), np.maximum(x, 0))
    np.testing.assert_allclose(nn.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(nn.tanh(x), np.tanh(x))
    np.testing.assert_allclose(nn.softmax(x), ref_softmax(x), rtol=1e-13)
    np.testing.assert_allclose(nn.log_softmax(x), np.log(ref_softmax(x)), rtol=1e-13)
    np.testing.assert_allclose(nn.logsumexp(x), np.log(np.exp(x).sum(axis=-1)), rtol=1e-13)


def test_linear_uses_torch_weight_layout(rng):
    x, weight, bias = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=2)
    np.testing.assert_allclose(nn.linear(x, weight, bias), x @ weight.T + bias)
    np.testing.assert_allclose(nn.linear(x, weight), x @ weight.T)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_losses_match_torch_formulas(rng, reduction):
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    probs = ref_softmax(rng.normal(size=(6, 4)))
    x, t = rng.normal(size=(6, 3)), rng.uniform(size=(6, 3))
    np.testing.assert_allclose(nn.mse_loss(x, t, reduction), ref_reduce((x - t) ** 2, reduction))
    np.testing.assert_allclose(nn.cross_entropy(logits, labels, reduction),
                               ref_cross_entropy(logits, labels, reduction), rtol=1e-13)
    np.testing.assert_allclose(nn.cross_entropy(logits, probs, reduction),
                               ref_cross_entropy(logits, probs, reduction), rtol=1e-13)
    np.testing.assert_allclose(nn.binary_cross_entropy_with_logits(x, t, reduction),
                               ref_bce_with_logits(x, t, reduction), rtol=1e-12)


def test_loss_defaults_are_mean(rng):
    logits, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, size=5)
    x, t = rng.normal(size=5), rng.uniform(size=5)
    assert nn.mse_loss(x, t) == nn.mse_loss(x, t, "mean")
    assert nn.cross_entropy(logits, labels) == nn.cross_entropy(logits, labels, "mean")
    assert nn.binary_cross_entropy_with_logits(x, t) == \
        nn.binary_cross_entropy_with_logits(x, t, "mean")


def test_one_hot_targets_equal_integer_labels(rng):
    logits, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, size=5)
    one_hot = np.eye(3)[labels]
    assert np.isclose(nn.cross_entropy(logits, one_hot), nn.cross_entropy(logits, labels))


def test_unbatched_cross_entropy(rng):
    logits = rng.normal(size=4)
    assert np.isclose(nn.cross_entropy(logits, np.array(2)), -np.log(ref_softmax(logits)[2]))


# -------------------------------------------------------------- gradients
def _check(model, *args):
    assert agc.check_grad(model, *args, wrt=model.wrt, rtol=1e-5, atol=1e-7) < 1e-5


@pytest.mark.parametrize("model", [relu_model, sigmoid_model, tanh_model])
def test_activation_gradients(rng, model):
    _check(model, rng.normal(size=(3, 4)) * 2)


@pytest.mark.parametrize("model", [softmax_model, log_softmax_model, logsumexp_model])
def test_softmax_family_gradients(rng, model):
    x = rng.normal(size=(3, 5))
    weights = rng.normal(size=(3, 5)) if model is not logsumexp_model else rng.normal(size=3)
    _check(model, x, weights)


def test_linear_gradients(rng):
    x, weight = rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    _check(linear_model, x, weight, rng.normal(size=2))
    _check(linear_no_bias_model, x, weight)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_gradients(rng, reduction):
    x, t = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
    labels = rng.integers(0, 3, size=4)
    _check(mse_model, x, t, reduction)
    _check(cross_entropy_model, x, labels, reduction)
    _check(soft_cross_entropy_model, x, ref_softmax(rng.normal(size=(4, 3))), reduction)
    _check(bce_model, x, t, reduction)


def test_default_reduction_gradients(rng):
    x, t = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
    _check(mse_default_model, x, t)
    _check(cross_entropy_default_model, x, rng.integers(0, 3, size=4))
    _check(bce_default_model, x, t)


def test_cross_entropy_gradient_is_softmax_minus_one_hot(rng):
    logits, labels = rng.normal(size=(4, 3)), rng.integers(0, 3, size=4)
    grad = cross_entropy_model.grad(logits, labels, "sum")
    np.testing.assert_allclose(grad, ref_softmax(logits) - np.eye(3)[labels], atol=1e-14)


def test_slopes_at_zero_are_exact():
    # The kinks of max(x, 0) and |x| sit at 0: the derivative there must still be right.
    zero = np.zeros(1)
    assert relu_model.grad(zero)[0] == 0.0  # PyTorch's convention
    assert sigmoid_model.grad(zero)[0] == 0.25  # cos(0) * sigmoid'(0)
    assert bce_model.grad(zero, np.array([0.3]), "sum")[0][0] == pytest.approx(0.2)


# -------------------------------------------------------------- stability
def test_large_logits_stay_finite():
    big = np.array([[1e3, -1e3, 1e3]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert nn.logsumexp(big)[0] == pytest.approx(1e3 + np.log(2))
        np.testing.assert_allclose(nn.softmax(big), [[0.5, 0.0, 0.5]])
        assert nn.log_softmax(big)[0, 1] == pytest.approx(-2e3 - np.log(2))
        np.testing.assert_allclose(nn.sigmoid(np.array([1e3, -1e3])), [1.0, 0.0])
        assert nn.cross_entropy(big, np.array([1])) == pytest.approx(2e3 + np.log(2))
        loss = nn.binary_cross_entropy_with_logits(np.array([1e3, -1e3]), np.zeros(2), "none")
        np.testing.assert_allclose(loss, [1e3, 0.0])


def test_large_logits_give_finite_gradients():
    big = np.array([[1e3, -1e3, 1e3]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        grad = cross_entropy_model.grad(big, np.array([1]), "sum")
        np.testing.assert_allclose(grad, [[0.5, -1.0, 0.5]])
        dx, _ = bce_model.grad(np.array([1e3, -1e3]), np.zeros(2), "sum")
        np.testing.assert_allclose(dx, [1.0, 0.0])
        x = np.array([1e3, -1e3])
        # d/dx cos(x) sigmoid(x) = -sin(x) s + cos(x) s (1 - s), with s = 1 and 0 here.
        np.testing.assert_allclose(sigmoid_model.grad(x), [-np.sin(1e3), 0.0], atol=1e-15)


# ---------------------------------------------------------------- float32
def test_float32_values_and_gradients_stay_float32(rng):
    x = rng.normal(size=(4, 3)).astype(np.float32)
    t = rng.uniform(size=(4, 3)).astype(np.float32)
    labels = rng.integers(0, 3, size=4)
    for fn in (nn.relu, nn.sigmoid, nn.tanh, nn.softmax, nn.log_softmax, nn.logsumexp):
        assert fn(x).dtype == np.float32, fn.__name__
    assert nn.linear(x, x[:2], t[0, :2]).dtype == np.float32
    for reduction in REDUCTIONS:
        assert nn.mse_loss(x, t, reduction).dtype == np.float32
        assert nn.cross_entropy(x, labels, reduction).dtype == np.float32
        assert nn.binary_cross_entropy_with_logits(x, t, reduction).dtype == np.float32
    assert cross_entropy_model.grad(x, labels, "mean").dtype == np.float32
    assert all(g.dtype == np.float32 for g in bce_model.grad(x, t, "mean"))
    assert sigmoid_model.grad(x).dtype == np.float32
    assert softmax_model.grad(x, t).dtype == np.float32


# ------------------------------------------------------ ways of calling nn
def test_every_import_style_gives_the_same_gradient(rng):
    logits, labels = rng.normal(size=(4, 3)), rng.integers(0, 3, size=4)
    expected = cross_entropy_model.grad(logits, labels, "sum")
    np.testing.assert_allclose(imported_function_model.grad(logits, labels), expected)
    np.testing.assert_allclose(dotted_name_model.grad(logits, labels), expected)


CLI_MODEL = '''\
import numpy as np
from agc import differentiate, nn


@differentiate(wrt=("w", "b"))
def loss(x, labels, w, b):
    return nn.cross_entropy(nn.linear(x, w, b), labels)
'''


def test_agc_compile_reads_nn_from_source(rng, tmp_path):
    (tmp_path / "model.py").write_text(textwrap.dedent(CLI_MODEL), encoding="utf-8")
    out = tmp_path / "model_grad.py"
    result = subprocess.run([sys.executable, "-m", "agc.cli", "compile", "model.py", "-o",
                             str(out)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    emitted = import_file(out)
    x, labels = rng.normal(size=(5, 4)), rng.integers(0, 3, size=5)
    w, b = rng.normal(size=(3, 4)), rng.normal(size=3)
    dw, db = emitted.loss_grad(x, labels, w, b)
    expected_dlogits = (ref_softmax(x @ w.T + b) - np.eye(3)[labels]) / 5
    np.testing.assert_allclose(dw, expected_dlogits.T @ x, atol=1e-12)
    np.testing.assert_allclose(db, expected_dlogits.sum(axis=0), atol=1e-12)
