"""Helpers shared by the distributions of ``minijax.scipy.stats``."""
from ...numpy.promotion import _check_arraylike, promote_dtypes_inexact


def promote(name, *args):
    """``args`` as arrays of one floating dtype; TypeError naming ``name``
    for non-arrays (JAX's ``promote_args_inexact``)."""
    _check_arraylike(name, *args)
    return promote_dtypes_inexact(*args)


def clipped_standard(x, loc, scale, upper):
    """(x - loc) / scale, clipped to the support [0, upper] of a CDF's
    argument (below it the CDF is 0, above it 1)."""
    from ... import numpy as jnp
    return jnp.clip((x - loc) / scale, 0, upper)
