"""Set operations: ``jnp.unique`` (and its array-API forms) and ``jnp.isin``.

``unique`` sorts, then keeps each element that differs from its predecessor.
How many there are depends on the values, so without ``size=`` the input must
be concrete; with ``size=`` the result is cut or padded (with ``fill_value``,
default the smallest element) and ``unique`` works under ``jit`` and ``vmap``.
"""
import math
import operator
from typing import NamedTuple

import numpy as np

from .. import dtypes, lax
from ..core import concrete_or_error
from ..errors import ConcretizationTypeError
from ..lax import _convert_element_type
from .creation import arange, asarray, full, zeros
from .promotion import _check_arraylike, promote_dtypes
from .elementwise import isnan, logical_and, logical_not, not_equal, where
from .reductions import any, cumsum, sum
from .shapes import concatenate, moveaxis, ravel, reshape
from .searching import nonzero

_SIZE_HINT = ("To make jnp.unique() compatible with JIT and other transforms, you can specify "
              "a concrete value for the size argument, which will determine the output size.")


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           *, equal_nan=True, size=None, fill_value=None, sorted=True):
    """The sorted unique elements of ``ar`` (or unique slices along ``axis``), and
    optionally the index of each one's first occurrence, the index of each
    element's unique value (``inverse``), and the counts."""
    _check_arraylike("unique", ar)
    ar = asarray(ar)
    if size is None:
        try:
            concrete_or_error(ar, "jnp.unique")
        except ConcretizationTypeError as err:
            raise ConcretizationTypeError(
                f"The number of unique elements depends on the values: the error arose for "
                f"the first argument of jnp.unique(). {_SIZE_HINT}\n{err}") from None
    else:
        size = operator.index(concrete_or_error(size, "the size argument of jnp.unique(). "
                                                + _SIZE_HINT))
    shape = ar.shape
    if axis is None:
        ar, axis = ravel(ar), 0
    else:
        axis = lax._canonical_axis(axis, ar.ndim)
    out = _unique(ar, axis, return_index, return_inverse, return_counts, equal_nan, size,
                  fill_value)
    if return_inverse and len(shape) != 1 and ar.ndim == 1:   # axis=None: inverse has ar's shape
        at = 1 + return_index
        out = out[:at] + (reshape(out[at], shape),) + out[at + 1:]
    return out[0] if len(out) == 1 else out


def _sorted_with_mask(ar, axis, equal_nan):
    """The slices along ``axis``, sorted (lexicographically, stably) and moved to the
    front; the sorting permutation; and a mask of the slices that start a new value."""
    aux = moveaxis(ar, axis, 0)
    n = aux.shape[0]
    width = math.prod(aux.shape[1:])
    iota = lax.iota(dtypes.default_int_dtype(), n)   # return_index: int64 under x64, as JAX
    if width == 0:
        return aux, iota, lax.full((n,), True, np.bool_) if n else zeros(0, bool)
    columns = reshape(aux, (n, width))
    keys = [columns[:, j] for j in range(width)]
    perm = lax.sort(keys + [iota], 0, True, num_keys=width)[-1]
    aux = aux[perm]
    if n == 0:
        return aux, perm, zeros(0, bool)
    later, earlier = aux[1:], aux[:-1]
    differs = not_equal(later, earlier)
    if dtypes.is_inexact(aux.dtype) and equal_nan:   # nans count as one value
        differs = logical_and(differs, logical_not(logical_and(isnan(later), isnan(earlier))))
    differs = any(differs, axis=tuple(range(1, aux.ndim)))
    return aux, perm, concatenate([lax.full((1,), True, np.bool_), differs])


def _unique(ar, axis, return_index, return_inverse, return_counts, equal_nan, size,
            fill_value):
    if ar.shape[axis] == 0 and size and fill_value is None:
        raise ValueError("jnp.unique: for zero-sized input with nonzero size argument, "
                         "fill_value must be specified")
    aux, perm, mask = _sorted_with_mask(ar, axis, equal_nan)
    n = aux.shape[0]
    first = nonzero(mask, size=size)[0] if n else zeros(0, dtypes.int32)
    values = aux[first] if aux.size else aux
    if size is not None and fill_value is not None:
        fill = _convert_element_type(asarray(fill_value), values.dtype, False)
        if values.shape[0]:
            valid = lax.expand_dims(arange(size) < sum(mask), tuple(range(1, values.ndim)))
            values = where(valid, values, fill)
        else:
            values = full((size,) + values.shape[1:], fill, values.dtype)
    out = (moveaxis(values, 0, axis),)
    int_dt = dtypes.default_int_dtype()
    if return_index:
        out += (perm[first] if n else perm,)
    if return_inverse:
        # Each sorted slice belongs to unique value number cumsum(mask) - 1.
        group = lax.convert_element_type(cumsum(mask) - 1, int_dt)
        out += (zeros(n, int_dt).at[perm].set(group) if n else zeros(0, int_dt),)
    if return_counts:
        out += (_counts(mask, size, n, int_dt),)
    return out


def _counts(mask, size, n, int_dt):
    """How many sorted slices each unique value has: gaps between group starts."""
    if n == 0:
        return zeros(0, int_dt)
    if size is None:
        starts = concatenate([nonzero(mask)[0], asarray([n], np.int32)])
    else:   # padding entries start at n: their counts come out 0
        starts = nonzero(mask, size=size + 1, fill_value=n)[0]
    return lax.convert_element_type(starts[1:] - starts[:-1], int_dt)


class _UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class _UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class _UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


def unique_all(x, /, *, size=None, fill_value=None):
    """The array API's ``unique_all``: values, first indices, inverse, counts."""
    return _UniqueAllResult(*unique(x, True, True, True, equal_nan=False, size=size,
                                   fill_value=fill_value))


def unique_counts(x, /, *, size=None, fill_value=None):
    return _UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False, size=size,
                                      fill_value=fill_value))


def unique_inverse(x, /, *, size=None, fill_value=None):
    return _UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False, size=size,
                                       fill_value=fill_value))


def unique_values(x, /, *, size=None, fill_value=None):
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


_ISIN_METHODS = ("auto", "compare_all", "binary_search", "sort")


def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """Whether each element of ``element`` occurs in ``test_elements``.

    JAX's ``method`` picks an algorithm; every one gives the same answer, and we
    always compare every pair (JAX's ``"compare_all"``).
    """
    _check_arraylike("isin", element, test_elements)
    if method not in _ISIN_METHODS:
        raise ValueError(f"method={method!r} is not implemented; options are "
                         f"{list(_ISIN_METHODS)}")
    element, tests = promote_dtypes(asarray(element), asarray(test_elements))
    tests = ravel(tests)
    if tests.size == 0:
        return lax.full(element.shape, bool(invert), np.bool_)
    pairs = lax.broadcast_in_dim(element, element.shape + tests.shape,
                                 tuple(range(element.ndim))) == tests
    found = any(pairs, axis=-1)
    return logical_not(found) if invert else found
