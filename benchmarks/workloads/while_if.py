"""while_if: a data-dependent while loop and branch on a scalar; gradient is f(a)/a."""
import numpy as np
from case import Case


def while_if(a):
    """Double a until |b| >= 1000, then scale by 100 when negative."""
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return c


def while_if_adjoint(a):
    """Hand-written reverse sweep: count the doublings, then walk them back."""
    b = a * 2
    steps = 0
    while np.linalg.norm(b) < 1000:
        b = b * 2
        steps += 1
    g_b = 1.0 if np.sum(b) > 0 else 100.0
    for _ in range(steps):
        g_b = g_b * 2
    return (g_b * 2,)


def cases(quick):
    """One row: a negative input (takes the else branch); a positive one is checked too."""
    return [Case(name="while_if", workload="while_if", fn=while_if, wrt=("a",),
                 args=(-0.7,), adjoint=while_if_adjoint, torch_fn="while_if",
                 check_args=((3.0,),))]
