"""Parameters as a pytree: a dict of arrays in, gradients in the same dict out.

PyTorch keeps parameters in a module; agc takes them as a dict / list / tuple
argument and returns the gradient with the same keys and shapes.
"""

import agc
import numpy as np


@agc.differentiate(wrt="params")
def loss(params, x, y):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    pred = hidden @ params["W2"] + params["b2"]
    return np.mean((pred - y) ** 2)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4),
              "W2": rng.normal(size=(4, 1)), "b2": np.zeros(1)}
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    grads = loss.grad(params, x, y)
    for name, g in grads.items():
        print(f"d loss / d {name}: shape {g.shape}, norm {np.linalg.norm(g):.4f}")
    # One entry against a central difference, moving a single leaf of the dict.
    eps, moved = 1e-6, {k: v.copy() for k, v in params.items()}
    moved["W1"][0, 0] += eps
    up = loss(moved, x, y)
    moved["W1"][0, 0] -= 2 * eps
    numeric = (up - loss(moved, x, y)) / (2 * eps)
    print(f"d loss / d W1[0, 0]: agc {grads['W1'][0, 0]:.6f}, finite differences {numeric:.6f}")
