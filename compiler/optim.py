"""agc.optim: torch.optim's optimizers over pytrees (see agc.runtime.optim)."""

from .runtime.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]
