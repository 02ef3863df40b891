"""Tape reports: what the forward sweep keeps for the backward sweep, and its cost.

`f.tape_report(*args)` runs an instrumented copy of the forward sweep whose
tape notes which variable each entry belongs to, and lists the values the
backward sweep reads straight from forward-sweep locals (branch decisions,
trip counts, saved copies outside loops): those cost no tape entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from .. import ir
from ..live import load_module
from .module import emit_functions


@dataclass
class TapeReport:
    """Entries and bytes the tape held at the end of the forward sweep, per variable."""

    function: str
    entries: int
    nbytes: int
    by_variable: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (count, bytes)
    locals_read: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"tape of {self.function}: {self.entries} entries, {self.nbytes} bytes"]
        for name, (count, size) in sorted(self.by_variable.items()):
            lines.append(f"  {name:<16} {count:>8} entries {size:>12} bytes")
        if self.locals_read:
            lines.append("kept in locals (no tape): " + ", ".join(self.locals_read))
        return "\n".join(lines)


def value_bytes(value) -> int:
    """Bytes a recorded value occupies: an array's data, 8 for a number, 0 for None."""
    if value is None:
        return 0
    if hasattr(value, "nbytes"):
        return int(value.nbytes)
    if isinstance(value, bool):
        return 1
    if isinstance(value, (int, float)):
        return 8
    if isinstance(value, (list, tuple)):
        return sum(value_bytes(v) for v in value)
    return 8


def tape_report(compiled, args: tuple) -> TapeReport:
    """Run the recording forward sweep of a compiled gradient (api.compile_function) at `args`."""
    adj = compiled.adjoint
    functions = emit_functions(adj, report=True)
    source = cst.Module(body=[cst.SimpleStatementLine([cst.ImportFrom(
        cst.Name("agc"), [cst.ImportAlias(cst.Name("runtime"), cst.AsName(cst.Name("rt")))])]),
        *functions]).code
    namespace = load_module(source, f"agc-generated/{adj.primal.name}_tape.py",
                            compiled.namespace)
    tape = namespace[f"{adj.primal.name}_forward_tape"](*args)
    report = TapeReport(adj.primal.name, len(tape), 0)
    for label, value in zip(tape.labels, tape):
        count, size = report.by_variable.get(label, (0, 0))
        report.by_variable[label] = (count + 1, size + value_bytes(value))
        report.nbytes += value_bytes(value)
    report.locals_read = _locals_read(adj)
    return report


def _locals_read(adj) -> list[str]:
    """Forward-sweep names the backward sweep reads that are neither parameters nor popped."""
    popped = {s.target.name for s in ir.walk(tuple(adj.backward)) if isinstance(s, ir.Pop)}
    read = {n for s in ir.walk(tuple(adj.backward)) for n in ir.vars_read(s)}
    forward = {n for s in ir.walk(tuple(adj.forward)) if (n := ir.var_written(s))}
    return sorted((read & forward) - popped)
