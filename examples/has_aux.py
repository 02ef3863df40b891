"""Auxiliary outputs (JAX's has_aux): return the loss plus metrics, differentiate the loss.

With `has_aux=True`, `f.grad(...)` returns (gradient, aux), where aux holds the
extra return values, computed in the same run.
"""

import agc
import numpy as np
from agc import nn


@agc.differentiate(wrt=("w", "b"), has_aux=True)
def loss_and_accuracy(w, b, x, y):
    logits = x @ w + b
    loss = nn.binary_cross_entropy_with_logits(logits, y)
    accuracy = np.mean((logits > 0) == (y > 0.5))
    return loss, accuracy


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    (dw, db), accuracy = loss_and_accuracy.grad(np.array([1.0, 0.5]), 0.0, x, y)
    print("dL/dw =", dw, " dL/db =", db)
    print("accuracy (aux) =", accuracy)
