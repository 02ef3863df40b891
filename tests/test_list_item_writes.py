"""Arrays held in lists: a write in place to the array is a write to the list's item.

agc keeps a list's items as values. `l.append(y)` and then `y *= 2` changed `l[0]` in
numpy but not in agc, and `l[i] *= v` (Python's in-place `*=` on the item itself) left
the other names of that array (`y` in `l = [y]`, the other slots of `[a] * n`) unchanged:
silently wrong values and gradients. Both are now refused at the write, with the fix;
the common cases (a list of fresh arrays, a list of numbers) keep working. A dict's
`d["a"] *= 2` is followed exactly (its entries are variables, so `op=` is on a name).
"""

from __future__ import annotations

import inspect

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gradcheck import numeric_grad

jax.config.update("jax_enable_x64", True)

X = np.array([0.3, 0.7, 0.2])


def appended_then_written(x):
    acc = []
    cur = x.copy()
    acc.append(cur)
    cur *= 2.0  # refused
    return np.sum(acc[0] * x)


def put_in_a_slot_then_written(x):
    y = x.copy()
    l = [x, x]
    l[1] = y
    y *= 2.0  # refused
    return np.sum(l[1] * x)


def item_updated_also_named(x):
    y = x.copy()
    parts = [y, x]
    parts[0] *= 2.0  # refused
    return np.sum(y * x)


def item_updated_view_in_list(x):
    y = x.copy()
    parts = [y[:2], y[1:]]
    parts[0] *= 2.0  # refused
    return np.sum(y * y)


def item_updated_repeated(x):
    l = [x.copy()] * 2
    l[0] += 1.0  # refused
    return np.sum(l[1] * x)


def item_updated_listed_twice(x):
    y = x.copy()
    l = [y, y]
    l[0] *= 2.0  # refused
    return np.sum(l[1] * x)


def item_updated_after_appending_an_item(x):
    l = [x.copy()]
    l.append(l[0])
    l[0] *= 2.0  # refused
    return np.sum(l[1] * x)


def refused_line(model) -> int:
    """The line of `model` marked `# refused`."""
    lines = inspect.getsource(model).splitlines()
    return next(i for i, text in enumerate(lines) if "# refused" in text) + \
        model.__code__.co_firstlineno


@pytest.mark.parametrize("model", [
    appended_then_written, put_in_a_slot_then_written, item_updated_also_named, item_updated_view_in_list,
    item_updated_repeated, item_updated_listed_twice, item_updated_after_appending_an_item],
    ids=lambda m: m.__name__)
def test_a_write_to_an_array_held_in_a_list_elsewhere_is_refused(model):
    with pytest.raises(agc.UserCodeError) as error:
        agc.grad(model)(X.copy())
    assert f"test_list_item_writes.py:{refused_line(model)}:" in str(error.value)


def fresh_arrays_updated(x):
    ws = [x.copy() for _ in range(2)]
    ws[0] += 1.0
    ws[1] *= x
    return np.sum(ws[0] * ws[1])


def numbers_updated(x):
    s = [0.0] * 3
    for i in range(3):
        s[i] += x[i] * x[i]
    return s[0] + s[1] * 2.0 + s[2]


def same_list_two_names(x):
    y = x * 3.0
    l = [y]
    m = l
    l[0] += 1.0
    return np.sum(m[0] * x)


@pytest.mark.parametrize("model", [fresh_arrays_updated, numbers_updated, same_list_two_names],
                         ids=lambda m: m.__name__)
def test_list_items_updated_in_place_where_nothing_else_holds_them(model):
    value, grad = agc.value_and_grad(model)(X.copy())
    assert value == pytest.approx(model(X.copy()), rel=1e-12)
    np.testing.assert_allclose(grad, numeric_grad(model, (X.copy(),), 0), rtol=1e-7, atol=1e-8)


def joined_then_written(x):
    y = x.copy()
    l = [y]
    l = l + [x]
    y *= 2.0  # refused: l[0] is y
    return np.sum(l[0] * x)


def repeated_then_written(x):
    y = x.copy()
    l = [y] * 2
    y *= 2.0  # refused: l[0] and l[1] are y
    return np.sum(l[1] * x)


def tuple_joined_in_place_then_written(x):
    y = x.copy()
    t = (y,)
    t += (x,)
    y *= 2.0  # refused: t[0] is y
    return np.sum(t[0] * x)


@pytest.mark.parametrize("model", [joined_then_written, repeated_then_written,
                                   tuple_joined_in_place_then_written], ids=lambda m: m.__name__)
def test_a_list_joined_or_repeated_still_holds_its_items(model):
    with pytest.raises(agc.UserCodeError) as error:
        agc.grad(model)(X.copy())
    assert f"test_list_item_writes.py:{refused_line(model)}:" in str(error.value)


def tuple_joined_in_place(x):
    t = (x[0],)
    u = t
    t += (x[1],)  # a new tuple: u keeps one item
    return u[0] * 2.0 + len(u) + t[1] * x[2]


def tuple_repeated_in_place(x):
    t = (x[0], x[1])
    u = t
    t *= 2
    return len(u) * x[2] + t[3] * t[0]


@pytest.mark.parametrize("model", [tuple_joined_in_place, tuple_repeated_in_place],
                         ids=lambda m: m.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_tuple_op_assigned_is_a_new_tuple(model, dtype):
    x = X.astype(dtype)
    value, grad = agc.value_and_grad(model)(x)
    assert value == pytest.approx(model(x.copy()), rel=1e-6)
    np.testing.assert_allclose(grad, jax.grad(model)(jnp.asarray(x)),
                               rtol=1e-6 if dtype == np.float32 else 1e-12)


def dict_item_updated(x):
    y = x.copy()
    d = {"a": y, "b": x[0]}
    d["a"] *= 2.0  # in place on y
    d["b"] += 1.0  # a new number
    return np.sum(y * x) + d["b"] * np.sum(d["a"])


def dict_item_updated_read_before(x):
    d = {"a": x * 3.0}
    e = d["a"]
    d["a"] -= x * x
    return np.sum(e * x)


@pytest.mark.parametrize("model", [dict_item_updated, dict_item_updated_read_before],
                         ids=lambda m: m.__name__)
def test_a_dict_item_op_assigned_is_changed_in_place(model):
    # d["a"] *= 2 runs *= on the array itself, as y *= 2 would: every name of it sees it
    value, grad = agc.value_and_grad(model)(X.copy())
    assert value == pytest.approx(model(X.copy()), rel=1e-12)
    # (not jax: its arrays are immutable, so there `*=` makes a new array)
    np.testing.assert_allclose(grad, numeric_grad(model, (X.copy(),), 0), rtol=1e-7, atol=1e-8)
