"""What the reverse pass hands on: an `Adjoint`, whose sweeps hold Save/Restore markers.

reverse.py builds it; tape.py replaces each marker with a push/pop, a local
copy or nothing; dead_code.py and emission (backend/) take it from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir


@dataclass(frozen=True)
class Save:
    """Marker in the forward sweep: the old value of `var` may need keeping."""

    var: ir.Var
    site: int
    in_loop: bool
    invariant: bool
    maybe_unbound: bool  # possibly unbound here: the save needs a `var = None` first
    unbound: bool  # certainly unbound here: there is no old value to save
    loc: object = None
    stmt: ir.Assign | None = None  # the assignment itself (item assignments save a slice)
    # one cheap or elementwise step a loop's backward sweep may redo instead of keeping its
    # value (ad/recompute.py decides): `fixed` are the names it reads that hold one value
    # through the whole loop (loop indices, values the loop never assigns)
    recompute: bool = False
    block: int = 0  # id of the block holding the assignment
    index: int = 0  # the assignment's place in that block
    fixed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Restore:
    """Marker in the backward sweep: put back what the matching Save kept."""

    var: ir.Var
    site: int
    loc: object = None
    stmt: ir.Assign | None = None


@dataclass(frozen=True)
class StmtStart:
    """Marker opening the backward code of the statement at `index` of a block (index -1:
    the block's backward code has ended; what follows runs before its first statement).
    Values the backward sweep redoes instead of keeping go right after one of these."""

    block: int
    index: int


@dataclass
class Adjoint:
    """The pieces of an emitted gradient function."""

    primal: ir.Function
    wrt: tuple[str, ...]
    forward: list
    seed: list
    backward: list
    outputs: tuple[ir.Atom, ...]
    grads: tuple[ir.Atom, ...]
    seed_param: str
    bars: dict[str, str] = field(default_factory=dict)
    temps: frozenset[str] = frozenset()
    returns_value: bool = True  # False for a helper's vjp, which returns cotangents only
    kept: tuple[ir.Var, ...] = ()  # adjoints of named intermediates (PyTorch's retain_grad)
    scalar_output: bool = False  # the one output is known to be a number: its seed is 1.0
    home: object = None  # a helper's ParsedModule: its imports and constants go to the module
    lean: Adjoint | None = None  # f_grad's own sweeps, without the value (ad/lean.py)
    # the records of split helper calls (`t_saved = h_fwd(...)`): forward values like the
    # primal's, kept for the backward sweep like them (tape.py)
    records: tuple[str, ...] = ()
    split: bool = False  # a helper emitted as h_fwd / h_bwd (backend/module.py), not h_vjp
    # the primal's variables of rank 0 (ranks.py): the numba target's tape keeps those first
    # bound inside a loop in an array of numbers (backend/numba_tape.py)
    numbers: frozenset[str] = frozenset()

    @property
    def scalar_bars(self) -> frozenset[str]:
        """The adjoints of `numbers`: added as `x_bar + v`, never through rt.accumulate
        (backend/in_place.py), whose call would cost more than the addition."""
        return frozenset(bar for name, bar in self.bars.items() if name in self.numbers)
