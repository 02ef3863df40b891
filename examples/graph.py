"""The graph y = (x + w) * (w + 1): dy/dx = w + 1 and dy/dw = x + 2w + 1."""

import agc


@agc.differentiate(wrt=("x", "w"))
def y(x, w):
    a = x + w
    b = w + 1
    return a * b


if __name__ == "__main__":
    dx, dw = y.grad(2.0, 3.0)
    print(f"y = {y(2.0, 3.0)}  dy/dx = {dx} (w + 1 = 4)  dy/dw = {dw} (x + 2w + 1 = 9)")
