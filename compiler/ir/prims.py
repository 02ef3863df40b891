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
  linalg        matmul, dot, inner, outer (and convolution, pooling)
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
    # draws from a numpy.random.Generator (advancing it): never removed, repeated or moved;
    # its value is kept for the backward sweep, never recomputed (frontend/draw_calls.py)
    draws: bool = False
    # a gradient helper that always gives a new array (or a number) no other name holds:
    # its result may be added into in place (backend/in_place.py)
    fresh: bool = False
    # the Prim (by name) that adds this cotangent helper's result into an adjoint's own
    # array, without building the result: `acc + getitem_grad(...)` as `add_at(acc, ...)`
    added_into: str | None = None
    # raises for some inputs (an index past the end, shapes that do not fit, a singular
    # matrix, a Python number divided by zero): the user's statement is kept in the forward
    # sweep even where its value is never read (ad/dead_code.py `may_raise`)
    may_raise: bool = False


def _s(arity: int, group: str, form: str, name: str, **facts: object) -> Spec:
    """A Spec; primitives of the nondiff and gradient groups default to non-differentiable."""
    facts.setdefault("differentiable", group not in ("nondiff", "gradient"))
    return Spec(arity, group, form, name, **facts)


@enum.unique
class Prim(enum.Enum):
    """Every primitive operation of the IR."""

    # elementwise, binary operators
    ADD = _s(2, "elementwise", "binop", "+", cheap=True, fold=operator.add, may_raise=True)
    SUB = _s(2, "elementwise", "binop", "-", cheap=True, fold=operator.sub, may_raise=True)
    MUL = _s(2, "elementwise", "binop", "*", cheap=True, fold=operator.mul, may_raise=True)
    DIV = _s(2, "elementwise", "binop", "/", fold=operator.truediv, may_raise=True)
    POW = _s(2, "elementwise", "binop", "**", fold=operator.pow, may_raise=True)
    NEG = _s(1, "elementwise", "unop", "-", cheap=True)
    MOD = _s(2, "elementwise", "binop", "%", cheap=True, may_raise=True)  # x - c * floor(x / c)
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
    ARCTAN2 = _s(2, "elementwise", "xp", "arctan2", may_raise=True)
    ABS = _s(1, "elementwise", "xp", "abs", rule_reads="input")
    SIGN = _s(1, "elementwise", "xp", "sign")
    MAXIMUM = _s(2, "elementwise", "xp", "maximum", may_raise=True)
    MINIMUM = _s(2, "elementwise", "xp", "minimum", may_raise=True)
    WHERE = _s(3, "elementwise", "xp", "where", diff_args=(1, 2), may_raise=True)
    CLIP = _s(3, "elementwise", "xp", "clip", may_raise=True)
    FLOAT = _s(1, "elementwise", "special", "float", always_scalar=True, may_raise=True)
    ASTYPE = _s(2, "elementwise", "special", "astype", diff_args=(0,), may_raise=True)
    ASARRAY = _s(1, "elementwise", "xp", "asarray")
    # `y op= v` on an array: the result in y's dtype, raising where numpy's in-place op does
    IN_PLACE = _s(2, "elementwise", "special", "in_place", diff_args=(0,), may_raise=True)
    STOP_GRADIENT = _s(1, "elementwise", "rt", "stop_gradient", differentiable=False, passes_on=True)
    # reductions
    SUM = _s(1, "reduction", "xp", "sum")
    MEAN = _s(1, "reduction", "xp", "mean")
    MAX = _s(1, "reduction", "xp", "max")
    MIN = _s(1, "reduction", "xp", "min")
    PROD = _s(1, "reduction", "xp", "prod")
    NORM = _s(1, "reduction", "xp", "linalg.norm")
    # shape
    TRANSPOSE = _s(1, "shape", "special", "transpose", may_raise=True)
    RESHAPE = _s(2, "shape", "special", "reshape", diff_args=(0,), may_raise=True)
    EXPAND_DIMS = _s(1, "shape", "xp", "expand_dims", may_raise=True)
    SQUEEZE = _s(1, "shape", "xp", "squeeze", may_raise=True)
    BROADCAST_TO = _s(2, "shape", "xp", "broadcast_to", diff_args=(0,), may_raise=True)
    CONCATENATE = _s(VARIADIC, "shape", "special", "concatenate", may_raise=True)
    STACK = _s(VARIADIC, "shape", "special", "stack", may_raise=True)
    GETITEM = _s(VARIADIC, "shape", "special", "getitem", diff_args=(0,), cheap=True,
        may_raise=True)
    # linear algebra
    MATMUL = _s(2, "linalg", "binop", "@", may_raise=True)
    DOT = _s(2, "linalg", "xp", "dot", may_raise=True)
    OUTER = _s(2, "linalg", "xp", "outer", may_raise=True)
    INNER = _s(2, "linalg", "xp", "inner", may_raise=True)
    # struct
    COPY = _s(1, "struct", "special", "copy", passes_on=True, cheap=True)
    TUPLE = _s(VARIADIC, "struct", "special", "tuple", makes_sequence=True)
    # a helper function of the user's
    CALL = _s(VARIADIC, "call", "special", "call", may_make_sequence=True, may_raise=True)
    # f.grad(args) of a decorated f, one wrt name: `f_grad(args)`, emitted with the module;
    # params: fn, module, grad_wrt (the name), names (f's parameters)
    GRAD_CALL = _s(VARIADIC, "call", "special", "grad_call", may_raise=True)
    # J t of f inside a model, f.jvp / agc.jvp: (f's args, zeros of f's output, the tangents);
    # the H v of f_seeded (seeded.py) with the seed moving; params as GRAD_CALL_HVP's
    JVP_CALL = _s(VARIADIC, "call", "special", "jvp_call", may_raise=True)
    LIST = _s(VARIADIC, "struct", "special", "list", makes_sequence=True)  # [a, b]
    # lst.append(v), in place: target is lst
    APPEND = _s(2, "struct", "special", "append", in_place=True, makes_sequence=True)
    # y[index] = v, in place: target is y
    SETITEM = _s(VARIADIC, "struct", "special", "setitem", diff_args=(0, 1), in_place=True,
                 passes_on=True)
    # np.add.at(y, idx, v) as a new array (then written into y): repeated positions add up
    INDEX_ADD = _s(VARIADIC, "shape", "special", "index_add", diff_args=(0, 1), passes_on=True,
        may_raise=True)
    # np.stack(lst) of a list variable
    STACK_LIST = _s(1, "shape", "special", "stack_list", may_raise=True)
    # a + b of two lists or two tuples (joined), and seq * n (repeated): ad/sequences.py
    SEQ_JOIN = _s(2, "struct", "binop", "+", makes_sequence=True)
    SEQ_REPEAT = _s(2, "struct", "rt", "repeat_sequence", diff_args=(0,), makes_sequence=True,
        may_raise=True)
    # non-differentiable
    LT = _s(2, "nondiff", "binop", "<", cheap=True)
    LE = _s(2, "nondiff", "binop", "<=", cheap=True)
    GT = _s(2, "nondiff", "binop", ">", cheap=True)
    GE = _s(2, "nondiff", "binop", ">=", cheap=True)
    EQ = _s(2, "nondiff", "binop", "==", cheap=True)
    NE = _s(2, "nondiff", "binop", "!=", cheap=True)
    NOT = _s(1, "nondiff", "unop", "not", cheap=True)
    FLOORDIV = _s(2, "nondiff", "binop", "//", cheap=True, may_raise=True)
    # masks and integers: `(x > 0) & (x < 1)`, `m | n`, `m ^ n`, `~m` (bitwise, as numpy)
    BITAND = _s(2, "nondiff", "binop", "&", cheap=True)
    BITOR = _s(2, "nondiff", "binop", "|", cheap=True)
    BITXOR = _s(2, "nondiff", "binop", "^", cheap=True)
    LSHIFT = _s(2, "nondiff", "binop", "<<", cheap=True, may_raise=True)  # integers only
    RSHIFT = _s(2, "nondiff", "binop", ">>", cheap=True, may_raise=True)
    INVERT = _s(1, "nondiff", "unop", "~", cheap=True)
    SHAPE = _s(1, "nondiff", "attr", "shape", makes_sequence=True)
    NDIM = _s(1, "nondiff", "attr", "ndim", always_scalar=True)
    SIZE = _s(1, "nondiff", "attr", "size", always_scalar=True)
    DTYPE = _s(1, "nondiff", "attr", "dtype")
    LEN = _s(1, "nondiff", "special", "len", always_scalar=True, cheap=True)
    INT = _s(1, "nondiff", "special", "int", always_scalar=True, cheap=True, may_raise=True)
    # l.index(v), l.count(v) of a list: Python's own (items compared with ==)
    LIST_INDEX = _s(2, "nondiff", "special", "list_index", always_scalar=True, may_raise=True)
    LIST_COUNT = _s(2, "nondiff", "special", "list_count", always_scalar=True, may_raise=True)
    # bool(x): a number's or size-1 array's truth (numpy raises for more items)
    BOOL = _s(1, "nondiff", "special", "bool", always_scalar=True, cheap=True, may_raise=True)
    FLOOR = _s(1, "nondiff", "xp", "floor")
    CEIL = _s(1, "nondiff", "xp", "ceil")
    ROUND = _s(1, "nondiff", "xp", "round")
    TRUNC = _s(1, "nondiff", "xp", "trunc")
    RINT = _s(1, "nondiff", "xp", "rint")
    ARGMAX = _s(1, "nondiff", "xp", "argmax")
    ARGMIN = _s(1, "nondiff", "xp", "argmin")
    ISNAN = _s(1, "nondiff", "xp", "isnan")
    ISFINITE = _s(1, "nondiff", "xp", "isfinite")
    ZEROS = _s(1, "nondiff", "xp", "zeros")
    ONES = _s(1, "nondiff", "xp", "ones")
    ZEROS_LIKE = _s(1, "nondiff", "xp", "zeros_like")
    ONES_LIKE = _s(1, "nondiff", "xp", "ones_like")
    # differentiable in fill_value (issue 13: it silently gave a zero gradient)
    FULL = _s(2, "shape", "xp", "full", diff_args=(1,))
    ARANGE = _s(VARIADIC, "nondiff", "xp", "arange")
    # differentiable in start and stop (issue 13: it silently gave a zero gradient)
    LINSPACE = _s(3, "shape", "xp", "linspace", diff_args=(0, 1))
    EYE = _s(VARIADIC, "nondiff", "xp", "eye")  # N, and M when given
    # gradient helpers (emitted only by derivative rules)
    UNBROADCAST = _s(2, "gradient", "rt", "unbroadcast")
    # what unbroadcast reads of an array, taped in its place (ad/tape.py)
    KEPT_SHAPE = _s(1, "gradient", "rt", "kept_shape")
    # what getitem_grad reads of its `x` (shape, dtype, items), kept in a split helper's
    # record instead of the value (ad/split.py)
    KEPT_LIKE = _s(1, "gradient", "rt", "kept_like")
    ZERO_LIKE = _s(1, "gradient", "rt", "zeros_like")
    SEED = _s(2, "gradient", "rt", "seed")  # the output's adjoint: given, or 1 for a scalar
    ADD_ANY = _s(2, "gradient", "rt", "add")  # adds tuples / lists of adjoints too
    REDUCE_GRAD = _s(2, "gradient", "rt", "sum_grad", added_into="ADD_SUM_GRAD")
    MEAN_GRAD = _s(2, "gradient", "rt", "mean_grad", added_into="ADD_MEAN_GRAD")
    MAXMIN_GRAD = _s(3, "gradient", "rt", "maxmin_grad")
    PROD_GRAD = _s(3, "gradient", "rt", "prod_grad")
    NORM_GRAD = _s(3, "gradient", "rt", "norm_grad")
    CLIP_GRAD = _s(4, "gradient", "rt", "clip_grad")
    ABS_GRAD = _s(2, "gradient", "rt", "abs_grad")
    GETITEM_GRAD = _s(VARIADIC, "gradient", "special", "getitem_grad", added_into="ADD_AT")
    # (x, g0, ..., gn-1): x's cotangent from all its items' (emission only: see unpacked.py)
    UNPACKED_GRAD = _s(VARIADIC, "gradient", "rt", "unpacked_grad")
    # acc + getitem_grad(g, x, index), added into acc itself (emission only: see inplace.py)
    ADD_AT = _s(VARIADIC, "gradient", "special", "add_at")
    # acc + v added into acc, an adjoint no other name holds (emission only: see in_place.py)
    ACCUMULATE = _s(2, "gradient", "rt", "accumulate")
    # acc + sum_grad / mean_grad(g, x), g added into acc (emission only: see in_place.py)
    ADD_SUM_GRAD = _s(3, "gradient", "rt", "add_sum_grad")  # (acc, g, x)
    ADD_MEAN_GRAD = _s(3, "gradient", "rt", "add_mean_grad")  # (acc, g, x)
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
    COMPLETE_PATHS = _s(3, "gradient", "rt", "complete_paths")  # its subtrees at wrt paths
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
    # v's cotangent for lst[i] = v: g, summed back to v's shape (v may be a list itself)
    WRITTEN_ITEM_GRAD = _s(2, "gradient", "rt", "written_item_grad")
    SEQ_HEAD_GRAD = _s(2, "gradient", "rt", "seq_head_grad")  # (g, a) of a + b: a's part
    SEQ_TAIL_GRAD = _s(2, "gradient", "rt", "seq_tail_grad")  # (g, a) of a + b: b's part
    SEQ_REPEAT_GRAD = _s(3, "gradient", "rt", "seq_repeat_grad")  # (g, seq, n) of seq * n
    # cotangents of a helper's args
    CALL_VJP = _s(VARIADIC, "gradient", "special", "call_vjp", may_make_sequence=True)
    # a helper's split adjoint: `h_fwd(args)` gives (value, record), the record what h_bwd
    # reads; `h_bwd(g, record)` gives the cotangents of the args, nothing run again (params
    # as CALL)
    CALL_FWD = _s(VARIADIC, "gradient", "special", "call_fwd", makes_sequence=True, may_raise=True)
    CALL_BWD = _s(2, "gradient", "special", "call_bwd", may_make_sequence=True)
    # issue 13, elementwise and scipy.special
    RECIPROCAL = _s(1, "elementwise", "xp", "reciprocal", rule_reads="output")
    CBRT = _s(1, "elementwise", "xp", "cbrt", rule_reads="output")
    EXP2 = _s(1, "elementwise", "xp", "exp2", rule_reads="output")
    DEG2RAD = _s(1, "elementwise", "xp", "deg2rad")
    RAD2DEG = _s(1, "elementwise", "xp", "rad2deg")
    ARCSINH = _s(1, "elementwise", "xp", "arcsinh", rule_reads="input")
    ARCCOSH = _s(1, "elementwise", "xp", "arccosh", rule_reads="input")
    ARCTANH = _s(1, "elementwise", "xp", "arctanh", rule_reads="input")
    SINC = _s(1, "elementwise", "xp", "sinc")
    HYPOT = _s(2, "elementwise", "xp", "hypot", may_raise=True)
    LOGADDEXP = _s(2, "elementwise", "xp", "logaddexp", may_raise=True)
    LOGADDEXP2 = _s(2, "elementwise", "xp", "logaddexp2", may_raise=True)
    FMAX = _s(2, "elementwise", "xp", "fmax", may_raise=True)
    FMIN = _s(2, "elementwise", "xp", "fmin", may_raise=True)
    # fmod(x, c): x - c * trunc(x / c), the sign of the dividend; copysign(x, y): |x| with
    # y's sign bit (flat in y)
    FMOD = _s(2, "elementwise", "xp", "fmod", may_raise=True)
    COPYSIGN = _s(2, "elementwise", "xp", "copysign", diff_args=(0,), may_raise=True)
    # x's NaNs replaced by a value, x's dtype kept (np.nanmax's NaNs lose; an int array is kept)
    NAN_FILL = _s(2, "elementwise", "rt", "nan_fill", diff_args=(0,))
    FSUM = _s(1, "reduction", "special", "fsum", always_scalar=True)  # math.fsum of a 1-d array
    # nan_to_num(x, nan=, posinf=, neginf=): x where finite (its derivative 1), else a constant
    NAN_TO_NUM = _s(1, "elementwise", "xp", "nan_to_num")
    # np.select(conds, choices, default): args the n conditions, the n choices, the default
    SELECT = _s(VARIADIC, "elementwise", "special", "select", may_raise=True)
    # np.sum / np.prod(x, where=mask, initial=c) and np.mean(x, where=mask), with numpy's own
    # keywords (a mask of True and an initial of None are left out); params: axis, keepdims
    SUM_WHERE = _s(3, "reduction", "special", "sum", diff_args=(0, 2))
    MEAN_WHERE = _s(2, "reduction", "special", "mean", diff_args=(0,))
    PROD_WHERE = _s(3, "reduction", "special", "prod", diff_args=(0, 2))
    # np.interp(x, xp, fp) and np.convolve(a, v, mode): their helpers are runtime/signal.py's
    INTERP = _s(3, "shape", "xp", "interp", may_raise=True)
    INTERP_GRAD = _s(4, "gradient", "rt", "interp_grad")  # g, x, xp, fp; params: which
    CONVOLVE = _s(2, "linalg", "xp", "convolve", may_raise=True)  # params: mode
    CONVOLVE_GRAD = _s(3, "gradient", "rt", "convolve_grad")  # g, a, v: a's cotangent
    # heaviside(x, h): flat in x; h is its value where x == 0
    HEAVISIDE = _s(2, "elementwise", "xp", "heaviside", diff_args=(1,), may_raise=True)
    # scipy.special, emitted as rt.special.NAME (scipy or cupyx.scipy.special), or math.NAME
    ERF = _s(1, "elementwise", "special", "erf", rule_reads="input")
    ERFC = _s(1, "elementwise", "special", "erfc", rule_reads="input")
    EXPIT = _s(1, "elementwise", "special", "expit", rule_reads="output")
    LOGIT = _s(1, "elementwise", "special", "logit", rule_reads="input")
    LOG_EXPIT = _s(1, "elementwise", "special", "log_expit", rule_reads="input")
    GAMMALN = _s(1, "elementwise", "special", "gammaln", rule_reads="input")
    DIGAMMA = _s(1, "elementwise", "special", "digamma", rule_reads="input")
    TRIGAMMA = _s(1, "gradient", "rt", "special.trigamma")  # polygamma(1, x): d digamma
    MULTIGAMMALN = _s(1, "elementwise", "special", "multigammaln")  # params: d
    BETALN = _s(2, "elementwise", "special", "betaln")
    XLOGY = _s(2, "elementwise", "special", "xlogy")
    XLOG1PY = _s(2, "elementwise", "special", "xlog1py")
    NDTR = _s(1, "elementwise", "special", "ndtr", rule_reads="input")
    LOG_NDTR = _s(1, "elementwise", "special", "log_ndtr")
    NDTRI = _s(1, "elementwise", "special", "ndtri", rule_reads="output")
    ERFINV = _s(1, "elementwise", "special", "erfinv", rule_reads="output")
    GAMMA = _s(1, "elementwise", "special", "gamma")
    BETA = _s(2, "elementwise", "special", "beta")
    ENTR = _s(1, "elementwise", "special", "entr", rule_reads="input")
    REL_ENTR = _s(2, "elementwise", "special", "rel_entr")
    POLYGAMMA = _s(1, "elementwise", "special", "polygamma")  # params: n, a constant
    LOGSUMEXP = _s(VARIADIC, "reduction", "special", "logsumexp")  # (a,) or (a, b)
    SOFTMAX = _s(1, "elementwise", "special", "softmax")
    LOG_SOFTMAX = _s(1, "elementwise", "special", "log_softmax")
    LOGSUMEXP_GRAD = _s(VARIADIC, "gradient", "rt", "special.logsumexp_grad")  # g, a, out[, b]
    SOFTMAX_GRAD = _s(2, "gradient", "rt", "special.softmax_grad")
    LOG_SOFTMAX_GRAD = _s(2, "gradient", "rt", "special.log_softmax_grad")
    SINC_GRAD = _s(2, "gradient", "rt", "special.sinc_grad")
    HYPOT_GRAD = _s(2, "gradient", "rt", "special.hypot_grad")  # g / hypot, 0 where it is 0
    # issue 13, reductions and statistics
    VAR = _s(1, "reduction", "xp", "var")
    STD = _s(1, "reduction", "xp", "std")
    NANSUM = _s(1, "reduction", "xp", "nansum")
    NANMEAN = _s(1, "reduction", "xp", "nanmean")
    MEDIAN = _s(1, "reduction", "xp", "median")
    CUMSUM = _s(1, "shape", "xp", "cumsum")
    CUMPROD = _s(1, "shape", "xp", "cumprod")
    SORT = _s(1, "shape", "xp", "sort")
    ARGSORT = _s(1, "nondiff", "xp", "argsort")
    # sorted(seq): the positions of seq's items in the order Python's own sort gives them
    SORTED_ORDER = _s(1, "nondiff", "rt", "sorted_order")
    ALL = _s(1, "nondiff", "xp", "all")
    ANY = _s(1, "nondiff", "xp", "any")
    COUNT_NONZERO = _s(1, "nondiff", "xp", "count_nonzero")
    VAR_GRAD = _s(2, "gradient", "rt", "var_grad", fresh=True)
    STD_GRAD = _s(3, "gradient", "rt", "std_grad")
    NANSUM_GRAD = _s(2, "gradient", "rt", "nansum_grad")
    NANMEAN_GRAD = _s(2, "gradient", "rt", "nanmean_grad")
    MEDIAN_GRAD = _s(2, "gradient", "rt", "median_grad")
    # np.quantile / np.percentile(x, q) of one static q (params q, percent, axis, keepdims)
    QUANTILE = _s(1, "reduction", "special", "quantile", may_raise=True)
    QUANTILE_GRAD = _s(2, "gradient", "rt", "quantile_grad")
    CUMSUM_GRAD = _s(2, "gradient", "rt", "cumsum_grad")
    CUMPROD_GRAD = _s(2, "gradient", "rt", "cumprod_grad")
    SORT_GRAD = _s(2, "gradient", "rt", "sort_grad")
    # np.average's weights shaped to broadcast along its axis; np.diff's prepend / append
    WEIGHTS_LIKE = _s(2, "shape", "rt", "weights_like", diff_args=(0,))
    WEIGHTS_LIKE_GRAD = _s(3, "gradient", "rt", "weights_like_grad")
    EDGE_LIKE = _s(2, "shape", "rt", "edge_like", diff_args=(0,))

    # issue 13, linear algebra
    # params: subscripts (the string)
    EINSUM = _s(VARIADIC, "linalg", "special", "einsum", may_raise=True)
    TENSORDOT = _s(2, "linalg", "xp", "tensordot", may_raise=True)
    KRON = _s(2, "linalg", "xp", "kron")
    CROSS = _s(2, "linalg", "xp", "cross", may_raise=True)
    TRACE = _s(1, "linalg", "xp", "trace", may_raise=True)
    DIAG = _s(1, "shape", "xp", "diag")
    DIAGONAL = _s(1, "shape", "xp", "diagonal")
    TRIL = _s(1, "shape", "xp", "tril")
    TRIU = _s(1, "shape", "xp", "triu")
    INV = _s(1, "linalg", "xp", "linalg.inv", may_raise=True)
    SOLVE = _s(2, "linalg", "xp", "linalg.solve", may_raise=True)
    DET = _s(1, "linalg", "xp", "linalg.det", may_raise=True)
    SLOGDET = _s(1, "linalg", "special", "linalg.slogdet", makes_sequence=True, may_raise=True)
    # upper=True: rt.cholesky
    CHOLESKY = _s(1, "linalg", "special", "linalg.cholesky", may_raise=True)
    EIGH = _s(1, "linalg", "special", "linalg.eigh", makes_sequence=True, may_raise=True)
    EINSUM_GRAD = _s(VARIADIC, "gradient", "special", "einsum_grad")
    TENSORDOT_GRAD = _s(3, "gradient", "rt", "tensordot_grad")  # params: axes, side
    KRON_GRAD = _s(3, "gradient", "rt", "kron_grad")  # params: side
    CROSS_GRAD = _s(3, "gradient", "rt", "cross_grad")  # params: axis, side
    TRACE_GRAD = _s(2, "gradient", "rt", "trace_grad")
    DIAG_GRAD = _s(2, "gradient", "rt", "diag_grad")
    DIAGONAL_GRAD = _s(2, "gradient", "rt", "diagonal_grad")
    INV_GRAD = _s(2, "gradient", "rt", "inv_grad")  # (g, inv(A))
    SOLVE_GRAD_B = _s(3, "gradient", "rt", "solve_grad_b")  # (g, A, b)
    SOLVE_GRAD_A = _s(4, "gradient", "rt", "solve_grad_a")  # (b's cotangent, x, b, A)
    DET_GRAD = _s(3, "gradient", "rt", "det_grad")  # (g, A, det(A))
    DET_GRAD_JVP = _s(3, "gradient", "rt", "det_grad_jvp")  # (g, dA, A): g dC, C the cofactors
    SLOGDET_GRAD = _s(2, "gradient", "rt", "slogdet_grad")  # (g, A)
    CHOLESKY_GRAD = _s(2, "gradient", "rt", "cholesky_grad")  # (g, L)
    EIGH_GRAD = _s(2, "gradient", "rt", "eigh_grad")  # (g, (w, v))
    MATRIX_POWER = _s(1, "linalg", "xp", "linalg.matrix_power", may_raise=True)  # params: n
    PINV = _s(1, "linalg", "xp", "linalg.pinv")
    QR = _s(1, "linalg", "special", "linalg.qr", makes_sequence=True, may_raise=True)
    SVD = _s(1, "linalg", "special", "linalg.svd", makes_sequence=True, may_raise=True)
    # svd(a, compute_uv=False), svdvals
    SVD_VALUES = _s(1, "linalg", "special", "linalg.svd", may_raise=True)
    LSTSQ = _s(2, "linalg", "special", "linalg.lstsq", makes_sequence=True, may_raise=True)
    MATRIX_POWER_GRAD = _s(2, "gradient", "rt", "matrix_power_grad")  # (g, A), params: n
    PINV_GRAD = _s(3, "gradient", "rt", "pinv_grad")  # (g, A, pinv(A))
    QR_GRAD = _s(2, "gradient", "rt", "qr_grad")  # (g, (Q, R))
    SVD_GRAD = _s(2, "gradient", "rt", "svd_grad")  # (g, (U, s, Vh))
    SVD_VALUES_GRAD = _s(2, "gradient", "rt", "svd_values_grad")  # (g, A)
    LSTSQ_GRAD = _s(4, "gradient", "rt", "lstsq_grad")  # (g, a, b, result), params: side
    SOLVE_TRIANGULAR = _s(2, "linalg", "rt", "solve_triangular", may_raise=True)  # scipy.linalg's
    # (c, lower)
    CHO_FACTOR = _s(1, "linalg", "rt", "cho_factor", makes_sequence=True, may_raise=True)
    CHO_SOLVE = _s(2, "linalg", "rt", "cho_solve", may_raise=True)  # ((c, lower), b)
    SOLVE_TRIANGULAR_GRAD_A = _s(2, "gradient", "rt", "solve_triangular_grad_a")  # (gb, x)
    CHO_FACTOR_GRAD = _s(3, "gradient", "rt", "cho_factor_grad")  # (g, a, (c, lower))
    # the cotangent of (c, lower) for x = cho_solve((c, lower), b): (gc, 0.0)
    CHO_SOLVE_GRAD_C = _s(3, "gradient", "rt", "cho_solve_grad_c", makes_sequence=True)
    EIGVALSH = _s(1, "linalg", "xp", "linalg.eigvalsh", may_raise=True)
    EIGVALSH_GRAD = _s(2, "gradient", "rt", "eigvalsh_grad")  # (g, A), params: UPLO

    # issue 13, shape, indexing, masks and constructors
    SWAPAXES = _s(1, "shape", "special", "swapaxes", may_raise=True)
    MOVEAXIS = _s(1, "shape", "special", "moveaxis", may_raise=True)
    FLIP = _s(1, "shape", "special", "flip")
    ROT90 = _s(1, "shape", "special", "rot90")
    ROLL = _s(1, "shape", "special", "roll")
    TILE = _s(1, "shape", "special", "tile")
    REPEAT = _s(2, "shape", "special", "repeat", diff_args=(0,))
    PAD = _s(1, "shape", "special", "pad")
    ATLEAST = _s(1, "shape", "special", "atleast")  # np.atleast_1d / 2d / 3d (params: ndim)
    MATRIX_T = _s(1, "shape", "attr", "mT")
    SLIDING_WINDOW = _s(1, "shape", "special", "sliding_window_view")
    COLUMN_STACK = _s(VARIADIC, "shape", "special", "column_stack", may_raise=True)
    DSTACK = _s(VARIADIC, "shape", "special", "dstack", may_raise=True)
    SPLIT = _s(1, "shape", "special", "split", makes_sequence=True, may_raise=True)
    MESHGRID = _s(VARIADIC, "shape", "special", "meshgrid", makes_sequence=True)
    TAKE = _s(2, "shape", "special", "take", diff_args=(0,), may_raise=True)
    TAKE_ALONG_AXIS = _s(2, "shape", "special", "take_along_axis", diff_args=(0,), may_raise=True)
    CAST = _s(1, "shape", "special", "cast")  # np.float32(x): a cast (may return x itself)
    FULL_LIKE = _s(2, "shape", "special", "full_like", diff_args=(1,))
    NONZERO = _s(1, "nondiff", "special", "nonzero", makes_sequence=True)
    ISCLOSE = _s(2, "nondiff", "xp", "isclose")
    LOGICAL_AND = _s(2, "nondiff", "xp", "logical_and")
    LOGICAL_OR = _s(2, "nondiff", "xp", "logical_or")
    LOGICAL_XOR = _s(2, "nondiff", "xp", "logical_xor")
    LOGICAL_NOT = _s(1, "nondiff", "xp", "logical_not")
    SEARCHSORTED = _s(2, "nondiff", "xp", "searchsorted")
    DIGITIZE = _s(2, "nondiff", "xp", "digitize")
    FLATNONZERO = _s(1, "nondiff", "xp", "flatnonzero")
    IX = _s(VARIADIC, "nondiff", "xp", "ix_", makes_sequence=True)
    TRIU_INDICES = _s(1, "nondiff", "xp", "triu_indices", makes_sequence=True)
    TRIL_INDICES = _s(1, "nondiff", "xp", "tril_indices", makes_sequence=True)
    # the index tuple numpy's put_along_axis writes at (np.put_along_axis lowers to a setitem)
    ALONG_AXIS_INDEX = _s(2, "nondiff", "rt", "along_axis_index", makes_sequence=True)
    # np.fill_diagonal(a, v): a[diagonal_index(a)] = v.ravel()[cycled_positions(v, index)]
    DIAGONAL_INDEX = _s(1, "nondiff", "rt", "diagonal_index", makes_sequence=True,
                        may_raise=True)
    CYCLED_POSITIONS = _s(2, "nondiff", "rt", "cycled_positions", may_raise=True)
    TILE_GRAD = _s(2, "gradient", "rt", "tile_grad")
    REPEAT_GRAD = _s(3, "gradient", "rt", "repeat_grad")
    PAD_GRAD = _s(2, "gradient", "rt", "pad_grad")
    SLIDING_WINDOW_GRAD = _s(2, "gradient", "rt", "sliding_window_grad")
    STACKED_GRAD = _s(VARIADIC, "gradient", "rt", "stacked_grad")  # column_stack, dstack
    SPLIT_GRAD = _s(2, "gradient", "rt", "split_grad")
    MESHGRID_GRAD = _s(2, "gradient", "rt", "meshgrid_grad")
    TAKE_GRAD = _s(3, "gradient", "rt", "take_grad")
    TAKE_ALONG_AXIS_GRAD = _s(3, "gradient", "rt", "take_along_axis_grad")
    LINSPACE_GRAD = _s(3, "gradient", "rt", "linspace_grad")
    # g where the forward value is floating, zero where it is integer (no derivative there)
    INEXACT_ONLY = _s(2, "gradient", "rt", "inexact_only")
    # issue 13, Python constructs
    IS = _s(2, "nondiff", "binop", "is", cheap=True)  # x is None
    IS_NOT = _s(2, "nondiff", "binop", "is not", cheap=True)
    ISINSTANCE = _s(2, "nondiff", "special", "isinstance", always_scalar=True, cheap=True)
    FORMAT = _s(VARIADIC, "nondiff", "special", "format")  # an f-string: params hold its text
    PRINT = _s(VARIADIC, "nondiff", "special", "print", effect=True)  # kept in the forward sweep
    ASSERT = _s(VARIADIC, "nondiff", "special", "assert", effect=True)  # assert cond[, message]
    # `a, b = x`: Python raises unless x has exactly 2 items (rt.check_unpack)
    CHECK_UNPACK = _s(1, "nondiff", "special", "check_unpack", effect=True)
    # `out=` of a ufunc: numpy casts its result into out only by kind (float into int raises)
    CHECK_VIEW = _s(2, "nondiff", "special", "check_view", effect=True)  # a reshape's view
    CHECK_OUT_CAST = _s(2, "nondiff", "special", "check_out_cast", effect=True)
    # `l.pop(i)`: Python raises IndexError where l has no item at i (rt.check_pop), kept even
    # where the popped value is never read
    CHECK_POP = _s(2, "nondiff", "special", "check_pop", effect=True)
    # x.tolist(): agc makes the list of a 1-d array's numbers; rt.check_tolist raises for another
    CHECK_TOLIST = _s(1, "nondiff", "special", "check_tolist", effect=True)
    CHECK_ITERABLE = _s(1, "nondiff", "special", "check_iterable", effect=True)
    # M[i][j] = v with an index i not known to be basic: rt.check_view_index raises where
    # M[i] is a copy (an array, list or mask index), whose write numpy loses
    CHECK_VIEW_INDEX = _s(1, "nondiff", "special", "check_view_index", effect=True)
    # `+x`, np.positive(x): numpy raises TypeError for a bool array (rt.check_positive)
    CHECK_POSITIVE = _s(2, "nondiff", "special", "check_positive", effect=True)
    # np.concatenate(a_list_variable)
    CONCAT_LIST = _s(1, "shape", "special", "concatenate_list", may_raise=True)
    UNCONCAT_GRAD = _s(2, "gradient", "rt", "unconcatenate_grad")  # its list adjoint
    # forward mode (ad/forward.py): a zero tangent of a value's structure, and a tangent
    # broadcast to the shape of the value it belongs to
    ZERO_TANGENT = _s(1, "gradient", "rt", "zero_tangent")
    BROADCAST_LIKE = _s(2, "gradient", "rt", "broadcast_like")
    CUMPROD_JVP = _s(3, "gradient", "rt", "cumprod_jvp")  # (v, x, cumprod(x)), params: axis
    # (g, x, v): the tangent of cumprod_grad(g, x) along v in x (second derivatives)
    CUMPROD_GRAD_JVP = _s(3, "gradient", "rt", "cumprod_grad_jvp")
    EIGH_JVP = _s(2, "gradient", "rt", "eigh_jvp", makes_sequence=True)  # (dA, (w, v)): UPLO
    EIGVALSH_JVP = _s(2, "gradient", "rt", "eigvalsh_jvp")  # (dA, A), params: UPLO
    QR_JVP = _s(2, "gradient", "rt", "qr_jvp", makes_sequence=True)  # (dA, (Q, R))
    PINV_JVP = _s(3, "gradient", "rt", "pinv_jvp")  # (dA, A, pinv(A))
    SVD_VALUES_JVP = _s(2, "gradient", "rt", "svd_values_jvp")  # (dA, A)
    SVD_JVP = _s(2, "gradient", "rt", "svd_jvp", makes_sequence=True)  # (dA, (U, s, Vh))
    LSTSQ_JVP = _s(5, "gradient", "rt", "lstsq_jvp", makes_sequence=True)  # (da, db, a, b, out)
    CHO_FACTOR_JVP = _s(3, "gradient", "rt", "cho_factor_jvp", makes_sequence=True)  # (da, a, out)
    CHO_SOLVE_MOVED = _s(3, "gradient", "rt", "cho_solve_moved")  # (d(c, lower), (c, lower), x)
    # (value, tangent) of a helper: h_jvp(*args, x_dot=...); params: fn, dots (their names)
    CALL_JVP = _s(VARIADIC, "gradient", "special", "call_jvp", makes_sequence=True)
    # issue 19, convolution and pooling (agc.nn; runtime/conv.py, runtime/pooling.py), NCHW;
    # params hold the static options (stride, padding, dilation, groups; kernel_size, ...)
    CONV1D = _s(2, "linalg", "rt", "conv1d", may_raise=True)  # (x, w)
    CONV2D = _s(2, "linalg", "rt", "conv2d", may_raise=True)  # (x, w)
    MAX_POOL2D = _s(1, "linalg", "rt", "max_pool2d", may_raise=True)
    AVG_POOL2D = _s(1, "linalg", "rt", "avg_pool2d", may_raise=True)
    ADAPTIVE_AVG_POOL2D = _s(1, "linalg", "rt", "adaptive_avg_pool2d")
    CONV_GRAD_X = _s(3, "gradient", "rt", "conv_grad_x", fresh=True)  # (g, x, w), conv1d or conv2d
    CONV_GRAD_W = _s(3, "gradient", "rt", "conv_grad_w", fresh=True)  # (g, x, w)
    MAX_POOL2D_GRAD = _s(2, "gradient", "rt", "max_pool2d_grad", fresh=True)  # (g, x)
    MAX_POOL2D_JVP = _s(2, "gradient", "rt", "max_pool2d_jvp")  # (v, x): v at the maxima
    AVG_POOL2D_GRAD = _s(2, "gradient", "rt", "avg_pool2d_grad")  # (g, x)
    ADAPTIVE_AVG_POOL2D_GRAD = _s(2, "gradient", "rt", "adaptive_avg_pool2d_grad")  # (g, x)
    # agc.nn.relu (runtime/activations.py): its rule reads its output, never a mask
    RELU = _s(1, "elementwise", "rt", "relu", rule_reads="output")
    RELU_GRAD = _s(2, "gradient", "rt", "relu_grad", fresh=True)  # (g, y): g where the output y > 0
    # (gradient, H v) of the f of a GRAD_CALL: f_hvp(*args, x_dot=...); params as GRAD_CALL's,
    # wrt: the names moving, dots: the tangent keywords (the last args)
    GRAD_CALL_HVP = _s(VARIADIC, "gradient", "special", "grad_call_hvp", makes_sequence=True)
    # the tangent of a JVP_CALL's J t: (f's args, the tangents t, the moving ones' tangents),
    # `f_jvp_jvp(...)[1]` (ad/twice.py); params as JVP_CALL's, twice: f's parameters whose
    # value moves, twice_dots: those whose tangent t moves
    JVP_CALL_JVP = _s(VARIADIC, "gradient", "special", "jvp_call_jvp")
    # the tangent of a GRAD_CALL_HVP's (gradient, H v): (its args, the moving ones' tangents),
    # `f_hvp_jvp_...(...)[1]` (ad/twice.py); params as JVP_CALL_JVP's
    GRAD_CALL_HVP_JVP = _s(VARIADIC, "gradient", "special", "grad_call_hvp_jvp",
                           makes_sequence=True)
    # f.vjp(x, seed=s) inside a model: Python raises unless s has f(x)'s shape (rt.check_seed)
    CHECK_SEED = _s(2, "nondiff", "special", "check_seed", effect=True)
    # issue 19, random draws: rng.METHOD(args, key=value) of a numpy.random.Generator (params:
    # method, keywords: the names of the last args); agc.nn.dropout's mask (rng, x, p, training)
    DRAW = _s(VARIADIC, "nondiff", "special", "draw", draws=True)
    DROPOUT_MASK = _s(4, "nondiff", "rt", "dropout_mask", draws=True)

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
