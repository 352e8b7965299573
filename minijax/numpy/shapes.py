"""Shape manipulation, sorting and selection: ``jnp.reshape``,
``jnp.concatenate``, ``jnp.sort``, ``jnp.take``, ..."""
import builtins
import math
import operator

import numpy as np

from .. import dtypes, lax
from ..core import concrete_or_error
from ..lax import _convert_element_type
from .creation import arange, asarray, eye, ndim, _shape_tuple, zeros_like
from .promotion import broadcast_to, promote_dtypes, promote_dtypes_inexact
from .elementwise import multiply, remainder, where
from .reductions import _canonical_axes, sum
from .indexing import getitem
from ..util import reject_unsupported


def reshape(a, shape, order="C"):
    """``a`` with a new shape, its elements read and placed in row-major
    (``order="C"``) or column-major (``order="F"``) order. One dimension may
    be -1: it is inferred."""
    a = asarray(a)
    shape = list(_shape_tuple(shape))
    if shape.count(-1) > 1:
        raise TypeError(f"can only specify one unknown axis size with a `-1` value, got "
                        f"{tuple(shape)}")
    if -1 in shape:
        known = math.prod(d for d in shape if d != -1)
        if known == 0 or a.size % known:   # numpy's error for an impossible -1: ValueError
            raise ValueError(f"cannot reshape array of shape {a.shape} (size {a.size}) into "
                            f"shape {tuple(shape)}")
        shape[shape.index(-1)] = a.size // known
    if math.prod(shape) != a.size:
        raise TypeError(f"cannot reshape array of shape {a.shape} (size {a.size}) into shape "
                        f"{tuple(shape)} (size {math.prod(shape)})")
    if order == "C":
        return lax.reshape(a, shape)
    if order == "F":
        # Column-major order of ``a`` is row-major order of its transpose.
        return transpose(lax.reshape(transpose(a), shape[::-1]))
    if order == "A":
        raise NotImplementedError("jnp.reshape: order='A' is not implemented (as in JAX); "
                                  "use 'C' or 'F'.")
    raise ValueError(f"Unexpected value for 'order' argument: {order!r}; use 'C' or 'F'.")


def ravel(a, order="C"):
    """``a`` as a 1-D array, read in row-major (``"C"``) or column-major
    (``"F"``) order."""
    a = asarray(a)
    if order == "K":
        raise NotImplementedError("jnp.ravel: order='K' is not implemented (as in JAX); use "
                                  "'C' or 'F'.")
    return reshape(a, (a.size,), order)


def transpose(a, axes=None):
    """Permute axes (reverse them by default)."""
    a = asarray(a)
    axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(
        lax._canonical_axis(ax, a.ndim) for ax in axes)
    if sorted(axes) != list(range(a.ndim)):   # TypeError, as JAX's transpose raises
        raise TypeError(f"axes {axes} don't match array of dimension {a.ndim}")
    return lax.transpose(a, axes)


def matrix_transpose(x, /):
    x = asarray(x)
    if x.ndim < 2:
        raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got "
                         f"ndim={x.ndim}")
    return lax.transpose(x, tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2))


def swapaxes(a, axis1, axis2):
    a = asarray(a)
    perm = list(range(a.ndim))
    i, j = lax._canonical_axis(axis1, a.ndim), lax._canonical_axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


def moveaxis(a, source, destination):
    a = asarray(a)
    src = _canonical_axes(source, a.ndim)
    dst = _canonical_axes(destination, a.ndim)
    if len(src) != len(dst):
        raise ValueError("Inconsistent number of elements in source and destination")
    perm = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return lax.transpose(a, perm)


def squeeze(a, axis=None):
    a = asarray(a)
    if axis is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = _canonical_axes(axis, a.ndim)
        for i in axes:
            if a.shape[i] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not "
                                 f"equal to one, got shape={a.shape} and dimensions={axes}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    a = asarray(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return lax.expand_dims(a, axes)


def atleast_1d(*arys):
    out = [asarray(a) if ndim(a) >= 1 else reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(a if a.ndim >= 2 else reshape(a, (1,) * (2 - a.ndim) + a.shape))
    return out[0] if len(out) == 1 else out


def concatenate(arrays, axis=0, dtype=None):
    """Join arrays along an existing axis (``axis=None``: flatten first)."""
    if not len(arrays):
        raise ValueError("Need at least one array to concatenate.")
    arrays = [asarray(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    if builtins.any(a.ndim == 0 for a in arrays):
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    arrays = promote_dtypes(*arrays) if len(arrays) > 1 else arrays
    if dtype is not None:
        arrays = [a.astype(dtype) for a in arrays]
    return lax.concatenate([_convert_element_type(a, a.dtype, arrays[0].weak_type)
                            for a in arrays], lax._canonical_axis(axis, arrays[0].ndim))


def stack(arrays, axis=0, out=None, dtype=None):
    """Join arrays along a new axis."""
    reject_unsupported("jnp.stack", out=(out, None))
    if not len(arrays):
        raise ValueError("Need at least one array to stack.")
    arrays = [asarray(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"All input arrays must have the same shape. Got "
                         f"{', '.join(str(a.shape) for a in arrays)}.")
    axis = lax._canonical_axis(axis, arrays[0].ndim + 1)
    return concatenate([lax.expand_dims(a, (axis,)) for a in arrays], axis, dtype)


def vstack(tup, dtype=None):
    return concatenate([atleast_2d(a) for a in tup], 0, dtype)


def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if arrs[0].ndim == 1 else 1, dtype)


def column_stack(tup):
    arrs = [reshape(a, (-1, 1)) if ndim(a) < 2 else asarray(a) for a in tup]
    return concatenate(arrs, 1)


def split(ary, indices_or_sections, axis=0):
    ary = asarray(ary)
    axis = lax._canonical_axis(axis, ary.ndim)
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    return [lax.slice_in_dim(ary, lo, hi, 1, axis) for lo, hi in zip(bounds[:-1], bounds[1:])]


def flip(m, axis=None):
    m = asarray(m)
    return lax.rev(m, _canonical_axes(axis, m.ndim))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    a = asarray(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    axis = lax._canonical_axis(axis, a.ndim)
    n = a.shape[axis]
    if n == 0:
        return a
    s = operator.index(shift) % n
    return concatenate([lax.slice_in_dim(a, n - s, n, 1, axis),
                        lax.slice_in_dim(a, 0, n - s, 1, axis)], axis)


def tile(A, reps):
    A = asarray(A)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    nd = builtins.max(len(reps), A.ndim)
    A = reshape(A, (1,) * (nd - A.ndim) + A.shape)
    reps = (1,) * (nd - len(reps)) + reps
    for ax, r in enumerate(reps):
        if r != 1:
            A = concatenate([A] * r, ax)
    return A


def repeat(a, repeats, axis=None):
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    # The output's shape depends on repeats: JAX's ConcretizationTypeError if traced.
    r = concrete_or_error(repeats, "the repeats argument of jnp.repeat")
    if np.ndim(r) != 0:
        raise NotImplementedError("minijax's jnp.repeat takes a single number of repeats, "
                                  "not one per element")
    r = operator.index(r.item())
    expanded = lax.expand_dims(a, (axis + 1,))
    shape_ = list(expanded.shape)
    shape_[axis + 1] = r
    b = broadcast_to(expanded, shape_)
    new_shape = list(a.shape)
    new_shape[axis] *= r
    return reshape(b, new_shape)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of the 2-D slices over ``axis1``, ``axis2``."""
    a = asarray(a)
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    n, m = a.shape[-2:]
    rows = np.arange(builtins.max(0, -offset), builtins.min(n, m - offset))
    return a[..., rows, rows + offset]


def diag(v, k=0):
    """A 2-D array with ``v`` on its ``k``-th diagonal, or the diagonal of a 2-D ``v``."""
    v = asarray(v)
    if v.ndim == 1:
        n = v.shape[0] + builtins.abs(k)
        padded = lax.pad(v, _convert_element_type(0, v.dtype, False), [(0, builtins.abs(k), 0)])
        # Entry (r, r + k) holds v[r] for k >= 0, entry (c - k, c) holds v[c] for k < 0.
        grid = broadcast_to(lax.expand_dims(padded, (1,) if k >= 0 else (0,)), (n, n))
        return where(eye(n, k=k, dtype=bool), grid, zeros_like(grid))
    if v.ndim == 2:
        return diagonal(v, k)
    raise ValueError("diag input must be 1d or 2d")


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(lax.ge(lax.add(rows, np.int32(k)), cols),
                                    dtype or dtypes.default_float_dtype())


def tril(m, k=0):
    m = asarray(m)
    mask = tri(*m.shape[-2:], k=k, dtype=bool)
    return where(mask, m, zeros_like(m))


def triu(m, k=0):
    m = asarray(m)
    mask = tri(*m.shape[-2:], k=k - 1, dtype=bool)
    return where(mask, zeros_like(m), m)


def nonzero(a, *, size=None, fill_value=None):
    """Indices of nonzero elements, one array per axis. The result's size
    depends on the values, so ``a`` must be concrete (not traced). With
    ``size``, the indices are cut or padded to that length with ``fill_value``
    (0 by default; a scalar, or one per axis)."""
    concrete = concrete_or_error(asarray(a), "jnp.nonzero, whose output size depends on "
                                 "the values")
    if concrete.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "jnp.atleast_1d(scalar).nonzero() instead.")
    found = np.nonzero(concrete)
    if size is None:
        return tuple(asarray(i.astype(np.int32)) for i in found)
    fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * concrete.ndim
    if len(fills) != concrete.ndim or any(np.ndim(f) != 0 for f in fills):
        raise ValueError(f"fill_value must be a scalar or a tuple of length {concrete.ndim}; "
                         f"got {fill_value}")
    size = operator.index(size)
    return tuple(asarray(np.concatenate([i[:size], np.full(builtins.max(size - len(i), 0),
                                                           0 if f is None else f)]
                                        ).astype(np.int32))
                 for i, f in zip(found, fills))


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened ``a`` if None).

    Out-of-bounds indices follow ``mode``, as in JAX: ``"fill"`` (the default)
    gives ``fill_value`` (nan, or the dtype's minimum / maximum / True),
    ``"clip"`` clamps, ``"wrap"`` counts modulo the axis size. Negative
    indices count from the end in fill mode (and are clamped to 0 by clip).
    """
    reject_unsupported("jnp.take", out=(out, None))
    a, indices = asarray(a), asarray(indices)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    n = a.shape[axis]
    if mode is None or mode == "fill":
        gather_mode, indices = lax.GatherScatterMode.FILL_OR_DROP, _wrap_negative(indices, n)
    elif mode == "wrap":
        gather_mode = lax.GatherScatterMode.PROMISE_IN_BOUNDS
        indices = indices if n == 0 else remainder(indices, _convert_element_type(
            n, indices.dtype, False))
    elif mode == "clip":
        gather_mode = lax.GatherScatterMode.CLIP
    elif mode == "raise":
        raise NotImplementedError("jnp.take: mode='raise' is not supported (minijax, like "
                                  "JAX, cannot raise on a value computed under a "
                                  "transformation); use mode='fill', 'clip' or 'wrap'.")
    else:
        raise ValueError(f"Invalid mode {mode!r} for jnp.take: use 'fill', 'clip', 'wrap' "
                         "or 'raise'")
    out_shape = a.shape[:axis] + indices.shape + a.shape[axis + 1:]
    if n == 0 or indices.size == 0:
        if indices.size:
            raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
        return lax.full(out_shape, 0, a.dtype)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"jnp.take: indices must be integers, got {indices.dtype.name}")
    k = indices.ndim
    dn = lax.GatherDimensionNumbers(
        offset_dims=tuple(range(axis)) + tuple(range(axis + k, a.ndim + k - 1)),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    slice_sizes = a.shape[:axis] + (1,) + a.shape[axis + 1:]
    return lax.gather(a, expand_dims(indices, -1), dn, slice_sizes, mode=gather_mode,
                      fill_value=fill_value, unique_indices=unique_indices,
                      indices_are_sorted=indices_are_sorted)


def _wrap_negative(indices, n):
    """``indices + n`` where negative (unsigned indices never are)."""
    if indices.dtype.kind == "u":
        return indices
    return where(indices < 0, indices + _convert_element_type(n, indices.dtype, False),
                 indices)


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None, *,
                    wrap_negative_indices=None):
    """``arr`` indexed along ``axis`` by ``indices`` (same rank; other axes
    broadcast), as ``np.take_along_axis``.

    Out-of-bounds indices follow ``mode``: ``"fill"`` (the default) gives
    ``fill_value``, ``"clip"`` and ``"promise_in_bounds"`` clamp. Negative
    indices count from the end unless ``wrap_negative_indices`` is False
    (its default: True, except for ``"promise_in_bounds"``, as in JAX).
    """
    arr, indices = asarray(arr), asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis indices must be of integer type, got "
                        f"{indices.dtype.name}")
    if axis is None:   # along the flattened array: the indices must be 1-D
        if indices.ndim != 1:
            raise ValueError(f"take_along_axis indices must be 1D if axis=None, got shape "
                             f"{indices.shape}")
        arr, axis = ravel(arr), 0
    if arr.ndim != indices.ndim:
        raise ValueError(f"indices and arr must have the same number of dimensions; "
                         f"{indices.ndim} vs. {arr.ndim}")
    axis = lax._canonical_axis(axis, arr.ndim)
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    index = []
    for i in range(arr.ndim):
        if i == axis:
            index.append(indices)
        else:
            shape_ = [1] * arr.ndim
            shape_[i] = arr.shape[i]
            index.append(reshape(arange(arr.shape[i]), shape_))
    return getitem(arr, tuple(index), mode="fill" if mode is None else mode,
                   fill_value=fill_value, normalize_indices=wrap_negative_indices)


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """The sorted elements along ``axis`` (all axes flattened if None); nans last."""
    _check_sort_options("sort", kind, order)
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    if descending:
        return flip(lax.sort(flip(a, axis), lax._canonical_axis(axis, a.ndim), stable), axis)
    return lax.sort(a, lax._canonical_axis(axis, a.ndim), stable)


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """The indices that sort ``a`` along ``axis``: sort ``a`` together with an iota."""
    _check_sort_options("argsort", kind, order)
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    iota = lax.broadcasted_iota(dtypes.int32, a.shape, axis)
    if descending:   # stable descending: reverse, sort, reverse back, re-index
        rev = flip(a, axis)
        _, idx = lax.sort((rev, iota), axis, stable, num_keys=1)
        n = a.shape[axis]
        return flip(lax.sub(lax._convert_element_type(n - 1, dtypes.int32, False), idx), axis)
    _, idx = lax.sort((a, iota), axis, stable, num_keys=1)
    return idx


def _check_sort_options(name, kind, order):
    """numpy's ``kind`` and ``order``: refused as JAX does (``stable=`` says
    whether the sort is stable; structured arrays do not exist here)."""
    if kind is not None:
        raise TypeError(f"'kind' argument to {name} is not supported. Use stable=True or "
                        "stable=False to specify sort stability.")
    if order is not None:
        raise TypeError(f"'order' argument to {name} is not supported.")


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle value along ``axis`` (the mean of the two middle ones for even sizes)."""
    if overwrite_input or out is not None:   # JAX's error for both
        raise ValueError("jax.numpy.median does not support overwrite_input=True or "
                         "out != None")
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    s = sort(a, axis)
    n = a.shape[axis]
    lo = lax.index_in_dim(s, (n - 1) // 2, axis, keepdims)
    hi = lax.index_in_dim(s, n // 2, axis, keepdims)
    lo, hi = promote_dtypes_inexact(lo, hi)
    return (lo + hi) / 2


def outer(a, b):
    a, b = ravel(a), ravel(b)
    return multiply(lax.expand_dims(a, (1,)), lax.expand_dims(b, (0,)))
