"""`array_module`: which array library a gradient call runs on, decided from its arguments.

Kept apart from the package's __init__ so that grads.py can import it directly:
it runs at the start of every emitted function and in most runtime helpers.
"""

from __future__ import annotations

import numpy

from . import arrays

# Exact types that mean numpy without looking further (the hot path of every gradient call).
_NUMPY_KINDS = arrays.SCALAR_TYPES | {numpy.ndarray}
_NDARRAY = numpy.ndarray


def array_module(*values):
    """The array module of the arguments: numpy, cupy, or numpy's names over an Array-API namespace.

    numpy arrays and Python or numpy numbers give numpy; cupy arrays give cupy; dask
    arrays, alone or with numpy ones, give a `DaskStyle` adapter (lazy); arrays
    with `__array_namespace__` (array_api_strict, ...) give a `NumpyStyle` adapter.
    pytrees are searched; arrays of two libraries raise TypeError naming the positions.
    """
    for value in values:  # an ndarray first: the common case, one identity test
        if type(value) is not _NDARRAY and type(value) not in _NUMPY_KINDS:
            return arrays.module_of(values)
    return numpy
