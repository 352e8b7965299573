"""The normal distribution with mean ``loc`` and deviation ``scale``."""
import numpy as np

from ... import numpy as jnp
from .. import special
from ._util import promote


def logpdf(x, loc=0, scale=1):
    """log of the normal density: -((x - loc)/scale)**2 / 2 - log(sqrt(2 pi) scale)."""
    x, loc, scale = promote("norm.logpdf", x, loc, scale)
    scale_squared = scale * scale
    log_normalizer = jnp.log(x.dtype.type(2 * np.pi) * scale_squared)
    return (log_normalizer + (x - loc) ** 2 / scale_squared) / x.dtype.type(-2)


def pdf(x, loc=0, scale=1):
    """The normal density."""
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """The normal CDF, ndtr((x - loc) / scale)."""
    x, loc, scale = promote("norm.cdf", x, loc, scale)
    return special.ndtr((x - loc) / scale)


def logcdf(x, loc=0, scale=1):
    """log of the CDF, accurate in the far left tail (log_ndtr)."""
    x, loc, scale = promote("norm.logcdf", x, loc, scale)
    return special.log_ndtr((x - loc) / scale)


def sf(x, loc=0, scale=1):
    """The survival function 1 - cdf, by symmetry cdf(-x; -loc)."""
    x, loc, scale = promote("norm.sf", x, loc, scale)
    return cdf(-x, -loc, scale)


def logsf(x, loc=0, scale=1):
    """log of the survival function."""
    x, loc, scale = promote("norm.logsf", x, loc, scale)
    return logcdf(-x, -loc, scale)


def ppf(q, loc=0, scale=1):
    """The quantile function (inverse CDF): loc + scale * ndtri(q)."""
    return jnp.asarray(special.ndtri(q) * scale + loc, float)


def isf(q, loc=0, scale=1):
    """The inverse survival function, ppf(1 - q)."""
    return ppf(1 - jnp.asarray(q), loc, scale)
