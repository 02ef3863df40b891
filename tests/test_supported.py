"""docs/supported.md is `agc supported`'s output, and every function it lists has a test."""

from __future__ import annotations

import re
from pathlib import Path

from agc.cli.main import main
from agc.cli.supported import _functions, render
from agc.frontend.numpy_names import METHODS

ROOT = Path(__file__).resolve().parents[1]
TESTS = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("*.py"))


def test_supported_md_is_current():
    assert (ROOT / "docs" / "supported.md").read_text() == render(), (
        "docs/supported.md is stale: run `agc supported -o docs/supported.md`")


def _used(name: str, method: bool = False) -> bool:
    last = name.rsplit(".", 1)[-1]
    pattern = rf"\.{re.escape(last)}\(" if method else rf"(^|[^\w]){re.escape(last)}\("
    return re.search(pattern, TESTS, re.MULTILINE) is not None


def test_every_listed_function_is_used_by_a_test():
    missing = [n for n in _functions() if not _used(n)]
    missing += [f"x.{n}()" for n in METHODS if not _used(n, method=True)]
    assert not missing, f"listed in docs/supported.md but used by no test: {missing}"


def test_agc_supported_prints_or_writes_the_table(tmp_path, capsys):
    assert main(["supported"]) == 0
    printed = capsys.readouterr().out
    assert printed == render() and "| `numpy.einsum` |" in printed
    out = tmp_path / "supported.md"
    assert main(["supported", "-o", str(out)]) == 0
    assert out.read_text() == printed
