"""`wrt` paths into a parameter tree: `wrt=("params/fc",)` freezes the rest of the tree.

Gradients against jax.grad of the whole tree (the named subtree of it), the emitted
source (no adjoint work for the frozen parameters, also inside helpers), list
indices and several paths, the errors for paths that name nothing, and one-line
updates of the head with agc.optim.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc.runtime import complete_paths

jax.config.update("jax_enable_x64", True)


def layer(p, h):
    return np.tanh(h @ p["w"] + p["b"])


def forward(params, x):
    h = layer(params["body"], x)
    return h @ params["fc"]["w"] + params["fc"]["b"]


@agc.differentiate(wrt="params/fc")
def head_loss(params, x, y):
    err = forward(params, x) - y  # the whole tree goes into a helper
    return np.mean(err * err)


@agc.differentiate(wrt=("params/layers/1", "params/fc/b"))
def listed_loss(params, x):
    h = x
    for i in range(2):
        h = np.tanh(h @ params["layers"][i]["w"])
    return np.sum((h @ params["fc"]["w"] + params["fc"]["b"]) ** 2)


def jax_loss(params, x, y):
    h = jnp.tanh(x @ params["body"]["w"] + params["body"]["b"])
    err = h @ params["fc"]["w"] + params["fc"]["b"] - y
    return jnp.mean(err * err)


def jax_listed(params, x):
    h = x
    for i in range(2):
        h = jnp.tanh(h @ params["layers"][i]["w"])
    return jnp.sum((h @ params["fc"]["w"] + params["fc"]["b"]) ** 2)


def _params(dtype=np.float64):
    rng = np.random.default_rng(0)
    tree = {"body": {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4)},
            "fc": {"w": rng.normal(size=(4, 2)), "b": rng.normal(size=2)},
            "layers": [{"w": rng.normal(size=(3, 3))}, {"w": rng.normal(size=(3, 4))}]}
    data = (rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))
    return jax.tree_util.tree_map(lambda a: a.astype(dtype), (tree, *data))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_gradient_of_the_head_is_jaxs_for_that_subtree(dtype):
    params, x, y = _params(dtype)
    value, grads = head_loss.value_and_grad(params, x, y)
    want = jax.grad(jax_loss)(params, x, y)["fc"]
    assert set(grads) == {"w", "b"}
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for name in ("w", "b"):
        assert grads[name].dtype == dtype
        np.testing.assert_allclose(grads[name], want[name], rtol=tol * 10, atol=tol)
    np.testing.assert_allclose(value, jax_loss(params, x, y), rtol=tol * 10)


def test_list_indices_and_several_paths():
    params, x, _ = _params()
    layer1, fc_b = listed_loss.grad(params, x)
    want = jax.grad(jax_listed)(params, x)
    np.testing.assert_allclose(layer1["w"], want["layers"][1]["w"], rtol=1e-12)
    np.testing.assert_allclose(fc_b, want["fc"]["b"], rtol=1e-12)
    # the same through agc.grad, naming a leaf and a whole parameter besides a path
    got = agc.grad(listed_loss.fn, wrt=("params/layers/0/w", "x"))(params, x)
    np.testing.assert_allclose(got[0], want["layers"][0]["w"], rtol=1e-12)
    np.testing.assert_allclose(got[1], jax.grad(jax_listed, argnums=1)(params, x), rtol=1e-12)


def test_no_adjoint_work_for_the_frozen_part_in_the_emitted_source():
    params, x, y = _params()
    head_loss.grad(params, x, y)
    source = next(c.source for c in head_loss._compiled.values())
    backward = source.split("def forward_bwd")[1].split("\ndef ")[0]
    assert "rt.index['fc']" in backward
    assert "index['body']" not in backward and "layer_bwd" not in backward
    # the body's layer is never differentiated: its adjoint (emitted, never called) is empty
    assert source.split("def layer_bwd")[1].split('"""')[2].strip() == "return (None, None)"
    assert "rt.complete_paths(params_bar, params, (('fc',),))" in source


def test_a_helper_shared_by_frozen_and_trained_layers_differentiates_only_the_trained():
    @agc.differentiate(wrt="params/fc")
    def two_layers(params, x):
        return np.sum(layer(params["fc"], layer(params["body"], x)))

    params, x, _ = _params()
    params["fc"]["w"] = params["fc"]["w"][:, :2]
    got = two_layers.grad(params, x)
    want = agc.grad(two_layers.fn, wrt="params")(params, x)["fc"]
    np.testing.assert_allclose(got["w"], want["w"], rtol=1e-12)
    source = next(c.source for c in two_layers._compiled.values())
    assert "Computed for (p) only" in source  # no cotangent of h: the input is frozen


@pytest.mark.parametrize("wrt,message", [
    ("params/zz", r"params has no key 'zz'; its keys are 'body', 'fc', 'layers'"),
    ("params/layers/2", r"params/layers is a list of 2 items; '2' is not an index"),
    ("params/fc/w/0", r"params/fc/w is not a dict, list or tuple \(it is ndarray\)"),
    ("params//fc", r"non-empty steps separated by '/'"),
    ("p/fc", r"has no parameter 'p/fc'; its parameters are params, x, y"),
])
def test_a_path_that_names_nothing_is_refused_naming_what_is_there(wrt, message):
    params, x, y = _params()
    with pytest.raises(agc.UsageError, match=message):
        agc.grad(head_loss.fn, wrt=wrt)(params, x, y)


def test_one_line_update_of_the_head_with_agc_optim():
    params, x, y = _params()
    body_w, fc_w = params["body"]["w"].copy(), params["fc"]["w"].copy()
    opt = agc.optim.SGD(lr=0.1, momentum=0.9)
    grads = head_loss.grad(params, x, y)
    opt.step(params["fc"], grads)
    np.testing.assert_array_equal(params["body"]["w"], body_w)
    np.testing.assert_allclose(params["fc"]["w"], fc_w - 0.1 * grads["w"], rtol=1e-14)


def test_complete_paths_fills_a_subtree_no_cotangent_reached():
    like = {"a": {"w": np.ones(2), "b": np.ones(3)}, "c": [np.ones(1), np.ones(2)]}
    out = complete_paths({"a": {"w": np.full(2, 5.0)}}, like, (("a",), ("c", 1)))
    np.testing.assert_array_equal(out["a"]["w"], [5.0, 5.0])
    np.testing.assert_array_equal(out["a"]["b"], np.zeros(3))
    np.testing.assert_array_equal(out["c"][1], np.zeros(2))
    assert set(out) == {"a", "c"} and set(out["c"]) == {1}


def test_only_the_named_part_must_hold_floats():
    """An integer leaf of the frozen part (a count, a mask) is fine; one in the head is not."""
    params, x, y = _params()
    want = jax.grad(jax_loss)(params, x, y)["fc"]["b"]
    params["body"]["steps"] = np.arange(3)
    np.testing.assert_allclose(head_loss.grad(params, x, y)["b"], want, rtol=1e-12)
    params["fc"]["b"] = np.array([1, 2])
    with pytest.raises(TypeError, match=r"params\['fc'\]\['b'\]: it is an integer"):
        head_loss.grad(params, x, y)


def test_paths_are_refused_where_only_whole_parameters_make_sense():
    params, x, y = _params()
    with pytest.raises(agc.UsageError, match="paths into trees work with grad"):
        agc.hvp(head_loss)(params, x, y, params["fc"])

    class Model:
        def __init__(self):
            self.fc = {"w": np.ones(2)}

        @agc.differentiate(wrt="self/fc")
        def loss(self, x):
            return np.sum(self.fc["w"] * x)

    with pytest.raises(agc.UsageError, match="not supported on methods"):
        Model().loss.grad(np.ones(2))


def test_paths_with_has_aux_and_intermediates():
    @agc.differentiate(wrt="params/fc", has_aux=True)
    def with_aux(params, x, y):
        out = forward(params, x)
        err = out - y
        return np.mean(err * err), np.max(out)

    params, x, y = _params()
    grads, aux = with_aux.grad(params, x, y)
    want = jax.grad(jax_loss)(params, x, y)["fc"]
    np.testing.assert_allclose(grads["w"], want["w"], rtol=1e-12)
    assert aux == np.max(forward(params, x))
    grads, kept = head_loss.grad(params, x, y, intermediates=("err",))
    np.testing.assert_allclose(grads["b"], want["b"], rtol=1e-12)
    np.testing.assert_allclose(kept["err"], 2 * (forward(params, x) - y) / y.size, rtol=1e-12)


def test_verify_refuses_paths_and_proves_the_whole_tree():
    def small(params, x):
        return np.sum(np.tanh(x * params["body"]["w"]) * params["fc"]["w"])

    params = {"body": {"w": np.array([0.3, -0.2])}, "fc": {"w": np.array([0.5, 1.5])}}
    x = np.array([0.7, 0.1])
    with pytest.raises(agc.UsageError, match="verify with the whole parameter"):
        agc.verify(small, params, x, wrt="params/fc")
    assert agc.verify(small, params, x, wrt="params").proved


def _product(p):
    return np.sum(p["w"] * p["b"])


@agc.differentiate(wrt=("params/fc/w", "other"))
def either_tree(params, other, flag):
    p = params["fc"]
    if flag > 0:
        p = other
    return _product(p)


def test_a_tree_also_assigned_from_a_whole_parameter_is_differentiated_whole():
    """A variable that holds a part of params on one path and `other` on another: the
    helper it is passed to must give all of its cotangent, not only the path's."""
    other = {"w": np.array([1.0, 2.0]), "b": np.array([3.0, -4.0])}
    params, _, _ = _params()
    params["fc"] = {"w": np.array([0.5, 0.25]), "b": np.array([2.0, 8.0])}
    w_grad, other_grad = either_tree.grad(params, other, 1.0)
    np.testing.assert_array_equal(w_grad, [0.0, 0.0])
    np.testing.assert_array_equal(other_grad["w"], other["b"])
    np.testing.assert_array_equal(other_grad["b"], other["w"])
    w_grad, other_grad = either_tree.grad(params, other, -1.0)
    np.testing.assert_array_equal(w_grad, params["fc"]["b"])
    np.testing.assert_array_equal(other_grad["b"], [0.0, 0.0])


def test_a_mask_tree_names_the_same_parts_as_paths():
    """wrt={"params": {"fc": True}}: optax-style masks, a prefix of the tree (False or
    missing: frozen); the result is what the equivalent paths give."""
    params, x, y = _params()
    masked = agc.grad(head_loss.fn, wrt={"params": {"fc": True, "body": False}})(params, x, y)
    np.testing.assert_array_equal(masked["w"], head_loss.grad(params, x, y)["w"])
    both = agc.grad(listed_loss.fn, wrt={"params": {"layers": [False, True], "fc": {"b": True}}})
    np.testing.assert_array_equal(both(params, x)[1], listed_loss.grad(params, x)[1])
    with pytest.raises(agc.UsageError, match="selects nothing"):
        agc.grad(head_loss.fn, wrt={"params": {"fc": False}})
    with pytest.raises(agc.UsageError, match="holds 1; a mask holds True or False"):
        agc.grad(head_loss.fn, wrt={"params": {"fc": 1}})
