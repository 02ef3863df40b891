"""A plain-text pretty-printer for the IR (for debugging, docs and tests).

`format_function` prints a function, `format_adjoint` the sweeps of an
`ad.reverse.Adjoint`; the save/restore markers of an adjoint whose tape is not
resolved yet print as `save y` / `restore y` (block starts print nothing).
"""

from __future__ import annotations

from .. import ir


def format_assign(stmt: ir.Assign) -> str:
    """One line: `t1 = mul(x, y)  [axis=0]`."""
    args = ", ".join(str(a) for a in stmt.args)
    opts = ", ".join(f"{k}={v}" if isinstance(v, ir.Index) else f"{k}={v!r}"
                     for k, v in stmt.params.items)
    suffix = f"  [{opts}]" if opts else ""
    return f"{stmt.target} = {stmt.prim.name.lower()}({args}){suffix}"


def format_block(block: ir.Block, indent: int = 1) -> list[str]:
    """The lines of a block, indented `indent` levels."""
    pad = "    " * indent
    lines: list[str] = []
    for stmt in block:
        if isinstance(stmt, ir.Assign):
            lines.append(pad + format_assign(stmt))
        elif isinstance(stmt, ir.If):
            lines.append(f"{pad}if {stmt.cond}:")
            lines += format_block(stmt.body, indent + 1) or [pad + "    pass"]
            orelse = format_block(stmt.orelse, indent + 1)
            if orelse:
                lines += [pad + "else:", *orelse]
        elif isinstance(stmt, ir.While):
            lines.append(pad + "while:")
            lines += format_block(stmt.test, indent + 1)
            lines.append(f"{pad}  test {stmt.cond} do:")
            lines += format_block(stmt.body, indent + 1) or [pad + "    pass"]
        elif isinstance(stmt, ir.For):
            order = "reversed " if stmt.reverse else ""
            target = stmt.target or "_"
            lines.append(f"{pad}for {target} in {order}range({stmt.start}, {stmt.stop}, {stmt.step}):")
            lines += format_block(stmt.body, indent + 1) or [pad + "    pass"]
        elif isinstance(stmt, ir.Return):
            lines.append(pad + "return " + ", ".join(str(v) for v in stmt.values))
        elif isinstance(stmt, ir.Push):
            lines.append(f"{pad}push {stmt.value}")
        elif isinstance(stmt, ir.Pop):
            lines.append(f"{pad}{stmt.target} = pop")
        elif type(stmt).__name__ == "StmtStart":
            continue
        elif hasattr(stmt, "var"):  # a Save or Restore marker (ad/reverse.py)
            lines.append(f"{pad}{type(stmt).__name__.lower()} {stmt.var}")
        else:
            lines.append(pad + type(stmt).__name__.lower())
    return lines


def format_function(fn: ir.Function) -> str:
    """The whole function as text."""
    params = ", ".join(p.name if p.default is None else f"{p.name}={p.default}" for p in fn.params)
    return "\n".join([f"def {fn.name}({params}):", *format_block(fn.body)])


def format_adjoint(adj) -> str:
    """An Adjoint's sweeps, then what its emitted function returns (its lean variant too)."""
    params = ", ".join([*adj.primal.param_names, adj.seed_param])
    lines = [f"def {adj.primal.name}_adjoint({params}):"]
    for label, block in (("forward", adj.forward), ("seed", adj.seed), ("backward", adj.backward)):
        lines += [f"  {label}:", *(format_block(tuple(block)) or ["    pass"])]
    returned = [*(adj.outputs if adj.returns_value else ()), *adj.grads, *adj.kept]
    lines.append("  return " + ", ".join(str(a) for a in returned))
    if getattr(adj, "lean", None) is not None:
        lines += ["", format_adjoint(adj.lean).replace("_adjoint(", "_lean_adjoint(", 1)]
    return "\n".join(lines)
