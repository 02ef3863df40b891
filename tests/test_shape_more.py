"""Issue 13, shapes: what the differential corpus cannot hold.

Writes into numpy's read-only views (numpy raises, so no corpus entry can run them)
are refused at compile time with a position; `agc compile` handles a model file that
uses the new functions (imported by name from numpy.lib.stride_tricks too); and
agc.verify proves the new rules and gradient helpers, and every entry of
tests/differential/corpus_shape_more.py and corpus_index_more.py.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import agc
import numpy as np
import pytest
from differential import corpus_index_more, corpus_shape_more
from gradcheck import import_file, numeric_grad
from numpy.lib.stride_tricks import sliding_window_view


def window_write(x):
    w = sliding_window_view(x * 2, 3)
    w[0] = 1.0  # <-
    return np.sum(w)


def broadcast_iadd(x):
    w = np.broadcast_to(x, (2, 4))
    w += 1.0  # <-
    return np.sum(w)


def broadcast_transposed_write(x):
    w = np.broadcast_to(x, (2, 4)).T
    v = w
    v[0] = 0.0  # <-
    return np.sum(v)


def broadcast_copied_write(x):
    w = np.broadcast_to(x, (2, 4)).copy()
    w[0] = 0.0
    return np.sum(w * 2)


@pytest.mark.parametrize("fn", [window_write, broadcast_iadd, broadcast_transposed_write],
                         ids=lambda f: f.__name__)
def test_writes_into_read_only_views_are_refused_with_their_position(fn):
    lines, first = inspect.getsourcelines(fn)
    line = first + next(i for i, text in enumerate(lines) if "# <-" in text)
    x = np.linspace(-1.0, 1.0, 4 if fn is not window_write else 6)
    with pytest.raises(ValueError):
        fn(x.copy())  # numpy's own answer
    with pytest.raises(agc.UserCodeError, match="read-only view") as err:
        agc.differentiate(fn).grad(x)
    assert err.value.loc.line == line


def test_a_copy_of_a_read_only_view_is_writable():
    x = np.linspace(-1.0, 1.0, 4)
    value, grad = agc.differentiate(broadcast_copied_write).value_and_grad(x)
    assert value == pytest.approx(broadcast_copied_write(x))
    np.testing.assert_allclose(grad, [2.0] * 4)


MODEL = '''
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def smooth(x, w):
    padded = np.pad(x, (1, 1), mode="edge")
    windows = sliding_window_view(padded, 3)
    local = windows @ w
    left, right = np.split(np.roll(local, 1), 2)
    ramp = np.linspace(0.0, w[0], left.shape[0])
    return np.sum(np.take(left, [0, 2]) ** 2) + np.sum(np.flip(right) * ramp) \\
        + np.sum(np.tile(w, 2) * np.repeat(w, 2))
'''


def test_compile_a_model_using_the_new_functions(tmp_path):
    model = tmp_path / "smooth.py"
    model.write_text(textwrap.dedent(MODEL), encoding="utf-8")
    out = tmp_path / "smooth_grad.py"
    result = subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model),
                             "--function", "smooth", "--wrt", "x,w", "-o", str(out)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    for written in ("xp.pad(x, (1, 1), mode='edge')", "sliding_window_view(", "rt.pad_grad(",
                    "rt.sliding_window_grad(", "rt.split_grad(", "rt.linspace_grad("):
        assert written in text, written
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(out)],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
    emitted, source = import_file(out), import_file(model)
    rng = np.random.default_rng(4)
    args = (rng.uniform(-1, 1, 8), rng.uniform(-1, 1, 3))
    value, (dx, dw) = emitted.smooth_value_and_grad(*args)
    assert value == pytest.approx(source.smooth(*args), rel=1e-12)
    np.testing.assert_allclose(dx, numeric_grad(source.smooth, args, 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dw, numeric_grad(source.smooth, args, 1), rtol=1e-6, atol=1e-9)


def flips_and_rolls(X):
    return np.sum(np.flip(X, 1) * np.roll(X, 1, axis=0) ** 2) + np.sum(np.swapaxes(X, 0, 1)[0])


def tiles_repeats_pads(X):
    return np.sum(np.tile(X, (1, 2)) * np.repeat(X, 2, axis=1)) \
        + np.sum(np.pad(X, 1, mode="reflect") ** 2)


def takes_and_windows(X):
    w = np.lib.stride_tricks.sliding_window_view(X, 2, axis=1)
    return np.sum(np.take(X, [2, 0], axis=1) ** 2) + np.sum(w[..., 0] * w[..., 1]) \
        + np.sum(np.take_along_axis(X, np.array([[1], [0], [2]]), axis=1) ** 3)


def splits_and_linspace(X):
    a, b = np.array_split(X, [1], axis=0)
    return np.sum(a * np.linspace(X[0, 0], X[1, 1], 3)) + np.sum(b ** 2) \
        + np.sum(np.full_like(X, X[2, 2]) * X) + np.sum(np.column_stack([X[0], X[1]]) ** 2)


@pytest.mark.parametrize("fn", [flips_and_rolls, tiles_repeats_pads, takes_and_windows,
                                splits_and_linspace], ids=lambda f: f.__name__)
def test_verify_proves_the_new_rules(fn):
    X = np.random.default_rng(2).uniform(-1, 1, (3, 3))
    result = agc.verify(fn, X)
    assert result.proved, str(result)


@pytest.mark.parametrize("entry", [e for m in (corpus_shape_more, corpus_index_more)
                                   for e in m.corpus.entries if e.expect == "ok"],
                         ids=lambda e: e.name)
def test_verify_proves_the_corpus(entry):
    """Every issue-13 corpus function's gradient is proved at its first point."""
    result = agc.verify(entry.fn, *entry.points()[0], wrt=entry.wrt)
    assert result.proved, str(result)
    assert all(ok for _, ok in result.checks), str(result)


def put_along_lower_rank(X):
    Y = X * 1.0
    np.put_along_axis(Y, np.array([0, 1, 2]), 0.0, axis=1)
    return np.sum(Y)


def fill_with_a_row(X):
    Y = X * 1.0
    Y.fill(X[0])
    return np.sum(Y)


@pytest.mark.parametrize("fn", [put_along_lower_rank, fill_with_a_row], ids=lambda f: f.__name__)
def test_what_numpy_rejects_is_rejected_not_broadcast(fn):
    X = np.ones((3, 4))
    with pytest.raises(ValueError):
        fn(X.copy())
    with pytest.raises((ValueError, TypeError)):
        agc.differentiate(fn).grad(X.copy())
