"""Correctness check of a tool's gradient against the hand-written adjoint."""
import numpy as np


def compare(got, ref, rtol, atol_rel, to_numpy=np.asarray):
    """None when every array matches (np.allclose), else a one-line description."""
    if len(got) != len(ref):
        return f"returned {len(got)} gradients, expected {len(ref)}"
    for k, (g, r) in enumerate(zip(got, ref)):
        g = np.asarray(to_numpy(g), dtype=np.float64)
        r = np.asarray(r, dtype=np.float64)
        if g.shape != r.shape:
            return f"gradient {k}: shape {g.shape}, expected {r.shape}"
        scale = float(np.max(np.abs(r))) if r.size else 0.0
        if not np.allclose(g, r, rtol=rtol, atol=atol_rel * scale):
            err = float(np.max(np.abs(g - r)))
            return f"gradient {k}: max |diff| {err:.3g} (max |ref| {scale:.3g}, rtol {rtol:g})"
    return None


def reference(case, args):
    """The hand-written adjoint's result as float64 arrays."""
    return tuple(np.asarray(r, dtype=np.float64) for r in case.run(case.adjoint, args))
