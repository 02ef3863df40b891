"""Lowering of `for` loops onto the IR's one counted loop, `For` over a range.

    for i in range(a, b, s)       ->  For(i, a, b, s)
    for x in xs                   ->  For(k, 0, len(xs), 1): x = xs[k]  (xs[k, ...] for arrays)
    for i, x in enumerate(xs, s)  ->  For(k, 0, len(xs), 1): i = k + s; x = xs[k]
    for a, b in zip(as_, bs)      ->  For(k, 0, min(len(as_), len(bs)), 1): a = as_[k]; b = bs[k]
    for x in reversed(xs)         ->  For(k, len(xs) - 1, -1, -1): x = xs[k]
    for v in map(f, xs)           ->  For(k, 0, len(xs), 1): v = f(xs[k])  (lazy_builtins.py)

Comprehensions use the same lowering (`lower_loop`), with their own body.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from .. import ir
from ..ir.prims import Prim
from .lazy_builtins import as_comprehension, map_loop, refuse_inside_a_loop_helper

# `row=True`: ad.sequences.mark_sequences writes it X[k, ...] when X is an array (Array API).
ITEM = ir.Params.of(index=ir.Index.at(1), row=True)
LOOPS = ("range", "enumerate", "zip", "reversed")


def lower_for(lowerer, node: cst.For) -> None:
    """Append the IR of the for loop `node` to the lowerer's block."""
    lower_loop(lowerer, node.target, node.iter, lambda: lowerer.statements(node.body.body), node)


def lower_loop(lowerer, target, it, body: Callable[[], object], node,
               scope: Callable[[], object] | None = None) -> None:
    """A loop binding `target` to each item of `it` and running `body`.

    `scope`, when given, runs after the iterable is evaluated and before the
    target is bound (a comprehension's variables are its own).
    """
    kind = _builtin_call(lowerer, it)
    if kind == "zip" and any(a.star for a in it.args):  # zip(*rows): the rows' columns
        it, kind = as_comprehension(lowerer, it), None
    if kind == "range":
        _lower_range(lowerer, node, it, target, body, scope)
    elif kind == "enumerate":
        _lower_enumerate(lowerer, node, it, target, body, scope)
    elif kind == "zip":
        _lower_zip(lowerer, node, it, target, body, scope)
    elif kind == "reversed":
        _lower_reversed(lowerer, node, it, target, body, scope)
    elif kind == "map":  # f called item by item, between the body's runs
        map_loop(lowerer, target, it, body, node, scope, lower_loop)
    elif kind is None:
        seq = lowerer.iterable(it)
        _run(scope)
        _lower_sequence(lowerer, node, it, [(target, seq)], None, body)
    else:
        raise lowerer.unsupported(it, f"looping over `{kind}(...)`",
                                  "loop over range(...), a list, an array, enumerate(...), "
                                  "zip(...), map(...) or reversed(...)")


def _run(scope) -> None:
    if scope is not None:
        scope()


def _builtin_call(lowerer, it) -> str | None:
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Name) \
            and not lowerer.is_local(it.func.value) \
            and it.func.value not in lowerer.names.functions \
            and lowerer.names.qualify(it.func.value) is None:
        return it.func.value
    return None


def _positional(lowerer, call: cst.Call, low: int, high: int, keywords=()) -> list[ir.Atom]:
    plain = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or not low <= len(plain) <= high or \
            any(a.keyword is not None and a.keyword.value not in keywords for a in call.args):
        raise lowerer.unsupported(call, "this form of the call in a for loop")
    for a in plain:
        refuse_inside_a_loop_helper(lowerer, a.value, call.func.value)
    return [lowerer.iterable(a.value) for a in plain]


def _keyword(lowerer, call: cst.Call, key: str) -> ir.Atom | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == key:
            return lowerer.expr(a.value)
    return None


def _range_bounds(args: list[ir.Atom]):
    if len(args) == 1:
        return ir.Const(0), args[0], ir.Const(1)
    return args[0], args[1], args[2] if len(args) == 3 else ir.Const(1)


def _lower_range(lowerer, node, call: cst.Call, target, body, scope) -> None:
    start, stop, step = _range_bounds(_positional(lowerer, call, 1, 3))
    _counted(lowerer, node, target, start, stop, step, body, scope)


def _counted(lowerer, node, target, start, stop, step, body, scope) -> None:
    _run(scope)
    if not isinstance(target, cst.Name):
        raise lowerer.unsupported(target, "this loop target", "use a plain name")
    name = lowerer.store_name(target.value)
    block = lowerer.sub_block(body)
    lowerer.block.append(ir.For(ir.Var(name), start, stop, step, block, loc=lowerer.loc(node)))


def _lower_enumerate(lowerer, node, call: cst.Call, target, body, scope) -> None:
    zipped = call.args[0].value if call.args and not call.args[0].keyword else None
    if _builtin_call(lowerer, zipped) != "zip":
        zipped = None
    args = [*_positional(lowerer, call, 1, 2, keywords=("start",))] if zipped is None else \
        [ir.Const(None), *_positional(lowerer, call.with_changes(args=call.args[1:]), 0, 1,
                                      keywords=("start",))]
    seqs = _positional(lowerer, zipped, 1, 8) if zipped is not None else args[:1]
    start = args[1] if len(args) == 2 else _keyword(lowerer, call, "start")
    _run(scope)
    if not (isinstance(target, cst.Tuple) and len(target.elements) == 2
            and isinstance(target.elements[0].value, cst.Name)):
        raise lowerer.unsupported(target, "this enumerate target", "write `for i, x in enumerate(xs)`")
    index = lowerer.store_name(target.elements[0].value.value)
    items = target.elements[1].value
    if zipped is None:
        pairs = [(items, seqs[0])]
    elif isinstance(items, (cst.Tuple, cst.List)) and len(items.elements) == len(seqs):
        pairs = [(el.value, seq) for el, seq in zip(items.elements, seqs)]  # i, (a, b)
    else:
        raise lowerer.unsupported(items, "this target of enumerate(zip(...))",
                                  "write `for i, (a, b) in enumerate(zip(xs, ys))`")
    if start is None or start == ir.Const(0):
        _lower_sequence(lowerer, node, call, pairs, index, body)
        return
    counter = lowerer.namer.fresh("k")

    def numbered():  # i = k + start, as enumerate counts from start
        lowerer.emit_assign(index, Prim.ADD, (ir.Var(counter), start), call)
        body()

    _lower_sequence(lowerer, node, call, pairs, counter, numbered)


def _lower_zip(lowerer, node, call: cst.Call, target, body, scope) -> None:
    seqs = _positional(lowerer, call, 1, 8)
    _run(scope)
    if not (isinstance(target, cst.Tuple) and len(target.elements) == len(seqs)):
        raise lowerer.unsupported(target, "this zip target", "unpack one name per sequence")
    _lower_sequence(lowerer, node, call, [(el.value, s) for el, s in zip(target.elements, seqs)],
                    None, body)


def _lower_reversed(lowerer, node, call: cst.Call, target, body, scope) -> None:
    inner = call.args[0].value if len(call.args) == 1 and not call.args[0].keyword else None
    if inner is None or call.args[0].star:
        raise lowerer.unsupported(call, "this form of reversed(...)", "write reversed(xs)")
    if _builtin_call(lowerer, inner) == "range":
        start, stop, step = _range_bounds(_positional(lowerer, inner, 1, 3))
        if not all(isinstance(a, ir.Const) for a in (start, stop, step)) and step != ir.Const(1):
            raise lowerer.unsupported(inner, "reversed(range(...)) with a computed step",
                                      "write the reversed range: range(stop - 1, start - 1, -1)")
        if step == ir.Const(1):  # the same numbers, backwards
            first = lowerer.emit_assign(None, Prim.SUB, (stop, ir.Const(1)), inner)
            last = lowerer.emit_assign(None, Prim.SUB, (start, ir.Const(1)), inner)
            _counted(lowerer, node, target, first, last, ir.Const(-1), body, scope)
            return
        backwards = range(start.value, stop.value, step.value)[::-1]
        _counted(lowerer, node, target, ir.Const(backwards.start), ir.Const(backwards.stop),
                 ir.Const(backwards.step), body, scope)
        return
    refuse_inside_a_loop_helper(lowerer, inner, "reversed")
    seq = lowerer.iterable(inner)
    _run(scope)
    length = lowerer.emit_assign(None, Prim.LEN, (seq,), call)
    first = lowerer.emit_assign(None, Prim.SUB, (length, ir.Const(1)), call)
    index = lowerer.namer.fresh("k")

    def item_then_body():
        item = lowerer.emit_assign(None, Prim.GETITEM, (seq, ir.Var(index)), call, ITEM)
        lowerer.assign_to(target, item, target)
        body()

    block = lowerer.sub_block(item_then_body)
    lowerer.block.append(ir.For(ir.Var(index), first, ir.Const(-1), ir.Const(-1), block,
                                loc=lowerer.loc(node)))


def _lower_sequence(lowerer, node, it, pairs, index: str | None, body) -> None:
    """A loop over the first axis of one or more sequences, by position."""
    lengths = [lowerer.emit_assign(None, Prim.LEN, (seq,), it) for _, seq in pairs]
    stop = lengths[0]
    for other in lengths[1:]:
        stop = lowerer.emit_assign(None, Prim.MINIMUM, (stop, other), it,
                                   ir.Params.of(lib="builtins"))
    index = index or lowerer.namer.fresh("k")

    def item_then_body():
        for target, seq in pairs:
            item = lowerer.emit_assign(None, Prim.GETITEM, (seq, ir.Var(index)), it, ITEM)
            lowerer.assign_to(target, item, target)
        body()

    block = lowerer.sub_block(item_then_body)
    lowerer.block.append(ir.For(ir.Var(index), ir.Const(0), stop, ir.Const(1), block,
                                loc=lowerer.loc(node)))
