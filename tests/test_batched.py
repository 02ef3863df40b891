"""Seeds swept at once (runtime/batched.py): each operation on a `Batched` gives what each
seed alone would give, or raises `NotBatchable`; jacfwd's one-JVP Jacobian equals the one
built column by column over a sample of the differential corpus (writes in place included).
"""

from __future__ import annotations

import copy

import agc
import numpy as np
import pytest
from agc.api import as_differentiated
from agc.functional import _hessian_in_one_hvp
from agc.jacobians import _jacobian_in_one_jvp, _jacobian_in_one_sweep, _stack_rows, vjp_rows
from agc.runtime.batched import Batched, NotBatchable
from differential.test_forward_corpus import OK, forward_result, refused
from differential.test_hvp_corpus import SCALAR, hvp_result
from test_jacobians import CASES as JACOBIAN_CASES

RNG = np.random.default_rng(5)
K = 3  # seeds in each batch


def _setitem(a, b):
    a = a * 1.0
    a[1:, 0] = b
    return a


def _add_at(a, b):
    a = a * 1.0
    np.add.at(a, np.array([0, 2, 0]), b)
    return a


def _fancy_setitem(a, b):
    a = a * 1.0
    a[np.array([0, 2, 0])] = b
    return a


def _iadd(a, b):
    a = a * 1.0
    a += b
    return a


# (function, the item shapes of its arguments, which arguments are batches)
CASES = [
    (np.matmul, [(3, 4), (4,)], [1, 0]), (np.matmul, [(4,), (4, 5)], [0, 1]),
    (np.matmul, [(2, 3, 4), (4, 5)], [0, 1]), (np.matmul, [(4,), (2, 4, 5)], [1, 1]),
    (np.matmul, [(3, 4), (2, 4, 5)], [1, 0]), (np.multiply, [(3,), (2, 3)], [1, 0]),
    (lambda a, b: np.tanh(a) - b, [(), (2, 3)], [1, 0]),
    (lambda a: np.sum(a, axis=-1, keepdims=True), [(2, 3)], [1]),
    (lambda a: np.sum(a), [(2, 3)], [1]), (lambda a: a.sum(0), [(2, 3)], [1]),
    (lambda a: a.T, [(2, 3)], [1]), (lambda a: a[..., None], [(2, 3)], [1]),
    (lambda a: a[1:, 0], [(2, 3)], [1]), (lambda a: np.reshape(a, (-1,)), [(2, 3)], [1]),
    (lambda a: np.moveaxis(a, 0, -1), [(2, 3, 4)], [1]),
    (lambda a: np.squeeze(a), [(2, 1, 3)], [1]),
    (lambda a: np.broadcast_to(a, (4, 2, 3)), [(2, 3)], [1]),
    (lambda a, b: np.stack([a, b], axis=-1), [(2, 3), (2, 3)], [1, 0]),
    (lambda a, b: np.concatenate([a, b], axis=-1), [(2, 3), (2, 3)], [1, 0]),
    (lambda a, b: np.where(b > 0, a, b), [(2, 3), (2, 3)], [1, 0]),
    (np.outer, [(2,), (3,)], [1, 0]), (np.dot, [(2, 3), (3,)], [1, 0]),
    (_setitem, [(3, 2), (2,)], [1, 0]), (_setitem, [(3, 2), ()], [1, 1]),
    (_fancy_setitem, [(3, 2), (2,)], [1, 1]), (_add_at, [(3, 2), (2,)], [1, 1]),
    (_add_at, [(3, 2), (3, 2)], [1, 0]), (_iadd, [(3, 2), (2,)], [1, 0]),
    (lambda a: a[np.array([2, 0, 2]), 1:], [(3, 2)], [1]),
    (lambda a: a[np.array([2, 0]), np.array([1, 0])], [(3, 2)], [1]),
    (lambda a: a[:, np.array([True, False])], [(3, 2)], [1]),
    (lambda a, b: np.einsum("ij,j->i", a, b), [(3, 2), (2,)], [0, 1]),
    (lambda a, b: np.einsum("ij,jk", a, b), [(3, 2), (2, 4)], [1, 1]),
    (lambda a: np.einsum("ii", a), [(3, 3)], [1]), (lambda a: np.tril(a, -1), [(3, 3)], [1]),
    (np.cumsum, [(3, 2)], [1]), (lambda a: np.cumsum(a, axis=-1), [(3, 2)], [1]),
    (lambda a: np.take_along_axis(a, np.array([[1], [0], [1]]), axis=1), [(3, 2)], [1]),
    (lambda a: np.flip(a, 1), [(3, 2)], [1]), (np.diagonal, [(3, 3)], [1]),
    (np.trace, [(3, 3)], [1]), (lambda a: np.pad(a, ((1, 0), (0, 2))), [(3, 2)], [1]),
    (np.linalg.solve, [(3, 3), (3,)], [0, 1]), (np.linalg.solve, [(3, 3), (3,)], [1, 0]),
    (np.linalg.solve, [(3, 3), (3, 2)], [1, 1]), (lambda a: a.mT, [(2, 3, 4)], [1]),
]


@pytest.mark.parametrize("fn, shapes, batched", CASES)
def test_an_operation_on_a_batch_is_the_operation_on_each_seed(fn, shapes, batched):
    values = [RNG.normal(size=((K,) if b else ()) + s) for s, b in zip(shapes, batched)]
    out = fn(*[Batched(v) if b else v for v, b in zip(values, batched)])
    assert isinstance(out, Batched) and len(out.data) == K
    for i in range(K):
        alone = fn(*[v[i] if b else v for v, b in zip(values, batched)])
        assert out.shape == np.shape(alone)
        np.testing.assert_allclose(out.data[i], alone, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("operation", [
    np.asarray, float, lambda a: np.add.reduce(a), lambda a: np.sort(a),
    lambda a: np.multiply(a, 2.0, out=np.empty((2, 3))),
    lambda a: a[np.array([0, 1]), 0:1, np.array([0, 1])],  # numpy would move these axes first
    lambda a: np.broadcast_to(a, (3,)),
])
def test_what_a_batch_cannot_answer_raises(operation):
    with pytest.raises((NotBatchable, ValueError)):
        operation(Batched(np.ones((3, 2, 3))))


def test_a_copy_is_written_apart():
    a = Batched(np.zeros((2, 3)))
    b = a.copy()
    b[0] = 1.0
    assert not a.data.any() and np.copy(a) is not a


def _sample():
    """Corpus entries forward mode accepts: a stride, and those writing into arrays."""
    writes = {"setitem_mask", "row_view_setitem", "copies", "write_base_read_view",
              "loop_variable_row_imul", "row_copy_then_write", "write_into_flatten_copy",
              "write_through_swapaxes_copy", "helper_normalizes_its_argument",
              "alias_setitem_from_other"}
    return [e for i, e in enumerate(OK) if i % 12 == 0 or e.name in writes]


@pytest.mark.parametrize("entry", _sample(), ids=lambda e: e.name)
def test_one_jvp_jacobian_equals_the_columns(entry):
    result = forward_result(entry)
    if refused(result):
        return  # forward_result checked that the refusal is positioned and names forward mode
    args = result[0]
    f = as_differentiated(entry.fn, entry.wrt)
    for position in entry.wrt_indices():
        x = args[position]
        if not (isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.size > 1):
            continue
        try:
            batch = _jacobian_in_one_jvp(f, copy.deepcopy(args), position)
        except agc.UnsupportedError:  # this argument alone moving: refused at its position
            continue
        if batch is None:
            continue  # an operation a batch does not define: jacfwd goes column by column
        for index in np.ndindex(x.shape):
            direction = np.zeros_like(x)
            direction[index] = 1.0
            tangents = tuple(direction if i == position else None for i in range(len(args)))
            column = f.jvp(*copy.deepcopy(args), tangents=tangents)[1]  # a fresh point each
            np.testing.assert_allclose(batch[(...,) + index], column, rtol=1e-10, atol=1e-12,
                                       err_msg=entry.name)


def test_jacfwd_of_a_loop_with_a_branch_is_one_jvp(monkeypatch):
    def fail(*args):
        raise AssertionError("jacfwd went column by column")

    monkeypatch.setattr(agc.jacobians, "_jacobian_by_columns", fail)
    x, a = RNG.normal(size=4), RNG.normal(size=(4, 4)) * 0.5
    np.testing.assert_allclose(agc.jacfwd(_rollout)(x, a), agc.jacrev(_rollout)(x, a),
                               rtol=1e-12, atol=1e-14)


def _rollout(x, a):
    """A loop with a branch taken by the data: the batch goes through both."""
    for step in range(3):
        x = np.sin(a @ x) + 0.1 * x
        if x[0] > 0:
            x = x * (0.9 - 0.1 * step)
    return x


def _gather(x, w):
    """A fancy index read twice (its adjoint scatters with add.at) and a sum."""
    y = np.tanh(w @ x)
    return y[np.array([0, 2, 0])] * np.sum(y)


@pytest.mark.parametrize("fn, args", JACOBIAN_CASES[:4] + [
    (_rollout, (RNG.normal(size=4), RNG.normal(size=(4, 4)) * 0.5)),
    (_gather, (RNG.normal(size=3), RNG.normal(size=(3, 3))))], ids=lambda v: getattr(
        v, "__name__", ""))
def test_one_sweep_jacobian_equals_the_rows(fn, args):
    """jacrev's backward sweep over the batch of all output seeds: each row as its own."""
    f = agc.differentiate(fn)
    rows_of = vjp_rows(f, args)
    batch = _jacobian_in_one_sweep(f, rows_of, args)
    assert batch is not None, "the sweep went one seed at a time"
    out, rows = rows_of(*f._bind(args, {}))
    np.testing.assert_allclose(batch, _stack_rows(np, out, rows, args, f), rtol=1e-12,
                               atol=1e-14)


def _one_float_array(entry) -> bool:
    """Whether the entry differentiates one argument, a float array of several elements."""
    if len(entry.wrt) != 1:
        return False
    x = entry.points()[0][entry.wrt_indices()[0]]
    return isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.size > 1


@pytest.mark.parametrize("entry", [e for e in SCALAR[::20] if _one_float_array(e)] +
                         [e for e in SCALAR if e.name == "max_of_vector"],
                         ids=lambda e: e.name)
def test_one_hvp_hessian_equals_its_rows(entry):
    """agc.hessian's one HVP along every direction at once against one HVP per direction
    (a piecewise-linear entry: zeros that never met the batch). Where the batch cannot run,
    agc.hessian's fallback (one HVP per element) must equal the rows instead."""
    result = hvp_result(entry)
    if refused(result):
        return  # hvp_result checked that the refusal is positioned and names the mode
    args, position = result[0], entry.wrt_indices()[0]
    x = args[position]
    f = agc.differentiate(entry.fn, wrt=entry.wrt)
    batch = _hessian_in_one_hvp(f, copy.deepcopy(args), position)
    if batch is None:  # an operation a batch does not define
        batch = agc.hessian(f)(*copy.deepcopy(args))
    for index in np.ndindex(x.shape):
        tangents = [None] * len(args)
        tangents[position] = np.zeros_like(x)
        tangents[position][index] = 1.0
        row = f.hvp(*copy.deepcopy(args), tangents=tangents)[1]
        np.testing.assert_allclose(batch[index], row, rtol=1e-10, atol=1e-12, err_msg=entry.name)
