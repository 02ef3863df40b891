"""Loop workloads of issue 15 (RK4 with a helper, an RNN): models and expert adjoints."""
import numpy as np


def rhs(x, p):
    """The ODE's right-hand side (a helper: agc emits rhs and rhs_vjp)."""
    return -p * np.sin(x) + 0.1 * x


def rk4(x, p, n):
    """n classical Runge-Kutta steps of x' = rhs(x, p); returns sum(x**2) at the end."""
    h = 0.01
    for i in range(n):
        k1 = rhs(x, p)
        k2 = rhs(x + 0.5 * h * k1, p)
        k3 = rhs(x + 0.5 * h * k2, p)
        k4 = rhs(x + h * k3, p)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.sum(x * x)


def _rhs_adjoint(g, x, p):
    """Cotangents of rhs(x, p) for x and p, given g."""
    return g * (0.1 - p * np.cos(x)), -g * np.sin(x)


def rk4_adjoint(x, p, n):
    """Hand-written: the four stage inputs of each step on a list, swept back."""
    h = 0.01
    stages = []
    for i in range(n):
        k1 = rhs(x, p)
        x2 = x + 0.5 * h * k1
        k2 = rhs(x2, p)
        x3 = x + 0.5 * h * k2
        k3 = rhs(x3, p)
        x4 = x + h * k3
        k4 = rhs(x4, p)
        stages.append((x, x2, x3, x4))
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    x_bar, p_bar = 2.0 * x, np.zeros_like(p)
    for i in range(n - 1, -1, -1):
        x, x2, x3, x4 = stages.pop()
        k4_bar, k3_bar = h / 6.0 * x_bar, h / 3.0 * x_bar
        k2_bar, k1_bar = h / 3.0 * x_bar, h / 6.0 * x_bar
        g, gp = _rhs_adjoint(k4_bar, x4, p)
        x_bar, p_bar, k3_bar = x_bar + g, p_bar + gp, k3_bar + h * g
        g, gp = _rhs_adjoint(k3_bar, x3, p)
        x_bar, p_bar, k2_bar = x_bar + g, p_bar + gp, k2_bar + 0.5 * h * g
        g, gp = _rhs_adjoint(k2_bar, x2, p)
        x_bar, p_bar, k1_bar = x_bar + g, p_bar + gp, k1_bar + 0.5 * h * g
        g, gp = _rhs_adjoint(k1_bar, x, p)
        x_bar, p_bar = x_bar + g, p_bar + gp
    return x_bar, p_bar


def rnn(W, U, xs, h):
    """A tanh RNN over the rows of xs; returns the sum of the last state."""
    T = xs.shape[0]
    for t in range(T):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h)


def rnn_adjoint(W, U, xs, h):
    """Hand-written: the states on a list, swept back."""
    states = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
        states.append(h)
    W_bar, U_bar = np.zeros_like(W), np.zeros_like(U)
    h_bar = np.ones_like(h)
    for t in range(xs.shape[0] - 1, -1, -1):
        a_bar = h_bar * (1.0 - states[t + 1] ** 2)
        W_bar += np.outer(a_bar, states[t])
        U_bar += np.outer(a_bar, xs[t])
        h_bar = W.T @ a_bar
    return W_bar, U_bar

