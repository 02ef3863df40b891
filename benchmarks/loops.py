"""Tape memory and time of two loop workloads (issue 15): RK4 through a helper, an RNN.

    python benchmarks/loops.py        # ~1 min; one thread; agc against an expert adjoint

Memory is the tracemalloc peak of one gradient call (what it allocates and keeps at
once: the tape, the trajectory); time is the median of 15 calls after warm-up.
"""
import os
import sys
import time
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads"))

import agc
import loops
import numpy as np


def _peak(fn, *args):
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _median_time(fn, *args, rounds=15):
    fn(*args)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return sorted(times)[rounds // 2]


def _row(name, model, adjoint, wrt, args):
    grad = agc.differentiate(model, wrt=wrt).grad
    ours, theirs = grad(*args), adjoint(*args)
    for a, b in zip(ours, theirs):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12), f"{name}: agc and hand disagree"
    peaks = _peak(grad, *args), _peak(adjoint, *args)
    times = _median_time(grad, *args), _median_time(adjoint, *args)
    print(f"| {name} | {peaks[0] / 2**20:.2f} MiB | {peaks[1] / 2**20:.2f} MiB | "
          f"{peaks[0] / peaks[1]:.2f}x | {times[0] * 1e3:.2f} ms | {times[1] * 1e3:.2f} ms | "
          f"{times[0] / times[1]:.2f}x |")


def main():
    rng = np.random.default_rng(0)
    print("| workload | agc memory | hand memory | ratio | agc time | hand time | ratio |")
    print("|---|---|---|---|---|---|---|")
    x, p = rng.normal(size=64), rng.normal(size=64)
    _row("rk4 64-state, 1000 steps", loops.rk4, loops.rk4_adjoint, ("x", "p"), (x, p, 1000))
    H, D, T = 64, 16, 1000
    W, U = rng.normal(size=(H, H)) / 8, rng.normal(size=(H, D)) / 4
    xs, h0 = rng.normal(size=(T, D)), np.zeros(H)
    _row("rnn H=64 T=1000", loops.rnn, loops.rnn_adjoint, ("W", "U"), (W, U, xs, h0))


if __name__ == "__main__":
    main()
