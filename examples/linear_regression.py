"""Linear regression from scratch: fit y = 3x + 0.8 on 500 noisy points.

First with a hand-written SGD loop on Python floats, then with each optimizer of
agc.optim (SGD, SGD with momentum, Adagrad, RMSprop, Adam) on a dict of parameters.
With matplotlib installed it saves two plots: the data with the fitted line, and
the loss curves of the five optimizers on one chart; with tqdm, the optimizer runs
show a progress bar. Both are optional: without them the script prints the same.
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


OPTIMIZERS = {  # name: (optimizer, full-batch steps)
    "SGD": (agc.optim.SGD(lr=0.1), 400),
    "SGD momentum": (agc.optim.SGD(lr=0.1, momentum=0.9), 400),
    "Adagrad": (agc.optim.Adagrad(lr=0.5), 400),
    "RMSprop": (agc.optim.RMSprop(lr=0.02), 400),
    "Adam": (agc.optim.Adam(lr=0.05), 400),
}


def progress(steps, name):
    """range(steps), with a tqdm progress bar when tqdm is installed."""
    try:
        from tqdm import tqdm  # noqa: PLC0415 - optional: a plain range without it
    except ImportError:
        return range(steps)
    return tqdm(range(steps), desc=f"{name:>12}", leave=False)


def fit_with(optimizer, x, y, steps, name=""):
    """Full-batch steps of an agc.optim optimizer, the functional way; (w, b, losses)."""
    params = {"w": np.zeros(()), "b": np.zeros(())}
    state = optimizer.init(params)
    losses = []
    for _ in progress(steps, name):
        loss, grads = mse_tree.value_and_grad(params, x, y)
        losses.append(float(loss))
        params, state = optimizer.update(params, grads, state)
    return float(params["w"]), float(params["b"]), losses


def pyplot():
    """matplotlib.pyplot drawing to files, or None when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: PLC0415 - optional: the plots are skipped without it

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415 - optional, as above
    except ImportError:
        print("matplotlib not installed: no plots")
        return None
    return plt


def save_plots(x, y, w, b, curves, fit="linear_regression.png",
               losses="linear_regression_losses.png"):
    """The data with the fitted line, and every optimizer's loss curve on one chart."""
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots()
    ax.scatter(x, y, s=4, label="data")
    grid = np.linspace(-1, 1, 2)
    ax.plot(grid, w * grid + b, color="red", label=f"y = {w:.2f} x + {b:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    fig.savefig(fit)
    fig, ax = plt.subplots()
    for name, curve in curves.items():
        ax.plot(curve, label=name)
    ax.set_yscale("log")
    ax.set_title("y = 3x + 0.8: the loss of each agc.optim optimizer")
    ax.set_xlabel("step")
    ax.set_ylabel("mean squared error")
    ax.legend()
    fig.savefig(losses)
    print("saved", fit, "and", losses)


if __name__ == "__main__":
    x, y = make_data()
    w, b = fit_by_hand(x, y)
    print(f"hand-written SGD: w = {w:.3f}  b = {b:.3f}")
    curves = {}
    for name, (optimizer, steps) in OPTIMIZERS.items():
        w, b, curves[name] = fit_with(optimizer, x, y, steps, name)
        print(f"agc.optim {name + ':':13} w = {w:.3f}  b = {b:.3f}  "
              f"final loss {curves[name][-1]:.5f}")
    save_plots(x, y, w, b, curves)
