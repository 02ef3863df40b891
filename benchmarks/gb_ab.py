"""Two versions of agc on the GradBench rows in one process: gradient / objective of each.

    python benchmarks/gb_ab.py --base /path/to/other/checkout det lstm   # rows by name
    python benchmarks/gb_ab.py --base /path/to/other/checkout euler linreg_train rk4

The rows with an expert adjoint (euler, linreg_train: one gradient call) are timed
against it too, and print agc / expert beside gradient / objective.

gb_ratio.py run once per version in separate processes moves by up to 25% on a busy
machine. Here each checkout's `.venv/bin/python` emits the gradient module it compiles
for the rows' arguments (the module the decorator runs); both modules are then loaded
into this process, each with its own checkout's runtime, and timed in alternation
with the objective (CPU time, gc paused, each sample about 30 ms of calls, the order
reversed each round), so both see the same load. Prints the medians, the ratios, and whether the two gradients agree
to the bit. One thread (OMP, OpenBLAS, MKL).
"""

from __future__ import annotations

import os
import sys

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse
import importlib.util
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from timing import sample
from workloads import euler, gradbench, linreg, loops

HERE = Path(__file__).resolve().parent
SAMPLE_S = 0.03

# Run by each checkout's interpreter: the emitted module agc compiled for the row's
# arguments, written to OUT/<row>.py.
_EMIT = """
import sys
sys.path.insert(0, {bench!r})
import agc
from gb_ab import cases
rows = cases()
for name in {rows!r}:
    case = rows[name]
    f = agc.differentiate(case.fn, wrt=case.wrt)
    f.grad(*case.args)
    [compiled] = f._compiled.values()
    open(f"{out}/{{name}}.py", "w").write(compiled.source)
"""


def cases() -> dict:
    """The rows by name: GradBench's, and those with an expert adjoint (euler, linreg_train)."""
    rows = {c.workload.removeprefix("gb_"): c for c in gradbench.cases(True)}
    rows.update((c.workload, c) for c in euler.cases(True) + linreg.cases(True))
    x, p = np.random.default_rng(0).normal(size=(2, 64))
    rows["rk4"] = SimpleNamespace(fn=loops.rk4, wrt=("x", "p"), args=(x, p, 200),
                                  expert=loops.rk4_adjoint)  # benchmarks/loops.py's, 200 steps
    return rows


def _emitted(root: Path, rows: list[str], out: Path) -> None:
    """Each row's emitted gradient module, compiled by the checkout at `root`."""
    out.mkdir(parents=True, exist_ok=True)
    code = _EMIT.format(bench=str(HERE), rows=rows, out=str(out))
    subprocess.run([str(root / ".venv" / "bin" / "python"), "-c", code], check=True, cwd=root)


def _runtime(root: Path, name: str):
    """The checkout's runtime package, loaded under its own name."""
    spec = importlib.util.spec_from_file_location(
        name, root / "runtime" / "__init__.py", submodule_search_locations=[str(root / "runtime")])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _gradient(path: Path, rt, fn):
    """`fn`'s `_grad` of an emitted module, run against the runtime `rt`, reading the
    model module's globals (a constant agc does not write out, such as a tuple)."""
    text = path.read_text().replace("from agc import runtime as rt", "")
    namespace = dict(fn.__globals__) | {"rt": rt, "__name__": f"ab_{path.parent.name}"}
    exec(compile(text, str(path), "exec"), namespace)  # noqa: S102 - the module just emitted
    return namespace[f"{fn.__name__}_grad"]


def _per_call(fn, calls: int) -> float:
    return sample(fn, calls, clock=time.process_time)


def compare(case, grads: dict, rounds: int) -> str:
    """One line: the objective's time, each version's gradient time and ratio."""
    results = {tag: grad(*case.args) for tag, grad in grads.items()}
    base, new = (r if isinstance(r, tuple) else (r,) for r in results.values())
    same = all(np.array_equal(a, b) for a, b in zip(base, new))
    timed = {"objective": lambda: case.fn(*case.args)} | {
        tag: (lambda g=grad: g(*case.args)) for tag, grad in grads.items()}
    if case.expert is not None:
        timed["expert"] = lambda: case.expert(*case.args)
    calls = {tag: max(3, int(SAMPLE_S / max(_per_call(fn, 3), 1e-7))) for tag, fn in timed.items()}
    samples: dict[str, list[float]] = {tag: [] for tag in timed}
    order = list(timed)
    for _ in range(rounds):
        order.reverse()  # neither version always runs right after the objective
        for tag in order:
            samples[tag].append(_per_call(timed[tag], calls[tag]))
    median = {tag: statistics.median(v) for tag, v in samples.items()}
    parts = [f"objective {median['objective'] * 1e6:9.1f} us"] + [
        f"{tag} {median[tag] * 1e6:9.1f} us ({median[tag] / median['objective']:.2f}x)"
        for tag in grads]
    if case.expert is not None:
        parts += [f"expert {median['expert'] * 1e6:9.1f} us"] + [
            f"{tag}/expert {median[tag] / median['expert']:.2f}x" for tag in grads]
    return "  ".join(parts) + f"  same bits: {same}"


def main() -> None:
    """Compile each row with both checkouts, then time them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("rows", nargs="*")
    args = parser.parse_args()
    rows_by_name = cases()
    rows = args.rows or [name for name in rows_by_name
                         if name not in ("euler", "linreg_train", "rk4")]
    roots = {"base": args.base.resolve(), "this": HERE.parent}
    with tempfile.TemporaryDirectory() as tmp:
        for tag, root in roots.items():
            _emitted(root, rows, Path(tmp) / tag)
        runtimes = {tag: _runtime(root, f"_ab_runtime_{tag}") for tag, root in roots.items()}
        for row in rows:
            case = rows_by_name[row]
            grads = {tag: _gradient(Path(tmp) / tag / f"{row}.py", runtimes[tag], case.fn)
                     for tag in roots}
            print(f"{row:6s} {compare(case, grads, args.rounds)}", flush=True)


if __name__ == "__main__":
    main()
