"""Symbolic verification: prove with sympy that agc's adjoint is the derivative.

    result = agc.verify(f, 0.37)          # or verify(f, x, w, wrt=("w",))
    assert result.proved, str(result)

The primal IR runs on sympy symbols (symbolic.py), following the path the
example point takes; `sympy.diff` differentiates what it returns; agc's own
adjoint IR (forward, seed and backward sweeps: exactly the code agc emits)
runs on the same symbols, and so does its lean variant (the sweeps of
`f_grad`, when it has its own); each gradient entry is PROVED when the difference
simplifies to 0 (verify_proof.py says how, and what happens when sympy
cannot decide). A non-scalar output (or several outputs) is checked through
its vector-Jacobian product with a symbolic seed v: agc's adjoint must equal
d(sum(v * f))/dx.
"""

from __future__ import annotations

import copy
import time
from dataclasses import replace

import numpy as np
import sympy

from .. import api, ir, pipeline, wrt_paths
from ..deep import in_deep_thread
from ..errors import UsageError
from ..runtime.arrays import leaf_paths
from .dag import forget_nesting
from .interpreter import Point, SymbolicError, shape_of
from .prover import OutOfTime, Prover, nearby_points, time_limit
from .report import GradientCheck, VerificationResult
from .runs import Runs, close

__all__ = ["VerificationResult", "verify", "verify_adjoint"]
SECONDS = 120.0  # the whole symbolic verification: past it, INCONCLUSIVE (main thread only)


def verify(f, *example_args, wrt=None, points: int = 5,
           simplify_seconds: float | None = 10.0,
           seconds: float | None = SECONDS, order: int = 1,
           mode: str = "reverse") -> VerificationResult:
    """Prove that agc's gradient of `f` at (the path of) `example_args` is the derivative.

    `f` is a plain function or an `agc.Differentiated`; `wrt` names the
    parameters (default: the decorator's, else the first). `points` is how
    many points the numeric second opinion uses; `simplify_seconds` bounds
    the calls of sympy.simplify together, `seconds` the whole symbolic
    verification (main thread only): past it the answer is INCONCLUSIVE.
    `mode="forward"` proves the JVP (agc.jvp) instead, `order=2` the Hessian-vector
    product (agc.hvp, agc.hessian): both along a symbolic direction (proof/higher.py).
    """
    if (order, mode) != (1, "reverse"):
        from .higher import verify_tangents  # noqa: PLC0415 - higher.py imports this module
        return verify_tangents(f, example_args, wrt, order, mode, points, simplify_seconds,
                               seconds)
    wrapped = api.as_differentiated(f, wrt)
    if wrt_paths.has_paths(wrapped.wrt):  # the proof covers whole parameters
        raise UsageError(f"agc.verify: wrt={wrapped.wrt!r} names parts of trees; verify with "
                         "the whole parameter (wrt=\"params\"), which proves every part")
    compiled = api.compile_function(wrapped.fn, wrapped.wrt, api._scalar_key(example_args),
                                    wrapped.has_aux)
    adjoint = compiled.adjoint
    helpers = _helpers(adjoint, lambda: pipeline.collect_helpers(
        compiled.parsed, [adjoint.primal], wrapped.fn.__globals__))
    example = dict(zip(adjoint.primal.param_names, example_args))
    result, run = _verify(adjoint, example, helpers, wrapped.has_aux, points, simplify_seconds,
                          seconds)
    if result.error is None:
        _cross_check(result, run, wrapped, compiled, example_args)
    return result


def _helpers(adjoint, collect) -> dict:
    calls = [s for s in ir.walk(adjoint.primal.body) if isinstance(s, ir.Assign)
             and s.prim.name == "CALL"]
    return {h.primal.name: h for h in collect()} if calls else {}


def verify_adjoint(adjoint, example: dict, helpers: dict | None = None, has_aux: bool = False,
                   points: int = 5, simplify_seconds: float | None = 10.0,
                   seconds: float | None = SECONDS) -> VerificationResult:
    """Verify one Adjoint at an example point {parameter name: value}."""
    return _verify(adjoint, example, helpers, has_aux, points, simplify_seconds, seconds)[0]


def _verify(adjoint, example, helpers, has_aux, points, simplify_seconds, seconds):
    """(result, runs) within `seconds`: past it, or too deep for sympy, INCONCLUSIVE with why.

    sympy recurses once per level of an expression (its assumptions, its
    comparisons): a long loop's expressions run out of Python's recursion
    limit. Then the verification runs again, with what is left of the time,
    in a thread with room to recurse (deep.py).
    """
    start = time.process_time()
    result, run, error = _attempt(adjoint, example, helpers, has_aux, points, simplify_seconds,
                                  seconds, in_main=True)
    left = None if seconds is None else seconds - (time.process_time() - start)
    if isinstance(error, RecursionError) and (left is None or left > 0):
        result, run, _ = in_deep_thread(_attempt, (adjoint, example, helpers, has_aux, points,
                                                   simplify_seconds, seconds, False),
                                        seconds=left, error=OutOfTime)
    return result, run


def _attempt(adjoint, example, helpers, has_aux, points, simplify_seconds, seconds, in_main):
    """(result, runs, the exception that ended it early or None)."""
    # sympy's global cache would keep the last verification's expressions, and comparing a
    # new expression with an equal one kept there walks both trees: start afresh.
    sympy.core.cache.clear_cache()
    forget_nesting()
    result = VerificationResult(adjoint.primal.name, tuple(adjoint.wrt), dict(example))
    phase = ["running the function on symbols"]  # what the verification is doing now
    try:
        with time_limit(seconds if in_main else None, OutOfTime):
            result, run = _phases(adjoint, example, helpers, has_aux, points, simplify_seconds,
                                  result, phase)
            return result, run, None
    except OutOfTime as err:
        result.error = f"ran past its time limit ({seconds:g} s) while {phase[0]}"
        return result, None, err
    except (RecursionError, OverflowError) as err:
        sympy.core.cache.clear_cache()  # it may hold half-built expressions
        result.error = (f"expressions too deep for sympy ({type(err).__name__}) while "
                        f"{phase[0]}")
        return result, None, err


def _phases(adjoint, example, helpers, has_aux, points, simplify_seconds, result, phase):
    try:
        run = Runs(adjoint, example, helpers or {}, result.path)
        output = run.primal(has_aux)
        seed = run.seed_for(output)
        phase[0] = "differentiating it with sympy"
        derivatives = run.derivatives(output, seed)
        phase[0] = "running agc's adjoint on symbols"
        computed_outputs, computed = run.adjoint(seed)
    except (SymbolicError, ValueError, TypeError, IndexError, KeyError) as err:
        result.error = str(err) or type(err).__name__
        return result, None
    result.seed = run.seed_text(seed)
    result.derivative_method = run.diff_method
    result.dag = run.point.dag
    try:
        same = run.same_value(run.returned, computed_outputs)
    except SymbolicError as err:  # e.g. a NaN in the example: nothing can be compared there
        result.error = str(err)
        return result, None
    result.checks.append(("the forward sweep computes the function's value at the point", same))
    phase[0] = "comparing the gradients"
    prover = Prover(nearby_points(run.point.values, points), simplify_seconds, run.point.dag)
    for name, want, got in zip(adjoint.wrt, derivatives, computed):
        result.gradients += check_tree(name, want, got, prover)
    if adjoint.lean is not None:
        try:
            _, computed = run.adjoint(seed, adjoint.lean)
        except (SymbolicError, ValueError, TypeError, IndexError, KeyError) as err:
            result.error = f"{adjoint.primal.name}_grad: {err or type(err).__name__}"
            return result, None
        suffix = f" in {adjoint.primal.name}_grad"
        for name, want, got in zip(adjoint.wrt, derivatives, computed):
            result.lean += [replace(check, name=check.name + suffix)
                            for check in check_tree(name, want, got, prover)]
    return result, run


def check_tree(name: str, derivative, adjoint, prover: Prover) -> list[GradientCheck]:
    """One GradientCheck per leaf of a parameter (a dict, list or tuple of arrays and numbers)."""
    if not isinstance(derivative, (dict, list, tuple)):
        return [check_gradient(name, derivative, adjoint, prover)]
    computed = dict(leaf_paths(adjoint, name)) if isinstance(adjoint, (dict, list, tuple)) else {}
    checks = []
    for path, want in leaf_paths(derivative, name):
        if path not in computed:
            checks.append(GradientCheck(path, want, None, [], problem=(
                f"agc's gradient has no entry {path} (it is {_kind(adjoint)})")))
        else:
            checks.append(check_gradient(path, want, computed[path], prover))
    return checks


def check_gradient(name: str, derivative, adjoint, prover: Prover) -> GradientCheck:
    """Compare one parameter's derivative with agc's adjoint, element by element."""
    want_shape, got_shape = np.shape(derivative), shape_of(adjoint)
    if isinstance(adjoint, (dict, list, tuple)) or \
            (want_shape != got_shape and int(np.prod(got_shape)) != int(np.prod(want_shape))):
        return GradientCheck(name, derivative, adjoint, [], problem=(
            f"agc's gradient is {_kind(adjoint)} but the parameter has shape {want_shape}"))
    if isinstance(derivative, np.ndarray):
        adjoint = np.reshape(np.asarray(adjoint, dtype=object), want_shape)
        verdicts = prover.prove_all(list(zip(derivative.flat, adjoint.flat)))
    else:
        adjoint = np.asarray(adjoint, dtype=object).reshape(-1)[0] \
            if isinstance(adjoint, np.ndarray) else adjoint
        verdicts = prover.prove_all([(derivative, adjoint)])
    return GradientCheck(name, derivative, adjoint, verdicts)


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}" if isinstance(value, (dict, list, tuple)) else "a number"


# ------------------------------------------------------- numeric cross-checks
def _cross_check(result: VerificationResult, run: Runs, wrapped, compiled,
                 example_args: tuple) -> None:
    """Run the real function and the emitted gradient at the point: they must agree too.

    Each run gets its own copy of the arguments: a model may write them in place.
    """
    def fresh() -> tuple:
        return copy.deepcopy(example_args)

    try:
        value = wrapped.fn(*fresh())
    except Exception as err:  # noqa: BLE001 - the user's own code failing is reported, not raised
        result.checks.append((f"the function runs at the point ({err})", False))
        return
    returned = run.point.evaluate(run.returned) if not isinstance(run.returned, tuple) else \
        tuple(run.point.evaluate(v) for v in run.returned)
    result.checks.append(("the primal IR computes what the Python function returns",
                          _close_tree(returned, value)))
    seed = _numeric(run.point, run.seed)
    _, grads = compiled.value_and_grad(*fresh(), **{compiled.seed_name: seed})
    result.checks.append(("the emitted gradient code gives agc's adjoint at the point",
                          _same(run.point, result.gradients, grads, result.wrt)))
    if result.lean:  # f_grad has its own sweeps: they must give its (lean) adjoint too
        what = f"the emitted {result.function}_grad gives its lean adjoint at the point"
        result.checks.append((what, _same(run.point, result.lean, compiled.grad(*fresh()),
                                          result.wrt, f" in {result.function}_grad")))


def _same(point: Point, checks: list, grads, wrt: tuple, suffix: str = "") -> bool:
    """Whether emitted gradients agree, leaf by leaf, with the symbolic adjoints of `checks`."""
    grads = grads if len(wrt) > 1 else (grads,)
    emitted = {path + suffix: leaf for name, g in zip(wrt, grads) for path, leaf in leaf_paths(g, name)}
    return all(check.problem is None and check.name in emitted and
               _same_numbers(point.evaluate(np.asarray(check.adjoint, dtype=object)),
                             emitted[check.name])
               for check in checks)


def _same_numbers(symbolic, emitted) -> bool:
    try:
        return close(symbolic, np.asarray(emitted, dtype=float).reshape(np.shape(symbolic)))
    except (TypeError, ValueError):
        return False


def _numeric(point: Point, value):
    if isinstance(value, tuple):
        return tuple(_numeric(point, v) for v in value)
    return None if value is None else point.evaluate(value)


def _close_tree(a, b) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_close_tree, a, b))
    return close(a, b)

