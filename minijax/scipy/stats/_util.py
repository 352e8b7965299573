"""Helpers shared by the distributions of ``minijax.scipy.stats``."""
from ...numpy.promotion import _check_arraylike, promote_dtypes_inexact


def promote(name, *args):
    """``args`` as arrays of one floating dtype; TypeError naming ``name``
    for non-arrays (JAX's ``promote_args_inexact``)."""
    _check_arraylike(name, *args)
    return promote_dtypes_inexact(*args)
