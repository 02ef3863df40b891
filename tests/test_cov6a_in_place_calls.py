"""numpy's in-place calls on a line of their own: `np.copyto(dst, src, where=)`,
`np.fill_diagonal(a, v, wrap=)`, and a ufunc's `out=` into a slice (`out=y[1:]`,
`out=y[:, 0]`). All three were refused (an expression statement, `out=` here); each is now
an item write of a local array (compiler/frontend/in_place_calls.py), seen through the
array's views and other names, with numpy's values, dtypes and errors.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_against_jax

jax.config.update("jax_enable_x64", True)

X = np.array([[0.3, -0.7, 1.1], [0.2, -0.4, 0.9], [1.3, 0.5, -0.8]])


def copyto_whole(x):
    y = np.zeros_like(x)
    v = y[1:]
    np.copyto(y, x * 2)
    return np.sum(y * x) + np.sum(v)


def copyto_where(x):
    y = x * 0.5
    np.copyto(y, x * x, where=x > 0)
    return np.sum(y * x)


def copyto_a_row_broadcast(x):
    y = np.ones_like(x)
    np.copyto(y[1:], x[0])
    return np.sum(y * x)


def copyto_float64_into_float32(x):
    y = np.zeros(x.shape, dtype=np.float32)
    np.copyto(y, x * 3)
    return np.sum(y * y)


def copyto_lists(x):
    y = np.zeros(3)
    np.copyto(y[:3], [1.0, 2.0, 3.0])  # a list source, a list mask
    np.copyto(y, 5, where=[True, False, True])
    return np.sum(y * x[0])


def copyto_float_into_int(x):
    k = np.zeros(3, dtype=np.int64)
    np.copyto(k, x[0])
    return np.sum(x) * k[0]


def fill_diagonal_number(x):
    y = x * 1.0
    np.fill_diagonal(y, 0.0)
    return np.sum(y * x)


def fill_diagonal_vector(x):
    y = x * 2.0
    np.fill_diagonal(y, x[0] ** 2)
    return np.sum(y * y)


def fill_diagonal_cycled(x):
    y = np.zeros((5, 3))
    np.fill_diagonal(y, x[0, :2], wrap=True)  # 7 positions, x[0, :2] cycled
    return np.sum(y * np.arange(15.0).reshape(5, 3))


def fill_diagonal_int(x):
    k = np.zeros((3, 3), dtype=np.int64)
    np.fill_diagonal(k, 2.7)  # truncated, as numpy's flat write does
    return np.sum(x * k)


def out_into_a_row(x):
    y = np.zeros((3, 3))
    np.add(x[0], x[1], out=y[1])
    return np.sum(y * y)


def out_into_a_column(x):
    y = x * 1.0
    c = y[:, 0]
    np.multiply(x[:, 1], x[:, 2], out=y[:, 0])
    return np.sum(y * x) + np.sum(c * c)


def out_with_an_extra_axis(x):
    y = np.zeros(3)
    np.add(x[:1], 1.0, out=y)  # numpy: shape (1, 3) does not fit (3,)
    return np.sum(y)


def copyto_whole_jax(x):
    y = x * 2
    return jnp.sum(y * x) + jnp.sum(y[1:])


def copyto_where_jax(x):
    return jnp.sum(jnp.where(x > 0, x * x, x * 0.5) * x)


def copyto_a_row_broadcast_jax(x):
    y = jnp.ones_like(x).at[1:].set(x[0])
    return jnp.sum(y * x)


DIAG = (jnp.arange(3), jnp.arange(3))


def fill_diagonal_number_jax(x):
    return jnp.sum(x.at[DIAG].set(0.0) * x)


def fill_diagonal_vector_jax(x):
    y = (x * 2.0).at[DIAG].set(x[0] ** 2)
    return jnp.sum(y * y)


def fill_diagonal_cycled_jax(x):
    rows, cols = np.unravel_index(np.arange(15)[::4], (5, 3))
    y = jnp.zeros((5, 3)).at[rows, cols].set(x[0, :2][np.arange(4) % 2])
    return jnp.sum(y * jnp.arange(15.0).reshape(5, 3))


def out_into_a_row_jax(x):
    return jnp.sum(jnp.zeros((3, 3)).at[1].set(x[0] + x[1]) ** 2)


def out_into_a_column_jax(x):
    y = x.at[:, 0].set(x[:, 1] * x[:, 2])
    return jnp.sum(y * x) + jnp.sum(y[:, 0] ** 2)


CASES = [(copyto_whole, copyto_whole_jax), (copyto_where, copyto_where_jax),
         (copyto_a_row_broadcast, copyto_a_row_broadcast_jax),
         (fill_diagonal_number, fill_diagonal_number_jax),
         (fill_diagonal_vector, fill_diagonal_vector_jax),
         (fill_diagonal_cycled, fill_diagonal_cycled_jax),
         (out_into_a_row, out_into_a_row_jax), (out_into_a_column, out_into_a_column_jax)]


@pytest.mark.parametrize("fn, ref", CASES, ids=[c[0].__name__ for c in CASES])
def test_value_and_gradient_against_jax(fn, ref):
    check_against_jax(fn, ref, X, np.linspace(-1.0, 1.0, 9).reshape(3, 3))


@pytest.mark.parametrize("fn, ref", CASES[:2], ids=["copyto", "where"])
def test_float32_gradients(fn, ref):
    x32 = X.astype(np.float32)
    value, grad = agc.differentiate(fn).value_and_grad(x32.copy())
    assert grad.dtype == np.float32
    assert value == pytest.approx(fn(x32.copy()), rel=1e-6)
    np.testing.assert_allclose(grad, jax.grad(ref)(jnp.asarray(X)), rtol=1e-5, atol=1e-5)


def test_lists_as_numpy_reads_them():  # check_out_cast took the list for a dtype spec
    value, grad = agc.differentiate(copyto_lists).value_and_grad(X.copy())
    assert value == copyto_lists(X.copy())
    np.testing.assert_array_equal(grad[0], [5.0, 2.0, 5.0])


def test_dtypes_kept_as_numpy_keeps_them():
    value, grad = agc.differentiate(copyto_float64_into_float32).value_and_grad(X.copy())
    want = copyto_float64_into_float32(X.copy())
    assert value.dtype == np.float32 and value == want  # summed in float32, as numpy
    np.testing.assert_allclose(grad, 18 * X.astype(np.float32), rtol=1e-6)
    value, grad = agc.differentiate(fill_diagonal_int).value_and_grad(X.copy())
    assert value == fill_diagonal_int(X.copy())
    np.testing.assert_array_equal(grad, 2 * np.eye(3))  # 2.7 truncated to 2


@pytest.mark.parametrize("fn, error", [(copyto_float_into_int, TypeError),
                                       (out_with_an_extra_axis, ValueError)])
def test_numpy_errors(fn, error):
    with pytest.raises(error):
        fn(X.copy())
    with pytest.raises(error):
        agc.differentiate(fn).value_and_grad(X.copy())


def out_into_a_list_item(x):
    a = x * 1.0
    items = [a, x]
    np.add(x, 1.0, out=items[0])  # numpy writes into a: a changes
    return np.sum(a * x)


def copyto_into_a_list_item(x):
    items = [x * 1.0]
    np.copyto(items[0], x * 2)
    return np.sum(items[0])


def out_into_a_dict_entry(x):
    a = x * 1.0
    d = {"w": a}
    np.multiply(x, 3.0, out=d["w"])  # into the array d holds: a is written
    return np.sum(a * x) + np.sum(d["w"])


@pytest.mark.parametrize("fn", [out_into_a_list_item, copyto_into_a_list_item])
def test_a_write_into_a_list_item_is_refused(fn):
    # agc follows a list's items as values: `items[0] = result` would leave `a` alone
    with pytest.raises(agc.UnsupportedError, match="writing into an item of the list") as info:
        agc.differentiate(fn).value_and_grad(X.copy())
    assert "test_cov6a_in_place_calls.py" in str(info.value)


def test_out_into_a_dict_entry_writes_its_array():
    value, grad = agc.differentiate(out_into_a_dict_entry).value_and_grad(X.copy())
    assert value == pytest.approx(out_into_a_dict_entry(X.copy()), rel=1e-12)
    np.testing.assert_allclose(grad, 6 * X + 3, rtol=1e-12)


def out_into_a_fancy_index(x):
    y = np.zeros(3)
    np.add(x[0], 1.0, out=y[[0, 2, 1]])  # into a copy: y stays zero
    return np.sum(y * x[0])


def test_out_into_a_fancy_index_is_refused():
    assert out_into_a_fancy_index(X.copy()) == 0.0
    with pytest.raises(agc.UnsupportedError, match="may be an array"):
        agc.differentiate(out_into_a_fancy_index).value_and_grad(X.copy())
