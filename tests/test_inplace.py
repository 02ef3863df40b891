"""In-place accumulation: `x_bar = rt.add_at(x_bar, g, x, index)` only where agc owns x_bar."""

import numpy as np
import pytest
from agc import ir
from agc.backend.in_place import accumulate_in_place
from agc.ir.prims import Prim
from gradcheck import import_source, numeric_grad

MODELS = '''
import numpy as np
import agc


@agc.differentiate(wrt=("x", "w"))
def rows(x, w):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.sum(np.tanh(x[i] * w))
    return s


@agc.differentiate
def repeated_rows(x):
    s = 0.0
    for i in range(5):
        s = s + np.sum(x[i % 2] ** 2) * i
    return s


@agc.differentiate
def rebuilt_each_trip(x):
    s = 0.0
    for i in range(x.shape[0]):
        y = x * (i + 1.0)
        s = s + y[i] * y[i]
    return s


@agc.differentiate
def read_after_loop(x):
    y = np.sin(x)
    s = 0.0
    for i in range(x.shape[0]):
        s = s + y[i] * s + y[i]
    return s + np.sum(y * y)


def gates(w, h):
    n = h.shape[0]
    a = np.tanh(h * w[:n])
    b = np.tanh(h * w[n:2 * n])
    return np.sum(a * b * w[2 * n:])


@agc.differentiate(wrt=("w", "h"))
def two_cells(w, h):
    return gates(w, h) + gates(w * 0.5, np.cos(h))


@agc.differentiate(wrt=("w",))
def layered(w, state, xs):
    hidden = state
    total = 0.0
    for t in range(xs.shape[0]):
        x = xs[t]
        new_h = []
        for i in range(state.shape[0]):
            h = np.tanh(w[i] * hidden[i] + x)
            new_h.append(h)
            x = h
        hidden = np.stack(new_h)
        total = total + np.sum(x * xs[t])
    return total


@agc.differentiate
def axes_then_rows(x):
    a = x[:, None] * x[None, :]
    b = x[1:] * 3.0
    return np.sum(a * a) + np.sum(b * b)


@agc.differentiate
def means_and_products(x):
    y = x * 2.0
    return np.mean(x) + np.sum(y * x) + np.mean(x * x, axis=0).sum()


@agc.differentiate(wrt=("x", "w"))
def shared_cotangent(x, w):
    s = np.sum(x * x)
    t = x + w
    return np.sum(np.sin(t)) + s


@agc.differentiate
def rows_then_axes(x):
    b = x[1:] * 3.0
    a = x[:, None] * x[None, :]
    return np.sum(b * b) + np.sum(a * a)
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("inplace"), "inplace_models")


def _source(fn, *args):
    fn.grad(*args)
    return "\n".join(c.source for c in fn._compiled.values())


def _check(fn, args, position=0):
    got = fn.grad(*args)
    got = got[position] if isinstance(got, tuple) else got
    want = numeric_grad(fn, args, position)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_rows_of_a_parameter_are_added_in_place(models):
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((4, 3)), rng.standard_normal(3))
    assert "x_bar = rt.add_at(x_bar, " in _source(models.rows, *args)
    _check(models.rows, args, 0)
    _check(models.rows, args, 1)


def test_a_row_read_twice_adds_both_contributions(models):
    x = np.arange(6.0).reshape(3, 2) / 5
    assert "rt.add_at(" in _source(models.repeated_rows, x)
    _check(models.repeated_rows, (x,))


def test_an_adjoint_read_inside_the_loop_stays_functional(models):
    x = np.linspace(-1.0, 1.0, 4)
    source = _source(models.rebuilt_each_trip, x)
    assert "y_bar = rt.add_at(" not in source and "rt.getitem_grad(" in source
    _check(models.rebuilt_each_trip, (x,))


def test_an_adjoint_read_after_its_last_update_is_added_in_place(models):
    x = np.linspace(-1.0, 1.0, 5)
    assert "y_bar = rt.add_at(y_bar, " in _source(models.read_after_loop, x)
    _check(models.read_after_loop, (x,))


def test_float32_accumulators_stay_float32(models):
    args = (np.ones((3, 2), np.float32), np.full(2, 0.5, np.float32))
    gx, gw = models.rows.grad(*args)
    assert gx.dtype == gw.dtype == np.float32


def test_slices_of_a_helper_argument_are_added_in_place(models):
    """A helper's first slice cotangent is a new array of zeros (rt.getitem_grad): the
    later slices are added into it (rt.add_at) instead of each building zeros the size
    of w and adding them (rt.add), as GradBench's LSTM cell did 8 times a step."""
    rng = np.random.default_rng(1)
    args = (rng.standard_normal(9), rng.standard_normal(3))
    source = _source(models.two_cells, *args)
    assert source.count("w_bar = rt.add_at(w_bar, ") == 2, source
    _check(models.two_cells, args, 0)
    _check(models.two_cells, args, 1)


def test_a_cotangent_that_only_adds_axes_is_never_added_into(models):
    """x[:, None]'s cotangent is the incoming one reshaped, a view of it: adding the other
    slices into it would change that array too. (The backward sweep meets `a` first.)"""
    x = np.linspace(-1.0, 1.0, 4)
    source = _source(models.rows_then_axes, x)
    assert "x_bar = rt.getitem_grad(t" in source and "x_bar = rt.add_at(" not in source
    _check(models.rows_then_axes, (x,))


def test_axes_only_cotangents_are_added_into_a_new_array(models):
    x = np.linspace(-1.0, 1.0, 4)
    assert "x_bar = rt.add_at(x_bar, t1_bar, x, rt.index[:, None])" in \
        _source(models.axes_then_rows, x)
    _check(models.axes_then_rows, (x,))


def test_fresh_adjoints_are_added_into_in_place(models):
    """x_bar made fresh (a product) takes the later terms in place: rt.accumulate, and
    rt.add_mean_grad for a mean's cotangent (never an array of x's shape for it)."""
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    source = _source(models.means_and_products, x)
    assert "x_bar = rt.accumulate(x_bar, " in source, source
    assert "x_bar = rt.add_mean_grad(x_bar, " in source, source
    _check(models.means_and_products, (x,))
    got = models.means_and_products.grad(x.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, models.means_and_products.grad(x), rtol=1e-6)


def test_an_adjoint_that_shares_its_array_is_never_added_into(models):
    """x_bar and w_bar are both t_bar itself (unbroadcast of the same shape), and x_bar then
    takes 2 x: added in place, it would change w's gradient too."""
    rng = np.random.default_rng(2)
    args = (rng.standard_normal(4), rng.standard_normal(4))
    source = _source(models.shared_cotangent, *args)
    assert "rt.accumulate(x_bar" not in source and "x_bar = x_bar + " in source, source
    _check(models.shared_cotangent, args, 0)
    _check(models.shared_cotangent, args, 1)


def test_a_state_read_above_its_fresh_adjoint_each_trip_is_added_in_place(models):
    """An LSTM's stacked state: `unstack_grad(hidden_bar)` reads the previous trip's adjoint,
    then `hidden_bar = zeros_like(hidden)` and the layers' rows are added into it."""
    rng = np.random.default_rng(3)
    args = (rng.normal(size=3), rng.normal(size=(3, 4)), rng.normal(size=(5, 4)))
    assert "hidden_bar = rt.add_at(hidden_bar, " in _source(models.layered, *args)
    _check(models.layered, args)


def test_an_unbroadcast_adjoint_is_added_into_only_through_rt_accumulate():
    """rt.unbroadcast(t, x) is a read-only broadcast view where t is smaller than x: the
    forms that write without asking (add_mean_grad, add_at) never take it as their
    accumulator; rt.accumulate, which falls back to `acc + v` there, does."""
    g, c, x, h = (ir.Var(n) for n in ("g", "c", "x", "h"))
    t, m, x_bar = ir.Var("t"), ir.Var("m"), ir.Var("x_bar")
    block = [ir.Assign(t, Prim.MUL, (g, c), ir.Params.of()),
             ir.Assign(x_bar, Prim.UNBROADCAST, (t, x), ir.Params.of()),
             ir.Assign(m, Prim.MEAN_GRAD, (h, x), ir.Params.of()),
             ir.Assign(x_bar, Prim.ADD, (x_bar, m), ir.Params.of())]
    prims = [s.prim for s in accumulate_in_place([block], {"t", "m"})[0]]
    assert Prim.ADD_MEAN_GRAD not in prims and prims[-1] is Prim.ACCUMULATE, prims
    fresh = [ir.Assign(x_bar, Prim.MUL, (g, c), ir.Params.of())] + block[2:]
    assert accumulate_in_place([fresh], {"m"})[0][-1].prim is Prim.ADD_MEAN_GRAD
