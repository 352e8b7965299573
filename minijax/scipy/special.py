"""``minijax.scipy.special``: special functions, on top of ``minijax.lax``."""
from .. import lax
from .. import numpy as jnp
from ..nn import logsumexp  # noqa: F401  (jax.scipy.special.logsumexp)


def _inexact(x):
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    return x


def erf(x):
    return lax.erf(_inexact(x))


def erfc(x):
    return lax.erfc(_inexact(x))


def erfinv(x):
    return lax.erf_inv(_inexact(x))


def expit(x):
    """The logistic function 1 / (1 + exp(-x))."""
    return lax.logistic(_inexact(x))


def logit(x):
    """log(x / (1 - x)), the inverse of expit."""
    x = _inexact(x)
    return jnp.log(x) - jnp.log1p(-x)


def gammaln(x):
    return lax.lgamma(_inexact(x))


def digamma(x):
    return lax.digamma(_inexact(x))


def polygamma(n, x):
    x = _inexact(x)
    return lax.polygamma(lax.convert_element_type(n, x.dtype), x)
