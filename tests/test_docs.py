"""Every ```python block in docs/*.md and README.md runs, and docs/api.md lists the API.

Each block is written to its own file and run with runpy (agc reads function
source with inspect, so code must live in a real file), from a temporary
folder. Blocks meant only for reading are fenced ```text instead.
"""

from __future__ import annotations

import pathlib
import re
import runpy

import agc
import pytest
from agc.frontend import numpy_names

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(path: pathlib.Path) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block of a markdown file."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


BLOCKS = [pytest.param(path, line, code, id=f"{path.name}:{line}")
          for path in DOCS if path.exists() for line, code in python_blocks(path)]


@pytest.mark.parametrize(("path", "line", "code"), BLOCKS)
def test_code_block_runs(path, line, code, tmp_path, monkeypatch, capsys):
    """The block runs as a script without raising."""
    monkeypatch.chdir(tmp_path)
    script = tmp_path / f"{path.stem.replace('-', '_')}_line{line}.py"
    script.write_text(code, encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")


def test_the_docs_have_code_blocks():
    """The block finder still finds blocks (a changed fence would silently run none)."""
    assert len(BLOCKS) >= 10


def _api_text() -> str:
    return (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def test_api_reference_names_every_public_name():
    """docs/api.md has a heading for each name in agc.__all__, agc.nn and agc.optim."""
    text = _api_text()
    names = [n for n in agc.__all__ if n not in ("nn", "optim")]
    names += [f"nn.{n}" for n in agc.nn.__all__] + [f"optim.{n}" for n in agc.optim.__all__]
    missing = [n for n in names if not re.search(rf"^#+ .*`(agc\.)?{re.escape(n)}\b", text, re.MULTILINE)]
    assert not missing, f"docs/api.md has no heading for {missing}"


def test_api_reference_lists_every_supported_numpy_function():
    """agc's error for an unknown call points at docs/api.md: the list there must be whole."""
    text = _api_text()
    numpy_functions = [q.removeprefix("numpy.") for q in numpy_names.FUNCTIONS if q.startswith("numpy.")]
    missing = [n for n in numpy_functions if f"`{n}`" not in text]
    assert not missing, f"docs/api.md does not list np.{missing}"
    missing_methods = [m for m in numpy_names.METHODS if f"`.{m}`" not in text]
    assert not missing_methods, f"docs/api.md does not list the methods {missing_methods}"
