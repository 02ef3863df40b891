"""tape_memory: peak memory of one gradient of a long scalar loop, one subprocess per cell.

Child: python memory.py TOOL N LIMIT_S  -> prints one JSON line.
RSS: /proc/self/clear_refs '5' resets the peak (VmHWM) after setup and a warm-up call;
the cell is VmHWM after the gradient minus VmRSS before it (falls back to ru_maxrss).
tracemalloc: peak of Python-heap allocations during a second gradient call; only for
tools whose data lives on the Python heap (not torch/jax, whose tensors are allocated
by their own C++ allocators and are invisible to tracemalloc).
"""
import gc
import json
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import peers
from workloads.tape import tape_case

HERE = Path(__file__).resolve().parent
TRACEMALLOC_TOOLS = ("agc", "hand", "forward", "autograd", "tangent")
WARM_N = 200
TRACE_SLOWDOWN = 5  # tracemalloc slows allocation-heavy tools (autograd) about this much


def proc_kib(field):
    """A field of /proc/self/status in KiB."""
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def reset_peak():
    """Reset VmHWM to the current RSS; False when the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def gradient(key, n):
    """(zero-arg gradient call on the size-n loop, warm-up call at WARM_N)."""
    case, warm = tape_case(n), tape_case(WARM_N)
    if key == "forward":
        return (lambda: case.fn(*case.args)), (lambda: warm.fn(*warm.args))
    tool = peers.tool(key)
    reason = tool.probe()
    if reason:
        raise RuntimeError(f"absent: {reason}")
    grad_fn = tool.build(case)
    big, small = tool.convert(case, case.args), tool.convert(warm, warm.args)
    return (lambda: tool.finish(grad_fn(*big))), (lambda: tool.finish(grad_fn(*small)))


def rss_peak(call):
    """(peak RSS growth in bytes, seconds) of one call."""
    gc.collect()
    exact = reset_peak()
    before_rss, before_max = proc_kib("VmRSS"), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    call()
    seconds = time.perf_counter() - start
    if exact:
        return (proc_kib("VmHWM") - before_rss) * 1024, seconds
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_max) * 1024, seconds


def traced_peak(call):
    """Peak Python-heap bytes allocated during one call (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def child(key, n, limit_s):
    """Measure one (tool, n); returns the JSON-able result."""
    big, warm = gradient(key, n)
    timed_call(warm)  # first call: tracing, caches
    guess = max(timed_call(warm)[1], 1e-6) * n / WARM_N
    if guess > limit_s:
        return {"skipped": f"estimated {guess:.0f} s from a {WARM_N}-step run > {limit_s:g} s"}
    rss, seconds = rss_peak(big)
    out = {"rss": rss, "seconds": seconds}
    if key in TRACEMALLOC_TOOLS and seconds * TRACE_SLOWDOWN <= limit_s:
        out["traced"] = traced_peak(big)
    return out


def timed_call(call):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def run_child(key, n, limit_s):
    """Run one measurement in a fresh interpreter; {'error': ...} on any failure."""
    cmd = [sys.executable, str(HERE / "memory.py"), key, str(n), str(limit_s)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3 * limit_s + 60)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {3 * limit_s + 60:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail[:300]}"}
    return json.loads(lines[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    key, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    try:
        result = child(key, n, limit)
    except Exception as exc:  # noqa: BLE001 - reported as the cell's error
        result = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}
    print(json.dumps(result))
