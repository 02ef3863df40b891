"""Everything agc knows about each primitive beyond its Spec, one module per family.

A family module holds, primitive by primitive, its derivative rule (`@vjp`),
its special emitter where its Spec's form is "special" (`@emitter`) and its
symbolic meaning (`@meaning`), the way JAX's lax.py registers the JVP, the
transpose and the lowering of a primitive right after defining it. The
static facts (arity, differentiable arguments, in place, ...) are in its
`Spec` (ir/prims.py). Importing this package fills the registries.
"""

from . import (
    constructors,
    containers,
    control,
    conv,
    draws,
    einsum,
    elementwise_kinks,
    elementwise_math,
    elementwise_more,
    gradient_calls,
    gradient_tangents,
    gradients,
    gradients_arrays,
    indexing,
    jvp_calls,
    linalg,
    linalg_factor,
    linalg_more,
    nonlinear_tangents,
    python_constructs,
    quantiles,
    reduction_options,
    reductions,
    registry,
    selection,
    shape,
    shape_more,
    signal,
    special,
    special_extra,
    statistics,
)
from .registry import (
    EMITTERS,
    JVP_RULES,
    MEANINGS,
    RULES,
    emitter_for,
    jvp_rule_for,
    meaning_for,
    rule_for,
)

__all__ = [
    "EMITTERS", "JVP_RULES", "MEANINGS", "RULES", "constructors", "containers", "control", "conv", "draws", "einsum", "elementwise_kinks",
    "elementwise_math", "elementwise_more", "emitter_for", "gradient_calls", "gradient_tangents", "gradients", "gradients_arrays",
    "indexing", "jvp_calls", "jvp_rule_for", "linalg", "linalg_factor", "linalg_more", "meaning_for",
    "nonlinear_tangents", "python_constructs", "quantiles", "reduction_options", "reductions", "rule_for",
    "selection", "shape", "shape_more", "signal", "special", "special_extra", "statistics",
]

registry.BUILTIN[0] = registry.generation()  # custom rules count from here (emitted_cache)
