"""GradBench's nested-gradient workloads (particle, saddle) as numpy models calling agc.

Both come from Siskind and Pearlmutter's benchmarks, as GradBench publishes them: the
model itself takes a gradient (agc: `f.grad(...)` inside the model, docs/api.md "A
model that calls a gradient"), and the benchmark differentiates the model again.
"""
import agc
import numpy as np

UP = np.array([0.0, 1.0])
CHARGE_1 = np.array([10.0, 10.0])
CHARGE_2 = np.array([10.0, 0.0])


@agc.differentiate(wrt="x")
def charges(x, w):
    """Potential at x of unit charges at (10, 10 - w) and (10, 0)."""
    d1 = x - CHARGE_1 + w * UP
    d2 = x - CHARGE_2
    return 1.0 / np.sqrt(np.sum(d1 * d1)) + 1.0 / np.sqrt(np.sum(d2 * d2))


def particle(w):
    """GradBench particle: Euler steps of a particle pushed by -grad charges until it falls
    below y = 0; the squared x where it lands."""
    x = np.array([0.0, 8.0])
    xdot = np.array([0.75, 0.0])
    dt = 0.1
    x_new = x + dt * xdot
    while x_new[1] > 0.0:
        xddot = -charges.grad(x, w)
        x = x_new
        xdot = xdot + dt * xddot
        x_new = x + dt * xdot
    dt_f = -x[1] / xdot[1]
    x_t_f = x + dt_f * xdot
    return x_t_f[0] ** 2


@agc.differentiate(wrt="p2")
def saddle_f(p1, p2):
    """GradBench saddle's objective: |p1|^2 - |p2|^2."""
    return np.sum(p1 * p1) - np.sum(p2 * p2)


def saddle(p1, p2, steps):
    """max over p2 of saddle_f(p1, p2) by `steps` gradient-ascent steps (rate 0.1), then f."""
    for i in range(steps):
        p2 = p2 + 0.1 * saddle_f.grad(p1, p2)
    return saddle_f(p1, p2)
