"""Linear regression from scratch: fit y = 3x + 0.8 on 500 noisy points.

First with a hand-written SGD loop on Python floats, then with agc.optim.SGD
and agc.optim.Adam on a dict of parameters. Saves a plot of the data and the
fitted line when matplotlib is installed.
"""

import agc
import numpy as np


@agc.differentiate(wrt=("w", "b"))
def mse(w, b, x, y):
    err = w * x + b - y
    return np.mean(err * err)


@agc.differentiate(wrt="params")
def mse_tree(params, x, y):
    err = params["w"] * x + params["b"] - y
    return np.mean(err * err)


def make_data(n=500, seed=0):
    """n points of y = 3x + 0.8 plus a little noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, 3 * x + 0.8 + 0.05 * rng.normal(size=n)


def minibatches(n, size, rng):
    """Shuffled index arrays covering range(n)."""
    order = rng.permutation(n)
    return [order[i:i + size] for i in range(0, n, size)]


def fit_by_hand(x, y, epochs=30, lr=0.1):
    """Plain SGD: w -= lr * dL/dw, one step per mini-batch of 50."""
    rng = np.random.default_rng(1)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        for idx in minibatches(len(x), 50, rng):
            dw, db = mse.grad(w, b, x[idx], y[idx])
            w, b = w - lr * dw, b - lr * db
    return w, b


def fit_with(optimizer, x, y, steps):
    """Full-batch steps of an agc.optim optimizer, the functional way."""
    params = {"w": np.zeros(()), "b": np.zeros(())}
    state = optimizer.init(params)
    for _ in range(steps):
        grads = mse_tree.grad(params, x, y)
        params, state = optimizer.update(params, grads, state)
    return float(params["w"]), float(params["b"])


def save_plot(x, y, w, b, path="linear_regression.png"):
    """Data and fitted line, if matplotlib is available."""
    try:
        import matplotlib  # noqa: PLC0415 - optional: the plot is skipped without it

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415 - optional, as above
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    fig, ax = plt.subplots()
    ax.scatter(x, y, s=4, label="data")
    grid = np.linspace(-1, 1, 2)
    ax.plot(grid, w * grid + b, color="red", label=f"y = {w:.2f} x + {b:.2f}")
    ax.legend()
    fig.savefig(path)
    print("saved", path)


if __name__ == "__main__":
    x, y = make_data()
    w, b = fit_by_hand(x, y)
    print(f"hand-written SGD: w = {w:.3f}  b = {b:.3f}")
    w, b = fit_with(agc.optim.SGD(lr=0.1, momentum=0.9), x, y, steps=200)
    print(f"agc.optim.SGD:    w = {w:.3f}  b = {b:.3f}")
    w, b = fit_with(agc.optim.Adam(lr=0.05), x, y, steps=400)
    print(f"agc.optim.Adam:   w = {w:.3f}  b = {b:.3f}")
    save_plot(x, y, w, b)
