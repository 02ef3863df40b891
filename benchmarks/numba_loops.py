"""Loop-heavy gradients: agc's numba target against jax, torch, agc's numpy target and a
hand-written numba adjoint, one thread each.

    JAX_PLATFORMS=cpu .venv/bin/python benchmarks/numba_loops.py [--quick] [--only ROWS] [--out FILE]

Rows: Euler and RK4 (10, 10^3, 10^5 steps), a tanh RNN (H=64, T=10^3), the
data-dependent while/if example and a projectile flying until it lands (a
data-dependent while). Each time is the median of repeated calls after a warm-up.
jax's best form is `jax.jit(jax.grad(...))` over `lax.fori_loop` / `lax.scan`;
jax cannot differentiate a data-dependent `lax.while_loop` in reverse mode, so
those rows run jax's grad eagerly over the Python loop. Then first-call compile
times (numba vs jax.jit) and a second process's first call with numba's cache.
"""

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agc
import numba_hand
import numba_models as models
import numba_peers as peers

RNG = np.random.default_rng(0)
W = RNG.normal(size=(64, 64)) * 0.1
U = RNG.normal(size=64) * 0.1
XS = np.sin(np.arange(1000) * 0.01)


def rows(quick: bool) -> list:
    """(label, model, args, wrt, peers' key) of each benchmark row."""
    steps = (10, 1000) if quick else (10, 1000, 100_000)
    out = [(f"euler n={n}", models.euler, (2.0, 0.3, n), ("k", "c"), "euler") for n in steps]
    out += [(f"rk4 n={n}", models.rk4, (2.0, 0.3, n), ("k", "c"), "rk4") for n in steps]
    out.append(("rnn H=64 T=1000", models.rnn, (W, U, XS), ("W", "U"), "rnn"))
    out.append(("while/if", models.while_if, (-0.7,), ("a",), "while_if"))
    out.append(("projectile (while)", models.projectile, (10.0, 10.0, 0.05),
                ("vx0", "vy0", "drag"), "projectile"))
    return out


def median_time(fn, args, budget: float = 1.0) -> float:
    """Median seconds of fn(*args) over repeats that fit in about `budget` seconds."""
    fn(*args)  # warm-up (compiles)
    start = time.perf_counter()
    fn(*args)
    once = time.perf_counter() - start
    repeats = max(3, min(200, int(budget / max(once, 1e-7))))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(quick: bool, only: list[str] | None = None) -> list[dict]:
    """The table: one dict per row, seconds per gradient for each tool (None: not run);
    `only`: the rows whose label contains one of these."""
    table = []
    for label, model, args, wrt, key in rows(quick):
        if only and not any(part in label for part in only):
            continue
        tools = {"agc-numba": agc.grad(model, wrt, target="numba"),
                 "agc-numpy": agc.grad(model, wrt),
                 "jax": peers.jax_grad(key, args),
                 "torch": peers.torch_grad(key, args),
                 "hand numba": numba_hand.ADJOINTS.get(key)}
        check = _leaves(tools["agc-numpy"](*args))
        row = {"row": label}
        for tool, fn in tools.items():
            slow = tool in ("agc-numpy", "torch", "jax") and ("100000" in label or "T=" in label
                                                            or "projectile" in label)
            too_slow = tool == "torch" and "100000" in label  # minutes per call in eager mode
            if fn is None or (quick and slow) or too_slow:
                row[tool] = None
                continue
            got = fn(*args)
            for a, b in zip(_leaves(got), check, strict=True):
                assert np.allclose(a, b, rtol=1e-6), (label, tool)
            row[tool] = median_time(fn, args, 0.3 if slow else 1.0)
        table.append(row)
        print(format_row(row), flush=True)
    return table


def _leaves(grads) -> list:
    return [np.asarray(g, float) for g in (grads if isinstance(grads, (tuple, list)) else [grads])]


TOOLS = ("agc-numba", "hand numba", "jax", "torch", "agc-numpy")


def format_row(row: dict) -> str:
    """One markdown table row: times, and agc-numba's ratio to jax and to the hand adjoint."""
    cells = [row["row"]] + [_ms(row[t]) for t in TOOLS]
    for other in ("jax", "hand numba"):
        ok = row[other] and row["agc-numba"]
        cells.append(f"{row[other] / row['agc-numba']:.1f}x" if ok else "—")
    return "| " + " | ".join(cells) + " |"


def _ms(seconds) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1e3:.3g} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.3g} µs"


HEADER = ("| row | agc numba | hand numba | jax best | torch eager | agc numpy | jax / agc numba "
          "| hand / agc numba |\n|---|---|---|---|---|---|---|---|")

FIRST_CALL = """
import sys, time
sys.path.insert(0, {here!r})
import numpy as np
import agc, numba_models
args = {args}
start = time.perf_counter()
agc.grad(numba_models.{model}, {wrt!r}, target="numba")(*args)
print(time.perf_counter() - start)
"""
RNN_ARGS = ("(np.random.default_rng(0).normal(size=(64, 64)) * 0.1, "
            "np.random.default_rng(1).normal(size=64) * 0.1, np.sin(np.arange(1000) * 0.01))")


def compile_times() -> dict:
    """First-call seconds of fresh processes (agc compiling the model to source, numba
    compiling that), numba's cache in a directory of this run's own: with nothing cached
    (agc's numba helpers compiled too), again in a second process (everything cached), and
    for a model new to a machine whose helpers are cached (the common case: the same model
    text under another file name); next to jax.jit's first call."""
    out = {}
    here = os.path.dirname(os.path.abspath(__file__))
    for label, model, args, wrt in [("euler n=1000", "euler", "(2.0, 0.3, 1000)", ("k", "c")),
                                    ("rnn H=64 T=1000", "rnn", RNN_ARGS, ("W", "U"))]:
        code = FIRST_CALL.format(here=here, args=args, model=model, wrt=wrt)
        with tempfile.TemporaryDirectory() as numba_cache:
            runs = [_first_call(code, numba_cache, agc_cache) for agc_cache in ("a", "a", "b")]
        jax_args = eval(args, {"np": np})
        out[label] = (*runs, peers.jax_first_call(model, jax_args))
    return out


def _first_call(code: str, numba_cache: str, agc_cache: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=numba_cache,
               AGC_CACHE_DIR=os.path.join(numba_cache, agc_cache))
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    """Print the table (and write it with --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small rows only")
    parser.add_argument("--out", help="also write the markdown here")
    parser.add_argument("--only", help="comma-separated parts of row labels: those rows only "
                        "(e.g. --only 'euler n=10,rnn'), no first-call rows")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    print(HEADER, flush=True)
    table = [format_row(r) for r in measure(args.quick, only)]
    lines = [HEADER, *table, "", ("| first call | agc numba, nothing cached | agc numba, second "
             "process | agc numba, new model (helpers cached) | jax.jit |"), "|---|---|---|---|---|"]
    for label, (first, second, new, jax_s) in ({} if only else compile_times()).items():
        lines.append(f"| {label} | {first:.2f} s | {second:.2f} s | {new:.2f} s | {jax_s:.2f} s |")
    print("\n".join(lines[len(table) + 1:]))
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
