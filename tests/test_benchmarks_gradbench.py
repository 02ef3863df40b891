"""The GradBench benchmark models (benchmarks/workloads/gb_*.py) at tiny sizes: agc's
gradient equals the expert hand-written adjoint the benchmark times it against."""
import sys
from pathlib import Path

import agc
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from workloads import gb_adjoints as adj
from workloads import gb_ht
from workloads import gb_models as models
from workloads import gb_nested as nested
from workloads import gradbench as gb
from workloads.gmm import WRT as GMM_WRT
from workloads.gmm import gmm_inputs
from workloads.gmm_adjoint import gmm_vec_adjoint
from workloads.gmm_model import gmm_vec

ROWS = {
    "gmm": (gmm_vec, GMM_WRT, gmm_inputs(2, 3, 10), gmm_vec_adjoint),
    "ba": (models.ba, ("cams", "points", "w"), gb.ba_inputs(3, 5, 8), adj.ba_adjoint),
    "ht": (gb_ht.ht, ("theta",), gb_ht.ht_inputs(12, 5), gb_ht.ht_adjoint),
    "lstm": (models.lstm, ("main_params", "extra_params"), gb.lstm_inputs(2, 4, 3),
             adj.lstm_adjoint),
    "ode": (models.ode, ("x",), (np.linspace(0.1, 1.0, 4), 5), adj.ode_adjoint),
    "llsq": (models.llsq, ("x",), gb.llsq_inputs(4, 10), adj.llsq_adjoint),
    "det": (models.det, ("a",), (np.random.default_rng(5).standard_normal((5, 5)),),
            adj.det_adjoint),
    "kmeans": (models.kmeans, ("centroids",), gb.kmeans_inputs(3, 12, 2), adj.kmeans_adjoint),
    "particle": (nested.particle, ("w",), (0.2,), adj.particle_adjoint),
    "saddle": (nested.saddle, ("p1",), (np.array([1.0, -2.0]), np.ones(2), 3),
               adj.saddle_adjoint),
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_agc_gradient_equals_the_hand_adjoint(name):
    fn, wrt, args, adjoint = ROWS[name]
    got = agc.differentiate(fn, wrt=wrt).grad(*args)
    got = got if isinstance(got, tuple) else (got,)
    want = adjoint(*args)
    assert len(got) == len(want)
    for g, h in zip(got, want):
        assert np.shape(g) == np.shape(h)
        np.testing.assert_allclose(g, h, rtol=1e-9, atol=1e-12)


def test_the_hand_adjoints_match_finite_differences():
    """The reference itself: the ode and ba adjoints against central differences."""
    x = np.linspace(0.1, 1.0, 4)
    fd = [(models.ode(x + e, 5) - models.ode(x - e, 5)) / 2e-6 for e in 1e-6 * np.eye(4)]
    np.testing.assert_allclose(adj.ode_adjoint(x, 5)[0], fd, rtol=1e-6)
    args = gb.ba_inputs(2, 3, 4)
    step = np.zeros_like(args[0])
    step[1, 2] = 1e-6                     # rotation entry of the second camera
    fd = (models.ba(args[0] + step, *args[1:]) - models.ba(args[0] - step, *args[1:])) / 2e-6
    np.testing.assert_allclose(adj.ba_adjoint(*args)[0][1, 2], fd, rtol=1e-6)


def det_by_shape(a):
    """GradBench's det as one writes it first: the recursion depth from a.shape."""
    return models.det_laplace(a, a.shape[0])


def test_recursion_depth_from_a_shape_is_refused_at_its_line():
    """agc compiles once per rank, so a.shape[0] is no constant to unroll on: refused with
    the position and the way out (benchmarks use det(a) = det_laplace(a, 5))."""
    a = np.random.default_rng(1).standard_normal((3, 3))
    with pytest.raises(agc.UserCodeError, match="levels deep") as info:
        agc.differentiate(det_by_shape, wrt="a").grad(a)
    assert "gb_models.py" in str(info.value) and "counter argument" in str(info.value)
