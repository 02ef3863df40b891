"""agc benchmark harness: python benchmarks/run.py [--quick] [--only NAME] [--out FILE.md]."""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import threads

threads.apply(threads.requested(sys.argv[1:]))
# Idle worker threads must yield the cores, or a tool's spinning threads slow the next one
# (same-process round-robin): libgomp (torch) and OpenBLAS (numpy) spin for ~0.1 s by default.
THREAD_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "4"}
for _name, _value in THREAD_ENV.items():
    os.environ.setdefault(_name, _value)

import numpy as np
import peers
import report
import workloads
from measure import measure_case
from memory_report import memory_table
from timing import FULL, QUICK


def parse_args(argv):
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="short budgets, smaller grid (~3 min)")
    ap.add_argument("--only", action="append", default=[],
                    help=f"workload name or prefix, repeatable or comma-separated: "
                         f"{', '.join(workloads.NAMES)}")
    ap.add_argument("--tools", default=",".join(peers.COLUMNS),
                    help="comma-separated subset of: " + ",".join(peers.COLUMNS))
    ap.add_argument("--out", help="also write the markdown report to this file")
    ap.add_argument("--threads", choices=threads.SETTINGS, default="default",
                    help="one thread per tool, the libraries' defaults, or both (one fresh "
                         "process each; the tape_memory table runs once, single-threaded)")
    ap.add_argument("--no-memory", action="store_true", help="skip the tape_memory table")
    return ap.parse_args(argv)


START = time.perf_counter()


def log(message):
    """Progress line on stderr (the report goes to stdout)."""
    print(f"[bench {time.perf_counter() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


def probe_tools(keys):
    """{key: reason} for every requested tool that cannot be used."""
    absent = {}
    for tool in peers.GRAD_TOOLS:
        if tool.key in keys:
            reason = tool.probe()
            if reason:
                absent[tool.key] = reason
                log(f"{tool.label}: absent ({reason})")
    return absent


def environment(absent, keys, quick, setting):
    """Header lines: machine, versions, mode."""
    versions = [f"numpy {np.__version__}"]
    for tool in peers.GRAD_TOOLS:
        if tool.key in keys and tool.key not in absent and tool.key not in ("hand", "expert", "jit"):
            versions.append(f"{tool.label} {tool.version()}")
    torch_threads = ""
    if "torch" in keys and "torch" not in absent:
        import torch  # noqa: PLC0415 - an optional peer, loaded only when it is measured
        torch_threads = f", torch threads {torch.get_num_threads()}"
    env = ", ".join(f"{k}={os.environ[k]}" for k in tuple(THREAD_ENV) + tuple(threads.ONE)
                    if k in os.environ)
    return (f"python {platform.python_version()} on {platform.machine()}, "
            f"{os.cpu_count()} cpus, threads: {threads.TITLES[setting]}{torch_threads}, "
            f"BLAS {threads.blas()}, {env}; {'; '.join(versions)}; "
            f"mode {'--quick' if quick else 'full'}; {time.strftime('%Y-%m-%d %H:%M')}")


def run_timing(cases, keys, absent, budget):
    """[(case, {key: Cell})] for every case."""
    tools = [t for t in peers.GRAD_TOOLS if t.key in keys]
    results = []
    for case in cases:
        log(f"{case.name}")
        results.append((case, measure_case(case, tools, absent, budget)))
    return results


def method_text(budget):
    """How the numbers were taken."""
    return (
        "Cells: median seconds per gradient call (linreg_train: per 500-step training loop) "
        "and, in parentheses, the ratio to the hand-written adjoint. All tools run in one "
        "process on the same inputs; each round runs every tool once (start rotated), each "
        f"sample is enough back-to-back calls to last ~{budget.sample_s * 1e3:g} ms with gc "
        f"paused, {budget.min_rounds}-{budget.max_rounds} rounds within "
        f"~{budget.per_tool_s:g} s per tool, planned from a warm call after the first "
        f"(1 round only when {budget.min_rounds} calls would take over "
        f"{budget.first_call_s:g} s). Before timing "
        "every gradient is checked against the hand-written adjoint with np.allclose "
        "(rtol 1e-7 float64, 1e-3 float32; atol relative to max |reference|); a mismatch "
        f"is **WRONG** and not timed. Build + first call over {budget.first_call_s:g} s is a "
        "timeout.")


FIRST_CALL_TITLE = ("## Build and first call (build = agc.differentiate / tangent.grad / "
                    "jax.jit wrapper; first call includes tracing and compilation)")
MEMORY_TITLE = "## tape_memory: peak memory of one gradient of `x = x + 0.01*sin(x)*p`"
MEMORY_TEXT = (
    "Cells: peak RSS growth during one gradient call / tracemalloc peak during a second "
    "call / wall time of the first. One fresh subprocess per cell; RSS peak is reset "
    "(/proc/self/clear_refs) after setup and a 200-step warm-up. tracemalloc is n/a for "
    "torch and jax: their buffers come from their own C++ allocators. A cell is skipped "
    "when a 200-step run predicts it would exceed the per-cell time limit "
    "(8 s with --quick, 300 s otherwise); tracemalloc is skipped when the call took over "
    "1/5 of that limit.")


GRADBENCH_TITLE = "## GradBench workloads: time per gradient call"
GRADBENCH_TEXT = (
    "GradBench's published workloads written as plain numpy models "
    "(benchmarks/workloads/gb_models.py, gb_nested.py), against an expert hand-written "
    "adjoint (gb_adjoints.py). jax.jit runs lax.scan (lstm) and lax.fori_loop (ode) forms; "
    "particle and saddle take a gradient inside the model (agc: `f.grad` in the model; "
    "torch: autograd.grad with create_graph; jax: jax.grad). agc/fwd is the "
    "gradient-to-objective ratio (target <= 4); the ratio in agc's cell is agc / hand.")


def timing_parts(results, keys, notes, budget):
    """The timing tables (main rows, then GradBench rows) and the first-call table."""
    parts = []
    main_rows = [r for r in results if r[0].group == "main"]
    gb_rows = [r for r in results if r[0].group == "gradbench"]
    columns = [c for c in peers.COLUMNS if c in keys or c == "forward"]
    if main_rows:
        parts += ["## Time per gradient call",
                  report.timing_table(main_rows, columns, peers.LABELS, notes),
                  method_text(budget)]
    if gb_rows:
        gb_columns = [c for c in columns if c == "forward" or c in gb_rows[0][0].tools]
        parts += [GRADBENCH_TITLE, report.timing_table(gb_rows, gb_columns, peers.LABELS, notes),
                  GRADBENCH_TEXT + (" " + method_text(budget) if not main_rows else "")]
    return parts + [FIRST_CALL_TITLE, report.first_call_table(results, columns, peers.LABELS)]


def wants_memory(opts, only):
    """Whether this run includes the tape_memory table."""
    if opts.no_memory:
        return False
    return not only or any("tape_memory".startswith(o) or o.startswith("tape") for o in only)


def single_report(opts):
    """The markdown report of one process (one thread setting)."""
    only = [o.strip() for chunk in opts.only for o in chunk.split(",") if o.strip()]
    keys = [k.strip() for k in opts.tools.split(",")]
    keys = [k for k in keys if k != "forward"] + ["hand"] * ("hand" not in keys)
    budget = QUICK if opts.quick else FULL
    absent = probe_tools(keys)
    notes = report.Notes()
    parts = ["# agc benchmarks", environment(absent, keys, opts.quick, opts.threads)]
    cases = workloads.timed_cases(opts.quick, only)
    if cases:
        parts += timing_parts(run_timing(cases, keys, absent, budget), keys, notes, budget)
    if wants_memory(opts, only):
        parts += [MEMORY_TITLE,
                  memory_table(opts.quick, peers.LABELS, absent, notes, log), MEMORY_TEXT]
    if notes.items:
        parts += ["## Notes", notes.render()]
    return "\n\n".join(parts) + "\n"


def demoted(text, title):
    """A child report under a '## title' heading, its own headings one level down."""
    lines = [("#" + line if line.startswith("#") else line) for line in text.splitlines()]
    return "\n".join([f"## {title}"] + lines[1:]).strip() + "\n"


def main(argv=None):
    """Run the selected benchmarks and print one markdown report."""
    argv = sys.argv[1:] if argv is None else argv
    opts = parse_args(argv)
    if opts.threads == "both":
        rest = [a for a in argv if a != "--no-memory"]
        one = threads.run_each(rest, "one", opts.no_memory)
        default = threads.run_each(rest, "default", True)
        text = "\n\n".join(["# agc benchmarks", demoted(one, threads.TITLES["one"]),
                             demoted(default, threads.TITLES["default"])])
    else:
        text = single_report(opts)
    print(text)
    if opts.out:
        Path(opts.out).write_text(text)


if __name__ == "__main__":
    main()
