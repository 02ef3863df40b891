"""Emission of expressions: one IR `Assign` right-hand side to a libcst node.

Expressions are built as libcst nodes with their precedence, and wrapped in
parentheses only where Python needs them, so that inlined temporaries read
like hand-written code: `z = x @ w + b`, `w_bar = rt.unbroadcast(t3 * x, w)`.
"""

from __future__ import annotations

import math

import libcst as cst

from .. import ir
from ..ir.index import Ellipsis_, Index, NewAxis, Slice
from ..ir.prims import Prim

ATOM, POWER, UNARY, MUL, ADD, COMPARE, NOT = 16, 13, 12, 11, 10, 5, 4
BITAND, BITXOR, BITOR = 9, 8, 7  # between ADD and COMPARE, as in Python
SHIFT = 9.5  # between ADD and BITAND, as in Python
BINOP_NODES = {
    "+": (cst.Add, ADD), "-": (cst.Subtract, ADD), "*": (cst.Multiply, MUL),
    "/": (cst.Divide, MUL), "//": (cst.FloorDivide, MUL), "%": (cst.Modulo, MUL),
    "@": (cst.MatrixMultiply, MUL), "**": (cst.Power, POWER),
    "&": (cst.BitAnd, BITAND), "^": (cst.BitXor, BITXOR), "|": (cst.BitOr, BITOR),
    "<<": (cst.LeftShift, SHIFT), ">>": (cst.RightShift, SHIFT),
}
COMPARE_NODES = {
    "<": cst.LessThan, "<=": cst.LessThanEqual, ">": cst.GreaterThan,
    ">=": cst.GreaterThanEqual, "==": cst.Equal, "!=": cst.NotEqual,
    "is": cst.Is, "is not": cst.IsNot,
}
MATH_NAMES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2",
              "abs": "fabs"}
MATH_NAMES.update({"arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",  # issue 13
                   "deg2rad": "radians", "rad2deg": "degrees", "gammaln": "lgamma"})
BUILTIN_NAMES = {"abs": "abs", "maximum": "max", "minimum": "min", "round": "round"}
NOT_KWARGS = {"lib", "index", "fn", "module", "nograd", "ufunc"}  # params that are not call keywords


class Expr:
    """A libcst expression and its precedence (higher binds tighter)."""

    __slots__ = ("node", "prec")

    def __init__(self, node: cst.BaseExpression, prec: float = ATOM):
        self.node = node
        self.prec = prec

    def at_least(self, prec: float) -> cst.BaseExpression:
        """The node, parenthesized if it binds looser than `prec`."""
        if self.prec >= prec:
            return self.node
        return self.node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def name(text: str) -> Expr:
    """A dotted name as an expression: `xp.linalg.norm`."""
    parts = text.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(node, cst.Name(part))
    return Expr(node)


def const(value: object, text: str | None = None) -> Expr:
    """A Python constant."""
    if text is not None:
        return Expr(cst.parse_expression(text))
    if value is None or isinstance(value, bool):
        return Expr(cst.Name(repr(value)))
    if isinstance(value, float) and not math.isfinite(value):
        inner = Expr(cst.Call(cst.Name("float"), [cst.Arg(cst.SimpleString(repr(str(abs(value)))))]))
        return inner if value > 0 or math.isnan(value) else Expr(
            cst.UnaryOperation(cst.Minus(), inner.node), UNARY)
    if isinstance(value, (int, float)):
        if value < 0 or (isinstance(value, float) and math.copysign(1, value) < 0):
            return Expr(cst.UnaryOperation(cst.Minus(), const(-value).node), UNARY)
        return Expr(cst.Integer(repr(value)) if isinstance(value, int) else cst.Float(repr(value)))
    if isinstance(value, str):
        return Expr(cst.SimpleString(repr(value)))
    if isinstance(value, tuple):
        return tuple_of([const(v) for v in value])
    if value is Ellipsis:
        return Expr(cst.Ellipsis())
    if isinstance(value, type):  # a numpy dtype class such as numpy.float32, or `float`
        builtin = value in (int, float, bool, complex)
        return name(value.__name__ if builtin else f"np.{value.__name__}")
    raise TypeError(f"cannot write constant {value!r}")


def tuple_of(items: list[Expr]) -> Expr:
    """A parenthesized tuple (with a trailing comma for one element)."""
    elements = [cst.Element(e.at_least(NOT + 1)) for e in items]
    if len(elements) == 1:
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return Expr(cst.Tuple(elements))


def call(func: str, args: list[Expr], kwargs: dict[str, Expr] | None = None) -> Expr:
    """func(arg, ..., key=value, ...)."""
    cst_args = [cst.Arg(a.at_least(NOT + 1)) for a in args]
    for key, value in (kwargs or {}).items():
        cst_args.append(cst.Arg(value.at_least(NOT + 1), keyword=cst.Name(key),
                                equal=cst.AssignEqual(cst.SimpleWhitespace(""),
                                                      cst.SimpleWhitespace(""))))
    return Expr(cst.Call(name(func).node, cst_args))


def kwargs(params: ir.Params) -> dict[str, Expr]:
    """A statement's params as keyword arguments (axis=0, keepdims=True), less the others."""
    return {k: const(v) for k, v in params.items if k not in NOT_KWARGS}


def list_of(items: list[Expr]) -> Expr:
    """[a, b, ...]."""
    return Expr(cst.List([cst.Element(e.at_least(NOT + 1)) for e in items]))


def binop(op: str, left: Expr, right: Expr) -> Expr:
    """left op right, parenthesized by precedence and associativity."""
    if op in COMPARE_NODES:
        node = cst.Comparison(left.at_least(COMPARE + 1),
                              [cst.ComparisonTarget(COMPARE_NODES[op](), right.at_least(COMPARE + 1))])
        return Expr(node, COMPARE)
    kind, prec = BINOP_NODES[op]
    if op == "**":  # right-associative, and binds tighter than a unary minus on its left
        return Expr(cst.BinaryOperation(left.at_least(ATOM), kind(), right.at_least(UNARY)), prec)
    return Expr(cst.BinaryOperation(left.at_least(prec), kind(), right.at_least(prec + 1)), prec)


def unop(op: str, operand: Expr) -> Expr:
    """-x, +x, ~x or not x."""
    if op == "not":
        return Expr(cst.UnaryOperation(cst.Not(), operand.at_least(NOT)), NOT)
    kind = {"-": cst.Minus, "~": cst.BitInvert}.get(op, cst.Plus)
    return Expr(cst.UnaryOperation(kind(), operand.at_least(UNARY)), UNARY)


def attribute(value: Expr, attr: str) -> Expr:
    """value.attr."""
    return Expr(cst.Attribute(value.at_least(ATOM), cst.Name(attr)))


def method(value: Expr, attr: str, args: list[Expr]) -> Expr:
    """value.attr(args)."""
    func = cst.Attribute(value.at_least(ATOM), cst.Name(attr))
    return Expr(cst.Call(func, [cst.Arg(a.at_least(NOT + 1)) for a in args]))


def subscript(value: Expr, template: Index, holes: list[Expr]) -> Expr:
    """value[...] from an index template whose items point into `holes` (1-based)."""
    return Expr(cst.Subscript(value.at_least(ATOM), index_elements(template, holes)))


def index_elements(template: Index, holes: list[Expr]) -> list[cst.SubscriptElement]:
    """The subscript elements of an index template."""

    def part(pos):
        return None if pos is None else holes[pos - 1].at_least(NOT + 1)

    elements = []
    for item in template.items:
        if isinstance(item, Slice):
            elements.append(cst.Slice(part(item.lower), part(item.upper), part(item.step)))
        elif isinstance(item, NewAxis):
            elements.append(cst.Index(cst.Name("None")))
        elif isinstance(item, Ellipsis_):
            elements.append(cst.Index(cst.Ellipsis()))
        else:
            elements.append(cst.Index(part(item.pos)))
    return [cst.SubscriptElement(e, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                                 if i < len(elements) - 1 else cst.MaybeSentinel.DEFAULT)
            for i, e in enumerate(elements)]


def rt_index(template: Index, holes: list[Expr]) -> Expr:
    """rt.index[...]: an index template as a value the runtime's helpers take."""
    return Expr(cst.Subscript(name("rt.index").node, index_elements(template, holes)))


def lib_function(prim: Prim, lib: str | None) -> str:
    """The callee text of an elementwise function: xp.exp, math.exp or abs."""
    base = prim.spec.name
    if lib == "math":
        return "math." + MATH_NAMES.get(base, base)
    if lib == "builtins":
        return BUILTIN_NAMES[base]
    return "xp." + base
