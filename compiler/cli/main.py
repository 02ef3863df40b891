"""The `agc` command: `agc compile model.py`, `agc check model.py`, `agc graph model.py`,
`agc supported`.

Neither command imports or executes the model file: it is parsed as text.
Exit codes: 0 success, 1 a problem in the user's code (or a failed proof),
2 a usage error (bad option, missing file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from .. import pipeline
from ..backend.graph import Graph, adjoint_graph
from ..backend.numba_target import file_entries
from ..deep import with_room
from ..errors import AgcError, UsageError
from ..proof.verify import SECONDS
from .check import run_check
from .model import read_model, targets_of
from .supported import render as render_supported

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `agc` command."""
    parser = argparse.ArgumentParser(prog="agc", description="Source-to-source reverse-mode "
                                     "differentiation of numpy code.")
    sub = parser.add_subparsers(dest="command", required=True)
    comp = sub.add_parser("compile", help="write the gradient code of a model file")
    comp.add_argument("model", help="the Python file holding the model")
    comp.add_argument("-o", "--output", help="file to write (default: standard output)")
    comp.add_argument("--mode", choices=pipeline.MODES, default="reverse",
                      help="reverse: gradients (f_grad, f_value_and_grad); forward: JVPs "
                      "(f_jvp); both (default: reverse)")
    comp.add_argument("--target", choices=("numpy", "numba"), default="numpy",
                      help="numpy: code for numpy or cupy arrays; numba: @numba.njit(cache=True) "
                      "functions for loop-heavy models (default: numpy)")
    _add_selection(comp)
    check = sub.add_parser("check", help="prove the gradients of a model file with sympy")
    check.add_argument("model", help="the Python file holding the model")
    _add_selection(check)
    check.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                       help="a point to check at: --at a=0.37, --at v=[0.1,0.2], or a shape "
                       "for a small array, --at x=2x3 (repeatable)")
    check.add_argument("--allow-inconclusive", action="store_true",
                       help="exit 0 when a proof is INCONCLUSIVE (else exit 3)")
    check.add_argument("--seconds", type=float, default=SECONDS, metavar="S",
                       help=f"time limit of each function's proof; past it INCONCLUSIVE "
                            f"(default {SECONDS:g})")
    graph = sub.add_parser("graph", help="draw the computational graph of a model file "
                           "(forward and backward sweeps)")
    graph.add_argument("model", help="the Python file holding the model")
    graph.add_argument("-o", "--output", required=True,
                       help="file to write: .svg or .png (Graphviz's dot), or .dot text")
    _add_selection(graph)
    supported = sub.add_parser("supported", help="list the supported numpy, scipy and Python "
                               "surface (Markdown; docs/supported.md)")
    supported.add_argument("-o", "--output", help="file to write (default: standard output)")
    return parser


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--function", help="differentiate only this function")
    parser.add_argument("--wrt", help="comma-separated parameters (default: from the decorator, "
                        "else the first parameter)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return EXIT_USAGE if stop.code else EXIT_OK
    try:
        if args.command == "compile":
            return with_room(run_compile, args)
        if args.command == "supported":
            return run_supported(args)
        if args.command == "graph":
            return run_graph(args)
        return run_check(args)
    except UsageError as err:
        print(f"agc: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except AgcError as err:
        print(err, file=sys.stderr)
        return EXIT_USER


def run_supported(args) -> int:
    """`agc supported`: the supported surface as Markdown, to a file or standard output."""
    text = render_supported()
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_atomically(args.output, text)
    return EXIT_OK


def run_compile(args) -> int:
    """`agc compile`: write the gradient module (atomically) or print it."""
    parsed = read_model(args.model)
    targets = targets_of(parsed, args.function, args.wrt)
    compiled = pipeline.compile_parsed(parsed, targets, os.path.basename(args.model),
                                       mode=args.mode, backend=args.target)
    source = compiled.source
    if args.target == "numba":
        source = file_entries(source, list(compiled.adjoints.values()))
    if args.output is None:
        sys.stdout.write(source)
        return EXIT_OK
    if os.path.abspath(args.output) == os.path.abspath(args.model):
        raise UsageError("the output file would overwrite the model; choose another -o")
    write_atomically(args.output, source)
    suffixes = {"reverse": ("_grad",), "forward": ("_jvp",), "both": ("_grad", "_jvp")}[args.mode]
    names = ", ".join(f"{t.name}{suffix}" for t in targets for suffix in suffixes)
    print(f"agc: wrote {names} to {args.output}", file=sys.stderr)
    return EXIT_OK


def run_graph(args) -> int:
    """`agc graph`: the graph of one function (the first decorated, or --function)."""
    parsed = read_model(args.model)
    target = targets_of(parsed, args.function, args.wrt)[0]
    compiled = pipeline.compile_parsed(parsed, [target], os.path.basename(args.model))
    Graph(adjoint_graph(compiled.adjoints[target.name])).save(args.output)
    print(f"agc: wrote the graph of {target.name} to {args.output}", file=sys.stderr)
    return EXIT_OK


def write_atomically(path: str, text: str) -> None:
    """Write a file so that it is never seen half-written."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"no such directory: {folder}")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".agc-", suffix=".py")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise

