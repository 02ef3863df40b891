"""The gradient of a mean-squared loss over many rows: numpy on one core, dask threads, a cluster.

    python benchmarks/dask_scaling.py                       # 10^6, 10^7, 10^8 rows
    python benchmarks/dask_scaling.py --rows 1e6,1e8 --chunk 500000

Every run sees the same rows: 16 float64 features and a target, generated
chunk by chunk from a seed per chunk (never one full-size array). Three ways to
get the one gradient of the mean over all rows:

* numpy, one core: a Python loop over the chunks in this process, each chunk
  generated, differentiated with `loss.grad`, weighted by its share of the rows;
* dask threads: `agc.distributed.grad_over_chunks` on dask's threaded scheduler
  (two threads, this process);
* LocalCluster: the same with `client=` a LocalCluster of two worker processes,
  one thread each (its start-up time is reported apart).

Each gradient is checked against the numpy loop's. Throughput is rows per second
of generating and differentiating (best of --repeat runs); "driver peak" is how
far this process's peak resident memory (VmHWM, reset before each call: Linux)
rose during the call: a few chunks at most, far below the full array's size.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per worker thread: BLAS stays single
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# imported after the thread settings above, which BLAS reads when numpy loads
import agc
import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

FEATURES = 16


@agc.differentiate(wrt=("w",))
def mean_squared(x, y, w):
    return np.mean((x @ w - y) ** 2)


COEF = np.linspace(-1, 1, FEATURES)


def chunk_features(k: int, rows: int) -> np.ndarray:
    """Chunk k's features (the same on every run)."""
    return np.random.default_rng([7, k]).standard_normal((rows, FEATURES))


def chunk_noise(k: int, rows: int) -> np.ndarray:
    """Chunk k's noise on the target."""
    return np.random.default_rng([8, k]).standard_normal(rows)


def dataset(total: int, chunk: int):
    """x and y = x @ COEF + noise as dask arrays, each chunk generated where it is used."""
    sizes = [chunk] * (total // chunk) + ([total % chunk] if total % chunk else [])
    ids = da.from_array(np.arange(len(sizes)), chunks=1)
    x = da.map_blocks(lambda k, block_info=None: chunk_features(k.item(), _size(block_info)),
                      ids[:, None], dtype=float, chunks=(tuple(sizes), (FEATURES,)))
    noise = da.map_blocks(lambda k, block_info=None: chunk_noise(k.item(), _size(block_info)),
                          ids, dtype=float, chunks=(tuple(sizes),))
    return x, x @ COEF + noise, sizes


def _size(block_info) -> int:
    return block_info[None]["chunk-shape"][0]


def numpy_loop(sizes, w):
    """One core: each chunk generated and differentiated in turn, weighted by its rows."""
    total = sum(sizes)
    grad = np.zeros_like(w)
    for k, rows in enumerate(sizes):
        x = chunk_features(k, rows)
        y = x @ COEF + chunk_noise(k, rows)
        grad += mean_squared.grad(x, y, w) * (rows / total)
    return grad


def measured(fn, repeat: int):
    """(result, best seconds, largest growth in MB of this process's peak resident memory)
    of `repeat` calls of fn(). The peak (VmHWM) is reset before each call, so the growth
    is what the call itself held at its most: the driver's share of the work."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        before = _reset_peak()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        peak = max(peak, (_status_kib("VmHWM") - before) / 1024)
    return result, best, peak


def _status_kib(field: str) -> int:
    """A field of /proc/self/status, in KiB (Linux)."""
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _reset_peak() -> int:
    """Reset the peak resident memory to the current one (Linux), and return it in KiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1e6,1e7,1e8", help="comma-separated row counts")
    parser.add_argument("--chunk", type=float, default=250_000, help="rows per chunk")
    parser.add_argument("--repeat", type=int, default=2, help="runs per cell (the best is shown)")
    args = parser.parse_args()
    counts = [int(float(r)) for r in args.rows.split(",")]
    chunk = int(args.chunk)
    w = np.linspace(0.5, -0.5, FEATURES)

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=50)
    client = Client(cluster)
    startup = time.perf_counter() - started
    small = dataset(1000, 500)[:2]
    agc.distributed.grad_over_chunks(mean_squared, *small, w, client=client)  # workers warm
    print(f"LocalCluster (2 processes x 1 thread) start-up: {startup:.1f} s; "
          f"chunks of {chunk:,} rows x {FEATURES} features; {os.cpu_count()} cores\n")
    print("| rows | full x (MB) | numpy 1 core (rows/s) | dask threads x2 (rows/s) "
          "| LocalCluster 2 workers (rows/s) | driver peak MB: numpy / threads / cluster |")
    print("|---:|---:|---:|---:|---:|---|")
    for total in counts:
        x, y, sizes = dataset(total, chunk)
        want, t_np, m_np = measured(lambda s=sizes: numpy_loop(s, w), args.repeat)
        with dask.config.set(scheduler="threads", num_workers=2):
            got, t_th, m_th = measured(lambda x=x, y=y: agc.distributed.grad_over_chunks(
                mean_squared, x, y, w), args.repeat)
        np.testing.assert_allclose(got, want, rtol=1e-9)
        got, t_cl, m_cl = measured(lambda x=x, y=y: agc.distributed.grad_over_chunks(
            mean_squared, x, y, w, client=client), args.repeat)
        np.testing.assert_allclose(got, want, rtol=1e-9)
        print(f"| {total:.0e} | {total * FEATURES * 8 / 1e6:,.0f} | {total / t_np:,.0f} "
              f"| {total / t_th:,.0f} | {total / t_cl:,.0f} "
              f"| {m_np:.0f} / {m_th:.0f} / {m_cl:.0f} |", flush=True)
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
