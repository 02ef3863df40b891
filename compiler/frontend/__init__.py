"""Front end: source text to a normalized IR function.

resolve (names to qualified names) -> lower (libcst to IR: expressions, calls,
loops; numpy_names maps numpy functions onto primitives) -> normalize.
"""
