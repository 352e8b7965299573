"""The Dirichlet distribution on the simplex, with concentrations ``alpha``
(one-dimensional; points ``x`` along axis 0)."""
import numpy as np

from ... import numpy as jnp
from ..special import gammaln, xlogy
from ._util import promote

_SIMPLEX_TOLERANCE = 1e-6   # how far from 1 a point's sum may be, as in JAX


def _on_simplex(x):
    """Whether each point (axis 0) has positive entries summing to 1."""
    return jnp.all(x > 0, axis=0) & (jnp.abs(jnp.sum(x, axis=0) - 1) < _SIMPLEX_TOLERANCE)


def _complete(x, alpha):
    """``x`` with its last entry 1 - sum(x) added when it has one fewer than
    ``alpha`` (ValueError for any other count)."""
    if alpha.ndim != 1:
        raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
    if x.ndim == 0 or x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise ValueError("`x` must have either the same number of entries as `alpha` or one "
                         f"entry fewer; got x.shape={x.shape}, alpha.shape={alpha.shape}")
    if x.shape[0] == alpha.shape[0]:
        return x
    return jnp.concatenate([x, 1 - jnp.sum(x, axis=0, keepdims=True)], axis=0)


def logpdf(x, alpha):
    """sum_i (alpha_i - 1) log x_i - log B(alpha), B(alpha) =
    prod Gamma(alpha_i) / Gamma(sum alpha_i); -inf off the simplex."""
    x, alpha = promote("dirichlet.logpdf", x, alpha)
    x = _complete(x, alpha)
    log_normalizer = jnp.sum(gammaln(alpha)) - gammaln(jnp.sum(alpha))
    alpha = jnp.reshape(alpha, alpha.shape + (1,) * (x.ndim - 1))   # against x's axis 0
    log_probs = jnp.sum(xlogy(alpha - 1, x), axis=0) - log_normalizer
    return jnp.where(_on_simplex(x), log_probs, -np.inf)


def pdf(x, alpha):
    """The Dirichlet density."""
    return jnp.exp(logpdf(x, alpha))
