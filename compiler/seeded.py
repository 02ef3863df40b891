"""The function whose gradient is a VJP of f called inside a model, `f.vjp(x, seed=s)`.

`f_seeded(x, seed)` returns the number `(f(x) * seed).sum()`: its gradient with respect
to x is J(x)^T seed, f's vector-Jacobian product, for an f of an array as for an f of a
number; the model calls its gradient (a GRAD_CALL, frontend/product_calls.py), so the
derivatives of the call are f_seeded's Hessian-vector products, as for any `f.grad`.
With the decorator it is parsed on its own and finds f by name as any helper; in a file
read as text (`agc compile`) it is written after the end of the source that holds f, and
compiled from there like f itself. Either way its lines are located at the model's call
(`ParsedModule.written_at`): the comments of the emitted `f_seeded_grad` and errors
inside it name that line, not lines past the end of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from . import ir
from .errors import UnsupportedError
from .frontend.parsed import ParsedModule
from .helper_modules import parse
from .ir.builder import Builder
from .ir.namer import Namer
from .ir.prims import Prim
from .nested import output_rank


def seeded_home(home: ParsedModule, call: ir.Assign) -> ParsedModule:
    """`home`, the parsed source of f, with `f_seeded` (the GRAD_CALL's fn) added after it."""
    name, f = call.params.get("fn"), call.params.get("seeded")
    if name in home.functions:
        raise UnsupportedError(f"{call.params.get('form')} inside a differentiated model needs "
                               f"a function named {name}, and the module of {f}() has one",
                               call.loc, f"rename that {name}()")
    *params, seed = call.params.get("names")
    text = (f"\n\ndef {name}({', '.join(call.params.get('names'))}):\n"
            f"    return ({f}({', '.join(params)}) * {seed}).sum()\n")
    source = home.source
    if home.live_globals is not None:  # the decorator: f is found by name, as any helper
        out = parse(text.lstrip(), f"<{f}.vjp>", lambda _: home.names)
        out.written_at = (1, call.loc)
    else:  # a file read as text: f_seeded goes after its end, where f is found
        kept = source.text.rstrip()
        out = parse(kept + "\n" + text, source.path, lambda _: home.names, source.line_offset)
        out.written_at = (kept.count("\n") + 2 + source.line_offset, call.loc)
    out.live_globals, out.method, out.method_of = home.live_globals, home.method, home.method_of
    return out


def scalar_products(fn: ir.Function, namer: Namer, temps: set[str],
                    primal_of: Callable[[ir.Assign], ir.Function]) -> ir.Function:
    """fn with each product of an f known to return a number (for the ranks marked on the
    call, nested.mark_call_ranks; `primal_of(call)` is f's IR) written with f's own
    gradients, which cost less than f_seeded's HVP: f.vjp's `f_seeded_grad(x, s)` becomes
    `f_grad(x) * s`, a JVP_CALL `sum(f_grad(x) * t) + ...` per argument given a tangent.
    Where f's output rank is not known, the f_seeded forms stay: they hold for both."""

    def rewrite(block: ir.Block) -> ir.Block:
        out: list[ir.Stmt] = []
        for stmt in block:
            if isinstance(stmt, ir.Assign) and stmt.params.get("seeded") \
                    and output_rank(primal_of(stmt), stmt) == 0:
                out += _with_gradients(stmt, Builder(namer, temps, stmt.loc))
            else:
                out.append(ir.map_blocks(stmt, rewrite))
        return tuple(out)

    return replace(fn, body=rewrite(fn.body))


def _with_gradients(s: ir.Assign, b: Builder) -> list[ir.Stmt]:
    """The statements of `s` (f_seeded's GRAD_CALL or a JVP_CALL) for an f of a number."""
    names, ranks = s.params.get("names")[:-1], s.params.get("arg_ranks") or ()
    atoms = s.args[:len(names)]

    def grad(w: str) -> ir.Atom:
        return b.apply(Prim.GRAD_CALL, atoms, ir.Params.of(
            fn=s.params.get("seeded"), module=s.params.get("module"), grad_wrt=w,
            names=names, form=s.params.get("form"), arg_ranks=ranks[:len(names)]))

    if s.prim is Prim.GRAD_CALL:  # f.vjp: the gradient times the seed, a number
        b.apply(Prim.MUL, (grad(s.params.get("grad_wrt")), s.args[len(names)]), target=s.target)
        return b.stmts
    moving = s.params.get("wrt")[:-1]
    total = None
    for k, (w, tangent) in enumerate(zip(moving, s.args[len(names) + 1:])):
        last = s.target if k == len(moving) - 1 and total is None else None
        term = b.apply(Prim.SUM, (b.apply(Prim.MUL, (grad(w), tangent)),), target=last)
        total = term if total is None else b.apply(
            Prim.ADD, (total, term), target=s.target if k == len(moving) - 1 else None)
    return b.stmts
