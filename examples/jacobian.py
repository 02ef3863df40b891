"""The full Jacobian of a vector-valued function: agc.jacobian(f, wrt=...)(*args).

PyTorch: torch.autograd.functional.jacobian(f, x). For f(x) = x**2 * sum(x),
J[i, j] = 2 x_i sum(x) [i == j] + x_i**2.
"""

import agc
import numpy as np


def f(x, k):
    return k * x**2 * np.sum(x)


if __name__ == "__main__":
    x = np.array([1.0, 2.0, 3.0])
    jac = agc.jacobian(f, wrt="x")(x, 1.0)
    expected = np.diag(2 * x * x.sum()) + (x**2)[:, None]
    print("Jacobian =\n", jac)
    print("matches the closed form:", bool(np.allclose(jac, expected)))
