"""Python's list methods that change the list in place, and list copies (numpy's writes
in place: in_place_calls.py).

    l.extend(seq)        ->  l.append(item) for each item of seq (its length read first,
                             so l.extend(l) doubles l, as in Python)
    l += (a, b)          ->  l += [a, b] where l is a list (list_extends.py)
    l.insert(i, v)       ->  l = l[:i] + [v] + l[i:]   (slices clamp i as insert does)
    v = l.pop(i)         ->  v = l[i]; l = l[:i] + l[i:][1:]   (l.pop(): l = l[:-1])
    list(seq)            ->  a new list, seq's items appended one by one

The rebinding forms are marked in place (`lowerer.in_place`, and `lowerer.list_methods`
so that the aliasing pass refuses them on an array): the aliasing pass (aliasing.py) then
makes the change seen through every other name of the list.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ir.prims import Prim
from .list_searches import removed_index

MUTATING = ("extend", "insert", "pop", "remove", "reverse")


def list_method_statement(low, node: cst.Expr, call) -> bool:
    """`l.extend(seq)`, `l.insert(i, v)`, `l.pop()`, `l.remove(v)`, `l.reverse()` as
    statements; False for anything else."""
    name = _list_receiver(low, call)
    if name is None:
        return False
    method = call.func.attr.value
    if method == "extend":
        _extend(low, name, call, node)
    elif method == "insert":
        _insert(low, name, call, node)
    elif method == "remove":
        at = located(low, removed_index(low, call), call)
        head = low.expr(located(low, _slice(call.func.value, None, at), call))
        after = located(low, _slice(call.func.value, at, None), call)
        tail = low.expr(located(low, _slice(after, cst.Integer("1"), None), call))
        _rebind_in_place(low, name, head, tail, call)
    elif method == "reverse":
        _reverse(low, name, call)
    else:
        pop_value(low, call, None)
    return True


def _list_receiver(low, call) -> str | None:
    """The local name `l` of `l.extend(...)` (or insert, pop) of a list, else None."""
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute) \
            or call.func.attr.value not in MUTATING or any(a.star for a in call.args):
        return None
    receiver = call.func.value
    if not isinstance(receiver, cst.Name) or not low.is_local(receiver.value) \
            or low.dict_named(receiver) is not None:
        return None
    if any(a.keyword is not None for a in call.args):
        raise low.unsupported(call, f"keyword arguments to `.{call.func.attr.value}()`",
                              "pass its arguments by position")
    return receiver.value


def _extend(low, name: str, call: cst.Call, node) -> None:
    if len(call.args) != 1:
        raise low.unsupported(call, "`.extend()` without exactly one argument")
    arg = call.args[0].value
    if isinstance(arg, (cst.List, cst.Tuple)) and \
            not any(isinstance(el, cst.StarredElement) for el in arg.elements):
        items = [low.expr(el.value) for el in arg.elements]  # all read before the first append
        for item in items:
            _append(low, name, item, node)
        return
    seq = low.iterable(arg)
    low.each(seq, node, 0, lambda item: _append(low, name, item, node))


def _append(low, name: str, item: ir.Atom, node) -> None:
    target = low.store_name(name)
    low.emit_assign(target, Prim.APPEND, (ir.Var(target), item), node)


def _insert(low, name: str, call: cst.Call, node) -> None:
    if len(call.args) != 2:
        raise low.unsupported(call, "`.insert()` without exactly two arguments")
    index, value = (a.value for a in call.args)
    _check_index(low, index, "insert")
    item = low.expr(value)
    head = low.expr(located(low, _slice(call.func.value, None, index), call))
    head = low.emit_assign(None, Prim.ADD, (head, low.emit_assign(None, Prim.LIST, (item,), call)),
                           call)
    tail = low.expr(located(low, _slice(call.func.value, index, None), call))
    _rebind_in_place(low, name, head, tail, call)


def list_pop(low, call: cst.Call, dest) -> ir.Atom | None:
    """`v = l.pop(i)` of a local list (None for any other call)."""
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "pop":
        return None
    name = _list_receiver(low, call)
    return None if name is None else pop_value(low, call, dest)


def pop_value(low, call: cst.Call, dest) -> ir.Atom:
    """`l.pop(i)` of a local list: its item at i, then the list without it (in place)."""
    name = call.func.value.value
    if len(call.args) > 1:
        raise low.unsupported(call, "`.pop()` with more than one argument")
    index = call.args[0].value if call.args else None
    if index is not None:
        _check_index(low, index, "pop")
    where = index if index is not None else cst.UnaryOperation(cst.Minus(), cst.Integer("1"))
    # Python raises IndexError even where the popped item is never read (dead code otherwise)
    low.emit_assign(None, Prim.CHECK_POP, (low.expr(call.func.value), low.expr(where)), call)
    taken = low.expr(located(low, cst.Subscript(call.func.value,
                                               [cst.SubscriptElement(cst.Index(where))]), call))
    if index is None:
        rest = low.expr(located(low, _slice(call.func.value, None, where), call))
        target = low.store_name(name)
        low.emit_assign(target, Prim.COPY, (rest,), call)
        _in_place(low, call)
    else:
        head = low.expr(located(low, _slice(call.func.value, None, index), call))
        after = located(low, _slice(call.func.value, index, None), call)
        tail = low.expr(located(low, _slice(after, cst.Integer("1"), None), call))
        _rebind_in_place(low, name, head, tail, call)
    if dest is None:
        return taken
    return low.emit_assign(dest, Prim.COPY, (taken,), call)


def _rebind_in_place(low, name: str, head: ir.Atom, tail: ir.Atom, node) -> None:
    """`l = head + tail`, in place: every other name of the list sees the new items."""
    target = low.store_name(name)
    low.emit_assign(target, Prim.ADD, (head, tail), node)
    _in_place(low, node)


def _in_place(low, node) -> None:
    """The statement just emitted changes a list in place, by the method `node` calls."""
    low.in_place.add(id(low.block[-1]))
    low.list_methods[id(low.block[-1])] = node.func.attr.value


def _reverse(low, name: str, call: cst.Call) -> None:
    if call.args:
        raise low.unsupported(call, "`.reverse()` with arguments")
    reversed_ = cst.Subscript(call.func.value, [cst.SubscriptElement(cst.Slice(
        lower=None, upper=None, step=cst.UnaryOperation(cst.Minus(), cst.Integer("1"))))])
    value = low.expr(located(low, reversed_, call))
    low.emit_assign(low.store_name(name), Prim.COPY, (value,), call)
    _in_place(low, call)


def _check_index(low, index: cst.BaseExpression, method: str) -> None:
    """The index is read twice (a slice on each side): a name or an integer literal only."""
    plain = index.expression if isinstance(index, cst.UnaryOperation) \
        and isinstance(index.operator, cst.Minus) else index
    if not isinstance(plain, (cst.Name, cst.Integer)):
        raise low.unsupported(index, f"this index of `.{method}()`",
                              f"bind the index to a name first: i = ...; l.{method}(i, ...)")


def _slice(value: cst.BaseExpression, lower, upper) -> cst.Subscript:
    return cst.Subscript(value, [cst.SubscriptElement(cst.Slice(lower=lower, upper=upper))])


def located(low, built: cst.CSTNode, node: cst.CSTNode) -> cst.CSTNode:
    """A node built here, located at the source node it stands for."""
    low.loc_alias[built] = low.loc_alias.get(node, node)  # node may itself stand for another
    return built


def augmented_operand(low, node: cst.AugAssign) -> ir.Atom:
    """The right side of `y op= v`. A literal tuple added to a name is noted in
    `low.extends`: where the name is a list, `lists_extended` makes it a list."""
    value = node.value
    if isinstance(node.operator, cst.AddAssign) and isinstance(value, cst.Tuple) and \
            isinstance(node.target, cst.Name) and \
            not any(isinstance(el, cst.StarredElement) for el in value.elements):
        items = [low.expr(el.value) for el in value.elements]
        made = low.emit_assign(None, Prim.TUPLE, items, value)
        low.extends[id(low.block[-1])] = low.store_name_of(node.target.value)
        return made
    return low.expr(value)


def array_copy(low, node: cst.Call, dest) -> ir.Atom | None:
    """`np.array(y)` and `np.array(y, copy=True)`: a new array (np.asarray(y) may be y itself).
    None for other forms (a dtype: read as np.asarray, whose result may share y's memory)."""
    args = list(node.args)
    copy = next((a for a in args if a.keyword is not None and a.keyword.value == "copy"), None)
    if copy is not None:
        if not (isinstance(copy.value, cst.Name) and copy.value.value == "True"):
            raise low.unsupported(copy, "`copy=` other than True in np.array",
                                  "write np.asarray(y) where no copy is wanted")
        args.remove(copy)
    if len(args) != 1 or args[0].keyword is not None or args[0].star:
        return None
    return new_array(low, low.expr(args[0].value), node, dest)


def new_array(low, value: ir.Atom, node, dest) -> ir.Atom:
    """An array of `value`'s items that no other name holds (`np.asarray`, then a copy)."""
    made = low.emit_assign(None, Prim.ASARRAY, (value,), node)
    return low.emit_assign(dest, Prim.COPY, (made,), node, ir.Params.of(fresh=True))


def list_copy(low, arg: cst.BaseExpression, node) -> ir.Atom:
    """`list(seq)`: a new list of seq's items (a list, a tuple, or an array's rows)."""
    if isinstance(arg, (cst.List, cst.Tuple)) and \
            not any(isinstance(el, cst.StarredElement) for el in arg.elements):
        return low.emit_assign(None, Prim.LIST, [low.expr(el.value) for el in arg.elements], node)
    seq = low.iterable(arg)
    result = low.new_temp()
    low.emit_assign(result, Prim.LIST, (), node)
    low.each(seq, node, 0, lambda item: low.emit_assign(
        result, Prim.APPEND, (ir.Var(result), item), node))
    return ir.Var(result)
