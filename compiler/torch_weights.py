"""PyTorch `state_dict`s as agc parameter trees (`agc.nn.load_torch_state_dict`).

A torch module names its tensors by dotted paths (`layer1.0.conv1.weight`);
the tree mirrors them: a dict per name, a list where the names are the
positions 0, 1, ... of an `nn.Sequential` or `nn.ModuleList`. Batch norm's
buffers go to a second tree of the same shape, so a model can take
`(params, state)` and differentiate with respect to `params` alone.
torch is not imported: anything with `.detach()` (a tensor) or an array works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["load_torch_state_dict"]

# Buffers, not parameters: running statistics go to `state`, the batch counter is dropped
# (agc's batch_norm takes `momentum`, as torch does unless momentum=None).
_STATE_NAMES = ("running_mean", "running_var")
_DROPPED = ("num_batches_tracked",)


def load_torch_state_dict(state_dict: Any, dtype: Any = None) -> tuple[Any, Any]:
    """(params, state) trees from a torch `state_dict`, names as torch's, arrays as numpy.

    `params` holds the parameters (`conv1.weight` -> params["conv1"]["weight"],
    `layer1.0.bn1.bias` -> params["layer1"][0]["bn1"]["bias"]); `state` holds batch
    norm's `running_mean` / `running_var` at the same places. A list position that
    holds nothing in one tree (a convolution in `state`) is an empty dict. `dtype`
    casts every array (default: the tensor's own dtype).
    """
    params: dict = {}
    state: dict = {}
    for name, value in state_dict.items():
        *path, leaf = name.split(".")
        if leaf in _DROPPED:
            continue
        tree = state if leaf in _STATE_NAMES else params
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = _to_numpy(value, dtype)
    return _lists(params), _lists(state)


def _to_numpy(value: Any, dtype: Any) -> np.ndarray:
    """A tensor (any device) or array-like as a numpy array of `dtype`, copied."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.array(value, dtype=dtype)


def _lists(node: Any) -> Any:
    """Dicts keyed by positions ("0", "1", ...) as lists, empty dicts where one is missing."""
    if not isinstance(node, dict):
        return node
    children = {key: _lists(child) for key, child in node.items()}
    if children and all(key.isdigit() for key in children):
        return [children.get(str(i), {}) for i in range(max(map(int, children)) + 1)]
    return children
