"""Which calls, methods and attributes of user code map onto which primitives.

Names are resolved to qualified names first (`np.linalg.norm` with
`import numpy as np` is `numpy.linalg.norm`; see resolve.py); this table then
says which primitive a qualified name or array method means and how its
arguments bind. Argument kinds:

    array   an atom (any expression)
    static  a compile-time constant, kept in the statement's params
    seq     a list or tuple literal of atoms, spread into the args (concatenate)
    shape   a tuple value, one atom (reshape, zeros)
"""

from __future__ import annotations

from ..ir.prims import Prim
from .call_specs import NONE_ATOM, REQUIRED, Arg, CallSpec, static  # noqa: F401 - calls.REQUIRED
from .call_specs import sig as _sig
from .numpy_names_more import more_functions, more_methods

A = Arg
AXIS = Arg("axis", "static", None)
KEEPDIMS = Arg("keepdims", "static", False)
# order= of reshape, ravel, flatten and copy: C order (frontend/calls.py refuses the others)
ORDER = Arg("order", "order", "C")

# numpy's scalar types a model may call as functions (Prim.CAST)
SCALAR_TYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8")

_UNARY_NUMPY = {
    "exp": Prim.EXP, "log": Prim.LOG, "log1p": Prim.LOG1P, "expm1": Prim.EXPM1,
    "log2": Prim.LOG2, "log10": Prim.LOG10, "sqrt": Prim.SQRT, "square": Prim.SQUARE,
    "sin": Prim.SIN, "cos": Prim.COS, "tan": Prim.TAN, "tanh": Prim.TANH,
    "sinh": Prim.SINH, "cosh": Prim.COSH, "arcsin": Prim.ARCSIN, "arccos": Prim.ARCCOS,
    "arctan": Prim.ARCTAN, "abs": Prim.ABS, "absolute": Prim.ABS, "fabs": Prim.ABS,
    "sign": Prim.SIGN, "negative": Prim.NEG, "floor": Prim.FLOOR, "ceil": Prim.CEIL,
    "trunc": Prim.TRUNC, "rint": Prim.RINT, "isnan": Prim.ISNAN, "isfinite": Prim.ISFINITE,
    "zeros_like": Prim.ZEROS_LIKE, "ones_like": Prim.ONES_LIKE, "array": Prim.ASARRAY,
    "transpose": Prim.TRANSPOSE,
}
_BINARY_NUMPY = {
    "add": Prim.ADD, "subtract": Prim.SUB, "multiply": Prim.MUL, "divide": Prim.DIV,
    "true_divide": Prim.DIV, "power": Prim.POW, "maximum": Prim.MAXIMUM,
    "minimum": Prim.MINIMUM, "matmul": Prim.MATMUL, "dot": Prim.DOT,
    "arctan2": Prim.ARCTAN2, "inner": Prim.INNER,
    "less": Prim.LT, "greater": Prim.GT, "less_equal": Prim.LE, "greater_equal": Prim.GE,
    "equal": Prim.EQ, "not_equal": Prim.NE,
}
_REDUCTIONS = {
    "sum": Prim.SUM, "mean": Prim.MEAN, "max": Prim.MAX, "min": Prim.MIN,
    "amax": Prim.MAX, "amin": Prim.MIN, "prod": Prim.PROD,
}
_MATH_UNARY = {
    "exp": Prim.EXP, "log": Prim.LOG, "log1p": Prim.LOG1P, "expm1": Prim.EXPM1,
    "log2": Prim.LOG2, "log10": Prim.LOG10, "sqrt": Prim.SQRT, "sin": Prim.SIN,
    "cos": Prim.COS, "tan": Prim.TAN, "tanh": Prim.TANH, "sinh": Prim.SINH,
    "cosh": Prim.COSH, "asin": Prim.ARCSIN, "acos": Prim.ARCCOS, "atan": Prim.ARCTAN,
    "fabs": Prim.ABS, "floor": Prim.FLOOR, "ceil": Prim.CEIL, "isnan": Prim.ISNAN,
    "isfinite": Prim.ISFINITE,
}


def _numpy_functions() -> dict[str, CallSpec]:
    table: dict[str, CallSpec] = {}
    for name, prim in _UNARY_NUMPY.items():
        table[name] = _sig(prim, A("x"))
    table["transpose"] = _sig(Prim.TRANSPOSE, A("x"), A("axes", "static", None))
    for name, prim in _BINARY_NUMPY.items():
        table[name] = _sig(prim, A("x"), A("y"))
    for name, prim in _REDUCTIONS.items():
        table[name] = _sig(prim, A("x"), AXIS, KEEPDIMS)
    table.update({
        "where": _sig(Prim.WHERE, A("condition"), A("x"), A("y")),
        "clip": _sig(Prim.CLIP, A("a"), A("a_min", "array", NONE_ATOM),
                     A("a_max", "array", NONE_ATOM)),
        # as numpy's ufunc (xp.remainder): two Python numbers give nan at 0, not ZeroDivisionError
        "mod": _sig(Prim.MOD, A("x1"), A("x2"), ufunc="remainder"),
        "remainder": _sig(Prim.MOD, A("x1"), A("x2"), ufunc="remainder"),
        "reshape": _sig(Prim.RESHAPE, A("a"), A("newshape", "shape"), ORDER),
        "expand_dims": _sig(Prim.EXPAND_DIMS, A("a"), A("axis", "static")),
        "squeeze": _sig(Prim.SQUEEZE, A("a"), AXIS),
        "broadcast_to": _sig(Prim.BROADCAST_TO, A("array"), A("shape", "shape")),
        "concatenate": _sig(Prim.CONCATENATE, A("arrays", "seq"), A("axis", "static", 0)),
        "stack": _sig(Prim.STACK, A("arrays", "seq"), A("axis", "static", 0)),
        # vdot and outer flatten both operands first (`ravel` each, then dot / outer)
        "vdot": _sig(Prim.DOT, A("a"), A("b"), ravel_args=True),
        "outer": _sig(Prim.OUTER, A("a"), A("b"), ravel_args=True),
        # hstack / vstack: concatenate after atleast_1d / atleast_2d (see primitives/shape.py)
        "hstack": _sig(Prim.CONCATENATE, A("arrays", "seq"), hstack=True),
        "vstack": _sig(Prim.CONCATENATE, A("arrays", "seq"), vstack=True),
        "argmax": _sig(Prim.ARGMAX, A("a"), AXIS),
        "argmin": _sig(Prim.ARGMIN, A("a"), AXIS),
        "round": _sig(Prim.ROUND, A("a"), A("decimals", "static", 0)),
        "around": _sig(Prim.ROUND, A("a"), A("decimals", "static", 0)),
        "shape": _sig(Prim.SHAPE, A("a")),
        "ndim": _sig(Prim.NDIM, A("a")),
        "size": _sig(Prim.SIZE, A("a")),
        "zeros": _sig(Prim.ZEROS, A("shape", "shape"), A("dtype", "static", None)),
        "ones": _sig(Prim.ONES, A("shape", "shape"), A("dtype", "static", None)),
        "full": _sig(Prim.FULL, A("shape", "shape"), A("fill_value"), A("dtype", "static", None)),
        "eye": _sig(Prim.EYE, A("N"), A("dtype", "static", None)),
        "arange": _sig(Prim.ARANGE, A("start"), A("stop", "array", None),
                       A("step", "array", None), A("dtype", "static", None)),
        "linspace": _sig(Prim.LINSPACE, A("start"), A("stop"), A("num")),
        "linalg.norm": _sig(Prim.NORM, A("x"), A("ord", "static", None), AXIS, KEEPDIMS),
    })
    return {f"numpy.{name}": spec for name, spec in table.items()}


def _math_functions() -> dict[str, CallSpec]:
    table = {f"math.{n}": _sig(p, A("x"), lib="math") for n, p in _MATH_UNARY.items()}
    table["math.pow"] = _sig(Prim.POW, A("x"), A("y"), lib="math")
    table["math.atan2"] = _sig(Prim.ARCTAN2, A("y"), A("x"), lib="math")
    return table


def _builtin_functions() -> dict[str, CallSpec]:
    return {
        "abs": _sig(Prim.ABS, A("x"), lib="builtins"),
        "float": _sig(Prim.FLOAT, A("x")),
        "int": _sig(Prim.INT, A("x")),
        "bool": _sig(Prim.BOOL, A("x")),
        "len": _sig(Prim.LEN, A("obj")),
        "pow": _sig(Prim.POW, A("base"), A("exp")),
        "max": _sig(Prim.MAXIMUM, A("a"), A("b"), lib="builtins"),
        "min": _sig(Prim.MINIMUM, A("a"), A("b"), lib="builtins"),
        "round": _sig(Prim.ROUND, A("number"), A("ndigits", "static", None), lib="builtins"),
        "agc.stop_gradient": _sig(Prim.STOP_GRADIENT, A("x")),
        "agc.runtime.stop_gradient": _sig(Prim.STOP_GRADIENT, A("x")),
    }


# issue 13, elementwise and scipy.special
_UNARY_NUMPY_MORE = {
    "reciprocal": Prim.RECIPROCAL, "cbrt": Prim.CBRT, "exp2": Prim.EXP2,
    "deg2rad": Prim.DEG2RAD, "radians": Prim.DEG2RAD, "rad2deg": Prim.RAD2DEG,
    "degrees": Prim.RAD2DEG, "arcsinh": Prim.ARCSINH, "arccosh": Prim.ARCCOSH,
    "arctanh": Prim.ARCTANH, "asinh": Prim.ARCSINH, "acosh": Prim.ARCCOSH,
    "atanh": Prim.ARCTANH, "sinc": Prim.SINC,
}
_BINARY_NUMPY_MORE = {
    "hypot": Prim.HYPOT, "logaddexp": Prim.LOGADDEXP, "logaddexp2": Prim.LOGADDEXP2,
    "fmax": Prim.FMAX, "fmin": Prim.FMIN, "heaviside": Prim.HEAVISIDE,
}
_MATH_MORE = {
    "cbrt": Prim.CBRT, "exp2": Prim.EXP2, "radians": Prim.DEG2RAD, "degrees": Prim.RAD2DEG,
    "asinh": Prim.ARCSINH, "acosh": Prim.ARCCOSH, "atanh": Prim.ARCTANH,
    "erf": Prim.ERF, "erfc": Prim.ERFC, "lgamma": Prim.GAMMALN,
}
_SPECIAL_UNARY = {
    "erf": Prim.ERF, "erfc": Prim.ERFC, "expit": Prim.EXPIT, "logit": Prim.LOGIT,
    "log_expit": Prim.LOG_EXPIT, "gammaln": Prim.GAMMALN, "digamma": Prim.DIGAMMA,
    "psi": Prim.DIGAMMA, "ndtr": Prim.NDTR, "log_ndtr": Prim.LOG_NDTR, "ndtri": Prim.NDTRI,
    "erfinv": Prim.ERFINV, "gamma": Prim.GAMMA, "entr": Prim.ENTR,
}
_SPECIAL_BINARY = {"xlogy": Prim.XLOGY, "xlog1py": Prim.XLOG1PY, "betaln": Prim.BETALN,
                   "beta": Prim.BETA, "rel_entr": Prim.REL_ENTR}
# scipy.special's copies of numpy functions: the same values, emitted as numpy's
_SPECIAL_AS_NUMPY = {"cbrt": Prim.CBRT, "exp2": Prim.EXP2, "expm1": Prim.EXPM1,
                     "log1p": Prim.LOG1P}

# Static options agc refuses, by (primitive, option, value): the hint says what to write instead.
REFUSED_OPTIONS: dict[tuple[Prim, str, object], str] = {
    (Prim.NAN_TO_NUM, "copy", False):
        "copy=False writes into x in place; write x = np.nan_to_num(x) instead",
    (Prim.LOGSUMEXP, "return_sign", True):
        "return_sign=True gives a (value, sign) pair agc does not differentiate; "
        "keep the weights b positive and drop return_sign, or take the log of "
        "np.abs(np.sum(b * np.exp(a))) yourself",
}


def _issue13_functions() -> dict[str, CallSpec]:
    table = {f"numpy.{n}": _sig(p, A("x")) for n, p in _UNARY_NUMPY_MORE.items()}
    table.update({f"numpy.{n}": _sig(p, A("x1"), A("x2")) for n, p in _BINARY_NUMPY_MORE.items()})
    table.update({f"math.{n}": _sig(p, A("x"), lib="math") for n, p in _MATH_MORE.items()})
    table["math.hypot"] = _sig(Prim.HYPOT, A("x"), A("y"), lib="math")
    table.update({f"scipy.special.{n}": _sig(p, A("x"))
                  for n, p in {**_SPECIAL_UNARY, **_SPECIAL_AS_NUMPY}.items()})
    table.update({f"scipy.special.{n}": _sig(p, A("x"), A("y"))
                  for n, p in _SPECIAL_BINARY.items()})
    table.update({
        "scipy.special.multigammaln": _sig(Prim.MULTIGAMMALN, A("a"), A("d", "static")),
        "scipy.special.polygamma": _sig(Prim.POLYGAMMA, A("n", "static"), A("x")),
        "scipy.special.logsumexp": _sig(
            Prim.LOGSUMEXP, A("a"), AXIS, A("b", "array", None), KEEPDIMS,
            A("return_sign", "static", False)),
        "scipy.special.softmax": _sig(Prim.SOFTMAX, A("x"), AXIS),
        "scipy.special.log_softmax": _sig(Prim.LOG_SOFTMAX, A("x"), AXIS),
    })
    return table


# issue 13, reductions and statistics: numpy's own signatures (parameter names and order, so
# that `np.mean(a=x)` and positional options bind as in numpy). `dtype` casts the operand first;
# `refuse` parameters are refused when given (see frontend/calls.py).
DTYPE = Arg("dtype", "dtype", None)
OUT = Arg("out", "refuse", None)
WHERE = Arg("where", "refuse", None)
INITIAL = Arg("initial", "refuse", None)
# where= and initial= that sum, prod, mean, max and min take (frontend/more_calls.py)
WHERE_OPTION = Arg("where", "option", None)
INITIAL_OPTION = Arg("initial", "option", None)
DDOF = Arg("ddof", "static", 0)
SORT_KIND = (Arg("kind", "static", None), Arg("order", "refuse", None),
             Arg("stable", "static", None))


def _stat_functions() -> dict[str, CallSpec]:
    a = A("a")
    table = {
        "sum": _sig(Prim.SUM, a, AXIS, DTYPE, OUT, KEEPDIMS, INITIAL_OPTION, WHERE_OPTION),
        "prod": _sig(Prim.PROD, a, AXIS, DTYPE, OUT, KEEPDIMS, INITIAL_OPTION, WHERE_OPTION),
        "mean": _sig(Prim.MEAN, a, AXIS, DTYPE, OUT, KEEPDIMS, WHERE_OPTION),
        "var": _sig(Prim.VAR, a, AXIS, DTYPE, OUT, DDOF, KEEPDIMS, WHERE),
        "std": _sig(Prim.STD, a, AXIS, DTYPE, OUT, DDOF, KEEPDIMS, WHERE),
        "nansum": _sig(Prim.NANSUM, a, AXIS, DTYPE, OUT, KEEPDIMS, INITIAL, WHERE),
        "nanmean": _sig(Prim.NANMEAN, a, AXIS, DTYPE, OUT, KEEPDIMS, WHERE),
        "median": _sig(Prim.MEDIAN, a, AXIS, OUT, Arg("overwrite_input", "refuse", None),
                       KEEPDIMS),
        "cumsum": _sig(Prim.CUMSUM, a, AXIS, DTYPE, OUT),
        "cumprod": _sig(Prim.CUMPROD, a, AXIS, DTYPE, OUT),
        "sort": _sig(Prim.SORT, a, Arg("axis", "static", -1), *SORT_KIND),
        "argsort": _sig(Prim.ARGSORT, a, Arg("axis", "static", -1), *SORT_KIND),
        "all": _sig(Prim.ALL, a, AXIS, OUT, KEEPDIMS, WHERE),
        "any": _sig(Prim.ANY, a, AXIS, OUT, KEEPDIMS, WHERE),
        "count_nonzero": _sig(Prim.COUNT_NONZERO, a, AXIS, KEEPDIMS),
        "argmax": _sig(Prim.ARGMAX, a, AXIS, OUT, KEEPDIMS),
        "argmin": _sig(Prim.ARGMIN, a, AXIS, OUT, KEEPDIMS),
    }
    for name, prim in (("max", Prim.MAX), ("min", Prim.MIN), ("amax", Prim.MAX),
                       ("amin", Prim.MIN)):
        table[name] = _sig(prim, a, AXIS, OUT, KEEPDIMS, INITIAL_OPTION, WHERE_OPTION)
    table["ptp"] = _sig(Prim.MAX, a, AXIS, OUT, KEEPDIMS, ptp=True)
    # lowered onto sums, products and slices by frontend/stat_calls.py
    table["average"] = _sig(Prim.DIV, a, AXIS, A("weights", "array", None),
                             A("returned", "static", False), KEEPDIMS, lowering="average")
    table["diff"] = _sig(Prim.SUB, a, A("n", "static", 1), A("axis", "static", -1),
                         A("prepend", "array", None), A("append", "array", None),
                         lowering="diff")
    return {f"numpy.{name}": spec for name, spec in table.items()}


def _stat_methods() -> dict[str, CallSpec]:
    """Array methods: numpy's ndarray signatures, the receiver first."""
    x = A("x")
    methods = {name: spec for name, spec in (
        (n.removeprefix("numpy."), s) for n, s in _stat_functions().items())
        if name in ("sum", "prod", "mean", "var", "std", "cumsum", "cumprod", "all", "any",
                    "argmax", "argmin", "max", "min", "argsort")}
    methods = {name: CallSpec(spec.prim, (x, *spec.args[1:]), spec.fixed)
               for name, spec in methods.items()}
    # x.sort() sorts x in place and gives None: a statement of its own (frontend/stat_calls.py)
    methods["sort"] = _sig(Prim.SORT, x, Arg("axis", "static", -1), *SORT_KIND, in_place=True)
    return methods


# issue 13, linear algebra: einsum and tensordot are lowered in frontend/linalg_calls.py
def _linalg_functions() -> dict[str, CallSpec]:
    offset_axes = (A("offset", "static", 0), A("axis1", "static", 0), A("axis2", "static", 1))
    table = {
        "kron": _sig(Prim.KRON, A("a"), A("b")),
        "cross": _sig(Prim.CROSS, A("a"), A("b"), A("axisa", "static", -1),
                      A("axisb", "static", -1), A("axisc", "static", -1),
                      A("axis", "static", None)),
        "trace": _sig(Prim.TRACE, A("a"), *offset_axes),
        "diagonal": _sig(Prim.DIAGONAL, A("a"), *offset_axes),
        "diag": _sig(Prim.DIAG, A("v"), A("k", "static", 0)),
        "tril": _sig(Prim.TRIL, A("m"), A("k", "static", 0)),
        "triu": _sig(Prim.TRIU, A("m"), A("k", "static", 0)),
        "linalg.inv": _sig(Prim.INV, A("a")),
        "linalg.solve": _sig(Prim.SOLVE, A("a"), A("b")),
        "linalg.det": _sig(Prim.DET, A("a")),
        "linalg.slogdet": _sig(Prim.SLOGDET, A("a")),
        "linalg.cholesky": _sig(Prim.CHOLESKY, A("a"), A("upper", "static", False)),
        "linalg.eigvalsh": _sig(Prim.EIGVALSH, A("a"), A("UPLO", "static", "L")),
        "linalg.eigh": _sig(Prim.EIGH, A("a"), A("UPLO", "static", "L")),
        "linalg.matrix_power": _sig(Prim.MATRIX_POWER, A("a"), A("n", "static")),
        "linalg.pinv": _sig(Prim.PINV, A("a"), A("rcond", "static", None)),
        "linalg.lstsq": _sig(Prim.LSTSQ, A("a"), A("b"), A("rcond", "static", None)),
        "linalg.svdvals": _sig(Prim.SVD_VALUES, A("x")),
    }
    return {f"numpy.{name}": spec for name, spec in table.items()}


def _shape_functions() -> dict[str, CallSpec]:
    """Issue 13: shapes, indexing, masks and constructors (numpy's names and defaults)."""
    dtype = static("dtype", None)
    table = {
        "swapaxes": _sig(Prim.SWAPAXES, A("a"), static("axis1"), static("axis2")),
        "moveaxis": _sig(Prim.MOVEAXIS, A("a"), static("source"), static("destination")),
        "flip": _sig(Prim.FLIP, A("m"), AXIS),
        "fliplr": _sig(Prim.FLIP, A("m"), axis=1),
        "flipud": _sig(Prim.FLIP, A("m"), axis=0),
        "rot90": _sig(Prim.ROT90, A("m"), static("k", 1), static("axes", (0, 1))),
        # np.append: concatenate, of the flattened operands when axis is None
        "append": _sig(Prim.CONCATENATE, A("arr"), A("values"), AXIS, append=True),
        "roll": _sig(Prim.ROLL, A("a"), static("shift"), AXIS),
        "tile": _sig(Prim.TILE, A("A"), static("reps")),
        "repeat": _sig(Prim.REPEAT, A("a"), A("repeats"), AXIS),
        "pad": _sig(Prim.PAD, A("array"), static("pad_width"), static("mode", "constant"),
                    static("constant_values", 0)),
        "atleast_1d": _sig(Prim.ATLEAST, A("arys"), ndim=1),
        "atleast_2d": _sig(Prim.ATLEAST, A("arys"), ndim=2),
        "atleast_3d": _sig(Prim.ATLEAST, A("arys"), ndim=3),
        "ravel": _sig(Prim.RESHAPE, A("a"), ORDER, flatten=True),
        "lib.stride_tricks.sliding_window_view": _sig(
            Prim.SLIDING_WINDOW, A("x"), static("window_shape"), AXIS),
        "column_stack": _sig(Prim.COLUMN_STACK, A("tup", "seq")),
        "dstack": _sig(Prim.DSTACK, A("tup", "seq")),
        "meshgrid": _sig(Prim.MESHGRID, static("sparse", False), static("indexing", "xy"),
                         varargs="arrays"),
        "split": _sig(Prim.SPLIT, A("ary"), static("indices_or_sections"), static("axis", 0)),
        "array_split": _sig(Prim.SPLIT, A("ary"), static("indices_or_sections"),
                            static("axis", 0), array_split=True),
        "take": _sig(Prim.TAKE, A("a"), A("indices"), AXIS),
        "take_along_axis": _sig(Prim.TAKE_ALONG_AXIS, A("arr"), A("indices"), static("axis", -1)),
        # np.float32(x), np.int64(x), ...: a cast (integers carry no derivative)
        **{name: _sig(Prim.CAST, A("x"), dtype_name=name) for name in SCALAR_TYPES},
        "copy": _sig(Prim.COPY, A("a"), ORDER, fresh=True),
        # numpy leaves empty's values undefined; agc fills zeros (docs/api.md)
        "empty": _sig(Prim.ZEROS, A("shape", "shape"), dtype),
        "empty_like": _sig(Prim.ZEROS_LIKE, A("prototype"), dtype),
        "zeros_like": _sig(Prim.ZEROS_LIKE, A("a"), dtype),
        "ones_like": _sig(Prim.ONES_LIKE, A("a"), dtype),
        "full_like": _sig(Prim.FULL_LIKE, A("a"), A("fill_value"), dtype),
        "eye": _sig(Prim.EYE, A("N"), A("M", "array", None), static("k", 0), dtype),
        "identity": _sig(Prim.EYE, A("n"), dtype),
        "linspace": _sig(Prim.LINSPACE, A("start"), A("stop"), A("num", "array", 50),
                         static("endpoint", True), dtype),
        "nonzero": _sig(Prim.NONZERO, A("a")),
        "flatnonzero": _sig(Prim.FLATNONZERO, A("a")),
        "ix_": _sig(Prim.IX, varargs="arrays"),
        "triu_indices": _sig(Prim.TRIU_INDICES, A("n"), static("k", 0), static("m", None)),
        "tril_indices": _sig(Prim.TRIL_INDICES, A("n"), static("k", 0), static("m", None)),
        "isclose": _sig(Prim.ISCLOSE, A("a"), A("b"), static("rtol", 1e-05),
                        static("atol", 1e-08), static("equal_nan", False)),
        "logical_and": _sig(Prim.LOGICAL_AND, A("x1"), A("x2")),
        "logical_or": _sig(Prim.LOGICAL_OR, A("x1"), A("x2")),
        "logical_xor": _sig(Prim.LOGICAL_XOR, A("x1"), A("x2")),
        "logical_not": _sig(Prim.LOGICAL_NOT, A("x")),
        "searchsorted": _sig(Prim.SEARCHSORTED, A("a"), A("v"), static("side", "left")),
        "digitize": _sig(Prim.DIGITIZE, A("x"), A("bins"), static("right", False)),
    }
    return {f"numpy.{name}": spec for name, spec in table.items()}


def _scipy_linalg_functions() -> dict[str, CallSpec]:
    return {
        "scipy.linalg.solve_triangular": _sig(
            Prim.SOLVE_TRIANGULAR, A("a"), A("b"), A("trans", "static", 0),
            A("lower", "static", False), A("unit_diagonal", "static", False)),
        "scipy.linalg.cho_factor": _sig(Prim.CHO_FACTOR, A("a"), A("lower", "static", False)),
        "scipy.linalg.cho_solve": _sig(Prim.CHO_SOLVE, A("c_and_lower"), A("b")),
    }


LINALG_METHODS: dict[str, CallSpec] = {
    "trace": _sig(Prim.TRACE, A("x"), A("offset", "static", 0), A("axis1", "static", 0),
                  A("axis2", "static", 1)),
    "diagonal": _sig(Prim.DIAGONAL, A("x"), A("offset", "static", 0), A("axis1", "static", 0),
                     A("axis2", "static", 1)),
}

# Fields of numpy.linalg's named-tuple results: refused with a hint to unpack instead.
# numpy's named results: (the functions that give them, the field's position).
RESULT_POSITIONS: dict[str, tuple[frozenset[str], int]] = {
    "eigenvalues": (frozenset({"numpy.linalg.eigh"}), 0),
    "eigenvectors": (frozenset({"numpy.linalg.eigh"}), 1),
    "sign": (frozenset({"numpy.linalg.slogdet"}), 0),
    "logabsdet": (frozenset({"numpy.linalg.slogdet"}), 1),
    "Q": (frozenset({"numpy.linalg.qr"}), 0), "R": (frozenset({"numpy.linalg.qr"}), 1),
    "U": (frozenset({"numpy.linalg.svd"}), 0), "S": (frozenset({"numpy.linalg.svd"}), 1),
    "Vh": (frozenset({"numpy.linalg.svd"}), 2),
}
RESULT_FIELDS: dict[str, str] = {
    "eigenvalues": "w, v = np.linalg.eigh(A)", "eigenvectors": "w, v = np.linalg.eigh(A)",
    "sign": "sign, logabsdet = np.linalg.slogdet(A)",
    "logabsdet": "sign, logabsdet = np.linalg.slogdet(A)",
    "Q": "Q, R = np.linalg.qr(A)", "R": "Q, R = np.linalg.qr(A)",
    "U": "U, S, Vh = np.linalg.svd(A, full_matrices=False)",
    "S": "U, S, Vh = np.linalg.svd(A, full_matrices=False)",
    "Vh": "U, S, Vh = np.linalg.svd(A, full_matrices=False)",
}


# Issue 13: array methods and attributes of shapes and indexing (x.fill(v) is a statement:
# see Lowerer._stmt_Expr).
_SHAPE_METHODS = {
    "swapaxes": _sig(Prim.SWAPAXES, A("x"), A("axis1", "static"), A("axis2", "static")),
    "repeat": _sig(Prim.REPEAT, A("x"), A("repeats"), AXIS),
    "take": _sig(Prim.TAKE, A("x"), A("indices"), AXIS),
    "nonzero": _sig(Prim.NONZERO, A("x")),
    # numpy's flatten always copies (ravel and reshape may give views): reshape, then copy
    "flatten": _sig(Prim.RESHAPE, A("x"), ORDER, flatten=True, copies=True),
}
_SHAPE_ATTRIBUTES = {"mT": Prim.MATRIX_T}


def _nn_functions() -> dict[str, CallSpec]:
    """Issue 19: agc.nn's convolutions, poolings (torch.nn.functional's options) and relu."""
    conv = (A("x"), A("weight"), A("bias", "array", None), static("stride", 1),
            static("padding", 0), static("dilation", 1), static("groups", 1))
    pool = (A("x"), static("kernel_size"), static("stride", None), static("padding", 0))
    return {
        "agc.nn.conv1d": _sig(Prim.CONV1D, *conv),
        "agc.nn.conv2d": _sig(Prim.CONV2D, *conv),
        "agc.nn.max_pool2d": _sig(Prim.MAX_POOL2D, *pool),
        "agc.nn.avg_pool2d": _sig(Prim.AVG_POOL2D, *pool),
        "agc.nn.adaptive_avg_pool2d": _sig(Prim.ADAPTIVE_AVG_POOL2D, A("x"), static("output_size")),
        "agc.nn.relu": _sig(Prim.RELU, A("x")),
        # x * its mask, drawn from rng (frontend/draw_calls.py)
        "agc.nn.dropout": _sig(Prim.DROPOUT_MASK, A("x"), A("p"), A("rng"),
                               A("training", "array", True)),
    }


FUNCTIONS: dict[str, CallSpec] = {**_numpy_functions(), **_math_functions(), **_builtin_functions(),
                                  **_issue13_functions(), **_stat_functions(), **_shape_functions()}
FUNCTIONS.update(_linalg_functions(), **_scipy_linalg_functions(), **_nn_functions())
FUNCTIONS.update(more_functions())

METHODS: dict[str, CallSpec] = {
    **{name: _sig(prim, A("x"), AXIS, KEEPDIMS) for name, prim in _REDUCTIONS.items()},
    "reshape": _sig(Prim.RESHAPE, A("x"), ORDER, varargs="shape"),
    "transpose": _sig(Prim.TRANSPOSE, A("x"), varargs="axes"),
    "dot": _sig(Prim.DOT, A("x"), A("y")),
    "astype": _sig(Prim.ASTYPE, A("x"), A("dtype")),
    "copy": _sig(Prim.COPY, A("x"), ORDER, fresh=True),  # a new array: emitted rt.copy_of(x)
    "ravel": _sig(Prim.RESHAPE, A("x"), ORDER, flatten=True),
    "squeeze": _sig(Prim.SQUEEZE, A("x"), AXIS),
    # ndarray.clip(min=None, max=None): numpy's names for the method's bounds
    "clip": _sig(Prim.CLIP, A("x"), A("min", "array", NONE_ATOM), A("max", "array", NONE_ATOM)),
    "argmax": _sig(Prim.ARGMAX, A("x"), AXIS),
    "argmin": _sig(Prim.ARGMIN, A("x"), AXIS),
    "round": _sig(Prim.ROUND, A("x"), A("decimals", "static", 0)),
    **_stat_methods(),
    **_SHAPE_METHODS,
}
METHODS.update(LINALG_METHODS, **more_methods())

ATTRIBUTES: dict[str, Prim] = {
    "T": Prim.TRANSPOSE, "shape": Prim.SHAPE, "ndim": Prim.NDIM,
    "size": Prim.SIZE, "dtype": Prim.DTYPE, **_SHAPE_ATTRIBUTES,
}

# numpy / math constants a model may read; their value and the text to emit.
CONSTANTS: dict[str, float] = {
    "numpy.pi": 3.141592653589793, "numpy.e": 2.718281828459045, "numpy.inf": float("inf"),
    "math.pi": 3.141592653589793, "math.e": 2.718281828459045, "math.inf": float("inf"),
    "math.tau": 6.283185307179586, "numpy.newaxis": None,
}

DTYPES = (*SCALAR_TYPES, "bool_", "complex64", "complex128")
