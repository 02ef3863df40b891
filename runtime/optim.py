"""Optimizers over pytrees with torch.optim's update rules and defaults.

Every optimizer can be used two ways:

* functional, nothing mutated::

      state = opt.init(params)
      params, state = opt.update(params, grads, state)

* in place, PyTorch style::

      opt.step(params, grads)   # writes into the array leaves of params

Leaves may be numpy or cupy float arrays (dtype kept, state too) or Python floats
(functional use only). The state is a dict ``{"step": int, <buffer name>: tree, ...}``
whose trees mirror ``params``, so it can itself be moved with ``to_device``.
Where the torch docs and torch's code disagree (``maximize`` with ``weight_decay`` in
SGD), we follow the code: the gradient is negated first, then decayed.
"""

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
    require,
    row_blocks,
    shape,
)
from .tree import tree_flatten, tree_leaves, tree_leaves_with_path, tree_map, tree_unflatten

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]


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


def _signed(grad: Any, maximize: bool) -> Any:
    """The gradient to descend along: negated when maximizing."""
    return -grad if maximize else grad


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as torch.optim.SGD.

    Functional: ``state = opt.init(params); params, state = opt.update(params, grads, state)``.
    In place:   ``opt = SGD(lr=0.1); opt.step(params, grads)`` (array leaves only).
    """

    def __init__(self, lr: float, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        """Check and store the hyperparameters (lr is required; torch 2.x defaults it to 1e-3)."""
        super().__init__()
        require(0.0 <= lr, f"Invalid learning rate: {lr}")
        require(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        require(not nesterov or (momentum > 0 and dampening == 0),
                 "Nesterov momentum requires a momentum and zero dampening")
        self.lr, self.momentum, self.dampening = float(lr), float(momentum), float(dampening)
        self.weight_decay, self.nesterov, self.maximize = float(weight_decay), nesterov, maximize

    def _slot_names(self) -> tuple[str, ...]:
        """A momentum buffer only when momentum is on."""
        return ("momentum_buffer",) if self.momentum != 0 else ()

    def _leaf_update(self, xp, step, param, grad, slots):
        """g += wd*p; b = mu*b + (1-dampening)*g (b = g at step 1); p -= lr*(g + mu*b or b)."""
        grad = _signed(grad, self.maximize)
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        if self.momentum == 0:
            return param - self.lr * grad, {}
        if step == 1:
            # torch seeds the buffer with a copy of the first gradient, undampened.
            buf = xp.array(grad, copy=True)
        else:
            buf = self.momentum * slots["momentum_buffer"] + (1 - self.dampening) * grad
        grad = grad + self.momentum * buf if self.nesterov else buf
        return param - self.lr * grad, {"momentum_buffer": buf}

    def _leaf_step(self, step, param, grad, slots):
        """`_leaf_update`'s arithmetic written into param and its buffer (same values)."""
        grad = _signed(grad, self.maximize)
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        if self.momentum != 0:
            buf = slots["momentum_buffer"]
            if step == 1:
                buf[...] = grad
            else:
                buf *= self.momentum
                buf += grad if self.dampening == 0 else (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        param -= self.lr * grad


class Adagrad(Optimizer):
    """Adagrad with learning-rate decay, as torch.optim.Adagrad.

    Functional: ``state = opt.init(params); params, state = opt.update(params, grads, state)``.
    In place:   ``opt = Adagrad(lr=0.1); opt.step(params, grads)`` (array leaves only).
    """

    def __init__(self, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *,
                 maximize: bool = False) -> None:
        """Check and store the hyperparameters."""
        super().__init__()
        require(0.0 <= lr, f"Invalid learning rate: {lr}")
        require(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        require(0.0 <= initial_accumulator_value,
                 f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        self.lr, self.lr_decay, self.weight_decay = float(lr), float(lr_decay), float(weight_decay)
        self.initial_accumulator_value, self.eps = float(initial_accumulator_value), float(eps)
        self.maximize = maximize

    def _slot_names(self) -> tuple[str, ...]:
        """The running sum of squared gradients."""
        return ("sum",)

    def _slot_start(self, name: str) -> float:
        """The sum starts at initial_accumulator_value."""
        return self.initial_accumulator_value

    def _leaf_update(self, xp, step, param, grad, slots):
        """clr = lr/(1+(t-1)*lr_decay); s += g*g; p -= clr*g/(sqrt(s)+eps)."""
        grad = _signed(grad, self.maximize)
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        clr = self.lr / (1 + (step - 1) * self.lr_decay)
        total = slots["sum"] + grad * grad
        return param - clr * grad / (xp.sqrt(total) + self.eps), {"sum": total}


class RMSprop(Optimizer):
    """RMSprop, optionally centered and with momentum, as torch.optim.RMSprop.

    Functional: ``state = opt.init(params); params, state = opt.update(params, grads, state)``.
    In place:   ``opt = RMSprop(lr=0.01); opt.step(params, grads)`` (array leaves only).
    """

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        """Check and store the hyperparameters."""
        super().__init__()
        require(0.0 <= lr, f"Invalid learning rate: {lr}")
        require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        require(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        require(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        self.lr, self.alpha, self.eps = float(lr), float(alpha), float(eps)
        self.weight_decay, self.momentum = float(weight_decay), float(momentum)
        self.centered, self.maximize = centered, maximize

    def _slot_names(self) -> tuple[str, ...]:
        """square_avg always; momentum_buffer and grad_avg when those options are on."""
        names = ("square_avg",)
        if self.momentum > 0:
            names += ("momentum_buffer",)
        if self.centered:
            names += ("grad_avg",)
        return names

    def _leaf_update(self, xp, step, param, grad, slots):
        """v = a*v + (1-a)*g^2; centered: subtract (running mean of g)^2; then step."""
        grad = _signed(grad, self.maximize)
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        new = {"square_avg": self.alpha * slots["square_avg"] + (1 - self.alpha) * grad * grad}
        variance = new["square_avg"]
        if self.centered:
            new["grad_avg"] = self.alpha * slots["grad_avg"] + (1 - self.alpha) * grad
            variance = variance - new["grad_avg"] * new["grad_avg"]
        avg = xp.sqrt(variance) + self.eps
        if self.momentum > 0:
            new["momentum_buffer"] = self.momentum * slots["momentum_buffer"] + grad / avg
            return param - self.lr * new["momentum_buffer"], new
        return param - self.lr * grad / avg, new


class Adam(Optimizer):
    """Adam (optionally AMSGrad), L2 weight decay added to the gradient, as torch.optim.Adam.

    Functional: ``state = opt.init(params); params, state = opt.update(params, grads, state)``.
    In place:   ``opt = Adam(lr=1e-3); opt.step(params, grads)`` (array leaves only).
    """

    # AdamW flips this: decay the weights directly instead of adding wd*p to the gradient.
    _decoupled_weight_decay = False

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        """Check and store the hyperparameters."""
        super().__init__()
        require(0.0 <= lr, f"Invalid learning rate: {lr}")
        require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        require(len(betas) == 2, f"betas must be a pair, got {betas!r}")
        require(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        require(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        self.lr, self.betas = float(lr), (float(betas[0]), float(betas[1]))
        self.eps, self.weight_decay = float(eps), float(weight_decay)
        self.amsgrad, self.maximize = amsgrad, maximize

    def _slot_names(self) -> tuple[str, ...]:
        """First and second moments, plus their running max for AMSGrad."""
        names = ("exp_avg", "exp_avg_sq")
        return names + ("max_exp_avg_sq",) if self.amsgrad else names

    def _leaf_update(self, xp, step, param, grad, slots):
        """m, v moving averages; p -= lr/bc1 * m / (sqrt(v or max v)/sqrt(bc2) + eps)."""
        beta1, beta2 = self.betas
        grad = _signed(grad, self.maximize)
        if self.weight_decay != 0 and self._decoupled_weight_decay:
            param = param * (1 - self.lr * self.weight_decay)
        elif self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        new = {"exp_avg": beta1 * slots["exp_avg"] + (1 - beta1) * grad,
               "exp_avg_sq": beta2 * slots["exp_avg_sq"] + (1 - beta2) * grad * grad}
        second = new["exp_avg_sq"]
        if self.amsgrad:
            # torch keeps the max of the raw (not bias-corrected) second moments.
            new["max_exp_avg_sq"] = second = xp.maximum(slots["max_exp_avg_sq"], second)
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        denom = xp.sqrt(second) / bias_correction2_sqrt + self.eps
        return param - (self.lr / bias_correction1) * new["exp_avg"] / denom, new


class AdamW(Adam):
    """Adam with decoupled weight decay (p *= 1 - lr*wd before the step), as torch.optim.AdamW.

    Functional: ``state = opt.init(params); params, state = opt.update(params, grads, state)``.
    In place:   ``opt = AdamW(lr=1e-3); opt.step(params, grads)`` (array leaves only).
    """

    _decoupled_weight_decay = True

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        """Check and store the hyperparameters (weight_decay defaults to 1e-2)."""
        super().__init__(lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
