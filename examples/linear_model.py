"""A linear model z = x * w + b against the target 0, with squared error.

PyTorch: `loss.backward()` then `w.grad`, `b.grad`. agc: `loss.grad(x, w, b)`.
"""

import agc


@agc.differentiate(wrt=("w", "b"))
def loss(x, w, b):
    z = x * w + b
    return (z - 0.0) ** 2


if __name__ == "__main__":
    x, w, b = 2.0, 0.5, 0.1
    dw, db = loss.grad(x, w, b)
    # dL/dw = 2 (x w + b) x = 4.4 and dL/db = 2 (x w + b) = 2.2
    print(f"loss = {loss(x, w, b):.4f}  dL/dw = {dw:.4f}  dL/db = {db:.4f}")
    print(loss.gradient_source)
