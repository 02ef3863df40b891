"""sympy expressions walked as DAGs: each shared subexpression is visited once.

A loop run symbolically builds expressions that share subexpressions: after
100 steps of `x, v = x + dt*v, v - dt*k*x` the value of x has ~10^4 distinct
nodes but ~10^38 nodes written out as a tree. sympy's own walks (free_symbols,
xreplace, evalf, diff beyond its cache) visit the tree, so these helpers keep
one memo per expression node instead:

  * `Dag`: free symbols and tree size of expressions, and a short description
    of one too large to print;
  * `derivative`: the chain rule over the DAG, with sympy's derivative of each
    function (`fdiff`), for expressions too large for `sympy.diff`;
  * `Evaluator`: a number (mpmath, 30 digits) for an expression at a point.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

S = sympy.S
PRINT_LIMIT = 600  # tree nodes: a larger expression is described, not printed


def postorder(root: sympy.Basic, known) -> list:
    """The distinct nodes under `root` that are not in `known`, children before parents."""
    if root in known:
        return []
    order, seen = [], {root}
    stack = [(root, iter(root.args))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen and child not in known:
                seen.add(child)
                stack.append((child, iter(child.args)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


_NESTING: dict = {}  # expression -> nested function applications; see forget_nesting


def nesting(expr: sympy.Basic) -> int:
    """How many function applications (sin, exp, ...) are nested in the expression.

    sympy's automatic evaluation asks questions about its operands (is it zero?
    finite? positive?) that recurse level by level through nested functions,
    several questions per level: exponential in the nesting, and minutes at 30
    levels. Arithmetic and functions of deeply nested operands are built
    unevaluated instead (values.py, primitives/elementwise_math.py).
    """
    for node in postorder(expr, _NESTING):
        inner = max((_NESTING[a] for a in node.args), default=0)
        _NESTING[node] = inner + isinstance(node, sympy.Function)
    return _NESTING[expr]


def forget_nesting() -> None:
    """Drop the memo of `nesting` (at the start of each verification, to free its values)."""
    _NESTING.clear()


class Dag:
    """Memoized facts about sympy expressions: free symbols and tree sizes; interning."""

    def __init__(self):
        self._free: dict = {}
        self._size: dict = {}
        self._interned: dict = {}

    def intern(self, expr: object) -> object:
        """The one object kept for expressions equal to `expr` (itself if it is the first).

        sympy compares distinct but equal expressions node by node, through the
        whole tree; keeping one object per value (each made of kept objects)
        makes every comparison stop at the first level, where `is` holds.
        """
        if isinstance(expr, sympy.Basic):
            return self._interned.setdefault(expr, expr)
        if isinstance(expr, np.ndarray) and expr.dtype == object:
            for index in np.ndindex(expr.shape):
                expr[index] = self.intern(expr[index])
        return expr

    def free(self, expr: sympy.Basic) -> frozenset:
        """The free symbols of an expression."""
        for node in postorder(expr, self._free):
            if isinstance(node, sympy.Symbol):
                self._free[node] = frozenset((node,))
            else:
                self._free[node] = frozenset().union(*(self._free[a] for a in node.args))
        return self._free[expr]

    def depends(self, value: object) -> bool:
        """Whether a value (a sympy expression) mentions a symbol."""
        return isinstance(value, sympy.Basic) and bool(self.free(value))

    def size(self, expr: sympy.Basic) -> int:
        """How many nodes the expression has when written out as a tree."""
        for node in postorder(expr, self._size):
            self._size[node] = 1 + sum(self._size[a] for a in node.args)
        return self._size[expr]

    def describe(self, expr: object, limit: int = PRINT_LIMIT) -> str:
        """The expression as text, or what it is when it is too large to print."""
        if not isinstance(expr, sympy.Basic) or self.size(expr) <= limit:
            return str(expr)
        distinct = len(postorder(expr, ()))
        return f"<an expression of {count(self.size(expr))} nodes as a tree, " \
               f"{distinct} distinct; too large to print>"


def count(n: int) -> str:
    """A count for people: 1.4e+241 (long loops' tree sizes are past what a float holds)."""
    if n < 10**6:
        return str(n)
    exponent = int(math.log10(n))
    lead = n // 10 ** (exponent - 1)  # two digits, in integers
    if lead >= 100:  # log10 rounded up below a power of ten
        exponent, lead = exponent + 1, lead // 10
    return f"{lead // 10}.{lead % 10}e+{exponent:02d}"


# ------------------------------------------------------------- derivative
def derivative(expr: sympy.Expr, symbol: sympy.Symbol, dag: Dag | None = None) -> sympy.Expr:
    """d expr / d symbol by the chain rule, each distinct node once (`dag` interns results)."""
    dag = dag or Dag()
    memo: dict = {}
    for node in postorder(expr, memo):
        memo[node] = dag.intern(_node_derivative(node, symbol, memo))
    return memo[expr]


def _node_derivative(node, symbol, d: dict) -> sympy.Expr:
    # Sums and products are built unevaluated: sympy's canonical ordering of the big
    # flattened sums that loops make costs more than everything else together.
    if node == symbol:
        return S.One
    if not node.args or all(d[a] is S.Zero for a in node.args):
        return S.Zero
    if isinstance(node, sympy.Add):
        return _sum(d[a] for a in node.args)
    if isinstance(node, sympy.Mul):
        args = node.args
        return _sum(_product(*args[:i], d[a], *args[i + 1:])
                    for i, a in enumerate(args) if d[a] is not S.Zero)
    if isinstance(node, sympy.Pow):
        base, exp = node.args
        terms = []
        if d[base] is not S.Zero:
            lower = base if exp - 1 == 1 else sympy.Pow(base, exp - 1, evaluate=False)
            terms.append(_product(exp, lower, d[base]))
        if d[exp] is not S.Zero:
            terms.append(_product(node, sympy.log(base, evaluate=False), d[exp]))
        return _sum(terms)
    # Unevaluated too: sympy's simplification of tanh(u) asks whether u is zero, which
    # can take minutes on a large u.
    if isinstance(node, sympy.Function):
        return _sum(_product(unevaluated(_Derivative(node.func, i), node.args), d[a])
                    for i, a in enumerate(node.args) if d[a] is not S.Zero)
    with sympy.evaluate(False):
        return sympy.diff(node, symbol)


class _Derivative:
    """The derivative of a sympy function in its i-th argument, as a function (hashable)."""

    def __init__(self, func, i: int):
        self.key = func, i

    def __call__(self, *args):
        return self.key[0](*args).fdiff(self.key[1] + 1)

    def __eq__(self, other):
        return isinstance(other, _Derivative) and self.key == other.key

    def __hash__(self):
        return hash(self.key)


_TEMPLATES: dict = {}  # (fn, number of arguments) -> (placeholders, fn of the placeholders)


def unevaluated(fn, args: tuple) -> sympy.Basic:
    """fn(*args) built without sympy's automatic evaluation of the arguments.

    fn is applied once to placeholder symbols (evaluated, cheap: they are
    atoms), and its result is rebuilt around the real arguments node by node
    with evaluate=False. `with sympy.evaluate(False)` would do the same but
    clears sympy's whole cache on every entry and exit (0.3 ms: seconds over
    a long loop's expressions).
    """
    key = fn, len(args)
    if key not in _TEMPLATES:
        placeholders = tuple(sympy.Dummy(f"u{i}") for i in range(len(args)))
        _TEMPLATES[key] = placeholders, fn(*placeholders)
    placeholders, template = _TEMPLATES[key]
    try:
        return _rebuild(template, dict(zip(placeholders, args)))
    except TypeError:  # a node that takes no evaluate=False
        with sympy.evaluate(False):
            return fn(*args)


def _rebuild(expr, values: dict):
    if expr in values:
        return values[expr]
    if not expr.args:
        return expr
    return expr.func(*(_rebuild(a, values) for a in expr.args), evaluate=False)


def _sum(terms) -> sympy.Expr:
    terms = [t for t in terms if t is not S.Zero]
    return S.Zero if not terms else terms[0] if len(terms) == 1 else \
        sympy.Add(*terms, evaluate=False)


def _product(*factors) -> sympy.Expr:
    factors = [f for f in factors if f is not S.One]
    if any(f is S.Zero for f in factors):
        return S.Zero
    return S.One if not factors else factors[0] if len(factors) == 1 else \
        sympy.Mul(*factors, evaluate=False)


# ------------------------------------------------------------- evaluation
class NotANumber(ValueError):
    """An expression has no finite value at the point (a pole, a log of 0)."""


_FUNCTIONS = {
    sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos, sympy.tan: mpmath.tan, sympy.tanh: mpmath.tanh,
    sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh, sympy.asin: mpmath.asin,
    sympy.acos: mpmath.acos, sympy.atan: mpmath.atan, sympy.atan2: mpmath.atan2,
    sympy.Abs: abs, sympy.sign: mpmath.sign,
}


class Evaluator:
    """Numbers of expressions at one point {symbol: value}, each distinct node once."""

    def __init__(self, values: dict, digits: int = 30):
        self.values = values  # read at each new symbol, so later additions are seen
        self.digits = digits
        self._memo: dict = {}

    def __call__(self, expr: sympy.Basic) -> complex:
        """The value as a Python complex; NotANumber where it is undefined or infinite."""
        with mpmath.workdps(self.digits):
            for node in postorder(expr, self._memo):
                self._memo[node] = self._node(node)
            value = self._memo[expr]
        if value is None or not mpmath.isfinite(value):
            raise NotANumber(f"no finite value at the point: {Dag().describe(expr, 200)}")
        return complex(value)

    def _node(self, node):
        args = [self._memo[a] for a in node.args]
        if any(a is None for a in args):
            return None
        try:
            return self._compute(node, args)
        except (ZeroDivisionError, ValueError, TypeError):
            return None

    def _compute(self, node, args):
        if isinstance(node, sympy.Symbol):
            if node not in self.values:
                raise ValueError(f"no value for {node}")
            return self._constant(sympy.sympify(self.values[node]))
        if isinstance(node, sympy.Add):
            return mpmath.fsum(args)
        if isinstance(node, sympy.Mul):
            return mpmath.fprod(args)
        if isinstance(node, sympy.Pow):
            exp = node.args[1]
            return args[0] ** (int(exp) if exp.is_Integer else args[1])
        if not node.args:
            return self._constant(node)
        fn = _FUNCTIONS.get(node.func)
        if fn is not None:
            return fn(*args)
        rebuilt = node.func(*(sympy.Float(a, self.digits) if isinstance(a, mpmath.mpf) else
                              sympy.sympify(complex(a)) for a in args))
        return self._constant(rebuilt)

    def _constant(self, node):
        if node.is_Rational:
            return mpmath.mpf(node.p) / node.q
        if node is S.ImaginaryUnit:
            return mpmath.mpc(0, 1)
        value = node.evalf(self.digits + 5)
        if value.is_Float:
            return mpmath.mpf(value._mpf_)
        return mpmath.mpc(complex(value))
