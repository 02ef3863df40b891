"""`map(f, xs)` and `zip(a, b)` where they are consumed at once: the loops they stand for.

    list(map(f, a, b))   ->  [f(i, j) for i, j in zip(a, b)]   (also tuple(), sorted(),
    list(zip(a, b))      ->  [(i, j) for i, j in zip(a, b)]     sum(), a comprehension)
    list(zip(*rows))     ->  [tuple(r[j] for r in rows) for j in range(shortest row)]
    for v in map(f, xs)  ->  for i in xs: v = f(i); ...        (f called item by item, as
                                                                 map does, between the body's)

Python's map and zip are iterators, used up by their first consumer: one kept in a name
(`m = map(f, xs)`) is refused, so agc never gives a second pass the items Python would not.
`f` is a name, a dotted name or a lambda (evaluated once, as map does: naming it again
changes nothing); the sequences are evaluated once, before the first call.
"""

from __future__ import annotations

import libcst as cst

from .list_methods import located

LAZY = ("map", "zip")


def lazy_kind(low, node) -> str | None:
    """"map" or "zip" where node calls Python's own, else None."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
            and node.func.value in LAZY and not low.is_local(node.func.value) \
            and node.func.value not in low.names.functions \
            and low.names.qualify(node.func.value) is None:
        return node.func.value
    return None


def refuse_kept_iterator(low, node: cst.Call, dest) -> None:
    """map(...) or zip(...) anywhere else: an iterator kept as a value (the Lowerer's
    `_builtin_map` and `_builtin_zip`)."""
    raise low.unsupported(node, f"`{node.func.value}(...)` kept as a value (an iterator, "
                          "used up by its first consumer)", "consume it where it is made: "
                          "list(map(f, xs)), sum(...), a for loop, or write [f(x) for x in xs]")


def refuse_inside_a_loop_helper(low, node, helper: str) -> None:
    """map(...) in enumerate(...) or zip(...) of a for loop, map or zip in reversed(...):
    the first would run f ahead of the body (map runs it item by item), Python refuses the
    second (neither is reversible)."""
    kind = lazy_kind(low, node)
    if kind == "map" or (kind is not None and helper == "reversed"):
        raise low.unsupported(node, f"`{kind}(...)` inside `{helper}(...)` of a loop",
                              "loop over the sequences themselves and call the function in "
                              "the loop's body")


def as_comprehension(low, node: cst.Call) -> cst.ListComp | cst.List:
    """The list comprehension a consumed map(...) or zip(...) call equals."""
    kind = lazy_kind(low, node)
    node = low.expanded(node)  # zip(*[a, b]) is zip(a, b)
    if kind == "zip" and len(node.args) == 1 and node.args[0].star == "*" \
            and isinstance(node.args[0].value, cst.Name):
        return _transposed(low, node, node.args[0].value.value)
    func, seqs = _parts(low, node, kind)
    if not seqs:  # zip(): no items
        return located(low, cst.List([]), node)
    names = _item_names(low, len(seqs), node)
    if func is None:  # zip: a tuple of the items
        elt = located(low, cst.Tuple([cst.Element(n) for n in names]), node)
    else:
        elt = located(low, cst.Call(func, [cst.Arg(n) for n in names]), node)
    target, it = _loop_over(low, names, seqs, node)
    comp = cst.ListComp(elt, located(low, cst.CompFor(target, it), node))
    return located(low, comp, node)


def map_loop(low, target, call: cst.Call, body, node, scope, lower_loop) -> None:
    """`for v in map(f, xs)`: a loop over xs that binds v = f(item) first in its body."""
    call = low.expanded(call)
    func, seqs = _parts(low, call, "map")
    names = _item_names(low, len(seqs), call)
    applied = located(low, cst.Call(func, [cst.Arg(n) for n in names]), call)
    loop_target, it = _loop_over(low, names, seqs, call)

    def mapped_body():
        low.assign_to(target, low.expr(applied), call)
        body()

    lower_loop(low, loop_target, it, mapped_body, node, scope)


def _transposed(low, node: cst.Call, rows: str) -> cst.ListComp:
    """zip(*rows) of a list variable: its columns, as long as the shortest row (none for
    no rows), each a tuple of the rows' items at one position."""
    row, j = (low.namer.fresh(n) for n in ("row", "j"))
    low.local_names.update((row, j))
    text = (f"[tuple({row}[{j}] for {row} in {rows}) for {j} in "
            f"range(min(len({row}) for {row} in {rows}) if len({rows}) > 0 else 0)]")
    built = cst.parse_expression(text)
    built.visit(_Located(low, node))
    return built


class _Located(cst.CSTVisitor):
    """Locates every node of a tree built here at the source node it stands for."""

    def __init__(self, low, node: cst.CSTNode):
        self.low, self.node = low, low.loc_alias.get(node, node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.low.loc_alias[node] = self.node
        return True


def _parts(low, node: cst.Call, kind: str):
    """(f, the sequences) of map(f, *seqs); (None, the sequences) of zip(*seqs)."""
    if any(a.star for a in node.args):
        raise low.unsupported(node, f"{kind}(*seqs) of a sequence not written out here",
                              f"pass each sequence: {kind}(a, b), or transpose an array "
                              "instead: np.stack(rows).T")
    if any(a.keyword is not None for a in node.args):
        raise low.unsupported(node, f"keyword arguments of {kind}()",
                              "pass the sequences by position")
    values = [a.value for a in node.args]
    if kind == "zip":
        return None, values
    if len(values) < 2:
        raise low.unsupported(node, "map() without a sequence", "write map(f, xs)")
    func = values[0]
    if not isinstance(func, (cst.Name, cst.Attribute, cst.Lambda)):
        raise low.unsupported(func, "map() of a function computed here",
                              "name the function first: g = make(); map(g, xs)")
    return func, values[1:]


def _item_names(low, count: int, node) -> list[cst.Name]:
    names = []
    for _ in range(count):
        name = low.namer.fresh("item")
        low.local_names.add(name)
        names.append(located(low, cst.Name(name), node))
    return names


def _loop_over(low, names: list[cst.Name], seqs: list, node):
    """(target, iterable) of a loop over one sequence, or over zip of several."""
    if len(seqs) == 1:
        return names[0], seqs[0]
    target = located(low, cst.Tuple([cst.Element(n) for n in names]), node)
    return target, located(low, cst.Call(cst.Name("zip"), [cst.Arg(s) for s in seqs]), node)


