"""Rank analysis: the number of dimensions of each variable, where the compiler can know it.

Rank 0 marks the variables that always hold one number (scalars), which the
derivative rules use to skip `unbroadcast` and to write matrix-vector
adjoints without the runtime's shape tests.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..ir.prims import Prim

UNKNOWN = None
UNSET = -1
INDEX_LIST = "index list"  # in `lengths`: a list of ints, which indexes like a 1-D array


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
    once = assigned_once(assigns)
    lengths = {n: k for n, k in lengths.items() if n in once}
    lengths.update({name: INDEX_LIST for name in index_lists(fn)})
    changed = True
    while changed:
        changed = False
        for stmt in assigns:
            name = stmt.target.name
            new = _join(ranks[name], rank_of(stmt, ranks, lengths))
            if new != ranks[name]:
                ranks[name] = new
                changed = True
    return {k: (None if v == UNSET else v) for k, v in ranks.items()}


def index_lists(fn: ir.Function) -> set[str]:
    """Names bound once, to a list of ints written out in the code: as an index (`x[[1, 0]]`)
    each is a 1-D integer array, so the result is a copy, never a view."""
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    once = assigned_once(assigns)
    return {s.target.name for s in assigns if s.prim is Prim.LIST and s.args
            and s.target.name in once
            and all(isinstance(a, ir.Const) and type(a.value) is int for a in s.args)}


def _join(old, new):
    if old == UNSET:
        return new
    if new == UNSET:
        return old
    return old if old == new else UNKNOWN


def atom_rank(atom: ir.Atom, ranks) -> int | None:
    """The rank of a variable or constant given the variables' ranks (None: not known)."""
    if isinstance(atom, ir.Const):
        return 0 if type(atom.value) in (int, float, bool) else UNKNOWN
    return ranks.get(atom.name, UNKNOWN)


def assigned_once(assigns: list[ir.Assign]) -> set[str]:
    """The names exactly one of `assigns` assigns (counted once for all: a model with many
    tuples would otherwise count every assignment per tuple)."""
    counts = Counter(s.target.name for s in assigns)
    return {name for name, count in counts.items() if count == 1}


def rank_of(stmt: ir.Assign, ranks, lengths: dict[str, int]) -> int | None:
    """The rank an assignment gives its target (UNSET while an input is unset)."""
    args = [atom_rank(a, ranks) for a in stmt.args]
    if stmt.prim.spec.always_scalar:
        return 0
    if stmt.prim is Prim.EYE:
        return 2
    if stmt.prim is Prim.ARANGE:
        return 1
    if stmt.prim is Prim.RESHAPE:
        return _reshaped_rank(stmt, lengths)
    if stmt.prim in MADE_FROM_A_SHAPE:  # np.zeros((3, 3)), np.full((2,), v): the shape's length
        return _shape_length(stmt.args[0], lengths)
    if stmt.prim is Prim.TRANSPOSE:
        return args[0] if args[0] != UNSET else UNSET
    if UNSET in args:
        return UNSET
    if stmt.prim.spec.group == "reduction":
        return _reduced_rank(stmt, args[0])
    if stmt.prim is Prim.GETITEM:
        return _indexed_rank(stmt, args, lengths)
    if stmt.prim is Prim.MATMUL and None not in args and max(args) <= 2:
        return {(1, 1): 0, (2, 1): 1, (1, 2): 1, (2, 2): 2}.get(tuple(args), UNKNOWN)
    if stmt.prim in (Prim.DOT, Prim.INNER) and None not in args:
        # dot sums over one axis of each (inner too); with a number it is a product
        return max(args) if 0 in args else args[0] + args[1] - 2
    if stmt.prim is Prim.OUTER:
        return 2
    if stmt.prim in (Prim.CONCATENATE, Prim.STACK) and None not in args and len(set(args)) == 1:
        return _joined_rank(stmt, args[0])
    elementwise = stmt.prim.spec.group in ("elementwise", "nondiff") and \
        stmt.prim.spec.form in ("binop", "unop") or stmt.prim.spec.group == "elementwise"
    if elementwise and stmt.prim not in (Prim.ASARRAY, Prim.ASTYPE) and None not in args:
        return max(args, default=0)
    if stmt.prim is Prim.COPY or stmt.prim in SAME_RANK:
        return args[0]
    if stmt.prim is Prim.SETITEM:  # y[idx] = v: y keeps its shape
        return args[0]
    return _linalg_rank(stmt, args)


def _linalg_rank(stmt: ir.Assign, args: list) -> int | None:
    """Ranks of issue 13's linear algebra: einsum's output, trace, det, diagonal, ..."""
    if stmt.prim is Prim.EINSUM:
        subscripts = (stmt.params.get("subscripts") or ".").replace(" ", "")
        if "." in subscripts:
            return UNKNOWN
        if "->" in subscripts:
            return len(subscripts.split("->")[1])
        letters = [c for c in subscripts if c.isalpha()]
        return sum(1 for c in set(letters) if letters.count(c) == 1)
    if None in args:
        return UNKNOWN
    if stmt.prim is Prim.TENSORDOT:
        axes = stmt.params.get("axes", 2)
        count = axes if isinstance(axes, int) else len(axes[0]) if isinstance(axes[0], tuple) \
            else 1
        return args[0] + args[1] - 2 * count
    shifts = {Prim.TRACE: -2, Prim.DET: -2, Prim.DIAGONAL: -1, Prim.INV: 0,
              Prim.MATRIX_POWER: 0, Prim.CHOLESKY: 0, Prim.PINV: 0, Prim.EIGVALSH: -1}
    if stmt.prim in shifts:
        return args[0] + shifts[stmt.prim]
    if stmt.prim in (Prim.TRIL, Prim.TRIU, Prim.KRON):
        return max(2, *args) if stmt.prim is not Prim.KRON else max(args)
    if stmt.prim is Prim.DIAG:
        return {1: 2, 2: 1}.get(args[0], UNKNOWN)
    return UNKNOWN


# issue 13: rearrangements whose result has the rank of their first argument (issue 19: and
# convolutions and poolings)
SAME_RANK = frozenset({Prim.SWAPAXES, Prim.MOVEAXIS, Prim.FLIP, Prim.ROT90, Prim.ROLL,
                       Prim.MATRIX_T, Prim.PAD, Prim.TAKE_ALONG_AXIS, Prim.FULL_LIKE, Prim.CAST,
                       Prim.ASTYPE,  # x.astype(t): an array or numpy scalar of x's ndim
                       # issue 19: NCHW in, NCHW out (CHW in, CHW out)
                       Prim.CONV1D, Prim.CONV2D, Prim.MAX_POOL2D, Prim.AVG_POOL2D,
                       Prim.ADAPTIVE_AVG_POOL2D, Prim.INDEX_ADD})


def _joined_rank(stmt: ir.Assign, rank: int) -> int:
    """concatenate / hstack / vstack / stack of arrays of one rank."""
    if stmt.prim is Prim.STACK:
        return rank + 1
    if stmt.params.get("vstack"):
        return max(rank, 2)
    return max(rank, 1) if stmt.params.get("hstack") else rank


MADE_FROM_A_SHAPE = frozenset({Prim.ZEROS, Prim.ONES, Prim.FULL})


def _reshaped_rank(stmt: ir.Assign, lengths: dict[str, int]) -> int | None:
    """reshape(x, shape): as many axes as the shape has entries, where that is written out."""
    return _shape_length(stmt.args[1], lengths)


def _shape_length(shape: ir.Atom, lengths: dict[str, int]) -> int | None:
    """How many entries a shape has: a number is one, a tuple written out its length."""
    if isinstance(shape, ir.Const):
        return len(shape.value) if isinstance(shape.value, tuple) else 1
    length = lengths.get(shape.name, UNKNOWN)
    return length if isinstance(length, int) else UNKNOWN


def _reduced_rank(stmt: ir.Assign, rank) -> int | None:
    axis = stmt.params.get("axis")
    if axis is None:
        return 0
    if rank is None:
        return UNKNOWN
    if stmt.params.get("keepdims"):
        return rank
    return rank - (len(axis) if isinstance(axis, tuple) else 1)


def _indexed_rank(stmt: ir.Assign, args, lengths: dict) -> int | None:
    base = args[0]
    items = stmt.params.get("index").items
    if items and items[-1] == ir.ELLIPSIS:  # X[k, ...] drops one axis, as X[k] does
        items = items[:-1]
    if base is None or ir.ELLIPSIS in items:
        return UNKNOWN
    holes = [_index_rank(stmt.args[item.pos], args[item.pos], lengths)
             for item in items if isinstance(item, ir.Hole)]
    if any(rank not in (0, 1) for rank in holes):
        return UNKNOWN  # an index of two or more dimensions: its shape decides
    used = len(holes) + sum(1 for item in items if isinstance(item, ir.Slice))
    if used > base:
        return UNKNOWN
    # Each position (an int, or a 1-D array of ints or bools) takes one axis; 1-D ones
    # broadcast together into one new axis (x[[1, 0]] keeps x's rank). x[a:b] keeps its axis.
    advanced = 1 if 1 in holes else 0
    added = sum(1 for item in items if item == ir.NEWAXIS)
    return base - len(holes) + advanced + added


def _index_rank(atom: ir.Atom, rank, lengths: dict):
    """The rank of one position of an index: a list of ints written out counts as 1-D."""
    if isinstance(atom, ir.Var) and lengths.get(atom.name) == INDEX_LIST:
        return 1
    return rank
