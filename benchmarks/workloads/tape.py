"""tape_memory: a long scalar loop whose reverse pass must remember every step."""
import numpy as np
from case import Case


def tape_loop(x, p, n):
    """n steps of x <- x + dt * sin(x) * p; returns the final x."""
    for i in range(n):
        x = x + 0.01 * np.sin(x) * p
    return x


def tape_loop_adjoint(x, p, n):
    """Hand-written adjoint: keep the trajectory in a list, sweep back."""
    xs = []
    for i in range(n):
        xs.append(x)
        x = x + 0.01 * np.sin(x) * p
    g_x, g_p = 1.0, 0.0
    for i in range(n - 1, -1, -1):
        g_p += g_x * 0.01 * np.sin(xs[i])
        g_x = g_x * (1.0 + 0.01 * np.cos(xs[i]) * p)
    return (g_x, g_p)


def tape_case(n):
    """One size of the loop (used by memory.py, not by the timing table)."""
    return Case(name=f"tape_memory n={n}", workload="tape_memory", fn=tape_loop,
                wrt=("x", "p"), args=(0.5, 1.3, n), adjoint=tape_loop_adjoint,
                torch_fn="tape_loop")


def tape_sum(x, p, n):
    """The same loop over arrays, summed (benchmarks/tape_ab.py)."""
    for i in range(n):
        x = x + 0.01 * np.sin(x) * p
    return np.sum(x)
