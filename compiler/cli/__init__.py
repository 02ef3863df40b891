"""The `agc` command line: `agc compile` and `agc check` (see cli.main)."""

from .main import main

__all__ = ["main"]
