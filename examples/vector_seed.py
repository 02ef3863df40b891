"""A vector output seeded with ones: Q = 3 a**3 - b**2, PyTorch's Q.backward(gradient=v).

dQ/da = 9 a**2 and dQ/db = -2 b; with the seed v = ones they come back elementwise.
"""

import agc
import numpy as np


@agc.differentiate(wrt=("a", "b"))
def q(a, b):
    return 3 * a**3 - b**2


if __name__ == "__main__":
    a = np.array([2.0, 3.0])
    b = np.array([6.0, 4.0])
    v = np.ones(2)
    value, (da, db) = q.vjp(a, b, seed=v)
    print("Q      =", value)
    print("dQ/da  =", da, "  (9 a**2 =", 9 * a**2, ")")
    print("dQ/db  =", db, "  (-2 b =", -2 * b, ")")
    # The JAX-style form: a pullback that can be applied to several seeds.
    value, pullback = agc.vjp(q, a, b, wrt=("a", "b"))
    print("pullback(2 v) =", pullback(2 * v))
