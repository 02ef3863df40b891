"""The two symbolic runs of one verification (the primal, then agc's adjoint) and the
symbols they share: what verify.py and higher.py differentiate and compare.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy

from .dag import count, derivative
from .interpreter import Interpreter, Path, Point, SymbolicError, number, shape_of, symbolic_array
from .prover import Timeout, time_limit

DIFF_LIMIT = 5000  # tree nodes: a larger function is differentiated node by node (see below)
DIFF_SECONDS = 5.0  # and so is one sympy.diff has not differentiated in this time


class Runs:
    """The two symbolic runs of one verification and the symbols they share."""

    def __init__(self, adjoint, example: dict, helpers: dict, path: Path):
        self.adj = adjoint
        self.example = example
        self.helpers = helpers
        self.path = path
        self.symbols: dict[str, object] = {}  # wrt name -> symbol or array of symbols
        values = {}
        for name in adjoint.wrt:
            if name not in example:
                raise SymbolicError(f"no example value for {name!r}")
            self.symbols[name] = symbols_like(name, example[name], values)
        self.point = Point(values)
        self.returned = None
        self.seed = None
        self.diff_method = "sympy.diff"

    def arguments(self) -> tuple:
        """Fresh argument values (a run may write into its arrays)."""
        names = [n for n in self.adj.primal.param_names if n in self.example]
        return tuple(_copy(self.symbols[n]) if n in self.symbols else concrete(self.example[n])
                     for n in names)

    def primal(self, has_aux: bool) -> object:
        """Run the primal; the value to differentiate (the first one with has_aux)."""
        self.returned = Interpreter(self.point, self.path, self.helpers).call(
            self.adj.primal, self.arguments())
        return self.returned[0] if has_aux else self.returned

    def seed_for(self, output) -> object:
        """None for one scalar output, else symbols shaped like the output(s)."""
        if not isinstance(output, tuple) and int(np.prod(shape_of(output))) == 1:
            return None
        values = {}
        self.seed = _seed_symbols(self.adj.seed_param, output, values)
        self.point.values.update({s: sympy.sympify(number(v)) for s, v in values.items()})
        return self.seed

    def seed_text(self, seed) -> str:
        if seed is None:
            return "1 (scalar output)"
        return f"symbolic {self.adj.seed_param} (the vjp sum({self.adj.seed_param} * output))"

    def derivatives(self, output, seed) -> list:
        """The derivative of the (seed-weighted) output for each wrt parameter.

        sympy.diff walks the expression as a tree, simplifying as it goes; past
        DIFF_LIMIT nodes (loops sharing subexpressions make trees of 10^30 nodes),
        or past DIFF_SECONDS, the chain rule runs over the distinct nodes instead,
        with sympy's derivative of each function.
        """
        total = weighted_sum(output, seed)
        size = self.point.dag.size(total)
        if size <= DIFF_LIMIT:
            try:
                with time_limit(DIFF_SECONDS):
                    return [diff_tree(total, self.symbols[name], sympy.diff) for name in self.adj.wrt]
            except Timeout:
                sympy.core.cache.clear_cache()  # it may hold half-built derivatives
        self.diff_method = (f"the chain rule over the distinct subexpressions, sympy's "
                            f"derivative at each (the function has {count(size)} nodes as a tree)")
        chain_rule = lambda expr, symbol: derivative(expr, symbol, self.point.dag)
        return [diff_tree(total, self.symbols[name], chain_rule) for name in self.adj.wrt]

    def adjoint(self, seed, variant=None) -> tuple[tuple, tuple]:
        """Run agc's adjoint (or its lean `variant`): (returned values, gradients)."""
        self.path.recording = False  # the path is the primal's; the adjoint only adds relations
        run = Interpreter(self.point, self.path, self.helpers)
        if variant is not None:  # it returns no value: its outputs may be gone
            return run.adjoint(replace(variant, outputs=()), self.arguments(), seed)
        return run.adjoint(self.adj, self.arguments(), seed)

    def same_value(self, primal, outputs: tuple) -> bool:
        """Whether the adjoint's forward sweep returns the primal's value at the point."""
        primal = primal if isinstance(primal, tuple) else (primal,)
        return len(primal) == len(outputs) and all(
            close(self.point.evaluate(a), self.point.evaluate(b)) for a, b in zip(primal, outputs))


def symbols_like(name: str, value, values: dict) -> object:
    """A real symbol named `name` (an array of `name[i,j]` for an array); records example values.

    A dict, list or tuple (a pytree of parameters) gets symbols leaf by leaf: `p['w'][0]`.
    """
    if isinstance(value, dict):
        return {k: symbols_like(f"{name}[{k!r}]", v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(symbols_like(f"{name}[{i}]", v, values) for i, v in enumerate(value))
    if np.ndim(value) == 0:
        symbol = sympy.Symbol(name, real=True)
        values[symbol] = np.asarray(value).item()
        return symbol
    value = np.asarray(value, dtype=float)
    out = np.empty(value.shape, dtype=object)
    for index in np.ndindex(value.shape):
        out[index] = sympy.Symbol(f"{name}[{','.join(map(str, index))}]", real=True)
        values[out[index]] = float(value[index])
    return out


def _seed_symbols(base: str, output, values: dict) -> object:
    if isinstance(output, tuple):
        return tuple(_seed_symbols(f"{base}{i}", o, values) for i, o in enumerate(output))
    rng = np.random.default_rng(len(values))  # fixed, so results repeat run to run
    example = rng.uniform(0.5, 1.5, size=shape_of(output)).round(3)
    return symbols_like(base, example if shape_of(output) else float(example), values)


def concrete(value) -> object:
    """A non-differentiated argument as the symbolic run holds it (exact numbers)."""
    if isinstance(value, (list, tuple)):
        return type(value)(concrete(v) for v in value)
    if isinstance(value, dict):
        return {k: concrete(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return symbolic_array(value) if value.dtype.kind in "fc" else value.copy()
    return number(value)


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value.copy() if isinstance(value, np.ndarray) else value


def weighted_sum(output, seed) -> sympy.Expr:
    if isinstance(output, tuple):
        return sum((weighted_sum(o, s) for o, s in zip(output, seed)), sympy.Integer(0))
    if seed is None:
        return sympy.sympify(np.sum(output) if isinstance(output, np.ndarray) else output)
    return sympy.sympify(np.sum(np.asarray(output, dtype=object) * seed))


def diff_tree(total: sympy.Expr, symbols, diff) -> object:
    if isinstance(symbols, dict):
        return {k: diff_tree(total, s, diff) for k, s in symbols.items()}
    if isinstance(symbols, (list, tuple)):
        return type(symbols)(diff_tree(total, s, diff) for s in symbols)
    if isinstance(symbols, np.ndarray):
        return np.frompyfunc(lambda s: diff(total, s), 1, 1)(symbols)
    return diff(total, symbols)


def close(a, b) -> bool:
    try:
        return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                rtol=1e-7, atol=1e-9))
    except (TypeError, ValueError):
        return False
