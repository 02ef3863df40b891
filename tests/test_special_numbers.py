"""math.lgamma's gradient without scipy: `rt.special.digamma` of a Python number.

The math module has no digamma, so the gradient of `math.lgamma(t)` calls
`rt.special.digamma`; for a Python number it is computed in runtime/special.py
when scipy is not installed (a model that uses only the math module should not
need scipy), and it agrees with scipy's.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import pytest
import scipy.special as sp
from agc.runtime import special as rt_special

NO_SCIPY = '''\
import sys
sys.modules["scipy"] = None  # `import scipy` raises ImportError from here on
sys.path.insert(0, sys.argv[1])
import agc
import model_math
value, grad = agc.differentiate(model_math.f).value_and_grad(0.7)
assert sys.modules.get("scipy.special") is None
print(repr(value), repr(grad))
'''


def test_a_math_lgamma_model_needs_no_scipy(tmp_path):
    (tmp_path / "model_math.py").write_text(textwrap.dedent('''\
        import math


        def f(t):
            return math.lgamma(t) * math.erf(t) + math.hypot(t, 1.0)
    '''), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", NO_SCIPY, str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    value, grad = map(float, result.stdout.split())
    t = 0.7
    assert value == pytest.approx(math.lgamma(t) * math.erf(t) + math.hypot(t, 1.0), rel=1e-15)
    want = (sp.digamma(t) * math.erf(t) + math.lgamma(t) * 2 / math.sqrt(math.pi) * math.exp(-t * t)
            + t / math.hypot(t, 1.0))
    assert grad == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("x", [1e-4, 0.3, 1.0, 2.5, 9.99, 10.0, 57.3, 1e6, -0.5, -2.7, -7.01])
def test_digamma_of_a_number_without_scipy_is_scipys(monkeypatch, x):
    monkeypatch.setattr(rt_special, "_has_scipy", lambda: False)
    assert rt_special.digamma(x) == pytest.approx(sp.digamma(x), rel=1e-14, abs=1e-14)
