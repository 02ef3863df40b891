"""Check every hand-written adjoint against central finite differences (no peers needed)."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads
from peers import wrt_indices
from workloads.tape import tape_case

PROBES = 6  # entries probed per gradient array


def as_float64(args):
    """Inputs with float arrays promoted to float64 (finite differences need it)."""
    return tuple(a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                 else a for a in args)


def with_entry(args, i, k, step):
    """Copy of args with entry k of argument i moved by step."""
    full = list(args)
    if isinstance(full[i], np.ndarray):
        full[i] = full[i].copy()
        full[i].flat[k] += step
    else:
        full[i] = full[i] + step
    return tuple(full)


def fd_error(case, args, rng):
    """Largest relative gap between the adjoint and central differences on sampled entries."""
    grads = case.adjoint(*args)
    worst = 0.0
    for g, i in zip(grads, wrt_indices(case)):
        g = np.asarray(g, dtype=np.float64)
        for k in rng.choice(g.size, min(PROBES, g.size), replace=False):
            h = 1e-6 * max(1.0, abs(float(np.asarray(args[i]).flat[k])))
            fd = (case.fn(*with_entry(args, i, k, h)) - case.fn(*with_entry(args, i, k, -h))) / (2 * h)
            worst = max(worst, abs(fd - g.flat[k]) / max(abs(fd), abs(g).max(), 1e-12))
    return worst


def main():
    """Print one line per case; exit 1 if any adjoint disagrees."""
    rng = np.random.default_rng(0)
    failed = False
    for case in workloads.timed_cases(quick=True) + [tape_case(1000)]:
        if case.workload == "linreg_train":
            case_args = case.args[:1] + (1.3,) + case.args[2:]
        else:
            case_args = case.args
        for args in (case_args,) + tuple(case.check_args):
            err = fd_error(case, as_float64(args), rng)
            ok = err < 1e-4
            failed |= not ok
            print(f"{'ok  ' if ok else 'FAIL'} {case.name}: max rel. error {err:.2e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
