"""Arrays or lists: which variables hold arrays, sequences (lists, tuples, dicts) or either.

`mark_sequences` tells each `len(x)`, and each row read of a `for row in X`
loop, whether X is an array, a list or may be either, so that emission can
write `X.shape[0]` and `X[k, ...]` for arrays: the Array API standard (and so
a portable array library) has no `len` of an array and no `X[k]` of a matrix.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.index import Slice
from ..ir.prims import Prim
from .param_kinds import container_params
from .ranks import variable_ranks

ARRAY, SEQUENCE, EITHER = "array", "sequence", "either"
SEQ_JOIN, SEQ_REPEAT = "join", "repeat"  # what `+` and `*` do with lists and tuples
# binary operators numpy applies item by item, and Python's `+` and `*` on sequences
ARITHMETIC = (Prim.ADD, Prim.SUB, Prim.MUL, Prim.DIV, Prim.POW)
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
    ranks = variable_ranks(fn, dict(param_ranks or {}))
    kinds = sequence_kinds(fn, set(containers) | container_params(fn), params_are_arrays, ranks)

    def mark(block: ir.Block) -> ir.Block:
        out = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and namer is not None:
                converted, stmt = _arrays_for_numpy(stmt, kinds, namer, temps)
                out += converted
            if isinstance(stmt, ir.Assign) and stmt.prim in ARITHMETIC:
                converted, stmt = _sequence_arithmetic(stmt, kinds, ranks, namer, temps)
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
    if stmt.params.get("ufunc"):  # an operator written as numpy's ufunc: every operand
        return _lists_as_arrays(stmt, kinds, namer, temps)
    if stmt.prim.spec.form != "xp" or stmt.prim is Prim.ASARRAY:
        return [], stmt
    # Only arguments a derivative flows through: the others are shapes, axes or indices,
    # which numpy (and cupy, which wants a tuple for a shape) reads as they are.
    return _lists_as_arrays(stmt, kinds, namer, temps, stmt.prim.spec.diff_args)


def _lists_as_arrays(stmt: ir.Assign, kinds: dict[str, str], namer, temps,
                     through: tuple[int, ...] | None = None
                     ) -> tuple[list[ir.Assign], ir.Assign]:
    """`t = asarray(xs)` for each list argument of `stmt` (at positions `through`, or all),
    and the statement reading t instead."""
    converted: list[ir.Assign] = []
    args = list(stmt.args)
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


def _sequence_arithmetic(stmt: ir.Assign, kinds: dict[str, str], ranks: dict, namer, temps
                         ) -> tuple[list[ir.Assign], ir.Assign]:
    """`a + b` of two lists or tuples joins them (SEQ_JOIN), `seq * n` or `n * seq` repeats
    one (SEQ_REPEAT, the sequence first); a list next to an array becomes an array first,
    as numpy converts it (with a `namer`), so that its items get their cotangents."""
    how = _arithmetic(stmt, kinds, ranks)
    if how == SEQ_JOIN:
        return [], replace(stmt, prim=Prim.SEQ_JOIN)
    if how == SEQ_REPEAT:
        left = _operand_kind(stmt.args[0], kinds)
        return [], replace(stmt, prim=Prim.SEQ_REPEAT,
                           args=stmt.args if left == SEQUENCE else stmt.args[::-1])
    if how != ARRAY or namer is None:
        return [], stmt
    return _lists_as_arrays(stmt, kinds, namer, temps)


def _arithmetic(stmt: ir.Assign, kinds: dict[str, str], ranks: dict | None) -> str | None:
    """How `a op b` treats its operands: SEQ_JOIN or SEQ_REPEAT (Python's list and tuple
    operators), ARRAY (numpy's arithmetic: an array or a number on a side, a list next to
    one converted), EITHER where an operand may be either; None while one is unknown."""
    operands = [_operand_kind(a, kinds) for a in stmt.args]
    if None in operands:
        return None
    if SEQUENCE not in operands:
        return ARRAY if operands == [ARRAY, ARRAY] else EITHER
    if stmt.prim is Prim.ADD and operands == [SEQUENCE, SEQUENCE]:
        return SEQ_JOIN
    if ARRAY not in operands:
        return EITHER
    if stmt.prim is not Prim.MUL:
        return ARRAY  # numpy converts the list: arithmetic item by item
    count = stmt.args[operands.index(ARRAY)]
    if isinstance(count, ir.Const) and type(count.value) in (int, bool):
        return SEQ_REPEAT
    rank = None if ranks is None else ranks.get(count.name) if isinstance(count, ir.Var) else 0
    if rank is None:  # an int repeats, an array multiplies: the arithmetic's rule refuses it
        return EITHER
    # a number: repeated (rt.repeat_sequence refuses a numpy number); an array: numpy's
    return SEQ_REPEAT if rank == 0 else ARRAY


def _operand_kind(atom: ir.Atom, kinds: dict[str, str]) -> str | None:
    """ARRAY (an array or a number), SEQUENCE or EITHER; None while still unknown."""
    if isinstance(atom, ir.Var):
        return kinds.get(atom.name)
    return SEQUENCE if isinstance(atom.value, (list, tuple, str)) else ARRAY


def _marked(stmt: ir.Assign, kind: str, rank: int | None) -> ir.Assign:
    if stmt.prim is Prim.LEN and kind != SEQUENCE:
        return replace(stmt, params=stmt.params.with_(of=kind))
    if stmt.prim is Prim.GETITEM and stmt.params.get("row") is True:
        if kind == EITHER or kind == ARRAY and rank is None:  # a vector's item is a number
            return replace(stmt, params=stmt.params.with_(row=EITHER))
        whole = kind == ARRAY and rank != 1
        return replace(stmt, params=stmt.params.with_(row=None, index=WHOLE_ROW if whole
                                                      else stmt.params.get("index")))
    return stmt


def sequence_kinds(fn: ir.Function, containers: set[str], params_are_arrays: bool = True,
                   ranks: dict[str, int | None] | None = None) -> dict[str, str]:
    """ARRAY, SEQUENCE (list, tuple, dict) or EITHER for each variable, where assignments agree.

    With `ranks`, `lst * v` is a repetition for a number v and numpy's product for an
    array; without, it may be either.
    """
    default = ARRAY if params_are_arrays else EITHER
    kinds: dict[str, str] = {p: SEQUENCE if p in containers else default for p in fn.param_names}
    # a counted loop's index is an int (arithmetic on it waits for no assignment)
    kinds |= {s.target.name: ARRAY for s in ir.walk(fn.body)
              if isinstance(s, ir.For) and s.target is not None}
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    changed = True
    while changed:
        changed = False
        for stmt in assigns:
            name = stmt.target.name
            new = _sequence_kind(stmt, kinds, ranks)
            if new is None:
                continue
            joined = new if kinds.get(name) in (None, new) else EITHER
            if joined != kinds.get(name):
                kinds[name] = joined
                changed = True
    return kinds


def _sequence_kind(stmt: ir.Assign, kinds: dict[str, str], ranks: dict | None = None
                   ) -> str | None:
    """What an assignment puts in its target (None while its input is still unknown)."""
    first = stmt.args[0] if stmt.args else None
    # a string bound to a name may be an einsum spec or a mode, read as it is: EITHER
    text = isinstance(first, ir.Const) and isinstance(first.value, str)
    source = EITHER if first is None or text else _operand_kind(first, kinds)
    spec = stmt.prim.spec
    if stmt.prim in ARITHMETIC:
        how = _arithmetic(stmt, kinds, ranks)
        return SEQUENCE if how in (SEQ_JOIN, SEQ_REPEAT) else how
    if spec.makes_sequence or stmt.prim is Prim.FORMAT:  # an f-string is a str: len() is its
        return SEQUENCE                                       # length, + joins
    if spec.may_make_sequence:
        return EITHER
    if spec.passes_on:
        return source
    if stmt.prim is Prim.GETITEM:  # an item of an array is an array; of a list, anything
        if source == SEQUENCE and one_slice(stmt):  # l[1:] of a list or tuple: one too
            return SEQUENCE
        return None if source is None else ARRAY if source == ARRAY else EITHER
    return ARRAY


def one_slice(stmt: ir.Assign) -> bool:
    """`seq[a:b]`: an index of one slice (of a list or tuple, a list or tuple again)."""
    index = stmt.params.get("index")
    return index is not None and not index.tuple_form and len(index.items) == 1 \
        and isinstance(index.items[0], Slice)
