"""PyTorch's `with torch.no_grad():` inside a model: the block runs but passes no derivative.

Here a running statistic is computed from x inside `agc.no_grad()`, so it acts as
a constant: d/dx sum(x * scale) is scale, not scale plus the derivative of scale.
"""

import agc
import numpy as np


@agc.differentiate
def normalized_sum(x):
    with agc.no_grad():
        scale = 1.0 / np.max(np.abs(x))
    return np.sum(x * scale)


if __name__ == "__main__":
    x = np.array([1.0, -4.0, 2.0])
    print("value    =", normalized_sum(x))
    print("gradient =", normalized_sum.grad(x), "  (scale = 1/4 everywhere)")
