"""The chi-squared distribution with ``df`` degrees of freedom: the gamma
distribution with shape df/2 and scale 2 (times ``scale``).

Where JAX's own formula gives nan (the density at x = loc for df = 2, and at
x = inf or nan), we give the gamma distribution's values, which are scipy's."""
from . import gamma
from ._util import promote


def _as_gamma(name, x, df, loc, scale):
    """The gamma distribution's arguments (x, a, loc, scale) for chi2's."""
    x, df, loc, scale = promote(name, x, df, loc, scale)
    return x, df / 2, loc, scale * 2


def logpdf(x, df, loc=0, scale=1):
    """(df/2 - 1) log y - y/2 - log Gamma(df/2) - (df/2) log 2 - log scale,
    y = (x - loc)/scale; -inf below loc."""
    return gamma.logpdf(*_as_gamma("chi2.logpdf", x, df, loc, scale))


def pdf(x, df, loc=0, scale=1):
    """The chi-squared density."""
    return gamma.pdf(*_as_gamma("chi2.pdf", x, df, loc, scale))


def cdf(x, df, loc=0, scale=1):
    """P(df/2, y/2)."""
    return gamma.cdf(*_as_gamma("chi2.cdf", x, df, loc, scale))


def logcdf(x, df, loc=0, scale=1):
    """log cdf."""
    return gamma.logcdf(*_as_gamma("chi2.logcdf", x, df, loc, scale))


def sf(x, df, loc=0, scale=1):
    """Q(df/2, y/2) = 1 - cdf."""
    return gamma.sf(*_as_gamma("chi2.sf", x, df, loc, scale))


def logsf(x, df, loc=0, scale=1):
    """log sf."""
    return gamma.logsf(*_as_gamma("chi2.logsf", x, df, loc, scale))
