"""The second table of numpy_names: functions lowered onto existing primitives or onto the
newer ones (fmod, copysign, interp, convolve: primitives/elementwise_more.py, signal.py), and the methods that go with them.

A spec with a fixed `lowering` is written by frontend/more_calls.py as a few primitives
(np.divmod: a floor division and a remainder; np.trapezoid: slices, a product and a sum).
"""

from __future__ import annotations

from ..ir.prims import Prim
from .call_specs import Arg, CallSpec, sig, static

A = Arg
AXIS = static("axis", None)
X1_X2 = (A("x1"), A("x2"))


def more_functions() -> dict[str, CallSpec]:
    """numpy, math and builtin functions of this table, by qualified name."""
    numpy = {
        "positive": sig(Prim.COPY, A("x"), lowering="positive"),  # +x: a new array
        "floor_divide": sig(Prim.FLOORDIV, *X1_X2, lowering="floor_divide"),  # flat, as jax's
        "fmod": sig(Prim.FMOD, *X1_X2),
        "copysign": sig(Prim.COPYSIGN, *X1_X2),
        "float_power": sig(Prim.POW, *X1_X2, lowering="float_power"),
        "divmod": sig(Prim.TUPLE, *X1_X2, lowering="divmod"),
        # numpy.asarray(a, dtype, order): order= is passed on (the values do not change);
        # a dtype is a cast after it (frontend/dtype_calls.py)
        "asarray": sig(Prim.ASARRAY, A("a"), static("dtype", None),
                       A("order", "order", None)),
        "nanmax": sig(Prim.MAX, A("a"), AXIS, A("out", "refuse", None),
                      static("keepdims", False), lowering="nan_extreme"),
        "nanmin": sig(Prim.MIN, A("a"), AXIS, A("out", "refuse", None),
                      static("keepdims", False), lowering="nan_extreme"),
        # left= and right= are constants: the values outside xp (fp[0] and fp[-1] without)
        "interp": sig(Prim.INTERP, A("x"), A("xp"), A("fp"), static("left", None),
                      static("right", None), A("period", "refuse", None)),
        "convolve": sig(Prim.CONVOLVE, A("a"), A("v"), static("mode", "full")),
        # copy=False writes into x: refused (numpy_names.REFUSED_OPTIONS)
        "nan_to_num": sig(Prim.NAN_TO_NUM, A("x"), static("copy", True), static("nan", 0.0),
                          static("posinf", None), static("neginf", None)),
        "trapezoid": sig(Prim.SUM, A("y"), A("x", "array", None), static("dx", 1.0),
                         static("axis", -1), lowering="trapezoid"),
    }
    numpy["select"] = sig(Prim.WHERE, A("condlist"), A("choicelist"), A("default", "array", 0),
                          lowering="select")
    numpy["polyval"] = sig(Prim.ADD, A("p"), A("x"), lowering="polyval")
    numpy["piecewise"] = sig(Prim.SETITEM, A("x"), A("condlist"), A("funclist"),
                             lowering="piecewise")
    for name in ("quantile", "percentile"):  # frontend/numpy_lowerings.py
        numpy[name] = sig(Prim.QUANTILE, A("a"), static("q"), AXIS, A("out", "refuse", None),
                          static("overwrite_input", False), static("method", "linear"),
                          static("keepdims", False), A("weights", "refuse", None),
                          A("interpolation", "refuse", None), lowering="quantile",
                          percent=name == "percentile")
    table = {f"numpy.{name}": spec for name, spec in numpy.items()}
    table["divmod"] = sig(Prim.TUPLE, A("a"), A("b"), lowering="divmod")
    table["math.fsum"] = sig(Prim.FSUM, A("seq"), lowering="fsum")
    table["math.log"] = sig(Prim.LOG, A("x"), A("base", "array", None), lowering="log_base")
    return table


def more_methods() -> dict[str, CallSpec]:
    """Array methods of this table: x.item(), x.item(i), x.item(i, j), x.tolist()."""
    return {"item": sig(Prim.FLOAT, A("x"), varargs="index", lowering="item"),
            "tolist": sig(Prim.FLOAT, A("x"), lowering="tolist")}  # numpy_lowerings.py
