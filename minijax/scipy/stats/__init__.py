"""``minijax.scipy.stats``: log-densities, densities, CDFs and quantiles of
the distributions of ``jax.scipy.stats``, one module per distribution
(``norm.logpdf(x, loc, scale)``, ...), written in ``jnp`` on top of
``minijax.scipy.special``.

Not yet here: the CDFs of ``gamma``, ``beta``, ``poisson`` (and ``chi2``,
``t``'s CDF in JAX has none), which need the incomplete gamma and beta
functions.
"""
from . import (  # noqa: F401
    bernoulli, beta, cauchy, expon, gamma, laplace, logistic, multivariate_normal, norm,
    poisson, t, uniform)
