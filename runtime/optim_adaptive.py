"""Optimizers with per-element adaptive steps, as torch.optim's: Adagrad, RMSprop, Adam, AdamW."""

from __future__ import annotations

from .optim_leaves import require
from .optimizer import Optimizer, signed


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
        grad = signed(grad, self.maximize)
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
        grad = signed(grad, self.maximize)
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
        grad = signed(grad, self.maximize)
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
