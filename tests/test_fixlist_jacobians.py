"""Jacobians of a (number, array) output, with respect to two numbers, and of ints.

`agc.jacobian` / `jacrev` / `jacfwd` of a function returning `(number, array)` raised
numpy's inhomogeneous-shape ValueError from inside agc: numpy makes no one array of such
a tuple, so there is no one Jacobian; it is now a UsageError saying what to return. A
tuple of arrays of one shape is one array to numpy and keeps its stacked Jacobian. With
respect to two numbers the three give a tuple, one derivative per number, as
jax.jacfwd(argnums=(0, 1)) does. jacfwd of an int argument gave a Jacobian where jacrev
(and jax) refuse it: now a TypeError as jacrev's.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.errors import UsageError

jax.config.update("jax_enable_x64", True)

X = np.array([0.23, 0.71, 0.47])
JACOBIANS = [agc.jacobian, agc.jacrev, agc.jacfwd]


def number_and_array(x):
    return np.sum(x), x * 2.0


def two_arrays(x):
    return np.sin(x), x * x


def a_list_of_arrays(x):
    return [np.sin(x), x * x]


def of_two_numbers(a, b):
    return np.array([a * b, a + np.sin(b), a * a])


def number_of_two_numbers(a, b):
    return a * np.exp(b) + a * a


@pytest.mark.parametrize("jacobian", JACOBIANS)
def test_a_number_and_an_array_is_refused_with_what_to_return(jacobian):
    with pytest.raises(UsageError, match="one array"):
        jacobian(number_and_array)(X)


@pytest.mark.parametrize("jacobian", JACOBIANS)
@pytest.mark.parametrize("model", [two_arrays, a_list_of_arrays])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_tuple_or_list_of_arrays_of_one_shape_stacks(jacobian, model, dtype):
    # jacrev's rows took a list output for a number: one seed 1.0, then a TypeError inside agc
    want = jnp.stack(jax.jacrev(lambda x: (jnp.sin(x), x * x))(jnp.asarray(X)))
    got = jacobian(model)(X.astype(dtype))
    assert got.dtype == dtype and got.shape == (2, 3, 3)
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("jacobian", JACOBIANS)
@pytest.mark.parametrize("model, twin", [
    (of_two_numbers, lambda a, b: jnp.array([a * b, a + jnp.sin(b), a * a])),
    (number_of_two_numbers, lambda a, b: a * jnp.exp(b) + a * a)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_two_numbers_give_a_tuple_as_jax(jacobian, model, twin, dtype):
    a, b = dtype(0.3), dtype(0.5)
    want = jax.jacfwd(twin, argnums=(0, 1))(0.3, 0.5)
    got = jacobian(model, wrt=("a", "b"))(a, b)
    assert isinstance(got, tuple) and len(got) == 2
    for part, expected in zip(got, want, strict=True):
        assert np.shape(part) == np.shape(expected) and np.asarray(part).dtype == dtype
        np.testing.assert_allclose(part, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    got = jacobian(model, wrt=("a", "b"))(0.3, 0.5)  # Python floats: float64
    for part, expected in zip(got, want, strict=True):
        np.testing.assert_allclose(part, expected, rtol=1e-12)


@pytest.mark.parametrize("jacobian", JACOBIANS)
def test_an_int_argument_is_refused_by_each(jacobian):
    with pytest.raises(TypeError, match="integer or boolean"):
        jacobian(of_two_numbers, wrt=("a", "b"))(3, 5)
    with pytest.raises(TypeError, match="integer or boolean"):
        jacobian(two_arrays)(np.array([1, 2, 3]))
