"""Control of differentiation: calls of the user's helper functions (CALL and the
call of their adjoints, CALL_VJP, or of their JVPs, CALL_JVP) and stop_gradient.

A helper is differentiated on its own. Its adjoint is split where it can be
(CALL_FWD, CALL_BWD): the caller's forward sweep runs `<name>_fwd(*args)`, which
gives the value and a record of what the adjoint reads, and its backward sweep
`<name>_bwd(g, record)`, which runs nothing again. Elsewhere (second order, the
numba target) it is `<name>_vjp(g, *args)`, which runs the helper again first.
Both return one cotangent per parameter; the symbolic meanings run the helper's
IR (its Adjoint, kept in the interpreter's `helpers`).
"""

from __future__ import annotations

from .. import ir
from ..backend.expressions import call
from ..ir.prims import Prim
from ..proof.values import SymbolicError
from .registry import emitter, meaning, vjp


def _helper(run, s):
    adjoint = run.helpers.get(s.params.get("fn"))
    if adjoint is None:
        raise SymbolicError(f"line {s.loc.line}: no IR for the helper {s.params.get('fn')}()")
    return adjoint


# ------------------------------------------------------------- helper calls
@vjp(Prim.CALL)
def _call(b, g, s):
    # Split (ad/reverse.py gave the call a `record`): `<name>_bwd(g, record)` reads what
    # `<name>_fwd` kept. Else the helper's `<name>_vjp(g, *args)`, which runs it again; the
    # seed comes first so that arguments left to their defaults stay omitted. Either gives
    # one cotangent per parameter.
    record = s.params.get("record")
    if record is not None:
        cts = b.apply(Prim.CALL_BWD, (g, ir.Var(record)), s.params.with_(record=None))
    else:
        cts = b.apply(Prim.CALL_VJP, (g, *s.args), s.params)
    item = ir.Params.of(index=ir.Index.at(1))
    return tuple(b.apply(Prim.GETITEM, (cts, ir.Const(i)), item) for i in range(len(s.args)))


@emitter(Prim.CALL)
def _emit_call(stmt, atom):
    return call(stmt.params.get("fn"), [atom(a) for a in stmt.args]), False


@meaning(Prim.CALL)
def _call_meaning(run, s, *args):
    return run.helper_run().call(_helper(run, s).primal, args)


@emitter(Prim.CALL_VJP)
def _emit_call_vjp(stmt, atom):
    return call(stmt.params.get("fn") + "_vjp", [atom(a) for a in stmt.args]), False


@meaning(Prim.CALL_VJP)
def _call_vjp_meaning(run, s, *args):
    seed, *values = args  # emitted as h_vjp(seed, *args)
    inner = run.helper_run()
    recording, run.path.recording = run.path.recording, False  # its path is the primal's
    try:
        return inner.adjoint(_helper(run, s), tuple(values), seed)[1]
    finally:
        run.path.recording = recording


@emitter(Prim.CALL_FWD)
def _emit_call_fwd(stmt, atom):
    return call(stmt.params.get("fn") + "_fwd", [atom(a) for a in stmt.args]), False


@meaning(Prim.CALL_FWD)
def _call_fwd_meaning(run, s, *args):
    # Symbolically the record is the arguments: what h_bwd reads is a function of them.
    return run.helper_run().call(_helper(run, s).primal, args), tuple(args)


@emitter(Prim.CALL_BWD)
def _emit_call_bwd(stmt, atom):
    return call(stmt.params.get("fn") + "_bwd", [atom(a) for a in stmt.args]), False


@meaning(Prim.CALL_BWD)
def _call_bwd_meaning(run, s, seed, record):
    return _call_vjp_meaning(run, s, seed, *record)


@emitter(Prim.CALL_JVP)
def _emit_call_jvp(stmt, atom):
    dots = stmt.params.get("dots")
    values = [atom(a) for a in stmt.args]
    primals, tangents = values[:len(values) - len(dots)], values[len(values) - len(dots):]
    # The tangents by name: after a parameter with a default they are keyword-only.
    return call(stmt.params.get("fn") + "_jvp", primals, dict(zip(dots, tangents))), False


@meaning(Prim.CALL_JVP)
def _call_jvp_meaning(run, s, *args):
    tangent = run.tangents.get(s.params.get("fn"))
    if tangent is None:
        raise SymbolicError(f"line {s.loc.line}: no IR for the JVP of {s.params.get('fn')}()")
    dots = s.params.get("dots")
    primals, moving = args[:len(args) - len(dots)], args[len(args) - len(dots):]
    recording, run.path.recording = run.path.recording, False  # its path is the primal's
    try:
        return run.helper_run().tangent(tangent, primals, dict(zip(dots, moving)))
    finally:
        run.path.recording = recording


# ------------------------------------------------------------ stop_gradient
@meaning(Prim.STOP_GRADIENT)  # no rule: its Spec says it passes no derivative
def _stop_gradient(run, s, x):
    return run.as_constant(x, f"stop_gradient at line {s.loc.line}")
