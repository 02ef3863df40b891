"""The IR verifier: run after every pass in the tests.

Checks: every variable is defined before it is read on every path (Python's
own rule, so emitted code never raises NameError), each primitive gets as
many atoms as its Spec says, and break/continue sit inside a loop.
Raises `InternalError` on the first violation: a failure is a bug in agc.
"""

from __future__ import annotations

from .. import ir
from ..errors import InternalError
from .prims import VARIADIC


def validate(fn: ir.Function, extra_defined: frozenset[str] = frozenset()) -> None:
    """Raise InternalError if `fn` breaks an IR invariant."""
    defined = set(fn.param_names) | set(extra_defined)
    _check_block(fn.body, defined, in_loop=False, where=fn.name)


def _fail(where: str, stmt: ir.Stmt, message: str) -> None:
    raise InternalError(f"invalid IR in {where}: {message} (at {stmt.loc}: {stmt})")


def _check_reads(stmt: ir.Stmt, defined: set[str], where: str) -> None:
    for name in ir.vars_read(stmt):
        if name not in defined:
            _fail(where, stmt, f"{name!r} read before it is defined")


def _check_block(block: ir.Block, defined: set[str], in_loop: bool, where: str) -> set[str]:
    """Check a block; return the names defined after it on every path."""
    for stmt in block:
        if not isinstance(stmt, ir.While):  # its condition is read after its test block
            _check_reads(stmt, defined, where)
        if isinstance(stmt, ir.Assign):
            arity = stmt.prim.spec.arity
            if arity != VARIADIC and arity != len(stmt.args):
                _fail(where, stmt, f"{stmt.prim.name} takes {arity} atoms")
        if isinstance(stmt, (ir.Break, ir.Continue)) and not in_loop:
            _fail(where, stmt, "break/continue outside a loop")
        if isinstance(stmt, ir.If):
            then = _check_block(stmt.body, set(defined), in_loop, where)
            other = _check_block(stmt.orelse, set(defined), in_loop, where)
            defined |= then & other
        elif isinstance(stmt, ir.While):
            after_test = _check_block(stmt.test, set(defined), in_loop, where)
            _check_reads(stmt, after_test, where)
            _check_block(stmt.body, set(after_test), True, where)
            # Python binds what the body assigns once it has run: trust the user on that.
            defined |= after_test | ir.assigned_names(stmt.body)
        elif isinstance(stmt, ir.For):
            inner = set(defined) | ({stmt.target.name} if stmt.target else set())
            _check_block(stmt.body, inner, True, where)
            defined |= ir.assigned_names(stmt.body) | ({stmt.target.name} if stmt.target else set())
        elif (name := ir.var_written(stmt)) is not None:
            defined.add(name)
        if isinstance(stmt, (ir.Return, ir.Break, ir.Continue)):
            return _everything(defined, block)
    return defined


def _everything(defined: set[str], block: ir.Block) -> set[str]:
    # Code after a jump never runs, so for the join it counts as defining all.
    return defined | ir.assigned_names(block) | ir.read_names(block)
