"""Rearranging arrays: ``jnp.array_split`` and the ``h``/``v``/``dsplit`` family,
``jnp.atleast_3d``, ``jnp.rot90``, ``jnp.concat``, ``jnp.put_along_axis``,
``jnp.triu_indices`` and friends, ``jnp.partition``/``jnp.argpartition``.

Only slices, reversals, transposes and scatters: transformations see through all.
"""
import operator

import numpy as np

from .. import dtypes, lax
from ..core import concrete_or_error
from .creation import arange, asarray, ndim
from .promotion import _check_arraylike
from .shapes import (
    _split_at, argsort, concatenate, flip, reshape, sort, split, swapaxes, transpose)


def array_split(ary, indices_or_sections, axis=0):
    """Split into ``indices_or_sections`` parts that may differ in size by one (the
    first ones larger), or at the given indices."""
    _check_arraylike("array_split", ary)
    ary = asarray(ary)
    axis = lax._canonical_axis(axis, ary.ndim)
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = operator.index(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        size, extra = divmod(ary.shape[axis], sections)
        sizes = [size + 1] * extra + [size] * (sections - extra)
        return _split_at(ary, np.cumsum(sizes)[:-1].tolist(), axis)
    return split(ary, indices_or_sections, axis)


def _split_on(name, axis_of, min_ndim):
    def fn(ary, indices_or_sections):
        _check_arraylike(name, ary)
        ary = asarray(ary)
        if ary.ndim < min_ndim:
            raise ValueError(f"{name} only works on arrays of {min_ndim} or more dimensions")
        return split(ary, indices_or_sections, axis_of(ary.ndim))
    fn.__name__ = fn.__qualname__ = name
    return fn


hsplit = _split_on("hsplit", lambda nd: 1 if nd > 1 else 0, 1)
hsplit.__doc__ = "Split along the second axis (the first for 1-D arrays)."
vsplit = _split_on("vsplit", lambda nd: 0, 2)
vsplit.__doc__ = "Split along the first axis of an array of at least 2 dimensions."
dsplit = _split_on("dsplit", lambda nd: 2, 3)
dsplit.__doc__ = "Split along the third axis of an array of at least 3 dimensions."


def atleast_3d(*arys):
    """Views with at least 3 dimensions: ``(N,)`` becomes ``(1, N, 1)``, ``(M, N)``
    becomes ``(M, N, 1)``."""
    out = []
    for a in arys:
        _check_arraylike("atleast_3d", a)
        a = asarray(a)
        shape = {0: (1, 1, 1), 1: (1,) + a.shape + (1,), 2: a.shape + (1,)}.get(a.ndim, a.shape)
        out.append(reshape(a, shape))
    return out[0] if len(out) == 1 else out


def rot90(m, k=1, axes=(0, 1)):
    """Rotate by ``k`` quarter turns in the plane of ``axes``, from the first axis
    towards the second."""
    _check_arraylike("rot90", m)
    m = asarray(m)
    if np.shape(axes) != (2,):
        raise ValueError("len(axes) must be 2.")
    ax0, ax1 = (lax._canonical_axis(a, m.ndim) for a in axes)
    if ax0 == ax1:
        raise ValueError("Axes must be different.")
    k = operator.index(concrete_or_error(k, "the k argument of jnp.rot90")) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, ax0), ax1)
    perm = list(range(m.ndim))
    perm[ax0], perm[ax1] = ax1, ax0
    if k == 1:
        return transpose(flip(m, ax1), perm)
    return flip(transpose(m, perm), ax1)


def concat(arrays, /, *, axis=0):
    """The array API's ``concatenate``."""
    return concatenate(arrays, axis)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """``arr`` with ``values`` written at ``indices`` along ``axis`` (the inverse
    of ``take_along_axis``). JAX arrays are immutable: pass ``inplace=False``."""
    if inplace:
        raise ValueError("jax.numpy.put_along_axis cannot modify arrays in-place, because JAX "
                         "arrays are immutable. Pass inplace=False to instead return an "
                         "updated array.")
    if mode is not None:
        raise NotImplementedError("jnp.put_along_axis: the `mode` argument is not "
                                  "implemented in minijax")
    _check_arraylike("put_along_axis", arr, indices, values)
    arr, indices = asarray(arr), asarray(indices)
    if axis is None:
        raise NotImplementedError("jnp.put_along_axis: axis=None is not implemented in "
                                  "minijax")
    axis = lax._canonical_axis(axis, arr.ndim)
    if indices.ndim != arr.ndim:
        raise ValueError("indices and arr must have the same number of dimensions; "
                         f"{indices.ndim} vs. {arr.ndim}")
    index = []
    for i in range(arr.ndim):   # the other axes: an iota broadcast along the rest
        if i == axis:
            index.append(indices)
        else:
            shape = [1] * arr.ndim
            shape[i] = arr.shape[i]
            index.append(reshape(arange(arr.shape[i]), shape))
    return arr.at[tuple(index)].set(values)


def _indices_of_mask(mask):
    return tuple(asarray(i.astype(dtypes.default_int_dtype())) for i in np.nonzero(mask))


def triu_indices(n, k=0, m=None):
    """The (row, column) indices of the upper triangle of an ``(n, m)`` array."""
    n = operator.index(concrete_or_error(n, "the n argument of jnp.triu_indices"))
    m = n if m is None else operator.index(concrete_or_error(m, "jnp.triu_indices's m"))
    k = operator.index(concrete_or_error(k, "the k argument of jnp.triu_indices"))
    return _indices_of_mask(~np.tri(n, m, k - 1, dtype=bool))


def tril_indices(n, k=0, m=None):
    """The (row, column) indices of the lower triangle of an ``(n, m)`` array."""
    n = operator.index(concrete_or_error(n, "the n argument of jnp.tril_indices"))
    m = n if m is None else operator.index(concrete_or_error(m, "jnp.tril_indices's m"))
    k = operator.index(concrete_or_error(k, "the k argument of jnp.tril_indices"))
    return _indices_of_mask(np.tri(n, m, k, dtype=bool))


def _check_2d(arr, name):
    if ndim(arr) != 2:
        raise ValueError(f"jnp.{name}: input array must be 2-D, got shape "
                         f"{np.shape(arr) if not hasattr(arr, 'shape') else arr.shape}")
    return arr.shape if hasattr(arr, "shape") else np.shape(arr)


def triu_indices_from(arr, k=0):
    """``triu_indices`` for the shape of the 2-D ``arr``."""
    rows, cols = _check_2d(arr, "triu_indices_from")
    return triu_indices(rows, k, cols)


def tril_indices_from(arr, k=0):
    """``tril_indices`` for the shape of the 2-D ``arr``."""
    rows, cols = _check_2d(arr, "tril_indices_from")
    return tril_indices(rows, k, cols)


def partition(a, kth, axis=-1):
    """The ``kth`` smallest element at position ``kth`` along ``axis``, the smaller
    ones before it (ascending) and the larger after it (descending), as JAX orders
    them."""
    a, axis, kth = _partition_args("partition", a, kth, axis)
    ordered = sort(swapaxes(a, axis, -1), axis=-1)
    n = ordered.shape[-1]
    out = concatenate([ordered[..., :kth + 1], flip(ordered, -1)[..., :n - kth - 1]], -1)
    return swapaxes(out, -1, axis)


def argpartition(a, kth, axis=-1):
    """Indices that ``partition`` along ``axis``: those of the ``kth + 1`` smallest
    elements (ascending), then the other indices in increasing order (as JAX does)."""
    a, axis, kth = _partition_args("argpartition", a, kth, axis)
    order = argsort(swapaxes(a, axis, -1), axis=-1)
    n = order.shape[-1]
    rank = argsort(order, axis=-1)   # each element's position in sorted order
    others = argsort(rank <= kth, axis=-1)[..., :n - kth - 1]
    out = concatenate([order[..., :kth + 1], others], -1)
    return swapaxes(out, -1, axis)


def _partition_args(name, a, kth, axis):
    _check_arraylike(name, a)
    a = asarray(a)
    if dtypes.is_complex(a.dtype):
        raise NotImplementedError(f"jnp.{name} for complex dtype is not implemented.")
    axis = lax._canonical_axis(axis, a.ndim)
    kth = lax._canonical_axis(operator.index(kth), a.shape[axis])
    return a, axis, kth
