"""Polynomials as coefficient arrays, highest power first: ``jnp.polyval``,
``jnp.polyadd``, ``jnp.polysub``, ``jnp.polymul``, ``jnp.polyder``."""
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
