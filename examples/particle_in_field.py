"""A particle sliding down a potential: a `while` loop whose trip count depends on the
data, stepping x <- x - h * grad U(x), and the gradient of where it ends up with
respect to where it starts and to a parameter of the potential.

The loop calls `potential.grad(x, theta)`; agc differentiates through every step
(the emitted backward sweep calls `potential_hvp_x_theta`, a Hessian-vector product).
"""

import numpy as np

import agc


@agc.differentiate(wrt="x")
def potential(x, theta):
    """U(x) = sum(theta x^4) - sum(cos x): a well of stiffness theta."""
    return np.sum(theta * x ** 4) - np.sum(np.cos(x))


@agc.differentiate(wrt=("x0", "theta"))
def final_objective(x0, theta, target):
    """Descend U from x0 until the force is weak (at most 200 steps), then score the end."""
    x = x0
    steps = 0
    while np.sqrt(np.sum(potential.grad(x, theta) ** 2)) > 0.05 and steps < 200:
        x = x - 0.02 * potential.grad(x, theta)
        steps += 1
    return np.sum((x - target) ** 2)


def steps_taken(x0, theta):
    """How many steps the loop above runs (plain numpy, for the printout)."""
    x, steps = x0, 0
    while True:
        g = 4 * theta * x ** 3 + np.sin(x)
        if not (np.sqrt(np.sum(g ** 2)) > 0.05 and steps < 200):
            return steps
        x, steps = x - 0.02 * g, steps + 1


if __name__ == "__main__":
    x0, theta, target = np.array([1.2, -0.8, 0.5]), np.array([0.5, 1.0, 2.0]), np.full(3, 0.1)
    d_x0, d_theta = final_objective.grad(x0, theta, target)
    print("steps taken:", steps_taken(x0, theta))
    print("d objective / d x0    =", np.round(d_x0, 6))
    print("d objective / d theta =", np.round(d_theta, 6))
    error = agc.check_grad(final_objective, x0, theta, target)
    print("matches finite differences:", error < 1e-5)
