"""Golden model: a for loop that stops at the first negative entry."""

import numpy as np
from agc import differentiate


@differentiate
def for_break(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] < 0:
            break
        s = s + np.sin(x[i]) * x[i]
    return s
