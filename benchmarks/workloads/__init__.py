"""Registry of benchmark workloads (timing rows); tape_memory lives in memory.py."""
from workloads import euler, gmm, linreg, mlp, while_if

TIMED = (while_if, mlp, euler, linreg, gmm)
NAMES = ("while_if", "mlp", "euler", "linreg_train", "gmm_vec", "gmm_loop", "tape_memory")


def timed_cases(quick, only=None):
    """All timing rows, filtered by --only workload names (prefix match)."""
    rows = [c for module in TIMED for c in module.cases(quick)]
    if not only:
        return rows
    return [c for c in rows if any(c.workload.startswith(o) for o in only)]
