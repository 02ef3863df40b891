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
        return None

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
        key = self._dict_key(target)
        if key in entries and isinstance(entries[key], ir.Var) \
                and entries[key].name in self.local_names:  # the entry's own variable
            self.emit_assign(entries[key].name, Prim.COPY, (value,), target)
            return True
        if self.block_depth:
            raise self.unsupported(target, "adding a key to a dict inside a branch or a loop",
                                   "give the dict every key where you build it: "
                                   "d = {'w': None, ...}")
        entries.update(self.entry_variables(target.value.value, {key: value}, target))
        return True

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
