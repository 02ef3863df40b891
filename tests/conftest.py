"""Shared fixtures: model files written to tmp_path and imported for real.

agc reads a function's source with `inspect.getsource`, so models under test
must live in real files; `load_model(source)` writes one and imports it.
"""

from __future__ import annotations

import itertools
import os
import sys
import textwrap

import numpy as np
import pytest
from gradcheck import import_file

_counter = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def _agc_checks():
    """Every compile in the tests validates the IR after every pass (see compiler/ir/validate.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AGC_CHECKS", "1")
        yield


@pytest.fixture(scope="module")
def own_agc_cache(tmp_path_factory):
    """AGC_CACHE_DIR (the emitted numba modules and numba's cache of them) in a directory
    of the test run's own, for a module's tests (`pytest.mark.usefixtures`)."""
    before = os.environ.get("AGC_CACHE_DIR")
    os.environ["AGC_CACHE_DIR"] = str(tmp_path_factory.mktemp("agc-cache"))
    yield
    if before is None:
        del os.environ["AGC_CACHE_DIR"]
    else:
        os.environ["AGC_CACHE_DIR"] = before


@pytest.fixture
def load_model(tmp_path):
    """load_model(source, filename="model.py"): write the source and import it."""
    names = []

    def load(source: str, filename: str | None = None):
        filename = filename or f"model_{next(_counter)}.py"
        path = tmp_path / filename
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        module = import_file(path)
        names.append(module.__name__)
        return module

    yield load
    for name in names:
        sys.modules.pop(name, None)


@pytest.fixture
def rng():
    """A seeded random generator (the same numbers on every run)."""
    return np.random.default_rng(1234)
