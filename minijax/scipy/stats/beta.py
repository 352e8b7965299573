"""The beta distribution on [loc, loc + scale] with shapes ``a`` and ``b``.

The CDF needs the regularized incomplete beta function, which minijax does
not have yet: ``cdf``/``sf`` and their logs are missing here."""
import numpy as np

from ... import numpy as jnp
from ..special import betaln, xlog1py, xlogy
from ._util import promote


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
