"""A module's helper reached both as `h` (`from lib import h`) and as `lib.h`.

Both calls lowered to one helper, watched only at the model's global `h`: `lib.h = other`
then left the compiled gradient stale, silently, while Python's `lib.h(x)` called other.
A model that imports `h` but calls only `lib.h(x)` compiled the global's code even where
`lib.h` was bound to another function. The compile now watches the binding each call
form reads, and refuses (at the call, with a hint) once the two bindings differ: the
emitted module holds one helper per name.
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
from agc.errors import UserCodeError

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47, 0.91])
V = np.array([0.3, -0.2, 0.5, 0.1])

LIB = '''
def h(v):
    return v * 2.0


def other(v):
    return v ** 3
'''

lib = None  # the helper module, bound by the `lib_module` fixture
h = None  # `from lib import h`, bound by the fixture


def both_forms(x):
    return np.sum(h(x) + lib.h(x) ** 2)


def attribute_only(x):
    return np.sum(lib.h(x) ** 2)


@pytest.fixture
def lib_module(tmp_path, monkeypatch):
    """A helper module in a file of its own, bound to the globals `lib` and `h` = lib.h."""
    name = f"fixlist_lib_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(LIB)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    monkeypatch.setitem(globals(), "lib", module)
    monkeypatch.setitem(globals(), "h", module.h)
    yield module
    sys.modules.pop(name, None)


def _check(f, twin, dtype):
    """f.grad, f.value_and_grad (twice: the second call takes the short path) and, in
    float64, f.jvp and f.hvp against jax."""
    x, rtol = X.astype(dtype), 1e-5 if dtype == np.float32 else 1e-12
    want = jax.grad(twin)(jnp.asarray(X))
    for _ in range(2):
        np.testing.assert_allclose(f.grad(x.copy()), want, rtol=rtol)
        value, grad = f.value_and_grad(x.copy())
        assert grad.dtype == dtype
        assert value == pytest.approx(float(twin(jnp.asarray(X))), rel=rtol)
    if dtype == np.float64:
        at, along = (jnp.asarray(X),), (jnp.asarray(V),)
        np.testing.assert_allclose(f.jvp(X.copy(), tangents=(V,))[1],
                                   jax.jvp(twin, at, along)[1], rtol=1e-12)
        np.testing.assert_allclose(f.hvp(X.copy(), tangents=(V,))[1],
                                   jax.jvp(jax.grad(twin), at, along)[1], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_both_call_forms_rebound_attribute_is_refused_at_the_call(lib_module, dtype):
    f = agc.differentiate(both_forms)
    _check(f, lambda x: jnp.sum(2.0 * x + (2.0 * x) ** 2), dtype)
    lib_module.h = lib_module.other  # Python's lib.h(x) now calls other, h(x) still h
    assert both_forms(X) == pytest.approx(float(np.sum(2.0 * X + X ** 6)))
    with pytest.raises(UserCodeError) as caught:
        f.grad(X.astype(dtype))
    text = str(caught.value)
    assert "called both as h and as" in text and ":43:" in text and "call it one way" in text
    lib_module.h = globals()["h"]  # the two bindings agree again: compiled again, right
    _check(f, lambda x: jnp.sum(2.0 * x + (2.0 * x) ** 2), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_imported_name_does_not_hide_the_attribute_called(lib_module, dtype):
    lib_module.h = lib_module.other  # before the first compile: lib.h(x) calls other
    f = agc.differentiate(attribute_only)
    _check(f, lambda x: jnp.sum((x ** 3) ** 2), dtype)


def test_an_imported_name_rebound_attribute_is_what_the_next_gradient_runs(lib_module):
    f = agc.differentiate(attribute_only)
    _check(f, lambda x: jnp.sum((2.0 * x) ** 2), np.float64)
    lib_module.h = lib_module.other
    _check(f, lambda x: jnp.sum((x ** 3) ** 2), np.float64)
