"""Arguments replayed: one call's inputs for derivatives that evaluate f many times.

jacfwd (one JVP per column), hessian (one HVP per column), jacrev (its batch, then
its fallback), agc.jacobian (which first measures the output), vjp's pullback and
check_grad (central differences) run a function more than once for one answer.
Two things would make the evaluations differ:

* a model that writes an argument in place (`y = x; y += 1`, `lst.append(v)`)
  changes the caller's array or list, so the next evaluation would start from the
  written value and the columns would belong to different points;
* a model that draws from a numpy.random.Generator argument would draw anew each
  time, and the columns would belong to different functions.

So each evaluation gets copies: of the arrays, lists and dicts among the arguments
(two arguments that were one object stay one object), and of the generators as they
were at the start, so it sees the same draws. The caller's arrays and lists are never
written. At the end the caller's generators are advanced to where one call leaves
them, as calling the plain function once would. Models reach a generator only
through their arguments (a module-level one is refused).
"""

from __future__ import annotations

import copy

import numpy as np


class Replay:
    """The arguments of one call, handed out as fresh copies for each evaluation."""

    def __init__(self, args: tuple):
        self.args = tuple(args)
        self.originals = list({id(g): g for g in _generators(self.args)}.values())
        # the starting states, apart from the originals (finish() moves those on)
        self.start = {id(g): copy.deepcopy(g) for g in self.originals}
        self.last: dict[int, np.random.Generator] = {}

    def fresh(self) -> tuple:
        """The arguments with each array, list and dict copied (at the top or nested in
        lists, tuples and dicts) and each generator replaced by a copy of its starting state."""
        copies = {key: copy.deepcopy(g) for key, g in self.start.items()}
        self.last = copies
        memo = dict(copies)  # id of an original -> its copy: shared objects stay shared
        return tuple(_copied(a, memo) for a in self.args)

    def finish(self) -> None:
        """Advance the caller's generators to the state the last evaluation left."""
        for g in self.originals:
            last = self.last.get(id(g))
            if isinstance(last, np.random.RandomState):
                g.set_state(last.get_state())
            elif last is not None:
                g.bit_generator.state = last.bit_generator.state


GENERATORS = (np.random.Generator, np.random.RandomState)  # RandomState: passed, not global


def _generators(value) -> list:
    if isinstance(value, GENERATORS):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [g for item in value for g in _generators(item)]
    return []


def _copied(value, memo: dict):
    """`value` with what a model can write in place copied; numbers and other objects as is."""
    if id(value) in memo:
        return memo[id(value)]
    if _is_array(value):
        new = value.copy()
    elif isinstance(value, dict):
        new = type(value)((k, _copied(v, memo)) for k, v in value.items())
    elif isinstance(value, list):
        new = type(value)(_copied(v, memo) for v in value)
    elif isinstance(value, tuple):
        items = [_copied(v, memo) for v in value]
        new = type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    else:
        return value
    memo[id(value)] = new
    return new


def _is_array(value) -> bool:
    """An array of numpy, cupy or dask (anything with a shape, a dtype and .copy()),
    not a numpy scalar (immutable)."""
    return not isinstance(value, np.generic) and hasattr(value, "shape") and \
        hasattr(value, "dtype") and callable(getattr(value, "copy", None))
