"""A model as a class, as a PyTorch user writes it: parameters are attributes.

`@agc.differentiate(wrt="self")` on the loss method gives the gradient with
respect to the instance's parameters, as a dict {attribute: gradient}. Methods
called on `self` are differentiated as helpers; int, bool and str attributes
(here `activation`) are configuration, constants of the compiled code.
Module-level arrays (here `CLASS_WEIGHTS`) are read as constants.
"""

from dataclasses import dataclass

import agc
import numpy as np

CLASS_WEIGHTS = np.array([1.0, 2.0])  # read at call time, never differentiated


@dataclass
class TwoLayerNet:
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    activation: str = "tanh"

    def forward(self, x):
        h = x @ self.w1 + self.b1
        h = np.tanh(h) if self.activation == "tanh" else np.maximum(h, 0.0)
        return h @ self.w2

    @agc.differentiate(wrt="self")
    def loss(self, x, y):
        err = self.forward(x) - y
        return np.mean(np.sum(CLASS_WEIGHTS * err ** 2, axis=1))


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    net = TwoLayerNet(rng.normal(size=(3, 8)) * 0.5, np.zeros(8), rng.normal(size=(8, 2)) * 0.5)
    x = rng.normal(size=(32, 3))
    y = np.stack([np.sin(x[:, 0]), x[:, 1] * x[:, 2]], axis=1)
    print(f"initial loss {net.loss(x, y):.4f}")
    for _ in range(300):
        grads = net.loss.grad(x, y)  # {"w1": ..., "b1": ..., "w2": ...}
        for name, g in grads.items():
            setattr(net, name, getattr(net, name) - 0.1 * g)
    print(f"trained loss {net.loss(x, y):.4f}")
    print("gradient keys:", sorted(grads))
    # One entry against a central difference.
    eps, w = 1e-6, net.w1.copy()
    net.w1 = w.copy()
    net.w1[0, 0] += eps
    up = net.loss(x, y)
    net.w1[0, 0] -= 2 * eps
    numeric = (up - net.loss(x, y)) / (2 * eps)
    net.w1 = w
    exact = net.loss.grad(x, y)["w1"][0, 0]
    print(f"d loss / d w1[0, 0]: agc {exact:.6f}, finite differences {numeric:.6f}")
    assert abs(exact - numeric) < 1e-6
    # The gradient with respect to x instead: a bound method is a function of x, y.
    print("d loss / d x shape:", agc.grad(net.loss, wrt="x")(x, y).shape)
