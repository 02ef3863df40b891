"""The numba target's preallocated tape (runtime/numba_stack.py) and the short call path
of a compiled gradient (compiler/fast_calls.py): values and gradients equal the numpy
target's."""

from __future__ import annotations

import re

import agc
import numpy as np
import pytest

numba = pytest.importorskip("numba")
nb = pytest.importorskip("agc.runtime.numba_helpers")  # needs numba
pytestmark = pytest.mark.usefixtures("own_agc_cache")  # conftest.py


def counted(a, b, n):
    x = 0  # an integer before the loop, a float in it: the stack holds floats
    for i in range(n):
        if x > 2.0:
            x = x * 0.5 + b
        else:
            x = x * a + 1.0
        x = np.sin(x) * a
        if i == 7:
            break
    return x * x


def shrinking(x):
    y = x
    for i in range(3):  # y loses an entry a trip: its rows change shape
        y = y[1:] * y[:-1]
    return np.sum(y)


def recurrent(W, x, n):
    h = np.zeros(W.shape[0])
    for t in range(n):
        h = np.tanh(W @ h + x * t)
    return np.sum(h * h)


def _same(fn, args, wrt):
    want = agc.value_and_grad(fn, wrt)(*args)
    got = agc.value_and_grad(fn, wrt, target="numba")(*args)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    for a, b in zip(got[1] if isinstance(got[1], tuple) else (got[1],),
                    want[1] if isinstance(want[1], tuple) else (want[1],), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    return got


@pytest.mark.parametrize("n", [0, 3, 12])
def test_a_counted_loop_keeps_its_tape_in_arrays(n):
    _same(counted, (0.9, 0.2, n), ("a", "b"))
    source = agc.differentiate(counted, wrt=("a", "b"), target="numba").gradient_source
    assert "tape_x = nb.stack(x, 2 * n)" in source  # one of the two branches a trip, then sin
    assert "nb.push(tape_x, top_x, x)" in source and "x = nb.pop(tape_x, top_x, x)" in source


def staged(a, b, n):
    x = 1.0
    for i in range(n):
        # first bound in the loop, a number: a stack of numbers sized before it (two
        # transcendental steps: kept, not redone in the backward sweep as `x * a` would be)
        y = np.exp(np.sin(x * a))
        if y > 0.5:
            z = np.sin(y) * b  # first bound in one branch
        else:
            z = y * y
        x = z + 0.5 * y
        if i == 9:
            break
    return x * x


@pytest.mark.parametrize("args", [(0.9, 1.3, 0), (0.9, 1.3, 1), (1.1, 0.7, 6), (1.1, 0.7, 14),
                                  (np.asarray(1.1), 0.7, 6)])
def test_numbers_first_bound_in_a_counted_loop_keep_their_tape_in_arrays(args):
    _same(staged, args, ("a", "b"))
    numbers = ("scalar",) * 3  # compiled for numbers: the ranks say y is one
    source = agc.differentiate(staged, wrt=("a", "b"), target="numba").compiled_for(numbers).source
    assert "y = nb.restore_at(tape_y, top_y, y)" in source
    # the two stacks of numbers (x bound before the loop, y in it; `y > 0.5` and sin(y)
    # are redone in the backward sweep): one array
    assert re.search(r"(tapes_\d+) = nb.stacks\(2, n\)\n(.*\n)*    tape_y = \1\[0\]", source)
    assert "tape_x = tapes_" in source and "nb.stack(" not in source


def test_arrays_that_change_shape_across_trips():
    _same(shrinking, (np.array([0.5, -1.2, 0.8, 1.1, 0.3]),), "x")


def test_an_array_tape_in_rows_float64_and_float32():
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4)
    _same(recurrent, (W, x, 6), ("W", "x"))
    single = agc.grad(recurrent, ("W", "x"), target="numba")(W.astype(np.float32),
                                                             x.astype(np.float32), 6)
    want = agc.grad(recurrent, ("W", "x"))(W.astype(np.float32), x.astype(np.float32), 6)
    for a, b in zip(single, want, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=2e-5)


def test_the_short_call_path_checks_what_the_full_one_did():
    grad = agc.grad(recurrent, ("W", "x"), target="numba")
    rng = np.random.default_rng(1)
    W, x = rng.normal(size=(3, 3)), rng.normal(size=3)
    first = grad(W, x, 4)
    again = grad(W, x, 4)  # the short path: the same kinds of arguments
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert grad(W.astype(np.float32), x, 4)[0].dtype == np.float32  # float32: widened again
    with pytest.raises(TypeError, match="integer"):
        grad(W.astype(np.int64), x, 4)  # integer values to differentiate: still refused
    scalar = agc.grad(counted, "a")
    assert scalar(0.9, 0.2, 5) == scalar(0.9, 0.2, 5)
    with pytest.raises(TypeError, match="integer"):
        scalar(1, 0.2, 5)


def damped(k, c, n=3):
    x = 1.0
    v = 0.0
    for i in range(n):
        x, v = x + 0.1 * v, v + 0.1 * (-k * x - c * v)
    return x * x + v * v


def test_numba_dispatches_only_to_code_the_full_path_compiled():
    """After a first call numba's own dispatch is called directly (fast_calls.Calls): other
    kinds of arguments still take agc's full path, which widens float32, refuses integers
    to differentiate and binds the arguments as Python does."""
    grad = agc.grad(damped, ("k", "c"), target="numba")
    want = agc.grad(damped, ("k", "c"))(2.0, 0.3, 3)
    for _ in range(3):  # the full path, then the direct one
        got = grad(2.0, 0.3, 3)
        assert [type(g) for g in got] == [float, float]
        np.testing.assert_allclose(got, want, rtol=1e-12)
    single = grad(np.float32(2.0), np.float32(0.3), 3)  # numba has no float32 code: widened
    assert [type(g) for g in single] == [np.float32, np.float32]
    np.testing.assert_allclose(single, want, rtol=1e-6)
    with pytest.raises(TypeError, match="integer"):
        grad(2, 0.3, 3)  # numba would compile an integer k: agc refuses it
    with pytest.raises(agc.UsageError, match="damped()"):
        grad(2.0, 0.3, 3, 4)
    np.testing.assert_allclose(grad(2.0, 0.3), want, rtol=1e-12)  # n's default, bound
    np.testing.assert_allclose(grad(k=2.0, c=0.3), want, rtol=1e-12)
    value_and_grad = agc.value_and_grad(damped, ("k", "c"), target="numba")
    expected = agc.value_and_grad(damped, ("k", "c"))(1.5, 0.2, 4)
    for _ in range(3):
        value, grads = value_and_grad(1.5, 0.2, 4)
        assert value == pytest.approx(expected[0], rel=1e-12)
        np.testing.assert_allclose(grads, expected[1], rtol=1e-12)
    value, grads = value_and_grad(1.5, 0.2, 4, seed=2.0)
    np.testing.assert_allclose(grads, 2 * np.asarray(expected[1]), rtol=1e-12)


def test_a_number_stack_takes_0d_arrays_back_as_0d_arrays():
    """nb.stack(0.0, n) for a variable the ranks call a number: a 0-d array pushed on it
    (float or integer) comes back a 0-d array of its dtype."""
    @numba.njit
    def roundtrip(v, n):
        tape = nb.stack(0.0, n)
        top = 0
        for _ in range(n):
            nb.push(tape, top, v)
            top += 1
        first = nb.restore_at(tape, 0, v)  # before the first write: the variable itself
        return nb.restore_at(tape, top, v), first, tape

    for value in (np.asarray(2.5), np.asarray(7), np.asarray(True)):
        got, first, tape = roundtrip(value, 3)
        assert isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype == value.dtype
        assert got == value and first is not None and tape.tolist() == [float(value)] * 3
    with pytest.raises(OverflowError):
        roundtrip(np.asarray(2 ** 60), 2)


def kept_square(k, c, n=3):
    x = 1.0
    v = 0.0
    for i in range(n):
        x, v = x + 0.1 * v, v + 0.1 * (-k * x - c * v)
    y = x * x
    return y + v * v


def test_the_numba_gradient_keeps_the_methods_keywords():
    """agc.grad(f, target="numba") and f.grad are functions of their own around numba's
    dispatch (fast_calls.numba_methods): keywords, defaults, another count of arguments and
    agc.grad of them behave as the methods do, before and after the direct path exists."""
    numpy_f = agc.differentiate(kept_square, wrt=("k", "c"))
    grad = agc.grad(kept_square, ("k", "c"), target="numba")
    for _ in range(3):  # the full path, then numba's dispatch
        np.testing.assert_allclose(grad(2.0, 0.3, 4), numpy_f.grad(2.0, 0.3, 4), rtol=1e-12)
        got, kept = grad(2.0, 0.3, 4, intermediates=("y",))
        want, want_kept = numpy_f.grad(2.0, 0.3, 4, intermediates=("y",))
        np.testing.assert_allclose(got, want, rtol=1e-12)
        assert kept["y"] == pytest.approx(want_kept["y"], rel=1e-12)
        np.testing.assert_allclose(grad(2.0, 0.3), numpy_f.grad(2.0, 0.3), rtol=1e-12)
        np.testing.assert_allclose(grad(2.0, n=2, c=0.3), numpy_f.grad(2.0, 0.3, 2), rtol=1e-12)
        with pytest.raises(agc.UsageError, match="too many positional"):
            grad(2.0, 0.3, 4, 5)
        with pytest.raises(agc.UsageError, match="unexpected keyword argument 'm'"):
            grad(2.0, 0.3, m=4)
    value_and_grad = agc.value_and_grad(kept_square, ("k", "c"), target="numba")
    for _ in range(3):
        value, grads = value_and_grad(1.5, 0.2)
        want = numpy_f.value_and_grad(1.5, 0.2)
        assert value == pytest.approx(want[0], rel=1e-12)
        np.testing.assert_allclose(grads, want[1], rtol=1e-12)
        np.testing.assert_allclose(value_and_grad(1.5, 0.2, 3, seed=2.0)[1],
                                   2 * np.asarray(want[1]), rtol=1e-12)
    second = agc.grad(agc.grad(kept_square, "k", target="numba"))
    assert second(2.0, 0.3, 3) == pytest.approx(agc.grad(agc.grad(kept_square, "k"))(2.0, 0.3, 3),
                                                rel=1e-9)


def cube(x, y):
    return x * x * x * y


cube_grad = agc.grad(cube, "x", target="numba")
cube_value_and_grad = agc.value_and_grad(cube, "x", target="numba")


def calls_numba_gradients(x, y):
    value, dx = cube_value_and_grad(x, y)
    return value + cube_grad(x, y) * y + dx


def test_a_model_calls_numba_target_gradients_made_at_module_level():
    """agc.grad(f, target="numba") is a function of its own, not a bound method: a model
    calling it is still compiled with f's gradient in it (frontend/gradient_calls.py)."""
    x, y = 1.5, 2.0  # x^3 y + 3 x^2 y^2 + 3 x^2 y
    want = (3 * x * x * y + 6 * x * y * y + 6 * x * y, x ** 3 + 6 * x * x * y + 3 * x * x)
    np.testing.assert_allclose(agc.grad(calls_numba_gradients, ("x", "y"))(x, y), want,
                               rtol=1e-12)
