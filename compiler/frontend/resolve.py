"""Resolve the names a model uses to qualified names (`np` -> `numpy`).

Two sources, one result (`Names`):
  * a model file read by the CLI: its import statements and top-level
    definitions, without importing or executing it;
  * a live function given to the decorator: its `__globals__`.
cupy is treated as numpy: the same emitted code runs on both.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass, field

import libcst as cst
import numpy

ARRAY_MODULES = {"numpy": "numpy", "cupy": "numpy", "math": "math", "agc": "agc",
                 "agc.runtime": "agc.runtime", "numpy.linalg": "numpy.linalg",
                 "cupy.linalg": "numpy.linalg",
                 "numpy.lib.stride_tricks": "numpy.lib.stride_tricks"}


@dataclass
class Names:
    """What the top-level names of a model's module mean to agc."""

    qualified: dict[str, str] = field(default_factory=dict)  # np -> numpy, exp -> numpy.exp
    functions: set[str] = field(default_factory=set)  # user functions agc may differentiate
    function_modules: dict[str, str] = field(default_factory=dict)  # imported helper -> module
    modules: dict[str, str] = field(default_factory=dict)  # other imported modules: alias -> name
    constants: dict[str, object] = field(default_factory=dict)  # SCALE -> 2.0
    imports: list[str] = field(default_factory=list)  # import lines to repeat in emitted code
    # constants the lowering read: their values at call time must still be these
    read: set[str] = field(default_factory=set)

    def qualify(self, dotted: str) -> str | None:
        """The qualified name of `np.linalg.norm`-like text, or None if unknown."""
        head, _, rest = dotted.partition(".")
        base = self.qualified.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base


def _module_name(name: str) -> str | None:
    return ARRAY_MODULES.get(name)


def names_from_module(module: cst.Module) -> Names:
    """Read imports, functions and constants from a parsed model file."""
    names = Names()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            names.functions.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                _read_small_statement(small, names, module)
    return names


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _read_small_statement(small: cst.BaseSmallStatement, names: Names, module: cst.Module) -> None:
    if isinstance(small, cst.Import):
        for alias in small.names:
            full = _dotted(alias.name)
            known = _module_name(full)
            if known is None:
                bound = alias.asname.name.value if alias.asname else full.split(".")[0]
                names.modules[bound] = full if alias.asname else bound
                continue
            bound = alias.asname.name.value if alias.asname else full.split(".")[0]
            names.qualified[bound] = known if alias.asname else _module_name(bound) or bound
            names.imports.append(module.code_for_node(small).strip())
    elif isinstance(small, cst.ImportFrom) and small.module is not None:
        base = _module_name(_dotted(small.module))
        if isinstance(small.names, cst.ImportStar):
            return
        if base is None or base == "agc":
            _read_helper_import(small, names)
        if base is None:
            return
        for alias in small.names:
            bound = alias.asname.name.value if alias.asname else _dotted(alias.name)
            names.qualified[bound] = f"{base}.{_dotted(alias.name)}"
        names.imports.append(module.code_for_node(small).strip())
    elif isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        value = _literal_number(small.value)
        if isinstance(target, cst.Name) and value is not None:
            names.constants[target.value] = value


def _read_helper_import(small: cst.ImportFrom, names: Names) -> None:
    """`from mylib import linear` or `from agc import nn`: helpers agc may differentiate."""
    module = "." * len(small.relative) + _dotted(small.module)
    for alias in small.names:
        name = _dotted(alias.name)
        bound = alias.asname.name.value if alias.asname else name
        if module == "agc" and name != "nn":
            continue
        if module == "agc":
            names.modules[bound] = "agc.nn"
        else:
            names.functions.add(bound)
            names.function_modules[bound] = module
            names.modules.setdefault(f"{module}.{name}", module)


def _literal_number(node: cst.BaseExpression) -> float | int | None:
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _literal_number(node.expression)
        return -inner if inner is not None else None
    return None


def names_from_globals(glob: dict) -> Names:
    """Read what a live function's globals mean (the decorator's case)."""
    names = Names()
    here = glob.get("__name__")
    for key, value in glob.items():
        if isinstance(value, types.ModuleType):
            known = _module_name(value.__name__)
            if known is not None:
                names.qualified[key] = known
                alias = f" as {key}" if key != value.__name__ else ""
                names.imports.append(f"import {value.__name__}{alias}")
            else:
                names.modules[key] = value.__name__
        elif isinstance(value, types.FunctionType) and not key.startswith("__"):
            qualified = _agc_function_name(value)
            if qualified:
                names.qualified[key] = qualified
            else:
                names.functions.add(key)
                if value.__module__ != here:
                    names.function_modules[key] = value.__module__
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            names.constants[key] = value
        elif callable(value):
            for module_name, module in (("numpy", numpy), ("numpy.linalg", numpy.linalg),
                                        ("numpy.lib.stride_tricks", numpy.lib.stride_tricks),
                                        ("math", math)):
                if getattr(module, getattr(value, "__name__", ""), None) is value:
                    names.qualified[key] = f"{module_name}.{value.__name__}"
                    break
    return names


def _agc_function_name(fn: types.FunctionType) -> str | None:
    module = getattr(fn, "__module__", "") or ""
    if module == "agc.nn" or module.startswith("agc.nn."):
        return None  # agc's own layers and losses are differentiated like user helpers
    if module == "agc" or module.startswith("agc."):
        return f"agc.{fn.__name__}"
    if module == "math":
        return f"math.{fn.__name__}"
    return None
