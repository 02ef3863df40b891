"""A small IR builder used by derivative rules and the reverse pass.

`b.mul(g, y)` appends `t7 = g * y` and returns `t7`. Arithmetic on constants
is folded on the spot (`1 * g` is `g`, `2 - 1` is `1`), so rules can be
written plainly without producing noise in the emitted adjoint.
"""

from __future__ import annotations

from .. import ir
from ..errors import NO_LOC, Loc
from .namer import Namer
from .prims import Prim


def _const(atom: ir.Atom, value: float) -> bool:
    return isinstance(atom, ir.Const) and type(atom.value) in (int, float) and atom.value == value


class Builder:
    """Collects statements; hands out fresh temporaries from a shared Namer."""

    def __init__(self, namer: Namer, temps: set[str], loc: Loc = NO_LOC,
                 stmt: ir.Assign | None = None, scalars: frozenset[str] = frozenset(),
                 ranks: dict[str, int | None] | None = None,
                 spread: dict[str, ir.Atom] | None = None,
                 shaped: dict[int, frozenset] | None = None):
        self.namer = namer
        self.temps = temps
        self.loc = loc
        self.stmt = stmt  # the statement whose rule is running, if any
        self.scalars = scalars  # names known to hold scalars
        # Known numbers of dimensions (ad/ranks.py); shared with the reverse pass,
        # which learns the ranks of some adjoints as rules make them.
        self.ranks = ranks if ranks is not None else {}
        self.spread = spread or {}  # see ad/unspread.py
        # id(statement) -> its operands known to have its output's shape (ad/shape_classes.py)
        self.shaped = shaped or {}
        self.stmts: list[ir.Stmt] = []

    def rank(self, atom: ir.Atom) -> int | None:
        """The number of dimensions of an atom, where the compiler knows it."""
        if isinstance(atom, ir.Const):
            return 0 if type(atom.value) in (int, float, bool) else None
        return 0 if atom.name in self.scalars else self.ranks.get(atom.name)

    def number(self, atom: ir.Atom) -> ir.Atom:
        """Record that `atom` holds one number (rank 0); returns it."""
        if isinstance(atom, ir.Var):
            self.ranks[atom.name] = 0
        return atom

    def scaled(self, c: float, g: ir.Atom, x: ir.Atom) -> ir.Atom:
        """c * g * x, the constant grouped with whichever of g and x is a number."""
        if self.rank(g) == 0 and self.rank(x) != 0:
            return self.mul(self.mul(ir.Const(c), g), x)
        return self.mul(g, self.mul(ir.Const(c), x))

    def column(self, v: ir.Atom) -> ir.Atom:
        """v[:, None]: a vector as a one-column matrix."""
        every = ir.Index((ir.Slice(), ir.NEWAXIS), tuple_form=True)
        return self.apply(Prim.GETITEM, (v,), ir.Params.of(index=every))

    def temp(self) -> ir.Var:
        """A fresh temporary variable."""
        name = self.namer.temp()
        self.temps.add(name)
        return ir.Var(name)

    def apply(self, prim: Prim, args, params: ir.Params | None = None,
              target: ir.Var | None = None) -> ir.Var:
        """Append `target = prim(*args)` and return the target."""
        target = target or self.temp()
        params = params if params is not None else ir.Params()
        self.stmts.append(ir.Assign(target, prim, tuple(args), params, self.loc))
        return target

    def op(self, prim: Prim, *args: ir.Atom, **params: object) -> ir.Atom:
        """prim(*args, **params), folded when every argument is a number."""
        fold = prim.spec.fold
        if fold and all(isinstance(a, ir.Const) and type(a.value) in (int, float) for a in args):
            try:
                return ir.Const(fold(*(a.value for a in args)))
            except (ZeroDivisionError, OverflowError):
                pass
        return self.apply(prim, args, ir.Params.of(**params))

    def add(self, x: ir.Atom, y: ir.Atom) -> ir.Atom:
        """x + y."""
        if _const(x, 0):
            return y
        if _const(y, 0):
            return x
        return self.op(Prim.ADD, x, y)

    def sub(self, x: ir.Atom, y: ir.Atom) -> ir.Atom:
        """x - y."""
        if _const(y, 0):
            return x
        return self.op(Prim.SUB, x, y)

    def mul(self, x: ir.Atom, y: ir.Atom) -> ir.Atom:
        """x * y."""
        if _const(x, 1):
            return y
        if _const(y, 1):
            return x
        if _const(x, -1):
            return self.neg(y)
        if _const(y, -1):
            return self.neg(x)
        return self.op(Prim.MUL, x, y)

    def div(self, x: ir.Atom, y: ir.Atom) -> ir.Atom:
        """x / y."""
        if _const(y, 1):
            return x
        return self.op(Prim.DIV, x, y)

    def pow(self, x: ir.Atom, y: ir.Atom) -> ir.Atom:
        """x ** y."""
        if _const(y, 1):
            return x
        return self.op(Prim.POW, x, y)

    def neg(self, x: ir.Atom) -> ir.Atom:
        """-x."""
        if isinstance(x, ir.Const) and type(x.value) in (int, float):
            return ir.Const(-x.value)
        return self.op(Prim.NEG, x)

    def unbroadcast(self, g: ir.Atom, like: ir.Atom) -> ir.Atom:
        """g summed back to the shape of `like` (nothing to do for constants)."""
        if isinstance(like, ir.Const) or self.output_shaped_like(like):
            return g
        return self.op(Prim.UNBROADCAST, g, like)

    def is_scalar(self, atom: ir.Atom) -> bool:
        """Whether an atom is known to be a scalar."""
        if isinstance(atom, ir.Const):
            return type(atom.value) in (int, float, bool)
        return atom.name in self.scalars

    def output_shaped_like(self, arg: ir.Atom) -> bool:
        """Whether the current elementwise statement's output has the shape of `arg`.

        True when every other argument is a scalar (or the same variable), or the shape
        classes show `arg` has the output's shape, so nothing was broadcast and the
        cotangent needs no summing.
        """
        s = self.stmt
        if s is None or s.prim.spec.group != "elementwise" or s.prim is Prim.WHERE:
            return False
        if all(self.is_scalar(a) for a in s.args if a != arg):
            return True
        same = self.shaped.get(id(s), ())
        return any(i in same for i, a in enumerate(s.args) if a == arg)
