"""Kind analysis: which variables are always Python/numpy scalars (shape ()).

Knowing that both sides of `x * y` are scalars lets the derivative rules skip
`unbroadcast`, and then the backward sweep no longer reads those values,
so they need not be kept on the tape. Scalar parameters are known from a
`float`/`int` annotation (CLI) or from the call's arguments (decorator).
A variable is scalar when every assignment to it gives a scalar.

`mark_sequences` tells each `len(x)`, and each row read of a `for row in X`
loop, whether X is an array, a list or may be either, so that emission can
write `X.shape[0]` and `X[k, ...]` for arrays: the Array API standard (and so
a portable array library) has no `len` of an array and no `X[k]` of a matrix.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim

SCALAR_ANNOTATIONS = {"float", "int"}
CONTAINER_ANNOTATIONS = {"dict", "list", "tuple"}


def is_scalar_const(atom: ir.Atom) -> bool:
    """A numeric literal."""
    return isinstance(atom, ir.Const) and type(atom.value) in (int, float, bool)


def scalar_params(fn: ir.Function) -> set[str]:
    """Parameters annotated `float` or `int`."""
    return {p.name for p in fn.params if p.annotation in SCALAR_ANNOTATIONS}


def container_params(fn: ir.Function) -> set[str]:
    """Parameters annotated dict, list or tuple (pytrees of arrays)."""
    return {p.name for p in fn.params if p.annotation in CONTAINER_ANNOTATIONS}


def keyed_params(fn: ir.Function) -> set[str]:
    """Parameters read with a string key (`params["W1"]`): dicts, whatever the caller passes."""
    return {s.args[0].name for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
            and s.prim is Prim.GETITEM and isinstance(s.args[0], ir.Var)
            and s.args[0].name in fn.param_names and _string_keyed(s)}


def _string_keyed(s: ir.Assign) -> bool:
    items = s.params.get("index").items
    return len(items) == 1 and isinstance(items[0], ir.Hole) \
        and isinstance(s.args[items[0].pos], ir.Const) and isinstance(s.args[items[0].pos].value, str)


def indexed_params(fn: ir.Function) -> set[str]:
    """Parameters the body reads items of (`p[0]`): lists or tuples as far as agc knows."""
    return {s.args[0].name for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
            and s.prim is Prim.GETITEM and isinstance(s.args[0], ir.Var)
            and s.args[0].name in fn.param_names}


def container_variables(fn: ir.Function, params: set[str]) -> set[str]:
    """Names that may hold tuples, lists or dicts: their adjoints add item by item."""
    found = set(params)
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    changed = True
    while changed:
        changed = False
        for s in assigns:
            name = s.target.name
            makes = s.prim in (Prim.CALL, Prim.TUPLE, Prim.LIST, Prim.APPEND) or (
                s.prim in (Prim.GETITEM, Prim.COPY) and isinstance(s.args[0], ir.Var)
                and s.args[0].name in found)
            if makes and name not in found:
                found.add(name)
                changed = True
    return found


UNKNOWN = None
UNSET = -1


def variable_ranks(fn: ir.Function, param_ranks: dict[str, int]) -> dict[str, int | None]:
    """The number of dimensions of each variable, where every assignment agrees on it.

    Parameter ranks come from the call (decorator) or annotations (CLI);
    a variable whose assignments disagree, or depend on something unknown,
    has rank None. Iterates to a fixpoint because loops feed values back.
    """
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    ranks: dict[str, int | None] = {p: param_ranks.get(p, UNKNOWN) for p in fn.param_names}
    for stmt in ir.walk(fn.body):
        if isinstance(stmt, ir.For) and stmt.target is not None:
            ranks[stmt.target.name] = 0
    for stmt in assigns:
        ranks.setdefault(stmt.target.name, UNSET)
    # Lengths of tuples written out in the code: `reshape(x, (K, d, d))` has rank 3.
    lengths = {s.target.name: len(s.args) for s in assigns if s.prim is Prim.TUPLE}
    lengths = {n: k for n, k in lengths.items() if fn_def_count(assigns, n) == 1}
    changed = True
    while changed:
        changed = False
        for stmt in assigns:
            name = stmt.target.name
            new = _join(ranks[name], _rank_of(stmt, ranks, lengths))
            if new != ranks[name]:
                ranks[name] = new
                changed = True
    return {k: (None if v == UNSET else v) for k, v in ranks.items()}


def _join(old, new):
    if old == UNSET:
        return new
    if new == UNSET:
        return old
    return old if old == new else UNKNOWN


def _atom_rank(atom: ir.Atom, ranks) -> int | None:
    if isinstance(atom, ir.Const):
        return 0 if type(atom.value) in (int, float, bool) else UNKNOWN
    return ranks.get(atom.name, UNKNOWN)


def fn_def_count(assigns: list[ir.Assign], name: str) -> int:
    """How many of `assigns` assign `name`."""
    return sum(1 for s in assigns if s.target.name == name)


def _rank_of(stmt: ir.Assign, ranks, lengths: dict[str, int]) -> int | None:
    """The rank an assignment gives its target (UNSET while an input is unset)."""
    args = [_atom_rank(a, ranks) for a in stmt.args]
    if stmt.prim.spec.always_scalar:
        return 0
    if stmt.prim is Prim.EYE:
        return 2
    if stmt.prim is Prim.RESHAPE:
        return _reshaped_rank(stmt, lengths)
    if stmt.prim is Prim.TRANSPOSE:
        return args[0] if args[0] != UNSET else UNSET
    if UNSET in args:
        return UNSET
    if stmt.prim.spec.group == "reduction":
        return _reduced_rank(stmt, args[0])
    if stmt.prim is Prim.GETITEM:
        return _indexed_rank(stmt, args)
    if stmt.prim in (Prim.MATMUL, Prim.DOT) and None not in args and max(args) <= 2:
        return {(1, 1): 0, (2, 1): 1, (1, 2): 1, (2, 2): 2}.get(tuple(args), UNKNOWN)
    elementwise = stmt.prim.spec.group in ("elementwise", "nondiff") and \
        stmt.prim.spec.form in ("binop", "unop") or stmt.prim.spec.group == "elementwise"
    if elementwise and stmt.prim not in (Prim.ASARRAY, Prim.ASTYPE) and None not in args:
        return max(args, default=0)
    if stmt.prim is Prim.COPY:
        return args[0]
    return UNKNOWN


def _reshaped_rank(stmt: ir.Assign, lengths: dict[str, int]) -> int | None:
    """reshape(x, shape): as many axes as the shape has entries, where that is written out."""
    shape = stmt.args[1]
    if isinstance(shape, ir.Const):
        return len(shape.value) if isinstance(shape.value, tuple) else 1
    return lengths.get(shape.name, UNKNOWN)


def _reduced_rank(stmt: ir.Assign, rank) -> int | None:
    axis = stmt.params.get("axis")
    if axis is None:
        return 0
    if rank is None:
        return UNKNOWN
    if stmt.params.get("keepdims"):
        return rank
    return rank - (len(axis) if isinstance(axis, tuple) else 1)


def _indexed_rank(stmt: ir.Assign, args) -> int | None:
    base = args[0]
    items = stmt.params.get("index").items
    if items and items[-1] == ir.ELLIPSIS:  # X[k, ...] drops one axis, as X[k] does
        items = items[:-1]
    if base is None or ir.ELLIPSIS in items:
        return UNKNOWN
    if any(isinstance(item, ir.Hole) and args[item.pos] != 0 for item in items):
        return UNKNOWN  # an array index: its shape decides
    used = sum(1 for item in items if isinstance(item, (ir.Hole, ir.Slice)))
    if used > base:
        return UNKNOWN
    dropped = sum(1 for item in items if isinstance(item, ir.Hole))  # x[a:b] keeps its axis
    added = sum(1 for item in items if item == ir.NEWAXIS)
    return base - dropped + added


# ------------------------------------------------------------------ len(x), rows
ARRAY, SEQUENCE, EITHER = "array", "sequence", "either"
WHOLE_ROW = ir.Index((ir.Hole(1), ir.ELLIPSIS))  # X[k, ...]


def mark_sequences(fn: ir.Function, containers: set[str],
                   param_ranks: dict[str, int] | None = None,
                   params_are_arrays: bool = True) -> ir.Function:
    """fn with `len(x)` and the rows of `for row in X` written for what X holds.

    The Array API standard has neither `len` of an array nor `X[k]` of a matrix, so:
    `len(x)` gets params `of="array"` (emitted `x.shape[0]`) or `of="either"` (emitted
    `rt.length(x)`, for an item of a container, a helper's result or parameter), and
    stays `len(x)` for a list, tuple or dict. A row read that a for loop made (params
    `row=True`) becomes `X[k, ...]` for an array not known to be 1-D, stays `X[k]`
    for a list or a vector, and gets `row="either"` (emitted `rt.item(X, k)`) otherwise.
    Parameters are arrays unless they are containers (given, or annotated dict/list/tuple).
    """
    kinds = sequence_kinds(fn, set(containers) | container_params(fn), params_are_arrays)
    ranks = variable_ranks(fn, dict(param_ranks or {}))

    def mark(block: ir.Block) -> ir.Block:
        out = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and stmt.args and isinstance(stmt.args[0], ir.Var):
                stmt = _marked(stmt, kinds.get(stmt.args[0].name, EITHER),
                               ranks.get(stmt.args[0].name))
            out.append(_with_blocks(stmt, mark))
        return tuple(out)

    return replace(fn, body=mark(fn.body))


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


def _with_blocks(stmt: ir.Stmt, fn) -> ir.Stmt:
    if isinstance(stmt, ir.If):
        return replace(stmt, body=fn(stmt.body), orelse=fn(stmt.orelse))
    if isinstance(stmt, ir.While):
        return replace(stmt, test=fn(stmt.test), body=fn(stmt.body))
    if isinstance(stmt, ir.For):
        return replace(stmt, body=fn(stmt.body))
    return stmt
