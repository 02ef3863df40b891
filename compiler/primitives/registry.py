"""The four registries of agc.primitives: VJP rules, JVP rules, emitters, symbolic meanings.

Each family module (elementwise_math, reductions, shape, ...) registers, next
to each other, what agc knows about its primitives beyond their `Spec`:

* `@vjp(prim)`: the derivative rule `rule(b, g, stmt)`. It receives a
  `Builder`, the cotangent `g` of the statement's output and the statement;
  it returns one cotangent atom per argument (None where an argument gets
  nothing). Rules build IR, never strings, so their output is simplified,
  verified, proven and emitted like all other code.
* `@jvp(prim)`: the forward-mode rule `rule(b, tangents, stmt)`. It receives a
  `Builder`, one tangent atom per argument (None where an argument's tangent is
  zero) and the statement, which has already run; it returns the tangent atom
  of the output (None for a zero tangent). It is the transpose of the VJP rule:
  <jvp(v), u> == <v, vjp(u)>, kinks included (tests/test_forward.py).
* `@emitter(prim)`: a special form `emit(stmt, atom)` for a primitive whose
  `Spec.form` is "special" (the others are written from their form alone, by
  backend/prims.py). It returns (expression, uses xp), or a libcst statement
  for a primitive that is `Spec.in_place`.
* `@meaning(prim)`: `meaning(run, stmt, *values)`, the primitive on the sympy
  values of the proof interpreter (see proof/values.py).

Importing `agc.primitives` fills all four; this module imports only the IR.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InternalError
from ..ir.prims import Prim

Rule = Callable[..., tuple]  # (Builder, g, ir.Assign) -> one cotangent per argument
Emitter = Callable[..., object]  # (ir.Assign, atom) -> (Expr, uses xp), or a statement
Meaning = Callable[..., object]  # (Interpreter, ir.Assign, *values) -> value

_CHANGES = [0]  # how many times a table below was written
BUILTIN = [0]  # _CHANGES once agc's own rules are in (set by agc.primitives)


class _Table(dict):
    """A table of rules that counts its changes: code compiled before a rule was swapped
    (a test's deliberately wrong rule) is not reused after (`generation`)."""

    def __setitem__(self, key, value):
        _CHANGES[0] += 1
        super().__setitem__(key, value)

    def __delitem__(self, key):
        _CHANGES[0] += 1
        super().__delitem__(key)


def generation() -> int:
    """A number that changes whenever a derivative rule or an emitter is registered or swapped."""
    return _CHANGES[0]


RULES: dict[Prim, Rule] = _Table()
JVP_RULES: dict[Prim, Callable] = _Table()  # (Builder, tangents, ir.Assign) -> the output's tangent
EMITTERS: dict[Prim, Emitter] = _Table()
MEANINGS: dict[Prim, Meaning] = {}


def _registrar(table: dict, what: str, prims: tuple[Prim, ...]) -> Callable:
    def register(fn: Callable) -> Callable:
        for prim in prims:
            if prim in table:
                raise InternalError(f"{prim.name} has two {what}s")
            table[prim] = fn
        return fn

    return register


def vjp(*prims: Prim) -> Callable[[Rule], Rule]:
    """Register the derivative rule of one or more primitives."""
    return _registrar(RULES, "derivative rule", prims)


def jvp(*prims: Prim) -> Callable:
    """Register the forward-mode (tangent) rule of one or more primitives."""
    return _registrar(JVP_RULES, "tangent rule", prims)


def emitter(*prims: Prim) -> Callable[[Emitter], Emitter]:
    """Register the special emitter of one or more primitives."""
    return _registrar(EMITTERS, "emitter", prims)


def meaning(*prims: Prim) -> Callable[[Meaning], Meaning]:
    """Register the symbolic meaning of one or more primitives."""
    return _registrar(MEANINGS, "symbolic meaning", prims)


def rule_for(prim: Prim) -> Rule:
    """The rule of a primitive; InternalError if a differentiable one has none."""
    rule = RULES.get(prim)
    if rule is None:
        raise InternalError(f"no derivative rule for {prim.name}")
    return rule


def jvp_rule_for(prim: Prim) -> Callable | None:
    """The tangent rule of a primitive, None where forward mode has none yet."""
    return JVP_RULES.get(prim)


def emitter_for(prim: Prim) -> Emitter | None:
    """The special emitter of a primitive, None where its Spec's form says how to write it."""
    return EMITTERS.get(prim)


def meaning_for(prim: Prim) -> Meaning | None:
    """The symbolic meaning of a primitive, None where it has none."""
    return MEANINGS.get(prim)

