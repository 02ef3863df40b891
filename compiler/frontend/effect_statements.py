"""Statements lowered for their effect (lower.py's Lowerer): a call on a line of its own
(`l.append(v)`, `x.sort()`, `y.fill(v)`, `np.put_along_axis`, a helper run for what it
writes or prints, a random draw) and `with agc.no_grad():`."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from .draw_calls import names_a_draw
from .in_place_calls import in_place_call_statement
from .list_methods import list_method_statement
from .stat_calls import sort_in_place


class EffectStatements:
    """The Lowerer's expression statements and `with` blocks."""

    def _stmt_Expr(self, node: cst.Expr):
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)):
            return
        call = node.value
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                and call.func.attr.value == "append" and isinstance(call.func.value, cst.Name) \
                and self.is_local(call.func.value.value) and len(call.args) == 1:
            name = self.store_name(call.func.value.value)
            value = self.expr(call.args[0].value)
            self.emit_assign(name, Prim.APPEND, (ir.Var(name), value), node)
            return
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                and call.func.attr.value == "sort":
            sort_in_place(self, call)  # x.sort(): x[...] = np.sort(x) (frontend/stat_calls.py)
            return
        if self._in_place_call(node, call) or in_place_call_statement(self, node, call) \
                or list_method_statement(self, node, call) \
                or self.dict_update(call):
            return
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
            call = self.expanded(call)
            callee = call.func.value
            if callee in self.local_functions:  # run for what it appends or prints
                self.call_local(self.local_functions[callee], call)
                return
            if self.writes_its_arguments(call.func):  # run for what it writes in place
                self.call_local(self.module_function(callee), call)
                return
            if callee == "print" and not self.is_local(callee) and self.names.qualify(callee) is None:
                self.print_call(call)
                return
        if isinstance(call, cst.Call) and names_a_draw(call.func):
            self.expr(call)  # rng.random() for its effect (np.random.random(): refused there)
            return
        if isinstance(call, cst.Yield):
            raise self.unsupported(node, "`yield` (a generator function has no single value "
                                   "to differentiate)", "return the value instead, or "
                                   "differentiate a function that consumes the generator")
        raise self.unsupported(node, "an expression statement (its value would be lost)",
                               "assign the value to a variable, or remove the line")

    def _in_place_call(self, node: cst.Expr, call) -> bool:
        """`y.fill(v)` (y[...] = v) and `np.put_along_axis(y, idx, v, axis)` (y[index] = v,
        at the index take_along_axis reads): numpy's writes in place, as item assignments."""
        if not isinstance(call, cst.Call) or any(a.star for a in call.args):
            return False
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "fill" and len(call.args) == 1 \
                and isinstance(func.value, cst.Name) and func.value.value in self.local_names:
            name = func.value.value
            value = self.expr(call.args[0].value)
            if not isinstance(value, ir.Const):  # fill takes one number: numpy raises for more
                value = self.emit_assign(None, Prim.FLOAT, (value,), call.args[0])
            self.emit_assign(name, Prim.SETITEM, (ir.Var(name), value), node,
                             ir.Params.of(index=ir.Index((ir.ELLIPSIS,))))
            return True
        qualified = self.names.qualify(func.value) if isinstance(func, cst.Name) \
            else self.qualify(func)
        if qualified != "numpy.put_along_axis":
            return False
        args = {("arr", "indices", "values", "axis")[i]: a.value
                for i, a in enumerate(call.args) if a.keyword is None}
        args.update({a.keyword.value: a.value for a in call.args if a.keyword is not None})
        target = args.get("arr")
        if set(args) != {"arr", "indices", "values", "axis"} or not isinstance(target, cst.Name) \
                or target.value not in self.local_names:
            raise self.unsupported(call, "this call of np.put_along_axis",
                                   "write np.put_along_axis(y, indices, values, axis) with y "
                                   "a local array")
        axis = self.expr(args["axis"])
        if not isinstance(axis, ir.Const) or not isinstance(axis.value, int):
            raise UserCodeError("`axis` must be a constant integer here", self.loc(args["axis"]),
                                "write the axis as a literal, e.g. axis=0 (for axis=None, "
                                "write into y.reshape(-1) of a contiguous y instead)")
        name = target.value
        index = self.emit_assign(None, Prim.ALONG_AXIS_INDEX,
                                 (ir.Var(name), self.expr(args["indices"])), call,
                                 ir.Params.of(axis=axis.value))
        value = self.expr(args["values"])
        self.emit_assign(name, Prim.SETITEM, (ir.Var(name), value, index), node,
                         ir.Params.of(index=ir.Index.at(2)))
        return True

    def _stmt_With(self, node: cst.With):
        item = node.items[0].item if len(node.items) == 1 else None
        callee = item.func if isinstance(item, cst.Call) else item
        if item is None or node.items[0].asname is not None or \
                self.qualify(callee) not in ("agc.no_grad", "agc.runtime.no_grad"):
            raise self.unsupported(node, "this `with` statement",
                                   "only `with agc.no_grad():` is supported inside a model")
        # Run the block, but let no derivative flow through what it computes.
        block = self.sub_block(lambda: self.statements(node.body.body))
        self.block.extend(_without_gradient(block))


def _without_gradient(block: ir.Block) -> ir.Block:
    """The statements of a no_grad block, each marked as passing no derivative."""
    out = []
    for stmt in block:
        if isinstance(stmt, ir.Assign):
            stmt = replace(stmt, params=stmt.params.with_(nograd=True))
        elif isinstance(stmt, ir.If):
            stmt = replace(stmt, body=_without_gradient(stmt.body),
                           orelse=_without_gradient(stmt.orelse))
        elif isinstance(stmt, (ir.For, ir.While)):
            stmt = replace(stmt, body=_without_gradient(stmt.body))
        out.append(stmt)
    return tuple(out)
