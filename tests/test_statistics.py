"""Statistics (issue 13): what the differential corpus (corpus_statistics.py) does not check.

The symbolic meanings of the new gradient helpers against agc.runtime on
numbers; agc.verify proving functions that use them (and saying INCONCLUSIVE,
never PROVED or FAILED, for the matrix norms sympy cannot follow); the emitted
code reading like numpy; `x.sort()` in place; the refusals' hints; `agc compile` on a
model file.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import agc
import numpy as np
import pytest
from agc import runtime
from agc.ir.prims import Prim
from agc.proof.prover import Status
from differential.corpus_statistics import corpus
from gradcheck import import_file, numeric_grad
from meanings import symbolic_meaning as _meaning

X34 = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 0.5, 0.0, 2.0], [-1.0, 4.0, 0.25, 4.0]])
G34 = np.arange(12.0).reshape(3, 4) / 7 - 0.5
W3 = np.array([0.5, 2.0, 1.5])




@pytest.mark.parametrize("prim, values, params, expected", [
    (Prim.VAR_GRAD, (G34[0], X34), {"axis": 0, "ddof": 1},
     runtime.var_grad(G34[0], X34, axis=0, ddof=1)),
    (Prim.STD_GRAD, (G34[:, :1], X34, X34.std(axis=1, keepdims=True)),
     {"axis": 1, "keepdims": True},
     runtime.std_grad(G34[:, :1], X34, X34.std(axis=1, keepdims=True), axis=1, keepdims=True)),
    (Prim.NANSUM_GRAD, (G34[0], X34), {"axis": 0}, runtime.nansum_grad(G34[0], X34, axis=0)),
    (Prim.NANMEAN_GRAD, (G34[:, 0], X34), {"axis": 1},
     runtime.nanmean_grad(G34[:, 0], X34, axis=1)),
    (Prim.MEDIAN_GRAD, (G34[0], X34), {"axis": 0},  # three entries: the middle one
     runtime.median_grad(G34[0], X34, axis=0)),
    (Prim.MEDIAN_GRAD, (G34[:, 0], X34), {"axis": 1},  # four, with a tie: two halves
     runtime.median_grad(G34[:, 0], X34, axis=1)),
    (Prim.CUMSUM_GRAD, (G34, X34), {"axis": 1}, runtime.cumsum_grad(G34, X34, axis=1)),
    (Prim.CUMSUM_GRAD, (G34.reshape(-1), X34), {}, runtime.cumsum_grad(G34.reshape(-1), X34)),
    (Prim.CUMPROD_GRAD, (G34, X34), {"axis": 1}, runtime.cumprod_grad(G34, X34, axis=1)),
    (Prim.CUMPROD_GRAD, (G34, X34), {"axis": 0}, runtime.cumprod_grad(G34, X34, axis=0)),
    (Prim.SORT_GRAD, (G34, X34), {"axis": 1}, runtime.sort_grad(G34, X34, axis=1)),
    (Prim.SORT_GRAD, (G34, X34), {"axis": 0}, runtime.sort_grad(G34, X34, axis=0)),
    (Prim.WEIGHTS_LIKE_GRAD, (G34[:, :1], W3, X34), {"axis": 0},
     runtime.weights_like_grad(G34[:, :1], W3, X34, axis=0)),
    (Prim.NORM_GRAD, (np.array(0.5), X34, np.array(np.linalg.norm(X34, 1))), {"ord": 1},
     runtime.norm_grad(0.5, X34, np.linalg.norm(X34, 1), ord=1)),
    (Prim.NORM_GRAD, (np.array(0.5), X34, np.array(np.linalg.norm(X34, -np.inf))),
     {"ord": -np.inf}, runtime.norm_grad(0.5, X34, np.linalg.norm(X34, -np.inf), ord=-np.inf)),
], ids=lambda v: v.name if isinstance(v, Prim) else "")
def test_gradient_helper_meanings_match_the_runtime(prim, values, params, expected):
    np.testing.assert_allclose(_meaning(prim, values, **params), expected, rtol=1e-12)


def test_cumprod_grad_is_exact_with_zeros():
    x = np.array([2.0, 0.0, 3.0, 0.0, 5.0])
    # y = (2, 0, 0, 0, 0); x_1 is in y_1 = 2 x_1 and y_2 = 6 x_1 (y_3, y_4 hold x_3 = 0 too)
    np.testing.assert_array_equal(runtime.cumprod_grad(np.ones(5), x, 0),
                                  [1.0, 2.0 + 6.0, 0.0, 0.0, 0.0])


def test_float32_stays_float32():
    x = X34.astype(np.float32)
    g = G34.astype(np.float32)
    for got in (runtime.var_grad(g[0], x, axis=0, ddof=1), runtime.cumprod_grad(g, x, 1),
                runtime.median_grad(g[0], x, axis=0), runtime.sort_grad(g, x, 0),
                runtime.nanmean_grad(g[0], x, axis=0), runtime.std_grad(1.0, x, x.std())):
        assert got.dtype == np.float32


# ----------------------------------------------------------------- proofs
def _stats(X):
    return (np.sum(np.var(X, axis=0, ddof=1)) + np.std(X) + np.median(X)
            + np.sum(np.cumprod(X, axis=1)) + np.sum(np.sort(X, axis=0) * np.arange(12.0).reshape(3, 4))
            + np.sum(np.diff(X, prepend=0.5) ** 2) + np.average(X, weights=X * X + 1.0))


def _matrix_norms(X):
    return np.linalg.norm(X, 1) + np.linalg.norm(X, -np.inf) + np.linalg.norm(X[0], 0) * X[1, 1]


def _nuclear(X):
    return np.linalg.norm(X, "nuc")


# Entries sympy cannot settle; verify must say INCONCLUSIVE for them (never PROVED or FAILED).
INCONCLUSIVE = {
    "norm_vector_orders": "simplify leaves the 1.5-norm's fractional powers",
    "norm_vector_fractional_and_negative_p": "fractional powers again",
    "norm_matrix_orders": "the nuclear and -2 norms (singular values) have no meaning",
    "norm_matrix_nuc_spectral_axes": "the nuclear and 2 norms have no meaning",
}
# A NaN in an input: nothing can be compared at the point (INCONCLUSIVE, with the reason).
INCONCLUSIVE.update(nansum_skips_nans="a NaN input", nanmean_skips_nans="a NaN input")


@pytest.mark.parametrize("entry", [e for e in corpus.entries if e.expect == "ok"],
                         ids=lambda e: e.name)
def test_the_statistics_corpus_is_proved(entry):
    result = agc.verify(entry.fn, *entry.points()[0], wrt=entry.wrt)
    if entry.name in INCONCLUSIVE:
        assert result.status is Status.INCONCLUSIVE, str(result)
    else:
        assert result.proved, str(result)


def test_verify_proves_statistics():
    result = agc.verify(_stats, X34 + 0.1 * G34)
    assert result.proved, str(result)


def test_verify_proves_the_matrix_sum_norms():
    result = agc.verify(_matrix_norms, X34 + 0.1 * G34)
    assert result.proved, str(result)


def test_verify_says_inconclusive_for_the_nuclear_norm():
    result = agc.verify(_nuclear, X34)
    assert result.status is Status.INCONCLUSIVE, str(result)
    assert "ord='nuc' has no symbolic meaning" in str(result)


# ---------------------------------------------------------- emitted code
def _model(X):
    return np.sum(np.var(X, axis=0, ddof=1)) + np.sum(np.cumsum(X, axis=1) ** 2)


def test_emitted_code_reads_like_numpy():
    diff = agc.differentiate(_model)
    diff.grad(X34)
    source = diff.gradient_source
    assert "xp.var(X, axis=0, ddof=1)" in source
    assert "xp.cumsum(X, axis=1)" in source
    assert "rt.var_grad(" in source and "rt.cumsum_grad(" in source


def _sum_in_float32(x):
    return np.sum(x, dtype=np.float32) * 2.0 + np.mean(x * x, dtype=np.float32)


def test_dtype_is_numpys_own_accumulation():
    """`dtype=` is passed on (casting the operand first rounds differently on long arrays)."""
    x = np.random.default_rng(0).uniform(-1, 1, 100_000)
    value, grad = agc.differentiate(_sum_in_float32).value_and_grad(x)
    assert value == _sum_in_float32(x) and np.result_type(value) == np.float32
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2.0 + 2 * x / x.size, rtol=1e-6)


def _sort_the_argument(x):
    x.sort()
    return np.sum(x * np.arange(3.0))


def test_sort_in_place_sorts_the_callers_array_as_numpy():
    x = np.array([0.5, -1.0, 0.25])
    grad = agc.differentiate(_sort_the_argument).grad(x)
    np.testing.assert_array_equal(grad, [2.0, 0.0, 1.0])  # each entry's place once sorted


# ----------------------------------------------------------------- refusals
def _sort_a_list(x):
    values = [x[0], x[1]]
    values.sort()
    return values[0]


def _var_where(x):
    return np.var(x, where=x > 0)


@pytest.mark.parametrize("fn, what, hint", [
    (_sort_a_list, "`values.sort()` sorts in place", "`values = np.sort(values)`"),
    (_var_where, "`where=`", "np.sum(np.where(mask, x, 0.0))"),
])
def test_refusals_name_the_construct_and_a_way_out(fn, what, hint):
    with pytest.raises(agc.UserCodeError) as err:
        agc.differentiate(fn).grad(np.array([0.3, -0.2]))
    assert err.value.loc.line > 0
    assert what in str(err.value) and hint in str(err.value)


# ---------------------------------------------------------------------- CLI
MODEL = '''\
import numpy as np
from agc import differentiate


@differentiate
def loss(X):
    z = (X - np.mean(X, axis=0)) / np.std(X, axis=0, ddof=1)
    return np.sum(np.median(z, axis=1)) + np.sum(np.cumprod(X, axis=1)) + np.var(np.sort(X))
'''


def test_agc_compile_a_model_using_statistics(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(textwrap.dedent(MODEL), encoding="utf-8")
    out = tmp_path / "model_grad.py"
    result = subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model), "-o",
                             str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    emitted = import_file(out)
    X = np.random.default_rng(4).uniform(-1, 1, (4, 3))
    fn = import_file(model).loss.fn
    value, grad = emitted.loss_value_and_grad(X)
    np.testing.assert_allclose(value, fn(X), rtol=1e-12)
    np.testing.assert_allclose(grad, numeric_grad(fn, (X,), 0), rtol=1e-6, atol=1e-8)
