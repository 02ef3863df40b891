"""GMM log-likelihood with a Wishart prior (ADBench/GradBench gmm), two styles.

Parameters: alphas (K,), means (K, d), qs (K, d) log-diagonal of each precision
factor Q_k, ls (K, d(d-1)/2) strictly-lower entries of Q_k packed column by column.
unpack (d(d-1)/2, d*d) is a 0/1 matrix placing the packed entries; c0 is the
parameter-free constant (see gmm.gmm_constant).
"""
import numpy as np


def logsumexp(v):
    """Stable log(sum(exp(v))) of a vector."""
    vmax = np.max(v)
    return np.log(np.sum(np.exp(v - vmax))) + vmax


def wishart_prior(qs, ls, gamma, m):
    """Parameter-dependent part of the log Wishart prior."""
    qdiag = np.exp(qs)
    return 0.5 * gamma * gamma * (np.sum(qdiag * qdiag) + np.sum(ls * ls)) - m * np.sum(qs)


def gmm_vec(alphas, means, qs, ls, x, unpack, gamma, m, c0):
    """Vectorised objective: all points and components at once, shape (K, n, d)."""
    n = x.shape[0]
    d = x.shape[1]
    K = alphas.shape[0]
    qdiag = np.exp(qs)
    sum_qs = np.sum(qs, axis=1)
    lmat = np.reshape(np.dot(ls, unpack), (K, d, d))
    xc = x[None, :, :] - means[:, None, :]
    lxc = xc * qdiag[:, None, :] + np.matmul(xc, np.transpose(lmat, (0, 2, 1)))
    inner = (alphas + sum_qs)[:, None] - 0.5 * np.sum(lxc * lxc, axis=2)
    imax = np.max(inner, axis=0)
    lse = np.log(np.sum(np.exp(inner - imax), axis=0)) + imax
    return c0 + np.sum(lse) - n * logsumexp(alphas) + wishart_prior(qs, ls, gamma, m)


def gmm_loop(alphas, means, qs, ls, x, unpack, gamma, m, c0):
    """Loop-style objective: Python loops over points and components, online logsumexp."""
    n = x.shape[0]
    d = x.shape[1]
    K = alphas.shape[0]
    qmats = np.exp(qs)[:, :, None] * np.eye(d) + np.reshape(np.dot(ls, unpack), (K, d, d))
    sum_qs = np.sum(qs, axis=1)
    total = 0.0
    for i in range(n):
        mx = 0.0
        s = 0.0
        for k in range(K):
            y = np.dot(qmats[k], x[i] - means[k])
            t = alphas[k] + sum_qs[k] - 0.5 * np.dot(y, y)
            if k == 0:
                mx = t
                s = 1.0
            elif t > mx:
                s = s * np.exp(mx - t) + 1.0
                mx = t
            else:
                s = s + np.exp(t - mx)
        total = total + mx + np.log(s)
    return c0 + total - n * logsumexp(alphas) + wishart_prior(qs, ls, gamma, m)
