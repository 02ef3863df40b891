"""Python constructs: `x is None`, `isinstance`, f-strings, `print(...)` and
`assert` (no derivative), and np.concatenate of a list variable.

print and assert are side effects (`Spec.effect`): they stay in the forward
sweep where the user wrote them, are never removed as dead code and are
emitted as statements. None of these has a derivative rule: their Specs are
in the nondiff group.
"""

from __future__ import annotations

import string

import libcst as cst
import numpy as np
from libcst import Module

from ..backend.expressions import ATOM, NOT, Expr, call, const, kwargs
from ..ir.prims import Prim
from ..proof.values import SymbolicError, arr, at_point
from .registry import emitter, jvp, meaning, vjp
from .tangents import linear


# ------------------------------------------------------------ is, is not
@meaning(Prim.IS)
def _is(run, s, x, y):
    return x is y


@meaning(Prim.IS_NOT)
def _is_not(run, s, x, y):
    return x is not y


# ------------------------------------------------------------- isinstance
@emitter(Prim.ISINSTANCE)
def _emit_isinstance(stmt, atom):
    return call("isinstance", [atom(a) for a in stmt.args]), False


@meaning(Prim.ISINSTANCE)
def _isinstance(run, s, x, kinds):
    value = at_point(run, s, x, "isinstance()") if run.symbolic(x) else x
    return isinstance(value, kinds)


# --------------------------------------------------------------- f-strings
@emitter(Prim.FORMAT)
def _emit_format(stmt, atom):
    """An f-string again: its fields hold the variables (constants were formatted already)."""
    names = iter(Module([]).code_for_node(atom(a).at_least(ATOM)) for a in stmt.args)
    text = []
    for literal, field, spec, conversion in string.Formatter().parse(stmt.params.get("text")):
        text.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is not None:
            text.append("{" + next(names) + (f"!{conversion}" if conversion else "")
                        + (f":{spec}" if spec else "") + "}")
    return Expr(cst.parse_expression("f" + repr("".join(text)))), False


@meaning(Prim.FORMAT)
def _format(run, s, *values):
    return s.params.get("text").format(*(at_point(run, s, v, "an f-string") for v in values))


# ------------------------------------------------------------ print, assert
@emitter(Prim.PRINT)
def _emit_print(stmt, atom):
    return cst.Expr(call("print", [atom(a) for a in stmt.args], kwargs(stmt.params)).node)


@meaning(Prim.PRINT)
def _print(run, s, *values):
    return None  # nothing to prove: printing changes no value


@emitter(Prim.ASSERT)
def _emit_assert(stmt, atom):
    test, *message = [atom(a) for a in stmt.args]
    msg = message[0].at_least(NOT + 1) if message else None
    return cst.Assert(test.at_least(NOT), msg)


@meaning(Prim.ASSERT)
def _assert(run, s, cond, *message):
    return None  # the check runs in the emitted code; a proof assumes it passes


@emitter(Prim.CHECK_OUT_CAST, Prim.CHECK_POP, Prim.CHECK_TOLIST, Prim.CHECK_POSITIVE,
         Prim.CHECK_ITERABLE, Prim.CHECK_VIEW_INDEX, Prim.CHECK_VIEW)
def _emit_check(stmt, atom):
    """rt.check_out_cast(value, out), rt.check_pop(items, index), rt.check_tolist(x),
    rt.check_positive(x, ufunc), rt.check_iterable(x), rt.check_view_index(i),
    rt.check_view(view, base): a statement of its own."""
    return cst.Expr(call("rt." + stmt.prim.spec.name, _with_ufunc(stmt, atom)).node)


def _with_ufunc(stmt, atom) -> list:
    """The arguments, and the name of numpy's ufunc numpy's casting error names, if known."""
    ufunc = stmt.params.get("ufunc")
    return [atom(a) for a in stmt.args] + ([const(ufunc)] if ufunc else [])


@meaning(Prim.CHECK_OUT_CAST, Prim.CHECK_POP, Prim.CHECK_TOLIST, Prim.CHECK_POSITIVE,
         Prim.CHECK_ITERABLE, Prim.CHECK_VIEW_INDEX, Prim.CHECK_VIEW)
def _check(run, s, *args):
    return None  # the check runs in the emitted code; a proof assumes it passes


@emitter(Prim.CHECK_UNPACK)
def _emit_check_unpack(stmt, atom):
    return cst.Expr(call("rt.check_unpack", [atom(stmt.args[0]),
                                             const(stmt.params.get("count"))]).node)


@meaning(Prim.CHECK_UNPACK)
def _check_unpack(run, s, x):
    count = s.params.get("count")
    if isinstance(x, (tuple, list)):
        got = len(x)
    elif isinstance(x, np.ndarray) and x.ndim > 0:
        got = x.shape[0]
    else:
        raise SymbolicError(f"line {s.loc.line}: cannot unpack {type(x).__name__} into "
                            f"{count} names")
    if got != count:
        raise SymbolicError(f"line {s.loc.line}: {got} values to unpack into {count} names")


# ------------------------------------------- np.concatenate(a_list_variable)
@vjp(Prim.CONCAT_LIST)
def _concat_list(b, g, s):
    if s.params.get("hstack"):  # the axis numpy picks from the first part's rank
        return (b.op(Prim.UNCONCAT_GRAD, g, s.args[0], hstack=True),)
    return (b.op(Prim.UNCONCAT_GRAD, g, s.args[0], axis=s.params.get("axis", 0)),)


@emitter(Prim.CONCAT_LIST)
def _emit_concat_list(stmt, atom):
    if stmt.params.get("hstack"):
        return call("xp.hstack", [atom(stmt.args[0])]), True
    return call("xp.concatenate", [atom(stmt.args[0])], kwargs(stmt.params)), True


@meaning(Prim.CONCAT_LIST)
def _concat_list_meaning(run, s, items):
    if s.params.get("hstack"):
        return np.hstack([arr(x) for x in items])
    return np.concatenate([arr(x) for x in items], axis=s.params.get("axis", 0))


@meaning(Prim.UNCONCAT_GRAD)
def _unconcat_grad(run, s, g, items):
    axis = s.params.get("axis", 0) % g.ndim
    if s.params.get("hstack"):
        axis = 0 if arr(items[0]).ndim == 1 else 1
    out, start = {}, 0
    for i, x in enumerate(items):
        stop = start + arr(x).shape[axis]
        out[i] = g[(slice(None),) * axis + (slice(start, stop), Ellipsis)]
        start = stop
    return out


jvp(Prim.CONCAT_LIST)(linear)  # tangents: np.concatenate of the tangent list


# ------------------------------------------------------------- y op= v on an array
@vjp(Prim.IN_PLACE)
def _in_place(b, g, s):
    return g, None  # the same values in y's dtype: the cotangent passes through


@jvp(Prim.IN_PLACE)
def _in_place_jvp(b, t, s):
    return None if t[0] is None else b.op(Prim.CAST_LIKE, t[0], s.args[1])


@emitter(Prim.IN_PLACE)
def _emit_in_place(stmt, atom):
    """rt.in_place(y op v, y, "add"): the ufunc named in numpy's error where it raises."""
    return call("rt.in_place", _with_ufunc(stmt, atom)), False


@meaning(Prim.IN_PLACE)
def _in_place_meaning(run, s, value, out):
    return value  # the proof's values are exact: the cast to y's float type changes nothing
