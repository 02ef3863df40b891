"""Forward mode over the differential corpus: agc.jvp against jax.jvp (float64), the JVP
as the transpose of the VJP, and how much of the corpus forward mode accepts.

For each entry agc differentiates (`expect == "ok"`), tangents are drawn for its wrt
arguments (the others held fixed). Entries using a primitive without a JVP rule yet
are refused with a positioned `UnsupportedError` ("forward mode does not support ...");
their tests check only that, and `test_forward_mode_accepts_most_of_the_corpus`
counts the refusals against a floor.
"""

from __future__ import annotations

import copy
import functools

import agc
import jax
import numpy as np
import pytest

from .harness import _to_jax, cast32, jax_twin, output_seed
from .test_corpus import ENTRIES

OK = [e for e in ENTRIES if e.expect == "ok" and not e.xfail]
# entries forward mode differentiates today: all of them (the JVPs of an f of an array called
# inside a model, jvp_of_an_array_function_in_a_model and the agc.jvp one, included)
ACCEPTED_FLOOR = 925
ROUNDED = {"float32_cast": 1e-6}  # a cast to float32 inside: the identity holds to its precision


def _tangent_like(x, rng):
    """A random tangent of x's structure and float dtype (None for what has no tangent)."""
    if isinstance(x, dict):
        return {k: _tangent_like(v, rng) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_tangent_like(v, rng) for v in x)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return rng.normal(size=x.shape).astype(x.dtype)
    if isinstance(x, float):
        return float(rng.normal())
    return None


def _leaves(tree) -> list:
    return [np.asarray(v, dtype=np.float64) for v in jax.tree_util.tree_leaves(tree)]


def _dot(a, b) -> float:
    """<a, b> over two trees of the same structure."""
    return float(sum(np.sum(x * y) for x, y in zip(_leaves(a), _leaves(b))))


@functools.cache
def forward_result(entry, mode: str = "f64"):
    """(args, tangents, value, tangent) of agc.jvp at the entry's first point, or the
    refusal message when forward mode does not support the entry yet."""
    args = entry.points()[0]
    args = cast32(args) if mode == "f32" else args
    rng = np.random.default_rng(7)
    wrt = set(entry.wrt_indices())
    tangents = tuple(_tangent_like(a, rng) if i in wrt else None for i, a in enumerate(args))
    run = lambda: (args, tangents, *agc.jvp(entry.fn, copy.deepcopy(args), tangents))
    return or_refusal(entry, "forward mode", run)


def or_refusal(entry, words: str, run):
    """run()'s result, or the message of agc's positioned refusal that says `words`."""
    try:
        return run()
    except agc.UnsupportedError as err:
        if words not in err.message:
            raise
        assert err.loc.line > 0, f"{entry.name}: the refusal has no position: {err}"
        return err.message


def refused(result) -> bool:
    """Whether `result` is a refusal's message: or_refusal has checked that it is
    positioned and names the mode, which is all a refused entry must get right
    (the accepts_much test counts the refusals against a floor)."""
    return isinstance(result, str)


def _accepted(entry, mode: str = "f64"):
    """The entry's forward result, or None where forward mode refuses it."""
    result = forward_result(entry, mode)
    return None if refused(result) else result


def jax_of_wrt(entry, args):
    """(the entry's jax twin as a function of its wrt arguments, their values at `args`)."""
    fn = entry.ref or jax_twin(entry.fn)
    wrt = entry.wrt_indices()

    def of_wrt(*moving):
        full = [_to_jax(a) for a in copy.deepcopy(args)]
        for i, m in zip(wrt, moving):
            full[i] = m
        return fn(*full)

    return of_wrt, tuple(_to_jax(copy.deepcopy(args[i])) for i in wrt)


@pytest.mark.parametrize("entry", OK, ids=lambda e: e.name)
def test_jvp_matches_jax(entry):
    result = _accepted(entry)
    if result is None:
        return  # refused with its position (or_refusal checked it)
    args, tangents, value, tangent = result
    np.testing.assert_allclose(_leaves(value), _leaves(entry.fn(*copy.deepcopy(args))),
                               rtol=1e-9, atol=1e-12)
    if entry.grad is not None or entry.phases != [{}]:
        return  # a kink with a documented convention: the transposition test checks it
    of_wrt, primals = jax_of_wrt(entry, args)
    expected = jax.jvp(of_wrt, primals, tuple(tangents[i] for i in entry.wrt_indices()))[1]
    for got, want in zip(_leaves(tangent), _leaves(expected), strict=True):
        scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7 * scale,
                                   err_msg=f"{entry.name}: tangent differs from jax.jvp")


@pytest.mark.parametrize("entry", OK, ids=lambda e: e.name)
def test_jvp_is_the_transpose_of_the_vjp(entry):
    """<jvp(x, v), u> == <v, vjp(x, u)>, kinks included."""
    result = _accepted(entry)
    if result is None:
        return  # refused with its position (or_refusal checked it)
    args, tangents, value, tangent = result
    seed = output_seed(value)
    u = 1.0 if seed is None else seed
    grads = agc.differentiate(entry.fn, wrt=entry.wrt).value_and_grad(
        *copy.deepcopy(args), seed=seed)[1]
    grads = (grads,) if len(entry.wrt) == 1 else tuple(grads)
    moved = [tangents[i] for i in entry.wrt_indices()]
    left, right = _dot(tangent, u), _dot(moved, list(grads))
    rel = ROUNDED.get(entry.name, 1e-8)
    assert left == pytest.approx(right, rel=rel, abs=1e-10), entry.name


@pytest.mark.parametrize("entry", [e for e in OK if e.f32 and e.has_float_arrays()][::7],
                         ids=lambda e: e.name)
def test_jvp_keeps_float32(entry):
    """Float32 inputs and tangents give a float32 tangent wherever the value is float32."""
    result = _accepted(entry, "f32")
    if result is None:
        return  # refused with its position (or_refusal checked it)
    _, _, value, tangent = result
    for v, t in zip(jax.tree_util.tree_leaves(value), jax.tree_util.tree_leaves(tangent)):
        if np.asarray(v).dtype == np.float32:
            assert np.asarray(t).dtype == np.float32, entry.name


def test_forward_mode_accepts_most_of_the_corpus():
    accepted = [e.name for e in OK if not isinstance(forward_result(e), str)]
    print(f"forward mode accepts {len(accepted)} of {len(OK)} corpus entries")
    assert len(accepted) >= ACCEPTED_FLOOR
