"""mlp: 784-512-10 tanh MLP, softmax cross-entropy with integer labels, float32."""
import numpy as np
from case import Case


def mlp_loss(W1, b1, W2, b2, X, labels):
    """Mean softmax cross-entropy of a one-hidden-layer tanh network."""
    h = np.tanh(np.dot(X, W1) + b1)
    z = np.dot(h, W2) + b2
    zmax = np.max(z, axis=1, keepdims=True)
    logp = z - zmax - np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))
    n = X.shape[0]
    return -np.mean(logp[np.arange(n), labels])


def mlp_adjoint(W1, b1, W2, b2, X, labels):
    """Hand-written backprop: softmax minus one-hot, then the two layers."""
    n = X.shape[0]
    h = np.tanh(np.dot(X, W1) + b1)
    z = np.dot(h, W2) + b2
    p = np.exp(z - np.max(z, axis=1, keepdims=True))
    p /= np.sum(p, axis=1, keepdims=True)
    p[np.arange(n), labels] -= 1
    g_z = p / n
    g_h = np.dot(g_z, W2.T) * (1 - h * h)
    return (np.dot(X.T, g_h), np.sum(g_h, axis=0), np.dot(h.T, g_z), np.sum(g_z, axis=0))


def mlp_inputs(seed=0, batch=256, n_in=784, n_hidden=512, n_out=10):
    """Glorot-scaled float32 weights and a random batch with integer labels."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    W1 = (rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)).astype(f32)
    b1 = (0.1 * rng.standard_normal(n_hidden)).astype(f32)
    W2 = (rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)).astype(f32)
    b2 = (0.1 * rng.standard_normal(n_out)).astype(f32)
    X = rng.standard_normal((batch, n_in)).astype(f32)
    labels = rng.integers(0, n_out, batch)
    return (W1, b1, W2, b2, X, labels)


def cases(quick):
    """One row, float32, compared with float32 tolerances."""
    return [Case(name="mlp b=256 784-512-10 f32", workload="mlp", fn=mlp_loss,
                 wrt=("W1", "b1", "W2", "b2"), args=mlp_inputs(), adjoint=mlp_adjoint,
                 torch_fn="mlp_loss", rtol=1e-3, atol=1e-4)]
