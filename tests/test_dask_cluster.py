"""agc.distributed.grad_over_chunks on a real cluster: two worker processes on this machine.

The cluster starts once for the module (a few seconds). The gradient over the
chunks equals numpy's on the whole data, for a mean and for a sum over rows;
a worker killed while it computes leaves the result unchanged (Dask computes
its chunks again); a NaN row makes a clear error that names its chunk and row.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import agc
import dask
import numpy as np
import pytest
from agc.distributed import grad_over_chunks, value_and_grad_over_chunks

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

ROWS, FEATURES = 600, 4


@agc.differentiate(wrt=("w", "b"))
def mean_squared(x, y, w, b):
    return np.mean((x @ w + b - y) ** 2)


@agc.differentiate(wrt=("w",))
def summed_logistic(x, y, w):
    z = x @ w
    return np.sum(np.logaddexp(0.0, z) - y * z)


@agc.differentiate(wrt=("w",))
def slow_mean_squared(x, y, w):
    r = x @ w - y
    for _ in range(800):  # some 40 ms per chunk of 25 rows: time to kill a worker mid-way
        r = np.tanh(r) + 0.0 * np.linalg.norm(x @ np.tanh(x.T @ x))
    return np.mean(r ** 2)


@pytest.fixture(scope="module")
def client():
    # Dask's memory manager drops extra copies of data every 2 s; every 50 ms here, so that
    # the test of a killed worker would lose data that only one worker keeps (a regression:
    # scattered parameters were lost that way, and every chunk was cancelled).
    with dask.config.set({"distributed.scheduler.active-memory-manager.interval": "50ms"}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster, \
            distributed.Client(cluster) as connected:
        yield connected


def _data(chunk=110):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(ROWS, FEATURES)), rng.normal(size=ROWS)
    # chunks of 110 rows (the last one 50), and y cut otherwise: rechunked like x
    return x, y, da.from_array(x, chunks=(chunk, -1)), da.from_array(y, chunks=70)


def test_mean_loss_gradient_equals_numpy(client):
    x, y, dx, dy = _data()
    w, b = np.linspace(-1, 1, FEATURES), 0.25
    value, (gw, gb) = value_and_grad_over_chunks(mean_squared, dx, dy, w, b, client=client)
    want_value, (want_w, want_b) = mean_squared.value_and_grad(x, y, w, b)
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(gw, want_w, rtol=1e-12)
    np.testing.assert_allclose(gb, want_b, rtol=1e-12)
    assert isinstance(gw, np.ndarray)
    # again at once: the parameters are scattered anew, not under the first call's key
    # (which that call's release would delete: "lost dependencies")
    np.testing.assert_allclose(grad_over_chunks(mean_squared, dx, dy, w, b, client=client)[0],
                               want_w, rtol=1e-12)


def test_sum_loss_gradient_equals_numpy_in_float32(client):
    x, y, dx, dy = _data()
    x, y, dx, dy = (a.astype(np.float32) for a in (x, y, dx, dy))
    w = np.linspace(-1, 1, FEATURES, dtype=np.float32)
    got = grad_over_chunks(summed_logistic, dx, dy, w, reduction="sum", client=client)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, summed_logistic.grad(x, y, w), rtol=2e-5)


def test_a_worker_killed_midway_changes_nothing(client):
    x, y, dx, dy = _data(chunk=25)  # 24 chunks: both workers busy for a while
    w = np.linspace(-1, 1, FEATURES)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(grad_over_chunks, slow_mean_squared, dx, dy, w, client=client)
        busy = _busy_worker(client)
        nanny = next(n for n in client.cluster.workers.values() if n.worker_address == busy)
        os.kill(nanny.process.process.pid, signal.SIGKILL)  # its nanny starts a new one
        assert not running.done()
        got = running.result(timeout=60)
    assert busy not in client.scheduler_info()["workers"]  # the scheduler saw it die
    np.testing.assert_allclose(got, slow_mean_squared.grad(x, y, w), rtol=1e-12)


def _busy_worker(client) -> str:
    """The address of a worker with a chunk task running (waits for one)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if any("chunk_value_and_grad" in str(key) for key in keys):
                return address
        time.sleep(0.01)
    raise AssertionError("no worker started a chunk within 30 s")


def test_a_nan_row_names_its_chunk_and_row(client):
    x, y, _, _ = _data()
    x[333, 2] = np.nan
    dx, dy = da.from_array(x, chunks=(110, -1)), da.from_array(y, chunks=110)
    with pytest.raises(FloatingPointError,
                       match=r"chunk 3 \(rows 330:440\) gives a non-finite value of loss, w, b: "
                             r"row 333 of x holds a NaN"):
        grad_over_chunks(mean_squared, dx, dy, np.ones(FEATURES), 0.0, client=client)


def test_without_a_client_dasks_own_scheduler_gives_the_same():
    x, y, dx, dy = _data()
    w = np.linspace(-1, 1, FEATURES)
    with dask.config.set(scheduler="threads"):
        got = grad_over_chunks(summed_logistic, dx, dy, w, reduction="sum")
    np.testing.assert_allclose(got, summed_logistic.grad(x, y, w), rtol=1e-12)


def test_a_chunk_two_arguments_share_is_computed_once():
    """y = f(x): each chunk of x is made once, not once for x and again inside y's chunk."""
    made = []

    def rows(block):
        made.append(len(block))
        return block * 1.0

    x, _, dx, _ = _data()
    lazy_x = dx.map_blocks(rows, dtype=float, meta=np.empty((0, 0)))
    lazy_y = lazy_x @ np.ones(FEATURES)
    with dask.config.set(scheduler="sync"):
        got = grad_over_chunks(mean_squared, lazy_x, lazy_y, np.zeros(FEATURES), 0.0)
    assert sorted(made) == sorted(dx.chunks[0])
    np.testing.assert_allclose(got[0], mean_squared.grad(x, x @ np.ones(FEATURES),
                                                         np.zeros(FEATURES), 0.0)[0], rtol=1e-12)


def test_usage_errors():
    x, y, dx, dy = _data()
    with pytest.raises(agc.UsageError, match="reduction must be 'mean' or 'sum'"):
        grad_over_chunks(mean_squared, dx, dy, np.ones(FEATURES), 0.0, reduction="max")
    with pytest.raises(agc.UsageError, match="needs at least one dask array"):
        grad_over_chunks(mean_squared, x, y, np.ones(FEATURES), 0.0)
