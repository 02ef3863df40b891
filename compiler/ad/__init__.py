"""Reverse-mode differentiation of a normalized IR function.

activity, param_kinds, ranks, sequences, unspread, invariance (analyses) ->
reverse (the adjoint, with the derivative rules of agc.primitives) -> tape
(what the forward sweep keeps) -> dead_code.
"""
