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
from .elementwise import multiply, where
from .reductions import _canonical_axes, cumsum, sum


def reshape(a, shape=None, order="C", *, newshape=None):
    """Reshape (row-major); one dimension may be -1 and is inferred."""
    if order != "C":
        raise NotImplementedError("jnp.reshape only supports order='C'")
    shape = newshape if shape is None else shape
    a = asarray(a)
    shape = list(_shape_tuple(shape))
    if shape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in shape:
        known = math.prod(d for d in shape if d != -1)
        if known == 0 or a.size % known:   # numpy's error for an impossible -1: ValueError
            raise ValueError(f"cannot reshape array of shape {a.shape} (size {a.size}) into "
                            f"shape {tuple(shape)}")
        shape[shape.index(-1)] = a.size // known
    if math.prod(shape) != a.size:
        raise TypeError(f"cannot reshape array of shape {a.shape} (size {a.size}) into shape "
                        f"{tuple(shape)} (size {math.prod(shape)})")
    return lax.reshape(a, shape)


def ravel(a, order="C"):
    a = asarray(a)
    return lax.reshape(a, (a.size,))


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


def stack(arrays, axis=0, dtype=None):
    """Join arrays along a new axis."""
    if not len(arrays):
        raise ValueError("Need at least one array to stack.")
    arrays = [asarray(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("All input arrays must have the same shape.")
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
        return _split_at(ary, list(range(n // sections, n, n // sections)), axis)
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


def take(a, indices, axis=None, mode=None, fill_value=None):
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    index = (slice(None),) * axis + (asarray(indices),)
    return a[index]


def take_along_axis(arr, indices, axis):
    arr, indices = asarray(arr), asarray(indices)
    axis = lax._canonical_axis(axis, arr.ndim)
    index = []
    for i in range(arr.ndim):
        if i == axis:
            index.append(indices)
        else:
            shape_ = [1] * arr.ndim
            shape_[i] = arr.shape[i]
            index.append(reshape(arange(arr.shape[i]), shape_))
    return arr[tuple(index)]


def sort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """The sorted elements along ``axis`` (all axes flattened if None); nans last."""
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    if descending:
        return flip(lax.sort(flip(a, axis), lax._canonical_axis(axis, a.ndim), stable), axis)
    return lax.sort(a, lax._canonical_axis(axis, a.ndim), stable)


def argsort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """The indices that sort ``a`` along ``axis``: sort ``a`` together with an iota."""
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


def outer(a, b):
    a, b = ravel(a), ravel(b)
    return multiply(lax.expand_dims(a, (1,)), lax.expand_dims(b, (0,)))
