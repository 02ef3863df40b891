"""agc.nn's convolutions and poolings (issue 19) against torch.nn.functional.

Each op across its options (strides, paddings incl. "same" / "valid", dilation,
groups incl. depthwise, odd sizes, unbatched inputs, bias or not): its value
called directly, agc's gradient through a model against torch's autograd in
float64 and in float32 (dtype kept), forward mode against central differences
and jax, the symbolic meanings against the runtime on numbers, agc.verify
proving each primitive's gradient on a 1x1x3x3 image, the three ways of
naming them, and the refusals.
"""

from __future__ import annotations

import textwrap

import agc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from agc import runtime
from agc.ir.prims import Prim
from gradcheck import import_file
from meanings import symbolic_meaning

torch = pytest.importorskip("torch")
F = torch.nn.functional
jax.config.update("jax_enable_x64", True)
# torch warns that it copies the input for an even kernel's "same" padding
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

# (op, options as written in the model, x's shape, w's shape, with a bias)
CONVS = [
    ("conv2d", "stride=2, padding=1", (2, 4, 7, 6), (6, 4, 3, 3), True),
    ("conv2d", "padding='same', dilation=2, groups=2", (2, 4, 7, 6), (4, 2, 3, 2), False),
    ("conv2d", "stride=(2, 1), padding='valid', groups=4", (1, 4, 5, 6), (8, 1, 2, 3), True),
    ("conv2d", "padding=(1, 0), dilation=(2, 1)", (3, 6, 5), (2, 3, 2, 2), True),
    ("conv1d", "stride=2, padding=1, dilation=2, groups=2", (2, 4, 9), (6, 2, 3), True),
    ("conv1d", "padding='same'", (3, 8), (2, 3, 4), False),
    # 16+ channels per group: one GEMM per kernel tap where the im2col matrix is large
    # (runtime/conv.py's MIN_TAP_CHANNELS and COLUMNS_LIMIT)
    ("conv2d", "stride=2, padding=(1, 2), dilation=(1, 2), groups=2", (2, 32, 5, 6),
     (4, 16, 3, 2), True),
    ("conv2d", "padding=1", (16, 4, 3), (3, 16, 3, 3), False),
    ("conv2d", "", (2, 16, 3, 4), (5, 16, 1, 1), True),  # 1x1: a plain matrix product
    ("conv2d", "stride=2", (1, 16, 5, 4), (3, 16, 1, 1), False),
    ("conv1d", "padding='same', dilation=2", (2, 16, 7), (3, 16, 3), True),
    # x's cotangent as one convolution of g (stride 1, one group), except where the padding
    # passes the kernel's reach or the weights outnumber g's pixels (runtime.conv._correlates)
    ("conv2d", "padding=3", (2, 16, 4, 4), (4, 16, 3, 3), False),
    ("conv2d", "padding=1", (1, 32, 2, 2), (8, 32, 3, 3), True),
    # three samples: with "two-sample chunks" the last chunk holds one
    ("conv2d", "padding=1", (3, 16, 4, 4), (4, 16, 3, 3), False),
]
# (op, options, x's shape)
POOLS = [
    ("max_pool2d", "3, 2, 1", (2, 3, 7, 6)),
    ("max_pool2d", "(2, 3), stride=(1, 2)", (1, 2, 5, 7)),
    ("max_pool2d", "2", (3, 4, 5)),
    ("avg_pool2d", "3, 2, 1", (2, 3, 7, 6)),
    ("avg_pool2d", "(2, 3), (2, 1), (1, 0)", (3, 5, 6)),
    ("adaptive_avg_pool2d", "(3, 2)", (2, 3, 7, 5)),
    ("adaptive_avg_pool2d", "4", (1, 2, 10, 9)),
]
_MODELS: dict[str, object] = {}


def _model(tmp_path_factory, call: str):
    """A model file `model(x, w, b, g) = sum(call * g)`, imported (once per call)."""
    if call not in _MODELS:
        path = tmp_path_factory.mktemp("conv") / "model.py"
        path.write_text(textwrap.dedent(f"""\
            import numpy as np
            from agc import nn


            def model(x, w, b, g):
                return np.sum({call} * g)
            """))
        _MODELS[call] = import_file(path).model
    return _MODELS[call]


def _conv_case(case, dtype, seed=0):
    op, options, xs, ws, bias = case
    rng = np.random.default_rng(seed)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in (xs, ws, ws[:1]))
    call = f"nn.{op}(x, w, {'b' if bias else 'None'}, {options})"
    return call, x, w, b, bias


def _torch_conv(case, x, w, b):
    """Torch's value and its (x, w, b) gradients with g = the agc model's seed."""
    op, options, _, _, bias = case
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = eval(f"F.{op}(tx, tw, tb if bias else None, {options})")  # the same text as agc's
    g = np.random.default_rng(5).standard_normal(tuple(y.shape)).astype(x.dtype)
    y.backward(torch.tensor(g))
    grads = (tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy() if bias else np.zeros_like(b))
    return y.detach().numpy(), g, grads


@pytest.mark.parametrize("case", CONVS, ids=lambda c: f"{c[0]}({c[1]})")
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("columns_limit, chunk, tap_chunk", [
    (runtime.conv.COLUMNS_LIMIT, 1 << 18, 1 << 18), (0, 1 << 18, 1 << 18),
    (runtime.conv.COLUMNS_LIMIT, 0, 0), (runtime.conv.COLUMNS_LIMIT, 1152, 512)],
    ids=["im2col", "by-taps", "chunked", "two-sample-chunks"])
def test_conv_value_and_gradient_match_torch(tmp_path_factory, monkeypatch, case, dtype, tol,
                                             columns_limit, chunk, tap_chunk):
    # columns_limit 0: every large-enough one by taps; chunk 0: x's cotangent as one
    # correlation goes one sample at a time, and tap_chunk 0 w's cotangent by taps; 1152
    # and 512: two samples of the last case at a time (O kH kW H W and C OH OW per sample)
    monkeypatch.setattr(runtime.conv, "COLUMNS_LIMIT", columns_limit)
    monkeypatch.setattr(runtime.conv, "CHUNK_COLUMNS", chunk)
    monkeypatch.setattr(runtime.conv_weights, "TAP_CHUNK", tap_chunk)
    call, x, w, b, _ = _conv_case(case, dtype)
    value, g, expected = _torch_conv(case, x, w, b)
    direct = eval(call, {"nn": agc.nn, "x": x, "w": w, "b": b})
    assert direct.dtype == dtype
    np.testing.assert_allclose(direct, value, rtol=tol, atol=tol)
    grads = agc.grad(_model(tmp_path_factory, call), wrt=("x", "w", "b"))(x, w, b, g)
    for got, want in zip(grads, expected):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())


def _torch_pool(case, x):
    op, options, _ = case
    tx = torch.tensor(x, requires_grad=True)
    y = eval(f"F.{op}(tx, {options})")
    g = np.random.default_rng(5).standard_normal(tuple(y.shape)).astype(x.dtype)
    y.backward(torch.tensor(g))
    return y.detach().numpy(), g, tx.grad.numpy()


@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{c[0]}({c[1]})")
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_pool_value_and_gradient_match_torch(tmp_path_factory, case, dtype, tol):
    op, options, shape = case
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    value, g, expected = _torch_pool(case, x)
    call = f"nn.{op}(x, {options})"
    direct = eval(call, {"nn": agc.nn, "x": x})
    assert direct.dtype == dtype
    np.testing.assert_allclose(direct, value, rtol=tol, atol=tol)
    got = agc.grad(_model(tmp_path_factory, call), wrt="x")(x, None, None, g)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum(tmp_path_factory):
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, -2.0, 3.0], [0.0, 3.0, 3.0]]]])
    case = ("max_pool2d", "2, 1, 1", x.shape)
    _, g, expected = _torch_pool(case, x)
    got = agc.grad(_model(tmp_path_factory, "nn.max_pool2d(x, 2, 1, 1)"), wrt="x")(
        x, None, None, g)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
@pytest.mark.parametrize("options", [(3, 2, 1), ((2, 3), (1, 2), 0), (2, None, 1)])
def test_max_pool_is_max_and_argmax_of_each_window(dtype, options):
    """Tap by tap (runtime/pooling.py), max pooling is numpy's max of each padded window,
    NaN winning, and its gradient goes to the window's argmax: the first maximum, or the
    first NaN; many ties (a relu's zeros) and NaNs, integers and bools."""
    rng = np.random.default_rng(3)
    x = rng.integers(-2, 3, (2, 3, 7, 8)).astype(dtype)
    if dtype == np.float32:
        x[rng.random(x.shape) < 0.1] = np.nan
    kernel, stride, pad = options
    p = runtime.pooling.pool_plan(x, kernel, stride, pad)
    low = runtime.pooling._lowest(np, x)
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=low)
    win = np.lib.stride_tricks.sliding_window_view(padded, p.kernel, axis=(2, 3))
    win = win[:, :, ::p.stride[0], ::p.stride[1]][:, :, :p.out[0], :p.out[1]]
    flat = win.reshape(win.shape[:4] + (-1,))
    np.testing.assert_array_equal(agc.nn.max_pool2d(x, kernel, stride, pad), flat.max(-1))
    at = np.argmax(flat, axis=-1)
    np.testing.assert_array_equal(runtime.pooling._first_max(np, x, p), at)
    if dtype == np.float32:  # the gradient: each window's g added at its argmax
        g = rng.standard_normal(at.shape).astype(np.float32)
        expected = np.zeros(padded.shape, np.float32)
        for index in np.ndindex(at.shape):
            i, j = divmod(int(at[index]), p.kernel[1])
            expected[index[:2] + (index[2] * p.stride[0] + i, index[3] * p.stride[1] + j)] += \
                g[index]
        got = runtime.max_pool2d_grad(g, x, kernel, stride, pad)
        np.testing.assert_allclose(got, expected[:, :, pad:pad + 7, pad:pad + 8], rtol=1e-6)


@pytest.mark.parametrize("case", CONVS[:1] + CONVS[4:5], ids=lambda c: c[0])
def test_conv_forward_mode_matches_central_differences(tmp_path_factory, case):
    call, x, w, b, _ = _conv_case(case, np.float64)
    model = _model(tmp_path_factory, call)
    g = np.random.default_rng(5).standard_normal(np.shape(eval(call, {"nn": agc.nn, "x": x,
                                                                      "w": w, "b": b})))
    rng = np.random.default_rng(7)
    dx, dw, db = (rng.standard_normal(a.shape) for a in (x, w, b))
    _, tangent = agc.jvp(model, (x, w, b, g), (dx, dw, db, None))
    # the model is quadratic along the line: central differences are exact at any step
    ahead, behind = model(x + dx, w + dw, b + db, g), model(x - dx, w - dw, b - db, g)
    assert tangent == pytest.approx((ahead - behind) / 2, rel=1e-10)


@pytest.mark.parametrize("case", POOLS[:2] + POOLS[3:4] + POOLS[5:6], ids=lambda c: c[0])
def test_pool_forward_mode_matches_central_differences(tmp_path_factory, case):
    op, options, shape = case
    rng = np.random.default_rng(2)
    x, v = rng.standard_normal(shape), rng.standard_normal(shape)
    call = f"nn.{op}(x, {options})"
    g = rng.standard_normal(np.shape(eval(call, {"nn": agc.nn, "x": x})))
    model = _model(tmp_path_factory, call)
    _, tangent = agc.jvp(model, (x, None, None, g), (v, None, None, None))
    eps = 1e-6  # small enough that no window's maximum changes
    central = (model(x + eps * v, None, None, g) - model(x - eps * v, None, None, g)) / (2 * eps)
    assert tangent == pytest.approx(central, rel=1e-6)


def test_conv_tangent_matches_jax(tmp_path_factory):
    path = tmp_path_factory.mktemp("conv") / "layer.py"
    path.write_text("import agc\n\n\ndef layer(x, w):\n"
                    "    return agc.nn.conv2d(x, w, stride=2, padding=1, dilation=2, groups=2)\n")
    layer = import_file(path).layer
    rng = np.random.default_rng(3)
    x, w, dx, dw = (rng.standard_normal(s) for s in ((2, 4, 7, 6), (6, 2, 3, 2)) * 2)
    value, tangent = agc.jvp(layer, (x, w), (dx, dw))

    def ref(x, w):
        return jax.lax.conv_general_dilated(x, w, (2, 2), ((1, 1), (1, 1)), rhs_dilation=(2, 2),
                                            feature_group_count=2)

    want_value, want_tangent = jax.jvp(ref, (jnp.asarray(x), jnp.asarray(w)),
                                       (jnp.asarray(dx), jnp.asarray(dw)))
    np.testing.assert_allclose(value, want_value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tangent, want_tangent, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------- meanings and proofs
G = np.random.default_rng(4)


@pytest.mark.parametrize("options", [{"stride": 2, "padding": 1, "dilation": 2, "groups": 2},
                                     {"padding": "same", "groups": 2}])
def test_conv_meanings_equal_the_runtime(options):
    x, w = G.standard_normal((1, 4, 5, 4)), G.standard_normal((2, 2, 2, 3))
    y = runtime.conv2d(x, w, **options)
    g = G.standard_normal(y.shape)
    np.testing.assert_allclose(symbolic_meaning(Prim.CONV2D, (x, w), **options), y, atol=1e-12)
    for prim, helper in ((Prim.CONV_GRAD_X, runtime.conv_grad_x),
                         (Prim.CONV_GRAD_W, runtime.conv_grad_w)):
        np.testing.assert_allclose(symbolic_meaning(prim, (g, x, w), **options),
                                   helper(g, x, w, **options), atol=1e-12)


@pytest.mark.parametrize("prim, helper, options", [
    (Prim.MAX_POOL2D_GRAD, runtime.max_pool2d_grad, {"kernel_size": 3, "stride": 2, "padding": 1}),
    (Prim.MAX_POOL2D_JVP, runtime.max_pool2d_jvp, {"kernel_size": (2, 3), "stride": 1}),
    (Prim.AVG_POOL2D_GRAD, runtime.avg_pool2d_grad, {"kernel_size": 3, "stride": 2, "padding": 1}),
    (Prim.ADAPTIVE_AVG_POOL2D_GRAD, runtime.adaptive_avg_pool2d_grad, {"output_size": (2, 3)}),
])
def test_pool_meanings_equal_the_runtime(prim, helper, options):
    x = G.standard_normal((1, 2, 5, 5))
    forward = {Prim.MAX_POOL2D_GRAD: runtime.max_pool2d, Prim.MAX_POOL2D_JVP: runtime.max_pool2d,
               Prim.AVG_POOL2D_GRAD: runtime.avg_pool2d,
               Prim.ADAPTIVE_AVG_POOL2D_GRAD: runtime.adaptive_avg_pool2d}[prim]
    g = G.standard_normal(forward(x, **options).shape) if prim is not Prim.MAX_POOL2D_JVP \
        else G.standard_normal(x.shape)
    np.testing.assert_allclose(symbolic_meaning(prim, (g, x), **options),
                               helper(g, x, **options), atol=1e-12)


PROOFS = textwrap.dedent("""\
    import numpy as np
    import agc


    def conv(x, w):
        return np.sum(agc.nn.conv2d(x, w, padding=1) ** 2)


    def conv_bias_same(x, w, b):
        return np.sum(agc.nn.conv2d(x, w, b, padding="same") * x)


    def conv1d(x, w):
        signal, kernel = np.reshape(x, (1, 1, 9)), np.reshape(w, (1, 1, 4))
        return np.sum(np.tanh(agc.nn.conv1d(signal, kernel, stride=2, dilation=2)))


    def pools(x):
        return (np.sum(agc.nn.max_pool2d(x, 2, stride=1) ** 2)
                + np.sum(np.sin(agc.nn.avg_pool2d(x, 2, 1, 1)))
                + np.sum(agc.nn.adaptive_avg_pool2d(x, 2) ** 3))
    """)


def test_verify_proves_conv_and_pool_gradients(tmp_path):
    (tmp_path / "proofs.py").write_text(PROOFS)
    module = import_file(tmp_path / "proofs.py")
    x = np.array([[[[0.3, -1.2, 0.8], [1.5, 0.1, -0.4], [-0.7, 0.9, 0.2]]]])  # 1x1x3x3
    w = np.array([[[[0.5, -0.25], [1.0, 0.75]]]])  # 1x1x2x2
    for fn, args in ((module.conv, (x, w)), (module.conv_bias_same, (x, w, np.array([0.5]))),
                     (module.conv1d, (x, w)), (module.pools, (x,))):
        result = agc.verify(fn, *args, wrt=fn.__code__.co_varnames[:len(args)])
        assert result.proved, str(result)


# ----------------------------------------- naming, emitted code, refusals
WAYS = textwrap.dedent("""\
    import numpy as np
    import agc
    from agc import nn
    from agc.nn import max_pool2d


    def by_agc(x, w):
        return np.sum(agc.nn.conv2d(x, w, stride=2))


    def by_module(x, w):
        return np.sum(nn.conv2d(x, w, stride=2))


    def by_name(x, w):
        return np.sum(max_pool2d(nn.conv1d(x[:, :, 0], w[:, :, 0]), 1))


    def computed_stride(x, w):
        s = x.shape[0]
        return np.sum(nn.conv2d(x, w, stride=s))
    """)


def test_every_way_of_naming_them_is_the_primitive(tmp_path):
    (tmp_path / "ways.py").write_text(WAYS)
    module = import_file(tmp_path / "ways.py")
    x, w = G.standard_normal((1, 2, 5, 5)), G.standard_normal((3, 2, 3, 3))
    for fn in (module.by_agc, module.by_module):
        f = agc.differentiate(fn, wrt="w")
        np.testing.assert_allclose(f.grad(x, w), runtime.conv_grad_w(
            np.ones((1, 3, 2, 2)), x, w, stride=2), atol=1e-12)
        assert "rt.conv_grad_w(" in f.gradient_source
        assert "conv_grad_x" not in f.gradient_source  # x is not differentiated
    got = agc.grad(module.by_name, wrt="w")(x, w)
    assert got.shape == w.shape and np.any(got)


def test_a_computed_option_is_refused_with_its_position(tmp_path):
    (tmp_path / "ways.py").write_text(WAYS)
    module = import_file(tmp_path / "ways.py")
    x, w = G.standard_normal((1, 2, 5, 5)), G.standard_normal((3, 2, 3, 3))
    with pytest.raises(agc.UserCodeError) as caught:
        agc.grad(module.computed_stride, wrt="w")(x, w)
    message = str(caught.value)
    assert "`stride` must be a constant" in message and "ways.py:21" in message
    assert "stride=1" in message  # the hint


@pytest.mark.parametrize("call, error", [
    (lambda x, w: agc.nn.conv2d(x, w, groups=3), "groups=3"),
    (lambda x, w: agc.nn.conv2d(x, w, stride=2, padding="same"), "strided"),
    (lambda x, w: agc.nn.conv2d(x, w, padding="full"), "Invalid padding"),
    (lambda x, w: agc.nn.conv1d(x, w), "3-d weight"),
    (lambda x, w: agc.nn.max_pool2d(x, 2, padding=2), "half of effective kernel"),
])
def test_wrong_shapes_and_options_raise_as_torch(call, error):
    x, w = G.standard_normal((1, 2, 5, 5)), G.standard_normal((4, 2, 3, 3))
    with pytest.raises(ValueError, match=error):
        call(x, w)
