"""Functions that normalize along an axis: ``softmax`` and its relatives
``log_softmax``, ``logsumexp``, ``logmeanexp``; ``standardize``; and
``one_hot`` (rows of the identity, each summing to one).

All take JAX's ``where=`` mask: masked-out elements take no part in the
reductions (we mask with ``jnp.where`` before reducing, which is what a
masked reduction means), softmax gives them 0 and log_softmax -inf.
The maximum subtracted for stability is wrapped in ``stop_gradient``, as in
JAX: it cancels out of the value, so its derivative would only add rounding.
"""
import operator

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..core import get_aval
from ..numpy.reductions import _canonical_axes
from ._util import arraylike, inexact


def _masked(x, where, fill):
    """``x`` with the elements outside ``where`` replaced by ``fill``."""
    return x if where is None else jnp.where(where, x, fill)


def _masked_max(x, axes, where, keepdims):
    """max over ``axes`` of the elements in ``where``; -inf where none are."""
    return jnp.max(_masked(x, where, -np.inf), axes, keepdims=keepdims, initial=-np.inf)


def _masked_sum(x, axes, where, keepdims):
    return jnp.sum(_masked(x, where, 0), axes, keepdims=keepdims)


def _masked_mean(x, axes, where, keepdims):
    if where is None:
        return jnp.mean(x, axes, keepdims=keepdims)
    count = _count(x, axes, where, keepdims, get_aval(x).dtype)
    return _masked_sum(x, axes, where, keepdims) / count


def _count(x, axes, where, keepdims, dtype):
    """How many elements each reduction over ``axes`` sees."""
    ones = jnp.ones(jnp.shape(x), dtype)
    return _masked_sum(ones, axes, None if where is None else jnp.broadcast_to(
        where, jnp.shape(x)), keepdims)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) over ``axis``, computed stably.

    ``b`` scales each term; with ``return_sign=True`` the result is the pair
    (log|sum|, sign(sum)), otherwise a negative sum gives nan. ``where``
    selects the elements taking part."""
    a = _masked(arraylike("logsumexp", a), where, 0)
    if b is not None:
        a, b = jnp.promote_dtypes_inexact(a, arraylike("logsumexp", b))
        a = jnp.where(b != 0, a, -np.inf)       # zero weights drop out entirely
    else:
        a = inexact("logsumexp", a)
    dims = _canonical_axes(axis, a.ndim)
    amax = _masked_max(jnp.real(a), dims, where, keepdims)
    # An infinite (or empty) maximum would make a - amax nan: shift by 0 then.
    amax = lax.stop_gradient(jnp.where(jnp.isfinite(amax), amax, 0))
    amax_kept = amax if keepdims else lax.expand_dims(amax, dims)
    exp_a = jnp.exp(a - amax_kept.astype(a.dtype))
    if b is not None:
        exp_a = exp_a * b
    total = _masked_sum(exp_a, dims, where, keepdims)
    sign = jnp.sign(total)
    if return_sign or not dtypes.is_complex(total.dtype):
        total = jnp.abs(total)
    out = jnp.log(total) + amax.astype(total.dtype)
    if return_sign:
        return out, sign
    if b is not None and not dtypes.is_complex(out.dtype):
        out = jnp.where(sign < 0, np.nan, out)
    return out


def logmeanexp(x, axis=None, where=None, keepdims=False):
    """log(mean(exp(x))) = logsumexp(x) - log(count), stably."""
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    x = jnp.asarray(x)
    count = _count(x, _canonical_axes(axis, x.ndim), where, keepdims, lse.dtype)
    return lse - jnp.log(count)


def softmax(x, axis=-1, where=None):
    """exp(x) / sum(exp(x)) along ``axis`` (an int, a tuple, or None for all
    axes); masked-out elements give 0."""
    x = arraylike("softmax", x)
    dims = _canonical_axes(axis, x.ndim)
    x_max = _masked_max(x, dims, where, True)
    unnormalized = jnp.exp(_masked(x, where, -np.inf) - lax.stop_gradient(x_max))
    result = unnormalized / _masked_sum(unnormalized, dims, where, True)
    return _masked(result, where, 0)


def log_softmax(x, axis=-1, where=None):
    """x - logsumexp(x) along ``axis``: log-probabilities, stable for large
    inputs; masked-out elements give -inf."""
    x = arraylike("log_softmax", x)
    dims = _canonical_axes(axis, x.ndim)
    x_max = _masked_max(x, dims, where, True)
    shifted = _masked(x, where, -np.inf) - lax.stop_gradient(x_max)
    result = shifted - jnp.log(_masked_sum(jnp.exp(shifted), dims, where, True))
    return _masked(result, where, -np.inf)


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm="fast"):
    """(x - mean) / sqrt(variance + epsilon) along ``axis``.

    Without ``variance``, ``algorithm="fast"`` uses mean(x**2) - mean(x)**2
    (clipped at 0, since it can round below), ``"stable"`` the two-pass
    mean((x - mean)**2)."""
    if algorithm not in ("fast", "stable"):
        raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    x = arraylike("standardize", x)
    dims = _canonical_axes(axis, x.ndim)
    if mean is None:
        mean = _masked_mean(x, dims, where, True)
    if variance is None:
        if algorithm == "stable":
            variance = _masked_mean(jnp.square(x - mean), dims, where, True)
        else:
            variance = jnp.clip(_masked_mean(jnp.square(x), dims, where, True)
                                - jnp.square(mean), 0)
    return (x - mean) * lax.rsqrt(variance + epsilon)


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """Rows of the identity: ``one_hot(y, k)[..., j] == (y == j)``, in
    ``dtype`` (default float), with the new axis at ``axis``."""
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise TypeError("one_hot: num_classes must be a concrete integer (a Python int, "
                        f"not a traced value), got {num_classes!r}") from None
    x = jnp.asarray(x)
    dtype = dtypes.default_float_dtype() if dtype is None else dtype
    if not isinstance(axis, (int, np.integer)):
        raise NotImplementedError("one_hot: named axes (axis=<name>) are not supported")
    axis = lax._canonical_axis(axis, x.ndim + 1)
    shape = [1] * x.ndim
    shape.insert(axis, num_classes)
    classes = lax.broadcasted_iota(x.dtype, tuple(shape), axis)
    return (lax.expand_dims(x, (axis,)) == classes).astype(dtype)
