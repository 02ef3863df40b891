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
  linalg        matmul, dot, inner, outer
  struct        copies, tuples, lists (values that hold values)
  nondiff       results with no derivative (comparisons, shapes, argmax, ...)
  call          a call of another user function (differentiated recursively)
  gradient      helpers that only derivative rules emit (unbroadcast, ...)
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from dataclasses import dataclass

VARIADIC = -1


@dataclass(frozen=True, slots=True)
class Spec:
    """What a primitive takes, how emission writes it, and its static facts.

    The facts are read by the analyses of ad/ (activity, ranks, sequences,
    recomputation, unspread cotangents), by normalization and by emission;
    no other module keeps a table keyed by primitive.
    """

    arity: int
    group: str
    form: str  # "binop", "unop", "xp", "rt", "attr", "special"
    name: str  # operator text, function or attribute name
    differentiable: bool = True  # the values it gives carry a derivative (it has a VJP rule)
    diff_args: tuple[int, ...] | None = None  # argument positions a derivative flows through
    always_scalar: bool = False  # always gives one number (rank 0)
    in_place: bool = False  # mutates args[0], which is also its target (emitted as a statement)
    makes_sequence: bool = False  # gives a list or tuple, never an array
    may_make_sequence: bool = False  # may give a list or tuple (a helper's result)
    passes_on: bool = False  # gives what args[0] is: an array for an array, a list for a list
    # "output" / "input": its rule multiplies the cotangent by an array shaped like its
    # output, which it reads anyway: the output itself, or its (only) input. See ad/unspread.py.
    rule_reads: str | None = None
    cheap: bool = False  # cheaper to redo in the backward sweep than to keep (loop temporaries)
    fold: Callable | None = None  # the Python operator that folds it on constants (Builder)
    # a side effect (print, assert): never removed as dead code, emitted as a statement
    effect: bool = False


def _s(arity: int, group: str, form: str, name: str, **facts: object) -> Spec:
    """A Spec; primitives of the nondiff and gradient groups default to non-differentiable."""
    facts.setdefault("differentiable", group not in ("nondiff", "gradient"))
    return Spec(arity, group, form, name, **facts)


@enum.unique
class Prim(enum.Enum):
    """Every primitive operation of the IR."""

    # elementwise, binary operators
    ADD = _s(2, "elementwise", "binop", "+", cheap=True, fold=operator.add)
    SUB = _s(2, "elementwise", "binop", "-", cheap=True, fold=operator.sub)
    MUL = _s(2, "elementwise", "binop", "*", cheap=True, fold=operator.mul)
    DIV = _s(2, "elementwise", "binop", "/", fold=operator.truediv)
    POW = _s(2, "elementwise", "binop", "**", fold=operator.pow)
    NEG = _s(1, "elementwise", "unop", "-", cheap=True)
    MOD = _s(2, "elementwise", "binop", "%", cheap=True)  # x - c * floor(x / c)
    # elementwise functions
    EXP = _s(1, "elementwise", "xp", "exp", rule_reads="output")
    LOG = _s(1, "elementwise", "xp", "log", rule_reads="input")
    LOG1P = _s(1, "elementwise", "xp", "log1p", rule_reads="input")
    EXPM1 = _s(1, "elementwise", "xp", "expm1", rule_reads="output")
    LOG2 = _s(1, "elementwise", "xp", "log2", rule_reads="input")
    LOG10 = _s(1, "elementwise", "xp", "log10", rule_reads="input")
    SQRT = _s(1, "elementwise", "xp", "sqrt", rule_reads="output")
    SQUARE = _s(1, "elementwise", "xp", "square", rule_reads="input")
    SIN = _s(1, "elementwise", "xp", "sin", rule_reads="input")
    COS = _s(1, "elementwise", "xp", "cos", rule_reads="input")
    TAN = _s(1, "elementwise", "xp", "tan", rule_reads="output")
    TANH = _s(1, "elementwise", "xp", "tanh", rule_reads="output")
    SINH = _s(1, "elementwise", "xp", "sinh", rule_reads="input")
    COSH = _s(1, "elementwise", "xp", "cosh", rule_reads="input")
    ARCSIN = _s(1, "elementwise", "xp", "arcsin", rule_reads="input")
    ARCCOS = _s(1, "elementwise", "xp", "arccos", rule_reads="input")
    ARCTAN = _s(1, "elementwise", "xp", "arctan", rule_reads="input")
    ARCTAN2 = _s(2, "elementwise", "xp", "arctan2")
    ABS = _s(1, "elementwise", "xp", "abs", rule_reads="input")
    SIGN = _s(1, "elementwise", "xp", "sign")
    MAXIMUM = _s(2, "elementwise", "xp", "maximum")
    MINIMUM = _s(2, "elementwise", "xp", "minimum")
    WHERE = _s(3, "elementwise", "xp", "where", diff_args=(1, 2))
    CLIP = _s(3, "elementwise", "xp", "clip")
    FLOAT = _s(1, "elementwise", "special", "float", always_scalar=True)
    ASTYPE = _s(2, "elementwise", "special", "astype", diff_args=(0,))
    ASARRAY = _s(1, "elementwise", "xp", "asarray")
    STOP_GRADIENT = _s(1, "elementwise", "rt", "stop_gradient", differentiable=False, passes_on=True)
    # reductions
    SUM = _s(1, "reduction", "xp", "sum")
    MEAN = _s(1, "reduction", "xp", "mean")
    MAX = _s(1, "reduction", "xp", "max")
    MIN = _s(1, "reduction", "xp", "min")
    PROD = _s(1, "reduction", "xp", "prod")
    NORM = _s(1, "reduction", "xp", "linalg.norm")
    # shape
    TRANSPOSE = _s(1, "shape", "special", "transpose")
    RESHAPE = _s(2, "shape", "special", "reshape", diff_args=(0,))
    EXPAND_DIMS = _s(1, "shape", "xp", "expand_dims")
    SQUEEZE = _s(1, "shape", "xp", "squeeze")
    BROADCAST_TO = _s(2, "shape", "xp", "broadcast_to", diff_args=(0,))
    CONCATENATE = _s(VARIADIC, "shape", "special", "concatenate")
    STACK = _s(VARIADIC, "shape", "special", "stack")
    GETITEM = _s(VARIADIC, "shape", "special", "getitem", diff_args=(0,), cheap=True)
    # linear algebra
    MATMUL = _s(2, "linalg", "binop", "@")
    DOT = _s(2, "linalg", "xp", "dot")
    OUTER = _s(2, "linalg", "xp", "outer")
    INNER = _s(2, "linalg", "xp", "inner")
    # struct
    COPY = _s(1, "struct", "special", "copy", passes_on=True, cheap=True)
    TUPLE = _s(VARIADIC, "struct", "special", "tuple", makes_sequence=True)
    # a helper function of the user's
    CALL = _s(VARIADIC, "call", "special", "call", may_make_sequence=True)
    LIST = _s(VARIADIC, "struct", "special", "list", makes_sequence=True)  # [a, b]
    # lst.append(v), in place: target is lst
    APPEND = _s(2, "struct", "special", "append", in_place=True, makes_sequence=True)
    # y[index] = v, in place: target is y
    SETITEM = _s(VARIADIC, "struct", "special", "setitem", diff_args=(0, 1), in_place=True,
                 passes_on=True)
    STACK_LIST = _s(1, "shape", "special", "stack_list")  # np.stack(lst) of a list variable
    # non-differentiable
    LT = _s(2, "nondiff", "binop", "<", cheap=True)
    LE = _s(2, "nondiff", "binop", "<=", cheap=True)
    GT = _s(2, "nondiff", "binop", ">", cheap=True)
    GE = _s(2, "nondiff", "binop", ">=", cheap=True)
    EQ = _s(2, "nondiff", "binop", "==", cheap=True)
    NE = _s(2, "nondiff", "binop", "!=", cheap=True)
    NOT = _s(1, "nondiff", "unop", "not", cheap=True)
    FLOORDIV = _s(2, "nondiff", "binop", "//", cheap=True)
    SHAPE = _s(1, "nondiff", "attr", "shape", makes_sequence=True)
    NDIM = _s(1, "nondiff", "attr", "ndim", always_scalar=True)
    SIZE = _s(1, "nondiff", "attr", "size", always_scalar=True)
    DTYPE = _s(1, "nondiff", "attr", "dtype")
    LEN = _s(1, "nondiff", "special", "len", always_scalar=True, cheap=True)
    INT = _s(1, "nondiff", "special", "int", always_scalar=True, cheap=True)
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
    # dot and inner (inner=True) for operands of any rank: runtime/contractions.py
    DOT_GRAD_LEFT = _s(3, "gradient", "rt", "dot_grad_left")
    DOT_GRAD_RIGHT = _s(3, "gradient", "rt", "dot_grad_right")
    RESHAPE_LIKE = _s(2, "gradient", "rt", "reshape_like")
    CAST_LIKE = _s(2, "gradient", "rt", "cast_like")
    POW_EXPONENT_GRAD = _s(3, "gradient", "rt", "pow_exponent_grad")
    COMPLETE_LIKE = _s(2, "gradient", "rt", "complete_like")  # fill a pytree gradient
    # lst.pop(): undoes an append
    LIST_POP = _s(1, "gradient", "special", "list_pop", in_place=True, makes_sequence=True)
    COPY_OF = _s(1, "gradient", "rt", "copy_of")  # an independent copy (saved slices)
    LIST_ITEM_GRAD = _s(3, "gradient", "rt", "list_item_grad")
    APPEND_GRAD = _s(3, "gradient", "rt", "append_grad")
    ZERO_AT = _s(VARIADIC, "gradient", "special", "zero_at")
    # v's cotangent for y[index] = v: g[index], a repeated position counted at its last write
    WRITTEN_GRAD = _s(VARIADIC, "gradient", "special", "written_grad")
    UNSTACK_GRAD = _s(1, "gradient", "rt", "unstack_grad")
    ASARRAY_GRAD = _s(2, "gradient", "rt", "asarray_grad")
    # cotangents of a helper's args
    CALL_VJP = _s(VARIADIC, "gradient", "special", "call_vjp", may_make_sequence=True)
    # issue 13, Python constructs
    IS = _s(2, "nondiff", "binop", "is", cheap=True)  # x is None
    IS_NOT = _s(2, "nondiff", "binop", "is not", cheap=True)
    ISINSTANCE = _s(2, "nondiff", "special", "isinstance", always_scalar=True, cheap=True)
    FORMAT = _s(VARIADIC, "nondiff", "special", "format")  # an f-string: params hold its text
    PRINT = _s(VARIADIC, "nondiff", "special", "print", effect=True)  # kept in the forward sweep
    ASSERT = _s(VARIADIC, "nondiff", "special", "assert", effect=True)  # assert cond[, message]
    CONCAT_LIST = _s(1, "shape", "special", "concatenate_list")  # np.concatenate(a_list_variable)
    UNCONCAT_GRAD = _s(2, "gradient", "rt", "unconcatenate_grad")  # its list adjoint

    @property
    def spec(self) -> Spec:
        """This primitive's Spec."""
        return self.value

    @property
    def differentiable(self) -> bool:
        """Whether values produced by this primitive carry a derivative."""
        return self.value.differentiable

    def __repr__(self) -> str:
        return f"Prim.{self.name}"
