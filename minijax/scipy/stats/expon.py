"""The exponential distribution, shifted by ``loc`` and stretched by ``scale``."""
import numpy as np

from ... import numpy as jnp
from ._util import promote


def logpdf(x, loc=0, scale=1):
    """-(x - loc)/scale - log(scale) for x >= loc, -inf below."""
    x, loc, scale = promote("expon.logpdf", x, loc, scale)
    log_probs = -((x - loc) / scale + jnp.log(scale))
    return jnp.where(x < loc, -np.inf, log_probs)


def pdf(x, loc=0, scale=1):
    """The exponential density."""
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """1 - exp(-(x - loc)/scale), through expm1 for accuracy near loc."""
    x, loc, scale = promote("expon.cdf", x, loc, scale)
    neg_scaled_x = (loc - x) / scale
    return jnp.where(x < loc, jnp.zeros_like(neg_scaled_x), -jnp.expm1(neg_scaled_x))


def logsf(x, loc=0, scale=1):
    """log(1 - cdf) = -(x - loc)/scale (0 below loc)."""
    x, loc, scale = promote("expon.sf", x, loc, scale)
    neg_scaled_x = (loc - x) / scale
    return jnp.where(x < loc, jnp.zeros_like(neg_scaled_x), neg_scaled_x)


def sf(x, loc=0, scale=1):
    """The survival function exp(logsf)."""
    return jnp.exp(logsf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
    """log(cdf) = log1p(-sf)."""
    return jnp.log1p(-sf(x, loc, scale))


def ppf(q, loc=0, scale=1):
    """loc - scale * log1p(-q), nan for q outside [0, 1]."""
    q, loc, scale = promote("expon.ppf", q, loc, scale)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), np.nan, loc - scale * jnp.log1p(-q))
