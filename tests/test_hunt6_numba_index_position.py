"""The numba target refuses `None` and `...` in an index at the model line.

numba indexes with neither; agc raised the refusal with no position (`<unknown>:0:1`)
where every other numba refusal names the model line.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest

pytest.importorskip("numba")


def broadcast_column(m):
    return np.sum(m[..., None] * np.ones(2))


def test_index_with_none_is_refused_at_the_model_line():
    f = agc.differentiate(broadcast_column, target="numba")
    with pytest.raises(agc.UnsupportedError) as err:
        f.grad(np.ones((3, 4)))
    text = str(err.value)
    assert "does not index with None" in text
    assert f"{__file__}:17:19" in text
    assert "m[..., None]" in text
