"""The gamma distribution with shape ``a``, shifted by ``loc``, stretched by
``scale``; its CDF is the regularized incomplete gamma function."""
import numpy as np

from ... import numpy as jnp
from ..special import gammainc, gammaincc, gammaln, xlogy
from ._util import clipped_standard, promote


def logpdf(x, a, loc=0, scale=1):
    """(a-1) log y - y - log Gamma(a) - log scale, y = (x - loc)/scale; -inf below loc."""
    x, a, loc, scale = promote("gamma.logpdf", x, a, loc, scale)
    ok = x >= loc
    y = jnp.where(ok, (x - loc) / scale, 1)     # 1: a harmless point where not ok
    log_probs = xlogy(a - 1, y) - y - (gammaln(a) + jnp.log(scale))
    return jnp.where(ok, log_probs, -np.inf)


def pdf(x, a, loc=0, scale=1):
    """The gamma density."""
    return jnp.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0, scale=1):
    """P(a, y), y = (x - loc)/scale clipped to [0, inf]."""
    x, a, loc, scale = promote("gamma.cdf", x, a, loc, scale)
    return gammainc(a, clipped_standard(x, loc, scale, np.inf))


def logcdf(x, a, loc=0, scale=1):
    """log cdf."""
    return jnp.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0, scale=1):
    """Q(a, y) = 1 - cdf, computed directly (accurate in the upper tail)."""
    x, a, loc, scale = promote("gamma.sf", x, a, loc, scale)
    return gammaincc(a, clipped_standard(x, loc, scale, np.inf))


def logsf(x, a, loc=0, scale=1):
    """log sf."""
    return jnp.log(sf(x, a, loc, scale))
