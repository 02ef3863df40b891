"""A helper's emitted functions: its primal, and its adjoint split in two (`h_fwd` keeps
a record, `h_bwd` reads it: ad/split.py) or rerunning its forward (`h_vjp`)."""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ad.reverse import Adjoint
from ..ad.split import split_helper
from ..ir.namer import Namer
from ..ir.prims import Prim
from .depth import check_depth
from .expressions import name
from .function_bodies import (
    TupleAtoms,
    assign_line,
    body_of,
    emit_return,
    function_params,
    inlinable_names,
    tuple_atom,
    unpack_line,
)
from .in_place import accumulate_in_place
from .statements import FunctionEmitter, bwd_released_names, function_def, param


def rerun_helpers(adjoints: list[Adjoint]) -> set[str]:
    """The helpers some of these adjoints call through `h_vjp` (a caller that writes in
    place keeps those calls unsplit), and those whose `h_bwd` is `h_vjp` again."""
    names = {a.primal.name for a in adjoints if a.split and not a.returns_value}
    for adj in adjoints:
        for variant in (adj, adj.lean) if adj.lean is not None else (adj,):
            sweeps = (*variant.forward, *variant.seed, *variant.backward)
            names |= {s.params.get("fn") for s in ir.walk(sweeps)
                      if isinstance(s, ir.Assign) and s.prim is Prim.CALL_VJP}
    return names


def emit_helper(adj: Adjoint, rerun: set[str] = frozenset(),
                fresh: frozenset[str] = frozenset()) -> list[cst.FunctionDef]:
    """A helper's primal `h(...)` and its adjoint: split, `h_fwd(...)` and `h_bwd(seed,
    record)` (ad/split.py), or `h_vjp(seed, ...)`; both give one cotangent per argument.
    A split helper gets its `h_vjp` too where `rerun` (rerun_helpers) names it; `fresh`:
    its parameters every caller passes a temporary (split.fresh_arguments)."""
    check_depth(adj)
    fn = adj.primal
    primal_body = body_of(adj, [fn.body[:-1]], tail=[fn.body[-1]])
    primal = function_def(fn.name, function_params(fn), fn.doc or f"{fn.name}, as agc compiled it.",
                          primal_body)
    if not adj.split:
        return [primal, _vjp_function(adj)]
    vjp = [_vjp_function(adj)] if fn.name in rerun else []
    if not adj.returns_value:  # it writes in place: its record is its arguments
        return [primal, *_rerunning_split(adj), *vjp]
    return [primal, *_split_functions(adj, fresh), *vjp]


def _cotangents(adj: Adjoint) -> ir.Return:
    """One cotangent per parameter; None for those no caller passes an active value to."""
    by_name = dict(zip(adj.wrt, adj.grads))
    return ir.Return((TupleAtoms(by_name.get(p, ir.Const(None)) for p in adj.primal.param_names),))


def _computed_for(adj: Adjoint) -> str:
    if len(adj.wrt) == len(adj.primal.param_names):
        return ""
    return (f"\n\n    Computed for ({', '.join(adj.wrt)}) only: every call passes constants "
            f"for the rest.\n    ")


def _vjp_function(adj: Adjoint) -> cst.FunctionDef:
    """`h_vjp(seed, ...)`: the helper's forward sweep again, then its backward sweep."""
    fn = adj.primal
    body = body_of(adj, [adj.forward, adj.seed, adj.backward], tail=[_cotangents(adj)])
    doc = f"Cotangents of {fn.name}'s arguments, given the adjoint `{adj.seed_param}` of its output."
    params = [param(adj.seed_param)] + function_params(fn)
    return function_def(f"{fn.name}_vjp", params, doc + _computed_for(adj), body)


def _split_functions(adj: Adjoint, fresh: frozenset[str]) -> list[cst.FunctionDef]:
    """`h_fwd(...)` -> (value, record) and `h_bwd(seed, record)` -> cotangents."""
    fn, half = adj.primal, split_helper(adj, fresh)
    inlinable = inlinable_names(adj) - {v.name for v in half.saved}
    cts = _cotangents(adj)
    blocks = accumulate_in_place([list(half.backward)], inlinable, adj.scalar_bars)
    returned = {a.name for a in cts.values[0] if isinstance(a, ir.Var)}
    kept = {v.name for v in half.saved} | returned | {"xp", "tape", adj.seed_param}
    back = FunctionEmitter(inlinable, [blocks[0] + [ir.Return(tuple(cts.values[0]))]],
                           released=bwd_released_names(blocks[0], kept))
    back_body = back.block(blocks[0]) + emit_return(back, cts)
    # The array module and the tape the forward half picked go with the record.
    record = (*half.saved, *(ir.Var(n) for n, used in (("xp", back.uses_xp),
                                                       ("tape", back.uses_tape)) if used))
    taken = ir.all_names(fn) | ir.assigned_names(tuple(half.backward)) | \
        ir.read_names(tuple(half.backward))
    saved = Namer(taken | {"xp", "tape", adj.seed_param}).fresh("saved")
    if back.uses_tape:  # popped from a copy: the record stays whole for another sweep
        back_body.insert(0, assign_line("tape", cst.Call(cst.Name("list"), [cst.Arg(
            cst.Name("tape"))])).with_changes(leading_lines=[cst.EmptyLine(comment=cst.Comment(
                "# a copy: f_vjp_rows reads the record again for each row"))]))
    if record:
        back_body.insert(0, unpack_line([v.name for v in record], saved))
    doc = (f"Cotangents of {fn.name}'s arguments, given the adjoint `{adj.seed_param}` of its "
           f"output and\n    the record {fn.name}_fwd kept ({fn.name} is not run again).")
    bwd = function_def(f"{fn.name}_bwd", [param(adj.seed_param), param(saved)],
                       doc + _computed_for(adj), back_body)
    ret = ir.Return((tuple_atom(adj.outputs), TupleAtoms(record)))
    flat = [*adj.outputs, *record]
    ahead = FunctionEmitter(inlinable, [list(half.forward) + [ir.Return(tuple(flat))]])
    body = ahead.block(half.forward) + emit_return(ahead, ret)
    if ahead.uses_tape or back.uses_tape:
        body.insert(0, assign_line("tape", cst.List([])))
    if ahead.uses_xp or back.uses_xp:
        args = [cst.Arg(cst.Name(p)) for p in fn.param_names]
        body.insert(0, assign_line("xp", cst.Call(name("rt.array_module").node, args)))
    doc = f"{fn.name}(...) and what {fn.name}_bwd reads of its forward sweep (its record)."
    return [function_def(f"{fn.name}_fwd", function_params(fn), doc, body), bwd]


def _rerunning_split(adj: Adjoint) -> list[cst.FunctionDef]:
    """`h_fwd` and `h_bwd` of a helper that writes in place: the record is its arguments
    and `h_bwd` runs `h_vjp` (a record of its arrays would see its own later writes)."""
    fn = adj.primal
    args = [cst.Arg(cst.Name(p)) for p in fn.param_names]
    value = cst.Call(cst.Name(fn.name), args)
    record = cst.Tuple([cst.Element(cst.Name(p)) for p in fn.param_names]) if len(args) != 1 \
        else cst.Tuple([cst.Element(cst.Name(fn.param_names[0]), comma=cst.Comma())])
    fwd_body = [cst.SimpleStatementLine([cst.Return(cst.Tuple(
        [cst.Element(value), cst.Element(record)], lpar=[], rpar=[]))])]
    fwd = function_def(f"{fn.name}_fwd", function_params(fn),
                       f"{fn.name}(...) and its arguments, for {fn.name}_bwd.", fwd_body)
    saved = Namer(set(fn.param_names) | {adj.seed_param}).fresh("saved")
    again = cst.Call(cst.Name(f"{fn.name}_vjp"), [cst.Arg(cst.Name(adj.seed_param)),
                                                  cst.Arg(cst.Name(saved), star="*")])
    bwd = function_def(f"{fn.name}_bwd", [param(adj.seed_param), param(saved)],
                       f"Cotangents of {fn.name}'s arguments: {fn.name}_vjp on the record.",
                       [cst.SimpleStatementLine([cst.Return(again)])])
    return [fwd, bwd]
