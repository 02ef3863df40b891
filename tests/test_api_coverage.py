"""Issue 13: module-level arrays and containers read as constants, keyword arguments,
`wrt` forms, and class-based models.

Expected values come from the function itself (numpy), expected gradients from
closed forms or central differences (`numeric_grad`), never from agc.
"""

from __future__ import annotations

import functools
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


CLASSES = """
from dataclasses import dataclass

import agc
import numpy as np


@dataclass
class Linear:
    w: np.ndarray
    b: np.ndarray
    power: int = 2

    def forward(self, x):
        return x @ self.w + self.b

    @agc.differentiate
    def loss(self, x, y):
        return np.mean((self.forward(x) - y) ** self.power)

    def plain(self, x, y, scale=1.0):
        return np.sum(np.tanh(self.forward(x)) * y) * scale


class MLP:
    def __init__(self, rng, act="tanh"):
        self.w1 = rng.standard_normal((3, 4))
        self.b1 = np.zeros(4)
        self.layers = [rng.standard_normal((4, 2)), rng.standard_normal((2, 1))]
        self.eps = 0.1
        self.act = act
        self.n_repeat = 2

    def hidden(self, x, scale=1.0):
        h = x @ self.w1 + self.b1
        if self.act == "tanh":
            h = np.tanh(h)
        return h * scale

    @agc.differentiate(wrt="self")
    def loss(self, x, y):
        out = self.hidden(x, scale=0.5) @ self.layers[0]
        for _ in range(self.n_repeat):
            out = np.sin(out)
        return np.mean((out @ self.layers[1] - y) ** 2) + self.eps * np.sum(self.w1 ** 2)


class Bad:
    def __init__(self):
        self.w = np.ones(2)
        self.names = object()
        self.layer = Linear(np.ones((3, 2)), np.zeros(2))
        self.idx = np.array([1, 0])

    @agc.differentiate(wrt="self")
    def writes(self, x):
        self.w = self.w * 2
        return np.sum(self.w * x)

    @agc.differentiate
    def reads_an_object(self, x):
        return np.sum(x) * self.names

    @agc.differentiate
    def calls_a_layer(self, x):
        return np.sum(self.layer.forward(x))

    @agc.differentiate
    def reads_int_array(self, x):
        return np.sum(x[self.idx])
"""


@pytest.fixture
def classes(tmp_path):
    return import_source(CLASSES, tmp_path, "api_classes")


def _attribute_grad(obj, attr, fn, index=None):
    """Central differences of fn() with respect to obj.attr (or obj.attr[index])."""
    holder, key = (getattr(obj, attr), index) if index is not None else (obj, attr)
    get = (lambda: holder[key]) if index is not None else (lambda: getattr(holder, key))

    def put(value):
        if index is not None:
            holder[key] = value
        else:
            setattr(holder, key, value)

    base = np.array(get(), dtype=np.float64)
    out = np.zeros_like(base)
    for i in np.ndindex(base.shape):
        for sign in (1, -1):
            moved = base.copy()
            moved[i] += sign * 1e-6
            put(moved)
            out[i] += sign * fn()
        out[i] /= 2e-6
    put(base)
    return out


@pytest.fixture
def linear(classes):
    rng = np.random.default_rng(3)
    model = classes.Linear(rng.standard_normal((3, 2)), rng.standard_normal(2))
    return model, rng.standard_normal((4, 3)), rng.standard_normal((4, 2))


def test_a_decorated_method_works_through_the_instance(linear):
    """Was: 'functools.partial' object has no attribute 'grad'."""
    model, x, y = linear
    assert model.loss(x, y) == pytest.approx(np.mean((x @ model.w + model.b - y) ** 2))
    np.testing.assert_allclose(model.loss.grad(x, y),  # a bound method: first argument x
                               numeric_grad(lambda x: model.loss(x, y), (x,), 0), rtol=1e-6)
    value, g = model.loss.value_and_grad(x, y=y)
    assert value == pytest.approx(model.loss(x, y))
    np.testing.assert_allclose(g, model.loss.grad(x, y))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradient_with_respect_to_self_is_a_dict_of_attributes(linear, dtype):
    model, x, y = linear
    model.w, model.b = model.w.astype(dtype), model.b.astype(dtype)
    grads = agc.grad(model.loss, wrt="self")(x.astype(dtype), y.astype(dtype))
    assert sorted(grads) == ["b", "w"]
    tol = 1e-6 if dtype == np.float64 else 1e-3
    for attr in ("w", "b"):
        assert grads[attr].dtype == dtype
        np.testing.assert_allclose(
            grads[attr], _attribute_grad(model, attr, lambda: model.loss(x, y)), rtol=tol,
            atol=tol)


def test_named_attributes_and_other_arguments_together(linear):
    model, x, y = linear
    gw, gb, gy = agc.grad(model.plain, wrt=("self.w", "self.b", "y"))(x, y, scale=2.0)
    full = agc.grad(model.plain, wrt="self")(x, y, scale=2.0)
    np.testing.assert_allclose(gw, full["w"])
    np.testing.assert_allclose(gb, full["b"])
    np.testing.assert_allclose(gy, numeric_grad(lambda y: model.plain(x, y, 2.0), (y,), 0),
                               rtol=1e-6)
    np.testing.assert_allclose(agc.grad(model.plain, wrt=1)(x, y), np.tanh(x @ model.w + model.b))
    with pytest.raises(UsageError, match="'power' is not a parameter of Linear"):
        agc.grad(model.plain, wrt="self.power")(x, y)


def test_the_unbound_function_takes_the_instance_first(classes, linear):
    model, x, y = linear
    grads = agc.grad(classes.Linear.plain)(model, x, y)  # default: the first parameter, self
    np.testing.assert_allclose(grads["b"], _attribute_grad(model, "b", lambda: model.plain(x, y)),
                               rtol=1e-6)


def test_configuration_attributes_are_constants_keyed_by_value(linear):
    """An int attribute (`power`) is a constant of the code; changing it compiles again."""
    model, x, y = linear
    for power in (2, 4):
        model.power = power
        np.testing.assert_allclose(
            model.loss.grad(x, y), numeric_grad(lambda x: model.loss(x, y), (x,), 0),
            rtol=1e-6)


def test_a_model_with_helpers_lists_strings_and_loops(classes):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 1))
    for act in ("tanh", "none"):
        net = classes.MLP(rng, act)
        grads = net.loss.grad(x, y)
        assert sorted(grads) == ["b1", "eps", "layers", "w1"]
        loss = functools.partial(net.loss, x, y)
        for attr in ("w1", "b1"):
            np.testing.assert_allclose(grads[attr], _attribute_grad(net, attr, loss),
                                       rtol=1e-5, atol=1e-8)
        for i in (0, 1):
            np.testing.assert_allclose(grads["layers"][i],
                                       _attribute_grad(net, "layers", loss, i), rtol=1e-5,
                                       atol=1e-8)
        assert grads["eps"] == pytest.approx(np.sum(net.w1 ** 2))


def test_writing_self_inside_is_refused_with_a_position(classes):
    with pytest.raises(UserCodeError, match="writing `self.w` inside a differentiated method") \
            as err:
        classes.Bad().writes.grad(np.ones(2))
    assert "api_classes.py:57:5" in str(err.value)
    with pytest.raises(UserCodeError, match="`self.names` is an attribute holding an object, "
                       "which agc cannot read") as err:
        classes.Bad().reads_an_object.grad(np.ones(2))
    assert "sub-layers" in str(err.value)
    with pytest.raises(UserCodeError, match="`self.layer` is an attribute holding a Linear "
                       "object"):
        classes.Bad().calls_a_layer.grad(np.ones((1, 3)))
    with pytest.raises(UserCodeError, match="`self.idx` is an attribute holding an array of "
                       "int64"):
        classes.Bad().reads_int_array.grad(np.ones(2))


CLI_CLASS = """
from dataclasses import dataclass

import numpy as np

OFFSET = np.array([0.5, -0.5])


def square(v):
    return v ** 2


@dataclass
class Model:
    w: np.ndarray
    b: np.ndarray

    def forward(self, x, scale=1.0):
        return (x @ self.w + self.b + OFFSET) * scale

    def loss(self, x, y):
        return np.mean(square(self.forward(x, scale=2.0) - y))
"""


def test_agc_compile_a_method_of_a_class(tmp_path):
    """`--function Model.loss` writes Model_loss_grad(self, x, y), self a dict of attributes."""
    path = tmp_path / "cls_model.py"
    path.write_text(CLI_CLASS)
    out = tmp_path / "cls_model_grad.py"
    assert cli.main(["compile", str(path), "--function", "Model.loss", "-o", str(out)]) == 0
    text = out.read_text()
    assert "def Model_loss_grad(self, x, y):" in text and "self['w']" in text
    model_module = import_file(path, "cls_model")
    emitted = import_file(out)
    rng = np.random.default_rng(2)
    model = model_module.Model(rng.standard_normal((3, 2)), rng.standard_normal(2))
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    grads = emitted.Model_loss_grad(vars(model), x, y)
    for attr in ("w", "b"):
        np.testing.assert_allclose(
            grads[attr], _attribute_grad(model, attr, lambda: model.loss(x, y)), rtol=1e-6)
    assert cli.main(["compile", str(path), "--function", "Nope.loss"]) == 2
    assert cli.main(["compile", str(path), "--function", "Model.nope"]) == 2


def test_functional_forms_take_a_bound_method(linear):
    model, x, y = linear
    _, pullback = agc.vjp(model.forward, x)
    seed = np.ones((4, 2))
    np.testing.assert_allclose(pullback(seed), seed @ model.w.T)
    jac = agc.jacobian(model.forward)(x[:1])
    np.testing.assert_allclose(jac[0, :, 0, :], model.w.T)
    assert agc.check_grad(model.plain, x, y) < 1e-6
    assert "Linear_forward(self, x)" in model.loss.gradient_source
    assert "tape of loss" in str(model.loss.tape_report(x, y))


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


def test_agc_compile_finds_decorated_methods(tmp_path):
    """Without --function, decorated methods of top-level classes are compiled too."""
    path = tmp_path / "cls_decorated.py"
    path.write_text(CLI_CLASS.replace("import numpy as np\n", "import numpy as np\n"
                                      "from agc import differentiate\n", 1)
                    .replace("    def loss(", "    @differentiate(wrt=\"self\")\n    def loss("))
    out = tmp_path / "cls_decorated_grad.py"
    assert cli.main(["compile", str(path), "-o", str(out)]) == 0
    model_module = import_file(path, "cls_decorated")
    model = model_module.Model(np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([0.1, 0.2]))
    x, y = np.array([[0.3, -0.4]]), np.array([[1.0, 0.0]])
    got = import_file(out).Model_loss_grad(vars(model), x, y)
    np.testing.assert_allclose(got["b"], model.loss.grad(x, y)["b"])
    np.testing.assert_allclose(got["w"], model.loss.grad(x, y)["w"])
