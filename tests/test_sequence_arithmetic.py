"""`+` and `*` on lists and tuples: joined and repeated as Python does, never mistaken
for numpy's arithmetic (a generator found `t = t + (v,)` differentiated as an add).

Values against the plain function, gradients, JVPs and HVPs against jax (float64 and
float32); where agc cannot tell a list from an array, a positioned error."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

X = np.array([0.2, 0.7, 0.45, 0.9])
V = np.array([1.0, -2.0, 0.5, 3.0])


def tuple_join(x):
    t = (x[0],)
    t = t + (x[1], x[2] * x[3])
    return t[0] * t[1] + t[2] * t[-1]


def tuple_join_in_place(x):
    t = (x[0],)
    t += (x[1],)
    return t[0] * t[1]


def list_join(x):
    ys = [x[0] * x[1]]
    ys = ys + [x[2], x[3] * x[3]]
    return ys[0] * ys[2] + ys[1]


def list_join_in_place_seen_by_alias(x):
    ys = [x[0]]
    zs = ys
    ys += [x[1] * 3.0]
    return zs[1] * x[2] + zs[0] * len(zs)


def repeated(x):
    ts = (x[0], x[1]) * 2
    ls = 3 * [x[2] * x[3]]
    return ts[0] * ts[3] + ls[0] * ls[2] + len(ls)


def joined_in_a_loop(x):
    t = ()
    ys = []
    for v in x:
        t += (v * v,)
        ys = ys + [v * 2.0]
    return t[0] + 2.0 * t[3] + ys[1] * ys[3]


def list_slice(x):
    ys = [x[0], x[1] * x[1], x[2], x[3]]
    zs = ys[1:3]
    return zs[0] * zs[1] + ys[::-2][0]


def names_joined(x):
    names = ("a",) + ("b", "c")
    label = "ab" + "c" * 2
    mode = "same"
    return x[0] * len(names) + x[1] * len(label) + x[2] * len(mode + "!")


MODELS = [tuple_join, tuple_join_in_place, list_join, list_join_in_place_seen_by_alias,
          repeated, joined_in_a_loop, list_slice, names_joined]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_equal_python_and_jax(model, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x)
    assert value == pytest.approx(model(x.copy()), rel=1e-6)
    expected = jax.grad(model)(jnp.asarray(x))
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, expected, rtol=1e-6 if dtype == np.float64 else 1e-5)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_jvp_and_hvp_equal_jax(model):
    value, tangent = agc.jvp(model, (X,), (V,))
    expected_value, expected_tangent = jax.jvp(model, (jnp.asarray(X),), (jnp.asarray(V),))
    assert value == pytest.approx(float(expected_value), rel=1e-12)
    assert tangent == pytest.approx(float(expected_tangent), rel=1e-12)
    hv = agc.hvp(model)(X, V)
    expected_hv = jax.jvp(jax.grad(model), (jnp.asarray(X),), (jnp.asarray(V),))[1]
    np.testing.assert_allclose(hv, expected_hv, rtol=1e-12, atol=1e-14)


def test_the_join_is_emitted_as_a_join_and_its_adjoint_splits_it():
    source = agc.differentiate(tuple_join).gradient_source
    assert "    t = t + (x[1], t3 * t4)\n" in source
    assert "t_bar = rt.seq_head_grad(t14_bar, t)\n" in source
    assert "t6_bar = rt.seq_tail_grad(t14_bar, t)\n" in source


def test_verify_proves_a_gradient_through_joins_and_repeats():
    assert agc.verify(repeated, X).proved
    assert agc.verify(list_join, X).proved


def join(a, b):
    return a + b


def joined_by_a_helper(x):
    t = join((x[0],), (x[1], x[2]))
    return t[0] * t[2]


def joined_list_items(x):
    pairs = [(x[0], x[1]), (x[2],)]
    t = pairs[0] + pairs[1]
    return t[0] * t[2]


@pytest.mark.parametrize("model", [joined_by_a_helper, joined_list_items],
                         ids=lambda m: m.__name__)
def test_a_join_agc_cannot_see_is_refused_at_its_line_not_mistaken(model):
    with pytest.raises(TypeError, match="list or tuple that agc took for an array") as err:
        agc.grad(model)(X)
    line = "return a + b" if model is joined_by_a_helper else "t = pairs[0] + pairs[1]"
    assert line in "".join(getattr(err.value, "__notes__", []))


def list_next_to_an_array(x):
    return np.sum([x[0] * 2.0, x[1], 1.0, x[3]] * x) + np.sum(x - [x[1], 0.5, x[0], 1.0])


def test_a_list_next_to_an_array_is_numpys_arithmetic_item_by_item():
    for dtype in (np.float64, np.float32):
        x = X.astype(dtype)
        value, grad = agc.value_and_grad(list_next_to_an_array)(x)
        assert value == pytest.approx(list_next_to_an_array(x), rel=1e-6)
        expected = jax.grad(lambda v: jnp.sum(jnp.stack([v[0] * 2.0, v[1], 1.0, v[3]]) * v)
                            + jnp.sum(v - jnp.stack([v[1], 0.5, v[0], 1.0])))(jnp.asarray(x))
        np.testing.assert_allclose(grad, expected, rtol=1e-6)


def repeated_by_a_numpy_number(x):
    ys = [x[0], x[1]] * x[2]
    return ys[0]


def test_a_list_times_a_numpy_number_is_refused_not_repeated():
    with pytest.raises(TypeError, match="numpy would multiply item by item"):
        agc.grad(repeated_by_a_numpy_number)(X)


def test_the_numba_target_refuses_a_repeat_at_its_line():
    with pytest.raises(agc.UnsupportedError, match="test_sequence_arithmetic.py:.*repeat"):
        agc.grad(repeated, target="numba")(X)
