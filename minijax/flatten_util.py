"""``ravel_pytree``: a whole pytree of arrays as one flat vector, and back.

Optimizers and solvers written for a vector (``x - lr * g``, a Newton step,
``scipy.optimize``-style code) can then work on a dict of parameters. The
unravel function is made of slices, reshapes and casts, so it is
differentiable and can be used inside ``grad``, ``vmap`` and ``jit``.
"""
import numpy as np

from . import dtypes, lax, tree_util
from . import numpy as jnp
from .core import get_aval

__all__ = ["ravel_pytree"]


def ravel_pytree(pytree):
    """``(flat, unravel)``: the leaves raveled and concatenated into one 1-D
    array, and the function turning such a vector back into the pytree.

    The vector's dtype is the promotion of the leaves' dtypes (an int32 and a
    float16 leaf give float16); ``unravel`` casts each piece back to its leaf's
    dtype. With no leaves, ``flat`` is an empty float32 vector.
    """
    leaves, treedef = tree_util.tree_flatten(pytree)
    flat, unravel_leaves = _ravel_list(leaves)
    return flat, _Unravel(treedef, unravel_leaves)


class _Unravel:
    """The unravel function: split the vector, reshape, cast, rebuild the tree."""

    def __init__(self, treedef, unravel_leaves):
        self.treedef, self.unravel_leaves = treedef, unravel_leaves

    def __call__(self, flat):
        return tree_util.tree_unflatten(self.treedef, self.unravel_leaves(flat))


def _ravel_list(leaves):
    if not leaves:
        return jnp.zeros((0,), dtypes.float32), lambda _: []
    leaves = [jnp.asarray(x) for x in leaves]   # Python scalars keep their weak type
    avals = [get_aval(x) for x in leaves]
    from_dtypes = [a.dtype for a in avals]
    to_dtype = dtypes.result_type(*from_dtypes)
    shapes = [a.shape for a in avals]
    sizes = [a.size for a in avals]
    if all(dt == to_dtype for dt in from_dtypes):
        # One dtype: no casts, so unravel accepts a vector of any dtype (JAX
        # does the same; an int vector unravels to int leaves).
        flat = lax.concatenate([jnp.reshape(x, (-1,)) for x in leaves], 0)
        return flat, lambda v: _split(v, sizes, shapes)
    flat = lax.concatenate([jnp.reshape(lax.convert_element_type(x, to_dtype), (-1,))
                            for x in leaves], 0)

    def unravel_leaves(v):
        if get_aval(v).dtype != to_dtype:
            raise TypeError(f"unravel function given array of dtype {get_aval(v).dtype}, "
                            f"but expected dtype {to_dtype}")
        return [_cast(piece, dt) for piece, dt in zip(_split(v, sizes, shapes), from_dtypes)]
    return flat, unravel_leaves


def _split(v, sizes, shapes):
    """The pieces of the vector ``v``, one per leaf, reshaped."""
    shape = get_aval(v).shape
    if shape != (sum(sizes),):
        raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension 0 of the "
                         f"operand shape {list(shape)}: unravel expects the 1-D vector "
                         f"that ravel_pytree returned.")
    offsets = np.cumsum([0] + sizes)
    return [jnp.reshape(lax.slice_in_dim(v, int(start), int(stop)), shape)
            for start, stop, shape in zip(offsets[:-1], offsets[1:], shapes)]


def _cast(x, dtype):
    """Back to a leaf's dtype; complex to real keeps the real part (no warning,
    as in JAX: the imaginary part of a real leaf's entry is meaningless)."""
    if dtypes.is_complex(get_aval(x).dtype) and not dtypes.is_complex(dtype):
        x = jnp.real(x)
    return lax.convert_element_type(x, dtype)
