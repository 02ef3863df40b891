"""Forward mode: agc.jvp, f.jvp, jacfwd, jacrev, jacobian's choice, `agc compile --mode`.

Values are checked against jax (float64 on CPU); the corpus-wide checks are in
tests/differential/test_forward_corpus.py.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import fast_calls
from agc.ir.prims import Prim
from agc.primitives import JVP_RULES

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(3)


def particle(x, step):
    """A while loop whose trip count depends on the data."""
    total = 0.0
    while np.sum(x * x) < 4.0:
        x = x * step + 0.1
        total = total + np.sum(np.sin(x))
    return x * total


def particle_jax(x, step):
    def trip(carry):
        x, total = carry
        x = x * step + 0.1
        return x, total + jnp.sum(jnp.sin(x))

    x, total = jax.lax.while_loop(lambda c: jnp.sum(c[0] * c[0]) < 4.0, trip, (x, 0.0))
    return x * total


def layer(x, w, b):
    h = np.tanh(w @ x + b)
    return np.maximum(h, 0.1) * np.exp(-x[0])


def layer_jax(x, w, b):
    h = jnp.tanh(w @ x + b)
    return jnp.maximum(h, 0.1) * jnp.exp(-x[0])


def running(x):
    out = np.zeros(4)
    acc = 0.0
    for i in range(4):
        acc = acc + x[i] ** 2
        if acc > 1.0:
            out[i] = acc
            break
        out[i] = np.cos(acc)
    return out


def running_jax(x):
    out = jnp.zeros(4)
    acc = 0.0
    for i in range(4):
        acc = acc + x[i] ** 2
        if acc > 1.0:
            return out.at[i].set(acc)
        out = out.at[i].set(jnp.cos(acc))
    return out


def params_tree(params, x):
    return np.sum(np.tanh(params["w"] * x) + params["b"])


def writes_a_copy(x):
    y = x + 1.0  # y's tangent is x's tangent itself, until y is written
    y[0] = 3.0
    return y * 2.0


def uses_svd(x):
    _, s, _ = np.linalg.svd(np.outer(x, x) + np.eye(3))
    return np.sum(s)


def test_jvp_matches_jax_through_a_data_dependent_while_loop():
    x, v = np.array([0.3, -0.2, 0.5]), RNG.normal(size=3)
    value, tangent = agc.jvp(particle, (x, 1.3), (v, None))
    want_value, want_tangent = jax.jvp(lambda x: particle_jax(x, 1.3), (x,), (v,))
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(tangent, want_tangent, rtol=1e-10)


@pytest.mark.parametrize("fn, ref, args", [
    (particle, particle_jax, (np.array([0.3, -0.2, 0.5]), 1.3)),
    (layer, layer_jax, (np.array([0.4, -0.7]), RNG.normal(size=(5, 2)), RNG.normal(size=5))),
    (running, running_jax, (np.array([0.5, 0.6, 0.7, 0.8]),)),
], ids=["while", "layer", "for_break"])
def test_jacfwd_equals_jacrev_equals_jax(fn, ref, args):
    forward = agc.jacfwd(fn)(*args)
    reverse = agc.jacrev(fn)(*args)
    expected = jax.jacfwd(lambda x: ref(x, *args[1:]))(args[0])
    np.testing.assert_allclose(forward, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(reverse, expected, rtol=1e-10, atol=1e-12)


def test_jacfwd_of_several_inputs():
    x, w, b = np.array([0.4, -0.7]), RNG.normal(size=(5, 2)), RNG.normal(size=5)
    jx, jw = agc.jacfwd(layer, wrt=("x", "w"))(x, w, b)
    ex, ew = jax.jacfwd(layer_jax, argnums=(0, 1))(x, w, b)
    np.testing.assert_allclose(jx, ex, rtol=1e-10)
    np.testing.assert_allclose(jw, ew, rtol=1e-10)


def test_jacobian_takes_forward_mode_for_few_inputs():
    f = agc.differentiate(layer)
    x, w, b = np.array([0.4, -0.7]), RNG.normal(size=(5, 2)), RNG.normal(size=5)
    jac = agc.jacobian(f)(x, w, b)  # 2 inputs, 5 outputs: two JVPs
    assert any(key[0] == "jvp" for key in f._compiled)
    assert not any(key[:1] != ("jvp",) for key in f._compiled)
    np.testing.assert_allclose(jac, jax.jacfwd(layer_jax)(x, w, b), rtol=1e-10)


def test_decorated_jvp_compiles_once():
    f = agc.differentiate(layer)
    x, w, b = np.array([0.4, -0.7]), RNG.normal(size=(5, 2)), RNG.normal(size=5)
    tangents = (np.ones(2), None, np.ones(5))
    first = f.jvp(x, w, b, tangents=tangents)
    compiled = dict(f._compiled)
    second = f.jvp(x, w, b, tangents=tangents)
    assert f._compiled == compiled and len(compiled) == 1
    np.testing.assert_array_equal(first[1], second[1])
    want = jax.jvp(lambda x, b: layer_jax(x, w, b), (x, b), (np.ones(2), np.ones(5)))[1]
    np.testing.assert_allclose(first[1], want, rtol=1e-10)


def _scaled_tanh(x, k):
    return np.tanh(k * x)


def test_decorated_jvp_takes_each_kind_of_argument_to_its_own_compiled_code():
    """The call's lookup (api._along) tells a vector from a matrix, a number from an array,
    and which tangents are given; each result is tanh's derivative as jax has it."""
    f = agc.differentiate(_scaled_tanh)
    vector, matrix = np.array([0.3, -1.2]), np.array([[0.5], [2.0]])
    for x, k, tangents in [(vector, 2.0, (vector, None)), (matrix, 2.0, (matrix, None)),
                           (0.7, 2.0, (1.0, None)), (vector, 2, (None, 0.5)),
                           (np.float64(0.7), 2.0, (1.0, None)), (vector, 2.0, (vector, 1.5)),
                           (vector, 2.0, [vector])]:
        dots = tuple(t if t is not None else 0.0 * np.asarray(a) for a, t in
                     zip((x, k), tuple(tangents) + (None,)))
        want = jax.jvp(lambda x, k: jnp.tanh(k * x), (jnp.asarray(x, float),
                                                      jnp.asarray(k, float)), dots)
        value, tangent = f.jvp(x, k, tangents=tangents)
        np.testing.assert_allclose(value, want[0], rtol=1e-12)
        np.testing.assert_allclose(tangent, want[1], rtol=1e-12)
    assert len(f._calls) == len(f._compiled) == 6  # the list of tangents: the first call's


def test_the_short_path_of_jvp_finds_what_the_general_one_compiled():
    """f.jvp's short path (fast_calls.short_along) writes out the general path's key
    (mapped_key): one entry serves calls by position and by name, and a call with one
    tangent too many is refused, never run with the extra one dropped."""
    f = agc.differentiate(_scaled_tanh)
    x, k = np.array([0.3, -1.2]), np.array([2.0, 0.5])
    _, by_name = f.jvp(x=x, k=k, tangents=(x, None))  # compiled by the general path
    _, by_position = f.jvp(x, k, tangents=(x, None))  # found by the short one
    np.testing.assert_allclose(by_position, k * (1.0 - np.tanh(k * x) ** 2) * x, rtol=1e-12)
    np.testing.assert_array_equal(by_name, by_position)
    assert list(f._calls) == [fast_calls.mapped_key("jvp", (x, k), (x, None))]
    assert len(f._compiled) == 1
    with pytest.raises(agc.UsageError, match="2 arguments but 3 tangents"):
        f.jvp(x, k, tangents=(x, None, None))
    assert "jax.jvp" in f.jvp.__doc__


def test_jvp_of_a_dict_of_parameters():
    params = {"w": RNG.normal(size=3), "b": 0.5}
    x = RNG.normal(size=3)
    tangent = {"w": RNG.normal(size=3), "b": 0.25}
    _, out = agc.jvp(params_tree, (params, x), (tangent, None))
    ref = jax.jvp(lambda p: jnp.sum(jnp.tanh(p["w"] * x) + p["b"]), (params,), (tangent,))
    np.testing.assert_allclose(out, ref[1], rtol=1e-12)


def test_float32_tangent_stays_float32():
    x = np.array([0.3, -0.2, 0.5], dtype=np.float32)
    value, tangent = agc.jvp(layer, (x[:2], np.ones((5, 2), np.float32), np.ones(5, np.float32)),
                             (np.ones(2, np.float32), None, None))
    assert value.dtype == np.float32 and tangent.dtype == np.float32


def test_a_write_never_changes_the_callers_tangent():
    x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0])
    _, tangent = agc.jvp(writes_a_copy, (x.copy(),), (v,))
    np.testing.assert_array_equal(tangent, [0.0, 2.0, 2.0])
    np.testing.assert_array_equal(v, [1.0, 1.0, 1.0])


def test_a_primitive_without_a_tangent_rule_is_refused_with_its_position(monkeypatch):
    monkeypatch.delitem(JVP_RULES, Prim.SVD)  # every primitive has one today
    with pytest.raises(agc.UnsupportedError) as info:
        agc.jvp(uses_svd, (np.ones(3),), (np.ones(3),))
    err = info.value
    assert err.message == "forward mode does not support np.linalg.svd yet"
    assert err.hint == "use reverse mode: agc.grad / agc.jacrev"
    assert err.loc.line == uses_svd.__code__.co_firstlineno + 1
    assert "^" in str(err)


def wide_svd(a):
    _u, s, vh = np.linalg.svd(a)  # full_matrices=True: U's last columns are not unique
    return np.sum(s) + np.sum(vh[:2] ** 2)


def test_svd_tangents_where_they_are_defined():
    x, v = np.array([0.3, -0.2, 0.5]), np.array([1.0, 0.5, 0.4])
    want = jax.jvp(lambda x: jnp.sum(jnp.linalg.svd(jnp.outer(x, x) + jnp.eye(3),
                                                    compute_uv=False)), (x,), (v,))[1]
    np.testing.assert_allclose(agc.jvp(uses_svd, (x,), (v,))[1], want, rtol=1e-10)
    with pytest.raises(ValueError, match="full_matrices=False only") as info:
        agc.jvp(wide_svd, (RNG.normal(size=(2, 3)),), (RNG.normal(size=(2, 3)),))
    assert "in wide_svd: _u, s, vh = np.linalg.svd(a)" in info.value.__notes__[0]


def test_emitted_jvp_reads_like_hand_written_code():
    f = agc.differentiate(running)
    f.jvp(np.ones(4), tangents=(np.ones(4),))
    source = next(c.source for key, c in f._compiled.items() if key[0] == "jvp")
    assert "def running_jvp(x, x_dot):" in source
    assert "acc_dot = acc_dot + x_dot[i] * (2 * x[i])" in source or "acc_dot" in source
    assert "copy_of" not in source  # out_dot is made here: written in place, never copied
    assert "tape" not in source


def test_cli_compile_mode_forward(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("import numpy as np\n\n\ndef f(x, w):\n    return np.sum(np.tanh(x * w))\n")
    out = tmp_path / "f_jvp.py"
    subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model), "--function", "f", "--wrt", "x,w",
                    "--mode", "forward", "-o", str(out)], check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location("f_jvp_module", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x, w, vx, vw = (RNG.normal(size=3) for _ in range(4))
    _, tangent = module.f_jvp(x, w, vx, vw)
    want = jax.jvp(lambda x, w: jnp.sum(jnp.tanh(x * w)), (x, w), (vx, vw))
    np.testing.assert_allclose(tangent, want[1], rtol=1e-12)
    both = subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model), "--function",
                           "f", "--mode", "both"], check=True, capture_output=True, text=True)
    assert "def f_grad(" in both.stdout and "def f_jvp(" in both.stdout


# Differentiable primitives without a JVP rule: none but CALL.
WITHOUT_JVP = {"CALL"}


def test_which_primitives_have_tangent_rules():
    missing = {p.name for p in Prim if p.differentiable and p not in JVP_RULES}
    assert missing == WITHOUT_JVP  # CALL is no rule: ad/forward.py calls the helper's h_jvp


def break_defines_the_result(x):
    result = None
    s = 0.0
    for i in range(4):
        s = s + x[i]
        if s > 0.5:
            result = s * x[0]
            break
    if result is None:
        result = s ** 2
    return result


def integer_results(x):
    n = np.full(3, x[0] * 4, dtype=np.int64)  # integers: no tangent
    return np.sum(n * x) + np.sum(np.linspace(x[0], x[1], 3, dtype=np.int64))


@pytest.mark.parametrize("x", [np.array([0.2, 0.4, 0.1, 0.3]), np.array([0.1, 0.1, 0.1, 0.1])],
                         ids=["breaks", "runs_out"])
def test_a_tangent_defined_before_a_break_reaches_the_loop_exit(x):
    """Regression: the tangent of `result`, set just before `break`, was lost at the exit."""
    v = np.array([1.0, -2.0, 0.5, 3.0])
    _, tangent = agc.jvp(break_defines_the_result, (x,), (v,))
    s = np.cumsum(x)
    hit = np.nonzero(s > 0.5)[0]
    if hit.size:
        k = hit[0]
        expected = np.sum(v[:k + 1]) * x[0] + s[k] * v[0]
    else:
        expected = 2 * s[-1] * np.sum(v)
    assert tangent == pytest.approx(expected, rel=1e-12)


def test_integer_results_carry_no_tangent():
    """Regression: np.full / np.linspace with an integer dtype passed integer tangents on."""
    x, v = np.array([0.3, 0.6, 0.2]), np.array([1.0, 1.0, 1.0])
    _, tangent = agc.jvp(integer_results, (x,), (v,))
    assert tangent == pytest.approx(np.sum(np.full(3, 1) * v))


class Scaled:
    def __init__(self):
        self.k = 2.0

    def loss(self, x):
        return self.k * np.sum(np.sin(x))


def test_bound_methods_are_refused_by_forward_mode_and_take_reverse_mode_for_jacobians():
    model, x = Scaled(), np.array([0.1, 0.2])
    with pytest.raises(agc.UsageError, match="bound methods"):
        agc.jvp(model.loss, (x,), (np.ones(2),))
    np.testing.assert_allclose(agc.jacobian(model.loss)(x), 2.0 * np.cos(x), rtol=1e-12)

