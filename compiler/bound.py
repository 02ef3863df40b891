"""Differentiated methods bound to an instance: `model.loss.grad(x)`.

A PyTorch-style model keeps its parameters as attributes and its loss as a
method. The instance reaches the emitted code as a dict of its parameters (the
attributes holding floats, float arrays, or lists/tuples/dicts of them); its
ints, bools, strings and None are configuration, constants of the compiled
code. `wrt="self"` gives the gradient as a dict {attribute: gradient};
`wrt=("self.w", "self.b")` gives the named attributes' gradients.
"""

from __future__ import annotations

import functools

from .errors import UsageError


class BoundMethod:
    """A differentiated function with its first argument (the instance) bound."""

    def __init__(self, diff, obj, wrt: tuple[str, ...] | None = None):
        self.diff, self.obj = diff, obj
        names = list(diff._signature.parameters)
        self.self_name = names[0]
        given = wrt if wrt is not None else diff.wrt
        if any("/" in str(w) for w in given or ()):
            raise UsageError(f"wrt={given!r}: paths into trees are not supported on methods; "
                             "name attributes (\"self.fc\") or pass the tree as an argument")
        # A bound method is a function of the remaining arguments (as in JAX): by default
        # the first of those; `wrt="self"` names the parameters.
        self.wrt = given if given is not None else (names[1],) if len(names) > 1 \
            else (self.self_name,)
        self.__name__ = getattr(diff, "__name__", "method")
        self.__doc__ = diff.__doc__

    def __call__(self, *args, **kwargs):
        return self.diff.fn(self.obj, *args, **kwargs)

    def grad(self, *args, **kwargs):
        """The gradient at `args`: see `Differentiated.grad`; `self` gives a dict."""
        value, grads = self._run(args, kwargs, None)
        return (grads, self.diff._aux(value)) if self.diff.has_aux else grads

    def value_and_grad(self, *args, seed=None, **kwargs):
        """(value, gradient) at `args`; `seed` is the output's adjoint (vjp)."""
        return self._run(args, kwargs, seed)

    def vjp(self, *args, seed, **kwargs):
        """(value, vector-Jacobian product with `seed`)."""
        return self._run(args, kwargs, seed)

    @property
    def fn(self):
        """The original method with the instance bound: a function of the other arguments."""
        return functools.partial(self.diff.fn, self.obj)

    @property
    def has_aux(self) -> bool:
        """Whether the method returns (loss, aux...)."""
        return self.diff.has_aux

    def tape_report(self, *args, **kwargs):
        """What the forward sweep keeps for the backward sweep at `args` (see TapeReport)."""
        from .backend.tape_report import tape_report  # noqa: PLC0415 - loads the compiler where used

        compiled, full = self._compiled(self._arguments(args, kwargs))
        return tape_report(compiled, full)

    @property
    def gradient_source(self) -> str:
        """The emitted gradient module for this instance's kinds of attributes."""
        return self._compiled(self._arguments((), {}, need_all=False))[0].source

    # ------------------------------------------------------------------
    def _run(self, args: tuple, kwargs: dict, seed):
        compiled, full = self._compiled(self._arguments(args, kwargs))
        value, grads = compiled.value_and_grad(*full, **{compiled.seed_name: seed})
        return value, self._select(grads, compiled.adjoint.wrt)

    def _arguments(self, args: tuple, kwargs: dict, need_all: bool = True):
        """(all arguments, the instance's dict of parameters first; its attributes' split)."""
        split = split_attributes(self.obj)
        full = self.diff._bind((self.obj, *args), kwargs) if need_all else (self.obj,)
        return (split[0], *full[1:]), split

    def _compiled(self, arguments):
        from .frontend.methods import method_info  # noqa: PLC0415 - loads the compiler where used

        full, (params, static, others) = arguments
        key = (frozenset(params), tuple(sorted(static.items())), tuple(sorted(others.items())))
        bases = tuple(dict.fromkeys(w.partition(".")[0] for w in self.wrt))
        compiled = self.diff.compiled_for_method(full, key, bases, lambda: method_info(
            self.obj, params=key[0], static=static, others=others))
        return compiled, full

    def _select(self, grads, compiled_wrt: tuple[str, ...]):
        """The gradients of `self.wrt` from those of its base names."""
        by_name = dict(zip(compiled_wrt, grads if len(compiled_wrt) > 1 else (grads,)))
        picked = []
        for item in self.wrt:
            base, _, attr = item.partition(".")
            value = by_name[base]
            if attr:
                if not isinstance(value, dict) or attr not in value:
                    raise UsageError(f"wrt={item!r}: {attr!r} is not a parameter of "
                                     f"{type(self.obj).__name__} (a float or float array "
                                     "attribute)")
                value = value[attr]
            picked.append(value)
        return picked[0] if len(picked) == 1 else tuple(picked)


def split_attributes(obj) -> tuple[dict, dict, dict]:
    """(parameters, configuration, others) of an instance: float-valued attributes, the
    ints, bools, strings and None, and the kinds of the rest (reading one is refused)."""
    from .frontend.methods import STATIC_TYPES  # noqa: PLC0415 - loads the compiler where used
    from .frontend.resolve import is_module_value  # noqa: PLC0415 - loads the compiler where used

    attrs = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
    for name in getattr(type(obj), "__slots__", ()):
        if hasattr(obj, name):
            attrs[name] = getattr(obj, name)
    params, static, others = {}, {}, {}
    for name, value in attrs.items():
        if isinstance(value, STATIC_TYPES):
            static[name] = value
        elif (isinstance(value, float) or is_module_value(value)) and _floating(value):
            params[name] = value
        else:
            others[name] = _kind(value)
    return params, static, others


def _kind(value) -> str:
    """`a Linear object`, `an int64 array`: what an attribute agc cannot read holds."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return f"an array of {dtype}"
    name = type(value).__name__
    if name == "object":
        return "an object"
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} object"


def _floating(value) -> bool:
    """Every leaf is a float or a floating array (what can be differentiated)."""
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_floating(v) for v in value)
    if isinstance(value, dict):
        return bool(value) and all(_floating(v) for v in value.values())
    if isinstance(value, (bool, int)):
        return False
    kind = getattr(getattr(value, "dtype", None), "kind", "f")
    return kind in "fc"


def is_instance_argument(value) -> bool:
    """A model instance (not an array, number or pytree) passed as a method's `self`."""
    return not isinstance(value, (int, float, complex, str, list, tuple, dict, type(None))) \
        and not hasattr(value, "ndim") and hasattr(value, "__dict__")
