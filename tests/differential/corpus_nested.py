"""Corpus: models that call a gradient (`f.grad(x)` of a decorated f, `agc.grad(f)`).

Each reference is the same model in jax with jax.grad inside (`jax.grad` of a
function calling `jax.grad`). The inner functions are decorated at module
level, so `agc compile` reads their wrt from the decorator, as users write it.
"""

from __future__ import annotations

import agc
import jax
import jax.numpy as jnp
import numpy as np

from .harness import Corpus, num, pos, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref


@agc.differentiate(wrt="x")
def quartic(x):
    return np.sum(x ** 4) - np.sum(x ** 2)


def _quartic(x):
    return jnp.sum(x ** 4) - jnp.sum(x ** 2)


@agc.differentiate(wrt="x")
def weighted_well(x, theta):
    return np.sum(theta * x ** 4) - np.sum(np.cos(x))


def _weighted_well(x, theta):
    return jnp.sum(theta * x ** 4) - jnp.sum(jnp.cos(x))


@agc.differentiate(wrt="y")
def bilinear_game(x, y):
    return np.sum(x * y) + np.sum(y ** 2) * np.sum(x ** 2)


def _bilinear_game(x, y):
    return jnp.sum(x * y) + jnp.sum(y ** 2) * jnp.sum(x ** 2)


@agc.differentiate(wrt="x")
def critic(x, W):
    return np.sum(np.tanh(W @ x))


def _critic(x, W):
    return jnp.sum(jnp.tanh(W @ x))


def smooth_cost(x, w):
    return np.sum(w * np.tanh(x) ** 2)


def _smooth_cost(x, w):
    return jnp.sum(w * jnp.tanh(x) ** 2)


cost_grad = agc.grad(smooth_cost)
cost_grad_w = agc.grad(smooth_cost, wrt="w")


@add(vec(3))
def grad_steps_in_for_loop(x0):
    x = x0
    for _ in range(3):
        x = x - 0.1 * quartic.grad(x)
    return np.sum(x ** 2)


@ref
def _(x0):
    x = x0
    for _ in range(3):
        x = x - 0.1 * jax.grad(_quartic)(x)
    return jnp.sum(x ** 2)


@add(vec(3), pos(3), wrt=("x0", "theta"))
def grad_steps_moving_a_parameter(x0, theta):
    x = x0
    for _ in range(2):
        x = x - 0.05 * weighted_well.grad(x, theta)
    return np.sum(x ** 2)


@ref
def _(x0, theta):
    x = x0
    for _ in range(2):
        x = x - 0.05 * jax.grad(_weighted_well)(x, theta)
    return jnp.sum(x ** 2)


@add(vec(3, lo=-1.5, hi=1.5), pos(3), wrt=("x0", "theta"))
def grad_steps_in_while_loop(x0, theta):
    x = x0
    steps = 0
    while np.max(np.abs(weighted_well.grad(x, theta))) > 0.5 and steps < 20:
        x = x - 0.05 * weighted_well.grad(x, theta)
        steps += 1
    return np.sum(x ** 2) + steps


@ref
def _(x0, theta):
    x = x0
    steps = 0
    while jnp.max(jnp.abs(jax.grad(_weighted_well)(x, theta))) > 0.5 and steps < 20:
        x = x - 0.05 * jax.grad(_weighted_well)(x, theta)
        steps += 1
    return jnp.sum(x ** 2) + steps


@add(vec(3))
def grad_in_a_branch(x):
    if np.sum(x) > 0:
        g = quartic.grad(x)
    else:
        g = np.sin(x)
    return np.sum(g * x)


@ref
def _(x):
    g = jax.grad(_quartic)(x) if jnp.sum(x) > 0 else jnp.sin(x)
    return jnp.sum(g * x)


def _descend(x, lr):
    return x - lr * quartic.grad(x)


def _descend_ref(x, lr):
    return x - lr * jax.grad(_quartic)(x)


@add(vec(3), num(0.05, 0.2), wrt=("x0", "lr"))
def grad_in_a_helper(x0, lr):
    return np.sum(_descend(_descend(x0, lr), lr) ** 2)


@ref
def _(x0, lr):
    return jnp.sum(_descend_ref(_descend_ref(x0, lr), lr) ** 2)


@add(vec(3), vec(3), wrt="x")
def inner_ascent_step_on_second_argument(x, y):
    y1 = y + 0.1 * bilinear_game.grad(x, y)
    return bilinear_game(x, y1)


@ref
def _(x, y):
    return _bilinear_game(x, y + 0.1 * jax.grad(_bilinear_game, argnums=1)(x, y))


@add(vec(3), vec(2, 3), wrt="W")
def gradient_penalty(x, W):
    g = critic.grad(x, W)
    return critic(x, W) + 10.0 * (np.sqrt(np.sum(g ** 2)) - 1.0) ** 2


@ref
def _(x, W):
    g = jax.grad(_critic)(x, W)
    return _critic(x, W) + 10.0 * (jnp.sqrt(jnp.sum(g ** 2)) - 1.0) ** 2


@add(vec(3), pos(3), wrt=("x0", "w"))
def agc_grad_made_at_module_level(x0, w):
    return np.sum(cost_grad(x0, w) ** 2) + np.sum(cost_grad_w(x0, w) * x0)


@ref
def _(x0, w):
    return jnp.sum(jax.grad(_smooth_cost)(x0, w) ** 2) + \
        jnp.sum(jax.grad(_smooth_cost, argnums=1)(x0, w) * x0)


@add(vec(3), pos(3), wrt=("x", "theta"))
def grad_called_with_a_keyword(x, theta):
    return np.sum(weighted_well.grad(x, theta=theta) * x)


@ref
def _(x, theta):
    return jnp.sum(jax.grad(_weighted_well)(x, theta) * x)


@agc.differentiate(wrt=("x", "theta"))
def well_of_two(x, theta):
    return np.sum(theta * np.sin(x) ** 4)


def _well_of_two(x, theta):
    return jnp.sum(theta * jnp.sin(x) ** 4)


@add(vec(3), pos(3), wrt=("x", "theta"))
def value_and_two_gradients(x, theta):
    value, (gx, gt) = well_of_two.value_and_grad(x, theta)
    return value * np.sum(gx * gt) + np.sum(well_of_two.grad(x, theta)[0] ** 2)


@ref
def _(x, theta):
    gx, gt = jax.grad(_well_of_two, argnums=(0, 1))(x, theta)
    return _well_of_two(x, theta) * jnp.sum(gx * gt) + jnp.sum(gx ** 2)


@add(vec(3))
def jvp_inside_a_model(x):
    value, tangent = quartic.jvp(x, tangents=(x,))
    return value + tangent


ref(lambda x: sum(jax.jvp(_quartic, (x,), (x,))))


@add(vec(3), pos(3), wrt=("x", "theta"))
def jvp_of_two_moving_arguments_in_a_loop(x, theta):
    total = 0.0
    for k in range(2):
        value, tangent = well_of_two.jvp(x, theta, tangents=(np.cos(x), theta * k))
        total = total + value * tangent
        x = x * 0.5
    return total


@ref
def _(x, theta):
    total = 0.0
    for k in range(2):
        value, tangent = jax.jvp(_well_of_two, (x, theta), (jnp.cos(x), theta * k))
        total = total + value * tangent
        x = x * 0.5
    return total


@add(vec(3), pos(3), num(0.5, 1.5), wrt=("x", "theta", "s"))
def vjp_with_a_seed_in_a_branch(x, theta, s):
    if np.sum(x) > 0:
        value, g = weighted_well.vjp(x, theta, seed=s)
    else:
        value, g = weighted_well.vjp(x, theta, seed=2.0 * s)
    return value + np.sum(g * np.sin(x))


@ref
def _(x, theta, s):
    value, pullback = jax.vjp(lambda x: _weighted_well(x, theta), x)
    (g,) = pullback(s if jnp.sum(x) > 0 else 2.0 * s)
    return value + jnp.sum(g * jnp.sin(x))


@add(vec(3), pos(3), wrt=("x", "theta"))
def agc_jvp_with_a_fixed_argument(x, theta):
    value, tangent = agc.jvp(weighted_well, (x, theta), (None, x ** 2))
    return value * tangent


@ref
def _(x, theta):
    value, tangent = jax.jvp(lambda t: _weighted_well(x, t), (theta,), (x ** 2,))
    return value * tangent


@add(vec(3), expect="refused")  # the Hessian-vector product of a called function: not yet
def hvp_inside_a_model(x):
    gradient, hv = quartic.hvp(x, tangents=(x,))
    return np.sum(gradient * hv)


# An f of an array: its VJP inside a model is the gradient of a function of one number,
# written by hand here and by agc for f.vjp / agc.vjp (compiler/seeded.py); its JVP is a
# JVP_CALL (primitives/jvp_calls.py).
@agc.differentiate
def squash(x):
    return np.tanh(2.0 * x) * x


def _squash(x):
    return jnp.tanh(2.0 * x) * x


@agc.differentiate(wrt="x")
def squash_along(x, s):
    return np.sum(squash(x) * s)


@add(vec(3), vec(3), wrt=("x", "s"))
def vjp_of_an_array_function_as_a_gradient(x, s):
    g = squash_along.grad(x, s)
    return np.sum(g * np.cos(x))


@ref
def _(x, s):
    (g,) = jax.vjp(_squash, x)[1](s)
    return jnp.sum(g * jnp.cos(x))


@add(vec(3), expect="refused")  # f_grad needs f to return one number: refused when compiled
def grad_of_an_array_function_in_a_model(x):
    if x.size > 3:  # not taken, so the model runs in Python (where squash.grad would raise)
        return np.sum(squash.grad(x) * x)
    return np.sum(x)


@add(vec(3))
def jvp_of_an_array_function_in_a_model(x):
    value, tangent = squash.jvp(x, tangents=(x,))
    return np.sum(value * tangent)


@ref
def _(x):
    value, tangent = jax.jvp(_squash, (x,), (x,))
    return jnp.sum(value * tangent)


@add(vec(3), vec(3), wrt=("x", "s"))
def vjp_of_an_array_function_in_a_model(x, s):
    value, g = squash.vjp(x, seed=s)
    return np.sum(value * g)


@ref
def _(x, s):
    value, pull = jax.vjp(_squash, x)
    return jnp.sum(value * pull(s)[0])


@add(vec(3))
def agc_jvp_of_an_array_function_in_a_model(x):
    value, tangent = agc.jvp(squash, (x,), (np.ones(3),))
    return np.sum(value * tangent)


@ref
def _(x):
    value, tangent = jax.jvp(_squash, (x,), (jnp.ones(3),))
    return jnp.sum(value * tangent)


@add(vec(3), vec(3), wrt=("x", "s"))
def agc_vjp_pullback_in_a_loop_and_a_branch(x, s):
    value, pull = agc.vjp(squash, x)
    total = np.sum(value ** 2)
    for k in range(3):
        if k % 2 == 0:
            total = total + np.sum(np.sin(pull(s * k)))
    return total


@ref
def _(x, s):
    value, pull = jax.vjp(_squash, x)
    total = jnp.sum(value ** 2)
    for k in range(3):
        if k % 2 == 0:
            total = total + jnp.sum(jnp.sin(pull(s * k)[0]))
    return total
