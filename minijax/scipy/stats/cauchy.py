"""The Cauchy distribution."""
import numpy as np

from ... import numpy as jnp
from ._util import promote


def logpdf(x, loc=0, scale=1):
    """-log(pi scale) - log1p(z**2), z = (x - loc)/scale."""
    x, loc, scale = promote("cauchy.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return -(jnp.log(x.dtype.type(np.pi) * scale) + jnp.log1p(z * z))


def pdf(x, loc=0, scale=1):
    """The Cauchy density."""
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """1/2 + arctan(z)/pi."""
    x, loc, scale = promote("cauchy.cdf", x, loc, scale)
    z = (x - loc) / scale
    return x.dtype.type(0.5) + x.dtype.type(1 / np.pi) * jnp.arctan(z)


def logcdf(x, loc=0, scale=1):
    """log(cdf)."""
    return jnp.log(cdf(x, loc, scale))


def sf(x, loc=0, scale=1):
    """1 - cdf, by symmetry cdf(-x; -loc)."""
    x, loc, scale = promote("cauchy.sf", x, loc, scale)
    return cdf(-x, -loc, scale)


def logsf(x, loc=0, scale=1):
    """log of the survival function."""
    x, loc, scale = promote("cauchy.logsf", x, loc, scale)
    return logcdf(-x, -loc, scale)


def ppf(q, loc=0, scale=1):
    """loc + scale * tan(pi (q - 1/2))."""
    q, loc, scale = promote("cauchy.ppf", q, loc, scale)
    return jnp.tan(q.dtype.type(np.pi) * q - q.dtype.type(np.pi / 2)) * scale + loc


def isf(q, loc=0, scale=1):
    """loc + scale * tan(pi (1/2 - q))."""
    q, loc, scale = promote("cauchy.isf", q, loc, scale)
    return jnp.tan(q.dtype.type(np.pi / 2) - q.dtype.type(np.pi) * q) * scale + loc
