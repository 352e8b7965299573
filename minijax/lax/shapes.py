"""Structural primitives: they move, copy or select elements without arithmetic.

broadcast_in_dim, reshape, transpose, squeeze, rev, concatenate, pad, slice,
dynamic_slice, dynamic_update_slice, gather, scatter (plain, and combining with
add, mul, min or max), iota.

All of these are linear in their array operands (scatter-mul only in the
operand; scatter-min and scatter-max not at all), which is why reverse mode
can transpose them (Chapter 8): the transpose of a slice is a pad, of a
broadcast a sum, of a gather a scatter-add.
"""
from typing import NamedTuple

import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray
from .elementwise import _check_same_dtypes


def _shape_error(msg):
    return TypeError(msg)


# ---------------------------------------------------------------------------
# broadcast_in_dim: place operand axis i at output axis broadcast_dimensions[i]

broadcast_in_dim_p = Primitive("broadcast_in_dim")


@broadcast_in_dim_p.def_impl
def _broadcast_in_dim_impl(x, shape, broadcast_dimensions):
    expanded = [1] * len(shape)
    for axis, dim in zip(range(x.ndim), broadcast_dimensions):
        expanded[dim] = x.shape[axis]
    return np.broadcast_to(x.reshape(expanded), shape)


@broadcast_in_dim_p.def_abstract_eval
def _broadcast_in_dim_abstract_eval(x, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise _shape_error(f"broadcast_in_dim broadcast_dimensions must have length equal to "
                           f"operand ndim; got broadcast_dimensions {broadcast_dimensions} for "
                           f"operand ndim {x.ndim}.")
    if any(not 0 <= d < len(shape) for d in broadcast_dimensions) or \
            list(broadcast_dimensions) != sorted(set(broadcast_dimensions)):
        raise _shape_error(f"broadcast_in_dim broadcast_dimensions must be strictly increasing "
                           f"and within the output rank {len(shape)}; got {broadcast_dimensions}.")
    for axis, dim in enumerate(broadcast_dimensions):
        if x.shape[axis] not in (1, shape[dim]):
            raise _shape_error(f"broadcast_in_dim operand dimension sizes must either be 1, or "
                               f"be equal to their corresponding dimensions in the target "
                               f"broadcast shape; got operand of shape {x.shape}, target "
                               f"broadcast shape {shape}, broadcast_dimensions "
                               f"{broadcast_dimensions}.")
    return ShapedArray(shape, x.dtype, x.weak_type)


# ---------------------------------------------------------------------------
# reshape

reshape_p = Primitive("reshape")
reshape_p.def_impl(lambda x, new_sizes, dimensions: np.reshape(x, new_sizes))


@reshape_p.def_abstract_eval
def _reshape_abstract_eval(x, new_sizes, dimensions):
    if dimensions is not None:
        raise NotImplementedError("reshape with `dimensions` is not supported; transpose first")
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise _shape_error(f"reshape total size must be unchanged, got new_sizes {new_sizes} "
                           f"(of total size {int(np.prod(new_sizes))}) for shape {x.shape} "
                           f"(of total size {x.size}).")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


# ---------------------------------------------------------------------------
# transpose, squeeze, rev

transpose_p = Primitive("transpose")
transpose_p.def_impl(lambda x, permutation: np.transpose(x, permutation))


@transpose_p.def_abstract_eval
def _transpose_abstract_eval(x, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise _shape_error(f"transpose permutation isn't a permutation of operand dimensions, "
                           f"got permutation {permutation} for operand shape {x.shape}.")
    return ShapedArray([x.shape[p] for p in permutation], x.dtype, x.weak_type)


squeeze_p = Primitive("squeeze")
squeeze_p.def_impl(lambda x, dimensions: np.squeeze(x, dimensions))


@squeeze_p.def_abstract_eval
def _squeeze_abstract_eval(x, dimensions):
    if any(not 0 <= d < x.ndim for d in dimensions) or len(set(dimensions)) != len(dimensions):
        raise _shape_error(f"squeeze dimensions {dimensions} are invalid for shape {x.shape}.")
    if any(x.shape[d] != 1 for d in dimensions):
        raise _shape_error(f"cannot select an axis to squeeze out which has size not equal to "
                           f"one, got shape={x.shape} and dimensions={dimensions}")
    return ShapedArray([s for i, s in enumerate(x.shape) if i not in dimensions],
                       x.dtype, x.weak_type)


rev_p = Primitive("rev")
rev_p.def_impl(lambda x, dimensions: np.flip(x, dimensions) if dimensions else x)


@rev_p.def_abstract_eval
def _rev_abstract_eval(x, dimensions):
    if any(not 0 <= d < x.ndim for d in dimensions):
        raise _shape_error(f"rev dimensions {dimensions} out of range for shape {x.shape}.")
    return x


# ---------------------------------------------------------------------------
# concatenate and pad

concatenate_p = Primitive("concatenate")
concatenate_p.def_impl(lambda *xs, dimension: np.concatenate(xs, dimension))


@concatenate_p.def_abstract_eval
def _concatenate_abstract_eval(*xs, dimension):
    if not xs:
        raise TypeError("concatenate requires at least one operand")
    _check_same_dtypes("concatenate", xs)
    ndim = xs[0].ndim
    if not 0 <= dimension < ndim:
        raise _shape_error(f"concatenate dimension out of bounds: dimension {dimension} for "
                           f"shapes {', '.join(str(x.shape) for x in xs)}.")
    for x in xs:
        if x.ndim != ndim or any(a != b for i, (a, b) in enumerate(zip(x.shape, xs[0].shape))
                                 if i != dimension):
            raise _shape_error(f"Cannot concatenate arrays with shapes that differ in "
                               f"dimensions other than the one being concatenated: "
                               f"concatenating along dimension {dimension} for shapes "
                               f"{', '.join(str(x.shape) for x in xs)}.")
    shape = list(xs[0].shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return ShapedArray(shape, xs[0].dtype, all(x.weak_type for x in xs))


pad_p = Primitive("pad")


@pad_p.def_impl
def _pad_impl(x, padding_value, padding_config):
    """Interior padding first, then edge padding; negative edges crop."""
    shape = [lo + hi + d + max(0, d - 1) * interior
             for d, (lo, hi, interior) in zip(x.shape, padding_config)]
    # Build the fully padded array with positive edges, then crop negatives.
    full = [max(lo, 0) + max(hi, 0) + d + max(0, d - 1) * interior
            for d, (lo, hi, interior) in zip(x.shape, padding_config)]
    out = np.full(full, padding_value, dtype=x.dtype)
    place = tuple(slice(max(lo, 0), max(lo, 0) + d + max(0, d - 1) * interior, interior + 1)
                  for d, (lo, hi, interior) in zip(x.shape, padding_config))
    out[place] = x
    crop = tuple(slice(max(-lo, 0), max(-lo, 0) + n)
                 for n, (lo, hi, interior) in zip(shape, padding_config))
    return out[crop]


@pad_p.def_abstract_eval
def _pad_abstract_eval(x, padding_value, padding_config):
    _check_same_dtypes("pad", (x, padding_value))
    if padding_value.shape:
        raise ValueError(f"padding_value must be a scalar, got shape {padding_value.shape}.")
    if len(padding_config) != x.ndim:
        raise _shape_error(f"length of padding_config must equal the number of axes of "
                           f"operand, got padding_config {padding_config} for operand shape "
                           f"{x.shape}.")
    shape = []
    for d, (lo, hi, interior) in zip(x.shape, padding_config):
        if interior < 0:
            raise ValueError(f"interior padding in padding_config must be nonnegative, "
                               f"got padding_config {padding_config}.")
        n = lo + hi + d + max(0, d - 1) * interior
        if n < 0:
            raise ValueError(f"Dimension size after padding is not at least 0, got result "
                               f"size {n} for padding_config {padding_config} and shape "
                               f"{x.shape}.")
        shape.append(n)
    return ShapedArray(shape, x.dtype, x.weak_type)


# ---------------------------------------------------------------------------
# Static and dynamic slices

slice_p = Primitive("slice")


@slice_p.def_impl
def _slice_impl(x, start_indices, limit_indices, strides):
    strides = strides or (1,) * x.ndim
    return x[tuple(slice(s, l, st) for s, l, st in zip(start_indices, limit_indices, strides))]


@slice_p.def_abstract_eval
def _slice_abstract_eval(x, start_indices, limit_indices, strides):
    strides = strides or (1,) * x.ndim
    if not len(start_indices) == len(limit_indices) == len(strides) == x.ndim:
        raise _shape_error(f"slice start_indices, limit_indices and strides must have length "
                           f"equal to the operand rank {x.ndim}; got {start_indices}, "
                           f"{limit_indices}, {strides}.")
    for s, l, st, d in zip(start_indices, limit_indices, strides, x.shape):
        if not 0 <= s <= l <= d or st < 1:
            raise _shape_error(f"slice start_indices {start_indices}, limit_indices "
                               f"{limit_indices} and strides {strides} are invalid for operand "
                               f"shape {x.shape}: need 0 <= start <= limit <= size, stride >= 1.")
    shape = [(l - s + st - 1) // st for s, l, st in zip(start_indices, limit_indices, strides)]
    return ShapedArray(shape, x.dtype, x.weak_type)


def _clamped_starts(starts, operand_shape, sizes):
    """XLA clamps dynamic start indices so the slice stays in bounds."""
    return [int(np.clip(int(s), 0, d - n)) for s, d, n in zip(starts, operand_shape, sizes)]


def _check_start_indices(name, x, starts):
    if len(starts) != x.ndim:
        raise _shape_error(f"{name}: the number of start indices ({len(starts)}) must equal "
                           f"the operand rank ({x.ndim}).")
    for s in starts:
        if s.shape or s.dtype.kind not in "iu":
            raise TypeError(f"{name}: start indices must be integer scalars, got "
                            f"{s.dtype.name}{list(s.shape)}.")


dynamic_slice_p = Primitive("dynamic_slice")


@dynamic_slice_p.def_impl
def _dynamic_slice_impl(x, *starts, slice_sizes):
    starts = _clamped_starts(starts, x.shape, slice_sizes)
    return x[tuple(slice(s, s + n) for s, n in zip(starts, slice_sizes))]


@dynamic_slice_p.def_abstract_eval
def _dynamic_slice_abstract_eval(x, *starts, slice_sizes):
    _check_start_indices("dynamic_slice", x, starts)
    if len(slice_sizes) != x.ndim or any(not 0 <= n <= d for n, d in zip(slice_sizes, x.shape)):
        raise _shape_error(f"dynamic_slice slice_sizes {slice_sizes} must have one entry per "
                           f"operand axis, each between 0 and the axis size {x.shape}.")
    return ShapedArray(slice_sizes, x.dtype, x.weak_type)


dynamic_update_slice_p = Primitive("dynamic_update_slice")


@dynamic_update_slice_p.def_impl
def _dynamic_update_slice_impl(x, update, *starts):
    starts = _clamped_starts(starts, x.shape, update.shape)
    out = x.copy()
    out[tuple(slice(s, s + n) for s, n in zip(starts, update.shape))] = update
    return out


@dynamic_update_slice_p.def_abstract_eval
def _dynamic_update_slice_abstract_eval(x, update, *starts):
    _check_start_indices("dynamic_update_slice", x, starts)
    _check_same_dtypes("dynamic_update_slice", (x, update))
    if update.ndim != x.ndim or any(u > d for u, d in zip(update.shape, x.shape)):
        raise _shape_error(f"dynamic_update_slice update shape {update.shape} must have the "
                           f"operand's rank and fit inside the operand shape {x.shape}.")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


# ---------------------------------------------------------------------------
# gather and scatter: general indexing with XLA's dimension numbers.
# The index vector is the last axis of ``indices``; every other axis of
# ``indices`` is a batch axis of the result. JAX also supports batching
# dimensions inside gather; minijax's vmap rule does without them.


class GatherDimensionNumbers(NamedTuple):
    """Which output axes are slice (offset) axes, which operand axes are
    collapsed (sliced with size 1 and dropped), and which operand axis each
    index-vector entry addresses."""
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """The scatter mirror image of ``GatherDimensionNumbers``."""
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


class GatherScatterMode:
    """Out-of-bounds policy of a gather or scatter, as in JAX and XLA.

    * ``clip``: indices are clamped so that every window lies in bounds;
    * ``fill`` (gather) / ``drop`` (scatter): a window that is out of bounds
      reads ``fill_value`` / is not written;
    * ``promise_in_bounds``: the caller promises there are none, and the
      result is whatever XLA does: a gather clamps, a scatter drops.
    """
    CLIP = "clip"
    FILL_OR_DROP = "fill"
    PROMISE_IN_BOUNDS = "promise_in_bounds"

    @staticmethod
    def from_any(mode):
        """Parse a mode: a string or a ``GatherScatterMode`` attribute;
        ``None`` means fill/drop (``lax.gather`` picks its own default first)."""
        if mode is None:
            return GatherScatterMode.FILL_OR_DROP
        name = str(mode).lower().split(".")[-1]
        aliases = {"clip": "clip", "fill": "fill", "drop": "fill", "fill_or_drop": "fill",
                   "promise_in_bounds": "promise_in_bounds"}
        if name == "one_hot":
            raise NotImplementedError("minijax does not implement gather/scatter mode "
                                      "'one_hot'; use 'fill', 'clip' or 'promise_in_bounds'.")
        if name not in aliases:
            raise ValueError(f"Unknown gather mode {mode!r}: use 'fill' (or 'drop'), 'clip' "
                             "or 'promise_in_bounds'")
        return aliases[name]


def _window_index_arrays(operand_shape, batch_shape, starts, window_sizes):
    """Integer index arrays selecting, for each batch position, the window of
    ``window_sizes`` starting at ``starts``; shape batch_shape + window_sizes."""
    nb, nd = len(batch_shape), len(operand_shape)
    idx = []
    for d in range(nd):
        start = starts[d].reshape(batch_shape + (1,) * nd)
        offsets = np.arange(window_sizes[d]).reshape(
            (1,) * nb + tuple(window_sizes[d] if e == d else 1 for e in range(nd)))
        idx.append(start + offsets)
    return tuple(idx)


def _starts_per_axis(indices, index_map, operand_shape, window_sizes, mode):
    """One start array per operand axis (zeros for axes not indexed), and a
    mask of batch positions whose window is fully in bounds."""
    batch_shape = indices.shape[:-1]
    starts, in_bounds = [], np.ones(batch_shape, bool)
    for d, size in enumerate(operand_shape):
        if d in index_map:
            s = indices[..., index_map.index(d)].astype(np.int64)
            in_bounds &= (s >= 0) & (s <= size - window_sizes[d])
            # Clamped either way; in fill/drop mode the mask then discards the
            # windows that were out of bounds.
            s = np.clip(s, 0, max(size - window_sizes[d], 0))
        else:
            s = np.zeros(batch_shape, np.int64)
        starts.append(s)
    return starts, in_bounds


gather_p = Primitive("gather")


def _gather_shape(operand_shape, indices_shape, dimension_numbers, slice_sizes):
    dn = dimension_numbers
    batch_shape = indices_shape[:-1]
    offset_sizes = [n for d, n in enumerate(slice_sizes) if d not in dn.collapsed_slice_dims]
    rank = len(batch_shape) + len(offset_sizes)
    out, batch_iter, offset_iter = [], iter(batch_shape), iter(offset_sizes)
    for i in range(rank):
        out.append(next(offset_iter) if i in dn.offset_dims else next(batch_iter))
    return tuple(out)


@gather_p.def_impl
def _gather_impl(operand, indices, dimension_numbers, slice_sizes, mode, fill_value,
                 indices_are_sorted, unique_indices):
    dn = dimension_numbers
    batch_shape = indices.shape[:-1]
    starts, in_bounds = _starts_per_axis(indices, dn.start_index_map, operand.shape,
                                         slice_sizes, mode)
    windows = operand[_window_index_arrays(operand.shape, batch_shape, starts, slice_sizes)]
    if mode == GatherScatterMode.FILL_OR_DROP:
        fill = _default_fill(operand.dtype) if fill_value is None else fill_value
        mask = in_bounds.reshape(batch_shape + (1,) * operand.ndim)
        windows = np.where(mask, windows, np.asarray(fill, operand.dtype))
    offset_sizes = [n for d, n in enumerate(slice_sizes) if d not in dn.collapsed_slice_dims]
    windows = windows.reshape(batch_shape + tuple(offset_sizes))   # drop collapsed axes
    nb, rank = len(batch_shape), len(batch_shape) + len(offset_sizes)
    batch_positions = [i for i in range(rank) if i not in dn.offset_dims]
    perm = [nb + dn.offset_dims.index(i) if i in dn.offset_dims else batch_positions.index(i)
            for i in range(rank)]
    return np.transpose(windows, perm)


def _default_fill(dtype):
    if dtype.kind in "fc":
        return np.nan
    if dtype.kind == "b":
        return True
    return np.iinfo(dtype).min if dtype.kind == "i" else np.iinfo(dtype).max


@gather_p.def_abstract_eval
def _gather_abstract_eval(operand, indices, dimension_numbers, slice_sizes, mode, fill_value,
                          indices_are_sorted, unique_indices):
    dn = dimension_numbers
    if indices.dtype.kind not in "iu":
        raise TypeError(f"gather indices must be integers, got {indices.dtype.name}.")
    if dn.operand_batching_dims or dn.start_indices_batching_dims:
        raise NotImplementedError("gather batching dimensions are not supported by minijax")
    if not indices.shape or indices.shape[-1] != len(dn.start_index_map):
        raise _shape_error(f"gather: the last axis of indices (shape {indices.shape}) must "
                           f"have one entry per start_index_map entry {dn.start_index_map}.")
    if len(slice_sizes) != operand.ndim or any(not 0 <= n <= d for n, d in
                                               zip(slice_sizes, operand.shape)):
        raise _shape_error(f"gather slice_sizes {slice_sizes} invalid for operand shape "
                           f"{operand.shape}.")
    if len(dn.offset_dims) + len(dn.collapsed_slice_dims) != operand.ndim:
        raise TypeError("All components of the offset index in a gather op must either be a "
                        "offset dimension or explicitly collapsed/batching; got "
                        f"len(slice_sizes)={len(slice_sizes)}, offset_dims={dn.offset_dims}, "
                        f"collapsed_slice_dims={dn.collapsed_slice_dims}.")
    if any(slice_sizes[d] != 1 for d in dn.collapsed_slice_dims):
        raise _shape_error("gather: collapsed_slice_dims must have slice size 1.")
    shape = _gather_shape(operand.shape, indices.shape, dn, slice_sizes)
    return ShapedArray(shape, operand.dtype, operand.weak_type)


def _scatter_index_arrays(operand_shape, indices, updates, dn, mode):
    """Index arrays into the operand, the updates rearranged to match them, and
    a mask of in-bounds windows."""
    update_scatter_dims = [i for i in range(updates.ndim) if i not in dn.update_window_dims]
    batch_shape = tuple(updates.shape[i] for i in update_scatter_dims)
    window_iter = iter(updates.shape[i] for i in dn.update_window_dims)
    window_sizes = [1 if d in dn.inserted_window_dims else next(window_iter)
                    for d in range(len(operand_shape))]
    starts, in_bounds = _starts_per_axis(indices.reshape(batch_shape + indices.shape[-1:]),
                                         dn.scatter_dims_to_operand_dims, operand_shape,
                                         window_sizes, mode)
    idx = _window_index_arrays(operand_shape, batch_shape, starts, window_sizes)
    # updates: batch axes first, then window axes, then re-insert size-1 axes.
    moved = np.transpose(updates, update_scatter_dims + list(dn.update_window_dims))
    moved = moved.reshape(batch_shape + tuple(window_sizes))
    if mode != GatherScatterMode.CLIP:   # drop out-of-bounds windows, as XLA does
        keep = np.broadcast_to(in_bounds.reshape(batch_shape + (1,) * len(operand_shape)),
                               moved.shape)
        idx = tuple(np.broadcast_to(i, moved.shape)[keep] for i in idx)
        moved = moved[keep]
    return idx, moved


def _scatter_abstract_eval(operand, indices, updates, dimension_numbers, mode,
                           indices_are_sorted, unique_indices, name):
    dn = dimension_numbers
    _check_same_dtypes(name, (operand, updates))
    if name in ("scatter_add", "scatter_mul") and operand.dtype.kind == "b":   # as add, mul
        raise TypeError(f"{name} does not accept dtype bool. Accepted dtypes are "
                        "subtypes of integer, floating, complexfloating.")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{name} indices must be integers, got {indices.dtype.name}.")
    if dn.operand_batching_dims or dn.scatter_indices_batching_dims:
        raise NotImplementedError(f"{name} batching dimensions are not supported by minijax")
    n_window = operand.ndim - len(dn.inserted_window_dims)
    if len(dn.update_window_dims) != n_window:
        raise _shape_error(f"{name}: update_window_dims {dn.update_window_dims} must name "
                           f"{n_window} axes of the updates.")
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


def _combining_scatter(name, ufunc):
    """A scatter that combines each update with what is there (``ufunc``),
    so that repeated indices all contribute: add, mul, min, max."""
    prim = Primitive(name.replace("_", "-"))

    @prim.def_impl
    def impl(operand, indices, updates, dimension_numbers, mode, indices_are_sorted,
             unique_indices):
        idx, moved = _scatter_index_arrays(operand.shape, indices, updates, dimension_numbers,
                                           mode)
        out = operand.copy()
        ufunc.at(out, idx, moved)
        return out

    prim.def_abstract_eval(lambda *a, **p: _scatter_abstract_eval(*a, **p, name=name))
    return prim


scatter_add_p = _combining_scatter("scatter_add", np.add)
scatter_mul_p = _combining_scatter("scatter_mul", np.multiply)
scatter_min_p = _combining_scatter("scatter_min", np.minimum)
scatter_max_p = _combining_scatter("scatter_max", np.maximum)
scatter_p = Primitive("scatter")


@scatter_p.def_impl
def _scatter_impl(operand, indices, updates, dimension_numbers, mode,
                  indices_are_sorted, unique_indices):
    idx, moved = _scatter_index_arrays(operand.shape, indices, updates, dimension_numbers, mode)
    out = operand.copy()
    out[idx] = moved
    return out


scatter_p.def_abstract_eval(lambda *a, **p: _scatter_abstract_eval(*a, **p, name="scatter"))


# ---------------------------------------------------------------------------
# iota: 0, 1, 2, ... along one axis

iota_p = Primitive("iota")


@iota_p.def_impl
def _iota_impl(*, dtype, shape, dimension):
    line = np.arange(shape[dimension], dtype=dtype)
    return np.broadcast_to(line.reshape([-1 if i == dimension else 1
                                         for i in range(len(shape))]), shape)


@iota_p.def_abstract_eval
def _iota_abstract_eval(*, dtype, shape, dimension):
    if not 0 <= dimension < len(shape):
        raise _shape_error(f"iota dimension {dimension} out of range for shape {shape}.")
    return ShapedArray(shape, dtypes.canonicalize_dtype(dtype), False)
