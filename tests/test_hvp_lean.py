"""The emitted HVP does no work it need not (benchmarks/higher_order.py's targets): the
output's value is not computed for a seed of one, a value both sweeps need is computed
once (ad/common.py), and the functional forms do their lookups once. Values against jax."""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
from agc import ir
from agc.ad.common import share_common
from agc.ad.forward import Tangent
from agc.compiling import compile_hvp
from agc.ir.prims import Prim

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(3)


def mlp_loss(x, A, B):
    h = np.tanh(A @ x)
    return np.sum(np.tanh(B @ h) ** 2) + 0.1 * np.sum(x ** 4)


def mlp_loss_jax(x, A, B):
    h = jnp.tanh(A @ x)
    return jnp.sum(jnp.tanh(B @ h) ** 2) + 0.1 * jnp.sum(x ** 4)


def test_the_hvp_computes_each_tanh_derivative_once_and_no_value():
    source = compile_hvp(mlp_loss, ("x",), (1, 2, 2)).source
    assert source.count("1.0 - h * h") == 1 and source.count("1.0 - t3 * t3") == 1
    assert "out_bar = 1.0" in source and "rt.seed" not in source and "0.1 * xp.sum" not in source
    x, A, B, v = RNG.normal(size=3), RNG.normal(size=(4, 3)), RNG.normal(size=(2, 4)), \
        RNG.normal(size=3)
    got = agc.hvp(mlp_loss)(x, A, B, v)
    want = jax.jvp(jax.grad(mlp_loss_jax), (x, A, B), (v, 0 * A, 0 * B))[1]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    x32, v32 = x.astype(np.float32), v.astype(np.float32)
    assert agc.hvp(mlp_loss)(x32, A.astype(np.float32), B.astype(np.float32), v32).dtype \
        == np.float32


def _tangent(body: list) -> Tangent:
    fn = ir.Function("f", (ir.Param("a"),), tuple(body))
    return Tangent(fn, ("a",), body, (ir.Var("r"),), (ir.Var("r"),), {"a": "a_dot"})


def _square(target: str, of: str = "a") -> ir.Assign:
    return ir.Assign(ir.Var(target), Prim.MUL, (ir.Var(of), ir.Var(of)))


def test_a_repeated_value_is_read_from_the_first():
    body = [_square("o"), _square("d"), ir.Assign(ir.Var("r"), Prim.ADD, (ir.Var("o"), ir.Var("d"))),
            ir.Return((ir.Var("r"),))]
    shared = share_common(_tangent(body))
    assert [s.target.name for s in shared.body[:-1]] == ["o", "r"]
    assert shared.body[1].args == (ir.Var("o"), ir.Var("o"))


def test_a_copy_read_from_a_previous_trip_or_after_a_write_is_kept():
    loop = ir.For(ir.Var("i"), ir.Const(0), ir.Const(3), ir.Const(1), (
        _square("o"), ir.Assign(ir.Var("p"), Prim.ADD, (ir.Var("d"), ir.Const(1.0))),
        _square("d")))
    rebound = [_square("o", "b"), ir.Assign(ir.Var("b"), Prim.NEG, (ir.Var("a"),)),
               _square("e", "b")]
    for body in ([loop], rebound):
        body = body + [ir.Assign(ir.Var("r"), Prim.ADD, (ir.Var("o"), ir.Var("o"))),
                       ir.Return((ir.Var("r"),))]
        assert share_common(_tangent(body)).body == body


def test_an_integer_and_a_float_constant_are_different_values():
    body = [ir.Assign(ir.Var("o"), Prim.MUL, (ir.Const(2), ir.Var("a"))),
            ir.Assign(ir.Var("d"), Prim.MUL, (ir.Const(2.0), ir.Var("a"))),
            ir.Assign(ir.Var("r"), Prim.ADD, (ir.Var("o"), ir.Var("d"))), ir.Return((ir.Var("r"),))]
    assert share_common(_tangent(body)).body == body


def test_f_jvp_takes_its_tangents_by_position_where_it_can():
    f = agc.differentiate(mlp_loss)
    x, A, B = RNG.normal(size=3), RNG.normal(size=(4, 3)), RNG.normal(size=(2, 4))
    value, tangent = f.jvp(x, A, B, tangents=(x, None, None))
    (compiled,) = f._compiled.values()
    assert compiled.by_position
    want = jax.jvp(lambda x: mlp_loss_jax(x, A, B), (x,), (x,))
    np.testing.assert_allclose((value, tangent), want, rtol=1e-12)

    def scaled(x, k=2.0):
        return np.sum(k * x ** 3)

    g = agc.differentiate(scaled)  # after a default, the emitted tangent is keyword-only
    np.testing.assert_allclose(g.jvp(x, tangents=[x])[1], np.sum(6.0 * x ** 3), rtol=1e-12)
    assert not next(iter(g._compiled.values())).by_position
