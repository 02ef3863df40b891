"""Run the same numpy model source with another numpy namespace (autograd.numpy, jax.numpy)."""
import types


def rebind(fn, np_module):
    """Copy of fn (and the functions of its module it calls) with `np` bound to np_module."""
    scope = dict(fn.__globals__)
    scope["np"] = np_module
    for name, value in list(scope.items()):
        if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
            scope[name] = types.FunctionType(value.__code__, scope, value.__name__,
                                             value.__defaults__, value.__closure__)
    return scope[fn.__name__]
