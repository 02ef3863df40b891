"""Second derivatives over the differential corpus: agc's Hessian-vector products
(forward-over-reverse, ad/second.py) against jax.jvp(jax.grad(f)) in float64, the
Hessian's symmetry, float32 kept, and how much of the corpus second derivatives accept.

Entries with one scalar output (`expect == "ok"`) qualify. One using a primitive
whose gradient helper has no tangent rule yet is refused with a positioned
`UnsupportedError` ("second derivatives do not support ..."): its tests check
only that (a positioned refusal), and `test_hvp_accepts_much_of_the_corpus`
counts the refusals against a floor.
"""

from __future__ import annotations

import copy
import functools

import agc
import jax
import numpy as np
import pytest

from .harness import cast32
from .test_corpus import ENTRIES
from .test_forward_corpus import _dot, _leaves, _tangent_like, jax_of_wrt, or_refusal, refused

SCALAR = [e for e in ENTRIES if e.expect == "ok" and not e.xfail
          and np.ndim(e.fn(*e.points()[0])) == 0]
ACCEPTED_FLOOR = 782  # entries second derivatives differentiate today (see the report)


def _directions(entry, args, seed: int):
    rng = np.random.default_rng(seed)
    wrt = set(entry.wrt_indices())
    return tuple(_tangent_like(a, rng) if i in wrt else None for i, a in enumerate(args))


@functools.cache
def hvp_result(entry, mode: str = "f64"):
    """(args, directions, gradient, H v) at the entry's first point, or the refusal."""
    args = entry.points()[0]
    args = cast32(args) if mode == "f32" else args
    tangents = _directions(entry, args, 7)
    f = agc.differentiate(entry.fn, wrt=entry.wrt)
    run = lambda: (args, tangents, *f.hvp(*copy.deepcopy(args), tangents=tangents))
    return or_refusal(entry, "second derivatives", run)


def _accepted(entry, mode: str = "f64"):
    """The entry's H v result, or None where second derivatives refuse it."""
    result = hvp_result(entry, mode)
    return None if refused(result) else result


@pytest.mark.parametrize("entry", SCALAR, ids=lambda e: e.name)
def test_hvp_matches_jax(entry):
    result = _accepted(entry)
    if result is None:
        return  # refused with its position (or_refusal checked it)
    args, tangents, grads, hv = result
    want_grads = agc.differentiate(entry.fn, wrt=entry.wrt).grad(*copy.deepcopy(args))
    for got, want in zip(_leaves(grads), _leaves(want_grads), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    if entry.grad is not None or entry.phases != [{}]:
        return  # a kink with a documented convention: the symmetry test checks it
    of_wrt, primals = jax_of_wrt(entry, args)
    directions = tuple(tangents[i] for i in entry.wrt_indices())
    grad = jax.grad(of_wrt, argnums=tuple(range(len(primals))))
    expected = jax.jvp(grad, primals, directions)[1]
    for got, want in zip(_leaves(hv), _leaves(expected), strict=True):
        scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7 * scale,
                                   err_msg=f"{entry.name}: H v differs from jax")


@pytest.mark.parametrize("entry", SCALAR, ids=lambda e: e.name)
def test_hessian_is_symmetric(entry):
    """<H v, u> == <v, H u>: the second sweep is the derivative of a gradient."""
    result = _accepted(entry)
    if result is None:
        return  # refused with its position (or_refusal checked it)
    args, v, _, hv = result
    u = _directions(entry, args, 11)
    hu = agc.differentiate(entry.fn, wrt=entry.wrt).hvp(*copy.deepcopy(args), tangents=u)[1]
    wrt = entry.wrt_indices()
    hv, hu = ((hv,), (hu,)) if len(wrt) == 1 else (hv, hu)
    left, right = _dot(list(hv), [u[i] for i in wrt]), _dot([v[i] for i in wrt], list(hu))
    assert left == pytest.approx(right, rel=1e-7, abs=1e-9), entry.name


@pytest.mark.parametrize("entry", [e for e in SCALAR if e.f32 and e.has_float_arrays()][::5],
                         ids=lambda e: e.name)
def test_hvp_keeps_float32(entry):
    """Float32 inputs and directions give a float32 H v for float32 parameters."""
    result = _accepted(entry, "f32")
    if result is None:
        return  # refused with its position (or_refusal checked it)
    _, _, grads, hv = result
    for g, h in zip(jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(hv)):
        if np.asarray(g).dtype == np.float32:
            assert np.asarray(h).dtype == np.float32, entry.name


def test_hvp_accepts_much_of_the_corpus():
    accepted = [e.name for e in SCALAR if not isinstance(hvp_result(e), str)]
    print(f"second derivatives accept {len(accepted)} of {len(SCALAR)} scalar corpus entries")
    assert len(accepted) >= ACCEPTED_FLOOR
