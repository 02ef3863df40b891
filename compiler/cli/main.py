"""The `agc` command: `agc compile model.py` and `agc check model.py`.

Neither command imports or executes the model file: it is parsed as text.
Exit codes: 0 success, 1 a problem in the user's code (or a failed proof),
2 a usage error (bad option, missing file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import libcst as cst

from .. import pipeline
from ..errors import AgcError, UsageError, UserCodeError
from ..frontend.resolve import names_from_module

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `agc` command."""
    parser = argparse.ArgumentParser(prog="agc", description="Source-to-source reverse-mode "
                                     "differentiation of numpy code.")
    sub = parser.add_subparsers(dest="command", required=True)
    comp = sub.add_parser("compile", help="write the gradient code of a model file")
    comp.add_argument("model", help="the Python file holding the model")
    comp.add_argument("-o", "--output", help="file to write (default: standard output)")
    _add_selection(comp)
    check = sub.add_parser("check", help="prove the gradients of a model file with sympy")
    check.add_argument("model", help="the Python file holding the model")
    _add_selection(check)
    check.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                       help="a point to check at, e.g. --at a=0.37 (repeatable)")
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
            return run_compile(args)
        from .check import run_check

        return run_check(args)
    except UsageError as err:
        print(f"agc: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except AgcError as err:
        print(err, file=sys.stderr)
        return EXIT_USER


def read_model(path: str) -> pipeline.ParsedModule:
    """Parse a model file without running it."""
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    return pipeline.parse(text, path, names_from_module)


def targets_of(parsed, function: str | None, wrt: str | None) -> list[pipeline.Target]:
    """The functions to differentiate: the named one, or the decorated ones."""
    wrt_names = tuple(w.strip() for w in wrt.split(",") if w.strip()) if wrt else None
    decorated = decorated_functions(parsed)
    if function is not None:
        if function not in parsed.functions:
            raise UsageError(f"{parsed.source.path} has no top-level function {function!r}")
        decl_wrt, has_aux = decorated.get(function, (None, False))
        return [pipeline.Target(function, wrt_names or decl_wrt, has_aux=has_aux)]
    if not decorated:
        raise UsageError(f"no function in {parsed.source.path} is decorated with "
                         "@differentiate; name one with --function NAME")
    return [pipeline.Target(name, wrt_names or decl_wrt, has_aux=has_aux)
            for name, (decl_wrt, has_aux) in decorated.items()]


def decorated_functions(parsed) -> dict[str, tuple[tuple[str, ...] | None, bool]]:
    """name -> (wrt, has_aux) from the decorator, for each function decorated with differentiate."""
    found = {}
    for name, node in parsed.functions.items():
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            callee = call.func if call else expr
            if _dotted(callee).split(".")[-1] != "differentiate":
                continue
            found[name] = (_decorator_wrt(parsed, call), _decorator_has_aux(parsed, call))
    return found


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _decorator_wrt(parsed, call: cst.Call | None) -> tuple[str, ...] | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "wrt":
            value = arg.value
            if isinstance(value, cst.SimpleString):
                return (value.evaluated_value,)
            if isinstance(value, (cst.Tuple, cst.List)) and all(
                    isinstance(e.value, cst.SimpleString) for e in value.elements):
                return tuple(e.value.evaluated_value for e in value.elements)
            raise UserCodeError("wrt= must be a literal string or tuple of strings here",
                                parsed.loc(value))
    return None


def _decorator_has_aux(parsed, call: cst.Call | None) -> bool:
    for arg in call.args if call is not None else ():
        if arg.keyword is not None and arg.keyword.value == "has_aux":
            if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
                return arg.value.value == "True"
            raise UserCodeError("has_aux= must be True or False here", parsed.loc(arg.value))
    return False


def run_compile(args) -> int:
    """`agc compile`: write the gradient module (atomically) or print it."""
    parsed = read_model(args.model)
    targets = targets_of(parsed, args.function, args.wrt)
    compiled = pipeline.compile_parsed(parsed, targets, os.path.basename(args.model))
    if args.output is None:
        sys.stdout.write(compiled.source)
        return EXIT_OK
    if os.path.abspath(args.output) == os.path.abspath(args.model):
        raise UsageError("the output file would overwrite the model; choose another -o")
    write_atomically(args.output, compiled.source)
    names = ", ".join(f"{t.name}_grad" for t in targets)
    print(f"agc: wrote {names} to {args.output}", file=sys.stderr)
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

