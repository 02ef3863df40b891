"""What the parameters and variables of a function hold: scalars, or containers.

Knowing that both sides of `x * y` are scalars lets the derivative rules skip
`unbroadcast`, and then the backward sweep no longer reads those values,
so they need not be kept on the tape. Scalar parameters are known from a
`float`/`int` annotation (CLI) or from the call's arguments (decorator); the
other variables' ranks are in ranks.py. Containers (dicts, lists, tuples:
pytrees of arrays) are known from annotations or from how the body reads
them; their adjoints add item by item.
"""

from __future__ import annotations

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim

SCALAR_ANNOTATIONS = {"float", "int"}
CONTAINER_ANNOTATIONS = {"dict", "list", "tuple"}


def scalar_params(fn: ir.Function) -> set[str]:
    """Parameters annotated `float` or `int`."""
    return {p.name for p in fn.params if p.annotation in SCALAR_ANNOTATIONS}


def container_params(fn: ir.Function) -> set[str]:
    """Parameters annotated dict, list or tuple (pytrees of arrays)."""
    return {p.name for p in fn.params if p.annotation in CONTAINER_ANNOTATIONS}


def keyed_params(fn: ir.Function) -> set[str]:
    """Parameters read with a string key (`params["W1"]`): dicts, whatever the caller passes."""
    return {s.args[0].name for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
            and s.prim is Prim.GETITEM and isinstance(s.args[0], ir.Var)
            and s.args[0].name in fn.param_names and _string_keyed(s)}


def _string_keyed(s: ir.Assign) -> bool:
    items = s.params.get("index").items
    return len(items) == 1 and isinstance(items[0], ir.Hole) \
        and isinstance(s.args[items[0].pos], ir.Const) and isinstance(s.args[items[0].pos].value, str)


def indexed_params(fn: ir.Function) -> set[str]:
    """Parameters the body reads items of (`p[0]`): lists or tuples as far as agc knows."""
    return {s.args[0].name for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
            and s.prim is Prim.GETITEM and isinstance(s.args[0], ir.Var)
            and s.args[0].name in fn.param_names}


def container_variables(fn: ir.Function, params: set[str]) -> set[str]:
    """Names that may hold tuples, lists or dicts: their adjoints add item by item."""
    found = set(params)
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    changed = True
    while changed:
        changed = False
        for s in assigns:
            name = s.target.name
            makes = s.prim in (Prim.CALL, Prim.TUPLE, Prim.LIST, Prim.APPEND) or \
                s.prim.spec.makes_sequence or (
                s.prim in (Prim.GETITEM, Prim.COPY) and isinstance(s.args[0], ir.Var)
                and s.args[0].name in found)
            if makes and name not in found:
                found.add(name)
                changed = True
    return found


def refuse_arrays_for_numbers(fn: ir.Function, ranks: dict, helpers: dict) -> None:
    """Refuse a call of a helper (`helpers`: (module, name) -> its IR) passing a value of
    known rank above 0 to a parameter annotated `float` or `int`: the helper's gradient takes
    the annotation's word (shape ()), so the array's broadcasting would go unsummed."""
    for s in ir.walk(fn.body):
        helper = helpers.get((s.params.get("module"), s.params.get("fn"))) \
            if isinstance(s, ir.Assign) and s.prim is Prim.CALL else None
        if helper is None:
            continue
        numbers = scalar_params(helper)
        for name, arg in zip(helper.param_names, s.args):
            rank = ranks.get(arg.name) if isinstance(arg, ir.Var) else None
            if name in numbers and rank is not None and rank > 0:
                raise UserCodeError(
                    f"`{helper.name}`'s parameter `{name}` is annotated as a number, but this "
                    f"call passes an array of {rank} dimension(s): agc differentiates `{name}` "
                    "as a number (shape ())", s.loc,
                    hint=f"drop the annotation of `{name}`, or pass a number")
