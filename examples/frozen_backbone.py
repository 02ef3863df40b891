"""One parameter tree for the whole network; only its head is trained.

PyTorch: `model.backbone.requires_grad_(False)` and an optimizer over
`model.fc.parameters()`. agc: `wrt="params/fc"` names the head inside the one
`params` dict. The gradient that comes back is the gradient of `params["fc"]`
(a dict shaped like it), so `opt.step(params["fc"], grads)` updates the head in
place, and the emitted code does no adjoint work for the backbone (no
`index['backbone']` among the backward statements, printed below).
"""

import agc
import numpy as np
from agc import nn


def forward(params, x, stats):
    """backbone: linear, batch norm (eval mode, the frozen statistics), gelu; then the head."""
    h = nn.linear(x, params["backbone"]["w"], params["backbone"]["b"])
    h, _, _ = nn.batch_norm(h, stats["mean"], stats["var"], params["backbone"]["gamma"],
                            params["backbone"]["beta"])
    return nn.linear(nn.gelu(h), params["fc"]["w"], params["fc"]["b"])


@agc.differentiate(wrt="params/fc")
def loss(params, x, labels, stats):
    return nn.cross_entropy(forward(params, x, stats), labels, "mean", 0.1)


def accuracy(params, x, labels, stats):
    """The fraction of samples whose largest logit is their label."""
    return float(np.mean(np.argmax(forward(params, x, stats), axis=1) == labels))


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    labels = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    params = {"backbone": {"w": rng.normal(size=(16, 4)), "b": rng.normal(size=16),
                           "gamma": np.ones(16), "beta": np.zeros(16)},  # "pretrained"
              "fc": {"w": np.zeros((2, 16)), "b": np.zeros(2)}}
    stats = {"mean": np.zeros(16), "var": np.ones(16)}
    frozen = params["backbone"]["w"].copy()
    opt = agc.optim.SGD(lr=0.5, momentum=0.9)
    print(f"before: loss {loss(params, x, labels, stats):.4f}, "
          f"accuracy {accuracy(params, x, labels, stats):.3f}")
    for _ in range(100):
        opt.step(params["fc"], loss.grad(params, x, labels, stats))
    print(f"after:  loss {loss(params, x, labels, stats):.4f}, "
          f"accuracy {accuracy(params, x, labels, stats):.3f}")
    print("backbone unchanged:", np.array_equal(params["backbone"]["w"], frozen))
    backward = loss.gradient_source.split("def forward_bwd")[1].split("\ndef ")[0]
    print(backward)
    print("backbone adjoint work in the emitted code:", "index['backbone']" in backward)


if __name__ == "__main__":
    main()
