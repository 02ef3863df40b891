"""Linear algebra of issue 13 beyond the differential corpus: `agc compile` of a model
that uses it, the prover on it, the symbolic gradient helpers against the runtime,
and the refusals of what agc does not follow."""

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
from gradcheck import import_file, numeric_grad
from meanings import symbolic_meaning as _meaning
from scipy.linalg import solve_triangular

MODEL = '''\
"""A Gaussian-process-like model: einsum, cholesky, solve_triangular, slogdet, trace."""

import numpy as np
from scipy.linalg import solve_triangular

from agc import differentiate


@differentiate(wrt=("A", "y"))
def loss(A, y, W):
    K = np.einsum("ij,kj->ik", A, A) + 3.0 * np.eye(3)
    L = np.linalg.cholesky(K)
    z = solve_triangular(L, y, lower=True)
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * z @ z + 0.5 * logdet + np.trace(np.tensordot(W, K, axes=1)) ** 2
'''


def test_compile_a_model_that_uses_linear_algebra(tmp_path):
    model = tmp_path / "gp.py"
    model.write_text(MODEL, encoding="utf-8")
    out = tmp_path / "gp_grad.py"
    result = subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model), "-o",
                             str(out)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "xp.einsum('ij,kj->ik', A, A)" in text
    assert "xp.einsum('ik,kj->ij', t1_bar, A)" in text, "the adjoint of an einsum is an einsum"
    emitted = import_file(out)
    rng = np.random.default_rng(7)
    args = (rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, (3, 3)))
    value, (d_a, d_y) = emitted.loss_value_and_grad(*args)
    fn = import_file(model).loss.fn
    np.testing.assert_allclose(value, fn(*args), rtol=1e-12)
    np.testing.assert_allclose(d_a, numeric_grad(fn, args, 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d_y, numeric_grad(fn, args, 1), rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------ the prover
RNG = np.random.default_rng(0)
A33 = RNG.uniform(-1, 1, (3, 3)) + 3 * np.eye(3)
B32 = RNG.uniform(-1, 1, (3, 2))
V3 = RNG.uniform(-1, 1, 3)


def einsum_loss(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b) ** 2) + np.einsum("ii", a)


def inverse_and_det(a):
    return np.sum(np.linalg.inv(a) * a) + np.linalg.det(a) ** 2


def solve_and_slogdet(a, b):
    sign, logdet = np.linalg.slogdet(a)
    return np.sum(np.linalg.solve(a, b) ** 2) + sign * logdet


def structure(a, v):
    return (np.sum(np.kron(a, v) ** 2) + np.trace(a, 1) * np.sum(np.tril(a, -1))
            + np.sum(np.diag(np.diagonal(a)) * a) + np.sum(np.cross(a, v) ** 2))


def triangular_solves(a, b):
    return np.sum(solve_triangular(a, b, lower=True, trans=1) ** 2) + \
        np.sum(solve_triangular(a, b, unit_diagonal=True))


def powers_and_pinv(a):
    return np.sum(np.linalg.matrix_power(a, 3)) + np.sum(np.tensordot(a, a, axes=([0], [1])))


@pytest.mark.parametrize("fn, args", [
    (einsum_loss, (A33, B32)), (inverse_and_det, (A33,)), (solve_and_slogdet, (A33, B32)),
    (structure, (A33, V3)), (powers_and_pinv, (A33,)), (triangular_solves, (A33, B32)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_the_prover_proves_einsum_inv_det_solve_and_friends(fn, args):
    result = agc.verify(fn, *args)
    assert result.proved, str(result)


def cholesky_sum(a):
    return np.sum(np.linalg.cholesky(a @ a.T))


def eigenvalues(a):
    w, _ = np.linalg.eigh(a @ a.T)
    return np.sum(w)


def singular_values(a):
    return np.sum(np.linalg.svd(a, compute_uv=False))


@pytest.mark.parametrize("fn", [cholesky_sum, eigenvalues, singular_values],
                         ids=lambda f: f.__name__)
def test_decompositions_are_inconclusive_never_proved_or_failed(fn):
    result = agc.verify(fn, A33)
    assert result.status is Status.INCONCLUSIVE, str(result)
    assert "no symbolic meaning" in str(result)


# ---------------------------------------- symbolic gradient helpers vs the runtime


G33 = np.arange(9.0).reshape(3, 3) / 7 - 0.5
G34 = np.arange(12.0).reshape(3, 4) / 7 - 0.5
X34 = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 0.5, 1.0, 2.0], [-1.0, 4.0, 0.25, 4.0]])
X43 = X34.T.copy()


@pytest.mark.parametrize("prim, values, params, expected", [
    (Prim.EINSUM_GRAD, (G34[:, 0], X34), {"subscripts": "ij->i", "operand": 0},
     runtime.einsum_grad(G34[:, 0], "ij->i", 0, X34)),
    (Prim.EINSUM_GRAD, (G33[0], A33), {"subscripts": "ii->i", "operand": 0},
     runtime.einsum_grad(G33[0], "ii->i", 0, A33)),
    (Prim.TENSORDOT_GRAD, (G33, X34, X43), {"axes": 1, "side": 1},
     runtime.tensordot_grad(G33, X34, X43, axes=1, side=1)),
    (Prim.KRON_GRAD, (np.ones((9, 9)), A33, G33), {"side": 0},
     runtime.kron_grad(np.ones((9, 9)), A33, G33, side=0)),
    (Prim.CROSS_GRAD, (G33, A33, B32[:, 0]), {"side": 1},
     runtime.cross_grad(G33, A33, B32[:, 0], side=1)),
    (Prim.TRACE_GRAD, (np.array(2.0), X34), {"offset": 1},
     runtime.trace_grad(np.array(2.0), X34, offset=1)),
    (Prim.DIAGONAL_GRAD, (G34[0, :2], X34), {"offset": -1},
     runtime.diagonal_grad(G34[0, :2], X34, offset=-1)),
    (Prim.DIAG_GRAD, (np.ones((4, 4)), X34[0, :3]), {"k": 1},
     runtime.diag_grad(np.ones((4, 4)), X34[0, :3], k=1)),
    (Prim.INV_GRAD, (G33, np.linalg.inv(A33)), {}, runtime.inv_grad(G33, np.linalg.inv(A33))),
    (Prim.PINV_GRAD, (G34.T, X34, np.linalg.pinv(X34)), {},
     runtime.pinv_grad(G34.T, X34, np.linalg.pinv(X34))),
    (Prim.MATRIX_POWER_GRAD, (G33, A33), {"n": 3}, runtime.matrix_power_grad(G33, A33, 3)),
    (Prim.SOLVE_TRIANGULAR_GRAD_A, (G33[0], V3), {"lower": True, "trans": 1},
     runtime.solve_triangular_grad_a(G33[0], V3, lower=True, trans=1)),
], ids=lambda v: v.name if isinstance(v, Prim) else "")
def test_gradient_helper_meanings_match_the_runtime(prim, values, params, expected):
    np.testing.assert_allclose(_meaning(prim, values, **params), expected, rtol=1e-12)


# -------------------------------------------------------------------- refusals
@pytest.mark.parametrize("source, where", [
    ("return np.sum(np.einsum(x, [0, 1]))", "np.einsum(x, [0, 1])"),
    ("return np.sum(np.einsum('ij,jk->ik', x))", "'ij,jk->ik'"),
    ("return np.sum(np.einsum('ij->i', x, out=x))", "out=x"),
    ("return np.sum(np.linalg.qr(x, mode='r'))", "'r'"),
    ("return np.sum((r := np.linalg.eigh(x)).eigenvalues)", "eigenvalues"),  # kept: refused
    ("return np.sum(np.linalg.svd(x, hermitian=True))", "True"),
    ("return np.sum(np.linalg.pinv(x, hermitian=True))", "hermitian=True"),
    ("return np.sum(np.tensordot(x, x, axes=k))", "k"),
])
def test_refusals_point_at_the_construct(tmp_path, source, where):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(f"""\
        import numpy as np

        k = [1]


        def f(x):
            {source}
        """), encoding="utf-8")
    fn = import_file(path).f
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(fn).grad(np.eye(3))
    err = caught.value
    assert err.loc.line == 7, str(err)
    assert ("    " + source)[err.loc.col:].startswith(where), str(err)


def test_full_svd_vectors_of_a_non_square_matrix_are_refused_at_run_time():
    def f(a):
        u, s, _ = np.linalg.svd(a)  # U is 4 x 4: its last column is not unique
        return np.sum(u ** 2 * np.arange(16.0).reshape(4, 4)) * s[0]

    with pytest.raises(ValueError, match="full_matrices=False"):
        agc.differentiate(f).grad(np.arange(12.0).reshape(4, 3) / 5)


def test_full_svd_of_a_non_square_matrix_differentiates_its_unique_part():
    def f(a):
        u, s, _ = np.linalg.svd(a)
        return np.sum(s ** 2) + np.sum(u[:, :3] ** 2 * np.arange(12.0).reshape(4, 3))

    a = np.arange(12.0).reshape(4, 3) / 5 + np.eye(4, 3)
    expected = numeric_grad(f, (a,), 0)
    np.testing.assert_allclose(agc.differentiate(f).grad(a), expected, rtol=1e-6, atol=1e-8)


def test_repeated_eigenvalues_leave_an_eigenvalue_only_gradient_finite():
    def values(a):
        w, _ = np.linalg.eigh(a)
        return np.sum(w ** 2)

    def singular(a):
        _, s, _ = np.linalg.svd(a, full_matrices=False)
        return np.sum(s)

    np.testing.assert_allclose(agc.differentiate(values).grad(2 * np.eye(3)), 4 * np.eye(3),
                               atol=1e-12)
    np.testing.assert_allclose(agc.differentiate(singular).grad(np.eye(3)), np.eye(3),
                               atol=1e-12)


def test_a_tied_gap_under_a_nonzero_cotangent_is_nan_and_zero_elsewhere():
    w = np.array([1.0, 1.0, 2.0])
    gap = w[None, :] - w[:, None]
    term = np.array([[5.0, 1.0, 1.0], [0.0, 5.0, 2.0], [3.0, 4.0, 5.0]])
    out = runtime.linalg_factor._over_gaps(term, gap)
    assert np.isnan(out[0, 1]) and out[1, 0] == 0.0 and np.all(np.diagonal(out) == 0.0)
    np.testing.assert_allclose(out[[0, 1, 2, 2], [2, 2, 0, 1]], [1.0, 2.0, -3.0, -4.0])


def einsum_broadcast_label(a, w):
    return np.sum(np.einsum("ij,j->i", a, w) ** 2)


def einsum_broadcast_label_ellipsis(a, w):
    return np.sum(np.einsum("...j,j->...", a, w) ** 2)


@pytest.mark.parametrize("fn", [einsum_broadcast_label, einsum_broadcast_label_ellipsis],
                         ids=lambda f: f.__name__)
def test_einsum_sums_back_a_size_one_axis_numpy_broadcast(fn):
    """numpy's einsum broadcasts a labelled axis of size 1 (jax's does not: no reference)."""
    args = (np.arange(12.0).reshape(3, 4) / 7 - 0.5, np.array([0.7]))
    grads = agc.differentiate(fn, wrt=("a", "w")).grad(*args)
    for k in range(2):
        np.testing.assert_allclose(grads[k], numeric_grad(fn, args, k), rtol=1e-6, atol=1e-9)
        assert grads[k].shape == args[k].shape
