"""Reductions: ``jnp.sum``, ``jnp.max``, ``jnp.mean``, ``jnp.argmax``, ``jnp.cumsum``, ..."""
import builtins
import math

import numpy as np

from .. import dtypes, lax
from ..core import get_aval
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
            combine=None, identity=None):
    """Reduce ``a`` over ``axis`` with ``lax_fn``. Elements outside the ``where_`` mask
    are replaced by the reduction's ``identity``; ``initial`` joins the result last
    (``combine(initial, out)``), as XLA wants identities as init values."""
    _check_arraylike(name, a)
    a = asarray(a)
    where_ = _check_where(name, where_)
    if where_ is not None and initial is None and identity is None:
        raise ValueError(f"reduction operation {name} does not have an identity, so to use a "
                         "where mask one has to specify 'initial'")
    dt = _requested_dtype(dtype) if dtype is not None else (
        default_dtype(a.dtype) if default_dtype else a.dtype)
    a = _convert_element_type(a, dt, False)
    axes = _canonical_axes(axis, a.ndim)
    if where_ is not None:
        fill = identity(dt) if identity is not None else _lowest_or_highest(dt, lax_fn)
        a = where(where_, a, _convert_element_type(fill, dt, False))
    out = lax_fn(a, axes) if axes else a
    if initial is not None:
        initial = asarray(initial)
        if initial.shape != ():
            raise ValueError(f"initial value must be a scalar. Got array of shape "
                             f"{initial.shape}")
        out = combine(_convert_element_type(initial, dt, False), out)
    return _keep(out, axes, keepdims)


def _check_where(name, where_):
    """The ``where=`` mask as an array; JAX accepts only booleans."""
    if where_ is None:
        return None
    _check_arraylike(name, where_)
    where_ = asarray(where_)
    if where_.dtype != np.bool_:
        raise ValueError(f"jnp.{name}: where must be None or a boolean array; got "
                         f"where.dtype={where_.dtype!r}.")
    return where_


def _lowest_or_highest(dt, lax_fn):
    """The identity of max (the lowest value of ``dt``) or of min (the highest)."""
    want_low = lax_fn is lax.reduce_max
    if dt == np.bool_:
        return np.bool_(not want_low)
    if dtypes.is_inexact(dt):
        return -np.inf if want_low else np.inf
    info = np.iinfo(dt)
    return info.min if want_low else info.max


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum of elements over ``axis`` (all axes by default)."""
    return _reduce(lax.reduce_sum, "sum", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.add, identity=lambda dt: 0)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product of elements over ``axis``."""
    return _reduce(lax.reduce_prod, "prod", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.mul, identity=lambda dt: 1)


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
    return _reduce(lax.reduce_and, "all", a, axis, None, keepdims, None, where,
                   identity=lambda dt: True)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_or, "any", a, axis, None, keepdims, None, where,
                   identity=lambda dt: False)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Arithmetic mean over ``axis``; integers average in floating point."""
    a = asarray(a)
    axes = _canonical_axes(axis, a.ndim)
    dt = _requested_dtype(dtype) if dtype is not None else (
        a.dtype if dtypes.is_inexact(a.dtype) else dtypes.default_float_dtype())
    total = sum(a, axis, dt, keepdims=keepdims, where=where)
    return lax.div(total, _count(a, axes, keepdims, where, dt))


def _count(a, axes, keepdims, where_, dt):
    """How many elements a reduction over ``axes`` sees (those in the mask, if any)."""
    if where_ is None:
        return _convert_element_type(math.prod(a.shape[i] for i in axes), dt, False)
    mask = jnp.broadcast_to(_check_where("mean", where_), a.shape)
    return sum(mask, axes, dt, keepdims=keepdims)


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
    out = lax.div(total, _convert_element_type(count, total.dtype, False))
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
