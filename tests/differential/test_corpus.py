"""The differential corpus: every entry against numpy, jax.grad (float64) and central differences.

One test per entry and mode: `f64` (tight tolerances, central differences too)
and `f32` (inputs cast to float32; gradients must stay float32). Known agc
bugs are strict xfails declared in the entries (`xfail=` / `xfail32=`): when
one is fixed the test XPASSes and fails, and the mark must be removed.
Entries agc refuses with a positioned error are declared `expect="refused"`.
`test_reference` checks the corpus itself (its references are right).
"""

from __future__ import annotations

import pytest

from . import (
    corpus_aliasing,
    corpus_api,
    corpus_control,
    corpus_conv,
    corpus_coverage,
    corpus_elementwise,
    corpus_helpers,
    corpus_in_place,
    corpus_index_more,
    corpus_indexing,
    corpus_linalg,
    corpus_linalg_more,
    corpus_linalg_solve,
    corpus_lists,
    corpus_loops,
    corpus_ml,
    corpus_nested,
    corpus_python,
    corpus_random,
    corpus_reductions,
    corpus_refused,
    corpus_scipy_linalg,
    corpus_shape_more,
    corpus_shapes,
    corpus_special,
    corpus_statistics,
    corpus_tricky,
)
from .harness import check_entry, check_reference

MODULES = (corpus_elementwise, corpus_reductions, corpus_linalg, corpus_linalg_more,
           corpus_linalg_solve, corpus_scipy_linalg, corpus_shapes, corpus_indexing,
           corpus_aliasing, corpus_lists, corpus_control, corpus_loops, corpus_helpers,
           corpus_ml, corpus_tricky, corpus_refused, corpus_special, corpus_statistics,
           corpus_api, corpus_shape_more, corpus_index_more, corpus_python, corpus_conv,
           corpus_nested, corpus_random, corpus_coverage, corpus_in_place)
ENTRIES = [e for m in MODULES for e in m.corpus.entries]

# The bugs reported in issue 12, each kept in the corpus by at least these entries.
ISSUE_12 = {
    "aliasing": ["alias_then_iadd", "alias_setitem_from_other", "view_slice_setitem",
                 "row_view_setitem", "alias_zero_first", "helper_normalizes_and_returns"],
    "list item assignment": ["list_item_times_three", "list_item_iadd", "list_tanh_in_loop",
                             "list_param_written", "list_item_recurrence_unused"],
    "and / or in loops": ["while_true_break_or", "for_if_or_clip_like", "for_if_and"],
    "stale module constants": ["module_constant_changed"],
    "inner, vdot, outer, dot, vstack, hstack": [
        "inner_matrices", "vdot_matrices_flatten", "outer_of_matrix_flattens", "dot_3d_by_3d",
        "vstack_vectors", "hstack_matrices"],
    "prod, clip, norm, duplicate indices": [
        "prod_with_a_zero", "prod_axis_with_a_zero", "clip_array_bounds_differentiated",
        "clip_scalar_bound_differentiated", "norm_matrix_spectral", "norm_ord1",
        "add_duplicate_fancy", "set_duplicate_fancy"],
    "builtin abs, list arguments": ["builtin_abs_of_array", "nested_list_sum_axis0",
                                    "flat_list_mean"],
    "float32 gradient dtype": ["f32_loop_state_from_zeros"],
    "maximum ties": ["maximum_ties"],
}


def _params(mode: str):
    for e in ENTRIES:
        if mode == "f32" and (e.expect == "refused" or not e.f32 or not e.has_float_arrays()):
            continue
        reason = e.xfail or (e.xfail32 if mode == "f32" else None)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(e, id=e.name, marks=marks)


@pytest.mark.parametrize("entry", list(_params("f64")))
def test_float64(entry):
    check_entry(entry, "f64")


@pytest.mark.parametrize("entry", list(_params("f32")))
def test_float32(entry):
    check_entry(entry, "f32")


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_reference(entry):
    """The corpus is right: reference value = numpy's, reference gradient = central differences."""
    check_reference(entry)


def test_corpus_shape():
    names = [e.name for e in ENTRIES]
    assert len(names) == len(set(names)), "entry names must be unique"
    assert len(ENTRIES) >= 400
    for e in ENTRIES:
        assert e.expect in ("ok", "refused"), e.name
        assert not (e.expect == "refused" and (e.xfail or e.xfail32)), e.name
        for reason in (e.xfail, e.xfail32):
            assert reason is None or reason.startswith("issue 12: "), e.name


def test_every_reported_bug_has_entries():
    names = {e.name for e in ENTRIES}
    for bug, entries in ISSUE_12.items():
        assert set(entries) <= names, f"{bug}: missing {set(entries) - names}"
