"""A second interpreter of the IR, whose values are sympy expressions.

Its values are described in values.py.

Whatever cannot be symbolic is decided at the example point, and the
`Path` remembers it: the branch each `if` took, how many trips each loop
made, the relations (`a < 0.5`) those choices hold under, and the values
taken as constants there (argmax, floor, stop_gradient). What each
primitive means lives in agc.primitives, next to its derivative rule;
this module runs statements.
The tape of adjoint code (Push/Pop) is a Python list, as in emitted code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import sympy

from .. import ir
from ..primitives import meaning_for
from .dag import Dag, Evaluator, NotANumber
from .values import SymbolicError, number, shape_of, symbolic_array

__all__ = ["Interpreter", "Path", "Point", "SymbolicError", "is_symbolic", "number", "shape_of",
           "symbolic_array"]

MAX_TRIPS = 10_000  # a while loop running longer than this is taken to be endless


def is_symbolic(value: object, dag: Dag | None = None) -> bool:
    """Whether a value depends on a symbol (`dag` memoizes the walk over big expressions)."""
    dag = dag or Dag()
    if isinstance(value, np.ndarray):
        return value.dtype == object and any(dag.depends(v) for v in value.flat)
    return dag.depends(value)


@dataclass
class Path:
    """The path a symbolic run followed, and the conditions it holds under."""

    branches: dict[str, list[bool]] = field(default_factory=dict)  # location -> each decision
    loops: dict[str, list[int]] = field(default_factory=dict)  # location -> each entry's trips
    conditions: list = field(default_factory=list)  # sympy relations true at the point
    sources: dict = field(default_factory=dict)  # relation -> `model.py:6`, where it was met
    constants: list[str] = field(default_factory=list)  # values taken as constants there
    recording: bool = True  # only the primal run records branches and trips

    def branch(self, loc, taken: bool) -> None:
        """Note the branch an `if` took."""
        if self.recording:
            self.branches.setdefault(_where(loc), []).append(taken)

    def trips(self, loc, count: int) -> None:
        """Note how many trips a loop made."""
        if self.recording:
            self.loops.setdefault(_where(loc), []).append(count)

    def condition(self, relation, loc=None) -> None:
        """Note a relation that holds at the point, met at `loc` (the caller checks that it
        mentions a symbol)."""
        if isinstance(relation, sympy.logic.boolalg.BooleanAtom):
            return
        if relation not in self.conditions:
            self.conditions.append(relation)
            if loc is not None and loc.line:
                self.sources[relation] = _where(loc)

    def constant(self, what: str) -> None:
        """Note a value that was evaluated at the point and taken as a constant."""
        if what not in self.constants:
            self.constants.append(what)


def _where(loc) -> str:
    return f"{os.path.basename(loc.path)}:{loc.line}" if loc is not None and loc.line else "?"


class Point:
    """The example point: symbol values, and numeric evaluation of expressions there."""

    def __init__(self, values: dict):
        self.values = {s: sympy.sympify(number(v)) for s, v in values.items()}
        self.dag = Dag()  # memoized walks over the expressions of this run
        self._evaluate = Evaluator(self.values, digits=20)

    def evaluate(self, value: object) -> object:
        """A float (or float array) of a value at the point; other values unchanged."""
        if isinstance(value, np.ndarray):
            if value.dtype != object:
                return value
            return np.array([self.evaluate(v) for v in value.flat], dtype=float).reshape(value.shape)
        if not isinstance(value, sympy.Basic):
            return value
        try:
            result = self._evaluate(value)
        except NotANumber:
            raise SymbolicError(f"{self.dag.describe(value, 200)} has no finite value at the "
                                "example point") from None
        if abs(result.imag) > 1e-12 * max(1.0, abs(result.real)):
            raise SymbolicError(f"{self.dag.describe(value, 200)} is not a real number at the "
                                f"example point ({result})")
        return result.real


class _Break(Exception):
    """A `break` leaving the innermost loop."""


class _Returned(Exception):
    """The `return` of a primal function, with its value."""

    def __init__(self, value):
        super().__init__()
        self.value = value


class Interpreter:
    """Runs IR statements on sympy values; one instance per run."""

    def __init__(self, point: Point, path: Path, helpers: dict | None = None,
                 tangents: dict | None = None):
        self.point = point
        self.path = path
        self.helpers = helpers or {}  # helper function name -> its Adjoint
        self.tangents = tangents or {}  # name -> the Tangent of h_jvp (or of h_vjp_jvp)
        self.env: dict[str, object] = {}
        self.tape: list = []
        self.loc = None  # the statement being interpreted (where a noted relation comes from)

    # ---------------------------------------------------------- entry points
    def call(self, fn: ir.Function, args: tuple) -> object:
        """Run a primal function on argument values; returns what it returns."""
        self.bind(fn, args)
        try:
            self.run(fn.body)
        except _Returned as ret:
            return ret.value
        raise SymbolicError(f"{fn.name}() ended without a return")

    def adjoint(self, adj, args: tuple, seed: object) -> tuple[tuple, tuple]:
        """Run an Adjoint's forward, seed and backward sweeps: (outputs, gradients).

        A helper's vjp returns cotangents only (its forward sweep keeps just what
        the backward sweep reads), so its outputs are () here.
        """
        self.bind(adj.primal, args)
        self.env[adj.seed_param] = seed
        for sweep in (adj.forward, adj.seed, adj.backward):
            self.run(sweep)
        outputs = tuple(self.read(a) for a in adj.outputs) if adj.returns_value else ()
        return outputs, tuple(self.read(a) for a in adj.grads)

    def tangent(self, tangent, args: tuple, dots: dict) -> tuple:
        """Run a helper's JVP on its arguments and its tangents by name: (value, tangent),
        each a tuple where the helper has several outputs (as emitted `h_jvp` returns)."""
        fn = ir.Function(tangent.primal.name + "_jvp",
                         tangent.primal.params + tuple(ir.Param(d) for d in tangent.dot_params()),
                         tuple(tangent.body) + (ir.Return(tuple(tangent.outputs)
                                                          + tuple(tangent.tangents)),))
        missing = [d for d in tangent.dot_params() if d not in dots]
        if missing:
            raise SymbolicError(f"the call of {fn.name}() gives no tangent {missing[0]}")
        got = self.call(fn, tuple(args) + tuple(dots[d] for d in tangent.dot_params()))
        got = got if isinstance(got, tuple) else (got,)
        values, tangents = got[:len(tangent.outputs)], got[len(tangent.outputs):]
        return (values[0] if len(values) == 1 else values,
                tangents[0] if len(tangents) == 1 else tangents)

    def bind(self, fn: ir.Function, args: tuple) -> None:
        """Bind parameters to values (defaults for the missing ones)."""
        for i, param in enumerate(fn.params):
            if i < len(args):
                self.env[param.name] = args[i]
            elif param.default is not None:
                self.env[param.name] = self.const(param.default)
            else:
                raise SymbolicError(f"no value for parameter {param.name!r} of {fn.name}()")

    def run(self, block) -> None:
        """Run a block of statements."""
        for stmt in block:
            self.step(stmt)

    # ------------------------------------------------------------ statements
    def step(self, stmt: ir.Stmt) -> None:
        """Run one statement."""
        if isinstance(stmt, ir.Assign):
            self.assign(stmt)
        elif isinstance(stmt, ir.If):
            taken = self.truth(self.read(stmt.cond), stmt)
            self.path.branch(stmt.loc, taken)
            self.run(stmt.body if taken else stmt.orelse)
        elif isinstance(stmt, ir.While):
            self.while_(stmt)
        elif isinstance(stmt, ir.For):
            self.for_(stmt)
        elif isinstance(stmt, ir.Break):
            raise _Break()
        elif isinstance(stmt, ir.Return):
            values = tuple(self.read(v) for v in stmt.values)
            raise _Returned(values[0] if len(values) == 1 else values)
        elif isinstance(stmt, ir.Push):
            self.tape.append(self.read(stmt.value))
        elif isinstance(stmt, ir.Pop):
            self.env[stmt.target.name] = self.tape.pop()
        elif not isinstance(stmt, ir.Continue):
            raise SymbolicError(f"cannot interpret {type(stmt).__name__}")

    def assign(self, stmt: ir.Assign) -> None:
        self.loc = stmt.loc  # where a relation noted while applying it comes from
        args = [self.read(a) for a in stmt.args]
        value = self.apply(stmt, args)
        if stmt.params.get("nograd") and self.symbolic(value):
            value = self.as_constant(value, f"{stmt.target} (no_grad, line {stmt.loc.line})")
        self.env[stmt.target.name] = self.point.dag.intern(value)

    def apply(self, stmt: ir.Assign, args: list) -> object:
        """The value of `stmt` applied to argument values (its primitive's meaning)."""
        meaning = meaning_for(stmt.prim)
        if meaning is None:
            raise SymbolicError(f"line {stmt.loc.line}: {stmt.prim.name} has no symbolic meaning")
        return meaning(self, stmt, *args)

    def helper_run(self) -> Interpreter:
        """A fresh interpreter on the same point, path and helpers: for a helper's call."""
        return Interpreter(self.point, self.path, self.helpers, self.tangents)

    def while_(self, loop: ir.While) -> None:
        trips = 0
        while True:
            self.run(loop.test)
            if not self.truth(self.read(loop.cond), loop):
                break
            trips += 1
            if trips > MAX_TRIPS:
                raise SymbolicError(f"the while loop at line {loop.loc.line} ran more than "
                                    f"{MAX_TRIPS} trips at the example point")
            try:
                self.run(loop.body)
            except _Break:
                break
        self.path.trips(loop.loc, trips)

    def for_(self, loop: ir.For) -> None:
        bounds = [self.integer(self.read(a)) for a in (loop.start, loop.stop, loop.step)]
        indices = range(*bounds)
        if loop.limit is not None:
            indices = indices[:self.integer(self.read(loop.limit))]
        if loop.reverse:
            indices = reversed(indices)
        trips = 0
        for index in indices:
            if loop.target is not None:
                self.env[loop.target.name] = index
            trips += 1
            try:
                self.run(loop.body)
            except _Break:
                break
        self.path.trips(loop.loc, trips)

    # ---------------------------------------------------------------- values
    def read(self, atom: ir.Atom) -> object:
        """The value of an atom."""
        if isinstance(atom, ir.Const):
            return self.const(atom)
        try:
            return self.env[atom.name]
        except KeyError:
            raise SymbolicError(f"`{atom.name}` is read before it is assigned") from None

    @staticmethod
    def const(atom: ir.Const) -> object:
        """The sympy value of a constant."""
        return number(atom.value)

    def truth(self, value: object, stmt) -> bool:
        """A branch or loop decision, taken at the point (noting the relation if symbolic)."""
        if isinstance(value, np.ndarray):
            if value.size != 1:
                raise SymbolicError(f"line {stmt.loc.line}: the truth of an array of "
                                    f"{value.size} values is ambiguous")
            value = value.reshape(-1)[0]
        if isinstance(value, (bool, np.bool_, int, np.integer)) or value is None:
            return bool(value)
        taken = self.point.evaluate(value) != 0
        if stmt is not None:  # a primitive's meaning deciding inside a statement: its line
            self.loc = stmt.loc
        self.note(sympy.Ne(value, 0, evaluate=False) if taken else
                  sympy.Eq(value, 0, evaluate=False))
        return taken

    def note(self, relation) -> None:
        """Put a relation on the path if it mentions a symbol, with the line it came from."""
        if self.point.dag.depends(relation):
            self.path.condition(relation, self.loc)

    def symbolic(self, value: object) -> bool:
        """Whether a value depends on a symbol."""
        return is_symbolic(value, self.point.dag)

    def integer(self, value: object) -> int:
        """A loop bound or index as a Python int."""
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(-1)[0]
        if self.point.dag.depends(value):
            raise SymbolicError(f"an integer ({self.point.dag.describe(value, 200)}) depends on a differentiated parameter")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SymbolicError(f"{value!r} is not an integer") from None

    def as_constant(self, value: object, what: str) -> object:
        """A symbolic value replaced by its number at the point, noted on the path."""
        self.path.constant(what)
        if isinstance(value, np.ndarray):
            return symbolic_array(self.point.evaluate(value))
        return number(self.point.evaluate(value))
