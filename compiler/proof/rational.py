"""An exact zero test: the rational normal form, with functions as indeterminates.

Every node that is not +, *, or an integer power (a symbol, sin(u), exp(u),
u**(1/2), x**y) becomes an indeterminate of a polynomial ring over the
rationals; each expression becomes numerator/denominator in that ring,
built bottom-up with each distinct node once. A difference whose numerator
is the zero polynomial is zero for every value of the indeterminates, so
in particular for the values they stand for: that is a proof. The converse
does not hold (sin(u)**2 + cos(u)**2 - 1 is not zero here), so a non-zero
numerator proves nothing and simplify gets its turn.

Powers are split so the same indeterminate serves both sides of a chain
rule: u**(3/2) is (u**(1/2))**3 and x**(y - 1) is x**y * x**-1. A root
t = u**(1/q) also brings its relation t**q = u: sympy writes sqrt(u)*sqrt(u)
as u, so numerators are reduced modulo these relations (the roots come first
in the lexicographic order, outer roots before the roots inside them, which
makes the relations a Groebner basis and the remainder canonical).
"""

from __future__ import annotations

import sympy
from sympy.polys.rings import PolyRing

from .dag import postorder

QQ = sympy.QQ
MAX_TERMS = 5_000  # a numerator or denominator larger than this gives up (no verdict)
MAX_WORK = 200_000  # nor is a product of polynomials with more term pairs than this formed
_TOO_LARGE = object()  # memo entry of a node whose form exceeded the limits


class TooLarge(Exception):
    """A normal form grew past MAX_TERMS terms."""


class RationalForms:
    """Normal forms of a set of expressions in one ring (their indeterminates together)."""

    def __init__(self, exprs: list, max_terms: int = MAX_TERMS):
        self.max_terms = max_terms
        self.nodes: list = []
        seen: dict = {}
        for expr in exprs:
            for node in postorder(sympy.sympify(expr), seen):
                seen[node] = True
                self.nodes.append(node)
        atoms = {atom for node in self.nodes for atom in _atoms_of(node)}
        roots = sorted((a for a in atoms if _root(a)), key=_size, reverse=True)
        rest = sorted(atoms - set(roots), key=sympy.default_sort_key)
        self.ring = PolyRing(roots + rest or [sympy.Dummy()], QQ)
        self.gen = dict(zip(self.ring.symbols, self.ring.gens))
        self.roots = roots
        self._form: dict = {}
        self._relations: list | None = None

    def is_zero(self, expr) -> bool | None:
        """True when the expression's numerator is 0; False when not; None if too large."""
        try:
            form = self.form(sympy.sympify(expr))
            if form is None:
                return False
            return not form[0] or not form[0].rem(self.relations()) if self.roots else not form[0]
        except TooLarge:
            return None

    def relations(self) -> list:
        """t**q - u for each root t = u**(1/q) whose u has a constant denominator."""
        if self._relations is None:
            self._relations = []
            for root in self.roots:
                base, exp = root.args
                form = self.form(base)
                if form is not None and form[1].is_ground:
                    self._relations.append(self.gen[root] ** int(exp.q) - form[0])
        return self._relations

    def form(self, expr: sympy.Basic) -> tuple | None:
        """(numerator, denominator) of an expression; None where it divides by zero."""
        for node in postorder(expr, self._form):
            try:
                self._form[node] = self._node(node)
            except TooLarge:
                self._form[node] = _TOO_LARGE
                raise
        if self._form[expr] is _TOO_LARGE:
            raise TooLarge()
        return self._form[expr]

    def _node(self, node) -> tuple | None:
        one = self.ring.one
        if node.is_Rational or node.is_Float:
            rational = sympy.Rational(node)
            return self.ring(QQ(rational.p, rational.q)), one
        forms = [self._form[a] for a in node.args]
        if any(f is _TOO_LARGE for f in forms):
            raise TooLarge()
        if isinstance(node, sympy.Add):
            return self._add(forms)
        if isinstance(node, sympy.Mul):
            return self._mul(forms)
        if isinstance(node, sympy.Pow):
            return self._power(node)
        if isinstance(node, (sympy.Abs, sympy.sign)):  # |u| = sqrt(u**2), sign(u) = u/|u|
            size = self.gen[_abs_root(node.args[0])], one
            return size if isinstance(node, sympy.Abs) else self._mul([forms[0], (one, size[0])])
        return self.gen[node], one

    def _power(self, node) -> tuple | None:
        base, exp = node.args
        if exp.is_Integer:
            return self._int_power(self._form[base], int(exp))
        atom, n, shift = _split_power(node)
        form = self._int_power((self.gen[atom], self.ring.one), n)
        if shift:
            form = self._mul([form, self._int_power(self._form[base], shift)])
        return form

    def _add(self, forms: list) -> tuple | None:
        if any(f is None for f in forms):
            return None
        ring = self.ring
        groups: dict = {}
        for num, den in forms:
            groups[den] = groups.get(den, ring.zero) + num
        num, den = ring.zero, ring.one
        for d, n in groups.items():
            num, den = self._times(num, d) + self._times(n, den), self._times(den, d)
        return self._reduced(num, den)

    def _mul(self, forms: list) -> tuple | None:
        if any(f is None for f in forms):
            return None
        num, den = self.ring.one, self.ring.one
        for n, d in forms:
            num, den = self._times(num, n), self._times(den, d)
        return self._reduced(num, den)

    def _int_power(self, form: tuple | None, n: int) -> tuple | None:
        if form is None:
            return None
        num, den = form
        if n < 0:
            if not num:
                return None  # a division by zero
            num, den, n = den, num, -n
        for poly in (num, den):
            if len(poly) > 1 and len(poly) ** min(n, 8) > MAX_WORK:
                raise TooLarge()
        return self._reduced(num ** n, den ** n)

    def _times(self, a, b):
        if len(a) * len(b) > MAX_WORK:
            raise TooLarge()
        return a * b

    def _reduced(self, num, den) -> tuple:
        """Fold a constant denominator into the numerator (keeps forms comparable)."""
        if max(len(num), len(den)) > self.max_terms:
            raise TooLarge()
        if den.is_ground:
            return num.quo_ground(den.LC), self.ring.one
        return num, den


def _atoms_of(node) -> list:
    """The indeterminates a node introduces itself (not those of its arguments)."""
    if node.is_Rational or node.is_Float or isinstance(node, (sympy.Add, sympy.Mul)):
        return []
    if isinstance(node, sympy.Pow):
        return [] if node.args[1].is_Integer else [_split_power(node)[0]]
    if isinstance(node, (sympy.Abs, sympy.sign)):
        return [_abs_root(node.args[0])]
    return [node]


def _abs_root(u) -> sympy.Basic:
    """sqrt(u**2), the root |u| and sign(u) are read through (sympy writes sqrt(x**2) as |x|)."""
    return sympy.Pow(u ** 2, sympy.Rational(1, 2), evaluate=False)


def _root(atom) -> bool:
    return isinstance(atom, sympy.Pow) and atom.args[1].is_Rational and atom.args[1].p == 1


def _size(expr) -> int:
    return len(postorder(expr, ()))


def _split_power(node) -> tuple[sympy.Basic, int, int]:
    """(atom, n, shift) with node == atom**n * base**shift, atom a power with no integer part.

    b**(p/q) is (b**(1/q))**p; b**(e + k) for an integer k is b**e * b**k.
    """
    base, exp = node.args
    if exp.is_Rational:
        return sympy.Pow(base, sympy.Rational(1, exp.q), evaluate=False), int(exp.p), 0
    if isinstance(exp, sympy.Add):
        const, rest = exp.as_coeff_Add()
        if const.is_Integer and const != 0:
            return sympy.Pow(base, rest, evaluate=False), 1, int(const)
    return node, 1, 0
