"""y = 2 * x.x has the gradient 4x; y = sum(x) has ones; y = sum(x * x) has 2x."""

import agc
import numpy as np


@agc.differentiate
def two_dot(x):
    return 2 * np.dot(x, x)


@agc.differentiate
def total(x):
    return x.sum()


@agc.differentiate
def sum_of_squares(x):
    return (x * x).sum()


if __name__ == "__main__":
    x = np.arange(4.0)
    print("x               ", x)
    print("d(2 x.x)/dx     ", two_dot.grad(x), "  (4x)")
    print("d(sum x)/dx     ", total.grad(x), "  (ones)")
    print("d(sum x*x)/dx   ", sum_of_squares.grad(x), "  (2x)")
