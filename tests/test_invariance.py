"""The max that stabilises a logsumexp gets no derivative (compiler/invariance.py).

Each function is checked against central differences and proved by sympy (the
proof differentiates the function as written, max included); the emitted code
must hold no max gradient where the shift cancels, and keep it where it does not.
"""

import agc
import numpy as np
import pytest
from agc.testing import assert_gradient_proved
from gradcheck import check_gradient, emitted_source, import_source

MODELS = '''
import numpy as np


def lse_all(v):
    c = np.max(v)
    return np.log(np.sum(np.exp(v - c))) + c


def lse_columns(v):
    c = np.max(v, axis=0)
    return np.sum(np.log(np.sum(np.exp(v - c), axis=0)) + c)


def log_softmax_rows(v, w):
    c = np.max(v, axis=-1, keepdims=True)
    shifted = v - c
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return np.sum(logp * w)


def max_read_again(v):
    c = np.max(v)
    return np.log(np.sum(np.exp(v - c))) + c + 0.5 * c  # the extra c is not shifted away


def rows_misaligned(v):
    c = np.max(v, axis=1)  # (n,), broadcast along rows while the sum runs along columns
    return np.sum(np.log(np.sum(np.exp(v - c), axis=1)) + c)


def softmax_read_too(v):
    c = np.max(v)
    e = np.exp(v - c)
    return np.log(np.sum(e)) + c + np.sum(e * v)  # exp(v - c) also used on its own
'''

SHIFTED = ["lse_all", "lse_columns", "log_softmax_rows"]
KEPT = ["max_read_again", "rows_misaligned", "softmax_read_too"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("invariance"), "invariance_models")


def _args(name):
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 3))
    return (v, rng.standard_normal((3, 3))) if name == "log_softmax_rows" else (v,)


@pytest.mark.parametrize("name", SHIFTED + KEPT)
def test_gradients_match_finite_differences(models, name):
    check_gradient(getattr(models, name), _args(name), wrt=("v",))


@pytest.mark.parametrize("name", SHIFTED + KEPT)
def test_only_a_cancelling_max_loses_its_gradient(models, name):
    f = agc.differentiate(getattr(models, name), wrt="v")
    f.grad(*_args(name))
    source = emitted_source(f)
    assert ("maxmin_grad" in source) == (name in KEPT), source


@pytest.mark.parametrize("name", SHIFTED)
def test_sympy_proves_the_shifted_gradients(models, name):
    rng = np.random.default_rng(4)
    args = tuple(a[:2, :2] + 0.1 * rng.standard_normal((2, 2)) for a in _args(name))
    assert_gradient_proved(getattr(models, name), *args, wrt="v")


def test_log_softmax_written_with_two_subtractions(tmp_path):
    """z - zmax - log(sum(exp(z - zmax))): the shift written twice still cancels."""
    nll = import_source('''
import numpy as np


def nll(z, labels):
    zmax = np.max(z, axis=1, keepdims=True)
    logp = z - zmax - np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(z.shape[0]), labels])
''', tmp_path, "two_subs").nll
    args = (np.random.default_rng(5).standard_normal((4, 3)), np.array([0, 2, 1, 2]))
    check_gradient(nll, args, wrt=("z",))
    f = agc.differentiate(nll, wrt="z")
    f.grad(*args)
    assert "maxmin_grad" not in emitted_source(f)
    assert_gradient_proved(nll, args[0][:2], args[1][:2], wrt="z")
