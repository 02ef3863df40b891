"""The numba target's emitted module kept on disk (compiler/emitted_cache.py): a second
process skips agc's compile (and the libcst and sympy imports), and compiles again where
the model, a helper or a constant it reads changed, or the cache file is corrupt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")
pytestmark = pytest.mark.usefixtures("own_agc_cache")  # conftest.py: AGC_CACHE_DIR

HELPER = "def step(x, a):\n    return x + RATE * a * x\n\nRATE = 0.1\n"
MODEL = """\
import agc
from cache_helper import step

SCALE = 2.0


def euler(x0, a):
    x = x0
    for i in range(3):
        x = step(x, a)
    return x * SCALE


@agc.differentiate(wrt=("x0", "a"), target="numba")
def decorated(x0, a):
    return euler(x0, a)
"""
RUN = """\
import json, sys
import agc
import cache_model
grad = agc.grad(cache_model.euler, wrt=(0, 1), target="numba")(1.0, 0.5)
assert cache_model.decorated.grad(1.0, 0.5) == grad
print(json.dumps([list(grad), "libcst" in sys.modules, "sympy" in sys.modules]))
"""


def expected(rate: float, scale: float, x0: float = 1.0, a: float = 0.5) -> list[float]:
    """The gradient of euler: x = x0 (1 + rate a)^3, scaled."""
    factor = 1 + rate * a
    return [factor ** 3 * scale, 3 * factor ** 2 * rate * x0 * scale]


@pytest.fixture
def run(tmp_path):
    """run(): a fresh process's (gradient, whether it loaded libcst, whether sympy)."""
    (tmp_path / "cache_helper.py").write_text(HELPER)
    (tmp_path / "cache_model.py").write_text(MODEL)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}

    def go():
        out = subprocess.run([sys.executable, "-c", RUN], cwd=tmp_path, env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out.splitlines()[-1])
    return go


def test_a_second_process_loads_the_emitted_module_without_the_compiler(run):
    grad, libcst, sympy = run()
    assert grad == pytest.approx(expected(0.1, 2.0), rel=1e-12) and libcst and sympy
    assert run() == [grad, False, False]


def test_a_changed_helper_or_constant_compiles_again(run, tmp_path):
    run()
    (tmp_path / "cache_helper.py").write_text(HELPER.replace("x + RATE", "x + 2 * RATE"))
    grad, libcst, _ = run()
    assert grad == pytest.approx(expected(0.2, 2.0), rel=1e-12) and libcst
    (tmp_path / "cache_model.py").write_text(MODEL.replace("SCALE = 2.0", "SCALE = 3.0"))
    grad, libcst, _ = run()
    assert grad == pytest.approx(expected(0.2, 3.0), rel=1e-12) and libcst
    assert run() == [grad, False, False]


def test_a_corrupt_cache_file_is_ignored_and_written_again(run):
    grad = run()[0]
    entries = list((Path(os.environ["AGC_CACHE_DIR"]) / "numba" / "emitted").glob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:40])  # a write cut short
    assert run() == [grad, True, True]
    assert run() == [grad, False, False]
