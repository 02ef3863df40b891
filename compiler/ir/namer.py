"""Fresh, readable, collision-free names for temporaries and adjoints."""

from __future__ import annotations


class Namer:
    """Hands out names never used before in one function: t1, t2, x_bar, x_1, ..."""

    def __init__(self, taken: set[str] | frozenset[str] = frozenset()):
        self.taken: set[str] = set(taken)
        self.counters: dict[str, int] = {}

    def reserve(self, name: str) -> str:
        """Mark `name` as used and return it."""
        self.taken.add(name)
        return name

    def fresh(self, base: str) -> str:
        """`base` itself if still free, else base_1, base_2, ..."""
        if base not in self.taken:
            return self.reserve(base)
        return self.numbered(base + "_")

    def temp(self) -> str:
        """A temporary: t1, t2, ..."""
        return self.numbered("t")

    def numbered(self, prefix: str) -> str:
        """prefix1, prefix2, ... the first one not taken."""
        n = self.counters.get(prefix, 0)
        while True:
            n += 1
            name = f"{prefix}{n}"
            if name not in self.taken:
                self.counters[prefix] = n
                return self.reserve(name)


def free_name(name: str, taken) -> str:
    """`name` where it is not in `taken`, else name_2, name_3, ...: module-level functions,
    which read as the user's function with a number (f_seeded_2), never `_1`."""
    count = 1
    while (found := name if count == 1 else f"{name}_{count}") in taken:
        count += 1
    return found


def is_temp(name: str) -> bool:
    """Whether a name is a compiler temporary (t<digits>)."""
    return len(name) > 1 and name[0] == "t" and name[1:].isdigit()
