"""`y, pull = agc.vjp(f, x)` inside a differentiated model, then `pull(s)`.

The assignment binds y to f(x) and remembers the pullback: f, the arguments as they were
(copied, so that rebinding x later leaves them), and f's wrt. Each `pull(s)` after it, in
the block of the assignment or one inside it (a loop body, a branch), is lowered as
`f.vjp(x, seed=s)` is: the gradient of `f_seeded(x, s)` (frontend/product_calls.py). The
pullback is not a value: it may not be returned, stored, passed or bound twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .. import ir
from ..ir.prims import Prim
from .decorators import decorated_functions
from .product_calls import function_params, seeded_grads, value_of
from .resolve import decorated_function, literal_wrt

_FORM = "write `y, pull = agc.vjp(f, x, ...)` with f a module-level function, then call " \
        "`pull(s)` after it, in the same block or one inside it"


@dataclass
class Pullback:
    """What `pull(s)` needs: f, its arguments and value at the agc.vjp call, its wrt, and
    the block the call was lowered into (pull(s) is lowered there or inside it)."""

    fn: str
    atoms: list
    names: tuple
    value: ir.Atom
    wrt: tuple
    block: list


def lower_functional_vjp(low, node: cst.Assign) -> bool:
    """`y, pull = agc.vjp(f, x, ...)`: bind y, remember pull; False for other assignments."""
    target, call = node.targets[0].target if len(node.targets) == 1 else None, node.value
    func = call.func if isinstance(call, cst.Call) else None
    name = func.attr if isinstance(func, cst.Attribute) else func
    if not (isinstance(name, cst.Name) and name.value == "vjp"
            and low.names.qualify(low.module.code_for_node(func)) == "agc.vjp"):
        return False
    if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != 2 or \
            not all(isinstance(e.value, cst.Name) for e in target.elements):
        raise low.unsupported(call, "agc.vjp inside a differentiated model other than "
                              "`y, pull = agc.vjp(f, x)`", _FORM)
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == "wrt")]
    if not args or any(a.keyword is not None or a.star for a in args) or \
            not isinstance(args[0].value, cst.Name) or low.is_local(args[0].value.value):
        raise low.unsupported(call, "this agc.vjp inside a differentiated model", _FORM)
    name, pull = args[0].value.value, target.elements[1].value.value
    if low.assignment_counts.get(pull, 0) != 1:
        raise low.unsupported(target.elements[1].value, f"binding the pullback `{pull}` more "
                              f"than once", "give each agc.vjp's pullback its own name")
    params = function_params(low, call, name)
    atoms = [low.expr(a.value) for a in args[1:]]
    rest = call.with_changes(args=args[1:])
    low.loc_alias[rest] = call
    atoms = [low.emit_assign(None, Prim.COPY, (a,), call) if isinstance(a, ir.Var) else a
             for a in low.bind_arguments(rest, name, atoms, params)]
    names = tuple(p for p, _ in params)
    value = value_of(low, call, name, atoms)
    low.assign_to(target.elements[0].value, value, call)
    low.pullbacks[low.store_name(pull)] = Pullback(name, atoms, names, value,
                                                   _wrt(low, call, name, names), low.block)
    return True


def lower_pullback_call(low, node: cst.Call, dest) -> ir.Atom | None:
    """`pull(s)` of a pullback made by agc.vjp; None when `node` calls no pullback."""
    if not isinstance(node.func, cst.Name) or node.func.value not in low.pullbacks:
        return None
    pull = low.pullbacks[node.func.value]
    if pull.block is not low.block and not any(pull.block is b for b in low.outer_blocks):
        raise low.unsupported(node.func, f"calling the pullback `{node.func.value}` outside "
                              f"the block of its agc.vjp", _FORM)
    if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
        raise low.unsupported(node, f"this call of the pullback `{node.func.value}`",
                              "pass the seed alone: pull(s)")
    seed = low.expr(node.args[0].value)
    return seeded_grads(low, node, dest, pull.fn, pull.atoms, pull.names, pull.value, seed,
                        pull.wrt, f"the pullback {node.func.value}()")


def _wrt(low, call: cst.Call, name: str, names: tuple) -> tuple:
    """agc.vjp's literal `wrt=`, else f's decorator's, else f's first parameter."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "wrt":
            wrt = literal_wrt(arg.value)
            if wrt is False:
                raise low.unsupported(arg.value, "a wrt= that is not a literal here",
                                      "write wrt=\"x\" or wrt=(\"x\", \"y\")")
            return wrt
    live = (low.parsed.live_globals or {}).get(name)
    if decorated_function(live) is not None:
        return live.wrt or names[:1]
    if low.parsed.live_globals is None:
        return decorated_functions(low.parsed).get(name, (None,))[0] or names[:1]
    return names[:1]
