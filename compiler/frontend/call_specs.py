"""The signature of a call agc lowers onto a primitive: its parameters and fixed params."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir.prims import Prim

REQUIRED = object()
NONE_ATOM = object()  # a default that is passed on as the atom None (clip's missing bound)


@dataclass(frozen=True)
class Arg:
    """One parameter of a call signature."""

    name: str
    kind: str = "array"
    default: object = REQUIRED


@dataclass(frozen=True)
class CallSpec:
    """How a call binds to a primitive: its signature and fixed params."""

    prim: Prim
    args: tuple[Arg, ...]
    fixed: dict = field(default_factory=dict)
    varargs: str | None = None  # name of a *args parameter gathered as a "shape"


def sig(prim: Prim, *args: Arg, varargs: str | None = None, **fixed: object) -> CallSpec:
    """A CallSpec of `prim` with these parameters and fixed params."""
    return CallSpec(prim, args, fixed, varargs)




def static(name: str, default: object = REQUIRED) -> Arg:
    """A compile-time option (kept in the statement's params)."""
    return Arg(name, "static", default)
