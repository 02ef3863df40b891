"""Round-robin timing: every tool runs once per round, medians over rounds."""
import gc
import signal
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass


class TimeLimit(Exception):
    """A call ran past its time limit."""


@dataclass
class Budget:
    """How long to spend on each (case, tool) timing cell."""

    sample_s: float     # target length of one sample (several calls when calls are fast)
    per_tool_s: float   # total time per tool per case
    min_rounds: int     # rounds for tools faster than per_tool_s
    max_rounds: int
    first_call_s: float  # limit for build + first call before a cell is a timeout


QUICK = Budget(sample_s=0.01, per_tool_s=0.5, min_rounds=3, max_rounds=15, first_call_s=8)
FULL = Budget(sample_s=0.05, per_tool_s=6.0, min_rounds=5, max_rounds=41, first_call_s=120)


@contextmanager
def time_limit(seconds):
    """Raise TimeLimit in the main thread after `seconds` (SIGALRM)."""
    def on_alarm(signum, frame):
        raise TimeLimit(f"over {seconds:g} s")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(call):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def sample(call, number, clock=time.perf_counter):
    """Mean seconds per call over `number` back-to-back calls, gc paused (like timeit);
    `clock=time.process_time` counts this process's CPU time only."""
    gc.collect()
    gc.disable()
    try:
        start = clock()
        for _ in range(number):
            call()
        return (clock() - start) / number
    finally:
        gc.enable()


def plan(estimate, budget):
    """(calls per sample, rounds) for a tool whose call takes `estimate` seconds."""
    number = max(1, int(budget.sample_s / max(estimate, 1e-9)))
    # several calls even for slow ones (min_rounds); one only when that would not fit
    lo = 1 if estimate * budget.min_rounds > budget.first_call_s else budget.min_rounds
    rounds = int(budget.per_tool_s / (number * max(estimate, 1e-9)))
    return number, max(lo, min(budget.max_rounds, rounds))


def round_robin(calls, estimates, budget):
    """Median seconds per call for each key; the tools take turns, start rotating."""
    plans = {k: plan(estimates[k], budget) for k in calls}
    samples = {k: [] for k in calls}
    keys = list(calls)
    # With torch, jax and sympy loaded a full gc.collect() takes ~0.3 s: freeze what exists
    # now, so that the collect before each sample only walks what the calls left behind.
    gc.collect()
    gc.freeze()
    try:
        for r in range(max((p[1] for p in plans.values()), default=0)):
            for k in keys[r % len(keys):] + keys[:r % len(keys)]:
                number, rounds = plans[k]
                if r < rounds:
                    samples[k].append(sample(calls[k], number))
    finally:
        gc.unfreeze()
    return {k: (statistics.median(v), len(v), plans[k][0]) for k, v in samples.items()}
