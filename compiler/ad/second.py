"""Second derivatives: forward mode over the adjoint (forward-over-reverse), one sweep.

reverse.py builds `f`'s adjoint: a forward sweep that keeps values on a tape,
the seed, and a backward sweep giving the gradient. Read as one function of
f's parameters (`adjoint_function`), it is ordinary IR, plus the tape's Push
and Pop; `Second` runs forward mode (forward.py) over it. The tangent of the
gradient along v is then the Hessian-vector product H v, computed in the same
sweep as the gradient: no dense Hessian, no second tape walk.

What forward mode needs beyond first order:
  * the gradient helpers the backward sweep calls (rt.unbroadcast,
    rt.sum_grad, ...) carry a derivative here: their tangent rules are in
    primitives/gradient_tangents.py; one without a rule is refused, positioned;
  * the tape: where any value on it has a tangent, every pushed value is
    pushed with its tangent after it (a zero where it has none) and popped back
    with it (tangent first), so each restored value gets back the tangent it
    had, whatever push a pop matches;
  * the seed is a constant (one, for a scalar output): its tangent is zero.
"""

from __future__ import annotations

from .. import ir
from ..errors import UnsupportedError
from ..ir.namer import Namer
from ..ir.prims import Prim
from ..primitives.tangents import zero
from .activity import _closure
from .common import share_common
from .dead_code import prune_tangent
from .forward import Forwarder, Tangent, _what
from .lean import seed_one
from .reverse import Adjoint


def adjoint_function(adj: Adjoint, helper: bool = False) -> ir.Function:
    """f's gradient as one IR function of f's parameters: forward sweep, seed, backward
    sweep, `return grads`; the seed is None, or 1.0 for an output known to be a number. A helper's
    (`helper`): `h_vjp(seed, params...)`, returning one cotangent per parameter (a tuple)."""
    seed = ir.Var(adj.seed_param)
    seeds = [ir.Assign(s.target, s.prim, tuple(ir.Const(None) if a == seed else a
                                               for a in s.args), s.params, s.loc)
             if isinstance(s, ir.Assign) and not helper else s for s in adj.seed]
    if adj.scalar_output and not adj.kept and not helper:
        # one, whatever the value (as in the lean f_grad): the value's work is then dead
        seeds = [seed_one(s) for s in seeds]
    body = tuple(adj.forward) + tuple(seeds) + tuple(adj.backward)
    params, name = adj.primal.params, adj.primal.name
    if helper:
        by_name = dict(zip(adj.wrt, adj.grads))
        cts = ir.Var(Namer(ir.assigned_names(body) | set(adj.primal.param_names)).fresh("cts"))
        body += (ir.Assign(cts, Prim.TUPLE, tuple(by_name.get(p, ir.Const(None))
                                                  for p in adj.primal.param_names)),)
        params, name, grads = (ir.Param(adj.seed_param), *params), f"{name}_vjp", (cts,)
    else:
        grads = tuple(adj.grads)
    body += (ir.Return(grads, adj.primal.loc),)
    return ir.Function(name, params, body, adj.primal.loc, temps=adj.temps)


def _carries(s: ir.Assign) -> bool:
    """Whether a derivative flows through `s` here: the gradient helpers count, but not
    the seed and zeros (their tangent is zero: the output's own tangent is never read)."""
    if s.params.get("nograd") or s.prim in (Prim.SEED, Prim.ZERO_LIKE, Prim.ZERO_TANGENT):
        return False
    return s.prim.differentiable or s.prim.spec.group == "gradient"


def _active(fn: ir.Function, wrt: tuple[str, ...]) -> set[str]:
    """activity.py's analysis with the gradient helpers differentiable, and the tape:
    a pushed variable's value flows, through the tape, to the variable a pop restores."""
    edges = []
    for s in ir.walk(fn.body):
        if isinstance(s, ir.Assign) and _carries(s):
            edges += [(a.name, s.target.name) for a in s.args if isinstance(a, ir.Var)]
    pushed = {s.value.name for s in ir.walk(fn.body)
              if isinstance(s, ir.Push) and isinstance(s.value, ir.Var)}
    popped = {s.target.name for s in ir.walk(fn.body) if isinstance(s, ir.Pop)}
    # Which push feeds which pop is known to the tape only: link every pushed name to
    # every popped one (conservative).
    edges += [(p, q) for p in pushed for q in popped]
    varied = _closure(set(wrt), edges)
    returned = {a.name for s in ir.walk(fn.body) if isinstance(s, ir.Return)
                for a in s.values if isinstance(a, ir.Var)}
    useful = _closure(returned, [(dst, src) for src, dst in edges])
    return varied & useful


class Second(Forwarder):
    """Forward mode over an adjoint function (see the module's docstring)."""

    def __init__(self, fn: ir.Function, wrt: tuple[str, ...], scalar_params=frozenset(),
                 param_ranks=None, calls: dict | None = None):
        taken = set(fn.param_names) | ir.assigned_names(fn.body) | {"tape", "xp"}
        super().__init__(fn, wrt, Namer(taken), set(fn.temps), scalar_params, param_ranks,
                         calls)
        self.active = _active(fn, wrt)
        # Every value on the tape gets a tangent beside it (a zero where it has none), or
        # none does: which push a pop matches is the tape's business (a saved slice is
        # pushed from one name and popped into another), so no per-name choice is safe.
        taped = [s.value for s in ir.walk(fn.body) if isinstance(s, ir.Push)] + \
            [s.target for s in ir.walk(fn.body) if isinstance(s, ir.Pop)]
        self.taped = any(isinstance(a, ir.Var) and a.name in self.active for a in taped)

    def carries(self, s: ir.Assign) -> bool:
        return _carries(s)

    def refuse(self, s: ir.Assign) -> None:
        what = _what(s)
        if s.prim.spec.group == "gradient":  # a helper the gradient of this line calls
            what = f"the gradient of this line (its helper rt.{s.prim.spec.name} has no tangent)"
        raise UnsupportedError(f"second derivatives do not support {what} yet", s.loc,
                               "agc.hvp / agc.hessian differentiate the gradient of f; "
                               "first derivatives (agc.grad, agc.jvp) support it")

    def assign(self, s: ir.Assign, defined: set[str], bound: set[str]) -> list:
        if s.prim is Prim.CALL_VJP:  # h_vjp(g, args...): a call of the helper's adjoint
            fn = s.params.get("fn") + "_vjp"
            s = ir.Assign(s.target, Prim.CALL, s.args, s.params.with_(fn=fn), s.loc)
        return super().assign(s, defined, bound)

    def call(self, s, tangents, carries, defined, bound):
        if (s.params.get("module"), s.params.get("fn")) not in self.calls:
            raise UnsupportedError(f"second derivatives do not support this call of "
                                   f"{s.params.get('fn')}() yet", s.loc,
                                   "write the helper's body into the function")
        return super().call(s, tangents, carries, defined, bound)

    def stmt(self, stmt, defined, bound):
        if isinstance(stmt, ir.Push):
            return self.push(stmt, defined)
        if isinstance(stmt, ir.Pop):
            return self.pop(stmt, defined, bound)
        return super().stmt(stmt, defined, bound)

    def push(self, stmt: ir.Push, defined: set[str]) -> list:
        if not self.taped:
            return [stmt]
        value = stmt.value
        b = self.builder(stmt.loc)
        if isinstance(value, ir.Var) and value.name in self.active and value.name in defined:
            dot = self.dot(value.name)
            self.owned.discard(value.name)  # now also held by the tape
        else:
            dot = zero(b, value)
        return [stmt] + b.stmts + [ir.Push(dot, stmt.loc)]

    def pop(self, stmt: ir.Pop, defined: set[str], bound: set[str]) -> list:
        name = stmt.target.name
        self.maybe_bound.add(name)
        bound.add(name)
        self.owned.discard(name)
        if not self.taped:
            defined.discard(name)
            return [stmt]
        if name in self.active:
            defined.add(name)
        else:  # its tangent is popped all the same, the tape's order kept, and never read
            defined.discard(name)
        return [ir.Pop(self.dot(name), stmt.loc), stmt]


def second_order(adj: Adjoint, scalar_params=frozenset(), param_ranks=None,
                 calls: dict | None = None) -> Tangent:
    """The tangent of `adj`'s gradient along its wrt parameters: (gradient, H v)."""
    _require_one_output(adj)
    fn = adjoint_function(adj)
    return share_common(prune_tangent(Second(fn, tuple(adj.wrt), scalar_params, param_ranks,
                                             calls).run()))


def _require_one_output(adj: Adjoint) -> None:
    """UnsupportedError at the return line unless f returns one value: a tuple's gradient
    needs a seed per item, and H v is defined for one number (has_aux included)."""
    if len(adj.outputs) == 1:
        return
    loc = next((s.loc for s in adj.seed if isinstance(s, ir.Assign)), adj.primal.loc)
    raise UnsupportedError(
        f"second derivatives (agc.hvp, agc.hessian) need {adj.primal.name} to return one "
        f"number, and this returns {len(adj.outputs)} values (has_aux is not supported "
        "here yet)", loc,
        "differentiate a function that returns the loss alone; call the one returning "
        "auxiliary values separately for them")


def helper_second_order(adj: Adjoint, key: tuple, calls: dict) -> Second:
    """Forward mode over the adjoint `h_vjp(seed, ...)` of the helper `key` (module,
    name), along its seed and the parameters it differentiates (emitted `h_vjp_jvp`);
    `calls` gets its signature, for the calls of h_vjp it replaces."""
    fn = adjoint_function(adj, helper=True)
    second = Second(fn, (adj.seed_param, *adj.wrt), calls=calls)
    calls[(key[0], fn.name)] = second.signature()
    return second
