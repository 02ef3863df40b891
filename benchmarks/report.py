"""Markdown rendering of the timing, first-call and memory tables."""


def fmt_time(seconds):
    """Human time with 3 significant digits (µs, ms or s)."""
    if seconds is None:
        return "–"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{seconds / scale:.3g} {unit}"


def fmt_ratio(num, den):
    """num/den as '2.31×', or '–' when either is missing."""
    if num is None or not den:
        return "–"
    return f"{num / den:.3g}×"


def table(header, rows):
    """A markdown table from a header list and rows of strings."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


class Notes:
    """Numbered footnotes, deduplicated by text."""

    def __init__(self):
        self.items = []

    def ref(self, text):
        """Footnote marker for text, e.g. '[2]'."""
        if text not in self.items:
            self.items.append(text)
        return f"[{self.items.index(text) + 1}]"

    def render(self):
        """The footnotes as a markdown list."""
        return "\n".join(f"{i + 1}. {t}" for i, t in enumerate(self.items))


def status_cell(cell, label, case_name, notes):
    """Text of a cell that has no timing (absent, error, WRONG, ...)."""
    if cell.status == "absent":
        return "absent " + notes.ref(f"{label} absent: {cell.note}")
    return f"**{cell.status}** " + notes.ref(f"{label} on {case_name}: {cell.note}")


def time_cell(cell, hand, label, case_name, notes):
    """Median time and its ratio to the hand-written adjoint."""
    if cell is None:
        return "–"
    if cell.median_s is None:
        return status_cell(cell, label, case_name, notes)
    if hand is None or hand.median_s is None or cell is hand:
        return fmt_time(cell.median_s)
    return f"{fmt_time(cell.median_s)} ({fmt_ratio(cell.median_s, hand.median_s)})"


def timing_table(results, columns, labels, notes):
    """Rows = cases, columns = tools, plus hand/forward and agc/forward ratios."""
    expert = "expert" in columns
    header = ["workload"] + [labels[c] for c in columns] + ["hand/fwd", "agc/fwd"] + \
        ["agc/expert"] * expert
    rows = []
    for case, cells in results:
        hand, fwd = cells.get("hand"), cells.get("forward")
        name = case.name + (" " + notes.ref(case.hand_note) if case.hand_note else "")
        row = [name] + [time_cell(cells.get(c), hand, labels[c], case.name, notes)
                        for c in columns]
        fwd_s = fwd.median_s if fwd else None
        hand_s = hand.median_s if hand and not case.hand_note else None
        row.append(fmt_ratio(hand_s, fwd_s))
        agc_s = cells["agc"].median_s if "agc" in cells else None
        row.append(fmt_ratio(agc_s, fwd_s))
        if expert:
            row.append(fmt_ratio(agc_s, cells["expert"].median_s if "expert" in cells else None))
        rows.append(row)
    return table(header, rows)


def first_call_cell(cell):
    """'build + first call' for one tool."""
    if cell is None or cell.first_s is None:
        return "–" if cell is None else cell.status
    if cell.build_s is None:
        return fmt_time(cell.first_s)
    return f"{fmt_time(cell.build_s)} + {fmt_time(cell.first_s)}"


def first_call_table(results, columns, labels):
    """Rows = cases, columns = tools: build time + first-call time."""
    header = ["workload"] + [labels[c] for c in columns]
    rows = [[case.name] + [first_call_cell(cells.get(c)) for c in columns]
            for case, cells in results]
    return table(header, rows)
