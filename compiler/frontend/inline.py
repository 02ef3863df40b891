"""Nested functions and lambdas, inlined where they are called.

A `def` inside the model function, or a lambda bound to a name or passed to
such a function, is not a runtime value to agc: each call lowers the
function's body in place, its own variables renamed to fresh names (so they
never touch the caller's), its free variables read from the enclosing scope
at the time of the call (Python's closures read the variable, not its value
at definition), its defaults evaluated once where it is defined, as Python
does. A parameter the body never assigns is bound to the argument itself.

Recursion unrolls at compile time: a call on a constant counter folds its
base-case test (`if n == 0:`), so a data-independent depth terminates; one
deeper than `MAX_DEPTH` is refused with its position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from .. import ir
from ..errors import SourceFile, UserCodeError
from ..ir.prims import Prim
from ..live import function_source
from . import numpy_names as calls
from .draw_calls import source_draws
from .inline_bodies import (
    _always_returns,
    _assigned_in,
    _assignment_counts,
    _base,
    _calls_itself,
    _check_params,
    _early_return,
    _is_docstring,
    restructured,
    writes_a_parameter,
)
from .parsed import ParsedModule

MAX_DEPTH = 32
MAX_CALLS = 2000  # inlined calls in one function: a recursion that branches stops here


@dataclass
class LocalFunction:
    """A nested def or lambda: its node, defaults and the scope it closes over."""

    name: str
    node: cst.FunctionDef | cst.Lambda | None
    defaults: dict[str, ir.Atom]
    renames: dict[str, ir.Atom]
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    alias: cst.BaseExpression | None = None  # np.cos passed as an argument: calls become np.cos(...)
    is_global: bool = False  # a module-level function: its free names are the module's

    @property
    def star(self) -> str | None:
        """The name of its *args parameter, if it has one."""
        star = self.node.params.star_arg if self.node is not None else None
        return star.name.value if isinstance(star, cst.Param) else None

    @property
    def params(self) -> list[str]:
        """The parameter names, in order."""
        ps = self.node.params
        return [p.name.value for p in (*ps.posonly_params, *ps.params)]


class InlineLowering:
    """Mixin of the Lowerer: nested defs, lambdas and their calls."""

    def _stmt_FunctionDef(self, node: cst.FunctionDef):
        if node.decorators or node.asynchronous is not None:
            raise self.unsupported(node, "a decorated or async nested function",
                                   "define it at module level")
        self.define_function(node.name.value, node, node)

    def define_function(self, name: str, fn_node, where) -> LocalFunction:
        """Bind `name` to a nested def or lambda in the current scope."""
        _check_params(self, fn_node)
        ps = fn_node.params
        if self.block_depth:
            raise self.unsupported(where, "a function defined inside a branch or a loop",
                                   "define it at the top level of the function body")
        if name in self.local_functions or self.assignment_counts.get(name, 0) > 1:
            raise self.unsupported(where, f"binding `{name}` to a function and to something else",
                                   "give the function a name of its own")
        defaults = {}
        for p in (*ps.posonly_params, *ps.params):
            if p.default is not None:  # evaluated once, where the function is defined
                default = self.function_value(p.default)  # f=np.tanh: a function default
                defaults[p.name.value] = default if default is not None else \
                    self.kept(self.expr(p.default), p.default)
        fn = LocalFunction(name, fn_node, defaults, dict(self.renames), dict(self.local_functions),
                           is_global=self.global_scope)
        fn.functions[name] = fn  # it may call itself
        self.local_functions[name] = fn
        self.renames.pop(name, None)  # the name is the function's, not a variable's
        return fn

    def _expr_Lambda(self, node: cst.Lambda, dest):
        raise self.unsupported(node, "a lambda used as a value here",
                               "assign it to a name (f = lambda x: ...) and call it, "
                               "or pass it to a function defined inside this one")

    def function_value(self, node: cst.BaseExpression) -> LocalFunction | None:
        """The nested function an argument names or writes (a lambda), else None."""
        if isinstance(node, cst.Lambda):
            saved = self.block_depth
            self.block_depth = 0  # a lambda argument is defined where it is passed
            try:
                return self.define_anonymous(node)
            finally:
                self.block_depth = saved
        if isinstance(node, cst.Name) and node.value in self.local_functions:
            return self.local_functions[node.value]
        if isinstance(node, (cst.Name, cst.Attribute)) and not self.is_local(_base(node)):
            qualified = self.qualify(node) if isinstance(node, cst.Attribute) else \
                (self.names.qualify(node.value) or node.value)
            if qualified in self.known_functions() or (isinstance(node, cst.Name)
                                                       and node.value in self.names.functions):
                return LocalFunction(self.module.code_for_node(node), None, {}, {}, alias=node)
        return None

    def known_functions(self):
        """The numpy, math and builtin functions agc maps onto primitives."""
        return calls.FUNCTIONS

    def define_anonymous(self, node: cst.Lambda) -> LocalFunction:
        """A lambda passed as an argument: a function of no name."""
        _check_params(self, node)
        defaults = {p.name.value: self.kept(self.expr(p.default), p.default)
                    for p in node.params.params if p.default is not None}
        return LocalFunction("<lambda>", node, defaults, dict(self.renames),
                             dict(self.local_functions), is_global=self.global_scope)

    def module_function(self, name: str) -> LocalFunction:
        """A module-level function, to be inlined: it sees the module's names, not the caller's."""
        node = self.helper_source(name)
        _check_params(self, node)
        saved, self.global_scope = self.global_scope, True
        try:
            defaults = {p.name.value: self.expr(p.default)
                        for p in node.params.params if p.default is not None}
        finally:
            self.global_scope = saved
        fn = LocalFunction(name, node, defaults, {}, {}, is_global=True)
        return fn

    def passes_function(self, node: cst.BaseExpression) -> bool:
        """Whether an argument is a function: a lambda or a nested function's name."""
        if isinstance(node, cst.Lambda) or \
                (isinstance(node, cst.Name) and node.value in self.local_functions):
            return True
        if not isinstance(node, (cst.Name, cst.Attribute)) or self.is_local(_base(node)):
            return False
        if isinstance(node, cst.Name):
            return node.value in self.names.functions or (
                self.names.qualify(node.value) or node.value) in calls.FUNCTIONS
        return self.qualify(node) in calls.FUNCTIONS

    def helper_source(self, name: str) -> cst.FunctionDef | None:
        """The definition of a module-level function of the model's own module, or None."""
        if name in self.parsed.functions:
            return self.parsed.functions[name]
        if name in self.helper_nodes:
            return self.helper_nodes[name]
        live = self.parsed.live_globals or {}
        func = live.get(name)
        if callable(func):  # watched: defined again, the model compiles again
            self.names.functions_read[name] = func
        if not callable(func) or getattr(func, "__globals__", None) is not live:
            return None  # another module's helper: its names mean other things
        text, path, offset = function_source(func)
        home = ParsedModule(SourceFile(path, text, offset), self.names)
        self.foreign.append(home)
        node = home.functions.get(name) or home.functions.get(func.__name__)
        # `w = writes`: the function's own source, under the name the model calls it by
        self.helper_nodes[name] = node and node.with_changes(name=cst.Name(name))
        return self.helper_nodes[name]

    def recursive(self, func) -> bool:
        """Whether `func` names a module-level function of this module that calls itself."""
        if not (isinstance(func, cst.Name) and func.value in self.names.functions
                and not self.is_local(func.value)):
            return False
        if func.value not in self.recursion:
            node = self.helper_source(func.value) \
                if func.value not in self.names.function_modules else None
            self.recursion[func.value] = node is not None and _calls_itself(node)
        return self.recursion[func.value]

    def writes_its_arguments(self, func) -> bool:
        """Whether `func` names a helper of this module that writes an argument in place
        and returns only at its end: inlined, so the caller's object changes as in Python."""
        if not self.inlinable_helper(func):
            return False
        if func.value not in self.writers:  # decided once per helper, not per call site
            node = self.helper_source(func.value)
            self.writers[func.value] = writes_a_parameter(node) and \
                _early_return(restructured(list(node.body.body), {})) is None
        return self.writers[func.value]

    def draws_inside(self, func) -> bool:
        """Whether `func` names a helper of this module that draws random numbers (itself or
        through this module's helpers it calls): inlined, so each draw happens once, at the
        call, and is never drawn again by the helper's adjoint."""
        return self.inlinable_helper(func) and self._draws(func.value, set())

    def _draws(self, name: str, seen: set[str]) -> bool:
        if name not in self.drawers:
            seen.add(name)
            node = self.helper_source(name)
            self.drawers[name] = node is not None and source_draws(
                node, lambda callee: callee not in seen and self.inlinable_helper(
                    cst.Name(callee)) and self._draws(callee, seen))
        return self.drawers[name]

    def inlinable_helper(self, func) -> bool:
        """Whether `func` names a module-level function of the model's module."""
        return isinstance(func, cst.Name) and func.value in self.names.functions \
            and not self.is_local(func.value) and func.value not in self.names.function_modules \
            and self.helper_source(func.value) is not None

    def expanded(self, node: cst.Call) -> cst.Call:
        """f(*args) with args a nested function's *args or a literal tuple: f(a0, a1, ...)."""
        if not any(a.star == "*" for a in node.args):
            return node
        args = []
        for arg in node.args:
            items = self._star_items(arg.value) if arg.star == "*" else None
            if items is None:
                args.append(arg)
                continue
            args.extend(cst.Arg(value=item) for item in items)
        changed = node.with_changes(args=args)
        self.loc_alias[changed] = node
        return changed

    def _star_items(self, value) -> list | None:
        if isinstance(value, (cst.Tuple, cst.List)) and \
                not any(isinstance(el, cst.StarredElement) for el in value.elements):
            return [el.value for el in value.elements]
        atom = self.renames.get(value.value) if isinstance(value, cst.Name) else None
        if not isinstance(atom, ir.Var) or atom.name not in self.star_values:
            return None
        names = []
        for item in self.star_values[atom.name]:  # stand-in names for the items' atoms
            stand_in = self.namer.fresh("star")
            self.renames[stand_in] = item
            names.append(cst.Name(stand_in))
        return names

    # ----------------------------------------------------------------- calls
    def call_local(self, fn: LocalFunction, node: cst.Call) -> ir.Atom:
        """Inline a call of a nested function: its value."""
        if fn.alias is not None:  # f(v) where f is np.cos: np.cos(v)
            call = node.with_changes(func=fn.alias)
            self.loc_alias[call] = node
            return self.expr(call)
        if self.inline_depth >= MAX_DEPTH:
            raise UserCodeError(f"`{fn.name}` is called more than {MAX_DEPTH} levels deep",
                                self.loc(node),
                                "agc unrolls recursion when it compiles, so its depth must "
                                "follow from constants (a counter argument), not from the data")
        self.inline_count += 1
        if self.inline_count > MAX_CALLS:
            raise UserCodeError(f"more than {MAX_CALLS} calls of nested or recursive functions "
                                f"to inline (here `{fn.name}`)", self.loc(node),
                                "agc inlines each call when it compiles: recurse less deeply, "
                                "or write the computation as a loop")
        values, functions = self._bind_args(fn, node)
        body_assigned = _assigned_in(fn.node.body)
        renames = dict(fn.renames)
        for name in body_assigned:
            renames[name] = ir.Var(self.namer.fresh(name))
            self.local_names.add(renames[name].name)
        scope = dict(fn.functions)
        for name, param_fn in functions.items():
            scope[name] = param_fn
            renames.pop(name, None)
        if fn.star is not None:
            star = ir.Var(self.namer.fresh(fn.star))
            self.emit_assign(star.name, Prim.TUPLE, values.pop(fn.star), node)
            self.star_values[star.name] = list(self.block[-1].args)
            self.local_names.add(star.name)
            renames[fn.star] = star
        for name, value in values.items():
            if name in body_assigned:
                self.emit_assign(renames[name].name, Prim.COPY, (value,), node)
            else:
                renames[name] = value
        return self._inline_body(fn, renames, scope, node)

    def _bind_args(self, fn: LocalFunction, node: cst.Call):
        params = fn.params
        values: dict[str, ir.Atom] = {}
        functions: dict[str, LocalFunction] = {}
        positional = [a for a in node.args if a.keyword is None]
        if any(a.star for a in node.args):
            raise self.unsupported(node, "a starred argument in a call of a nested function",
                                   "pass each argument by position")
        extra = positional[len(params):] if fn.star is not None else []
        positional = positional[:len(params)] if fn.star is not None else positional
        if len(positional) > len(params):
            raise UserCodeError(f"{fn.name}() takes {len(params)} arguments "
                                f"({len(positional)} given)", self.loc(node))
        pairs = list(zip(params, [a.value for a in positional]))
        for a in node.args:
            if a.keyword is not None:
                if a.keyword.value not in params or a.keyword.value in dict(pairs):
                    raise UserCodeError(f"{fn.name}() got an unexpected or repeated keyword "
                                        f"argument `{a.keyword.value}`", self.loc(a))
                pairs.append((a.keyword.value, a.value))
        for name, value in pairs:
            passed = self.function_value(value)
            if passed is not None:
                functions[name] = passed
            else:
                values[name] = self.expr(value)
        if fn.star is not None:  # the extra positional arguments, as a tuple
            values[fn.star] = [self.expr(a.value) for a in extra]
        for name in params:
            if name not in values and name not in functions:
                if name not in fn.defaults:
                    raise UserCodeError(f"{fn.name}() is missing the argument `{name}`",
                                        self.loc(node))
                default = fn.defaults[name]
                if isinstance(default, LocalFunction):
                    functions[name] = default
                else:
                    values[name] = default
        return values, functions

    def _inline_body(self, fn: LocalFunction, renames, scope, node) -> ir.Atom:
        result = self.new_temp()
        saved = (self.renames, self.local_functions, self.returns_to, self.block_depth,
                 self.deleted, self.assignment_counts, self.global_scope)
        self.global_scope = fn.is_global
        self.renames, self.local_functions, self.returns_to = renames, scope, result
        self.block_depth, self.deleted = 0, set()
        self.assignment_counts = _assignment_counts(fn.node.body)
        self.inline_depth += 1
        try:
            if isinstance(fn.node, cst.Lambda):
                self.expr(fn.node.body, result)
            else:
                self._inline_statements(fn, list(fn.node.body.body), result)
        finally:
            (self.renames, self.local_functions, self.returns_to, self.block_depth,
             self.deleted, self.assignment_counts, self.global_scope) = saved
            self.inline_depth -= 1
        return ir.Var(result)

    def _inline_statements(self, fn: LocalFunction, body: list, result: str) -> None:
        if body and _is_docstring(body[0]):
            body = body[1:]
        body = restructured(body, self.loc_alias)
        early = _early_return(body)
        if early is not None:
            raise self.unsupported(early, f"a `return` before the end of the nested function "
                                   f"`{fn.name}`", "return from the last statement, or from the "
                                   "end of each branch of a final if/else")
        if not _always_returns(body):
            self.emit_assign(result, Prim.COPY, (ir.Const(None),), fn.node)  # falls off: None
        self.statements(body)
