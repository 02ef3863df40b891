"""The Python constructs agc differentiates, and those it refuses, as one table.

`agc supported` renders it into docs/supported.md. Each row names the corpus
entry (tests/differential) that checks it against jax and central differences,
or, for a refused construct, the entry that shows the refusal; tests/test_supported.py
checks that every entry exists, that supported ones are accepted and refused ones
refused with the hint given here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Construct:
    """A construct as users write it, and the corpus entry that checks it."""

    group: str
    name: str
    example: str
    entry: str


@dataclass(frozen=True)
class Refused:
    """A construct agc refuses, the words of its hint, and the corpus entry showing it."""

    name: str
    example: str
    hint: str
    entry: str


SUPPORTED = (
    Construct("control flow", "`if` / `elif` / `else` on array values", "if np.sum(x) > 0:",
              "if_elif_else_mean"),
    Construct("control flow", "conditional expression", "y = a if c > 0 else b",
              "conditional_expression"),
    Construct("control flow", "`for` over `range` (any step)", "for i in range(n - 1, -1, -2):",
              "range_negative_step_and_len"),
    Construct("control flow", "`for` over rows, lists, `zip`, `enumerate(x, 1)`",
              "for i, (a, b) in enumerate(zip(xs, ys, zs), 1):", "zip_three_enumerate_start"),
    Construct("control flow", "`while` with a data-dependent trip count",
              "while np.linalg.norm(g) > tol:", "newton_sqrt_until_converged"),
    Construct("control flow", "`break`, `continue`, early `return`", "if c: return y",
              "for_early_return"),
    Construct("control flow", "`for ... else`, `while ... else`", "for ...: ... else: ...",
              "for_else_with_break"),
    Construct("control flow", "`and` / `or` / `not`, chained comparisons",
              "if 0 < x[0] < 1 and not done:", "chained_comparison"),
    Construct("control flow", "`is None` / `is not None` on optional arguments",
              "if w is None:", "is_none_default"),
    Construct("control flow", "`isinstance` on argument kinds", "isinstance(x, (int, float))",
              "isinstance_of_argument"),
    Construct("functions", "helpers of the same module (keywords, defaults)",
              "h = layer(x, w=w1)", "helper_with_default_argument_unused"),
    Construct("functions", "a helper that writes its argument in place (inlined)",
              "normalize(v)  # v /= norm(v) inside", "helper_normalizes_its_argument"),
    Construct("functions", "a gradient called in the model: `f.grad(x)`, "
              "`f.value_and_grad(x)` of a decorated f, `agc.grad(f)`",
              "x = x - h * potential.grad(x, theta)", "grad_steps_in_while_loop"),
    Construct("functions", "a JVP or VJP called in the model, of an f of a number or of an "
              "array: `f.jvp(x, tangents=(t,))`, `f.vjp(x, seed=s)`, "
              "`agc.jvp(f, (x,), (t,))`", "v, t = f.jvp(x, theta, tangents=(u, None))",
              "jvp_of_two_moving_arguments_in_a_loop"),
    Construct("functions", "`y, pull = agc.vjp(f, x)` in the model, then `pull(s)` in its "
              "block (loops, branches)", "gx = pull(s * k)",
              "agc_vjp_pullback_in_a_loop_and_a_branch"),
    Construct("functions", "nested `def` and closures", "def act(v): return v * k",
              "closure_reads_model_locals"),
    Construct("functions", "`lambda`, also passed to a helper", "apply(lambda t: t ** 2, x)",
              "lambda_passed_to_module_helper"),
    Construct("functions", "recursion on a counter (unrolled)", "def tree(x, n): ... tree(x, n - 1)",
              "recursion_on_a_counter"),
    Construct("functions", "`*args` passed through", "def f(*ws): return g(*ws)",
              "star_args_passed_through"),
    Construct("containers", "list literals, `append`, item assignment, negative indexes",
              "hs.append(np.tanh(hs[-1] @ W))", "list_item_overwritten_in_loop"),
    Construct("containers", "list comprehensions (nested, filtered)",
              "[np.tanh(w) for w in ws if w.size > 1]", "listcomp_nested_for_if"),
    Construct("containers", "generator expressions in a call", "sum(w ** 2 for w in ws)",
              "genexp_sum_polynomial"),
    Construct("containers", "`np.concatenate` / `np.stack` of a list variable",
              "np.concatenate(parts)", "concatenate_list_variable"),
    Construct("containers", "dicts with constant keys: read, write, iterate",
              "for k, v in params.items():", "dict_literal_items_values_keys"),
    Construct("containers", "dict entries written in branches and loops", "d['a'] = d['a'] * 2",
              "dict_written_in_loop"),
    Construct("containers", "dict comprehensions", "{k: v * 2 for k, v in d.items()}",
              "dict_comprehension_over_items"),
    Construct("containers", "tuple and starred unpacking of literals", "a, *rest = [x, y, z]",
              "starred_unpacking"),
    Construct("containers", "lists and tuples joined, repeated and sliced: `+`, `+=`, `* n`, "
              "`xs[1:3]`", "t += (x[i] * x[i],)", "tuple_joined_in_a_loop"),
    Construct("containers", "`M[i][j] = v` on a 2-D array", "M[0][1] = x[2]",
              "setitem_chained_on_2d_array"),
    Construct("containers", "lists changed in place: `l.extend(seq)`, `l.insert(i, v)`, "
              "`l.pop(i)` (a statement or a value)", "v = l.pop(0)", "list_extend_insert_pop"),
    Construct("containers", "`l += (a, b)`, `l += t` on a list (extends it; other names see "
              "it)",
              "l += (x[1], x[2])", "list_joined_with_a_tuple_in_place"),
    Construct("containers", "`list(seq)`: a new list of a list's, tuple's or array's items",
              "m = list(l)", "list_copied_then_appended"),
    Construct("containers", "a dict read with the key of a loop over string literals",
              "for k in ('a', 'b'): s = s + d[k]", "dict_read_by_string_keys_in_a_loop"),
    Construct("builtins", "`sum`, `min`, `max` (any arity, generators), `abs`, `len`",
              "max(a, b, c)", "builtin_max_min_any_arity"),
    Construct("builtins", "`tuple(seq)`; `sorted(seq)` of numbers (stable: the gradient "
              "follows the permutation)", "s = sorted(l)", "tuple_and_sorted_of_a_list"),
    Construct("containers", "`np.vstack` of a list variable (the parts of `np.split`)",
              "np.vstack(np.split(x, 2))", "vstack_of_split_parts"),
    Construct("builtins", "`sorted(seq, key=..., reverse=True)` (a lambda or a helper as "
              "the key; stable, as Python's)", "sorted(l, key=lambda t: -t)",
              "sorted_with_a_key"),
    Construct("containers", "`np.hstack` of a list built by a loop",
              "parts.append(...); np.hstack(parts)", "hstack_of_parts_built_by_a_loop"),
    Construct("builtins", "`any` / `all` (stop at the first item that settles them)",
              "any(v > 1 for v in x)", "builtin_any_all"),
    Construct("builtins", "`reversed`, `range` with a negative step", "reversed(xs)",
              "reversed_list_and_range"),
    Construct("builtins", "`map(f, xs)`, `zip(a, b)`, `zip(*rows)` consumed where they are "
              "made (list, tuple, sorted, sum, a for loop, a comprehension)",
              "list(map(lambda t: t * t, xs))", "map_and_zip_consumed"),
    Construct("builtins", "`bool(x)` of a number or an array of one value (numpy raises for "
              "more)", "if bool(x[0] > 0):", "bool_of_a_number_or_one_item"),
    Construct("containers", "`dict(a=x)`, `dict(zip(keys, values))`, `d.get(k, default)`, "
              "`d.update(...)` of dicts built here", "d.get('w', 0.0)",
              "dict_builders_get_update"),
    Construct("containers", "`l.index(v)`, `l.count(v)`, `l.remove(v)`, `l.reverse()` "
              "(items compared with ==, as Python does)", "l.remove(v)",
              "list_index_count_remove_reverse"),
    Construct("builtins", "`dtype=` of sum, mean, cumsum, np.array, np.asarray, "
              "`np.zeros(n, dtype=x.dtype)`; `np.int64(x)`, `np.float32(x)`",
              "np.array(v, dtype=np.float32)", "dtype_keywords"),
    Construct("statements", "walrus `:=`", "while (n := n - 1) > 0:", "walrus_in_while_test"),
    Construct("statements", "`assert`, `print` and f-strings (forward sweep only)",
              "print(f'loss {loss}')", "assert_print_fstring"),
    Construct("statements", "`del name`", "del tmp", "del_then_rebind"),
    Construct("statements", "augmented assignment on arrays, views and aliases",
              "y = x[1:]; y *= 2", "outer_of_a_view_then_written"),
    Construct("statements", "`out=` of a numpy ufunc (a write into the array, seen through "
              "its views and names)", "np.multiply(v, w, out=v)", "ufunc_out_into_a_view"),
    Construct("statements", "`out=` of a numpy ufunc into a basic slice (`out=y[1:]`, "
              "`out=y[:, 0]`)", "np.add(a, b, out=y[1:])", "ufunc_out_into_a_slice"),
    Construct("statements", "`//=`, `%=`, `&=`, `\\|=`, `^=`, `<<=`, `>>=` (in place on arrays; "
              "`//`, bitwise operators and shifts carry no derivative)", "k //= 2",
              "augmented_floordiv_mod_bitwise"),
    Construct("statements", "`np.copyto(dst, src, where=m)`, `np.copyto(y[1:], src)`",
              "np.copyto(y, x * x, where=x > 0)", "copyto_with_where"),
    Construct("statements", "`np.fill_diagonal(a, v, wrap=...)` (v's items cycled as numpy "
              "does)", "np.fill_diagonal(y, x[0] ** 2)", "fill_diagonal_of_a_copy"),
    Construct("statements", "writes through `x.reshape(...)`, `x.ravel()` (views of a "
              "contiguous x, checked when the reshape runs) and `np.asarray(x)` (x itself)",
              "r = y.ravel(); r[0] = v", "ravel_and_asarray_written"),
    Construct("statements", "`np.add.at(y, idx, v)` (repeated indices add up, in numpy's "
              "order)", "np.add.at(a, idx, v)", "add_at_repeated_indices"),
    Construct("statements", "`np.array(y)` (a copy: later writes to y leave it alone)",
              "z = np.array(y); y[0] = 4.0", "array_copy_then_written"),
    Construct("module values", "module-level constants, arrays, lists, dicts (read at call time)",
              "A = np.array(...) at module level", "module_array_matmul"),
)

REFUSED = (
    Refused("a generator kept in a variable", "g = (v * 2 for v in x)",
            "pass it straight to sum(), min(), max(), list() or a for loop, or write a list "
            "comprehension [...]", "generator_kept_refused"),
    Refused("`map(...)` or `zip(...)` kept in a variable", "m = map(f, xs)",
            "consume it where it is made: list(map(f, xs)), sum(...), a for loop, or write "
            "[f(x) for x in xs]", "map_kept_refused"),
    Refused("starred unpacking of a computed sequence", "a, *rest = x",
            "unpack by index: a, rest = xs[0], xs[1:]", "starred_unpacking_computed_refused"),
    Refused("a write into a parameter whose default is a list, dict or array",
            "def f(v, seen=[]): seen.append(v)",
            "default to None and make it in the body: `if seen is None: seen = []`",
            "default_list_written_refused"),
    Refused("`M[i][j] = v` on a nested list", "m[0][1] = v",
            "use a 2-D array and write M[i, j] = v, or build the row anew",
            "setitem_nested_list_refused"),
    Refused("assigning to a slice of a list", "l[1:3] = [a, b]",
            "write the items one at a time (`l[i] = v`), or build a new list",
            "list_slice_assigned_refused"),
    Refused("a nested `def` in a branch or a loop", "for i in ...: def f(v): ...",
            "define it at the top level of the function body", "nested_def_in_loop_refused"),
    Refused("recursion whose depth depends on the data", "def halve(x): ... halve(x / 2)",
            "its depth must follow from constants (a counter argument), not from the data",
            "recursion_on_data_refused"),
    Refused("a dict built in the model returned or passed as a value", "return d",
            "to return or pass a dict, take it as a parameter", "dict_returned_refused"),
    Refused("`.items()` of a dict parameter", "for k, v in p.items():",
            "loop over them written out, for k in ('w', 'b'): p[k]",
            "dict_parameter_items_refused"),
    Refused("reading a name after `del`", "del y; y + 1",
            "Python raises NameError here: assign it again first", "del_then_read_refused"),
    Refused("`f.hvp()` of a decorated f inside a model",
            "g, hv = f.hvp(x, tangents=(u,))",
            "inside a model agc differentiates `f.grad(...)`, `f.value_and_grad(...)`",
            "hvp_inside_a_model"),
    Refused("`f.grad()` inside a model of an f that returns an array", "g = f.grad(x)",
            "for a vector-Jacobian product call f.vjp(x, seed=s) here, for a "
            "Jacobian-vector product f.jvp(x, tangents=(t,))",
            "grad_of_an_array_function_in_a_model"),
    Refused("`try` / `except`", "try: ... except: ...",
            "move error handling outside the differentiated function", "try_except"),
)
