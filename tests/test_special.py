"""scipy.special and the elementwise functions of issue 13, beyond the differential corpus.

The corpus (tests/differential/corpus_special.py) checks values and gradients
against jax; here: `agc compile` of a model file that imports scipy.special in
each of its spellings, proofs by agc.verify, the symbolic meanings of the new
gradient helpers against agc.runtime on numbers, and `import agc` without scipy.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import agc
import libcst as cst
import numpy as np
import pytest
import scipy.special as sp
from agc import ir, runtime
from agc.frontend.resolve import names_from_module
from agc.ir.prims import Prim
from agc.proof.interpreter import Interpreter, Path, Point, symbolic_array
from gradcheck import import_file, numeric_grad

MODEL = '''\
"""A model using scipy.special in every import spelling."""

import math

import numpy as np
import scipy
import scipy.special as sp
from scipy import special
from scipy.special import expit, logsumexp

from agc import differentiate


@differentiate(wrt=("x", "w"))
def loss(x, w):
    scores = x @ w
    probs = sp.softmax(scores, axis=1)
    lse = logsumexp(scores, axis=1)
    smooth = special.erf(scores) + scipy.special.gammaln(np.exp(scores) + 1.0)
    return np.mean(lse) + np.sum(probs * expit(smooth)) + np.sum(np.hypot(w, 0.5))


@differentiate
def scalar(t):
    return math.erf(t) + math.lgamma(t + 2.0) + math.hypot(t, 1.0) + math.cbrt(t)
'''


def _agc(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agc.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_compile_a_model_importing_scipy_special_every_way(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(MODEL, encoding="utf-8")
    out = tmp_path / "model_grad.py"
    result = _agc("compile", model, "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "rt.special.softmax(" in text and "rt.special.logsumexp(" in text
    assert "math.erf(" in text and "scipy" not in text.split('"""')[-1]  # only rt.special
    emitted, source = import_file(out), import_file(model)
    loss, scalar = source.loss.fn, source.scalar.fn
    rng = np.random.default_rng(5)
    args = (rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (3, 2)))
    value, (dx, dw) = emitted.loss_value_and_grad(*args, seed=None)
    np.testing.assert_allclose(value, loss(*args), rtol=1e-12)
    np.testing.assert_allclose(dx, numeric_grad(loss, args, 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dw, numeric_grad(loss, args, 1), rtol=1e-6, atol=1e-9)
    value, dt = emitted.scalar_value_and_grad(0.4)
    assert value == pytest.approx(scalar(0.4), rel=1e-13)
    assert dt == pytest.approx(numeric_grad(scalar, (0.4,), 0), rel=1e-6)


def test_every_spelling_of_scipy_special_resolves_without_importing_it():
    names = names_from_module(cst.parse_module(textwrap.dedent("""\
        import scipy
        import cupyx.scipy.special as csp
        from cupyx.scipy import special
        from scipy.special import logsumexp as lse
    """)))
    assert [names.qualify(n) for n in ("csp.erf", "special.expit", "lse", "scipy.special.psi")] \
        == ["scipy.special.erf", "scipy.special.expit", "scipy.special.logsumexp",
            "scipy.special.psi"]


def test_return_sign_is_refused_with_its_position(tmp_path):
    model = tmp_path / "signed.py"
    model.write_text(textwrap.dedent('''\
        import scipy.special as sp


        def loss(x):
            value, sign = sp.logsumexp(x, return_sign=True)
            return value * sign
    '''), encoding="utf-8")
    result = _agc("compile", model, "--function", "loss")
    assert result.returncode == 1
    assert "signed.py:5:" in result.stderr and "return_sign=True" in result.stderr


def test_import_agc_and_compile_without_scipy(tmp_path):
    code = textwrap.dedent('''\
        import sys
        sys.modules["scipy"] = None  # `import scipy` now fails
        import numpy as np
        import agc

        @agc.differentiate
        def f(x):
            return np.sum(np.cbrt(x) + np.logaddexp(x, 0.5))

        g = f.grad(np.array([1.0, 8.0]))
        assert np.allclose(g, [1 / 3 + np.exp(1) / (np.exp(1) + np.exp(0.5)),
                               1 / 12 + np.exp(8) / (np.exp(8) + np.exp(0.5))]), g
        assert np.allclose(agc.nn.relu(np.array([-1.0, 2.0])), [0.0, 2.0])  # agc.nn imports
        try:
            agc.nn.gelu(np.zeros(2))
        except ImportError as err:
            assert "install scipy" in str(err)
        else:
            raise AssertionError("gelu ran without scipy")
        try:
            agc.runtime.special.erf(np.zeros(2))
        except ImportError as err:
            assert "install scipy" in str(err)
        else:
            raise AssertionError("rt.special ran without scipy")
    ''')
    script = tmp_path / "no_scipy.py"  # a file: agc reads the function's source
    script.write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def test_rt_special_refuses_an_array_library_it_does_not_know(monkeypatch):
    other = types.SimpleNamespace(__name__="array_api_strict")
    monkeypatch.setattr(runtime.special, "array_module", lambda *values: other)
    with pytest.raises(TypeError, match="numpy or cupy"):
        runtime.special.erf(np.zeros(2))


def test_rt_special_keeps_float32():
    x = np.array([0.5, 1.5], dtype=np.float32)
    for fn in (runtime.special.erf, runtime.special.digamma, runtime.special.trigamma,
               runtime.special.softmax, runtime.special.logsumexp):
        assert fn(x).dtype == np.float32, fn.__name__
    assert runtime.special.sinc_grad(np.float32(1.0), x).dtype == np.float32


# ------------------------------------------------------------------ proofs
def proved_softmax(x):
    return np.sum(sp.softmax(x, axis=0) * np.array([1.0, 2.0, 3.0]))


def proved_logsumexp(x, w):
    return sp.logsumexp(x, b=w)


def proved_expit_erf(x, w):
    return np.sum(sp.expit(x) * sp.erf(w))


def proved_hypot_cbrt(x, y):
    return np.sum(np.hypot(x, y) + np.cbrt(x) * y)


def proved_logaddexp_fmax_sinc(x, y):
    return np.sum(np.logaddexp(x, y) + np.fmax(x, y) * np.sinc(y))


def proved_normal(p):
    return np.sum(sp.ndtr(p) + sp.log_ndtr(p) + sp.ndtri(p) + sp.erfinv(p))


def proved_gamma_beta_entropy(x, y):
    return np.sum(sp.gamma(x) + sp.beta(x, y) + sp.entr(x) + sp.rel_entr(x, y))


def proved_gamma(x):
    return np.sum(sp.gammaln(x) * sp.digamma(x) + sp.xlogy(x, x + 1.0) + sp.polygamma(2, x))


@pytest.mark.parametrize("fn, args", [
    (proved_softmax, (np.array([0.3, -0.7, 1.1]),)),
    (proved_logsumexp, (np.array([0.3, -0.7, 1.1]), np.array([0.5, 1.5, 1.0]))),
    (proved_expit_erf, (np.array([0.3, -0.7, 1.1]), np.array([0.5, 1.5, 1.0]))),
    (proved_hypot_cbrt, (np.array([0.3, -0.7, 1.1]), np.array([0.2, 0.4, -1.3]))),
    (proved_logaddexp_fmax_sinc, (np.array([0.3, -0.7, 1.1]), np.array([0.2, 0.4, -1.3]))),
    (proved_gamma, (np.array([0.6, 1.7, 2.2]),)),
    (proved_normal, (np.array([0.3, 0.7, 0.45]),)),
    (proved_gamma_beta_entropy, (np.array([0.3, 0.7, 0.45]), np.array([0.5, 1.5, 1.0]))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_verify_proves_the_new_rules(fn, args):
    names = fn.__code__.co_varnames[:len(args)]
    result = agc.verify(fn, *args, wrt=names)
    assert result.proved, str(result)


# ------------------------------------------- helper meanings vs the runtime
def _meaning(prim: Prim, values: tuple, **params):
    run = Interpreter(Point({}), Path())
    atoms = tuple(ir.Var(f"a{i}") for i in range(len(values)))
    stmt = ir.Assign(ir.Var("t"), prim, atoms, ir.Params.of(**params))
    exact = tuple(symbolic_array(v) if isinstance(v, np.ndarray) else v for v in values)
    return np.asarray(run.point.evaluate(run.apply(stmt, list(exact))), dtype=float)


X = np.array([[0.5, -1.0, 2.0], [0.25, 1.5, -0.5]])
G = np.array([[1.0, 0.5, -2.0], [0.75, 0.25, 1.0]])
W = np.array([0.5, 2.0, 1.0])
LSE1 = sp.logsumexp(X, axis=1)
LSE_B = sp.logsumexp(X, axis=0, b=W[None, :] + 0 * X, keepdims=True)


@pytest.mark.parametrize("prim, values, params, expected", [
    (Prim.SOFTMAX_GRAD, (G, sp.softmax(X, axis=1)), {"axis": 1},
     runtime.special.softmax_grad(G, sp.softmax(X, axis=1), axis=1)),
    (Prim.SOFTMAX_GRAD, (G, sp.softmax(X)), {}, runtime.special.softmax_grad(G, sp.softmax(X))),
    (Prim.LOG_SOFTMAX_GRAD, (G, sp.log_softmax(X, axis=0)), {"axis": 0},
     runtime.special.log_softmax_grad(G, sp.log_softmax(X, axis=0), axis=0)),
    (Prim.LOGSUMEXP_GRAD, (G[:, 0], X, LSE1), {"axis": 1},
     runtime.special.logsumexp_grad(G[:, 0], X, LSE1, axis=1)),
    (Prim.LOGSUMEXP_GRAD, (G[:1], X, LSE_B, W), {"axis": 0, "keepdims": True},
     runtime.special.logsumexp_grad(G[:1], X, LSE_B, W, axis=0, keepdims=True)),
    (Prim.SINC_GRAD, (G[0], np.array([0.0, 0.5, -1.25])), {},
     runtime.special.sinc_grad(G[0], np.array([0.0, 0.5, -1.25]))),
    (Prim.HYPOT_GRAD, (G[0], np.array([0.0, 5.0, 0.5])), {},
     runtime.special.hypot_grad(G[0], np.array([0.0, 5.0, 0.5]))),
    (Prim.TRIGAMMA, (np.array([0.5, 1.0, 3.25]),), {},
     runtime.special.trigamma(np.array([0.5, 1.0, 3.25]))),
], ids=lambda v: v.name if isinstance(v, Prim) else "")
def test_gradient_helper_meanings_match_the_runtime(prim, values, params, expected):
    np.testing.assert_allclose(_meaning(prim, values, **params), expected, rtol=1e-12)


# ------------------------------------------------------------------ on a GPU
def gpu_model(x, w):
    scores = x * w
    smooth = sp.erf(scores) + sp.gammaln(np.exp(scores) + 1.0) + sp.xlogy(w * w, np.cbrt(w) ** 2)
    mixed = np.hypot(scores, 0.5) + np.sinc(scores) * np.fmax(scores, w) + np.logaddexp2(x, w)
    return np.sum(sp.softmax(smooth, axis=1) * mixed) + np.mean(sp.logsumexp(scores, axis=0))


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rt_special_runs_on_cupy(dtype):
    cupy = pytest.importorskip("cupy")
    if not runtime.has_gpu():
        pytest.skip("cupy imports, but no CUDA device can allocate memory")
    rng = np.random.default_rng(7)
    args = tuple(rng.uniform(0.2, 1.2, (3, 4)).astype(dtype) for _ in range(2))
    diff = agc.differentiate(gpu_model, wrt=("x", "w"))
    value, grads = diff.value_and_grad(*args)
    on_gpu = runtime.to_device(args, "cuda")
    gpu_value, gpu_grads = diff.value_and_grad(*on_gpu)
    rtol = 1e-9 if dtype == np.float64 else 2e-3
    np.testing.assert_allclose(float(gpu_value), float(value), rtol=rtol)
    for got, expected in zip(gpu_grads, grads):
        assert isinstance(got, cupy.ndarray) and got.dtype == dtype
        np.testing.assert_allclose(got.get(), expected, rtol=rtol, atol=rtol)
