"""Reductions that ignore nans: ``jnp.nansum``, ``jnp.nanmean``, ``jnp.nanmax``,
``jnp.nanargmax``, ``jnp.nancumsum``, ...

Each replaces the nans by the reduction's identity (0 for sums, -inf for
maxima, ...) and reduces as usual. Integer and boolean arrays hold no nans, so
they go straight to the ordinary reduction.
"""
import numpy as np

from .. import dtypes, lax
from ..lax import _convert_element_type
from .creation import asarray
from .promotion import _check_arraylike
from .creation import _requested_dtype
from .elementwise import isnan, logical_not, sqrt, where as _where
from ..util import reject_unsupported
from .reductions import (
    _check_where, all, argmax, argmin, cumprod, cumsum, max, mean, min, prod, sum)


def _without_nans(name, a, fill):
    """``a`` with its nans replaced by ``fill`` (``a`` itself if it cannot hold nans)."""
    _check_arraylike(name, a)
    a = asarray(a)
    if not dtypes.is_inexact(a.dtype):
        return a
    return _where(isnan(a), _convert_element_type(fill, a.dtype, False), a)


def _all_nan(a, axis, keepdims):
    return all(isnan(a), axis=axis, keepdims=keepdims)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum over ``axis``, treating nans as zero."""
    return sum(_without_nans("nansum", a, 0), axis, dtype, out, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product over ``axis``, treating nans as one."""
    return prod(_without_nans("nanprod", a, 1), axis, dtype, out, keepdims, initial, where)


def _nan_extremum(reduce, fill, name):
    def fn(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        result = reduce(_without_nans(name, a, fill), axis, out, keepdims, initial, where)
        a = asarray(a)
        if initial is not None or not dtypes.is_inexact(a.dtype):
            return result
        # A slice of nans only has no extremum: nan (when no initial value stands in).
        nan = _convert_element_type(np.nan, result.dtype, False)
        return _where(_all_nan(a, axis, keepdims), nan, result)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name[3:]}`` over ``axis`` ignoring nans (nan where all are nan)."
    return fn


nanmax = _nan_extremum(max, -np.inf, "nanmax")
nanmin = _nan_extremum(min, np.inf, "nanmin")


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """Mean of the values that are not nan."""
    _check_arraylike("nanmean", a)
    a = asarray(a)
    if not dtypes.is_inexact(a.dtype):
        return mean(a, axis, dtype, out, keepdims, where=where)
    dt = a.dtype if dtype is None else _requested_dtype(dtype)
    count = sum(logical_not(isnan(a)), axis, dt, keepdims=keepdims, where=where)
    return lax.div(nansum(a, axis, dt, keepdims=keepdims, where=where), count)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None,
           mean=None):
    """Variance of the values that are not nan (nan where fewer than ``ddof + 1``)."""
    reject_unsupported("jnp.nanvar", out=(out, None))
    _check_arraylike("nanvar", a)
    where = _check_where("nanvar", where)
    computation_dtype, dt = _var_dtypes(asarray(a).dtype, dtype)
    a = _convert_element_type(asarray(a), computation_dtype, False)
    a_mean = (nanmean(a, axis, computation_dtype, keepdims=True, where=where) if mean is None
              else _convert_element_type(asarray(mean), computation_dtype, False))
    nans = isnan(a)
    # Zero the nans *after* subtracting, so that their gradient is zero, not nan.
    centered = _where(nans, _convert_element_type(0, computation_dtype, False), a - a_mean)
    squares = (lax.real(centered * lax.conj(centered)) if dtypes.is_complex(centered.dtype)
               else centered * centered)
    count = sum(logical_not(nans), axis, keepdims=keepdims, where=where) - ddof
    too_few = count <= 0
    total = sum(squares, axis, keepdims=keepdims, where=where)
    total = _where(too_few, _convert_element_type(np.nan, total.dtype, False), total)
    divisor = _convert_element_type(_where(too_few, 1, count), total.dtype, False)
    return _convert_element_type(lax.div(total, divisor), dt, False)


def _var_dtypes(a_dtype, dtype):
    """(computation dtype, result dtype) of a variance, as JAX picks them: the result
    is real (a complex input's variance is real), float16 computes in float32."""
    if dtype is not None:
        dtype = _requested_dtype(dtype)
        if dtypes.is_complex(a_dtype) and not dtypes.is_complex(dtype):
            raise ValueError("jax.numpy.var does not yet support real dtype parameters when "
                             "computing the variance of an array of complex values.")
        computation = dtype
    elif not dtypes.is_inexact(a_dtype):
        dtype = computation = dtypes.to_inexact_dtype(a_dtype)
    else:
        dtype, computation = np.zeros((), a_dtype).real.dtype, a_dtype
    if computation == np.float16:
        computation = np.dtype(np.float32)
    return np.dtype(computation), np.dtype(dtype)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None,
           mean=None):
    """Standard deviation of the values that are not nan."""
    return sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean))


def _nan_arg(reduce, fill, name):
    def fn(a, axis=None, out=None, keepdims=None):
        a = asarray(a)
        result = reduce(_without_nans(name, a, fill), axis, out, keepdims)
        if not dtypes.is_inexact(a.dtype):
            return result
        # A slice of nans only has no position: -1.
        return _where(_all_nan(a, axis, bool(keepdims)), -1, result)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name[3:]}`` ignoring nans (-1 where all are nan)."
    return fn


nanargmax = _nan_arg(argmax, -np.inf, "nanargmax")
nanargmin = _nan_arg(argmin, np.inf, "nanargmin")


def nancumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis``, treating nans as zero."""
    return cumsum(_without_nans("nancumsum", a, 0), axis, dtype, out)


def nancumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product along ``axis``, treating nans as one."""
    return cumprod(_without_nans("nancumprod", a, 1), axis, dtype, out)
