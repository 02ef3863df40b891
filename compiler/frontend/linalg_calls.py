"""Lowering of the calls whose arguments the signature table cannot bind: np.einsum
(a subscripts string, then any number of operands), np.tensordot (axes: an int
or a pair of sequences of ints), and np.linalg.svd and qr, whose options choose
what they return."""

from __future__ import annotations

import ast
import re

import libcst as cst

from .. import ir
from ..errors import UserCodeError
from ..ir.prims import Prim

_SUBSCRIPTS = re.compile(r"^[A-Za-z. ,]*(->[A-Za-z. ]*)?$")


def _literal(lowerer, node: cst.BaseExpression, what: str, hint: str):
    """The value of a literal argument (a string, a number, nested tuples / lists of them)."""
    try:
        return ast.literal_eval(lowerer.module.code_for_node(node))
    except (ValueError, SyntaxError):
        raise UserCodeError(f"{what} must be a literal here", lowerer.loc(node), hint) from None


def _split(lowerer, node: cst.Call, allowed: tuple[str, ...]):
    """The positional arguments and the keyword arguments of a call (only `allowed` keywords)."""
    positional, keywords = [], {}
    for arg in node.args:
        if arg.star:
            raise lowerer.unsupported(arg, "*args / **kwargs in this call",
                                      "pass each operand by position")
        if arg.keyword is None:
            positional.append(arg.value)
        elif arg.keyword.value in allowed:
            keywords[arg.keyword.value] = arg.value
        else:
            raise lowerer.unsupported(arg, f"the keyword argument `{arg.keyword.value}=` here",
                                      f"supported: {', '.join(allowed) or 'none'}")
    return positional, keywords


def lower_einsum(lowerer, node: cst.Call, dest):
    """np.einsum('ij,jk->ik', a, b, optimize=...): one EINSUM with the subscripts as a param."""
    positional, keywords = _split(lowerer, node, ("optimize",))
    if not positional or not isinstance(positional[0], (cst.SimpleString, cst.ConcatenatedString)):
        raise lowerer.unsupported(node, "np.einsum without a subscripts string (the sublist form)",
                                  "write the subscripts as a string: np.einsum('ij,jk->ik', a, b)")
    hint = "write the subscripts as a string literal: np.einsum('ij,jk->ik', a, b)"
    subscripts = _literal(lowerer, positional[0], "the einsum subscripts", hint)
    operands = positional[1:]
    if not isinstance(subscripts, str) or not _SUBSCRIPTS.match(subscripts) or \
            subscripts.replace(" ", "").split("->")[0].count(",") + 1 != len(operands):
        raise UserCodeError(f"einsum subscripts {subscripts!r} do not fit {len(operands)} "
                            "operand(s)", lowerer.loc(positional[0]),
                            "one comma-separated group of letters per operand, e.g. 'ij,jk->ik'")
    params = {"subscripts": subscripts}
    if "optimize" in keywords:
        params["optimize"] = _literal(lowerer, keywords["optimize"], "optimize=",
                                      "write optimize=True, False, 'greedy' or 'optimal'")
    atoms = [lowerer.expr(v) for v in operands]
    return lowerer.emit_assign(dest, Prim.EINSUM, atoms, node, ir.Params.of(**params))


def lower_tensordot(lowerer, node: cst.Call, dest):
    """np.tensordot(a, b, axes=2): axes an int or a pair of sequences, kept as nested tuples."""
    bound = _bind(lowerer, node, ("a", "b", "axes"))
    if "b" not in bound:
        raise UserCodeError("missing argument `b`", lowerer.loc(node))
    params = {}
    if "axes" in bound:
        axes = _literal(lowerer, bound["axes"], "tensordot's axes",
                        "write axes as an int or a pair of lists: axes=([1], [0])")
        if not isinstance(axes, int):
            axes = tuple(tuple(a) if isinstance(a, (list, tuple)) else a for a in axes)
        params["axes"] = axes
    atoms = [lowerer.expr(bound["a"]), lowerer.expr(bound["b"])]
    return lowerer.emit_assign(dest, Prim.TENSORDOT, atoms, node, ir.Params.of(**params))


def _bind(lowerer, node: cst.Call, names: tuple[str, ...]) -> dict:
    """Arguments by name: positionally in `names` order, or by keyword."""
    positional, keywords = _split(lowerer, node, names)
    if len(positional) > len(names):
        raise UserCodeError(f"too many arguments ({len(positional)} given)", lowerer.loc(node))
    bound = dict(zip(names, positional))
    for key, value in keywords.items():
        if key in bound:
            raise UserCodeError(f"argument `{key}` given twice", lowerer.loc(value))
        bound[key] = value
    if names[0] not in bound:
        raise UserCodeError(f"missing argument `{names[0]}`", lowerer.loc(node))
    return bound


def lower_svd(lowerer, node: cst.Call, dest):
    """np.linalg.svd: (U, S, Vh) as a tuple, or S alone with compute_uv=False."""
    bound = _bind(lowerer, node, ("a", "full_matrices", "compute_uv", "hermitian"))
    flags = {k: _literal(lowerer, bound[k], f"`{k}=`", f"write {k}=True or {k}=False")
             for k in ("full_matrices", "compute_uv", "hermitian") if k in bound}
    if flags.get("hermitian"):
        raise lowerer.unsupported(bound["hermitian"], "np.linalg.svd(..., hermitian=True)",
                                  "for a symmetric matrix, drop hermitian=True: the plain svd "
                                  "gives the same singular values")
    a = lowerer.expr(bound["a"])
    if flags.get("compute_uv", True) is False:
        return lowerer.emit_assign(dest, Prim.SVD_VALUES, [a], node)
    params = {} if "full_matrices" not in flags else {"full_matrices": flags["full_matrices"]}
    return lowerer.emit_assign(dest, Prim.SVD, [a], node, ir.Params.of(**params))


def lower_qr(lowerer, node: cst.Call, dest):
    """np.linalg.qr(a) in the reduced mode: (Q, R) as a tuple."""
    bound = _bind(lowerer, node, ("a", "mode"))
    if "mode" in bound:
        mode = _literal(lowerer, bound["mode"], "`mode=`", "write mode='reduced'")
        if mode != "reduced":
            raise lowerer.unsupported(bound["mode"], f"np.linalg.qr(..., mode={mode!r})",
                                      "use the reduced mode: Q, R = np.linalg.qr(A)")
    return lowerer.emit_assign(dest, Prim.QR, [lowerer.expr(bound["a"])], node)


def lower_scipy_cholesky(lowerer, node: cst.Call, dest):
    """scipy.linalg.cholesky(a, lower=False): numpy's cholesky, upper factor by default."""
    bound = _bind(lowerer, node, ("a", "lower"))
    lower = _literal(lowerer, bound["lower"], "`lower=`", "write lower=True or lower=False") \
        if "lower" in bound else False
    params = {} if lower else {"upper": True}
    return lowerer.emit_assign(dest, Prim.CHOLESKY, [lowerer.expr(bound["a"])], node,
                               ir.Params.of(**params))


LOWERINGS = {"numpy.einsum": lower_einsum, "numpy.tensordot": lower_tensordot,
             "numpy.linalg.svd": lower_svd, "numpy.linalg.qr": lower_qr,
             "scipy.linalg.cholesky": lower_scipy_cholesky}
