"""Random draws (issue 19): `rng.normal(...)` of a numpy.random.Generator, and dropout's mask.

Neither has a derivative (the nondiff group): a draw's value is a constant of
the gradient, drawn once in the forward sweep and read from there by the
backward sweep (`Spec.draws` keeps it from being removed, repeated or moved).
A draw has no symbolic meaning: agc.verify and `agc check` refuse a model that
draws, at the draw, and say to pass the drawn values as an argument instead.
"""

from __future__ import annotations

import libcst as cst

from ..backend.expressions import ATOM, Expr, method
from ..errors import UnsupportedError
from ..ir.prims import Prim
from .registry import emitter, meaning


@emitter(Prim.DRAW)
def _emit_draw(stmt, atom):
    """rng.normal(loc, scale, size=shape): the method, its positional and keyword arguments."""
    keywords = stmt.params.get("keywords") or ()
    rng, *args = stmt.args
    positional = args[:len(args) - len(keywords)]
    call = method(atom(rng), stmt.params.get("method"), [atom(a) for a in positional])
    named = [_keyword(key, atom(a)) for key, a in zip(keywords, args[len(positional):],
                                                      strict=True)]
    return Expr(call.node.with_changes(args=[*call.node.args, *named]), ATOM), False


def _keyword(key: str, value: Expr):
    """key=value, written as ruff formats it."""
    return cst.Arg(value.node, keyword=cst.Name(key),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


@meaning(Prim.DRAW, Prim.DROPOUT_MASK)
def _draw(run, s, *values):
    what = f"rng.{s.params.get('method')}()" if s.prim is Prim.DRAW else "agc.nn.dropout"
    raise UnsupportedError(
        f"a random draw ({what}) has no symbolic meaning, so agc cannot prove this gradient",
        s.loc, "draw outside the function and pass the drawn values (or the dropout mask) "
        "as an argument to verify it; the gradient itself is supported")
