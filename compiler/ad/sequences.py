"""Arrays or lists: which variables hold arrays, sequences (lists, tuples, dicts) or either.

`mark_sequences` tells each `len(x)`, and each row read of a `for row in X`
loop, whether X is an array, a list or may be either, so that emission can
write `X.shape[0]` and `X[k, ...]` for arrays: the Array API standard (and so
a portable array library) has no `len` of an array and no `X[k]` of a matrix.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .param_kinds import container_params
from .ranks import variable_ranks

ARRAY, SEQUENCE, EITHER = "array", "sequence", "either"
WHOLE_ROW = ir.Index((ir.Hole(1), ir.ELLIPSIS))  # X[k, ...]


def mark_sequences(fn: ir.Function, containers: set[str],
                   param_ranks: dict[str, int] | None = None,
                   params_are_arrays: bool = True, namer=None,
                   temps: set[str] | None = None) -> ir.Function:
    """fn with `len(x)` and the rows of `for row in X` written for what X holds.

    The Array API standard has neither `len` of an array nor `X[k]` of a matrix, so:
    `len(x)` gets params `of="array"` (emitted `x.shape[0]`) or `of="either"` (emitted
    `rt.length(x)`, for an item of a container, a helper's result or parameter), and
    stays `len(x)` for a list, tuple or dict. A row read that a for loop made (params
    `row=True`) becomes `X[k, ...]` for an array not known to be 1-D, stays `X[k]`
    for a list or a vector, and gets `row="either"` (emitted `rt.item(X, k)`) otherwise.
    Parameters are arrays unless they are containers (given, or annotated dict/list/tuple).
    A list or tuple handed to a numpy function becomes an array first, as numpy
    converts it (`np.mean(xs)` is `np.mean(np.asarray(xs))`), so that its gradient is
    the list of its items' gradients (with a `namer`; without one, nothing is converted).
    """
    kinds = sequence_kinds(fn, set(containers) | container_params(fn), params_are_arrays)
    ranks = variable_ranks(fn, dict(param_ranks or {}))

    def mark(block: ir.Block) -> ir.Block:
        out = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and namer is not None:
                converted, stmt = _arrays_for_numpy(stmt, kinds, namer, temps)
                out += converted
            if isinstance(stmt, ir.Assign) and stmt.args and isinstance(stmt.args[0], ir.Var):
                stmt = _marked(stmt, kinds.get(stmt.args[0].name, EITHER),
                               ranks.get(stmt.args[0].name))
            out.append(ir.map_blocks(stmt, mark))
        return tuple(out)

    return replace(fn, body=mark(fn.body))


def _arrays_for_numpy(stmt: ir.Assign, kinds: dict[str, str], namer, temps
                      ) -> tuple[list[ir.Assign], ir.Assign]:
    """`t = asarray(xs)` for each list argument of a numpy function, and the statement reading t."""
    if stmt.prim.spec.form != "xp" or stmt.prim is Prim.ASARRAY:
        return [], stmt
    converted: list[ir.Assign] = []
    args = list(stmt.args)
    # Only arguments a derivative flows through: the others are shapes, axes or indices,
    # which numpy (and cupy, which wants a tuple for a shape) reads as they are.
    through = stmt.prim.spec.diff_args
    for i, arg in enumerate(args):
        if through is not None and i not in through:
            continue
        if isinstance(arg, ir.Var) and kinds.get(arg.name) == SEQUENCE:
            array = ir.Var(namer.temp())
            if temps is not None:
                temps.add(array.name)
            converted.append(ir.Assign(array, Prim.ASARRAY, (arg,), loc=stmt.loc))
            args[i] = array
    return converted, (replace(stmt, args=tuple(args)) if converted else stmt)


def _marked(stmt: ir.Assign, kind: str, rank: int | None) -> ir.Assign:
    if stmt.prim is Prim.LEN and kind != SEQUENCE:
        return replace(stmt, params=stmt.params.with_(of=kind))
    if stmt.prim is Prim.GETITEM and stmt.params.get("row") is True:
        if kind == EITHER:
            return replace(stmt, params=stmt.params.with_(row=EITHER))
        whole = kind == ARRAY and rank != 1
        return replace(stmt, params=stmt.params.with_(row=None, index=WHOLE_ROW if whole
                                                      else stmt.params.get("index")))
    return stmt


def sequence_kinds(fn: ir.Function, containers: set[str], params_are_arrays: bool = True
                   ) -> dict[str, str]:
    """ARRAY, SEQUENCE (list, tuple, dict) or EITHER for each variable, where assignments agree."""
    default = ARRAY if params_are_arrays else EITHER
    kinds: dict[str, str] = {p: SEQUENCE if p in containers else default for p in fn.param_names}
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    changed = True
    while changed:
        changed = False
        for stmt in assigns:
            name = stmt.target.name
            new = _sequence_kind(stmt, kinds)
            if new is None:
                continue
            joined = new if kinds.get(name) in (None, new) else EITHER
            if joined != kinds.get(name):
                kinds[name] = joined
                changed = True
    return kinds


def _sequence_kind(stmt: ir.Assign, kinds: dict[str, str]) -> str | None:
    """What an assignment puts in its target (None while its input is still unknown)."""
    first = stmt.args[0] if stmt.args else None
    source = kinds.get(first.name) if isinstance(first, ir.Var) else EITHER
    spec = stmt.prim.spec
    if spec.makes_sequence:
        return SEQUENCE
    if spec.may_make_sequence:
        return EITHER
    if spec.passes_on:
        return source
    if stmt.prim is Prim.GETITEM:  # an item of an array is an array; of a list, anything
        return None if source is None else ARRAY if source == ARRAY else EITHER
    return ARRAY
