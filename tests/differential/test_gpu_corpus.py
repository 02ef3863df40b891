"""The whole differential corpus on cupy: every accepted entry's emitted code on the GPU.

Marked `gpu`; skipped, never faked, where cupy cannot allocate on a CUDA device.
Each entry runs through agc on numpy arrays and on the same arrays moved with
`agc.runtime.to_device(..., "cuda")`: values and gradients must agree, every
gradient of a GPU array must be a cupy array of its parameter's shape and dtype
(no silent trip to the CPU), in float64 and float32. The numpy results are the
ones `test_corpus` checks against jax and central differences, so this file
only has to show that the GPU computes the same thing.
"""

from __future__ import annotations

import copy

import agc
import numpy as np
import pytest
from agc import runtime as rt
from gradcheck import tree_leaves

from .harness import cast32, output_seed
from .test_corpus import ENTRIES
from .test_forward_corpus import _tangent_like

pytestmark = pytest.mark.gpu

cupy = pytest.importorskip("cupy")
if not rt.has_gpu():
    pytest.skip("cupy imports, but no CUDA device can allocate memory", allow_module_level=True)

RTOL = {"f64": 1e-8, "f32": 2e-3}
# Entries whose own Python gives another value on cupy arrays, so numpy's is no reference.
NUMPY_ONLY = {
    # module-level numpy arrays stay numpy: the model mixes them with cupy arguments
    # (cupy refuses that, in the user's function as in agc's code; docs/api.md, GPU)
    "flatten_ravel": "module array", "module_array_rebound": "module array",
    "module_computed_array": "module array", "helper_default_module_array": "module array",
    "module_list_of_arrays": "module array", "module_array_matmul": "module array",
    # isinstance(x, np.ndarray) is False for a cupy array: the other branch, as in Python
    "isinstance_ndarray": "isinstance(x, np.ndarray)",
}
# Entries that write one position twice through a fancy index: on the GPU which write
# wins is unspecified, so agc refuses the gradient there (numpy: the last write wins).
REPEATED_WRITES = {"add_duplicate_fancy", "set_duplicate_fancy"}



def _has_float_array(args) -> bool:
    return any(isinstance(leaf, np.ndarray) and leaf.dtype.kind == "f" for leaf in tree_leaves(args))


def _host(value):
    return value.get() if isinstance(value, cupy.ndarray) else np.asarray(value)


def _run(entry, args, seed):
    diff = agc.differentiate(entry.fn, wrt=entry.wrt)
    value, grads = diff.value_and_grad(*copy.deepcopy(args), seed=seed)
    return value, (grads,) if len(entry.wrt) == 1 else tuple(grads)


def _gpu_params():
    for entry in ENTRIES:
        if entry.expect != "ok" or entry.xfail:
            continue
        for mode in ("f64", "f32") if entry.f32 and not entry.xfail32 else ("f64",):
            yield pytest.param(entry, mode, id=f"{entry.name}-{mode}")


@pytest.mark.parametrize("entry, mode", list(_gpu_params()))
def test_entry_runs_on_cupy(entry, mode):
    """The entry's gradient on cupy arrays equals its gradient on numpy arrays."""
    if entry.name in NUMPY_ONLY:
        pytest.skip(f"numpy only: {NUMPY_ONLY[entry.name]}")
    args = entry.points()[0]
    args = cast32(args) if mode == "f32" else args
    if not _has_float_array(args):
        pytest.skip("no float array argument: nothing goes to the GPU")
    seed = output_seed(entry.fn(*copy.deepcopy(args)))
    value, grads = _run(entry, args, seed)
    if entry.name in REPEATED_WRITES:
        with pytest.raises(ValueError, match="repeated index, on cupy"):
            _run(entry, rt.to_device(args, "cuda"), None if seed is None else rt.to_device(seed, "cuda"))
        return
    gpu_args = rt.to_device(args, "cuda")
    gpu_value, gpu_grads = _run(entry, gpu_args, None if seed is None else rt.to_device(seed, "cuda"))
    rtol = RTOL[mode]
    np.testing.assert_allclose(_host(gpu_value).astype(float), np.asarray(value, dtype=float),
                               rtol=rtol, atol=rtol, err_msg=f"{entry.name}: value")
    for k, i in enumerate(entry.wrt_indices()):
        leaves = zip(tree_leaves(gpu_grads[k]), tree_leaves(grads[k]), tree_leaves(gpu_args[i]))
        for got, want, like in leaves:
            what = f"{entry.name}: d/d{entry.wrt[k]}"
            if isinstance(like, cupy.ndarray):
                assert isinstance(got, cupy.ndarray), f"{what} left the GPU ({type(got).__name__})"
                assert got.shape == like.shape and got.dtype == like.dtype, (
                    f"{what}: {got.shape} {got.dtype}, parameter {like.shape} {like.dtype}")
            np.testing.assert_allclose(_host(got).astype(float), np.asarray(want, dtype=float),
                                       rtol=rtol, atol=rtol, err_msg=what)


def _tangents(entry, args):
    """Tangents for the entry's wrt arguments (None for the others), of their dtypes."""
    rng = np.random.default_rng(7)
    wrt = set(entry.wrt_indices())
    return tuple(_tangent_like(a, rng) if i in wrt else None for i, a in enumerate(args))


@pytest.mark.parametrize("entry, mode", list(_gpu_params()))
def test_entry_jvp_runs_on_cupy(entry, mode):
    """Forward mode: the entry's jvp on cupy arrays equals its jvp on numpy arrays."""
    if entry.name in NUMPY_ONLY:
        pytest.skip(f"numpy only: {NUMPY_ONLY[entry.name]}")
    if entry.name in REPEATED_WRITES:
        pytest.skip("a repeated fancy write: which write wins is unspecified on the GPU")
    args = entry.points()[0]
    args = cast32(args) if mode == "f32" else args
    if not _has_float_array(args):
        pytest.skip("no float array argument: nothing goes to the GPU")
    tangents = _tangents(entry, args)
    try:
        value, tangent = agc.jvp(entry.fn, copy.deepcopy(args), tangents)
    except agc.UnsupportedError as err:
        pytest.skip(err.message)  # no JVP rule yet: counted by test_forward_corpus
    gpu_value, gpu_tangent = agc.jvp(entry.fn, rt.to_device(copy.deepcopy(args), "cuda"),
                                     rt.to_device(tangents, "cuda"))
    rtol = RTOL[mode]
    for got, want in zip(tree_leaves((gpu_value, gpu_tangent)), tree_leaves((value, tangent))):
        assert not isinstance(got, np.ndarray), f"{entry.name}: a numpy array from the GPU"
        np.testing.assert_allclose(_host(got).astype(float), np.asarray(want, dtype=float),
                                   rtol=rtol, atol=rtol, err_msg=f"{entry.name}: jvp")
