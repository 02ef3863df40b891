"""`wrt` paths into a parameter tree: `wrt=("params/fc",)` differentiates params["fc"] only.

A path is a parameter name followed by `/`-separated steps: dict keys, or list /
tuple indices (`"params/layers/0/w"`). The steps are resolved against the
argument of each call (a step into a list is an index; into a dict, the key
itself, or the integer it spells when the dict has that integer key), so the
compiled code is keyed by the resolved keys. Activity analysis then treats every
other part of the tree as frozen (ad/activity.py): no adjoint work is emitted for
it, and the gradient returned for a path is the gradient of that subtree, with
the subtree's structure (so `opt.step(params["fc"], grads)` updates the head).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Sequence

from .errors import UsageError
from .runtime.arrays import check_wrt, checking_arguments

Resolved = tuple[tuple[str, tuple], ...]  # ((parameter, (key, ...)), ...), one per wrt item


def has_paths(wrt: Sequence[str] | None) -> bool:
    """Whether any item of a normalized `wrt` is a path into a tree."""
    return wrt is not None and any(isinstance(w, str) and "/" in w for w in wrt)


def base_names(wrt: Sequence[str]) -> tuple[str, ...]:
    """The parameters the items of `wrt` start from, each once, in order."""
    return tuple(dict.fromkeys(w.partition("/")[0] for w in wrt))


def checked_base(item: str, fn_name: str) -> str:
    """The parameter a path starts from; an empty step (`"params//w"`) is refused."""
    if any(step == "" for step in item.split("/")[1:]):
        raise UsageError(f"wrt={item!r} of {fn_name}(): a path is a parameter name and "
                         "non-empty steps separated by '/', e.g. \"params/fc\"")
    return item.partition("/")[0]


def as_items(wrt, fn_name: str):
    """`wrt` as a sequence of items: a name or position alone in a tuple, a mask as paths."""
    if isinstance(wrt, (str, int)):
        return (wrt,)
    return from_mask(wrt, fn_name) if isinstance(wrt, dict) else wrt


def from_mask(mask: dict, fn_name: str) -> tuple[str, ...]:
    """`wrt={"params": {"fc": True}}` as paths: per parameter, a mask like optax's, a prefix
    of its tree holding True (differentiated) or False (frozen; so is a key left out)."""
    out: list[str] = []

    def walk(node, path: str) -> None:
        if isinstance(node, bool):
            out.extend([path] if node else [])
            return
        if not isinstance(node, (dict, list, tuple)):
            raise UsageError(f"wrt mask of {fn_name}(): {path!r} holds {node!r}; a mask holds "
                             "True or False, or dicts / lists / tuples of them")
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            if "/" in str(key):
                raise UsageError(f"wrt mask of {fn_name}(): the key {key!r} has a '/' in it")
            walk(value, f"{path}/{key}")

    for name, tree in mask.items():
        walk(tree, str(name))
    if not out:
        raise UsageError(f"wrt mask of {fn_name}() selects nothing (no True in {mask!r})")
    return tuple(out)


def resolve(wrt: Sequence[str], arguments: dict[str, object] | None) -> Resolved:
    """Each wrt item as (parameter, keys), the keys looked up in `arguments` (by name).

    Without arguments (an emitted source shown before any call), a step of digits
    is an index, any other step a key.
    """
    resolved = []
    for item in wrt:
        name, *steps = item.split("/")
        node = None if arguments is None else arguments.get(name)
        keys = []
        for depth, step in enumerate(steps):
            key = _key(node, step, item, "/".join([name, *steps[:depth]]), arguments is None)
            keys.append(key)
            node = None if arguments is None else node[key]
        resolved.append((name, tuple(keys)))
    return tuple(resolved)


def _key(node: object, step: str, item: str, where: str, blind: bool) -> object:
    """The key or index `step` names in `node`; UsageError naming what `node` holds."""
    if blind:
        return int(step) if step.isdigit() else step
    if isinstance(node, dict):
        if step in node:
            return step
        if step.lstrip("-").isdigit() and int(step) in node:
            return int(step)
        keys = ", ".join(repr(k) for k in node) or "none"
        raise UsageError(f"wrt={item!r}: {where} has no key {step!r}; its keys are {keys}")
    if isinstance(node, (list, tuple)):
        if step.isdigit() and int(step) < len(node):
            return int(step)
        raise UsageError(f"wrt={item!r}: {where} is a {type(node).__name__} of {len(node)} "
                         f"items; {step!r} is not an index of it (0 to {len(node) - 1})")
    raise UsageError(f"wrt={item!r}: {where} is not a dict, list or tuple (it is "
                     f"{type(node).__name__}), so it has no part {step!r}")


def by_parameter(resolved: Resolved) -> dict[str, tuple[tuple, ...]]:
    """{parameter: the key paths differentiated under it}, for parameters not named whole."""
    paths: dict[str, list[tuple]] = {}
    for name, keys in resolved:
        paths.setdefault(name, []).append(keys)
    return {name: tuple(keys) for name, keys in paths.items() if () not in keys}


def select(grads: tuple, bases: tuple[str, ...], resolved: Resolved):
    """The gradient of each wrt item from the gradients of its parameters (one per base)."""
    by_name = dict(zip(bases, grads))
    picked = []
    for name, keys in resolved:
        value = by_name[name]
        for key in keys:
            value = value[key]
        picked.append(value)
    return picked[0] if len(picked) == 1 else tuple(picked)


def compiled(compile_function, fn, wrt, key, has_aux, keep, method, resolved: Resolved | None):
    """`compile_function` for a wrt with paths: the gradient code for their parameters,
    with the parts of trees not named frozen, returning the gradient of each path."""
    resolved = resolved or resolve(wrt, None)
    inner = compile_function(fn, base_names(wrt), key, has_aux, keep, method,
                             by_parameter(resolved))
    return selecting(inner, resolved)


def selecting(compiled: types.SimpleNamespace, resolved: Resolved) -> types.SimpleNamespace:
    """`compiled` (differentiated by the paths' parameters) giving each path's gradient.

    Only the named parts must hold floats: a frozen integer leaf (a count, a
    mask) is no value to differentiate, so the whole-parameter check is replaced.
    """
    bases = tuple(compiled.adjoint.wrt)
    params = list(compiled.adjoint.primal.param_names)
    # the emitted functions, checked for one array library but no longer for float leaves
    grad = checking_arguments(compiled.grad.__wrapped__, (), ())
    value_and_grad = checking_arguments(compiled.value_and_grad.__wrapped__, (), ())

    def check(args):
        for name, keys in resolved:
            part = args[params.index(name)]
            for key in keys:
                part = part[key]
            check_wrt((name + "".join(f"[{key!r}]" for key in keys),), part)

    def pick(grads):
        return select(grads if len(bases) > 1 else (grads,), bases, resolved)

    @functools.wraps(grad)
    def selected_grad(*args, **kwargs):
        check(args)
        return pick(grad(*args, **kwargs))

    @functools.wraps(value_and_grad)
    def selected_value_and_grad(*args, **kwargs):
        check(args)
        value, grads, *kept = value_and_grad(*args, **kwargs)  # kept: intermediates' adjoints
        return (value, pick(grads), *kept)

    return types.SimpleNamespace(**{**vars(compiled), "grad": selected_grad,
                                    "value_and_grad": selected_value_and_grad})
