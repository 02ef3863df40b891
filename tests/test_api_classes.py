"""Issue 13: class-based models, the PyTorch nn.Module way: parameters as attributes,
the loss as a method (`model.loss.grad(x)`, `wrt="self"`, `agc compile --function
Model.loss`).

Expected gradients come from central differences or from the method itself, never
from agc alone.
"""

from __future__ import annotations

import functools

import agc
import numpy as np
import pytest
from agc import cli
from agc.errors import UsageError, UserCodeError
from gradcheck import import_file, import_source, numeric_grad

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
