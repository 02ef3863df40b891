"""Tape memory and time of the loop workloads (issue 15): RK4 through a helper, an RNN,
the scalar tape loop of workloads/tape.py, Euler (workloads/euler.py), GradBench's ode.

    python benchmarks/loops.py        # ~2 min; one thread; agc against an expert adjoint

Memory is the tracemalloc peak of one gradient call (what it allocates and keeps at
once: the tape, the trajectory); time is the median of 15 calls after warm-up. torch's
graph is the tensors its autograd saves for the backward pass (distinct storages, bytes),
from the same model written in torch (what torch eager keeps; its own allocator is not
seen by tracemalloc).
"""
import os
import sys
import time
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "workloads"), HERE]

import agc
import euler
import loops
import numpy as np
import tape
from workloads import gb_adjoints, gb_models

try:
    import torch
    import torch_models
    from workloads import gb_torch
except ImportError:  # its column then says absent
    torch = None


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


def _torch_saved(model, args, wrt):
    """Bytes of the distinct tensors torch's autograd saves for one backward pass."""
    if torch is None:
        return None
    torch.set_num_threads(1)
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=i in wrt)
               if isinstance(a, (np.ndarray, float)) else a for i, a in enumerate(args)]
    saved = {}

    def pack(t):
        saved[(t.untyped_storage().data_ptr(), t.dtype)] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(*tensors).backward()
    return sum(saved.values())


def torch_rk4(x, p, n):
    """rk4 in torch (for the size of torch's graph)."""
    h = 0.01

    def f(x):
        return -p * torch.sin(x) + 0.1 * x
    for i in range(n):
        k1 = f(x)
        k2 = f(x + 0.5 * h * k1)
        k3 = f(x + 0.5 * h * k2)
        k4 = f(x + h * k3)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return torch.sum(x * x)


def torch_rnn(W, U, xs, h):
    """rnn in torch."""
    for t in range(xs.shape[0]):
        h = torch.tanh(W @ h + U @ xs[t])
    return torch.sum(h)


def _row(name, model, adjoint, wrt, args, torch_model, torch_wrt):
    grad = agc.differentiate(model, wrt=wrt).grad
    ours, theirs = grad(*args), adjoint(*args)
    ours = ours if len(wrt) > 1 else (ours,)
    for a, b in zip(ours, theirs):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12), f"{name}: agc and hand disagree"
    peaks = _peak(grad, *args), _peak(adjoint, *args)
    times = _median_time(grad, *args), _median_time(adjoint, *args)
    graph = _torch_saved(torch_model() if torch else None, args, torch_wrt)
    graph = "absent" if graph is None else f"{graph / 2**20:.2f} MiB"
    print(f"| {name} | {peaks[0] / 2**20:.2f} MiB | {peaks[1] / 2**20:.2f} MiB | "
          f"{peaks[0] / peaks[1]:.2f}x | {graph} | {times[0] * 1e3:.2f} ms | "
          f"{times[1] * 1e3:.2f} ms | {times[0] / times[1]:.2f}x |")


def main():
    rng = np.random.default_rng(0)
    print("| workload | agc memory | hand memory | ratio | torch graph | agc time | hand time "
          "| ratio |")
    print("|---|---|---|---|---|---|---|---|")
    x, p = rng.normal(size=64), rng.normal(size=64)
    _row("rk4 64-state, 1000 steps", loops.rk4, loops.rk4_adjoint, ("x", "p"), (x, p, 1000),
         lambda: torch_rk4, (0, 1))
    H, D, T = 64, 16, 1000
    W, U = rng.normal(size=(H, H)) / 8, rng.normal(size=(H, D)) / 4
    xs, h0 = rng.normal(size=(T, D)), np.zeros(H)
    _row("rnn H=64 T=1000", loops.rnn, loops.rnn_adjoint, ("W", "U"), (W, U, xs, h0),
         lambda: torch_rnn, (0, 1))
    _row("tape loop (floats), n=10,000", tape.tape_loop, tape.tape_loop_adjoint, ("x", "p"),
         (0.5, 1.3, 10_000), lambda: torch_models.tape_loop, (0, 1))
    _row("euler 200 steps (floats)", euler.damped_oscillator, euler.damped_oscillator_adjoint,
         ("k", "c"), (2.0, 0.3), lambda: torch_models.damped_oscillator, (0, 1))
    _row("ode n=10 s=1000", gb_models.ode, gb_adjoints.ode_adjoint, ("x",),
         (np.linspace(0.1, 1.0, 10), 1000), lambda: gb_torch.gb_ode, (0,))


if __name__ == "__main__":
    main()
