"""Fine-tuning with a frozen feature extractor: only the head's parameters are in `wrt`.

PyTorch: `for p in backbone.parameters(): p.requires_grad = False`. agc: leave
the frozen parameters out of `wrt=`; activity analysis then emits no adjoint
work for them at all, which the printed gradient source shows (no W1_bar, b1_bar).
"""

import agc
import numpy as np


@agc.differentiate(wrt=("W2", "b2"))
def loss(x, y, W1, b1, W2, b2):
    features = np.tanh(x @ W1 + b1)  # the frozen, "pretrained" extractor
    pred = features @ W2 + b2  # the head being fine-tuned
    err = pred - y
    return np.mean(err * err)


def fine_tune(steps=200, lr=0.1):
    """Train the head on a regression task; returns (initial loss, final loss)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4))
    W1, b1 = rng.normal(size=(4, 8)), rng.normal(size=8)
    y = np.tanh(x @ W1 + b1) @ rng.normal(size=(8, 1))  # reachable with the frozen features
    W2, b2 = np.zeros((8, 1)), np.zeros(1)
    first = loss(x, y, W1, b1, W2, b2)
    for _ in range(steps):
        dW2, db2 = loss.grad(x, y, W1, b1, W2, b2)
        W2, b2 = W2 - lr * dW2, b2 - lr * db2
    return first, loss(x, y, W1, b1, W2, b2)


if __name__ == "__main__":
    source = loss.gradient_source
    print(source)
    print("adjoint of the frozen layer in the emitted code:", "W1_bar" in source)
    first, last = fine_tune()
    print(f"loss before fine-tuning {first:.4f}, after {last:.4f}")
