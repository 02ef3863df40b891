"""Pass-level tests: a small function goes in as source, one pass runs, its IR is compared as text.

Each test runs the passes before the one under test as the pipeline does,
then that pass alone, and compares `format_function` / `format_adjoint` with
the expected text written out here. The second half checks that `validate`
rejects deliberately broken IR with a message naming the variable and the
statement.
"""

from __future__ import annotations

import textwrap

import pytest
from agc import ir, pipeline
from agc.ad.activity import active_variables
from agc.ad.dead_code import optimize
from agc.ad.lean import lean_variant
from agc.ad.reverse import Adjoint, Reverser, Save
from agc.ad.sequences import mark_sequences
from agc.ad.tape import protect_outputs, resolve_tape
from agc.errors import InternalError
from agc.frontend.lower import lower_function
from agc.frontend.resolve import names_from_module
from agc.helper_modules import parse
from agc.ir.prims import Prim
from agc.ir.printer import format_adjoint, format_function
from agc.ir.validate import Checks, validate, validate_adjoint
from agc.primals import primal_ir


def parsed(source: str):
    return parse(textwrap.dedent(source), "model.py", names_from_module)


def primal(source: str):
    """Lowered and normalized IR of `f`, its name supply and temporaries."""
    return primal_ir(parsed(source), "f")


def reversed_(source: str, wrt=("x",), **options) -> tuple[Adjoint, object, set]:
    fn, namer, temps = primal(source)
    return Reverser(fn, wrt, namer, temps, **options).run(), namer, temps


def finished(source: str, wrt=("x",)) -> Adjoint:
    """The adjoint as the pipeline leaves it before the lean variant."""
    adjoint, namer, temps = reversed_(source, wrt)
    adjoint = optimize(protect_outputs(resolve_tape(optimize(adjoint), namer, temps), namer))
    adjoint.temps = frozenset(temps)
    return adjoint


def text(expected: str) -> str:
    return textwrap.dedent(expected).strip("\n")


# ------------------------------------------------------------------ lowering
def test_lowering_flattens_expressions_and_loops_over_a_range():
    fn, _ = lower_function(parsed("""
        import numpy as np

        def f(x, xs):
            y = np.sin(x) * 2 + x
            for v in xs:
                y = y + v if v > 0 else y
            return y
        """), "f")
    assert format_function(fn) == text("""
        def f(x, xs):
            t1 = sin(x)
            t2 = mul(t1, 2)
            y = add(t2, x)
            t3 = len(xs)
            for k in range(0, t3, 1):
                t4 = getitem(xs, k)  [index=[@1], row=True]
                v = copy(t4)
                t5 = gt(v, 0)
                if t5:
                    y = add(y, v)
            return y
        """)


# ------------------------------------------------------------- normalization
def test_normalize_leaves_one_return_and_splits_self_updates():
    fn, _, _ = primal("""
        def f(x):
            if x > 0:
                return x * 2
            x = x * x
            return x
        """)
    assert format_function(fn) == text("""
        def f(x):
            t1 = gt(x, 0)
            if t1:
                t2 = mul(x, 2)
                result = copy(t2)
            else:
                t3 = mul(x, x)
                x = copy(t3)
                result = copy(x)
            return result
        """)


# ---------------------------------------------------------- sequence marking
SEQUENCES = """
    def f(x, rows):
        n = len(x)
        for row in rows:
            x = x + row
        return x * n
    """


def test_mark_sequences_writes_rows_of_arrays():
    # rows of an array of unknown rank: a row, or numpy's number of a 1-d one (rt.item, review5)
    fn = mark_sequences(primal(SEQUENCES)[0], set())
    assert format_function(fn) == text("""
        def f(x, rows):
            n = len(x)  [of='array']
            t1 = len(rows)  [of='array']
            for k in range(0, t1, 1):
                t2 = getitem(rows, k)  [index=[@1], row='either']
                row = copy(t2)
                t4 = add(x, row)
                x = copy(t4)
            t3 = mul(x, n)
            return t3
        """)


def test_mark_sequences_keeps_items_of_a_list():
    fn = mark_sequences(primal(SEQUENCES)[0], {"rows"})
    assert "t1 = len(rows)\n" in format_function(fn)
    assert "t2 = getitem(rows, k)  [index=[@1]]" in format_function(fn)


# ------------------------------------------------------------------ activity
def test_activity_is_what_depends_on_wrt_and_reaches_the_output():
    fn, _, _ = primal("""
        import numpy as np

        def f(x, w, n):
            h = x * w
            k = n * 2
            m = np.sum(h)
            return h * k
        """)
    assert sorted(active_variables(fn, ("x",))) == ["h", "t1", "x"]  # not m: unused
    assert sorted(active_variables(fn, ("n",))) == ["k", "n", "t1"]
    assert sorted(active_variables(fn, ("x", "n"))) == ["h", "k", "n", "t1", "x"]


# ------------------------------------------------------------------- reverse
BRANCH = """
    import numpy as np

    def f(x, w):
        y = x * w
        if w > 0:
            y = np.sin(y)
        return y
    """


def test_reverse_builds_mirrored_sweeps_with_save_restore_markers():
    adjoint, _, _ = reversed_(BRANCH)
    assert format_adjoint(adjoint) == text("""
        def f_adjoint(x, w, seed):
          forward:
            save y
            y = mul(x, w)
            save t1
            t1 = gt(w, 0)
            if t1:
                save t2
                t2 = sin(y)
                save y
                y = copy(t2)
          seed:
            out_bar = seed(y, seed)
            y_bar = copy(out_bar)
          backward:
            if t1:
                t2_bar = copy(y_bar)
                restore y
                t3 = cos(y)
                t4 = mul(t2_bar, t3)
                y_bar = copy(t4)
                restore t2
            restore t1
            t5 = mul(y_bar, w)
            t6 = unbroadcast(t5, x)
            t7 = mul(y_bar, x)
            t8 = unbroadcast(t7, w)
            x_bar = copy(t6)
            restore y
            x_bar = cast_like(x_bar, x)
          return y, x_bar
        """)
    validate_adjoint(adjoint, "reverse", markers=True)


def test_reverse_of_a_helper_takes_the_seed_as_given():
    adjoint, namer, temps = reversed_("""
        def f(x, w):
            return x * w
        """, ("x", "w"), helper=True)
    adjoint = optimize(resolve_tape(optimize(adjoint), namer, temps))
    assert format_adjoint(adjoint) == text("""
        def f_adjoint(x, w, seed):
          forward:
            pass
          seed:
            t1_bar = copy(seed)
          backward:
            t2 = mul(t1_bar, w)
            t3 = unbroadcast(t2, x)
            t4 = mul(t1_bar, x)
            t5 = unbroadcast(t4, w)
            x_bar = copy(t3)
            w_bar = copy(t5)
          return x_bar, w_bar
        """)


# ---------------------------------------------------------- dead-code removal
def test_dead_code_removal_drops_the_cotangent_of_a_frozen_input():
    adjoint, _, _ = reversed_(BRANCH)
    lines = format_adjoint(optimize(adjoint)).splitlines()
    before = format_adjoint(adjoint).splitlines()
    assert [line for line in before if line not in lines] == [
        "    t7 = mul(y_bar, x)", "    t8 = unbroadcast(t7, w)"]


# ----------------------------------------------------------- tape resolution
def test_tape_resolution_keeps_a_local_copy_outside_loops():
    adjoint, namer, temps = reversed_(BRANCH)
    adjoint = resolve_tape(optimize(adjoint), namer, temps)
    assert format_adjoint(adjoint) == text("""
        def f_adjoint(x, w, seed):
          forward:
            y = mul(x, w)
            t1 = gt(w, 0)
            if t1:
                t2 = sin(y)
                y_saved = copy(y)
                y = copy(t2)
          seed:
            out_bar = seed(y, seed)
            y_bar = copy(out_bar)
          backward:
            if t1:
                t2_bar = copy(y_bar)
                y = copy(y_saved)
                t3 = cos(y)
                t4 = mul(t2_bar, t3)
                y_bar = copy(t4)
            t5 = mul(y_bar, w)
            t6 = unbroadcast(t5, x)
            x_bar = copy(t6)
            x_bar = cast_like(x_bar, x)
          return y, x_bar
        """)
    validate_adjoint(adjoint, "tape resolution")  # y_saved: defined only when t1, read when t1


LOOP = """
    import numpy as np

    def f(x):
        for i in range(3):
            x = np.sin(x)
        return x
    """


def test_tape_resolution_pushes_in_loops_and_output_protection_copies_the_value():
    adjoint, namer, temps = reversed_(LOOP)
    adjoint = resolve_tape(optimize(adjoint), namer, temps)
    assert format_adjoint(adjoint) == text("""
        def f_adjoint(x, seed):
          forward:
            x_param = copy(x)
            for i in range(0, 3, 1):
                t1 = sin(x)
                push x
                x = copy(t1)
          seed:
            out_bar = seed(x, seed)
            x_bar = copy(out_bar)
          backward:
            for i in reversed range(0, 3, 1):
                t1_bar = copy(x_bar)
                x = pop
                t2 = cos(x)
                t3 = mul(t1_bar, t2)
                x_bar = copy(t3)
            x_bar = cast_like(x_bar, x_param)
          return x, x_bar
        """)
    # x is bound again: its gradient takes the dtype x came in with (x_param, hunt5).
    # The backward sweep pops into x: the value returned must be a copy made before.
    protected = format_adjoint(protect_outputs(adjoint, namer)).splitlines()
    assert protected[7] == "    value = copy(x)"
    assert protected[-1] == "  return value, x_bar"


# --------------------------------------------------------------- lean variant
LOSS = """
    import numpy as np

    def f(x):
        y = np.tanh(x)
        return np.sum(y * y)
    """


def test_lean_variant_seeds_one_and_drops_what_only_the_value_needed():
    adjoint = finished(LOSS)
    assert format_adjoint(adjoint).splitlines()[2:5] == [
        "    y = tanh(x)", "    t1 = mul(y, y)", "    t2 = sum(t1)"]
    assert format_adjoint(lean_variant(adjoint)) == text("""
        def f_adjoint(x, seed):
          forward:
            y = tanh(x)
          seed:
            out_bar = copy(1.0)
            t2_bar = copy(out_bar)
          backward:
            t1_bar = copy(t2_bar)
            t3 = mul(2, t1_bar)
            t4 = mul(t3, y)
            y_bar = copy(t4)
            t5 = mul(y, y)
            t6 = sub(1.0, t5)
            t7 = mul(y_bar, t6)
            x_bar = copy(t7)
            x_bar = cast_like(x_bar, x)
          return x_bar
        """)


def test_no_lean_variant_without_a_reduction_to_save_or_for_an_array_output():
    assert lean_variant(finished("""
        def f(x: float):
            return x * x
        """)) is None
    assert lean_variant(finished(LOOP)) is None


def test_the_pipeline_builds_the_lean_variant_and_the_emitter_only_emits_it():
    compiled = pipeline.compile_parsed(parsed(LOSS), [pipeline.Target("f")], "model.py")
    lean = compiled.adjoints["f"].lean
    assert lean is not None and not lean.returns_value
    grad = compiled.source.split("def f_grad(x):")[1]
    assert "tanh" in grad and "sum" not in grad.split("return")[0]


# ------------------------------------------------------- validate: rejections
X = ir.Var("x")
Y = ir.Var("y")
C = ir.Var("c")
X_BAR = ir.Var("x_bar")


def function(*body, params=("x",)) -> ir.Function:
    return ir.Function("g", tuple(ir.Param(p) for p in params), tuple(body))


def assign(target, prim, *args, **params) -> ir.Assign:
    return ir.Assign(target, prim, tuple(args), ir.Params.of(**params))


def rejected(thing, *, after="a test pass", markers=False) -> str:
    with pytest.raises(InternalError) as err:
        if isinstance(thing, ir.Function):
            validate(thing, after=after)
        else:
            validate_adjoint(thing, after=after, markers=markers)
    return str(err.value)


def test_rejects_a_read_before_assignment():
    message = rejected(function(assign(ir.Var("z"), Prim.MUL, X, Y), ir.Return((ir.Var("z"),))))
    assert message == ("invalid IR in g after a test pass: 'y' is read before it is defined, "
                       "in `z = mul(x, y)`")


def test_rejects_a_variable_defined_on_one_branch_only():
    message = rejected(function(
        assign(C, Prim.GT, X, ir.Const(0)),
        ir.If(C, (assign(Y, Prim.COPY, X),)),
        ir.Return((Y,))))
    assert message == ("invalid IR in g after a test pass: 'y' is read where it may be undefined "
                       "(it is defined only when c), in `return y`")


def test_accepts_a_read_under_the_same_branch_condition():
    validate(function(
        assign(C, Prim.GT, X, ir.Const(0)),
        ir.If(C, (assign(Y, Prim.COPY, X),)),
        ir.If(C, (ir.Return((Y,)),), (ir.Return((X,)),))))


def test_rejects_a_read_under_the_opposite_branch_condition():
    message = rejected(function(
        assign(C, Prim.GT, X, ir.Const(0)),
        ir.If(C, (assign(Y, Prim.COPY, X),)),
        ir.If(C, (ir.Return((X,)),), (ir.Return((Y,)),))))
    assert "'y' is read where it may be undefined (it is defined only when c)" in message


def test_rejects_the_wrong_arity():
    message = rejected(function(assign(Y, Prim.MUL, X), ir.Return((Y,))))
    assert "MUL takes 2 atoms, not 1, in `y = mul(x)`" in message


def test_rejects_an_index_template_pointing_past_its_atoms():
    message = rejected(function(
        assign(Y, Prim.GETITEM, X, ir.Const(0), index=ir.Index.at(2)), ir.Return((Y,))))
    assert "index template [@2] points past the 1 index atoms" in message
    assert "in `y = getitem(x, 0)  [index=" in message


def test_rejects_a_call_without_a_function_name():
    message = rejected(function(assign(Y, Prim.CALL, X), ir.Return((Y,))))
    assert "CALL names no function" in message


def test_rejects_break_outside_a_loop():
    assert "break/continue outside a loop, in `break`" in rejected(function(ir.Break(),
                                                                           ir.Return((X,))))


def adjoint_of(forward=(), backward=(), grads=(X_BAR,)) -> Adjoint:
    fn = function(ir.Return((X,)))
    seed = [assign(X_BAR, Prim.COPY, ir.Var("seed"))]
    return Adjoint(fn, ("x",), list(forward), seed, list(backward), (X,), grads, "seed")


def test_accepts_mirrored_push_and_pop():
    loop = lambda *body: ir.For(ir.Var("i"), ir.Const(0), ir.Const(3), ir.Const(1), tuple(body))
    validate_adjoint(adjoint_of(forward=[loop(ir.Push(X))], backward=[loop(ir.Pop(X))]))


def test_rejects_a_pop_with_no_push():
    message = rejected(adjoint_of(backward=[ir.Pop(Y)]))
    assert message == ("invalid IR in the adjoint of g after a test pass: 'y = pop' has no "
                       "matching Push (0 pushes, 1 pops in one block), in `y = pop`")


def test_rejects_a_push_never_popped():
    assert "Push of x is never popped (1 pushes, 0 pops in one block), in `push x`" in rejected(
        adjoint_of(forward=[ir.Push(X)]))


def test_rejects_a_pop_at_another_loop_depth_than_its_push():
    loop = ir.For(None, ir.Const(0), ir.Const(3), ir.Const(1), (ir.Push(X),))
    message = rejected(adjoint_of(forward=[loop], backward=[ir.Pop(X)]))
    assert "`x = pop` does not mirror `for _ in range(0, 3, 1):` (another loop or branch)" in message


def test_accepts_pushes_in_both_branches_at_different_loop_depths():
    loop = ir.For(None, ir.Const(0), ir.Const(3), ir.Const(1), (ir.Push(X),))
    back = ir.For(None, ir.Const(0), ir.Const(3), ir.Const(1), (ir.Pop(X),))
    forward = [ir.If(ir.Var("c"), (ir.Push(X),), (loop,))]
    backward = [ir.If(ir.Var("c"), (ir.Pop(X),), (back,))]
    validate_adjoint(adjoint_of(forward=[assign(ir.Var("c"), Prim.COPY, ir.Const(True))] + forward,
                                backward=backward))


def test_rejects_a_pop_in_the_other_branch_than_its_push():
    loop = ir.For(None, ir.Const(0), ir.Const(3), ir.Const(1), (ir.Push(X),))
    forward = [assign(ir.Var("c"), Prim.COPY, ir.Const(True)),
               ir.If(ir.Var("c"), (ir.Push(X), ir.Push(X)), (loop,))]
    backward = [ir.If(ir.Var("c"), (ir.Pop(X),), (ir.Pop(X),))]
    assert "is never popped (2 pushes, 1 pops in one block)" in rejected(
        adjoint_of(forward=forward, backward=backward))


def test_rejects_a_backward_sweep_reading_what_no_sweep_defines():
    message = rejected(adjoint_of(backward=[assign(X_BAR, Prim.MUL, X_BAR, ir.Var("t9"))]))
    assert "'t9' is read before it is defined, in `x_bar = mul(x_bar, t9)`" in message


def test_rejects_a_returned_gradient_never_assigned():
    message = rejected(adjoint_of(grads=(ir.Var("w_bar"),)))
    assert "'w_bar' is read before it is defined, in `return x, w_bar`" in message


def test_rejects_a_marker_left_after_tape_resolution():
    save = Save(X, 1, False, False, False, False)
    assert "a Save marker is left unresolved" in rejected(adjoint_of(forward=[save]))
    validate_adjoint(adjoint_of(forward=[save]), markers=True)


def test_checks_follow_the_environment(monkeypatch):
    broken = function(ir.Return((Y,)))
    monkeypatch.setenv("AGC_CHECKS", "0")
    Checks().function(broken, "nothing")  # off: not checked
    monkeypatch.setenv("AGC_CHECKS", "1")
    with pytest.raises(InternalError, match="in g after nothing: 'y' is read before"):
        Checks().function(broken, "nothing")


def _branches_then_read(second_defines_in_both: bool) -> ir.Function:
    """y bound under c; then bound again in both branches of `if d` (or only in one)."""
    c, d, y = ir.Var("c"), ir.Var("d"), ir.Var("y")
    rebind = (assign(y, Prim.COPY, ir.Const(2.0)),)
    return function(
        assign(c, Prim.GT, X, ir.Const(0.0)), assign(d, Prim.LT, X, ir.Const(1.0)),
        ir.If(c, (assign(y, Prim.COPY, ir.Const(1.0)),), ()),
        ir.If(d, rebind, rebind if second_defines_in_both else ()),
        ir.Return((y,)))


def test_accepts_a_name_bound_again_on_both_branches_after_a_partial_binding():
    validate(_branches_then_read(second_defines_in_both=True))


def test_rejects_a_name_bound_on_two_unrelated_branches_only():
    # y is unbound when neither c nor d holds: the two guards do not add up to every path
    assert "'y' is read where it may be undefined" in rejected(
        _branches_then_read(second_defines_in_both=False))


def _elif_chain(n: int, missing: int | None, else_heavy: bool = True) -> ir.Function:
    """y bound in each of n branches of an elif chain but `missing` (its last is the else);
    with `else_heavy` False the chain nests in the then branches (`if not c: ... else:`)."""
    y = ir.Var("y")
    conds = [ir.Var(f"c{i}") for i in range(n - 1)]
    tail: tuple = () if missing == n - 1 else (assign(y, Prim.COPY, ir.Const(float(n))),)
    for i in reversed(range(n - 1)):
        here = () if missing == i else (assign(y, Prim.COPY, ir.Const(float(i))),)
        tail = (ir.If(conds[i], here, tail) if else_heavy else ir.If(conds[i], tail, here),)
    tests = [assign(c, Prim.GT, X, ir.Const(float(i))) for i, c in enumerate(conds)]
    return function(*tests, *tail, ir.Return((y,)))


@pytest.mark.parametrize("else_heavy", [True, False])
def test_an_elif_chain_binds_a_name_only_when_every_branch_does(else_heavy):
    # the join is built in the branch that changed more names: both ways give the same guards
    validate(_elif_chain(40, None, else_heavy))
    for missing in (0, 17, 39):
        assert "'y' is read where it may be undefined" in rejected(
            _elif_chain(40, missing, else_heavy))


def test_a_rebinding_in_one_branch_keeps_the_guards_from_before():
    # y bound under c, then again in the else of `if d` only: unbound when not c and d
    c, d, y = ir.Var("c"), ir.Var("d"), ir.Var("y")
    for then, orelse in (((), (assign(y, Prim.COPY, X),)), ((assign(y, Prim.COPY, X),), ())):
        message = rejected(function(
            assign(c, Prim.GT, X, ir.Const(0.0)), assign(d, Prim.LT, X, ir.Const(1.0)),
            ir.If(c, (assign(y, Prim.COPY, ir.Const(1.0)),), ()),
            ir.If(d, then, orelse), ir.Return((y,))))
        assert "'y' is read where it may be undefined" in message
