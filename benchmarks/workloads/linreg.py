"""linreg_train: 500 SGD steps of y = w x + b on 500 points; the whole loop is timed."""
import numpy as np
from case import Case

STEPS = 500
LR = 0.1


def mse(w, b, x, y):
    """Mean squared error of the line w x + b."""
    r = w * x + b - y
    return np.mean(r * r)


def mse_adjoint(w, b, x, y):
    """Closed-form gradient of the mean squared error."""
    r = w * x + b - y
    return (2 * np.mean(r * x), 2 * np.mean(r))


def mse_expert(w, b, x, y):
    """An expert's gradient: one residual, two dot products, the 2/n folded."""
    r = w * x + b - y
    scale = 2.0 / r.size
    return (scale * np.dot(r, x), scale * np.sum(r))


def train(grad_fn, args):
    """Plain SGD driven by any tool's gradient function; returns the final (w, b)."""
    w, b, x, y = args
    for _ in range(STEPS):
        g_w, g_b = grad_fn(w, b, x, y)
        w = w - LR * g_w
        b = b - LR * g_b
    return (w, b)


def linreg_inputs(seed=0, n=500):
    """Points of y = 3 x + 0.8 + noise; the parameters start at zero."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    y = 3.0 * x + 0.8 + 0.1 * rng.standard_normal(n)
    return (0.0, 0.0, x, y)


def cases(quick):
    """One row; the compared result is the trained (w, b)."""
    args = linreg_inputs()
    forward = lambda: [mse(*args) for _ in range(STEPS)]
    return [Case(name="linreg_train 500 steps", workload="linreg_train", fn=mse,
                 wrt=("w", "b"), args=args, adjoint=mse_adjoint, torch_fn="mse",
                 run=train, forward=forward, rtol=1e-6, atol=1e-9, expert=mse_expert,
                 jit_run="linreg_train_fori")]
