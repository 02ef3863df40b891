"""Random draws (issue 19): where a gradient must refuse them, and where they are.

A draw (`rng.normal(loc, scale)`, agc.nn.dropout's mask) is a constant of the
gradient. That is right for its sample, wrong for its distribution arguments:
the draw's value moves with `loc`, so a varied `loc` whose draw reaches the
result would get a silent zero derivative. Such a draw is refused with the
rewrite agc does differentiate (the reparameterisation). Everything that runs
a function's forward sweep more than once per call (jacfwd, hessian, finite
differences, a nested gradient's rule) asks `first_draw` and refuses too.
"""

from __future__ import annotations

from .. import ir
from ..errors import UnsupportedError
from ..ir.prims import Prim
from .activity import _closure, differentiable_args

REPARAMETERISED = ("draw a standard sample and transform it, which agc differentiates: "
                   "loc + scale * rng.standard_normal(size), low + (high - low) * "
                   "rng.random(size); or stop its derivative with agc.stop_gradient(loc)")


def draws_in(fn: ir.Function) -> list[ir.Assign]:
    """The statements of `fn` that draw from a generator, in program order."""
    return [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign) and s.prim.spec.draws]


def first_draw(fn: ir.Function) -> ir.Assign | None:
    """The first draw of `fn`, or None when it draws nothing."""
    return next(iter(draws_in(fn)), None)


def describe(draw: ir.Assign) -> str:
    """`rng.normal()` or `agc.nn.dropout`, as the user wrote it."""
    return f"rng.{draw.params.get('method')}()" if draw.prim is Prim.DRAW else "agc.nn.dropout"


def _distribution_args(draw: ir.Assign) -> list[str]:
    # a DRAW's args after the generator; dropout's p (x gives only its shape and dtype)
    args = draw.args[1:] if draw.prim is Prim.DRAW else draw.args[2:3]
    return [a.name for a in args if isinstance(a, ir.Var)]


def refuse_varied_draws(fn: ir.Function, varied_from: set[str]) -> None:
    """Refuse a draw whose distribution arguments depend on `varied_from` (the wrt names)
    when its value reaches a returned value through differentiable primitives."""
    draws = draws_in(fn)
    if not draws or not varied_from:
        return
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    edges = [(name, s.target.name) for s in assigns for name in differentiable_args(s)]
    edges += [(name, d.target.name) for d in draws for name in _distribution_args(d)]
    varied = _closure(set(varied_from), edges)
    returned = {a.name for s in ir.walk(fn.body) if isinstance(s, ir.Return)
                for a in s.values if isinstance(a, ir.Var)}
    useful = _closure(returned, [(dst, src) for src, dst in edges])
    for draw in draws:
        moving = [n for n in _distribution_args(draw) if n in varied]
        if moving and draw.target.name in useful:
            raise UnsupportedError(
                f"{describe(draw)} draws with an argument that depends on the parameters "
                f"differentiated (`{moving[0]}`): agc gives a random draw no derivative",
                draw.loc, REPARAMETERISED)


def refuse_drawing_helper(helper: ir.Function, call: ir.Assign) -> None:
    """A helper compiled on its own must not draw: its adjoint runs it again, drawing anew.

    (Helpers of the model's own module that draw are inlined instead: frontend/inline.py.)
    """
    draw = first_draw(helper)
    if draw is not None:
        raise UnsupportedError(
            f"{helper.name}() draws random numbers ({describe(draw)} at line {draw.loc.line}), "
            "and agc compiles it as a separate helper, whose gradient would draw again",
            call.loc, "draw in the model and pass the values to it, or make it a plain function "
            "of the model's own module (not a method, not imported): agc inlines those at "
            "each call, drawing once")


def refuse_redrawn_gradient(primal: ir.Function, call: ir.Assign) -> None:
    """A gradient the model calls and differentiates must not draw: its derivative rule runs
    the function again (f_hvp in the backward sweep), drawing anew."""
    draw = first_draw(primal)
    if draw is not None:
        raise UnsupportedError(
            f"the derivative of this {primal.name}.grad(...) call runs {primal.name}() again, "
            f"which draws random numbers ({describe(draw)} at line {draw.loc.line})",
            call.loc, f"draw outside {primal.name}() and pass the values to it, or stop the "
            "derivative of the call's value with agc.stop_gradient")
