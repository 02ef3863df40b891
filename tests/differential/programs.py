"""Random numpy programs for differential testing, written twice from one set of choices.

`programs()` is a hypothesis strategy of `Program`s: a module with a main
function `f` (maybe helpers `h0`, `h1`) as numpy source for agc, and as an
equivalent functional jax source. The texts differ only where numpy writes
into memory: `v[i] += e` becomes `v = v.at[i].add(e)`, `v *= e` becomes
`v = v * (e)`, and after a write through an alias (`z = y`, `y[1:]`, `y.T`)
jax re-derives the other name, as numpy's shared memory would. To keep them
equivalent, parameters and loop items are never written; a local is always
a fresh array (a view assigned or put in a list gets `.copy()`, or `+ 0.0`);
an alias lives only inside its block; a list is not changed while iterated;
loops end (`range`, or `while` with a counter). Values stay finite (log and
sqrt see `1 + e**2`, division `1 + e**2`); choices shrink toward simpler
programs (fewer statements, leaves, the first option).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

# Construct families: all on (a family agc gets wrong is turned off until it is fixed).
FAMILIES = {
    "branches": True, "for_loops": True, "while_loops": True, "break_continue": True,
    "and_or": True,  # one kind of join per condition: `a and b and c`, `a or b`, `not a`
    "early_return": True,  # `if c: return e` in the function's own body
    "lists": True, "indexing": True, "index_assign": True, "inplace": True, "helpers": True,
    "matmul": True, "reductions": True, "float_params": True,
    # fixed in issue 12's first round (regressions_generated.py keeps the shrunk cases):
    "mixed_and_or": True, "loop_and_or": True, "write_into_copy": True, "list_items": True,
    # fixed in issue 12's second round:
    "aliasing": True, "loop_return": True, "nested_return": True,
}
BUDGET = 5  # operations in the expressions of one statement
SHAPES = [(), (2,), (3,), (2, 3), (3, 2), (3, 3)]  # of parameters and locals
CONSTANTS = ("0.5", "1.5", "-0.7", "2.0", "0.3")
THRESHOLDS = ("0.0", "0.5", "-0.5", "1.0")
OPERATIONS = ("np.sin({})", "np.tanh({})", "({} + {})", "({} * {})", "np.exp({})",
              "({} - {})", "np.where({} > {}, {}, {})", "np.cos({})", "np.abs({})", "-{}",
              "({}) ** 2", "np.log(1.0 + ({}) ** 2)", "np.sqrt(({}) ** 2 + 0.5)",
              "({} / (1.0 + ({}) ** 2))", "np.maximum({}, {})", "np.minimum({}, {})")
FANCY = ("[[1, 0]", "[np.array([1, 0])")  # jax refuses a list as an index
VIEW = re.compile(r"[A-Za-z_]\w*(\[[^\[\]]*\]|\.T)?|h\d+\(.*\)")


@dataclass
class Var:
    """An array or float: kind "param" or "item" (read-only), or "local" (`plain`:
    never holds a `.copy()`, so it may be written by index)."""

    name: str
    shape: tuple
    kind: str
    plain: bool = True


@dataclass
class ListVar:
    """A Python list of `elem`-shaped values, at least `min_len` long where it is visible."""

    name: str
    elem: tuple
    min_len: int
    level: int
    frozen: bool = False


@dataclass
class Program:
    """One generated module: numpy and jax texts of main `f`, parameter shapes (None: float)."""

    source: str
    jax_source: str
    shapes: tuple
    seed: int
    used: frozenset

    def args(self) -> tuple:
        """Fresh arguments: uniform in [-1.2, 1.2), Python floats for None shapes."""
        rng = np.random.default_rng(self.seed)
        return tuple(float(rng.uniform(-1.2, 1.2)) if s is None else rng.uniform(-1.2, 1.2, s)
                     for s in self.shapes)


@functools.cache
def below(n: int):
    """The strategy of integers in [0, n) (cached: drawing is the generator's hot loop)."""
    return st.integers(0, n - 1)


def into(shape: tuple) -> list:
    """Shapes that broadcast to `shape` without growing it (operands, `v += e`)."""
    if len(shape) < 2:
        return [shape, ()] if shape else [()]
    m, n = shape
    return [shape, (), (n,), (1, n), (m, 1)]


def reads(shape: tuple) -> list:
    """(index text, result shape) for `v[index]` on an array of `shape`."""
    if len(shape) == 1:
        n = shape[0]
        forms = [("0", ()), ("-1", ()), ("1:", (n - 1,)), ("::-1", (n,)), (":2", (2,)),
                 ("[1, 0]", (2,))]
    else:
        m, n = shape
        forms = [("0", (n,)), ("-1", (n,)), (":, 0", (m,)), (":, 1", (m,)), ("0, 1", ()),
                 ("1:", (m - 1, n)), ("0:1", (1, n)), (":, 0:1", (m, 1)), (":, ::-1", (m, n)),
                 ("-1, :2", (2,)), ("[1, 0]", (2, n))]
    return [(i, s) for i, s in forms if all(s)]


def reductions_to(shape: tuple) -> list:
    """(source shape, axis arguments) whose sum/mean/max has `shape`."""
    if shape == ():
        return [(s, "") for s in SHAPES if s] + [((3,), ", axis=0")]
    if len(shape) == 1:
        n = shape[0]
        return [((m, n), ", axis=0") for m in (2, 3)] + [((n, m), ", axis=1") for m in (2, 3)]
    m, n = shape
    if m == 1:
        return [((k, n), ", axis=0, keepdims=True") for k in (2, 3)]
    return [((m, k), ", axis=1, keepdims=True") for k in (2, 3)] if n == 1 else []


class Writer:
    """Writes one function from draws: its lines as (numpy line, jax lines) pairs."""

    def __init__(self, draw, on: dict, names, helpers: list):
        self.draw, self.on, self.names, self.helpers = draw, on, names, helpers
        self.lines: list[tuple[str, list[str]]] = []
        self.scopes: list[list] = [[]]  # one per block; the depth gives the indentation
        self.loops: list = []  # (index name or None, range bound)
        self.used: set = set()
        self.budget = 0  # operations left for the expressions of the current statement

    # ------------------------------------------------------------ choices, names, output
    def pick(self, options):
        """One of `options`; shrinks toward the first."""
        return options[self.draw(below(len(options)))]

    def maybe(self, percent: int) -> bool:
        """True with about this probability; shrinks toward False."""
        return self.draw(below(100)) >= 100 - percent

    def name(self, prefix: str) -> str:
        """A new variable name."""
        return f"{prefix}{next(self.names)}"

    def emit(self, line: str, jax=None, family: str | None = None) -> None:
        """Add a line (jax: its own lines, default the same line) at the current depth."""
        pad = "    " * len(self.scopes)
        jax = [line] if jax is None else jax
        self.lines.append((pad + line, [pad + j.replace(*FANCY) for j in jax]))
        self.used.update([family] if family else [])

    def visible(self, cls=Var, test=lambda v: True) -> list:
        """Variables (or lists) in scope that pass `test`."""
        return [v for scope in self.scopes for v in scope if isinstance(v, cls) and test(v)]

    def locals(self, min_ndim: int = 0, plain: bool = False) -> list:
        """Visible locals with at least `min_ndim` dimensions (only plain ones if `plain`)."""
        return self.visible(Var, lambda v: v.kind == "local" and len(v.shape) >= min_ndim
                            and (v.plain or not plain))

    def writable(self) -> list:
        """Locals that may be written by index (plain ones unless write_into_copy)."""
        return self.locals(1, not self.on["write_into_copy"])

    def shape(self, ndim=(0, 1, 2)) -> tuple:
        """A shape with ndim in `ndim`: mostly one that a visible variable has."""
        seen = [v.shape for v in self.visible() if v.shape in SHAPES and len(v.shape) in ndim]
        return self.pick(seen if seen and not self.maybe(20) else
                         [s for s in SHAPES if len(s) in ndim])

    def fresh(self, text: str, shape: tuple, plain: bool = False) -> str:
        """`text` as a new value: a view (name, v[i], v.T, a call) gets `.copy()`, or
        `+ 0.0` for a scalar, a plain target or (without write_into_copy) a plain source."""
        if not VIEW.fullmatch(text):
            return text
        base = text.split("[")[0].split(".")[0]
        plain = plain or not self.on["write_into_copy"] and (base[0] == "h" or base in {
            v.name for v in self.locals(plain=True)})  # h0(v) may return v itself
        return f"{text}.copy()" if shape and not plain else f"({text} + 0.0)"

    # ------------------------------------------------------------ expressions
    def expr(self, shape: tuple, depth: int) -> str:
        """An expression of `shape`, nested up to `depth` more levels (within the budget)."""
        makers = [self.leaf]
        if depth > 0 and self.budget > 0:
            self.budget -= 1
            makers += [self.operation] * 3
            if self.on["reductions"] and reductions_to(shape):
                makers.append(self.reduction)
            if self.on["matmul"] and 1 not in shape:
                makers.append(self.matmul)
            if any(h[2] == shape for h in self.helpers):
                makers.append(self.call)
        return self.pick(makers)(shape, depth - 1)

    def leaf(self, shape: tuple, depth: int = 0) -> str:
        """A variable, a part of one, a list item, a loop index or a constant of `shape`."""
        arrays = self.visible(Var, lambda v: len(v.shape) > 0)
        names = [v.name for v in self.visible() if v.shape == shape]
        parts = [f"{v.name}[{i}]" for v in arrays for i, s in reads(v.shape) if s == shape]
        parts += [f"{v.name}[{i}]" for i, bound in self.loops if i for v in arrays
                  if v.shape[0] >= bound and v.shape[1:] == shape]
        items = [f"{lst.name}[{k}]" for lst in self.visible(ListVar) if lst.elem == shape
                 for k in range(-lst.min_len, lst.min_len)]
        other = [f"{v.name}.T" for v in arrays if v.shape[::-1] == shape != v.shape]
        other += [f"np.outer({u.name}, {v.name})" for u in arrays for v in arrays
                  if len(shape) == 2 and (u.shape + v.shape) == shape]
        other += [f"(0.5 * {i})" for i, _ in self.loops if i and shape == ()]
        groups = [g for g in (names, parts if self.on["indexing"] else [], items, other) if g]
        if not groups or self.maybe(10):
            c = self.pick(CONSTANTS)
            return f"np.full({shape}, {c})" if shape else c
        return self.pick(self.pick(groups))

    def operation(self, shape: tuple, depth: int) -> str:
        """An elementwise function, operator or where: one operand of `shape`, the rest
        of shapes that broadcast to it."""
        template = self.pick(OPERATIONS)
        count = template.count("{}")
        full = self.draw(below(count))
        return template.format(*(self.expr(shape if k == full else self.pick(into(shape)),
                                           depth) for k in range(count)))

    def reduction(self, shape: tuple, depth: int) -> str:
        """np.sum/mean/max (or the method) with the axis that gives `shape`."""
        source, axis = self.pick(reductions_to(shape))
        op, e = self.pick(("sum", "mean", "max")), self.expr(source, depth)
        if self.maybe(25):
            return f"{e if e.isidentifier() else f'({e})'}.{op}({axis[2:]})"
        return f"np.{op}({e}{axis})"

    def matmul(self, shape: tuple, depth: int) -> str:
        """`a @ b` or np.dot(a, b) of compatible shapes."""
        k = self.pick((3, 2))
        if len(shape) == 0:
            left, right = (k,), (k,)
        elif len(shape) == 1:
            left, right = self.pick((((k,), (k, shape[0])), ((shape[0], k), (k,))))
        else:
            left, right = (shape[0], k), (k, shape[1])
        a, b = self.expr(left, depth), self.expr(right, depth)
        return self.pick((f"({a} @ {b})", f"np.dot({a}, {b})"))

    def call(self, shape: tuple, depth: int, helper=None) -> str:
        """A call of a helper that returns `shape` (or of `helper`)."""
        name, params, _ = helper or self.pick([h for h in self.helpers if h[2] == shape])
        self.used.add("helpers")
        return f"{name}({', '.join(self.expr(p, depth) for p in params)})"

    def cond(self, op: str | None = None, in_loop: bool = False) -> str:
        """A data-dependent (or loop-index) test, maybe negated or joined by and/or.

        Without mixed_and_or all joins of one condition are `op` (picked once);
        without loop_and_or a test in a loop body is at most negated.
        """
        shape = self.shape((1, 2))
        tests = [f"{self.expr((), 1)} > {self.pick(THRESHOLDS)}",
                 (f"np.{self.pick(('sum', 'mean', 'max'))}({self.expr(shape, 1)}) "
                  f"{self.pick(('>', '<'))} {self.pick(THRESHOLDS)}")]
        tests += [t.format(i) for i, _ in self.loops if i for t in ("{} == 1", "{} % 2 == 0")]
        test = self.pick(tests)
        if not (self.on["and_or"] and self.maybe(30)):
            return test
        self.used.add("and_or")
        joins = ("and", "or") if self.on["loop_and_or"] or not (in_loop or self.loops) else ()
        op = op if op and not self.on["mixed_and_or"] else self.pick(joins + ("not",))
        return f"not {test}" if op == "not" else f"{test} {op} {self.cond(op, in_loop)}"

    # ------------------------------------------------------------ statements
    def body(self, depth: int, ret: tuple, items=()) -> None:
        """1-3 statements in a new scope (an if, loop or else body) that sees `items`."""
        self.scopes.append(list(items))
        for _ in range(self.draw(st.integers(1, 3))):
            self.statement(depth, ret)
        self.scopes.pop()

    def statement(self, depth: int, ret: tuple) -> None:
        """One statement; compound ones (nesting `depth` more) while depth > 0."""
        self.budget = BUDGET
        makers = [self.assign, self.assign]
        if self.locals() and self.on["inplace"]:
            makers.append(self.augassign)
        if self.writable() and self.on["index_assign"]:
            makers.append(self.setitem)
        if depth > 0:
            makers += [m for f, m in (("branches", self.branch), ("for_loops", self.for_loop),
                                      ("while_loops", self.while_loop)) if self.on[f]]
        if self.writable() and self.on["aliasing"]:
            makers.append(self.alias_block)
        if self.on["lists"]:
            makers += [self.list_statement] * (1 + bool(self.visible(ListVar)))
        if self.helpers:
            makers.append(self.helper_call)
        if self.on["early_return"] and (self.on["loop_return"] or not self.loops) and (
                self.on["nested_return"] or len(self.scopes) == 1 or self.loops):
            makers.append(self.early_return)
        if self.loops and self.on["break_continue"]:
            makers.append(self.loop_exit)
        self.pick(makers)(depth, ret)

    def assign(self, depth: int, ret: tuple, shape=None, text=None) -> None:
        """`v = e`: a new local, or (mostly, in a body) a local assigned again."""
        old = [v for v in self.locals() if shape in (None, v.shape)]
        var = self.pick(old) if old and self.maybe(80 if len(self.scopes) > 1 else 30) else Var(
            self.name("v"), self.shape() if shape is None else shape, "local", self.maybe(50))
        text = text or self.expr(var.shape, 2)
        self.emit(f"{var.name} = {self.fresh(text, var.shape, var.plain)}")
        if var not in old:
            self.scopes[-1].append(var)

    def helper_call(self, depth: int, ret: tuple) -> None:
        """`v = h(...)`: a local from a helper's result."""
        helper = self.pick(self.helpers)
        self.assign(depth, ret, helper[2], self.call((), 1, helper))

    def augassign(self, depth: int, ret: tuple) -> None:
        """`v += e` (or -=, *=) on a local: in place for an array."""
        var, op = self.pick(self.locals()), self.pick(("+=", "*=", "-="))
        e = self.expr(self.pick(into(var.shape)), 1)
        self.emit(f"{var.name} {op} {e}", [f"{var.name} = {var.name} {op[0]} ({e})"], "inplace")

    def setitem(self, depth: int, ret: tuple) -> None:
        """`v[i] = e` or `v[i] += e` on a writable local."""
        var = self.pick(self.writable())
        self.write_item(var.name, var.shape, "index_assign")

    def write_item(self, name: str, shape: tuple, family: str, after=()) -> None:
        """`name[i] = e` / `+= e`; jax: `name = name.at[i].set(e)` then the lines `after`."""
        index, part = self.pick(reads(shape))
        op, e = self.pick(("=", "+=")), self.expr(self.pick(into(part)), 1)
        method = "set" if op == "=" else "add"
        self.emit(f"{name}[{index}] {op} {e}",
                  [f"{name} = {name}.at[{index}].{method}({e})", *after], family)

    def branch(self, depth: int, ret: tuple) -> None:
        """if / elif / else on data."""
        self.emit(f"if {self.cond()}:", family="branches")
        self.body(depth - 1, ret)
        if self.maybe(30):
            self.emit(f"elif {self.cond()}:")
            self.body(depth - 1, ret)
        if self.maybe(50):
            self.emit("else:")
            self.body(depth - 1, ret)

    def for_loop(self, depth: int, ret: tuple) -> None:
        """`for i in range(n)`, over a read-only array's rows, or over a list."""
        lists = [x for x in self.visible(ListVar) if not x.frozen]
        rows = self.visible(Var, lambda v: v.kind != "local" and len(v.shape) > 0)
        kind = self.pick(["range"] + ["rows"] * bool(rows) + ["list"] * bool(lists))
        if kind == "range":
            index, bound = self.name("i"), self.pick((3, 2, 1))
            self.emit(f"for {index} in range({bound}):", family="for_loops")
            self.loops.append((index, bound))
            self.body(depth - 1, ret)
        else:
            source = self.pick(rows if kind == "rows" else lists)
            item = Var(self.name("t"), source.shape[1:] if kind == "rows" else source.elem, "item")
            self.emit(f"for {item.name} in {source.name}:", family="for_loops")
            self.loops.append((None, 0))
            source.frozen = kind == "list"
            self.body(depth - 1, ret, [item])
            source.frozen = False
        self.loops.pop()

    def while_loop(self, depth: int, ret: tuple) -> None:
        """A data-dependent while loop that a counter stops after at most 4 turns."""
        k, form = self.name("k"), self.pick(("break", "and", "while"))
        form = "break" if form == "and" and not self.on["and_or"] else form
        self.emit(f"{k} = 0", family="while_loops")
        test = self.cond("and" if form == "and" else None, form == "break")
        self.emit({"break": f"while {k} < 4:", "and": f"while ({test}) and {k} < 4:",
                   "while": f"while {test}:"}[form])
        self.scopes.append([])
        self.emit(f"{k} += 1")
        if form != "and":
            self.emit(f"if {test if form == 'break' else f'{k} > 4'}:")
            self.emit("    break")
        self.scopes.pop()
        self.loops.append((None, 0))
        self.body(depth - 1, ret)
        self.loops.pop()

    def alias_block(self, depth: int, ret: tuple) -> None:
        """`z = y` (or y[a:b], y.T), writes through either name, then a read of both."""
        y = self.pick(self.writable())
        views = [("", y.shape)] + [(f"[{i}]", s) for i, s in reads(y.shape)
                                   if s and 1 not in s and "[" not in i]
        views += [(".T", y.shape[::-1])] if len(y.shape) == 2 else []
        view, shape = self.pick(views)
        z = Var(self.name("z"), shape, "item")
        base = {"": f"{y.name} = {z.name}", ".T": f"{y.name} = {z.name}.T"}.get(
            view, f"{y.name} = {y.name}.at[{view[1:-1]}].set({z.name})")
        derive = f"{z.name} = {y.name}{view}"
        self.emit(derive, family="aliasing")
        self.scopes[-1].append(z)
        for _ in range(self.draw(st.integers(1, 2))):
            through = self.pick((z, y))
            sync = base if through is z else derive
            if self.maybe(50):
                op, e = self.pick(("+=", "*=")), self.expr(self.pick(into(through.shape)), 1)
                self.emit(f"{through.name} {op} {e}",
                          [f"{through.name} = {through.name} {op[0]} ({e})", sync])
            else:
                self.write_item(through.name, through.shape, "aliasing", [sync])
        self.budget = BUDGET
        self.assign(depth, ret, self.shape())  # reads z and y
        self.scopes[-1].remove(z)

    def list_statement(self, depth: int, ret: tuple, what: str = "") -> None:
        """Make a list (maybe setting an item next), append to one, or set an item of one."""
        lists = [x for x in self.visible(ListVar) if not x.frozen]
        items = [x for x in lists if x.min_len] if self.on["list_items"] else []
        what = what or self.pick(["new"] + ["append"] * bool(lists) + ["item"] * 2 * bool(items))
        if what == "new":
            lst = ListVar(self.name("L"), self.shape(), 0, len(self.scopes))
            first = [self.fresh(self.expr(lst.elem, 1), lst.elem)
                     for _ in range(self.pick((1, 0, 2)))]
            self.emit(f"{lst.name} = [{', '.join(first)}]", family="lists")
            lst.min_len = len(first)
            self.scopes[-1].append(lst)
            if first and self.on["list_items"] and self.maybe(50):
                self.list_statement(depth, ret, "item")
        elif what == "append":
            lst = self.pick(lists)
            self.emit(f"{lst.name}.append({self.fresh(self.expr(lst.elem, 2), lst.elem)})",
                      family="lists")
            lst.min_len += lst.level == len(self.scopes)
        else:
            lst = self.pick(items)
            k = self.pick(range(-lst.min_len, lst.min_len))
            self.emit(f"{lst.name}[{k}] = {self.fresh(self.expr(lst.elem, 2), lst.elem)}",
                      family="list_items")

    def early_return(self, depth: int, ret: tuple, exit: str = "") -> None:
        """`if cond: return e`, or (with `exit`) `if cond: break` / `continue`."""
        self.emit(f"if {self.cond()}:", family="break_continue" if exit else "early_return")
        self.emit(f"    {exit or 'return ' + self.expr(ret, 2)}")

    def loop_exit(self, depth: int, ret: tuple) -> None:
        """`if cond: break` or `continue` inside a loop."""
        self.early_return(depth, ret, self.pick(("break", "continue")))


def function(draw, on: dict, names, helpers: list, name: str, params: list, ret: tuple):
    """Lines (numpy, jax) of `def name(params): ...; return e` and the families used."""
    w = Writer(draw, on, names, helpers)
    w.scopes[0] += [Var(p, shape, "param") for p, shape in params]
    w.budget = BUDGET
    w.assign(0, ret)  # a local for the statements below to update
    for _ in range(draw(st.integers(1, 4 if name == "f" else 2))):
        w.statement(1 + w.maybe(50 if name == "f" else 20), ret)
    w.budget = BUDGET
    w.emit(f"return {w.expr(ret, 2)}")
    head = f"def {name}({', '.join(p for p, _ in params)}):"
    return [head] + [n for n, _ in w.lines], [head] + [j for _, js in w.lines for j in js], w.used


@st.composite
def programs(draw, families: dict | None = None) -> Program:
    """A random module: 0-2 helpers and `f(a, ...)` returning a scalar."""
    on = dict(FAMILIES, **(families or {}))
    names, helpers, np_text, jax_text, used = itertools.count(), [], [], [], set()
    for h in range(max(0, draw(st.integers(0, 3)) - 1) if on["helpers"] else 0):
        params = [(p, draw(st.sampled_from(SHAPES))) for p in "pq"[:draw(st.integers(1, 2))]]
        ret = draw(st.sampled_from(SHAPES))
        lines, jax_lines, u = function(draw, on, names, helpers, f"h{h}", params, ret)
        np_text, jax_text, used = np_text + lines + ["", ""], jax_text + jax_lines + ["", ""], used | u
        helpers.append((f"h{h}", [s for _, s in params], ret))
    shapes = [draw(st.sampled_from(SHAPES[int(not on["float_params"]):]))
              for _ in range(draw(st.integers(1, 3)))]
    params = [("abc"[i], s) for i, s in enumerate(shapes)]
    lines, jax_lines, u = function(draw, on, names, helpers, "f", params, ())
    header = "import {} as np\n\n\n"
    return Program(header.format("numpy") + "\n".join(np_text + lines) + "\n",
                   header.format("jax.numpy") + "\n".join(jax_text + jax_lines) + "\n",
                   tuple(None if s == () else s for s in shapes),
                   draw(st.integers(0, 2**31 - 1)), frozenset(used | u))
