"""Deciding whether two sympy expressions are equal: proof, counterexample, or neither.

For each pair (sympy's derivative, agc's adjoint), in order:
  1. identical: sympy's automatic canonical form makes the difference 0;
  2. counterexample: the difference, evaluated at the example point and at
     random points near it (30 digits), is clearly non-zero there: FAILED;
  3. rational normal form (verify_rational.py) of the difference is 0;
  4. where that form is too large: the randomized exact identity test
     (verify_identity.py) finds the difference 0 at random points modulo
     two primes; the method names the bound on its error probability;
  5. `sympy.simplify` of the difference is 0 (expressions of moderate size,
     under a time budget shared by the whole verification).
A difference that none of these reduces to 0 but that vanishes at every
point tried is INCONCLUSIVE: a numeric second opinion, never a proof.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import signal
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np
import sympy

from .dag import Dag, Evaluator, NotANumber, postorder
from .floats import FloatValues, agreeing
from .identity import IdentityTest
from .rational import RationalForms

TOLERANCE = 1e-9  # relative: |difference| <= TOLERANCE * (1 + |derivative| + |adjoint|)
SIMPLIFY_LIMIT = 3000  # tree nodes: a larger difference is not given to sympy.simplify
RATIONAL_SECONDS = 5.0  # time limit on building the rational normal forms of one gradient
RATIONAL_NODES = 3000  # distinct nodes: larger differences go to the identity test directly
RATIONAL_TREE = 10**5  # nodes as a tree: so do the DAGs long loops make
RATIONAL_DEGREE = 24  # and polynomials of higher degree (their expansion has too many terms)


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
    method: str  # "identical", "rational normal form", "simplify", "counterexample", ...
    difference: sympy.Expr | None = None  # derivative - adjoint, as far as sympy reduced it
    counterexample: dict | None = None  # {"point": {...}, "derivative": x, "adjoint": y}

    def __repr__(self) -> str:
        # Short: the difference of a long loop's expressions would print for hours.
        return f"<Verdict {self.status.value} ({self.method})>"


class Timeout(BaseException):
    """A block ran past its time limit (a BaseException, so sympy cannot swallow it)."""


class OutOfTime(BaseException):
    """The whole verification ran past its time limit (not caught by a phase's own limit)."""


@contextlib.contextmanager
def time_limit(seconds: float | None, error: type[BaseException] = Timeout):
    """Interrupt the block after `seconds` of the process's CPU time (only in the main
    thread; elsewhere no limit): a budget of work, so a loaded machine, which stretches
    the wall time, gives the same answer (a proof timed out under load, flaky).

    Nests inside an outer limit of its own: a limit that would end after the outer one's
    leaves the outer in charge, and the outer timer is re-armed with what is left of it
    afterwards.
    """
    usable = seconds and threading.current_thread() is threading.main_thread() \
        and hasattr(signal, "setitimer")
    outer_left = signal.getitimer(signal.ITIMER_PROF)[0] if usable else 0.0
    if not usable or (outer_left and outer_left <= seconds):
        yield
        return

    def stop(signum, frame):
        # Python drops an exception raised inside a gc callback or a __del__
        # ("Exception ignored in ..."): inside a gc callback, wait until it returns;
        # elsewhere, fire again soon, so the block still stops if this one is lost.
        if _in_gc_callback(frame):
            _raise_after_gc_callback(error)
            return
        signal.setitimer(signal.ITIMER_PROF, 0.05)
        raise error()

    started = time.process_time()
    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer_left:
            left = outer_left - (time.process_time() - started)
            signal.setitimer(signal.ITIMER_PROF, max(left, 0.001))


def _raise_after_gc_callback(error: type[BaseException]) -> None:
    """Raise `error` at the first call or return event outside the gc callbacks."""
    previous = sys.getprofile()

    def deferred(frame, event, arg):
        if not _in_gc_callback(frame):
            sys.setprofile(previous)
            raise error()

    sys.setprofile(deferred)


def _in_gc_callback(frame) -> bool:
    """Whether `frame` runs inside one of the garbage collector's callbacks."""
    codes = {getattr(getattr(callback, "__func__", callback), "__code__", None)
             for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


class Prover:
    """Proves pairs (derivative, adjoint) equal; shares its memos across the pairs."""

    def __init__(self, points: list[dict], simplify_seconds: float | None = 10.0,
                 dag: Dag | None = None):
        self.points = points  # points[0] is the example point
        self.evaluators = [Evaluator(p) for p in points]
        self.floats = FloatValues(points)  # a quick filter before the exact evaluators
        self.dag = dag or Dag()
        self.simplify_left = simplify_seconds  # None: no limit
        self.identity_test = IdentityTest()

    def prove_all(self, pairs: list[tuple]) -> list[Verdict]:
        """One Verdict per (derivative, adjoint) pair."""
        pairs = [(sympy.sympify(d), sympy.sympify(a)) for d, a in pairs]
        verdicts: list[Verdict | None] = [self.quick(d, a) for d, a in pairs]
        open_ = [i for i, v in enumerate(verdicts) if v is None]
        differences = {i: self.difference(*pairs[i]) for i in open_}
        zero = self.rational_zeros([differences[i] for i in open_])
        for i, proved in zip(open_, zero):
            if proved is True:
                verdicts[i] = Verdict(Status.PROVED, "rational normal form")
            else:
                verdicts[i] = (self.identity(differences[i]) if proved is None else None) or \
                    self.simplified(differences[i])
        return verdicts

    def prove(self, derivative, adjoint) -> Verdict:
        """The Verdict on one pair."""
        return self.prove_all([(derivative, adjoint)])[0]

    def quick(self, derivative, adjoint) -> Verdict | None:
        """identical, or a counterexample; None when neither settles it."""
        if _identical(derivative, adjoint, self.difference):
            return Verdict(Status.PROVED, "identical")
        counter = self.counterexample(derivative, adjoint)
        if counter is not None:
            return Verdict(Status.FAILED, "counterexample", self.difference(derivative, adjoint),
                           counter)
        return None

    def difference(self, derivative, adjoint) -> sympy.Expr:
        """derivative - adjoint; left unevaluated when large (sympy would flatten the DAG)."""
        if self.dag.size(derivative) + self.dag.size(adjoint) <= SIMPLIFY_LIMIT:
            return derivative - adjoint
        return sympy.Add(derivative, sympy.Mul(-1, adjoint, evaluate=False), evaluate=False)

    def counterexample(self, derivative, adjoint) -> dict | None:
        """The first point where the two expressions clearly differ, with their values."""
        agree = agreeing(self.floats(derivative), self.floats(adjoint), TOLERANCE / 10)
        for i, (point, evaluate) in enumerate(zip(self.points, self.evaluators)):
            if i < len(agree) and agree[i]:
                continue  # they agree in floats there: no counterexample at this point
            want, got = _value(evaluate, derivative), _value(evaluate, adjoint)
            if want is None or got is None:
                continue
            if abs(want - got) > TOLERANCE * (1 + abs(want) + abs(got)):
                return {"point": point, "derivative": _plain(want), "adjoint": _plain(got)}
        return None

    def rational_zeros(self, differences: list) -> list[bool | None]:
        """Whether each difference has the zero rational normal form (None: too large).

        Only differences of moderate size and degree are expanded: the DAGs of long
        loops and polynomials of high degree go to the identity test instead.
        """
        small = [i for i, d in enumerate(differences)
                 if self.dag.size(d) <= RATIONAL_TREE and
                 self.identity_test.degree(d) <= RATIONAL_DEGREE]
        found: list[bool | None] = [None] * len(differences)
        if not small or len(postorder(sympy.Tuple(*(differences[i] for i in small)), ())) > \
                RATIONAL_NODES:
            return found
        try:
            with time_limit(RATIONAL_SECONDS):
                forms = RationalForms([differences[i] for i in small])
                for i in small:
                    found[i] = forms.is_zero(differences[i])
        except Timeout:
            pass
        return found

    def identity(self, difference) -> Verdict | None:
        """PROVED by the randomized identity test, or None when it cannot tell."""
        found = self.identity_test.is_zero(difference)
        if found is None or not found[0]:
            return None
        return Verdict(Status.PROVED, f"identity test at random points modulo primes, "
                                      f"error probability < {max(found[1], 1e-300):.0e}")

    def simplified(self, difference) -> Verdict:
        """PROVED if simplify reduces the difference to 0 in time, else INCONCLUSIVE."""
        agree = f"agrees numerically at {len(self.points)} points"
        if self.dag.size(difference) > SIMPLIFY_LIMIT:
            return Verdict(Status.INCONCLUSIVE, f"too large for simplify; {agree}", difference)
        if self.simplify_left is not None and self.simplify_left <= 0:
            return Verdict(Status.INCONCLUSIVE, f"no simplify time left; {agree}", difference)
        start = time.process_time()
        try:
            with time_limit(self.simplify_left):
                reduced = sympy.simplify(difference)
        except Timeout:
            reduced = None
        except (KeyError, TypeError, ValueError, RecursionError) as err:  # sympy's own bugs
            return Verdict(Status.INCONCLUSIVE, f"sympy.simplify failed ({type(err).__name__}); "
                                                f"{agree}", difference)
        finally:
            if self.simplify_left is not None:
                self.simplify_left -= time.process_time() - start
        if reduced == 0:
            return Verdict(Status.PROVED, "simplify")
        how = "simplify timed out" if reduced is None else "simplify left a difference"
        return Verdict(Status.INCONCLUSIVE, f"{how}; {agree}",
                       difference if reduced is None else reduced)


def _identical(derivative, adjoint, difference) -> bool:
    """Whether sympy's canonical form makes the two one expression.

    sympy compares node by node, recursively: expressions nested deeper than
    Python's recursion limit (a long loop's) are left to the other methods.
    """
    try:
        return derivative == adjoint or difference(derivative, adjoint) == 0
    except RecursionError:
        return False


def _value(evaluate: Evaluator, expr) -> complex | None:
    try:
        return evaluate(expr)
    except NotANumber:
        return None  # not a number there (a pole, or the point is outside the domain)


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
