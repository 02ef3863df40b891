"""The emitted code and agc.runtime depend on no numpy-only behaviour.

Every corpus function (tests/corpus_*.py) and the models below run through
agc's emitted gradient code twice: on numpy arrays, and on `array_api_strict`
arrays, a minimal namespace of the Array API standard with no numpy extras (no
`x.sum()`, no `np.add.at`, no `len(x)`, no mixing of int and float arrays). The
strict arrays live on a device other than the default one, so an array made
without the arguments' device cannot be combined with them. Both runs must give
the same values and gradients, with every gradient still a strict array on that
device in the argument's dtype: what passes here uses only what numpy, cupy and
the standard share, so it runs on a GPU too.
"""

from __future__ import annotations

import inspect
import math
import re

import agc
import numpy as np
import pytest
from agc import runtime as rt
from agc.api import _scalar_key
from agc.runtime import arrays
from agc.runtime.device import has_gpu, to_device
from corpus_control import CASES as CONTROL
from corpus_straight import CASES as STRAIGHT
from gradcheck import as_tuple, check_gradient, code_only, pick_seed, tree_leaves

xps = pytest.importorskip("array_api_strict")

DEVICE = xps.Device("device1")  # not the default device: nothing made elsewhere mixes in
FLOAT32_DEVICE = xps.Device("no_float64")  # float64 cannot even exist there
API_VERSIONS = ("2023.12", None)  # the oldest standard with everything used; the default



# ------------------------------------------------------------------ helpers
def to_strict(value, device=DEVICE, dtype=None):
    """numpy arrays (also inside lists, tuples, dicts) as array_api_strict arrays."""
    if isinstance(value, np.ndarray):
        return xps.asarray(value, device=device, dtype=dtype)
    if isinstance(value, dict):
        return {k: to_strict(v, device, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_strict(v, device, dtype) for v in value)
    return value


def to_numpy(value):
    """A strict array (or number, or tuple of them) as numpy, for comparisons."""
    if isinstance(value, (list, tuple)):
        return type(value)(to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    if hasattr(value, "__array_namespace__") and not isinstance(value, (np.ndarray, np.generic)):
        return np.from_dlpack(value)
    return np.asarray(value)


def assert_stays_strict(got, like, device=DEVICE, name="value"):
    """`got` is a strict array on `device` in like's dtype (a number for a number)."""
    if isinstance(like, dict):
        for key in like:
            assert_stays_strict(got[key], like[key], device, f"{name}[{key!r}]")
        return
    assert not isinstance(got, (np.ndarray, np.generic)), f"{name} left the namespace: numpy"
    if hasattr(like, "dtype"):
        assert isinstance(got, xps._array_object.Array), f"{name} is a {type(got).__name__}"
        assert got.device == device, f"{name} moved to {got.device}"
        assert got.dtype == like.dtype, f"{name} has dtype {got.dtype}, not {like.dtype}"
        assert got.shape == like.shape
    elif hasattr(got, "__array_namespace__"):
        assert got.device == device, f"{name} moved to {got.device}"


def run_both(fn, args, wrt, rtol=1e-10, device=DEVICE, dtype=None):
    """Gradients of fn on numpy args and on strict args agree; the strict ones stay strict."""
    diff = agc.differentiate(fn, wrt=wrt or None)
    params = list(inspect.signature(fn).parameters)
    names = tuple(wrt) or (params[0],)
    seed = pick_seed(fn, args)
    strict_args = to_strict(args, device, dtype)
    if seed is None:
        value, grads = diff.value_and_grad(*args)
        s_value, s_grads = diff.value_and_grad(*strict_args)
    else:
        value, grads = diff.vjp(*args, seed=seed)
        s_value, s_grads = diff.vjp(*strict_args, seed=to_strict(seed, device, dtype))
    any_array = any(hasattr(leaf, "dtype") for leaf in tree_leaves(strict_args))
    for name, got, expected in zip(names, as_tuple(s_grads, names), as_tuple(grads, names)):
        if any_array:  # with numbers only, numpy is the module and numpy scalars are fine
            assert_stays_strict(got, strict_args[params.index(name)], device, f"d/d{name}")
        for got_leaf, expected_leaf in zip(tree_leaves(to_numpy(got)), tree_leaves(expected)):
            np.testing.assert_allclose(got_leaf, np.asarray(expected_leaf), rtol=rtol,
                                       atol=rtol, err_msg=f"{fn.__name__}: d/d{name}")
    np.testing.assert_allclose(to_numpy(s_value), np.asarray(value), rtol=rtol, atol=rtol)
    return s_value, s_grads



def _corpus_params():
    for case in STRAIGHT + CONTROL:
        for i, args in enumerate(case.args_list):
            yield pytest.param(case, args, id=f"{case.name}-{i}")


@pytest.mark.parametrize("case, args", list(_corpus_params()))
def test_corpus_runs_on_array_api_strict(case, args):
    """The straight-line and control-flow corpora, through the emitted code, on strict arrays."""
    run_both(case.fn, args, case.wrt)


# ------------------------------------------------------------------ models
# Each primitive group at least once, with axes, keepdims and scalars beside arrays.
def elementwise(x, y):
    a = np.exp(x) * np.log(y) + np.sin(x) * np.cos(y) - np.tanh(x * y)
    b = np.sqrt(y) + np.arcsin(x * 0.5) + np.arctan(y) + np.arctan2(x, y)
    c = np.abs(x) * np.square(y) + np.log1p(y) - np.expm1(x * 0.1) + np.sign(x) * x
    d = np.arccos(x * 0.3) + np.sinh(x) * np.cosh(y) + np.tan(x * 0.2) + x ** 3 / y
    return np.sum(a * b + c + d)


def reductions(x):
    s = np.sum(x, axis=0) + np.mean(x, axis=1, keepdims=True)
    m = np.max(x, axis=1, keepdims=True) * np.min(x, axis=0, keepdims=True)
    p = np.prod(x * 0.5 + 1.0, axis=-1)
    return np.sum(s) + np.sum(m) + np.mean(p) + np.max(x) - np.min(x) + np.sum(x, axis=(0, 1))


def linear_algebra(A, v, w):
    u = A @ v
    M = A @ A.T
    q = v @ A.T @ u
    o = np.outer(v, w)
    d = np.dot(v, w) + np.dot(A, v)
    return np.sum(M * 0.1) + q + np.sum(o ** 2) + np.sum(d) + v @ w


def indexing(x, A):
    a = x[0] * x[-1] + x[1:3] @ x[2:4]
    b = A[1, 2] + np.sum(A[:, 1]) + np.sum(A[0, 1:]) + np.sum(A[::2, ::-1] ** 2)
    return a + b + np.sum(A[None, 1, :] * x[:4]) + np.sum(A[1, ...] * A[..., 2, None])


def gather(x, idx):
    return np.sum(x[idx] ** 2)


def joining(x, y):
    c = np.concatenate([x, y * 2, x * y])
    s = np.stack([x, y], axis=1)
    t = np.stack([x * x, y])
    return np.sum(c ** 2) + np.sum(s[:, 0] * s[:, 1]) + np.sum(t, axis=0) @ x


def selecting(x, y):
    a = np.where(x > 0, x * y, -y)
    b = np.maximum(x, 0.1) + np.minimum(y, x) + np.clip(x, -0.5, 0.5)
    c = np.maximum(x, y) * np.where(y < 0.5, 1.0, y)
    return np.sum(a * b + c)


def reshaping(x):
    r = np.reshape(x, (3, 4))
    t = np.transpose(np.reshape(x, (2, 3, 2)), (2, 0, 1))
    e = np.expand_dims(x, 0) * np.expand_dims(x, axis=(1, 2))
    q = np.squeeze(np.reshape(x, (1, 12, 1)))
    return np.sum(r.T @ r) + np.sum(t[1, :, :] ** 2) + np.sum(e) + q @ x + np.sum(x.reshape(6, 2))


def norms(x, A):
    return (np.linalg.norm(x) + np.sum(np.linalg.norm(A, axis=1))
            + np.sum(np.linalg.norm(A, axis=0, keepdims=True) * A) + np.linalg.norm(A))


def creation(x):
    z = np.zeros(3) + np.ones_like(x) * x + np.zeros_like(x)
    return np.sum(z * x) + np.sum(np.arange(3.0) * x) + np.sum(np.full(3, 2.0) * x)


def branch_and_while(x, s):
    if np.sum(x) > 0:
        y = x * s
    else:
        y = x - s
    while np.linalg.norm(y) < 100:
        y = y * 1.5 + s
    return np.sum(y * x)


def carried_loop(x, W):
    h = x
    for _ in range(4):
        h = np.tanh(W @ h + x)
    for i in range(3):
        h = h * x[i]
    return np.sum(h)


def list_stack(x, W):
    rows = []
    h = x
    for _ in range(3):
        h = np.sin(W @ h)
        rows.append(h * 2.0)
    H = np.stack(rows)
    return np.sum(H @ x) + np.sum(np.stack(rows, axis=1))


def helper_tanh(z):
    return np.tanh(z) * 2.0


def calls_helper(x, w):
    return np.sum(helper_tanh(x * w) ** 2)


def pytree_mlp(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    return np.mean((h @ params["W2"] + params["b2"]) ** 2)


def _arr(seed, *shape, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _pos(seed, *shape):
    return _arr(seed, *shape, lo=0.5, hi=1.5)


MODELS = [
    (elementwise, (_arr(1, 5), _pos(2, 5)), ("x", "y")),
    (reductions, (_pos(3, 3, 4),), ()),
    (linear_algebra, (_arr(4, 3, 3), _arr(5, 3), _arr(6, 3)), ("A", "v", "w")),
    (indexing, (_arr(7, 5), _arr(8, 3, 4)), ("x", "A")),
    (joining, (_arr(9, 4), _arr(10, 4)), ("x", "y")),
    (selecting, (_arr(11, 6), _arr(12, 6)), ("x", "y")),
    (reshaping, (_arr(13, 12),), ()),
    (norms, (_arr(14, 4), _arr(15, 3, 4)), ("x", "A")),
    (creation, (_arr(16, 3),), ()),
    (branch_and_while, (_pos(17, 3), 0.5), ("x", "s")),
    (branch_and_while, (-_pos(18, 3), 0.25), ("x", "s")),
    (carried_loop, (_arr(19, 3), _arr(20, 3, 3)), ("x", "W")),
    (list_stack, (_arr(21, 3), _arr(22, 3, 3)), ("x", "W")),
    (calls_helper, (_arr(23, 4), _arr(24, 4)), ("x", "w")),
    (pytree_mlp, ({"W1": _arr(25, 3, 4), "b1": _arr(26, 4), "W2": _arr(27, 4, 2),
                   "b2": _arr(28, 2)}, _arr(29, 5, 3)), ("params",)),
]


@pytest.fixture(params=API_VERSIONS, ids=lambda v: v or "default")
def api_version(request):
    """Run under this version of the standard (None: array_api_strict's default)."""
    if request.param is None:
        yield xps.__array_api_version__
        return
    with xps.ArrayAPIStrictFlags(api_version=request.param):
        yield request.param


@pytest.mark.parametrize("fn, args, wrt", MODELS,
                         ids=[f"{m[0].__name__}-{i}" for i, m in enumerate(MODELS)])
def test_model_runs_on_array_api_strict(fn, args, wrt, api_version):
    """Every primitive group and control-flow form, on strict arrays, at two API versions."""
    run_both(fn, args, wrt)


def test_gather_scatters_on_array_api_strict():
    """x[idx] with repeated integer indices accumulates through the portable scatter."""
    x, idx = _arr(30, 5), np.array([0, 2, 2, 4, 0, 0])
    expected = agc.grad(gather)(x, idx)
    got = agc.grad(gather)(to_strict(x), xps.asarray(idx, device=DEVICE))
    assert_stays_strict(got, to_strict(x))
    np.testing.assert_allclose(to_numpy(got), expected, rtol=1e-12)
    np.testing.assert_allclose(expected, 2 * x * np.bincount(idx, minlength=5))


# ------------------------------------------------------------------ float32
FLOAT32_MODELS = [m for m in MODELS if m[0] not in (creation, pytree_mlp)]


@pytest.mark.parametrize("fn, args, wrt", FLOAT32_MODELS,
                         ids=[f"{m[0].__name__}-{i}" for i, m in enumerate(FLOAT32_MODELS)])
def test_float32_end_to_end_on_a_device_without_float64(fn, args, wrt):
    """float32 in, float32 out: on 'no_float64' any float64 made on the way would raise."""
    run_both(fn, tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args),
             wrt, rtol=2e-4, device=FLOAT32_DEVICE, dtype=xps.float32)


# Corpus functions whose own code makes float64 arrays (np.zeros(4), np.arange(4.0)):
# numpy promotes float32 to float64 there, in the primal and the emitted code alike.
PROMOTES_TO_FLOAT64 = {"concat_reshape", "for_enumerate", "loop_power_series"}


def as_dtype(value, dtype):
    """Floating numpy arrays (also inside pytrees) cast to `dtype`; the rest unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(dtype)
    if isinstance(value, dict):
        return {k: as_dtype(v, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(as_dtype(v, dtype) for v in value)
    return value


# A case whose arguments are numbers only has no array dtype to keep.
WITH_ARRAYS = [c for c in STRAIGHT + CONTROL
               if any(isinstance(leaf, np.ndarray) for leaf in tree_leaves(c.args_list[0]))]


@pytest.mark.parametrize("case", WITH_ARRAYS, ids=lambda c: c.name)
def test_numpy_dtypes_are_kept_end_to_end(case, monkeypatch):
    """float32 in: float32 value, gradients and tape entries; float64 stays float64."""
    recorded = []
    record = rt.TapeRecorder.record
    monkeypatch.setattr(rt.TapeRecorder, "record",
                        lambda tape, label, value: (recorded.append(value),
                                                    record(tape, label, value)))
    diff = agc.differentiate(case.fn, wrt=case.wrt or None)
    params = list(inspect.signature(case.fn).parameters)
    names = tuple(case.wrt) or (params[0],)
    results = {}
    for dtype in (np.float64, np.float32):
        args = as_dtype(case.args_list[0], dtype)
        expected = np.dtype(np.float64 if case.name in PROMOTES_TO_FLOAT64 else dtype)
        seed = pick_seed(case.fn, args)
        value, grads = (diff.value_and_grad(*args) if seed is None
                        else diff.vjp(*args, seed=as_dtype(seed, dtype)))
        assert np.result_type(value) == np.result_type(case.fn(*args)) == expected
        for name, grad in zip(names, as_tuple(grads, names)):
            for got, like in zip(tree_leaves(grad), tree_leaves(args[params.index(name)])):
                if isinstance(like, np.ndarray):  # where numpy promoted, x[i]'s rule casts back
                    assert got.dtype in {expected, like.dtype} and got.shape == like.shape, name
                    assert got.dtype == dtype or case.name in PROMOTES_TO_FLOAT64, name
        recorded.clear()
        diff.tape_report(*args)
        kept = {np.result_type(v) for v in tree_leaves(recorded)
                if isinstance(v, (np.ndarray, np.floating)) and np.result_type(v).kind == "f"}
        assert kept <= {expected, np.dtype(dtype)} and (
            kept <= {np.dtype(dtype)} or case.name in PROMOTES_TO_FLOAT64), f"tape holds {kept}"
        results[dtype] = (value, grads)
    for got, want in zip(tree_leaves(results[np.float32]), tree_leaves(results[np.float64])):
        np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=2e-3, atol=2e-3)


# ------------------------------------------------------------------ dispatch
def test_array_module_picks_the_adapter_for_strict_arrays():
    x = to_strict(np.ones(3))
    xp = rt.array_module(x, 2.0, {"w": x})
    assert isinstance(xp, arrays.NumpyStyle) and xp.ns is xps and xp.device == DEVICE
    assert rt.array_module(1.0, 2, None) is np
    assert rt.array_module(np.ones(2), [np.ones(1), 3.0], np.float32(1)) is np


def test_mixing_libraries_names_the_arguments():
    with pytest.raises(TypeError, match=r"numpy \(cpu\) at args\[0\], args\[2\]\['w'\]; "
                                        r"array_api_strict .* at args\[1\]"):
        rt.array_module(np.ones(2), to_strict(np.ones(2)), {"w": np.ones(1)})
    with pytest.raises(TypeError, match="device"):
        rt.array_module(to_strict(np.ones(2)), to_strict(np.ones(2), xps.Device("device2")))


def test_mixed_arguments_fail_before_any_work():
    diff = agc.differentiate(joining, wrt=("x", "y"))
    with pytest.raises(TypeError, match=r"args\[0\].*args\[1\]"):
        diff.grad(np.ones(4), to_strict(np.ones(4)))


def squared_projection(w, x):
    return np.sum((x @ w) ** 2)


def test_mixing_is_named_even_where_the_emitted_code_needs_no_xp():
    """f_grad of this model needs no xp function (the sum drops out of a scalar loss's
    gradient), so the emitted code has no rt.array_module: the decorator's check names
    the arguments instead of an error from inside a runtime helper."""
    diff = agc.differentiate(squared_projection, wrt="w")
    w, x = np.ones(3), np.ones((2, 3))
    for call in (diff.grad, diff.value_and_grad):
        with pytest.raises(TypeError, match=r"array_api_strict .* at args\[0\]; "
                                            r"numpy \(cpu\) at args\[1\]\. Move them"):
            call(to_strict(w), x)
    np.testing.assert_allclose(diff.grad(w, x), 2 * 3.0 * 2 * np.ones(3))


def test_numpy_names_map_onto_the_standard():
    xp = rt.array_module(to_strict(np.ones(2)))
    x = to_strict(np.array([[0.5, -0.25], [0.1, 0.2]]))
    checks = {
        "arcsin": (xp.arcsin(x), np.arcsin), "arccos": (xp.arccos(x), np.arccos),
        "arctan": (xp.arctan(x), np.arctan), "arctan2": (xp.arctan2(x, 0.5), None),
    }
    expected = to_numpy(x)
    for name, (got, ref) in checks.items():
        if ref is not None:
            np.testing.assert_allclose(to_numpy(got), ref(expected), err_msg=name)
    np.testing.assert_allclose(to_numpy(xp.arctan2(x, 0.5)), np.arctan2(expected, 0.5))
    np.testing.assert_allclose(to_numpy(xp.concatenate([x, x], axis=1)),
                               np.concatenate([expected, expected], axis=1))
    np.testing.assert_allclose(to_numpy(xp.transpose(xp.reshape(x, (1, 2, 2)), (2, 0, 1))),
                               np.transpose(expected.reshape(1, 2, 2), (2, 0, 1)))
    np.testing.assert_allclose(float(xp.linalg.norm(x)), np.linalg.norm(expected))
    np.testing.assert_allclose(to_numpy(xp.linalg.norm(x, axis=0, keepdims=True)),
                               np.linalg.norm(expected, axis=0, keepdims=True))
    v = x[0, :]
    np.testing.assert_allclose(float(xp.dot(v, v)), np.dot(expected[0], expected[0]))
    np.testing.assert_allclose(to_numpy(xp.dot(x, x)), expected @ expected)
    np.testing.assert_allclose(to_numpy(xp.outer(v, x[1, :])), np.outer(expected[0], expected[1]))
    np.testing.assert_allclose(to_numpy(xp.inner(x, x)), np.inner(expected, expected))
    np.testing.assert_allclose(to_numpy(xp.square(x)), expected ** 2)
    np.testing.assert_allclose(to_numpy(xp.expand_dims(v, (0, 2))).shape, (1, 2, 1))
    assert xp.squeeze(xp.reshape(x, (1, 4, 1))).shape == (4,)
    assert xp.zeros(3, dtype=np.float32).dtype == xps.float32
    assert xp.zeros(3).device == DEVICE
    assert xp.maximum(x, 0).dtype == x.dtype and xp.where(x > 0, 1.0, x).dtype == x.dtype
    assert xp.asarray([x[0, :], x[1, :]]).shape == (2, 2)
    assert math.isclose(float(xp.exp(0.0)), 1.0)


# ------------------------------------------------------------------ integers
def test_integer_inputs_are_not_differentiated():
    with pytest.raises(TypeError, match=r"cannot differentiate with respect to x: .*int64"):
        rt.check_wrt(("x", "y"), np.arange(3), np.ones(3))
    with pytest.raises(TypeError, match=r"params\['n'\]"):
        rt.check_wrt(("params",), {"w": np.ones(2), "n": 3})
    with pytest.raises(TypeError, match="integer or boolean"):
        rt.check_wrt(("x",), to_strict(np.arange(3)))
    rt.check_wrt(("x", "s"), np.ones(3, np.float32), 0.5)
    rt.check_wrt(("x",), to_strict(np.ones(3)))


def test_differentiating_an_integer_argument_is_an_error():
    """check_wrt runs on every gradient call made through the decorator."""
    diff = agc.differentiate(joining, wrt=("x", "y"))
    with pytest.raises(TypeError, match=r"with respect to y: it is an integer .*dtype int64"):
        diff.grad(np.ones(4), np.arange(4))
    with pytest.raises(TypeError, match=r"with respect to x: .*dtype bool"):
        diff.value_and_grad(np.ones(4) > 0, np.ones(4))
    with pytest.raises(TypeError, match=r"with respect to s: .*\(int\)"):
        agc.differentiate(branch_and_while, wrt=("x", "s")).grad(np.ones(3), 2)
    params = {"W1": np.ones((3, 4), dtype=np.int32), "b1": np.ones(4), "W2": np.ones((4, 2)),
              "b2": np.ones(2)}
    with pytest.raises(TypeError, match=r"with respect to params\['W1'\]"):
        agc.differentiate(pytree_mlp, wrt="params").grad(params, np.ones((5, 3)))
    with pytest.raises(TypeError, match="with respect to x"):
        agc.grad(reductions)(np.arange(12).reshape(3, 4))
    # Integers that are not differentiated are fine, and float32 is a float.
    np.testing.assert_allclose(agc.grad(gather)(np.ones(3), np.array([0, 0, 2])), [4.0, 0.0, 2.0])
    assert diff.grad(np.ones(4, np.float32), np.ones(4, np.float32))[0].dtype == np.float32


def test_integer_arguments_get_float_zero_gradients():
    """An integer array beside the differentiated ones gets float zeros, never int ones."""
    assert rt.zeros_like(np.arange(3)).dtype == np.float64
    z = rt.zeros_like(to_strict(np.arange(3)))
    assert z.dtype == xps.float64 and z.device == DEVICE


# ------------------------------------------------------------------ len(X) and rows of X
def sum_rows(xs):
    s = 0.0
    for x in xs:
        s = s + np.sum(x * x)
    return s


def sequences(w, X, xs, params):
    rows = []
    for row in X:
        rows.append(np.tanh(row @ w))
    t = 0.0
    for i in range(len(rows)):
        t = t + np.sum(rows[i]) * len(xs)
    for x in xs:
        t = t + np.sum(x * w)
    for W in params["layers"]:
        t = t + np.sum(W @ w)
    for a, b in zip(X, rows):
        t = t + np.sum(a * w) * b
    return t + sum_rows(X * w) + len(X) * 0.5


SEQUENCE_ARGS = (_arr(40, 3), _arr(41, 4, 3), [_arr(42, 3), _arr(43, 3)],
                 {"layers": [_arr(44, 3, 3), _arr(45, 3, 3)]})


def _source(fn, args, wrt):
    return code_only(agc.differentiate(fn, wrt=wrt).compiled_for(_scalar_key(args)).source)


def test_len_and_rows_are_written_for_what_they_hold():
    """Arrays: X.shape[0] and X[k, ...]; lists: len(xs) and xs[k]; unknown: rt.length(x)."""
    source = _source(sequences, SEQUENCE_ARGS, ("w",))
    main, helper = source.split("def sum_rows(")
    assert "t1 = X.shape[0]" in main and "row = X[k, ...]" in main
    assert "len(rows)" in main and "len(xs)" in main and "x = xs[k_1]" in main
    assert "min(X.shape[0], len(rows))" in main and "a = X[k_3, ...]" in main
    assert "X.shape[0] * 0.5" in main  # the user's own len(X) of an array
    assert re.search(r"rt\.length\(t\d+\)", main)  # params["layers"]: list or array
    assert re.search(r"W = rt\.item\(t\d+, k_2\)", main)
    assert "len(X)" not in source
    # A helper's parameter may be a list or an array: decided at run time.
    assert "for k in range(rt.length(xs)):" in helper and "x = rt.item(xs, k)" in helper
    check_gradient(sequences, SEQUENCE_ARGS, ("w",))


def test_sequences_run_on_array_api_strict():
    """Lists of strict arrays, dicts of them and strict matrices, looped over."""
    run_both(sequences, SEQUENCE_ARGS, ("w",))


def test_rows_of_a_vector_stay_plain_items():
    """A 1-D array known from the call is indexed x[k]; unknown ranks get rt.item(x, k)
    (numpy's x[k]: a vector's item a number, as Python's iteration gives it)."""
    def dot_loop(x, y):
        s = 0.0
        for a, b in zip(x, y):
            s = s + a * b
        return s

    args = (_arr(46, 5), _arr(47, 5))
    assert "a = x[k]" in _source(dot_loop, args, ("x",))
    unknown = agc.differentiate(dot_loop).gradient_source  # as `agc compile` sees it
    assert "a = rt.item(x, k)" in unknown and "x.shape[0]" in unknown
    run_both(dot_loop, args, ("x", "y"))


def test_len_of_a_list_stays_len():
    def stacked(x):
        parts = [x, x * 2.0]
        parts.append(x * x)
        return np.sum(np.stack(parts)) * len(parts)

    source = _source(stacked, (_arr(48, 3),), ("x",))
    assert "len(parts)" in source and "shape" not in source
    grad = agc.grad(stacked)(np.array([1.0, -2.0, 0.5]))
    np.testing.assert_allclose(grad, 3 * (3.0 + 2 * np.array([1.0, -2.0, 0.5])))


def test_device_helpers_are_part_of_agc_runtime():
    assert rt.to_device is to_device and rt.has_gpu is has_gpu
    assert {"to_device", "has_gpu", "length", "item"} <= set(rt.__all__)
    tree = {"w": np.ones(2), "s": 0.5}
    assert rt.to_device(tree, "cpu")["w"] is tree["w"]
    if not rt.has_gpu():
        with pytest.raises(RuntimeError, match="cupy"):
            rt.to_device(tree, "cuda")


def test_runtime_length():
    assert rt.length([1, 2, 3]) == 3 and rt.length({"a": 1}) == 1 and rt.length((4,)) == 1
    assert rt.length(np.zeros((5, 2))) == 5
    assert rt.length(to_strict(np.zeros((7, 2)))) == 7
    assert rt.item([1, 2, 3], 1) == 2 and rt.item({"a": 5}, "a") == 5
    np.testing.assert_array_equal(rt.item(np.arange(6).reshape(3, 2), 2), [4, 5])
    np.testing.assert_array_equal(to_numpy(rt.item(to_strict(np.arange(6.0).reshape(3, 2)), 1)),
                                  [2.0, 3.0])


# ------------------------------------------------------------------ the check bites
def test_a_numpy_only_helper_is_caught(monkeypatch):
    """Were unbroadcast to call ndarray.sum (numpy only), the portability run would fail."""
    def numpy_only_unbroadcast(g, x):
        return g.sum(axis=0) if getattr(g, "shape", ()) != getattr(x, "shape", ()) else g

    monkeypatch.setattr(rt, "unbroadcast", numpy_only_unbroadcast)
    fn, args, wrt = MODELS[-1]
    agc.differentiate(fn, wrt=wrt).grad(*args)  # numpy arrays have .sum: no error there
    with pytest.raises(AttributeError, match="sum"):
        run_both(fn, args, wrt)
