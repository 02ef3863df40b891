"""Issue 13's Python constructs end to end: `agc compile` on a model file that uses
them (the emitted module lints clean and agrees with the decorator), `agc.verify`
proves gradients through them, and print / assert stay in the forward sweep."""

from __future__ import annotations

import subprocess
import sys

import agc
import numpy as np
import pytest
from gradcheck import import_file, numeric_grad
from test_cli import agc as run_agc
from test_cli import write

MODEL = '''\
import numpy as np
import pytest


def scaled(f, v):
    return f(v) * 2


def model(x, w, scale=None):
    """Comprehensions, closures, lambdas, builtins, dicts, print and assert."""
    assert x.shape == w.shape, "x and w must match"
    factor = 1.0 if scale is None else scale

    def layer(v, k=1):
        if k == 0:
            return v
        return np.tanh(layer(v, k - 1) * w) * factor

    square = lambda v: v * v
    hs = [layer(x * (i + 1), 2) for i in range(3) if i != 1]
    params = {"a": hs[0], "b": square(hs[1])}
    total = sum(np.sum(v) for v in params.values())
    first, *rest = [x[0], x[1], x[2]]
    best = max(first, rest[0], rest[1]) + min(rest)
    print(f"total={total:.4f}")
    return total + best + np.sum(scaled(np.sin, x) * np.concatenate([w[:1], w[1:]]))
'''


def test_compile_model_with_python_constructs(tmp_path):
    model = write(tmp_path / "pymodel.py", MODEL)
    out = tmp_path / "pymodel_grad.py"
    result = run_agc("compile", model, "--function", "model", "--wrt", "x,w", "-o", out)
    assert result.returncode == 0, result.stderr
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(out)],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
    text = out.read_text()
    assert "print(f'total={total:.4f}')" in text and "assert " in text
    emitted, source = import_file(out), import_file(model)
    rng = np.random.default_rng(3)
    x, w = rng.uniform(-1, 1, 3), rng.uniform(0.5, 1.5, 3)
    value, (gx, gw) = emitted.model_value_and_grad(x, w)
    assert value == source.model(x, w)
    np.testing.assert_allclose(gx, numeric_grad(source.model, (x, w), 0), rtol=1e-6)
    np.testing.assert_allclose(gw, numeric_grad(source.model, (x, w), 1), rtol=1e-6)


def closure_and_comprehension(x, w):
    def f(v):
        return np.sin(v * w) + v * v

    terms = [f(x * k) for k in range(1, 3)]
    return np.sum(sum(terms)) * max(x[0], x[1])


def test_verify_proves_closures_comprehensions_and_builtin_max():
    x = np.array([0.3, -0.2, 0.5])
    w = np.array([1.1, 0.7, -0.4])
    result = agc.verify(closure_and_comprehension, x, w, wrt=("x", "w"))
    assert result.proved, str(result)


def concatenated_and_printed(x):
    parts = [x[:1] * 2, np.sin(x)]
    y = np.concatenate(parts)
    assert y.shape[0] == 4
    print(f"{np.sum(y)=}")
    return np.sum(y * y)


def test_verify_proves_concatenate_of_a_list_with_print_and_assert():
    result = agc.verify(concatenated_and_printed, np.array([0.4, -0.3, 0.2]))
    assert result.proved, str(result)


def printed_and_checked(x):
    assert x.ndim == 1
    y = np.sum(x ** 2)
    print("value", y, sep=": ")
    return y


def test_print_and_assert_run_in_the_forward_sweep(capsys):
    diff = agc.differentiate(printed_and_checked)
    grad = diff.grad(np.array([1.0, 2.0]))
    np.testing.assert_allclose(grad, [2.0, 4.0])
    assert capsys.readouterr().out == "value: 5.0\n"
    try:
        diff.grad(np.ones((2, 2)))
    except AssertionError:
        pass
    else:
        raise AssertionError("the model's assert did not run")


def formatted(x):
    y = np.sum(x)
    print(f"{{y}}\t{y!r} {y:>8.3f} {'k':>3} {y=}", end="|")
    return y


def test_fstrings_print_what_python_prints(capsys):
    x = np.array([1.5, 2.25])
    formatted(x)
    expected = capsys.readouterr().out
    agc.differentiate(formatted).grad(x)
    assert capsys.readouterr().out == expected


def stacked_generator(x):
    return np.sum(np.stack(np.sin(x * k) for k in range(2)))  # numpy raises TypeError


def test_a_generator_where_numpy_wants_a_sequence_is_refused():
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(stacked_generator).grad(np.ones(3))
    assert "generator expression" in str(caught.value) and "^" in str(caught.value)
