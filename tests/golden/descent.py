"""Golden model: gradient-descent steps on a potential, differentiated through the steps."""

import numpy as np
from agc import differentiate


@differentiate(wrt="x")
def well(x, k):
    return np.sum(k * x ** 4) - np.sum(np.cos(x))


@differentiate(wrt=("x0", "k"))
def descent(x0, k):
    x = x0
    for _ in range(3):
        x = x - 0.1 * well.grad(x, k)
    return np.sum(x ** 2)
