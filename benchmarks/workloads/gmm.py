"""gmm: GradBench's gmm objective; inputs, constant and benchmark rows."""
import math

import numpy as np
from case import Case

from workloads.gmm_adjoint import gmm_vec_adjoint
from workloads.gmm_model import gmm_loop, gmm_vec

WRT = ("alphas", "means", "qs", "ls")
FULL_SIZES = ((2, 5, 1000), (10, 25, 1000))
QUICK_LOOP_SIZE = (2, 5, 200)


def unpack_matrix(d):
    """0/1 matrix mapping packed strictly-lower entries (column-major) to a flat d*d."""
    rows = [(i, j) for j in range(d) for i in range(j + 1, d)]
    unpack = np.zeros((len(rows), d * d))
    for p, (i, j) in enumerate(rows):
        unpack[p, i * d + j] = 1.0
    return unpack


def gmm_constant(n, d, K, gamma, m):
    """Parameter-free part of the objective: Gaussian normaliser and Wishart constant."""
    n_p = d + m + 1
    c = n_p * d * (math.log(gamma) - 0.5 * math.log(2.0))
    log_mgamma = 0.25 * d * (d - 1) * math.log(math.pi)
    log_mgamma += sum(math.lgamma(0.5 * n_p + 0.5 * (1 - j)) for j in range(1, d + 1))
    return -n * d * 0.5 * math.log(2 * math.pi) - K * (c - log_mgamma)


def gmm_inputs(d, K, n, seed=0):
    """ADBench-style data: alphas, icf, x ~ N(0,1), means ~ U(0,1), gamma=1, m=0."""
    rng = np.random.default_rng(seed)
    alphas = rng.standard_normal(K)
    means = rng.uniform(0.0, 1.0, (K, d))
    icf = rng.standard_normal((K, d + d * (d - 1) // 2))
    x = rng.standard_normal((n, d))
    gamma, m = 1.0, 0
    return (alphas, means, icf[:, :d].copy(), icf[:, d:].copy(), x, unpack_matrix(d),
            gamma, m, gmm_constant(n, d, K, gamma, m))


def vec_case(d, K, n):
    """Vectorised row."""
    return Case(name=f"gmm_vec d={d} K={K} n={n}", workload="gmm_vec", fn=gmm_vec, wrt=WRT,
                args=gmm_inputs(d, K, n), adjoint=gmm_vec_adjoint, torch_fn="gmm_vec")


def loop_case(d, K, n):
    """Loop-style row; reference and 'hand' column are the vectorised adjoint."""
    return Case(name=f"gmm_loop d={d} K={K} n={n}", workload="gmm_loop", fn=gmm_loop,
                wrt=WRT, args=gmm_inputs(d, K, n), adjoint=gmm_vec_adjoint,
                torch_fn="gmm_loop", hand_note="hand = vectorised adjoint (no loop-style one)")


def cases(quick):
    """Both sizes vectorised; loop style at both, or one reduced size with --quick."""
    loops = (QUICK_LOOP_SIZE,) if quick else FULL_SIZES
    return [vec_case(*s) for s in FULL_SIZES] + [loop_case(*s) for s in loops]
