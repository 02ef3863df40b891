"""The driver: source text in, gradient module text out. Reads top to bottom.

    parse (libcst) -> lower -> normalize -> reverse -> tape -> optimize -> emit
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ir
from .builder import Builder
from .errors import SourceFile, UsageError, UserCodeError
from .lower import ParsedModule, lower_function
from .emit import emitted_names
from .module import emit_module
from .namer import Namer
from .normalize import Normalizer
from .optimize import optimize
from .resolve import Names
from .reverse import Adjoint, Reverser
from .tape import resolve_tape
from .validate import validate


@dataclass
class Target:
    """One function to differentiate, and with respect to which parameters."""

    name: str
    wrt: tuple[str, ...] | None = None
    scalars: frozenset[str] = frozenset()  # parameters known to be Python numbers


@dataclass
class Compiled:
    """What compiling a module produced: the text and the per-function IR."""

    source: str
    adjoints: dict[str, Adjoint]
    primals: dict[str, ir.Function]


def parse(text: str, path: str, names_of, line_offset: int = 0) -> ParsedModule:
    """Parse source text; `names_of(module)` says what its top-level names mean."""
    source = SourceFile(path, text, line_offset)
    parsed = ParsedModule(source, Names())
    parsed.names = names_of(parsed.tree)
    return parsed


def primal_ir(parsed: ParsedModule, name: str) -> tuple[ir.Function, Namer, set[str]]:
    """The lowered and normalized IR of one function, with its name supply."""
    fn, lowerer = lower_function(parsed, name)
    validate(fn)
    temps = set(fn.temps)
    namer = lowerer.namer
    fn = Normalizer(fn, Builder(namer, temps)).run()
    validate(fn)
    return fn, namer, temps


def differentiate_function(parsed: ParsedModule, target: Target) -> tuple[Adjoint, ir.Function]:
    """The adjoint of one function of a parsed module."""
    fn, namer, temps = primal_ir(parsed, target.name)
    wrt = target.wrt if target.wrt is not None else fn.param_names[:1]
    for name in wrt:
        if name not in fn.param_names:
            raise UsageError(f"{target.name}() has no parameter named {name!r} "
                             f"(parameters: {', '.join(fn.param_names)})")
    adjoint = Reverser(fn, tuple(wrt), namer, temps, target.scalars).run()
    adjoint = optimize(adjoint, temps)  # first, so dead adjoint code keeps nothing alive
    adjoint = resolve_tape(adjoint, namer)
    adjoint = optimize(adjoint, temps)
    adjoint.temps = frozenset(temps)
    return adjoint, fn


def compile_parsed(parsed: ParsedModule, targets: list[Target], header_path: str) -> Compiled:
    """Differentiate each target and emit one module holding all their gradients."""
    if not targets:
        raise UserCodeError(f"no function to differentiate in {parsed.source.path}",
                            hint="decorate one with @differentiate or pass --function NAME")
    adjoints, primals = {}, {}
    for target in targets:
        adjoints[target.name], primals[target.name] = differentiate_function(parsed, target)
    text = emit_module(list(adjoints.values()), parsed, header_path)
    return Compiled(text, adjoints, primals)


def emitted_function_names(function: str) -> tuple[str, str, str]:
    """Names of the value_and_grad, grad and tape functions emitted for `function`."""
    return f"{function}_value_and_grad", f"{function}_grad", f"{function}_forward_tape"
