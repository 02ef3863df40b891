"""Corpus: module-level arrays and containers read as constants, helpers called with
keyword arguments and defaults, keyword-only parameters (issue 13).

Module-level values are read when the function runs: entries with `phases`
rebind them after the first gradient call (see corpus_helpers for numbers).
"""

from __future__ import annotations

import numpy as np

from .harness import Corpus, vec

corpus = Corpus()
add = corpus.add
A = np.array([[1.0, 2.0, 0.5], [3.0, -4.0, 1.5], [0.0, 1.0, -2.0]])
A_OTHER = np.array([[0.5, 0.0, 1.0], [2.0, 1.0, -1.0], [1.0, -3.0, 0.25]])
W0 = np.random.default_rng(7).standard_normal((3, 3))
WEIGHTS = [0.5, -1.25, 2.0]
PAIR = (0.75, -0.5)
GAINS = {"in": 1.5, "out": -0.25}
LAYERS = [np.eye(3) * 0.5, np.ones((3, 3)) * 0.1]
BIAS32 = np.float32(0.25)
STAGES = (("in", 1.0), ("out", 2.0), ("in", 0.5))  # names and numbers: ResNet's stage table


def _affine(v, scale=2.0, shift=0.5, *, power=1):
    return (v * scale + shift) ** power


def _project(v, matrix=A):
    return matrix @ v


@add(vec(3))
def module_array_matmul(x):
    return np.sum(np.tanh(A @ x) ** 2)


@add(vec(3), phases=[{}, {"A": A_OTHER}])
def module_array_rebound(x):
    return np.sum(np.sin(x @ A) * x)


@add(vec(3))
def module_computed_array(x):
    return np.sum(np.exp(W0 @ x) * 0.1)


@add(vec(3))
def module_list_tuple_dict(x):
    return np.sum(x * WEIGHTS[1] + WEIGHTS[2]) * PAIR[0] + np.sum(x ** 2) * GAINS["out"]


@add(vec(3), phases=[{}, {"GAINS": {"in": -2.0, "out": 0.5}}])
def module_dict_rebound(x):
    return np.sum(np.cos(x * GAINS["in"])) * GAINS["out"]


@add(vec(3))
def module_list_of_arrays(x):
    y = x
    for layer in LAYERS:
        y = np.tanh(layer @ y)
    return np.sum(y)


@add(vec(3), phases=[{}, {"STAGES": (("out", 1.0),)}])
def module_tuple_of_names_and_numbers(x):
    y = x
    for name, stride in STAGES:
        y = np.tanh(y * GAINS[name] + stride)
    return np.sum(y)


@add(vec(3))
def module_numpy_number(x):
    return np.sum(x * x + BIAS32)


@add(vec(3), vec(3), wrt=("x", "w"))
def helper_keyword_arguments(x, w):
    return np.sum(_affine(x, shift=w) ** 2) + np.sum(_affine(scale=w, v=np.sin(x)))


@add(vec(3))
def helper_keyword_only_and_default(x):
    return np.sum(_affine(x, power=3)) + np.sum(_affine(x, 0.5))


@add(vec(3))
def helper_default_module_array(x):
    return np.sum(np.sin(_project(x))) + np.sum(_project(x, matrix=W0) ** 2)
