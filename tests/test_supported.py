"""docs/supported.md is `agc supported`'s output, and every function and Python construct
it lists has a test (refused constructs: refused, with the hint it lists)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import agc
import pytest
from agc.cli.main import main
from agc.cli.supported import _functions, render
from agc.frontend import constructs
from agc.frontend.numpy_names import METHODS
from differential.harness import output_seed

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


def _corpus_entries() -> dict:
    from differential.test_corpus import ENTRIES  # noqa: PLC0415 - the corpus loads jax

    return {e.name: e for e in ENTRIES}


def test_every_listed_construct_is_a_corpus_entry_agc_accepts():
    entries = _corpus_entries()
    for construct in constructs.SUPPORTED:
        entry = entries.get(construct.entry)
        assert entry is not None, f"{construct.name}: no corpus entry {construct.entry}"
        assert entry.expect == "ok" and not entry.xfail, construct.entry


@pytest.mark.parametrize("refused", constructs.REFUSED, ids=lambda r: r.entry)
def test_every_refused_construct_is_refused_with_its_hint(refused):
    entry = _corpus_entries()[refused.entry]
    assert entry.expect == "refused"
    args = entry.points()[0]
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(entry.fn, wrt=entry.wrt).value_and_grad(
            *copy.deepcopy(args), seed=output_seed(entry.fn(*copy.deepcopy(args))))
    assert caught.value.loc.line > 0 and refused.hint in (caught.value.hint or "")
