"""Gradient-to-objective ratio of agc on the GradBench rows, one thread, CPU time.

    python benchmarks/gb_ratio.py det lstm ba ht ode      # rows by name (default: all)

Runs only agc and the objective (no peers to install), on the quick sizes of
workloads/gradbench.py, after checking the gradient against the expert adjoint
(np.allclose, rtol 1e-7). Each sample is enough calls to fill 30 ms of CPU time
(time.process_time, so other jobs on the machine count less than with a wall
clock), gc paused; 15 samples alternate gradient and objective, and the medians
and their ratio are printed. Threads: OMP, OpenBLAS and MKL are set to one before
numpy loads. To compare two versions of agc, run this script with each one's
package first on sys.path (e.g. PYTHONPATH of an unpacked `git archive`), alternately.
"""

from __future__ import annotations

import os
import sys

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import statistics
import time

import agc
import numpy as np
from timing import sample
from workloads import gradbench

SAMPLE_S = 0.03
ROUNDS = 15


def _per_call(fn, calls: int) -> float:
    """CPU seconds per call over `calls` back-to-back calls, gc paused."""
    return sample(fn, calls, clock=time.process_time)


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def ratio(case) -> tuple[float, float, bool]:
    """(gradient seconds, objective seconds, gradient agrees with the expert adjoint)."""
    f = agc.differentiate(case.fn, wrt=case.wrt)
    grad = lambda: f.grad(*case.args)
    objective = lambda: case.fn(*case.args)
    ok = all(np.allclose(a, b, rtol=1e-7) for a, b in
             zip(_as_tuple(grad()), _as_tuple(case.adjoint(*case.args))))
    calls_g = max(3, int(SAMPLE_S / max(_per_call(grad, 3), 1e-7)))
    calls_f = max(3, int(SAMPLE_S / max(_per_call(objective, 3), 1e-7)))
    samples_g, samples_f = [], []
    for _ in range(ROUNDS):
        samples_g.append(_per_call(grad, calls_g))
        samples_f.append(_per_call(objective, calls_f))
    return statistics.median(samples_g), statistics.median(samples_f), ok


def main(names: list[str]) -> None:
    """Print one line per row: gradient, objective, ratio."""
    rows = {c.workload.removeprefix("gb_"): c for c in gradbench.cases(True)}
    for name in names or list(rows):
        g, f, ok = ratio(rows[name])
        print(f"{name:9s} grad {g * 1e6:9.1f} us  objective {f * 1e6:9.1f} us  "
              f"ratio {g / f:5.2f}{'' if ok else '  WRONG GRADIENT'}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
