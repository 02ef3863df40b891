"""euler: 200 explicit Euler steps of a damped oscillator on Python floats."""
from case import Case


def damped_oscillator(k, c):
    """Integrate x'' = -k x - c x' from (1, 0); loss is the final x^2 + v^2."""
    x = 1.0
    v = 0.0
    dt = 0.05
    for i in range(200):
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    return x ** 2 + v ** 2


def damped_oscillator_adjoint(k, c):
    """Hand-written adjoint: store the trajectory, then sweep it backwards."""
    x, v, dt = 1.0, 0.0, 0.05
    xs, vs = [], []
    for i in range(200):
        xs.append(x)
        vs.append(v)
        x, v = x + dt * v, v + dt * (-k * x - c * v)
    g_x, g_v, g_k, g_c = 2 * x, 2 * v, 0.0, 0.0
    for i in range(199, -1, -1):
        g_k -= g_v * dt * xs[i]
        g_c -= g_v * dt * vs[i]
        g_x, g_v = g_x - g_v * dt * k, g_x * dt + g_v * (1 - dt * c)
    return (g_k, g_c)


def damped_oscillator_expert(k, c):
    """An expert's adjoint: constants folded, k and c's sums scaled by -dt once at the end."""
    dt = 0.05
    x, v = 1.0, 0.0
    xs, vs = [0.0] * 200, [0.0] * 200
    for i in range(200):
        xs[i], vs[i] = x, v
        x, v = x + dt * v, v - dt * (k * x + c * v)
    g_x, g_v, s_k, s_c = 2.0 * x, 2.0 * v, 0.0, 0.0
    a, b = dt * k, 1.0 - dt * c
    for i in range(199, -1, -1):
        s_k += g_v * xs[i]
        s_c += g_v * vs[i]
        g_x, g_v = g_x - a * g_v, dt * g_x + b * g_v
    return (-dt * s_k, -dt * s_c)


def cases(quick):
    """One row: k=2.0, c=0.3."""
    return [Case(name="euler 200 steps", workload="euler", fn=damped_oscillator,
                 wrt=("k", "c"), args=(2.0, 0.3), adjoint=damped_oscillator_adjoint,
                 torch_fn="damped_oscillator", check_args=((0.5, 1.5),),
                 expert=damped_oscillator_expert, jit_fn="euler_fori")]
