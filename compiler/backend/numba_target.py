"""The numba target: the emitted module, rewritten for numba's nopython mode.

Takes the numpy target's module (backend/module.py, built from the same
Adjoint IR) and gives a module whose every function is
`@numba.njit(cache=True, boundscheck=True)` (an index past the end raises, as in numpy):

* `xp = rt.array_module(...)` goes; `xp.f` is `np.f` (numba compiles numpy calls);
* `rt.f(...)` is `nb.f(...)`, the nopython version in `agc.runtime.numba_helpers`;
  `rt.index[i, 1:]` is the index value itself (`(i, slice(1, None))`);
* the one `tape` list becomes a typed stack per recorded variable (numba_tape.py).

A runtime helper numba has no version of is refused at the model line it
comes from (the `# model.py:12:5: ...` comment above the statement), with a
hint to use the numpy target. What numba itself cannot type shows at the first
call: `first_call_errors` turns it into the same positioned error.
"""

from __future__ import annotations

import re

import libcst as cst
import numpy as np

from .. import ir
from ..errors import UnsupportedError, UsageError
from ..frontend.resolve import ModuleValue
from .numba_accumulate import accumulate_in_place
from .numba_tape import split_tape

# What numba_helpers.py has a nopython version of (the names emitted code calls).
HELPERS = frozenset({"seed", "kept_shape", "unbroadcast", "sum_grad", "mean_grad", "zeros_like", "cast_like",
                     "reshape_like", "abs_grad", "getitem_grad", "add_at", "matmul",
                     "matmul_grad_left", "matmul_grad_right", "accumulate", "add_matmul_grad_left",
                     "check_unpack", "check_iterable", "relu", "relu_grad", "in_place",
                     "check_positive", "copy_of", "check_tolist", "cumprod_grad",
                     "quantile_grad", "item", "length", "scalar_cast"})
# The numpy target's in-place accumulations (backend/in_place.py), written back as sums for
# numba_accumulate to decide on: rt.NAME(acc, *rest) is acc + nb.HELPER(*rest), or acc + rest
UNFUSED = {"accumulate": None, "add_sum_grad": "sum_grad", "add_mean_grad": "mean_grad"}
HINT = "the numba target covers numbers and float arrays; use target='numpy' (the default) here"
IMPORTS = "import numba\nimport numpy as np\n\nfrom agc.runtime import numba_helpers as nb\n"
WIDE_IMPORT = "from agc.runtime.wide_floats import float32_in_float64\n"
WIDE_COMMENT = ("# float32 arguments run in float64, each gradient cast back to its parameter's "
                "dtype\n# (numba cannot keep one variable in both dtypes)\n")
_MARKER = re.compile(r"^# (?P<where>[^:\s]+:\d+:\d+): ")
# Builtins numba compiles with another meaning: isinstance crashes numba's branch pruning
# (an AttributeError inside numba), and print writes float32 values as the float64 the
# target computes them in; refused rather than run differently.
REFUSED_CALLS = frozenset({"isinstance", "print"})
# the emitted functions holding a model function's sweeps (backend/module.py names them)
SWEEPS = ("_value_and_grad", "_grad", "_vjp")


def numba_module(source: str, locs: dict[str, object],
                 numbers: dict[str, frozenset[str]] | None = None) -> str:
    """The numba version of an emitted numpy-target module; `locs` maps each model-line
    comment (`Loc.marker()`) to its Loc, for positioned refusals; `numbers`, each model
    function's name to its variables known to hold one number (Adjoint.numbers)."""
    module = cst.parse_module(source)
    body = [_njit(s, locs, _numbers_of(s.name.value, numbers or {}))
            if isinstance(s, cst.FunctionDef) else s for s in module.body]
    text = module.with_changes(body=body).code
    if "\nimport numpy as np\n" in text:  # the model's own import binds np already
        return text.replace("from agc import runtime as rt\n", IMPORTS.replace(
            "import numpy as np\n", ""), 1)
    return text.replace("from agc import runtime as rt\n", IMPORTS, 1)


def for_numba(source: str, adjoints: list, mode: str, nested) -> str:
    """The numba version of a module emitted from `adjoints` (gradients and helpers), or a
    positioned refusal of what the numba target does not cover."""
    if mode != "reverse":
        raise UsageError("the numba target emits gradients only (--mode reverse); JVPs need "
                         "the numpy target")
    if nested is not None and nested.groups:
        raise UnsupportedError("the numba target does not compile a model that calls a "
                               "gradient", adjoints[0].primal.loc, HINT)
    _refuse_module_values(adjoints)
    numbers = {adj.primal.name: adj.numbers for adj in adjoints}
    return numba_module(source, model_locs(adjoints), numbers)


def file_entries(text: str, adjoints: list) -> str:
    """The numba module of a file (`agc compile --target numba`), its public entries taking
    float32 arguments as the decorator does (runtime/wide_floats.py): computed in float64,
    each gradient cast back to its parameter's dtype. Called directly with float32 arrays,
    numba failed to type a loop's gradient (float64 zeros plus float32 terms)."""
    wrapped = []
    for adj in adjoints:
        at = tuple(adj.primal.param_names.index(w) for w in adj.wrt)
        for suffix, returns_value in (("_value_and_grad", True), ("_grad", False)):
            name = adj.primal.name + suffix
            if re.search(rf"^def {name}\(", text, re.MULTILINE) is None:
                continue
            text = re.sub(rf"\b{name}\(", f"{name}_float64(", text)
            wrapped.append(f"{name} = float32_in_float64({name}_float64, {at!r}, "
                           f"{returns_value})\n")
    if not wrapped:
        return text
    text = text.replace(IMPORTS, IMPORTS + WIDE_IMPORT, 1).replace(
        IMPORTS.replace("import numpy as np\n", ""),
        IMPORTS.replace("import numpy as np\n", "") + WIDE_IMPORT, 1)
    return text.rstrip("\n") + "\n\n\n" + WIDE_COMMENT + "".join(wrapped)


def _refuse_module_values(adjoints: list) -> None:
    """Refuse, at its model line, a module-level array, list or dict read as `model.A`
    (`agc compile`, an imported helper's module): numba compiles it in as a constant,
    and a later write into it, or a new value, was silently ignored (numba_live.py
    refuses those read by their bare name)."""
    for adj in adjoints:
        for stmt in ir.walk(tuple(adj.forward)):
            for arg in getattr(stmt, "args", ()):
                if isinstance(arg, ir.Const) and "." in (arg.text or "") and \
                        isinstance(arg.value, (ModuleValue, np.ndarray, list, dict, tuple, set)):
                    raise UnsupportedError(
                        f"the model reads the module-level value {arg.text}: numba compiles "
                        "it in as a constant, so a later change to it would be ignored",
                        stmt.loc, hint=f"pass {arg.text.rpartition('.')[2]} as a parameter, "
                        "or use the numpy target")


def model_locs(adjoints: list) -> dict[str, object]:
    """Each model-line comment of the emitted code, mapped to its Loc."""
    locs = {}
    for adj in adjoints:
        for part in (adj, adj.lean) if adj.lean is not None else (adj,):
            for stmt in ir.walk(tuple(part.forward) + tuple(part.seed) + tuple(part.backward)):
                marker = stmt.loc.marker() if getattr(stmt, "loc", None) else None
                if marker is not None:
                    locs.setdefault(marker, stmt.loc)
    return locs


def _numbers_of(emitted: str, numbers: dict[str, frozenset[str]]) -> frozenset[str]:
    """The variables known to be numbers in the emitted function `emitted` (`f_grad`,
    `h_vjp`, ...): those of the model function it is made from; none for another."""
    for suffix in SWEEPS:
        if emitted.endswith(suffix) and emitted[:-len(suffix)] in numbers:
            return numbers[emitted[:-len(suffix)]]
    return frozenset()


def _njit(fn: cst.FunctionDef, locs: dict, numbers: frozenset[str]) -> cst.FunctionDef:
    """One emitted function, compiled by numba: decorated, its calls and tape rewritten."""
    statements = [s for s in fn.body.body if not _is_array_module(s)]
    statements = split_tape(statements, {p.name.value for p in fn.params.params}, numbers)
    rewriter = _Calls(locs)
    body = fn.body.with_changes(body=statements).visit(rewriter)
    # f_grad calls f_value_and_grad: inlined there, numba types and compiles one function
    # for a grad call, not two (a third less time at the first call)
    # boundscheck: numba reads past an array's end silently (garbage, no error) where
    # numpy raises IndexError; the model's indexing must raise as it does in Python
    options = "cache=True, boundscheck=True"
    if fn.name.value.endswith("_value_and_grad"):
        options += ", inline='always'"
    decorator = cst.Decorator(cst.parse_expression(f"numba.njit({options})"))
    return accumulate_in_place(fn.with_changes(body=body, decorators=[decorator]))


def _is_array_module(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign) \
        and isinstance(stmt.body[0].targets[0].target, cst.Name) \
        and stmt.body[0].targets[0].target.value == "xp"


class _Calls(cst.CSTTransformer):
    """`xp.f` to `np.f`, `rt.f` to `nb.f`, `rt.index[...]` to the index value; refuses a
    runtime helper numba_helpers.py lacks, at the model line above the statement."""

    def __init__(self, locs: dict):
        super().__init__()
        self.locs = locs
        self.where = None  # the model-line comment above the statement being rewritten

    def visit_SimpleStatementLine(self, node) -> None:
        self._note(node)

    def visit_If(self, node) -> None:
        self._note(node)

    def visit_For(self, node) -> None:
        self._note(node)

    def visit_While(self, node) -> None:
        self._note(node)

    def _note(self, node) -> None:
        for line in node.leading_lines:
            if line.comment is not None:
                self.where = line.comment.value[2:]

    def leave_Subscript(self, original, updated):
        if _dotted(updated.value) == "rt.index":
            for e in updated.slice:  # refused at the model line (it had no position)
                marker = _index_marker(e.slice)
                if marker is not None:
                    self._refuse(f"the numba target does not index with {marker}")
            items = [_index_item(e.slice) for e in updated.slice]
            if len(items) == 1:
                return items[0]
            return cst.Tuple([cst.Element(i) for i in items])
        if isinstance(updated.value, cst.Call) and _dotted(updated.value.func) == "range":
            start, stop, step = _range_bounds(updated)  # range(n)[:k]: numba slices no range
            return cst.Call(cst.Name("range"), [cst.Arg(start), cst.Arg(stop), cst.Arg(step)])
        return updated

    def leave_If(self, original, updated):
        # numba cannot type `elif (t := c):`: written out as `else: t = c; if t: ...`
        inner = updated.orelse
        if isinstance(inner, cst.If) and isinstance(inner.test, cst.NamedExpr):
            test = inner.test
            assign = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(test.target)],
                                                         test.value)])
            inner = inner.with_changes(test=test.target, leading_lines=[])
            return updated.with_changes(orelse=cst.Else(cst.IndentedBlock([assign, inner])))
        return updated

    def leave_BinaryOperation(self, original, updated):
        # numba's @ needs one dtype, and numba evaluates float32 arrays mixed with Python
        # floats in float64: nb.matmul brings both operands to their common dtype
        if isinstance(updated.operator, cst.MatrixMultiply):
            return cst.Call(cst.Attribute(cst.Name("nb"), cst.Name("matmul")),
                            [cst.Arg(_unparen(updated.left)), cst.Arg(_unparen(updated.right))],
                            lpar=updated.lpar, rpar=updated.rpar)
        return updated

    def leave_Call(self, original, updated):
        if _dotted(updated.func) in REFUSED_CALLS:
            self._refuse(f"the numba target does not compile {updated.func.value}()")
        if _dotted(updated.func) == "reversed":  # numba has no reversed(): count down
            return _counted_down(updated.args[0].value)
        name = _dotted(original.func)
        if name is not None and name.startswith("rt.") and name[3:] in UNFUSED:
            return _unfused(UNFUSED[name[3:]], updated.args)
        return updated

    def leave_FormattedString(self, original, updated):
        self._refuse("the numba target does not compile f-strings (numba formats no "
                     "format spec and no !r)")
        return updated

    def leave_Attribute(self, original, updated):
        base = _dotted(updated.value)
        if base == "xp":
            return updated.with_changes(value=cst.Name("np"))
        if base == "rt":
            helper = updated.attr.value
            if helper == "index":  # rewritten with its subscript (leave_Subscript)
                return updated
            if helper not in HELPERS and helper not in UNFUSED:
                self._refuse(f"the numba target has no nopython version of rt.{helper}")
            return updated.with_changes(value=cst.Name("nb"))
        return updated

    def _refuse(self, message: str):
        loc = self.locs.get(self.where)
        if loc is None:
            raise UnsupportedError(f"{message} (from {self.where})", hint=HINT)
        raise UnsupportedError(message, loc, HINT)


def _unfused(helper: str | None, args) -> cst.BinaryOperation:
    """acc + term, or acc + nb.helper(*rest), of an in-place accumulation's arguments."""
    acc, *rest = args
    if helper is None:
        term = rest[0].value
    else:
        term = cst.Call(cst.Attribute(cst.Name("nb"), cst.Name(helper)),
                        [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in rest])
    return cst.BinaryOperation(acc.value, cst.Add(), term)


def _unparen(node):
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node


def _dotted(node) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _range_bounds(node) -> tuple:
    """(start, stop, step) of `range(...)`, or of `range(...)[:limit]` as a plain range."""
    limit = None
    if isinstance(node, cst.Subscript):
        limit, node = node.slice[0].slice.upper, node.value
    args = [a.value for a in node.args]
    start, stop, step = (cst.Integer("0"), *args, cst.Integer("1"))[-3:] if len(args) == 1 \
        else (*args, cst.Integer("1"))[:3] if len(args) == 2 else args
    if limit is not None:  # the first `limit` trips: stop after min(limit, len) steps
        trips = cst.Call(cst.Name("min"), [cst.Arg(limit), cst.Arg(_length(start, stop, step))])
        stop = _plus(start, _times(trips, step))
    return start, stop, step


def _counted_down(node) -> cst.Call:
    """`reversed(range(a, b, s))` as `range(a + (len - 1) * s, a - s, -s)`."""
    start, stop, step = _range_bounds(node)
    one = _is_one(step)
    last = _minus(_length(start, stop, step), cst.Integer("1"))
    first = _plus(start, last if one else _times(last, step))
    end = _minus(start, step)
    down = cst.UnaryOperation(cst.Minus(), cst.Integer("1")) if one else \
        cst.UnaryOperation(cst.Minus(), _paren(step))
    return cst.Call(cst.Name("range"), [cst.Arg(first), cst.Arg(end), cst.Arg(down)])


def _length(start, stop, step) -> cst.BaseExpression:
    if _is_zero(start) and _is_one(step):
        return stop
    return cst.Call(cst.Name("len"), [cst.Arg(cst.Call(cst.Name("range"), [
        cst.Arg(start), cst.Arg(stop), cst.Arg(step)]))])


def _is_zero(node) -> bool:
    return isinstance(node, cst.Integer) and node.value == "0"


def _is_one(node) -> bool:
    return isinstance(node, cst.Integer) and node.value == "1"


def _paren(node):
    if isinstance(node, (cst.Name, cst.Integer, cst.Call, cst.Attribute, cst.Subscript)):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _plus(a, b):
    return b if _is_zero(a) else cst.BinaryOperation(_paren(a), cst.Add(), _paren(b))


def _minus(a, b):
    if _is_zero(a):
        return cst.UnaryOperation(cst.Minus(), _paren(b))
    return cst.BinaryOperation(_paren(a), cst.Subtract(), _paren(b))


def _times(a, b):
    return a if _is_one(b) else cst.BinaryOperation(_paren(a), cst.Multiply(), _paren(b))


def _index_marker(item) -> str | None:
    """`None` or `Ellipsis` where an item of `rt.index[...]` is one (numba indexes with neither)."""
    if isinstance(item, cst.Index) and isinstance(item.value, cst.Name) and \
            item.value.value in ("None", "Ellipsis"):
        return item.value.value
    return None


def _index_item(item) -> cst.BaseExpression:
    """One item of `rt.index[...]` as a value: `i`, or `slice(a, b, c)`."""
    if isinstance(item, cst.Index):
        return item.value
    parts = [item.lower, item.upper, item.step]
    args = [cst.Arg(p if p is not None else cst.Name("None")) for p in parts]
    return cst.Call(cst.Name("slice"), args)


def marker_where(comment: str) -> str | None:
    """`model.py:12:5` of a model-line comment's text."""
    match = _MARKER.match(comment)
    return match["where"] if match else None
