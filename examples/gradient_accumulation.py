"""Gradient accumulation, the functional way: add up the gradients of micro-batches.

PyTorch accumulates into `.grad` across `backward()` calls and needs
`zero_grad()`. agc's gradients are return values, so accumulating is a sum:
with a loss that sums over samples, the micro-batch gradients add up exactly
to the full-batch gradient (divide by the batch size for a mean).
"""

import agc
import numpy as np
from agc.runtime.tree import tree_add, tree_map


@agc.differentiate(wrt="params")
def loss(params, x, y):
    err = x @ params["w"] + params["b"] - y
    return np.sum(err * err)


def accumulated_grad(params, x, y, micro_batches):
    """Sum of the gradients over `micro_batches` equal slices, divided by the batch size."""
    total = None
    for xs, ys in zip(np.array_split(x, micro_batches), np.array_split(y, micro_batches)):
        grads = loss.grad(params, xs, ys)
        total = grads if total is None else tree_add(total, grads)
    return tree_map(lambda g: g / len(x), total)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)), rng.normal(size=32)
    params = {"w": np.zeros(3), "b": np.zeros(())}
    acc = accumulated_grad(params, x, y, micro_batches=4)
    full = tree_map(lambda g: g / len(x), loss.grad(params, x, y))
    diff = max(float(np.max(np.abs(acc[k] - full[k]))) for k in params)
    print("accumulated over 4 micro-batches:", acc)
    print(f"largest difference from the full-batch gradient: {diff:.2e}")
    optimizer = agc.optim.SGD(lr=0.1)
    optimizer.step(params, acc)  # in place, like PyTorch's optimizer.step()
    print("params after one SGD step:", params)
