"""Float64 values of expression DAGs at all the prover's points at once: a quick filter.

The prover looks for a counterexample at a few points before it tries to
prove a pair equal. Exact arithmetic (mpmath, 30 digits) costs about 5 µs per
node and point: seconds for a long loop's DAG. Here each distinct node is
computed once, as a numpy array with one float per point; where the two
expressions agree in floats at a point, that point holds no counterexample
worth the exact arithmetic. Where they do not agree, or a float is not
finite, or a node has no numpy meaning here, the prover asks mpmath as before.
"""

from __future__ import annotations

import numpy as np
import sympy

from .dag import postorder

_FUNCTIONS = {
    sympy.exp: np.exp, sympy.log: np.log, sympy.sin: np.sin, sympy.cos: np.cos,
    sympy.tan: np.tan, sympy.tanh: np.tanh, sympy.sinh: np.sinh, sympy.cosh: np.cosh,
    sympy.asin: np.arcsin, sympy.acos: np.arccos, sympy.atan: np.arctan,
    sympy.atan2: np.arctan2, sympy.Abs: np.abs, sympy.sign: np.sign,
}


class NoFloat(Exception):
    """A node without a float meaning here (the caller falls back to exact arithmetic)."""


class FloatValues:
    """Float64 values of expressions at several points {symbol: value}, one array each."""

    def __init__(self, points: list[dict]):
        self.points = points
        self._memo: dict = {}

    def __call__(self, expr: sympy.Basic) -> np.ndarray | None:
        """One float per point (nan where undefined); None when a node has no float meaning."""
        try:
            with np.errstate(all="ignore"):
                for node in postorder(expr, self._memo):
                    self._memo[node] = self._node(node)
        except (NoFloat, TypeError, ValueError, OverflowError):
            return None
        return self._memo[expr]

    def _node(self, node) -> np.ndarray:
        args = [self._memo[a] for a in node.args]
        if isinstance(node, sympy.Symbol):
            if any(node not in p for p in self.points):
                raise NoFloat(str(node))
            return np.array([float(p[node]) for p in self.points])
        if isinstance(node, sympy.Add):
            return sum(args[1:], args[0])
        if isinstance(node, sympy.Mul):
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if isinstance(node, sympy.Pow):
            exp = node.args[1]
            return args[0] ** (int(exp) if exp.is_Integer else args[1])
        if not node.args:
            if not node.is_real or not node.is_number:
                raise NoFloat(str(node))
            return np.full(len(self.points), float(node))
        fn = _FUNCTIONS.get(node.func)
        if fn is None:
            raise NoFloat(str(node.func))
        return fn(*args)


def agreeing(want: np.ndarray | None, got: np.ndarray | None, tolerance: float) -> np.ndarray:
    """Per point: whether both values are finite and agree within `tolerance` (relative)."""
    if want is None or got is None:
        return np.zeros(0, dtype=bool)
    finite = np.isfinite(want) & np.isfinite(got)
    with np.errstate(all="ignore"):
        close = np.abs(want - got) <= tolerance * (1 + np.abs(want) + np.abs(got))
    return finite & close
