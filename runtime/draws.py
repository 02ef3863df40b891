"""Random draws in models (issue 19): agc.nn.dropout's mask, from an explicit Generator.

The draw happens where the model makes it, once per call of the forward sweep;
the mask is then an ordinary value the backward sweep reads (never drawn again).
"""

from __future__ import annotations

from .dispatch import array_module


def dropout_mask(rng, x, p, training=True):
    """What dropout multiplies x by: 0 or 1 / (1 - p) per element, in x's float dtype.

    As torch.nn.functional.dropout: an element is kept with probability 1 - p.
    Outside training, or with p == 0, the mask is the number 1 and nothing is
    drawn; with p == 1 it is all zeros, also without a draw (torch draws in
    neither case either).
    """
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    xp = array_module(x)
    dtype = xp.result_type(x, 1.0)  # float32 stays float32; ints become float64, as x * 0.5
    if not training or p == 0:
        return xp.ones((), dtype=dtype)
    if p == 1:
        return xp.zeros(xp.shape(x), dtype=dtype)
    keep = xp.asarray(rng.random(xp.shape(x)) >= p)  # a numpy Generator: moved for cupy
    return keep.astype(dtype) * xp.asarray(1.0 / (1.0 - p), dtype=dtype)
