"""The numba target and module-level values read as `module.NAME`.

`agc compile --target numba` of a model reading a module-level array, list or dict:

The emitted file read it as `model.OFFS`, which numba compiles in as a constant: a write
into the array (or a new value) after the first call was silently ignored, a stale
gradient. The decorator's numba target refuses such a read (numba_live.py); the CLI now
refuses it too, at the model line. A module-level number is embedded in the file, and
the numpy target reads the array at call time.

`target="numba"` on a model calling a helper from another module that reads that
module's number (`x + RATE * x` in `lib`): rebinding `lib.RATE` compiled again, but to
the same text, and the machine code built with the old value ran, a stale gradient.
The numbers read as `lib.NAME` now name the emitted module's file as the model's own do.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import agc
import numpy as np
import pytest
from gradcheck import import_file

pytest.importorskip("numba")
pytestmark = pytest.mark.usefixtures("own_agc_cache")  # conftest.py: AGC_CACHE_DIR

MODEL = textwrap.dedent("""\
    import numpy as np

    OFFS = np.array([0.1, -0.2, 0.3])
    TABLE = {"a": 1.5}
    SCALE = 2.5


    def shifted(x):
        return np.sum((x - OFFS) ** 2)


    def looked_up(x):
        return TABLE["a"] * np.sum(x ** 2)


    def scaled(x):
        return SCALE * np.sum(x ** 2)
    """)


def compile_model(tmp_path, function: str, target: str) -> subprocess.CompletedProcess:
    """`agc compile model.py --function F --target T -o F_grad.py` in tmp_path."""
    model = tmp_path / "hunt4_model.py"
    model.write_text(MODEL)
    return subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model), "--function",
                           function, "--target", target, "-o", str(tmp_path / f"{function}_grad.py")],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("function", "where", "name"), [
    ("shifted", "hunt4_model.py:9:20:", "hunt4_model.OFFS"),
    ("looked_up", "hunt4_model.py:13:12:", "hunt4_model.TABLE"),
])
def test_numba_target_refuses_module_arrays_and_dicts(tmp_path, function, where, name):
    done = compile_model(tmp_path, function, "numba")
    assert done.returncode != 0
    assert where in done.stderr and f"module-level value {name}" in done.stderr
    assert "^" in done.stderr and not (tmp_path / f"{function}_grad.py").exists()


def test_numba_target_embeds_a_module_number(tmp_path):
    done = compile_model(tmp_path, "scaled", "numba")
    assert done.returncode == 0, done.stderr
    assert "SCALE = 2.5" in (tmp_path / "scaled_grad.py").read_text()


def test_numpy_target_reads_the_array_at_call_time(tmp_path):
    assert compile_model(tmp_path, "shifted", "numpy").returncode == 0
    sys.path.insert(0, str(tmp_path))
    try:
        model = import_file(tmp_path / "hunt4_model.py", "hunt4_model")
        emitted = import_file(tmp_path / "shifted_grad.py", "hunt4_shifted_grad")
        x = np.array([1.0, 2.0, 3.0])
        np.testing.assert_allclose(emitted.shifted_grad(x), 2 * (x - model.OFFS))
        model.OFFS[0] = 5.0  # a write in place: the next gradient sees it
        np.testing.assert_allclose(emitted.shifted_grad(x), [-8.0, 4.4, 5.4])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("hunt4_model", None)


HELPER = textwrap.dedent("""\
    RATE = 0.5


    def rated(x):
        return x * x + RATE * x
    """)


def test_numba_target_sees_a_rebound_helper_module_number(tmp_path):
    (tmp_path / "hunt4_rate_lib.py").write_text(HELPER)
    sys.path.insert(0, str(tmp_path))
    try:
        lib = import_file(tmp_path / "hunt4_rate_lib.py", "hunt4_rate_lib")
        globals()["hunt4_rate_lib"] = lib  # the model reads it as a module global
        f = agc.differentiate(model_of_rated, target="numba")
        x = np.array([0.3, -0.2, 0.5])
        for rate in (0.5, 2.0, -1.25):
            lib.RATE = rate
            want = 2 * (x * x + rate * x) * (2 * x + rate)
            np.testing.assert_allclose(f.grad(x), want, rtol=1e-12)
            np.testing.assert_allclose(agc.grad(model_of_rated)(x), want, rtol=1e-12)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("hunt4_rate_lib", None)
        globals().pop("hunt4_rate_lib", None)


def model_of_rated(x):
    return np.sum(hunt4_rate_lib.rated(x) ** 2)  # noqa: F821 - imported by the test
