"""Dicts built inside the model function, known when compiling.

A dict literal with constant keys (or a dict comprehension over such a dict,
a literal list or a constant range) is not a runtime value to agc: the
lowering keeps its entries, key -> atom, so that `d["w"]` is the atom itself
and a loop over `d.items()`, `d.keys()`, `d.values()` or `d` unrolls, key by
key, in insertion order, as Python iterates. Each entry lives in a variable of
its own (`d_w`), so `d[k] = v` assigns it again, in a branch or a loop too.
What would need the dict as a value (returning it, passing it to a function)
or a key added inside a branch or a loop is refused with its position. A dict *parameter* is a pytree of arrays and is read with `d[k]`.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim

MAX_UNROLL = 64
VIEWS = ("items", "keys", "values")


class DictLowering:
    """Mixin of the Lowerer: dicts whose keys are known when compiling."""

    # --------------------------------------------------------------- making
    def static_dict(self, node: cst.BaseExpression) -> dict | None:
        """The entries of a dict literal or comprehension, or None when node is neither."""
        if isinstance(node, cst.Dict):
            entries = {}
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    raise self.unsupported(element, "`**` in a dict literal", "write each entry")
                key = self.expr(element.key)
                if not isinstance(key, ir.Const):
                    raise self.unsupported(element.key, "a dict key computed from the data",
                                           "use constant keys: {'w': w, 'b': b}")
                entries[key.value] = self.kept(self.expr(element.value), element.value)
            return entries
        if isinstance(node, cst.DictComp):
            entries = {}

            def add_entry():
                key = self.expr(node.key)
                if not isinstance(key, ir.Const):
                    raise self.unsupported(node.key, "a dict comprehension whose keys are computed "
                                           "from the data", "use constant keys")
                entries[key.value] = self.kept(self.expr(node.value), node.value)

            saved = dict(self.renames)
            try:
                self._unrolled_for(node.for_in, add_entry)
            finally:
                self.renames = saved
            return entries
        if self.is_dict_call(node):  # dict(a=x, b=y), dict(zip(keys, values))
            return self.dict_call_entries(node)
        return None

    def is_dict_call(self, node) -> bool:
        """Whether node calls Python's own dict()."""
        return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
            and node.func.value == "dict" and not self.is_local("dict") \
            and self.names.qualify("dict") is None and "dict" not in self.names.functions

    def dict_call_entries(self, node: cst.Call) -> dict:
        """The entries of dict(...) or given to d.update(...): a dict built here, zip(keys,
        values), a literal list of pairs, then the keyword arguments, in that order."""
        positional = [a for a in node.args if a.keyword is None]
        if len(positional) > 1 or any(a.star for a in node.args):
            raise self.unsupported(node, "this form of the call", "write dict(a=x, b=y) or "
                                   "dict(zip(keys, values)) with keys a literal list")
        entries = self._pairs(positional[0].value) if positional else {}
        for arg in node.args:
            if arg.keyword is not None:
                entries[arg.keyword.value] = self.kept(self.expr(arg.value), arg.value)
        return entries

    def _pairs(self, node) -> dict:
        named = self.dict_named(node)
        if named is not None:
            return {key: self.kept(atom, node) for key, atom in named.items()}
        if isinstance(node, cst.Dict):
            return self.static_dict(node)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
                and node.func.value == "zip" and not self.is_local("zip") \
                and len(node.args) == 2 and not any(a.keyword or a.star for a in node.args):
            keys = self.static_items(node.args[0].value, unroll_range=True)
            values = self.static_items(node.args[1].value, unroll_range=True)
            if keys is None or values is None or \
                    not all(isinstance(k, ir.Const) for k in keys):
                raise self.unsupported(node, "dict(zip(keys, values)) of sequences not "
                                       "written out here", "write both as literal lists: "
                                       "dict(zip(['w', 'b'], [w, b]))")
            return {k.value: self.kept(v, node) for k, v in zip(keys, values)}
        if isinstance(node, (cst.List, cst.Tuple)) and all(
                isinstance(e.value, cst.Tuple) and len(e.value.elements) == 2
                for e in node.elements):
            entries = {}
            for element in node.elements:
                key_node, value_node = (e.value for e in element.value.elements)
                key = self.expr(key_node)
                if not isinstance(key, ir.Const):
                    raise self.unsupported(key_node, "a dict key computed from the data",
                                           "use constant keys")
                entries[key.value] = self.kept(self.expr(value_node), value_node)
            return entries
        raise self.unsupported(node, "dict() of this", "write dict(a=x, b=y), "
                               "dict(zip(['a', 'b'], [x, y])) or a literal {'a': x, 'b': y}")

    def _builtin_dict(self, node: cst.Call, dest):
        raise self.unsupported(node, "dict(...) used as a value here (returned, passed or "
                               "put in a container)", "bind it to a name first, d = dict(a=x); "
                               "to return or pass a dict, take it as a parameter")

    def dict_method(self, node: cst.Call, dest) -> ir.Atom | None:
        """d.get(k) / d.get(k, default) of a dict built here; None for any other call."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "get":
            return None
        entries = self.dict_named(func.value)
        if entries is None:
            return None
        if not 1 <= len(node.args) <= 2 or any(a.keyword or a.star for a in node.args):
            raise self.unsupported(node, "this call of `.get()`", "write d.get(key, default)")
        key = self.expr(node.args[0].value)
        if not isinstance(key, ir.Const):
            raise self.unsupported(node.args[0], "a dict read with a key computed from the data",
                                   "use a constant key: d.get('w', 0.0)")
        # the default is an argument: Python evaluates it whether or not the key is there
        default = self.expr(node.args[1].value) if len(node.args) == 2 else ir.Const(None)
        found = entries.get(key.value, default)
        return found if dest is None else self.emit_assign(dest, Prim.COPY, (found,), node)

    def dict_update(self, call) -> bool:
        """d.update(...) as a statement, on a dict built here; False for any other."""
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute) \
                or call.func.attr.value != "update" or not isinstance(call.func.value, cst.Name):
            return False
        entries = self.dict_named(call.func.value)
        if entries is None:
            return False
        for key, value in self.dict_call_entries(call).items():
            self.store_entry(call.func.value, entries, key, value, call)
        return True

    def kept(self, atom: ir.Atom, node) -> ir.Atom:
        """The value a dict holds: a variable's current value, not the variable."""
        if isinstance(atom, ir.Var) and atom.name not in self.temps:
            return self.emit_assign(None, Prim.COPY, (atom,), node)
        return atom

    def _unrolled_for(self, comp: cst.CompFor, innermost) -> None:
        items = self.static_items(comp.iter, unroll_range=True)
        if items is None:
            raise self.unsupported(comp.iter, "a dict comprehension over this",
                                   "loop over a dict built here, a literal list or range(n)")
        for item in items:
            for name in _names(comp.target):
                self.renames[name] = ir.Var(self.namer.fresh(name))
                self.local_names.add(self.renames[name].name)
            self.assign_static(comp.target, item)
            if all(self._holds(if_) for if_ in comp.ifs):
                if comp.inner_for_in is not None:
                    self._unrolled_for(comp.inner_for_in, innermost)
                else:
                    innermost()

    def _holds(self, if_: cst.CompIf) -> bool:
        cond = self.expr(if_.test)
        if not isinstance(cond, ir.Const):
            raise self.unsupported(if_.test, "a dict comprehension filtered on the data",
                                   "filter on the keys only")
        return bool(cond.value)

    # -------------------------------------------------------------- reading
    def dict_named(self, node) -> dict | None:
        """The entries of the dict a name refers to, or None."""
        if isinstance(node, cst.Name) and node.value not in self.deleted:
            return self.dicts.get(self._resolved(node.value))
        return None

    def _resolved(self, name: str) -> str:
        atom = self.renames.get(name)
        return atom.name if isinstance(atom, ir.Var) else name

    def dict_item(self, node: cst.Subscript) -> ir.Atom | None:
        """d["w"] of a dict built here: its atom; None when node reads something else."""
        entries = self.dict_named(node.value)
        if entries is None:
            return None
        key = self._dict_key(node)
        if key not in entries:
            raise UserCodeError(f"the dict has no key {key!r}", self.loc(node),
                                f"its keys: {', '.join(map(repr, entries))}")
        return entries[key]

    def _dict_key(self, node: cst.Subscript):
        element = node.slice[0].slice if len(node.slice) == 1 else None
        key = self.expr(element.value) if isinstance(element, cst.Index) else None
        if not isinstance(key, ir.Const):
            raise self.unsupported(node, "a dict read with a key computed from the data",
                                   "use a constant key: d['w']")
        return key.value

    def entry_variables(self, name: str, entries: dict, node) -> dict:
        """Each entry of a new dict held in a variable of its own (`d_w = w`): a write
        `d["w"] = v` anywhere, in a branch or a loop too, assigns that variable again."""
        out = {}
        for key, atom in entries.items():
            var = self.namer.fresh(_entry_name(name, key))
            self.local_names.add(var)
            out[key] = self.emit_assign(var, Prim.COPY, (atom,), node)
        return out

    def dict_entry(self, target: cst.BaseExpression) -> str | None:
        """The variable of d["w"] on a dict built here, where the entry has one."""
        if not isinstance(target, cst.Subscript):
            return None
        entries = self.dict_named(target.value)
        if entries is None:
            return None
        entry = entries.get(self._dict_key(target))
        return entry.name if isinstance(entry, ir.Var) and entry.name in self.local_names \
            else None

    def set_dict_item(self, target: cst.Subscript, value: ir.Atom) -> bool:
        """d["w"] = v on a dict built here; False when target is not one."""
        entries = self.dict_named(target.value)
        if entries is None:
            return False
        self.store_entry(target.value, entries, self._dict_key(target), value, target)
        return True

    def store_entry(self, name: cst.Name, entries: dict, key, value: ir.Atom, node) -> None:
        """d[key] = value on a dict built here: its entry's variable bound again, or a new one."""
        if key in entries and isinstance(entries[key], ir.Var) \
                and entries[key].name in self.local_names:  # the entry's own variable
            self.emit_assign(entries[key].name, Prim.COPY, (value,), node)
            return
        if self.block_depth:
            raise self.unsupported(node, "adding a key to a dict inside a branch or a loop",
                                   "give the dict every key where you build it: "
                                   "d = {'w': None, ...}")
        entries.update(self.entry_variables(name.value, {key: value}, node))

    def static_items(self, it: cst.BaseExpression, unroll_range: bool = False) -> list | None:
        """The atoms a loop over `it` binds, when known when compiling (a dict built here)."""
        view = "keys"
        base = it
        if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) \
                and it.func.attr.value in VIEWS and not it.args:
            view, base = it.func.attr.value, it.func.value
        entries = self.dict_named(base)
        if entries is None and base is not it:
            raise self.unsupported(it, f"`.{view}()` of a dict agc does not build here",
                                   "a dict parameter's keys are not known when compiling: "
                                   "loop over them written out, for k in ('w', 'b'): p[k]")
        if entries is not None:
            if view == "keys":
                return [ir.Const(k) for k in entries]
            if view == "values":
                return list(entries.values())
            return [(ir.Const(k), v) for k, v in entries.items()]
        if not unroll_range:
            return None
        if isinstance(it, (cst.List, cst.Tuple)) and \
                not any(isinstance(el, cst.StarredElement) for el in it.elements):
            return [self.expr(el.value) for el in it.elements]
        if isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and it.func.value == "range" \
                and not self.is_local("range"):
            bounds = [self.expr(a.value) for a in it.args]
            if all(isinstance(b, ir.Const) and isinstance(b.value, int) for b in bounds) \
                    and 1 <= len(bounds) <= 3 and len(range(*(b.value for b in bounds))) <= MAX_UNROLL:
                return [ir.Const(i) for i in range(*(b.value for b in bounds))]
        return None

    def unrolled_loop(self, node: cst.For, items: list) -> None:
        """A for statement over a dict built here: its body once per key, in order."""
        if _jumps(node.body):
            raise self.unsupported(node, "break or continue in a loop over a dict",
                                   "loop over a list of its keys instead")
        for item in items:
            self.assign_static(node.target, item)
            self.statements(node.body.body)

    def assign_static(self, target, item) -> None:
        """Bind a loop target to an unrolled item; a constant key stays known as a constant."""
        if isinstance(item, tuple):  # (key, value) of d.items()
            if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2 \
                    and not any(isinstance(e, cst.StarredElement) for e in target.elements):
                for element, part in zip(target.elements, item):
                    self.assign_static(element.value, part)
                return
            item = self.emit_assign(None, Prim.TUPLE, item, target)
        self.assign_to(target, item, target)
        if isinstance(target, cst.Name) and isinstance(item, ir.Const):
            self.known[self._resolved(target.value)] = item


def _names(target) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for el in target.elements for n in _names(el.value)]
    return []


class _Jumps(cst.CSTVisitor):
    def __init__(self):
        self.found = False

    def visit_Break(self, node):
        self.found = True

    def visit_Continue(self, node):
        self.found = True

    def visit_For(self, node):
        return False

    def visit_While(self, node):
        return False


def _entry_name(name: str, key) -> str:
    """The variable of a dict's entry: `params_w` for params["w"], `d_0` for d[0]."""
    text = str(key)
    return f"{name}_{text}" if text.isidentifier() else f"{name}_item"


def _jumps(body) -> bool:
    visitor = _Jumps()
    body.visit(visitor)
    return visitor.found
