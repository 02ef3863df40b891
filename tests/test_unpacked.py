"""`h, c = cell(...)`: the unpacked value's cotangent in one step (backend/unpacked.py).

Where every item of a value unpacked whole sends a cotangent, the backward sweep writes
`t_bar = rt.unpacked_grad(t, h_bar, c_bar)` instead of a scatter per item and their sum:
the tuple of the items' cotangents for a tuple, the scatters' sum otherwise. Gradients
are compared with jax (float64).
"""

from __future__ import annotations

import os

import agc
import numpy as np
import pytest
from agc import ir
from agc.backend.unpacked import unpack_whole
from agc.ir.prims import Prim

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)

MODEL = '''
import numpy as np


def cell(x, w):
    return np.tanh(x * w), x * 2.0


def loss(x, w):
    total = 0.0
    for i in range(3):
        h, c = cell(x, w)
        x = h + c * 0.1
        total = total + np.sum(x * h)
    return total


def rows(a, w):
    p, q = a * w
    return np.sum(p * q)


def first_only(x, w):
    h, c = cell(x, w)
    return np.sum(h)
'''


def _jax_loss(x, w):
    total = 0.0
    for _ in range(3):
        h, c = jnp.tanh(x * w), x * 2.0
        x = h + c * 0.1
        total = total + jnp.sum(x * h)
    return total


def _lines(source: str, function: str) -> list[str]:
    body = source.split(f"def {function}(")[1].split("\ndef ")[0]
    return [line.strip() for line in body.splitlines() if not line.strip().startswith("#")]


def test_a_helpers_pair_gets_its_cotangent_as_a_pair(load_model, rng):
    module = load_model(MODEL)
    f = agc.differentiate(module.loss, wrt=("x", "w"))
    x, w = rng.standard_normal(4), rng.standard_normal(4)
    expected = jax.grad(_jax_loss, argnums=(0, 1))(x, w)
    for got, want in zip(f.grad(x, w), expected):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-12, atol=1e-12)
    code = _lines(f.gradient_source, "loss_value_and_grad")
    fused = [line for line in code if "rt.unpacked_grad(" in line]
    assert len(fused) == 1 and fused[0].endswith(", h_bar, c_bar)"), fused  # items in order
    assert not [line for line in code if "rt.getitem_grad(" in line], code


def test_an_array_unpacked_by_rows_adds_its_rows_in_place(load_model, rng):
    """`p, q = a * w` unpacks a (2, 3) array: its adjoint is an array agc owns, and the
    second row is added into it (rt.add_at), not fused into a tuple."""
    module = load_model(MODEL)
    f = agc.differentiate(module.rows, wrt=("a", "w"))
    a, w = rng.standard_normal((2, 3)), rng.standard_normal(3)

    def reference(a, w):
        p, q = a * w
        return jnp.sum(p * q)

    for got, want in zip(f.grad(a, w), jax.grad(reference, argnums=(0, 1))(a, w)):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-12, atol=1e-12)
    assert "rt.unpacked_grad(" not in f.gradient_source and "rt.add_at(" in f.gradient_source


def test_one_item_read_keeps_its_scatter(load_model, rng):
    """Only h sends a cotangent: c's is the zero stand-in getitem_grad makes."""
    module = load_model(MODEL)
    f = agc.differentiate(module.first_only, wrt=("x", "w"))
    x, w = rng.standard_normal(4), rng.standard_normal(4)
    got = f.grad(x, w)
    want = jax.grad(lambda x, w: jnp.sum(jnp.tanh(x * w)), argnums=(0, 1))(x, w)
    for g, e in zip(got, want):
        np.testing.assert_allclose(g, np.asarray(e), rtol=1e-12, atol=1e-12)
    assert "rt.unpacked_grad(" not in f.gradient_source


@pytest.mark.parametrize("x", [(np.ones(2), np.ones(3)), [np.ones(2), np.ones(3)],
                               np.ones((2, 3)), (np.ones(2), np.ones(3), 1.0)],
                         ids=["tuple", "list", "array", "longer tuple"])
def test_unpacked_grad_is_the_sum_of_the_item_scatters(x):
    rt = agc.runtime
    g0, g1 = np.full(np.shape(x[0]), 2.0), np.full(np.shape(x[1]), -3.0)
    got = rt.unpacked_grad(x, g0, g1)
    want = rt.add(rt.getitem_grad(g0, x, 0), rt.getitem_grad(g1, x, 1))
    if isinstance(want, dict):
        assert got.keys() == want.keys()
        got, want = [got[k] for k in sorted(got)], [want[k] for k in sorted(want)]
    assert type(got) is type(want) or isinstance(x, tuple)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    if isinstance(x, tuple) and len(x) == 2:
        assert got[0] is g0 and got[1] is g1  # the pair itself: no pass over the arrays


def _chain(between=()):
    """t_bar = getitem_grad(c_bar, t, 1); [between]; t_bar = add(t_bar, getitem_grad(h_bar, t, 0))."""
    def var(n):
        return ir.Var(n)

    at = ir.Params.of(index=ir.Index.at(1))
    return [ir.Assign(var("x1"), Prim.GETITEM_GRAD, (var("c_bar"), var("t"), ir.Const(1)), at),
            ir.Assign(var("t_bar"), Prim.COPY, (var("x1"),)),
            *between,
            ir.Assign(var("x2"), Prim.GETITEM_GRAD, (var("h_bar"), var("t"), ir.Const(0)), at),
            ir.Assign(var("t_bar"), Prim.ADD_ANY, (var("t_bar"), var("x2")))]


def test_the_chain_is_fused_only_where_its_operands_keep_their_values():
    [fused] = unpack_whole([_chain()], {"x1", "x2"})
    assert [(s.prim, [a.name for a in s.args]) for s in fused] == \
        [(Prim.UNPACKED_GRAD, ["t", "h_bar", "c_bar"])]
    # c_bar rebound after its scatter, the tuple rebound, t_bar read between: kept as is
    for stmt in (ir.Assign(ir.Var("c_bar"), Prim.NEG, (ir.Var("c_bar"),)),
                 ir.Assign(ir.Var("t"), Prim.COPY, (ir.Var("u"),)),
                 ir.Assign(ir.Var("y"), Prim.COPY, (ir.Var("t_bar"),))):
        block = _chain([stmt])
        assert unpack_whole([block], {"x1", "x2"}) == [block]
    # h_bar rebound before its scatter reads it: fused, reading the new h_bar at the end
    block = _chain([ir.Assign(ir.Var("h_bar"), Prim.NEG, (ir.Var("h_bar"),))])
    assert [s.prim for s in unpack_whole([block], {"x1", "x2"})[0]] == \
        [Prim.NEG, Prim.UNPACKED_GRAD]
