"""`f.jvp` and `f.hvp` of a Differentiated (api.py): the compiled forward-mode code for the
arguments along their tangents, compiled once per set of moving arguments and kinds of
arguments, then one lookup per call."""

from __future__ import annotations

from typing import Any

from . import fast_calls
from .compiling import _takes_by_position, compile_forward, compile_hvp, scalar_key
from .errors import AgcError, UsageError
from .runtime.model_lines import add_model_line


def _along(what: str, doc: str):
    """The method `what` (jvp, hvp) of Differentiated: the compiled `what` for the arguments
    along `tangents`, compiled once per set of moving arguments and kinds of arguments.
    Every JVP call runs it, so it is one lookup (benchmarks/higher_order.py): under the
    arguments' ndims (and types where one has none: a number, a tree) and the tangents'
    types, which decide the compile key (fast_calls.mapped_key). A call of arrays with one
    tangent given, once compiled, is looked up by fast_calls.short_along instead."""

    def along(self, *args: Any, tangents: Any, **kwargs: Any) -> tuple[Any, Any]:
        if kwargs or type(tangents) is not tuple or not len(args) == len(tangents) == \
                self._positional:
            args, tangents = self._normalized(args, kwargs, tangents)
        try:  # arrays: their ndims and which tangents are given decide the compile key
            fast = fast_calls.mapped_key(what, args, tangents)
        except AttributeError:  # a number or a tree among them: its type decides its kind
            fast = (what, *map(getattr, args, fast_calls.NDIM, map(type, args)),
                    *map(type, tangents))
        entry = self._calls.get(fast)
        if entry is None or entry[1]():  # not compiled yet, or a constant it read changed
            entry = self._calls[fast] = self._call_along(what, args, tangents)
        try:
            if entry[2] is not None:  # one moving argument: its tangent, with no list built
                return entry[0](*args, tangents[entry[2]])
            return entry[0](*args, *[t for t in tangents if t is not None])
        except Exception as error:  # numpy's, raised in emitted code: name the model line
            add_model_line(error)
            raise

    along.__name__, along.__qualname__ = what, f"Differentiated.{what}"
    along.__doc__ = doc
    return along


class AlongMethods:
    """Differentiated's jvp and hvp (it holds _calls, _compiled, _positional, _names, fn)."""

    jvp = _along("jvp", """(value, tangent): the function's value at `args` and its derivative
        along `tangents` (one per argument, None for an argument held fixed) — jax.jvp.""")
    hvp = _along("hvp", """(gradient, Hessian-vector product): the gradient with respect to the
        arguments given a tangent (None for those held fixed) and its derivative along them.""")

    def _normalized(self, args: tuple, kwargs: dict, tangents) -> tuple[tuple, tuple]:
        """All arguments by position and one tangent per argument (None past those given)."""
        if kwargs or len(args) != self._positional:
            args = self._bind(args, kwargs)
        if type(tangents) is not tuple or len(tangents) != len(args):
            tangents = tuple(tangents)
            tangents += (None,) * (len(args) - len(tangents))  # parameters left to defaults
        return args, tangents

    def _call_along(self, what: str, args: tuple, tangents: tuple) -> tuple:
        """(the compiled `what` taking the moving tangents by position, its staleness check)."""
        key = (what, tuple([t is not None for t in tangents])) + scalar_key(args)
        compiled = self._compiled.get(key)
        if compiled is None or compiled.stale():
            compile_ = compile_forward if what == "jvp" else compile_hvp
            compiled = self._compile_along(what, compile_, args, tangents, key)
        fn, count, dots = getattr(compiled, what), len(args), compiled.dots
        moving = [i for i, t in enumerate(tangents) if t is not None]
        if not compiled.by_position:  # tangents after a default are keyword-only
            def fn(*given, run=fn):
                return run(*given[:count], **dict(zip(dots, given[count:])))
        return fn, compiled.stale, moving[0] if len(moving) == 1 else None

    def _compile_along(self, what: str, compile_, args: tuple, tangents: tuple, key: tuple):
        """Compile (and keep under `key`) the `what` of `_along` moving the arguments that
        have a tangent."""
        wrt = tuple([n for n, t in zip(self._names, tangents) if t is not None])
        if len(tangents) != len(args) or (what == "hvp" and not wrt):
            raise UsageError(f"{self.fn.__name__}.{what}(): {len(args)} arguments but "
                             f"{len(tangents)} tangents (give None for a fixed argument"
                             f"{', and at least one tangent' if what == 'hvp' else ''})")
        try:
            compiled = compile_(self.fn, wrt, scalar_key(args))
        except AgcError as err:
            raise err.with_traceback(None) from None
        compiled.dots = compiled.tangent.dot_params()  # keywords: after a default they
        compiled.by_position = _takes_by_position(getattr(compiled, what), len(args),
                                                  compiled.dots)  # are keyword-only
        self._compiled[key] = compiled
        return compiled
