"""A min-max (saddle-point) problem: min over x, max over y of f(x, y).

The x player looks one step ahead: its objective is f after y's gradient-ascent
step, y1 = y + lr * grad_y f(x, y), so it calls `f.grad(x, y)` (with respect
to y) and agc differentiates through that inner step with respect to x, as
meta-learning differentiates a loss after one inner SGD step.
"""

import numpy as np

import agc

A = np.array([[1.0, 0.5], [-0.3, 0.8]])


@agc.differentiate(wrt="y")
def f(x, y):
    """x A y + |x|^2 / 2 - |y|^2 / 2 + sum(sin x): convex in x, concave in y."""
    return x @ A @ y + 0.5 * np.sum(x ** 2) - 0.5 * np.sum(y ** 2) + np.sum(np.sin(x) * 0.3)


@agc.differentiate(wrt="x")
def lookahead(x, y, lr):
    """f(x, y1) after y's ascent step y1 = y + lr * df/dy."""
    y1 = y + lr * f.grad(x, y)
    return f(x, y1)


def grad_x(x, y):
    """df/dx, written out (for the printout)."""
    return A @ y + x + 0.3 * np.cos(x)


if __name__ == "__main__":
    x, y = np.array([1.0, -1.0]), np.array([0.5, 0.5])
    for _ in range(300):
        x = x - 0.1 * lookahead.grad(x, y, 0.5)
        y = y + 0.1 * f.grad(x, y)
    print("x =", np.round(x, 6), " y =", np.round(y, 6))
    stationary = np.abs(grad_x(x, y)).max() < 1e-6 and np.abs(f.grad(x, y)).max() < 1e-6
    print("saddle point (both gradients zero):", stationary)
    error = agc.check_grad(lookahead, x + 0.1, y, 0.5)
    print("matches finite differences:", error < 1e-5)
