"""Padding: ``jnp.pad`` in all of numpy's modes.

Every mode is built from slices, reversals, broadcasts and ``lax.pad``, one
axis at a time, so padding is differentiable, batchable and jittable with no
rules of its own. Pad widths are shapes, so they must be concrete.
"""
import builtins
import math

import numpy as np

from .. import dtypes, lax
from ..api import vmap
from ..core import concrete_or_error
from ..lax import _convert_element_type
from .creation import asarray, linspace, zeros
from .promotion import _check_arraylike, broadcast_to
from .elementwise import round
from .reductions import max, mean, min
from .shapes import flip, moveaxis, reshape, repeat
from .statistics import median

# The keyword arguments each mode accepts (numpy's table).
_MODE_KWARGS = {
    "constant": ("constant_values",), "edge": (), "linear_ramp": ("end_values",),
    "maximum": ("stat_length",), "mean": ("stat_length",), "median": ("stat_length",),
    "minimum": ("stat_length",), "reflect": ("reflect_type",), "symmetric": ("reflect_type",),
    "wrap": (), "empty": (),
}


def pad(array, pad_width, mode="constant", **kwargs):
    """Pad ``array`` with ``pad_width[i] = (before, after)`` entries along axis ``i``."""
    _check_arraylike("pad", array)
    array = asarray(array)
    widths = _pairs(pad_width, array.ndim, "pad_width")
    if builtins.any(not isinstance(w, (int, np.integer)) for pair in widths for w in pair):
        raise TypeError(f"`pad_width` must be of integral type, got {pad_width}")
    if builtins.any(w < 0 for pair in widths for w in pair):
        raise ValueError("index can't contain negative values")
    if callable(mode):
        return _pad_with_function(array, widths, mode, kwargs)
    if mode not in _MODE_KWARGS:   # JAX's type for this is NotImplementedError
        raise NotImplementedError(f"Unimplemented padding mode '{mode}' for np.pad.")
    unexpected = set(kwargs) - set(_MODE_KWARGS[mode])
    if unexpected:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unexpected}")
    if array.ndim == 0:
        return array
    if mode == "constant":
        return _pad_constant(array, widths, kwargs.get("constant_values", 0))
    if mode in ("reflect", "symmetric"):
        reflect_type = kwargs.get("reflect_type", "even")
        if reflect_type not in ("even", "odd"):
            raise ValueError(f"reflect_type must be 'even' or 'odd', got {reflect_type!r}")
        return _per_axis(array, widths, mode,
                         lambda x, i, w: _pad_reflect(x, i, w, mode, reflect_type))
    if mode == "linear_ramp":
        ends = _pairs(kwargs.get("end_values", 0), array.ndim, "end_values")
        return _per_axis(array, widths, mode, lambda x, i, w: _pad_ramp(x, i, w, ends[i]))
    if mode in ("maximum", "minimum", "mean", "median"):
        stat = {"maximum": max, "minimum": min, "mean": mean, "median": median}[mode]
        lengths = kwargs.get("stat_length")
        lengths = None if lengths is None else _pairs(lengths, array.ndim, "stat_length")
        return _per_axis(array, widths, mode, lambda x, i, w: _pad_stat(
            x, i, w, stat, None if lengths is None else lengths[i]), check_empty=False)
    side = {"edge": _pad_edge, "wrap": _pad_wrap, "empty": _pad_empty}[mode]
    return _per_axis(array, widths, mode, side, check_empty=mode != "empty")


def _pairs(value, ndim, name):
    """``value`` as one ``(before, after)`` pair per axis (numpy's broadcasting of
    a scalar, a pair, or a per-axis list); the entries must be concrete."""
    value = concrete_or_error(value, f"the {name} argument of jnp.pad")
    try:
        arr = np.asarray(value)
    except ValueError:
        raise TypeError(f"`{name}` entries must be the same shape: {value}") from None
    if arr.shape in ((), (1,)):
        arr = np.broadcast_to(arr.reshape(()), (ndim, 2))
    elif arr.shape in ((2,), (1, 2)):
        arr = np.broadcast_to(arr.reshape(2), (ndim, 2))
    elif arr.shape != (ndim, 2):
        raise ValueError(f"jnp.pad: {name} with nd={ndim} has unsupported shape {arr.shape}. "
                         f"Valid shapes are ({ndim}, 2), (1, 2), (2,), (1,), or ().")
    return [tuple(v.item() for v in row) for row in arr]


def _per_axis(array, widths, mode, pad_axis, check_empty=True):
    """Apply ``pad_axis(array, axis, (before, after))`` to each axis that needs it."""
    for i, (before, after) in enumerate(widths):
        if before == after == 0:
            continue
        if check_empty and array.shape[i] == 0:
            raise ValueError(f"Cannot apply '{mode}' padding to empty axis")
        array = pad_axis(array, i, (before, after))
    return array


def _pad_constant(array, widths, constant_values):
    """``lax.pad`` with the fill value(s): one call for a single value, else one
    call per side and axis (``constant_values`` is one value per side and axis)."""
    values = asarray(constant_values)
    values = _convert_element_type(values, array.dtype, array.weak_type)
    if values.ndim == 0 or values.shape == (1,):
        return lax.pad(array, reshape(values, ()), [(lo, hi, 0) for lo, hi in widths])
    if values.ndim == 1 and values.shape[-1] != 2:
        raise ValueError(f"jnp.pad: constant_values has unsupported shape {values.shape}. If "
                         "the shape is 1D or 2D, the last dimension must be of size 1 or 2.")
    values = broadcast_to(values, (array.ndim, 2))
    for i, (before, after) in enumerate(widths):
        for side, width in ((0, before), (1, after)):
            if width:
                config = [(0, 0, 0)] * array.ndim
                config[i] = (width, 0, 0) if side == 0 else (0, width, 0)
                array = lax.pad(array, values[i, side], config)
    return array


def _edge(array, axis, before):
    """The first (``before``) or last slice along ``axis``, keeping the axis."""
    n = array.shape[axis]
    return lax.slice_in_dim(array, 0, 1, 1, axis) if before else \
        lax.slice_in_dim(array, n - 1, n, 1, axis)


def _pad_edge(array, axis, width):
    before, after = width
    return lax.concatenate([repeat(_edge(array, axis, True), before, axis), array,
                            repeat(_edge(array, axis, False), after, axis)], axis)


def _pad_wrap(array, axis, width):
    """Periodic continuation: whole copies, then the remainders at both ends."""
    n = array.shape[axis]
    (reps_before, rem_before), (reps_after, rem_after) = (divmod(w, n) for w in width)
    parts = [lax.slice_in_dim(array, n - rem_before, n, 1, axis)] if rem_before else []
    parts += [array] * (reps_before + reps_after + 1)
    parts += [lax.slice_in_dim(array, 0, rem_after, 1, axis)] if rem_after else []
    return lax.concatenate(parts, axis)


def _pad_empty(array, axis, width):
    """numpy leaves the new entries uninitialised; we fill them with zeros, as JAX does."""
    def block(w):
        shape = list(array.shape)
        shape[axis] = w
        return _convert_element_type(zeros(shape, array.dtype), array.dtype, array.weak_type)
    return lax.concatenate([block(width[0]), array, block(width[1])], axis)


def _pad_reflect(array, axis, width, mode, reflect_type):
    """Mirror the array at its ends, in chunks of at most one period, as numpy does.

    ``reflect`` mirrors about the edge element (not repeating it), ``symmetric``
    about the edge itself (repeating it). ``odd`` reflects the values too:
    ``2 * edge - mirrored``, with the edge moving out chunk by chunk.
    """
    n = array.shape[axis]
    offset = 1 if mode == "reflect" and n > 1 else 0
    for before, remaining in ((True, width[0]), (False, width[1])):
        edge = _edge(array, axis, before)
        while remaining > 0:
            chunk = builtins.min(remaining, n - offset)
            remaining -= chunk
            size = array.shape[axis]
            lo, hi = (offset, offset + chunk) if before else (size - chunk - offset,
                                                              size - offset)
            mirrored = flip(lax.slice_in_dim(array, lo, hi, 1, axis), axis)
            if reflect_type == "odd":
                mirrored = _twice_minus(edge, mirrored)
                if n > 1:
                    edge = _edge(mirrored, axis, before)
            parts = [mirrored, array] if before else [array, mirrored]
            array = lax.concatenate(parts, axis)
    return array


def _twice_minus(edge, x):
    """``2 * edge - x`` in ``x``'s dtype (broadcasting ``edge`` along the axis)."""
    two = _convert_element_type(2, x.dtype, x.weak_type)
    return lax.sub(broadcast_to(lax.mul(two, edge), x.shape), x)


def _pad_ramp(array, axis, width, ends):
    """Linear ramps from the ``end_values`` up to (not including) the edge values."""
    parts = []
    for before, w, end in ((True, width[0], ends[0]), (False, width[1], ends[1])):
        edge = lax.squeeze(_edge(array, axis, before), (axis,))
        end = broadcast_to(asarray(end), edge.shape)
        ramp = linspace(end, edge, w, endpoint=False, dtype=array.dtype, axis=axis)
        ramp = _convert_element_type(ramp, array.dtype, array.weak_type)
        parts.append(ramp if before else flip(ramp, axis))
    return lax.concatenate([parts[0], array, parts[1]], axis)


def _pad_stat(array, axis, width, stat, lengths):
    """Fill with a statistic (max, min, mean, median) of the first/last ``lengths``
    elements (all of them if ``lengths`` is None)."""
    n = array.shape[axis]
    if lengths is None:
        stats = (stat(array, axis=axis, keepdims=True),) * 2
    else:
        if 0 in lengths:
            raise ValueError("stat_length of 0 yields no value for padding")
        lo, hi = (builtins.min(length, n) for length in lengths)
        stats = (stat(lax.slice_in_dim(array, 0, lo, 1, axis), axis=axis, keepdims=True),
                 stat(lax.slice_in_dim(array, n - hi, n, 1, axis), axis=axis, keepdims=True))
    if array.dtype.kind in "iu":   # the mean of integers rounds back to them
        stats = tuple(round(s) for s in stats)
    stats = [_convert_element_type(s, array.dtype, array.weak_type) for s in stats]
    return lax.concatenate([repeat(stats[0], width[0], axis), array,
                            repeat(stats[1], width[1], axis)], axis)


def _pad_with_function(array, widths, func, kwargs):
    """numpy's callable ``mode``: ``func(vector, (before, after), axis, kwargs)`` returns
    each zero-padded 1-D line along ``axis`` with its pad entries filled in."""
    array = _pad_constant(array, widths, 0)
    for axis in range(array.ndim):
        lines = moveaxis(array, axis, -1)
        flat = reshape(lines, (math.prod(lines.shape[:-1]), lines.shape[-1]))
        filled = vmap(lambda v, axis=axis: asarray(func(v, widths[axis], axis, kwargs)))(flat)
        array = moveaxis(reshape(filled, lines.shape), -1, axis)
    return array
