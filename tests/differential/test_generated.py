"""Generated programs: agc's value against numpy's, its gradient against central differences.

Each hypothesis example is one random program from programs.py (branches,
loops, break/continue, early returns, and/or, lists, indexing, writes into
arrays, helpers...). Per program:

* agc's value equals numpy's (rtol 1e-9) and agc leaves the arguments alone;
* agc's gradient equals central differences in float64 (step 1e-6, rtol
  1e-5). Where they differ, a second step (1e-4) decides: if the two steps
  disagree the point sits on a kink or branch boundary and the program is
  skipped, otherwise agc is wrong. A forward pass that overflows is skipped;
* `agc.UserCodeError` (a positioned refusal) counts as refused, not failed;
  any other exception from agc or its emitted code is a failure.

CI runs 3,000 programs in four shards of a fixed seed each (about 160 s on one
core, so parallel test runs spread them; -s prints the outcome counts):

    .venv/bin/python -m pytest tests/differential/test_generated.py -q -s

A long campaign: other programs (a seed) and jax.grad in float64 of each
program's functional jax twin as the reference (exact, slower: XLA compiles
each new primitive):

    AGC_FUZZ_EXAMPLES=50000 AGC_FUZZ_SEED=7 AGC_FUZZ_JAX=1 .venv/bin/python -m pytest \
        tests/differential/test_generated.py -q -s -k programs

AGC_FUZZ_FAMILIES turns construct families (programs.FAMILIES) on or off:
`AGC_FUZZ_FAMILIES=-helpers,-lists` leaves helpers and lists out (to corner a
bug), `AGC_FUZZ_FAMILIES=aliasing` turns on a family that is off by default.
AGC_FUZZ_SHRINK=0 skips shrinking and reports the first failure as generated.

Shrunk failures live in regressions_generated.py as explicit cases.
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
from hypothesis import HealthCheck, Phase, given, seed, settings

from . import programs as gen
from .regressions_generated import CASES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gradcheck import import_source, numeric_grad  # (tests/gradcheck.py)

EXAMPLES = int(os.environ.get("AGC_FUZZ_EXAMPLES", "3000"))
# AGC_FUZZ_SHRINK=0 reports the first failing program as generated (fast triage)
PHASES = tuple(Phase) if os.environ.get("AGC_FUZZ_SHRINK", "1") != "0" else \
    (Phase.explicit, Phase.generate)
SEED = int(os.environ.get("AGC_FUZZ_SEED", "0"))
JAX = os.environ.get("AGC_FUZZ_JAX") == "1"  # jax.grad as the reference (slow: XLA compiles)
FAMILIES = {name.lstrip("-"): not name.startswith("-")
            for name in os.environ.get("AGC_FUZZ_FAMILIES", "").split(",") if name}
RTOL_VALUE, RTOL_GRAD, RTOL_FD = 1e-9, 1e-6, 1e-5
_stems = itertools.count()


class Skip(Exception):
    """The program cannot be judged at its arguments (overflow, on a kink or branch edge)."""


def _scale(x) -> float:
    return max(1.0, float(np.max(np.abs(np.asarray(x, dtype=np.float64)))))


def close(got, want, rtol: float) -> bool:
    """Same shape and allclose with an absolute floor scaled to the expected size."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    return got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=rtol * _scale(want))


def numpy_value(fn, args: tuple) -> float:
    """fn at fresh copies of args; Skip on overflow (inf * 0 makes any gradient nan) or a
    value that is not finite and moderate."""
    try:
        with np.errstate(all="raise", under="ignore"):
            value = fn(*copy.deepcopy(args))
    except FloatingPointError as err:
        raise Skip(str(err)) from None
    if np.shape(value) != () or not np.isfinite(value) or abs(value) > 1e4:
        raise Skip("value not finite or too large")
    return float(value)


def central(fn, args: tuple, h: float) -> list:
    """Central differences of fn with respect to every argument, step h * max(1, |x|)."""
    judged = lambda *a: numpy_value(fn, a)  # Skip on overflow, fresh copies of the args
    return [np.asarray(numeric_grad(judged, args, k, eps=h)) for k in range(len(args))]


def smooth_reference(fn, args: tuple) -> list:
    """Central differences, or Skip when two step sizes disagree (a kink, a branch edge)."""
    coarse, fine = central(fn, args, 1e-4), central(fn, args, 1e-6)
    if not all(close(c, f, RTOL_FD) for c, f in zip(coarse, fine)):
        raise Skip("not smooth here")
    return fine


def jax_reference(jax_source: str, args: tuple, folder: Path):
    """(value, gradients) of the jax twin in float64 (AGC_FUZZ_JAX=1 only: jax is slow here)."""
    import jax  # noqa: PLC0415 - only with AGC_FUZZ_JAX=1: jax is slow to load and to run here

    jax.config.update("jax_enable_x64", True)
    fn = import_source(jax_source, folder, f"twin_{next(_stems)}").f
    jargs = tuple(a if isinstance(a, float) else jax.numpy.asarray(a) for a in args)
    value, grads = jax.value_and_grad(fn, argnums=tuple(range(len(args))))(*jargs)
    return float(value), [np.asarray(g) for g in grads]


def run_agc(fn, args: tuple, report: str):
    """agc's (value, gradients); None when agc refuses with a positioned UserCodeError."""
    given_args = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"):
            value, grads = agc.differentiate(fn, wrt=tuple(range(len(args)))).value_and_grad(
                *given_args)
    except agc.UserCodeError as err:
        assert err.loc.line > 0, f"agc refused without a position: {err}\n{report}"
        return None
    except Exception as err:  # anything else from agc or its emitted code is a bug
        raise AssertionError(f"agc raised {type(err).__name__}: {err}\n{report}") from err
    for before, after in zip(args, given_args):
        assert np.array_equal(before, after), f"agc changed an argument\n{report}"
    return value, (grads,) if len(args) == 1 else tuple(grads)


def check(source: str, jax_source: str | None, args: tuple, folder: Path,
          want: tuple | None = None) -> str:
    """Compare agc with numpy and the reference on one program: "ok", "refused" or Skip.

    `want` = (value, gradients) given explicitly (regression cases); otherwise
    numpy gives the value and jax (or central differences) the gradients.
    """
    fn = import_source(source, folder, f"generated_{next(_stems)}").f
    report = f"program:\n{source}\nargs: {args!r}"
    expected = numpy_value(fn, args)
    if want is not None:
        assert close(expected, want[0], RTOL_VALUE), f"the case's value is not numpy's\n{report}"
    got = run_agc(fn, args, report)
    if got is None:
        return "refused"
    value, grads = got
    if not close(value, expected, RTOL_VALUE):
        if want is None:
            smooth_reference(fn, args)  # a branch flipped by rounding: Skip
        raise AssertionError(f"value: agc {value!r}, numpy {expected!r}\n{report}")
    if want is not None:
        refs, rtol = want[1], RTOL_GRAD
    elif JAX:
        jax_value, refs = jax_reference(jax_source, args, folder)
        rtol = RTOL_GRAD if close(jax_value, expected, RTOL_VALUE) else 0  # 0: another path
    else:
        refs, rtol = central(fn, args, 1e-6), RTOL_FD
    if rtol and all(close(g, r, rtol) for g, r in zip(grads, refs)):
        return "ok"
    if want is None:  # on a kink (Skip), a tie broken another way, or a wrong gradient
        refs = smooth_reference(fn, args)
        if all(close(g, r, RTOL_FD) for g, r in zip(grads, refs)):
            return "ok"
    raise AssertionError(f"gradient: agc {[np.asarray(g).tolist() for g in grads]}, "
                         f"expected {[np.asarray(r).tolist() for r in refs]}\n{report}")


def judge(program: gen.Program, folder: Path) -> str:
    """check() on a generated program; "skipped: why" for a Skip."""
    try:
        return check(program.source, program.jax_source, program.args(), folder)
    except Skip as why:
        return f"skipped: {why}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("generated")


SHARDS = 4  # separate tests, so that `pytest -n` runs them side by side


@pytest.mark.timeout(1800)  # a failure's shrinking can take minutes
@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_programs(folder, shard):
    """EXAMPLES / SHARDS programs agree with numpy and the reference (or are refused
    with a positioned error); most of them are really compared."""
    counts = collections.Counter()
    examples = -(-EXAMPLES // SHARDS)

    # A fixed seed per shard: the same programs on every run, different across shards.
    @seed(SEED * SHARDS + shard)
    @settings(max_examples=examples, deadline=None, database=None, phases=PHASES,
              suppress_health_check=list(HealthCheck))
    @given(program=gen.programs(FAMILIES))
    def run(program):
        counts[judge(program, folder)] += 1

    run()
    total = sum(counts.values())
    print(f"\n{total} generated programs (shard {shard}): {dict(counts.most_common())}")
    assert total >= examples and counts["ok"] >= 0.9 * total, counts


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(
    strict=True, reason=c.xfail)] if c.xfail else []) for c in CASES])
def test_regression(case, folder):
    """A shrunk failure: agc's value and gradient equal the recorded ones."""
    args = tuple(float(a) if isinstance(a, (int, float)) else np.array(a, dtype=np.float64)
                 for a in case.args)
    want = (case.value, [np.array(g, dtype=np.float64) for g in case.grads])
    source = "import numpy as np\n\n\n" + case.source.lstrip("\n")
    assert check(source, None, args, folder, want) == "ok"
