"""Shrunk failures of the generated-program test (test_generated.py), as explicit cases.

Each case is a numpy module body (`import numpy as np` is prepended), its
arguments (lists become float64 arrays), numpy's value and the gradient with
respect to every argument (central differences in float64, rounded to 8
decimals). test_regression asserts that agc returns that value and gradient
without changing its arguments. While agc gets a case wrong it is a strict
xfail, reason "issue 12: <cause>", and the comment above it says what agc does
today; when a fix makes it pass, the xfail fails: drop `xfail` (and turn on
the construct family in programs.FAMILIES that the comment names).
Families: copies -> write_into_copy, aliasing -> aliasing, list items ->
list_items, and / or -> mixed_and_or and loop_and_or, returns ->
nested_return and loop_return.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """A program, its arguments and the value and gradients agc must return."""

    name: str
    source: str
    args: tuple
    value: float
    grads: tuple
    xfail: str | None = None


CASES: list[Case] = [
    # ---------------------------------------------- copies: agc lets v = x.copy() share x's memory
    # fixed; agc once gave: value: agc 4.9, numpy 4.04
    Case("copy_param_write", """
def f(a):
    v = a.copy()
    v[1] = a[0] * 2.0
    return np.sum(v) + np.sum(a * a)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 4.04,
         ([[3.6, 4.0, 3.4], [0.2, 1.4, -0.8]],)),
    # fixed; agc once gave: value: agc 5.77, numpy 7.66
    Case("copy_local_write", """
def f(a):
    w = a * 2.0
    v = w.copy()
    v[1] = 0.5
    return np.sum(v) + np.sum(w * w)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 7.66,
         ([[4.4, 6.0, 3.6], [0.8, 5.6, -3.2]],)),
    # fixed; agc once gave: value: agc 30.38, numpy 2.88
    Case("copy_row_write", """
def f(a):
    v = a[0].copy()
    v[1] += 5.0
    return np.sum(v * a[0])
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 2.88,
         ([[0.6, 6.0, 0.4], [0.0, 0.0, 0.0]],)),
    # fixed; agc once gave: value: agc 5.689999, numpy 6.46
    Case("copy_source_write", """
def f(a):
    v = a * 2.0
    w = v[:, ::-1].copy()
    v[0] = 0.5
    return np.sum(w * w) + np.sum(v)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 6.46,
         ([[2.4, 4.0, 1.6], [2.8, 7.6, -1.2]],)),
    # ---------------------------------------------- aliasing: a write through one name, read through another
    # fixed; agc once gave: gradient: agc [0.0, [0.0, 0.0, 2.0]], expected [0.999999, [0.0, 0.0, 2.000000]]
    Case("alias_item_grad", """
def f(a, b):
    v = b * 2.0
    z = v
    z[-1] += a
    return v[-1]
""", (0.3, [0.5, -1.0, 0.7],), 1.7,
         (1.0, [0.0, 0.0, 2.0],)),
    # fixed; agc once gave: value: agc 1.04, numpy 4.16
    Case("alias_name_value", """
def f(a):
    v = a * 1.0
    z = v
    z += a
    return np.sum(v * v)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 4.16,
         ([[2.4, 4.0, 1.6], [0.8, 5.6, -3.2]],)),
    # fixed; agc once gave: value: agc 3.789243, numpy 1.252015
    Case("alias_view_value", """
def f(a):
    v = np.exp(a)
    z = v[1]
    v *= a
    return np.sum(z)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 1.25201597,
         ([[0.0, 0.0, 0.0], [1.21568801, 3.4233796, 0.40219203]],)),
    # ---------------------------------------------- list item assignment
    # fixed; agc once gave: gradient: agc [[9.0, 9.0], 0.0], expected [[7.000000, 7.000000], 0.0]
    Case("list_item_grad", """
def f(a, b):
    L = [a * 2.0, a * 3.0]
    L[0] = a * 4.0
    return np.sum(L[1]) + np.sum(L[0])
""", ([0.3, 0.5], 0.7,), 5.6,
         ([7.0, 7.0], 0.0,)),
    # fixed; agc once gave: KeyError: -1
    Case("list_item_negative", """
def f(a, b):
    L = [a * 2.0]
    L[-1] = a * 3.0
    return np.sum(L[0])
""", ([0.3, 0.5], 0.7,), 2.4,
         ([3.0, 3.0], 0.0,)),
    # ---------------------------------------------- and / or
    # fixed; agc once gave: UnboundLocalError: cannot access local variable 't1_saved' where it is not associate
    Case("mixed_and_or", """
def f(a, b):
    v = a * 1.0
    if a[0] > 0.5 and a[1] > 1.0 or a[2] > 0.0:
        v = a * 2.0
    return np.sum(v)
""", ([0.3, 0.5, 0.2], 0.1,), 2.0,
         ([2.0, 2.0, 2.0], 0.0,)),
    # fixed; agc once gave: gradient: agc [[[8.0, 8.0, 8.0], [8.0, 8.0, 8.0]]], expected [[[1.999999, 1.999999, 
    Case("loop_and_grad", """
def f(a):
    v = a * 2.0
    for i in range(4):
        if np.sum(a) > -5.0 and np.sum(v) > 5.0:
            v = v * 2.0
    return np.sum(v)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 2.8,
         ([[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]],)),
    # fixed; agc once gave: gradient: agc [[4.0, 4.0, 0.0]], expected [[5.999999, 2.000000, 0.0]]
    Case("loop_and3_grad", """
def f(a):
    v = a * 2.0
    k = 0
    while k < 2:
        k += 1
        if np.sum(a) > -5.0 and np.max(a) > -5.0 and np.sum(v) > 5.0:
            v = v * 2.0
        else:
            v += v[0]
    return v[1]
""", ([0.3, 0.5, 0.2],), 2.8,
         ([6.0, 2.0, 0.0],)),
    # fixed; agc once gave: ValueError: The truth value of an array with more than one element is ambiguous. Use
    Case("loop_or_crash", """
def f(a):
    v = a * 0.5
    for i in range(4):
        if np.sum(a) > 5.0 or np.sum(v) < 5.0:
            v = v * 2.0
    return np.sum(v)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 5.6,
         ([[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]],)),
    # fixed; agc once gave: TypeError: only integer scalar arrays can be converted to a scalar index
    Case("loop_or3_crash", """
def f(a):
    v = a * 2.0
    for t in a:
        if t[0] > 5.0 or np.sum(a) > 0.5 or np.sum(v) < -5.0:
            v = v * 2.0
        k = 0
        while k < 2:
            k += 1
            v = v + t[0]
    return np.sum(v)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 19.6,
         ([[32.0, 8.0, 8.0], [20.0, 8.0, 8.0]],)),
    # ---------------------------------------------- returns inside nested blocks
    # fixed; agc once gave: UnboundLocalError v_saved_1 (the code after the if, copied into both
    # branches, shared its statements, so only one copy saved v)
    Case("nested_return", """
def f(a):
    v = a * 2.0
    if np.max(a) > 0.5:
        if np.sum(a) < -5.0:
            return np.sum(v)
    v = v + a
    return np.sum(v * a)
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]],), 3.12,
         ([[1.8, 3.0, 1.2], [0.6, 4.2, -2.4]],)),
    # fixed; agc once gave: IndexError: list assignment index out of range (the backward
    # sweep undid the item writes and appends of every trip on the last trip's list)
    Case("list_rebuilt_in_loop", """
def f(a):
    v4 = a * 2.0
    for i7 in range(2):
        L8 = [np.sum(a * v4)]
        L8[-1] = L8[-1] * 3.0
        L8.append(a.copy())
    return np.sum(v4)
""", ([0.85438516, 0.31746037, -0.91702666],), 0.50963774,
         ([2.0, 2.0, 2.0],)),
    # fixed; agc once gave: gradient: agc [[0.0, 0.0, 0.0], [0.0, 0.0]], expected [[0.0, 0.0, 0.0], [0.0, 2.9999
    Case("two_loop_returns", """
def f(a, c):
    for i in range(2):
        if a[0] > 5.0:
            return a[1]
    for j in range(2):
        if a[0] > -5.0:
            return c[1] * 3.0
    return a[0]
""", ([0.3, 0.5, -0.2], [0.3, 0.5],), 1.5,
         ([0.0, 0.0, 0.0], [0.0, 3.0],)),
    # fixed; agc once gave: gradient: agc [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 1.0], expected [[[0.0, 0.0, 0.0],
    Case("nested_loop_return", """
def f(a, b):
    for i in range(3):
        if np.mean(a) < -5.0:
            return np.abs(b)
    for t in a:
        for j in range(2):
            if t[0] > -5.0:
                return np.max(a)
    return b
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]], 0.6,), 0.7,
         ([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]], 0.0,)),
    # fixed; agc once gave: IndexError: pop from empty list
    Case("loop_return_and", """
def f(a, b):
    for i in range(3):
        if a[0, 0] > -5.0 and i == 7:
            return b[0]
    return a[0, 1]
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]], [0.6, -0.3],), 0.5,
         ([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [0.0, 0.0],)),
    # fixed; agc once gave: AttributeError: 'float' object has no attribute 'shape'
    Case("loop_return_and_float", """
def f(a, b):
    for i in range(3):
        if a[0, 0] > -5.0 and i == 7:
            return b[0]
    return a[0, 1]
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]], 0.6,), 0.5,
         ([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], 0.0,)),
    # fixed; agc once gave: UnboundLocalError: cannot access local variable 't3' where it is not associated with
    Case("loop_return_and_index", """
def f(a, b):
    for i in range(3):
        if i % 2 == 0 and i == 1:
            return np.dot(b, np.full(2, 2.0))
    return a[0, 1]
""", ([[0.3, 0.5, 0.2], [0.1, 0.7, -0.4]], [0.6, -0.3],), 0.5,
         ([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [0.0, 0.0],)),
    # fixed; agc once gave: InternalError, the backward sweep popped a list whose append
    # dead-code removal had taken out of the forward sweep (found after this session's merge)
    Case("dead_list_append", """
def f(a):
    v0 = (a + 0.0)
    L1 = [a.copy()]
    L1.append(a.copy())
    return a[0]
""", ([0.32870805, -0.55251189],), 0.32870805, ([1.0, 0.0],)),
    # fixed; agc once gave: InternalError, the backward sweep restored an item of a list
    # whose item assignment dead-code removal had taken out of the forward sweep
    Case("dead_list_item_write", """
def f(a):
    v0 = ((np.full((3,), 0.5) @ np.outer(a, a)) + a)
    if a[0] > 0.0:
        v1 = a.copy()
        L2 = [a.copy()]
        L2[-1] = a.copy()
    return a[0]
""", ([0.32870805, -0.55251189, -1.10166354],), 0.32870805, ([1.0, 0.0, 0.0],)),
    # fixed; agc once gave: a row of a helper's result written from a number sent the
    # whole row's cotangent back as the number's gradient (wrong shape, or a ValueError)
    Case("helper_row_write_scalar", """
def h0(p):
    v0 = (p + 0.0)
    v1 = np.tanh(np.sin(p))
    return np.full((2, 3), 0.5)


def f(a, b):
    v2 = (b[:, 0] @ b[:, 0])
    v3 = h0(np.sin(a)).copy()
    v3[0] = a
    return v3[0, 1]
""", (0.32870804957149025, [[-0.55251189, -1.10166354], [-1.16033367, 0.75184857],
                             [0.99061339, 0.25592586]],), 0.32870804957149025,
         (1.0, [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],)),
    Case("helper_row_write_item", """
def h0(p):
    v0 = (p + 0.0)
    v1 = np.tanh(np.sin(p))
    return np.full((2, 3), 0.5)


def f(a, b):
    v2 = (b[:, 0] @ b[:, 0])
    v3 = h0(a).copy()
    v3[0] = b[0, 1]
    return v3[0, 1]
""", (0.32870804957149025, [[-0.55251189, -1.10166354], [-1.16033367, 0.75184857],
                             [0.99061339, 0.25592586]],), -1.10166354,
         (0.0, [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]],)),
    # fixed; agc (with AGC_CHECKS=1) once raised InternalError "'v0_bar' is read where it
    # may be undefined": the IR validator lost a name's binding made under `not returned`
    Case("loop_return_then_inplace", """
def f(a, b):
    v0 = a * 1.0
    for t1 in a:
        v0 = b * 2.0
        if t1 > 0.5:
            return v0[-1]
    v0 = b * 3.0
    v0 -= a
    return np.sum(v0)
""", ([-0.3, 0.3, -0.6], [0.9, -0.7, 0.1],), 1.5,
         ([-1.0, -1.0, -1.0], [3.0, 3.0, 3.0],)),
    # fixed; agc once gave: gradient [[nan, nan], ...]: the max's output, read by its
    # gradient, was written in place through an alias on the next trip
    Case("alias_written_after_max", """
def f(a, b):
    v0 = a.copy()
    for i1 in range(3):
        z2 = v0
        z2 += a
        z2 += a
        v0 = np.max(b[1:], axis=0)
    v3 = a.copy()
    return v0[0]
""", ([0.32870805, -0.55251189], [[-1.10166354, -1.16033367], [0.75184857, 0.99061339],
                                  [0.25592586, 0.55079175]],), 0.75184857,
         ([0.0, 0.0], [[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]],)),
]
