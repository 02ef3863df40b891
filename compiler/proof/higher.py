"""Symbolic proofs of forward-mode tangents and of second derivatives, on the taken path.

    agc.verify(f, x, mode="forward")   # f's JVP: J v for a symbolic direction v
    agc.verify(f, x, order=2)          # f's gradient and its tangent H v (agc.hvp)

The IR agc emits for the JVP (ad/forward.py) or for the HVP (forward mode over
the adjoint, ad/second.py) runs on sympy symbols, the direction `v` a symbol
per element too; sympy differentiates the primal's result. The tangent must
equal sum_j d out / d x_j * v_j (forward mode), the HVP sum_j d2 f / dx_i dx_j *
v_j: an identity in the symbols of v, so proving it proves every entry of the
Jacobian (of the Hessian) at once. The emitted code is run at the point too: it
must give what the symbolic run gave.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import sympy

from .. import api, ir, pipeline
from ..compiling import parse_live
from ..errors import UsageError
from .interpreter import Interpreter, Point, SymbolicError
from .prover import OutOfTime, Prover, nearby_points, time_limit
from .report import VerificationResult
from .runs import close, concrete, diff_tree, symbols_like, weighted_sum
from .verify import check_tree


def verify_tangents(f, example_args: tuple, wrt, order: int, mode: str, points: int,
                    simplify_seconds: float | None, seconds: float | None) -> VerificationResult:
    """Prove agc's JVP (order 1, forward mode) or HVP (order 2) of `f` at `example_args`."""
    if (order, mode) not in ((1, "forward"), (2, "reverse")):
        raise UsageError(f"agc.verify: order={order!r}, mode={mode!r}: use order=1 with "
                         f"mode='reverse' (gradients) or 'forward' (JVPs), or order=2 (the "
                         f"Hessian, by forward mode over the gradient)")
    wrapped = api.as_differentiated(f, wrt)
    if not isinstance(wrapped, api.Differentiated):
        raise UsageError("agc.verify(order=2 or mode='forward') takes a function, not a bound "
                         "method: pass Model.loss and (model, x, ...)")
    names = list(wrapped._signature.parameters)
    wrt = wrapped.wrt or tuple(names[:1])
    key = api._scalar_key(example_args)
    parsed, target, _, _ = parse_live(wrapped.fn, wrt, key)
    if order == 2:
        _, primal, tangent, helpers, helper_tangents = pipeline.second_order_functions(
            parsed, target, wrapped.fn.__globals__)
    else:
        compiled = pipeline.compile_parsed(parsed, [target], "", wrapped.fn.__globals__,
                                           mode="forward")
        tangent, helper_tangents = compiled.tangents[wrapped.fn.__name__], \
            compiled.helper_tangents
        primal, helpers = tangent.primal, helper_tangents  # a Tangent holds its primal too
    helpers = {h.primal.name: h for h in helpers}
    helper_tangents = {t.primal.name: t for t in helper_tangents}
    example = dict(zip(names, example_args))
    result = VerificationResult(wrapped.fn.__name__, tuple(wrt), example,
                                seed=f"symbolic ({', '.join(tangent.dot_params())})",
                                seed_label="direction")
    symbolic = None
    try:
        with time_limit(seconds, OutOfTime):
            symbolic = _prove(result, primal, tangent, example, order, points, simplify_seconds,
                              (helpers, helper_tangents))
    except OutOfTime:
        result.error = f"ran past its time limit ({seconds:g} s)"
    except (SymbolicError, ValueError, TypeError, IndexError, KeyError, RecursionError) as err:
        result.error = str(err) or type(err).__name__
    if result.error is None:
        _cross_check(result, symbolic, wrapped, tangent, example_args, order)
    return result


def _prove(result, primal, tangent, example, order, points, simplify_seconds,
           helpers: tuple) -> tuple:
    """Add the checks of each tangent entry to `result`; (point, tangent run's values).
    `helpers`: the helpers' IR by name (their adjoints, their tangents), for their calls."""
    values: dict = {}
    symbols = {w: symbols_like(w, example[w], values) for w in tangent.wrt}
    rng = np.random.default_rng(1)  # fixed, so results repeat run to run
    directions = {w: symbols_like(d, _direction(example[w], rng), values)
                  for w, d in zip(tangent.wrt, tangent.dot_params())}
    point, path = Point(values), result.path

    def arguments():
        return tuple(copy.deepcopy(symbols[n]) if n in symbols else concrete(example[n])
                     for n in primal.param_names)

    output = Interpreter(point, path, *helpers).call(primal, arguments())
    path.recording = False  # the path is the primal's; the tangent only adds relations
    function = ir.Function(tangent.primal.name + "_tangent",
                           tangent.primal.params + tuple(ir.Param(d) for d in tangent.dot_params()),
                           tuple(tangent.body) + (ir.Return(tuple(tangent.outputs) +
                                                            tuple(tangent.tangents)),))
    got = Interpreter(point, path, *helpers).call(function, arguments() + tuple(
        copy.deepcopy(directions[w]) for w in tangent.wrt))
    got = got if isinstance(got, tuple) else (got,)
    got = got[len(tangent.outputs):]  # the tangents, after the values (gradients for order 2)
    prover = Prover(nearby_points(point.values, points), simplify_seconds, point.dag)
    if order == 2:
        if np.size(output) != 1 or isinstance(output, tuple):
            raise SymbolicError("order=2 proves the Hessian of a function with one number as "
                                "its output")
        total = weighted_sum(output, None)
        grads = [diff_tree(total, symbols[w], sympy.diff) for w in tangent.wrt]
        hvps = [_directional(grad, symbols, directions) for grad in grads]
        along = ", ".join(tangent.dot_params())
        for w, want, have in zip(tangent.wrt, hvps, got):
            result.gradients += [replace(c, title=f"Hessian times {along}, rows of {c.name}")
                                 for c in check_tree(w, want, have, prover)]
    else:
        if len(got) != 1:
            raise SymbolicError("mode='forward' proves the tangent of a function with one "
                                "output (an array or a number)")
        result.gradients += [replace(c, title=f"Jacobian times {', '.join(tangent.dot_params())}")
                             for c in check_tree("out", _directional(output, symbols, directions),
                                                 got[0], prover)]
    result.dag = point.dag
    return point, got


def _direction(value, rng):
    """Example values of a direction shaped like `value`."""
    shape = np.shape(value)
    example = rng.uniform(0.5, 1.5, size=shape).round(3)
    return example if shape else float(example)


def _directional(value, symbols: dict, directions: dict):
    """sum_j d value / d x_j * v_j over every wrt symbol, element by element of `value`."""
    def along(expr):
        expr = sympy.sympify(expr)
        return sum((sympy.diff(expr, s) * d for w in symbols
                    for s, d in zip(_flat([symbols[w]]), _flat([directions[w]]))),
                   sympy.Integer(0))

    if isinstance(value, np.ndarray):
        return np.frompyfunc(along, 1, 1)(value)
    return along(value)


def _flat(values) -> list:
    out = []
    for v in values:
        out += list(np.asarray(v, dtype=object).flat) if isinstance(v, np.ndarray) else [v]
    return out


def _cross_check(result, symbolic, wrapped, tangent, example_args, order) -> None:
    """The emitted code, run at the point along the example direction, gives the symbolic run's
    tangent there."""
    point, got = symbolic
    names = list(wrapped._signature.parameters)
    rng = np.random.default_rng(1)
    moving = {w: _direction(example_args[names.index(w)], rng) for w in tangent.wrt}
    tangents = [moving.get(n) for n in names[:len(example_args)]]
    how = wrapped.hvp if order == 2 else wrapped.jvp
    emitted = how(*copy.deepcopy(example_args), tangents=tangents)
    emitted = _flat_tree(emitted[1])
    symbolic = [point.evaluate(np.asarray(g, dtype=object)) for g in got]
    what = "hvp" if order == 2 else "jvp"
    same = len(emitted) == len(symbolic) and all(
        close(s, np.asarray(e, dtype=float).reshape(np.shape(s))) for s, e in zip(symbolic, emitted))
    what = f"the emitted {wrapped.fn.__name__}_{what} gives agc's tangent at the point"
    result.checks.append((what, same))


def _flat_tree(value) -> list:
    if isinstance(value, tuple):
        return [leaf for v in value for leaf in _flat_tree(v)]
    return [value]
