"""The uniform distribution on [loc, loc + scale]."""
import numpy as np

from ... import numpy as jnp
from ._util import promote


def logpdf(x, loc=0, scale=1):
    """-log(scale) inside [loc, loc + scale], -inf outside."""
    x, loc, scale = promote("uniform.logpdf", x, loc, scale)
    outside = (x > loc + scale) | (x < loc)
    return jnp.where(outside, -np.inf, -jnp.log(scale))


def pdf(x, loc=0, scale=1):
    """The uniform density."""
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """0 below loc, 1 above loc + scale, linear in between."""
    x, loc, scale = promote("uniform.cdf", x, loc, scale)
    inside = (x >= loc) & (x <= loc + scale)
    return jnp.select([x < loc, x > loc + scale, inside],
                      [jnp.array(0, x.dtype), jnp.array(1, x.dtype), (x - loc) / scale])


def ppf(q, loc=0, scale=1):
    """loc + scale * q, nan for q outside [0, 1]."""
    q, loc, scale = promote("uniform.ppf", q, loc, scale)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), np.nan, loc + scale * q)
