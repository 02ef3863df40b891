"""Idiomatic jax forms of benchmark models where the numpy source is not one.

The jax columns otherwise run the numpy source with `np` bound to jax.numpy (rebind.py).
Here: the loops jax.jit should see as one `lax.scan` / `lax.fori_loop` (lstm, ode,
euler, the linreg training loop), and
the nested-gradient models, which take `jax.grad` where the numpy ones call agc.
Cases name these functions (Case.jax_fn, Case.jit_fn); peers.py imports this module only
when jax is measured, so the harness runs without jax.
"""
import jax
import jax.numpy as jnp


def lstm_scan(main_params, extra_params, state, sequence):
    """gb_models.lstm with the time loop as lax.scan (gates as one 4b vector)."""
    c, b = sequence.shape
    layers = state.shape[0] // 2

    def step(carry, xs):
        hidden, cells = carry
        now, nxt = xs
        x = now * extra_params[0]
        new_h, new_c = [], []
        for i in range(layers):
            z = jnp.concatenate((x, hidden[i], x, hidden[i])) * main_params[2 * i] \
                + main_params[2 * i + 1]
            gates = jax.nn.sigmoid(z[:3 * b])
            cell = cells[i] * gates[:b] + gates[b:2 * b] * jnp.tanh(z[3 * b:])
            x = gates[2 * b:] * jnp.tanh(cell)
            new_h.append(x)
            new_c.append(cell)
        ypred = x * extra_params[1] + extra_params[2]
        ynorm = ypred - jnp.log(jnp.sum(jnp.exp(ypred)) + 2.0)
        return (jnp.stack(new_h), jnp.stack(new_c)), jnp.dot(nxt, ynorm)

    carry = (state[0::2], state[1::2])
    _, terms = jax.lax.scan(step, carry, (sequence[:-1], sequence[1:]))
    return -jnp.sum(terms) / ((c - 1) * b)


def ode_fori(x, s):
    """gb_models.ode with the steps as lax.fori_loop."""
    h = 2.0 / s

    def rhs(y):
        return x * jnp.concatenate((jnp.ones(1), y[:-1]))

    def step(i, y):
        k1 = rhs(y)
        k2 = rhs(y + 0.5 * h * k1)
        k3 = rhs(y + 0.5 * h * k2)
        k4 = rhs(y + h * k3)
        return y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)

    return jax.lax.fori_loop(0, s, step, jnp.zeros_like(x))[-1]


def _charges(x, w):
    d1 = x - jnp.array([10.0, 10.0]) + w * jnp.array([0.0, 1.0])
    d2 = x - jnp.array([10.0, 0.0])
    return 1.0 / jnp.sqrt(jnp.sum(d1 * d1)) + 1.0 / jnp.sqrt(jnp.sum(d2 * d2))


def particle(w):
    """gb_nested.particle with jax.grad for the force (a Python while: eager only)."""
    force = jax.grad(_charges)
    x, xdot, dt = jnp.array([0.0, 8.0]), jnp.array([0.75, 0.0]), 0.1
    x_new = x + dt * xdot
    while x_new[1] > 0.0:
        xddot = -force(x, w)
        x = x_new
        xdot = xdot + dt * xddot
        x_new = x + dt * xdot
    dt_f = -x[1] / xdot[1]
    return (x[0] + dt_f * xdot[0]) ** 2


def saddle(p1, p2, steps):
    """gb_nested.saddle with jax.grad for the ascent direction."""

    def f(a, b):
        return jnp.sum(a * a) - jnp.sum(b * b)

    ascent = jax.grad(f, argnums=1)
    for i in range(steps):
        p2 = p2 + 0.1 * ascent(p1, p2)
    return f(p1, p2)





def euler_fori(k, c):
    """workloads/euler.py's damped oscillator with the 200 steps as lax.fori_loop."""
    dt = 0.05

    def step(i, state):
        x, v = state
        return x + dt * v, v + dt * (-k * x - c * v)

    start = (jnp.array(1.0, dtype=jnp.float64), jnp.array(0.0, dtype=jnp.float64))
    x, v = jax.lax.fori_loop(0, 200, step, start)
    return x ** 2 + v ** 2


def linreg_train_fori(grad_fn):
    """linreg_train's whole SGD loop as one jitted lax.fori_loop around grad_fn."""
    from workloads.linreg import LR, STEPS  # noqa: PLC0415 - benchmarks' own module

    def train(args):
        w, b, x, y = args

        def step(i, params):
            g_w, g_b = grad_fn(params[0], params[1], x, y)
            return params[0] - LR * g_w, params[1] - LR * g_b

        start = (jnp.asarray(w, dtype=jnp.float64), jnp.asarray(b, dtype=jnp.float64))
        return jax.lax.fori_loop(0, STEPS, step, start)

    return jax.jit(train)
