"""Symbolic verification: a sympy interpreter of the IR and a prover.

interpreter (+ meanings of each primitive) runs the primal and the adjoint on
sympy values; prover decides equality (rational forms, identity tests); report
renders the result; verify is the entry point behind `agc.verify`.
"""
