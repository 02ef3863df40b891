"""Corpus: convolutional layers (issue 19): agc.nn's conv1d, conv2d and poolings in small
conv nets, against jax.lax.conv_general_dilated and reduce_window."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from agc import nn

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref


def _conv(x, w, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """torch's conv2d / conv1d (NCHW, OIHW) in jax."""
    return jax.lax.conv_general_dilated(x, w, stride, pads, rhs_dilation=dilation,
                                        feature_group_count=groups)


def _pool(x, op, init, k, s, p):
    """A 2-d pooling of NCHW x with jax's reduce_window (init pads)."""
    return jax.lax.reduce_window(x, init, op, (1, 1, k, k), (1, 1, s, s),
                                 ((0, 0), (0, 0), (p, p), (p, p)))


def _adaptive(x, oh, ow):
    """torch's adaptive average pooling: the means of bins floor(i*H/oh) .. ceil((i+1)*H/oh)."""
    h, w = x.shape[-2:]
    rows = jnp.stack([x[..., (i * h) // oh:-(-(i + 1) * h // oh), :].mean(axis=-2)
                      for i in range(oh)], axis=-2)
    return jnp.stack([rows[..., (j * w) // ow:-(-(j + 1) * w // ow)].mean(axis=-1)
                      for j in range(ow)], axis=-1)


@add(vec(2, 2, 4, 4), vec(3, 2, 3, 3), vec(3), wrt=("x", "w", "b"))
def small_conv_net(x, w, b):
    h = nn.relu(nn.conv2d(x, w, b, padding=1))
    return np.mean(nn.max_pool2d(h, 2))


ref(lambda x, w, b: jnp.mean(_pool(jax.nn.relu(_conv(x, w, pads=((1, 1), (1, 1)))
                                               + b[:, None, None]), jax.lax.max, -jnp.inf,
                                   2, 2, 0)))


@add(vec(1, 4, 6, 5), vec(4, 2, 2, 2), wrt=("x", "w"))
def conv_strided_dilated_grouped(x, w):
    return np.sum(np.tanh(nn.conv2d(x, w, stride=2, padding=1, dilation=2, groups=2)))


ref(lambda x, w: jnp.sum(jnp.tanh(_conv(x, w, (2, 2), ((1, 1), (1, 1)), (2, 2), 2))))


@add(vec(3, 4, 4), vec(3, 1, 2, 2), wrt=("x", "w"))
def conv_depthwise_unbatched_same(x, w):
    return np.sum(nn.conv2d(x, w, padding="same", groups=3) ** 2)


ref(lambda x, w: jnp.sum(_conv(x[None], w, pads=((0, 1), (0, 1)), groups=3) ** 2))


@add(vec(2, 2, 5), vec(3, 2, 2), vec(3), wrt=("x", "w", "b"))
def conv1d_valid_bias(x, w, b):
    y = nn.conv1d(x, w, b, stride=2, padding="valid")
    return np.sum(np.sin(y))


ref(lambda x, w, b: jnp.sum(jnp.sin(jax.lax.conv_general_dilated(x, w, (2,), ((0, 0),))
                                    + b[:, None])))


@add(vec(1, 2, 5, 6), wrt="x")
def avg_and_adaptive_pools(x):
    a = nn.avg_pool2d(x, 3, 2, 1)
    return np.sum(np.sin(a)) + np.sum(nn.adaptive_avg_pool2d(x, (2, 3)) ** 2)


ref(lambda x: jnp.sum(jnp.sin(_pool(x, jax.lax.add, 0.0, 3, 2, 1) / 9))
    + jnp.sum(_adaptive(x, 2, 3) ** 2))
