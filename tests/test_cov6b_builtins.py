"""Python builtins and container methods users write: map and zip consumed at once,
dict(...), d.get, d.update, bool(x), and the list methods index, count, remove and reverse.
Values and caller-visible effects are Python's; gradients, tangents and Hessian-vector
products are jax's (CPU, float64), and float32 stays float32."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from against_jax import check_against_jax, check_float32
from agc.errors import UnsupportedError

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(61)
X = RNG.normal(size=6)
V = RNG.normal(size=6)


def _bump(a, b):
    return a * np.sin(b)


# ------------------------------------------------------------------ map and zip
def mapped(x):
    squares = list(map(lambda t: t * t + 1.0, x))  # noqa: C417 - the form users write
    products = sum(map(_bump, x, x[1:4]))  # stops at the shorter sequence, as zip does
    return squares[0] * squares[2] + sum(squares) + products


def mapped_jax(x):
    squares = x * x + 1.0
    return squares[0] * squares[2] + jnp.sum(squares) + jnp.sum(x[:3] * jnp.sin(x[1:4]))


def mapped_in_loops(x):
    total = 0.0
    for v in map(np.tanh, x):
        total = total * 0.5 + v
    halves = [v * 0.5 for v in map(np.cos, x[:3])]
    return total + halves[1] + sum(tuple(map(np.exp, x[4:])))


def mapped_in_loops_jax(x):
    total = 0.0
    for v in jnp.tanh(x):
        total = total * 0.5 + v
    return total + jnp.cos(x[1]) * 0.5 + jnp.sum(jnp.exp(x[4:]))


def zipped(x):
    rows = [x[:3], x[3:]]
    columns = list(zip(*rows))  # the columns of the rows: a transpose
    pairs = list(zip(x[:2], x[2:5]))
    total = 0.0
    for a, b in zip(*rows):
        total = total + a * np.exp(b)
    return sum(c[0] * c[1] for c in columns) + pairs[1][0] * pairs[1][1] + len(pairs) + total


def zipped_jax(x):
    return jnp.sum(x[:3] * x[3:]) + x[1] * x[3] + 2.0 + jnp.sum(x[:3] * jnp.exp(x[3:]))


@pytest.mark.parametrize("fn, twin", [(mapped, mapped_jax), (mapped_in_loops, mapped_in_loops_jax),
                                      (zipped, zipped_jax)], ids=["map", "map_loops", "zip"])
def test_map_and_zip_match_python_and_jax(fn, twin):
    check_against_jax(fn, twin, X, V)
    check_float32(fn, twin, X)


def lazily_mapped(x):
    seen = []

    def scaled(t):
        return t * len(seen)  # map calls it item by item, after the body's last append

    total = 0.0
    for v in map(scaled, x):
        seen.append(v)
        total = total + v
    return total


def test_a_loop_over_map_calls_the_function_item_by_item():
    value, grad = agc.value_and_grad(lazily_mapped)(X.copy())
    assert value == lazily_mapped(X.copy())
    np.testing.assert_array_equal(grad, np.arange(6.0))


def uneven_rows(x):
    rows = [[x[0], x[1], x[2]], [x[3], x[4]]]
    columns = list(zip(*rows))  # as long as the shortest row
    none = list(zip(*[]))
    return len(columns) * columns[1][0] * columns[1][1] + len(none)


def test_zip_of_uneven_and_no_rows_is_pythons():
    value, grad = agc.value_and_grad(uneven_rows)(X.copy())
    assert value == uneven_rows(X.copy())
    np.testing.assert_allclose(grad, [0, 2 * X[4], 0, 0, 2 * X[1], 0])


def kept_map(x):
    m = map(np.sin, x)
    return sum(m)


def zip_of_computed_rows(x):
    return sum(a * b for a, b in zip(*np.split(x, 2)))  # a name or a literal list only


def map_in_enumerate(x):
    total = 0.0
    for i, v in enumerate(map(np.sin, x)):  # map would run ahead of the body
        total = total + i * v
    return total


def reversed_zip(x):
    total = 0.0
    for a, b in reversed(zip(x, x)):  # TypeError in Python: zip is not reversible
        total = total + a * b
    return total


def dict_returned(x):
    return dict(a=x)  # noqa: C408 - the form under test


@pytest.mark.parametrize("fn, text", [(kept_map, "kept as a value"),
                                      (dict_returned, "dict\\(...\\) used as a value"),
                                      (zip_of_computed_rows, "not written out here"),
                                      (map_in_enumerate, "inside `enumerate"),
                                      (reversed_zip, "inside `reversed")])
def test_a_kept_iterator_or_computed_star_is_refused_at_its_line(fn, text):
    with pytest.raises(UnsupportedError, match=text) as info:
        agc.grad(fn)(X.copy())
    assert "test_cov6b_builtins.py" in str(info.value) and "^" in str(info.value)


# ------------------------------------------------------------------------- dicts
def dicts(x):
    d = dict(a=x[0], b=x[1])  # noqa: C408 - the form users write
    e = dict(d)  # a new dict: writing e leaves d as it was
    e["a"] = x[2]
    e.update({"c": x[3]}, b=x[0] * 2.0)
    z = dict(zip(["u", "v"], [x[4], x[5] * 3.0]))
    return d["a"] * e["a"] + e["b"] * e.get("c", 0.0) + d.get("z", 1.5) + z["u"] * z["v"]


def dicts_jax(x):
    return x[0] * x[2] + 2.0 * x[0] * x[3] + 1.5 + x[4] * x[5] * 3.0


def test_dict_builders_get_and_update_match_python_and_jax():
    check_against_jax(dicts, dicts_jax, X, V)
    check_float32(dicts, dicts_jax, X)


def get_default_runs(x):
    d = {"w": x[0]}
    return d.get("w", np.log(x[1]))  # the default is evaluated (log of a negative warns)


def test_get_evaluates_its_default_as_python_does():
    x = np.array([2.0, 3.0])
    value, grad = agc.value_and_grad(get_default_runs)(x)
    assert value == 2.0
    np.testing.assert_array_equal(grad, [1.0, 0.0])


# -------------------------------------------------------------------------- bool
def truth(x):
    flag = bool(x[0] > 0.0)
    scale = 2.0 if bool(x[1:2]) else 3.0  # an array of one value
    return (float(flag) + scale) * np.sum(x) + float(bool([])) + float(bool(x[2]))


@pytest.mark.parametrize("x", [X, -X, np.array([0.5, 0.0, 0.0, 1.0])], ids=["x", "-x", "zeros"])
def test_bool_is_pythons(x):
    value, grad = agc.value_and_grad(truth)(x.copy())
    assert value == truth(x.copy())
    scale = (float(x[0] > 0) + (2.0 if x[1] else 3.0))
    np.testing.assert_allclose(grad, np.full(x.shape, scale))


def truth_of_many(x):
    return float(bool(x[:2])) * np.sum(x)


def test_bool_of_an_array_of_many_values_raises_as_numpy():
    with pytest.raises(ValueError, match="truth value of an array"):
        truth_of_many(X)
    with pytest.raises(ValueError, match="truth value of an array"):
        agc.grad(truth_of_many)(X.copy())


# -------------------------------------------------------------------------- lists
def list_methods(x):
    items = [x[0], x[1], x[2], x[1]]
    same = items  # another name of the list: it sees every change in place
    same.reverse()
    items.remove(x[1])  # the first equal item (the last one written), as Python does
    where = items.index(x[2])
    return same[0] * 2.0 + same[1] * where + items.count(x[0]) * x[3] + len(same)


def list_methods_jax(x):
    return x[2] * 2.0 + x[0] * 0.0 + x[3] + 3.0


def test_list_methods_change_the_list_in_place_and_match_jax():
    value, grad = agc.value_and_grad(list_methods)(X.copy())
    assert value == list_methods(X.copy())
    np.testing.assert_allclose(grad, jax.grad(list_methods_jax)(X), rtol=1e-12)


def remove_rows(x):
    rows = [x[0:1], x[1:2], x[2:3]]
    rows.remove(x[1:2])  # compared with ==: arrays of one value compare as numbers
    return np.sum(rows[1]) * rows.count(x[0:1])


def remove_long_rows(x):
    rows = [x[0:2], x[2:4]]
    rows.remove(x[2:4])  # == gives an array of two truths: Python raises, as numpy's bool
    return np.sum(rows[0])


def remove_missing(x):
    items = [x[0], x[1]]
    items.remove(7.5)
    return items[0]


def test_remove_compares_items_as_python_does():
    value, grad = agc.value_and_grad(remove_rows)(X.copy())
    assert value == remove_rows(X.copy())
    np.testing.assert_array_equal(grad, [0, 0, 1, 0, 0, 0])
    for fn in (remove_long_rows, remove_missing):
        with pytest.raises(ValueError) as python:
            fn(X.copy())
        with pytest.raises(type(python.value)):
            agc.grad(fn)(X.copy())


def reverse_an_array(x):
    y = x * 2.0
    y.reverse()
    return np.sum(y)


def test_reverse_of_an_array_is_refused_as_numpy_has_no_such_method():
    with pytest.raises(AttributeError):
        reverse_an_array(X)
    with pytest.raises(agc.errors.UserCodeError, match="no `.reverse..` method"):
        agc.grad(reverse_an_array)(X.copy())


def reverse_the_callers_list(items):
    items.reverse()
    return items[0] * 2.0


def remove_from_the_callers_list(items):
    items.remove(items[1])
    return items[0] * 2.0


@pytest.mark.parametrize("fn", [reverse_the_callers_list, remove_from_the_callers_list])
def test_changing_the_callers_list_in_place_is_refused_with_a_hint(fn):
    with pytest.raises(agc.errors.UserCodeError, match="changes `items` in place") as info:
        agc.grad(fn)([1.0, 2.0, 3.0])
    assert "items = list(items)" in info.value.hint
