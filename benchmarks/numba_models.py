"""The loop-heavy models of benchmarks/numba_loops.py, in plain numpy (agc reads their source)."""

import math

import numpy as np


def euler(k, c, n):
    """n explicit Euler steps of a damped oscillator from (1, 0); loss x^2 + v^2."""
    x = 1.0
    v = 0.0
    for i in range(n):
        x, v = x + 0.01 * v, v + 0.01 * (-k * x - c * v)
    return x * x + v * v


def rk4(k, c, n):
    """n classical Runge-Kutta steps of the same oscillator."""
    x = 1.0
    v = 0.0
    h = 0.01
    for i in range(n):
        a1 = -k * x - c * v
        x2 = x + 0.5 * h * v
        v2 = v + 0.5 * h * a1
        a2 = -k * x2 - c * v2
        x3 = x + 0.5 * h * v2
        v3 = v + 0.5 * h * a2
        a3 = -k * x3 - c * v3
        x4 = x + h * v3
        v4 = v + h * a3
        a4 = -k * x4 - c * v4
        x = x + h / 6 * (v + 2 * v2 + 2 * v3 + v4)
        v = v + h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
    return x * x + v * v


def rnn(W, U, xs):
    """A tanh RNN cell run over the sequence xs; loss sum(h^2) of the last state."""
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U * xs[t])
    return np.sum(h * h)


def while_if(a):
    """The data-dependent example (examples/while_if.py, on a number): double a until it
    reaches 1000 in size, then keep it or scale it by 100."""
    b = a * 2
    while abs(b) < 1000:
        b = b * 2
    if b > 0:
        c = b
    else:
        c = 100 * b
    return c


def projectile(vx0, vy0, drag):
    """A ball with quadratic drag flies until it lands (a data-dependent while): its range."""
    px = 0.0
    py = 0.0
    vx = vx0
    vy = vy0
    while py >= 0.0:
        speed = math.sqrt(vx * vx + vy * vy)
        vx = vx - 0.001 * drag * speed * vx
        vy = vy - 0.001 * (9.81 + drag * speed * vy)
        px = px + 0.001 * vx
        py = py + 0.001 * vy
    return px
