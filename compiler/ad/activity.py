"""Activity analysis: which variables carry a derivative worth computing.

A variable is *varied* if it depends on a `wrt` parameter through
differentiable primitives, *useful* if the returned values depend on it, and
*active* if both. Only active variables get adjoints, so frozen parameters
(those not in `wrt`) and everything computed only from them cost nothing in
the emitted backward sweep. The analysis is flow-insensitive (a variable is
active if any of its assignments is), which is conservative and simple.

A parameter tree differentiated in part (`wrt=("params/fc",)`: `paths` maps
it to its key paths) is followed through reads by constant keys: `params["fc"]`
is varied, `params["conv1"]` is not, and `params["fc"]` read into a variable
carries the rest of the paths. Any other use of such a tree (a loop over it, a
helper taking all of it) counts as varied as a whole: more work, never less.
"""

from __future__ import annotations

from .. import ir
from ..ir.index import Index
from ..ir.prims import Prim


def differentiable_args(stmt: ir.Assign) -> list[str]:
    """Names of the arguments of `stmt` through which a derivative can flow."""
    if not stmt.prim.differentiable or stmt.params.get("nograd"):
        return []
    positions = stmt.prim.spec.diff_args
    if positions is None:
        positions = range(len(stmt.args))
    return [stmt.args[i].name for i in positions if isinstance(stmt.args[i], ir.Var)]


def active_variables(fn: ir.Function, wrt: tuple[str, ...], outputs: int | None = None,
                     paths: dict[str, tuple[tuple, ...]] | None = None) -> set[str]:
    """The names that are both varied (from `wrt`) and useful (to the result).

    `outputs` limits the result to the first returned values (auxiliary
    outputs after them are returned but not differentiated); `paths` names the
    parts of tree parameters that are differentiated (see the module's doc).
    """
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    edges = [(name, s.target.name) for s in assigns for name in differentiable_args(s)]
    varied = _varied(assigns, edges, wrt, paths)[0]
    returned = {a.name for s in ir.walk(fn.body) if isinstance(s, ir.Return)
                for a in s.values[:outputs] if isinstance(a, ir.Var)}
    useful = _closure(returned, [(dst, src) for src, dst in edges])
    return varied & useful


def partial_trees(fn: ir.Function, wrt: tuple[str, ...],
                  paths: dict[str, tuple[tuple, ...]]) -> dict[str, tuple[tuple, ...]]:
    """{variable: key paths varied in it} of the trees varied in part (see above)."""
    assigns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)]
    edges = [(name, s.target.name) for s in assigns for name in differentiable_args(s)]
    return _varied(assigns, edges, wrt, paths)[1]


def _varied(assigns: list[ir.Assign], edges: list, wrt: tuple[str, ...], paths: dict | None):
    """(the varied names, {name varied in part only: its key paths})."""
    if not paths:
        return _closure(set(wrt), edges), {}
    whole, partial = _along_paths(assigns, set(wrt) - set(paths), dict(paths))
    varied = _closure(whole, edges)
    # a tree also assigned from something varied as a whole is varied as a whole
    return varied | set(partial), {n: k for n, k in partial.items() if n not in varied}


def _merge_call_paths(into: dict[int, tuple | None], call: ir.Assign, positions: set[int],
                     partial: dict[str, tuple]) -> None:
    """Record, per argument position of a helper call, the key paths of the tree it is
    passed (None: varied as a whole, by this call or another)."""
    for i in positions:
        given = partial.get(call.args[i].name)
        if i not in into:
            into[i] = given
        elif into[i] is not None and given is not None:
            into[i] = tuple(dict.fromkeys(into[i] + given))
        else:
            into[i] = None


def _along_paths(assigns: list[ir.Assign], whole: set[str], partial: dict[str, tuple]):
    """(varied as a whole, {tree variable: the key paths varied in it}) from `partial`."""
    readers: dict[str, list[ir.Assign]] = {}
    for s in assigns:
        for name in dict.fromkeys(differentiable_args(s)):
            readers.setdefault(name, []).append(s)
    pending = list(partial)
    while pending:
        name = pending.pop()
        for s in readers.get(name, ()):
            key = _constant_key(s)
            if key is None or s.args[0] != ir.Var(name):
                whole.add(s.target.name)  # used otherwise: all of it counts
                continue
            rest = tuple(p[1:] for p in partial[name] if p[0] == key)
            if () in rest:
                whole.add(s.target.name)
            elif rest and not set(rest) <= set(partial.get(s.target.name, ())):
                partial[s.target.name] = tuple(dict.fromkeys(partial.get(s.target.name, ())
                                                             + rest))
                pending.append(s.target.name)
    return whole, partial


def _constant_key(s: ir.Assign):
    """k of `t = x[k]` with k a constant string or integer (a key of a tree), else None."""
    if s.prim is not Prim.GETITEM or len(s.args) != 2 or s.params.get("index") != Index.at(1):
        return None
    key = s.args[1]
    if isinstance(key, ir.Const) and isinstance(key.value, (str, int)) \
            and not isinstance(key.value, bool):
        return key.value
    return None


def _closure(start: set[str], edges: list[tuple[str, str]]) -> set[str]:
    """Everything reachable from `start` along (source, destination) edges."""
    successors: dict[str, list[str]] = {}
    for source, dest in edges:
        successors.setdefault(source, []).append(dest)
    reached = set(start)
    pending = list(start)
    while pending:  # a graph search: each edge is followed once
        for dest in successors.get(pending.pop(), ()):
            if dest not in reached:
                reached.add(dest)
                pending.append(dest)
    return reached


# ------------------------------------------------- helpers' parameters
def helper_activity(functions: list[ir.Function], found: dict, roots: dict[str, tuple] | None,
                    tree_paths: dict | None = None) -> dict[tuple, set[int]]:
    """(module, name) -> positions of the helper's parameters that receive active values.

    `tree_paths` receives (module, name) -> {position: key paths} for the parameters
    given parts of trees differentiated in part (wrt paths; None: all of the tree).
    """
    if roots is None:
        return {key: set(range(len(entry[0].params))) for key, entry in found.items()}
    active: dict[tuple, set[int]] = {}
    tree_paths = {} if tree_paths is None else tree_paths
    work = [(fn, *roots[fn.name]) for fn in functions]
    while work:
        fn, wrt, outputs, paths = work.pop()
        live = active_variables(fn, tuple(wrt), outputs, paths)
        partial = partial_trees(fn, tuple(wrt), paths) if paths else {}
        for call in _calls(fn):
            key = (call.params.get("module"), call.params.get("fn"))
            positions = {i for i, a in enumerate(call.args)
                         if isinstance(a, ir.Var) and a.name in live}
            before = (set(active.get(key, ())), dict(tree_paths.get(key, {})))
            active.setdefault(key, set()).update(positions)
            _merge_call_paths(tree_paths.setdefault(key, {}), call, positions, partial)
            if before == (active[key], tree_paths[key]):
                continue
            helper = found[key][0]
            names = tuple(p for i, p in enumerate(helper.param_names) if i in active[key])
            work.append((helper, names, None, param_paths(helper, tree_paths[key])))
    return active


def param_paths(helper: ir.Function, positions: dict[int, tuple | None]) -> dict:
    """{parameter name: key paths} of a helper's parameters given parts of trees."""
    return {helper.param_names[i]: keys for i, keys in positions.items() if keys}


def _calls(fn: ir.Function) -> list[ir.Assign]:
    return [s for s in ir.walk(fn.body) if isinstance(s, ir.Assign) and s.prim is Prim.CALL]
