"""GradBench ht (hand tracking, the simple variant) as a plain numpy model, its expert
hand-written adjoint, and a synthetic hand (GradBench reads its model from data files).

theta (26): global rotation (angle-axis), global translation, then 20 finger angles.
A 22-bone skeleton (root, wrist, 5 fingers of 4 bones) is posed by Euler angles, chained
parent to child, skinned linearly onto the vertices, and moved by the global transform;
the objective is the squared distance of the observed points to their vertices.
"""
import numpy as np

BONES = 22
PARENTS = (-1, 0) + tuple(p for f in range(5) for p in (1, 2 + 4 * f, 3 + 4 * f, 4 + 4 * f))


def pose_map():
    """0/1 matrix taking theta[6:] to the (BONES, 3) Euler angles (GradBench's
    to_pose_params: per finger, two angles for its first bone and one for the next two)."""
    k = 0
    out = np.zeros((BONES * 3, 20))
    for f in range(5):
        for j in range(3):
            bone = 2 + 4 * f + j
            for axis in ((0, 1) if j == 0 else (0,)):
                out[bone * 3 + axis, k] = 1.0
                k += 1
    return out


def euler_rotations(angles):
    """Rz(tz) Ry(ty) Rx(tx) per bone, angles (BONES, 3) in GradBench's order (x, z, y)."""
    cx, sx = np.cos(angles[:, 0]), np.sin(angles[:, 0])
    cz, sz = np.cos(angles[:, 1]), np.sin(angles[:, 1])
    cy, sy = np.cos(angles[:, 2]), np.sin(angles[:, 2])
    one, zero = np.ones_like(cx), np.zeros_like(cx)
    rx = np.reshape(np.stack([one, zero, zero, zero, cx, -sx, zero, sx, cx], axis=1), (-1, 3, 3))
    ry = np.reshape(np.stack([cy, zero, sy, zero, one, zero, -sy, zero, cy], axis=1), (-1, 3, 3))
    rz = np.reshape(np.stack([cz, -sz, zero, sz, cz, zero, zero, zero, one], axis=1), (-1, 3, 3))
    return np.matmul(rz, np.matmul(ry, rx))


def angle_axis_rotation(aa):
    """Rodrigues: cos(n) I + sin(n) [a]x + (1 - cos(n)) a a^T, n = |aa|, a = aa / n."""
    n = np.sqrt(np.sum(aa * aa))
    a = aa / n
    skew = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    return np.cos(n) * np.eye(3) + np.sin(n) * skew + (1.0 - np.cos(n)) * np.outer(a, a)


def ht(theta, base_relatives, inverse_base_absolutes, base_positions, weights, pose,
       correspondences, points):
    """Sum of squared distances from the points to their posed, skinned vertices."""
    angles = np.reshape(np.dot(pose, theta[6:]), (BONES, 3))
    rot = euler_rotations(angles)
    relatives = np.concatenate((np.matmul(base_relatives[:, :, :3], rot),
                                base_relatives[:, :, 3:]), axis=2)
    absolutes = [relatives[0]]
    for i in range(1, BONES):
        absolutes.append(np.dot(absolutes[PARENTS[i]], relatives[i]))
    transforms = np.matmul(np.stack(absolutes), inverse_base_absolutes)
    posed = np.matmul(transforms[:, :3, :], base_positions)
    skinned = np.sum(posed * weights[:, None, :], axis=0)
    verts = np.dot(angle_axis_rotation(theta[0:3]), skinned) + theta[3:6][:, None]
    err = points - verts[:, correspondences]
    return np.sum(err * err)


def ht_inputs(verts, n_points, seed=6):
    """A synthetic hand in GradBench's layout: bones 1-3 units apart along the fingers,
    vertices around the bones skinned to two of them, theta ~ 0.3 N(0, 1)."""
    rng = np.random.default_rng(seed)
    base_relatives = np.tile(np.eye(4), (BONES, 1, 1))
    base_relatives[:, :3, :3] = euler_rotations(0.2 * rng.standard_normal((BONES, 3)))
    base_relatives[:, :3, 3] = rng.uniform(1.0, 3.0, (BONES, 3)) * np.array([0.3, 1.0, 0.3])
    absolutes = base_relatives.copy()
    for i in range(1, BONES):
        absolutes[i] = absolutes[PARENTS[i]] @ base_relatives[i]
    bone = rng.integers(0, BONES, verts)
    positions = absolutes[bone, :3, 3].T + 0.5 * rng.standard_normal((3, verts))
    weights = np.zeros((BONES, verts))
    weights[bone, np.arange(verts)] = rng.uniform(0.5, 1.0, verts)
    weights[np.array(PARENTS)[bone].clip(0), np.arange(verts)] += rng.uniform(0.0, 0.5, verts)
    weights /= weights.sum(axis=0)
    correspondences = rng.integers(0, verts, n_points)
    points = positions[:, correspondences] + 0.1 * rng.standard_normal((3, n_points))
    return (0.3 * rng.standard_normal(26), base_relatives, np.linalg.inv(absolutes),
            np.vstack((positions, np.ones((1, verts)))), weights, pose_map(), correspondences,
            points)


def _rotation_grads(angles, g_rot):
    """Cotangents of the (x, z, y) Euler angles given those of the rotations."""
    cx, sx = np.cos(angles[:, 0]), np.sin(angles[:, 0])
    cz, sz = np.cos(angles[:, 1]), np.sin(angles[:, 1])
    cy, sy = np.cos(angles[:, 2]), np.sin(angles[:, 2])
    one, zero = np.ones_like(cx), np.zeros_like(cx)

    def mats(*entries):
        return np.stack(entries, axis=1).reshape(-1, 3, 3)

    rx, drx = mats(one, zero, zero, zero, cx, -sx, zero, sx, cx), \
        mats(zero, zero, zero, zero, -sx, -cx, zero, cx, -sx)
    ry, dry = mats(cy, zero, sy, zero, one, zero, -sy, zero, cy), \
        mats(-sy, zero, cy, zero, zero, zero, -cy, zero, -sy)
    rz, drz = mats(cz, -sz, zero, sz, cz, zero, zero, zero, one), \
        mats(-sz, -cz, zero, cz, -sz, zero, zero, zero, zero)
    ryx = ry @ rx
    g_x = np.einsum("bij,bij->b", g_rot, rz @ ry @ drx)
    g_y = np.einsum("bij,bij->b", g_rot, rz @ dry @ rx)
    g_z = np.einsum("bij,bij->b", g_rot, drz @ ryx)
    return np.stack((g_x, g_z, g_y), axis=1)


def _angle_axis_grad(aa, g_r):
    """Cotangent of aa given that of its Rodrigues rotation."""
    n = np.sqrt(np.dot(aa, aa))
    a, c, s = aa / n, np.cos(n), np.sin(n)
    g_c = np.trace(g_r) - a @ g_r @ a
    g_s = g_r[2, 1] - g_r[1, 2], g_r[0, 2] - g_r[2, 0], g_r[1, 0] - g_r[0, 1]
    g_s = np.array(g_s)
    g_a = (1.0 - c) * ((g_r + g_r.T) @ a) + s * g_s
    g_n = -s * g_c + c * np.dot(g_s, a)
    return (g_a - a * np.dot(a, g_a)) / n + g_n * a


def ht_adjoint(theta, base_relatives, inverse_base_absolutes, base_positions, weights, pose,
               correspondences, points):
    """Forward as in ht, then the reverse sweep: scatter the point errors onto the vertices,
    skinning and the bone chain backwards, Euler and Rodrigues derivatives in closed form."""
    angles = np.reshape(pose @ theta[6:], (BONES, 3))
    rot = euler_rotations(angles)
    relatives = base_relatives.copy()
    relatives[:, :, :3] = base_relatives[:, :, :3] @ rot
    absolutes = np.empty_like(relatives)
    absolutes[0] = relatives[0]
    for i in range(1, BONES):
        absolutes[i] = absolutes[PARENTS[i]] @ relatives[i]
    transforms = absolutes @ inverse_base_absolutes
    skinned = np.einsum("bv,brc,cv->rv", weights, transforms[:, :3, :], base_positions)
    global_rot = angle_axis_rotation(theta[0:3])
    err = points - (global_rot @ skinned[:, correspondences] + theta[3:6][:, None])
    g_verts = np.zeros_like(skinned)
    np.add.at(g_verts.T, correspondences, -2.0 * err.T)
    g_theta = np.empty_like(theta)
    g_theta[3:6] = g_verts.sum(axis=1)
    g_theta[0:3] = _angle_axis_grad(theta[0:3], g_verts @ skinned.T)
    g_skinned = global_rot.T @ g_verts
    g_abs = np.zeros_like(transforms)
    g_abs[:, :3, :] = np.einsum("rv,bv,cv->brc", g_skinned, weights, base_positions)
    g_abs = g_abs @ np.transpose(inverse_base_absolutes, (0, 2, 1))
    g_rel = np.empty_like(g_abs)
    for i in range(BONES - 1, 0, -1):
        g_rel[i] = absolutes[PARENTS[i]].T @ g_abs[i]
        g_abs[PARENTS[i]] += g_abs[i] @ relatives[i].T
    g_rel[0] = g_abs[0]
    g_rot = np.transpose(base_relatives[:, :, :3], (0, 2, 1)) @ g_rel[:, :, :3]
    g_theta[6:] = pose.T @ _rotation_grads(angles, g_rot).ravel()
    return (g_theta,)
