"""Loop values the backward sweep redoes instead of keeping (Tapenade's to-be-recorded idea).

reverse.py marks the Save of a loop's value made by one cheap or elementwise step
(`Save.recompute`: `t = 0.01 * s`, `s = np.sin(x)`, `u = xs[i]`); tape.py asks
`plan_recomputes` which of those the backward sweep redoes, and where, instead of
taping them. A value is redone when its step reads only names that, in the backward
sweep, hold the values they held when the step ran:

  * loop indices and names the loop never assigns (`Save.fixed`), values that are
    the same on every trip (`Save.invariant`), values the tape restores anyway (the
    backward sweep reads them for their values: x in `x = x + 0.01 * np.sin(x) * p`),
    and other values redone;
  * no name it reads is written by the statements between the step and its last
    reader in the block (a restore there would give the later value);
  * every read of the value in the backward sweep lies in the backward code of its
    own block's statements from the step on, so nothing there expects an older value;
  * at most one step on the way from restored values is not `Spec.cheap` (a
    transcendental): `np.sin(x)` is redone, `np.exp(np.sin(x))` keeps its outer step.

The step is then redone right before the backward code of its last reader (its block's
StmtStart marker), after the restores of the names it reads. It is the forward's very
statement on the same operands, so it gives the same bits, and it cannot raise where the
forward did not. A reduction, a product of matrices, a convolution, a helper call, a draw,
a print or an in-place write is never redone: only elementwise steps and `Spec.cheap` ones
(indexing, `+ - *`, comparisons, copies).
"""

from __future__ import annotations

from .. import ir
from .adjoint import Adjoint, Restore, Save, StmtStart


def plan_recomputes(adj: Adjoint, needed: set[str], restored: set[str]
                    ) -> tuple[set[int], dict[tuple[int, int], list[ir.Assign]]]:
    """The sites of the values redone, and the statements redone after each StmtStart marker
    (by block and index). `restored`: the names the backward sweep reads for their values
    (or undoes), which the tape restores. Adds the names the redone steps read to both."""
    saves = sorted((m for m in ir.walk(tuple(adj.forward)) if isinstance(m, Save)),
                   key=lambda m: m.site)
    costs = _eligible(saves, restored - _loop_targets(adj.primal))
    sweep = _Sweep(adj.backward)
    sites: set[int] = set()
    placed: dict[tuple[int, int], list[ir.Assign]] = {}
    for save in reversed(saves):  # latest first: a redone value's inputs then count its step
        # one read only for its shape keeps its shape instead (tape.py): no arithmetic
        if save.var.name not in costs or save.var.name not in restored:
            continue
        last = sweep.last_reader(save)
        reads = set(ir.vars_read(save.stmt))
        if last is None or any(sweep.writes.get((save.block, i), set()) & reads
                               for i in range(save.index + 1, last + 1)):
            continue
        sites.add(save.site)
        placed.setdefault((save.block, last), []).insert(0, save.stmt)
        needed |= reads
        restored |= reads
        sweep.read_at(reads, (save.block, last))
    return sites, placed


def _eligible(saves: list[Save], restored: set[str]) -> dict[str, int]:
    """{name: costly steps on its way from restored values} for the values that may be
    redone, in program order (a value may be redone from an earlier one)."""
    steady = {s.var.name for s in saves if s.invariant}
    costs: dict[str, int] = {}
    for save in saves:
        if not save.recompute:
            continue
        others = set(ir.vars_read(save.stmt)) - save.fixed - steady - restored
        if not others <= costs.keys():
            continue
        cost = max((costs[n] for n in others), default=0) + (not save.stmt.prim.spec.cheap)
        if cost <= 1:
            costs[save.var.name] = cost
    return costs


def _loop_targets(fn: ir.Function) -> set[str]:
    """The names loops assign as their index: the backward sweep's loops assign them too."""
    return {s.target.name for s in ir.walk(fn.body) if isinstance(s, ir.For) and s.target}


class _Sweep:
    """Where a backward sweep reads and writes each name, by statement regions: a region
    is the backward code of one statement of a block, between two StmtStart markers."""

    def __init__(self, backward: list):
        self.reads: dict[str, list[tuple]] = {}  # name -> the region paths of its reads
        self.writes: dict[tuple[int, int], set[str]] = {}  # region -> names written in it
        self.paths: dict[tuple[int, int], tuple] = {}  # region -> it and the regions around it
        self._walk(backward, ())

    def _walk(self, block, path: tuple) -> None:
        here = path
        for stmt in block:
            if isinstance(stmt, StmtStart):
                here = path + ((stmt.block, stmt.index),)
                self.paths[(stmt.block, stmt.index)] = here
                continue
            written = stmt.var.name if isinstance(stmt, Restore) else ir.var_written(stmt)
            if written is not None:
                for region in here:
                    self.writes.setdefault(region, set()).add(written)
            if not isinstance(stmt, Restore):
                for name in ir.vars_read(stmt):
                    self.reads.setdefault(name, []).append(here)
            for child in ir.children(stmt):
                self._walk(child, here)

    def read_at(self, names: set[str], region: tuple[int, int]) -> None:
        """Count a redone step placed at the start of `region` as a reader of `names`."""
        for name in names:
            self.reads.setdefault(name, []).append(self.paths[region])

    def last_reader(self, save: Save) -> int | None:
        """The index of the latest statement of the save's block whose backward code reads
        its value, or None where something else reads it (or nothing does)."""
        indices = []
        for path in self.reads.get(save.var.name, ()):
            index = next((i for block, i in path if block == save.block), None)
            if index is None or index < save.index:
                return None
            indices.append(index)
        return max(indices, default=None)
