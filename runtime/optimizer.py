"""The optimizer base class: functional `init`/`update` and in-place `step` over pytrees
(the update rules are in optim.py and optim_adaptive.py)."""


from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from typing import Any

from .device import array_module_of, is_array
from .optim_leaves import (
    cast_like,
    check_companion,
    check_param,
    full_like,
    row_blocks,
    shape,
)
from .tree import tree_flatten, tree_leaves, tree_leaves_with_path, tree_map, tree_unflatten


class Optimizer(ABC):
    """Base class: functional `init` / `update` and in-place `step` over pytrees.

    Subclasses set hyperparameters in ``__init__`` and define `_slot_names`,
    `_leaf_update` and, when a buffer does not start at zero, `_slot_start`.
    """

    def __init__(self) -> None:
        # step() keeps one state per params structure, created on its first step.
        self._states: dict = {}

    def __repr__(self) -> str:
        """Class name and hyperparameters."""
        hyper = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({hyper})"

    def _slot_names(self) -> tuple[str, ...]:
        """Names of the per-parameter buffers this configuration keeps."""
        return ()

    def _slot_start(self, name: str) -> float:
        """Initial value of buffer `name` (zero unless overridden)."""
        return 0.0

    @abstractmethod
    def _leaf_update(self, xp: Any, step: int, param: Any, grad: Any,
                     slots: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """One step for one leaf: (new param, new buffers); step counts from 1."""

    def init(self, params: Any) -> dict[str, Any]:
        """Fresh state for `params`: {"step": 0, <buffer>: tree like params, ...}."""
        for path, leaf in tree_leaves_with_path(params):
            check_param(path, leaf)
        state: dict[str, Any] = {"step": 0}
        for name in self._slot_names():
            start = self._slot_start(name)
            state[name] = tree_map(lambda p, start=start: full_like(p, start), params)
        return state

    def _check_state(self, state: Any) -> None:
        """TypeError unless `state` looks like what `init` returns for this configuration."""
        if not isinstance(state, dict) or not isinstance(state.get("step"), numbers.Integral):
            raise TypeError("state must be the dict returned by init() or update()")
        missing = [name for name in self._slot_names() if name not in state]
        if missing:
            raise TypeError(f"state has no {missing} buffers; it was made by another optimizer "
                            "or before the hyperparameters changed: call init(params) again")

    def _aligned_leaves(self, params: Any, tree: Any, name: str) -> list[Any]:
        """Leaves of `tree` in params' leaf order (dicts matched by key, structure checked)."""
        return tree_leaves(tree_map(lambda _p, leaf: leaf, params, tree, names=("params", name)))

    def _columns(self, params: Any, grads: Any, state: dict[str, Any]) -> dict[str, list]:
        """Per-leaf lists keyed by "grads" and each buffer name, all in params' leaf order."""
        names = self._slot_names()
        labels = {name: f"state[{name!r}]" for name in names}
        # One whole-tree check first, so a numpy/cupy mix is reported with every path.
        array_module_of(params, grads, *(state[n] for n in names),
                        names=("params", "grads", *labels.values()))
        columns = {"grads": self._aligned_leaves(params, grads, "grads")}
        for name in names:
            columns[name] = self._aligned_leaves(params, state[name], labels[name])
        return columns

    @staticmethod
    def _check_leaf(path: str, param: Any, companions: dict[str, Any]) -> None:
        """TypeError/ValueError unless a leaf, its grad and buffers fit together."""
        check_param(path, param)
        for name, leaf in companions.items():
            check_companion(path, name if name == "grads" else f"state[{name!r}]", param, leaf)

    def _updated_leaf(self, step: int, param: Any,
                      companions: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """One checked leaf's new value and buffers, in its dtype."""
        grad = companions.pop("grads")
        xp = array_module_of(param, grad, *companions.values())
        new_param, new_slots = self._leaf_update(xp, step, param, grad, companions)
        return (cast_like(new_param, param),
                {name: cast_like(value, param) for name, value in new_slots.items()})

    def update(self, params: Any, grads: Any, state: dict[str, Any]) -> tuple[Any, dict]:
        """One step: returns (new params, new state); the arguments are left untouched."""
        self._check_state(state)
        columns = self._columns(params, grads, state)
        step = int(state["step"]) + 1
        new_params, new_slots = [], {name: [] for name in self._slot_names()}
        for i, (path, param) in enumerate(tree_leaves_with_path(params)):
            companions = {name: column[i] for name, column in columns.items()}
            self._check_leaf(path, param, companions)
            new_param, slots = self._updated_leaf(step, param, companions)
            new_params.append(new_param)
            for name, value in slots.items():
                new_slots[name].append(value)
        treedef = tree_flatten(params)[1]
        new_state: dict[str, Any] = {"step": step}
        for name, leaves in new_slots.items():
            new_state[name] = tree_unflatten(treedef, leaves)
        return tree_unflatten(treedef, new_params), new_state

    def step(self, params: Any, grads: Any) -> None:
        """Update the array leaves of `params` in place, keeping the state on the optimizer."""
        for path, leaf in tree_leaves_with_path(params):
            if not is_array(leaf):
                raise TypeError(
                    f"params{path} is a {type(leaf).__name__}, which cannot be updated in "
                    "place; use `params, state = opt.update(params, grads, state)` or wrap "
                    "the value in a numpy array (np.array(value))")
            if not getattr(leaf.flags, "writeable", True):
                raise TypeError(f"params{path} is a read-only array and cannot be updated")
        treedef = tree_flatten(params)[1]
        key = (treedef, tuple((shape(p), str(p.dtype)) for p in tree_leaves(params)))
        state = self._states.get(key) or self.init(params)
        columns = self._columns(params, grads, state)
        leaves = tree_leaves_with_path(params)
        # Every leaf is checked before any is written, so an error leaves params unchanged;
        # then each is updated and written at once: one leaf's temporaries at a time, not a
        # second copy of the whole network and its buffers.
        for i, (path, param) in enumerate(leaves):
            self._check_leaf(path, param, {name: column[i] for name, column in columns.items()})
        step = int(state["step"]) + 1
        for i, (_, param) in enumerate(leaves):
            companions = {name: column[i] for name, column in columns.items()}
            # Block by block along the first axis: every update is elementwise, so the
            # values are the same, and its temporaries are a block's size rather than
            # the leaf's (layer4's 9 MiB weight; torch updates in place).
            for rows in row_blocks(param, companions.values()):
                if rows is None:
                    self._step_leaf(step, param, companions)
                else:
                    self._step_leaf(step, param[rows], {name: leaf[rows]
                                                        for name, leaf in companions.items()})
        state["step"] = step
        self._states[key] = state

    def _step_leaf(self, step: int, param: Any, companions: dict[str, Any]) -> None:
        """One checked leaf (or a block of its rows: views) updated in place, buffers too."""
        if hasattr(self, "_leaf_step"):  # its own in-place arithmetic: fewer temporaries
            grad = companions.pop("grads")
            self._leaf_step(step, param, grad, companions)
            return
        new_param, slots = self._updated_leaf(step, param, companions)
        param[...] = new_param
        for name, value in slots.items():
            companions[name][...] = value  # the buffers are the optimizer's own arrays

    def reset(self) -> None:
        """Forget the state kept by `step` (momenta, step counts)."""
        self._states = {}


def signed(grad: Any, maximize: bool) -> Any:
    """The gradient to descend along: negated when maximizing."""
    return -grad if maximize else grad
