"""GradBench rows: inputs at small realistic sizes, and one Case per workload.

The models are in gb_models.py / gb_nested.py (plus gmm_model.gmm_vec), the expert
adjoints in gb_adjoints.py (gmm_adjoint.py), torch in gb_torch.py, the idiomatic jax
forms in gb_jax.py. These rows go to their own table (Case.group == "gradbench").
"""
import numpy as np
from case import Case

from workloads import gb_adjoints as adj
from workloads import gb_ht
from workloads import gb_models as models
from workloads import gb_nested as nested
from workloads.gmm import WRT as GMM_WRT
from workloads.gmm import gmm_inputs
from workloads.gmm_adjoint import gmm_vec_adjoint
from workloads.gmm_model import gmm_vec

TOOLS = ("agc", "hand", "torch", "jax", "jit")


def llsq_inputs(m, n):
    """GradBench llsq: t_i = -1 + 2 i / (n - 1), s = sign(t), x ~ N(0, 1)."""
    t = np.linspace(-1.0, 1.0, n)
    return (np.random.default_rng(1).standard_normal(m), t, np.sign(t))


def kmeans_inputs(k, n, d):
    """Points ~ N(0, 1); centroids = k of the points, moved a little (no ties)."""
    rng = np.random.default_rng(2)
    points = rng.standard_normal((n, d))
    return (points[:k] + 0.1 * rng.standard_normal((k, d)), points)


def lstm_inputs(layers, c, b):
    """Parameters ~ N(0, 1) scaled like GradBench's generator, a random sequence."""
    rng = np.random.default_rng(3)
    return (0.5 * rng.standard_normal((2 * layers, 4 * b)), 0.5 * rng.standard_normal((3, b)),
            0.5 * rng.standard_normal((2 * layers, b)), rng.standard_normal((c, b)))


def ba_inputs(n, m, p):
    """n cameras (small rotations, f near 1), m points in front of them, p observations."""
    rng = np.random.default_rng(4)
    cams = np.concatenate([0.1 * rng.standard_normal((n, 3)), rng.standard_normal((n, 3)),
                           1.0 + 0.1 * rng.standard_normal((n, 1)),
                           0.01 * rng.standard_normal((n, 4))], axis=1)
    points = rng.standard_normal((m, 3)) + np.array([0.0, 0.0, 8.0])
    w = rng.uniform(0.5, 1.5, p)
    feats = 0.2 * rng.standard_normal((p, 2))
    return (cams, points, w, feats, rng.integers(0, n, p), rng.integers(0, m, p))


def row(name, fn, wrt, args, adjoint, torch_fn, **extra):
    """A GradBench Case with the GradBench tool columns."""
    return Case(name=name, workload="gb_" + name.split()[0], fn=fn, wrt=wrt, args=args,
                adjoint=adjoint, torch_fn=torch_fn, group="gradbench", tools=TOOLS, **extra)


def cases(quick):
    """One row per GradBench workload."""
    c, s, pts = (128, 100, 100) if quick else (1024, 1000, 1600)
    n, m, p = (10, 500, 2000) if quick else (49, 2000, 8000)
    return [
        row("gmm d=2 K=5 n=1000", gmm_vec, GMM_WRT, gmm_inputs(2, 5, 1000), gmm_vec_adjoint,
            "gmm_vec"),
        row(f"ba n={n} m={m} p={p}", models.ba, ("cams", "points", "w"), ba_inputs(n, m, p),
            adj.ba_adjoint, "gb_ba"),
        row(f"ht verts=544 points={pts}", gb_ht.ht, ("theta",), gb_ht.ht_inputs(544, pts),
            gb_ht.ht_adjoint, "gb_ht"),
        row(f"lstm l=2 c={c} b=14", models.lstm, ("main_params", "extra_params"),
            lstm_inputs(2, c, 14), adj.lstm_adjoint, "gb_lstm", jit_fn="lstm_scan"),
        row(f"ode n=10 s={s}", models.ode, ("x",), (np.linspace(0.1, 1.0, 10), s),
            adj.ode_adjoint, "gb_ode", jit_fn="ode_fori"),
        row("llsq m=32 n=1024", models.llsq, ("x",), llsq_inputs(32, 1024), adj.llsq_adjoint,
            "gb_llsq"),
        row("det 5x5 (Laplace)", models.det, ("a",),
            (np.random.default_rng(5).standard_normal((5, 5)),), adj.det_adjoint, "gb_det"),
        row("kmeans k=10 n=1000 d=8", models.kmeans, ("centroids",), kmeans_inputs(10, 1000, 8),
            adj.kmeans_adjoint, "gb_kmeans"),
        row("particle w=0", nested.particle, ("w",), (0.0,), adj.particle_adjoint,
            "gb_particle", jax_fn="particle", check_args=((0.2,),)),
        row("saddle 50 steps", nested.saddle, ("p1",), (np.ones(2), np.ones(2), 50),
            adj.saddle_adjoint, "gb_saddle", jax_fn="saddle"),
    ]
