"""The Poisson distribution with rate ``mu``."""
import numpy as np

from ... import numpy as jnp
from ..special import entr, gammaincc, gammaln, xlogy
from ._util import promote


def logpmf(k, mu, loc=0):
    """k log mu - log k! - mu for whole k >= loc, -inf elsewhere."""
    k, mu, loc = promote("poisson.logpmf", k, mu, loc)
    x = k - loc
    log_probs = xlogy(x, mu) - gammaln(x + 1) - mu
    return jnp.where((x < 0) | (jnp.round(k) != k), -np.inf, log_probs)


def pmf(k, mu, loc=0):
    """The probability of ``k``."""
    return jnp.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    """P(K <= k) = Q(floor(k - loc) + 1, mu), the regularized upper incomplete
    gamma function; 0 below loc."""
    k, mu, loc = promote("poisson.cdf", k, mu, loc)
    x = k - loc
    return jnp.where(x < 0, 0, gammaincc(jnp.floor(x + 1), mu))


def _entropy_by_sum(mu, terms, upper):
    """-sum_k p_k log p_k over k < min(terms, upper(mu))."""
    k = jnp.arange(terms, dtype=mu.dtype)[:, None]
    probs = jnp.where(k < jnp.ceil(upper(mu))[None, :], pmf(k, mu, 0), 0.0)
    return jnp.sum(entr(probs), axis=0)


def entropy(mu, loc=0):
    """The entropy of Poisson(mu): summed directly for mu < 100 (over
    enough terms), by the asymptotic formula above."""
    mu, loc = promote("poisson.entropy", mu, loc)
    shape = jnp.broadcast_shapes(mu.shape, loc.shape)
    flat = jnp.ravel(mu)
    small = _entropy_by_sum(flat, 35, lambda m: m + 20)
    medium = _entropy_by_sum(flat, 250, lambda m: m + 10 * jnp.sqrt(m) + 20)
    large = 0.5 * jnp.log(2 * np.pi * np.e * flat) - 1.0 / (12 * flat)
    result = jnp.where(flat == 0, 0.0,
                       jnp.where(flat < 10, small, jnp.where(flat < 100, medium, large)))
    return jnp.broadcast_to(jnp.reshape(result, mu.shape), shape)
