"""Golden model: Runge-Kutta steps through a helper (split: rhs_fwd / rhs_bwd, no rerun)."""

import numpy as np
from agc import differentiate


def rhs(x, p):
    return -p * np.sin(x) + 0.1 * x


@differentiate(wrt=("x", "p"))
def rk4(x, p):
    h = 0.1
    for _ in range(3):
        k1 = rhs(x, p)
        k2 = rhs(x + 0.5 * h * k1, p)
        k3 = rhs(x + 0.5 * h * k2, p)
        k4 = rhs(x + h * k3, p)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.sum(x * x)
