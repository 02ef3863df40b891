"""The scalar tape loop's gradient as emitted by this agc and by another (BASE), timed in turn.

    python benchmarks/tape_ab.py --base /tmp/base          # floats, n = 100,000
    python benchmarks/tape_ab.py --base /tmp/base --size 4096 --n 2000   # arrays

BASE is an older agc unpacked with `git archive REV compiler runtime` (its compiler/ as
agc, its runtime/ as agc/runtime); a subprocess with BASE first on PYTHONPATH emits that
version's gradient. Both emitted modules then run in this process, interleaved, one
thread; CPU time (`time.process_time`), medians; the gradients must agree to the bit.
"""
import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "workloads"), HERE]

import numpy as np
import tape

EMIT = """
import sys, agc, numpy as np
sys.path[:0] = [{workloads!r}, {here!r}]
import tape
size = {size!r}
fn, args = (tape.tape_sum, (np.ones(size), np.ones(size), 3)) if size else (tape.tape_loop, (0.5, 1.3, 3))
print(agc.differentiate(fn, wrt=("x", "p")).gradient_source_for(*args))
"""


def emitted(base, size):
    """The gradient module's text, emitted by BASE's agc (or this one: base None)."""
    env = dict(os.environ, PYTHONPATH=base) if base else dict(os.environ)
    code = EMIT.format(workloads=os.path.join(HERE, "workloads"), here=HERE, size=size)
    return subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True).stdout


def loaded(text, summed, folder, name):
    """The gradient function of an emitted module's text, imported from a file."""
    path = os.path.join(folder, f"{name}.py")
    with open(path, "w") as f:
        f.write(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "tape_sum_grad" if summed else "tape_loop_grad")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--size", type=int, default=0, help="array length (0: floats)")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=21)
    opts = parser.parse_args()
    summed = opts.size > 0
    x = np.linspace(-1.0, 1.0, opts.size) if summed else 0.5
    p = np.linspace(0.5, 1.0, opts.size) if summed else 1.3
    folder = tempfile.mkdtemp()
    fns = {"base": loaded(emitted(opts.base, opts.size), summed, folder, "base"),
           "this": loaded(emitted(None, opts.size), summed, folder, "this")}
    if not summed:
        fns["hand"] = tape.tape_loop_adjoint
    args = (x, p, opts.n)
    a, b = fns["base"](*args), fns["this"](*args)
    assert all(np.array_equal(u, v) for u, v in zip(a, b)), "the gradients differ"
    times = {name: [] for name in fns}
    for r in range(opts.rounds):
        for name in (list(fns) if r % 2 else list(fns)[::-1]):
            start = time.process_time()
            fns[name](*args)
            times[name].append(time.process_time() - start)
    med = {name: statistics.median(t) for name, t in times.items()}
    print(", ".join(f"{name} {t * 1e3:.1f} ms" for name, t in med.items()),
          f"| this / base {med['this'] / med['base']:.2f}x",
          f"| this / hand {med['this'] / med['hand']:.2f}x" if "hand" in med else "")


if __name__ == "__main__":
    main()
