"""The tape is minimal: tape_report counts what the forward sweep keeps."""

import agc
import numpy as np
import pytest
from agc import runtime as rt
from differential.corpus_loops import rk4_through_helper
from gradcheck import import_source, numeric_grad

MODELS = '''
import numpy as np
import agc


@agc.differentiate
def while_if(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)


@agc.differentiate(wrt=("k", "c"))
def euler(x, v, k, c, steps):
    dt = 0.01
    for _ in range(steps):
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    return x


@agc.differentiate
def straight(x):
    y = x * x
    y = np.sin(y) * y
    return np.sum(y)


@agc.differentiate
def branch(x):
    if np.sum(x) > 0:
        y = np.exp(x)
    else:
        y = x * x
    return np.sum(y)


@agc.differentiate
def running_sum(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * x[i]
    return s
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("tape"), "tape_models")


@pytest.mark.parametrize("a", [0.3, -0.7, np.array([0.2, -0.1, 0.4])])
def test_while_example_records_nothing_but_keeps_trip_count_in_a_local(models, a):
    report = models.while_if.tape_report(a)
    assert report.entries == 0 and report.nbytes == 0
    assert "trips" in report.locals_read


@pytest.mark.parametrize("steps", [1, 10, 200])
def test_euler_records_two_floats_per_step(models, steps):
    report = models.euler.tape_report(1.0, 0.0, 2.0, 0.3, steps)
    assert report.entries == 2 * steps
    assert report.by_variable == {"x": (steps, 8 * steps), "v": (steps, 8 * steps)}


def test_euler_on_arrays_records_float32_arrays(models):
    x, v = np.ones(5, np.float32), np.zeros(5, np.float32)
    report = models.euler.tape_report(x, v, np.float32(2.0), np.float32(0.3), 4)
    assert report.by_variable["x"] == (4, 4 * 5 * 4)  # float32 entries stay float32
    assert report.by_variable["v"] == (4, 4 * 5 * 4)
    # The temporaries are read only for their shapes (unbroadcast): their shapes are
    # kept, not the arrays (issue 15).
    arrays = [name for name in report.by_variable if not name.endswith("_shape")]
    assert sorted(arrays) == ["v", "x"]


def test_straight_line_and_branches_outside_loops_use_no_tape(models):
    x = np.array([0.5, -1.0])
    assert models.straight.tape_report(x).entries == 0
    assert models.branch.tape_report(x).entries == 0


def test_indexing_inside_a_loop_is_recomputed_not_recorded(models):
    x = np.array([0.5, -1.0, 2.0])
    report = models.running_sum.tape_report(x)
    assert report.entries == 0
    assert models.running_sum.grad(x) == pytest.approx(2 * x)


def test_report_renders_counts(models):
    text = str(models.euler.tape_report(1.0, 0.0, 2.0, 0.3, 3))
    assert "6 entries" in text and "x" in text and "v" in text


def test_rk4_keeps_four_arrays_per_step_and_only_shapes_for_unbroadcast():
    """Issue 15: 14 arrays per step were kept, 10 of them only for their shapes."""
    rk4 = agc.differentiate(rk4_through_helper, wrt=("x", "p"))
    x, p = np.linspace(-1.0, 1.0, 8), np.linspace(0.5, 1.5, 8)
    report = rk4.tape_report(x, p)
    arrays = {name for name in report.by_variable if not name.endswith("_shape")}
    # the state and one record per stage (its input, and sin of it for p's cotangent): the
    # stage's value is not in its record, and rhs_bwd runs nothing of rhs again
    assert arrays == {"x", "k1_saved", "k2_saved", "k3_saved", "k4_saved"}
    assert report.by_variable["k1_saved"][1] <= 3 * 3 * x.nbytes
    # the helper's outputs have the state's shape class (ad/shape_classes.py): no shape kept
    assert not {"k1_shape", "k4_shape"} & set(report.by_variable)
    x_bar, p_bar = rk4.grad(x, p)
    assert np.allclose(x_bar, numeric_grad(rk4, (x, p), 0), rtol=1e-6)
    assert np.allclose(p_bar, numeric_grad(rk4, (x, p), 1), rtol=1e-6)


@pytest.mark.parametrize("shape", [(), (1,), (4,), (3, 1), (1, 4)])
def test_a_kept_shape_stands_in_for_its_array_in_unbroadcast(shape):
    x, g = np.ones(shape), np.arange(12.0).reshape(3, 4)
    kept = rt.kept_shape(x)
    assert np.array_equal(rt.unbroadcast(g, kept), rt.unbroadcast(g, x))
    assert rt.kept_shape(np.ones(shape)) is kept  # one object per shape: the tape holds refs
    assert rt.kept_shape(2.5) == 2.5  # a number stands for itself
