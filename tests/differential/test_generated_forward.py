"""Generated programs through forward mode: the JVP is the transpose of the VJP.

The programs of programs.py (branches on data, loops with break/continue,
early returns, and/or, lists, indexing, writes into arrays, helpers...) go
through `agc.jvp` along random tangents and through reverse mode (itself
checked against central differences by test_generated.py). Per program:

* the value equals reverse mode's (so numpy's);
* <jvp(x, v), 1> == sum_k <v_k, grad_k>, rtol 1e-8;
* a positioned refusal (either mode) counts as refused; anything else from
  agc or its emitted code is a failure; the arguments and tangents are left alone.

    AGC_FUZZ_FORWARD_EXAMPLES=20000 .venv/bin/python -m pytest \\
        tests/differential/test_generated_forward.py -q -s
"""

from __future__ import annotations

import collections
import copy
import itertools
import os
import sys
from pathlib import Path

import agc
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from . import programs as gen
from .test_generated import close

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gradcheck import import_source  # (tests/gradcheck.py)

EXAMPLES = int(os.environ.get("AGC_FUZZ_FORWARD_EXAMPLES", "400"))
_stems = itertools.count()


def _tangent(a, rng):
    return float(rng.normal()) if isinstance(a, float) else rng.normal(size=np.shape(a))


def judge(program: gen.Program, folder: Path) -> str:
    """"ok", "refused" or "skipped: why" for one program; AssertionError when wrong."""
    fn = import_source(program.source, folder, f"forward_{next(_stems)}").f
    args = program.args()
    report = f"program:\n{program.source}\nargs: {args!r}"
    rng = np.random.default_rng(len(program.source))
    tangents = tuple(_tangent(a, rng) for a in args)
    given_args, given_tangents = copy.deepcopy(args), copy.deepcopy(tangents)
    try:
        with np.errstate(all="ignore"):
            value, grads = agc.differentiate(fn, wrt=tuple(range(len(args)))).value_and_grad(
                *copy.deepcopy(args))
            forward_value, tangent = agc.jvp(fn, given_args, given_tangents)
    except agc.UserCodeError as err:
        assert err.loc.line > 0, f"agc refused without a position: {err}\n{report}"
        return "refused"
    except Exception as err:  # anything else from agc or its emitted code is a bug
        raise AssertionError(f"agc raised {type(err).__name__}: {err}\n{report}") from err
    if not np.all(np.isfinite(value)) or abs(value) > 1e4:
        return "skipped: value not finite or too large"
    for before, after in zip(args + tangents, given_args + given_tangents):
        assert np.array_equal(before, after), f"agc.jvp changed an argument\n{report}"
    grads = (grads,) if len(args) == 1 else tuple(grads)
    assert close(forward_value, value, 1e-12), f"value: {forward_value!r}, {value!r}\n{report}"
    transposed = sum(float(np.sum(np.asarray(v) * np.asarray(g))) for v, g in zip(tangents, grads))
    assert close(tangent, transposed, 1e-8), (
        f"tangent {tangent!r}, <v, grad> {transposed!r}\n{report}")
    return "ok"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("generated_forward")


@pytest.mark.timeout(1800)
def test_generated_programs_forward(folder):
    """EXAMPLES programs: forward mode is the transpose of reverse mode (or refused)."""
    counts = collections.Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(program=gen.programs({}))
    def run(program):
        counts[judge(program, folder)] += 1

    run()
    total = sum(counts.values())
    print(f"\n{total} generated programs through forward mode: {dict(counts.most_common())}")
    assert total >= EXAMPLES and counts["ok"] >= 0.8 * total, counts
