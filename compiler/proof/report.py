"""What a verification found, and how it reads: `VerificationResult` and its text.

A result names the function, the point, the path (branches taken, loop
trips), the conditions the proof holds under, and for each parameter the
derivative sympy found, the adjoint agc computes, and the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from .dag import Dag
from .interpreter import Path
from .prover import Status, Verdict

SHOWN_ELEMENTS = 6  # array entries printed in full; the rest are summarized
SHOWN_CONDITIONS = 8
PRETTY_LIMIT = 120  # tree nodes drawn in 2-D; larger expressions are printed on one line


@dataclass
class GradientCheck:
    """One parameter's gradient: sympy's derivative, agc's adjoint, and the verdict.

    For an array parameter, `derivative` and `adjoint` are object arrays and
    `verdicts` holds one Verdict per element (in row-major order).
    """

    name: str
    derivative: object
    adjoint: object
    verdicts: list[Verdict]
    problem: str | None = None  # a failure that is not about one element (a shape mismatch)
    title: str | None = None  # the heading, where not d/d<name> (a tangent: "J v", "H v")

    @property
    def status(self) -> Status:
        """FAILED if any element failed, else INCONCLUSIVE if any was, else PROVED."""
        if self.problem is not None:
            return Status.FAILED
        return combine(v.status for v in self.verdicts)

    def __repr__(self) -> str:
        # Short: the expressions of a long loop would print for hours (str() shows them sized).
        return f"<GradientCheck {self.title or 'd/d' + self.name}: {self.status.value}>"

    @property
    def failures(self) -> list[tuple[tuple, Verdict]]:
        """(element index, verdict) of each element that was not proved."""
        shape = np.shape(self.derivative)
        return [(np.unravel_index(i, shape) if shape else (), v)
                for i, v in enumerate(self.verdicts) if v.status is not Status.PROVED]


def combine(statuses) -> Status:
    """The overall status of several verdicts."""
    statuses = list(statuses)
    if Status.FAILED in statuses:
        return Status.FAILED
    if Status.INCONCLUSIVE in statuses:
        return Status.INCONCLUSIVE
    return Status.PROVED


@dataclass
class VerificationResult:
    """The outcome of `agc.verify` (or of `agc check` for one function)."""

    function: str
    wrt: tuple[str, ...]
    point: dict[str, object]  # parameter name -> example value
    gradients: list[GradientCheck] = field(default_factory=list)
    path: Path = field(default_factory=Path)
    seed: str = "1 (scalar output)"
    checks: list[tuple[str, bool]] = field(default_factory=list)  # numeric cross-checks
    error: str | None = None  # why the symbolic run could not be completed
    derivative_method: str = "sympy.diff"
    dag: Dag = field(default_factory=Dag, repr=False, compare=False)  # sizes, for printing
    # The same proofs for `f_grad`'s own sweeps (the lean variant, ad/lean.py), when it has them.
    lean: list[GradientCheck] = field(default_factory=list)
    seed_label: str = "output seed"  # "direction" for tangents (proof/higher.py)

    @property
    def status(self) -> Status:
        """PROVED only when every gradient entry is proved and every cross-check agrees."""
        if self.error is not None:
            return Status.INCONCLUSIVE
        if not all(ok for _, ok in self.checks):
            return Status.FAILED
        return combine(g.status for g in self.gradients + self.lean)

    @property
    def proved(self) -> bool:
        """Whether the status is PROVED."""
        return self.status is Status.PROVED

    def __str__(self) -> str:
        return render(self)

    def __repr__(self) -> str:
        # One line: str() is the report; the dataclass repr would print every expression.
        return f"<VerificationResult {render(self).splitlines()[0]}>"


# ------------------------------------------------------------------- text
def render(result: VerificationResult, pretty: bool = False) -> str:
    """The result as text; `pretty` draws expressions with sympy's 2-D printer."""
    point = ", ".join(f"{k}={_short(v)}" for k, v in result.point.items())
    header = f"{result.function}({point}) with respect to {', '.join(result.wrt)}"
    lines = [f"{header}: {result.status}"]
    if result.error:
        lines.append(f"  could not verify: {result.error}")
    lines += [f"  path: {line}" for line in path_lines(result.path)]
    lines += [f"  holds where: {line}" for line in condition_lines(result.path, result.dag)]
    lines += [f"  taken as constant at the point: {c}" for c in result.path.constants]
    if result.gradients and result.seed != "1 (scalar output)":
        lines.append(f"  {result.seed_label}: {result.seed}")
    if result.gradients and result.derivative_method != "sympy.diff":
        lines.append(f"  derivative by {result.derivative_method}")
    for check in result.gradients:
        lines += _gradient_lines(check, pretty, result.dag)
    for check in result.lean:
        lines += _gradient_lines(check, pretty, result.dag)[:None if check.status is not
                                                           Status.PROVED else 1]
    lines += [f"  {'ok' if ok else 'FAILED'}: {what}" for what, ok in result.checks]
    return "\n".join(lines)


def _gradient_lines(check: GradientCheck, pretty: bool, dag: Dag) -> list[str]:
    lines = [f"  {check.title or 'd/d' + check.name}: {check.status}"]
    if check.problem:
        return lines + [f"    {check.problem}"]
    shape = np.shape(check.derivative)
    entries = list(np.ndindex(shape)) if shape else [()]
    shown = [i for i, (idx, v) in enumerate(zip(entries, check.verdicts))
             if v.status is not Status.PROVED][:SHOWN_ELEMENTS]
    shown = sorted(set(shown) | set(range(min(len(entries), SHOWN_ELEMENTS - len(shown)))))
    for i in shown:
        label = f"{check.name}[{','.join(map(str, entries[i]))}]" if shape else check.name
        lines += _entry_lines(label, _at(check.derivative, entries[i]),
                              _at(check.adjoint, entries[i]), check.verdicts[i], pretty, dag)
    if len(entries) > len(shown):
        rest = [check.verdicts[i].status for i in range(len(entries)) if i not in shown]
        lines.append(f"    ... {len(rest)} more entries: {combine(rest)}")
    return lines


def _at(value, index):
    return value[index] if isinstance(value, np.ndarray) else value


def _entry_lines(label: str, derivative, adjoint, verdict: Verdict, pretty: bool,
                 dag: Dag) -> list[str]:
    lines = [f"    {label}:"]
    lines += _expr_lines("sympy", derivative, pretty, dag)
    lines += _expr_lines("agc  ", adjoint, pretty, dag)
    lines.append(f"      {verdict.status} ({verdict.method})")
    if verdict.counterexample:
        c = verdict.counterexample
        at = ", ".join(f"{k}={_short(v)}" for k, v in c["point"].items())
        lines.append(f"      counterexample: at {at}: the derivative is {_short(c['derivative'])}, "
                     f"agc computes {_short(c['adjoint'])}")
    if verdict.difference is not None and verdict.status is not Status.PROVED:
        lines.append(f"      difference: {dag.describe(verdict.difference)}")
    return lines


def _expr_lines(tag: str, expr, pretty: bool, dag: Dag) -> list[str]:
    if not pretty or not isinstance(expr, sympy.Basic) or dag.size(expr) > PRETTY_LIMIT:
        return [f"      {tag}: {dag.describe(expr)}"]
    drawn = sympy.pretty(expr, use_unicode=False).splitlines()
    pad = " " * (len(tag) + 8)
    return [f"      {tag}: {drawn[0]}"] + [pad + line for line in drawn[1:]]


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(np.asarray(value, dtype=float) if value.dtype == object else value,
                               precision=4, separator=", ", threshold=8)
    if isinstance(value, sympy.Basic) and value.is_number and not value.is_Integer:
        return f"{float(value):.6g}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


# ------------------------------------------------------------------- path
def path_lines(path: Path) -> list[str]:
    """One line per `if` and loop on the path: the branches taken, the trips made."""
    lines = []
    for where, taken in path.branches.items():
        counts = {"then": taken.count(True), "else": taken.count(False)}
        text = ", ".join(f"{k} x{n}" if len(taken) > 1 else k for k, n in counts.items() if n)
        lines.append(f"{where} if: {text}")
    for where, trips in path.loops.items():
        text = f"{trips[0]} trips" if len(trips) == 1 else \
            f"entered {len(trips)} times, trips {_listing(trips)}"
        lines.append(f"{where} loop: {text}")
    return lines


def _listing(values: list[int]) -> str:
    if len(set(values)) == 1:
        return f"{values[0]} each"
    return ", ".join(map(str, values[:10])) + (", ..." if len(values) > 10 else "")


def condition_lines(path: Path, dag: Dag | None = None) -> list[str]:
    """The conditions the path holds under: intervals per symbol, then other relations."""
    dag = dag or Dag()
    intervals: dict[sympy.Symbol, sympy.Set] = {}
    others = []
    for relation in path.conditions:
        found = _interval(relation, dag)
        if found is None:
            where = path.sources.get(relation)
            others.append(dag.describe(relation, 300) + (f"  (from {where})" if where else ""))
        else:
            symbol, interval = found
            intervals[symbol] = intervals.get(symbol, sympy.S.Reals) & interval
    lines = [_interval_text(s, i) for s, i in intervals.items()]
    lines += others[:SHOWN_CONDITIONS]
    if len(others) > SHOWN_CONDITIONS:
        lines.append(f"... and {len(others) - SHOWN_CONDITIONS} more relations")
    return lines


def _interval(relation, dag: Dag) -> tuple | None:
    """(symbol, interval) for a relation linear in one symbol, else None."""
    if not isinstance(relation, (sympy.Lt, sympy.Le, sympy.Gt, sympy.Ge)) or \
            dag.size(relation) > 100:
        return None
    symbols = dag.free(relation)
    if len(symbols) != 1:
        return None
    (symbol,) = symbols
    expr = sympy.expand(relation.lhs - relation.rhs)
    if not expr.is_polynomial(symbol) or sympy.degree(expr, symbol) != 1:
        return None
    slope = expr.coeff(symbol, 1)
    root = -expr.coeff(symbol, 0) / slope
    above = isinstance(relation, (sympy.Gt, sympy.Ge)) == bool(slope > 0)
    strict = isinstance(relation, (sympy.Lt, sympy.Gt))
    if above:
        return symbol, sympy.Interval(root, sympy.oo, left_open=strict)
    return symbol, sympy.Interval(-sympy.oo, root, right_open=strict)


def _interval_text(symbol, interval) -> str:
    if not isinstance(interval, sympy.Interval):
        return f"{symbol} in {interval}"
    parts = []
    if interval.start != -sympy.oo:
        parts.append(f"{_short(interval.start)} {'<' if interval.left_open else '<='} ")
    parts.append(str(symbol))
    if interval.end != sympy.oo:
        parts.append(f" {'<' if interval.right_open else '<='} {_short(interval.end)}")
    return "".join(parts)
