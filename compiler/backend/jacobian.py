"""`f_vjp_rows(params..., seeds=None)`: one forward sweep, its tape kept, one backward sweep per seed.

A Jacobian built row by row from `f_value_and_grad` runs the forward sweep once
per row. This function runs it once: the tape is an `rt.KeptTape`, whose pops
move a cursor that `rewind()` puts back, and the names the backward sweep
rebinds before reading them (values popped off the tape, a loop's counter read
after the loop) are kept after the forward sweep and restored before each sweep.

A backward sweep that writes into a primal value in place (restoring an item
`y[0] = y_part`, popping a list the model appended to) changes objects the
next sweep reads: then no such function is emitted (None), and the Jacobian
is built row by row.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..ad.reverse import Adjoint
from ..ir.namer import Namer
from .function_bodies import function_params, inlinable_names
from .in_place import accumulate_in_place
from .statements import FunctionEmitter, function_def, param


def vjp_rows_function(adj: Adjoint) -> cst.FunctionDef | None:
    """`f_vjp_rows(params..., seeds=None)` -> (value, [gradient for each seed]); None when
    the backward sweep writes into a primal value in place (see the module's docstring)."""
    fn = adj.primal
    sweep = list(adj.seed) + list(adj.backward)
    primal_names = set(fn.param_names) | ir.assigned_names(adj.forward)
    if any(isinstance(s, ir.Assign) and s.prim.spec.in_place and s.target.name in primal_names
           for s in ir.walk(sweep)):
        return None
    restored = sorted(_read_before_written(sweep, set())[0] & ir.assigned_names(sweep)
                      & primal_names)
    namer = Namer(ir.all_names(fn) | ir.assigned_names(adj.forward) | ir.read_names(adj.forward)
                  | ir.assigned_names(sweep) | ir.read_names(sweep) | {"tape", "xp", "rt"})
    kept = {n: namer.fresh(f"{n}_kept") for n in restored}
    rows, seeds = namer.fresh("rows"), namer.fresh("seeds")
    # a name the forward sweep may leave unbound (set on one branch only) starts as None,
    # as the tape's temporaries do, so that keeping it after the sweep cannot fail
    unbound = [n for n in restored if n not in _read_before_written(adj.forward,
                                                                    set(fn.param_names))[1]]
    seed_name = adj.seed_param
    grads = list(adj.grads)
    inlinable = inlinable_names(adj) - set(restored)
    blocks = accumulate_in_place([list(adj.forward), sweep], inlinable, adj.scalar_bars)
    tail = ir.Return(tuple(grads) + tuple(adj.outputs) * 2)  # the loop's header reads it too
    emitter = FunctionEmitter(inlinable, [blocks[0] + blocks[1] + [tail]])
    forward = emitter.block(blocks[0])
    backward = emitter.block(blocks[1])
    row = _tuple([emitter.atom(g).node for g in grads])
    append = cst.Call(cst.Attribute(cst.Name(rows), cst.Name("append")), [cst.Arg(row)])
    sweep_body = [_line("tape.rewind()")] + [_line(f"{n} = {kept[n]}") for n in restored] \
        + backward + [cst.SimpleStatementLine([cst.Expr(append)])]
    each = cst.Call(cst.Attribute(cst.Name("rt"), cst.Name("seeds_for")),
                     [cst.Arg(emitter.atom(adj.outputs[0]).node), cst.Arg(cst.Name(seeds))])
    loop = cst.For(cst.Name(seed_name), each, cst.IndentedBlock(sweep_body))
    value = emitter.atom(adj.outputs[0]).node
    ret = cst.Return(cst.Tuple([cst.Element(value), cst.Element(cst.Name(rows))], lpar=[],
                               rpar=[]))
    body = [_line("tape = rt.KeptTape()"), *[_line(f"{n} = None") for n in unbound], *forward,
            *[_line(f"{kept[n]} = {n}") for n in restored],
            _line(f"{rows} = []"), loop, cst.SimpleStatementLine([ret])]
    if emitter.uses_xp:
        args = ", ".join(fn.param_names)
        body.insert(0, _line(f"xp = rt.array_module({args})"))
    doc = (f"Return {fn.name}(...) and its gradients with respect to ({', '.join(adj.wrt)}), "
           f"one per seed.\n\n    `{seeds}` are adjoints of the output; by default one per "
           f"output element (the rows\n    of its Jacobian). One forward sweep, its tape kept; "
           f"one backward sweep per seed.\n    ")
    params = function_params(fn) + [param(seeds, cst.Name("None"))]
    return function_def(f"{fn.name}_vjp_rows", params, doc, body)


def _read_before_written(block, written: set[str]) -> tuple[set[str], set[str]]:
    """(names some path through `block` reads before writing them, given `written`;
    the names every path writes)."""
    exposed: set[str] = set()
    written = set(written)
    for s in block:
        if isinstance(s, ir.If):
            exposed |= set(ir.vars_read(s)) - written
            in_body, body_writes = _read_before_written(s.body, written)
            in_else, else_writes = _read_before_written(s.orelse, written)
            exposed |= in_body | in_else
            written |= body_writes & else_writes
        elif isinstance(s, ir.While):  # the test runs at least once, the body maybe never
            in_test, written = _read_before_written(s.test, written)
            exposed |= in_test | (set(ir.vars_read(s)) - written)
            exposed |= _read_before_written(s.body, written)[0]
        elif isinstance(s, ir.For):
            exposed |= set(ir.vars_read(s)) - written
            target = {s.target.name} if s.target is not None else set()
            exposed |= _read_before_written(s.body, written | target)[0]
        else:
            exposed |= set(ir.vars_read(s)) - written
            if (name := ir.var_written(s)) is not None:
                written.add(name)
    return exposed, written


def _tuple(elements: list[cst.BaseExpression]) -> cst.BaseExpression:
    if len(elements) == 1:
        return elements[0]
    return cst.Tuple([cst.Element(e) for e in elements])


def _line(code: str) -> cst.BaseStatement:
    return cst.parse_statement(code)
