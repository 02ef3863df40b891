"""The GradBench models as a PyTorch user writes them (eager mode); see gb_models.py."""
import torch

from workloads.gb_ht import BONES, PARENTS

F64 = torch.float64


def gb_llsq(x, t, s):
    """See gb_models.llsq."""
    powers = t[:, None] ** torch.arange(x.shape[0], dtype=F64)
    r = s - powers @ x
    return 0.5 * torch.dot(r, r)


def gb_kmeans(centroids, points):
    """See gb_models.kmeans."""
    diff = points[:, None, :] - centroids[None, :, :]
    return (diff * diff).sum(2).min(1).values.sum()


def _det_laplace(a, n):
    if n == 1:
        return a[0, 0]
    total = 0.0
    for j in range(n):
        minor = torch.cat((a[1:, :j], a[1:, j + 1:]), dim=1)
        total = total + (-1.0) ** j * a[0, j] * _det_laplace(minor, n - 1)
    return total


def gb_det(a):
    """See gb_models.det."""
    return _det_laplace(a, a.shape[0])


def _ode_rhs(x, y):
    return x * torch.cat((torch.ones(1, dtype=F64), y[:-1]))


def gb_ode(x, s):
    """See gb_models.ode."""
    h = 2.0 / s
    y = torch.zeros_like(x)
    for i in range(s):
        k1 = _ode_rhs(x, y)
        k2 = _ode_rhs(x, y + 0.5 * h * k1)
        k3 = _ode_rhs(x, y + 0.5 * h * k2)
        k4 = _ode_rhs(x, y + h * k3)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y[-1]


def gb_lstm(main_params, extra_params, state, sequence):
    """See gb_models.lstm (gates as one 4b vector, the usual torch way)."""
    c, b = sequence.shape
    layers = state.shape[0] // 2
    hidden, cells = list(state[0::2]), list(state[1::2])
    total = 0.0
    for t in range(c - 1):
        x = sequence[t] * extra_params[0]
        for i in range(layers):
            z = torch.cat((x, hidden[i], x, hidden[i])) * main_params[2 * i] + main_params[2 * i + 1]
            gates = torch.sigmoid(z[:3 * b])
            cells[i] = cells[i] * gates[:b] + gates[b:2 * b] * torch.tanh(z[3 * b:])
            hidden[i] = gates[2 * b:] * torch.tanh(cells[i])
            x = hidden[i]
        ypred = x * extra_params[1] + extra_params[2]
        ynorm = ypred - torch.log(torch.exp(ypred).sum() + 2.0)
        total = total + torch.dot(sequence[t + 1], ynorm)
    return -total / ((c - 1) * b)


def gb_ba(cams, points, w, feats, cam_idx, pt_idx):
    """See gb_models.ba."""
    cam = cams[cam_idx]
    xc = points[pt_idx] - cam[:, 3:6]
    theta = torch.sqrt((cam[:, 0:3] ** 2).sum(1))
    axis = cam[:, 0:3] / theta[:, None]
    cos = torch.cos(theta)[:, None]
    along = (axis * xc).sum(1)[:, None] * (1.0 - cos)
    xcam = xc * cos + torch.linalg.cross(axis, xc) * torch.sin(theta)[:, None] + axis * along
    proj = xcam[:, 0:2] / xcam[:, 2:3]
    rsq = (proj * proj).sum(1)
    distort = 1.0 + cam[:, 9] * rsq + cam[:, 10] * rsq * rsq
    err = (proj * (distort * cam[:, 6])[:, None] + cam[:, 7:9] - feats) * w[:, None]
    werr = 1.0 - w * w
    return (err * err).sum() + (werr * werr).sum()


def _charges(x, w):
    d1 = x - torch.stack((torch.tensor(10.0, dtype=F64), 10.0 - w))
    d2 = x - torch.tensor([10.0, 0.0], dtype=F64)
    return 1.0 / torch.sqrt((d1 * d1).sum()) + 1.0 / torch.sqrt((d2 * d2).sum())


def gb_particle(w):
    """See gb_nested.particle: the force is torch.autograd.grad with create_graph=True."""
    x = torch.tensor([0.0, 8.0], dtype=F64, requires_grad=True)
    xdot = torch.tensor([0.75, 0.0], dtype=F64)
    dt = 0.1
    x_new = x + dt * xdot
    while x_new[1] > 0.0:
        (grad,) = torch.autograd.grad(_charges(x, w), x, create_graph=True)
        x = x_new
        xdot = xdot - dt * grad
        x_new = x + dt * xdot
    dt_f = -x[1] / xdot[1]
    return (x[0] + dt_f * xdot[0]) ** 2


def gb_saddle(p1, p2, steps):
    """See gb_nested.saddle."""
    p2 = p2.detach().requires_grad_()
    for i in range(steps):
        f = (p1 * p1).sum() - (p2 * p2).sum()
        (grad,) = torch.autograd.grad(f, p2, create_graph=True)
        p2 = p2 + 0.1 * grad
    return (p1 * p1).sum() - (p2 * p2).sum()


def _euler(angles):
    cx, sx = torch.cos(angles[:, 0]), torch.sin(angles[:, 0])
    cz, sz = torch.cos(angles[:, 1]), torch.sin(angles[:, 1])
    cy, sy = torch.cos(angles[:, 2]), torch.sin(angles[:, 2])
    one, zero = torch.ones_like(cx), torch.zeros_like(cx)
    rx = torch.stack([one, zero, zero, zero, cx, -sx, zero, sx, cx], 1).reshape(-1, 3, 3)
    ry = torch.stack([cy, zero, sy, zero, one, zero, -sy, zero, cy], 1).reshape(-1, 3, 3)
    rz = torch.stack([cz, -sz, zero, sz, cz, zero, zero, zero, one], 1).reshape(-1, 3, 3)
    return rz @ ry @ rx


def _angle_axis(aa):
    n = torch.sqrt((aa * aa).sum())
    a = aa / n
    zero = torch.zeros((), dtype=F64)
    skew = torch.stack([zero, -a[2], a[1], a[2], zero, -a[0], -a[1], a[0], zero]).reshape(3, 3)
    return torch.cos(n) * torch.eye(3, dtype=F64) + torch.sin(n) * skew \
        + (1.0 - torch.cos(n)) * torch.outer(a, a)


def gb_ht(theta, base_relatives, inverse_base_absolutes, base_positions, weights, pose,
          correspondences, points):
    """See gb_ht.ht."""
    rot = _euler((pose @ theta[6:]).reshape(BONES, 3))
    relatives = torch.cat((base_relatives[:, :, :3] @ rot, base_relatives[:, :, 3:]), dim=2)
    absolutes = [relatives[0]]
    for i in range(1, BONES):
        absolutes.append(absolutes[PARENTS[i]] @ relatives[i])
    transforms = torch.stack(absolutes) @ inverse_base_absolutes
    skinned = ((transforms[:, :3, :] @ base_positions) * weights[:, None, :]).sum(0)
    verts = _angle_axis(theta[0:3]) @ skinned + theta[3:6][:, None]
    err = points - verts[:, correspondences]
    return (err * err).sum()
