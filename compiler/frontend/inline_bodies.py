"""What inlining needs to know about a function body: the names it binds, where it
returns, whether it calls itself; and its guard clauses restructured
(`if c: return a` then more code: the more code moves into the if's else branch),
so that every `return` ends the body or a branch of a final if.
"""

from __future__ import annotations

import libcst as cst

from ..errors import UserCodeError
from .tree_walk import BINDERS, nodes_under


def restructured(body: list, loc_alias: dict) -> list:
    """`if c: return a` then more code: the more code moves into the if's else branch."""
    out = []
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.If):
            stmt, absorbed = _restructured_if(stmt, body[i + 1:], loc_alias)
            out.append(stmt)
            if absorbed:
                return out  # the rest is inside it now
            continue
        out.append(stmt)
    return out

def _restructured_if(node: cst.If, rest: list, loc_alias: dict) -> tuple[cst.If, bool]:
    """The if with its branches restructured, and whether `rest` went into its last else."""
    branch = restructured(list(node.body.body), loc_alias)
    returns = _always_returns(branch)
    orelse, absorbed = node.orelse, False
    if isinstance(orelse, cst.If):
        new_orelse, absorbed = _restructured_if(orelse, rest if returns else [], loc_alias)
    elif isinstance(orelse, cst.Else):
        inner = restructured(list(orelse.body.body), loc_alias)
        new_orelse = orelse if inner == list(orelse.body.body) else \
            orelse.with_changes(body=orelse.body.with_changes(body=inner))
    elif rest and returns:
        new_orelse, absorbed = cst.Else(cst.IndentedBlock(restructured(rest, loc_alias))), True
    else:
        new_orelse = None
    if branch == list(node.body.body) and new_orelse is orelse:
        return node, absorbed
    changed = node.with_changes(body=node.body.with_changes(body=branch), orelse=new_orelse)
    loc_alias[changed] = node
    return changed, absorbed


def _assignment_counts(body) -> dict[str, int]:
    """How often a body binds each name (its locals), not looking into nested functions
    (a `def` binds its name) or lambdas. A comprehension's own names count: they are
    renamed where it is lowered."""
    counts: dict[str, int] = {}
    for node in nodes_under(body, stop=(cst.FunctionDef, cst.Lambda)):
        kind = type(node)
        if kind is cst.FunctionDef:
            _count(node.name, counts)
        elif kind in BINDERS:
            _count(node.target, counts)
    return counts


def _count(target, counts: dict[str, int]) -> None:
    if isinstance(target, cst.Name):
        counts[target.value] = counts.get(target.value, 0) + 1
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            _count(el.value, counts)
    elif isinstance(target, cst.StarredElement):
        _count(target.value, counts)


def _assigned_in(body) -> set[str]:
    """The names a body binds (a lambda's: only walrus targets)."""
    return set(_assignment_counts(body))


class _Returns(cst.CSTVisitor):
    def __init__(self):
        self.found: list[cst.Return] = []

    def visit_Return(self, node):
        self.found.append(node)

    def visit_FunctionDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False


def _returns(node) -> list[cst.Return]:
    visitor = _Returns()
    node.visit(visitor)
    return visitor.found


def _early_return(body: list):
    """The first `return` that does not end the body (or a branch of a final if), or None."""
    for i, stmt in enumerate(body):
        last = i == len(body) - 1
        if isinstance(stmt, cst.SimpleStatementLine):
            for j, small in enumerate(stmt.body):
                if isinstance(small, cst.Return) and not (last and j == len(stmt.body) - 1):
                    return small
        elif isinstance(stmt, cst.If) and last:
            found = _early_return(list(stmt.body.body))
            if found is None and stmt.orelse is not None:
                orelse = stmt.orelse
                found = _early_return([orelse] if isinstance(orelse, cst.If)
                                      else list(orelse.body.body))
            if found is not None:
                return found
        else:
            found = _returns(stmt)
            if found:
                return found[0]
    return None


def _always_returns(body: list) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return isinstance(last.body[-1], cst.Return)
    if isinstance(last, cst.If) and last.orelse is not None:
        orelse = last.orelse
        other = [orelse] if isinstance(orelse, cst.If) else list(orelse.body.body)
        return _always_returns(list(last.body.body)) and _always_returns(other)
    return False


def _check_params(lowerer, fn_node) -> None:
    ps = fn_node.params
    extra = [p for p in (ps.star_kwarg,) if isinstance(p, cst.Param)]
    if extra or ps.kwonly_params:
        raise lowerer.unsupported(extra[0] if extra else ps.kwonly_params[0],
                                  "**kwargs or keyword-only parameters of an inlined function",
                                  "use positional parameters (and *args)")
    refuse_default_writes(lowerer, fn_node)


# Defaults that make an object Python keeps between calls: [], {}, set(), np.zeros(3), ...
_MUTABLE_DEFAULTS = (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp,
                     cst.Call)


def refuse_default_writes(lowerer, fn_node) -> None:
    """Refuse a write into a parameter whose default is a list, dict or array: Python makes
    that object once, where the function is defined, and keeps each call's writes for the
    next call, state agc does not carry."""
    ps = fn_node.params
    mutable = {p.name.value: p for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params)
               if isinstance(p.default, _MUTABLE_DEFAULTS)}
    rebound = _Rebound(set(mutable))
    fn_node.body.visit(rebound)
    for name in sorted(set(mutable) - rebound.found):
        visitor = _ParamWrites({name})
        fn_node.body.visit(visitor)
        if visitor.found:
            raise UserCodeError(
                f"`{fn_node.name.value if hasattr(fn_node, 'name') else 'lambda'}()` writes "
                f"into its parameter `{name}`, whose default is made once, where the function "
                "is defined: Python keeps each call's writes for the next call, which agc "
                "does not reproduce", lowerer.loc(mutable[name]),
                f"default to None and make it in the body: `if {name} is None: {name} = []`")


class _Rebound(cst.CSTVisitor):
    """The names among `names` that a plain assignment rebinds (then writes reach a new object)."""

    def __init__(self, names: set[str]):
        self.names, self.found = names, set()

    def visit_AssignTarget(self, node):
        if isinstance(node.target, cst.Name) and node.target.value in self.names:
            self.found.add(node.target.value)


class _Calls(cst.CSTVisitor):
    def __init__(self, name: str):
        self.name, self.found = name, False

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.found = True


def _calls_itself(node: cst.FunctionDef) -> bool:
    visitor = _Calls(node.name.value)
    node.body.visit(visitor)
    return visitor.found


def _base(node) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _is_docstring(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.SimpleString))


# Methods that change their object in place (lists, dicts, arrays).
MUTATING_METHODS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort",
                              "reverse", "update", "setdefault", "fill", "put", "resize"})


class _ParamWrites(cst.CSTVisitor):
    """Whether a body writes into one of `params` in place: `p op= v`, `p[i] = v`,
    `p.append(v)`, ... (not looking into nested functions)."""

    def __init__(self, params: set[str]):
        self.params, self.found = params, False

    def _target(self, target) -> None:
        if not isinstance(target, cst.Subscript | cst.Attribute):
            return
        while isinstance(target, cst.Subscript | cst.Attribute):  # p[i][j], p.w[0]
            target = target.value
        if isinstance(target, cst.Name) and target.value in self.params:
            self.found = True

    def visit_Assign(self, node):
        for target in node.targets:
            self._target(target.target)

    def visit_AugAssign(self, node):
        if isinstance(node.target, cst.Name) and node.target.value in self.params:
            self.found = True  # in place on an array or a list (a number just rebinds)
        self._target(node.target)

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATING_METHODS \
                and isinstance(func.value, cst.Name) and func.value.value in self.params:
            self.found = True

    def visit_FunctionDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False


def writes_a_parameter(node: cst.FunctionDef) -> bool:
    """Whether a function may change an argument in place (then the caller sees it)."""
    visitor = _ParamWrites({p.name.value for p in node.params.params})
    node.body.visit(visitor)
    return visitor.found
