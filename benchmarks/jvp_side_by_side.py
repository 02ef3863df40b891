"""`two_layers` (n = 16) and its JVPs side by side in one process, interleaved: the
function, a hand-written JVP, the emitted `two_layers_jvp` called directly, `f.jvp`,
`f.jvp`'s general path (api._along: what every call ran before its short path,
fast_calls.short_along) and a Python call that only forwards to the emitted JVP (the
floor of any dispatch). With `--dispatch`, each JVP is a function that does nothing,
so that what is timed is the lookup alone. CPU time (`time.process_time`), medians and minima of ROUNDS
rounds of CALLS calls each, every case once per round, in turn (docs/performance.md,
"Higher order").

    .venv/bin/python benchmarks/jvp_side_by_side.py [ROUNDS] [CALLS]   # ~1 min: 25 20000
    .venv/bin/python benchmarks/jvp_side_by_side.py 25 50000 --dispatch
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import agc
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from higher_order import two_layers


def hand(x, A, B, v):
    """A careful hand-written JVP of two_layers along v."""
    h = np.tanh(A @ x)
    y = np.tanh(B @ h)
    return y, B @ (A @ v * (1.0 - h * h)) * (1.0 - y * y)


def _nothing(x, A, B, v):
    return None


def main(rounds: int, calls: int, dispatch: bool) -> None:
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(24, 16)) / 4, rng.normal(size=(8, 24)) / 4
    x, v = rng.normal(size=16), rng.normal(size=16)
    f = agc.differentiate(two_layers)
    tangents = (v, None, None)
    f.jvp(x, A, B, tangents=tangents)
    emitted = next(iter(f._compiled.values())).jvp
    general = type(f).jvp.__get__(f)

    def floor(*args, tangents):
        return emitted(*args, tangents[0])

    for got in (emitted(x, A, B, v), f.jvp(x, A, B, tangents=tangents),
                general(x, A, B, tangents=tangents)):
        np.testing.assert_allclose(got[1], hand(x, A, B, v)[1], rtol=1e-12)
    if dispatch:  # the lookups find `_nothing` where the compiled JVP was
        emitted = _nothing
        f._calls.update({key: (_nothing, *entry[1:]) for key, entry in f._calls.items()})
    cases = {"function": lambda: two_layers(x, A, B), "hand JVP": lambda: hand(x, A, B, v),
             "emitted": lambda: emitted(x, A, B, v),
             "f.jvp": lambda: f.jvp(x, A, B, tangents=tangents),
             "general": lambda: general(x, A, B, tangents=tangents),
             "floor": lambda: floor(x, A, B, tangents=tangents)}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, call in cases.items():
            start = time.process_time()
            for _ in range(calls):
                call()
            samples[name].append((time.process_time() - start) / calls)
    median = {name: statistics.median(s) for name, s in samples.items()}
    low = {name: min(s) for name, s in samples.items()}
    for name in cases:
        print(f"{name:9s} median {median[name] * 1e6:6.2f} us {median[name] / median['function']:5.2f}x"
              f"   min {low[name] * 1e6:6.2f} us {low[name] / low['function']:5.2f}x")


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    main(*numbers, dispatch="--dispatch" in sys.argv)
