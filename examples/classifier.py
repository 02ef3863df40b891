"""Classifiers trained with agc.nn losses and agc.optim.Adam.

1. Logistic regression on two Gaussian blobs with binary_cross_entropy_with_logits.
2. A two-layer MLP (relu) on a three-class spiral with cross_entropy and dropout
   (p = 0.1, its mask drawn from the Generator the loss is given), trained to
   over 95% training accuracy, one progress line per epoch. With matplotlib
   installed it saves classifier.png: the spiral over the MLP's decision regions,
   and the training loss per epoch.
"""

import agc
import numpy as np
from agc import nn


@agc.differentiate(wrt=("w", "b"))
def logistic_loss(w, b, x, y):
    return nn.binary_cross_entropy_with_logits(x @ w + b, y)


def mlp_logits(params, x):
    """Class scores of the two-layer perceptron."""
    hidden = nn.relu(nn.linear(x, params["W1"], params["b1"]))
    return nn.linear(hidden, params["W2"], params["b2"])


@agc.differentiate(wrt="params")
def mlp_loss(params, x, labels, rng, training=True):
    hidden = nn.relu(nn.linear(x, params["W1"], params["b1"]))
    # drawn once per gradient call, from rng: the gradient is that of this mask
    hidden = nn.dropout(hidden, 0.1, rng, training)
    logits = nn.linear(hidden, params["W2"], params["b2"])
    return nn.cross_entropy(logits, labels)


def blobs(n, rng):
    """Two Gaussian blobs in the plane with 0/1 labels."""
    y = (rng.uniform(size=n) < 0.5).astype(float)
    x = rng.normal(size=(n, 2)) + 1.5 * (2 * y[:, None] - 1)
    return x, y


def spiral(per_class, classes, rng):
    """The classic interleaved spiral arms, one per class."""
    xs, labels = [], []
    for k in range(classes):
        r = np.linspace(0.05, 1, per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, per_class) + 0.15 * rng.normal(size=per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        labels.append(np.full(per_class, k))
    return np.concatenate(xs), np.concatenate(labels)


def train_logistic(rng):
    """Full-batch gradient descent on the logistic loss; returns the accuracy."""
    x, y = blobs(400, rng)
    w, b = np.zeros(2), 0.0
    for _ in range(100):
        dw, db = logistic_loss.grad(w, b, x, y)
        w, b = w - 0.5 * dw, b - 0.5 * db
    accuracy = np.mean(((x @ w + b) > 0) == (y > 0.5))
    print(f"logistic regression: loss {logistic_loss(w, b, x, y):.4f}, accuracy {accuracy:.3f}")
    return accuracy


def init_mlp(hidden, classes, rng):
    """He-initialised weights in torch's (out, in) layout."""
    return {"W1": rng.normal(size=(hidden, 2)) * np.sqrt(2 / 2), "b1": np.zeros(hidden),
            "W2": rng.normal(size=(classes, hidden)) * np.sqrt(2 / hidden),
            "b2": np.zeros(classes)}


def train_mlp(rng, epochs=30, batch=60):
    """Mini-batch Adam on the spiral; (final training accuracy, params, data, losses)."""
    x, labels = spiral(100, 3, rng)
    params = init_mlp(64, 3, rng)
    optimizer = agc.optim.Adam(lr=0.02)
    state = optimizer.init(params)
    losses = []
    for epoch in range(1, epochs + 1):
        for idx in np.array_split(rng.permutation(len(x)), len(x) // batch):
            grads = mlp_loss.grad(params, x[idx], labels[idx], rng)
            params, state = optimizer.update(params, grads, state)
        accuracy = np.mean(np.argmax(mlp_logits(params, x), axis=1) == labels)
        losses.append(float(mlp_loss(params, x, labels, rng, False)))  # eval: no dropout
        print(f"epoch {epoch:2d}  loss {losses[-1]:.4f}  accuracy {accuracy:.3f}")
    return accuracy, params, (x, labels), losses


def save_plot(params, x, labels, losses, path="classifier.png"):
    """The spiral over the MLP's decision regions, and the loss per epoch (matplotlib)."""
    try:
        import matplotlib  # noqa: PLC0415 - optional: the plot is skipped without it

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415 - optional, as above
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    fig, (regions, curve) = plt.subplots(1, 2, figsize=(10, 4.5))
    grid = np.linspace(-1.2, 1.2, 200)
    gx, gy = np.meshgrid(grid, grid)
    predicted = np.argmax(mlp_logits(params, np.stack([gx.ravel(), gy.ravel()], 1)), axis=1)
    regions.contourf(gx, gy, predicted.reshape(gx.shape), alpha=0.3, cmap="brg")
    regions.scatter(x[:, 0], x[:, 1], c=labels, s=8, cmap="brg")
    regions.set_title("decision regions of the MLP")
    curve.plot(range(1, len(losses) + 1), losses)
    curve.set_xlabel("epoch")
    curve.set_ylabel("cross-entropy")
    curve.set_title("training loss")
    fig.savefig(path)
    print("saved", path)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    train_logistic(rng)
    accuracy, params, (x, labels), losses = train_mlp(rng)
    print(f"MLP training accuracy: {accuracy:.3f}")
    save_plot(params, x, labels, losses)
