"""Corpus: Python lists: building, appending, item assignment, list parameters, nested lists."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .harness import Corpus, num, vec

corpus = Corpus()
add = corpus.add
ref = corpus.ref


@add(vec(3))
def list_item_times_three(x):
    l = [x, 2 * x]
    l[0] = l[0] * 3
    return np.sum(l[0] * l[1])


@add(vec(3))
def list_item_iadd(x):
    lst = [x, x * 0.5]
    lst[1] += x ** 2
    return np.sum(lst[0] * lst[1])


@add(vec(3))
def list_tanh_in_loop(x):
    hs = [x, x * 2, x * 3]
    for i in range(3):
        hs[i] = np.tanh(hs[i]) * (i + 1)
    return np.sum(hs[0] + hs[1] * hs[2])


# Python changes the caller's list, which the emitted sweeps (a list as a value) do not:
# refused at the write (tests/test_fixlist_list_params.py); list_param_copied is the way out
@add([vec(3)(np.random.default_rng(0)), vec(3)(np.random.default_rng(1))], expect="refused")
def list_param_written(xs):
    xs[0] = xs[0] * 2
    return np.sum(xs[0] * xs[1])


@add([vec(3)(np.random.default_rng(0)), vec(3)(np.random.default_rng(1))])
def list_param_copied(xs):
    xs = list(xs)
    xs[0] = xs[0] * 2
    return np.sum(xs[0] * xs[1])


ref(lambda xs: jnp.sum(xs[0] * 2 * xs[1]))


@add(vec(3))  # once an InternalError: an item write undone after dead-code removal
def list_item_overwritten_in_loop(x):
    tmp = [x, x]
    for i in range(3):
        tmp[0] = x * i
    return np.sum(x ** 2)


@add(vec(3))  # was refused: tmp[0]'s old object is never read again (aliasing dead ends)
def list_item_recurrence_unused(x):
    tmp = [x, x * 2]
    for i in range(3):
        tmp[0] = np.tanh(tmp[0]) + x
    return np.sum(x ** 2) + np.sum(tmp[1])


@add(vec(3))
def list_item_recurrence_used(x):
    tmp = [x, x * 2]
    for i in range(3):
        tmp[0] = np.tanh(tmp[0]) * tmp[1]
    return np.sum(tmp[0])


@add(vec(3))
def append_and_sum(x):
    out = []
    for i in range(3):
        out.append(x * (i + 1))
    return np.sum(out[0] + out[1] * out[2])


@add(vec(3))
def append_then_stack(x):
    rows = []
    for i in range(4):
        rows.append(np.sin(x + i))
    M = np.stack(rows)
    return np.sum(M ** 2)


@add(vec(3))
def append_then_array(x):
    vals = []
    for i in range(3):
        vals.append(x[i] ** 2)
    return np.sum(np.array(vals) * np.array([1.0, 2.0, 3.0]))


@add(vec(3))
def list_literal_of_arrays(x):
    parts = [x, x ** 2, np.sin(x)]
    return np.sum(parts[0] * parts[1] + parts[2])


@add(vec(3))
def list_negative_index(x):
    parts = [x, 2 * x, 3 * x]
    return np.sum(parts[-1] * parts[-2])


@add(vec(3))
def iterate_over_list(x):
    total = 0.0
    for p in [x, x * x, np.exp(x)]:
        total = total + np.sum(p)
    return total


@add(vec(3))
def enumerate_list(x):
    parts = [x, x ** 2, x ** 3]
    total = 0.0
    for i, p in enumerate(parts):
        total = total + (i + 1) * np.sum(p)
    return total


@add(vec(3), vec(3), wrt=("a", "b"))
def zip_lists(a, b):
    total = 0.0
    for u, v in zip([a, b], [b, a * 2]):
        total = total + np.sum(u * v)
    return total


@add(vec(3))
def list_len_loop(x):
    parts = [x, x + 1, x - 1]
    s = 0.0
    for i in range(len(parts)):
        s = s + np.sum(parts[i] ** 2)
    return s


@add([vec(3)(np.random.default_rng(0)), vec(3)(np.random.default_rng(1))])
def list_param_read(xs):
    return np.sum(xs[0] * xs[1]) + np.sum(xs[1] ** 2)


@add([[1.0, 2.0], [3.0, 4.0]])
def nested_list_sum_axis0(x):
    return np.sum(np.sum(x, axis=0) ** 2)


ref(lambda x: jnp.sum(jnp.sum(jnp.asarray(x), axis=0) ** 2))


@add([1.0, 2.0, 4.0])
def flat_list_mean(x):
    return np.mean(x) ** 2


ref(lambda x: jnp.mean(jnp.asarray(x)) ** 2)


@add([0.5, -1.0, 2.0])
def flat_list_to_array(x):
    a = np.array(x)
    return np.sum(a ** 3)


ref(lambda x: jnp.sum(jnp.asarray(x) ** 3))


@add([[0.5, 1.0], [2.0, -1.0]])
def nested_list_items(x):
    return x[0][1] * x[1][0] + x[1][1] ** 2


@add([vec(3)(np.random.default_rng(2)), vec(3)(np.random.default_rng(3))])
def list_param_loop(xs):
    total = 0.0
    for v in xs:
        total = total + np.sum(np.tanh(v))
    return total


@add(vec(3))
def list_append_then_overwrite(x):
    out = []
    out.append(x)
    out.append(x * 2)
    out[1] = out[1] + out[0]
    return np.sum(out[1] ** 2)


@add(vec(3))
def list_of_scalars_sum(x):
    terms = [x[0] ** 2, x[1] * x[2], np.sin(x[0])]
    s = 0.0
    for t in terms:
        s = s + t
    return s


@add(vec(3))  # a list variable passed to np.concatenate (refused before issue 13)
def list_concatenate(x):
    pieces = []
    for i in range(3):
        pieces.append(x[i:i + 1] * (i + 1))
    return np.sum(np.concatenate(pieces) ** 2)


@add(vec(3))
def list_pop_free_running_product(x):
    factors = [x, x + 1.0]
    prod = factors[0] * factors[1]
    factors.append(prod)
    return np.sum(factors[-1])


@add(vec(3))  # was refused: an item read from the list now is an object the list holds
def list_swap_items(x):
    l = [x, x ** 2]
    l[0], l[1] = l[1], l[0]
    return np.sum(l[0] * 3 + l[1])


@add(vec(3))
def list_item_assign_from_other_item(x):
    l = [x, x * 2, x * 3]
    l[2] = l[0] + l[1]
    return np.sum(l[2] ** 2)


@add(vec(3), num(), wrt=("x", "c"))
def list_item_scale_by_param(x, c):
    l = [x, x]
    l[1] = l[1] * c
    return np.sum(l[0] * l[1])


@add(vec(3), expect="refused")  # grid[1][0] = ...
def list_of_lists_item_assign(x):
    grid = [[x, x], [x, x]]
    grid[1][0] = grid[1][0] * 5
    return np.sum(grid[1][0] + grid[0][1])


@add(vec(3))  # was refused: the list's old object is never read again (aliasing dead ends)
def list_grow_recurrence(x):
    seq = [x]
    for i in range(3):
        seq.append(np.tanh(seq[-1]) + x)
    return np.sum(seq[-1])


@add(vec(3))
def list_in_helper_arg(x):
    return _sum_all([x, x ** 2])


def _sum_all(items):
    s = 0.0
    for it in items:
        s = s + np.sum(it)
    return s


@add(vec(4))  # was a silent wrong gradient: `t += (v,)` differentiated as numpy's add
def tuple_joined_in_a_loop(x):
    t = ()
    for i in range(4):
        t += (x[i] * x[i],)
    return t[0] + 2.0 * t[3] * t[1]


@add(vec(3))  # joined, repeated (both orders) and sliced lists, and a list next to an array
def lists_joined_repeated_sliced(x):
    ys = [x[0]] * 2 + [x[1] * x[2]]
    zs = ys[1:]
    ws = 2 * (x[2],)
    return ys[0] * zs[1] + zs[0] * ws[1] + np.sum(x + [x[1], 1.0, 2.0])


ref(lambda x: x[0] * x[1] * x[2] + x[0] * x[2]
    + jnp.sum(x + jnp.stack([x[1], 1.0, 2.0])))


@add(vec(4))  # was refused: an expression statement; l.pop(i) as a value
def list_extend_insert_pop(x):
    l = [x[0]]
    l.extend([x[1] * x[2], x[3]])
    l.insert(1, x[0] * 2.0)
    v = l.pop(0)
    l.pop()
    return v * l[0] + l[1] * len(l)


@add(vec(3))  # was a TypeError: list + tuple (a list's += takes any iterable)
def list_joined_with_a_tuple_in_place(x):
    l = [x[0]]
    m = l
    l += (x[1] * 3.0, x[2])
    t = (x[0], x[2] * x[1])
    l += t
    return m[-1] * m[0] + m[1] * len(m)


@add(vec(3))  # was refused: list(...) of a list, a copy the other name does not see
def list_copied_then_appended(x):
    l = [x[0], x[1]]
    m = list(l)
    m.append(x[2])
    return len(l) * m[2] + m[0] * l[1]


@add(vec(2))  # was refused: a dict read with the key of a loop over string literals
def dict_read_by_string_keys_in_a_loop(x):
    d = {"a": x[0], "b": x[1] * x[0]}
    w = {"a": 2.0, "b": 3.0}
    s = 0.0
    for k in ("a", "b"):
        s = s + d[k] * w[k]
    return s


@add(vec(4))  # were refused: unknown functions `tuple` and `sorted`
def tuple_and_sorted_of_a_list(x):
    l = [x[2], x[0], x[1] * x[3]]
    s = sorted(l)
    t = tuple(l)
    l.append(x[3])
    return s[0] * 3.0 + s[2] * t[1] + len(t)


@add(vec(6))  # was refused: np.vstack of a list variable (np.split's parts)
def vstack_of_split_parts(x):
    m = np.vstack(np.split(x, 2))
    return np.sum(m[0] * m[1]) + np.sum(np.vstack(np.array_split(x, 3)[:2]) ** 2)


ref(lambda x: jnp.sum(x[:3] * x[3:]) + jnp.sum(x[:4] ** 2))
