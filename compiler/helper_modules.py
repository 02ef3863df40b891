"""Parsing source text into a ParsedModule, and the modules that hold imported helper
functions, parsed as text, each once."""

from __future__ import annotations

import importlib.util
import os
import sys

from . import ir
from .errors import SourceFile, UserCodeError
from .frontend.lower import ParsedModule
from .frontend.resolve import Names, names_from_module


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
