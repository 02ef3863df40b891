"""Errors users see from the decorator: location, source line, caret and hint.

Each rejected model marks its offending line with `# <-`; the error must
name that file, line and column, repeat the line, put a caret under the
construct, and say what to write instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import agc
import numpy as np
import pytest

MODELS = '''
import numpy as np

COUNT = 0


def print_call(x):
    print(x, file=None)  # <-
    return np.sum(x)


def try_statement(x):
    try:  # <-
        y = x * 2
    except ValueError:
        y = x
    return np.sum(y)


def with_statement(x):
    with open("data.txt") as handle:  # <-
        y = x * len(handle.name)
    return np.sum(y)


def lambda_expression(x):
    doubles = [lambda t: t * 2]  # <-
    return np.sum(x)


def set_comprehension(x):
    ys = {v * 2 for v in x}  # <-
    return np.sum(x)


def unknown_function(x):
    return np.sum(frobnicate(x))  # <-


def global_statement(x):
    global COUNT  # <-
    COUNT = COUNT + 1
    return np.sum(x)


def star_args_call(x):
    parts = (x, x)
    return np.sum(np.add(*parts))  # <-


def star_args_param(x, *rest):  # <-
    return np.sum(x)


def nested_def(x):
    if np.sum(x) > 0:
        def inner(t):  # <-
            return t
    return np.sum(x)


def raise_statement(x):
    if np.sum(x) > 100:
        raise ValueError("too big")  # <-
    return np.sum(x)


def vector_output(x):
    return x * 2
'''

# function -> the text the caret must sit under
CONSTRUCTS = {
    "print_call": "file=None",
    "try_statement": "try",
    "with_statement": "with",
    "lambda_expression": "lambda t: t * 2",
    "set_comprehension": "{v * 2 for v in x}",
    "unknown_function": "frobnicate",
    "global_statement": "global COUNT",
    "star_args_call": "*parts",
    "star_args_param": "*rest",
    "nested_def": "def inner",
    "raise_statement": "raise",
}
NO_HINT = "agc bug: no hint (what to write instead) for an unsupported {}"
HINT_XFAIL: dict[str, str] = {}


@pytest.fixture
def models(load_model):
    return load_model(MODELS, "models.py")


def _error(module, name) -> agc.UserCodeError:
    fn = agc.differentiate(getattr(module, name))
    with pytest.raises(agc.UserCodeError) as info:
        fn.grad(np.array([1.0, 2.0]))
    return info.value


def _marked(module, name) -> tuple[int, str]:
    lines = Path(module.__file__).read_text().splitlines()
    start = getattr(module, name).__code__.co_firstlineno
    number = next(i for i in range(start, len(lines) + 1) if "# <-" in lines[i - 1])
    return number, lines[number - 1]


LOC_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=LOC_XFAIL[n], strict=True))
    if n in LOC_XFAIL else n for n in sorted(CONSTRUCTS)])
def test_rejection_has_location_source_line_and_caret(models, name):
    err = _error(models, name)
    text = str(err)
    line, source = _marked(models, name)
    col = source.index(CONSTRUCTS[name])
    assert text.startswith(f"{models.__file__}:{line}:{col + 1}: error: "), text
    shown = text.splitlines()
    assert shown[1].strip() == source.strip()
    caret = shown[2]
    assert caret.strip() and set(caret.strip()) == {"^"}
    # the caret is under the construct, in the displayed (indented) line
    assert shown[1][caret.index("^"):].startswith(CONSTRUCTS[name]), text


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=HINT_XFAIL[n], strict=True))
    if n in HINT_XFAIL else n for n in sorted(CONSTRUCTS)])
def test_rejection_has_a_hint(models, name):
    err = _error(models, name)
    assert err.hint, str(err)
    assert str(err).splitlines()[-1].startswith("hint: ")


def test_rejection_is_raised_without_agc_traceback(models):
    err = _error(models, "try_statement")
    assert err.__cause__ is None and err.__suppress_context__


def test_unsupported_is_a_user_code_error(models):
    assert isinstance(_error(models, "try_statement"), agc.UnsupportedError)
    assert issubclass(agc.UserCodeError, agc.AgcError)


def test_non_scalar_output_grad_mentions_vjp(models):
    fn = agc.differentiate(models.vector_output)
    with pytest.raises((agc.AgcError, ValueError), match="vjp"):
        fn.grad(np.array([1.0, 2.0]))
    _, vjp = fn.vjp(np.array([1.0, 2.0]), seed=np.array([1.0, 3.0]))
    np.testing.assert_allclose(vjp, [2.0, 6.0])


def test_unknown_wrt_name_is_a_usage_error(models):
    with pytest.raises(agc.UsageError, match=re.escape("'w'")):
        agc.differentiate(models.vector_output, wrt="w")


def test_too_many_arguments_is_a_usage_error(models):
    fn = agc.differentiate(models.vector_output)
    with pytest.raises(agc.UsageError):
        fn.grad(np.ones(2), np.ones(2))


def test_function_without_source_is_a_usage_error():
    namespace = {"np": np}
    exec("def f(x):\n    return np.sum(x * x)\n", namespace)  # noqa: S102 (no source file)
    with pytest.raises(agc.UsageError, match="source"):
        agc.differentiate(namespace["f"]).grad(np.ones(2))


def test_a_numpy_error_in_emitted_code_names_the_model_line(load_model):
    """A broadcast failure inside the gradient code: the note points at the model's line."""
    module = load_model("""
        import numpy as np


        def loss(x, w, b):
            z = x @ w + b
            return np.mean(z ** 2)
    """, "shapes_model.py")
    diff = agc.differentiate(module.loss, wrt=("w", "b"))
    with pytest.raises(ValueError, match="could not be broadcast") as caught:
        diff.grad(np.ones((4, 3)), np.ones((3, 2)), np.ones(3))
    note = caught.value.__notes__[0].splitlines()
    assert note[:3] == ["shapes_model.py:5:5: in loss: z = x @ w + b",
                        "    z = x @ w + b", "    ^^^^^^^^^^^^^"]
    with pytest.raises(ValueError) as again:  # the compiled code is reused: the note too
        diff.value_and_grad(np.ones((4, 3)), np.ones((3, 2)), np.ones(3))
    assert len(again.value.__notes__) == 1 and "in loss: z = x @ w + b" in again.value.__notes__[0]
    with pytest.raises(ValueError) as forward:  # forward mode's code too
        diff.jvp(np.ones((4, 3)), np.ones((3, 2)), np.ones(3), tangents=(None, np.ones((3, 2))))
    assert "shapes_model.py:5:5: in loss: z = x @ w + b" in forward.value.__notes__[0]


def test_emitted_code_names_the_model_line_above_its_statements(load_model):
    module = load_model("""
        import numpy as np


        def loss(x, w):
            z = np.tanh(x @ w)
            return np.sum(z ** 2)
    """, "marked_model.py")
    source = agc.differentiate(module.loss, wrt="w").compiled_for((2, 1)).source
    lines = source.splitlines()
    first = lines.index("    # marked_model.py:5:5: z = np.tanh(x @ w)")
    assert lines[first + 1].strip().startswith("t1 = x @ w") or "xp.tanh" in lines[first + 1]
    assert "    # marked_model.py:6:5: return np.sum(z ** 2)" in lines


def test_yield_says_a_generator_has_no_single_value(load_model):
    module = load_model("""
        import numpy as np


        def gen(x):
            yield np.sum(x)
    """)
    with pytest.raises(agc.UserCodeError, match=r"`yield` \(a generator function") as caught:
        agc.grad(module.gen)(np.ones(2))
    assert caught.value.loc.line == 5 and "return the value instead" in caught.value.hint


def test_a_lambda_says_to_write_a_def():
    with pytest.raises(agc.UsageError, match=r"functions written with `def`: a lambda"):
        agc.grad(lambda x: x ** 2)(1.0)


@pytest.mark.parametrize("fn", [np.sin, np.add, len], ids=["np.sin", "np.add", "len"])
def test_a_library_function_says_to_call_it_from_a_def(fn):
    with pytest.raises(agc.UsageError, match=r"is not a Python function agc can read.*def f\(x\)"):
        agc.differentiate(fn)


def test_a_function_made_by_exec_says_to_put_it_in_a_file():
    scope: dict = {}
    exec("def g(x):\n    return x * 2", scope)  # noqa: S102 - what an interactive prompt makes
    with pytest.raises(agc.UsageError, match=r"interactive prompt or made with exec\(\)\. "
                                             r"Put it in a file \(or a notebook cell\)"):
        agc.grad(scope["g"])(1.0)


def test_calling_the_decorated_function_runs_the_original(models):
    fn = agc.differentiate(models.try_statement)
    assert fn(np.array([1.0, 2.0])) == 6.0  # unsupported for agc, still callable


@pytest.mark.parametrize("name", ["xp", "rt"])
def test_a_variable_named_like_emitted_codes_modules_is_refused_at_its_line(load_model, name):
    """Regression: `xp = np.sin(x)` hid the emitted code's array module (AttributeError)."""
    module = load_model(f"""
        import numpy as np


        def f(x):
            {name} = np.sin(x)
            return np.sum({name} * x)
    """, "clash_model.py")
    with pytest.raises(agc.UserCodeError) as caught:
        agc.differentiate(module.f).grad(np.array([0.5, 1.0]))
    message = str(caught.value)
    assert f"clash_model.py:5:5: error: a variable named `{name}` would hide" in message
    assert f"hint: rename `{name}`" in message
