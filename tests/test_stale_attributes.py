"""A helper reached as a module's attribute, or under another name, and rebound later.

Python looks up `lib.h` when the model runs, so `lib.h = other` (or the module reloaded
with a new `h`) changes what the model computes; agc kept the code it compiled and gave
the old gradient, silently. The compile now watches the attribute's binding, as it
watches a helper's name. A module-level name bound to another function (`scaled =
cubed`, `from lib import h as g`) was refused ("cannot find the source of scaled()"):
agc now reads the bound function's own source, and watches the name.
"""

from __future__ import annotations

import importlib
import sys
import uuid

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47, 0.91])
V = np.array([0.3, -0.2, 0.5, 0.1])

LIB = '''
SCALE = 2.0


def h(v):
    return v * SCALE


def other(v):
    return v ** 3


def double(v):
    return v * 2.0
'''

lib = None  # the helper module, imported by the `lib_module` fixture


def by_attribute(x):
    return np.sum(lib.h(x) ** 2)


def cubed(v):
    return v ** 3


def quartic(v):
    return v ** 4


scaled = cubed


def by_alias(x):
    return np.sum(scaled(x) ** 2)


def writes(v):
    v *= 2.0


def writes_thrice(v):
    v *= 3.0


w = writes


def inlined_alias(x):
    y = x.copy()
    w(y)
    return np.sum(y * x)


g = None  # `from lib import h as g`, bound by the `lib_module` fixture


def by_imported_alias(x):
    return np.sum(g(x) ** 2)


def _twin(helper):
    """The jax twin of the models that sum the squares of `helper(x)`."""
    return lambda x: jnp.sum(helper(x) ** 2)


def _rtol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


@pytest.fixture
def lib_module(tmp_path, monkeypatch):
    """A helper module in a file of its own, bound to the global `lib` (and `g` = lib.h)."""
    name = f"stale_lib_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(LIB)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    monkeypatch.setitem(globals(), "lib", module)
    monkeypatch.setitem(globals(), "g", module.h)
    yield module
    sys.modules.pop(name, None)


def _check_gradients(f, helper, dtype=np.float64):
    """f.grad, f.value_and_grad, f.jvp and f.hvp against jax, each called twice (the
    second call takes the short path)."""
    twin, x = _twin(helper), X.astype(dtype)
    want = jax.grad(twin)(jnp.asarray(X))
    for _ in range(2):
        np.testing.assert_allclose(f.grad(x.copy()), want, rtol=_rtol(dtype))
        value, grad = f.value_and_grad(x.copy())
        assert grad.dtype == dtype
        assert value == pytest.approx(float(twin(jnp.asarray(X))), rel=_rtol(dtype))
        np.testing.assert_allclose(grad, want, rtol=_rtol(dtype))
    if dtype != np.float64:
        return
    at, along = (jnp.asarray(X),), (jnp.asarray(V),)
    want_tangent, want_hv = jax.jvp(twin, at, along)[1], jax.jvp(jax.grad(twin), at, along)[1]
    for _ in range(2):
        np.testing.assert_allclose(f.jvp(X.copy(), tangents=(V,))[1], want_tangent, rtol=1e-12)
        np.testing.assert_allclose(f.hvp(X.copy(), tangents=(V,))[1], want_hv, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_module_attribute_rebound_is_what_the_next_gradient_runs(lib_module, dtype):
    f = agc.differentiate(by_attribute)
    _check_gradients(f, lambda v: v * 2.0, dtype)
    original = lib_module.h
    lib_module.h = lib_module.other  # Python's by_attribute now calls other
    _check_gradients(f, lambda v: v ** 3, dtype)
    lib_module.h = original
    _check_gradients(f, lambda v: v * 2.0, dtype)


def test_a_reloaded_module_is_what_the_next_gradient_runs(lib_module, tmp_path):
    f = agc.differentiate(by_attribute)
    _check_gradients(f, lambda v: v * 2.0)
    path = tmp_path / f"{lib_module.__name__}.py"
    path.write_text(LIB.replace("return v * SCALE", "return v * SCALE + v ** 2"))
    importlib.reload(lib_module)  # a new text, of another size: no stale bytecode
    _check_gradients(f, lambda v: v * 2.0 + v ** 2)


def test_a_constant_a_module_helper_reads_is_read_at_call_time(lib_module):
    f = agc.differentiate(by_attribute)
    _check_gradients(f, lambda v: v * 2.0)
    lib_module.SCALE = 3.0  # h reads lib.SCALE when it runs
    _check_gradients(f, lambda v: v * 3.0)


def test_a_name_bound_to_another_function_and_rebound(monkeypatch):
    f = agc.differentiate(by_alias)
    _check_gradients(f, cubed)
    monkeypatch.setitem(globals(), "scaled", quartic)
    _check_gradients(f, quartic)


def test_a_helper_imported_under_another_name(lib_module, monkeypatch):
    f = agc.differentiate(by_imported_alias)
    _check_gradients(f, lambda v: v * 2.0)
    # the model's name still holds the old function: Python calls it, and so does agc
    monkeypatch.setattr(lib_module, "h", lib_module.other)
    _check_gradients(f, lambda v: v * 2.0)
    monkeypatch.setitem(globals(), "g", lib_module.other)
    _check_gradients(f, lambda v: v ** 3)


def test_an_inlined_helper_under_another_name_and_rebound(monkeypatch):
    f = agc.differentiate(inlined_alias)
    for _ in range(2):
        np.testing.assert_allclose(f.grad(X.copy()), 4.0 * X, rtol=1e-13)
    monkeypatch.setitem(globals(), "w", writes_thrice)
    for _ in range(2):
        value, grad = f.value_and_grad(X.copy())
        assert value == pytest.approx(inlined_alias(X.copy()), rel=1e-14)
        np.testing.assert_allclose(grad, 6.0 * X, rtol=1e-13)


def test_the_numba_targets_direct_dispatch_sees_a_rebound_attribute(lib_module):
    # after a few calls numba's dispatcher is called directly, past agc's Python checks
    # (only where the model reads no module constant: h is bound to one reading none)
    lib_module.h = lib_module.double
    f = agc.differentiate(by_attribute, target="numba")
    for _ in range(3):
        f.grad(X.copy())
        f.value_and_grad(X.copy())
    assert f._direct[1] is not None
    lib_module.h = lib_module.other
    want = jax.grad(_twin(lambda v: v ** 3))(jnp.asarray(X))
    for _ in range(2):
        np.testing.assert_allclose(f.grad(X.copy()), want, rtol=1e-12)
        value, grad = f.value_and_grad(X.copy())
        assert value == pytest.approx(by_attribute(X.copy()), rel=1e-12)
        np.testing.assert_allclose(grad, want, rtol=1e-12)
