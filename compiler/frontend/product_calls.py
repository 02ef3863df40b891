"""Lowering of a VJP or JVP called inside a model, for an f of an array or of a number.

Both are written with `f_seeded(x, seed) = (f(x) * seed).sum()` (compiler/seeded.py),
a number whatever f returns. `f.vjp(x, seed=s)` is `(f(x), the gradient of f_seeded
at seed=s)`: a GRAD_CALL per wrt name (primitives/gradient_calls.py), after
`rt.check_seed` checks s has f's output shape, as `f.vjp` checks it. `f.jvp(x, y,
tangents=(t, None))` and `agc.jvp(f, (x, y), (t, None))` are `(f(x), J t)`, one
JVP_CALL (primitives/jvp_calls.py): the tangent of f_seeded's gradient with respect to
the seed, which is f(x). The derivatives of these calls are f_seeded's Hessian-vector
products, in the decorator and in `agc compile` alike. Where the ranks of the call's
arguments tell that f returns a number, seeded.scalar_products writes both with f's own
gradient instead, as they were before f_seeded.
"""

from __future__ import annotations

import types

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.namer import free_name
from ..ir.prims import Prim
from .resolve import decorated_function


def lower_product(low, node: cst.Call, dest, name: str, method: str, wrt, params) -> ir.Atom:
    """`f.vjp(..., seed=s)` or `f.jvp(..., tangents=(...))`: (value, product)."""
    keyword = "seed" if method == "vjp" else "tangents"
    given = [a for a in node.args if a.keyword is not None and a.keyword.value == keyword]
    if not given:
        raise UserCodeError(f"{name}.{method}() needs its `{keyword}=` argument", low.loc(node))
    if any(a.star for a in node.args):
        raise low.unsupported(node, f"*args / **kwargs in a call of {name}.{method}()",
                              "pass each argument by position or by name")
    atoms, extra = [], None
    for arg in node.args:  # in the order written, as Python evaluates them
        if arg is given[0]:
            extra = _tangents(low, arg.value, name, params) if method == "jvp" else \
                low.expr(arg.value)
        else:
            atoms.append(low.expr(arg.value))
    rest = node.with_changes(args=[a for a in node.args if a is not given[0]])
    low.loc_alias[rest] = node
    atoms = low.bind_arguments(rest, name, atoms, params)
    names = tuple(p for p, _ in params)
    if method == "jvp":
        return _jvp(low, node, dest, name, atoms, names, extra, f"{name}.jvp()")
    value = value_of(low, node, name, atoms)
    packed = seeded_grads(low, node, None, name, atoms, names, value, extra,
                          wrt or names[:1], f"{name}.vjp()")
    return low.emit_assign(dest, Prim.TUPLE, (value, packed), node)


def seeded_grads(low, node, dest, name: str, atoms: list, names: tuple, value: ir.Atom,
                 seed: ir.Atom, wrt: tuple, form: str) -> ir.Atom:
    """f's VJP, the gradients w.r.t. `wrt` of `f_seeded(args, seed)`, the number
    sum(f(args) * seed), for an f of a number or of an array alike (a tuple for several
    wrt). The seed is checked first to have the shape of f's `value` (rt.check_seed), as
    f.vjp checks it."""
    low.emit_assign(None, Prim.CHECK_SEED, [value, seed], node)
    params = _seeded(low, name, names, form)
    grads = [low.emit_assign(dest if len(wrt) == 1 else None, Prim.GRAD_CALL, [*atoms, seed],
                             node, params.with_(grad_wrt=w)) for w in wrt]
    return grads[0] if len(grads) == 1 else low.emit_assign(dest, Prim.TUPLE, grads, node)


def _seeded(low, name: str, names: tuple, form: str) -> ir.Params:
    """The params of a call of `f_seeded(args, seed)` (compiler/seeded.py), its name and its
    seed's chosen where the model and f do not use them."""
    taken = set(low.parsed.functions) | set(low.parsed.live_globals or ())
    return ir.Params.of(fn=free_name(f"{name}_seeded", taken), seeded=name, form=form,
                        module=low.names.function_modules.get(name),
                        names=(*names, free_name("seed", set(names))))


def lower_functional_jvp(low, node: cst.Call, dest) -> ir.Atom:
    """`agc.jvp(f, (x, y), (t, None))` with f a module-level function and literal tuples."""
    args = node.args
    if len(args) != 3 or any(a.keyword is not None or a.star for a in args) or \
            not isinstance(args[0].value, cst.Name) or low.is_local(args[0].value.value):
        raise low.unsupported(node, "this agc.jvp inside a differentiated model",
                              "write agc.jvp(f, (x, ...), (t, ...)) with f a module-level "
                              "function and the primals and tangents as literal tuples")
    name = args[0].value.value
    params = function_params(low, node, name)
    primals = _items(low, args[1].value, "primals")
    atoms = [low.expr(p) for p in primals]
    tangents = _tangents(low, args[2].value, name, params)
    call = node.with_changes(args=[cst.Arg(p) for p in primals])
    low.loc_alias[call] = node
    atoms = low.bind_arguments(call, name, atoms, params)
    return _jvp(low, node, dest, name, atoms, tuple(p for p, _ in params), tangents,
                f"agc.jvp({name}, ...)")


def _jvp(low, node, dest, name: str, atoms: list, names: tuple, tangents: list,
         form: str) -> ir.Atom:
    """(f(args), J t): a JVP_CALL (primitives/jvp_calls.py) at a zero seed of f's shape."""
    value = value_of(low, node, name, atoms)
    params = _seeded(low, name, names, form)
    moving = (*(names[i] for i, _ in tangents), params.get("names")[-1])
    zero = low.emit_assign(None, Prim.ZEROS_LIKE, [value], node)
    product = low.emit_assign(None, Prim.JVP_CALL, [*atoms, zero, *(t for _, t in tangents)],
                              node, params.with_(wrt=moving,
                                                 dots=tuple(f"{m}_dot" for m in moving)))
    return low.emit_assign(dest, Prim.TUPLE, (value, product), node)


def _tangents(low, value: cst.BaseExpression, name: str, params) -> list[tuple[int, ir.Atom]]:
    """(position, tangent) of each argument given a tangent, from a literal tuple or list."""
    items = _items(low, value, "tangents")
    if len(items) > len(params):
        raise UserCodeError(f"{name}() takes {len(params)} arguments but {len(items)} tangents "
                            f"are given", low.loc(value))
    moving = [(i, low.expr(item)) for i, item in enumerate(items)
              if not (isinstance(item, cst.Name) and item.value == "None")]
    if not moving:
        raise low.unsupported(value, f"a JVP of {name}() with no tangent",
                              "give at least one argument a tangent")
    return moving


def _items(low, value: cst.BaseExpression, what: str) -> list[cst.BaseExpression]:
    """The elements of a literal tuple or list (no starred ones)."""
    if not isinstance(value, (cst.Tuple, cst.List)) or \
            any(isinstance(e, cst.StarredElement) for e in value.elements):
        raise low.unsupported(value, f"{what} that are not written as a literal tuple here",
                              f"write the {what} as a tuple, one per argument: (t, None)")
    return [e.value for e in value.elements]


def function_params(low, node, name: str) -> list[tuple[str, object]]:
    """f's (parameter, default)s: its live function (the decorator) or its definition."""
    live = (low.parsed.live_globals or {}).get(name)
    fn = decorated_function(live) or live
    if isinstance(fn, types.FunctionType):
        return low.live_params(fn)
    if low.parsed.live_globals is None and name in low.parsed.functions:
        return low._helper_params(node, name, None)
    raise low.unsupported(node, f"agc.jvp of `{name}`, which is not a module-level function",
                          "define the function at module level, where agc reads its source")


def value_of(low, node, name: str, atoms: list) -> ir.Atom:
    """f(args), a call of f as a helper."""
    module = low.names.function_modules.get(name)
    return low.emit_assign(None, Prim.CALL, atoms, node, ir.Params.of(fn=name, module=module))
