"""`agc compile` on the corpus files themselves: every entry agc accepts compiles as a model file.

`agc compile` reads a model file as text, never running it, and knows nothing
of the call's arguments: parameters are arrays unless annotated. So each
corpus module is parsed as `agc compile` parses it, every accepted entry whose
arguments are float arrays is compiled from it, and the emitted module runs:
its gradient must equal the decorator's at the entry's first point.

Without a call, agc cannot know a parameter's kind or rank; where the
gradient depends on them (`y = x; y += 1` with x an array or a number, the
ranks of np.vstack's operands) `agc compile` refuses at that line with a
hint, and the decorator, which sees the arguments, accepts the function.
"""

from __future__ import annotations

import sys
import types

import agc
import numpy as np
import pytest
from agc import pipeline
from agc.cli.model import read_model
from agc.errors import UserCodeError

from .test_corpus import ENTRIES, MODULES


def _compilable(entry) -> bool:
    """Entries `agc compile` can take: accepted, array arguments, no phases of module values."""
    if entry.expect != "ok" or entry.xfail or len(entry.phases) > 1:
        return False
    first = entry.points()[0]
    return all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in first) and \
        np.size(entry.fn(*entry.points()[0])) == 1  # a scalar function (f_grad)


CASES = [e for e in ENTRIES if _compilable(e)]
_PARSED: dict[str, pipeline.ParsedModule] = {}


def _parsed(module: types.ModuleType) -> pipeline.ParsedModule:
    if module.__name__ not in _PARSED:
        _PARSED[module.__name__] = read_model(module.__file__)
    return _PARSED[module.__name__]


def _emitted(entry, module: types.ModuleType) -> types.ModuleType:
    wrt = tuple(entry.wrt) or None
    compiled = pipeline.compile_parsed(_parsed(module), [pipeline.Target(entry.name, wrt)],
                                       module.__file__)
    emitted = types.ModuleType(f"emitted_{entry.name}")
    home = module.__name__.rsplit(".", 1)[-1]
    sys.modules.setdefault(home, module)  # the emitted code reads module values as home.NAME
    exec(compile(compiled.source, f"<agc compile {home}.{entry.name}>", "exec"),  # noqa: S102
         emitted.__dict__)
    return emitted


def _module_of(entry) -> types.ModuleType:
    return next(m for m in MODULES if entry in m.corpus.entries)


@pytest.mark.parametrize("entry", CASES, ids=lambda e: e.name)
def test_agc_compile_gives_the_decorators_gradient(entry):
    args = entry.points()[0]
    try:
        emitted = _emitted(entry, _module_of(entry))
    except UserCodeError as err:  # needs what only a call tells: the kind or rank of an argument
        assert err.loc.line > 0 and err.hint, str(err)
        assert "agc cannot tell" in str(err) or "cannot tell whether" in str(err), str(err)
        return
    got = getattr(emitted, f"{entry.name}_grad")(*[a.copy() for a in args])
    want = agc.grad(entry.fn, wrt=entry.wrt or None)(*[a.copy() for a in args])
    got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
