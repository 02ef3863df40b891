"""The numba target (`target="numba"`): values and gradients equal to the numpy target's.

numba compiles each function in about a second, so the suite runs a
representative subset of the corpora (`SUBSET`). With AGC_NUMBA_FULL=1 every
entry of tests/corpus_straight.py, tests/corpus_control.py and the
differential corpora runs: an entry passes (numba equals numpy, float64 and
float32), or is refused with agc's positioned error (outside what the target
covers); anything else fails.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import subprocess
import sys
import warnings

import agc
import numpy as np
import pytest
from corpus_control import CASES as CONTROL
from corpus_straight import CASES as STRAIGHT

pytest.importorskip("numba")  # the `test` extra installs it: skipped only outside it
pytestmark = pytest.mark.usefixtures("own_agc_cache")  # conftest.py

FULL = os.environ.get("AGC_NUMBA_FULL") == "1"
SUBSET = {"euler_spring", "while_with_inner_if", "if_elif_else", "for_row_in_matrix",
          "rnn", "mlp", "for_break", "for_range_start_step", "var_first_defined_in_loop",
          "while_true_then_unreachable_return"}
FLOAT32 = {"euler_spring", "rnn", "mlp"}




def _entries():
    """(id, fn, argument tuples, wrt) of every corpus entry the numba target is run on."""
    for case in STRAIGHT + CONTROL:
        if FULL or case.name in SUBSET:
            yield case.name, case.fn, case.args_list, case.wrt or None
    if not FULL:
        return
    from differential import test_corpus  # noqa: PLC0415 - jax: only the full mode needs it

    for entry in test_corpus.ENTRIES:
        if entry.expect == "ok" and entry.xfail is None and not entry.phases[1:]:
            module = entry.fn.__module__.rpartition(".")[2]
            yield f"{module}.{entry.name}", entry.fn, entry.points(), entry.wrt


def _flat(grads):
    return grads if isinstance(grads, tuple) else (grads,)


def _same(got, want, rtol: float):
    """numba's (value, gradients) equal numpy's, with numpy's shapes and dtypes."""
    np.testing.assert_allclose(np.asarray(got[0], np.float64), np.asarray(want[0], np.float64),
                               rtol=rtol, atol=rtol)
    for a, b in zip(_flat(got[1]), _flat(want[1]), strict=True):
        assert np.shape(a) == np.shape(b)
        if np.ndim(b):  # a number's gradient: its float width follows what it met (see docs)
            assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                   rtol=rtol, atol=rtol)


def _agree(numba_vg, numpy_vg, args: tuple, rtol: float) -> None:
    """numba's result equals numpy's, or both raise the same kind of error."""
    try:
        want = numpy_vg(*copy.deepcopy(args))
    except (ValueError, TypeError) as err:  # a vector output without a seed, ...
        with pytest.raises(type(err)):
            numba_vg(*copy.deepcopy(args))
        return
    _same(numba_vg(*copy.deepcopy(args)), want, rtol)


def _float32(args: tuple) -> tuple:
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                 for a in args)


@pytest.mark.parametrize("name, fn, points, wrt", [pytest.param(*e, id=e[0]) for e in _entries()])
def test_numba_equals_numpy(name, fn, points, wrt):
    numpy_vg = agc.value_and_grad(fn, wrt)
    numba_vg = agc.value_and_grad(fn, wrt, target="numba")
    try:
        for args in points:
            _agree(numba_vg, numpy_vg, args, 1e-9)
        if FULL or name in FLOAT32:
            _agree(numba_vg, numpy_vg, _float32(points[0]), 2e-5)
    except agc.UserCodeError as err:
        if not FULL:
            raise
        assert ":" in str(err).splitlines()[0] and "numpy" in str(err)  # positioned, with hint
        pytest.skip(f"refused by the numba target: {str(err).splitlines()[0]}")


def test_the_subset_names_corpus_entries():
    assert SUBSET <= {c.name for c in STRAIGHT + CONTROL}


# ---------------------------------------------------------------- errors and fallbacks
def sorted_product(x):
    y = np.sort(x)  # rt.sort_grad has no nopython version
    return np.sum(y * x)


def running_max(x):
    best = 0.0
    for i in range(3):
        best = max(best, x[i])
    return best * best


def test_a_helper_numba_lacks_is_refused_at_its_model_line():
    with pytest.raises(agc.UnsupportedError) as err:
        agc.grad(sorted_product, target="numba")(np.ones(3))
    text = str(err.value)
    assert "test_numba_target.py:" in text and "np.sort(x)" in text and "^" in text
    assert "target='numpy'" in text


def test_a_numba_typing_error_names_the_model_line():
    """numba's TypingError at the first call becomes agc's error, never numba's traceback."""
    with pytest.raises(agc.UnsupportedError) as err:
        agc.grad(running_max, target="numba")(np.array([0.5, 2.0, 1.0]))
    text = str(err.value)
    assert "test_numba_target.py:" in text and "numba cannot compile" in text
    assert "target='numpy'" in text and "Traceback" not in text


def test_auto_falls_back_to_numpy_with_a_warning():
    with pytest.warns(UserWarning, match="falls back to numpy"):
        g = agc.grad(sorted_product, target="auto")(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0])
    with pytest.warns(UserWarning, match="falls back to numpy"):
        g = agc.grad(running_max, target="auto")(np.array([0.5, 2.0, 1.0]))
    np.testing.assert_allclose(g, [0.0, 4.0, 0.0])


def test_auto_uses_numba_where_it_applies():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = agc.grad(running_sum_of_squares, target="auto")
        np.testing.assert_allclose(g(np.array([1.0, 2.0])), [2.0, 4.0])
    assert "@numba.njit(cache=True, boundscheck=True)" in agc.differentiate(
        running_sum_of_squares, target="auto").compiled_for((1,)).source


def rounded(x, s: float):
    return np.sum(x) * round(s, 1)


def test_an_assertion_inside_numba_typing_is_refused():
    """numba's typing asserts on round()'s keyword (not a NumbaError): still agc's error."""
    with pytest.raises(agc.UnsupportedError, match="numba cannot compile"):
        agc.grad(rounded, target="numba")(np.array([0.26, 0.5]), 0.26)


def test_an_unknown_target_is_a_usage_error():
    with pytest.raises(agc.UsageError, match="target="):
        agc.grad(sorted_product, target="jax")


# ---------------------------------------------------------------- regressions
def running_sum_of_squares(x):
    s = 0.0
    for i in range(x.shape[0]):
        t = x[i] * x[i]  # t is unbound before the loop: its tape records after each write
        s = s + t
    return s


def halving(x: float):
    s = 0.0
    while x > 0.1:
        if x > 1.0:
            x = x * 0.5
        elif x > 0.5:  # an elif's decision: numba cannot type `elif (t := c)`
            x = x - 0.3
        else:
            x = x - 0.2
        s = s + x * x
    return s


def strided(x):
    s = 0.0
    for i in range(1, x.shape[0], 2):  # reversed with a start and a step, without reversed()
        s = s + x[i] * s + x[i]
    return s


def builtin_max_min(x, t: float):
    # max's cotangent is np.where on numbers, a 0-d array under numba: sum_grad read
    # past it (garbage and nan in x's gradient) before _spread took it as one number
    return max(np.sum(x), t) + min(t, 2.0) * t


@pytest.mark.parametrize("fn, args", [(builtin_max_min, (np.array([0.2, -0.1, 0.4]), 0.1)),
                                      (running_sum_of_squares, (np.array([1.0, -2.0, 3.0]),)),
                                      (halving, (3.0,)), (halving, (0.9,)),
                                      (strided, (np.arange(1.0, 8.0),))])
def test_regressions(fn, args):
    _same(agc.value_and_grad(fn, target="numba")(*args), agc.value_and_grad(fn)(*args), 1e-12)


CONSTANTS = """
import numpy as np

A = np.array([1.0, 2.0])
S = 3.0


def weighted(x):
    return np.sum(A * x)


def scaled(x):
    return np.sum(x * x) * S
"""


def test_a_module_level_array_is_refused(load_model):
    """numba compiles a global array in as a constant: a later write into it would be
    silently ignored (it was, before this refusal)."""
    model = load_model(CONSTANTS)
    with pytest.raises(agc.UnsupportedError, match="module-level ndarray A") as err:
        agc.grad(model.weighted, target="numba")(np.ones(2))
    assert "def weighted(x):" in str(err.value)
    g = agc.grad(model.weighted, target="auto")
    with pytest.warns(UserWarning, match="falls back to numpy"):
        np.testing.assert_allclose(g(np.ones(2)), [1.0, 2.0])
    model.A[0] = 10.0
    np.testing.assert_allclose(g(np.ones(2)), [10.0, 2.0])


def test_a_changed_module_level_number_compiles_again(load_model):
    model = load_model(CONSTANTS)
    g = agc.grad(model.scaled, target="numba")
    np.testing.assert_allclose(g(np.ones(2)), [6.0, 6.0])
    model.S = 1.0
    np.testing.assert_allclose(g(np.ones(2)), [2.0, 2.0])


# ---------------------------------------------------------------- the CLI
MODEL = '''import numpy as np


def euler(x0, k: float, n: int):
    x = x0
    for i in range(n):
        x = x + 0.01 * (-k * x * x)
    return np.sum(x)
'''


def test_agc_compile_target_numba_writes_njit_functions(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(MODEL)
    out = tmp_path / "model_grad.py"
    subprocess.run([sys.executable, "-m", "agc.cli", "compile", str(model), "--function", "euler",
                    "--target", "numba", "-o", str(out)], check=True, capture_output=True)
    text = out.read_text()
    assert text.count("@numba.njit(cache=True") == 2 and "rt." not in text
    assert "@numba.njit(cache=True, boundscheck=True, inline='always')\ndef euler_value_and_grad_float64" in text
    assert "\neuler_grad = float32_in_float64(euler_grad_float64, (0,), False)\n" in text
    namespace: dict = {}
    exec(compile(text, str(out), "exec"), namespace)  # noqa: S102 - the file just emitted
    x0 = np.array([0.5, 0.2])
    g = namespace["euler_grad"](x0, 1.0, 50)
    np.testing.assert_allclose(g, agc.grad(euler_of(model))(x0, 1.0, 50))


def euler_of(path):
    spec = importlib.util.spec_from_file_location("numba_cli_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.euler


def typed_branch(x):
    if isinstance(x, np.ndarray):  # numba crashed on this (an AttributeError in its passes)
        return np.sum(x * 2)
    return np.sum(x)


def printed(x):
    y = np.sum(x ** 2)
    print(f"loss={y:.3f}")  # numba formats no spec, and would print float32 as float64
    return y


@pytest.mark.parametrize("fn, line", [(typed_branch, "if isinstance(x, np.ndarray):"),
                                      (printed, 'print(f"loss={y:.3f}")')])
def test_builtins_numba_runs_differently_are_refused_at_their_line(fn, line):
    with pytest.raises(agc.UnsupportedError) as err:
        agc.grad(fn, target="numba")(np.ones(3))
    text = str(err.value)
    assert "test_numba_target.py:" in text and line in text and "target='numpy'" in text
    with pytest.warns(UserWarning, match="falls back to numpy"):
        np.testing.assert_allclose(agc.grad(fn, target="auto")(np.ones(3)), [2.0, 2.0, 2.0])


def test_the_module_file_is_named_by_the_helpers_too(monkeypatch):
    """numba's cache checks only the emitted module's file: with the same text after
    numba_helpers.py changed, the old machine code (old helpers) ran. The file's name
    now hashes the helpers too."""
    from agc import numba_live  # noqa: PLC0415 - imports numba: only where it is installed

    source = "import numba\n\n\n@numba.njit(cache=True)\ndef f(x):\n    return x + 1.0\n"
    first = numba_live.load_numba(source, "f", {})
    monkeypatch.setattr(numba_live, "_helpers_digest", lambda: "changed helpers")
    second = numba_live.load_numba(source, "f", {})
    assert first["__name__"] != second["__name__"] and second["f"](1.0) == 2.0


def swapping_pair(s, w):
    a, b = s
    for _ in range(3):
        a, b = b * w, a + 0.1 * b
    return a * b


def test_unpacking_checks_the_count_as_python_does():
    """`a, b = s` with 3 entries raised nothing and used the first two (both targets)."""
    grad = agc.grad(swapping_pair, target="numba")
    s = np.array([0.3, 0.7])
    np.testing.assert_allclose(grad(s, 1.1), agc.grad(swapping_pair)(s, 1.1), rtol=1e-12)
    with pytest.raises(ValueError, match="too many values to unpack"):
        grad(np.array([0.3, 0.7, 0.1]), 1.1)
