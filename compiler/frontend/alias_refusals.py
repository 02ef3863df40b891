"""The errors of the alias pass (aliasing.py): what agc cannot follow, and the way out.

Each names the write, the other name and the line where the two were related.
"""

from __future__ import annotations

import re

from .. import ir
from ..errors import UnsupportedError, UserCodeError
from ..ir.prims import Prim
from .alias_facts import Fact

CALLER = "<caller>"  # the caller's object, seen through a helper's parameter
OPS = {Prim.ADD: "+", Prim.SUB: "-", Prim.MUL: "*", Prim.DIV: "/", Prim.POW: "**",
       Prim.MATMUL: "@", Prim.FLOORDIV: "//", Prim.MOD: "%", Prim.BITAND: "&",
       Prim.BITOR: "|", Prim.BITXOR: "^", Prim.LSHIFT: "<<", Prim.RSHIFT: ">>"}


def related(partner: str, fact: Fact) -> str:
    """`y` (related at line 7): a partner and where the relation was made."""
    return f"`{partner}` (related at line {fact.loc.line})"


def array_or_number(stmt: ir.Assign, function: str, name: str, partner: str,
                    fact: Fact | None) -> UserCodeError:
    """`y op= v` where y may be an array (written in place, and its partner with it) or
    a number (rebound)."""
    op = OPS.get(stmt.prim, "?")
    if partner == CALLER:
        return UserCodeError(
            f"agc cannot tell whether the parameter `{name}` of `{function}()` is an array, "
            f"which `{op}=` changes in place (in numpy the caller's array too), or a number, "
            f"which it does not", stmt.loc, f"write `{name} = {name} {op} ...` for a new value")
    where = related(partner, fact)
    return UserCodeError(
        f"agc cannot tell whether `{name}` is an array, which `{op}=` changes in place (and "
        f"with it {where}), or a number, which it does not", stmt.loc,
        f"write `{name} = {name} {op} ...` for a new value, or `{name} = {name}.copy()` first "
        f"if {where} must not change")


def caller_list_written(stmt: ir.Assign, function: str, name: str) -> UserCodeError:
    """A write into a list (or dict) the model was given: Python changes the caller's."""
    written = _as_written(stmt, name)
    if written != name:  # agc's temporary for an item (`l[0]` of `l[0][1] = v`)
        return UserCodeError(
            f"this changes `{written}` in place, an item of the list (or dict) the caller "
            f"passed to `{function}()`: in Python the caller's object changes too, which "
            "agc's compiled code does not reproduce", stmt.loc,
            f"work on a copy made first (`row = {written}.copy()`, then write into `row`) "
            "and return it if the caller needs it")
    return UserCodeError(
        f"this changes `{name}` in place, the list (or dict) the caller passed to "
        f"`{function}()`: in Python the caller's object changes too, which agc's compiled "
        "code does not reproduce", stmt.loc,
        f"work on a copy made first (`{name} = list({name})`, `{name} = dict({name})`) "
        "and return it if the caller needs it")


def _as_written(stmt: ir.Assign, name: str) -> str:
    """`name` if the user wrote it at the statement, else the text of the written target
    less its last index: the item `l[0]` that `l[0][1] = v` changes (agc names it l_row)."""
    loc = stmt.loc
    if loc.source is None or loc.line <= 0:
        return name
    text = loc.source.line(loc.line)[loc.col:loc.col + loc.width]
    if re.search(rf"\b{re.escape(name)}\b", text) or not text.endswith("]"):
        return name
    return text[:text.rindex("[")]


def write_not_followed(stmt: ir.Assign, function: str, name: str, current: str, partner: str,
                       key: tuple, fact: Fact) -> UserCodeError:
    """A write to `name` that agc cannot carry to `partner`, which is read afterwards."""
    if partner == CALLER:
        return UserCodeError(
            f"`{function}()` writes its parameter `{current}` in place: in numpy the caller's "
            f"array or list changes too, which agc does not reproduce", stmt.loc,
            f"work on a copy (`{current} = {current}.copy()`) and return it")
    if fact.item_or_row:
        return UserCodeError(
            f"this writes `{name}` in place after `{name}[...]` was read at line {fact.loc.line}, "
            f"and agc cannot tell whether that read is a number (a copy, if `{name}` is a "
            f"vector) or a row that sees this write (if it has more dimensions)",
            stmt.loc, f"copy what you read (`{name}[i].copy()`), or swap items with one index: "
            f"`{name}[[0, 1]] = {name}[[1, 0]]`")
    where = related(partner, fact)
    if key[0] == "same":
        why = f"`{name}` is the same object as {where} on some paths only"
    elif fact.stale:
        why = f"`{name}` shares memory with {where} through an index variable reassigned since"
    else:
        why = f"`{name}` may share memory with {where}, in a way agc does not follow " \
              f"(a view on some paths only, np.expand_dims, np.squeeze, np.asarray, a " \
              f"helper's result or a list item)"
    return UserCodeError(
        f"this writes `{name}` in place, and {why}: agc cannot tell what `{partner}` holds "
        f"afterwards", stmt.loc, f"if a new array was meant, copy it: `{current} = {current}.copy()`")


def shared_item_update(stmt: ir.Assign, name: str, partner: str | None,
                       fact: Fact | None) -> UserCodeError:
    """`l[i] op= v` in place on an item also held by `partner` (None: another slot of `l`)."""
    if partner is not None:
        why = f"that item may also be {related(partner, fact)}"
    else:
        why = f"`{name}` may hold that item in more than one place (`[a] * n`, " \
              f"`[a, a]`, `{name}.append({name}[i])`)"
    return UserCodeError(
        f"this changes an item of the list `{name}` in place (on an array or a list, "
        f"`op=` writes into it rather than making a new one), and {why}: agc follows "
        f"list items as values and cannot tell what it holds afterwards", stmt.loc,
        f"for a new array in that slot write `{name}[i] = {name}[i] op v`; or put a "
        f"copy in the list (`.copy()`)")


def list_slice_write(stmt: ir.Assign, name: str) -> UnsupportedError:
    """`l[a:b] = seq` on a list: Python splices seq in (the list may grow or shrink);
    agc follows a list's items one slot at a time."""
    return UnsupportedError(
        f"assigning to a slice of the list `{name}` (Python splices the new items in, and "
        f"the list may change length) is not supported by agc", stmt.loc,
        "write the items one at a time (`l[i] = v`), or build a new list: "
        "`l = l[:a] + [...] + l[b:]`")


def list_item_written_into(stmt: ir.Assign, name: str, slot: bool) -> UnsupportedError:
    """`np.add(a, b, out=l[0])`, `np.copyto(l[0], v)`: numpy writes into the array the list
    holds (seen by its other names), which agc follows as a value; `out=y[idx]` with an
    index that may be an array: numpy writes into a copy and leaves y alone."""
    if slot:
        what = f"an item of the list `{name}` (numpy writes into the array the list holds)"
        hint = f"bind the item to a name and write into that (`y = {name}[i]`)"
    else:
        what = f"`{name}[...]` with an index that may be an array (numpy writes into a copy " \
               f"and leaves `{name}` alone)"
        hint = "write into a basic slice (integers and slices), or assign the result: " \
               f"`{name}[idx] = ...`"
    return UnsupportedError(f"writing into {what} with `out=` or np.copyto is not supported "
                            "by agc", stmt.loc, hint)
