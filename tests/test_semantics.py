"""Regression tests for issue 12: agc reproduces Python's and numpy's semantics exactly.

Each test is a bug that once gave a silently wrong value or gradient. The
expected numbers come from numpy itself (the value) and from closed forms or
central differences (the gradient), never from agc.
"""

from __future__ import annotations

import types

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import import_source, numeric_grad

jax.config.update("jax_enable_x64", True)

GLOBALS = """
import numpy as np

SCALE = 0.5


def scaled(x):
    return SCALE * x


def f(x):
    return np.sum(scaled(x) ** 2) + SCALE
"""


def test_module_constants_are_read_at_call_time(tmp_path):
    """A rebound module constant changes the gradient as it changes f(x) (was: stale 0.5)."""
    model = import_source(GLOBALS, tmp_path, "globals_model")
    grad = agc.value_and_grad(model.f)
    x = np.array([1.0, 2.0])
    value, g = grad(x)
    assert value == model.f(x) == 1.75
    np.testing.assert_allclose(g, 2 * 0.25 * x)
    model.SCALE = 2.0
    value, g = grad(x)
    assert value == model.f(x) == 22.0
    np.testing.assert_allclose(g, 2 * 4.0 * x)
    np.testing.assert_allclose(agc.grad(model.f)(x), numeric_grad(model.f, (x,), 0), rtol=1e-6)


def test_a_constant_rebound_and_restored_still_matches(tmp_path):
    """Going back to the first value is seen too (no cache entry keeps the middle value)."""
    model = import_source(GLOBALS, tmp_path, "globals_restored")
    diff = agc.differentiate(model.f)
    x = np.array([3.0])
    first = diff.grad(x)
    model.SCALE = 1.0
    np.testing.assert_allclose(diff.grad(x), 2 * x)
    model.SCALE = 0.5
    np.testing.assert_allclose(diff.grad(x), first)


BOOLEAN_LOOPS = """
import numpy as np


def or_break(x):
    y = x
    k = 0
    while True:
        y = np.sin(y) * 0.9
        k = k + 1
        if np.max(np.abs(y)) < 0.5 or k >= 8:
            break
    return np.sum(y ** 2)


def or_in_for(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 1.0 or x[i] < -1.0:
            s = s + x[i] ** 2
        else:
            s = s + 3 * x[i]
    return s


def and_in_for(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0.0 and x[i] < 1.5:
            s = s + x[i] ** 2
        else:
            s = s + 3 * x[i]
    return s


def flag_reassigned(x):
    s = 0.0
    for i in range(x.shape[0]):
        big = x[i] > 0.5
        if big:
            s = s + x[i] ** 3
            big = False
        if big:
            s = s + 100.0 * x[i]
        else:
            s = s + x[i]
    return s
"""


def test_and_or_in_loops_keep_each_trip_decision(tmp_path):
    """The backward sweep once re-tested `a or b` after b overwrote the decision (wrong grads,
    IndexError: pop from empty list)."""
    model = import_source(BOOLEAN_LOOPS, tmp_path, "boolean_loops")
    points = [np.array([1.2, -0.3, 2.0, 0.7, -1.5]), np.array([0.2, -1.3, 1.1, 1.7, -0.5])]
    for fn in (model.or_break, model.or_in_for, model.and_in_for, model.flag_reassigned):
        for x in points:
            value, g = agc.value_and_grad(fn)(x)
            assert value == fn(x), fn.__name__
            np.testing.assert_allclose(g, numeric_grad(fn, (x,), 0), rtol=1e-6, atol=1e-8,
                                       err_msg=fn.__name__)


BUILTIN_ABS = """
import numpy as np


def builtin_abs(x):
    return np.sum(abs(x) * x)
"""


def test_builtin_abs_of_an_array(tmp_path):
    """abs() of an array once crashed in its gradient (a Python `if` on an array)."""
    model = import_source(BUILTIN_ABS, tmp_path, "builtin_abs")
    for dtype in (np.float64, np.float32):
        x = np.array([1.5, -2.0, 0.25], dtype=dtype)
        value, g = agc.value_and_grad(model.builtin_abs)(x)
        assert value == model.builtin_abs(x)
        np.testing.assert_allclose(g, 2 * np.abs(x), rtol=1e-6)  # d/dx x|x| = 2|x|
        assert g.dtype == dtype


DTYPES = """
import numpy as np


def float64_state(x):
    s = np.zeros(3)
    for i in range(4):
        s = s + x * i
    return np.sum(s ** 2)


def float64_data(x, w):
    return np.sum(np.tanh(w @ x))
"""


def test_a_gradient_has_its_parameters_dtype(tmp_path):
    """float64 work (np.zeros(3), float64 data) once leaked into float32 gradients."""
    model = import_source(DTYPES, tmp_path, "dtypes")
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    value, g = agc.value_and_grad(model.float64_state)(x)
    assert value.dtype == model.float64_state(x).dtype == np.float64  # numpy's value: float64
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 72 * x, rtol=1e-6)  # s = 6x: d/dx sum(36 x^2) = 72 x
    w = np.linspace(-1, 1, 6).reshape(2, 3)  # float64 data, float32 parameter
    gx = agc.grad(model.float64_data)(x, w)
    assert gx.dtype == np.float32
    np.testing.assert_allclose(gx, numeric_grad(model.float64_data, (x.astype(float), w), 0),
                               rtol=1e-5)


VERIFIED = """
import numpy as np


def _recip(a):
    return 1.0 / a


def through_helper(a):
    return _recip(a)


def early(a):
    if a > 1.0:
        return a * 2.0
    return a * a


def early_helper(x):
    return early(x) + x


def dict_params(p, x):
    return np.sum((p["w"] * x + p["b"]) ** 2)


def wrong_looking_but_right(p):
    return p[0] * p[1] + np.sum(p[2] ** 3)
"""


def test_verify_proves_gradients_through_helpers(tmp_path):
    """A helper's vjp was run with seed and arguments swapped (FAILED, 'agc: -a'), and its
    outputs read although its forward sweep keeps none (INCONCLUSIVE, 'result read before...')."""
    model = import_source(VERIFIED, tmp_path, "verified_helpers")
    result = agc.verify(model.through_helper, 0.7)
    assert result.status.name == "PROVED", str(result)
    for x in (0.7, 1.7):  # both paths of the early return
        result = agc.verify(model.early_helper, x)
        assert result.status.name == "PROVED", str(result)


def test_verify_proves_gradients_of_dict_and_list_parameters(tmp_path):
    """Trees of parameters were INCONCLUSIVE ('p is a dict'); now each leaf is proved."""
    model = import_source(VERIFIED, tmp_path, "verified_trees")
    p = {"w": np.array([1.0, 2.0]), "b": np.array([0.5, 0.1])}
    result = agc.verify(model.dict_params, p, np.array([0.3, 0.2]))
    assert result.status.name == "PROVED", str(result)
    assert [g.name for g in result.gradients] == ["p['w']", "p['b']"]
    assert all(ok for _, ok in result.checks), str(result)
    result = agc.verify(model.wrong_looking_but_right, [0.5, 2.0, np.array([1.0, -1.0])])
    assert result.status.name == "PROVED", str(result)
    assert [g.name for g in result.gradients] == ["p[0]", "p[1]", "p[2]"]


HELPER_CONSTANT = """
import numpy as np

RATE = 2.0


def scaled(x):
    return RATE * x


def f(x):
    return np.sum(scaled(x) ** 2)
"""


def test_a_constant_read_only_by_a_helper_is_read_at_call_time(tmp_path):
    """A helper of the same module once kept the constant's first value."""
    model = import_source(HELPER_CONSTANT, tmp_path, "helper_constant")
    grad = agc.grad(model.f)
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(grad(x), 2 * 4.0 * x)
    model.RATE = 3.0
    np.testing.assert_allclose(grad(x), 2 * 9.0 * x)


UNPACKING = """
import numpy as np


def rows(x):
    a, b = x
    return np.sum(a * b)


def pair(h):
    return h * 2.0, h + 1.0


def through_a_helper(x):
    u, v = pair(x)
    return np.sum(u * v)


def rebound_in_a_branch(x):
    t = (x[0], x[1])
    if x[0] > 0:
        t = x
    a, b = t
    return np.sum(a * b)
"""


def test_unpacking_raises_as_python_does(tmp_path):
    """`a, b = x` with 3 rows of x took the first two rows (a value and a gradient);
    Python raises ValueError (reported by the ResNet work of issue 19)."""
    model = import_source(UNPACKING, tmp_path, "unpacking_model")
    for bad, error, text in ((np.ones((3, 2)), ValueError, "too many values to unpack"),
                             (np.ones((1, 2)), ValueError, "not enough values to unpack"),
                             (2.0, TypeError, "cannot unpack non-iterable float")):
        with pytest.raises(error, match=text):
            model.rows(bad)
        with pytest.raises(error, match=text):
            agc.grad(model.rows)(bad)
    # a name bound to a pair, then to 3 rows in a branch: the count is checked still
    with pytest.raises(ValueError, match="too many values to unpack"):
        model.rebound_in_a_branch(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="too many values to unpack"):
        agc.grad(model.rebound_in_a_branch)(np.array([1.0, 2.0, 3.0]))
    short = np.array([-1.0, 2.0, 3.0])  # the pair taken: its gradient as Python's
    np.testing.assert_allclose(agc.grad(model.rebound_in_a_branch)(short),
                               numeric_grad(model.rebound_in_a_branch, (short,), 0), rtol=1e-7)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(agc.grad(model.rows)(x), [[3.0, 4.0], [1.0, 2.0]])
    h = np.array([0.5, -1.0])
    value, g = agc.value_and_grad(model.through_a_helper)(h)
    assert value == model.through_a_helper(h)
    np.testing.assert_allclose(g, numeric_grad(model.through_a_helper, (h,), 0), rtol=1e-7)


def swapped(x, y):
    for _ in range(3):
        _, (x, y) = 0.0, (y * 2.0, x)  # y gets x's old value, not the new one
        k, (x, y) = 1.0, (y, x)
        x = x * k
    a, (b, c) = (x * y, (np.sin(x), y))
    return np.sum(a * b + c)


def test_unpacking_a_tuple_just_built_binds_the_old_values_as_python_does():
    """Names unpacked from a tuple just built are its items themselves where those are bound
    once (the unused `_` of `_, g = f.vjp(...)` then costs nothing); a swap still reads the
    names' old values."""
    x, y = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    value, grads = agc.value_and_grad(swapped, wrt=("x", "y"))(x, y)
    np.testing.assert_allclose(value, swapped(x, y), rtol=1e-12)
    for k, g in enumerate(grads):
        np.testing.assert_allclose(g, numeric_grad(swapped, (x, y), k), rtol=1e-7)


def test_a_swap_inlines_the_one_binding_of_a_cotangent_that_qualifies():
    """Inlining plans per binding: `t1_bar = x_bar` goes into `t1_bar = t1_bar + g`, which
    stays a line (x_bar is bound again before its reader). Planned per name, both bindings
    were inlined (a wrong gradient: the sum read the new x_bar), then neither was."""
    source = agc.differentiate(swapped, wrt=("x", "y")).gradient_source
    assert source.count("t1_bar = x_bar + t2_bar[0]\n") == 2  # both sweeps' loops
    assert "t1_bar = x_bar\n" not in source and source.count("y_bar = t1_bar * 2.0") == 2
    twin = types.FunctionType(swapped.__code__, {**swapped.__globals__, "np": jnp})
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        x, y = np.array([0.5, -1.0], dtype), np.array([2.0, 0.3], dtype)
        grads = agc.grad(swapped, wrt=("x", "y"))(x, y)
        want = jax.grad(twin, argnums=(0, 1))(x.astype(np.float64), y.astype(np.float64))
        for g, w in zip(grads, want, strict=True):
            assert g.dtype == dtype
            np.testing.assert_allclose(g, w, rtol=rtol)
