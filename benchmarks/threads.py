"""Thread settings of a benchmark run: set in the environment before numpy, torch or jax
load (they read it once, when they start their thread pools)."""
import os
import subprocess
import sys

# One thread for OpenBLAS / MKL (numpy), OpenMP (torch) and XLA's CPU client (jax).
ONE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
SETTINGS = ("one", "default", "both")
TITLES = {"one": "one thread per tool", "default": "default threads"}


def requested(argv):
    """The --threads value in argv (read before argparse: it must act before imports)."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "default"


def apply(setting):
    """Set the environment for `setting` ("one"; "default" leaves it alone)."""
    if setting == "one":
        os.environ.update(ONE)


def blas():
    """'openblas 0.3.31 (pthreads, 2 threads)', from threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415 - optional
    except ImportError:
        import numpy as np  # noqa: PLC0415
        return f"numpy BLAS: {np.show_config(mode='dicts')['Build Dependencies']['blas']['name']}"
    pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
    return "; ".join(f"{p['internal_api']} {p['version']} ({p.get('threading_layer', '?')}, "
                     f"{p['num_threads']} threads)" for p in pools) or "no BLAS pool found"


def run_each(argv, setting, no_memory):
    """This script's report for one setting, from a fresh process (stderr passed through)."""
    rest, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--threads", "--out"):
            skip = True
        elif not arg.startswith(("--threads=", "--out=")):
            rest.append(arg)
    rest += ["--threads", setting] + ["--no-memory"] * no_memory
    out = subprocess.run([sys.executable, sys.argv[0], *rest], check=True,
                         stdout=subprocess.PIPE, text=True)
    return out.stdout
