"""Hand-written numba adjoints of the rows of benchmarks/numba_loops.py (the bar to meet)."""

import numba
import numpy as np


@numba.njit(cache=True)
def euler(k, c, n):
    """Gradient of numba_models.euler in (k, c): the trajectory in arrays, swept back."""
    xs, vs = np.empty(n), np.empty(n)
    x, v = 1.0, 0.0
    for i in range(n):
        xs[i], vs[i] = x, v
        x, v = x + 0.01 * v, v + 0.01 * (-k * x - c * v)
    gx, gv, gk, gc = 2 * x, 2 * v, 0.0, 0.0
    for i in range(n - 1, -1, -1):
        gk -= 0.01 * gv * xs[i]
        gc -= 0.01 * gv * vs[i]
        gx, gv = gx - 0.01 * k * gv, 0.01 * gx + (1 - 0.01 * c) * gv
    return gk, gc


@numba.njit(cache=True)
def rnn(W, U, xs):
    """Gradient of numba_models.rnn in (W, U): the states kept, then backpropagated."""
    T, H = xs.shape[0], W.shape[0]
    hs = np.zeros((T + 1, H))
    for t in range(T):
        hs[t + 1] = np.tanh(W @ hs[t] + U * xs[t])
    gW, gU, gh = np.zeros_like(W), np.zeros_like(U), 2 * hs[T]
    for t in range(T - 1, -1, -1):
        ga = gh * (1.0 - hs[t + 1] * hs[t + 1])
        gW += np.outer(ga, hs[t])
        gU += ga * xs[t]
        gh = W.T @ ga
    return gW, gU


@numba.njit(cache=True)
def while_if(a):
    """Gradient of numba_models.while_if: count the doublings, then walk them back."""
    b, steps = a * 2, 0
    while abs(b) < 1000:
        b, steps = b * 2, steps + 1
    g = 1.0 if b > 0 else 100.0
    for _ in range(steps):
        g = g * 2
    return g * 2


@numba.njit(cache=True)
def _rk4_stages(k, c, x, v, h):
    """RK4's intermediate accelerations and states from (x, v)."""
    a1 = -k * x - c * v
    x2, v2 = x + 0.5 * h * v, v + 0.5 * h * a1
    a2 = -k * x2 - c * v2
    x3, v3 = x + 0.5 * h * v2, v + 0.5 * h * a2
    a3 = -k * x3 - c * v3
    return a1, x2, v2, a2, x3, v3, a3, x + h * v3, v + h * a3


@numba.njit(cache=True)
def rk4(k, c, n):
    """Gradient of numba_models.rk4 in (k, c): the states kept, each step's stages
    recomputed from them on the way back."""
    h = 0.01
    xs, vs = np.empty(n), np.empty(n)
    x, v = 1.0, 0.0
    for i in range(n):
        xs[i], vs[i] = x, v
        a1, x2, v2, a2, x3, v3, a3, x4, v4 = _rk4_stages(k, c, x, v, h)
        a4 = -k * x4 - c * v4
        x = x + h / 6 * (v + 2 * v2 + 2 * v3 + v4)
        v = v + h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
    gx, gv, gk, gc = 2 * x, 2 * v, 0.0, 0.0
    for i in range(n - 1, -1, -1):
        x, v = xs[i], vs[i]
        a1, x2, v2, a2, x3, v3, a3, x4, v4 = _rk4_stages(k, c, x, v, h)
        w = h / 6
        gxn, gvn = gx, gv  # adjoints of this step's outputs
        gv, gv2, gv3, gv4 = w * gxn + gvn, 2 * w * gxn, 2 * w * gxn, w * gxn
        ga1, ga2, ga3, ga4 = w * gvn, 2 * w * gvn, 2 * w * gvn, w * gvn
        gx = gxn
        gx4 = -k * ga4
        gv4 -= c * ga4
        gk -= x4 * ga4
        gc -= v4 * ga4
        gx += gx4
        gv3 += h * gx4
        gv += gv4
        ga3 += h * gv4
        gx3 = -k * ga3
        gv3 -= c * ga3
        gk -= x3 * ga3
        gc -= v3 * ga3
        gx += gx3
        gv2 += 0.5 * h * gx3
        gv += gv3
        ga2 += 0.5 * h * gv3
        gx2 = -k * ga2
        gv2 -= c * ga2
        gk -= x2 * ga2
        gc -= v2 * ga2
        gx += gx2
        gv += 0.5 * h * gx2
        gv += gv2
        ga1 += 0.5 * h * gv2
        gx -= k * ga1
        gv -= c * ga1
        gk -= x * ga1
        gc -= v * ga1
    return gk, gc


@numba.njit(cache=True)
def projectile(vx0, vy0, drag):
    """Gradient of numba_models.projectile in (vx0, vy0, drag): the velocities kept in
    arrays grown by doubling (the trip count is known only at the end), swept back."""
    vxs, vys = np.empty(1024), np.empty(1024)
    px, py, vx, vy, n = 0.0, 0.0, vx0, vy0, 0
    while py >= 0.0:
        if n == vxs.shape[0]:
            vxs, vys = np.concatenate((vxs, np.empty(n))), np.concatenate((vys, np.empty(n)))
        vxs[n], vys[n] = vx, vy
        n += 1
        speed = np.sqrt(vx * vx + vy * vy)
        vx = vx - 0.001 * drag * speed * vx
        vy = vy - 0.001 * (9.81 + drag * speed * vy)
        px = px + 0.001 * vx
        py = py + 0.001 * vy
    gvx, gvy, gdrag = 0.0, 0.0, 0.0  # px's adjoint stays 1, py's 0 (only the test reads py)
    for i in range(n - 1, -1, -1):
        vx, vy = vxs[i], vys[i]
        speed = np.sqrt(vx * vx + vy * vy)
        gvx += 0.001  # px += 0.001 * vx (the new vx)
        gs = -0.001 * drag * (gvx * vx + gvy * vy)
        gdrag -= 0.001 * speed * (gvx * vx + gvy * vy)
        keep = 1.0 - 0.001 * drag * speed
        gvx, gvy = gvx * keep + gs * vx / speed, gvy * keep + gs * vy / speed
    return gvx, gvy, gdrag


ADJOINTS = {"euler": euler, "rk4": rk4, "rnn": rnn, "while_if": while_if,
            "projectile": projectile}
