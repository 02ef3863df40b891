"""The symbolic meaning of one primitive on exact numbers: for tests of runtime helpers."""

from __future__ import annotations

import numpy as np
from agc import ir
from agc.ir.prims import Prim
from agc.proof.interpreter import Interpreter, Path, Point, symbolic_array


def symbolic_meaning(prim: Prim, values: tuple, **params) -> np.ndarray:
    """The symbolic meaning of `prim` on exact numbers, as floats."""
    run = Interpreter(Point({}), Path())
    atoms = tuple(ir.Var(f"a{i}") for i in range(len(values)))
    stmt = ir.Assign(ir.Var("t"), prim, atoms, ir.Params.of(**params))
    exact = tuple(symbolic_array(v) if isinstance(v, np.ndarray) and v.dtype.kind == "f"
                  else v for v in values)
    out = run.apply(stmt, list(exact))
    return np.asarray(run.point.evaluate(out), dtype=float)
