"""Expert hand-written adjoints of the GradBench models (gb_models.py, gb_nested.py).

Written the way someone who knows the model writes the gradient by hand: constants
folded, reductions as dot products, scatter-adds for gathers, the closed form where one
exists (det), only the values the backward sweep reads kept from the forward sweep.
"""
import numpy as np

from workloads.gb_nested import CHARGE_1, CHARGE_2, UP


def llsq_adjoint(x, t, s):
    """-P^T r with P the powers of t and r the residuals."""
    powers = t[:, None] ** np.arange(x.shape[0])
    return (-np.dot(powers.T, s - np.dot(powers, x)),)


def kmeans_adjoint(centroids, points):
    """2 (count_j c_j - sum of the points whose nearest centroid is c_j)."""
    diff = points[:, None, :] - centroids[None, :, :]
    nearest = np.argmin(np.einsum("nkd,nkd->nk", diff, diff), axis=1)
    k, d = centroids.shape
    counts = np.bincount(nearest, minlength=k)
    sums = np.stack([np.bincount(nearest, points[:, j], k) for j in range(d)], axis=1)
    return (2.0 * (counts[:, None] * centroids - sums),)


def det_adjoint(a):
    """The cofactor matrix det(a) inv(a)^T."""
    return (np.linalg.det(a) * np.linalg.inv(a).T,)


def _shift(y):
    """(1, y0, ..., y(n-2)): what ode_rhs multiplies x by."""
    return np.concatenate((np.ones(1), y[:-1]))


def _unshift(v):
    """Adjoint of _shift for y: (v1, ..., v(n-1), 0)."""
    return np.concatenate((v[1:], np.zeros(1)))


def ode_adjoint(x, s):
    """RK4 forward keeping the shifted stage inputs, then the reverse sweep of each step."""
    h = 2.0 / s
    y = np.zeros_like(x)
    kept = []
    for i in range(s):
        s1 = _shift(y)
        k1 = x * s1
        s2 = _shift(y + 0.5 * h * k1)
        k2 = x * s2
        s3 = _shift(y + 0.5 * h * k2)
        k3 = x * s3
        s4 = _shift(y + h * k3)
        kept.append((s1, s2, s3, s4))
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + x * s4)
    y_bar, x_bar = np.zeros_like(x), np.zeros_like(x)
    y_bar[-1] = 1.0
    for s1, s2, s3, s4 in reversed(kept):
        k4_bar, k3_bar = h / 6.0 * y_bar, h / 3.0 * y_bar
        k2_bar, k1_bar = h / 3.0 * y_bar, h / 6.0 * y_bar
        x_bar += k4_bar * s4 + k3_bar * s3 + k2_bar * s2 + k1_bar * s1
        g4 = _unshift(k4_bar * x)
        g3 = _unshift((k3_bar + h * g4) * x)
        g2 = _unshift((k2_bar + 0.5 * h * g3) * x)
        x_bar += h * g4 * s3 + 0.5 * h * g3 * s2 + 0.5 * h * g2 * s1
        y_bar = y_bar + g4 + g3 + g2 + _unshift((k1_bar + 0.5 * h * g2) * x)
    return (x_bar,)


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_adjoint(main_params, extra_params, state, sequence):
    """Gates computed as one 4b vector per layer; the gate values and each layer's input
    kept, swept back with the hidden and cell cotangents carried between steps."""
    c, b = sequence.shape
    layers = state.shape[0] // 2
    hidden, cells = list(state[0::2]), list(state[1::2])
    tape = []
    for t in range(c - 1):
        x = sequence[t] * extra_params[0]
        steps = []
        for i in range(layers):
            inp = np.concatenate((x, hidden[i], x, hidden[i]))
            z = inp * main_params[2 * i] + main_params[2 * i + 1]
            gates = np.concatenate((_sig(z[:3 * b]), np.tanh(z[3 * b:])))
            cell = cells[i] * gates[:b] + gates[b:2 * b] * gates[3 * b:]
            tc = np.tanh(cell)
            steps.append((inp, gates, cells[i], tc))
            hidden[i], cells[i] = gates[2 * b:3 * b] * tc, cell
            x = hidden[i]
        ypred = x * extra_params[1] + extra_params[2]
        e = np.exp(ypred)
        tape.append((steps, x, e / (np.sum(e) + 2.0)))
    g_main, g_extra = np.zeros_like(main_params), np.zeros_like(extra_params)
    g_h, g_c = [np.zeros(b) for _ in range(layers)], [np.zeros(b) for _ in range(layers)]
    scale = -1.0 / ((c - 1) * b)
    for t in range(c - 2, -1, -1):
        steps, top, soft = tape[t]
        g_ynorm = scale * sequence[t + 1]
        g_y = g_ynorm - np.sum(g_ynorm) * soft
        g_extra[1] += g_y * top
        g_extra[2] += g_y
        g_x = g_y * extra_params[1]
        for i in range(layers - 1, -1, -1):
            inp, gates, cell_prev, tc = steps[i]
            w = main_params[2 * i]
            f, ig, o, ch = gates[:b], gates[b:2 * b], gates[2 * b:3 * b], gates[3 * b:]
            g_hnew = g_x + g_h[i]
            g_cell = g_hnew * o * (1.0 - tc * tc) + g_c[i]
            g_z = np.concatenate((g_cell * cell_prev * f * (1.0 - f), g_cell * ch * ig * (1.0 - ig),
                                  g_hnew * tc * o * (1.0 - o), g_cell * ig * (1.0 - ch * ch)))
            g_main[2 * i] += g_z * inp
            g_main[2 * i + 1] += g_z
            g_x = g_z[:b] * w[:b] + g_z[2 * b:3 * b] * w[2 * b:3 * b]
            g_h[i] = g_z[b:2 * b] * w[b:2 * b] + g_z[3 * b:] * w[3 * b:]
            g_c[i] = g_cell * f
        g_extra[0] += g_x * sequence[t]
    return g_main, g_extra


def ba_adjoint(cams, points, w, feats, cam_idx, pt_idx):
    """Reverse sweep of the projection per observation, scatter-added onto cameras/points."""
    cam = cams[cam_idx]
    rot, xc = cam[:, 0:3], points[pt_idx] - cam[:, 3:6]
    theta = np.sqrt(np.einsum("pi,pi->p", rot, rot))
    axis = rot / theta[:, None]
    cos, sin = np.cos(theta), np.sin(theta)
    dot = np.einsum("pi,pi->p", axis, xc)
    cross = np.cross(axis, xc)
    xcam = xc * cos[:, None] + cross * sin[:, None] + axis * (dot * (1.0 - cos))[:, None]
    proj = xcam[:, 0:2] / xcam[:, 2:3]
    rsq = np.einsum("pi,pi->p", proj, proj)
    distort = 1.0 + cam[:, 9] * rsq + cam[:, 10] * rsq * rsq
    pred = proj * (distort * cam[:, 6])[:, None] + cam[:, 7:9] - feats
    g_pred = 2.0 * pred * (w * w)[:, None]            # d sum((pred w)^2) / d pred
    g_w = 2.0 * w * np.einsum("pi,pi->p", pred, pred) - 4.0 * w * (1.0 - w * w)
    g_cam = np.empty_like(cam)
    g_cam[:, 7:9] = g_pred
    g_cam[:, 6] = distort * np.einsum("pi,pi->p", g_pred, proj)
    g_distort = cam[:, 6] * np.einsum("pi,pi->p", g_pred, proj)
    g_cam[:, 9], g_cam[:, 10] = g_distort * rsq, g_distort * rsq * rsq
    g_rsq = g_distort * (cam[:, 9] + 2.0 * cam[:, 10] * rsq)
    g_proj = g_pred * (distort * cam[:, 6])[:, None] + 2.0 * g_rsq[:, None] * proj
    inv_z = 1.0 / xcam[:, 2]
    g_xcam = np.empty_like(xcam)
    g_xcam[:, 0:2] = g_proj * inv_z[:, None]
    g_xcam[:, 2] = -np.einsum("pi,pi->p", g_proj, proj) * inv_z
    g_dot = np.einsum("pi,pi->p", g_xcam, axis) * (1.0 - cos)
    g_cos = np.einsum("pi,pi->p", g_xcam, xc) - np.einsum("pi,pi->p", g_xcam, axis) * dot
    g_sin = np.einsum("pi,pi->p", g_xcam, cross)
    g_cross = g_xcam * sin[:, None]
    g_axis = g_xcam * (dot * (1.0 - cos))[:, None] + g_dot[:, None] * xc + np.cross(xc, g_cross)
    g_xc = g_xcam * cos[:, None] + g_dot[:, None] * axis + np.cross(g_cross, axis)
    g_theta = cos * g_sin - sin * g_cos - np.einsum("pi,pi->p", g_axis, axis) / theta
    g_cam[:, 0:3] = g_axis / theta[:, None] + (g_theta / theta)[:, None] * rot
    g_cam[:, 3:6] = -g_xc
    g_cams, g_points = np.zeros_like(cams), np.zeros_like(points)
    np.add.at(g_cams, cam_idx, g_cam)
    np.add.at(g_points, pt_idx, g_xc)
    return g_cams, g_points, g_w


def _field_jacobian_apply(d, g):
    """H g for H the Hessian of 1/|d| (= -I/r^3 + 3 d d^T / r^5), H symmetric."""
    r2 = np.dot(d, d)
    r3 = r2 * np.sqrt(r2)
    return -g / r3 + 3.0 * d * (np.dot(d, g) / (r3 * r2))


def _field(d):
    """Gradient of 1/|d| with respect to d."""
    r2 = np.dot(d, d)
    return -d / (r2 * np.sqrt(r2))


def particle_adjoint(w):
    """Forward Euler keeping the positions where the force was taken, then the reverse
    sweep, whose step through the force is a Hessian-vector product of the potential."""
    x, xdot, dt = np.array([0.0, 8.0]), np.array([0.75, 0.0]), 0.1
    shift = CHARGE_1 - w * UP
    xs = []
    x_new = x + dt * xdot
    while x_new[1] > 0.0:
        xs.append(x)
        force = -(_field(x - shift) + _field(x - CHARGE_2))
        x, xdot = x_new, xdot + dt * force
        x_new = x + dt * xdot
    dt_f = -x[1] / xdot[1]
    g_land = 2.0 * (x[0] + dt_f * xdot[0])
    g_dtf = g_land * xdot[0]
    g_x = np.array([g_land, -g_dtf / xdot[1]])
    g_xdot = np.array([g_land * dt_f, g_dtf * x[1] / (xdot[1] * xdot[1])])
    g_w = 0.0
    for x in reversed(xs):
        g_force = dt * g_xdot
        g_xdot = g_xdot + dt * g_x
        h1 = _field_jacobian_apply(x - shift, g_force)
        g_x = g_x - h1 - _field_jacobian_apply(x - CHARGE_2, g_force)
        g_w -= h1[1]                                   # d(x - shift)/dw = UP
    return (g_w,)


def saddle_adjoint(p1, p2, steps):
    """The ascent on p2 does not involve p1, so the gradient is 2 p1."""
    return (2.0 * p1,)
