"""Statements that change a list or an array in place, and copies of lists and arrays.

`l.extend(seq)`, `l.insert(i, v)`, `l.pop(i)` (a statement or a value), `l += (a, b)` on a
list, `list(seq)`, `np.array(y)` (a copy: a later write to y leaves it alone),
`np.add(a, b, out=c)` and a loop over string keys reading a dict were refused (or raised
list + tuple's TypeError). Each is now followed as Python and numpy run it: values and
gradients against jax (or central differences where jax has no such statement), float32
too, and every other name of the changed list or array sees the change.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import numeric_grad

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, 0.7, 0.2, 0.9])
V = np.array([0.5, -1.0, 2.0, 0.25])


def extended(x):
    l = [x[0]]
    l.extend([x[1] * x[2], x[3]])
    l.extend((x[0] * 2.0,))
    return l[1] * l[3] + l[2] * len(l)


def extended_by_a_slice(x):
    l = [x[0], x[1]]
    l.extend(l[:1])
    l.extend(l)  # its length is read first: l doubles, as in Python
    return l[2] * l[5] + len(l) * l[1]


def extended_seen_by_alias(x):
    l = [x[0]]
    m = l
    l.extend((x[1], x[2] * x[3]))
    return m[2] * m[1] + len(m)


def inserted(x):
    l = [x[0], x[1]]
    l.insert(1, x[2] * 2.0)
    l.insert(10, x[3])  # past the end: appended, as list.insert clamps
    l.insert(-10, x[1])  # before the start: first
    return l[0] * l[2] + l[4] * l[1]


def inserted_seen_by_alias(x):
    l = [x[0], x[1]]
    m = l
    i = -1
    l.insert(i, x[2] * x[3])
    return m[1] * m[0] + m[2]


def popped(x):
    l = [x[0], x[1], x[2], x[3]]
    l.pop()
    v = l.pop(0)
    i = -2
    w = l.pop(i)
    return v * w + l[0] * len(l)


def popped_seen_by_alias(x):
    l = [x[0], x[1], x[2]]
    m = l
    v = l.pop(1)
    return m[1] * v + len(m)


def popped_in_a_loop(x):
    l = [x[0], x[1], x[2], x[3]]
    s = 0.0
    while len(l) > 0:
        s = s * 0.5 + l.pop() * x[0]
    return s


def joined_with_a_tuple(x):
    l = [x[0]]
    m = l
    l += (x[1] * 3.0,)
    l += (x[2], x[3])
    return m[-1] * m[0] + m[1] * len(m)


def joined_with_a_tuple_name(x):
    l = [x[0]]
    m = l
    t = (x[1] * 2.0, x[2])
    l += t
    for _ in range(2):
        l += t  # list + tuple raised TypeError
    return m[-1] * m[1] + len(m) * m[3]


def tuple_joined_in_place(x):
    t = (x[0],)
    u = t
    t += (x[1], x[2])  # a tuple: a new one, u keeps its one item
    return t[2] * u[0] + len(u)


def copied_lists(x):
    l = [x[0], x[1]]
    m = list(l)
    m.append(x[2])  # l keeps its two items
    t = (x[3], x[0])
    n = list(t)
    m[0] = n[0] * n[1]  # l[0] stays x[0]
    return len(l) * m[2] + m[0] * l[0]


def list_of_a_comprehension_extended(x):
    l = [x[0], x[1]]
    m = [v for v in l]
    m.append(x[2])
    return len(l) * m[2] + m[0]


def dict_read_by_string_keys(x):
    d = {"a": x[0], "b": x[1] * x[2], "c": x[3]}
    w = {"a": 2.0, "c": 3.0}
    for k in ["a", "c"]:  # a list of keys too; the entries written by the loop's key
        d[k] = d[k] * w[k]
    return sum(d[k] * x[0] for k in ("a", "b", "c"))


JAX_MODELS = [extended, extended_by_a_slice, extended_seen_by_alias, inserted,
              inserted_seen_by_alias, popped, popped_seen_by_alias, popped_in_a_loop,
              joined_with_a_tuple, joined_with_a_tuple_name, tuple_joined_in_place, copied_lists,
              list_of_a_comprehension_extended, dict_read_by_string_keys]


def check(model, x, expected) -> None:
    """agc's value is the model's own, its gradient `expected`, in x's dtype."""
    value, grad = agc.value_and_grad(model)(x)
    assert value == pytest.approx(model(x.copy()), rel=1e-6)
    assert grad.dtype == x.dtype
    np.testing.assert_allclose(grad, expected, rtol=1e-6 if x.dtype == np.float64 else 1e-4)


@pytest.mark.parametrize("model", JAX_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_equal_python_and_jax(model, dtype):
    check(model, X.astype(dtype), jax.grad(model)(jnp.asarray(X)))


@pytest.mark.parametrize("model", [extended, inserted, popped, joined_with_a_tuple,
                                   copied_lists], ids=lambda m: m.__name__)
def test_jvp_equals_jax(model):
    value, tangent = agc.jvp(model, (X,), (V,))
    expected_value, expected_tangent = jax.jvp(model, (jnp.asarray(X),), (jnp.asarray(V),))
    assert value == pytest.approx(float(expected_value), rel=1e-12)
    assert tangent == pytest.approx(float(expected_tangent), rel=1e-12)


# ------------------------------------------------- numpy's writes and copies
def written_through_out(x):
    a = x * 1.0
    b = a
    np.multiply(a, x, out=a)  # b is a: it sees the product
    c = np.zeros(4)
    np.add(x, b, out=c)
    np.exp(c, out=c)
    return np.sum(c * b)


def written_through_out_into_a_view(x):
    y = x * 1.0
    v = y[1:]
    np.multiply(v, x[:3], out=v)  # y's last three entries change
    return np.sum(y * y)


def array_is_a_copy(x):
    y = x * 1.0
    z = np.array(y)
    w = np.array(y, copy=True)
    y[0] = 4.0  # z and w keep x[0]
    z[1] = 5.0  # y keeps x[1]
    return np.sum(z * y) + np.sum(w * x)


NUMPY_MODELS = [written_through_out, written_through_out_into_a_view, array_is_a_copy]


@pytest.mark.parametrize("model", NUMPY_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_writes_value_and_gradient(model, dtype):
    check(model, X.astype(dtype), numeric_grad(model, (X.copy(),), 0))


def test_out_write_equals_jax():
    def in_jax(x):
        a = x * x
        c = jnp.exp(x + a)
        return jnp.sum(c * a)

    np.testing.assert_allclose(agc.grad(written_through_out)(X), jax.grad(in_jax)(X),
                               rtol=1e-12)


def test_out_write_jvp():
    value, tangent = agc.jvp(written_through_out_into_a_view, (X,), (V,))
    eps = 1e-6
    expected = (written_through_out_into_a_view(X + eps * V)
                - written_through_out_into_a_view(X - eps * V)) / (2 * eps)
    assert value == pytest.approx(written_through_out_into_a_view(X.copy()), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6)


def asarray_may_be_the_array(x):
    y = x * 1.0
    z = np.asarray(y)
    y[0] = 4.0
    return np.sum(z * y)


def out_of_a_reduction(x):
    c = np.zeros(())
    np.sum(x, out=c)
    return c * 1.0


def test_asarray_of_an_array_is_the_array():  # was refused; tests/test_cov6a_views.py
    value, grad = agc.differentiate(asarray_may_be_the_array).value_and_grad(X.copy())
    assert value == pytest.approx(asarray_may_be_the_array(X.copy()), rel=1e-12)
    np.testing.assert_allclose(grad, np.where(np.arange(X.size) == 0, 0.0, 2 * X).reshape(X.shape))


def test_out_outside_ufuncs_is_refused_at_the_keyword():
    with pytest.raises(agc.UnsupportedError, match="`out=` here") as err:
        agc.grad(out_of_a_reduction)(X)
    assert "np.sum(x, out=c)" in str(err.value)


def popped_by_an_expression(x):
    l = [x[0], x[1]]
    l.pop(len(l) - 1)
    return l[0]


def test_an_index_read_twice_must_be_a_name_or_a_literal():
    with pytest.raises(agc.UnsupportedError, match="this index of `.pop\\(\\)`"):
        agc.grad(popped_by_an_expression)(X)


# ------------------------------------------- tuple(), sorted(), np.vstack(parts)
def tuples_made(x):
    t = tuple(v * 2.0 for v in x)
    l = [x[0], x[1]]
    u = tuple(l)
    l.append(x[2])  # u keeps two items
    return t[0] * t[2] + u[1] * len(t + u)


def sorted_numbers(x):
    l = [x[2], x[0], x[1], 0.5, x[3]]
    s = sorted(l)
    return s[0] * 3.0 + s[1] * s[4] + l[0] * len(s)


def sorted_is_stable(x):
    l = [x[1], x[0], x[1] * 1.0]  # equal items keep their order: s[1] is l[0]'s object
    s = sorted(l)
    return s[1] * 2.0 + s[2] * 3.0 + s[0]


def stacked_parts(x):
    m = np.vstack(np.split(x, 2))
    return np.sum(m[0] * m[1]) + np.sum(np.vstack(np.array_split(x, 3)[:2]) ** 2)


@pytest.mark.parametrize("model", [tuples_made, sorted_numbers, sorted_is_stable],
                         ids=lambda m: m.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sequence_builtins_equal_python_and_jax(model, dtype):
    check(model, X.astype(dtype), jax.grad(model)(jnp.asarray(X)))


def test_sorted_jvp_equals_jax():
    value, tangent = agc.jvp(sorted_numbers, (X,), (V,))
    expected = jax.jvp(sorted_numbers, (jnp.asarray(X),), (jnp.asarray(V),))
    assert (value, tangent) == pytest.approx((float(expected[0]), float(expected[1])),
                                             rel=1e-12)


def _stacked_parts_in_jax(x):
    m = jnp.vstack(jnp.split(x, 2))
    return jnp.sum(m[0] * m[1]) + jnp.sum(jnp.vstack(jnp.array_split(x, 3)[:2]) ** 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vstack_of_split_parts(dtype):
    x = np.array([0.3, 0.7, 0.2, 0.9, 0.5, 0.1])
    check(stacked_parts, x.astype(dtype), jax.grad(_stacked_parts_in_jax)(x))


# ---------------------------------------------------------- np.add.at(y, idx, v)
IDX = np.array([2, 0, 2])


def added_at(x):
    a = x[:3] * 1.5
    b = a  # the same array: it sees the additions
    np.add.at(a, IDX, x[:1] * x[1:] + 0.1)
    np.add.at(a, 1, 2.0 * x[3])  # one position, a number
    return np.sum(b * b * x[:3])


def _added_at_in_jax(x):
    a = x[:3] * 1.5
    a = a.at[IDX].add(x[:1] * x[1:] + 0.1)
    a = a.at[1].add(2.0 * x[3])
    return jnp.sum(a * a * x[:3])


def added_at_rows(x):
    m = np.outer(x, x[:3])
    rows, cols = np.array([0, 3, 0]), np.array([1, 2, 1])
    np.add.at(m, (rows, cols), x[1:] * 2.0)
    np.add.at(m, np.array([1, 1]), x[:3])  # whole rows, one twice
    return np.sum(np.sin(m))


def _added_at_rows_in_jax(x):
    m = jnp.outer(x, x[:3])
    m = m.at[jnp.array([0, 3, 0]), jnp.array([1, 2, 1])].add(x[1:] * 2.0)
    m = m.at[jnp.array([1, 1])].add(x[:3])
    return jnp.sum(jnp.sin(m))


@pytest.mark.parametrize("model, in_jax", [(added_at, _added_at_in_jax),
                                           (added_at_rows, _added_at_rows_in_jax)],
                         ids=["added_at", "added_at_rows"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_add_at_accumulates_repeated_indices(model, in_jax, dtype):
    x = X.astype(dtype)
    check(model, x, jax.grad(in_jax)(jnp.asarray(X)))
    assert agc.value_and_grad(model)(x)[0] == model(x.copy())  # numpy's additions, in order
    _, tangent = agc.jvp(model, (X,), (V,))
    assert tangent == pytest.approx(float(jax.jvp(in_jax, (X,), (V,))[1]), rel=1e-10)


def test_add_at_sums_in_numpys_order():
    """a + (v1 + v2) differs from (a + v1) + v2 in the last bits: agc adds as numpy does."""
    def model(x):
        a = np.full(2, 1.0) + 0.0 * x[:2]
        np.add.at(a, np.array([0, 0]), x[2:] * 1e-16)
        return a[0]

    x = np.array([0.5, 0.5, 1.0, 1.0])
    assert model(x) == 1.0  # each 1e-16 rounds away; their sum 2e-16 would not
    assert agc.value_and_grad(model)(x)[0] == 1.0


def written_through_out_into_integers(x):
    c = np.zeros(4, dtype=np.int64)
    np.multiply(x, 2.0, out=c)  # numpy: float64 into int64 is not a same-kind cast
    return np.sum(c * x)


def test_out_refuses_a_cast_numpy_refuses():
    with pytest.raises(TypeError, match="same_kind"):
        written_through_out_into_integers(X.copy())
    with pytest.raises(TypeError, match="same_kind") as err:
        agc.grad(written_through_out_into_integers)(X)
    assert "np.multiply(x, 2.0, out=c)" in "".join(getattr(err.value, "__notes__", []))


def popped_from_an_array(x):
    y = x * 2.0
    y.pop()  # numpy arrays have no .pop(): Python raises AttributeError
    return np.sum(y)


def test_pop_of_an_array_is_refused_not_sliced():
    with pytest.raises(AttributeError):
        popped_from_an_array(X.copy())
    with pytest.raises(agc.UserCodeError, match="array has no `.pop\\(\\)` method"):
        agc.grad(popped_from_an_array)(X)


@pytest.mark.parametrize("model", [popped, inserted, extended_by_a_slice,
                                   joined_with_a_tuple_name, sorted_numbers, tuples_made],
                         ids=lambda m: m.__name__)
def test_hvp_equals_jax(model):
    expected = jax.jvp(jax.grad(model), (jnp.asarray(X),), (jnp.asarray(V),))[1]
    np.testing.assert_allclose(agc.hvp(model)(X, V), expected, rtol=1e-10, atol=1e-12)
