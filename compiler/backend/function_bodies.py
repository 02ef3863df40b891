"""The bodies of emitted functions (module.py's and helper_functions.py's): the sweeps
emitted as statements, the return line, the parameters."""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ad.reverse import Adjoint
from ..ad.split import top_level_stand_ins
from ..ir.prims import Prim
from .expressions import const, name
from .in_place import accumulate_in_place
from .number_tapes import number_tapes
from .number_tapes import uses_tape as number_tapes_uses_tape
from .statements import FunctionEmitter, kept_names, param, released_names


def function_params(fn: ir.Function) -> list[cst.Param]:
    """The parameters of an emitted function: the model's, with their defaults."""
    return [param(p.name, const(p.default.value, p.default.text).node if p.default else None)
            for p in fn.params]


def body_of(adj: Adjoint, blocks: list, tail: list, report: bool = False,
            numbers: frozenset[str] = frozenset()) -> list:
    """An emitted function's statements: the sweeps in `blocks` (adjoints added in place,
    values released with their model line, numbers of counted loops on number tapes),
    `tail` returned, `xp` and the tape bound first where they are used."""
    statements_ir = [stmt for block in blocks for stmt in block]
    flat = [a for v in tail[-1].values for a in (v if isinstance(v, TupleAtoms) else (v,))]
    inlinable = inlinable_names(adj)
    early: set[str] = set()
    if released_names(adj, blocks, flat)[0]:  # values die with their model line
        blocks, early = top_level_stand_ins(blocks, kept_names(adj, flat))
    blocks = accumulate_in_place([list(block) for block in blocks], inlinable, adj.scalar_bars)
    statements_ir = [stmt for block in blocks for stmt in block]
    released, start = released_names(adj, blocks, flat)
    emitter = FunctionEmitter(inlinable, [statements_ir + [ir.Return(tuple(flat))]], report,
                              released | early, start, frozenset(early))
    statements = emitter.block(statements_ir)
    statements += emit_return(emitter, tail[-1])
    uses_tape = emitter.uses_tape
    if uses_tape and numbers and not report:  # numbers taped by a counted loop: on lists
        statements = number_tapes(statements, numbers)
        uses_tape = number_tapes_uses_tape(statements)
    prologue = []
    if emitter.uses_xp:
        args = [cst.Arg(cst.Name(p)) for p in adj.primal.param_names]
        prologue.append(assign_line("xp", cst.Call(name("rt.array_module").node, args)))
    if uses_tape or report:
        tape = cst.Call(name("rt.TapeRecorder").node) if report else cst.List([])
        prologue.append(assign_line("tape", tape))
    return prologue + statements


def inlinable_names(adj: Adjoint) -> set[str]:
    """Compiler-made names that may be written into their single use: temporaries, and
    adjoints of temporaries that merely rename another adjoint (t8_bar = v_bar)."""
    temp_bars = {adj.bars[t] for t in adj.temps if t in adj.bars}
    renames = {s.target.name for s in ir.walk(tuple(adj.seed) + tuple(adj.backward))
               if isinstance(s, ir.Assign) and s.prim is Prim.COPY and s.target.name in temp_bars
               and isinstance(s.args[0], ir.Var) and s.args[0].name not in adj.temps}
    return set(adj.temps) | renames


def emit_return(emitter: FunctionEmitter, ret: ir.Return) -> list:
    """`return ...` of an IR Return (a TupleAtoms value written as a tuple)."""
    parts = []
    for value in ret.values:
        if isinstance(value, TupleAtoms):
            elements = [cst.Element(emitter.atom(a).node) for a in value]
            if len(elements) == 1:
                elements[0] = elements[0].with_changes(comma=cst.Comma())
            parts.append(cst.Tuple(elements))
        else:
            parts.append(emitter.atom(value).node)
    value = parts[0] if len(parts) == 1 else cst.Tuple([cst.Element(p) for p in parts],
                                                        lpar=[], rpar=[])
    return [cst.SimpleStatementLine([cst.Return(value)])]


def assign_line(target: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    """`target = value` as a line of its own."""
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(target))], value)])


def unpack_line(names: list[str], source: str) -> cst.SimpleStatementLine:
    """`a, b = source` (`a, = source` for one name)."""
    elements = [cst.Element(cst.Name(n), comma=cst.Comma() if len(names) == 1 else
                            cst.MaybeSentinel.DEFAULT) for n in names]
    target = cst.Tuple(elements, lpar=[], rpar=[])
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(target)], cst.Name(source))])


def tuple_atom(atoms):
    """One atom as itself; several as a TupleAtoms."""
    return atoms[0] if len(atoms) == 1 else TupleAtoms(atoms)


class TupleAtoms(tuple):
    """Marks a tuple of atoms to be written as a tuple expression."""


def return_names(names: list[str]) -> ir.Return:
    """`return a, b` of these names."""
    return ir.Return(tuple(ir.Var(n) for n in names))
