"""A WGAN-GP gradient penalty: the critic's loss calls the critic's own input gradient.

PyTorch writes it with `torch.autograd.grad(D(x), x, create_graph=True)`; in agc
the loss simply calls `critic.grad(x, W, v)` and is differentiated like any
model: the emitted gradient calls `critic_grad` forward and `critic_hvp_x_W`
(a Hessian-vector product of the critic) backward.
"""

import numpy as np

import agc


@agc.differentiate(wrt="x")
def critic(x, W, v):
    """D(x): a one-hidden-layer critic."""
    return np.sum(v * np.tanh(W @ x))


@agc.differentiate(wrt="W")
def critic_loss(W, v, real, fake, mixed):
    """Wasserstein critic loss plus 10 (||grad_x D(x_hat)|| - 1)^2 at each mixed point."""
    loss = 0.0
    for i in range(real.shape[0]):
        loss = loss + critic(fake[i], W, v) - critic(real[i], W, v)
        g = critic.grad(mixed[i], W, v)
        loss = loss + 10.0 * (np.sqrt(np.sum(g * g)) - 1.0) ** 2
    return loss / real.shape[0]


def data(seed=0):
    """A small batch: critic weights, real and fake samples, and their random mixes."""
    rng = np.random.default_rng(seed)
    W, v = rng.normal(size=(4, 3)), rng.normal(size=4)
    real, fake = rng.normal(size=(5, 3)) + 1.0, rng.normal(size=(5, 3))
    eps = rng.uniform(size=(5, 1))
    return W, v, real, fake, eps * real + (1 - eps) * fake


if __name__ == "__main__":
    W, v, real, fake, mixed = data()
    grad_W = critic_loss.grad(W, v, real, fake, mixed)
    print("critic loss =", round(float(critic_loss(W, v, real, fake, mixed)), 6))
    print("d loss / dW[0] =", np.round(grad_W[0], 6))
    error = agc.check_grad(critic_loss, W, v, real, fake, mixed)
    print("matches finite differences:", error < 1e-5)
    for _ in range(100):  # a few steps of training the critic on its penalised loss
        W = W - 0.05 * critic_loss.grad(W, v, real, fake, mixed)
    print("after 100 steps: loss =", round(float(critic_loss(W, v, real, fake, mixed)), 4))
