"""The workloads written the way a PyTorch user would write them (eager mode)."""
import torch
import torch.nn.functional as F


def while_if(a):
    """See workloads/while_if.py."""
    b = a * 2
    while torch.linalg.norm(b) < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def mlp_loss(W1, b1, W2, b2, X, labels):
    """See workloads/mlp.py; cross_entropy is torch's fused log-softmax + NLL."""
    h = torch.tanh(X @ W1 + b1)
    return F.cross_entropy(h @ W2 + b2, labels)


def damped_oscillator(k, c):
    """See workloads/euler.py."""
    x = 1.0
    v = 0.0
    dt = 0.05
    for i in range(200):
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    return x ** 2 + v ** 2


def mse(w, b, x, y):
    """See workloads/linreg.py."""
    r = w * x + b - y
    return torch.mean(r * r)


def wishart_prior(qs, ls, gamma, m):
    """See workloads/gmm_model.py."""
    qdiag = torch.exp(qs)
    return 0.5 * gamma * gamma * (torch.sum(qdiag ** 2) + torch.sum(ls ** 2)) - m * torch.sum(qs)


def gmm_vec(alphas, means, qs, ls, x, unpack, gamma, m, c0):
    """See workloads/gmm_model.py (vectorised)."""
    n, d = x.shape
    K = alphas.shape[0]
    lmat = (ls @ unpack).reshape(K, d, d)
    xc = x[None, :, :] - means[:, None, :]
    lxc = xc * torch.exp(qs)[:, None, :] + xc @ lmat.transpose(1, 2)
    inner = (alphas + qs.sum(1))[:, None] - 0.5 * (lxc ** 2).sum(2)
    lse = torch.logsumexp(inner, 0)
    return c0 + lse.sum() - n * torch.logsumexp(alphas, 0) + wishart_prior(qs, ls, gamma, m)


def gmm_loop(alphas, means, qs, ls, x, unpack, gamma, m, c0):
    """See workloads/gmm_model.py (loop style)."""
    n, d = x.shape
    K = alphas.shape[0]
    qmats = torch.diag_embed(torch.exp(qs)) + (ls @ unpack).reshape(K, d, d)
    sum_qs = qs.sum(1)
    total = 0.0
    for i in range(n):
        mx = 0.0
        s = 0.0
        for k in range(K):
            y = qmats[k] @ (x[i] - means[k])
            t = alphas[k] + sum_qs[k] - 0.5 * torch.dot(y, y)
            if k == 0:
                mx = t
                s = 1.0
            elif t > mx:
                s = s * torch.exp(mx - t) + 1.0
                mx = t
            else:
                s = s + torch.exp(t - mx)
        total = total + mx + torch.log(s)
    return c0 + total - n * torch.logsumexp(alphas, 0) + wishart_prior(qs, ls, gamma, m)


def tape_loop(x, p, n):
    """See workloads/tape.py."""
    for i in range(n):
        x = x + 0.01 * torch.sin(x) * p
    return x
