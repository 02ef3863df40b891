"""out = mean(3 * (x + 2) ** 2) on a 2x2 input: d out / dx = 6 (x + 2) / 4 = 4.5 at x = 1.

PyTorch: `out.backward(); x.grad`. agc: `out.grad(x)`.
"""

import agc
import numpy as np


@agc.differentiate
def out(x):
    y = x + 2
    z = 3 * y**2
    return np.mean(z)


if __name__ == "__main__":
    x = np.ones((2, 2))
    print(f"out = {out(x)}")
    print("d out/dx =\n", out.grad(x))
