"""Shape classes (compiler/ad/shape_classes.py): an elementwise operand known to have its
output's shape gets the cotangent as it is, without `rt.unbroadcast`.

RK4 through a helper made about 30 `rt.unbroadcast` calls and 10 `rt.kept_shape` per step;
the caller's same-shape chains (`k1 + 2.0 * k2 + ...`, each stage's value a broadcast of
the helper's arguments) now need none. Where a shape may differ (a loop that grows `x`
from (1,) to p's shape trip by trip, branches giving different shapes, a loop that
concatenates) the summing stays: those gradients are checked against jax and central
differences with broadcasting arguments, in float64 and float32.
"""

from __future__ import annotations

import sys
from pathlib import Path

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import ir
from agc.ad.shape_classes import helper_summaries, shaped_operands
from agc.ir.prims import Prim

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from workloads import loops

jax.config.update("jax_enable_x64", True)


def _body(source: str, name: str) -> str:
    """The text of one emitted function."""
    start = source.index(f"def {name}(")
    end = source.find("\ndef ", start + 1)
    return source[start:] if end < 0 else source[start:end]


def rk4_jax(x, p, n):
    h = 0.01

    def f(x):
        return -p * jnp.sin(x) + 0.1 * x
    for _ in range(n):
        k1 = f(x)
        k2 = f(x + 0.5 * h * k1)
        k3 = f(x + 0.5 * h * k2)
        k4 = f(x + h * k3)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return jnp.sum(x * x)


def test_rk4_emits_the_plain_operations():
    f = agc.differentiate(loops.rk4, wrt=("x", "p"))
    x, p = np.ones(8), np.ones(8)
    source = f.gradient_source_for(x, p, 3)
    caller = _body(source, "rk4_grad")
    assert "kept_shape" not in caller
    # what remains is x's own: its shape may change from trip to trip (x of (1,), p of (8,))
    assert caller.count("rt.unbroadcast(") == 4
    assert all(line.endswith(", x)") for line in caller.splitlines() if "unbroadcast(" in line)
    bwd = _body(source, "rhs_bwd")
    assert "t3_bar = t5_bar" in bwd  # -p * sin(x) has the shape of the helper's value


@pytest.mark.parametrize("shapes", [((6,), (6,)), ((1,), (5,)), ((5,), (1,)), ((3, 1), (4,))])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rk4_against_jax(shapes, dtype):
    rng = np.random.default_rng(1)
    x, p = rng.normal(size=shapes[0]).astype(dtype), rng.normal(size=shapes[1]).astype(dtype)
    gx, gp = agc.differentiate(loops.rk4, wrt=("x", "p")).grad(x, p, 5)
    ex, ep = jax.grad(rk4_jax, argnums=(0, 1))(x.astype(np.float64), p.astype(np.float64), 5)
    assert gx.shape == x.shape and gp.shape == p.shape and gx.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(gx, ex, rtol=tol, atol=tol)
    np.testing.assert_allclose(gp, ep, rtol=tol, atol=tol)


def chain(x, w):
    y = np.sin(x) * np.cos(x) + x
    z = y * w + np.exp(-y)
    return np.sum(z)


def test_same_shape_chain_needs_no_summing():
    source = agc.differentiate(chain, wrt=("x", "w")).gradient_source_for(np.ones(4), np.ones(4))
    body = _body(source, "chain_grad")
    # y's chain is all x's shape; z = y * w + exp(-y) may broadcast y against w: y, w and
    # exp(-y) keep theirs
    assert body.count("rt.unbroadcast(") == 3, body
    assert "t3_bar = y_bar\n    x_bar = y_bar\n" in body


def branches(x, p, flag):
    if flag > 0:
        y = x * 2.0
    else:
        y = x + p
    z = y * x + y
    return np.sum(z * p)


def branches_jax(x, p, flag):
    y = x * 2.0 if flag > 0 else x + p
    return jnp.sum((y * x + y) * p)


def grows(x, w):
    y = x
    s = 0.0
    for i in range(3):
        t = y * w
        y = np.concatenate([y, y])
        s = s + np.sum(t * t) + np.sum(y * y)
    return s


def grows_jax(x, w):
    y = x
    s = 0.0
    for _ in range(3):
        t = y * w
        y = jnp.concatenate([y, y])
        s = s + jnp.sum(t * t) + jnp.sum(y * y)
    return s


def widens(x, w, n):
    y = x * 1.0
    k = 0
    while k < n:
        y = y * 0.5 + w
        k = k + 1
    return np.sum(y * y)


def widens_jax(x, w, n):
    y = x * 1.0
    for _ in range(n):
        y = y * 0.5 + w
    return jnp.sum(y * y)


def breaks(x, w):
    y = x * 1.0
    for i in range(4):
        if i == 2:
            break
        y = y * w + 1.0
    return np.sum(y * w)


def breaks_jax(x, w):
    y = x * 1.0
    for _ in range(2):
        y = y * w + 1.0
    return jnp.sum(y * w)


CASES = [
    (branches, branches_jax, ((1,), (4,)), (-1.0,)),
    (branches, branches_jax, ((1,), (4,)), (1.0,)),
    (branches, branches_jax, ((4,), (1,)), (-1.0,)),
    (grows, grows_jax, ((2,), (1,)), ()),
    (grows, grows_jax, ((1,), ()), ()),
    (widens, widens_jax, ((1,), (3,)), (3,)),
    (widens, widens_jax, ((3,), (3,)), (0,)),
    (breaks, breaks_jax, ((1,), (3,)), ()),
]


@pytest.mark.parametrize(("model", "reference", "shapes", "rest"), CASES)
def test_shapes_that_may_differ_keep_their_sums(model, reference, shapes, rest):
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    wrt = tuple(model.__code__.co_varnames[:2])
    gx, gw = agc.differentiate(model, wrt=wrt).grad(x, w, *rest)
    ex, ew = jax.grad(reference, argnums=(0, 1))(x, w, *rest)
    np.testing.assert_allclose(gx, ex, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw, ew, rtol=1e-12, atol=1e-12)


def _fn(stmts, params=("x", "p")):
    return ir.Function("h", tuple(ir.Param(n) for n in params), tuple(stmts))


def test_helper_summaries():
    x, p, t, u = (ir.Var(n) for n in "xptu")
    mul = ir.Assign(t, Prim.MUL, (p, x))
    add = ir.Assign(u, Prim.ADD, (t, ir.Const(0.1)))
    summed = ir.Assign(u, Prim.SUM, (t,))
    found = helper_summaries({("m", "elementwise"): _fn([mul, add, ir.Return((u,))]),
                              ("m", "reduces"): _fn([mul, summed, ir.Return((u,))]),
                              ("m", "pair"): _fn([mul, ir.Return((t, x))])})
    assert found == {("m", "elementwise"): (0, 1)}


def test_operands_of_a_known_class():
    x, p, t, u = (ir.Var(n) for n in "xptu")
    mul = ir.Assign(t, Prim.MUL, (p, x))
    add = ir.Assign(u, Prim.ADD, (t, x))
    fn = _fn([mul, add, ir.Return((u,))])
    shaped = shaped_operands(fn, {}, {"x": 1, "p": 1}, set())
    assert id(mul) not in shaped and shaped[id(add)] == {0}
    assert shaped_operands(fn, {}, {"x": 1, "p": 0}, set())[id(mul)] == {1}


def relax(x, w):
    y = np.zeros_like(x)
    for i in range(3):
        y = y + 0.1 * (x - y)
    return np.sum(y * w)


def relax_jax(x, w):
    y = jnp.zeros_like(x)
    for _ in range(3):
        y = y + 0.1 * (x - y)
    return jnp.sum(y * w)


def test_a_loop_of_one_shape_keeps_no_shapes():
    source = agc.differentiate(relax, wrt=("x", "w")).gradient_source_for(np.ones(3), np.ones(3))
    body = _body(source, "relax_grad")
    # y = zeros_like(x) and every trip keeps x's shape: only y * w (y against w) sums
    assert "kept_shape" not in body and body.count("rt.unbroadcast(") == 2, body
    for shapes in (((3,), (3,)), ((1,), (3,)), ((3,), (1,))):
        x, w = (np.random.default_rng(3).normal(size=s) for s in shapes)
        got = agc.differentiate(relax, wrt=("x", "w")).grad(x, w)
        for a, b in zip(got, jax.grad(relax_jax, argnums=(0, 1))(x, w), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
