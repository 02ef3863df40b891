"""VJPs and JVPs called inside a differentiated model (issue 14): the gradient of a model
calling `f.vjp(x, seed=s)`, `f.jvp(x, tangents=(t,))` or `y, pull = agc.vjp(f, x)`,
against the same model written with a hand-made `h(x, s) = np.sum(f(x) * s)` and
`h.grad(x, s)` (what users wrote before), for an f of an array; and for an f of a number.

    .venv/bin/python benchmarks/products_in_model.py   # ~20 s

CPU time (time.process_time) per gradient call, the median of 30 rounds of 100 calls.
Every gradient is checked against the hand-made one (array f) before it is timed.
"""

from __future__ import annotations

import statistics
import time

import agc
import numpy as np


@agc.differentiate
def squash(x):
    return np.tanh(2.0 * x) * x


@agc.differentiate(wrt="x")
def squash_along(x, s):
    return np.sum(squash(x) * s)


@agc.differentiate(wrt="x")
def bowl(x, k):
    return np.sum(k * x ** 4) - np.sum(np.cos(x))


def by_hand(x, s):
    return np.sum(squash_along.grad(x, s) * np.cos(x))


def with_vjp(x, s):
    _, g = squash.vjp(x, seed=s)
    return np.sum(g * np.cos(x))


def with_pullback(x, s):
    _, pull = agc.vjp(squash, x)
    return np.sum(pull(s) * np.cos(x))


def with_jvp(x, s):
    _, t = squash.jvp(x, tangents=(s,))
    return np.sum(t * np.cos(x))


def scalar_vjp(x, s):
    value, g = bowl.vjp(x, 2.0, seed=1.5)
    return value + np.sum(g * s)


def scalar_jvp(x, s):
    value, tangent = bowl.jvp(x, 2.0, tangents=(s, None))
    return value * tangent


def per_call(f, x, s) -> float:
    rounds = []
    for _ in range(30):
        start = time.process_time()
        for _ in range(100):
            f.grad(x, s)
        rounds.append((time.process_time() - start) / 100 * 1e6)
    return statistics.median(rounds)


def main() -> None:
    x, s = np.linspace(-1, 1, 1000), np.linspace(0.5, 1.5, 1000)
    want = agc.differentiate(by_hand, wrt=("x", "s")).grad(x, s)
    print("| model | µs per gradient |\n|---|---|")
    for model in (by_hand, with_vjp, with_pullback, with_jvp, scalar_vjp, scalar_jvp):
        f = agc.differentiate(model, wrt=("x", "s"))
        if model in (with_vjp, with_pullback):
            for got, ref in zip(f.grad(x, s), want):
                np.testing.assert_allclose(got, ref, rtol=1e-10)
        print(f"| {model.__name__} | {per_call(f, x, s):.0f} |")


if __name__ == "__main__":
    main()
