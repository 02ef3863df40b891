"""GradBench workloads (llsq, kmeans, det, ode, lstm, ba) as plain numpy models.

Each follows the published GradBench spec (github.com/gradbench/gradbench, evals/*),
written the way a numpy user writes it: `np.` calls, real loops, small helpers. The
inputs are built in workloads/gradbench.py; the hand-written adjoints are in
workloads/gb_adjoints.py.
"""
import numpy as np


def llsq(x, t, s):
    """0.5 sum_i (s_i - sum_j x_j t_i^j)^2: a polynomial fitted to sign(t)."""
    powers = t[:, None] ** np.arange(x.shape[0])
    r = s - np.dot(powers, x)
    return 0.5 * np.sum(r * r)


def kmeans(centroids, points):
    """Sum over points of the squared distance to the nearest centroid."""
    diff = points[:, None, :] - centroids[None, :, :]
    d2 = np.sum(diff * diff, axis=2)
    return np.sum(np.min(d2, axis=1))


def det_laplace(a, n):
    """det(a) of an n x n matrix by Laplace expansion along the first row (GradBench det).

    n is passed along (not read from a.shape) so that agc can unroll the recursion."""
    if n == 1:
        return a[0, 0]
    total = 0.0
    sign = 1.0
    for j in range(n):
        minor = np.concatenate((a[1:, :j], a[1:, j + 1:]), axis=1)
        total = total + sign * a[0, j] * det_laplace(minor, n - 1)
        sign = -sign
    return total


def det_leibniz(a, perms, signs):
    """det(a) = sum over permutations p of sign(p) prod_i a[i, p(i)] (the same n! terms)."""
    rows = np.arange(a.shape[0])
    return np.sum(signs * np.prod(a[rows, perms], axis=1))


def ode_rhs(x, y):
    """GradBench ode: y0' = x0, yi' = xi y(i-1)."""
    return x * np.concatenate((np.ones(1), y[:-1]))


def ode(x, s):
    """s classical RK4 steps of ode_rhs from y = 0 to t = 2; returns the last component."""
    h = 2.0 / s
    y = np.zeros_like(x)
    for i in range(s):
        k1 = ode_rhs(x, y)
        k2 = ode_rhs(x, y + 0.5 * h * k1)
        k3 = ode_rhs(x, y + 0.5 * h * k2)
        k4 = ode_rhs(x, y + h * k3)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y[-1]


def sigmoid(z):
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-z))


def lstm_cell(weight, bias, hidden, cell, x):
    """One GradBench LSTM layer step (diagonal weights); returns the new (hidden, cell)."""
    b = x.shape[0]
    forget = sigmoid(x * weight[:b] + bias[:b])
    ingate = sigmoid(hidden * weight[b:2 * b] + bias[b:2 * b])
    outgate = sigmoid(x * weight[2 * b:3 * b] + bias[2 * b:3 * b])
    change = np.tanh(hidden * weight[3 * b:] + bias[3 * b:])
    cell = cell * forget + ingate * change
    return outgate * np.tanh(cell), cell


def lstm(main_params, extra_params, state, sequence):
    """GradBench lstm objective: mean log-likelihood of the next character, negated."""
    c, b = sequence.shape
    layers = state.shape[0] // 2
    hidden = state[0::2]
    cells = state[1::2]
    total = 0.0
    for t in range(c - 1):
        x = sequence[t] * extra_params[0]
        new_h = []
        new_c = []
        for i in range(layers):
            h, cl = lstm_cell(main_params[2 * i], main_params[2 * i + 1], hidden[i], cells[i], x)
            new_h.append(h)
            new_c.append(cl)
            x = h
        hidden = np.stack(new_h)
        cells = np.stack(new_c)
        ypred = x * extra_params[1] + extra_params[2]
        ynorm = ypred - np.log(np.sum(np.exp(ypred)) + 2.0)
        total = total + np.sum(sequence[t + 1] * ynorm)
    return -total / ((c - 1) * b)


def ba(cams, points, w, feats, cam_idx, pt_idx):
    """GradBench ba: squared reprojection errors (Rodrigues rotation, radial distortion)
    weighted by w, plus the weight errors (1 - w^2)^2, over all observations."""
    cam = cams[cam_idx]
    xc = points[pt_idx] - cam[:, 3:6]
    theta = np.sqrt(np.sum(cam[:, 0:3] ** 2, axis=1))
    axis = cam[:, 0:3] / theta[:, None]
    cos = np.cos(theta)[:, None]
    along = np.sum(axis * xc, axis=1)[:, None] * (1.0 - cos)
    xcam = xc * cos + np.cross(axis, xc) * np.sin(theta)[:, None] + axis * along
    proj = xcam[:, 0:2] / xcam[:, 2:3]
    rsq = np.sum(proj * proj, axis=1)
    distort = 1.0 + cam[:, 9] * rsq + cam[:, 10] * rsq * rsq
    err = (proj * (distort * cam[:, 6])[:, None] + cam[:, 7:9] - feats) * w[:, None]
    werr = 1.0 - w * w
    return np.sum(err * err) + np.sum(werr * werr)


def det(a):
    """det of a 5 x 5 matrix by Laplace expansion (the size is a constant: see det_laplace)."""
    return det_laplace(a, 5)

