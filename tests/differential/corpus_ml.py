"""Corpus: ML layers and losses as users write them: MLPs, softmax, logsumexp, cross-entropy,
layer norm, attention, RNN and GRU cells unrolled in loops, and agc.nn calls."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from agc import nn

from .harness import Corpus, pos, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref
LABELS = np.array([1, 0, 2, 1])
ONEHOT = np.eye(3)[LABELS]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _logsumexp(z):
    m = np.max(z, axis=-1, keepdims=True)
    return np.log(np.sum(np.exp(z - m), axis=-1)) + m[..., 0]


@add(vec(4, 3), vec(3, 5), vec(5), vec(5, 2), wrt=("X", "W1", "b1", "W2"))
def mlp_tanh(X, W1, b1, W2):
    h = np.tanh(X @ W1 + b1)
    return np.mean((h @ W2) ** 2)


@add(vec(4, 3), vec(3, 5), vec(5, 1), wrt=("W1", "W2"))
def mlp_relu_regression(X, W1, W2):
    h = np.maximum(X @ W1, 0.0)
    y = np.array([0.5, -0.2, 0.1, 0.9])
    return np.mean((h @ W2)[:, 0] - y) ** 2


@add(vec(4, 3), vec(3, 4), vec(4, 3), wrt=("X", "W1", "W2"))
def mlp_sigmoid_two_layers(X, W1, W2):
    return np.sum(_sigmoid(_sigmoid(X @ W1) @ W2))


@add(vec(5))
def softmax_stable(z):
    e = np.exp(z - np.max(z))
    p = e / np.sum(e)
    return np.sum(p * np.arange(5.0))


@add(vec(3, 4))
def softmax_rows(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    P = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(P[:, 0] ** 2)


@add(vec(5))
def logsumexp_naive(z):
    return np.log(np.sum(np.exp(z)))


@add(vec(5))
def logsumexp_stable(z):
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))


@add(vec(3, 4))
def logsumexp_rows_helper(Z):
    return np.sum(_logsumexp(Z))


@add(vec(4, 3), LABELS, wrt="logits")
def cross_entropy_integer_labels(logits, labels):
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(4), labels])


@add(vec(4, 3), ONEHOT, wrt="logits")
def cross_entropy_onehot(logits, Y):
    logp = logits - _logsumexp(logits)[:, None]
    return -np.sum(Y * logp) / logits.shape[0]


@add(vec(4, 3), vec(3, 3), LABELS, wrt=("X", "W"))
def softmax_regression(X, W, labels):
    Z = X @ W
    P = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
    return -np.sum(np.log(P[np.arange(4), labels]))


@add(vec(4), np.array([1.0, 0.0, 1.0, 1.0]), wrt="z")
def binary_cross_entropy_logits(z, t):
    return np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))


@add(vec(4), np.array([1.0, 0.0, 1.0, 1.0]), wrt="z")
def binary_cross_entropy_probs(z, t):
    p = _sigmoid(z)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@add(vec(3, 4), vec(4), vec(4), wrt=("X", "g", "b"))
def layer_norm(X, g, b):
    mu = np.mean(X, axis=-1, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=-1, keepdims=True)
    Y = (X - mu) / np.sqrt(var + 1e-5) * g + b
    return np.sum(Y ** 2 * np.arange(1.0, 5.0))


@add(vec(4, 3))
def batch_norm_train(X):
    mu = X.mean(axis=0)
    sd = np.sqrt(((X - mu) ** 2).mean(axis=0) + 1e-5)
    return np.sum(np.tanh((X - mu) / sd))


@add(vec(3, 4), vec(4, 4), vec(4, 4), vec(4, 4), wrt=("X", "Wq", "Wk", "Wv"))
def attention_single_head(X, Wq, Wk, Wv):
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    S = Q @ K.T / np.sqrt(4.0)
    S = S - np.max(S, axis=1, keepdims=True)
    A = np.exp(S) / np.sum(np.exp(S), axis=1, keepdims=True)
    return np.sum((A @ V) ** 2)


@add(vec(2, 3, 4), vec(4, 4), wrt=("X", "W"))
def attention_batched(X, W):
    Q = X @ W
    S = Q @ np.transpose(X, (0, 2, 1))
    A = np.exp(S - np.max(S, axis=-1, keepdims=True))
    A = A / np.sum(A, axis=-1, keepdims=True)
    return np.sum(A @ X)


@add(vec(3, 4), wrt="X")
def attention_causal_mask(X):
    S = X @ X.T
    mask = np.array([[0.0, -1e9, -1e9], [0.0, 0.0, -1e9], [0.0, 0.0, 0.0]])
    S = S + mask
    A = np.exp(S - np.max(S, axis=1, keepdims=True))
    A = A / np.sum(A, axis=1, keepdims=True)
    return np.sum(A @ X * X)


@add(vec(5, 3), vec(3, 4), vec(4, 4), wrt=("xs", "Wx", "Wh"))
def rnn_unrolled(xs, Wx, Wh):
    h = np.zeros(4)
    for t in range(5):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.sum(h ** 2)


@add(vec(5, 3), vec(3, 4), vec(4, 4), wrt=("xs", "Wx", "Wh"))
def rnn_collect_states(xs, Wx, Wh):
    h = np.zeros(4)
    hs = []
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H * H) / 5


@add(vec(4, 3), vec(3, 4), vec(4, 4), wrt=("xs", "Wz", "Uz"))
def gru_like_cell(xs, Wz, Uz):
    h = np.zeros(4)
    for t in range(4):
        z = _sigmoid(xs[t] @ Wz + h @ Uz)
        cand = np.tanh(xs[t] @ Wz - h @ Uz)
        h = (1 - z) * h + z * cand
    return np.sum(h)


@add(vec(4, 3), vec(3, 4), vec(4, 4), vec(3, 4), wrt=("xs", "W", "U", "Wr"))
def gru_cell_with_reset(xs, W, U, Wr):
    h = np.zeros(4)
    for x in xs:
        r = _sigmoid(x @ Wr + h @ U)
        z = _sigmoid(x @ W + h)
        n = np.tanh(x @ W + r * (h @ U))
        h = (1 - z) * n + z * h
    return np.sum(h ** 2)


@add(vec(4, 3), vec(3, 4), wrt=("xs", "W"))
def rnn_state_from_first_input(xs, W):
    h = xs[0] @ W
    for t in range(1, 4):
        h = np.tanh(h + xs[t] @ W)
    return np.sum(h)


@add(vec(3, 5), vec(5, 5), wrt=("X", "W"))
def residual_block(X, W):
    h = X + np.tanh(X @ W)
    h = h + np.tanh(h @ W)
    return np.mean(h ** 2)


@add(vec(6), vec(6), wrt=("w", "x"))
def linear_regression_loss_l2(w, x):
    y = np.sin(x)
    pred = w * x
    return np.mean((pred - y) ** 2) + 0.01 * np.sum(w ** 2)


@add(vec(4, 3), vec(3), wrt="w")
def logistic_regression(X, w):
    y = np.array([1.0, 0.0, 0.0, 1.0])
    p = 1 / (1 + np.exp(-(X @ w)))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


@add(vec(4), vec(4), wrt=("a", "b"))
def hinge_loss(a, b):
    return np.sum(np.maximum(0.0, 1.0 - a * b + 0.3))


@add(vec(3, 4), vec(5, 4), wrt=("X", "C"))
def kmeans_soft_assignment(X, C):
    D = np.sum((X[:, None, :] - C[None, :, :]) ** 2, axis=2)
    W = np.exp(-D)
    W = W / np.sum(W, axis=1, keepdims=True)
    return np.sum(W * D)


@add(vec(3, 2), vec(2), vec(2), wrt=("X", "mu", "logs"))
def gaussian_nll_diag(X, mu, logs):
    s = np.exp(logs)
    return np.sum(0.5 * ((X - mu) / s) ** 2 + logs)


@add(vec(5), wrt="z")
def gumbel_free_temperature_softmax(z):
    t = 0.5
    e = np.exp((z - np.max(z)) / t)
    return np.sum(e / np.sum(e) * z)


@add(vec(4, 3), vec(3, 2), wrt=("X", "W"))
def dropout_fixed_mask(X, W):
    mask = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    return np.sum(((X * mask / 0.7) @ W) ** 2)


@add(vec(4, 3), vec(2, 3), vec(2), wrt=("x", "w", "b"))
def agc_nn_linear_relu(x, w, b):
    return np.sum(nn.relu(nn.linear(x, w, b)) ** 2)


ref(lambda x, w, b: jnp.sum(jax.nn.relu(x @ w.T + b) ** 2))


@add(vec(4, 3), LABELS, wrt="logits")
def agc_nn_cross_entropy(logits, labels):
    return nn.cross_entropy(logits, labels)


ref(lambda z, y: -jnp.mean(jax.nn.log_softmax(z)[jnp.arange(4), y]))


@add(vec(3, 4), wrt="z")
def agc_nn_log_softmax_and_logsumexp(z):
    return np.sum(nn.log_softmax(z) * np.arange(4.0)) + np.sum(nn.logsumexp(z))


ref(lambda z: jnp.sum(jax.nn.log_softmax(z) * jnp.arange(4.0))
    + jnp.sum(jax.scipy.special.logsumexp(z, axis=-1)))


@add(vec(3, 2, 2, 2), vec(2), vec(2), wrt=("x", "w", "b"))
def agc_nn_batch_norm_training(x, w, b):
    # the running statistics (returned, no derivative) are checked against torch in test_nn_layers
    y, _, _ = nn.batch_norm(x, np.zeros(2), np.ones(2), w, b, True)
    return np.sum(y * y * y)


def _jax_batch_norm(x, w, b):
    m, v = jnp.mean(x, axis=(0, 2, 3)), jnp.var(x, axis=(0, 2, 3))
    y = (x - m[:, None, None]) / jnp.sqrt(v[:, None, None] + 1e-5)
    return jnp.sum((y * w[:, None, None] + b[:, None, None]) ** 3)


ref(_jax_batch_norm)


@add(vec(4, 3), pos(3), vec(3), wrt=("x", "w"))
def agc_nn_batch_norm_eval(x, w, b):
    y, _, _ = nn.batch_norm(x, b, w + 0.5, w)
    return np.sum(np.sin(y))


ref(lambda x, w, b: jnp.sum(jnp.sin((x - b) / jnp.sqrt(w + 0.5 + 1e-5) * w)))


@add(vec(2, 3, 4), vec(4), wrt=("x", "w"))
def agc_nn_layer_norm_gelu(x, w):
    return np.sum(nn.gelu(nn.layer_norm(x, (4,), w, None)) * np.arange(4.0))


def _jax_layer_norm_gelu(x, w):
    y = (x - jnp.mean(x, -1, keepdims=True)) / jnp.sqrt(jnp.var(x, -1, keepdims=True) + 1e-5)
    return jnp.sum(jax.nn.gelu(y * w, approximate=False) * jnp.arange(4.0))


ref(_jax_layer_norm_gelu)


@add(vec(2, 3, 2), wrt="x")
def agc_nn_flatten_gelu_tanh(x):
    return np.sum(nn.gelu(nn.flatten(x), "tanh") * np.arange(6.0))


ref(lambda x: jnp.sum(jax.nn.gelu(x.reshape(2, 6), approximate=True) * jnp.arange(6.0)))


@add(vec(4, 3), LABELS, wrt="logits")
def agc_nn_cross_entropy_label_smoothing(logits, labels):
    return nn.cross_entropy(logits, labels, "sum", 0.2)


ref(lambda z, y: -jnp.sum(0.8 * jax.nn.log_softmax(z)[jnp.arange(4), y]
                          + 0.2 * jnp.mean(jax.nn.log_softmax(z), axis=-1)))
