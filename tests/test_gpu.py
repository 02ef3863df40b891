"""cupy on an NVIDIA GPU: the corpora and the examples through the same emitted code.

Marked `gpu`. These tests run where cupy imports and a CUDA device can allocate
memory (`agc.runtime.has_gpu()`), and are skipped, never faked, elsewhere. Each
one runs agc's emitted gradient code on numpy arrays and on the same arrays moved
with `agc.runtime.to_device(..., "cuda")`, and checks that the GPU results are
cupy arrays in the arguments' dtypes, equal to the numpy results up to float
tolerance, and that nothing came back as a numpy array (no silent trip to the CPU).
"""

from __future__ import annotations

import inspect
import pathlib
import subprocess
import sys

import agc
import numpy as np
import pytest
from agc import runtime as rt
from corpus_control import CASES as CONTROL
from corpus_straight import CASES as STRAIGHT
from gradcheck import as_tuple, import_file, pick_seed, tree_leaves

pytestmark = pytest.mark.gpu

cupy = pytest.importorskip("cupy")
if not rt.has_gpu():
    pytest.skip("cupy imports, but no CUDA device can allocate memory", allow_module_level=True)

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
RTOL = 1e-9  # float64 on the GPU: other summation orders and libm, the same numbers
RTOL_FLOAT32 = 2e-3
# Corpus functions whose own np.zeros(4) / np.arange(4.0) make float64 arrays.
PROMOTES_TO_FLOAT64 = {"concat_reshape", "for_enumerate", "loop_power_series"}


# ------------------------------------------------------------------ helpers
def to_gpu(tree):
    return rt.to_device(tree, "cuda")


def is_gpu_array(value) -> bool:
    return isinstance(value, cupy.ndarray)


def host(value):
    """A GPU array as numpy, for comparisons; numbers as they are."""
    return value.get() if is_gpu_array(value) else np.asarray(value)



def as_dtype(tree, dtype):
    """Floating numpy arrays of a pytree cast to `dtype`."""
    if isinstance(tree, np.ndarray) and tree.dtype.kind == "f":
        return tree.astype(dtype)
    if isinstance(tree, dict):
        return {k: as_dtype(v, dtype) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(as_dtype(v, dtype) for v in tree)
    return tree


def run(diff, args, seed):
    """(value, gradients) of a decorated function, through vjp when a seed is needed."""
    return diff.value_and_grad(*args) if seed is None else diff.vjp(*args, seed=seed)


def compare_on_gpu(fn, args, wrt=(), rtol=RTOL, dtype=None):
    """fn's emitted gradient code on numpy `args` and on those args moved to the GPU agree.

    Each gradient of an array argument is a cupy array of that argument's shape and
    dtype, and no result is a numpy array. `dtype` is the seed's dtype, when one is needed.
    """
    diff = agc.differentiate(fn, wrt=wrt or None)
    params = list(inspect.signature(fn).parameters)
    names = tuple(wrt) or (params[0],)
    seed = pick_seed(fn, args)
    if dtype is not None:
        seed = as_dtype(seed, dtype)
    value, grads = run(diff, args, seed)
    gpu_args = to_gpu(args)
    gpu_value, gpu_grads = run(diff, gpu_args, None if seed is None else to_gpu(seed))
    on_gpu = any(is_gpu_array(leaf) for leaf in tree_leaves(gpu_args))
    for leaf in tree_leaves((gpu_value, gpu_grads)):
        assert not (on_gpu and isinstance(leaf, np.ndarray)), f"{fn.__name__}: a numpy result"
    for name, got, want in zip(names, as_tuple(gpu_grads, names), as_tuple(grads, names)):
        like = gpu_args[params.index(name)]
        for got_leaf, want_leaf, like_leaf in zip(tree_leaves(got), tree_leaves(want), tree_leaves(like)):
            if is_gpu_array(like_leaf):
                assert is_gpu_array(got_leaf), f"{fn.__name__}: d/d{name} left the GPU"
                assert got_leaf.shape == like_leaf.shape
                assert got_leaf.dtype == like_leaf.dtype, f"d/d{name}: {got_leaf.dtype}"
            np.testing.assert_allclose(host(got_leaf), np.asarray(want_leaf), rtol=rtol,
                                       atol=rtol, err_msg=f"{fn.__name__}: d/d{name}")
    np.testing.assert_allclose(host(gpu_value), np.asarray(value), rtol=rtol, atol=rtol)
    return gpu_value, gpu_grads


def _corpus_params():
    for case in STRAIGHT + CONTROL:
        for i, args in enumerate(case.args_list):
            yield pytest.param(case, args, id=f"{case.name}-{i}")


# ------------------------------------------------------------------ corpora
@pytest.mark.parametrize("case, args", list(_corpus_params()))
def test_corpus_runs_on_cupy(case, args):
    """Every corpus function's emitted gradient code, on cupy arrays, as on numpy."""
    if not any(isinstance(leaf, np.ndarray) for leaf in tree_leaves(args)):
        pytest.skip("numbers only: numpy runs it")
    compare_on_gpu(case.fn, args, case.wrt)


@pytest.mark.parametrize("case", [c for c in STRAIGHT + CONTROL if c.name not in
                                  PROMOTES_TO_FLOAT64], ids=lambda c: c.name)
def test_corpus_keeps_float32_on_cupy(case):
    """float32 arguments on the GPU: float32 gradients, close to numpy's float32 ones."""
    args = as_dtype(case.args_list[0], np.float32)
    if not any(isinstance(leaf, np.ndarray) and leaf.dtype == np.float32 for leaf in tree_leaves(args)):
        pytest.skip("no float array argument")
    compare_on_gpu(case.fn, args, case.wrt, rtol=RTOL_FLOAT32, dtype=np.float32)


# ------------------------------------------------------------------ dispatch
def scaled(x, s):
    return np.sum(np.sin(x) * s + s * s * x)


def test_python_numbers_stay_beside_gpu_arrays():
    """A Python float next to a cupy array: results and its gradient stay on the GPU."""
    x = np.linspace(0.1, 1.0, 5, dtype=np.float32)
    value, (dx, ds) = compare_on_gpu(scaled, (x, 0.5), ("x", "s"), rtol=RTOL_FLOAT32,
                                     dtype=np.float32)
    assert is_gpu_array(value) and value.dtype == dx.dtype == to_gpu(x).dtype
    assert is_gpu_array(ds) and ds.shape == ()
    np.testing.assert_allclose(host(ds), np.sum(np.sin(x) + 2 * 0.5 * x), rtol=RTOL_FLOAT32)


def test_mixing_numpy_and_cupy_names_the_arguments():
    diff = agc.differentiate(scaled, wrt=("x", "s"))
    with pytest.raises(TypeError, match=r"cupy \(cuda\) at args\[0\]; numpy \(cpu\) at args\[1\]"):
        diff.grad(to_gpu(np.ones(3)), np.ones(3))
    with pytest.raises(TypeError, match=r"args\[0\]\['w'\].*args\[0\]\['b'\]"):
        rt.array_module({"w": to_gpu(np.ones(2)), "b": np.ones(2)})


def test_to_device_moves_pytrees_and_keeps_numbers():
    tree = {"w": np.arange(3.0, dtype=np.float32), "layers": [np.eye(2), 0.5], "n": 3}
    gpu = to_gpu(tree)
    assert is_gpu_array(gpu["w"]) and gpu["w"].dtype == np.float32
    assert is_gpu_array(gpu["layers"][0]) and gpu["layers"][1] == 0.5 and gpu["n"] == 3
    assert to_gpu(gpu)["w"] is gpu["w"]  # already there: no copy
    back = rt.to_device(gpu, "cpu")
    assert type(back["w"]) is np.ndarray and type(back["layers"][0]) is np.ndarray
    np.testing.assert_array_equal(back["w"], tree["w"])
    np.testing.assert_array_equal(back["layers"][0], np.eye(2))


def test_calling_the_decorated_function_runs_on_cupy():
    """The primal is the user's own code: numpy forwards np.* calls on cupy arrays to cupy."""
    @agc.differentiate(wrt="w")
    def loss(w, x):
        return np.mean(np.tanh(x @ w) ** 2) + np.sum(np.zeros_like(w))

    w, x = np.linspace(-1, 1, 3), np.linspace(0, 1, 12).reshape(4, 3)
    value = loss(to_gpu(w), to_gpu(x))
    assert is_gpu_array(value)
    np.testing.assert_allclose(host(value), loss(w, x), rtol=RTOL)
    np.testing.assert_allclose(host(loss.value_and_grad(to_gpu(w), to_gpu(x))[0]), loss(w, x),
                               rtol=RTOL)


def test_integer_index_arrays_scatter_on_the_gpu():
    """x[idx] with repeated indices: the gradient accumulates (cupyx.scatter_add)."""
    def gather(x, idx):
        return np.sum(x[idx] ** 2)

    x, idx = np.linspace(0.5, 1.5, 5), np.array([0, 2, 2, 4, 0, 0])
    _, dx = compare_on_gpu(gather, (x, idx), ("x",))
    np.testing.assert_allclose(host(dx), 2 * x * np.bincount(idx, minlength=5), rtol=RTOL)


# ------------------------------------------------------------------ examples
def _rng():
    return np.random.default_rng(0)


# (example file, decorated function, arguments from the example's module, wrt or ())
EXAMPLE_CALLS = [
    ("linear_regression.py", "mse", lambda m: (0.5, 0.1, *m.make_data(64))),
    ("linear_regression.py", "mse_tree",
     lambda m: ({"w": np.full((), 0.5), "b": np.zeros(())}, *m.make_data(64))),
    ("classifier.py", "logistic_loss",
     lambda m: (np.array([0.3, -0.2]), 0.1, *m.blobs(64, _rng()))),
    ("classifier.py", "mlp_loss", lambda m: (m.init_mlp(16, 3, _rng()), *m.spiral(20, 3, _rng()))),
    ("pytree_params.py", "loss",
     lambda m: ({"W1": _rng().normal(size=(3, 4)), "b1": np.zeros(4),
                 "W2": _rng().normal(size=(4, 1)), "b2": np.zeros(1)},
                _rng().normal(size=(8, 3)), _rng().normal(size=(8, 1)))),
    ("gradient_accumulation.py", "loss",
     lambda m: ({"w": np.ones(3), "b": np.zeros(())}, _rng().normal(size=(16, 3)),
                _rng().normal(size=16))),
    ("fine_tune.py", "loss",
     lambda m: (_rng().normal(size=(16, 4)), _rng().normal(size=(16, 1)),
                _rng().normal(size=(4, 8)), _rng().normal(size=8), np.zeros((8, 1)), np.zeros(1))),
    ("batched_linear.py", "loss", lambda m: (np.ones((2, 5)), np.full((5, 3), 0.1), np.full(3, 0.5))),
    ("while_if.py", "f", lambda m: (_rng().normal(size=3),)),
    ("no_grad.py", "normalized_sum", lambda m: (np.array([1.0, -4.0, 2.0]),)),
]


@pytest.mark.parametrize("path, name, make_args", EXAMPLE_CALLS,
                         ids=[f"{p}:{n}" for p, n, _ in EXAMPLE_CALLS])
def test_example_models_run_on_cupy(path, name, make_args):
    """The examples' models, on their data moved to the GPU, give numpy's gradients."""
    module = import_file(EXAMPLES / path)
    decorated = getattr(module, name)
    compare_on_gpu(decorated.fn, make_args(module), decorated.wrt or ())


def test_has_aux_example_runs_on_cupy():
    module = import_file(EXAMPLES / "has_aux.py")
    x = _rng().normal(size=(20, 2))
    args = (np.array([1.0, 0.5]), 0.0, x, (x[:, 0] + x[:, 1] > 0).astype(float))
    (dw, db), accuracy = module.loss_and_accuracy.grad(*args)
    (gdw, gdb), gaccuracy = module.loss_and_accuracy.grad(*to_gpu(args))
    assert is_gpu_array(gdw) and is_gpu_array(gaccuracy)
    np.testing.assert_allclose(host(gdw), dw, rtol=RTOL)
    np.testing.assert_allclose(host(gdb), db, rtol=RTOL)
    assert float(host(gaccuracy)) == float(accuracy)


def test_gpu_training_example_trains_on_both_and_agrees():
    result = subprocess.run([sys.executable, str(EXAMPLES / "gpu_training.py")],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "numpy (cpu):" in result.stdout
    assert "gradients float32 on cupy" in result.stdout
    assert "same up to float tolerance: True" in result.stdout


# ------------------------------------------------------------------ second derivatives
def _energy(x, k):
    e = 0.0
    for _ in range(3):
        e = e + k * np.sum(np.tanh(x) ** 2) + np.sum(x[1:] * x[:-1])
    return e


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hvp_and_hessian_run_on_cupy(dtype):
    """Forward-over-reverse on cupy arrays: H v and the Hessian stay on the GPU, in dtype."""
    x, v = np.linspace(-1, 1, 5).astype(dtype), np.linspace(0.2, 1.0, 5).astype(dtype)
    on_cpu = agc.hvp(_energy)(x, 2.0, v)
    on_gpu = agc.hvp(_energy)(to_gpu(x), 2.0, to_gpu(v))
    assert is_gpu_array(on_gpu) and on_gpu.dtype == dtype
    rtol = RTOL if dtype == np.float64 else RTOL_FLOAT32
    np.testing.assert_allclose(host(on_gpu), on_cpu, rtol=rtol, atol=rtol)
    hessian = agc.hessian(_energy)(to_gpu(x), 2.0)
    assert is_gpu_array(hessian) and hessian.shape == (5, 5)
    np.testing.assert_allclose(host(hessian) @ v, on_cpu, rtol=rtol, atol=rtol)
