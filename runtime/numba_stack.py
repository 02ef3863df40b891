"""The numba target's tape for a loop of known trip count: preallocated arrays.

Where a recorded variable `v` is bound before a `for` loop over a `range` and
pushed in that loop's own body (not in an inner loop), the emitter
(backend/numba_tape.py) knows before the loop how many pushes can come:

    tape_v = nb.stack(v, 2 * len(range(...)))     # before the loop: v gives the type
    top_v = 0
    nb.push(tape_v, top_v, v)                     # tape.append(v)
    top_v += 1
    top_v -= 1                                    # v = tape.pop()
    v = nb.pop(tape_v, top_v, v)

The stack is written in place and never reassigned in the loop: a local array
that a loop may rebind costs numba a reference-count update per trip (ten
times the push itself). What the stack is follows from the type of `v`, picked
at compile time:

* a number: a float64 array (a bool, an integer or a float32 value is exact in
  float64; the pop gives a bool or an integer back as the variable's type);
* an array: a (trips, *shape) array of its dtype, one row per push (the RNN's
  `h`: 1000 rows of 64), and beside it a list that keeps, whole, any pushed
  array of another shape than the one before the loop (and the pushes past
  `ROWS` numbers: a large array before a loop that shrinks it costs no more
  than that);
* a tuple of numbers (a kept shape): one row per push.

Number stacks are float64 whatever `v` holds before the loop: numba types `x = 0`
before `x = x + 0.5` as an integer, and the stack must hold what the loop writes.
(Branch decisions are first bound inside their loop: they stay on numba lists.)
A variable first bound inside the loop and known to be a number (rank 0; a 0-d
array counts too) gets a number stack, `nb.stack(0.0, n)`, holding its value
after each write: `v = nb.restore_at(tape_v, top_v, v)` undoes one.

Where a loop records several numbers known to be numbers (the rank analysis),
their stacks are the rows of one array, `tapes_3 = nb.stacks(8, n)` and
`tape_x = tapes_3[6]`: one allocation per call instead of one per variable
(RK4 at ten steps spent most of its call allocating eight).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.core.errors import TypingError
from numba.extending import overload, register_jitable
from numba.np.numpy_support import as_dtype
from numba.np.unsafe.ndarray import to_fixed_tuple
from numba.typed import List

EXACT = 2.0 ** 53  # integers beyond it would lose digits in a float64 stack
# at most this many numbers in an array stack's rows (32 MB of float64): past them, and for
# a push of another shape than the array had before the loop, the list keeps the array
ROWS = 2 ** 22
HINT = "use target='numpy' for this model"


def stack(like, size):
    """An empty stack for `size` values of the kind of `like`."""


@numba.njit(cache=True)  # one signature for every model: compiled once per machine
def stacks(count, size):
    """`count` stacks of numbers for `size` values each, one array (a row each): one
    allocation where a loop records several numbers."""
    return np.empty((count, size), np.float64)


def push(stack, top, value):
    """Write `value` at position `top` of `stack` (in place)."""


def pop(stack, top, like):
    """The value at position `top` of `stack`, of the kind of `like` (the variable now)."""


def restore_at(stack, top, like):
    """The value before write number `top` of a stack holding a variable's value after each
    write: the one at `top - 1`, or `like` before the first (never read: it was unbound)."""


def _number(t) -> bool:
    return isinstance(t, (types.Boolean, types.Integer, types.Float))


@overload(stack)
def _stack(like, size):
    if _number(like):
        return lambda like, size: np.empty(size, np.float64)
    if isinstance(like, types.Array):
        row_type = types.Array(like.dtype, like.ndim, "C")

        def rows(like, size):  # the rows, a flag per push (1: kept in the list), the list
            room = min(size, ROWS // max(like.size, 1))
            return (np.empty((room,) + like.shape, like.dtype), np.zeros(size, np.uint8),
                    List.empty_list(row_type))
        return rows
    if isinstance(like, types.UniTuple) and _number(like.dtype):
        n = len(like)
        return lambda like, size: np.empty((size, n), np.int64 if isinstance(
            like.dtype, types.Integer) else np.float64)
    raise TypingError(f"the numba target's tape holds numbers, arrays and shapes, not {like}")


@register_jitable  # compiled into each push (a call to a separately compiled function
def _check_room(buf, top):  # passing an array costs reference counting per trip)
    if top >= buf.shape[0]:  # the emitter counted the pushes: reaching this is agc's bug
        raise IndexError("the numba target's tape is full")


@overload(push)
def _push(stack, top, value):
    if isinstance(stack, types.Array) and stack.ndim == 1:
        return _number_push(stack, value)
    if isinstance(stack, types.Array):  # a tuple's row
        def row(stack, top, value):
            _check_room(stack, top)
            for d in range(len(value)):
                stack[top, d] = value[d]
        return row
    if not isinstance(value, types.Array) or value.dtype != stack[0].dtype:
        raise TypingError(f"the numba target's tape of {stack[0]} cannot hold {value}")
    def array(stack, top, value):
        rows, spilled, spill = stack
        _check_room(spilled, top)
        if top < rows.shape[0] and value.shape == rows.shape[1:]:
            rows[top] = value
            spilled[top] = 0
        else:  # another shape than before the loop: kept whole
            spill.append(value.copy())
            spilled[top] = 1
    return array


def _number_push(stack, value):
    if isinstance(value, types.Array) and value.ndim == 0 and _number(value.dtype):
        write = _integer_push if isinstance(value.dtype, types.Integer) else _number_write
        return lambda stack, top, value: write(stack, top, value[()])
    if not _number(value):
        raise TypingError(f"the numba target's tape of numbers cannot hold {value}")
    if isinstance(value, types.Integer):
        return _integer_push
    return _number_write


def _number_write(stack, top, value):
    if top >= stack.shape[0]:  # the emitter counted the pushes: reaching this is agc's bug
        raise IndexError("the numba target's tape is full")
    stack[top] = value


def _integer_push(stack, top, value):
    if abs(value) > EXACT:
        raise OverflowError("the numba target's tape keeps integers up to 2**53")
    _number_write(stack, top, value)


_number_write = register_jitable(_number_write)
_integer_push = register_jitable(_integer_push)


@overload(pop)
def _pop(stack, top, like):
    if isinstance(stack, types.Tuple):
        scalar_rows = stack[0].ndim == 1  # a 0-d array's row is a number: made a 0-d array again

        def array(stack, top, like):
            rows, spilled, spill = stack
            if spilled[top]:
                return spill.pop()
            return np.asarray(rows[top]) if scalar_rows else rows[top]
        return array
    if isinstance(stack, types.Array) and stack.ndim == 2:
        n = len(like)
        return lambda stack, top, like: to_fixed_tuple(stack[top], n)
    if isinstance(like, types.Array) and like.ndim == 0:  # a 0-d array: one again
        dtype = as_dtype(like.dtype)
        return lambda stack, top, like: np.asarray(stack[top]).astype(dtype)
    if isinstance(like, types.Boolean):
        return lambda stack, top, like: stack[top] != 0
    if isinstance(like, types.Integer):
        integer = as_dtype(like).type
        return lambda stack, top, like: integer(stack[top])
    return lambda stack, top, like: stack[top]


@overload(restore_at)
def _restore_at(stack, top, like):
    def restore(stack, top, like):
        return pop(stack, top - 1, like) if top > 0 else like
    return restore
