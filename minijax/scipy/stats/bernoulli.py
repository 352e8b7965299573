"""The Bernoulli distribution: 1 with probability ``p``, else 0."""
import numpy as np

from ... import numpy as jnp
from ..special import xlog1py, xlogy
from ._util import promote


def logpmf(k, p, loc=0):
    """k log p + (1 - k) log(1 - p) for k - loc in {0, 1}, -inf elsewhere."""
    k, p, loc = promote("bernoulli.logpmf", k, p, loc)
    x = k - loc
    log_probs = xlogy(x, p) + xlog1py(1 - x, -p)
    return jnp.where((x < 0) | (x > 1), -np.inf, log_probs)


def pmf(k, p, loc=0):
    """The probability of ``k``."""
    return jnp.exp(logpmf(k, p, loc))


def cdf(k, p):
    """0 below 0, 1 - p on [0, 1), 1 from 1 on (nan for invalid p)."""
    k, p = promote("bernoulli.cdf", k, p)
    invalid = jnp.isnan(k) | jnp.isnan(p) | (p < 0) | (p > 1)
    return jnp.select([invalid, k < 0, (k >= 0) & (k < 1), k >= 1],
                      [np.nan, jnp.zeros_like(k), 1 - p, jnp.ones_like(k)])


def ppf(q, p):
    """The smallest k with cdf(k) >= q: 0 if q <= 1 - p, else 1."""
    q, p = promote("bernoulli.ppf", q, p)
    invalid = jnp.isnan(q) | jnp.isnan(p) | (p < 0) | (p > 1) | (q < 0) | (q > 1)
    return jnp.where(invalid, np.nan, jnp.where(q <= 1 - p, 0.0, 1.0).astype(q.dtype))
