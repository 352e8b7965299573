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
from .reductions import _canonical_axes, cumsum, sum
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
    """Split into ``indices_or_sections`` equal parts, or at the given indices."""
    ary = asarray(ary)
    axis = lax._canonical_axis(axis, ary.ndim)
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = operator.index(indices_or_sections)
        if sections <= 0 or n % sections:
            raise ValueError("array split does not result in an equal division")
        part = n // sections   # split points part, 2 part, ... (all 0 for an empty axis)
        return _split_at(ary, [part * i for i in range(1, sections)], axis)
    indices = concrete_or_error(indices_or_sections, "the indices of jnp.split")
    return _split_at(ary, [operator.index(i) for i in np.ravel(indices)], axis)


def _split_at(ary, indices, axis):
    """The pieces ``ary[indices[i-1]:indices[i]]`` along ``axis`` (Python slicing:
    negative indices count from the end, too-large ones are clipped)."""
    n = ary.shape[axis]
    bounds = [None] + list(indices) + [None]
    pieces = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        start, stop, _ = slice(lo, hi).indices(n)
        pieces.append(lax.slice_in_dim(ary, start, builtins.max(start, stop), 1, axis))
    return pieces


def flip(m, axis=None):
    m = asarray(m)
    return lax.rev(m, _canonical_axes(axis, m.ndim))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    """Shift elements along ``axis`` cyclically (of the flattened array if None).
    ``shift`` and ``axis`` may be tuples; ``shift`` may be traced."""
    a = asarray(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts = tuple(shift) if isinstance(shift, (tuple, list)) else (shift,)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    elif len(axes) == 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError(f"Inconsistent number of shifts and axes: {len(shifts)} shifts for "
                         f"{len(axes)} axes")
    for s, ax in zip(shifts, axes):
        a = _roll_axis(a, s, lax._canonical_axis(ax, a.ndim))
    return a


def _roll_axis(a, shift, axis):
    """Roll along one axis: the window of ``[a, a]`` that starts at ``n - shift``."""
    n = a.shape[axis]
    if n == 0:
        return a
    shift = asarray(shift)
    if shift.dtype.kind not in "iu" or shift.ndim:
        raise TypeError(f"jnp.roll: shift must be an integer scalar, got {shift}")
    start = lax.rem(lax.sub(_convert_element_type(n, shift.dtype, False),
                            lax.rem(shift, _convert_element_type(n, shift.dtype, False))),
                    _convert_element_type(n, shift.dtype, False))
    return lax.dynamic_slice_in_dim(concatenate([a, a], axis), start, n, axis)


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


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    """Repeat each element (along ``axis``; of the flattened array if None) ``repeats``
    times, or ``repeats[i]`` times for element ``i``.

    The output length must be known while tracing: ``repeats`` must be concrete
    unless ``total_repeat_length`` gives it (the result is then cut, or padded
    by repeating the last element).
    """
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, builtins.max(a.ndim, 1))
    if total_repeat_length is None:
        repeats = concrete_or_error(
            repeats, "jnp.repeat's repeats: when jit-compiling jnp.repeat, the total number of "
            "repeats must be static. To fix this, either specify a static value for `repeats`, "
            "or pass a static value to `total_repeat_length`")
        if np.ndim(repeats) == 0 and a.ndim:
            return _repeat_each(a, operator.index(repeats), axis)
        repeats = np.ravel(repeats)
        total_repeat_length = int(np.sum(np.broadcast_to(repeats, a.shape[axis:axis + 1])))
    total = operator.index(total_repeat_length)
    if a.ndim == 0:
        if np.shape(repeats) not in ((), (1,)):
            raise ValueError("`repeat` with a scalar parameter `a` is only implemented for "
                             "scalar values of the parameter `repeats`.")
        return broadcast_to(a, (total,))
    repeats = broadcast_to(ravel(asarray(repeats)), (a.shape[axis],))
    return _repeat_counts(a, repeats, axis, total)


def _repeat_each(a, r, axis):
    """Every element ``r`` times: broadcast along a new axis after ``axis``, merge them."""
    expanded = lax.expand_dims(a, (axis + 1,))
    shape_ = list(expanded.shape)
    shape_[axis + 1] = r
    new_shape = list(a.shape)
    new_shape[axis] *= r
    return reshape(broadcast_to(expanded, shape_), new_shape)


def _repeat_counts(a, repeats, axis, total):
    """Element ``i`` repeated ``repeats[i]`` times, as a gather: output position ``p``
    takes the element whose block of copies contains ``p``. A 1 marks where each
    block starts; their running sum numbers the blocks."""
    if total == 0:
        return lax.slice_in_dim(a, 0, 0, 1, axis)
    if a.shape[axis] == 0:
        return a
    repeats = lax.convert_element_type(repeats, dtypes.int32)
    starts = cumsum(repeats) - repeats
    inside = starts < total   # blocks starting past the end are cut off
    marks = lax.full((total,), 0, dtypes.int32).at[where(inside, starts, 0)].add(
        lax.convert_element_type(inside, dtypes.int32))
    source = cumsum(marks) - 1
    return a[(slice(None),) * axis + (source,)]


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


def outer(a, b):
    a, b = ravel(a), ravel(b)
    return multiply(lax.expand_dims(a, (1,)), lax.expand_dims(b, (0,)))
