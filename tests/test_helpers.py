"""Calls to the model's own helper functions: each gets its own split adjoint.

Helpers defined in the model's module and in modules it imports are compiled
from their source, emitted as a primal `h` and a split adjoint (not inlined):
`h_fwd(...)` gives the value and a record, `h_bwd(seed, record)` the
cotangents without running `h` again. They work inside loops, from other
helpers, with defaults left out and with lists as arguments. Recursion is a
clear error.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys

import agc
import numpy as np
import pytest
from gradcheck import numeric_grad

SHAPES = '''
import numpy as np


def squash(v, scale=1.0):
    """A helper in another module."""
    return np.tanh(v * scale)


def inner(v):
    return v * 3.0


def outer(v):
    return inner(v)


def tripled(v):
    return v * 3.0
'''

MODELS = '''
import numpy as np
import agc
import helper_shapes
from helper_shapes import squash


def softplus(z):
    return np.log1p(np.exp(z))


def layer(x, w, b=0.0):
    return softplus(x @ w + b)


def total(parts):
    return parts[0] * 2.0 + parts[1]


def countdown(x, n):
    if n == 0:
        return x
    return countdown(x * 2, n - 1)


def runaway(x):
    return runaway(x * 0.5) if np.sum(x) > 1 else x


@agc.differentiate(wrt=("w", "b"))
def two_layers(x, w, b):
    h = layer(x, w, b)
    return np.sum(layer(h, w.T))


def damp(v):
    for _ in range(3):
        v = v - 0.5 * np.sin(v)
    return v


@agc.differentiate
def damped(x):
    return np.sum(damp(x) ** 2)


@agc.differentiate
def in_a_loop(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(softplus(x * i))
    return s


@agc.differentiate
def from_a_list(x):
    return np.sum(total([x, x * x]))


@agc.differentiate
def imported(x):
    return np.sum(squash(x) + squash(x, 2.0))


def inner(x):
    return x + 1.0


def tripled(x):
    return helper_shapes.tripled(x) + 1.0


@agc.differentiate
def same_name_in_two_files(x):
    return np.sum(inner(x) * helper_shapes.outer(x))


@agc.differentiate
def wrapper_named_as_its_callee(x):
    return np.sum(tripled(x) ** 2)


@agc.differentiate
def recursive(x):
    return np.sum(countdown(x, 3))


@agc.differentiate
def recursive_on_data(x):
    return np.sum(runaway(x))
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("helpers")
    (folder / "helper_shapes.py").write_text(SHAPES)
    (folder / "helper_models.py").write_text(MODELS)
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("helper_models"), folder
    finally:
        sys.path.remove(str(folder))


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_helper_calling_helper_with_a_default_left_out(models, rng):
    module, _ = models
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    gw, gb = module.two_layers.grad(x, w, b)
    np.testing.assert_allclose(gw, numeric_grad(module.two_layers, (x, w, b), 1), rtol=1e-6)
    np.testing.assert_allclose(gb, numeric_grad(module.two_layers, (x, w, b), 2), rtol=1e-6)


def test_helpers_get_their_own_adjoint_functions(models, rng):
    module, _ = models
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    module.two_layers.grad(x, w, b)
    source = "\n".join(c.source for c in module.two_layers._compiled.values())
    namespace = next(iter(module.two_layers._compiled.values())).namespace
    # split: the caller's forward sweep runs layer_fwd, its backward sweep layer_bwd (no rerun)
    assert "layer_fwd(x, w, b)" in source and "layer_bwd(" in source and "layer_vjp" not in source
    assert {"layer_fwd", "layer_bwd", "softplus_fwd", "softplus_bwd"} <= set(namespace)


def test_helper_inside_a_loop(models, rng):
    module, _ = models
    x = rng.standard_normal(5)
    np.testing.assert_allclose(module.in_a_loop.grad(x), numeric_grad(module.in_a_loop, (x,), 0),
                               rtol=1e-6)


def test_helper_taking_a_list(models):
    module, _ = models
    x = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(module.from_a_list.grad(x), 2.0 + 2.0 * x)


def test_helper_from_an_imported_module(models, rng):
    module, _ = models
    x = rng.standard_normal(4)
    want = (1 - np.tanh(x) ** 2) + 2.0 * (1 - np.tanh(2.0 * x) ** 2)
    np.testing.assert_allclose(module.imported.grad(x), want, rtol=1e-12)


@pytest.mark.parametrize("name", ["same_name_in_two_files", "wrapper_named_as_its_callee"])
def test_two_helpers_of_one_name_are_refused(models, name):
    """Two functions `inner` (or `tripled`) in two files: the emitted module had only one of
    them, and the gradient silently used it for both calls (a wrong gradient, no error)."""
    module, _ = models
    with pytest.raises(agc.UserCodeError) as caught:
        getattr(module, name).grad(np.ones(2))
    text = str(caught.value)
    assert "two different functions named" in text and "rename one" in text
    assert "helper_models.py" in text and "helper_shapes.py" in text and "^" in text


def test_recursion_unrolls_on_a_counter_and_is_a_clear_error_on_data(models):
    module, _ = models
    np.testing.assert_allclose(module.recursive.grad(np.ones(2)), [8.0, 8.0])  # issue 13
    with pytest.raises(agc.UserCodeError) as caught:
        module.recursive_on_data.grad(np.ones(2))
    text = str(caught.value)
    assert "`runaway` is called more than 32 levels deep" in text
    assert "helper_models.py:" in text and "^" in text


def test_agc_compile_emits_the_helpers(models, tmp_path):
    _, folder = models
    out = tmp_path / "two_layers_grad.py"
    result = subprocess.run([sys.executable, "-m", "agc.cli", "compile", "helper_models.py",
                             "--function", "two_layers", "-o", str(out)],
                            cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    for name in ("def layer(", "def layer_fwd(x, w, b=0.0)", "def layer_bwd(seed, saved)",
                 "def softplus_bwd("):
        assert name in text
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location("two_layers_grad", out)
        emitted = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(emitted)
    finally:
        sys.path.remove(str(folder))
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    gw, gb = emitted.two_layers_grad(x, w, b)
    module = importlib.import_module("helper_models")
    np.testing.assert_allclose(gw, numeric_grad(module.two_layers, (x, w, b), 1), rtol=1e-6)
    np.testing.assert_allclose(gb, numeric_grad(module.two_layers, (x, w, b), 2), rtol=1e-6)


def test_parameters_only_given_constants_get_no_cotangent_work(models, rng):
    module, _ = models
    x = rng.standard_normal(4)
    module.imported.grad(x)
    namespace = next(iter(module.imported._compiled.values())).namespace
    value, record = namespace["squash_fwd"](x, 2.0)
    np.testing.assert_allclose(value, np.tanh(2.0 * x))
    v_bar, scale_bar = namespace["squash_bwd"](np.ones(4), record)
    assert scale_bar is None
    np.testing.assert_allclose(v_bar, 2.0 * (1 - np.tanh(2.0 * x) ** 2))


def test_a_split_helper_runs_once_per_call_and_its_record_can_be_read_twice(models, rng):
    """damp is never called (damp_fwd computes the value), and damp_bwd leaves the record
    (its own tape inside) whole: f_vjp_rows runs the backward sweep once per row."""
    module, _ = models
    x = rng.standard_normal(4)
    expected = numeric_grad(module.damped, (x,), 0)
    module.damped.grad(x)
    namespace = next(iter(module.damped._compiled.values())).namespace

    def refuse(*args):
        raise AssertionError("the helper ran again")

    original = namespace["damp"]
    namespace["damp"] = refuse
    try:
        np.testing.assert_allclose(module.damped.grad(x), expected, rtol=1e-6)
    finally:
        namespace["damp"] = original
    assert "damp_vjp" not in namespace
    value, record = namespace["damp_fwd"](x)
    np.testing.assert_allclose(value, original(x))
    first = namespace["damp_bwd"](np.ones(4), record)[0]
    np.testing.assert_array_equal(first, namespace["damp_bwd"](np.ones(4), record)[0])


def test_a_value_restored_only_for_its_shape_is_recorded_as_its_shape(load_model, rng):
    """`y = y * w; y = y + b`: the backward half restores y * w only for unbroadcast's shape.
    The record kept that whole array (batch norm's affine in the ResNet); now its shape."""
    module = load_model('''
        import agc
        import numpy as np

        def affine(y, w, b):
            y = y * w
            y = y + b
            return y

        @agc.differentiate(wrt=("x", "w", "b"))
        def loss(x, w, b):
            return np.sum(affine(x, w, b) ** 2)
        ''')
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal((1, 3))
    grads = module.loss.grad(x, w, b)
    for position, grad in enumerate(grads):
        np.testing.assert_allclose(grad, numeric_grad(module.loss.fn, (x, w, b), position),
                                   rtol=1e-6)
    namespace = next(iter(module.loss._compiled.values())).namespace
    _, record = namespace["affine_fwd"](x, w, b)
    arrays = [item for item in record if isinstance(item, np.ndarray)]
    assert len(arrays) == 2 and arrays[0] is w and arrays[1] is x  # never y * w (5x3)
    assert [item for item in record if isinstance(item, tuple)] == [(1, 3), (5, 3)]


NETWORK = '''
    import agc
    import numpy as np

    def scaled_and_norm(v, a):
        y = v * a
        return y, np.sum(y * y)

    def masked(v):
        return np.where(v > 0, v, 0.0)

    def block(v, a):
        y, n = scaled_and_norm(v, a)
        return masked(y) * n, n

    @agc.differentiate(wrt=("x", "a"))
    def loss(x, a):
        x, n = block(x, a)
        x, m = block(x, a)
        return np.sum(x) + n * m
    '''


def test_records_die_with_the_model_line_that_read_them_last(load_model, rng):
    """A network of helpers (the ResNet's blocks): the rebound x's restores are dead code,
    and each record is deleted once its helper's backward sweep ran, not at the return."""
    module = load_model(NETWORK)
    x, a = rng.standard_normal((3, 4)), rng.standard_normal(4)
    for position, grad in enumerate(module.loss.grad(x, a)):
        np.testing.assert_allclose(grad, numeric_grad(module.loss.fn, (x, a), position),
                                   rtol=1e-6, atol=1e-6)
    body = module.loss.gradient_source.split("\ndef loss_grad(")[0]
    assert "x_saved" not in body  # x was only restored to be bound again
    records = [line.split(", ")[1].split(" =")[0] for line in body.splitlines()
               if "= block_fwd(" in line]
    assert len(records) == 2
    deleted = [line for line in body.splitlines() if line.strip().startswith("del ")]
    assert all(any(r in line for line in deleted) for r in records), deleted


def test_a_helpers_backward_half_deletes_its_cotangents_after_their_model_line(load_model, rng):
    """block_bwd drops the cotangents of `return masked(y) * n, n` once that line's
    adjoint ran (a layer's cotangents are as large as its activations), but never its
    record's items (the record still holds them) nor what it returns."""
    module = load_model(NETWORK)
    x, a = rng.standard_normal((3, 4)), rng.standard_normal(4)
    for position, grad in enumerate(module.loss.grad(x, a)):
        np.testing.assert_allclose(grad, numeric_grad(module.loss.fn, (x, a), position),
                                   rtol=1e-6, atol=1e-6)
    source = module.loss.gradient_source
    bwd = source.split("def block_bwd(")[1].split("\ndef ")[0].splitlines()
    record = set(next(line for line in bwd if "= saved" in line).split("=")[0]
                 .replace(",", " ").split())
    dels = [i for i, line in enumerate(bwd) if line.strip().startswith("del ")]
    deleted = {n for i in dels for n in bwd[i].strip()[4:].split(", ")}
    assert {"t5_bar", "t6_bar"} <= deleted and not deleted & (record | {"v_bar", "a_bar"})
    # deleted where the next model line starts, after the last line reading them
    last_read = max(i for i, line in enumerate(bwd) if "t5_bar" in line and "del " not in line)
    assert dels[0] == last_read + 1 and bwd[dels[0] + 1].strip().startswith("# ")


def test_records_keep_masks_and_stand_ins_not_arrays(load_model, rng):
    """`masked` keeps its comparison (a bool per element), not v; `block` keeps the tuple it
    unpacked as a stand-in (rt.kept_like: shape and dtype, no data), not y."""
    module = load_model(NETWORK)
    x, a = rng.standard_normal((3, 4)), rng.standard_normal(4)
    module.loss.grad(x, a)
    namespace = next(iter(module.loss._compiled.values())).namespace
    _, record = namespace["masked_fwd"](x)
    arrays = [item for item in record if isinstance(item, np.ndarray)]
    assert [a.dtype for a in arrays] == [np.dtype(bool)]
    _, record = namespace["block_fwd"](x, a)
    # (y, n): y read back only for its shape and dtype, n (0-d) too
    stand_in = record[0]
    assert stand_in[0].strides == (0, 0) and stand_in[0].shape == x.shape
    assert not np.any(stand_in[0]) and stand_in[1].ndim == 0


def test_batch_norm_keeps_its_input_and_numbers_per_channel_only(rng):
    """nn.batch_norm's record: x (the caller's array) and per-channel values, no
    normalised copy of x; its gradient stays torch's (tests/test_nn_layers.py)."""
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    w, b = np.ones(3, np.float32), np.zeros(3, np.float32)

    @agc.differentiate(wrt=("x", "w", "b"))
    def loss(x, w, b):
        return np.sum(agc.nn.batch_norm(x, np.zeros(3), np.ones(3), w, b, True)[0] ** 3)

    loss.grad(x, w, b)
    namespace = next(iter(loss._compiled.values())).namespace
    _, record = namespace["batch_norm_fwd"](x, np.zeros(3), np.ones(3), w, b, True)
    big = [item for item in _leaves(record) if isinstance(item, np.ndarray)
           and item.size == x.size and item.strides != (0,) * item.ndim]
    assert big and all(item is x for item in big)


def _leaves(value):
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_the_model_keeps_the_tuples_it_unpacks_as_stand_ins(load_model, rng):
    """`x, n = block(x, a)` in the model function itself: the tuple is read back only to
    give n a zero cotangent, so a stand-in is taken and the tuple dies in the forward
    sweep (not alive through the whole backward sweep)."""
    module = load_model(NETWORK)
    x, a = rng.standard_normal((3, 4)), rng.standard_normal(4)
    for position, grad in enumerate(module.loss.grad(x, a)):
        np.testing.assert_allclose(grad, numeric_grad(module.loss.fn, (x, a), position),
                                   rtol=1e-6, atol=1e-6)
    lines = module.loss.gradient_source.split("\ndef loss_grad(")[0].splitlines()
    taken = [line.split(" = ")[1][len("rt.kept_like("):-1] for line in lines
             if "= rt.kept_like(" in line]
    assert len(taken) == 2
    sweep = next(i for i, line in enumerate(lines) if "block_bwd(" in line)
    deleted = " ".join(line for line in lines[:sweep] if line.strip().startswith("del "))
    assert all(name in deleted.replace(",", " ").split() for name in taken), deleted


def test_a_tuple_item_cotangent_makes_no_zeros_for_the_others():
    """getitem_grad of a tuple: the other items' zeros are read-only views of one zero,
    add and add_at skip them (the sum is the other operand, no pass over it)."""
    out, mean = np.ones((2, 3)), np.ones(3)
    g = np.full((2, 3), 2.0)
    bar = agc.runtime.getitem_grad(np.full(3, 5.0), (out, mean), 1)
    assert bar[0].strides == (0, 0) and not bar[0].flags.writeable and not np.any(bar[0])
    bar = agc.runtime.add_at(bar, g, (out, mean), 0)
    assert bar[0] is g and np.array_equal(bar[1], np.full(3, 5.0))
    assert agc.runtime.add(bar, agc.runtime.getitem_grad(g, (out, mean), 0))[0].tolist() == \
        [[4.0] * 3] * 2
    assert agc.runtime.add(np.zeros((2, 3)), g) is not g  # a real array of zeros is added


TUPLE_ITEMS = '''
    import agc
    import numpy as np

    def three(x):
        return x * 2.0, x * 3.0, x * 5.0

    @agc.differentiate(wrt="x")
    def last(x):
        t = three(x)
        return np.sum(t[-1]) + np.sum(t[-3])

    @agc.differentiate(wrt="x")
    def tail(x):
        a, b = three(x)[1:]
        return np.sum(a * b)
    '''


def test_a_tuple_item_by_a_negative_index_or_a_slice_gets_its_cotangent(load_model):
    """t[-1] and t[1:] of a helper's tuple: the cotangent reaches those items (it went to
    no item at all, a silent zero gradient)."""
    module = load_model(TUPLE_ITEMS)
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(module.last.grad(x), np.full(3, 7.0))
    np.testing.assert_allclose(module.tail.grad(x), 30.0 * x)
