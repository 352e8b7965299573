"""Order statistics and averages: ``jnp.quantile``, ``jnp.percentile``,
``jnp.median`` (and their nan-ignoring forms), ``jnp.average``.

A quantile sorts the values along the reduced axes and interpolates between
two neighbours of the sorted sequence. Sorting and gathering have derivative
rules, so quantiles are differentiable with respect to the data and to ``q``.
"""
import math

import numpy as np

from .. import dtypes, lax
from ..lax import _convert_element_type
from .creation import asarray
from .promotion import _check_arraylike, broadcast_to, promote_dtypes_inexact
from .elementwise import ceil, clip, floor, isnan, logical_not, where
from .reductions import _canonical_axes, any, cumsum, mean, sum
from .shapes import argsort, reshape, sort, take_along_axis, transpose

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    """The ``q``-th quantiles (``0 <= q <= 1``) of ``a`` over ``axis``."""
    return _quantile("quantile", a, q, axis, out, overwrite_input, method, keepdims, weights,
                     ignore_nan=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None):
    """``quantile`` of the values that are not nan."""
    return _quantile("nanquantile", a, q, axis, out, overwrite_input, method, keepdims,
                     weights, ignore_nan=True)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None):
    """The ``q``-th percentiles (``0 <= q <= 100``): quantiles of ``q / 100``."""
    _check_arraylike("percentile", a, q)
    q, = promote_dtypes_inexact(q)
    return _quantile("percentile", a, q / 100, axis, out, overwrite_input, method, keepdims,
                     weights, ignore_nan=False)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None):
    """``percentile`` of the values that are not nan."""
    _check_arraylike("nanpercentile", a, q)
    q, = promote_dtypes_inexact(q)
    return _quantile("nanpercentile", a, q / 100, axis, out, overwrite_input, method,
                     keepdims, weights, ignore_nan=True)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle value over ``axis`` (the mean of the two middle ones for even sizes)."""
    return _quantile("median", a, 0.5, axis, out, overwrite_input, "midpoint", keepdims, None,
                     ignore_nan=False)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``median`` of the values that are not nan."""
    return _quantile("nanmedian", a, 0.5, axis, out, overwrite_input, "midpoint", keepdims,
                     None, ignore_nan=True)


def _quantile(name, a, q, axis, out, overwrite_input, method, keepdims, weights, ignore_nan):
    _check_arraylike(name, a, q)
    if out is not None or overwrite_input:
        raise ValueError(f"jax.numpy.{name} does not support overwrite_input=True or "
                         "out != None")
    if method not in _METHODS:
        raise ValueError("method can only be 'linear', 'lower', 'higher', 'midpoint', "
                         "'nearest' or 'inverted_cdf'")
    if weights is not None and method != "inverted_cdf":   # as JAX
        raise NotImplementedError(f"{method} doesn't support weights. Only method "
                                  "'inverted_cdf' supports weights.")
    a, = promote_dtypes_inexact(asarray(a))
    if dtypes.is_complex(a.dtype):
        raise ValueError("quantile does not support complex input, as the operation is "
                         "poorly defined.")
    q = asarray(q)
    if q.ndim > 1:
        raise ValueError(f"q must be have rank <= 1, got shape {q.shape}")
    axes = _canonical_axes(axis, a.ndim)
    kept = [i for i in range(a.ndim) if i not in axes]
    # The reduced axes, flattened into one last axis of length n.
    n = math.prod(a.shape[i] for i in axes)
    as_rows = lambda x: reshape(transpose(x, kept + list(axes)),         # noqa: E731
                                [a.shape[i] for i in kept] + [n])
    if weights is not None:
        weights = as_rows(_quantile_weights(a, weights, axis, axes))
    result = _sorted_quantile(as_rows(a), q, method, ignore_nan, weights)
    if keepdims:
        result = reshape(result, q.shape + tuple(1 if i in axes else d
                                                 for i, d in enumerate(a.shape)))
    return _convert_element_type(result, a.dtype, a.weak_type)


def _quantile_weights(a, weights, axis, axes):
    """``weights`` broadcast to the shape of ``a``: given for all of ``a``, or
    along the reduced axes only."""
    _check_arraylike("quantile", weights)
    weights, = promote_dtypes_inexact(asarray(weights))
    if weights.shape == a.shape:
        return weights
    if axis is None:
        raise ValueError("Weights shape must match 'a' shape when axis is None.")
    along = tuple(a.shape[i] for i in axes)
    if weights.shape != along:
        raise ValueError(f"Weights shape {weights.shape} must match reduction axes {along}")
    return broadcast_to(reshape(weights, [a.shape[i] if i in axes else 1
                                          for i in range(a.ndim)]), a.shape)


def _sorted_quantile(rows, q, method, ignore_nan, weights=None):
    """Quantiles along the last axis of ``rows`` (each value counting as
    much as its weight, if given); the result has shape
    ``q.shape + rows.shape[:-1]``."""
    nan = _convert_element_type(np.nan, rows.dtype, False)
    if ignore_nan:   # sort every nan last (a negative nan would sort first)
        rows = where(isnan(rows), nan, rows)
    else:            # a row with a nan has a nan quantile
        rows = where(any(isnan(rows), axis=-1, keepdims=True), nan, rows)
    if weights is None:
        rows = sort(rows, axis=-1)
    else:            # sort the weights along with the values; a nan weighs nothing
        if ignore_nan:
            weights = where(isnan(rows), _convert_element_type(0, weights.dtype, False),
                            weights)
        order = argsort(rows, axis=-1)
        rows, weights = take_along_axis(rows, order, -1), take_along_axis(weights, order, -1)
    n = rows.shape[-1]
    q_dt = q.dtype if dtypes.is_inexact(q.dtype) else dtypes.default_float_dtype()
    count = (sum(logical_not(isnan(rows)), axis=-1, dtype=q_dt) if ignore_nan else
             _convert_element_type(n, q_dt, False))
    out_shape = q.shape + rows.shape[:-1]
    q = broadcast_to(reshape(q, q.shape + (1,) * (rows.ndim - 1)), out_shape)
    last = count - 1
    if method == "inverted_cdf" and weights is not None:
        # the first sorted value whose cumulative weight reaches q * total weight
        cumulative = cumsum(weights, axis=-1)
        below = cumulative < lax.expand_dims(q, (q.ndim,)) * cumulative[..., -1:]
        index = clip(sum(below, axis=-1, dtype=q_dt), 0, last)
        value = _pick(rows, index)
        return where(count == 0, nan, value) if ignore_nan else value
    if method == "inverted_cdf":   # the first sorted value whose rank reaches q * count
        index = clip(ceil(q * count) - 1, 0, last)
        value = _pick(rows, index)
        if ignore_nan:   # an all-nan row has no quantile
            value = where(count == 0, nan, value)
        return value
    position = q * last
    low, high = floor(position), ceil(position)
    high_weight = position - low
    low_value = _pick(rows, clip(low, 0, last))
    high_value = _pick(rows, clip(high, 0, last))
    if method == "lower":
        return low_value
    if method == "higher":
        return high_value
    if method == "nearest":
        return where(high_weight <= 0.5, low_value, high_value)
    if method == "midpoint":
        return (low_value + high_value) * _convert_element_type(0.5, rows.dtype, False)
    low_value, high_value = (_convert_element_type(v, q.dtype, False)
                             for v in (low_value, high_value))
    return low_value * (1 - high_weight) + high_value * high_weight


def _pick(rows, index):
    """``rows[..., index]`` for a float ``index`` shaped ``q.shape + rows.shape[:-1]``."""
    index = lax.convert_element_type(index, dtypes.int32)
    rows = broadcast_to(rows, index.shape + rows.shape[-1:])
    return take_along_axis(rows, lax.expand_dims(index, (index.ndim,)), -1)[..., 0]


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """The weighted mean over ``axis``; with ``returned``, also the sum of the weights."""
    _check_arraylike("average", a)
    a, = promote_dtypes_inexact(asarray(a))
    axes = _canonical_axes(axis, a.ndim)
    if weights is None:
        avg = mean(a, axis=axes, keepdims=keepdims)
        total = lax.full((), math.prod(a.shape[i] for i in axes), avg.dtype)
    else:
        _check_arraylike("average", weights)
        a, weights = promote_dtypes_inexact(a, weights)
        weights = _weights_like(a, weights, axis, axes)
        total = sum(weights, axis=axes, keepdims=keepdims)
        avg = sum(a * weights, axis=axes, keepdims=keepdims) / total
    if not returned:
        return avg
    return avg, broadcast_to(total, avg.shape)


def _weights_like(a, weights, axis, axes):
    """Weights given along the reduced axes only, reshaped to broadcast against ``a``."""
    if weights.shape == a.shape:
        return weights
    if axis is None:
        raise ValueError("Axis must be specified when shapes of a and weights differ.")
    if weights.shape != tuple(a.shape[i] for i in axes):
        raise ValueError("Shape of weights must be consistent with shape of a along "
                         "specified axis.")
    order = sorted(range(len(axes)), key=lambda k: axes[k])   # weights' axes, in a's order
    weights = transpose(weights, order)
    return reshape(weights, tuple(d if i in axes else 1 for i, d in enumerate(a.shape)))

