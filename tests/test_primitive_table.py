"""The primitive table is complete: every `Prim` is made by something, and has what it needs.

Walks the enum: each primitive is produced by the frontend's lowering or by
the derivative machinery (a rule, the reverse pass, the tape, emission's
in-place rewrite), has a derivative rule unless its Spec declares it
non-differentiable, is emitted by its Spec's generic form or a registered
special emitter, and has a symbolic meaning. Deleting any one registration
in agc.primitives makes one of these tests fail.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from agc import ir
from agc.errors import UserCodeError
from agc.frontend import numpy_names
from agc.ir.builder import Builder
from agc.ir.namer import Namer
from agc.ir.prims import VARIADIC, Prim
from agc.primitives import EMITTERS, JVP_RULES, MEANINGS, RULES

COMPILER = Path(__file__).resolve().parents[1] / "compiler"
GENERIC_FORMS = {"binop", "unop", "xp", "rt", "attr"}


def _prims_named_in(paths) -> set[Prim]:
    """Every `Prim.NAME` written in the given source files."""
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "Prim" and node.attr in Prim.__members__:
                found.add(Prim[node.attr])
    return found


def lowered() -> set[Prim]:
    """Primitives the frontend produces: the numpy/math/builtin tables, and its own code."""
    tables = {spec.prim for spec in numpy_names.FUNCTIONS.values()}
    tables |= {spec.prim for spec in numpy_names.METHODS.values()}
    tables |= set(numpy_names.ATTRIBUTES.values())
    return tables | _prims_named_in(sorted((COMPILER / "frontend").glob("*.py")))


def made_by_derivative_passes() -> set[Prim]:
    """Primitives the reverse pass, the tape and emission's rewrites (in place, unpacked
    tuples) write themselves."""
    paths = sorted((COMPILER / "ad").glob("*.py")) + [COMPILER / "backend" / "in_place.py",
                                                       COMPILER / "backend" / "unpacked.py"]
    # in_place.py writes the form a helper's Spec names (`added_into`: add_at, ...)
    added = {Prim[p.spec.added_into] for p in Prim if p.spec.added_into}
    return _prims_named_in(paths) | added


def _args(prim: Prim) -> tuple[ir.Atom, ...]:
    count = 3 if prim.spec.arity == VARIADIC else prim.spec.arity
    return tuple(ir.Var(f"a{i}") for i in range(count))


# what GETITEM, SETITEM, CALL, GRAD_CALL and JVP_CALL (its seed alone moving) carry
INDEX = {"index": ir.Index.at(2), "fn": "helper", "names": ("a", "b", "c"), "grad_wrt": "b",
         "wrt": ("c",)}
PARAMS = [ir.Params.of(**INDEX), ir.Params.of(lib="math", **INDEX),
          ir.Params.of(lib="builtins", **INDEX), ir.Params.of(axis=0, **INDEX),
          ir.Params.of(axis=0, keepdims=True, **INDEX), ir.Params.of(axes=(1, 0), **INDEX),
          ir.Params.of(record="saved", **INDEX)]  # a split helper call (CALL_BWD)
RANKS = [None, 0, 1, 2]


def made_by_rules() -> set[Prim]:
    """Primitives the rules emit, found by running each rule on many kinds of statements."""
    found = set()
    for prim, rule in RULES.items():
        args = _args(prim)
        for params, ranks, spread in itertools.product(PARAMS, itertools.product(RANKS, RANKS),
                                                       (False, True)):
            known = {a.name: r for a, r in zip(args, ranks) if r is not None}
            stmt = ir.Assign(ir.Var("out"), prim, args, params)
            b = Builder(Namer(), set(), stmt=stmt, ranks=known,
                        spread={"a0": ir.Var("a1")} if spread else None)
            rule(b, ir.Var("g"), stmt)
            found |= {s.prim for s in b.stmts}
    return found | made_by_jvp_rules()


def made_by_jvp_rules() -> set[Prim]:
    """Primitives the forward-mode (JVP) rules emit, every argument with a tangent."""
    found = set()
    for prim, rule in JVP_RULES.items():
        args = _args(prim)
        tangents = tuple(ir.Var(f"t{i}") for i in range(len(args)))
        for params in PARAMS + [ir.Params.of(n=2, **INDEX), ir.Params.of(n=-2, **INDEX)]:
            stmt = ir.Assign(ir.Var("out"), prim, args, params)
            b = Builder(Namer(), set(), stmt=stmt)
            try:
                rule(b, tangents, stmt)
            except (UserCodeError, TypeError):
                continue  # params this primitive never has (matrix_power without n)
            found |= {s.prim for s in b.stmts}
    return found


def test_every_primitive_is_produced_by_lowering_or_differentiation():
    produced = lowered() | made_by_rules() | made_by_derivative_passes()
    assert [p.name for p in Prim if p not in produced] == []


def test_the_rules_emit_the_gradient_helpers():
    """What only derivative code uses is made by a rule or a derivative pass, never lowered."""
    helpers = {p for p in Prim if p.spec.group == "gradient"}
    assert helpers <= made_by_rules() | made_by_derivative_passes()
    assert not helpers & {spec.prim for spec in numpy_names.FUNCTIONS.values()}


@pytest.mark.parametrize("prim", list(Prim), ids=lambda p: p.name)
def test_every_primitive_has_a_rule_an_emitter_and_a_meaning(prim):
    if prim.differentiable:
        assert prim in RULES, f"{prim.name} is differentiable but has no derivative rule"
    else:
        assert prim not in RULES, f"{prim.name} has a rule its Spec says never runs"
        # the gradient helpers' tangent rules run in second derivatives (ad/second.py)
        assert prim not in JVP_RULES or prim.spec.group == "gradient", \
            f"{prim.name} has a tangent rule its Spec says never runs"
    if prim.spec.form == "special" or prim.spec.in_place:
        assert prim in EMITTERS, f"{prim.name} has a special form but no emitter"
    else:
        assert prim.spec.form in GENERIC_FORMS and prim not in EMITTERS
    assert prim in MEANINGS, f"{prim.name} has no symbolic meaning"


def test_spec_facts_are_consistent():
    for prim in Prim:
        spec = prim.spec
        if spec.diff_args is not None:
            assert spec.differentiable and (spec.arity == VARIADIC or
                                            max(spec.diff_args) < spec.arity), prim
        assert spec.rule_reads in (None, "output", "input"), prim
        assert spec.rule_reads is None or spec.group == "elementwise", prim
        assert sum((spec.makes_sequence, spec.may_make_sequence, spec.passes_on)) <= 1, prim
        assert not spec.in_place or spec.passes_on or spec.makes_sequence, prim
        assert spec.added_into is None or spec.added_into in Prim.__members__, prim
        assert spec.fold is None or spec.form == "binop", prim
