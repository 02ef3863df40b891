"""Golden source tests: for each model in tests/golden/, `agc compile` emits exactly
tests/golden/<name>_grad.py, byte for byte.

A compiler change that alters emitted code makes these fail on purpose: read
the diff, and if the new code is right, regenerate with

    AGC_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

and review the changed files. The checked-in modules are also run, and their
gradients compared with finite differences, and linted with ruff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from agc import cli
from gradcheck import import_file, numeric_grad

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("AGC_REGEN_GOLDEN") == "1"


def _rng():
    return np.random.default_rng(2024)


# name -> (argument sets, wrt); each model file defines a function of that name.
MODELS = {
    "linear": ([(_rng().uniform(-1, 1, (6, 3)), _rng().uniform(-1, 1, 6),
                 np.array([0.3, -0.2, 0.5]), 0.1)], ("w", "b")),
    "tanh_layer": ([(_rng().uniform(-1, 1, (5, 3)), _rng().uniform(-1, 1, (3, 2)),
                     np.array([0.1, -0.3]))], ("W", "b")),
    "while_if": ([(np.array([0.5, 1.0, 1.5]),), (np.array([-0.4, 0.1, -0.2]),)], ("a",)),
    "euler": ([(1.0, 0.0, 2.0, 0.3), (0.5, -0.2, 1.0, 0.1)], ("k", "c")),
    "descent": ([(np.array([0.8, -0.5, 0.3]), np.array([1.0, 0.5, 2.0]))], ("x0", "k")),
    "rk4": ([(_rng().uniform(-1, 1, 4), _rng().uniform(0.5, 1.5, 4))], ("x", "p")),
    "for_break": ([(np.array([0.5, 0.7, -0.4, 0.9]),), (np.array([0.5, 0.7, 0.4, 0.9]),)],
                  ("x",)),
}
VALUE_XFAIL: dict[str, str] = {}


def emitted(name: str, capsys) -> str:
    """What `agc compile tests/golden/<name>.py` prints."""
    capsys.readouterr()
    code = cli.main(["compile", str(GOLDEN / f"{name}.py")])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_emitted_source_matches_golden_file(name, capsys):
    text = emitted(name, capsys)
    golden = GOLDEN / f"{name}_grad.py"
    if REGEN:
        golden.write_bytes(text.encode("utf-8"))
    assert golden.exists(), f"missing {golden}; run with AGC_REGEN_GOLDEN=1 to create it"
    assert text.encode("utf-8") == golden.read_bytes(), (
        f"agc compile {name}.py no longer emits {golden.name}; if the change is intended, "
        "regenerate with AGC_REGEN_GOLDEN=1 and review the diff")


def test_every_golden_file_has_a_model():
    stale = {p.name for p in GOLDEN.glob("*_grad.py")} - {f"{n}_grad.py" for n in MODELS}
    assert not stale


def _load(name):
    model = import_file(GOLDEN / f"{name}.py", f"golden_model_{name}")
    grad_module = import_file(GOLDEN / f"{name}_grad.py", f"golden_grad_{name}")
    return getattr(model, name).fn, getattr(grad_module, f"{name}_value_and_grad")


def _cases(xfails=None):
    for name, (arg_sets, _) in sorted(MODELS.items()):
        marks = ([pytest.mark.xfail(reason=xfails[name], strict=True)]
                 if xfails and name in xfails else [])
        for i, args in enumerate(arg_sets):
            yield pytest.param(name, args, id=f"{name}-{i}", marks=marks)


@pytest.mark.parametrize("name, args", list(_cases()))
def test_golden_module_gradients_match_finite_differences(name, args):
    fn, value_and_grad = _load(name)
    wrt = MODELS[name][1]
    _, grads = value_and_grad(*args)
    grads = (grads,) if len(wrt) == 1 else grads
    params = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    for wname, got in zip(wrt, grads):
        expected = numeric_grad(fn, args, params.index(wname))
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7, err_msg=wname)


@pytest.mark.parametrize("name, args", list(_cases(VALUE_XFAIL)))
def test_golden_module_value_is_the_function_value(name, args):
    fn, value_and_grad = _load(name)
    value, _ = value_and_grad(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-13)


def _ruff() -> str | None:
    here = Path(sys.executable).with_name("ruff")
    return str(here) if here.exists() else shutil.which("ruff")


@pytest.mark.skipif(_ruff() is None, reason="ruff is not installed")
def test_golden_modules_pass_ruff():
    files = [str(GOLDEN / f"{name}_grad.py") for name in sorted(MODELS)]
    result = subprocess.run([_ruff(), "check", "--no-cache", *files], capture_output=True,
                            text=True, cwd=Path(__file__).parent.parent, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
