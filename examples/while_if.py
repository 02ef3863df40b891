"""A data-dependent function: a while loop and a branch decided by the values themselves.

b doubles until its norm reaches 1000, then is kept or scaled by 100. Locally
c = k * a for a constant k, so the gradient (seeded with ones) equals f(a) / a.
"""

import agc
import numpy as np


@agc.differentiate
def f(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


if __name__ == "__main__":
    a = np.random.default_rng(0).normal(size=3)
    c, grad = f.vjp(a, seed=np.ones(3))
    print("f(a)        =", c)
    print("gradient    =", grad)
    print("f(a) / a    =", c / a)
    print("equal:", bool(np.allclose(grad, c / a)))
