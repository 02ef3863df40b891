"""Common subexpressions of a tangent function (an HVP or a JVP), computed once.

Forward over reverse meets the same value twice: the tangent rule of `h = tanh(u)`
in the forward sweep and the VJP rule of the same line in the backward sweep both
compute `1.0 - h * h`; a product rule and a VJP both compute `4 * x ** 3`. Takes a
Tangent (after dead-code removal) and returns it with each later copy of a value
dropped and its reads renamed to the first. The values are the same; so is the
order of everything else.

Only where nothing can tell the copy from the first:
  * the function writes nothing in place (no in-place primitive anywhere), so a
    name holds the value it was given;
  * the primitive is pure arithmetic (elementwise, reduction, linear algebra; no side
    effect, no draw, no list or tuple made);
  * both are in the same block, with nothing between them assigning an argument or
    reading the copy (a read of a previous loop trip's value), and each name is
    assigned once in the function and is no parameter, so every read of the copy
    sees the first's value; the copy is not returned (each result its own object).
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..ir.prims import Prim
from .forward import Tangent

_PURE_GROUPS = ("elementwise", "reduction", "linalg")


def share_common(tangent: Tangent) -> Tangent:
    """`tangent` with each repeated pure computation done once (see the module docstring)."""
    body = tuple(tangent.body)
    if any(isinstance(s, ir.Assign) and s.prim.spec.in_place for s in ir.walk(body)):
        return tangent
    counts: dict[str, int] = {}
    for s in ir.walk(body):
        written = ir.var_written(s)
        if written is not None:
            counts[written] = counts.get(written, 0) + 1
    # parameters are bound before their one assignment: never a first nor a copy
    params = set(tangent.primal.param_names) | set(tangent.dots.values())
    # a returned name stays its own object: the caller may write one result in place
    returned = {a.name for s in ir.walk(body) if isinstance(s, ir.Return)
                for a in s.values if isinstance(a, ir.Var)}
    returned |= {a.name for a in tangent.outputs + tangent.tangents if isinstance(a, ir.Var)}
    renames: dict[str, str] = {}
    once = {n for n, k in counts.items() if k == 1} - params
    body = _block(body, once, once - returned, renames)
    if not renames:
        return tangent
    return replace(tangent, body=list(_renamed(body, renames)),
                   outputs=_atoms(tangent.outputs, renames),
                   tangents=_atoms(tangent.tangents, renames))


def _key(s: ir.Stmt, renames: dict[str, str]):
    """What `s` computes, comparable and hashable; None where it may not be shared."""
    if not isinstance(s, ir.Assign):
        return None
    spec = s.prim.spec
    if spec.group not in _PURE_GROUPS or spec.effect or spec.draws or spec.in_place \
            or spec.makes_sequence or spec.may_make_sequence or s.prim is Prim.COPY:
        return None
    # a constant's type too: 2 and 2.0 are equal, but 2 * n and 2.0 * n are not
    args = tuple(ir.Var(renames.get(a.name, a.name)) if isinstance(a, ir.Var)
                 else (type(a.value), a) for a in s.args)
    key = (s.prim, args, s.params)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _block(block: tuple, once: set[str], copies: set[str], renames: dict[str, str]) -> tuple:
    """One block: the first of each value kept, its later copies dropped (into `renames`);
    a first is one of `once`, a copy one of `copies`."""
    seen: dict[tuple, str] = {}  # key -> the name that holds it
    out = []
    for s in block:
        key = _key(s, renames)
        first = seen.get(key) if key is not None else None
        if first is not None and s.target.name in copies and not _read_between(
                out, first, s.target.name):
            renames[s.target.name] = first
            continue
        s = ir.map_blocks(s, lambda b: _block(tuple(b), once, copies, renames))
        written = ir.assigned_names((s,))
        seen = {k: name for k, name in seen.items()
                if name not in written and not any(isinstance(a, ir.Var) and a.name in written
                                                   for a in k[1])}
        if key is not None and s.target.name in once:
            seen.setdefault(key, s.target.name)
        out.append(s)
    return tuple(out)


def _read_between(out: list, first: str, copy: str) -> bool:
    """Whether a statement after `first`'s in `out` reads `copy` (a previous trip's value)."""
    at = next(i for i, s in enumerate(out) if ir.var_written(s) == first)
    return any(copy in ir.vars_read(s) for s in ir.walk(tuple(out[at + 1:])))


def _atoms(atoms: tuple, renames: dict[str, str]) -> tuple:
    return tuple(ir.Var(renames.get(a.name, a.name)) if isinstance(a, ir.Var) else a
                 for a in atoms)


def _renamed(block, renames: dict[str, str]) -> tuple:
    """Every read of a dropped copy renamed to the first (a copy may name another)."""
    out = []
    for s in block:
        s = ir.map_blocks(s, lambda b: _renamed(b, renames))
        out.append(_replace_reads(s, renames))
    return tuple(out)


def _replace_reads(s: ir.Stmt, renames: dict[str, str]) -> ir.Stmt:
    """`s` reading the renamed names (its own nested blocks are done by the caller)."""
    def atom(a):
        return ir.Var(renames[a.name]) if isinstance(a, ir.Var) and a.name in renames else a

    if isinstance(s, ir.Assign):
        return replace(s, args=tuple(atom(a) for a in s.args))
    if isinstance(s, ir.If):
        return replace(s, cond=atom(s.cond))
    if isinstance(s, ir.While):
        return replace(s, cond=atom(s.cond))
    if isinstance(s, ir.For):
        return replace(s, start=atom(s.start), stop=atom(s.stop), step=atom(s.step),
                       limit=atom(s.limit) if s.limit is not None else None)
    if isinstance(s, ir.Return):
        return replace(s, values=tuple(atom(a) for a in s.values))
    if isinstance(s, ir.Push):
        return replace(s, value=atom(s.value))
    return s
