"""Golden model: explicit Euler steps of a damped spring, on Python floats."""

from agc import differentiate


@differentiate(wrt=("k", "c"))
def euler(x: float, v: float, k: float, c: float):
    dt = 0.01
    for _ in range(100):
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    return x
