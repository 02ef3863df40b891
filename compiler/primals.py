"""The IR of the functions a compile starts from: a target's (lowered, normalized, its
sequences and product calls marked) and those of every helper it reaches, with the
module holding each one's source. pipeline.py differentiates them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import ir
from .ad.draws import refuse_drawing_helper
from .ad.integers import mark_integer_writes
from .ad.param_kinds import scalar_params
from .ad.sequences import mark_sequences
from .errors import UserCodeError
from .frontend import aliasing
from .frontend.lower import ParsedModule, lower_function
from .frontend.normalize import Normalizer
from .helper_modules import HelperModules, check_one_helper_per_name, home_of, live_source
from .ir.builder import Builder
from .ir.namer import Namer
from .ir.validate import validate
from .nested import mark_call_ranks
from .seeded import scalar_products


@dataclass
class Target:
    """One function to differentiate, and with respect to which parameters."""

    name: str
    wrt: tuple[str, ...] | None = None
    scalars: frozenset[str] = frozenset()  # parameters known to be Python numbers
    containers: frozenset[str] = frozenset()  # parameters that are dicts, lists or tuples
    has_aux: bool = False  # the first returned value is differentiated, the rest ride along
    keep: tuple[str, ...] = ()  # intermediates whose adjoints are returned too
    ranks: tuple[tuple[str, int], ...] = ()  # known numbers of dimensions of array parameters
    # wrt parameters differentiated in part: ((name, ((key, ...), ...)), ...), see wrt_paths.py
    paths: tuple = ()


def primal_ir(parsed: ParsedModule, name: str, target: Target | None = None,
              helper: bool = False) -> tuple[ir.Function, Namer, set[str]]:
    """The lowered and normalized IR of one function, with its name supply."""
    fn, lowerer = lower_function(parsed, name)
    validate(fn, after="lowering")
    if target is not None:
        _refuse_arrays_for_numbers(fn, target)
    temps = set(fn.temps)
    namer = lowerer.namer
    fn = aliasing.resolve(fn, lowerer, namer, temps, target, helper)
    fn = Normalizer(fn, Builder(namer, temps)).run()
    fn = mark_integer_writes(fn)
    validate(fn, after="normalization")
    return fn, namer, temps


def _refuse_arrays_for_numbers(fn: ir.Function, target: Target) -> None:
    """Refuse a call passing an array to a parameter annotated `float` or `int`: agc takes
    the annotation's word (a number, shape ()), so an array's broadcasting would go
    unsummed in the gradient."""
    for name, rank in target.ranks:
        if rank > 0 and name in scalar_params(fn):
            raise UserCodeError(
                f"`{name}` is annotated as a number, but this call passes an array of "
                f"{rank} dimension(s): agc differentiates `{name}` as a number (shape ())",
                fn.loc, hint=f"drop the annotation of `{name}`, or pass a number")


def _known_ranks(target: Target) -> dict[str, int]:
    """The ranks of the target's parameters known from the call: arrays' ndims, 0 for numbers."""
    return {**dict(target.ranks), **{name: 0 for name in target.scalars}}


def discover_helpers(parsed: ParsedModule, functions: list[ir.Function],
                      user_globals: dict | None) -> dict[tuple, tuple]:
    """(module, name) -> (primal IR, namer, temps, home module) of every helper reached."""
    found: dict[tuple, tuple] = {}
    modules = HelperModules(parsed)
    files: dict[str, str] = {}  # helper name -> the file its source came from
    homes: dict[tuple, ParsedModule] = {}

    def visit(fn: ir.Function, where: ParsedModule, stack: tuple) -> None:
        for call in _calls(fn):
            module_name = call.params.get("module")
            key = (module_name, call.params.get("fn"))
            if key in stack:
                raise UserCodeError(f"recursive call of {key[1]}() is not supported", call.loc,
                                    "rewrite the recursion as a loop")
            if (id(where), key) not in homes:
                home = live_source(key[1], module_name, where, user_globals, call)
                if home is None:
                    home = where if module_name is None else modules.get(module_name, call)
                homes[id(where), key] = home
            home = homes[id(where), key]
            check_one_helper_per_name(files, key[1], home, call)
            if key in found:
                continue
            if key[1] not in home.functions:
                raise UserCodeError(f"cannot find the source of {key[1]}()", call.loc)
            helper, namer, temps = primal_ir(home, key[1], helper=True)
            helper = mark_sequences(helper, set(), params_are_arrays=False)
            refuse_drawing_helper(helper, call)
            found[key] = (helper, namer, temps, home)
            visit(helper, home, stack + (key,))

    for fn in functions:
        visit(fn, parsed, ((None, fn.name),))
    return found


def marked_primal(parsed: ParsedModule, target: Target, primals) -> tuple:
    """(fn, its Namer, its temporaries): the target's IR with its sequences and its gradient
    calls' argument ranks marked, and products of an f of a number written with f's
    gradient (`primals`: product_primals' lookup)."""
    fn, namer, temps = primal_ir(parsed, target.name, target)
    fn = mark_sequences(fn, target.containers, dict(target.ranks), namer=namer, temps=temps)
    fn = scalar_products(mark_call_ranks(fn, _known_ranks(target)), namer, temps, primals)
    return fn, namer, temps


def product_primals(parsed: ParsedModule) -> Callable[[ir.Assign], ir.Function]:
    """The IR of the f of a product call (`f.vjp`, `f.jvp` in the model), each parsed once."""
    modules, done = HelperModules(parsed), {}

    def primal_of(call: ir.Assign) -> ir.Function:
        key = (call.params.get("module"), call.params.get("seeded"))
        if key not in done:
            home = home_of(key, parsed, parsed.live_globals, modules, call)
            done[key] = primal_ir(home, key[1], helper=True)[0]
        return done[key]

    return primal_of


def _calls(fn: ir.Function) -> list[ir.Assign]:
    return [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign) and s.prim.name == "CALL"]
