"""Symbolic verification: a sympy interpreter of the IR and a prover.

interpreter (+ the meaning of each primitive, in agc.primitives) runs the primal
and the adjoint on sympy values (values.py); prover decides equality (rational forms, identity tests); report
renders the result; verify is the entry point behind `agc.verify`.
"""
