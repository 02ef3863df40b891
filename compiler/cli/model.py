"""The model file of `agc compile` and `agc check`: parsed as text, never run.

`read_model` parses it; `targets_of` picks the functions to differentiate
(the one named with --function, else those decorated with `differentiate`)
and the parameters, from --wrt or the decorator's literal `wrt=`.
"""

from __future__ import annotations

import os

import libcst as cst

from .. import helper_modules, pipeline
from ..errors import UsageError
from ..frontend.decorators import decorated_functions, is_decorated
from ..frontend.methods import MethodInfo
from ..frontend.resolve import names_from_module


def read_model(path: str) -> pipeline.ParsedModule:
    """Parse a model file without running it."""
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    home = os.path.splitext(os.path.basename(path))[0]
    return helper_modules.parse(text, path, lambda tree: names_from_module(tree, home))


def targets_of(parsed, function: str | None, wrt: str | None) -> list[pipeline.Target]:
    """The functions to differentiate: the named one, or the decorated ones."""
    wrt_names = tuple(w.strip() for w in wrt.split(",") if w.strip()) if wrt else None
    if function is not None and "." in function:
        function = add_class_methods(parsed, function)
    elif function is None:
        for cls in _classes(parsed):
            if any(is_decorated(m) for m in cls.body.body if isinstance(m, cst.FunctionDef)):
                add_class_methods(parsed, cls.name.value)
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


def _classes(parsed) -> list[cst.ClassDef]:
    return [s for s in parsed.tree.body if isinstance(s, cst.ClassDef)]


def add_class_methods(parsed, dotted: str) -> str | None:
    """Make the methods of class `Model` (from `Model.loss`) functions `Model_loss` etc.

    The instance reaches the emitted code as a dict of its attributes (`vars(model)`):
    `self.w` is read as `self["w"]` and `self.forward(x)` calls `Model_forward(self, x)`.
    Returns the name of the method's function (None for a class name alone).
    """
    cls_name, _, method = dotted.partition(".")
    cls = next((s for s in _classes(parsed) if s.name.value == cls_name), None)
    if cls is None or "." in method:
        raise UsageError(f"{parsed.source.path} has no top-level class {cls_name!r}"
                         if cls is None else f"--function takes Class.method, not {dotted!r}")
    info = MethodInfo(cls_name, None)
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef):
            name = info.helper_name(stmt.name.value)
            if name in parsed.functions:
                raise UsageError(f"{parsed.source.path} defines both {cls_name}."
                                 f"{stmt.name.value} and {name}(): agc names a method's "
                                 "gradient after Class_method")
            parsed.functions[name] = stmt.with_changes(name=cst.Name(name))
            parsed.method_of[name] = info
            info.methods[stmt.name.value] = stmt
    if method and method not in info.methods:
        raise UsageError(f"class {cls_name} has no method {method!r}")
    return info.helper_name(method) if method else None
