"""The emitted functions a model calling a gradient needs (GRAD_CALL, see
primitives/gradient_calls.py): for each `f.grad(...)` it calls, f's own gradient
(`f_value_and_grad`, `f_grad`), and for each derivative of that call, f's
Hessian-vector product (`f_hvp`, ad/second.py), with the helpers each calls.

They go into the model's module, so that `agc compile` writes a module that runs
without agc's compiler. f's gradient may itself call a gradient: the search goes on
until every function called is there. The compiling is pipeline.py's, given as
`compile_inner`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import libcst as cst

from . import ir
from .ad.forward import Tangent
from .ad.param_kinds import container_params, keyed_params, scalar_params
from .ad.ranks import atom_rank, variable_ranks
from .ad.reverse import Adjoint
from .backend.helper_functions import emit_helper, rerun_helpers
from .backend.module import emit_functions, emit_hvp, emit_jvp
from .errors import UnsupportedError
from .ir.prims import Prim
from .primitives.gradient_calls import function_name, wrt_suffix
from .primitives.jvp_calls import twice_name

# the statements that call an emitted gradient (GRAD_CALL), HVP (the next two) or
# the tangent of a JVP or an HVP (ad/twice.py: the last two)
_CALLING = (Prim.GRAD_CALL, Prim.GRAD_CALL_HVP, Prim.JVP_CALL, Prim.JVP_CALL_JVP,
            Prim.GRAD_CALL_HVP_JVP)


@dataclass
class Inner:
    """What compiling one called gradient gave: f's adjoint (or its HVP) and helpers."""

    adjoint: Adjoint | None = None
    hvp: Tangent | None = None
    twice: Tangent | None = None  # f_jvp_jvp, the tangent of a JVP (ad/twice.py)
    helpers: list[Adjoint] = field(default_factory=list)
    tangents: list[Tangent] = field(default_factory=list)  # helper JVPs of an HVP


@dataclass
class Nested:
    """The functions to add to the module, one group per compiled gradient: its entry points
    (`f_grad`, `f_hvp`), which the model calls by name, and the helpers they call, which
    emission renames where the model's own helper of that name differs (backend/module.py);
    and the pieces whose imports and constants go too."""

    groups: list[tuple[list[cst.FunctionDef], list[cst.FunctionDef]]] = field(
        default_factory=list)
    homes: list = field(default_factory=list)  # Adjoints / Tangents with a `home`


def statements(pieces: Iterable) -> Iterable[ir.Stmt]:
    """Every statement of adjoints (both sweeps, lean variant too) and tangents."""
    for piece in pieces:
        if isinstance(piece, Adjoint):
            for part in (piece.forward, piece.seed, piece.backward):
                yield from ir.walk(part)
            if piece.lean is not None:
                yield from statements([piece.lean])
        elif isinstance(piece, Tangent):
            yield from ir.walk(piece.body)


def gradients_called(pieces: list, compile_inner: Callable[..., Inner]) -> Nested:
    """The functions the GRAD_CALLs of `pieces` call, compiled by `compile_inner(call, wrt,
    where)` (wrt None: f's gradient; a tuple: its HVP with respect to those names; `where`:
    the module the calling piece's source is in, None for the model's own, since a call
    names its f as that module sees it)."""
    nested, done, work = Nested(), {}, list(pieces)
    while work:
        piece = work.pop()
        where = getattr(piece, "home", None)
        for s in list(statements([piece])):
            if not isinstance(s, ir.Assign) or s.prim not in _CALLING:
                continue
            wrt = s.params.get("wrt") if s.prim is not Prim.GRAD_CALL else None
            key = (s.params.get("module"), entry_name(s))
            if key not in done:
                done[key] = inner = compile_inner(s, wrt, where)
                _check_dots(inner, s)
                _add(nested, inner, s)
                work += [p for p in (inner.adjoint, inner.hvp, inner.twice, *inner.helpers,
                                      *inner.tangents)
                         if p is not None]
            if s.prim is Prim.GRAD_CALL:  # each call: its arguments' ranks may differ
                refuse_array_output(done[key].adjoint.primal, s)
    return nested


def entry_name(s: ir.Assign) -> str:
    """The emitted function the call `s` (one of _CALLING) calls."""
    if s.prim in (Prim.JVP_CALL_JVP, Prim.GRAD_CALL_HVP_JVP):
        return twice_name(s)
    return function_name(s, "grad" if s.prim is Prim.GRAD_CALL else "hvp")


def mark_call_ranks(fn: ir.Function, param_ranks: dict[str, int]) -> ir.Function:
    """fn with each GRAD_CALL and JVP_CALL marked with its arguments' ranks (`arg_ranks`,
    None where not known; a parameter annotated float or int is a number), from which
    output_rank tells an f of an array at compile time."""
    ranks = variable_ranks(fn, {**{name: 0 for name in scalar_params(fn)}, **param_ranks})

    def mark(block: ir.Block) -> ir.Block:
        out = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and stmt.prim in (Prim.GRAD_CALL, Prim.JVP_CALL):
                known = tuple(atom_rank(a, ranks) for a in stmt.args)
                stmt = replace(stmt, params=stmt.params.with_(arg_ranks=known))
            out.append(ir.map_blocks(stmt, mark))
        return tuple(out)

    return replace(fn, body=mark(fn.body))


def refuse_array_output(primal: ir.Function, s: ir.Assign) -> None:
    """Refuse, at the call, a gradient of an f that returns an array for the ranks of the
    call's arguments: its f_grad needs a number."""
    rank = output_rank(primal, s)
    if not rank:  # a number, or not known here: f_grad checks it when it runs
        return
    fn = s.params.get("fn")
    form = s.params.get("form") or f"{fn}.grad()"
    raise UnsupportedError(
        f"{form} inside a differentiated model needs {fn}() to return one number, but here "
        f"it returns an array of {rank} dimension{'s' if rank > 1 else ''}", s.loc,
        "for a vector-Jacobian product call f.vjp(x, seed=s) here, for a Jacobian-vector "
        "product f.jvp(x, tangents=(t,))")


def output_rank(primal: ir.Function, s: ir.Assign) -> int | None:
    """The rank of what f (`primal`) returns for the ranks of the call `s`'s arguments
    (marked by mark_call_ranks); None where they do not tell."""
    ret = primal.body[-1]
    given = s.params.get("arg_ranks") or ()
    known = {name: rank for name, rank in zip(s.params.get("names"), given) if rank is not None}
    if not isinstance(ret, ir.Return) or len(ret.values) != 1:
        return None
    return atom_rank(ret.values[0], variable_ranks(primal, known))


def check_arrays(primal: ir.Function, wrt: tuple[str, ...], s: ir.Assign) -> None:
    """Refuse, at the call, a gradient whose differentiated parameters f reads as containers
    (`p["w"]`): its emitted derivatives take arrays."""
    trees = sorted((keyed_params(primal) | container_params(primal)) & set(wrt))
    if trees:
        raise UnsupportedError(f"the derivative of {s.params.get('fn')}.grad() with respect to "
                               f"{', '.join(trees)}, a dict, list or tuple (a pytree), is not "
                               f"supported", s.loc, "pass the arrays it holds as separate "
                               "arguments")


def _check_dots(inner: Inner, s: ir.Assign) -> None:
    """The HVP's tangent keywords must be the ones the rule passes (`x_dot`)."""
    if inner.hvp is not None and inner.hvp.dot_params() != s.params.get("dots"):
        raise UnsupportedError(f"the Hessian-vector product of {s.params.get('fn')}() names its "
                               f"tangents {', '.join(inner.hvp.dot_params())}", s.loc,
                               "rename the local variables of that function ending in _dot")


def _add(nested: Nested, inner: Inner, s: ir.Assign) -> None:
    entry, helpers = [], []
    if inner.adjoint is not None:
        entry += emit_functions(inner.adjoint, suffix=wrt_suffix(s, "grad"))
        nested.homes.append(inner.adjoint)
    if inner.hvp is not None:
        function = emit_hvp(inner.hvp)
        entry.append(function.with_changes(name=cst.Name(function_name(s, "hvp"))))
        nested.homes.append(inner.hvp)
    if inner.twice is not None:
        entry.append(emit_jvp(inner.twice).with_changes(name=cst.Name(twice_name(s))))
        nested.homes.append(inner.twice)
    rerun = rerun_helpers([*([inner.adjoint] if inner.adjoint else []), *inner.helpers])
    for helper in inner.helpers:
        helpers += emit_helper(helper, rerun)
        nested.homes.append(helper)
    for tangent in inner.tangents:
        helpers.append(emit_jvp(tangent))
        nested.homes.append(tangent)
    nested.groups.append((entry, helpers))
