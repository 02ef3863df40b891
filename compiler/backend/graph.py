"""The computational graph of a model and of its adjoint, as Graphviz DOT text.

Drawn from the IR that agc emits as source: the forward sweep (the model's
inputs, operations and output) and the backward sweep beside it, each adjoint
operation linked by a dashed edge to the forward value it reads. Loops and
branches are clusters; values the forward sweep saves on the tape for the
backward sweep are drawn with a double border. Rendering to SVG or PNG uses
the `graphviz` package and Graphviz's `dot` program (see `save_graph`).
"""

from __future__ import annotations

import itertools

from .. import ir
from ..ad.adjoint import Adjoint
from ..errors import UsageError

_INPUT = 'shape=ellipse, style="filled,bold", fillcolor="#d9f2d9"'
_OUTPUT = 'shape=ellipse, style=filled, fillcolor="#fde2c8"'
_FORWARD = 'shape=box, style="rounded,filled", fillcolor="#e8eefc"'
_BACKWARD = 'shape=box, style="rounded,filled", fillcolor="#fbe3e3"'
_GRADIENT = 'shape=ellipse, style="filled,bold", fillcolor="#f7c6c6"'


def _quoted(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _atom_text(atom: ir.Atom) -> str:
    return atom.name if isinstance(atom, ir.Var) else repr(atom.value)


class _Drawer:
    """Walks the sweeps once, writing nodes, edges and clusters."""

    def __init__(self):
        self.lines: list[str] = []
        self.ids = itertools.count()
        self.current: dict[str, str] = {}  # a variable -> the node of its latest value
        self.forward: dict[str, str] = {}  # the forward sweep's variables, for the backward
        self.saved: set[str] = set()  # nodes of values kept on the tape
        self.pushed: list[str | None] = []  # the tape, as drawn: the nodes pushed
        self.indent = 1

    def emit(self, line: str) -> None:
        self.lines.append("  " * self.indent + line)

    def node(self, label: str, style: str) -> str:
        name = f"n{next(self.ids)}"
        self.emit(f"{name} [label={_quoted(label)}, {style}];")
        return name

    def edge(self, source: str, target: str, style: str = "") -> None:
        self.emit(f"{source} -> {target}{f' [{style}]' if style else ''};")

    def cluster(self, label: str, stmts, backward: bool, color: str = "#999999") -> None:
        self.emit(f"subgraph cluster_{next(self.ids)} {{")
        self.indent += 1
        self.emit(f'label={_quoted(label)}; style="rounded,dashed"; color="{color}";')
        self.block(stmts, backward)
        self.indent -= 1
        self.emit("}")

    # ---------------------------------------------------------------- statements
    def block(self, stmts, backward: bool) -> None:
        for stmt in stmts:
            self.stmt(stmt, backward)

    def stmt(self, stmt, backward: bool) -> None:
        if isinstance(stmt, ir.Assign):
            self.assign(stmt, backward)
        elif isinstance(stmt, ir.Push):
            source = self.current.get(stmt.value.name) if isinstance(stmt.value, ir.Var) else None
            self.pushed.append(source)
            if source is not None:
                self.saved.add(source)
        elif isinstance(stmt, ir.Pop):
            node = self.node(f"{stmt.target.name} (from the tape)", _BACKWARD)
            # the tape is a stack: the backward sweep pops what the forward sweep pushed last
            source = self.pushed.pop() if self.pushed else self.forward.get(stmt.target.name)
            if source is not None:
                self.edge(source, node, 'style=dashed, color="#7a5aa6", label="tape"')
            self.current[stmt.target.name] = node
        elif isinstance(stmt, ir.If):
            self.cluster(f"if {_atom_text(stmt.cond)}", stmt.body, backward)
            if stmt.orelse:
                self.cluster("else", stmt.orelse, backward)
        elif isinstance(stmt, ir.While):
            self.cluster(f"while {_atom_text(stmt.cond)}", (*stmt.test, *stmt.body), backward)
        elif isinstance(stmt, ir.For):
            target = stmt.target.name if stmt.target is not None else "_"
            bounds = ", ".join(_atom_text(a) for a in (stmt.start, stmt.stop, stmt.step))
            trips = f"reversed(range({bounds}))" if stmt.reverse else f"range({bounds})"
            self.cluster(f"for {target} in {trips}", stmt.body, backward)
        elif isinstance(stmt, ir.Return):
            node = self.node("return", _OUTPUT)
            for atom in stmt.values:
                self._read(atom, node, backward)

    def assign(self, stmt: ir.Assign, backward: bool) -> None:
        node = self.node(_label(stmt), _BACKWARD if backward else _FORWARD)
        for atom in stmt.args:
            self._read(atom, node, backward)
        self.current[stmt.target.name] = node
        if not backward:
            self.forward[stmt.target.name] = node

    def _read(self, atom: ir.Atom, node: str, backward: bool) -> None:
        if not isinstance(atom, ir.Var):
            return
        source = self.current.get(atom.name)
        if source is None:
            return
        forward_value = backward and self.forward.get(atom.name) == source
        self.edge(source, node, 'style=dashed, color="#3465a4"' if forward_value else "")


def _label(stmt: ir.Assign, width: int = 40) -> str:
    """`z = t1 + b`, `t2 = tanh(z)`: the statement, shortened to `width` characters."""
    spec, args = stmt.prim.spec, [_atom_text(a) for a in stmt.args]
    if spec.form == "binop" and len(args) == 2:
        text = f"{args[0]} {spec.name} {args[1]}"
    elif spec.form == "unop" and len(args) == 1:
        text = f"{spec.name}{args[0]}"
    elif stmt.prim.name == "COPY" and len(args) == 1:
        text = args[0]
    else:
        text = f"{spec.name}({', '.join(args)})"
    text = f"{stmt.target.name} = {text}"
    return text if len(text) <= width else text[:width - 3] + "..."


def adjoint_graph(adjoint: Adjoint) -> str:
    """The DOT text of a model's forward sweep and, beside it, its backward sweep."""
    drawer = _Drawer()
    fn = adjoint.primal
    drawer.lines.append(f"digraph {_quoted(fn.name)} {{")
    drawer.emit('rankdir=TB; node [fontname="Helvetica", fontsize=11]; '
                'edge [fontname="Helvetica", fontsize=9];')
    drawer.emit("subgraph cluster_forward {")
    drawer.indent += 1
    drawer.emit(f'label={_quoted(f"forward sweep: {fn.name}")}; style=rounded; color="#3465a4";')
    for param in fn.params:
        drawer.current[param.name] = drawer.forward[param.name] = drawer.node(param.name, _INPUT)
    drawer.block(adjoint.forward, backward=False)
    outputs = [drawer.current.get(a.name) for a in adjoint.outputs if isinstance(a, ir.Var)]
    out = drawer.node("output", _OUTPUT)
    for source in filter(None, outputs):
        drawer.edge(source, out)
    drawer.indent -= 1
    drawer.emit("}")
    drawer.emit("subgraph cluster_backward {")
    drawer.indent += 1
    drawer.emit('label="backward sweep: the adjoint"; style=rounded; color="#a40000";')
    drawer.block([*adjoint.seed, *adjoint.backward], backward=True)
    for name, grad in zip(adjoint.wrt, adjoint.grads):
        node = drawer.node(f"d/d{name}", _GRADIENT)
        if isinstance(grad, ir.Var) and grad.name in drawer.current:
            drawer.edge(drawer.current[grad.name], node)
    drawer.indent -= 1
    drawer.emit("}")
    for node in sorted(drawer.saved):
        drawer.emit(f'{node} [peripheries=2, xlabel="on the tape"];')
    drawer.lines.append("}")
    return "\n".join(drawer.lines) + "\n"


FORMATS = ("svg", "png", "dot")


def rendered(dot: str, fmt: str) -> bytes:
    """DOT text rendered to SVG or PNG by Graphviz (`dot`), or the text itself for "dot"."""
    if fmt not in FORMATS:
        raise UsageError(f"cannot write a graph as .{fmt}: use .svg, .png or .dot")
    if fmt == "dot":
        return dot.encode()
    try:
        import graphviz  # noqa: PLC0415 - optional: only pictures need it
    except ImportError:
        raise UsageError("drawing the graph needs the graphviz package: pip install "
                         "'agc-autodiff[graph]' (or write .dot text with -o graph.dot)") from None
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise UsageError("Graphviz's `dot` program is not installed: apt-get install graphviz "
                         "(Debian, Ubuntu), brew install graphviz (macOS), or write .dot text "
                         "with -o graph.dot") from None


class Graph(str):
    """A model's graph as DOT text; a notebook shows it as a picture (SVG)."""

    def save(self, path: str) -> None:
        """Write the graph to `path`: .svg, .png or .dot."""
        fmt = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        data = rendered(str(self), fmt)
        with open(path, "wb") as handle:
            handle.write(data)

    def _repr_svg_(self) -> str:
        return rendered(str(self), "svg").decode()
