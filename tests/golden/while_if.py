"""Golden model: the issue's example, a data-dependent while loop then a branch."""

import numpy as np
from agc import differentiate


@differentiate
def while_if(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)
