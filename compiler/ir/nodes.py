"""The agc IR: A-normal form with structured control flow.

Grammar (every statement carries a `loc`; see docs/ir.md)::

    atom     ::= Var(name) | Const(value, text?)
    stmt     ::= Assign(target: Var, prim: Prim, args: atom*, params)
               | If(cond: atom, body: stmt*, orelse: stmt*)
               | While(test: stmt*, cond: atom, body: stmt*)   # test re-run before each trip
               | For(target: Var?, start, stop, step: atom, body: stmt*, reverse: bool, limit: atom?)
               | Break | Continue
               | Return(values: atom*)
               | Push(value: atom) | Pop(target: Var)          # the tape (adjoint code only)
    function ::= Function(name, params: Param*, body: stmt*)
    param    ::= Param(name, default: Const?)

Each `Assign` applies exactly one primitive to atoms: nested expressions are
flattened into temporaries by lowering. `For` always counts over a range;
`for x in xs`, `enumerate` and `zip` are lowered onto it. Static options of
a primitive (axis=0, keepdims=True, an index template, `lib="math"`) are in
`params`, a sorted tuple of (key, value) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..errors import NO_LOC, Loc
from .prims import Prim


@dataclass(frozen=True, slots=True)
class Var:
    """A variable, by name."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Const:
    """A constant; `text` is how to write it when repr() would not do (np.pi)."""

    value: object
    text: str | None = None

    def __str__(self) -> str:
        return self.text if self.text is not None else repr(self.value)

    # A module-level array, list or dict read as a constant (issue 13) is unhashable and
    # compares elementwise: such values are the same constant only when the same object.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Const):
            return NotImplemented
        if _hashable(self.value) and _hashable(other.value):
            return (self.value, self.text) == (other.value, other.text)
        return self.value is other.value and self.text == other.text

    def __hash__(self) -> int:
        value = self.value if _hashable(self.value) else id(self.value)
        return hash((value, self.text))

    def __deepcopy__(self, memo: dict) -> Const:
        return self  # immutable: a copied tail reads the same module array, not a copy of it


Atom = Var | Const


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Params:
    """A primitive's static options: an immutable, ordered mapping."""

    items: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def of(**kwargs: object) -> Params:
        """Params from keyword arguments, dropping None values."""
        return Params(tuple(sorted((k, v) for k, v in kwargs.items() if v is not None)))

    def get(self, key: str, default: object = None) -> object:
        """The value of `key`, or `default`."""
        for k, v in self.items:
            if k == key:
                return v
        return default

    def with_(self, **kwargs: object) -> Params:
        """A copy with some keys replaced (None removes a key)."""
        merged = dict(self.items)
        merged.update(kwargs)
        return Params.of(**merged)

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True, slots=True)
class Assign:
    """target = prim(*args, **params)."""

    target: Var
    prim: Prim
    args: tuple[Atom, ...]
    params: Params = Params()
    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class If:
    """if cond: body else: orelse."""

    cond: Atom
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()
    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class While:
    """while (test; cond): body — `test` computes `cond` before every trip."""

    test: tuple[Stmt, ...]
    cond: Atom
    body: tuple[Stmt, ...]
    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class For:
    """for target in range(start, stop, step) (or reversed(...)): body."""

    target: Var | None
    start: Atom
    stop: Atom
    step: Atom
    body: tuple[Stmt, ...]
    reverse: bool = False
    limit: Atom | None = None  # only the first `limit` trips (a loop that broke early)
    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class Break:
    """break out of the innermost loop."""

    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class Continue:
    """continue with the next trip of the innermost loop."""

    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class Return:
    """return one value, or a tuple of values when there are several."""

    values: tuple[Atom, ...]
    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class Push:
    """Record a value on the tape (adjoint code only)."""

    value: Atom
    loc: Loc = field(default=NO_LOC, compare=False)


@dataclass(frozen=True, slots=True)
class Pop:
    """Take the last recorded value off the tape into `target` (adjoint code only)."""

    target: Var
    loc: Loc = field(default=NO_LOC, compare=False)


Stmt = Assign | If | While | For | Break | Continue | Return | Push | Pop
Block = tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Param:
    """A function parameter and its default value, if any."""

    name: str
    default: Const | None = None
    annotation: str | None = None  # "float" / "int" mark a scalar parameter


@dataclass(frozen=True, slots=True)
class Function:
    """A function: name, parameters, body; `doc` is the docstring to emit."""

    name: str
    params: tuple[Param, ...]
    body: Block
    loc: Loc = field(default=NO_LOC, compare=False)
    doc: str | None = None
    temps: frozenset[str] = frozenset()  # compiler-made names (free to inline or rename)

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameters' names, in order."""
        return tuple(p.name for p in self.params)


# ----------------------------------------------------------------- traversal


def map_blocks(stmt: Stmt, fn) -> Stmt:
    """The statement with `fn` applied to each of its nested blocks (a while's test too)."""
    if isinstance(stmt, If):
        return replace(stmt, body=fn(stmt.body), orelse=fn(stmt.orelse))
    if isinstance(stmt, While):
        return replace(stmt, test=fn(stmt.test), body=fn(stmt.body))
    if isinstance(stmt, For):
        return replace(stmt, body=fn(stmt.body))
    return stmt


def children(stmt: Stmt) -> tuple[Block, ...]:
    """The nested blocks of a statement, in source order."""
    if isinstance(stmt, If):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, While):
        return (stmt.test, stmt.body)
    if isinstance(stmt, For):
        return (stmt.body,)
    return ()


def walk(block: Block) -> Iterator[Stmt]:
    """Every statement of a block and its nested blocks, in source order."""
    # an explicit stack of iterators, not recursion: an elif chain of any length nests
    stack = [iter(block)]
    while stack:
        for stmt in stack[-1]:
            yield stmt
            if isinstance(stmt, (If, While, For)):  # its blocks first, then the rest
                stack += [iter(child) for child in reversed(children(stmt))]
                break
        else:
            stack.pop()


def atoms_read(stmt: Stmt) -> tuple[Atom, ...]:
    """The atoms a statement reads itself (not those of nested blocks)."""
    if isinstance(stmt, Assign):
        return stmt.args
    if isinstance(stmt, (If, While)):
        return (stmt.cond,)
    if isinstance(stmt, For):
        return (stmt.start, stmt.stop, stmt.step) + ((stmt.limit,) if stmt.limit else ())
    if isinstance(stmt, Return):
        return stmt.values
    if isinstance(stmt, Push):
        return (stmt.value,)
    return ()


def vars_read(stmt: Stmt) -> list[str]:
    """Names of the variables a statement reads itself."""
    return [a.name for a in atoms_read(stmt) if isinstance(a, Var)]


def var_written(stmt: Stmt) -> str | None:
    """The name a statement assigns itself, if any (a For assigns its target)."""
    if isinstance(stmt, (Assign, Pop)):
        return stmt.target.name
    if isinstance(stmt, For) and stmt.target is not None:
        return stmt.target.name
    return None


def assigned_names(block: Block) -> set[str]:
    """Every name assigned anywhere in a block, nested blocks included."""
    return {name for s in walk(block) if (name := var_written(s)) is not None}


def read_names(block: Block) -> set[str]:
    """Every name read anywhere in a block, nested blocks included."""
    return {name for s in walk(block) for name in vars_read(s)}


def all_names(fn: Function) -> set[str]:
    """Every name a function uses: parameters, assigned and read variables."""
    return set(fn.param_names) | assigned_names(fn.body) | read_names(fn.body)


def def_counts(fn: Function) -> dict[str, int]:
    """How many places bind each name (a parameter counts as one)."""
    counts: dict[str, int] = {p: 1 for p in fn.param_names}
    for stmt in walk(fn.body):
        name = var_written(stmt)
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    return counts


def read_counts(fn: Function) -> dict[str, int]:
    """How many statements read each name (a statement reading it twice counts twice)."""
    counts: dict[str, int] = {}
    for stmt in walk(fn.body):
        for name in vars_read(stmt):
            counts[name] = counts.get(name, 0) + 1
    return counts
