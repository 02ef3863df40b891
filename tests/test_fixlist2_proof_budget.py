"""agc.verify's time limits count the process's CPU time (work), not the wall clock.

tests/test_proofs.py's proof of corpus_straight's logsumexp_rows took 3.5 s of CPU but
21 s of wall time on a loaded machine: its 10 s simplify budget ran out and the proof came
back INCONCLUSIVE (a flaky test). A budget of work gives the same answer under load.
"""

from __future__ import annotations

import time

import pytest
from agc.proof.prover import Timeout, time_limit


def test_waiting_spends_no_budget():
    with time_limit(0.2):
        time.sleep(0.5)  # wall time passes, no CPU time: the block is not interrupted


def test_work_past_the_budget_is_interrupted():
    start = time.process_time()
    with pytest.raises(Timeout), time_limit(0.2):
        while time.process_time() - start < 5.0:
            sum(range(1000))
    assert time.process_time() - start < 2.0


def test_an_inner_limit_leaves_the_outer_one_armed():
    start = time.process_time()
    with pytest.raises(Timeout), time_limit(0.3):
        with time_limit(0.1):
            time.sleep(0.2)  # no work: the inner limit does not fire
        while time.process_time() - start < 5.0:  # the outer one still does
            sum(range(1000))
