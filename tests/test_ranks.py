"""Rank analyses: one rank per name (ad/ranks.py) and ranks in program order (ad/flow_ranks.py)."""

from __future__ import annotations

import textwrap

from agc import ir
from agc.ad.flow_ranks import ranks_before
from agc.ad.ranks import index_lists, variable_ranks
from agc.frontend.lower import lower_function
from agc.frontend.resolve import names_from_module
from agc.helper_modules import parse


def lowered(source: str) -> ir.Function:
    text = "import numpy as np\n\n\n" + textwrap.dedent(source).lstrip("\n")
    return lower_function(parse(text, "model.py", names_from_module), "f")[0]


def before_return(fn: ir.Function, param_ranks: dict) -> dict:
    """The ranks in program order at the function's (last) return."""
    returns = [s for s in ir.walk(fn.body) if isinstance(s, ir.Return)]
    return ranks_before(fn, param_ranks)[id(returns[-1])]


def test_int_list_index_and_item_writes_keep_ranks():
    fn = lowered("""
        def f(c, a):
            rows = c[[1, 0]]
            m = a.T @ rows
            m[0] = 0.0
            r = m[-1]
            z = np.zeros((3, 3)) + np.full((2, 1, 1), 0.5)
            return np.arange(4.0)
    """)
    ranks = variable_ranks(fn, {"c": 2, "a": 2})
    assert ranks["rows"] == 2 and ranks["m"] == 2 and ranks["r"] == 1 and ranks["z"] == 3
    assert any(s.prim.name == "LIST" and s.target.name in index_lists(fn)
               for s in ir.walk(fn.body) if isinstance(s, ir.Assign))


def test_a_name_rebound_with_another_rank_is_known_at_each_binding():
    fn = lowered("""
        def f(a):
            v = np.tanh(a)
            w = v[0]
            v = np.sum(v)
            return v + w
    """)
    assert variable_ranks(fn, {"a": 2})["v"] is None  # one rank per name: unknown
    assert before_return(fn, {"a": 2})["v"] == 0 and before_return(fn, {"a": 2})["w"] == 1
    first_index = next(s for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
                       and s.target.name == "w")
    assert ranks_before(fn, {"a": 2})[id(first_index)]["v"] == 2


def test_paths_that_disagree_make_a_rank_unknown_and_loops_reach_a_fixed_point():
    fn = lowered("""
        def f(a, s):
            v = a
            if s > 0:
                v = np.sum(a)
            u = a
            while np.sum(u) > 0:
                u = u[None]
            return v
    """)
    env = before_return(fn, {"a": 1, "s": 0})
    assert env["v"] is None and env["u"] is None and env["a"] == 1


def test_loops_and_elif_chains_join_only_what_they_bind():
    # a loop's head joins the names its trips bind, an if the names of its larger branch
    fn = lowered("""
        def f(a, s):
            v = a
            m = np.sum(a)
            for i in range(3):
                v = v[None]
                t = a
            if s > 0:
                w = a
            elif s > -1:
                w = m
            elif s > -2:
                w = a
                k = a
            else:
                w = a
                k = a
            return v
    """)
    env = before_return(fn, {"a": 1, "s": 0})
    assert env["v"] is None and env["a"] == 1 and env["m"] == 0 and env["t"] == 1
    assert env["w"] is None and env["k"] == 1
