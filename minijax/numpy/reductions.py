"""Reductions: ``jnp.sum``, ``jnp.max``, ``jnp.mean``, ``jnp.argmax``, ``jnp.cumsum``, ..."""
import builtins
import math

import numpy as np

from .. import dtypes, lax
from ..core import get_aval
from ..jaxpr import is_staging
from ..lax import _convert_element_type
from .. import numpy as jnp  # a cycle: jnp.<name> reaches modules that import this one
from .creation import asarray, _requested_dtype, zeros_like
from .promotion import _check_arraylike, promote_dtypes_inexact
from .elementwise import exp, isfinite, log, not_equal, sqrt, where


def _canonical_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) or hasattr(axis, "__index__") and \
        not isinstance(axis, (tuple, list)) else tuple(axis)
    out = tuple(lax._canonical_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return out


def _keep(out, axes, keepdims):
    return lax.expand_dims(out, axes) if keepdims else out


def _sum_dtype(dt):
    """numpy's rule: sums of small integers and booleans widen to the default int."""
    if dt == np.bool_ or (dt.kind == "i" and dt.itemsize < dtypes.default_int_dtype().itemsize):
        return dtypes.default_int_dtype()
    if dt.kind == "u" and dt.itemsize < 4:
        return dtypes.canonicalize_dtype(np.uint64) if dtypes.config.x64_enabled else dtypes.uint32
    return dt


def _reduce(lax_fn, name, a, axis, dtype, keepdims, initial, where_, default_dtype=None,
            combine=None):
    _check_arraylike(name, a)
    a = asarray(a)
    if where_ is not None:
        raise NotImplementedError(f"jnp.{name} does not support the `where` argument")
    dt = _requested_dtype(dtype) if dtype is not None else (
        default_dtype(a.dtype) if default_dtype else a.dtype)
    a = _convert_element_type(a, dt, False)
    axes = _canonical_axes(axis, a.ndim)
    out = lax_fn(a, axes) if axes else a
    if initial is not None:
        out = combine(out, asarray(initial, dt))
    return _keep(out, axes, keepdims)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum of elements over ``axis`` (all axes by default)."""
    return _reduce(lax.reduce_sum, "sum", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.add)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product of elements over ``axis``."""
    return _reduce(lax.reduce_prod, "prod", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.mul)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Largest element over ``axis``."""
    _check_nonempty("max", a, axis, initial)
    return _reduce(lax.reduce_max, "max", a, axis, None, keepdims, initial, where,
                   combine=lax.max)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Smallest element over ``axis``."""
    _check_nonempty("min", a, axis, initial)
    return _reduce(lax.reduce_min, "min", a, axis, None, keepdims, initial, where,
                   combine=lax.min)


amax, amin = max, min


def _check_nonempty(name, a, axis, initial):
    aval = get_aval(asarray(a))
    axes = _canonical_axes(axis, aval.ndim)
    if initial is None and builtins.any(aval.shape[i] == 0 for i in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no "
                         "identity")


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_and, "all", a, axis, None, keepdims, None, where)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_or, "any", a, axis, None, keepdims, None, where)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Arithmetic mean over ``axis``; integers average in floating point."""
    a = asarray(a)
    axes = _canonical_axes(axis, a.ndim)
    count = math.prod(a.shape[i] for i in axes)
    dt = _requested_dtype(dtype) if dtype is not None else (
        a.dtype if dtypes.is_inexact(a.dtype) else dtypes.default_float_dtype())
    # As in JAX, float16 averages in float32 unless a dtype is asked for.
    compute = dtypes.float32 if dtype is None and dt == np.float16 else dt
    total = sum(a, axis, compute, keepdims=keepdims, where=where)
    return _convert_element_type(_divide_by_count(total, count), dt, False)


def _divide_by_count(total, count):
    """``total / count`` rounded as JAX rounds it. JAX's reductions run
    compiled, with the count a constant, and XLA turns division by a constant
    into multiplication by its reciprocal: ``jnp.mean(jnp.arange(100) < 97)``
    is ``97 * (1/100)``, 0.96999997. A jaxpr being recorded keeps JAX's
    ``div`` (XLA rewrites it when the program is compiled); a value computed
    now is multiplied by the reciprocal here."""
    dt = get_aval(total).dtype
    if is_staging() or not dtypes.is_inexact(dt):
        return lax.div(total, _convert_element_type(count, dt, False))
    return lax.mul(total, _convert_element_type(np.reciprocal(np.asarray(count, dt)), dt, False))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Variance: mean of ``|a - mean(a)|**2``, divided by ``N - ddof``."""
    ddof = ddof if correction is None else correction
    a = asarray(a)
    a, = promote_dtypes_inexact(a)
    a = _convert_element_type(a, a.dtype, False)
    axes = _canonical_axes(axis, a.ndim)
    centered = lax.sub(a, mean(a, axes, keepdims=True))
    sq = (lax.real(lax.mul(centered, lax.conj(centered))) if dtypes.is_complex(a.dtype)
          else lax.mul(centered, centered))
    count = math.prod(a.shape[i] for i in axes) - ddof
    total = sum(sq, axes, keepdims=keepdims)
    out = _divide_by_count(total, count)
    return out if dtype is None else out.astype(dtype)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Standard deviation: ``sqrt(var(a))``."""
    return sqrt(var(a, axis, dtype, out, ddof, keepdims, correction=correction))


def _arg(lax_fn, name):
    def fn(a, axis=None, out=None, keepdims=None):
        a = asarray(a)
        if axis is None:
            result = lax_fn(jnp.ravel(a), 0, dtypes.int32)
            return lax.expand_dims(result, tuple(range(a.ndim))) if keepdims else result
        axis = lax._canonical_axis(axis, a.ndim)
        result = lax_fn(a, axis, dtypes.int32)
        return lax.expand_dims(result, (axis,)) if keepdims else result
    fn.__name__ = name
    fn.__doc__ = f"Index of the {name[3:]}imum along ``axis`` (of the flattened array if None)."
    return fn


argmax = _arg(lax.argmax, "argmax")
argmin = _arg(lax.argmin, "argmin")


def _cumulative(lax_fn, name):
    def fn(a, axis=None, dtype=None, out=None):
        a = asarray(a)
        if axis is None:
            a, axis = jnp.ravel(a), 0
        # Only booleans are promoted (to the default int): int8 sums stay int8, as in JAX.
        dt = _requested_dtype(dtype) if dtype is not None else (
            dtypes.default_int_dtype() if a.dtype == np.bool_ else a.dtype)
        return lax_fn(_convert_element_type(a, dt, False), lax._canonical_axis(axis, a.ndim))
    fn.__name__ = name
    return fn


cumsum = _cumulative(lax.cumsum, "cumsum")
cumprod = _cumulative(lax.cumprod, "cumprod")


def logsumexp(a, axis=None, keepdims=False):
    """``log(sum(exp(a)))`` computed stably (shift by the maximum)."""
    a, = promote_dtypes_inexact(asarray(a))
    axes = _canonical_axes(axis, a.ndim)
    amax = lax.stop_gradient(max(a, axes, keepdims=True))
    amax = where(isfinite(amax), amax, zeros_like(amax))
    out = log(sum(exp(a - amax), axes, keepdims=True)) + amax
    return out if keepdims else lax.squeeze(out, axes)
