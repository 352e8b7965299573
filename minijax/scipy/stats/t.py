"""Student's t distribution with ``df`` degrees of freedom."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import promote


def logpdf(x, df, loc=0, scale=1):
    """log Gamma((df+1)/2) - log Gamma(df/2) - log(pi df scale**2)/2
    - (df+1)/2 * log1p(z**2/df), z = (x - loc)/scale."""
    x, df, loc, scale = promote("t.logpdf", x, df, loc, scale)
    z = (x - loc) / scale
    half_df = df / 2
    normalizer = (lax.lgamma(half_df) + jnp.log(scale * scale * x.dtype.type(np.pi) * df) / 2
                  - lax.lgamma(half_df + 0.5))
    return -(normalizer + (half_df + 0.5) * jnp.log1p(z * z / df))


def pdf(x, df, loc=0, scale=1):
    """The t density."""
    return jnp.exp(logpdf(x, df, loc, scale))
