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
from ..util import reject_unsupported

_select = where   # for functions whose ``where=`` argument hides jnp.where


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


def _check_where(name, where_):
    """``where=`` must be a boolean mask (JAX refuses other dtypes)."""
    if where_ is None:
        return None
    where_ = asarray(where_)
    if where_.dtype != np.bool_:
        raise ValueError(f"jnp.{name}: where must be None or a boolean array; got "
                         f"dtype={where_.dtype.name}.")
    return where_


def _reduce(lax_fn, name, a, axis, dtype, keepdims, initial, where_, default_dtype=None,
            combine=None, identity=None, out=None, upcast_f16=False):
    """A reduction over ``axis``: entries where the mask ``where_`` is False
    count as the operation's ``identity`` (a function of the dtype; None for
    max and min, which then need ``initial``), and ``initial`` is combined in last."""
    _check_arraylike(name, a)
    reject_unsupported(f"jnp.{name}", out=(out, None))
    a = asarray(a)
    where_ = _check_where(name, where_)
    dt = _requested_dtype(dtype) if dtype is not None else (
        default_dtype(a.dtype) if default_dtype else a.dtype)
    # Sums and products of 16-bit floats accumulate in float32 (as JAX's do
    # when no dtype is asked for) and are rounded once, at the end.
    computation_dt = _upcast_f16(dt) if upcast_f16 and dtype is None else dt
    a = _convert_element_type(a, computation_dt, False)
    axes = _canonical_axes(axis, a.ndim)
    if where_ is not None:
        if identity is None and initial is None:
            raise ValueError(f"reduction operation {name} does not have an identity, so to "
                             "use a where mask one has to specify 'initial'")
        fill = _lowest(dt) if name == "max" else _highest(dt) if name == "min" else identity(dt)
        a = where(where_, a, _convert_element_type(fill, computation_dt, False))
    out = lax_fn(a, axes) if axes else a
    if initial is not None:
        initial = asarray(initial)
        if initial.shape != ():
            raise ValueError(f"initial value must be a scalar. Got array of shape "
                             f"{initial.shape}")
        out = combine(_convert_element_type(initial, computation_dt, False), out)
    return _keep(_convert_element_type(out, dt, False), axes, keepdims)


def _upcast_f16(dt):
    """float32 for the 16-bit floats, whose sums lose too much on the way."""
    return dtypes.float32 if np.dtype(dt) in (np.dtype(np.float16), dtypes.bfloat16) else dt


def _lowest(dt):
    """The identity of max: -inf, or the dtype's minimum (False for bool)."""
    dt = np.dtype(dt)
    return -np.inf if dt.kind in "fc" else False if dt.kind == "b" else np.iinfo(dt).min


def _highest(dt):
    dt = np.dtype(dt)
    return np.inf if dt.kind in "fc" else True if dt.kind == "b" else np.iinfo(dt).max


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum of elements over ``axis`` (all axes by default)."""
    return _reduce(lax.reduce_sum, "sum", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.add, identity=lambda dt: 0, out=out, upcast_f16=True)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product of elements over ``axis``."""
    return _reduce(lax.reduce_prod, "prod", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.mul, identity=lambda dt: 1, out=out, upcast_f16=True)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Largest element over ``axis``."""
    _check_nonempty("max", a, axis, initial)
    return _reduce(lax.reduce_max, "max", a, axis, None, keepdims, initial, where,
                   combine=lax.max, out=out)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Smallest element over ``axis``."""
    _check_nonempty("min", a, axis, initial)
    return _reduce(lax.reduce_min, "min", a, axis, None, keepdims, initial, where,
                   combine=lax.min, out=out)


amax, amin = max, min


def _check_nonempty(name, a, axis, initial):
    aval = get_aval(asarray(a))
    axes = _canonical_axes(axis, aval.ndim)
    if initial is None and builtins.any(aval.shape[i] == 0 for i in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no "
                         "identity")


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    """True where every element over ``axis`` is nonzero."""
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_and, "all", a, axis, None, keepdims, None, where,
                   identity=lambda dt: True, out=out)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    """True where some element over ``axis`` is nonzero."""
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_or, "any", a, axis, None, keepdims, None, where,
                   identity=lambda dt: False, out=out)


def _count(a, axes, keepdims, where_, dtype):
    """How many elements each reduction over ``axes`` sees (those where the
    mask is True), in ``dtype``."""
    if where_ is None:
        return _convert_element_type(math.prod(a.shape[i] for i in axes), dtype, False)
    return sum(jnp.broadcast_to(where_, a.shape), axes, dtype, keepdims=keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Arithmetic mean over ``axis``; integers average in floating point."""
    a = asarray(a)
    axes = _canonical_axes(axis, a.ndim)
    count = math.prod(a.shape[i] for i in axes)
    dt = _requested_dtype(dtype) if dtype is not None else (
        a.dtype if dtypes.is_inexact(a.dtype) else dtypes.default_float_dtype())
    reject_unsupported("jnp.mean", out=(out, None))
    # As in JAX, float16 averages in float32 unless a dtype is asked for.
    compute = dtypes.float32 if dtype is None and dt == np.float16 else dt
    total = sum(a, axis, compute, keepdims=keepdims, where=where)
    if where is not None:   # the mean of the selected elements
        total = lax.div(total, _count(a, axes, keepdims, _check_where("mean", where), compute))
        return _convert_element_type(total, dt, False)
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
    """Variance: the mean of ``|a - mean(a)|**2`` over the elements selected by
    ``where``, with ``N - ddof`` as the divisor (nan where that is not positive)."""
    reject_unsupported("jnp.var", out=(out, None))
    if correction is None:
        correction = ddof
    elif not isinstance(ddof, int) or ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    a = asarray(a)
    where = _check_where("var", where)
    dt, out_dtype = _var_dtypes(a.dtype, dtype)
    dt = _upcast_f16(dt)    # 16-bit floats: all in float32, rounded once (as JAX)
    a = _convert_element_type(a, dt, False)
    axes = _canonical_axes(axis, a.ndim)
    centered = lax.sub(a, mean(a, axes, dtype=dt, keepdims=True, where=where))
    if dtypes.is_complex(dt):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
        dt = centered.dtype
    else:
        centered = lax.mul(centered, centered)
    divisor = lax.sub(_count(a, axes, keepdims, where, dt),
                      _convert_element_type(correction, dt, False))
    out = lax.div(sum(centered, axes, dt, keepdims=keepdims, where=where), divisor)
    # Nothing left to divide by (ddof >= N, or an empty mask): nan, as in JAX.
    out = _select(lax.gt(divisor, _convert_element_type(0, dt, False)), out,
                 _convert_element_type(np.nan, dt, False))
    return _convert_element_type(out, out_dtype, False)


def _var_dtypes(a_dtype, dtype):
    """(the dtype to compute in, the dtype of the result) of ``var``: the
    requested one for both; else the inexact type of ``a``, and its real part."""
    if dtype is not None:
        dtype = _requested_dtype(dtype)
        if dtypes.is_complex(a_dtype) and not dtypes.is_complex(dtype):
            raise ValueError("jnp.var does not support a real dtype for the variance of "
                             "complex values (as JAX).")
        return dtype, dtype
    if not dtypes.is_inexact(a_dtype):
        a_dtype = dtypes.default_float_dtype()
    return a_dtype, np.zeros((), a_dtype).real.dtype


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Standard deviation: ``sqrt(var(a))``."""
    return sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction))


def _arg(lax_fn, name):
    def fn(a, axis=None, out=None, keepdims=None):
        reject_unsupported(f"jnp.{name}", out=(out, None))
        a = asarray(a)
        if axis is None:
            result = lax_fn(jnp.ravel(a), 0, dtypes.default_int_dtype())
            return lax.expand_dims(result, tuple(range(a.ndim))) if keepdims else result
        axis = lax._canonical_axis(axis, a.ndim)
        result = lax_fn(a, axis, dtypes.default_int_dtype())
        return lax.expand_dims(result, (axis,)) if keepdims else result
    fn.__name__ = name
    fn.__doc__ = f"Index of the {name[3:]}imum along ``axis`` (of the flattened array if None)."
    return fn


argmax = _arg(lax.argmax, "argmax")
argmin = _arg(lax.argmin, "argmin")


def _cumulative(lax_fn, name):
    def fn(a, axis=None, dtype=None, out=None):
        reject_unsupported(f"jnp.{name}", out=(out, None))
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
