"""A batched linear layer: x (2, 5) @ w (5, 3) + b (3,), mean squared error against zeros.

PyTorch: `loss = ((x @ w + b) ** 2).mean(); loss.backward(); w.grad, b.grad`.
agc: `loss.grad(x, w, b)` returns (dL/dw, dL/db) in the shapes of w and b.
"""

import agc
import numpy as np


@agc.differentiate(wrt=("w", "b"))
def loss(x, w, b):
    z = x @ w + b
    return np.mean(z**2)


if __name__ == "__main__":
    x = np.ones((2, 5))
    w = np.full((5, 3), 0.1)
    b = np.full(3, 0.5)
    dw, db = loss.grad(x, w, b)
    # z = 0.5 + 0.5 = 1 everywhere; dL/dz = 2 z / 6 = 1/3, so dL/db = 2 * 1/3 per column.
    print(f"loss = {loss(x, w, b):.4f}")
    print("dL/dw =\n", dw)
    print("dL/db =", db)
