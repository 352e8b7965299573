"""The beta distribution on [loc, loc + scale] with shapes ``a`` and ``b``;
its CDF is the regularized incomplete beta function."""
import numpy as np

from ... import numpy as jnp
from ..special import betainc, betaln, xlog1py, xlogy
from ._util import clipped_standard, promote


def logpdf(x, a, b, loc=0, scale=1):
    """(a-1) log y + (b-1) log(1-y) - log B(a, b) - log scale, y = (x-loc)/scale;
    -inf outside the support, nan for non-positive a, b or scale."""
    x, a, b, loc, scale = promote("beta.logpdf", x, a, b, loc, scale)
    y = (x - loc) / scale
    log_probs = -betaln(a, b) + xlogy(a - 1, y) + xlog1py(b - 1, -y) - jnp.log(scale)
    result = jnp.where((x > loc + scale) | (x < loc), -np.inf, log_probs)
    return jnp.where((a <= 0) | (b <= 0) | (scale <= 0), np.nan, result)


def pdf(x, a, b, loc=0, scale=1):
    """The beta density."""
    return jnp.exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0, scale=1):
    """I_y(a, b), y = (x - loc)/scale clipped to [0, 1]. Differentiable in x
    (and loc, scale) only: betainc has no derivative in a and b, as in JAX."""
    x, a, b, loc, scale = promote("beta.cdf", x, a, b, loc, scale)
    return betainc(a, b, clipped_standard(x, loc, scale, 1))


def logcdf(x, a, b, loc=0, scale=1):
    """log cdf."""
    return jnp.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
    """I_{1-y}(b, a) = 1 - cdf, computed directly (accurate in the upper tail)."""
    x, a, b, loc, scale = promote("beta.sf", x, a, b, loc, scale)
    return betainc(b, a, 1 - clipped_standard(x, loc, scale, 1))


def logsf(x, a, b, loc=0, scale=1):
    """log sf."""
    return jnp.log(sf(x, a, b, loc, scale))
