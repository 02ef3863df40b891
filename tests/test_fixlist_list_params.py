"""A list parameter the model changes in place: Python changes the caller's list.

The emitted sweeps treat a list as a value: `l.pop()` and `l.insert()` rebind it, and the
backward sweep undoes an append or an item write, so after `f.grad(x, l)` the caller's
list was as before (after `f.jvp`, changed by append but not by pop): silently unlike
Python. Every such write is now refused at its line, with the hint to work on a copy;
a copy made in the model (`l = list(l)`) is followed as before.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.errors import UserCodeError

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47])
V = np.array([0.3, -0.2, 0.5])
L = [3.0, 2.0, 1.0]


def pops(x, l):
    v = l.pop()
    return np.sum(x * v)


def pops_first(x, l):
    v = l.pop(0)
    return np.sum(x * v)


def inserts(x, l):
    l.insert(0, x[0])
    return np.sum(x) * l[1]


def appends(x, l):
    l.append(x[0] * 2.0)
    return np.sum(x) * l[-1]


def extends(x, l):
    l.extend([x[0], x[1]])
    return np.sum(x) * l[3]


def writes_an_item(x, l):
    l[0] = x[1] * 3.0
    return np.sum(x) * l[0]


def adds_in_place(x, l):
    l += [x[0]]
    return np.sum(x) * l[3]


def repeats_in_place(x, l):
    l *= 2
    return np.sum(x) * l[4]


def sorts(x, l):
    l.sort()
    return np.sum(x) * l[0]


def through_another_name(x, l):
    a = l
    a.append(x[2])
    return np.sum(x) * a[3]


def in_a_branch(x, l):
    if x[0] > 0.0:
        l[1] = x[0]
    return np.sum(x) * l[1]


WRITERS = [pops, pops_first, inserts, appends, extends, writes_an_item, adds_in_place,
           repeats_in_place, sorts, through_another_name, in_a_branch]


def on_a_copy(x, l):
    l = list(l)
    v = l.pop()
    l.insert(0, x[0] * v)
    l.append(x[1])
    l[1] = l[1] * x[2]
    return l[0] * l[1] + l[-1] ** 2


def on_a_copy_twin(x):
    items = [x[0] * 1.0, 3.0 * x[2], 2.0, x[1]]
    return items[0] * items[1] + items[-1] ** 2


@pytest.mark.parametrize("model", WRITERS)
def test_a_write_into_a_list_parameter_is_refused_at_its_line(model):
    expected = list(L)
    model(X.copy(), expected)
    assert expected != L  # Python changes the caller's list
    f = agc.differentiate(model)
    for call in (lambda l: f.grad(X.copy(), l), lambda l: f.value_and_grad(X.copy(), l),
                 lambda l: f.jvp(X.copy(), l, tangents=(V, None))):
        given = list(L)
        with pytest.raises(UserCodeError) as caught:
            call(given)
        assert "the list (or dict) the caller passed" in str(caught.value)
        assert "copy" in str(caught.value) and "^" in str(caught.value)
        assert given == L  # refused before anything ran


def writes_a_dict_entry(x, d):
    d["a"] = x[0] * 2.0
    return np.sum(x) * d["a"]


def test_a_write_into_a_dict_parameter_is_refused_too():
    # Python changes the caller's dict; f.grad left it, f.jvp changed it
    f = agc.differentiate(writes_a_dict_entry)
    for call in (lambda d: f.grad(X.copy(), d), lambda d: f.jvp(X.copy(), d, tangents=(V, None))):
        given = {"a": 1.0}
        with pytest.raises(UserCodeError, match="`d` in place, the list .or dict. the caller"):
            call(given)
        assert given == {"a": 1.0}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_copy_made_in_the_model_is_followed(dtype):
    x, rtol = X.astype(dtype), 1e-5 if dtype == np.float32 else 1e-12
    f = agc.differentiate(on_a_copy)
    given = list(L)
    value, grad = f.value_and_grad(x.copy(), given)
    assert given == L
    assert value == pytest.approx(float(on_a_copy(x.copy(), list(L))), rel=rtol)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, jax.grad(on_a_copy_twin)(jnp.asarray(X)), rtol=rtol)
    at, along = (jnp.asarray(X),), (jnp.asarray(V),)
    np.testing.assert_allclose(f.jvp(X.copy(), list(L), tangents=(V, None))[1],
                               jax.jvp(on_a_copy_twin, at, along)[1], rtol=1e-12)
    np.testing.assert_allclose(f.hvp(X.copy(), list(L), tangents=(V, None))[1],
                               jax.jvp(jax.grad(on_a_copy_twin), at, along)[1], rtol=1e-12)
