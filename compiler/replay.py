"""Generators in arguments, replayed: one draw for derivatives that evaluate f many times.

jacfwd (one JVP per column), hessian (one HVP per column), jacrev's fallback (one
vjp per row) and check_grad (central differences) run a function more than once
for one answer. A model that draws from a numpy.random.Generator argument would
draw anew each time, and the columns would belong to different functions. Here
each evaluation gets copies of the generators as they were at the start, so it
sees the same draws; at the end the caller's generators are advanced to where one
call leaves them, as calling the plain function once would. Models reach a
generator only through their arguments (a module-level one is refused).
"""

from __future__ import annotations

import copy

import numpy as np


class Replay:
    """Copies of the generators among some arguments (at the top or in dicts, lists, tuples):
    numpy Generators, and RandomStates passed explicitly."""

    def __init__(self, args: tuple):
        self.args = tuple(args)
        self.originals = list({id(g): g for g in _generators(self.args)}.values())
        # the starting states, apart from the originals (finish() moves those on)
        self.start = {id(g): copy.deepcopy(g) for g in self.originals}
        self.last: dict[int, np.random.Generator] = {}

    def fresh(self) -> tuple:
        """The arguments with each generator replaced by a copy of its starting state."""
        if not self.originals:
            return self.args
        copies = {key: copy.deepcopy(g) for key, g in self.start.items()}
        self.last = copies
        return tuple(_replaced(a, copies) for a in self.args)

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


def _replaced(value, copies: dict):
    if isinstance(value, GENERATORS):
        return copies[id(value)]
    if isinstance(value, dict) and _generators(value):
        return type(value)((k, _replaced(v, copies)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and _generators(value):
        items = [_replaced(v, copies) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value
