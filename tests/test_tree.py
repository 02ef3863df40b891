"""Tests for agc.runtime.tree (pytrees) and agc.runtime.device (numpy / cupy placement)."""

import sys
import types
from collections import namedtuple

import numpy as np
import pytest
from agc.runtime.device import array_module_of, has_gpu, is_array, to_device
from agc.runtime.tree import (
    TreeDef,
    tree_add,
    tree_flatten,
    tree_leaves,
    tree_leaves_with_path,
    tree_map,
    tree_structure_equal,
    tree_unflatten,
    tree_zeros_like,
)

Point = namedtuple("Point", ["x", "y"])


def make_params():
    """A small model-like tree mixing every container kind and leaf kind."""
    return {
        "W1": [np.arange(6.0).reshape(2, 3), np.float32(2.0)],
        "b1": (1.5, None),
        "pt": Point(x=np.ones(2, dtype=np.float32), y=3),
    }


# ---------------------------------------------------------------- leaves / flatten


def test_leaves_are_depth_first_in_container_order():
    params = make_params()
    leaves = tree_leaves(params)
    assert len(leaves) == 5
    assert leaves[0] is params["W1"][0]
    assert leaves[1] is params["W1"][1]
    assert leaves[2] == 1.5
    assert leaves[3] is params["pt"].x
    assert leaves[4] == 3


def test_none_and_empty_containers_have_no_leaves():
    assert tree_leaves(None) == []
    assert tree_leaves({"a": None, "b": [], "c": {}, "d": ()}) == []
    assert tree_leaves(4.0) == [4.0]


def test_leaves_with_path_reads_like_indexing():
    paths = [path for path, _ in tree_leaves_with_path(make_params())]
    assert paths == ["['W1'][0]", "['W1'][1]", "['b1'][0]", "['pt'].x", "['pt'].y"]
    assert tree_leaves_with_path(7) == [("", 7)]


def test_flatten_unflatten_round_trip_keeps_types_and_key_order():
    params = {"z": 1.0, "a": [2.0, (3.0, None)], "m": Point(4.0, {"q": 5.0})}
    leaves, treedef = tree_flatten(params)
    assert leaves == [1.0, 2.0, 3.0, 4.0, 5.0]
    rebuilt = tree_unflatten(treedef, [10 * x for x in leaves])
    assert rebuilt == {"z": 10.0, "a": [20.0, (30.0, None)], "m": Point(40.0, {"q": 50.0})}
    assert list(rebuilt) == ["z", "a", "m"]
    assert type(rebuilt["a"]) is list and type(rebuilt["a"][1]) is tuple
    assert type(rebuilt["m"]) is Point


def test_treedef_is_hashable_and_compares_by_structure():
    _, first = tree_flatten({"a": [1.0, 2.0]})
    _, same = tree_flatten({"a": [np.ones(3), 5]})
    _, other = tree_flatten({"a": (1.0, 2.0)})
    assert first == same and hash(first) == hash(same)
    assert first != other
    assert isinstance(first, TreeDef) and first.num_leaves == 2


def test_unflatten_rejects_wrong_leaf_count():
    _, treedef = tree_flatten([1.0, 2.0])
    with pytest.raises(ValueError, match="holds 2 leaves but 3"):
        tree_unflatten(treedef, [1.0, 2.0, 3.0])


# ---------------------------------------------------------------- tree_map


def test_tree_map_preserves_structure_and_does_not_mutate():
    params = make_params()
    doubled = tree_map(lambda x: x * 2, params)
    assert list(doubled) == ["W1", "b1", "pt"]
    np.testing.assert_array_equal(doubled["W1"][0], 2 * np.arange(6.0).reshape(2, 3))
    assert doubled["b1"] == (3.0, None)
    assert type(doubled["pt"]) is Point and doubled["pt"].y == 6
    np.testing.assert_array_equal(params["W1"][0], np.arange(6.0).reshape(2, 3))


def test_tree_map_over_several_trees_matches_dicts_by_key():
    a = {"x": 1.0, "y": [2.0, 3.0]}
    b = {"y": [20.0, 30.0], "x": 10.0}
    out = tree_map(lambda u, v: u + v, a, b)
    assert out == {"x": 11.0, "y": [22.0, 33.0]}
    assert list(out) == ["x", "y"]  # order of the first tree


def test_tree_map_on_none_and_leaf():
    assert tree_map(lambda x: x + 1, None) is None
    assert tree_map(lambda x: x + 1, 1.0) == 2.0


@pytest.mark.parametrize(
    ("left", "right", "fragment"),
    [
        ({"W1": [[1.0], 2.0]}, {"W1": [(1.0,), 2.0]}, "params['W1'][0] is a list of 1 items"),
        ({"W1": [1.0, 2.0]}, {"W1": [1.0]}, "grads['W1'] is a list of 1 items"),
        ({"a": 1.0, "b": 2.0}, {"a": 1.0}, "grads is a dict with keys ['a']"),
        ({"a": 1.0}, {"a": None}, "grads['a'] is None"),
        ({"a": [1.0]}, {"a": 1.0}, "grads['a'] is a leaf of type float"),
        (Point(1.0, 2.0), (1.0, 2.0), "grads is a tuple of 2 items"),
    ],
)
def test_tree_map_structure_mismatch_names_the_path(left, right, fragment):
    with pytest.raises(TypeError, match="pytree structures differ") as info:
        tree_map(lambda u, v: u, left, right, names=("params", "grads"))
    assert fragment in str(info.value)


def test_tree_map_default_names_and_nothing_called_on_mismatch():
    calls = []
    with pytest.raises(TypeError, match=r"tree\['b'\]\[1\] .* rest\[0\]\['b'\]\[1\]"):
        tree_map(lambda u, v: calls.append(u), {"a": 1.0, "b": [1, [2]]}, {"a": 1.0, "b": [1, 2]})
    assert calls == []  # structure is checked before fn runs


def test_tree_map_rejects_wrong_number_of_names():
    with pytest.raises(ValueError, match="2 names for 3 trees"):
        tree_map(lambda *x: x[0], 1.0, 2.0, 3.0, names=("a", "b"))


# ---------------------------------------------------------------- structure equality


def test_structure_equal():
    assert tree_structure_equal(make_params(), make_params())
    assert tree_structure_equal({"a": 1, "b": [2]}, {"b": [np.ones(4)], "a": "leaf"})
    assert not tree_structure_equal([1, 2], (1, 2))
    assert not tree_structure_equal([1, 2], [1, 2, 3])
    assert not tree_structure_equal({"a": 1}, {"b": 1})
    assert not tree_structure_equal(None, 1.0)
    assert not tree_structure_equal({"a": [1]}, {"a": [[1]]})
    assert tree_structure_equal(None, None)


# ---------------------------------------------------------------- zeros / add


def test_zeros_like_keeps_type_shape_dtype():
    params = make_params()
    params["W1"][0][0, 0] = np.nan  # zeros must not be computed as x * 0
    zeros = tree_zeros_like(params)
    w = zeros["W1"][0]
    assert isinstance(w, np.ndarray) and w.shape == (2, 3) and w.dtype == np.float64
    assert not w.any() and w is not params["W1"][0]
    assert type(zeros["W1"][1]) is np.float32 and zeros["W1"][1] == 0
    assert type(zeros["b1"][0]) is float and zeros["b1"] == (0.0, None)
    assert zeros["pt"].x.dtype == np.float32 and type(zeros["pt"].y) is int
    assert np.isnan(params["W1"][0][0, 0])


def test_zeros_like_rejects_non_numeric_leaf_with_path():
    with pytest.raises(TypeError, match=r"tree\['name'\] of type str"):
        tree_zeros_like({"w": 1.0, "name": "layer"})


def test_tree_add_leafwise_without_mutation():
    a = {"w": np.array([1.0, 2.0], dtype=np.float32), "b": 1.0}
    b = {"b": 0.5, "w": np.array([10.0, 20.0], dtype=np.float32)}
    total = tree_add(a, b)
    np.testing.assert_array_equal(total["w"], [11.0, 22.0])
    assert total["w"].dtype == np.float32 and total["b"] == 1.5
    np.testing.assert_array_equal(a["w"], [1.0, 2.0])


def test_tree_add_errors():
    with pytest.raises(TypeError, match=r"a\['w'\] is a list of 2 items"):
        tree_add({"w": [1.0, 2.0]}, {"w": (1.0, 2.0)})
    with pytest.raises(ValueError, match=r"shape mismatch at a\['w'\]: \(2,\) vs b\['w'\]: \(1,\)"):
        tree_add({"w": np.ones(2)}, {"w": np.ones(1)})


# ---------------------------------------------------------------- device placement


class _FakeCupyArray:
    """Stands in for cupy.ndarray so the numpy/cupy logic is testable without a GPU."""

    def __init__(self, value):
        self.value = np.asarray(value)

    def get(self):
        """Like cupy.ndarray.get(): a numpy copy."""
        return self.value.copy()


@pytest.fixture
def fake_cupy(monkeypatch):
    """A module registered as `cupy` whose ndarray is _FakeCupyArray."""
    module = types.ModuleType("cupy")
    module.ndarray = _FakeCupyArray
    monkeypatch.setitem(sys.modules, "cupy", module)
    return module


@pytest.fixture
def no_cupy(monkeypatch):
    """Make `import cupy` fail, as on a machine without it."""
    monkeypatch.setitem(sys.modules, "cupy", None)


def test_has_gpu_is_false_without_cupy(no_cupy):
    assert has_gpu() is False


def test_has_gpu_never_raises(monkeypatch):
    broken = types.ModuleType("cupy")  # no .cuda attribute: using it raises AttributeError
    monkeypatch.setitem(sys.modules, "cupy", broken)
    assert has_gpu() is False


def test_array_module_of_numpy_and_scalars():
    assert array_module_of({"a": np.ones(2)}, [1.0, np.float32(2)]) is np
    assert array_module_of(1.0, None, {}) is np
    assert array_module_of() is np


def test_array_module_of_finds_cupy(fake_cupy):
    assert array_module_of({"w": _FakeCupyArray([1.0])}, 3.0) is fake_cupy


def test_array_module_of_mixing_names_the_leaves(fake_cupy):
    params = {"W1": np.ones(2), "b1": _FakeCupyArray([1.0])}
    grads = [_FakeCupyArray([1.0])]
    with pytest.raises(TypeError, match="cannot mix numpy") as info:
        array_module_of(params, grads, names=("params", "grads"))
    message = str(info.value)
    assert "numpy at params['W1']" in message
    assert "cupy at params['b1'], grads[0]" in message


def test_array_module_of_default_names(fake_cupy):
    with pytest.raises(TypeError, match=r"numpy at args\[1\]\[0\]; cupy at args\[0\]"):
        array_module_of(_FakeCupyArray(1.0), [np.ones(1)])


def test_is_array(fake_cupy):
    assert is_array(np.ones(1)) and is_array(np.array(1.0)) and is_array(_FakeCupyArray(1.0))
    assert not is_array(1.0) and not is_array(np.float32(1)) and not is_array([1.0])


@pytest.mark.parametrize("bad", ["gpu", "CUDA", "cuda:", "cuda:x", "cpu:0", "", None, 0])
def test_to_device_rejects_unknown_names(bad):
    with pytest.raises(ValueError, match="unknown device"):
        to_device({"w": np.ones(1)}, bad)


def test_to_device_cpu_keeps_numpy_and_scalars():
    params = make_params()
    moved = to_device(params, "cpu")
    assert moved["W1"][0] is params["W1"][0]  # already there: no copy
    assert moved["b1"] == (1.5, None) and type(moved["pt"].y) is int
    assert type(moved["W1"][1]) is np.float32


def test_to_device_cpu_brings_cupy_back(fake_cupy):
    moved = to_device({"w": _FakeCupyArray([1.0, 2.0]), "s": 2.0}, "cpu")
    assert isinstance(moved["w"], np.ndarray)
    np.testing.assert_array_equal(moved["w"], [1.0, 2.0])
    assert moved["s"] == 2.0


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:1"])
def test_to_device_cuda_without_cupy_is_a_clear_error(no_cupy, device):
    with pytest.raises(RuntimeError, match="needs cupy"):
        to_device({"w": np.ones(1)}, device)


def test_to_device_rejects_unknown_leaves():
    with pytest.raises(TypeError, match=r"tree\['name'\] is a str"):
        to_device({"w": np.ones(1), "name": "x"}, "cpu")


def _require_gpu():
    """Skip unless cupy imports and a GPU is usable; returns cupy."""
    cupy = pytest.importorskip("cupy")
    if not has_gpu():
        pytest.skip("no usable CUDA GPU")
    return cupy


@pytest.mark.gpu
def test_round_trip_through_the_gpu():
    cupy = _require_gpu()
    params = make_params()
    on_gpu = to_device(params, "cuda")
    assert isinstance(on_gpu["W1"][0], cupy.ndarray) and isinstance(on_gpu["pt"].x, cupy.ndarray)
    assert on_gpu["b1"] == (1.5, None) and type(on_gpu["W1"][1]) is np.float32
    assert array_module_of(on_gpu) is cupy
    zeros = tree_zeros_like(on_gpu)
    assert isinstance(zeros["W1"][0], cupy.ndarray) and not bool(zeros["W1"][0].any())
    back = to_device(on_gpu, "cpu")
    np.testing.assert_array_equal(back["W1"][0], params["W1"][0])
    assert back["pt"].x.dtype == np.float32
    with pytest.raises(TypeError, match="cannot mix"):
        array_module_of(on_gpu, params)
    first = to_device(params, "cuda:0")  # PyTorch's name for the first GPU
    assert isinstance(first["W1"][0], cupy.ndarray) and first["W1"][0].device.id == 0
