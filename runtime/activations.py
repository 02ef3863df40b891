"""relu (agc.nn.relu) and the helper its rules emit.

relu is a primitive, not a helper agc reads, so that its cotangent rule reads
its output rather than a mask kept beside it: `x > 0` exactly where
`relu(x) > 0` (a NaN gives 0, -0.0 gives 0.0), and a caller keeps the output
anyway (the next layer's input), as PyTorch's relu backward does.
"""

from __future__ import annotations

from .dispatch import array_module as _xp


def relu(x):
    """max(x, 0) as np.where(x > 0, x, 0.0): 0 at a NaN, the dtype of np.where's rule."""
    return _xp(x).where(x > 0, x, 0.0)


def relu_grad(g, y):
    """g where relu's output y is positive, else 0 (relu's derivative at 0 is 0, as in torch)."""
    return _xp(g, y).where(y > 0, g, 0.0)
