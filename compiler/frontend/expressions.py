"""Lowering of expressions: a libcst expression becomes statements plus one atom.

Every nested expression gets its own temporary, so the result is in
A-normal form. Calls are matched against calls.py; anything not understood
is rejected with a `UserCodeError` pointing at the construct.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
import numpy

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim
from . import numpy_names as calls
from .resolve import ModuleValue

BINARY = {
    cst.Add: Prim.ADD, cst.Subtract: Prim.SUB, cst.Multiply: Prim.MUL,
    cst.Divide: Prim.DIV, cst.Power: Prim.POW, cst.MatrixMultiply: Prim.MATMUL,
    cst.FloorDivide: Prim.FLOORDIV, cst.Modulo: Prim.MOD,
    cst.BitAnd: Prim.BITAND, cst.BitOr: Prim.BITOR, cst.BitXor: Prim.BITXOR,
    cst.LeftShift: Prim.LSHIFT, cst.RightShift: Prim.RSHIFT,
}
COMPARE = {
    cst.LessThan: Prim.LT, cst.LessThanEqual: Prim.LE, cst.GreaterThan: Prim.GT,
    cst.GreaterThanEqual: Prim.GE, cst.Equal: Prim.EQ, cst.NotEqual: Prim.NE,
}
BUILTIN_CONSTS = {"True": True, "False": False, "None": None}
# the builtin types numpy reads as dtypes: x.astype(int), np.zeros(3, dtype=float)
BUILTIN_DTYPES = {"int": int, "float": float, "bool": bool, "complex": complex}
EXPRESSION_HINTS = {
    "SetComp": ("a set comprehension", "use a for loop"),
    "Dict": ("a dict literal used as a value", "assign it to a name first: d = {'w': w}"),
    "DictComp": ("a dict comprehension used as a value", "assign it to a name first"),
    "Await": ("await", "differentiate synchronous code only"),
    "Yield": ("yield", "return a value instead"),
    "Imaginary": ("a complex number", "agc differentiates real-valued code"),
}


def _int_consts(*atoms) -> bool:
    return all(isinstance(a, ir.Const) and type(a.value) in (int, bool) for a in atoms)


class ExpressionLowering:
    """Mixin of the Lowerer: turns expressions into atoms (see lower.py for state)."""

    # -------------------------------------------------------------- entry
    def expr(self, node: cst.BaseExpression, dest: str | None = None) -> ir.Atom:
        """Lower `node`; the value lands in `dest` when given, else in an atom."""
        method = getattr(self, "_expr_" + type(node).__name__, None)
        if method is None:
            what, hint = EXPRESSION_HINTS.get(type(node).__name__, ("this kind of expression", None))
            raise self.unsupported(node, what, hint)
        atom = method(node, dest)
        if dest is not None and atom != ir.Var(dest):
            self.emit_assign(dest, Prim.COPY, (atom,), node=node)
            return ir.Var(dest)
        return atom

    def emit_assign(self, dest: str | None, prim: Prim, args, node, params=None) -> ir.Var:
        """Append `dest = prim(*args)` (dest: a new temporary when None)."""
        target = ir.Var(dest if dest is not None else self.new_temp())
        self.block.append(ir.Assign(target, prim, tuple(args), params or ir.Params(),
                                    self.loc(node)))
        return target

    # ------------------------------------------------------------- leaves
    def _expr_Name(self, node: cst.Name, dest):
        name = node.value
        if name in self.deleted:
            raise UserCodeError(f"`{name}` is read after `del {name}`", self.loc(node),
                                "Python raises NameError here: assign it again first")
        if name in self.renames:
            atom = self.renames[name]
            if isinstance(atom, ir.Var) and atom.name in self.dicts:
                raise self._dict_as_value(node)
            return self.known.get(atom.name, atom) if isinstance(atom, ir.Var) else atom
        if name in self.local_functions:
            raise self.unsupported(node, f"the nested function `{name}` used as a value",
                                   "call it, or pass it to another nested function")
        if name in self.pullbacks:
            raise self.unsupported(node, f"the pullback `{name}` of agc.vjp used as a value",
                                   "call it here, pull(s), where agc.vjp made it")
        if name in self.dicts and not self.global_scope:
            raise self._dict_as_value(node)
        if name in self.local_names and not self.global_scope:
            return self.known.get(name, ir.Var(name))
        if name in BUILTIN_CONSTS:
            return ir.Const(BUILTIN_CONSTS[name])
        if name in BUILTIN_DTYPES:
            return ir.Const(BUILTIN_DTYPES[name], text=name)
        if name in self.names.constants:
            self.names.read.add(name)
            if self.names.qualify_reads:
                return self._qualified(name, self.names.constants[name])
            return ir.Const(self.names.constants[name], text=name)
        if name in self.names.values:
            return self._module_value(name)
        raise UserCodeError(f"name {name!r} is not defined here", self.loc(node),
                            "agc sees the function's parameters, its own variables, "
                            "module-level numbers, flags, strings, arrays, lists/tuples/dicts "
                            "of numbers and imported numpy/math names; pass other values as "
                            "parameters")

    def _module_value(self, name: str) -> ir.Const:
        """A module-level array or container: a constant the emitted code reads by name."""
        value = self.names.values[name]
        self.names.read.add(name)
        if isinstance(value, ModuleValue) or self.names.qualify_reads:
            return self._qualified(name, value)
        return ir.Const(value, text=name)

    def _qualified(self, name: str, value) -> ir.Const:
        """`model.A`: read from its module at call time (`import model` in emitted code)."""
        line = f"import {self.names.home}"
        if line not in self.names.imports:
            self.names.imports.append(line)
        return ir.Const(value, text=f"{self.names.home}.{name}")

    def _expr_Integer(self, node: cst.Integer, dest):
        return ir.Const(node.evaluated_value)

    def _expr_Float(self, node: cst.Float, dest):
        return ir.Const(node.evaluated_value)

    def _expr_SimpleString(self, node: cst.SimpleString, dest):
        return ir.Const(node.evaluated_value)

    def _expr_Ellipsis(self, node, dest):
        return ir.Const(Ellipsis, text="...")

    # ---------------------------------------------------------- operators
    def _expr_BinaryOperation(self, node: cst.BinaryOperation, dest):
        prim = BINARY.get(type(node.operator))
        if prim is None:
            raise self.unsupported(node.operator, f"the operator `{node.operator.__class__.__name__}`")
        left, right = self.expr(node.left), self.expr(node.right)
        if prim.spec.fold is not None and _int_consts(left, right) \
                and not (prim is Prim.POW and not 0 <= right.value <= 64) \
                and not (prim is Prim.DIV and right.value == 0):
            return ir.Const(prim.spec.fold(left.value, right.value))  # n - 1 on a counter
        return self.emit_assign(dest, prim, (left, right), node)

    def _expr_UnaryOperation(self, node: cst.UnaryOperation, dest):
        operand = self.expr(node.expression)
        if isinstance(node.operator, cst.Plus):
            if isinstance(operand, ir.Const):
                return operand
            # +x of an array is a new array (numpy's positive: a bool array raises)
            self.emit_assign(None, Prim.CHECK_POSITIVE, (operand, ir.Const(False)), node)
            return self.emit_assign(dest, Prim.COPY, (operand,), node, ir.Params.of(fresh=True))
        if isinstance(node.operator, cst.Minus):
            if isinstance(operand, ir.Const) and isinstance(operand.value, (int, float)):
                return ir.Const(-operand.value)
            return self.emit_assign(dest, Prim.NEG, (operand,), node)
        if isinstance(node.operator, cst.Not):
            if isinstance(operand, ir.Const) and isinstance(operand.value, (bool, int, type(None))):
                return ir.Const(not operand.value)
            return self.emit_assign(dest, Prim.NOT, (operand,), node)
        if isinstance(node.operator, cst.BitInvert):
            return self.emit_assign(dest, Prim.INVERT, (operand,), node)
        raise self.unsupported(node.operator, f"the operator `{node.operator.__class__.__name__}`")

    def _expr_BooleanOperation(self, node: cst.BooleanOperation, dest):
        # Short-circuit like Python: `a and b` evaluates b only when a is true.
        self.walrus_in_right_operand(node)
        result = dest or self.new_temp()
        outer, self.block = self.block, []
        try:
            left = self.expr(node.left)
        finally:
            scratch, self.block = self.block, outer
        self.block.extend(scratch)
        if isinstance(left, ir.Const) and isinstance(left.value, (bool, int, type(None))):
            decided = bool(left.value) != isinstance(node.operator, cst.And)
            return left if decided else self.expr(node.right)  # known when compiling
        last = self.block[-1] if scratch else None
        if isinstance(last, ir.Assign) and last.target == left and left.name in self.temps \
                and not last.prim.spec.in_place:
            self.block[-1] = replace(last, target=ir.Var(result))  # computed into result itself
            left = ir.Var(result)
        left = self.expr_to(left, result, node)
        right_block = self.sub_block(lambda: self.expr(node.right, result))
        if isinstance(node.operator, cst.And):
            self.block.append(ir.If(left, right_block, (), self.loc(node)))
        else:
            self.block.append(ir.If(left, (), right_block, self.loc(node)))
        return ir.Var(result)

    def expr_to(self, atom: ir.Atom, dest: str, node) -> ir.Atom:
        """`dest = atom` (nothing when atom is dest already)."""
        if atom != ir.Var(dest):
            self.emit_assign(dest, Prim.COPY, (atom,), node)
        return ir.Var(dest)

    def _expr_IfExp(self, node: cst.IfExp, dest):
        cond = self.expr(node.test)
        if isinstance(cond, ir.Const) and isinstance(cond.value, (bool, int, type(None))):
            return self.expr(node.body if cond.value else node.orelse)
        result = dest or self.new_temp()
        body = self.sub_block(lambda: self.expr(node.body, result))
        orelse = self.sub_block(lambda: self.expr(node.orelse, result))
        self.block.append(ir.If(cond, body, orelse, self.loc(node)))
        return ir.Var(result)

    def _expr_Tuple(self, node: cst.Tuple, dest):
        items = [self.expr(el.value) for el in self._plain_elements(node)]
        if all(isinstance(a, ir.Const) for a in items):
            return ir.Const(tuple(a.value for a in items))
        return self.emit_assign(dest, Prim.TUPLE, items, node)

    def _expr_List(self, node: cst.List, dest):
        items = [self.expr(el.value) for el in self._plain_elements(node)]
        return self.emit_assign(dest, Prim.LIST, items, node)

    def _plain_elements(self, node):
        for el in node.elements:
            if isinstance(el, cst.StarredElement):
                raise self.unsupported(el, "a starred element")
        return node.elements

    # --------------------------------------------------------- attributes
    def _expr_Attribute(self, node: cst.Attribute, dest):
        if self.is_self(node.value):
            return self.self_attribute(node, dest)
        qualified = self.qualify(node)
        if qualified is not None:
            return self._module_constant(node, qualified)
        prim = calls.ATTRIBUTES.get(node.attr.value)
        field = calls.RESULT_POSITIONS.get(node.attr.value)
        if prim is None and field is not None and isinstance(node.value, cst.Call) \
                and self.qualify(node.value.func) in field[0]:
            # np.linalg.eigh(A).eigenvalues: the named result's item, np.linalg.eigh(A)[0]
            item = cst.Subscript(node.value, [cst.SubscriptElement(
                cst.Index(cst.Integer(str(field[1]))))])
            self.loc_alias[item] = node
            return self.expr(item, dest)
        if prim is None and node.attr.value in calls.RESULT_FIELDS:
            raise self.unsupported(node.attr, f"the attribute `.{node.attr.value}`",
                                   f"unpack the result instead: "
                                   f"{calls.RESULT_FIELDS[node.attr.value]}")
        if prim is None:
            raise self.unsupported(node.attr, f"the attribute `.{node.attr.value}`",
                                   "supported: .T, .shape, .ndim, .size, .dtype")
        return self.emit_assign(dest, prim, (self.expr(node.value),), node)

    def _module_constant(self, node, qualified: str) -> ir.Const:
        text = self.module.code_for_node(node)
        if qualified in calls.CONSTANTS:
            return ir.Const(calls.CONSTANTS[qualified], text=text)
        name = qualified.rpartition(".")[2]
        if qualified.startswith("numpy.") and name in calls.DTYPES:
            return ir.Const(getattr(numpy, name), text=text)
        raise self.unsupported(node, f"`{text}` as a value")

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a module-level dotted name, or None."""
        parts = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name) or self.is_local(node.value):
            return None
        parts.append(node.value)
        return self.names.qualify(".".join(reversed(parts)))

    # ---------------------------------------------------------- subscripts
    def _dict_as_value(self, node):
        return self.unsupported(node, "a dict built in the function used as a value here",
                                "read its entries with d['key'], or loop over d.items(); "
                                "to return or pass a dict, take it as a parameter")

    def _expr_Subscript(self, node: cst.Subscript, dest):
        item = self.dict_item(node)
        if item is not None:
            return item
        base = self.expr(node.value)
        args, template = self.index(node)
        return self.emit_assign(dest, Prim.GETITEM, (base, *args), node,
                                ir.Params.of(index=template))

    def index(self, node: cst.Subscript) -> tuple[list[ir.Atom], ir.Index]:
        """The atoms and template of `x[...]`: template items refer to atom positions."""
        args: list[ir.Atom] = []

        def hole(expr):
            if expr is None:
                return None
            args.append(self.expr(expr))
            return len(args)  # positions count from 1: args[0] is the indexed value

        template: list[ir.index.Item] = []
        for element in node.slice:
            item = element.slice
            if isinstance(item, cst.Slice):
                template.append(ir.Slice(hole(item.lower), hole(item.upper), hole(item.step)))
            elif isinstance(item.value, cst.Name) and item.value.value == "None":
                template.append(ir.NEWAXIS)
            elif isinstance(item.value, cst.Ellipsis):
                template.append(ir.ELLIPSIS)
            elif self.qualify(item.value) == "numpy.newaxis":
                template.append(ir.NEWAXIS)
            else:
                template.append(ir.Hole(hole(item.value)))
        tuple_form = len(node.slice) > 1 or node.slice[0].comma != cst.MaybeSentinel.DEFAULT
        return args, ir.Index(tuple(template), tuple_form)
