"""Compile time of agc against model size: it must grow linearly.

    python benchmarks/compile_time.py                 # the table
    python benchmarks/compile_time.py --quick         # the small sizes only
    python benchmarks/compile_time.py --profile straight:1000   # cProfile one model

Each model is generated as a module file in a temporary folder and imported;
"decorator" is the first `differentiate(f).grad(x)` call (parse, compile,
import of the emitted code, one gradient), "agc compile" is
`agc compile model.py` run in process (parse, compile, text out). Shapes:
straight-line scalar statements; N for loops; N if/else; an elif chain of N
branches; ifs and loops nested N deep (Python itself refuses ~100 levels
of indentation and more than 20 nested loops: "too many statically nested
blocks"); one loop whose body is N statements. Targets: 1,000 statements < 1 s,
5,000 < 5 s, no RecursionError at any size Python itself accepts.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib.util
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import agc
from agc.cli.main import main as agc_main

HEADER = "import numpy as np\nfrom agc import differentiate\n\n\ndef f(x):\n"


def straight(n: int) -> str:
    """n scalar statements, each reading the two before it."""
    lines = ["    a0 = x", "    a1 = np.sin(x)"]
    for i in range(2, n):
        op = ("np.sin(a{p}) * a{q}", "a{p} * 0.5 + np.cos(a{q})", "np.tanh(a{p} - a{q})")[i % 3]
        lines.append(f"    a{i} = " + op.format(p=i - 1, q=i - 2))
    return HEADER + "\n".join(lines) + f"\n    return a{n - 1}\n"


def loops(n: int) -> str:
    """n small for loops one after the other."""
    body = ["    s = x"]
    for i in range(n):
        body += [f"    for i{i} in range(2):", f"        s = np.sin(s) * 0.9 + {i % 7} * 0.01"]
    return HEADER + "\n".join(body) + "\n    return s\n"


def branches(n: int) -> str:
    """n if/else statements one after the other."""
    body = ["    s = x"]
    for i in range(n):
        body += [f"    if s > {i % 5 - 2}:", "        s = np.sin(s)", "    else:", "        s = s * 0.5"]
    return HEADER + "\n".join(body) + "\n    return s\n"


def elif_chain(n: int) -> str:
    """One if with n - 1 elif branches."""
    body = ["    s = x", "    if x > 0:", "        s = np.sin(x)"]
    for i in range(1, n):
        body += [f"    elif x > {-i}:", f"        s = x * {i}.0"]
    return HEADER + "\n".join(body) + "\n    return s\n"


def nested_ifs(n: int) -> str:
    """n ifs, each inside the one before."""
    body = ["    s = x"]
    for i in range(n):
        body += ["    " * (i + 1) + f"if x > {-i - 1}:", "    " * (i + 2) + "s = np.sin(s)"]
    return HEADER + "\n".join(body) + "\n    return s\n"


def nested_loops(n: int) -> str:
    """n for loops of one trip each, each inside the one before."""
    body = ["    s = x"]
    for i in range(n):
        body += ["    " * (i + 1) + f"for i{i} in range(1):", "    " * (i + 2) + "s = np.sin(s)"]
    return HEADER + "\n".join(body) + "\n    return s\n"


def loop_body(n: int) -> str:
    """One for loop whose body is n elementwise statements reading earlier ones."""
    body = ["    t0 = x", "    for i in range(3):", "        t1 = np.sin(t0)"]
    for i in range(2, n):
        body.append(f"        t{i} = t{i - 1} * 0.5 + np.sin(t{(i * 7) % (i - 1)})")
    body.append(f"        t0 = t{n - 1}")
    return HEADER + "\n".join(body) + "\n    return t0\n"


SHAPES = {"straight": straight, "loops": loops, "branches": branches, "elif": elif_chain,
          "nested_ifs": nested_ifs, "nested_loops": nested_loops,
          "loop_body": loop_body}
SIZES = {"straight": (10, 100, 1000, 5000), "loops": (10, 100, 1000), "branches": (10, 100, 1000),
         "elif": (100, 1000), "nested_ifs": (50, 90), "nested_loops": (10, 19),
         "loop_body": (50, 100, 200, 400)}
QUICK = {"straight": (10, 100, 1000), "loops": (10, 100), "branches": (10, 100),
         "elif": (100,), "nested_ifs": (50,), "nested_loops": (19,),
         "loop_body": (50, 100)}


def write_model(folder: Path, shape: str, n: int) -> Path:
    """The model file of `shape` with `n` constructs."""
    path = folder / f"m_{shape}_{n}.py"
    path.write_text(SHAPES[shape](n))
    return path


def time_decorator(path: Path) -> float:
    """Seconds for the first `differentiate(f).grad(0.3)` (compile included)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    start = time.perf_counter()
    agc.differentiate(module.f).grad(0.3)
    return time.perf_counter() - start


def time_cli(path: Path) -> float:
    """Seconds for `agc compile model.py` (output discarded)."""
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = agc_main(["compile", str(path), "--function", "f", "--wrt", "x"])
    took = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"agc compile {path} exited with {code}")
    return took


def profile(folder: Path, spec: str) -> None:
    """cProfile the decorator path on one model; print the top functions."""
    shape, _, n = spec.partition(":")
    path = write_model(folder, shape, int(n))
    profiler = cProfile.Profile()
    profiler.enable()
    took = time_decorator(path)
    profiler.disable()
    print(f"{shape} {n}: {took:.2f} s")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--profile", metavar="SHAPE:N", help="cProfile one model instead")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        sys.path.insert(0, temp)
        if args.profile:
            profile(folder, args.profile)
            return 0
        sizes = QUICK if args.quick else SIZES
        print("| model | constructs | decorator, first grad (s) | agc compile (s) |")
        print("|---|---:|---:|---:|")
        for shape in args.shape or SHAPES:
            for n in sizes[shape]:
                path = write_model(folder, shape, n)
                try:
                    row = f"{time_decorator(path):.3f} | {time_cli(path):.3f}"
                except RecursionError:
                    row = "RecursionError | RecursionError"
                print(f"| {shape} | {n} | {row} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
