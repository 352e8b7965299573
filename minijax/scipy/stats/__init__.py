"""``minijax.scipy.stats``: log-densities, densities, CDFs and quantiles of
the distributions of ``jax.scipy.stats``, one module per distribution
(``norm.logpdf(x, loc, scale)``, ...), written in ``jnp`` on top of
``minijax.scipy.special``.
The CDFs of ``gamma``, ``chi2``, ``beta`` and ``poisson`` are the regularized
incomplete gamma and beta functions (``minijax.scipy.special.gammainc``,
``betainc``). (``t`` has no CDF in JAX either.)
"""
from . import (  # noqa: F401
    bernoulli, beta, cauchy, chi2, dirichlet, expon, gamma, laplace, logistic,
    multivariate_normal, norm, poisson, t, uniform)
