"""The driver: source text in, gradient module text out. Reads top to bottom.

    parse (libcst) -> lower -> normalize -> reverse -> tape -> optimize -> lean -> emit

With AGC_CHECKS=1 in the environment (the tests set it), `ir.validate` checks
the IR after every pass; each compile reads the variable once (`Checks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import ir
from .ad.activity import helper_activity, param_paths
from .ad.dead_code import optimize, prune_tangent
from .ad.draws import refuse_redrawn_gradient
from .ad.forward import Forwarder, Tangent
from .ad.hoist import hoist_invariants
from .ad.lean import lean_variant
from .ad.negations import fold_negations
from .ad.param_kinds import refuse_arrays_for_numbers
from .ad.ranks import variable_ranks
from .ad.reverse import Adjoint, Reverser
from .ad.second import helper_second_order, second_order
from .ad.shape_classes import helper_summaries
from .ad.split import writes_in_place
from .ad.tape import protect_outputs, resolve_tape
from .ad.twice import dots_of, forward_twice, helper_twice
from .backend.module import emit_module
from .backend.numba_target import for_numba
from .errors import UsageError, UserCodeError
from .frontend.lower import ParsedModule
from .helper_modules import HelperModules, home_of
from .ir.prims import Prim
from .ir.validate import Checks
from .nested import Inner, Nested, check_arrays, gradients_called
from .primals import (
    Target,
    discover_helpers,
    marked_primal,
    product_primals,
)
from .seeded import seeded_home


@dataclass
class Compiled:
    """What compiling a module produced: the text and the per-function IR."""

    source: str
    adjoints: dict[str, Adjoint]
    primals: dict[str, ir.Function]
    helpers: list[Adjoint]
    tangents: dict[str, Tangent] = field(default_factory=dict)  # forward mode's JVPs
    helper_tangents: list[Tangent] = field(default_factory=list)  # their helpers' JVPs


def differentiate_function(parsed: ParsedModule, target: Target, checks: Checks | None = None,
                           split: bool = False) -> tuple[Adjoint, ir.Function]:
    """The adjoint of one function of a parsed module (its `lean` variant built too); with
    `split`, its helper calls go through h_fwd / h_bwd (collect_helpers' `split`)."""
    checks = checks or Checks()
    fn, namer, temps = marked_primal(parsed, target, product_primals(parsed))
    checks.function(fn, "mark_sequences")
    wrt = _checked_wrt(fn, target)
    assigned = ir.def_counts(fn)
    for name in target.keep:
        if assigned.get(name, 0) != 1 or name in fn.param_names:
            raise UsageError(f"intermediate {name!r} of {target.name}() must be a local variable "
                             f"assigned exactly once (it is assigned {assigned.get(name, 0)} times)")
    adjoint = Reverser(fn, tuple(wrt), namer, temps, target.scalars,
                       container_params=target.containers, has_aux=target.has_aux,
                       keep=target.keep, param_ranks=dict(target.ranks),
                       paths=dict(target.paths), split=split,
                       summaries=_summaries(parsed, fn, target)).run()
    checks.adjoint(adjoint, "reverse", markers=True)
    adjoint = optimize(adjoint)  # first, so dead adjoint code keeps nothing alive
    checks.adjoint(adjoint, "dead-code removal", markers=True)
    adjoint = checks.adjoint(resolve_tape(adjoint, namer, temps), "tape resolution")
    adjoint = checks.adjoint(protect_outputs(adjoint, namer), "output protection")
    adjoint = checks.adjoint(optimize(adjoint), "dead-code removal")
    adjoint = checks.adjoint(hoist_invariants(adjoint, frozenset(temps)), "invariant hoisting")
    adjoint = checks.adjoint(fold_negations(adjoint), "negations folded")
    adjoint.temps = frozenset(temps)
    adjoint.lean = lean_variant(adjoint)
    if adjoint.lean is not None:
        checks.adjoint(adjoint.lean, "the lean variant")
    return adjoint, fn


def _summaries(parsed: ParsedModule, fn: ir.Function, target: Target) -> dict:
    """The shape summaries of the helpers `fn` calls (ad/shape_classes.py); none where a
    helper cannot be found (collect_helpers then says why, at the call). A call passing an
    array to a helper's parameter annotated as a number is refused here."""
    if not any(isinstance(s, ir.Assign) and s.prim is Prim.CALL for s in ir.walk(fn.body)):
        return {}
    try:
        found = discover_helpers(parsed, [fn], parsed.live_globals)
    except UserCodeError:
        return {}
    helpers = {key: entry[0] for key, entry in found.items()}
    known = {**dict(target.ranks), **{name: 0 for name in target.scalars}}
    refuse_arrays_for_numbers(fn, variable_ranks(fn, known), helpers)
    return helper_summaries(helpers)


def _checked_wrt(fn: ir.Function, target: Target) -> tuple[str, ...]:
    """The names to differentiate with respect to (default: the first parameter)."""
    wrt = target.wrt if target.wrt is not None else fn.param_names[:1]
    for name in wrt:
        if name not in fn.param_names:
            # "params/fc": paths into trees are resolved at a call (the decorator, agc.grad)
            paths = " (paths into trees need a call: agc.grad)" if "/" in name else ""
            raise UsageError(f"{target.name}() has no parameter named {name!r} "
                             f"(parameters: {', '.join(fn.param_names)}){paths}")
    return tuple(wrt)


def forward_functions(parsed: ParsedModule, targets: list[Target], user_globals: dict | None,
                      checks: Checks) -> tuple[dict[str, Tangent], list[Tangent]]:
    """The JVPs of the targets and of every helper they call (forward mode, ad/forward.py).

    Each helper's JVP takes tangents for the parameters some call passes an active
    value to; the callers pass them by name (`h_jvp(x, w, x_dot=...)`).
    """
    prepared, primals = {}, product_primals(parsed)
    for target in targets:
        fn, namer, temps = marked_primal(parsed, target, primals)
        checks.function(fn, "mark_sequences")
        prepared[target.name] = (fn, namer, temps, target, _checked_wrt(fn, target))
    functions = [entry[0] for entry in prepared.values()]
    found = discover_helpers(parsed, functions, user_globals)
    roots = {name: (entry[4], None, None) for name, entry in prepared.items()}
    helpers, calls = _helper_forwarders(found, helper_activity(functions, found, roots))
    helper_tangents = []
    for key, forwarder in helpers.items():
        helper_tangents.append(forwarder.run())
        helper_tangents[-1].home = found[key][3]
    tangents = {name: Forwarder(fn, wrt, namer, temps, target.scalars, dict(target.ranks),
                                calls=calls).run()
                for name, (fn, namer, temps, target, wrt) in prepared.items()}
    return tangents, helper_tangents


def _helper_forwarders(found: dict, active: dict) -> tuple[dict, dict]:
    """Forward mode of each helper found along the parameters `active` gives positions of
    ((module, name) -> Forwarder), and the signatures their callers' CALL_JVPs pass."""
    calls: dict = {}
    helpers = {}
    for key, (helper, namer, temps, _) in found.items():
        wrt = tuple(p for i, p in enumerate(helper.param_names) if i in active.get(key, ()))
        helpers[key] = Forwarder(helper, wrt, namer, temps, calls=calls)
        calls[key] = helpers[key].signature()
    return helpers, calls


def second_order_functions(parsed: ParsedModule, target: Target, user_globals: dict | None):
    """f's gradient and its tangent H v (ad/second.py), with what the helpers f calls need:
    their adjoints (h, h_vjp), their JVPs (h_jvp, for the forward sweep) and the JVPs of
    their adjoints (h_vjp_jvp, for the backward sweep). Returns (adjoint, primal,
    hvp tangent, helper adjoints, helper tangents)."""
    checks = Checks()
    if parsed.live_globals is None:
        parsed.live_globals = user_globals
    adjoint, primal = differentiate_function(parsed, target, checks)
    roots = {target.name: (adjoint.wrt, None, None)}
    helpers = collect_helpers(parsed, [primal], user_globals, roots, checks)
    found = discover_helpers(parsed, [primal], user_globals)  # fresh IR, in the same order
    active = helper_activity([primal], found, roots)
    calls: dict = {}
    forwarders = []
    for (key, (helper, namer, temps, home)), adj in zip(found.items(), helpers, strict=True):
        wrt = tuple(p for i, p in enumerate(helper.param_names) if i in active.get(key, ()))
        forwarders.append((Forwarder(helper, wrt, namer, temps, calls=calls), home, key))
        calls[key] = forwarders[-1][0].signature()
        forwarders.append((helper_second_order(adj, key, calls), home,
                           (key[0], f"{key[1]}_vjp")))
    tangents = []
    for forwarder, home, key in forwarders:
        tangents.append(forwarder.run())
        tangents[-1].home, tangents[-1].key = home, key
    hvp = second_order(adjoint, target.scalars, dict(target.ranks), calls)
    return adjoint, primal, hvp, helpers, tangents


def forward_twice_functions(parsed: ParsedModule, call: ir.Assign,
                            user_globals: dict | None) -> tuple[Tangent, list[Tangent]]:
    """The tangent of f's JVP for the JVP_CALL_JVP `call` (ad/twice.py): forward mode of f
    along the call's tangents, then forward mode over that along the values and tangents
    the call moves; with the same for each helper f calls (`h_jvp_jvp`). Returns (f's,
    the helpers')."""
    if parsed.live_globals is None:
        parsed.live_globals = user_globals
    f, wrt = call.params.get("seeded"), call.params.get("wrt")[:-1]
    fn, namer, temps = marked_primal(parsed, Target(f, wrt), product_primals(parsed))
    moving = (*call.params.get("twice"), *(n for n in wrt if n not in call.params.get("twice")))
    found = discover_helpers(parsed, [fn], user_globals)
    helpers, calls = _helper_forwarders(found, helper_activity([fn], found, {f: (wrt, None,
                                                                                  None)}))
    either = helper_activity([fn], found, {f: (moving, None, None)})
    tangent = Forwarder(fn, wrt, namer, temps, calls=calls).run()
    twice_calls: dict = {}
    arity: dict = {}
    twices = []
    for key, forwarder in helpers.items():
        h_tangent = forwarder.run()
        h_moving = tuple(p for i, p in enumerate(h_tangent.primal.param_names)
                         if i in either.get(key, ()))
        twices.append((helper_twice(h_tangent, (*h_moving, *h_tangent.dot_params()), key,
                                    twice_calls, arity), found[key][3]))
    out = forward_twice(tangent, (*call.params.get("twice"),
                                  *dots_of(tangent, call.params.get("twice_dots"))),
                        twice_calls, arity)
    return out, _run_twices(twices)


def third_order_functions(parsed: ParsedModule, call: ir.Assign, user_globals: dict | None):
    """The tangent of f's HVP for the GRAD_CALL_HVP_JVP `call` (ad/twice.py): f's HVP along
    the call's wrt, then forward mode over it along the values and tangents the call
    moves; with the same for the JVPs and VJP-JVPs of the helpers f calls. Returns (f's,
    the helpers')."""
    f, wrt, twice = call.params.get("fn"), call.params.get("wrt"), call.params.get("twice")
    _, primal, hvp, _, tangents = second_order_functions(parsed, Target(f, wrt), user_globals)
    found = discover_helpers(parsed, [primal], user_globals)
    either = helper_activity([primal], found, {f: (tuple(dict.fromkeys((*wrt, *twice))),
                                                   None, None)})
    calls: dict = {}
    arity: dict = {}
    twices = []
    for tangent in tangents:  # h_jvp(h's params) and h_vjp(seed, h's params)
        key = tangent.key
        vjp = key not in found
        positions = either.get((key[0], key[1].removesuffix("_vjp")) if vjp else key, ())
        params = tangent.primal.param_names
        moving = (*params[:vjp], *(p for i, p in enumerate(params[vjp:]) if i in positions),
                  *tangent.dot_params())
        twices.append((helper_twice(tangent, moving, key, calls, arity), tangent.home))
    out = forward_twice(hvp, (*twice, *dots_of(hvp, call.params.get("twice_dots"))), calls,
                        arity, pair=True)
    return out, _run_twices(twices)


def _run_twices(twices: list) -> list[Tangent]:
    """The helpers' tangents of their JVPs (ad/twice.py), each with its home module; run
    once every signature is known (a helper calls another's)."""
    out = []
    for twice, home in twices:
        out.append(prune_tangent(twice.run()))
        out[-1].home = home
    return out


MODES = ("reverse", "forward", "both")


def compile_parsed(parsed: ParsedModule, targets: list[Target], header_path: str,
                   user_globals: dict | None = None, mode: str = "reverse",
                   backend: str = "numpy") -> Compiled:
    """Differentiate each target and emit one module holding all their gradients
    (`mode="forward"`: their JVPs instead; "both": both); `backend="numba"` emits it
    for numba's nopython mode (backend/numba_target.py)."""
    if not targets:
        raise UserCodeError(f"no function to differentiate in {parsed.source.path}",
                            hint="decorate one with @differentiate or pass --function NAME")
    checks = Checks()
    if parsed.live_globals is None:  # decorator mode: helpers given a lambda are inlined from here
        parsed.live_globals = user_globals
    split = backend != "numba"  # numba's typed tape keeps no records yet: h_vjp there
    adjoints, primals, tangents, helpers = {}, {}, {}, []
    if mode != "forward":
        for target in targets:
            adjoints[target.name], primals[target.name] = differentiate_function(
                parsed, target, checks, split=split)
        roots = {t.name: (adjoints[t.name].wrt, 1 if t.has_aux else None, dict(t.paths))
                 for t in targets}
        helpers = collect_helpers(parsed, list(primals.values()), user_globals, roots, checks,
                                  split=split)
    helper_tangents: list[Tangent] = []
    if mode != "reverse":
        tangents, helper_tangents = forward_functions(parsed, targets, user_globals, checks)
    nested = nested_gradients(parsed, [*adjoints.values(), *helpers, *tangents.values(),
                                       *helper_tangents], user_globals)
    text = emit_module(list(adjoints.values()), parsed, header_path, helpers,
                       list(tangents.values()) + helper_tangents, nested=nested,
                       listed=backend != "numba")
    if backend == "numba":
        text = for_numba(text, [*adjoints.values(), *helpers], mode, nested)
    return Compiled(text, adjoints, primals, helpers, tangents, helper_tangents)


def collect_helpers(parsed: ParsedModule, functions: list[ir.Function],
                    user_globals: dict | None = None,
                    roots: dict[str, tuple] | None = None,
                    checks: Checks | None = None, split: bool = False) -> list[Adjoint]:
    """The adjoints of every helper function the given functions call, transitively.

    A helper's source comes from the live function object when the caller is
    a live function (the decorator), else from its file, read as text. `roots`
    maps a function's name to (wrt, outputs) as it is differentiated; each
    helper's adjoint then computes cotangents only for the parameters some call
    passes an active value to (None for the others). Without `roots`, every
    parameter of every function counts as active. With `split`, each is emitted as
    h_fwd / h_bwd (the callers' `split`), and calls its own helpers that way.
    """
    checks = checks or Checks()
    found = discover_helpers(parsed, functions, user_globals)
    tree_paths: dict[tuple, dict] = {}
    active = helper_activity(functions, found, roots, tree_paths)
    adjoints = []
    summaries = helper_summaries({key: entry[0] for key, entry in found.items()})
    for key, (helper, namer, temps, home) in found.items():
        checks.function(helper, "mark_sequences")
        wrt = tuple(p for i, p in enumerate(helper.param_names) if i in active.get(key, ()))
        adjoint = Reverser(helper, wrt, namer, temps, helper=True, split=split,
                           paths=param_paths(helper, tree_paths.get(key, {})),
                           summaries=summaries).run()
        if split:  # h_fwd returns the value too
            adjoint = replace(adjoint, returns_value=not writes_in_place(helper), split=True)
        checks.adjoint(adjoint, "reverse", markers=True)
        adjoint = checks.adjoint(optimize(adjoint), "dead-code removal", markers=True)
        adjoint = checks.adjoint(resolve_tape(adjoint, namer, temps), "tape resolution")
        adjoint = checks.adjoint(optimize(adjoint), "dead-code removal")
        adjoint = checks.adjoint(hoist_invariants(adjoint, frozenset(temps)), "invariant hoisting")
        adjoint = checks.adjoint(fold_negations(adjoint), "negations folded")
        adjoint.temps = frozenset(temps)
        adjoint.home = home
        adjoints.append(adjoint)
    return adjoints


def nested_gradients(parsed: ParsedModule, pieces: list, user_globals: dict | None) -> Nested:
    """The gradients the model calls, `f.grad(x)` (compiler/nested.py): f's adjoint, and its
    HVPs for the derivatives of those calls, with their helpers."""
    modules: dict[str, HelperModules] = {}  # by the folder a module's imports are found from

    def compile_inner(call: ir.Assign, wrt: tuple[str, ...] | None,
                      where: ParsedModule | None) -> Inner:
        name, seeded = call.params.get("fn"), call.params.get("seeded")
        where = where or parsed  # f as the calling piece's module names it
        found = HelperModules(where)
        home = home_of((call.params.get("module"), seeded or name), where, user_globals,
                       modules.setdefault(found.folder, found), call)
        if call.prim is Prim.JVP_CALL_JVP:  # the tangent of f.jvp(x): f's, not f_seeded's
            twice, tangents = forward_twice_functions(home, call, user_globals)
            twice.home = home
            return Inner(twice=twice, tangents=tangents)
        if seeded:  # f.vjp(x, seed=s): the gradient of f_seeded(x, s)
            home = seeded_home(home, call)
        if call.prim is Prim.GRAD_CALL_HVP_JVP:  # the tangent of f's (gradient, H v)
            twice, tangents = third_order_functions(home, call, user_globals)
            twice.home = home
            return Inner(twice=twice, tangents=tangents)
        if wrt is None:
            adjoint, primal = differentiate_function(home, Target(name, (call.params.get(
                "grad_wrt"),)), split=True)
            check_arrays(primal, adjoint.wrt, call)
            adjoint.home = home
            roots = {name: (adjoint.wrt, None, None)}
            return Inner(adjoint=adjoint,
                         helpers=collect_helpers(home, [primal], user_globals, roots,
                                                 split=True))
        _, primal, hvp, _, tangents = second_order_functions(home, Target(name, wrt),
                                                             user_globals)
        check_arrays(primal, wrt, call)
        refuse_redrawn_gradient(primal, call)
        hvp.home = home
        return Inner(hvp=hvp, tangents=tangents)

    return gradients_called(pieces, compile_inner)


def emitted_function_names(function: str) -> tuple[str, str, str]:
    """Names of the value_and_grad, grad and tape functions emitted for `function`."""
    return f"{function}_value_and_grad", f"{function}_grad", f"{function}_forward_tape"
