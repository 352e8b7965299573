"""The logistic distribution (whose CDF is the sigmoid)."""
from ... import numpy as jnp
from ..special import expit, logit
from ._util import promote


def logpdf(x, loc=0, scale=1):
    """-2 log(exp(z/2) + exp(-z/2)) - log(scale), z = (x - loc)/scale:
    symmetric and stable for large |z|."""
    x, loc, scale = promote("logistic.logpdf", x, loc, scale)
    half_z = (x - loc) / scale / 2
    return -2 * jnp.logaddexp(half_z, -half_z) - jnp.log(scale)


def pdf(x, loc=0, scale=1):
    """The logistic density."""
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """expit((x - loc)/scale)."""
    x, loc, scale = promote("logistic.cdf", x, loc, scale)
    return expit((x - loc) / scale)


def sf(x, loc=0, scale=1):
    """expit(-(x - loc)/scale)."""
    x, loc, scale = promote("logistic.sf", x, loc, scale)
    return expit(-(x - loc) / scale)


def ppf(x, loc=0, scale=1):
    """loc + scale * logit(q)."""
    x, loc, scale = promote("logistic.ppf", x, loc, scale)
    return logit(x) * scale + loc


def isf(x, loc=0, scale=1):
    """loc - scale * logit(q)."""
    x, loc, scale = promote("logistic.isf", x, loc, scale)
    return -logit(x) * scale + loc
