"""A randomized exact identity test (Schwartz-Zippel) for expressions too large to expand.

Where the rational normal form would have too many terms (an SGD loop makes
polynomials of degree 14 in 15 unknowns), the difference is evaluated
exactly, modulo a prime P, at random points: every symbol and every function
application (sin(u), exp(u), ...) gets an independent random residue, as
the rational normal form treats them as independent indeterminates; a
square root u**(1/2) gets a square root of u's residue, so t*t = u holds as
in sympy's arithmetic (with a random sign, so an identity that holds for
one branch of the root only is not taken for one). A non-zero rational
function of total degree d vanishes at a random point with probability at
most d/P (Schwartz-Zippel; 2d/P with square roots); the difference is
declared zero when it vanishes at R points for each of two primes
(2**89 - 1 and 2**127 - 1), so a wrong "zero" has probability below
(2d/2**89)**R * (2d/2**127)**R. A difference that vanishes on one branch of
its roots only passes a point with probability at most 1/2, which adds
2**-(2R): R is ROUNDS (1) without roots and ROUNDS_WITH_ROOTS (20) with them.
Where d is too large for the bound to mean anything, the test declines.
Each distinct node is evaluated once per point, so the cost is linear in
the size of the expression DAG.
"""

from __future__ import annotations

import math
import random

import sympy

from .dag import postorder

PRIMES = (2**127 - 1, 2**89 - 1)  # both 3 mod 4: a square root is u**((P+1)/4)
ROUNDS = 1  # points per prime: for a degree d <= MAX_DEGREE, one point of each prime
# already bounds a wrong zero below (2 * 2**40)**2 / 2**216 = 2**-134
# With square roots (and |u|, sign(u)) each point also draws a branch of every root: a
# difference that vanishes on one branch only passes a point with probability 1/2 or less,
# so such expressions get this many points per prime (a wrong zero: below 2**-40 more).
ROUNDS_WITH_ROOTS = 20
TRIES = 500  # random points tried per round before giving up (non-residues, poles)
MAX_DEGREE = 2**40  # a larger degree bound gives no useful error probability


class _Undefined(Exception):
    """The point is a pole, or a square root of a non-residue: draw another point."""


class IdentityTest:
    """Exact evaluation of expressions modulo primes at random points."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)  # a fixed seed: the same verdicts run to run
        self._degrees: dict = {}

    def is_zero(self, expr) -> tuple[bool, float] | None:
        """(vanishes at every point, bound on the error probability); None: no test possible."""
        expr = sympy.sympify(expr)
        degree = self.degree(expr)
        if degree > MAX_DEGREE:
            return None
        order = postorder(expr, ())  # once: each point then walks the list
        roots = any(_has_branches(node) for node in order)
        rounds = ROUNDS_WITH_ROOTS if roots else ROUNDS
        for prime in PRIMES:
            for _ in range(rounds):
                value = self._value_somewhere(order, prime)
                if value is None:
                    return None
                if value != 0:
                    return False, 0.0
        bound = math.prod((2 * max(degree, 1) / p) ** rounds for p in PRIMES)
        if roots:  # every point drew the one branch where the difference vanishes
            bound += 0.5 ** (rounds * len(PRIMES))
        return True, bound

    def _value_somewhere(self, order: list, prime: int) -> int | None:
        for _ in range(TRIES):
            try:
                return _Evaluation(prime, self.rng).value(order)
            except _Undefined:
                continue
        return None

    def degree(self, expr) -> int:
        """A bound on the total degree of the numerator (atoms count 1)."""
        for node in postorder(expr, self._degrees):
            self._degrees[node] = _degree(node, self._degrees)
        num, den = self._degrees[expr]
        return num + den


def _has_branches(node) -> bool:
    """A square root (u**(k/2)), |u| or sign(u): evaluated on a randomly drawn branch."""
    if isinstance(node, (sympy.Abs, sympy.sign)):
        return True
    return isinstance(node, sympy.Pow) and node.args[1].is_Rational and \
        not node.args[1].is_Integer


def _degree(node, known: dict) -> tuple[int, int]:
    """(numerator degree, denominator degree) bounds of one node."""
    if node.is_Number:
        return 0, 0
    if isinstance(node, sympy.Add):
        parts = [known[a] for a in node.args]
        den = sum(d for _, d in parts)
        return max(n + den - d for n, d in parts), den
    if isinstance(node, sympy.Mul):
        parts = [known[a] for a in node.args]
        return sum(n for n, _ in parts), sum(d for _, d in parts)
    if isinstance(node, sympy.Pow) and node.args[1].is_Integer:
        n, d = known[node.args[0]]
        k = int(node.args[1])
        return (n * k, d * k) if k >= 0 else (d * -k, n * -k)
    if isinstance(node, sympy.Pow) and node.args[1].is_Rational:
        k = abs(int(node.args[1].p))
        return (k, 0) if node.args[1] > 0 else (0, k)
    return 1, 0


class _Evaluation:
    """One random point modulo one prime."""

    def __init__(self, prime: int, rng: random.Random):
        self.p = prime
        self.rng = rng
        self.memo: dict = {}
        self.roots: dict = {}  # base -> its square root: one branch per base, for every power

    def value(self, order: list) -> int:
        """The residue at this point of the expression `order` ends with (its postorder)."""
        memo = self.memo
        for node in order:
            memo[node] = self._node(node)
        return memo[order[-1]]

    def _node(self, node) -> int:
        p = self.p
        if node.is_Rational:
            return node.p * self._inverse(node.q) % p
        if node.is_Float:
            return self._node(sympy.Rational(node))
        if isinstance(node, sympy.Add):
            return sum(self.memo[a] for a in node.args) % p
        if isinstance(node, sympy.Mul):
            out = 1
            for a in node.args:
                out = out * self.memo[a] % p
            return out
        if isinstance(node, sympy.Pow):
            return self._power(node)
        if isinstance(node, (sympy.Abs, sympy.sign)):  # |u| = sqrt(u**2), sign(u) = u/|u|
            u = node.args[0]
            size = self._root_of(u ** 2, self.memo[u] ** 2 % p)
            return size if isinstance(node, sympy.Abs) else self.memo[u] * self._inverse(size) % p
        return self._random()

    def _power(self, node) -> int:
        base, exp = node.args
        if exp.is_Integer:
            return self._int_power(self.memo[base], int(exp))
        if exp.is_Rational and exp.q == 2 and not base.is_Number:
            return self._int_power(self._root_of(base, self.memo[base]), int(exp.p))
        if isinstance(exp, sympy.Add):
            const, rest = exp.as_coeff_Add()
            if const.is_Integer and const != 0:
                atom = self._atom(sympy.Pow(base, rest, evaluate=False))
                return atom * self._int_power(self.memo[base], int(const)) % self.p
        return self._atom(node)

    def _root_of(self, base, value: int) -> int:
        """The square root of base (residue `value`): one branch per base, for every power."""
        if base not in self.roots:
            self.roots[base] = self._sqrt(value)
        return self.roots[base]

    def _atom(self, node) -> int:
        if node not in self.memo:
            self.memo[node] = self._random()
        return self.memo[node]

    def _int_power(self, value: int, n: int) -> int:
        if n < 0:
            value, n = self._inverse(value), -n
        return pow(value, n, self.p)

    def _inverse(self, value: int) -> int:
        if value % self.p == 0:
            raise _Undefined()
        return pow(value, -1, self.p)

    def _sqrt(self, value: int) -> int:
        root = pow(value, (self.p + 1) // 4, self.p)
        if root * root % self.p != value % self.p:
            raise _Undefined()
        return root if self.rng.random() < 0.5 else self.p - root  # either branch

    def _random(self) -> int:
        return self.rng.randrange(1, self.p)
