"""How agc's text shows in a notebook: emitted source highlighted as Python."""

from __future__ import annotations

import os
import re

# ipykernel keeps each cell's code in a file like /tmp/ipykernel_4242/1234567.py
_NOTEBOOK_CELL = re.compile(r"ipykernel_\d+")


class SourceText(str):
    """Emitted source code: a str that Jupyter shows as highlighted Python."""

    def _repr_markdown_(self) -> str:
        return f"```python\n{self}\n```"


def source_name(path: str) -> str:
    """The model's file name for the emitted header: `model.py`, or `a notebook cell`."""
    if _NOTEBOOK_CELL.search(path):
        return "a notebook cell"
    return os.path.basename(path)
