"""Discrete calculus: ``jnp.diff``, ``jnp.ediff1d``, ``jnp.cumulative_sum``,
``jnp.trapezoid`` and ``jnp.interp``.

All are slices, sums and selects, so their derivatives come for free.
"""
import operator

import numpy as np

from .. import dtypes, lax
from ..core import concrete_or_error
from ..lax import _convert_element_type
from .creation import _requested_dtype, asarray
from .promotion import _check_arraylike, broadcast_to, promote_dtypes_inexact
from .elementwise import abs, clip, not_equal, where
from .reductions import _sum_dtype, cumsum
from .shapes import concatenate, moveaxis, ravel
from .searching import searchsorted


def _slice_along(a, axis, start, stop):
    """``a[..., start:stop, ...]`` with the slice at ``axis`` (Python slice semantics)."""
    lo, hi, _ = slice(start, stop).indices(a.shape[axis])
    return lax.slice_in_dim(a, lo, max(lo, hi), 1, axis)


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th differences along ``axis`` (``!=`` for booleans)."""
    _check_arraylike("diff", a)
    a = asarray(a)
    n = operator.index(concrete_or_error(n, "the n argument of jnp.diff"))
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if a.ndim == 0:
        raise ValueError(f"diff requires input that is at least one dimensional; got {a}")
    axis = lax._canonical_axis(axis, a.ndim)
    parts = [a]
    if prepend is not None:
        parts.insert(0, _as_slices(prepend, a, axis))
    if append is not None:
        parts.append(_as_slices(append, a, axis))
    if len(parts) > 1:
        a = concatenate(parts, axis)
    for _ in range(n):
        later, earlier = _slice_along(a, axis, 1, None), _slice_along(a, axis, None, -1)
        a = not_equal(later, earlier) if a.dtype == np.bool_ else later - earlier
    return a


def _as_slices(extra, a, axis):
    """``diff``'s ``prepend``/``append``: a scalar stands for one slice along ``axis``."""
    _check_arraylike("diff", extra)
    extra = asarray(extra)
    if extra.ndim == 0:
        shape = list(a.shape)
        shape[axis] = 1
        extra = broadcast_to(extra, shape)
    return extra


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of consecutive elements of the flattened array, with extra
    values before and after."""
    _check_arraylike("ediff1d", ary)
    a = ravel(ary)
    parts = [lax.sub(a[1:], a[:-1])]
    if to_begin is not None:
        _check_arraylike("ediff1d", to_begin)
        parts.insert(0, ravel(asarray(to_begin).astype(a.dtype)))
    if to_end is not None:
        _check_arraylike("ediff1d", to_end)
        parts.append(ravel(asarray(to_end).astype(a.dtype)))
    return concatenate(parts) if len(parts) > 1 else parts[0]


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """The array API's cumulative sum; ``include_initial`` prepends a zero."""
    _check_arraylike("cumulative_sum", x)
    x = asarray(x)
    if x.ndim == 0:
        raise ValueError("The input must be non-scalar to take a cumulative sum, however a "
                         "scalar value or scalar array was given.")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"The input array has rank {x.ndim}, however axis was not set to "
                             "an explicit value. The axis argument is only optional for "
                             "one-dimensional arrays.")
        axis = 0
    axis = lax._canonical_axis(axis, x.ndim)
    # Unlike cumsum, small integers widen here as they do in sums.
    out = cumsum(x, axis, _sum_dtype(x.dtype) if dtype is None else _requested_dtype(dtype))
    if include_initial:
        out = lax.pad(out, _convert_element_type(0, out.dtype, False),
                      [(1 if i == axis else 0, 0, 0) for i in range(x.ndim)])
    return out


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of ``y`` along ``axis`` by the trapezoidal rule, with sample
    points ``x`` (or spacing ``dx``)."""
    if x is None:
        _check_arraylike("trapezoid", y)
        y, = promote_dtypes_inexact(y)
        dx = asarray(dx)
        if dx.ndim > 0:
            dx = moveaxis(lax.expand_dims(dx, tuple(range(y.ndim - dx.ndim))), axis, -1)
    else:
        _check_arraylike("trapezoid", y, x)
        y, x = promote_dtypes_inexact(y, x)
        dx = diff(x) if x.ndim == 1 else moveaxis(diff(x, axis=axis), axis, -1)
    y = moveaxis(y, axis, -1)
    if dx.ndim == 0 or dx.shape[-1] == 1:
        # Equal spacing: every inner sample has weight dx, the two ends dx / 2.
        step = dx if dx.ndim == 0 else dx[..., 0]
        return step * (y.sum(-1) - 0.5 * (y[..., 0] + y[..., -1]))
    return 0.5 * (dx * (y[..., 1:] + y[..., :-1])).sum(-1)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of the points ``(xp, fp)`` at ``x``.

    Outside ``xp`` the result is ``left``/``right`` (default: the end values),
    or the ends' lines extended with ``"extrapolate"``; with ``period`` the
    points repeat periodically.
    """
    _check_arraylike("interp", x, xp, fp)
    if np.shape(xp) != np.shape(fp) or np.ndim(xp) != 1:
        raise ValueError("xp and fp must be one-dimensional arrays of equal size")
    x, xp = promote_dtypes_inexact(x, xp)
    fp, = promote_dtypes_inexact(fp)
    for name, value in (("left", left), ("right", right)):
        if isinstance(value, str) and value != "extrapolate":
            raise ValueError(f"the only valid string value of `{name}` is 'extrapolate', "
                             f"but got: {value!r}")
    if dtypes.is_complex(x.dtype):
        raise ValueError("jnp.interp: complex x values not supported.")
    if period is not None:
        if np.ndim(period) != 0:
            raise ValueError(f"period must be a scalar; got {period}")
        period = abs(period)
        x, xp = x % period, xp % period
        xp, fp = lax.sort_key_val(xp, fp)
        # One point more at each end, from the neighbouring periods.
        xp = concatenate([xp[-1:] - period, xp, xp[:1] + period])
        fp = concatenate([fp[-1:], fp, fp[:1]])
    i = clip(searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
    x0, x1, f0, f1 = xp[i - 1], xp[i], fp[i - 1], fp[i]
    dx = x1 - x0
    # Two equal xp would divide by zero: take the left value (and keep gradients finite).
    flat = abs(dx) <= np.spacing(np.finfo(xp.dtype).eps)
    f = where(flat, f0, f0 + ((x - x0) / where(flat, 1, dx)) * (f1 - f0))
    if period is None:
        if not isinstance(left, str):
            f = where(x < xp[0], fp[0] if left is None else left, f)
        if not isinstance(right, str):
            f = where(x > xp[-1], fp[-1] if right is None else right, f)
    return f
