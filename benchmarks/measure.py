"""Measure one Case: build every tool, check its gradient, then time all tools round-robin."""
import sys
from dataclasses import dataclass

from checks import compare, reference
from timing import TimeLimit, round_robin, time_limit, timed


@dataclass
class Cell:
    """Outcome for one (case, tool)."""

    status: str                      # ok | absent | error | WRONG | timeout | cannot jit
    note: str = ""                   # footnote text (error message, check failure, ...)
    build_s: float | None = None  # differentiate / tangent.grad / jax.jit wrapper
    first_s: float | None = None  # first call (tracing, compiling, caches)
    median_s: float | None = None
    rounds: int = 0
    number: int = 0


def loud(message):
    """Print a problem to stderr so it cannot be missed."""
    print(f"\n!!! {message}\n", file=sys.stderr, flush=True)


def failure_status(tool, exc):
    """Cell status for an exception raised while building or first calling a tool."""
    if isinstance(exc, TimeLimit):
        return "timeout"
    if tool.key == "jit" and "Tracer" in type(exc).__name__ + str(type(exc).__mro__):
        return "cannot jit"
    return "error"


def first_call(tool, case, limit):
    """Build the tool's gradient, run it once; returns (cell, zero-arg call or None)."""
    try:
        with time_limit(limit):
            grad_fn, build_s = timed(lambda: tool.build(case))
            native = tool.convert(case, case.args)
            run = tool.runner(case)
            out, first_s = timed(lambda: tool.finish(run(grad_fn, native)))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a visible cell
        status = failure_status(tool, exc)
        return Cell(status, f"{type(exc).__name__}: {exc}".splitlines()[0][:300]), None
    extra = first_s <= limit / 4  # skip the extra check inputs for very slow tools
    wrong = check(tool, case, run, grad_fn, out, extra)
    if wrong:
        loud(f"WRONG GRADIENT: {tool.label} on {case.name}: {wrong}")
        return Cell("WRONG", wrong, build_s, first_s), None
    call = lambda: tool.finish(run(grad_fn, native))
    return Cell("ok", "", build_s, first_s), call


def check(tool, case, run, grad_fn, out, extra=True):
    """None if the tool agrees with the hand-written adjoint (and on case.check_args)."""
    message = compare(out, reference(case, case.args), case.rtol, case.atol, tool.to_numpy)
    for args in case.check_args if extra else ():
        if message:
            break
        got = tool.finish(run(grad_fn, tool.convert(case, args)))
        message = compare(got, reference(case, args), case.rtol, case.atol, tool.to_numpy)
    return message


def estimate(call, first_s, budget):
    """Seconds per steady-state call, from a warm-up call after the first one (the first
    includes tracing and compiling: jax.jit's can be seconds for a microsecond call).
    A warm-up call that runs past the first-call limit leaves the first call's time."""
    try:
        with time_limit(budget.first_call_s):
            return timed(call)[1]
    except TimeLimit:
        return first_s


def measure_case(case, tools, absent, budget):
    """{tool key: Cell} for one case, including the forward-only column."""
    cells, calls, estimates = {}, {}, {}
    for tool in tools:
        if case.tools is not None and tool.key not in case.tools or \
                tool.key == "expert" and case.expert is None:
            continue
        if tool.key in absent:
            cells[tool.key] = Cell("absent", absent[tool.key])
            continue
        cells[tool.key], call = first_call(tool, case, budget.first_call_s)
        if call is not None:
            calls[tool.key] = call
            estimates[tool.key] = estimate(call, cells[tool.key].first_s, budget)
    forward = case.forward_call()
    _, first_s = timed(forward)
    cells["forward"] = Cell("ok", first_s=first_s)
    calls["forward"], estimates["forward"] = forward, timed(forward)[1]
    for key, (median, rounds, number) in round_robin(calls, estimates, budget).items():
        cells[key].median_s, cells[key].rounds, cells[key].number = median, rounds, number
    return cells
