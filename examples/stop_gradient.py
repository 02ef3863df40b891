"""PyTorch's detach(): u = stop_gradient(x * x); z = u * x has dz/dx = u, not 3 x**2."""

import agc
import numpy as np


@agc.differentiate
def z(x):
    u = agc.stop_gradient(x * x)
    return np.sum(u * x)


if __name__ == "__main__":
    x = np.array([1.0, 2.0, 3.0])
    print("dz/dx =", z.grad(x), "  (u = x * x =", x * x, ")")
