"""Resolve the names a model uses to qualified names (`np` -> `numpy`).

Two sources, one result (`Names`):
  * a model file read by the CLI: its import statements and top-level
    definitions, without importing or executing it;
  * a live function given to the decorator: its `__globals__`.
cupy is treated as numpy: the same emitted code runs on both.
"""

from __future__ import annotations

import math
import sys
import types
from dataclasses import dataclass, field

import libcst as cst
import numpy

ARRAY_MODULES = {"numpy": "numpy", "cupy": "numpy", "math": "math", "agc": "agc",
                 "agc.runtime": "agc.runtime", "numpy.linalg": "numpy.linalg",
                 "cupy.linalg": "numpy.linalg",
                 "numpy.lib.stride_tricks": "numpy.lib.stride_tricks"}
# scipy.special (and cupyx's copy of it): emitted code calls rt.special, never scipy itself;
# scipy.linalg (cupyx.scipy.linalg is the same to agc)
ARRAY_MODULES.update({"scipy": "scipy", "scipy.special": "scipy.special",
                      "cupyx.scipy": "scipy", "cupyx.scipy.special": "scipy.special",
                      "scipy.linalg": "scipy.linalg", "cupyx.scipy.linalg": "scipy.linalg"})


@dataclass
class Names:
    """What the top-level names of a model's module mean to agc."""

    qualified: dict[str, str] = field(default_factory=dict)  # np -> numpy, exp -> numpy.exp
    functions: set[str] = field(default_factory=set)  # user functions agc may differentiate
    function_modules: dict[str, str] = field(default_factory=dict)  # imported helper -> module
    modules: dict[str, str] = field(default_factory=dict)  # other imported modules: alias -> name
    constants: dict[str, object] = field(default_factory=dict)  # SCALE -> 2.0
    # g = agc.grad(f, wrt="x") in a model file read as text: g -> ("f", "grad", ("x",))
    gradients: dict[str, tuple] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)  # import lines to repeat in emitted code
    # constants the lowering read: their values at call time must still be these
    read: set[str] = field(default_factory=set)
    # helpers the compile found by name (helper -> the function object then): a helper
    # rebound later (a notebook cell run again) means compiling again, as a constant does
    functions_read: dict[str, object] = field(default_factory=dict)
    # helpers the compile reached as a module's attribute (`lib.h(x)`): (module, name) ->
    # the function object then, watched the same way (`lib.h = other` compiles again)
    attributes_read: dict[tuple[str, str], object] = field(default_factory=dict)
    # how the model's code calls an imported helper: `lib.h(x)` adds (lib, h) to the
    # first, `h(x)` of `from lib import h` adds h to the second; a helper called both ways
    # is watched at both bindings (`lib.h = other` changes only the first call)
    attribute_calls: set[tuple[str, str]] = field(default_factory=set)
    name_calls: set[str] = field(default_factory=set)
    # a module-level name bound to a library function (act = np.tanh): the function, so
    # that a name qualify() resolved is watched like a helper (act = np.sin compiles again)
    aliases: dict[str, object] = field(default_factory=dict)
    # module-level arrays, containers of numbers and computed values (A -> the array, or a
    # ModuleValue in a model file read as text): the emitted code reads them at call time
    values: dict[str, object] = field(default_factory=dict)
    home: str | None = None  # the model file's module name, for `import model` in emitted code
    # a helper's module other than the model's: its constants are read as `home.NAME` (two
    # modules may give one name two values; the emitted module holds both functions)
    qualify_reads: bool = False

    def qualify(self, dotted: str) -> str | None:
        """The qualified name of `np.linalg.norm`-like text, or None if unknown."""
        head, _, rest = dotted.partition(".")
        base = self.qualified.get(head)
        if base is None:
            return None
        if head in self.aliases:
            self.functions_read[head] = self.aliases[head]
        return f"{base}.{rest}" if rest else base


@dataclass(frozen=True)
class ModuleValue:
    """A module-level value of a model file read as text: known by name, not by value."""

    module: str
    name: str

    @property
    def text(self) -> str:
        """How the emitted module reads it at call time: `model.A`."""
        return f"{self.module}.{self.name}"


class _SourceDefault:
    """The value of a default known only as source text (`np.ones(3)`)."""

    def __repr__(self) -> str:
        return "<default expression>"


SOURCE_DEFAULT = _SourceDefault()


def names_in(node: cst.CSTNode) -> list[cst.Name]:
    """The Name nodes of an expression, but not attribute names (`np` of `np.ones`)."""
    found: list[cst.Name] = []

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attr: cst.Attribute) -> bool:
            attr.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)  # not the keyword's name
            return False

    node.visit(Visitor())
    return found


def _module_name(name: str) -> str | None:
    return ARRAY_MODULES.get(name)


def names_from_module(module: cst.Module, home: str | None = None) -> Names:
    """Read imports, functions and constants from a parsed model file.

    `home` is the file's module name: its other module-level values (arrays,
    lists, values computed there) are then read as `home.NAME` at call time.
    """
    names = Names(home=home)
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            names.functions.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                _read_small_statement(small, names, module)
        elif isinstance(stmt, cst.Try):  # `try: import a / except ImportError: import b`:
            _read_try_imports(stmt, names, module)  # the import that works when a is there
    return names


def _read_try_imports(stmt: cst.Try, names: Names, module: cst.Module) -> None:
    """The imports in a module-level `try` block's body (what it binds when they work)."""
    for line in stmt.body.body:
        if isinstance(line, cst.SimpleStatementLine):
            for small in line.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    _read_small_statement(small, names, module)


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
    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
        _read_assignment(small, names)


def _read_assignment(small: cst.Assign | cst.AnnAssign, names: Names) -> None:
    """`SCALE = 2.0` is embedded as a literal; `A = np.array(...)` is read as `model.A`."""
    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) \
        else [small.target]
    for target in targets:
        if not isinstance(target, cst.Name) or small.value is None:
            continue
        name = target.value
        gradient = made_gradient(small.value, names)
        if gradient is not None:
            names.gradients[name] = gradient
            continue
        value = _literal_number(small.value)
        readable = names.home is not None and names.home.isidentifier()
        if value is not None and (name not in names.values or not readable):
            names.constants[name] = value
        elif readable:
            # assigned twice, or not a literal number: only its value at call time is right
            names.constants.pop(name, None)
            names.values[name] = ModuleValue(names.home, name)


def made_gradient(value: cst.BaseExpression, names: Names) -> tuple | None:
    """("f", "grad", wrt) of `agc.grad(f, wrt=...)` (or value_and_grad), else None;
    wrt is None when not given, "?" when not a literal."""
    if not isinstance(value, cst.Call) or not value.args or \
            not isinstance(value.args[0].value, cst.Name):
        return None
    kind = names.qualify(_dotted(value.func)) or ""
    if kind not in ("agc.grad", "agc.value_and_grad"):
        return None
    wrt_args = [a.value for a in value.args[1:] if a.keyword is None or a.keyword.value == "wrt"]
    wrt = literal_wrt(wrt_args[0]) if wrt_args else None
    return value.args[0].value.value, kind.partition(".")[2], "?" if wrt is False else wrt


def literal_wrt(node: cst.BaseExpression) -> tuple[str, ...] | bool:
    """The names of a literal `wrt=` ("x", or a tuple or list of strings), else False."""
    if isinstance(node, cst.SimpleString):
        return (node.evaluated_value,)
    if isinstance(node, (cst.Tuple, cst.List)) and all(
            isinstance(e.value, cst.SimpleString) for e in node.elements):
        return tuple(e.value.evaluated_value for e in node.elements)
    return False


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
        elif decorated_function(value) is not None:  # @agc.differentiate: its function
            names.functions.add(key)
            if value.fn.__module__ != here:
                names.function_modules[key] = value.fn.__module__
        elif isinstance(value, types.FunctionType) and not key.startswith("__"):
            qualified = _agc_function_name(value) or _scipy_linalg_name(value)
            if qualified:
                names.qualified[key] = qualified
                names.aliases[key] = value
            else:
                names.functions.add(key)
                if value.__module__ != here:
                    names.function_modules[key] = value.__module__
        elif type(value) in (int, float):
            # a numpy float64 (a float subclass) is read by name: its repr is `np.float64(...)`
            names.constants[key] = value
        elif is_module_value(value) or (isinstance(value, (bool, str))
                                        and not key.startswith("__")):
            names.values[key] = value  # flags and modes too: USE_BIAS = True, ACT = "tanh"
        elif callable(value):
            for module_name, module in (("numpy", numpy), ("numpy.linalg", numpy.linalg),
                                        ("numpy.lib.stride_tricks", numpy.lib.stride_tricks),
                                        ("math", math), *_special_module()):
                if getattr(module, getattr(value, "__name__", ""), None) is value:
                    names.qualified[key] = f"{module_name}.{value.__name__}"
                    names.aliases[key] = value
                    break
    return names


def decorated_function(value) -> types.FunctionType | None:
    """The function a live `@agc.differentiate` object wraps (duck-typed: no import of
    the API here), else None."""
    fn = getattr(value, "fn", None)
    return fn if isinstance(fn, types.FunctionType) and hasattr(value, "hvp") else None


def _scipy_linalg_name(fn: types.FunctionType) -> str | None:
    """`scipy.linalg.NAME` for a function of scipy.linalg (read only if scipy is loaded)."""
    linalg = sys.modules.get("scipy.linalg")
    name = getattr(fn, "__name__", "")
    if linalg is not None and getattr(linalg, name, None) is fn:
        return f"scipy.linalg.{name}"
    return None


def is_module_value(value, depth: int = 0) -> bool:
    """An array, a numpy number, or a tuple/list/dict of them (and of numbers, strings)."""
    if isinstance(value, numpy.generic):  # before float: numpy.float64 is a float
        return value.dtype.kind in "biuf"
    if isinstance(value, (bool, int, float, str)):
        return depth > 0
    if isinstance(value, (tuple, list)) and depth < 4:
        return all(is_module_value(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 4:
        return all(isinstance(k, (str, int)) and is_module_value(v, depth + 1)
                   for k, v in value.items())
    return _is_array(value)


def _is_array(value) -> bool:
    """A numpy or cupy array (cupy is not imported: its arrays are known by their attributes)."""
    if isinstance(value, numpy.ndarray):
        return True
    kind = type(value)
    return kind.__module__.split(".")[0] == "cupy" and hasattr(value, "__cuda_array_interface__")


def _agc_function_name(fn: types.FunctionType) -> str | None:
    module = getattr(fn, "__module__", "") or ""
    if module == "agc.nn" or module.startswith("agc.nn."):
        return None  # agc's own layers and losses are differentiated like user helpers
    if module == "agc" or module.startswith("agc."):
        return f"agc.{fn.__name__}"
    if module == "math":
        return f"math.{fn.__name__}"
    for module_name, lib in _special_module():  # logsumexp, softmax: Python functions
        if module.startswith(module_name) and getattr(lib, fn.__name__, None) is fn:
            return f"{module_name}.{fn.__name__}"
    return None


def _special_module() -> tuple:
    """(("scipy.special", the module),) once the model has imported it, else (): no import here."""
    lib = sys.modules.get("scipy.special")
    return (("scipy.special", lib),) if lib is not None else ()
