"""agc: source-to-source reverse-mode automatic differentiation for numpy code.

    import agc

    @agc.differentiate(wrt=("w", "b"))
    def loss(x, w, b):
        return np.mean((x @ w + b) ** 2)

    loss.grad(x, w, b)          # (dL/dw, dL/db), computed by emitted Python code
    print(loss.gradient_source)  # the adjoint code itself

The names below are loaded on first use (PEP 562), so `from agc import
runtime` — the first line of every emitted module — loads neither the
compiler (libcst) nor the verifier (sympy).
"""

import importlib

# public name -> the module that defines it
_EXPORTS = {
    "AgcError": "errors",
    "UnsupportedError": "errors",
    "UsageError": "errors",
    "UserCodeError": "errors",
    "Differentiated": "api",
    "differentiate": "api",
    "grad": "functional",
    "hessian": "functional",
    "hvp": "functional",
    "value_and_grad": "api",
    "check_grad": "functional",
    "jacfwd": "functional",
    "jacobian": "functional",
    "jacrev": "functional",
    "jvp": "functional",
    "vjp": "functional",
    "no_grad": "runtime",
    "stop_gradient": "runtime",
    "verify": "proof.verify",
}
_SUBMODULES = ("distributed", "nn", "optim", "runtime", "testing")

__all__ = [
    "AgcError", "Differentiated", "UnsupportedError", "UsageError", "UserCodeError",
    "check_grad", "differentiate", "distributed", "grad", "hessian", "hvp", "jacfwd", "jacobian", "jacrev", "jvp", "nn",
    "no_grad", "optim", "stop_gradient", "value_and_grad", "verify", "vjp",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Load a public name, or a public submodule, on first use."""
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'agc' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS, *_SUBMODULES])
