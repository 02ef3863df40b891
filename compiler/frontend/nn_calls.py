"""agc.nn's primitives (issue 19): conv1d, conv2d and the poolings bind like numpy calls.

The other agc.nn functions are helpers agc reads (compiler/nn.py); these are
primitives (compiler/primitives/conv.py), found here by their qualified name
whichever way the model reached them (`agc.nn.conv2d`, `nn.conv2d` after
`from agc import nn`, or `conv2d` imported from agc.nn). A bias is added
after the convolution, laid along the channel axis.
"""

from __future__ import annotations

from .. import ir
from ..ir.prims import Prim
from . import numpy_names as calls

CONVS = (Prim.CONV1D, Prim.CONV2D)
# What to write instead of a computed option (frontend/calls.py's hints)
NN_HINTS = {name: f"write the {name} as a literal (an int, a tuple of ints{more}), e.g. {name}=1"
            for name, more in (("stride", ""), ("padding", ', "same" or "valid"'),
                               ("dilation", ""), ("groups", ""), ("kernel_size", ""),
                               ("output_size", ""))}


def nn_primitive(module: str | None, name: str) -> calls.CallSpec | None:
    """The call spec of agc.nn.NAME when it is a primitive, else None (a helper)."""
    if module != "agc.nn":
        return None
    return calls.FUNCTIONS.get(f"agc.nn.{name}")


def conv_with_bias(low, node, prim: Prim, atoms: list, params: dict, dest):
    """conv(x, w) + bias reshaped to (O, 1) / (O, 1, 1): its channels along axis -2 / -3."""
    x, w, bias = atoms
    if isinstance(bias, ir.Const) and bias.value is None:  # bias=None written out
        return low.emit_assign(dest, prim, [x, w], node, ir.Params.of(**params))
    y = low.emit_assign(None, prim, [x, w], node, ir.Params.of(**params))
    shape = (-1, 1) if prim is Prim.CONV1D else (-1, 1, 1)
    laid = low.emit_assign(None, Prim.RESHAPE, [bias, ir.Const(shape)], node)
    return low.emit_assign(dest, Prim.ADD, [y, laid], node)
