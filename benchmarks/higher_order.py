"""Higher-order derivatives: agc's hvp, hessian, jvp and jacobian against their targets
(issue 14) and against torch and jax, one thread each.

    .venv/bin/python benchmarks/higher_order.py            # ~2 min on 2 shared cores
    .venv/bin/python benchmarks/higher_order.py --cpu      # CPU time: for a loaded machine

Targets (each ratio is agc against agc):
  hvp       <= 4 x one gradient
  hessian   <= n x one hvp (n inputs)
  jvp       <= 3 x the function
  jacobian  <= 3 x (the function + min(n, m) x one sweep); a sweep is one vjp (reverse,
            m >= n) or one jvp (forward, n < m) less the function.
Each cell is the median of rounds after warm-up; a round times as many back-to-back calls
as fill ~20 ms. Every tool's result is checked against agc's before it is timed.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

import statistics
import sys
import time

import agc
import numpy as np

ROUNDS, FILL = 7, 0.02
# --cpu: time.process_time, this process's CPU time, which other processes sharing the cores
# do not inflate as they do the wall clock (all tools run on one thread here)
CLOCK = time.process_time if "--cpu" in sys.argv[1:] else time.perf_counter


# ------------------------------------------------------------------ workloads
def mlp_loss(x, A, B):
    """A scalar objective: two tanh layers, a quartic penalty."""
    h = np.tanh(A @ x)
    return np.sum(np.tanh(B @ h) ** 2) + 0.1 * np.sum(x ** 4)


def rollout_loss(x, A):
    """A scalar objective with a loop and a branch."""
    for _ in range(6):
        x = np.tanh(A @ x)
        if np.sum(x) > 0:
            x = x * 0.9
    return np.sum(x ** 2)


def two_layers(x, A, B):
    """f: R^n -> R^m."""
    return np.tanh(B @ np.tanh(A @ x))


def rollout(x, A):
    """f: R^n -> R^n with a loop and a branch."""
    for _ in range(6):
        x = np.tanh(A @ x)
        if np.sum(x) > 0:
            x = x * 0.9
    return x


def _twins(lib):
    """The workloads written with `lib` (torch or jax.numpy): a branch on the data becomes
    a `where`, which torch.func and jax.jit can trace."""
    def mlp_loss_twin(x, A, B):
        return lib.sum(lib.tanh(B @ lib.tanh(A @ x)) ** 2) + 0.1 * lib.sum(x ** 4)

    def rollout_twin(x, A):
        for _ in range(6):
            x = lib.tanh(A @ x)
            x = lib.where(lib.sum(x) > 0, x * 0.9, x)
        return x

    def rollout_loss_twin(x, A):
        return lib.sum(rollout_twin(x, A) ** 2)

    def two_layers_twin(x, A, B):
        return lib.tanh(B @ lib.tanh(A @ x))

    return {mlp_loss: mlp_loss_twin, rollout_loss: rollout_loss_twin,
            two_layers: two_layers_twin, rollout: rollout_twin}


# ------------------------------------------------------------------- timing
def median_time(call) -> float:
    """Median seconds per call over ROUNDS rounds, after two warm-up calls."""
    call()
    call()
    start = CLOCK()
    call()
    once = max(CLOCK() - start, 1e-7)
    batch = max(1, int(FILL / once))
    samples = []
    for _ in range(ROUNDS):
        start = CLOCK()
        for _ in range(batch):
            call()
        samples.append((CLOCK() - start) / batch)
    return statistics.median(samples)


def _check(name: str, got, want) -> None:
    if not np.allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                       rtol=1e-7, atol=1e-9):
        print(f"!!! WRONG {name}", file=sys.stderr)
        raise SystemExit(1)


class Peers:
    """torch and jax, where installed: the same derivative, timed the same way."""

    def __init__(self):
        try:
            import torch
            import torch.func
            torch.set_num_threads(1)
            self.torch, self.torch_twin = torch, _twins(torch)
        except ImportError:
            self.torch = None
        try:
            import jax
            import jax.numpy as jnp
            jax.config.update("jax_enable_x64", True)
            self.jax, self.jax_twin = jax, _twins(jnp)
        except ImportError:
            self.jax = None

    def times(self, what: str, fn, args, v, want) -> list[str]:
        """[torch, jax eager, jax.jit] cells for `what` of fn at args (direction v)."""
        cells = []
        if self.torch is None:
            cells.append("absent")
        else:
            t = [self.torch.from_numpy(np.ascontiguousarray(a)) for a in args]
            tv = self.torch.from_numpy(v)
            call = _torch_call(self.torch, what, self.torch_twin[fn], t, tv)
            _check(f"torch {what} {fn.__name__}", _to_numpy(call()), want)
            cells.append(_ms(median_time(call)))
        if self.jax is None:
            return cells + ["absent", "absent"]
        j = [self.jax.numpy.asarray(a) for a in args]
        jv = self.jax.numpy.asarray(v)
        for jit in (False, True):
            call = _jax_call(self.jax, what, self.jax_twin[fn], j, jv, jit)
            _check(f"jax {what} {fn.__name__}", _to_numpy(call()), want)
            cells.append(_ms(median_time(lambda: _block(call()))))
        return cells


def _torch_call(torch, what, f, t, tv):
    x, rest = t[0], t[1:]
    g = lambda x: f(x, *rest)
    if what == "hvp":
        return lambda: torch.autograd.functional.hvp(g, x, tv)[1]
    if what == "hessian":
        return lambda: torch.func.hessian(g)(x)
    if what == "jvp":
        return lambda: torch.func.jvp(g, (x,), (tv,))[1]
    return lambda: torch.func.jacrev(g)(x)


def _jax_call(jax, what, f, j, jv, jit):
    x, rest = j[0], tuple(j[1:])
    if what == "hvp":
        fn = lambda x, v, *rest: jax.jvp(jax.grad(f), (x, *rest), (v,) + tuple(
            jax.numpy.zeros_like(r) for r in rest))[1]
    elif what == "hessian":
        fn = lambda x, v, *rest: jax.hessian(f)(x, *rest)
    elif what == "jvp":
        fn = lambda x, v, *rest: jax.jvp(lambda x: f(x, *rest), (x,), (v,))[1]
    else:
        fn = lambda x, v, *rest: jax.jacrev(f)(x, *rest)
    fn = jax.jit(fn) if jit else fn
    return lambda: fn(x, jv, *rest)


def _block(value):
    return value.block_until_ready() if hasattr(value, "block_until_ready") else value


def _to_numpy(value):
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


# ------------------------------------------------------------------- the runs
def run(peers: Peers) -> list[list[str]]:
    rng = np.random.default_rng(0)
    n = 16
    A, B = rng.normal(size=(24, n)) / 4, rng.normal(size=(8, 24)) / 4
    S = rng.normal(size=(n, n)) / 4
    x, v = rng.normal(size=n), rng.normal(size=n)
    rows = []
    big = 256  # where the arithmetic, not the Python around each numpy call, is the cost
    xb, vb = rng.normal(size=big), rng.normal(size=big)
    Ab, Bb = rng.normal(size=(384, big)) / 16, rng.normal(size=(64, 384)) / 16
    for fn, args, direction in ((mlp_loss, (x, A, B), v), (rollout_loss, (x, S), v),
                                (mlp_loss, (xb, Ab, Bb), vb)):
        rows += _second_rows(fn, args, direction, peers, hessian=args[0] is not xb)
    for fn, args, direction in ((two_layers, (x, A, B), v), (rollout, (x, S), v),
                                (mlp_loss, (x, A, B), v), (two_layers, (xb, Ab, Bb), vb),
                                (mlp_loss, (xb, Ab, Bb), vb)):
        f = agc.differentiate(fn)
        t_f = median_time(lambda: fn(*args))
        tangents = (direction,) + (None,) * (len(args) - 1)
        want = f.jvp(*args, tangents=tangents)[1]
        t_jvp = median_time(lambda: f.jvp(*args, tangents=tangents))
        rows.append([f"jvp, {fn.__name__} (n={args[0].size})", _ms(t_jvp),
                     f"{t_jvp / t_f:.2f} x f", "<= 3",
                     *peers.times("jvp", fn, args, direction, want)])
    for fn, args in ((two_layers, (x, A, B)), (rollout, (x, S)),
                     (two_layers, (x[:4], A[:, :4], rng.normal(size=(40, 24)) / 4))):
        rows.append(_jacobian_row(fn, args, rng, peers))
    return rows


def _second_rows(fn, args, v, peers, hessian: bool) -> list[list[str]]:
    """hvp against one gradient; the Hessian (`hessian`) against n hvps."""
    n = args[0].size
    grad, hvp, hess = agc.grad(fn), agc.hvp(fn), agc.hessian(fn)
    t_grad = median_time(lambda: grad(*args))
    want = hvp(*args, v)
    t_hvp = median_time(lambda: hvp(*args, v))
    rows = [[f"hvp, {fn.__name__} (n={n})", _ms(t_hvp), f"{t_hvp / t_grad:.2f} x grad", "<= 4",
             *peers.times("hvp", fn, args, v, want)]]
    if hessian:
        want = hess(*args)
        t_hess = median_time(lambda: hess(*args))
        rows.append([f"hessian, {fn.__name__} (n={n})", _ms(t_hess),
                     f"{t_hess / (n * t_hvp):.2f} x n hvp", "<= 1",
                     *peers.times("hessian", fn, args, v, want)])
    return rows


def _jacobian_row(fn, args, rng, peers) -> list[str]:
    """The Jacobian of fn: R^n -> R^m against the function plus min(n, m) sweeps."""
    f, jac = agc.differentiate(fn), agc.jacobian(fn)
    n, m = args[0].size, np.size(fn(*args))
    t_f = median_time(lambda: fn(*args))
    if n < m:  # agc.jacobian takes forward mode: a sweep is a jvp less the function
        v = rng.normal(size=n)
        tangents = (v,) + (None,) * (len(args) - 1)
        t_one = median_time(lambda: f.jvp(*args, tangents=tangents))
    else:
        seed = rng.normal(size=m)
        t_one = median_time(lambda: f.vjp(*args, seed=seed))
    sweep = max(t_one - t_f, 0.0)
    want = jac(*args)
    t_jac = median_time(lambda: jac(*args))
    ideal = t_f + min(n, m) * sweep
    mode = "forward" if n < m else "reverse"
    return [f"jacobian, {fn.__name__} R^{n}->R^{m} ({mode})", _ms(t_jac),
            f"{t_jac / ideal:.2f} x (f + {min(n, m)} sweeps)", "<= 3",
            *peers.times("jacobian", fn, args, rng.normal(size=n), want)]


def main() -> None:
    rows = run(Peers())
    head = ["case", "agc", "agc ratio", "target", "torch", "jax", "jax.jit"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
