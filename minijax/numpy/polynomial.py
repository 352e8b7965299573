"""Polynomials as coefficient arrays, highest power first: ``jnp.polyval``,
``jnp.polyadd``, ``jnp.polysub``, ``jnp.polymul``, ``jnp.polyder``,
``jnp.polyint``, and the least-squares ``jnp.polyfit``."""
import operator

import numpy as np

from .. import lax
from ..core import concrete_or_error
from .creation import asarray, zeros
from .promotion import _check_arraylike, broadcast_shapes, promote_dtypes, promote_dtypes_inexact
from .products import convolve


def polyval(p, x, *, unroll=16):
    """The polynomial with coefficients ``p`` at ``x``, by Horner's rule.

    JAX runs Horner's rule as a ``scan`` unrolled ``unroll`` steps at a time, a
    speed knob that does not change the result; we unroll it in Python.
    """
    _check_arraylike("polyval", p, x)
    operator.index(unroll)
    p, x = promote_dtypes(p, x)
    shape = broadcast_shapes(p.shape[1:], x.shape)
    y = lax.full(shape, 0, x.dtype)
    for i in range(p.shape[0]):
        y = y * x + p[i]
    return y


def polyadd(a1, a2):
    """The sum of two polynomials (aligned at their constant terms)."""
    _check_arraylike("polyadd", a1, a2)
    a1, a2 = promote_dtypes(a1, a2)
    if a2.shape[0] > a1.shape[0]:
        a1, a2 = a2, a1
    return a1.at[a1.shape[0] - a2.shape[0]:].add(a2)


def polysub(a1, a2):
    """The difference of two polynomials."""
    _check_arraylike("polysub", a1, a2)
    a1, a2 = promote_dtypes(a1, a2)
    return polyadd(a1, -a2)


def polymul(a1, a2, *, trim_leading_zeros=False):
    """The product of two polynomials: the convolution of their coefficients."""
    _check_arraylike("polymul", a1, a2)
    a1, a2 = promote_dtypes_inexact(a1, a2)
    if trim_leading_zeros and (a1.shape[0] > 1 or a2.shape[0] > 1):
        a1, a2 = _trim_leading_zeros(a1), _trim_leading_zeros(a2)
    if a1.shape[0] == 0:
        a1 = zeros(1, a2.dtype)
    if a2.shape[0] == 0:
        a2 = zeros(1, a1.dtype)
    return convolve(a1, a2, mode="full")


def _trim_leading_zeros(p):
    """``p`` without its leading zero coefficients (the values must be concrete)."""
    values = concrete_or_error(p, "jnp.polymul with trim_leading_zeros=True")
    nonzero = np.flatnonzero(values)
    return p[nonzero[0]:] if nonzero.size else p[:0]


def polyder(p, m=1):
    """The ``m``-th derivative of the polynomial ``p``."""
    _check_arraylike("polyder", p)
    m = operator.index(concrete_or_error(m, "the m argument of jnp.polyder"))
    p, = promote_dtypes_inexact(asarray(p))
    if m < 0:
        raise ValueError("Order of derivative must be positive")
    if m == 0:
        return p
    n = p.shape[0]
    # The coefficient of x**k gains the factor k (k-1) ... (k-m+1).
    powers = np.arange(n - 1, m - 1, -1)
    factors = np.prod([powers - i for i in range(m)], axis=0) if n > m else np.zeros(0)
    return p[:max(n - m, 0)] * asarray(factors.astype(p.dtype))


def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative of the polynomial ``p``, with integration
    constants ``k`` (a scalar for all m, or one per integration, the first
    integration's first; 0 by default)."""
    from . import atleast_1d, concatenate, full
    m = operator.index(concrete_or_error(m, "'m' argument of jnp.polyint"))
    k = 0 if k is None else k
    _check_arraylike("polyint", p, k)
    p, k = promote_dtypes_inexact(asarray(p), asarray(k))
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k = atleast_1d(k)
    if k.shape[0] == 1:
        k = full((m,), k[0])
    if k.shape != (m,):
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or m.")
    if m == 0:
        return p
    # Integrating m times divides the coefficient of x**j by (j+1)(j+2)...(j+m);
    # the constants come out as k[i] / i! at the tail (x**i).
    n = p.shape[0] + m
    powers = np.arange(n - 1, -1, -1)                     # of the result, highest first
    divisors = np.prod([np.maximum(powers - i, 1) for i in range(m)], axis=0)
    return concatenate([p, k]) / asarray(divisors.astype(p.dtype))


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """The least-squares polynomial of degree ``deg`` through (x, y) (``y``
    may hold one column per data set), highest power first.

    ``rcond``: the relative cut-off for small singular values (default
    len(x) * eps); ``w``: weights multiplying the residuals; ``full``: also
    return (residuals, rank, singular values, rcond); ``cov``: also return
    the coefficients' covariance, scaled by the residual variance (``True``)
    or not (``"unscaled"``)."""
    _check_arraylike("polyfit", *(x, y) if w is None else (x, y, w))
    x = asarray(x)
    if x.dtype.kind not in "fc":
        # JAX takes rcond's default from x's own dtype, and so refuses integers.
        raise ValueError(f"polyfit: x of dtype {x.dtype} is not inexact (as in JAX)")
    default_rcond = x.shape[0] * float(np.finfo(x.dtype).eps) if x.ndim else None
    x, y = promote_dtypes_inexact(x, asarray(y))
    deg = operator.index(concrete_or_error(deg, "deg must be int"))
    if rcond is not None:
        rcond = float(concrete_or_error(rcond, "rcond must be float"))
    _check_polyfit_shapes(x, y, deg)
    if rcond is None:
        rcond = default_rcond
    lhs, rhs = _vandermonde(x, deg + 1), y
    if w is not None:
        lhs, rhs = _weighted(lhs, rhs, w)
    # Scale the columns to unit norm: a better conditioned problem for lstsq.
    scale = lax.sqrt((lhs * lhs).sum(axis=0))
    lhs = lhs / scale[None, :]
    from .linalg import lstsq
    c, resids, rank, s = lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if full:
        return c, resids, rank, s, asarray(rcond)
    if cov:
        return c, _polyfit_covariance(lhs, scale, resids, x.shape[0], deg + 1, y.ndim, cov)
    return c


def _check_polyfit_shapes(x, y, deg):
    """JAX's checks (and exception types) on polyfit's arguments."""
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")


def _vandermonde(x, columns):
    """The matrix of x**(columns-1), ..., x, 1."""
    return x[:, None] ** asarray(np.arange(columns - 1, -1, -1), x.dtype)


def _weighted(lhs, rhs, w):
    """Both sides' rows multiplied by the weights ``w``."""
    w, = promote_dtypes_inexact(asarray(w))
    if w.ndim != 1:
        raise TypeError("expected a 1-d array for weights")
    if w.shape[0] != rhs.shape[0]:
        raise TypeError("expected w and y to have the same length")
    return lhs * w[:, None], rhs * (w[:, None] if rhs.ndim == 2 else w)


def _polyfit_covariance(lhs, scale, resids, points, order, y_ndim, cov):
    """inv(A^T A) of the scaled Vandermonde matrix A, unscaled back to the
    coefficients, times the residual variance unless ``cov == "unscaled"``;
    with a trailing axis per data set when ``y`` is 2-D."""
    from .linalg import inv
    base = inv(lhs.T @ lhs) / (scale[:, None] * scale[None, :])
    if isinstance(cov, str) and cov == "unscaled":
        factor = asarray(1.0, base.dtype)
    else:
        if points <= order:
            raise ValueError("the number of data points must exceed order to scale the "
                             "covariance matrix")
        factor = resids / (points - order)
    factor = factor.reshape(-1)
    if y_ndim == 1:
        return base * factor[None]
    return base[:, :, None] * factor[None, None, :]
