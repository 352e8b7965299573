"""Small helpers shared by the ``minijax.nn`` modules."""
from ..numpy.promotion import _check_arraylike, promote_dtypes_inexact


def arraylike(fun_name, x):
    """``x`` as an array; TypeError naming ``fun_name`` for lists and other
    non-arrays, as JAX's ``ensure_arraylike`` does."""
    from .. import numpy as jnp
    _check_arraylike(fun_name, x)
    return jnp.asarray(x)


def inexact(fun_name, x):
    """``x`` as a floating (or complex) array: integers and booleans become the
    default float type, as JAX's ``promote_args_inexact`` does."""
    _check_arraylike(fun_name, x)
    x, = promote_dtypes_inexact(x)
    return x
