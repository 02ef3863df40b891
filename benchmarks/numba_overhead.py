"""The numba target on small problems: per-call time against the hand-written adjoint, and
where the first call's time goes.

    .venv/bin/python benchmarks/numba_overhead.py [--rounds 15] [--compile]

Per call: agc's numba gradient (`agc.grad(model, wrt, target="numba")`), the numba
dispatcher it ends in called directly, and the hand-written adjoint of
benchmarks/numba_hand.py, interleaved round by round in one process (CPU time,
time.process_time, of many calls; the median over rounds). With --compile: first
calls in fresh processes with numba's cache in a directory of their own (nothing
cached, then a second process), and first calls in a process where numba and agc's
compiler have already compiled another model (the projectile), split into agc's
compile to source and numba's compile — the measure comparable to jax.jit's first
call in a process that has run jax before — next to numba compiling the hand-written
adjoint afresh in that process (numba's own floor for the model).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ["NUMBA_NUM_THREADS"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agc
import numba_hand
import numba_models as models

CASES = {"euler n=10": (models.euler, (2.0, 0.3, 10), ("k", "c"), numba_hand.euler),
         "euler n=1000": (models.euler, (2.0, 0.3, 1000), ("k", "c"), numba_hand.euler),
         "rk4 n=10": (models.rk4, (2.0, 0.3, 10), ("k", "c"), numba_hand.rk4),
         "rk4 n=1000": (models.rk4, (2.0, 0.3, 1000), ("k", "c"), numba_hand.rk4),
         "while/if": (models.while_if, (-0.7,), ("a",), numba_hand.while_if)}


def per_call(fn, args, seconds: float = 0.05) -> float:
    """CPU seconds per call of fn(*args), over as many calls as fit in about `seconds`."""
    calls = 1
    while True:
        start = time.process_time()
        for _ in range(calls):
            fn(*args)
        spent = time.process_time() - start
        if spent >= seconds:
            return spent / calls
        calls *= 4


def call_times(rounds: int) -> None:
    """Print agc numba / its dispatcher / the hand adjoint per call, interleaved."""
    print("| row | agc numba | its numba dispatcher | hand numba | agc / hand |\n|---|---|---|---|---|")
    for label, (model, args, wrt, hand) in CASES.items():
        differentiated = agc.differentiate(model, wrt=wrt, target="numba")
        grad = differentiated.grad
        grad(*args)
        grad(*args)  # the second call leaves the full path: numba's dispatch from here on
        dispatcher = differentiated._direct[1]
        tools = {"agc": grad, "dispatcher": dispatcher, "hand": hand}
        times = {name: [] for name in tools}
        for _ in range(rounds):
            for name, fn in tools.items():
                times[name].append(per_call(fn, args))
        agc_s, disp_s, hand_s = (statistics.median(times[n]) * 1e6 for n in tools)
        print(f"| {label} | {agc_s:.3g} µs | {disp_s:.3g} µs | {hand_s:.3g} µs | "
              f"{agc_s / hand_s:.2f}x |", flush=True)


FIRST = """
import sys, time
sys.path.insert(0, {here!r})
import agc, numba_models
start = time.perf_counter()
agc.grad(numba_models.{model}, {wrt!r}, target="numba")(*{args!r})
print(time.perf_counter() - start)
"""

WARM = """
import sys, time
sys.path.insert(0, {here!r})
import agc, numba_models
from agc import api
from numba.core import dispatcher
spent = {{"agc": 0.0, "numba": 0.0}}
def timed(fn, key):
    def call(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - start
    return call
api.compile_function = timed(api.compile_function, "agc")
dispatcher.Dispatcher._compile_for_args = timed(dispatcher.Dispatcher._compile_for_args, "numba")
agc.grad(numba_models.projectile, ("vx0", "vy0", "drag"), target="numba")(10.0, 10.0, 0.05)
import numba, numba_hand
numba.njit(numba_hand.projectile.py_func)(10.0, 10.0, 0.05)
for model, args, wrt in {cases!r}:
    spent.update(agc=0.0, numba=0.0)
    start = time.perf_counter()
    agc.grad(getattr(numba_models, model), wrt, target="numba")(*args)
    total = time.perf_counter() - start
    start = time.perf_counter()  # the hand-written adjoint compiled afresh (no cache)
    numba.njit(getattr(numba_hand, model).py_func)(*args)
    print(model, total, spent["agc"], spent["numba"], time.perf_counter() - start)
"""


def compile_times() -> None:
    """Print first-call seconds: fresh processes (nothing cached, a second process) and a
    warm process (agc's part and numba's)."""
    here = os.path.dirname(os.path.abspath(__file__))
    cases = [("euler", (2.0, 0.3, 10), ("k", "c")), ("rk4", (2.0, 0.3, 10), ("k", "c")),
             ("while_if", (-0.7,), ("a",))]
    print("| model | nothing cached | second process | warm process (agc + numba) | "
          "hand numba, warm process |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as cache:
        warm = _run(WARM.format(here=here, cases=cases), os.path.join(cache, "warm"))
        rows = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in warm}
        for model, args, wrt in cases:
            code = FIRST.format(here=here, model=model, wrt=wrt, args=args)
            first, second = (float(_run(code, os.path.join(cache, model))[-1]) for _ in "12")
            total, agc_s, numba_s, hand_s = rows[model]
            print(f"| {model} | {first:.2f} s | {second:.2f} s | {total:.2f} s ({agc_s:.2f} + "
                  f"{numba_s:.2f}) | {hand_s:.2f} s |", flush=True)


def _run(code: str, cache: str) -> list[str]:
    env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(cache, "numba"),
               AGC_CACHE_DIR=os.path.join(cache, "agc"))
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout.split("\n")[:-1]


def main() -> None:
    """Per-call table, and with --compile the first-call table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--compile", action="store_true", help="first-call times too")
    options = parser.parse_args()
    call_times(options.rounds)
    if options.compile:
        compile_times()


if __name__ == "__main__":
    main()
