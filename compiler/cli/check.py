"""`agc check model.py`: prove a model file's gradients with sympy, without running it.

The file is parsed as text (cli.model.read_model); each function to check (the
decorated ones, or --function NAME) is differentiated as `agc compile` does
and verified at one point: the values given with --at NAME=VALUE (a number, a
list such as [0.1, 0.2] for a vector, or a shape such as 2x3 for a small array
of distinct values), else a parameter's default, else 3 for a parameter
annotated `int`, else a small distinct number (0.37, 0.59, ...). The output
says which values were chosen, and, when the proof is INCONCLUSIVE with a
parameter that the model uses as an array, which --at to pass. Exit code 1
when a gradient is FAILED, 3 when one is INCONCLUSIVE (0 with
--allow-inconclusive), else 0.
"""

from __future__ import annotations

import ast
import re
import sys

import numpy as np

from .. import ir, pipeline
from ..deep import with_room
from ..errors import UsageError
from ..frontend.resolve import SOURCE_DEFAULT, ModuleValue
from ..proof.prover import Status
from ..proof.report import render
from ..proof.verify import verify_adjoint
from .model import read_model, targets_of

EXIT_OK, EXIT_FAILED, EXIT_INCONCLUSIVE = 0, 1, 3
INT_DEFAULT = 3
SHAPE = re.compile(r"^\d+(x\d+)*$")  # --at x=2x3: a 2 by 3 array
# Operations whose operands are arrays: a scalar there makes the proof inconclusive.
ARRAY_ONLY = frozenset({"MATMUL", "DOT", "GETITEM", "TRANSPOSE", "OUTER", "INNER", "EINSUM",
                        "TENSORDOT", "SHAPE", "LEN"})


def run_check(args) -> int:
    """Run `agc check` with parsed arguments (model, function, wrt, at); returns the exit code."""
    parsed = with_room(read_model, args.model)
    targets = targets_of(parsed, args.function, args.wrt)
    given = parse_at(args.at or [])
    statuses, used = [], set()
    for target in targets:
        adjoint, fn = with_room(pipeline.differentiate_function, parsed, target)
        example, chosen = example_point(fn, given)
        used |= set(given) & set(fn.param_names)
        helpers = _helpers(parsed, fn)
        result = verify_adjoint(adjoint, example, helpers, target.has_aux,
                                seconds=args.seconds)
        print(f"== {args.model}: {fn.name}")
        for name, value in chosen.items():
            print(f"  using {name}={value} (no --at {name}=VALUE given)")
        print(render(result, pretty=True))
        if result.status is Status.INCONCLUSIVE:
            _suggest_arrays(fn, chosen)
        statuses.append(result.status)
    unused = sorted(set(given) - used)
    if unused:
        print(f"agc: warning: --at {', '.join(unused)}: no checked function has such a "
              "parameter", file=sys.stderr)
    print(summary(statuses))
    if Status.FAILED in statuses:
        return EXIT_FAILED
    if Status.INCONCLUSIVE in statuses and not getattr(args, "allow_inconclusive", False):
        return EXIT_INCONCLUSIVE
    return EXIT_OK


def _suggest_arrays(fn: ir.Function, chosen: dict) -> None:
    """Name the --at to pass for chosen scalars that the model uses as arrays."""
    arrays = {a.name for s in ir.walk(fn.body) if isinstance(s, ir.Assign)
              and s.prim.name in ARRAY_ONLY for a in s.args if isinstance(a, ir.Var)}
    names = [p for p in fn.param_names if p in chosen and p in arrays]
    if names:
        example = " ".join(f"--at {p}=2x2" for p in names)
        print(f"  hint: {', '.join(names)} {'is' if len(names) == 1 else 'are'} used as "
              f"arrays here but got numbers: pass shapes (or values), e.g. {example} "
              "(the shapes must fit together)")


def parse_at(items: list[str]) -> dict[str, object]:
    """{name: value} from ["a=0.37", "x=[0.1, 0.2]"]; UsageError on anything else."""
    values: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise UsageError(f"--at expects NAME=VALUE, got {item!r}")
        if SHAPE.match(text.strip()):
            values[name] = _array_of_shape(text.strip(), len(values))
            continue
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            raise UsageError(f"--at {name}: {text!r} is not a number or a list of numbers") \
                from None
        values[name] = _as_value(name, value)
    return values


def _array_of_shape(text: str, salt: int) -> np.ndarray:
    """A small array of the shape `2x3`: distinct values in (0.2, 0.9), away from ties."""
    shape = tuple(int(n) for n in text.split("x"))
    values = np.random.default_rng(37 + salt).uniform(0.2, 0.9, size=shape)
    return np.round(values, 2)


def _as_value(name: str, value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
        raise UsageError(f"--at {name}: expected a number or a list of numbers")
    if isinstance(value, (list, tuple)):
        try:
            return np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise UsageError(f"--at {name}: a list of numbers (rows of equal length) is "
                             "expected") from None
    return value


def _known_by_text(value) -> bool:
    """A default written as source (`np.ones(3)`, `model.A`): no value to check at."""
    return value is SOURCE_DEFAULT or isinstance(value, ModuleValue)


def example_point(fn: ir.Function, given: dict) -> tuple[dict, dict]:
    """Values for every parameter, and which of them were chosen here (not given)."""
    example, chosen = {}, {}
    for position, param in enumerate(fn.params):
        if param.name in given:
            example[param.name] = given[param.name]
            continue
        if param.default is not None and not _known_by_text(param.default.value):
            value = param.default.value
        elif param.annotation == "int":
            value = INT_DEFAULT
        else:
            value = round(0.37 + 0.22 * position, 2)  # distinct, away from 0, 1 and ties
        example[param.name] = chosen[param.name] = value
    return example, chosen


def _helpers(parsed, fn: ir.Function) -> dict:
    if not any(isinstance(s, ir.Assign) and s.prim.name == "CALL" for s in ir.walk(fn.body)):
        return {}
    return {h.primal.name: h for h in pipeline.collect_helpers(parsed, [fn])}


def summary(statuses: list[Status]) -> str:
    """One line: how many functions were proved, failed, inconclusive."""
    counts = {s: statuses.count(s) for s in Status if statuses.count(s)}
    parts = ", ".join(f"{n} {s}" for s, n in counts.items())
    noun = "function" if len(statuses) == 1 else "functions"
    return f"agc check: {len(statuses)} {noun}: {parts}"
