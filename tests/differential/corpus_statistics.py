"""Corpus: statistics (issue 13): var, std, cumsum, cumprod, median, ptp, nansum, nanmean,
sort, argsort, all / any / count_nonzero, the norms' orders, numpy's keyword forms and
methods, sum / prod / mean / max / min with where= and initial=, and the options agc refuses
(out=, where= and initial= elsewhere, x.sort())."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, num, pos, vec

corpus = Corpus()
add = corpus.add
NAN = float("nan")


# ------------------------------------------------------------------ var, std
@add(vec(3, 4))
def var_all(X):
    return np.var(X)


@add(vec(3, 4))
def var_axis0_ddof1(X):
    return np.sum(np.var(X, axis=0, ddof=1) ** 2)


@add(vec(2, 3, 4))
def var_axis_tuple_keepdims(T):
    return np.sum(T / (np.var(T, axis=(0, 2), keepdims=True) + 1.0))


@add(vec(3, 4))
def var_negative_axis_positional_ddof(X):
    return np.sum(np.exp(np.var(X, -1, None, None, 2)))


@add(vec(3, 4))
def std_all(X):
    return np.std(X)


@add(vec(3, 4))
def std_axis1_keepdims(X):
    return np.sum((X - np.mean(X, axis=1, keepdims=True)) / np.std(X, axis=1, keepdims=True))


@add(vec(2, 3, 4))
def std_axis_tuple_ddof(T):
    return np.sum(np.std(T, axis=(1, 2), ddof=1) * np.array([1.0, 2.0]))


@add(vec(3, 4))
def method_var_std(X):
    return X.var(ddof=1) + X.std() + np.sum(X.std(axis=0) * X.var(axis=0))


@add(vec(5))
def var_of_vector_nonscalar_output(x):
    return np.var(x[None, :] * np.arange(1.0, 3.0)[:, None], axis=1)


# ----------------------------------------------------------- cumsum, cumprod
@add(vec(3, 4))
def cumsum_axis0(X):
    return np.sum(np.cumsum(X, axis=0) ** 2)


@add(vec(3, 4))
def cumsum_flattened(X):
    return np.sum(np.sin(np.cumsum(X)))


@add(vec(2, 3, 4))
def cumsum_negative_axis_output(T):
    return np.cumsum(T, axis=-1)


@add(vec(3, 4))
def cumprod_axis1(X):
    return np.sum(np.cumprod(X, axis=1))


@add(vec(6))
def cumprod_flat(x):
    return np.sum(np.cumprod(x) * np.arange(6.0))


@add(at=[(np.array([0.5, 0.0, 2.0, -1.5, 0.7]),), (np.array([0.0, 0.0, 1.2, 0.3, 2.0]),),
         (np.array([1.1, 0.9, 1.3, 0.0, 0.0]),)])
def cumprod_with_zeros(x):
    return np.sum(np.cumprod(x) * np.array([1.0, 2.0, 3.0, 4.0, 5.0]))


@add(at=[(np.array([[0.5, 0.0, 2.0], [1.5, 0.0, 0.0], [0.0, 1.0, -2.0]]),)])
def cumprod_with_zeros_axis0(X):
    return np.sum(np.cumprod(X, axis=0) ** 2)


@add(vec(3, 4))
def method_cumsum_cumprod(X):
    return np.sum(X.cumsum(axis=0) * X.cumprod(axis=1)) + np.sum(X.cumprod())


# ------------------------------------------------------------------- median
@add(vec(5))
def median_odd(x):
    return np.median(x) * 3.0


@add(vec(6))
def median_even(x):
    return np.median(x ** 3)


@add(vec(4, 3))
def median_axis0_even(X):
    return np.sum(np.median(X, axis=0) * np.array([1.0, 2.0, 3.0]))


@add(vec(3, 5))
def median_axis1_keepdims(X):
    return np.sum(X - np.median(X, axis=1, keepdims=True) ** 2)


@add(vec(2, 3, 4))
def median_axis_tuple(T):
    return np.sum(np.median(T, axis=(0, 2)) * np.array([1.0, 2.0, 3.0]))


@add(at=[(np.array([0.3, 0.3, 0.1, 0.7]),), (np.array([0.5, 0.2, 0.5, 0.5, 0.1]),)],
     fd=False)
def median_ties(x):
    return np.median(x) * 2.0


# --------------------------------------------------------------- ptp, nan*
@add(vec(3, 4))
def ptp_axis0(X):
    return np.sum(np.ptp(X, axis=0) * np.array([1.0, 2.0, 3.0, 4.0]))


@add(vec(6))
def ptp_all_keepdims(x):
    return np.sum(np.ptp(x, keepdims=True)) + np.ptp(x * x)


@add(at=[(np.array([[0.5, NAN, 2.0], [1.5, -0.3, NAN]]),),
         (np.array([[NAN, NAN, 0.2], [0.1, 0.4, 0.9]]),)])
def nansum_skips_nans(X):
    return np.nansum(X) * 2.0 + np.sum(np.nansum(X, axis=0) * np.array([1.0, 2.0, 3.0]))


@add(at=[(np.array([[0.5, NAN, 2.0], [1.5, -0.3, NAN]]),),
         (np.array([[NAN, 0.7, 0.2], [0.1, 0.4, 0.9]]),)])
def nanmean_skips_nans(X):
    return np.nanmean(X) * 3.0 + np.sum(np.nanmean(X, axis=1, keepdims=True) ** 2)


@add(vec(3, 4))
def nanmean_without_nans(X):
    return np.sum(np.nanmean(X, axis=0) ** 2) + np.nansum(X)


# --------------------------------------------------------------- sort, argsort
@add(vec(3, 4))
def sort_last_axis(X):
    return np.sum(np.sort(X) * np.arange(4.0))


@add(vec(3, 4))
def sort_axis0(X):
    return np.sum(np.sort(X, axis=0) * np.arange(12.0).reshape(3, 4))


@add(vec(3, 4))
def sort_flattened(X):
    return np.sum(np.sort(X, axis=None) ** 2 * np.arange(12.0))


@add(vec(2, 3))
def sort_stable_kind_output(X):
    return np.sort(X * 2.0, stable=True)


@add(at=[(np.array([0.3, 0.1, 0.3, 0.3, -0.2]),)], fd=False)
def sort_ties_follow_stable_order(x):
    return np.sum(np.sort(x) * np.arange(5.0))


@add(vec(3, 4))
def argsort_gathers_rows(X):
    order = np.argsort(X[:, 0])
    return np.sum(X[order] * np.arange(3.0)[:, None])


@add(vec(6))
def method_argsort_reorders(x):
    return np.sum(x[x.argsort()] * np.arange(6.0))


@add(vec(3, 4))
def argsort_axis0_values(X):
    return np.sum(np.argsort(X, axis=0) * X)


@add(vec(3, 4))
def argsort_flattened(X):
    return np.sum(X.reshape(-1)[np.argsort(X, axis=None)[-3:]])


# ------------------------------------------------------ argmax, argmin, truth
@add(vec(6))
def argmax_picks_the_largest(x):
    return x[np.argmax(x)] * 2.0 + x[np.argmin(x)]


@add(vec(3, 4))
def argmax_rows_gathers(X):
    return np.sum(X[np.arange(3), np.argmax(X, axis=1)])


@add(vec(3, 4))
def argmax_keepdims_shape(X):
    return np.sum(X * np.argmax(X, axis=0, keepdims=True))


@add(vec(3, 4))
def method_argmax_axis1(X):
    return np.sum(X.argmax(axis=1) * X[:, 0]) + np.sum(X.argmin(axis=0) * X[0])


@add(vec(3, 4))
def all_any_count_as_factors(X):
    return np.sum(X ** 2) * np.all(X > -2.0) + np.sum(X) * np.any(X > 0.5) \
        + np.sum(X * np.count_nonzero(X > 0, axis=0))


@add(vec(3, 4))
def method_all_any_axis(X):
    return np.sum(X * (X > 0).all(axis=0)) + np.sum(X * (X > 0).any(axis=1, keepdims=True)) \
        + X.all() * np.sum(X) + np.count_nonzero(X > 0) * np.sum(X)


@add(vec(3, 4))
def count_nonzero_keepdims(X):
    return np.sum(X * np.count_nonzero(X > 0, axis=1, keepdims=True))


# ------------------------------------------------------------------ norms
@add(vec(5))
def norm_vector_orders(x):
    return (np.linalg.norm(x, 2) + np.linalg.norm(x, -np.inf) + np.linalg.norm(x, 0) * x[0]
            + np.linalg.norm(x, ord=1.5))


@add(pos(5))
def norm_vector_fractional_and_negative_p(x):
    return np.linalg.norm(x, 0.5) + np.linalg.norm(x, -2)


@add(vec(3, 4))
def norm_matrix_orders(X):
    return (np.linalg.norm(X, -1) + np.linalg.norm(X, -np.inf) + np.linalg.norm(X, -2)
            + np.linalg.norm(X, "nuc"))


@add(vec(2, 3, 4))
def norm_matrix_axis_pair_keepdims(T):
    return np.sum(np.linalg.norm(T, "fro", axis=(1, 2), keepdims=True) * T) \
        + np.sum(np.linalg.norm(T, 1, axis=(2, 0)))


@add(vec(2, 3, 4))
def norm_matrix_nuc_spectral_axes(T):
    return np.sum(np.linalg.norm(T, "nuc", axis=(0, 2))) + np.sum(np.linalg.norm(T, 2, (1, 2)))


@add(vec(3, 4))
def norm_vector_inf_axis_keepdims(X):
    return np.sum(X * np.linalg.norm(X, np.inf, axis=1, keepdims=True)) \
        + np.sum(np.linalg.norm(X, 3, axis=0))


@add(vec(2, 3, 4))
def norm_matrix_inf_keepdims_and_default_pair(T):
    return np.sum(np.linalg.norm(T, -np.inf, axis=(0, 2), keepdims=True) * T) \
        + np.sum(np.linalg.norm(T, axis=(1, 2)) ** 2) + np.sum(np.linalg.norm(T, -1, (2, 1)))


@add(vec(5))
def norm_vector_minus_one_keyword_form(x):
    return np.linalg.norm(x=x, ord=-1) + np.linalg.norm(x, ord=np.inf, keepdims=True)[0]


# ---------------------------------------------- keyword forms and dtype=
@add(vec(3, 4))
def mean_keyword_only(X):
    return np.sum(np.mean(a=X, axis=0) ** 2) + np.sum(np.sum(a=X, keepdims=True, axis=1))


@add(vec(3, 4))
def sum_keepdims_keyword(X):
    return np.sum(X / np.sum(X ** 2, axis=0, keepdims=True))


@add(vec(3, 4))
def methods_with_axes(X):
    return (np.sum(X.mean(axis=0, keepdims=True) * X) + X.sum(axis=(0, 1)) + np.sum(X.max(axis=0))
            + X.prod() + np.sum(X.min(axis=1)))


@add(vec(3, 4))
def reductions_dtype_float64(X):
    return np.mean(X ** 2, dtype=np.float64) + np.sum(X, axis=0, dtype=np.float64)[1] \
        + np.var(X, dtype="float64") + np.sum(np.cumsum(X, axis=1, dtype=np.float64))


@add(vec(3, 4))
def sum_out_none_is_fine(X):
    return np.sum(X ** 2, out=None)


# ------------------------------------------------------------------ refused
@add(vec(3, 4))
def prod_where_initial(X):
    return np.sum(np.prod(X, axis=1, where=X > 0, initial=0.5)) + np.prod(X * 2.0, where=X < 0.5)


@add(vec(3, 4), expect="refused")
def var_where_refused(X):
    return np.var(X, where=X > 0)


@add(vec(3, 4))
def sum_where_initial(X):
    return np.sum(X, where=X > 0) + np.sum(np.sum(X * X, axis=0, where=X < 0.5, initial=1.0))


@add(vec(3, 4))
def max_min_initial_where(X):
    return np.max(X, initial=0.0) + np.sum(np.min(X, axis=1, where=X > -0.5, initial=2.0))


@add(vec(3, 4), expect="refused")
def mean_out_refused(X):
    out = np.zeros(4)
    np.mean(X, axis=0, out=out)
    return np.sum(out)


@add(vec(3, 4), expect="refused")
def mean_out_in_expression_refused(X):
    out = np.zeros(4)
    return np.sum(np.mean(X, axis=0, out=out))


@add(vec(5))
def sort_method_in_place(x):
    y = x * 2.0
    y.sort()
    return np.sum(y * np.arange(5.0))


corpus.ref(lambda x: jnp.sum(jnp.sort(x * 2.0) * jnp.arange(5.0)))


@add(vec(3, 4))
def sort_method_in_place_axis0_seen_through_an_alias(X):
    Y = X + 0.0
    Z = Y
    Y.sort(axis=0)
    return np.sum(Z * np.arange(12.0).reshape(3, 4))


corpus.ref(lambda X: jnp.sum(jnp.sort(X, axis=0) * jnp.arange(12.0).reshape(3, 4)))


@add(vec(6))
def sort_method_in_place_of_a_view(x):
    y = x * 1.0
    tail = y[2:]
    tail.sort()
    return np.sum(y * np.arange(6.0)) + np.sum(tail ** 2)


@corpus.ref
def _sort_view_ref(x):
    y = jnp.concatenate([x[:2], jnp.sort(x[2:])])
    return jnp.sum(y * jnp.arange(6.0)) + jnp.sum(y[2:] ** 2)


@add(vec(4), expect="refused")
def sort_method_of_a_list_refused(x):
    values = [x[0], x[1], x[2]]
    values.sort()
    return values[0] * 2.0 + values[2]


@add(vec(5), expect="refused")
def sort_method_result_refused(x):
    y = x * 2.0
    z = y.sort()  # None: numpy's in-place sort gives nothing back
    return np.sum(y) if z is None else 0.0


@add(vec(5), expect="refused")
def median_overwrite_input_refused(x):
    return np.median(x * 1.0, overwrite_input=True)


# ------------------------------------------------------------------ average
@add(vec(3, 4))
def average_plain_is_mean(X):
    return np.average(X) + np.sum(np.average(X, axis=0) ** 2)


@add(vec(3, 4), pos(3, 4), wrt=("X", "w"))
def average_weights_same_shape(X, w):
    return np.sum(np.average(X, axis=1, weights=w) ** 2) + np.average(X ** 2, weights=w)


@add(vec(3, 4), pos(3), wrt=("X", "w"))
def average_weights_along_axis0(X, w):
    return np.sum(np.average(X, axis=0, weights=w) * np.arange(4.0))


@add(vec(3, 4), pos(4), wrt=("X", "w"))
def average_weights_along_last_axis_keepdims(X, w):
    return np.sum(X * np.average(X, axis=-1, weights=w, keepdims=True))


@add(vec(2, 3, 4), pos(2, 4), wrt=("T", "w"))
def average_weights_along_axis_pair(T, w):
    return np.sum(np.average(T, axis=(0, 2), weights=w) * np.array([1.0, 2.0, 3.0]))


@add(vec(3, 4), pos(3), wrt=("X", "w"))
def average_returned_tuple(X, w):
    avg, total = np.average(X, axis=0, weights=w, returned=True)
    return np.sum(avg * total) + np.sum(total ** 2)


@add(vec(3, 4))
def average_returned_without_weights(X):
    avg, count = np.average(X, axis=1, returned=True)
    return np.sum(avg * count)


# -------------------------------------------------------------------- diff
@add(vec(3, 5))
def diff_last_axis(X):
    return np.sum(np.diff(X) ** 2)


@add(vec(4, 3))
def diff_axis0_n2(X):
    return np.sum(np.diff(X, n=2, axis=0) * np.array([1.0, 2.0, 3.0]))


@add(vec(2, 3, 4))
def diff_middle_axis_output(T):
    return np.diff(T, axis=1)


@add(vec(6), num(), wrt=("x", "p"))
def diff_prepend_number(x, p):
    return np.sum(np.diff(x, prepend=p) ** 2)


@add(vec(3, 4), vec(3, 1), vec(3, 2), wrt=("X", "p", "q"))
def diff_prepend_append_arrays(X, p, q):
    return np.sum(np.diff(X, 2, prepend=p, append=q) ** 2)


@add(vec(5))
def diff_append_number_literal(x):
    return np.sum(np.sin(np.diff(x, append=0.5)))


@add(vec(5))
def diff_n0_is_the_input(x):
    return np.sum(np.diff(x, n=0) ** 2)


# each item cast to an integer first, as numpy does: no derivative through the cast (was
# refused)
@add(vec(3, 4), ref=lambda X: jnp.sum(jnp.trunc(X * 3.0)) * jnp.sum(X))
def sum_integer_dtype(X):
    return np.sum(X * 3.0, dtype=np.int64) * np.sum(X)


@add(vec(5, lo=-3.0, hi=3.0))
def astype_int_has_no_gradient(x):
    return np.sum(x.astype(np.int64) * x) + np.sum(np.sum(x.astype(np.int32)) * x)



# ------------------------------------------------------- in loops and helpers
def _standardize(v):
    return (v - np.mean(v, axis=0)) / np.std(v, axis=0, ddof=1)


@add(vec(4, 3))
def standardize_helper_then_median(X):
    return np.sum(np.median(_standardize(X * 2.0 + X ** 2), axis=1) ** 2)


@add(vec(5), pos(5), wrt=("x", "w"))
def sort_cumsum_in_a_loop(x, w):
    y = x
    for _ in range(3):
        y = np.cumsum(np.sort(y) * w) / 5.0
        y = y - np.var(y)
    return np.sum(y * np.arange(5.0))


@add(vec(6))
def cumprod_while_running_max(x):
    total = 0.0
    k = 0
    while k < 3:
        total = total + np.max(np.cumprod(x[k:k + 3])) + np.ptp(x[k:])
        k += 1
    return total


@add(vec(3, 4))
def average_and_diff_take_list_literals(X):
    return np.sum(np.average(X, axis=0, weights=[1.0, 2.0, 0.5])) \
        + np.sum(np.diff(X, axis=0, prepend=[[0.1, 0.2, 0.3, 0.4]]) ** 2)


corpus.ref(lambda X: jnp.sum(jnp.average(X, axis=0, weights=jnp.array([1.0, 2.0, 0.5])))
           + jnp.sum(jnp.diff(X, axis=0, prepend=jnp.array([[0.1, 0.2, 0.3, 0.4]])) ** 2))
