"""Searching and counting: ``jnp.searchsorted``, ``jnp.digitize``, ``jnp.nonzero``,
``jnp.argwhere``, ``jnp.count_nonzero``, ``jnp.bincount``, ``jnp.histogram``, ...

Functions whose output size depends on the values (``nonzero`` and friends,
``bincount``) need those values while tracing, unless the caller fixes the
size (``size=``, ``length=``): then they work under ``jit`` and ``vmap`` too,
padding the result with ``fill_value``.
"""
import builtins
import operator

import numpy as np

from .. import dtypes, lax
from ..core import concrete_or_error
from ..errors import ConcretizationTypeError
from ..lax import _convert_element_type
from .creation import arange, asarray, linspace, zeros
from .promotion import _check_arraylike, promote_dtypes, promote_dtypes_inexact
from .elementwise import isnan, logical_and, logical_not, logical_or, not_equal, where
from .reductions import sum
from .shapes import argsort, atleast_1d, flip, ravel, stack

_SEARCH_METHODS = ("scan", "scan_unrolled", "sort", "compare_all")


def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Where to insert ``v`` into the sorted 1-D ``a`` to keep it sorted.

    JAX offers several algorithms (``method``); they give the same answer. We
    compare every query with every element (JAX's ``"compare_all"``): the index
    is the number of elements before which ``v`` goes. nans sort last.
    """
    _check_arraylike("searchsorted", a, v)
    a, v = asarray(a), asarray(v)
    if a.ndim != 1:
        raise ValueError("a should be 1-dimensional")
    if side not in ("left", "right"):
        raise ValueError(f"invalid argument side={side!r}, expected 'left' or 'right'")
    if method not in _SEARCH_METHODS:
        raise ValueError(f"invalid argument method={method!r}, expected one of "
                         f"{list(_SEARCH_METHODS)}")
    a, v = promote_dtypes(a, v)
    if sorter is not None:
        a = a[asarray(sorter)]
    elements = lax.broadcast_in_dim(a, v.shape + a.shape, (v.ndim,))
    queries = lax.broadcast_in_dim(v, v.shape + a.shape, tuple(range(v.ndim)))
    before = _less_equal(elements, queries) if side == "right" else _less(elements, queries)
    return sum(before, axis=-1, dtype=dtypes.int32)


def _less(x, y):
    """``x < y`` in the order that puts nans last."""
    if not dtypes.is_inexact(x.dtype):
        return x < y
    return logical_or(x < y, logical_and(isnan(y), logical_not(isnan(x))))


def _less_equal(x, y):
    """``x <= y`` in the order that puts nans last."""
    if not dtypes.is_inexact(x.dtype):
        return x <= y
    return logical_or(x <= y, isnan(y))


def digitize(x, bins, right=False, *, method=None):
    """The index of the bin of each ``x`` (``bins`` increasing or decreasing)."""
    _check_arraylike("digitize", x, bins)
    x, bins = asarray(x), asarray(bins)
    right = bool(concrete_or_error(right, "the right argument of jnp.digitize"))
    if bins.ndim != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    if bins.shape[0] == 0:
        return zeros(x.shape, dtypes.int32)
    side = "left" if right else "right"
    kwargs = {} if method is None else {"method": method}
    increasing = searchsorted(bins, x, side, **kwargs)
    decreasing = bins.shape[0] - searchsorted(flip(bins), x, side, **kwargs)
    return where(bins[-1] >= bins[0], increasing, decreasing)


def count_nonzero(a, axis=None, keepdims=False):
    """How many elements along ``axis`` are not zero."""
    _check_arraylike("count_nonzero", a)
    a = asarray(a)
    return sum(not_equal(a, _convert_element_type(0, a.dtype, False)), axis,
               dtypes.default_int_dtype(), keepdims=keepdims)


def _static_size(size, a, name, argument="size"):
    """The output length: ``size`` if given, else the count of nonzeros (concrete only)."""
    if size is not None:
        return operator.index(concrete_or_error(size, f"the {argument} argument of jnp.{name}"))
    try:
        count = concrete_or_error(count_nonzero(a), f"jnp.{name}")
    except ConcretizationTypeError as err:
        raise ConcretizationTypeError(
            f"The {argument} argument of jnp.{name} must be statically specified to use "
            f"jnp.{name} within JAX transformations: the number of nonzero elements is only "
            f"known at run time.\n{err}") from None
    return int(count)


def nonzero(a, *, size=None, fill_value=None):
    """The indices of the nonzero elements, one array per axis.

    Their number depends on the values; give ``size`` to fix it (the list is
    cut or padded with ``fill_value``, default 0) and the function traces.
    """
    _check_arraylike("nonzero", a)
    a = asarray(a)
    if a.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "jnp.atleast_1d(scalar).nonzero() instead.")
    n = _static_size(size, a, "nonzero")
    mask = ravel(a if a.dtype == np.bool_ else not_equal(a, 0))
    if a.size == 0 or n == 0:
        return tuple(zeros(n, dtypes.default_int_dtype()) for _ in a.shape)
    # A stable sort of "is zero" puts the positions of the nonzeros first, in order.
    flat = argsort(logical_not(mask), stable=True)
    flat = lax.convert_element_type(flat, dtypes.default_int_dtype())
    if n > a.size:
        flat = lax.pad(flat, _convert_element_type(0, flat.dtype, False), [(0, n - a.size, 0)])
    flat = flat[:n]
    strides = np.cumprod((1,) + a.shape[:0:-1])[::-1]
    out = tuple((flat // int(stride)) % d for stride, d in zip(strides, a.shape))
    if fill_value is None:   # the padding entries already point at index 0
        return tuple(where(arange(n) < sum(mask), i, 0) for i in out)
    fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * a.ndim
    if len(fills) != a.ndim or builtins.any(np.shape(f) != () for f in fills):
        raise ValueError(f"fill_value must be a scalar or a tuple of length {a.ndim}; got "
                         f"{fill_value}")
    valid = arange(n) < sum(mask)
    return tuple(where(valid, i, f) for i, f in zip(out, fills))


def flatnonzero(a, *, size=None, fill_value=None):
    """The indices of the nonzero elements of the flattened array."""
    _check_arraylike("flatnonzero", a)
    return nonzero(ravel(a), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """The indices of the nonzero elements, one row (of ``a.ndim`` entries) each."""
    _check_arraylike("argwhere", a)
    a = asarray(a)
    result = stack(nonzero(atleast_1d(a), size=size, fill_value=fill_value), axis=1)
    if a.ndim == 0:   # one row of zero entries per nonzero element
        return result[:, :0]
    return result


def bincount(x, weights=None, minlength=0, *, length=None):
    """Counts (or summed ``weights``) of each nonnegative integer in ``x``.

    The length of the result is ``max(x) + 1`` (at least ``minlength``): under a
    transformation, give it as ``length``.
    """
    _check_arraylike("bincount", x)
    x = asarray(x)
    if x.dtype == np.bool_:
        x = lax.convert_element_type(x, dtypes.int32)
    if x.dtype.kind not in "iu":
        raise TypeError(f"x argument to bincount must have an integer type; got {x.dtype}")
    if x.ndim != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = operator.index(concrete_or_error(
        minlength, "the minlength argument of jnp.bincount"))
    if length is None:
        try:
            values = concrete_or_error(x, "jnp.bincount")
        except ConcretizationTypeError as err:
            raise ConcretizationTypeError(
                f"The length of jnp.bincount's result depends on the values of x; to use "
                f"jnp.bincount within JAX transformations pass a static `length` "
                f"argument.\n{err}") from None
        length = builtins.max(minlength, values.size and int(builtins.max(0, values.max())) + 1)
    else:
        length = operator.index(concrete_or_error(length, "the length argument of jnp.bincount"))
    if weights is None:
        weights = lax.full(x.shape, 1, dtypes.default_int_dtype())
    else:
        _check_arraylike("bincount", weights)
        weights = asarray(weights)
        if weights.shape != x.shape:
            raise ValueError(f"type of weights must match type of x. Got x of shape {x.shape} "
                             f"and weights of shape {weights.shape}")
    # Values at or beyond ``length`` are dropped; negative ones count as 0 (as in JAX).
    weights = where(x < length, weights, _convert_element_type(0, weights.dtype, False))
    index = lax.clamp(_convert_element_type(0, x.dtype, False), x,
                      _convert_element_type(builtins.max(length - 1, 0), x.dtype, False))
    if length == 0:
        return zeros(0, weights.dtype)
    return zeros(length, weights.dtype).at[index].add(weights)


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """The edges of ``bins`` equal bins spanning ``range`` (default: min to max of ``a``)."""
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    _check_arraylike("histogram_bin_edges", a, bins)
    a = asarray(a)
    dt = dtypes.to_inexact_dtype(a.dtype)
    if np.ndim(bins) == 1:
        return asarray(bins, dt)
    bins = operator.index(concrete_or_error(bins, "the bins argument of histogram_bin_edges"))
    limits = stack([a.min(), a.max()]) if range is None else asarray(range)
    if limits.shape != (2,):
        raise ValueError(f"`range` must be either None or a sequence of scalars, got {range}")
    lo, hi = (_convert_element_type(v, dt, False) for v in (limits[0], limits[1]))
    # An empty range is widened by 1/2 each way, as numpy does.
    empty = lo == hi
    lo, hi = where(empty, lo - 0.5, lo), where(empty, hi + 0.5, hi)
    return linspace(lo, hi, bins + 1, dtype=dt)


def histogram(a, bins=10, range=None, weights=None, density=None):
    """Counts (or summed ``weights``) of ``a`` in each bin, and the bin edges."""
    _check_arraylike("histogram", a, bins)
    if weights is None:
        a, = promote_dtypes_inexact(asarray(a))
        weights = lax.full(a.shape, 1, a.dtype)
    else:
        _check_arraylike("histogram", weights)
        if np.shape(a) != np.shape(weights):
            raise ValueError("weights should have the same shape as a.")
        a, weights = promote_dtypes_inexact(a, weights)
    edges = histogram_bin_edges(a, bins, range, weights)
    # Bin i holds edges[i-1] <= a < edges[i]; the last bin also holds its right edge.
    index = searchsorted(edges, a, side="right")
    index = where(a == edges[-1], edges.shape[0] - 1, index)
    counts = zeros(edges.shape[0], weights.dtype).at[ravel(index)].add(ravel(weights))[1:]
    if density:
        widths = edges[1:] - edges[:-1]
        counts = counts / widths / counts.sum()
    return counts, edges
