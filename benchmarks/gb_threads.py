"""Gradient / objective of GradBench rows with BLAS on one thread and on its default, in turn.

    python benchmarks/gb_threads.py ode lstm     # rows by name (default: all)

One process, the same compiled gradient; threadpoolctl switches numpy's BLAS (and any
OpenMP pool) between one thread and the count it started with, round by round. Both
CPU time (all threads of the process) and wall time are shown: a row whose ratio moves
with the threads is BLAS's (or the machine's), not agc's.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import agc
from threadpoolctl import threadpool_info, threadpool_limits
from timing import sample
from workloads import gradbench

ROUNDS = 15
SAMPLE_S = 0.03


def _limits() -> tuple[int, int]:
    """(1, the most threads any loaded pool starts with)."""
    return 1, max([pool["num_threads"] for pool in threadpool_info()] or [1])


def measure(case, clock) -> dict:
    """{(threads, 'objective' | 'gradient'): median seconds per call} for one row."""
    f = agc.differentiate(case.fn, wrt=case.wrt)
    f.grad(*case.args)
    calls = {"objective": lambda: case.fn(*case.args), "gradient": lambda: f.grad(*case.args)}
    number = {k: max(3, int(SAMPLE_S / max(sample(fn, 3, clock=clock), 1e-7)))
              for k, fn in calls.items()}
    samples: dict = {}
    order = list(_limits())
    for _ in range(ROUNDS):
        order.reverse()
        for threads in order:
            with threadpool_limits(threads):
                for kind, fn in calls.items():
                    samples.setdefault((threads, kind), []).append(sample(fn, number[kind], clock=clock))
    return {key: statistics.median(values) for key, values in samples.items()}


def main() -> None:
    """Each named row (all by default), CPU time then wall time."""
    cases = {c.workload.removeprefix("gb_"): c for c in gradbench.cases(True)}
    rows = sys.argv[1:] or list(cases)
    print(f"BLAS pools: {[(p['internal_api'], p['num_threads']) for p in threadpool_info()]}")
    for row in rows:
        for clock in (time.process_time, time.perf_counter):
            times = measure(cases[row], clock)
            parts = [f"{threads} thread(s): objective {times[(threads, 'objective')] * 1e6:8.1f} us "
                     f"gradient {times[(threads, 'gradient')] * 1e6:8.1f} us "
                     f"({times[(threads, 'gradient')] / times[(threads, 'objective')]:.2f}x)"
                     for threads in _limits()]
            print(f"{row:6s} {clock.__name__:13s} " + "  ".join(parts), flush=True)


if __name__ == "__main__":
    main()
