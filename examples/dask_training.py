"""Logistic regression on 10 million rows that never exist as one array: agc on dask.

The rows are a dask array generated chunk by chunk (100,000 rows each, 640 MB
in all, never held at once). Training streams mini-batches: each step takes one
chunk, builds agc's emitted gradient on it lazily (the same code that runs on
numpy: nothing changes in the model) and computes it; agc.optim.Adam updates
the parameters, which stay small numpy arrays on the driver. At the end,
agc.distributed.value_and_grad_over_chunks computes the loss and gradient over
all the rows on a local cluster of two worker processes.

Run: pip install 'agc-autodiff[dask]' && python examples/dask_training.py
     python examples/dask_training.py --tiny   (100,000 rows, a few seconds)
"""

from __future__ import annotations

import argparse
import time

import agc
import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

FEATURES = 8
TRUE_W = np.linspace(-2.0, 2.0, FEATURES)
STEPS = 150  # 1.5 passes over the 10 million rows; 15 over --tiny's


@agc.differentiate(wrt=("w", "b"))
def logistic_loss(x, y, w, b):
    z = x @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def dataset(rows: int, chunk: int):
    """Features and 0/1 labels as dask arrays: each chunk is generated where it is used."""
    rng = da.random.default_rng(0)
    x = rng.normal(size=(rows, FEATURES), chunks=(chunk, FEATURES))
    noise = rng.logistic(size=rows, chunks=chunk)
    y = (x @ TRUE_W + 0.5 + noise > 0).astype(np.float64)
    return x, y


def train(x, y, steps: int):
    """Adam over mini-batches: one chunk of rows per step, its gradient built lazily."""
    params = {"w": np.zeros(FEATURES), "b": np.zeros(())}
    opt = agc.optim.Adam(lr=0.1)
    state = opt.init(params)
    for step in range(steps):
        k = step % x.numblocks[0]
        lazy = logistic_loss.grad(x.blocks[k], y.blocks[k], params["w"], params["b"])
        dw, db = dask.compute(*lazy)  # this chunk is generated and differentiated now
        params, state = opt.update(params, {"w": dw, "b": db}, state)
    return params


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="100,000 rows (for the tests)")
    args = parser.parse_args()
    rows, chunk = (100_000, 10_000) if args.tiny else (10_000_000, 100_000)
    x, y = dataset(rows, chunk)
    print(f"{rows:,} rows in {x.numblocks[0]} chunks of {chunk:,}: "
          f"{x.nbytes / 1e6:,.0f} MB of features, generated chunk by chunk")

    start = time.perf_counter()
    params = train(x, y, steps=STEPS)
    print(f"{STEPS} Adam steps of one chunk each in {time.perf_counter() - start:.1f} s: "
          f"w = {np.round(params['w'], 2)}")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        loss, (dw, db) = agc.distributed.value_and_grad_over_chunks(
            logistic_loss, x, y, params["w"], params["b"], client=client)
        took = time.perf_counter() - start
    print(f"over all rows on 2 workers ({took:.1f} s): loss {loss:.4f}, "
          f"|gradient| {np.sqrt(np.sum(dw ** 2) + db ** 2):.4f}")
    print(f"recovers the true weights: {bool(np.allclose(params['w'], TRUE_W, atol=0.25))}")


if __name__ == "__main__":
    main()
