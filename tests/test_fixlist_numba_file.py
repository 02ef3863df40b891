"""A file written by `agc compile --target numba`, called with float32 arrays.

The decorator runs a numba model's float32 arguments in float64 (numba cannot keep one
variable in both dtypes); the file's entries were the bare njit functions, so a model with
a loop failed at its first float32 call with numba's TypingError ("Cannot unify
array(float32, 1d, C) and array(float64, 1d, C) for 'w_bar'"). The file's public entries
now widen as the decorator does: each gradient in its parameter's dtype, the value float32
where every float argument was.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

pytest.importorskip("numba")
jax.config.update("jax_enable_x64", True)

MODEL = '''import numpy as np


def rnn(w, x, steps: int):
    h = np.zeros(3)
    s = 0.0
    for i in range(steps):
        h = np.tanh(w * h + x[i % 2])
        s = s + np.sum(h) * 0.5
    return s + np.sum(h ** 2)
'''

W = np.array([0.1, -0.2, 0.3])
X = np.arange(6.0).reshape(2, 3) / 10


def _twin(w, x, steps):
    h, s = jnp.zeros(3), 0.0
    for i in range(steps):
        h = jnp.tanh(w * h + x[i % 2])
        s = s + jnp.sum(h) * 0.5
    return s + jnp.sum(h ** 2)


@pytest.fixture(scope="module")
def emitted(tmp_path_factory):
    """The module `agc compile --target numba` writes for the model, imported."""
    folder = tmp_path_factory.mktemp("numba_file")
    (folder / "rnn_model.py").write_text(MODEL)
    out = folder / "rnn_model_grad.py"
    subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(folder / "rnn_model.py"),
                    "--function", "rnn", "--target", "numba", "-o", str(out)], check=True,
                   capture_output=True, timeout=300)
    spec = importlib.util.spec_from_file_location("rnn_model_grad", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_files_entries_take_float32_as_the_decorator(emitted, dtype):
    w, x = W.astype(dtype), X.astype(dtype)
    want = jax.grad(_twin)(jnp.asarray(W), jnp.asarray(X), 5)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    value, grad = emitted.rnn_value_and_grad(w, x, 5)
    assert grad.dtype == dtype and np.asarray(value).dtype == dtype
    assert float(value) == pytest.approx(float(_twin(jnp.asarray(W), jnp.asarray(X), 5)), rel=rtol)
    np.testing.assert_allclose(grad, want, rtol=rtol)
    grad = emitted.rnn_grad(w, x, 5)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, want, rtol=rtol)
