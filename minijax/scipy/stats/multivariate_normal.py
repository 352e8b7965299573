"""The multivariate normal distribution with ``mean`` and covariance ``cov``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...numpy.promotion import promote_dtypes_inexact


def logpdf(x, mean, cov, allow_singular=None):
    """log density of x (batched over leading axes). ``cov`` may be a
    scalar (a multiple of the identity) or an (n, n) matrix, which is
    Cholesky-factored: the quadratic form is |L^-1 (x - mean)|**2."""
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    x, mean, cov = promote_dtypes_inexact(x, mean, cov)
    log_2pi = np.log(2 * np.pi)
    if not mean.shape:
        return -1 / 2 * jnp.square(x - mean) / cov - 1 / 2 * (log_2pi + jnp.log(cov))
    n = mean.shape[-1]
    if not cov.shape:
        y = x - mean
        return (-1 / 2 * jnp.einsum("...i,...i->...", y, y) / cov
                - n / 2 * (log_2pi + jnp.log(cov)))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise ValueError("multivariate_normal.logpdf got incompatible shapes")
    factor = lax.linalg.cholesky(cov)
    residual = x - mean
    batch = jnp.broadcast_shapes(factor.shape[:-2], residual.shape[:-1])
    factor = jnp.broadcast_to(factor, batch + (n, n))
    residual = jnp.broadcast_to(residual, batch + (n,))
    # Solve L y = x - mean for the whitened residual y.
    y = lax.linalg.triangular_solve(factor, residual[..., None], left_side=True,
                                    lower=True)[..., 0]
    log_det = jnp.sum(jnp.log(jnp.diagonal(factor, axis1=-2, axis2=-1)), -1)
    return -1 / 2 * jnp.einsum("...i,...i->...", y, y) - n / 2 * log_2pi - log_det


def pdf(x, mean, cov):
    """The multivariate normal density."""
    return jnp.exp(logpdf(x, mean, cov))
