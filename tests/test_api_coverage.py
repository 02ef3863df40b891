"""Issue 13: module-level arrays and containers read as constants, arguments by name,
keyword arguments in helper calls, and `wrt` forms (class-based models: test_api_classes).

Expected values come from the function itself (numpy), expected gradients from
closed forms or central differences (`numeric_grad`), never from agc.
"""

from __future__ import annotations

import sys

import agc
import numpy as np
import pytest
from agc import cli
from agc.errors import UsageError, UserCodeError
from gradcheck import import_file, import_source, numeric_grad

CONSTANTS = """
import numpy as np
import agc

A = np.array([[1., 2.], [3., 4.]])
L = [1.0, 2.0, 3.0]
T = (0.5, 1.5)
D = {"a": 2.0, "b": -1.0}
W0 = np.random.default_rng(0).standard_normal((2, 2))
S32 = np.float32(0.5)


def helper(x):
    return W0 @ x + D["b"]


def matrix(x):
    return np.sum((A @ x) ** 2)


def containers(x):
    return np.sum(x * L[0] + L[2]) * T[1] + np.sum(np.sin(x)) * D["a"]


def computed(x):
    return np.sum(np.tanh(helper(x)) ** 2)


def numpy_number(x):
    return np.sum(x * S32)


def shifted_log_sum_exp(x):
    m = np.max(x)
    return np.sum(np.log(np.sum(np.exp(x - m))) + A[0]) + np.sum(L)


@agc.differentiate
def decorated(x):
    return np.sum(A @ np.exp(x))
"""


@pytest.fixture
def consts(tmp_path):
    """The CONSTANTS module, imported fresh for each test (the tests rebind its names)."""
    return import_source(CONSTANTS, tmp_path, "api_constants")


@pytest.mark.parametrize("name", ["matrix", "containers", "computed", "numpy_number",
                                  "decorated", "shifted_log_sum_exp"])
def test_module_arrays_and_containers_are_constants(consts, name):
    """`name 'A' is not defined here` was the most common first stumble.

    shifted_log_sum_exp: a pass put the constants in a set (TypeError: unhashable ndarray).
    """
    fn = getattr(consts, name)
    x = np.array([0.3, -0.7])
    value, g = agc.value_and_grad(fn)(x)
    np.testing.assert_allclose(value, fn(x), rtol=1e-12)
    np.testing.assert_allclose(g, numeric_grad(fn, (x,), 0), rtol=1e-6, atol=1e-8)


def test_float32_argument_gives_float32_gradient(consts):
    x = np.array([0.3, -0.7], dtype=np.float32)
    g = agc.grad(consts.computed)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, numeric_grad(consts.computed, (x.astype(float),), 0),
                               rtol=1e-4, atol=1e-5)


def test_an_array_written_in_place_is_read_at_call_time(consts):
    grad = agc.grad(consts.matrix)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(grad(x), 2 * consts.A.T @ (consts.A @ x))
    consts.A[0, 0] = 10.0
    np.testing.assert_allclose(grad(x), [346.0, 144.0])


def test_a_rebound_array_is_seen(consts):
    grad = agc.grad(consts.matrix)
    x = np.array([1.0, 2.0])
    grad(x)
    consts.A = np.eye(2) * 3.0
    np.testing.assert_allclose(grad(x), 18.0 * x)
    consts.A = np.ones((3, 2))  # another shape: compiled again, not a stale broadcast
    np.testing.assert_allclose(grad(x), numeric_grad(consts.matrix, (x,), 0), rtol=1e-6)


def test_a_list_changed_in_place_and_a_dict_entry_rebound_are_seen(consts):
    grad = agc.grad(consts.containers)
    x = np.array([0.1, 0.2])
    grad(x)
    consts.L[0] = 4.0
    consts.D["a"] = 0.0
    np.testing.assert_allclose(grad(x), numeric_grad(consts.containers, (x,), 0), rtol=1e-6)
    consts.T = (0.0, 2.0)
    np.testing.assert_allclose(grad(x), [8.0, 8.0])


def test_a_module_value_of_another_kind_is_refused_with_a_hint(tmp_path):
    model = import_source("import numpy as np\nNAME = object()\n\n\n"
                          "def f(x):\n    return np.sum(x) * NAME\n", tmp_path, "api_obj")
    with pytest.raises(UserCodeError, match="'NAME' is not defined here") as err:
        agc.grad(model.f)(np.ones(2))
    assert "pass other values as parameters" in str(err.value)
    assert "api_obj.py:6:" in str(err.value)


CLI_MODEL = """
import numpy as np
from agc import differentiate

A = np.array([[1., 2.], [3., 4.]])
W: list = [0.5, 1.5]
SCALE = 2.0
B = np.random.default_rng(1).standard_normal((2, 2))


def helper(x):
    return B @ x


@differentiate
def loss(x):
    return SCALE * np.sum((A @ x) ** 2) + W[1] * np.sum(np.sin(helper(x)))
"""


def test_agc_compile_reads_module_arrays_from_the_model_at_call_time(tmp_path):
    """The emitted module imports the model and reads `cli_model.A` on each call."""
    path = tmp_path / "cli_model.py"
    path.write_text(CLI_MODEL)
    out = tmp_path / "cli_model_grad.py"
    assert cli.main(["compile", str(path), "-o", str(out)]) == 0
    text = out.read_text()
    assert "import cli_model\n" in text and "cli_model.A @ x" in text
    assert "SCALE = 2.0" in text  # a literal number is still embedded
    model = import_file(path, "cli_model")
    emitted = import_file(out)
    x = np.array([0.4, -1.2])
    np.testing.assert_allclose(emitted.loss_grad(x), numeric_grad(model.loss, (x,), 0),
                               rtol=1e-6)
    model.A[1, 1] = -2.0
    model.W = [0.0, 3.0]
    np.testing.assert_allclose(emitted.loss_grad(x), numeric_grad(model.loss, (x,), 0),
                               rtol=1e-6)


KEYWORDS = """
import numpy as np


def affine(a, b=2.0, c=0.5, *, shift=0.0):
    return a * b + c + shift


def f(x, w):
    return np.sum(affine(x, b=w) ** 2) + np.sum(affine(c=1.5, a=np.sin(x), shift=w))


def with_defaults(x, w=np.ones(2), scale=3.0, *, power=2):
    return np.sum((x * w) ** power) * scale


def n_times(x, n):
    return np.sum(x) * n
"""


@pytest.fixture
def kw(tmp_path):
    return import_source(KEYWORDS, tmp_path, "api_keywords")


def _expected_f(kw, x, w):
    return (numeric_grad(kw.f, (x, w), 0), numeric_grad(kw.f, (x, w), 1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_helpers_called_with_keywords_and_defaults(kw, dtype):
    x, w = np.array([0.3, -1.1], dtype=dtype), np.array([0.5, 2.0], dtype=dtype)
    value, (gx, gw) = agc.value_and_grad(kw.f, wrt=("x", "w"))(x, w)
    expected = _expected_f(kw, x.astype(float), w.astype(float))
    assert gx.dtype == gw.dtype == dtype
    tol = 1e-6 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(value, kw.f(x, w), rtol=tol)
    np.testing.assert_allclose(gx, expected[0], rtol=tol, atol=tol)
    np.testing.assert_allclose(gw, expected[1], rtol=tol, atol=tol)


def test_arguments_by_name_everywhere(kw):
    """f.grad(x=..., w=...), value_and_grad(x, w=...), agc.grad(f)(x=...) bind as Python does."""
    x, w = np.array([0.3, -1.1]), np.array([0.5, 2.0])
    diff = agc.differentiate(kw.f, wrt=("x", "w"))
    expected = _expected_f(kw, x, w)
    for got in (diff.grad(x, w), diff.grad(x=x, w=w), diff.grad(w=w, x=x), diff.grad(x, w=w),
                diff.value_and_grad(x, w=w)[1], agc.grad(kw.f, wrt=("x", "w"))(w=w, x=x),
                diff.vjp(x, w=w, seed=1.0)[1]):
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
    with pytest.raises(UsageError, match="missing a required argument: 'w'"):
        diff.grad(x)
    with pytest.raises(UsageError, match="unexpected keyword argument 'v'"):
        diff.grad(x, w, v=w)


def test_defaults_and_keyword_only_parameters(kw):
    x = np.array([0.3, -1.1])
    fn = kw.with_defaults
    np.testing.assert_allclose(agc.grad(fn)(x), numeric_grad(fn, (x,), 0), rtol=1e-6)
    w = np.array([2.0, -1.0])
    for wrt in (1, "w", ("w",), [1]):
        np.testing.assert_allclose(agc.grad(fn, wrt=wrt)(x, w, power=3),
                                   numeric_grad(lambda x, w: fn(x, w, power=3), (x, w), 1),
                                   rtol=1e-6)
    g_scale = agc.grad(fn, wrt=2)(x, scale=2.0)  # a position counted from 0
    assert g_scale == pytest.approx(fn(x, scale=1.0))


@pytest.mark.parametrize(("wrt", "message"), [
    ((5,), "wrt=5: n_times\\(\\) has 2 parameters; its parameters are x, n"),
    ("nope", "n_times\\(\\) has no parameter 'nope'; its parameters are x, n"),
    ((), "non-empty tuple"),
    ((1.5,), "has no parameter 1.5"),
])
def test_bad_wrt_is_a_usage_error_naming_the_parameters(kw, wrt, message):
    with pytest.raises(UsageError, match=message):
        agc.grad(kw.n_times, wrt=wrt)


def test_an_integer_argument_to_differentiate_is_refused_clearly(kw):
    with pytest.raises(TypeError, match="cannot differentiate with respect to n: it is an "
                       "integer"):
        agc.grad(kw.n_times, wrt="n")(np.ones(2), 3)
    assert agc.grad(kw.n_times, wrt="n")(np.ones(2), 3.0) == 2.0


def test_keyword_errors_in_helper_calls_are_positioned(tmp_path):
    model = import_source("import numpy as np\n\n\ndef h(a, b=1.0):\n    return a * b\n\n\n"
                          "def f(x):\n    return np.sum(h(x, bb=2.0))\n", tmp_path, "api_kwerr")
    with pytest.raises(UserCodeError, match="h\\(\\) gets no parameter `bb`") as err:
        agc.grad(model.f)(np.ones(2))
    assert "api_kwerr.py:9:" in str(err.value) and "a, b" in str(err.value)


def test_agc_compile_with_keywords_and_default_expressions(tmp_path):
    path = tmp_path / "kw_model.py"
    path.write_text(KEYWORDS + "\n\ndef g(x, w=np.ones(2)):\n    return f(x, w=w)\n")
    out = tmp_path / "kw_model_grad.py"
    assert cli.main(["compile", str(path), "--function", "g", "-o", str(out)]) == 0
    assert "def g_grad(x, w=np.ones(2)):" in out.read_text()
    model, emitted = import_file(path), import_file(out)
    x = np.array([0.7, 0.2])
    np.testing.assert_allclose(emitted.g_grad(x), numeric_grad(model.g, (x,), 0), rtol=1e-6)

def test_verify_proves_a_gradient_reading_module_arrays_and_keywords(consts, kw):
    """agc.verify runs the emitted code with the module's values: the proof covers them."""
    result = agc.verify(consts.computed, np.array([0.3, -0.7]))
    assert result.proved, str(result)
    result = agc.verify(kw.f, np.array([0.3, -1.1]), np.array([0.5, 2.0]), wrt=("x", "w"))
    assert result.proved, str(result)


def test_a_numpy_float64_constant_without_the_np_alias(tmp_path):
    """Was: NameError 'np' (the constant was embedded as its repr, `np.float64(0.5)`)."""
    model = import_source("import numpy\n\nSCALE = numpy.float64(0.5)\n\n\n"
                          "def f(x):\n    return numpy.sum(x * x * SCALE)\n", tmp_path, "api_f64")
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(agc.grad(model.f)(x), x)
    model.SCALE = np.float64(2.0)
    np.testing.assert_allclose(agc.grad(model.f)(x), 4.0 * x)


def test_module_flags_and_modes_are_constants_read_at_call_time(tmp_path):
    model = import_source('import numpy as np\n\nUSE_BIAS = True\nACT = "tanh"\n\n\n'
                          'def f(x):\n    y = np.tanh(x) if ACT == "tanh" else np.sin(x)\n'
                          '    if USE_BIAS:\n        y = y + 1.0\n    return np.sum(y ** 2)\n',
                          tmp_path, "api_flags")
    grad = agc.grad(model.f)
    x = np.array([0.3, -0.8])
    for flag, act in ((True, "tanh"), (False, "tanh"), (False, "sin"), (True, "sin")):
        model.USE_BIAS, model.ACT = flag, act
        np.testing.assert_allclose(grad(x), numeric_grad(model.f, (x,), 0), rtol=1e-6)


LIB = """
import numpy as np

B = np.array([2.0, -1.0])
SCALE = 0.5


def weigh(v):
    return v * B * SCALE
"""

USES_LIB = """
import numpy as np
from agc import differentiate
from api_lib import weigh

SCALE = 2.0


@differentiate
def f(x):
    return np.sum(weigh(x) ** 2) * SCALE
"""


def test_constants_of_a_helper_module_are_its_own(tmp_path, monkeypatch):
    """Was: NameError for B, and SCALE of the helper's module silently replaced the model's
    (the emitted module embedded one `SCALE = ...` for both)."""
    (tmp_path / "api_lib.py").write_text(LIB)
    lib = import_file(tmp_path / "api_lib.py", "api_lib")
    monkeypatch.setitem(sys.modules, "api_lib", lib)
    monkeypatch.syspath_prepend(str(tmp_path))
    model = import_source(USES_LIB, tmp_path, "api_uses_lib")
    grad = agc.grad(model.f)
    x = np.array([1.0, 3.0])
    np.testing.assert_allclose(grad(x), numeric_grad(model.f, (x,), 0), rtol=1e-6)
    lib.B[1] = 5.0
    np.testing.assert_allclose(grad(x), numeric_grad(model.f, (x,), 0), rtol=1e-6)
    lib.B, lib.SCALE = np.array([1.0, 1.0]), 1.0
    np.testing.assert_allclose(grad(x), 4 * x)
    # agc compile: the helper reads api_lib.B and api_lib.SCALE, the model its own SCALE
    out = tmp_path / "uses_lib_grad.py"
    assert cli.main(["compile", str(tmp_path / "api_uses_lib.py"), "-o", str(out)]) == 0
    assert "api_lib.SCALE" in out.read_text()
    np.testing.assert_allclose(import_file(out).f_grad(x), 4 * x)
