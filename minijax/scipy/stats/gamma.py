"""The gamma distribution with shape ``a``, shifted by ``loc``, stretched by
``scale``.

The CDF needs the regularized incomplete gamma function, which minijax does
not have yet: ``cdf``/``sf`` and their logs are missing here."""
import numpy as np

from ... import numpy as jnp
from ..special import gammaln, xlogy
from ._util import promote


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
