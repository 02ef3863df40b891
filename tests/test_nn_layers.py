"""agc.nn's normalisation layers, gelu, flatten and label smoothing against
torch.nn.functional: values and gradients in float64 and float32 (dtype kept),
batch_norm's running statistics against torch's in-place update, forward mode,
and agc.verify's symbolic proof on small shapes.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from agc import nn
from gradcheck import import_source, numeric_grad

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: {"rtol": 1e-9, "atol": 1e-11}, np.float32: {"rtol": 2e-4, "atol": 2e-5}}


# ------------------------------------------------------------------ models
@agc.differentiate(wrt=("x", "w", "b"))
def bn_train(x, rm, rv, w, b, c):
    y, m, v = nn.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)
    # the running statistics carry no derivative: adding them changes no gradient
    return np.sum(c * y) + np.sum(m) + np.sum(v)


@agc.differentiate(wrt=("x", "w", "b"))
def bn_eval(x, rm, rv, w, b, c):
    y, _, _ = nn.batch_norm(x, rm, rv, weight=w, bias=b)
    return np.sum(c * y)


@agc.differentiate(wrt=("x", "w", "b"))
def ln(x, w, b, c):
    return np.sum(c * nn.layer_norm(x, (3, 4), w, b))


@agc.differentiate(wrt="x")
def ln_plain(x, c):
    return np.sum(c * nn.layer_norm(x, (4,)))


@agc.differentiate(wrt="x")
def flat(x, c):
    return np.sum(c * nn.flatten(x, 1, 2))


@agc.differentiate(wrt="x")
def gelu_erf(x, c):
    return np.sum(c * nn.gelu(x))


@agc.differentiate(wrt="x")
def gelu_tanh(x, c):
    return np.sum(c * nn.gelu(x, approximate="tanh"))


@agc.differentiate(wrt="x")
def smoothed(x, t):
    return nn.cross_entropy(x, t, "mean", 0.1)


@agc.differentiate(wrt="x")
def smoothed_sum(x, t):
    return nn.cross_entropy(x, t, reduction="sum", label_smoothing=0.25)


# -------------------------------------------------------------- reference
def _torch_grads(fn, *arrays):
    """(value, gradients) of a torch function of fresh leaf tensors built from `arrays`."""
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    out.backward()
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def _check(ours, theirs, dtype):
    for a, b in zip(ours, theirs):
        assert np.asarray(a).dtype == dtype
        np.testing.assert_allclose(a, b, **TOL[dtype])


@pytest.fixture(params=[np.float64, np.float32], ids=["f64", "f32"])
def dtype(request):
    return request.param


def _data(dtype, *shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5), (2, 3, 4, 3)], ids=["NC", "NCL", "NCHW"])
def test_batch_norm_training_matches_torch(shape, dtype):
    x, w, b, c = _data(dtype, shape, (3,), (3,), shape)
    rm = np.array([0.5, -1.0, 2.0], dtype)
    rv = np.array([1.5, 0.7, 2.0], dtype)
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)

    def reference(x, w, b):
        return (torch.tensor(c) * F.batch_norm(x, t_rm, t_rv, w, b, True, 0.1, 1e-5)).sum()

    value, grads = _torch_grads(reference, x, w, b)
    ours, (gx, gw, gb) = bn_train.value_and_grad(x, rm, rv, w, b, c)
    _check((gx, gw, gb), grads, dtype)
    # torch updates its running statistics in place; agc returns the updated ones
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
    torch_y = F.batch_norm(torch.tensor(x), t_rm, t_rv, torch.tensor(w), torch.tensor(b),
                           True, 0.1, 1e-5)
    _check(nn.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5),
           (torch_y.numpy(), t_rm.numpy(), t_rv.numpy()), dtype)
    np.testing.assert_allclose(ours, value + t_rm.sum().item() + t_rv.sum().item(),
                               **TOL[dtype])


def test_batch_norm_eval_matches_torch_and_keeps_the_statistics(dtype):
    x, w, b, c = _data(dtype, (2, 3, 4, 3), (3,), (3,), (2, 3, 4, 3))
    rm, rv = np.array([0.5, -1.0, 2.0], dtype), np.array([1.5, 0.7, 2.0], dtype)

    def reference(x, w, b):
        return (torch.tensor(c) * F.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b,
                                               False)).sum()

    value, grads = _torch_grads(reference, x, w, b)
    ours, got = bn_eval.value_and_grad(x, rm, rv, w, b, c)
    _check(got, grads, dtype)
    np.testing.assert_allclose(ours, value, **TOL[dtype])
    _, same_mean, same_var = nn.batch_norm(x, rm, rv)
    assert same_mean is rm and same_var is rv


def test_layer_norm_matches_torch(dtype):
    x, w, b, c = _data(dtype, (2, 3, 4), (3, 4), (3, 4), (2, 3, 4))
    value, grads = _torch_grads(
        lambda x, w, b: (torch.tensor(c) * F.layer_norm(x, (3, 4), w, b)).sum(), x, w, b)
    ours, got = ln.value_and_grad(x, w, b, c)
    _check(got, grads, dtype)
    np.testing.assert_allclose(ours, value, **TOL[dtype])
    value, grads = _torch_grads(lambda x: (torch.tensor(c) * F.layer_norm(x, (4,))).sum(), x)
    _check((ln_plain.grad(x, c),), grads, dtype)


def test_flatten_matches_torch():
    x, c = _data(np.float64, (2, 3, 4, 2), (2, 12, 2))
    np.testing.assert_array_equal(nn.flatten(x, 1, 2), torch.flatten(torch.tensor(x), 1, 2))
    np.testing.assert_array_equal(nn.flatten(x), torch.flatten(torch.tensor(x), 1))
    np.testing.assert_array_equal(nn.flatten(x, 0, -2), torch.flatten(torch.tensor(x), 0, -2))
    np.testing.assert_array_equal(flat.grad(x, c), np.reshape(c, x.shape))


@pytest.mark.parametrize("model,approximate", [(gelu_erf, "none"), (gelu_tanh, "tanh")])
def test_gelu_matches_torch(model, approximate, dtype):
    x, c = _data(dtype, (3, 4), (3, 4))
    x[0, 0] = 0.0
    value, grads = _torch_grads(
        lambda x: (torch.tensor(c) * F.gelu(x, approximate=approximate)).sum(), x)
    ours, got = model.value_and_grad(x, c)
    _check((got,), grads, dtype)
    np.testing.assert_allclose(ours, value, **TOL[dtype])


@pytest.mark.parametrize("targets", ["index", "probabilities", "one sample"])
def test_cross_entropy_label_smoothing_matches_torch(targets, dtype):
    (x,) = _data(dtype, (4, 5))
    t = np.array([0, 3, 4, 1])
    if targets == "probabilities":
        t = np.abs(_data(dtype, (4, 5), seed=1)[0])
        t /= t.sum(axis=1, keepdims=True)
    elif targets == "one sample":
        x, t = x[0], np.array(2)
    for model, smoothing, reduction in ((smoothed, 0.1, "mean"), (smoothed_sum, 0.25, "sum")):
        value, grads = _torch_grads(lambda x, r=reduction, e=smoothing: F.cross_entropy(
            x, torch.tensor(t), reduction=r, label_smoothing=e), x)
        ours, got = model.value_and_grad(x, t)
        _check((got,), grads, dtype)
        np.testing.assert_allclose(ours, value, **TOL[dtype])


# ------------------------------------------------- forward mode and proofs
def test_forward_mode_of_batch_norm_and_layer_norm():
    x, w, b, c, dx, dw = _data(np.float64, (4, 3), (3,), (3,), (4, 3), (4, 3), (3,))
    rm, rv = np.zeros(3), np.ones(3)
    zero = np.zeros(3)
    _, tangent = agc.jvp(bn_train, (x, rm, rv, w, b, c), (dx, None, None, dw, zero, None))
    gx, gw, _ = bn_train.grad(x, rm, rv, w, b, c)
    np.testing.assert_allclose(tangent, np.sum(gx * dx) + np.sum(gw * dw), rtol=1e-10)
    w2, b2, c2 = _data(np.float64, (3, 4), (3, 4), (2, 3, 4))
    x2, dx2 = _data(np.float64, (2, 3, 4), (2, 3, 4), seed=3)
    _, tangent = agc.jvp(ln, (x2, w2, b2, c2), (dx2, None, None, None))
    np.testing.assert_allclose(tangent, np.sum(ln.grad(x2, w2, b2, c2)[0] * dx2), rtol=1e-10)


def bn_small(x, w):
    y, _, _ = nn.batch_norm(x, np.zeros(2), np.ones(2), w, None, True)
    return np.sum(y * y * y)


def ln_small(x, w):
    return np.sum(np.sin(nn.layer_norm(x, (2,), w)))


@pytest.mark.parametrize("fn", [bn_small, ln_small])
def test_verify_proves_batch_norm_and_layer_norm(fn):
    x = np.array([[0.3, -1.2], [1.1, 0.4], [-0.5, 0.9]])
    result = agc.verify(fn, x, np.array([0.7, -1.3]), wrt=("x", "w"))
    assert result.proved, str(result)


# ------------------------------------- regressions: helpers of one name
SHADOWING = '''import agc
import numpy as np
from agc import nn


def layer_norm(x, g, b):
    return x * g + b


def sigmoid(x):
    return x * x


def relu(x):
    return x * x


def uses_nn(x, w):
    return np.sum(np.sin(nn.layer_norm(x, (3,), w)))


def uses_both(x):
    return np.sum(sigmoid(x) + nn.sigmoid(x))


def uses_relu_of_both(x):
    return np.sum(relu(x) + nn.relu(x))
'''


def test_an_agc_nn_call_is_not_taken_for_the_models_function_of_that_name(tmp_path):
    """Was: nn.layer_norm(x, (3,), w) differentiated the model module's own layer_norm."""
    model = import_source(SHADOWING, tmp_path, "nn_shadowing")
    x, w = np.array([[0.3, -1.2, 0.8], [1.1, 0.4, -0.2]]), np.array([0.7, -1.3, 0.5])
    np.testing.assert_allclose(agc.grad(model.uses_nn, wrt="x")(x, w),
                               numeric_grad(model.uses_nn, (x, w), 0), rtol=1e-6)


def test_two_different_helpers_of_one_name_are_refused(tmp_path):
    """Was: a silently wrong gradient (the emitted `def relu` of agc.nn replaced the model's)."""
    model = import_source(SHADOWING, tmp_path, "nn_shadowing_both")
    with pytest.raises(agc.UserCodeError, match=r"two different functions named sigmoid\(\)"):
        agc.grad(model.uses_both)(np.array([1.0, -2.0]))


def test_nn_relu_beside_a_models_own_relu(tmp_path):
    """nn.relu is a primitive (no emitted `def relu`): the model's own relu keeps its meaning."""
    model = import_source(SHADOWING, tmp_path, "nn_shadowing_relu")
    x = np.array([1.5, -2.0, 0.5])
    np.testing.assert_allclose(agc.grad(model.uses_relu_of_both)(x), 2 * x + (x > 0))
