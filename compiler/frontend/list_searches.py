"""Python's list methods that compare items: `l.index(v)`, `l.count(v)`, `l.remove(v)`, and
`l.reverse()`.

    i = l.index(v)   ->  Python's own l.index(v) (items compared with ==, as Python does:
    n = l.count(v)       an array item of more than one value raises, as it does there)
    l.remove(v)      ->  i = l.index(v); l = l[:i] + l[i + 1:]   (in place, as l.pop(i))
    l.reverse()      ->  l = l[::-1]                             (in place)

The in-place forms are marked as l.pop's are (list_methods.py), so every other name of the
list sees the change and an array receiver is refused (numpy arrays have neither method).
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ir.prims import Prim

SEARCHES = {"index": Prim.LIST_INDEX, "count": Prim.LIST_COUNT}


def list_search(low, call: cst.Call, dest) -> ir.Atom | None:
    """`l.index(v)` or `l.count(v)` of a local name; None for any other call."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in SEARCHES \
            or not isinstance(func.value, cst.Name) or not low.is_local(func.value.value) \
            or low.dict_named(func.value) is not None:
        return None
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        raise low.unsupported(call, f"`.{func.attr.value}()` without exactly one argument",
                              f"search the whole list: l.{func.attr.value}(v)")
    seq = low.expr(func.value)
    return low.emit_assign(dest, SEARCHES[func.attr.value], (seq, low.expr(call.args[0].value)),
                           call)


def removed_index(low, call: cst.Call) -> cst.Name:
    """`l.remove(v)`: the position of v in l, bound to a name of its own (a ValueError
    where l holds no such item, as remove raises)."""
    if len(call.args) != 1:
        raise low.unsupported(call, "`.remove()` without exactly one argument")
    name = low.namer.fresh("at")
    low.local_names.add(name)
    seq = low.expr(call.func.value)
    low.emit_assign(name, Prim.LIST_INDEX, (seq, low.expr(call.args[0].value)), call)
    return cst.Name(name)
