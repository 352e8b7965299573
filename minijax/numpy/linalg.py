"""``minijax.numpy.linalg``: norms (more linear algebra arrives with its own chapter)."""
import numpy as np

from .. import numpy as jnp  # a cycle: numpy/__init__ imports this module


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (numpy's conventions for ``ord`` and ``axis``)."""
    x = jnp.asarray(x)
    x, = jnp.promote_dtypes_inexact(x)
    if axis is None:
        if ord is None or (ord in ("fro", "f") and x.ndim == 2):
            out = jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x))))
            return jnp.reshape(out, (1,) * x.ndim) if keepdims else out
        axis = tuple(range(x.ndim))
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(axis) == 1:
        ax = axis[0]
        a = jnp.abs(x)
        if ord is None or ord == 2:
            return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x)), ax, keepdims=keepdims))
        if ord == np.inf:
            return jnp.max(a, ax, keepdims=keepdims)
        if ord == -np.inf:
            return jnp.min(a, ax, keepdims=keepdims)
        if ord == 0:
            return jnp.sum((a != 0).astype(a.dtype), ax, keepdims=keepdims)
        if ord == 1:
            return jnp.sum(a, ax, keepdims=keepdims)
        return jnp.sum(a ** ord, ax, keepdims=keepdims) ** (1.0 / ord)
    if len(axis) == 2:
        r, c = axis
        if ord in (None, "fro", "f"):
            return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x)), axis, keepdims=keepdims))
        a = jnp.abs(x)
        if ord == 1:
            return jnp.max(jnp.sum(a, r, keepdims=True), c, keepdims=True).reshape(
                _kept(x.shape, axis, keepdims))
        if ord == np.inf:
            return jnp.max(jnp.sum(a, c, keepdims=True), r, keepdims=True).reshape(
                _kept(x.shape, axis, keepdims))
        raise NotImplementedError(f"matrix norm ord={ord!r} is not implemented in minijax")
    raise ValueError(f"Improper number of axes for norm: {axis}")


def _kept(shape, axes, keepdims):
    axes = [a % len(shape) for a in axes]
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdims or i not in axes)
