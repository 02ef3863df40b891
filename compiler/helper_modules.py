"""Parsing source text into a ParsedModule, the modules that hold imported helper
functions, parsed as text, each once, and where the source of a called function is
(its live function object in the decorator, its module's text otherwise)."""

from __future__ import annotations

import importlib.util
import os
import sys

import libcst as cst

from . import ir
from .errors import SourceFile, UserCodeError
from .frontend.lower import ParsedModule
from .frontend.resolve import Names, decorated_function, names_from_globals, names_from_module
from .live import function_source


def parse(text: str, path: str, names_of, line_offset: int = 0) -> ParsedModule:
    """Parse source text; `names_of(module)` says what its top-level names mean."""
    source = SourceFile(path, text, line_offset)
    parsed = ParsedModule(source, Names())
    parsed.names = names_of(parsed.tree)
    return parsed


class HelperModules:
    """Parses the modules that hold imported helper functions, each once."""

    def __init__(self, parsed: ParsedModule):
        self.folder = os.path.dirname(os.path.abspath(parsed.source.path))
        self.cache: dict[str, ParsedModule] = {}

    def get(self, module: str, call: ir.Assign) -> ParsedModule:
        """The parsed source of `module` (found without running it where possible)."""
        if module not in self.cache:
            self.cache[module] = self._load(module, call)
        return self.cache[module]

    def _load(self, module: str, call: ir.Assign) -> ParsedModule:
        path = os.path.join(self.folder, *module.lstrip(".").split(".")) + ".py"
        if not os.path.isfile(path):
            sys.path.insert(0, self.folder)
            try:
                spec = importlib.util.find_spec(module.lstrip("."))
            except (ImportError, ValueError):
                spec = None
            finally:
                sys.path.remove(self.folder)
            path = spec.origin if spec is not None and spec.origin else ""
        if not path.endswith(".py") or not os.path.isfile(path):
            raise UserCodeError(f"cannot find the source of module {module!r}", call.loc)
        with open(path, encoding="utf-8") as handle:
            home = module if not module.startswith(".") else None
            parsed = parse(handle.read(), path, lambda tree: names_from_module(tree, home))
            parsed.names.qualify_reads = home is not None  # its constants: `lib.SCALE`
            return parsed


def check_one_helper_per_name(files: dict[str, str], name: str, home: ParsedModule,
                               call: ir.Assign) -> None:
    """Refuse two different functions of one name: the emitted module names helpers by name."""
    path = os.path.abspath(home.source.path)
    first = files.setdefault(name, path)
    if first != path:
        raise UserCodeError(
            f"two different functions named {name}() are called, from {os.path.basename(first)}"
            f" and {os.path.basename(path)}; agc would emit only one of them", call.loc,
            "rename one of the two functions")


def home_of(key: tuple, where: ParsedModule, user_globals: dict | None,
             modules: HelperModules, call: ir.Assign) -> ParsedModule:
    """The parsed module holding the source of the function `key` = (module, name) calls."""
    home = live_source(key[1], key[0], where, user_globals, call)
    if home is None:
        home = where if key[0] is None else modules.get(key[0], call)
    if key[1] not in home.functions:
        raise UserCodeError(f"cannot find the source of {key[1]}()", call.loc)
    return home


def live_source(name: str, module_name: str | None, where: ParsedModule,
                 user_globals: dict | None, call: ir.Assign):
    """Parse a helper from its live function object (decorator mode), if there is one."""
    if user_globals is None or name in where.functions:
        return None
    if where.method is not None:
        home = method_source(name, where)
        if home is not None:
            return home
    func = watched_helper(name, module_name, where, user_globals, call)
    func = decorated_function(func) or func  # a decorated helper: its function's source
    if not callable(func) or not hasattr(func, "__code__"):
        return None
    text, path, offset = function_source(func)
    names = names_from_globals(func.__globals__)
    module = sys.modules.get(func.__module__)
    if func.__globals__ is not user_globals and getattr(module, "__dict__", None) \
            is func.__globals__ and func.__module__.replace(".", "").isidentifier():
        names.home, names.qualify_reads = func.__module__, True  # another module: lib.SCALE
    home = parse(text, path, lambda module: names, offset)
    home.live_globals = func.__globals__
    if name not in home.functions and func.__name__ in home.functions:
        # `scaled = cubed`, `from lib import h as g`: the function's own source, under
        # the name the model calls it by
        node = home.functions[func.__name__]
        home.functions[name] = node.with_changes(name=cst.Name(name))
    return home


def watched_helper(name: str, module_name: str | None, where: ParsedModule,
                   user_globals: dict, call: ir.Assign):
    """The function object a call of the helper `name` reaches, watched where it is bound
    (rebound later, the model compiles again, as Python would call the new one): the
    caller's global `name` (also `from lib import h`), else the attribute of `module_name`
    (`lib.h(x)`; `nn.layer_norm(x)`, even where the model's module has its own)."""
    func = (where.live_globals or user_globals).get(name)
    module = sys.modules.get(module_name or "")
    names = where.names
    imported = callable(func) and names.function_modules.get(name) == module_name
    if module is None or imported and (module_name, name) not in names.attribute_calls:
        if callable(func):
            names.functions_read[name] = func
        return func
    attribute = getattr(module, name, None)
    if imported and name in names.name_calls:  # `h(x)` and `lib.h(x)` both called
        names.functions_read[name] = func
        if attribute is not func:
            raise UserCodeError(
                f"{name}() is called both as {name} and as {module_name}.{name}, now two "
                "different functions; agc emits one helper per name",
                call.loc,
                f"call it one way: {name}(...) or {module_name}.{name}(...)")
    if callable(attribute):
        names.attributes_read[module_name, name] = attribute
    return attribute


def method_source(name: str, where: ParsedModule) -> ParsedModule | None:
    """Parse the method a `self.forward(x)` call reaches, as the helper `Model_forward`."""
    method = where.method
    func = next((f for m, f in method.methods.items() if method.helper_name(m) == name), None)
    if func is None:
        return None
    text, path, offset = function_source(func)
    names = names_from_globals(func.__globals__)
    home = parse(text, path, lambda module: names, offset)
    home.live_globals = func.__globals__
    home.method = method
    node = home.functions[func.__name__]
    home.functions[name] = node.with_changes(name=cst.Name(name))
    return home
