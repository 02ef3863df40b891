"""Cotangents of lists and tuples joined or repeated with `+` and `*`, and of list slices.

A list's adjoint is sparse, a dict {position: cotangent} holding the positions
some read reached; a tuple's is dense (a tuple, zeros standing in for items no
read reached). Each helper gives back the representation it was given.
"""

from __future__ import annotations

from .cotangents import add, unbroadcast, zero_stand_in


def repeat_sequence(seq, count):
    """seq * count for a list or tuple and a Python int: the items repeated count times.

    numpy multiplies a list by a numpy number or an array item by item instead; agc
    compiled `*` here as the repetition, so that case is refused rather than mistaken.
    """
    if type(count) not in (int, bool) or not isinstance(seq, (list, tuple, str)):
        raise TypeError(
            f"agc compiled this `*` as a list or tuple repeated a Python int of times, but "
            f"it got {type(seq).__name__} * {type(count).__name__}: numpy would multiply "
            f"item by item. Write np.asarray(...) * v for arithmetic on the items.")
    return seq * count


def written_item_grad(g, value):
    """Cotangent of v for lst[i] = v: g, summed back to v's shape where v is an array or a
    number (written into an array's row it was broadcast); a list or tuple item as it is."""
    return g if isinstance(value, (list, tuple)) else unbroadcast(g, value)


def seq_head_grad(g, head):
    """Cotangent of `a` for s = a + b on lists or tuples: s's first len(a) positions."""
    return _positions(g, 0, len(head))


def seq_tail_grad(g, head):
    """Cotangent of `b` for s = a + b on lists or tuples: s's positions from len(a) on."""
    return _positions(g, len(head), None)


def seq_repeat_grad(g, seq, count):
    """Cotangent of `seq` for s = seq * count: the copies' cotangents added up."""
    n = len(seq)
    if isinstance(g, dict):
        out: dict = {}
        for position, value in g.items():
            i = position % n
            out[i] = add(out[i], value) if i in out else value
        return out
    parts = [g[k * n:(k + 1) * n] for k in range(max(count, 0))]
    if not parts:
        return type(g)(zero_stand_in(item) for item in seq) if isinstance(g, (list, tuple)) \
            else {}
    total = parts[0]
    for part in parts[1:]:
        total = add(total, part)
    return total


def list_slice_grad(g, lst, index: slice) -> dict:
    """Cotangent of a list `lst` for y = lst[index] with a slice: y's adjoint put back at
    the positions the slice took (a dict, sparse like every list adjoint)."""
    taken = range(*index.indices(len(lst)))
    items = g.items() if isinstance(g, dict) else enumerate(g)
    return {taken[k]: value for k, value in items}


def _positions(g, start: int, stop: int | None):
    if isinstance(g, dict):
        return {i - start: v for i, v in g.items() if i >= start and (stop is None or i < stop)}
    return g[start:stop]

