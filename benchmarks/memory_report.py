"""Run the tape_memory grid (tool x size) and render it as markdown."""
from memory import TRACEMALLOC_TOOLS, run_child
from report import fmt_time, table

QUICK_SIZES = (10_000, 100_000)
FULL_SIZES = (10_000, 100_000, 1_000_000)
KEYS = ("agc", "hand", "forward", "torch", "jax", "autograd", "tangent")


def mib(nbytes):
    """Bytes as MiB text."""
    return f"{nbytes / 2**20:.1f} MiB"


def memory_cell(result, key, label, n, notes):
    """One cell: RSS growth, tracemalloc peak (where meaningful) and time."""
    if "error" in result or "skipped" in result:
        kind = "error" if "error" in result else "skipped"
        text = result.get("error") or result.get("skipped")
        if text.startswith("RuntimeError: absent"):
            return "absent " + notes.ref(f"{label} absent: {text.split('absent: ', 1)[1]}")
        return f"{kind} " + notes.ref(f"{label} tape_memory n={n}: {text}")
    traced = "n/a"
    if key in TRACEMALLOC_TOOLS:
        traced = mib(result["traced"]) if "traced" in result else "skipped (slow)"
    return f"{mib(result['rss'])} / {traced} / {fmt_time(result['seconds'])}"


def measure(key, n, limit, absent, previous):
    """One cell's result; skipped when the previous size predicts a run over the limit."""
    if key in absent:
        return {"error": f"RuntimeError: absent: {absent[key]}"}
    if previous and previous[1] is None:
        return {"skipped": f"the n={previous[0]:,} run was already skipped or failed"}
    if previous and previous[1] * n / previous[0] > limit:
        guess = previous[1] * n / previous[0]
        return {"skipped": f"estimated {guess:.0f} s from the n={previous[0]:,} run > {limit:g} s"}
    return run_child(key, n, limit)


def memory_table(quick, labels, absent, notes, log):
    """Rows = loop length, columns = tools; runs one subprocess per cell."""
    sizes, limit = (QUICK_SIZES, 8.0) if quick else (FULL_SIZES, 300.0)
    rows, last = [], {}
    for n in sizes:
        row = [f"n={n:,}"]
        for key in KEYS:
            log(f"tape_memory n={n} {key}")
            result = measure(key, n, limit, absent, last.get(key))
            last[key] = (n, result.get("seconds"))
            row.append(memory_cell(result, key, labels[key], n, notes))
        rows.append(row)
    return table(["loop length"] + [labels[k] for k in KEYS], rows)
