"""Hand-written adjoint of gmm_model.gmm_vec (same numpy calls, reverse order)."""
import numpy as np


def gmm_vec_adjoint(alphas, means, qs, ls, x, unpack, gamma, m, c0):
    """Gradient of gmm_vec w.r.t. (alphas, means, qs, ls)."""
    n, d = x.shape
    K = alphas.shape[0]
    qdiag = np.exp(qs)
    lmat = np.reshape(np.dot(ls, unpack), (K, d, d))
    xc = x[None, :, :] - means[:, None, :]
    lxc = xc * qdiag[:, None, :] + np.matmul(xc, np.transpose(lmat, (0, 2, 1)))
    inner = (alphas + np.sum(qs, axis=1))[:, None] - 0.5 * np.sum(lxc * lxc, axis=2)
    resp = np.exp(inner - np.max(inner, axis=0))
    resp /= np.sum(resp, axis=0)                       # d sum(lse) / d inner, (K, n)
    g_lxc = -resp[:, :, None] * lxc                    # through -0.5 * sum(lxc^2)
    g_xc = g_lxc * qdiag[:, None, :] + np.matmul(g_lxc, lmat)
    g_qdiag = np.sum(g_lxc * xc, axis=1) + gamma * gamma * qdiag
    g_lmat = np.matmul(np.transpose(g_lxc, (0, 2, 1)), xc)
    g_ls = np.dot(np.reshape(g_lmat, (K, d * d)), unpack.T) + gamma * gamma * ls
    soft = np.exp(alphas - np.max(alphas))
    g_sum = np.sum(resp, axis=1)
    g_alphas = g_sum - n * soft / np.sum(soft)
    g_qs = g_sum[:, None] + g_qdiag * qdiag - m
    g_means = -np.sum(g_xc, axis=1)
    return (g_alphas, g_means, g_qs, g_ls)
