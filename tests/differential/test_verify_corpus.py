"""Every corpus entry through agc.verify: a right gradient is never FAILED, a wrong one never PROVED.

The corpus gradients are right (test_corpus.py checks them against jax and
central differences), so `agc.verify` must not report FAILED on any of them:
PROVED, or INCONCLUSIVE where sympy runs out of time or a primitive has no
symbolic meaning. Then the other direction: with one derivative rule made
wrong (the cotangent reaching the first arithmetic operation on a
parameter scaled by 1.5), whenever the emitted gradient really changes, `agc.verify` must not say
PROVED.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from agc import api, ir
from agc.primitives import registry
from agc.proof.prover import Status
from agc.runtime.arrays import leaf_paths

from . import corpus_random
from .test_corpus import ENTRIES

SIMPLIFY_SECONDS = 1.0  # per sympy.simplify call; INCONCLUSIVE after that, never FAILED
# Proved, but too slow for every run (seconds on one core, measured by hand).
SLOW = {"gru_like_cell": "40 s", "gru_cell_with_reset": "40 s"}
# Models that draw random numbers: agc.verify refuses them at the draw (a draw has no
# symbolic meaning), tested in test_draws.py
DRAWS = {e.name for e in corpus_random.corpus.entries}
CHECKED = [e for e in ENTRIES if e.expect == "ok" and not e.xfail and e.name not in SLOW
           and e.name not in DRAWS]


def _verify(entry, args):
    return agc.verify(entry.fn, *args, wrt=entry.wrt or None, points=2,
                      simplify_seconds=SIMPLIFY_SECONDS)


@pytest.mark.parametrize("entry", CHECKED, ids=lambda e: e.name)
def test_a_right_gradient_is_not_failed(entry):
    result = _verify(entry, entry.points()[0])
    assert result.status is not Status.FAILED, str(result)


# One entry in five, spread over every corpus family.
MUTATED = CHECKED[::5]


def _first_operation_on_a_parameter(entry, args):
    wrapped = api.as_differentiated(entry.fn, entry.wrt or None)
    compiled = api.compile_function(wrapped.fn, wrapped.wrt, api._scalar_key(args))
    wrt = set(compiled.adjoint.wrt)
    for stmt in ir.walk(compiled.adjoint.primal.body):
        if isinstance(stmt, ir.Assign) and stmt.prim in registry.RULES and \
                stmt.prim.spec.group in ("elementwise", "reduction", "linalg") and \
                not stmt.prim.spec.makes_sequence and \
                any(isinstance(a, ir.Var) and a.name in wrt for a in stmt.args):
            return stmt.prim
    return None


def _gradient(entry, args):
    grads = agc.grad(entry.fn, wrt=entry.wrt or None)(*args)
    return grads if isinstance(grads, tuple) else (grads,)


def _differs(a, b) -> bool:
    pairs = zip(leaf_paths(a, ""), leaf_paths(b, ""))
    return any(not np.allclose(x, y, rtol=1e-9, atol=1e-12) for (_, x), (_, y) in pairs)


def test_a_wrong_gradient_is_never_proved(monkeypatch):
    caught, not_proved = [], []
    for entry in MUTATED:
        args = entry.points()[0]
        prim = _first_operation_on_a_parameter(entry, args)
        if prim is None or np.size(entry.fn(*entry.points()[0])) != 1:
            continue  # nothing to make wrong, or not a scalar function
        right = _gradient(entry, args)
        with monkeypatch.context() as patch:
            rule = registry.RULES[prim]
            patch.setitem(registry.RULES, prim,
                          lambda b, g, s, rule=rule: rule(b, b.mul(g, ir.Const(1.5)), s))
            if not _differs(_gradient(entry, args), right):
                continue  # this operation's share of the gradient is zero here
            result = _verify(entry, args)
        assert result.status is not Status.PROVED, f"{entry.name}: a wrong {prim.name} rule\n{result}"
        (caught if result.status is Status.FAILED else not_proved).append(entry.name)
    print(f"\n{len(caught)} wrong gradients FAILED, {len(not_proved)} INCONCLUSIVE")  # with -s
    assert len(caught) + len(not_proved) >= 40, (caught, not_proved)
    assert len(caught) >= 0.8 * (len(caught) + len(not_proved)), not_proved
