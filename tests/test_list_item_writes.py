"""Arrays held in lists: a write in place to the array is a write to the list's item.

agc keeps a list's items as values. `l.append(y)` and then `y *= 2` changed `l[0]` in
numpy but not in agc, and `l[i] *= v` (Python's in-place `*=` on the item itself) left
the other names of that array (`y` in `l = [y]`, the other slots of `[a] * n`) unchanged:
silently wrong values and gradients. Both are now refused at the write, with the fix;
the common cases (a list of fresh arrays, a list of numbers) keep working.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from gradcheck import numeric_grad

X = np.array([0.3, 0.7, 0.2])


def appended_then_written(x):
    acc = []
    cur = x.copy()
    acc.append(cur)
    cur *= 2.0
    return np.sum(acc[0] * x)


def item_updated_also_named(x):
    y = x.copy()
    parts = [y, x]
    parts[0] *= 2.0
    return np.sum(y * x)


def item_updated_view_in_list(x):
    y = x.copy()
    parts = [y[:2], y[1:]]
    parts[0] *= 2.0
    return np.sum(y * y)


def item_updated_repeated(x):
    l = [x.copy()] * 2
    l[0] += 1.0
    return np.sum(l[1] * x)


def item_updated_listed_twice(x):
    y = x.copy()
    l = [y, y]
    l[0] *= 2.0
    return np.sum(l[1] * x)


def item_updated_after_appending_an_item(x):
    l = [x.copy()]
    l.append(l[0])
    l[0] *= 2.0
    return np.sum(l[1] * x)


@pytest.mark.parametrize("model, line", [
    (appended_then_written, 24), (item_updated_also_named, 31),
    (item_updated_view_in_list, 38), (item_updated_repeated, 44),
    (item_updated_listed_twice, 51), (item_updated_after_appending_an_item, 58)],
    ids=lambda m: getattr(m, "__name__", ""))
def test_a_write_to_an_array_held_in_a_list_elsewhere_is_refused(model, line):
    with pytest.raises(agc.UserCodeError) as error:
        agc.grad(model)(X.copy())
    assert f"test_list_item_writes.py:{line}:" in str(error.value)


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
