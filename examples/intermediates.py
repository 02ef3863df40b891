"""Adjoints of intermediates (PyTorch's retain_grad) and two outputs with a weighted seed.

y = (x + w) * (w + 1): the adjoint of the intermediate a = x + w is w + 1.
Two outputs concatenated into one vector, seeded with weights (1, 10), give
1 * d(out1) + 10 * d(out2), PyTorch's torch.cat([o1, o2]).backward(gradient=v).
"""

import agc
import numpy as np


@agc.differentiate(wrt=("x", "w"))
def y(x, w):
    a = x + w
    b = w + 1
    return a * b


@agc.differentiate
def two_outputs(x):
    first = np.sum(x * x, keepdims=True)  # d/dx = 2 x
    second = np.sum(3 * x, keepdims=True)  # d/dx = 3
    return np.concatenate([first, second])


if __name__ == "__main__":
    (dx, dw), kept = y.grad(2.0, 3.0, intermediates=("a",))
    print(f"dy/dx = {dx}  dy/dw = {dw}  dy/da = {kept['a']}  (w + 1 = 4)")
    x = np.array([1.0, 2.0])
    value, dx = two_outputs.vjp(x, seed=np.array([1.0, 10.0]))
    print("outputs =", value, " weighted gradient =", dx, " (2 x + 30 =", 2 * x + 30, ")")
