"""agc: source-to-source reverse-mode automatic differentiation for numpy code.

    import agc

    @agc.differentiate(wrt=("w", "b"))
    def loss(x, w, b):
        return np.mean((x @ w + b) ** 2)

    loss.grad(x, w, b)          # (dL/dw, dL/db), computed by emitted Python code
    print(loss.gradient_source)  # the adjoint code itself
"""

from . import nn, optim
from .api import Differentiated, differentiate, grad, value_and_grad
from .errors import AgcError, UnsupportedError, UsageError, UserCodeError
from .runtime import no_grad, stop_gradient
from .transforms import check_grad, jacobian, vjp
from .verify import verify

__all__ = [
    "AgcError",
    "Differentiated",
    "UnsupportedError",
    "UsageError",
    "UserCodeError",
    "check_grad",
    "differentiate",
    "grad",
    "jacobian",
    "nn",
    "no_grad",
    "optim",
    "stop_gradient",
    "value_and_grad",
    "verify",
    "vjp",
]
__version__ = "0.1.0"
