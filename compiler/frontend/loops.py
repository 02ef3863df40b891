"""Lowering of `for` loops onto the IR's one counted loop, `For` over a range.

    for i in range(a, b, s)       ->  For(i, a, b, s)
    for x in xs                   ->  For(k, 0, len(xs), 1): x = xs[k]  (xs[k, ...] for arrays)
    for i, x in enumerate(xs)     ->  For(i, 0, len(xs), 1): x = xs[i]
    for a, b in zip(as_, bs)      ->  For(k, 0, min(len(as_), len(bs)), 1): a = as_[k]; b = bs[k]
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ir.prims import Prim

# `row=True`: ad.sequences.mark_sequences writes it X[k, ...] when X is an array (Array API).
ITEM = ir.Params.of(index=ir.Index.at(1), row=True)


def lower_for(lowerer, node: cst.For) -> None:
    """Append the IR of the for loop `node` to the lowerer's block."""
    it = node.iter
    kind = _builtin_call(lowerer, it)
    if kind == "range":
        _lower_range(lowerer, node, it)
    elif kind == "enumerate":
        _lower_enumerate(lowerer, node, it)
    elif kind == "zip":
        _lower_zip(lowerer, node, it)
    elif kind is None:
        _lower_sequence(lowerer, node, [(node.target, lowerer.expr(it))], None)
    else:
        raise lowerer.unsupported(it, f"looping over `{kind}(...)`",
                                  "loop over range(...), an array, enumerate(...) or zip(...)")


def _builtin_call(lowerer, it) -> str | None:
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Name) \
            and it.func.value not in lowerer.local_names \
            and it.func.value not in lowerer.names.functions:
        return it.func.value
    return None


def _positional(lowerer, call: cst.Call, low: int, high: int) -> list[ir.Atom]:
    if any(a.keyword is not None or a.star for a in call.args) or not low <= len(call.args) <= high:
        raise lowerer.unsupported(call, "this form of the call in a for loop")
    return [lowerer.expr(a.value) for a in call.args]


def _lower_range(lowerer, node: cst.For, call: cst.Call) -> None:
    args = _positional(lowerer, call, 1, 3)
    start, stop, step = (ir.Const(0), args[0], ir.Const(1)) if len(args) == 1 else \
        (args[0], args[1], args[2] if len(args) == 3 else ir.Const(1))
    if not isinstance(node.target, cst.Name):
        raise lowerer.unsupported(node.target, "this loop target", "use a plain name")
    body = lowerer.sub_block(lambda: lowerer.statements(node.body.body))
    lowerer.block.append(ir.For(ir.Var(node.target.value), start, stop, step, body,
                                loc=lowerer.loc(node)))


def _lower_enumerate(lowerer, node: cst.For, call: cst.Call) -> None:
    args = _positional(lowerer, call, 1, 1)
    target = node.target
    if not (isinstance(target, cst.Tuple) and len(target.elements) == 2
            and isinstance(target.elements[0].value, cst.Name)):
        raise lowerer.unsupported(target, "this enumerate target", "write `for i, x in enumerate(xs)`")
    index = target.elements[0].value.value
    _lower_sequence(lowerer, node, [(target.elements[1].value, args[0])], index)


def _lower_zip(lowerer, node: cst.For, call: cst.Call) -> None:
    seqs = _positional(lowerer, call, 1, 8)
    target = node.target
    if not (isinstance(target, cst.Tuple) and len(target.elements) == len(seqs)):
        raise lowerer.unsupported(target, "this zip target", "unpack one name per sequence")
    _lower_sequence(lowerer, node, [(el.value, s) for el, s in zip(target.elements, seqs)], None)


def _lower_sequence(lowerer, node: cst.For, pairs, index: str | None) -> None:
    """A loop over the first axis of one or more sequences, by position."""
    lengths = [lowerer.emit_assign(None, Prim.LEN, (seq,), node.iter) for _, seq in pairs]
    stop = lengths[0]
    for other in lengths[1:]:
        stop = lowerer.emit_assign(None, Prim.MINIMUM, (stop, other), node.iter,
                                   ir.Params.of(lib="builtins"))
    index = index or lowerer.namer.fresh("k")

    def body():
        for target, seq in pairs:
            item = lowerer.emit_assign(None, Prim.GETITEM, (seq, ir.Var(index)), node.iter, ITEM)
            lowerer.assign_to(target, item, node.target)
        lowerer.statements(node.body.body)

    block = lowerer.sub_block(body)
    lowerer.block.append(ir.For(ir.Var(index), ir.Const(0), stop, ir.Const(1), block,
                                loc=lowerer.loc(node)))
