"""The function whose gradient is a VJP of f called inside a model, `f.vjp(x, seed=s)`.

`f_seeded(x, seed)` returns the number `(f(x) * seed).sum()`: its gradient with respect
to x is J(x)^T seed, f's vector-Jacobian product, for an f of an array as for an f of a
number; the model calls its gradient (a GRAD_CALL, frontend/product_calls.py), so the
derivatives of the call are f_seeded's Hessian-vector products, as for any `f.grad`.
It is written into the source that holds f and compiled from there, like f itself.
"""

from __future__ import annotations

from . import ir
from .errors import UnsupportedError
from .frontend.parsed import ParsedModule
from .helper_modules import parse


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
    out = parse(source.text.rstrip() + "\n" + text, source.path, lambda _: home.names,
                source.line_offset)
    out.live_globals, out.method, out.method_of = home.live_globals, home.method, home.method_of
    return out
