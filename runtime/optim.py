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

from .optim_adaptive import Adagrad, Adam, AdamW, RMSprop
from .optim_leaves import require
from .optimizer import Optimizer, signed

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]


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
        grad = signed(grad, self.maximize)
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
        grad = signed(grad, self.maximize)
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
