"""Registry of benchmark workloads (timing rows); tape_memory lives in memory.py."""
from workloads import euler, gmm, gradbench, linreg, mlp, while_if

TIMED = (while_if, mlp, euler, linreg, gmm, gradbench)
NAMES = ("while_if", "mlp", "euler", "linreg_train", "gmm_vec", "gmm_loop", "tape_memory",
         "gb_gmm", "gb_ba", "gb_ht", "gb_lstm", "gb_ode", "gb_llsq", "gb_det", "gb_kmeans",
         "gb_particle", "gb_saddle")


def timed_cases(quick, only=None):
    """All timing rows, filtered by --only workload names (prefix match)."""
    rows = [c for module in TIMED for c in module.cases(quick)]
    if not only:
        return rows
    return [c for c in rows if any(c.workload.startswith(o) for o in only)]
