"""A statement whose value nothing reads still raises where Python or numpy raises: `v = l[3]`
of a 2-item list, `x[3]` of a 3-vector, a singular `inv`, `x + y` of shapes (4,) and (3,),
`1.0 / 0.0` of Python floats, `math.sqrt(-1.0)`. Dead-code removal dropped such statements
(the gradient does not need them) and agc ran on; now a statement whose primitive may raise
(`Spec.may_raise`, ad/dead_code.py `may_raise`) stays in the forward sweep. Each case raises
the plain call's exception from grad / value_and_grad / jvp / hvp with a note naming the
model line, and gives jax's values and gradients for inputs where it does not raise."""

# ruff: noqa: F841 - the values nothing reads are the point of these models
from __future__ import annotations

import math
import warnings

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

GOOD3 = np.array([0.3, 0.7, 1.2])
GOOD4 = np.array([0.3, 0.7, 1.2, 2.0])


def list_read(x):
    l = [x[0], x[1]]
    v = l[len(x) - 2]
    return np.sum(x * x) * 0.5


def tuple_read(x):
    t = (x[0], x[1])
    v = t[len(x) - 2]
    return np.sum(x * x) * 0.5


def array_read(x):
    v = x[3]
    return np.sum(x * x) * 0.5


def reshape_read(x):
    v = x.reshape(2, 2)
    return np.sum(x * x) * 0.5


def inverse(x):
    v = np.linalg.inv(np.diag(x))
    return np.sum(x * x) * 0.5


def solved(x):
    v = np.linalg.solve(np.diag(x), x)
    return np.sum(x * x) * 0.5


def cholesky(x):
    v = np.linalg.cholesky(np.diag(x))
    return np.sum(x * x) * 0.5


def broadcast(x):
    v = x + x[:3]
    return np.sum(x * x) * 0.5


def product(x):
    v = x @ np.ones(3)
    return np.sum(x * x) * 0.5


def joined(x):
    v = np.concatenate([x[:, None], np.ones((3, 2))], axis=1)
    return np.sum(x * x) * 0.5


def float_division(x):
    z = float(x[0])
    v = 1.0 / z
    return np.sum(x * x) * 0.5


def integer_division(x):
    n = int(x[0])
    v = 3 // n
    return np.sum(x * x) * 0.5


def square_root(x):
    v = math.sqrt(float(x[0]))
    return np.sum(x * x) * 0.5


def logarithm(x):
    v = math.log(float(x[0]))
    return np.sum(x * x) * 0.5


def int_of_nan(x):
    v = int(np.sqrt(x[0]))
    return np.sum(x * x) * 0.5


BAD_ZERO = np.array([0.0, 0.7, 1.2])
BAD_NEGATIVE = np.array([-0.3, 0.7, 1.2])

# (fn, an input it raises for, one it does not, the exception, its message, the line)
CASES = [
    (list_read, GOOD4, GOOD3, IndexError, "list index out of range", "v = l[len(x) - 2]"),
    (tuple_read, GOOD4, GOOD3, IndexError, "tuple index out of range", "v = t[len(x) - 2]"),
    (array_read, GOOD3, GOOD4, IndexError, "out of bounds", "v = x[3]"),
    (reshape_read, GOOD3, GOOD4, ValueError, "cannot reshape", "v = x.reshape(2, 2)"),
    (inverse, BAD_ZERO, GOOD3, np.linalg.LinAlgError, "Singular matrix",
     "v = np.linalg.inv(np.diag(x))"),
    (solved, BAD_ZERO, GOOD3, np.linalg.LinAlgError, "Singular matrix",
     "v = np.linalg.solve(np.diag(x), x)"),
    (cholesky, BAD_NEGATIVE, GOOD3, np.linalg.LinAlgError, "not positive definite",
     "v = np.linalg.cholesky(np.diag(x))"),
    (broadcast, GOOD4, GOOD3, ValueError, "could not be broadcast", "v = x + x[:3]"),
    (product, GOOD4, GOOD3, ValueError, "matmul", "v = x @ np.ones(3)"),
    (joined, GOOD4, GOOD3, ValueError, "dimensions", "v = np.concatenate("),
    (float_division, BAD_ZERO, GOOD3, ZeroDivisionError, "float division by zero", "v = 1.0 / z"),
    (integer_division, BAD_ZERO, GOOD4 + 1.0, ZeroDivisionError, "by zero", "v = 3 // n"),
    (square_root, BAD_NEGATIVE, GOOD3, ValueError, "math domain error",
     "v = math.sqrt(float(x[0]))"),
    (logarithm, BAD_ZERO, GOOD3, ValueError, "math domain error", "v = math.log(float(x[0]))"),
    (int_of_nan, BAD_NEGATIVE, GOOD3, ValueError, "NaN", "v = int(np.sqrt(x[0]))"),
]
IDS = [case[0].__name__ for case in CASES]


def _calls(f, x):
    """Each way of running a differentiated function at x."""
    v = np.ones_like(x)
    return {
        "grad": lambda: f.grad(x.copy()),
        "value_and_grad": lambda: f.value_and_grad(x.copy()),
        "jvp": lambda: f.jvp(x.copy(), tangents=(v,)),
        "hvp": lambda: f.hvp(x.copy(), tangents=(v,)),
    }


@pytest.mark.parametrize(("fn", "bad", "good", "error", "message", "line"), CASES, ids=IDS)
def test_an_unread_statement_raises_as_python(fn, bad, good, error, message, line):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # np.sqrt(-0.3): nan, then int() raises
        with pytest.raises(error, match=message):
            fn(bad.copy())
        f = agc.differentiate(fn)
        for way, call in _calls(f, bad).items():
            with pytest.raises(error, match=message) as caught:
                call()
            notes = "".join(getattr(caught.value, "__notes__", []))
            assert f"in {fn.__name__}: {line}" in notes, (way, notes)


def _half_square(x):
    return jnp.sum(x * x) * 0.5


@pytest.mark.parametrize(("fn", "bad", "good", "error", "message", "line"), CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inputs_that_do_not_raise_keep_values_and_gradients(fn, bad, good, error, message, line,
                                                            dtype):
    x = good.astype(dtype)
    f = agc.differentiate(fn)
    value, grad = f.value_and_grad(x.copy())
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert value == pytest.approx(fn(x.copy()), rel=tol)
    expected = np.asarray(jax.grad(_half_square)(jnp.asarray(good)))
    np.testing.assert_allclose(f.grad(x.copy()), expected, rtol=tol)
    np.testing.assert_allclose(grad, expected, rtol=tol)
    v = np.linspace(0.5, 1.5, len(x)).astype(dtype)
    _, tangent = f.jvp(x.copy(), tangents=(v,))
    np.testing.assert_allclose(tangent, expected @ v, rtol=tol)
    _, hv = f.hvp(x.copy(), tangents=(v,))
    np.testing.assert_allclose(hv, v, rtol=tol)  # the Hessian of |x|^2 / 2 is the identity


def numpy_division_by_zero(x):
    v = x / 0.0
    w = x / (x[0] - x[0])
    return np.sum(x * x) * 0.5


def test_numpy_division_by_zero_still_does_not_raise():
    """numpy's float division by zero gives inf with a warning, never an error: nor in agc."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = numpy_division_by_zero(GOOD3.copy())
        f = agc.differentiate(numpy_division_by_zero)
        value, grad = f.value_and_grad(GOOD3.copy())
        _, tangent = f.jvp(GOOD3.copy(), tangents=(np.ones(3),))
        _, hv = f.hvp(GOOD3.copy(), tangents=(np.ones(3),))
    assert value == expected
    np.testing.assert_allclose(grad, GOOD3, rtol=1e-12)
    np.testing.assert_allclose(tangent, np.sum(GOOD3), rtol=1e-12)
    np.testing.assert_allclose(hv, np.ones(3), rtol=1e-12)


def broadcast_in_the_value_only(x, y):
    v = x * y
    return np.sum(x * x) * 0.5


def test_the_lean_gradient_keeps_a_statement_that_may_raise():
    """f.grad's own body (the lean variant, without the value) raises too."""
    f = agc.differentiate(broadcast_in_the_value_only)
    with pytest.raises(ValueError, match="could not be broadcast"):
        f.grad(GOOD3.copy(), np.ones(4))
    np.testing.assert_allclose(f.grad(GOOD3.copy(), np.ones(3)), GOOD3, rtol=1e-12)


def read_in_a_branch(x):
    if x[0] > 0:
        v = x[3]
    return np.sum(x * x) * 0.5


def read_in_a_loop(x):
    for i in range(4):
        v = x[i]
    return np.sum(x * x) * 0.5


def read_then_bound_again(x):
    v = x[3]
    v = x[0]
    return np.sum(x * x) * 0.5 + v


def _raises_index_error_everywhere(fn):
    """agc.differentiate(fn), once its plain call, grad, value_and_grad, jvp and hvp at
    GOOD3 (a 3-vector) all raised IndexError."""
    with pytest.raises(IndexError):
        fn(GOOD3.copy())
    f = agc.differentiate(fn)
    for call in _calls(f, GOOD3).values():
        with pytest.raises(IndexError, match="out of bounds"):
            call()
    return f


@pytest.mark.parametrize("fn", [read_in_a_branch, read_in_a_loop, read_then_bound_again])
def test_a_read_in_a_branch_a_loop_or_bound_again_raises(fn):
    """Branches and loops, and a value bound again before it is read (dropped as overwritten)."""
    f = _raises_index_error_everywhere(fn)
    expected = GOOD4 + (np.eye(4)[0] if fn is read_then_bound_again else 0.0)
    np.testing.assert_allclose(f.grad(GOOD4.copy()), expected, rtol=1e-12)


def _reads_past_the_end(x):
    return x[3] * 2.0


def _doubles_with_an_unread_read(x):
    v = x[3]
    return x * 2.0


def unread_helper_call(x):
    v = _reads_past_the_end(x)
    return np.sum(x * x) * 0.5


def helper_with_an_unread_read(x):
    return np.sum(_doubles_with_an_unread_read(x) * x) * 0.25


@pytest.mark.parametrize("fn", [unread_helper_call, helper_with_an_unread_read])
def test_a_helper_raises_where_its_value_is_unread_or_it_reads_unread(fn):
    """A helper call nothing reads runs (its body may raise); a helper's own unread read
    raises in the caller's forward sweep, once (its vjp does not run it again)."""
    f = _raises_index_error_everywhere(fn)
    np.testing.assert_allclose(f.grad(GOOD4.copy()), GOOD4, rtol=1e-12)
    _, hv = f.hvp(GOOD4.copy(), tangents=(np.ones(4),))
    np.testing.assert_allclose(hv, np.ones(4), rtol=1e-12)
