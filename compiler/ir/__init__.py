"""The agc IR: nodes, primitives, and the tools passes use to build and check it.

`from agc import ir` gives the node types and walkers (`ir.Assign`, `ir.walk`);
`ir.Index` is an index template (ir/index.py); the rest are modules: `ir.prims` (the closed set of primitives), `ir.builder`
(appends statements), `ir.namer` (fresh names), `ir.validate` (the verifier run
after passes) and `ir.printer` (IR as text). See docs/ir.md.
"""

from .index import ELLIPSIS, NEWAXIS, Ellipsis_, Hole, Index, NewAxis, Slice
from .nodes import (
    Assign,
    Atom,
    Block,
    Break,
    Const,
    Continue,
    For,
    Function,
    If,
    Param,
    Params,
    Pop,
    Push,
    Return,
    Stmt,
    Var,
    While,
    all_names,
    assigned_names,
    atoms_read,
    children,
    def_counts,
    map_blocks,
    read_counts,
    read_names,
    var_written,
    vars_read,
    walk,
)

__all__ = [
    "ELLIPSIS", "NEWAXIS", "Assign", "Atom", "Block", "Break", "Const", "Continue",
    "Ellipsis_", "For", "Function", "Hole", "If", "Index", "NewAxis", "Param", "Params",
    "Pop", "Push", "Return", "Slice", "Stmt", "Var", "While", "all_names", "assigned_names",
    "atoms_read", "children", "def_counts", "map_blocks", "read_counts", "read_names", "var_written",
    "vars_read", "walk",
]
