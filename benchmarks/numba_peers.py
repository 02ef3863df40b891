"""The rows of benchmarks/numba_loops.py in jax (its best form) and torch (eager)."""

import time

import jax
import jax.numpy as jnp
import numpy as np
import torch
from jax import lax

jax.config.update("jax_enable_x64", True)
torch.set_num_threads(1)


# ---------------------------------------------------------------- jax
def _oscillator_step(k, c, x, v):
    return x + 0.01 * v, v + 0.01 * (-k * x - c * v)


def _rk4_step(k, c, x, v):
    h = 0.01
    a1 = -k * x - c * v
    x2, v2 = x + 0.5 * h * v, v + 0.5 * h * a1
    a2 = -k * x2 - c * v2
    x3, v3 = x + 0.5 * h * v2, v + 0.5 * h * a2
    a3 = -k * x3 - c * v3
    x4, v4 = x + h * v3, v + h * a3
    a4 = -k * x4 - c * v4
    return x + h / 6 * (v + 2 * v2 + 2 * v3 + v4), v + h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)


def _integrate(step):
    def loss(k, c, n):
        x, v = lax.fori_loop(0, n, lambda i, s: step(k, c, *s), (1.0, 0.0))
        return x * x + v * v
    return loss


def _rnn(W, U, xs):
    def cell(h, x):
        return jnp.tanh(W @ h + U * x), None
    h, _ = lax.scan(cell, jnp.zeros(W.shape[0]), xs)
    return jnp.sum(h * h)


def _while_if(a):
    b = a * 2
    while abs(b) < 1000:  # data-dependent: eager only (no reverse mode of while_loop)
        b = b * 2
    return b if b > 0 else 100 * b


def _projectile(vx0, vy0, drag, sqrt=jnp.sqrt):
    px, py, vx, vy = 0.0, 0.0, vx0, vy0
    while py >= 0.0:
        speed = sqrt(vx * vx + vy * vy)
        vx = vx - 0.001 * drag * speed * vx
        vy = vy - 0.001 * (9.81 + drag * speed * vy)
        px, py = px + 0.001 * vx, py + 0.001 * vy
    return px


def _jax_fn(key):
    return {"euler": (_integrate(_oscillator_step), (0, 1), 2),
            "rk4": (_integrate(_rk4_step), (0, 1), 2),
            "rnn": (_rnn, (0, 1), None),
            "while_if": (_while_if, 0, "eager"),
            "projectile": (_projectile, (0, 1, 2), "eager")}[key]


def jax_grad(key, args):
    """jax's gradient of a row, as numpy values: jit over lax loops, else eager."""
    fn, argnums, static = _jax_fn(key)
    grad = jax.grad(fn, argnums=argnums)
    if static != "eager":
        grad = jax.jit(grad, static_argnums=static)

    def run(*a):
        out = grad(*a)
        return jax.tree_util.tree_map(lambda v: np.asarray(jax.block_until_ready(v)), out)
    return run


def jax_first_call(key, args) -> float:
    """Seconds of jax.jit's first call (tracing and XLA compiling included)."""
    fn, argnums, static = _jax_fn(key)
    grad = jax.jit(jax.grad(fn, argnums=argnums), static_argnums=static)
    start = time.perf_counter()
    jax.block_until_ready(grad(*args))
    return time.perf_counter() - start


# ---------------------------------------------------------------- torch
def _t(value):
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


def _torch_integrate(step):
    def grad(k, c, n):
        k, c = _t(k), _t(c)
        x, v = torch.tensor(1.0, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64)
        for _ in range(n):
            x, v = step(k, c, x, v)
        (x * x + v * v).backward()
        return k.grad.item(), c.grad.item()
    return grad


def _torch_rnn(W, U, xs):
    W, U, xs = _t(W), _t(U), torch.tensor(xs)
    h = torch.zeros(W.shape[0], dtype=torch.float64)
    for t in range(xs.shape[0]):
        h = torch.tanh(W @ h + U * xs[t])
    torch.sum(h * h).backward()
    return W.grad.numpy(), U.grad.numpy()


def _torch_while_if(a):
    a = _t(a)
    _while_if(a).backward()
    return a.grad.item()


def _torch_projectile(vx0, vy0, drag):
    vx0, vy0, drag = _t(vx0), _t(vy0), _t(drag)
    _projectile(vx0, vy0, drag, torch.sqrt).backward()
    return vx0.grad.item(), vy0.grad.item(), drag.grad.item()


def torch_grad(key, args):
    """torch's eager gradient of a row, as numpy values."""
    return {"euler": _torch_integrate(_oscillator_step), "rk4": _torch_integrate(_rk4_step),
            "rnn": _torch_rnn, "while_if": _torch_while_if,
            "projectile": _torch_projectile}[key]
