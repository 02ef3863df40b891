"""Index templates: what `x[i, a:b, None, ...]` reads, with its atoms left as holes.

A GETITEM statement keeps its index in `params["index"]` as an `Index`, and
the atoms the index reads (`i`, `a`, `b`) among its args: a `Hole(pos)`
or a slice bound is the position of that atom in the statement's args
(`args[0]` is the indexed value, so positions count from 1). SETITEM
(`y[i] = v`) has its value in args[1], so its holes count from 2;
`shift`/`unshift` move between the two. An Index is immutable and hashable,
like everything else in `Params`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hole:
    """An index read from the statement's argument at `pos`: `x[i]`."""

    pos: int

    def __str__(self) -> str:
        return f"@{self.pos}"


@dataclass(frozen=True, slots=True)
class Slice:
    """`lower:upper:step`; each bound is an argument position, or None where not written."""

    lower: int | None = None
    upper: int | None = None
    step: int | None = None

    def __str__(self) -> str:
        parts = ["" if p is None else f"@{p}" for p in (self.lower, self.upper, self.step)]
        return ":".join(parts if self.step is not None else parts[:2])


@dataclass(frozen=True, slots=True)
class NewAxis:
    """`None` (or `np.newaxis`): a new axis of length one."""

    def __str__(self) -> str:
        return "None"


@dataclass(frozen=True, slots=True)
class Ellipsis_:  # the underscore: `Ellipsis` is Python's own
    """`...`: every axis not indexed otherwise."""

    def __str__(self) -> str:
        return "..."


Item = Hole | Slice | NewAxis | Ellipsis_
NEWAXIS = NewAxis()
ELLIPSIS = Ellipsis_()


def _moved(item: Item, n: int) -> Item:
    if isinstance(item, Hole):
        return Hole(item.pos + n)
    if isinstance(item, Slice):
        return Slice(*(None if p is None else p + n for p in (item.lower, item.upper, item.step)))
    return item


@dataclass(frozen=True, slots=True)
class Index:
    """The items of a subscript; `tuple_form` when written with a comma (`x[i,]`, `x[i, j]`)."""

    items: tuple[Item, ...]
    tuple_form: bool = False

    @staticmethod
    def at(pos: int = 1) -> Index:
        """x[hole]: one atom index, by default the argument right after the indexed value."""
        return Index((Hole(pos),))

    def shift(self, n: int = 1) -> Index:
        """The same index with every hole `n` positions later (GETITEM to SETITEM)."""
        return Index(tuple(_moved(item, n) for item in self.items), self.tuple_form)

    def unshift(self, n: int = 1) -> Index:
        """The same index with every hole `n` positions earlier (SETITEM to GETITEM)."""
        return self.shift(-n)

    def __str__(self) -> str:
        text = ", ".join(str(item) for item in self.items)
        return f"[{text},]" if self.tuple_form and len(self.items) == 1 else f"[{text}]"


