"""Deciding whether two sympy expressions are equal: proof, counterexample, or neither.

The cheap exact checks come first (sympy's automatic canonical form, then
`expand`); then the difference is evaluated at the example point and at
random points near it, where a clearly non-zero value is a counterexample;
only then is `simplify` tried, under a time limit. A difference that
simplify cannot reduce to 0 but that vanishes at every point tried is
INCONCLUSIVE: a numeric second opinion, never reported as a proof.
"""

from __future__ import annotations

import contextlib
import enum
import signal
import threading
from dataclasses import dataclass

import numpy as np
import sympy

TOLERANCE = 1e-9  # relative: |difference| <= TOLERANCE * (1 + |derivative| + |adjoint|)
PRECISION = 30  # digits used to evaluate a difference (no cancellation noise at 1e-9)


class Status(enum.Enum):
    """The verdict on a gradient (or on a whole verification)."""

    PROVED = "PROVED"
    FAILED = "FAILED"
    INCONCLUSIVE = "INCONCLUSIVE"

    def __str__(self) -> str:
        return self.value


@dataclass
class Verdict:
    """The verdict on one expression pair, how it was reached, and a counterexample."""

    status: Status
    method: str  # "identical", "expand", "simplify", "numeric agreement at 5 points", ...
    difference: sympy.Expr | None = None  # derivative - adjoint, as far as sympy reduced it
    counterexample: dict | None = None  # {"point": {...}, "derivative": x, "adjoint": y}


class _Timeout(BaseException):
    """simplify ran past its time limit (a BaseException, so sympy cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Interrupt the block after `seconds` (only in the main thread; elsewhere no limit)."""
    usable = seconds and threading.current_thread() is threading.main_thread() \
        and hasattr(signal, "setitimer")
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def prove(derivative, adjoint, points: list[dict], simplify_seconds: float | None = 10.0) -> Verdict:
    """Whether `derivative == adjoint` as functions; `points[0]` is the example point."""
    derivative, adjoint = sympy.sympify(derivative), sympy.sympify(adjoint)
    difference = derivative - adjoint
    if difference == 0:
        return Verdict(Status.PROVED, "identical")
    expanded = _expand(difference)
    if expanded == 0:
        return Verdict(Status.PROVED, "expand")
    counter = counterexample(derivative, adjoint, points)
    if counter is not None:
        return Verdict(Status.FAILED, "counterexample", expanded, counter)
    try:
        with time_limit(simplify_seconds):
            reduced = sympy.simplify(difference)
    except _Timeout:
        reduced = None
    if reduced == 0:
        return Verdict(Status.PROVED, "simplify")
    how = "simplify timed out" if reduced is None else "simplify left a difference"
    return Verdict(Status.INCONCLUSIVE, f"{how}; agrees numerically at {len(points)} points",
                   expanded if reduced is None else reduced)


def _expand(expr: sympy.Expr) -> sympy.Expr:
    if sympy.count_ops(expr) > 400:  # expanding big products can take minutes: leave it
        return expr
    return sympy.expand(expr)


def counterexample(derivative, adjoint, points: list[dict]) -> dict | None:
    """The first point where the two expressions clearly differ, with their values."""
    for point in points:
        want, got = _value(derivative, point), _value(adjoint, point)
        if want is None or got is None:
            continue
        if abs(want - got) > TOLERANCE * (1 + abs(want) + abs(got)):
            return {"point": point, "derivative": _plain(want), "adjoint": _plain(got)}
    return None


def _value(expr: sympy.Expr, point: dict) -> complex | None:
    try:
        value = complex(expr.evalf(PRECISION, subs=point))
    except (TypeError, ValueError, ZeroDivisionError):
        return None  # not a number there (a pole, or the point is outside the domain)
    return value if np.isfinite(value) else None


def _plain(value: complex) -> float | complex:
    return value.real if abs(value.imag) <= 1e-12 * max(1.0, abs(value.real)) else value


def nearby_points(example: dict, count: int, seed: int = 0) -> list[dict]:
    """The example point and `count - 1` random points near it (a few percent away)."""
    rng = np.random.default_rng(seed)
    points = [dict(example)]
    for _ in range(count - 1):
        points.append({s: v + sympy.Rational(round(rng.uniform(-0.05, 0.05) * 10**6), 10**6)
                       * max(1, abs(v)) for s, v in example.items()})
    return points
