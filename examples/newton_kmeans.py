"""A Newton step for k-means: the gradient divided by the Hessian's diagonal.

The diagonal comes from Hessian-vector products with unit vectors (`agc.hvp`,
one sweep each, no dense Hessian), checked against `agc.hessian`. For k-means
the Hessian is diagonal (2 x the number of points of each centroid), so the
Newton step is Lloyd's update: every centroid moves to the mean of its points.
"""

import numpy as np

import agc


def kmeans_loss(c, x):
    """Each point's squared distance to its nearest centroid, summed."""
    d = np.sum((x[:, None, :] - c[None, :, :]) ** 2, axis=2)
    return np.sum(np.min(d, axis=1))


kmeans_hvp = agc.hvp(kmeans_loss)  # compiled on its first call, then reused
kmeans_grad = agc.grad(kmeans_loss)


def hessian_diagonal(c, x):
    """diag(H) from one Hessian-vector product per unit vector."""
    diagonal = np.zeros_like(c)
    for index in np.ndindex(c.shape):
        e = np.zeros_like(c)
        e[index] = 1.0
        diagonal[index] = kmeans_hvp(c, x, e)[index]
    return diagonal


def newton_step(c, x):
    """c - grad / diag(H)."""
    return c - kmeans_grad(c, x) / hessian_diagonal(c, x)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(6, 2)) - 3, rng.normal(size=(5, 2)) + 3,
                        rng.normal(size=(4, 2)) + [4, -4]])
    c = np.array([[-2.0, -2.5], [2.0, 2.5], [3.0, -3.0]])
    diagonal = hessian_diagonal(c, x)
    dense = agc.hessian(kmeans_loss)(c, x).reshape(c.size, c.size)
    print("diag(H) =", diagonal.ravel())
    print("same as agc.hessian's diagonal:", np.allclose(np.diag(dense), diagonal.ravel()))
    c1 = newton_step(c, x)
    print(f"loss {kmeans_loss(c, x):.4f} -> {kmeans_loss(c1, x):.4f} after one Newton step")
    print("reduced:", kmeans_loss(c1, x) < kmeans_loss(c, x))
