"""The closed set of primitives an IR `Assign` can apply.

Each member of `Prim` carries a `Spec`: how many atoms it takes, its group,
and how emission writes it (an operator, an array-module function `xp.NAME`,
a runtime helper `rt.NAME`, an attribute, or a special form). A primitive's
static options (axis, keepdims, an index template, the library a scalar
function came from) live in the statement's `params`, never in `args`.

Groups:
  elementwise   unary and binary maths, broadcasting
  reduction     sum, mean, max, min, prod, norm
  shape         transpose, reshape, indexing, concatenate, ...
  linalg        matmul, dot, outer
  struct        copies, tuples, lists (values that hold values)
  nondiff       results with no derivative (comparisons, shapes, argmax, ...)
  call          a call of another user function (differentiated recursively)
  gradient      helpers that only derivative rules emit (unbroadcast, ...)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

VARIADIC = -1


@dataclass(frozen=True, slots=True)
class Spec:
    """What a primitive takes and how emission writes it."""

    arity: int
    group: str
    form: str  # "binop", "unop", "xp", "rt", "attr", "special"
    name: str  # operator text, function or attribute name


def _s(arity: int, group: str, form: str, name: str) -> Spec:
    return Spec(arity, group, form, name)


@enum.unique
class Prim(enum.Enum):
    """Every primitive operation of the IR."""

    # elementwise, binary operators
    ADD = _s(2, "elementwise", "binop", "+")
    SUB = _s(2, "elementwise", "binop", "-")
    MUL = _s(2, "elementwise", "binop", "*")
    DIV = _s(2, "elementwise", "binop", "/")
    POW = _s(2, "elementwise", "binop", "**")
    NEG = _s(1, "elementwise", "unop", "-")
    POS = _s(1, "elementwise", "unop", "+")
    # elementwise functions
    EXP = _s(1, "elementwise", "xp", "exp")
    LOG = _s(1, "elementwise", "xp", "log")
    LOG1P = _s(1, "elementwise", "xp", "log1p")
    EXPM1 = _s(1, "elementwise", "xp", "expm1")
    LOG2 = _s(1, "elementwise", "xp", "log2")
    LOG10 = _s(1, "elementwise", "xp", "log10")
    SQRT = _s(1, "elementwise", "xp", "sqrt")
    SQUARE = _s(1, "elementwise", "xp", "square")
    SIN = _s(1, "elementwise", "xp", "sin")
    COS = _s(1, "elementwise", "xp", "cos")
    TAN = _s(1, "elementwise", "xp", "tan")
    TANH = _s(1, "elementwise", "xp", "tanh")
    SINH = _s(1, "elementwise", "xp", "sinh")
    COSH = _s(1, "elementwise", "xp", "cosh")
    ARCSIN = _s(1, "elementwise", "xp", "arcsin")
    ARCCOS = _s(1, "elementwise", "xp", "arccos")
    ARCTAN = _s(1, "elementwise", "xp", "arctan")
    ARCTAN2 = _s(2, "elementwise", "xp", "arctan2")
    ABS = _s(1, "elementwise", "xp", "abs")
    SIGN = _s(1, "elementwise", "xp", "sign")
    MAXIMUM = _s(2, "elementwise", "xp", "maximum")
    MINIMUM = _s(2, "elementwise", "xp", "minimum")
    WHERE = _s(3, "elementwise", "xp", "where")
    CLIP = _s(3, "elementwise", "xp", "clip")
    FLOAT = _s(1, "elementwise", "special", "float")
    ASTYPE = _s(2, "elementwise", "special", "astype")
    ASARRAY = _s(1, "elementwise", "xp", "asarray")
    STOP_GRADIENT = _s(1, "elementwise", "rt", "stop_gradient")
    # reductions
    SUM = _s(1, "reduction", "xp", "sum")
    MEAN = _s(1, "reduction", "xp", "mean")
    MAX = _s(1, "reduction", "xp", "max")
    MIN = _s(1, "reduction", "xp", "min")
    PROD = _s(1, "reduction", "xp", "prod")
    NORM = _s(1, "reduction", "xp", "linalg.norm")
    # shape
    TRANSPOSE = _s(1, "shape", "special", "transpose")
    RESHAPE = _s(2, "shape", "special", "reshape")
    EXPAND_DIMS = _s(1, "shape", "xp", "expand_dims")
    SQUEEZE = _s(1, "shape", "xp", "squeeze")
    BROADCAST_TO = _s(2, "shape", "xp", "broadcast_to")
    CONCATENATE = _s(VARIADIC, "shape", "special", "concatenate")
    STACK = _s(VARIADIC, "shape", "special", "stack")
    GETITEM = _s(VARIADIC, "shape", "special", "getitem")
    # linear algebra
    MATMUL = _s(2, "linalg", "binop", "@")
    DOT = _s(2, "linalg", "xp", "dot")
    OUTER = _s(2, "linalg", "xp", "outer")
    # struct
    COPY = _s(1, "struct", "special", "copy")
    TUPLE = _s(VARIADIC, "struct", "special", "tuple")
    CALL = _s(VARIADIC, "call", "special", "call")  # a helper function of the user's
    LIST = _s(VARIADIC, "struct", "special", "list")  # [a, b]
    APPEND = _s(2, "struct", "special", "append")  # lst.append(v), in place: target is lst
    SETITEM = _s(VARIADIC, "struct", "special", "setitem")  # y[index] = v, in place: target is y
    STACK_LIST = _s(1, "shape", "special", "stack_list")  # np.stack(lst) of a list variable
    # non-differentiable
    LT = _s(2, "nondiff", "binop", "<")
    LE = _s(2, "nondiff", "binop", "<=")
    GT = _s(2, "nondiff", "binop", ">")
    GE = _s(2, "nondiff", "binop", ">=")
    EQ = _s(2, "nondiff", "binop", "==")
    NE = _s(2, "nondiff", "binop", "!=")
    NOT = _s(1, "nondiff", "unop", "not")
    FLOORDIV = _s(2, "nondiff", "binop", "//")
    MOD = _s(2, "nondiff", "binop", "%")
    SHAPE = _s(1, "nondiff", "attr", "shape")
    NDIM = _s(1, "nondiff", "attr", "ndim")
    SIZE = _s(1, "nondiff", "attr", "size")
    DTYPE = _s(1, "nondiff", "attr", "dtype")
    LEN = _s(1, "nondiff", "special", "len")
    INT = _s(1, "nondiff", "special", "int")
    RANGE = _s(VARIADIC, "nondiff", "special", "range")
    FLOOR = _s(1, "nondiff", "xp", "floor")
    CEIL = _s(1, "nondiff", "xp", "ceil")
    ROUND = _s(1, "nondiff", "xp", "round")
    ARGMAX = _s(1, "nondiff", "xp", "argmax")
    ARGMIN = _s(1, "nondiff", "xp", "argmin")
    ISNAN = _s(1, "nondiff", "xp", "isnan")
    ISFINITE = _s(1, "nondiff", "xp", "isfinite")
    ZEROS = _s(1, "nondiff", "xp", "zeros")
    ONES = _s(1, "nondiff", "xp", "ones")
    ZEROS_LIKE = _s(1, "nondiff", "xp", "zeros_like")
    ONES_LIKE = _s(1, "nondiff", "xp", "ones_like")
    FULL = _s(2, "nondiff", "xp", "full")
    ARANGE = _s(VARIADIC, "nondiff", "xp", "arange")
    LINSPACE = _s(3, "nondiff", "xp", "linspace")
    EYE = _s(1, "nondiff", "xp", "eye")
    # gradient helpers (emitted only by derivative rules)
    UNBROADCAST = _s(2, "gradient", "rt", "unbroadcast")
    ZERO_LIKE = _s(1, "gradient", "rt", "zeros_like")
    SEED = _s(2, "gradient", "rt", "seed")  # the output's adjoint: given, or 1 for a scalar
    ADD_ANY = _s(2, "gradient", "rt", "add")  # adds tuples / lists of adjoints too
    REDUCE_GRAD = _s(2, "gradient", "rt", "sum_grad")
    MEAN_GRAD = _s(2, "gradient", "rt", "mean_grad")
    MAXMIN_GRAD = _s(3, "gradient", "rt", "maxmin_grad")
    PROD_GRAD = _s(3, "gradient", "rt", "prod_grad")
    NORM_GRAD = _s(3, "gradient", "rt", "norm_grad")
    CLIP_GRAD = _s(4, "gradient", "rt", "clip_grad")
    ABS_GRAD = _s(2, "gradient", "rt", "abs_grad")
    GETITEM_GRAD = _s(VARIADIC, "gradient", "special", "getitem_grad")
    # acc + getitem_grad(g, x, index), added into acc itself (emission only: see inplace.py)
    ADD_AT = _s(VARIADIC, "gradient", "special", "add_at")
    CONCAT_GRAD = _s(VARIADIC, "gradient", "rt", "concatenate_grad")
    STACK_GRAD = _s(1, "gradient", "rt", "stack_grad")
    MATMUL_GRAD_LEFT = _s(3, "gradient", "rt", "matmul_grad_left")
    MATMUL_GRAD_RIGHT = _s(3, "gradient", "rt", "matmul_grad_right")
    RESHAPE_LIKE = _s(2, "gradient", "rt", "reshape_like")
    CAST_LIKE = _s(2, "gradient", "rt", "cast_like")
    POW_EXPONENT_GRAD = _s(3, "gradient", "rt", "pow_exponent_grad")
    COMPLETE_LIKE = _s(2, "gradient", "rt", "complete_like")  # fill a pytree gradient
    LIST_POP = _s(1, "gradient", "special", "list_pop")  # lst.pop(): undoes an append
    COPY_OF = _s(1, "gradient", "rt", "copy_of")  # an independent copy (saved slices)
    LIST_ITEM_GRAD = _s(3, "gradient", "rt", "list_item_grad")
    APPEND_GRAD = _s(3, "gradient", "rt", "append_grad")
    ZERO_AT = _s(VARIADIC, "gradient", "special", "zero_at")
    UNSTACK_GRAD = _s(1, "gradient", "rt", "unstack_grad")
    ASARRAY_GRAD = _s(2, "gradient", "rt", "asarray_grad")
    CALL_VJP = _s(VARIADIC, "gradient", "special", "call_vjp")  # cotangents of a helper's args

    @property
    def spec(self) -> Spec:
        """This primitive's Spec."""
        return self.value

    @property
    def differentiable(self) -> bool:
        """Whether values produced by this primitive carry a derivative."""
        return self.value.group not in ("nondiff",) and self is not Prim.STOP_GRADIENT

    def __repr__(self) -> str:
        return f"Prim.{self.name}"


IN_PLACE = frozenset({Prim.APPEND, Prim.SETITEM, Prim.LIST_POP})  # mutate their target

NONDIFF = frozenset(p for p in Prim if not p.differentiable)
