"""How long an emitted gradient module takes to import, beyond numpy itself.

    python benchmarks/import_time.py                  # 21 runs each, median
    python benchmarks/import_time.py --repeat 51 --python /other/venv/bin/python

Emitted modules begin with `from agc import runtime as rt`, so their import
time is agc.runtime's. The target: < 60 ms above a bare `import numpy`.
The script compiles examples/model_for_cli.py with `agc compile` (the `agc`
command next to the chosen interpreter) into a temporary folder, then times,
each in a fresh interpreter and alternating, `import numpy` and
`import model_grad` (that folder on sys.path). Each child times only its own
import statement (time.perf_counter around it), not the interpreter's start.
Prints the medians, the difference and the modules of libcst and sympy
the emitted module's import loaded (there should be none).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_MS = 60.0
MODEL = Path(__file__).resolve().parent.parent / "examples" / "model_for_cli.py"
CHILD = """
import sys, time
sys.path.insert(0, {folder!r})
start = time.perf_counter()
import {module}
took = time.perf_counter() - start
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'sympy'))
print(took * 1000, len(heavy))
"""


def time_import(python: str, module: str, folder: str) -> tuple[float, int]:
    """(milliseconds the import took, heavy modules it loaded) in a fresh interpreter."""
    out = subprocess.run([python, "-c", CHILD.format(folder=folder, module=module)],
                         capture_output=True, text=True, check=True, cwd=folder)
    took, heavy = out.stdout.split()
    return float(took), int(heavy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose agc is measured (default: this one)")
    parser.add_argument("--repeat", type=int, default=21, help="fresh interpreters per import")
    parser.add_argument("--model", default=str(MODEL), help="model file to compile")
    args = parser.parse_args(argv)
    args.python = os.path.abspath(args.python)  # the children run in the temporary folder
    agc = Path(args.python).parent / "agc"
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([str(agc), "compile", args.model, "-o", f"{folder}/model_grad.py"],
                       check=True)
        numpy_ms, emitted_ms, heavy = [], [], 0
        time_import(args.python, "model_grad", folder)  # warm the file caches and .pyc files
        for _ in range(args.repeat):
            numpy_ms.append(time_import(args.python, "numpy", folder)[0])
            took, heavy = time_import(args.python, "model_grad", folder)
            emitted_ms.append(took)
    base, emitted = statistics.median(numpy_ms), statistics.median(emitted_ms)
    extra = emitted - base
    print(f"import numpy:       {base:7.1f} ms (median of {args.repeat})")
    print(f"import model_grad:  {emitted:7.1f} ms (median of {args.repeat})")
    print(f"difference:         {extra:7.1f} ms (target < {TARGET_MS:.0f} ms: "
          f"{'met' if extra < TARGET_MS else 'MISSED'})")
    print(f"libcst/sympy modules loaded by the emitted module: {heavy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
