"""Issue 12, bugs 1 and 2: names that share one array, views, and lists written in place.

Each model runs under numpy for the expected value (on a copy of its inputs:
numpy writes them) and under central differences for the expected gradient;
what agc cannot follow must be refused at the write, with a hint.
"""

from __future__ import annotations

import agc
import numpy as np
import pytest
from agc.errors import UserCodeError
from gradcheck import code_only, import_source, numeric_grad

MODELS = '''
import numpy as np


def alias_aug(x):
    y = x
    y += 1
    return np.sum(x * y)


def alias_aug_in_loop(x):
    y = x
    s = 0.0
    for i in range(3):
        y *= 1.5
        s = s + np.sum(x * np.sin(y))
    return s


def alias_aug_in_branch(x):
    y = x
    if np.sum(x) > 0:
        y += 2.0
    else:
        y -= 1.0
    return np.sum(x ** 2) + np.sum(y)


def alias_setitem(x):
    a = np.zeros(3)
    b = a
    b[0] = 2 * x[0]
    return np.sum(a * x)


def view_slice(x):
    y = x * 1.0
    v = y[1:]
    v[0] = 10 * x[0]
    return np.sum(y * x)


def view_read_before(x):
    y = np.sin(x)
    v = y[1:]
    s = np.sum(y * y)
    v[0] = 10 * x[0]
    return s + np.sum(y * x)


def view_aug(x):
    y = x * 2.0
    v = y[:2]
    v += x[1:] ** 2
    return np.sum(y * x) + np.sum(v)


def view_taken_again(x):
    y = x * 2.0
    v = y[1:]
    y[2] = x[0] ** 3
    return np.sum(v * x[:2])


def row_view(x):
    M = np.ones((2, 3)) * x[1]
    row = M[0]
    row[1] = x[0] ** 2
    return np.sum(M * M)


def rows_in_loop(x):
    M = np.outer(x, x)
    for i in range(3):
        row = M[i]
        row[i] = np.sin(x[i])
    return np.sum(M)


def out_alias(x):
    out = x * 2
    c = out
    c[0] = 0
    return np.sum(out * x)


def scalar_alias(x):
    t = np.sum(x)
    s = t
    s += 1
    return s * t


def copy_is_new(x):
    y = x.copy()
    y[0] = 5.0
    return np.sum(x * y)


def normalize(v):
    return v / np.linalg.norm(v)


def list_set(x):
    l = [x, 2 * x]
    l[0] = l[0] * 3
    return np.sum(l[0] * l[1])


def list_aug(x):
    lst = [x, x * 2]
    lst[1] += x ** 2
    return np.sum(lst[1])


def list_loop(x):
    hs = [x, x * 2, x * 3]
    for i in range(3):
        hs[i] = np.tanh(hs[i]) * (i + 1)
    return np.sum(hs[0] + hs[1] * hs[2])


def list_negative(x):
    hs = [x, x * 2]
    hs[-1] = hs[-1] ** 2
    return np.sum(hs[0] * hs[1])


def list_dead_item(x):
    hs = [x, x * 2]
    for i in range(2):
        hs[1] = x * i
    return np.sum(hs[0])


def list_in_branch(x):
    hs = [x, x * 2]
    if np.sum(x) > 0:
        hs[0] = np.exp(hs[0])
    return np.sum(hs[0] * hs[1])


def list_shared(x):
    lst = [x, x * 2]
    a = lst
    a[0] = np.cos(a[0])
    return np.sum(lst[0] * lst[1])


def alias_written_in_while(x):
    y = x * 1.0
    z = y
    k = 0
    while k < 3:
        z[k] = z[k] * x[k]
        k = k + 1
    return np.sum(y * x)


def shared_list_appended_in_loop(x):
    hs = []
    a = hs
    for i in range(3):
        a.append(x * i)
    return np.sum(hs[2] * hs[1])


def list_shared_append(x):
    lst = [x]
    a = lst
    a.append(x ** 2)
    return np.sum(lst[0] * lst[1])
'''

REFUSED = '''
import numpy as np


def maybe_alias(x):
    if np.sum(x) > 0:
        y = x
    else:
        y = x * 2
    y += 1
    return np.sum(x * y)


def expanded(x):  # (a reshape is followed as a view since: tests/test_cov6a_views.py)
    y = x * 1.0
    r = np.expand_dims(y, 1)
    r[0, 0] = 5.0
    return np.sum(y)


def item_of_list(x):
    y = x * 1.0
    lst = [y, x]
    y[0] = 2.0
    return np.sum(lst[0])


def index_changed(x):
    y = x * 1.0
    i = 0
    v = y[i:]
    i = 1
    v[0] = 5.0
    return np.sum(y * x)


def normalize_unless_large(v):
    for i in range(3):
        if v[i] > 10.0:
            return v  # a return inside a loop: this helper is not inlined
    v /= np.linalg.norm(v)
    return v


def helper_writes(x):
    y = x * 2
    z = normalize_unless_large(y)
    return np.sum(z * y)


def unknown(x, k):
    y = k
    y += 1
    return np.sum(x) * y * k
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return import_source(MODELS, tmp_path_factory.mktemp("aliasing"), "aliasing_models")


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    return import_source(REFUSED, tmp_path_factory.mktemp("aliasing_refused"), "aliasing_refused")


def _check(fn, x, dtype=np.float64, rtol=1e-6):
    x = np.asarray(x, dtype=dtype)
    want = fn(x.copy())  # numpy writes its inputs: every run gets its own
    value, grad = agc.value_and_grad(fn)(x.copy())
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(value, want, rtol=tol, atol=tol)
    assert np.result_type(value) == np.result_type(want)
    if dtype == np.float64:
        expected = numeric_grad(lambda a: fn(a.copy()), (x.copy(),), 0)
        np.testing.assert_allclose(grad, expected, rtol=rtol, atol=1e-7)
    return value, grad


X = np.array([0.3, -0.7, 1.1])
ARRAYS = ["alias_aug", "alias_aug_in_loop", "alias_setitem", "view_slice", "view_read_before",
          "view_aug", "view_taken_again", "row_view", "rows_in_loop", "out_alias",
          "scalar_alias", "copy_is_new"]
LISTS = ["list_set", "list_aug", "list_loop", "list_negative", "list_dead_item",
         "list_shared", "list_shared_append", "alias_written_in_while",
         "shared_list_appended_in_loop"]


@pytest.mark.parametrize("name", ARRAYS + LISTS)
def test_value_and_gradient_match_numpy(models, name):
    _check(getattr(models, name), X)


@pytest.mark.parametrize("name", ["alias_aug_in_branch", "list_in_branch"])
@pytest.mark.parametrize("x", [X, -X])
def test_both_branches(models, name, x):
    _check(getattr(models, name), x)


@pytest.mark.parametrize("name", ["alias_aug", "view_slice", "row_view", "out_alias",
                                  "copy_is_new", "list_loop"])
def test_float32(models, name):
    _check(getattr(models, name), X, np.float32)


def test_the_forward_value_itself(models):
    """numpy's own numbers, written out: y = x; y += 1 changes x (sum((x+1)**2))."""
    value, grad = agc.value_and_grad(models.alias_aug)(X.copy())
    assert value == pytest.approx(np.sum((X + 1) ** 2))
    np.testing.assert_allclose(grad, 2 * (X + 1))
    value, _ = agc.value_and_grad(models.view_slice)(X.copy())
    y = X.copy()
    y[1] = 10 * X[0]
    assert value == pytest.approx(np.sum(y * X))


def test_list_parameter_written_in_place(tmp_path):
    model = import_source('''
import numpy as np


def f(xs, w):
    xs[0] = xs[0] * 2
    xs[-1] = xs[-1] * w
    return np.sum(xs[0] * xs[1] * w)


def g(xs, w):
    xs = list(xs)
    xs[0] = xs[0] * 2
    xs[-1] = xs[-1] * w
    return np.sum(xs[0] * xs[1] * w)
''', tmp_path, "list_param")
    a, b, w = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([0.5, 1.5])
    # Python changes the caller's list: refused (tests/test_fixlist_list_params.py)
    with pytest.raises(UserCodeError, match="the list .or dict. the caller passed"):
        agc.value_and_grad(model.f, wrt=("xs", "w"))([a.copy(), b.copy()], w)
    value, (g_xs, g_w) = agc.value_and_grad(model.g, wrt=("xs", "w"))([a.copy(), b.copy()], w)
    assert value == model.g([a.copy(), b.copy()], w)

    def flat(a, b, w):
        return model.g([a.copy(), b.copy()], w)

    for got, i in zip((*g_xs, g_w), range(3)):
        np.testing.assert_allclose(got, numeric_grad(flat, (a, b, w), i), rtol=1e-6)


def _refusal(fn, *args, **kwargs):
    with pytest.raises(UserCodeError) as err:
        agc.value_and_grad(fn, **kwargs)(*args)
    return err.value


def _line(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


@pytest.mark.parametrize("name, line, words", [
    ("maybe_alias", "    y += 1", "same object as `x` (related at line"),  # first y += 1
    ("expanded", "r[0, 0] = 5.0", "may share memory with `y`"),
    ("item_of_list", "y[0] = 2.0", "may share memory with `lst`"),
    ("normalize_unless_large", "v /= np.linalg.norm", "parameter `v`"),
    ("index_changed", "v[0] = 5.0", "index variable reassigned since"),
])
def test_refusals_name_the_alias_and_the_write(refused, name, line, words):
    err = _refusal(getattr(refused, "helper_writes" if name == "normalize_unless_large" else name),
                   X.copy())
    assert words in err.message
    assert err.loc.line == _line(REFUSED, line)
    assert err.hint and ".copy()" in err.hint or "`v = v /" in (err.hint or "")
    assert f":{err.loc.line}:" in str(err)


INLINED = '''
import numpy as np


def normalize(v):
    v /= np.linalg.norm(v)


def scaled_first(v, s):
    v[0] = v[0] * s
    return v


def grow(lst, v):
    lst.append(v * 2)


def f(x):
    y = x * 2
    normalize(y)  # on its own line: run for what it writes
    z = scaled_first(y, 3.0)  # y and z are one array now
    parts = [x]
    grow(parts, y)
    return np.sum(z * y) + np.sum(parts[1] * x)
'''


def test_a_helper_writing_its_argument_is_inlined(tmp_path):
    """The write reaches the caller's array (and list) as in Python; value and gradient."""
    module = import_source(INLINED, tmp_path, "inlined_helpers")
    _check(module.f, X.copy())
    source = code_only(agc.differentiate(module.f).compiled_for((1,)).source)  # x: 1-D
    assert "normalize" not in source and "scaled_first" not in source and "grow" not in source


def test_refusal_where_agc_cannot_tell_array_from_number(refused):
    err = _refusal(refused.unknown, X.copy(), np.array(2.0))
    assert "cannot tell whether `y` is an array" in err.message
    assert err.loc.line == _line(REFUSED, "def unknown") + 2
    assert "`y = y + ...`" in err.hint


def test_numbers_are_immutable(models):
    """s = t; s += 1 leaves t alone (Python floats and numpy scalars)."""
    value, grad = agc.value_and_grad(models.scalar_alias)(X.copy())
    t = np.sum(X)
    assert value == pytest.approx((t + 1) * t)
    np.testing.assert_allclose(grad, np.full(3, 2 * t + 1))
