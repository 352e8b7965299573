"""``minijax.lax``: the primitive operations, with JAX's names and signatures.

Each public function here is a thin wrapper around one primitive's ``bind``.
``lax`` is strict, as in JAX: binary operations want equal dtypes and do not
broadcast beyond rank-0 operands and size-1 axes; ``minijax.numpy`` adds
numpy's promotion and broadcasting on top.
"""
import builtins
import operator

import numpy as np

from .. import dtypes, tree_util
from ..core import ShapedArray, Tracer, get_aval
from ..eager import Array
from .elementwise import (
    neg_p, sign_p, floor_p, ceil_p, is_finite_p, exp_p, exp2_p, log_p, log1p_p, expm1_p,
    sin_p, cos_p, tan_p, asin_p, acos_p, atan_p, sinh_p, cosh_p, tanh_p, asinh_p, acosh_p,
    atanh_p, logistic_p, sqrt_p, rsqrt_p, cbrt_p, erf_p, erfc_p, erf_inv_p, lgamma_p,
    digamma_p, not_p, abs_p, real_p, imag_p, stop_gradient_p, round_p, integer_pow_p, conj_p,
    add_p, sub_p, mul_p, div_p, rem_p, pow_p, max_p, min_p, atan2_p, nextafter_p, and_p, or_p,
    xor_p, eq_p, ne_p, lt_p, le_p, gt_p, ge_p, complex_p, polygamma_p, add_any_p, select_n_p, clamp_p,
    shift_left_p, shift_right_logical_p, shift_right_arithmetic_p, bitcast_convert_type_p,
    convert_element_type_p, population_count_p, clz_p, reduce_precision_p, unary_ops,
    binary_ops)
from .shapes import (
    GatherDimensionNumbers, ScatterDimensionNumbers, GatherScatterMode, broadcast_in_dim_p,
    reshape_p, transpose_p, squeeze_p, rev_p, concatenate_p, pad_p, slice_p, dynamic_slice_p,
    dynamic_update_slice_p, gather_p, scatter_add_p, scatter_mul_p, scatter_min_p, scatter_max_p,
    scatter_p, iota_p)
from .reductions import (
    reduce_sum_p, reduce_prod_p, reduce_max_p, reduce_min_p, reduce_and_p, reduce_or_p,
    argmax_p, argmin_p, cumsum_p, cumprod_p, cummax_p, cummin_p, cumlogsumexp_p, dot_general_p)
from .sorting import sort_p, top_k_p
from .convolution import (
    ConvDimensionNumbers, conv_dimension_numbers, conv_general_dilated, conv,
    conv_with_general_padding, padtype_to_pads, conv_general_dilated_p)
from .windowed import (
    reduce_window, reduce_window_shape_tuple, reduce_window_sum_p, reduce_window_max_p,
    reduce_window_min_p, select_and_gather_add_p, select_and_scatter_add_p)
from .fourier import FftType, fft, fft_p
from .special import (
    igamma, igammac, igamma_grad_a, betainc, igamma_p, igammac_p, igamma_grad_a_p,
    regularized_incomplete_beta_p)
from . import linalg

# ---------------------------------------------------------------------------
# Elementwise operations


def _unary_fn(prim):
    def fn(x):
        return prim.bind(x)
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = f"Elementwise ``{prim.name}`` (the ``{prim.name}`` primitive)."
    return fn


def _binary_fn(prim, name):
    def fn(x, y):
        return prim.bind(x, y)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{prim.name}`` of two arrays of equal dtype."
    return fn


neg, sign, floor, ceil, is_finite = map(_unary_fn, (neg_p, sign_p, floor_p, ceil_p, is_finite_p))
exp, exp2, log, log1p, expm1 = map(_unary_fn, (exp_p, exp2_p, log_p, log1p_p, expm1_p))
sin, cos, tan, asin, acos, atan = map(_unary_fn, (sin_p, cos_p, tan_p, asin_p, acos_p, atan_p))
sinh, cosh, tanh, asinh, acosh, atanh = map(
    _unary_fn, (sinh_p, cosh_p, tanh_p, asinh_p, acosh_p, atanh_p))
logistic, sqrt, rsqrt, cbrt = map(_unary_fn, (logistic_p, sqrt_p, rsqrt_p, cbrt_p))
erf, erfc, erf_inv, lgamma, digamma = map(
    _unary_fn, (erf_p, erfc_p, erf_inv_p, lgamma_p, digamma_p))
bitwise_not, abs, real, imag = map(_unary_fn, (not_p, abs_p, real_p, imag_p))
population_count, clz = map(_unary_fn, (population_count_p, clz_p))

add, sub, mul, div, rem, pow, max, min, atan2 = (
    _binary_fn(p, n) for p, n in ((add_p, "add"), (sub_p, "sub"), (mul_p, "mul"),
                                  (div_p, "div"), (rem_p, "rem"), (pow_p, "pow"),
                                  (max_p, "max"), (min_p, "min"), (atan2_p, "atan2")))


def nextafter(x1, x2):
    """The next float after ``x1`` in the direction of ``x2``, elementwise."""
    return nextafter_p.bind(x1, x2)


def polygamma(m, x):
    """The ``m``-th derivative of the digamma function at ``x``, elementwise."""
    return polygamma_p.bind(m, x)


bitwise_and, bitwise_or, bitwise_xor = (
    _binary_fn(p, n) for p, n in ((and_p, "bitwise_and"), (or_p, "bitwise_or"),
                                  (xor_p, "bitwise_xor")))
shift_left, shift_right_logical, shift_right_arithmetic = (
    _binary_fn(p, n) for p, n in ((shift_left_p, "shift_left"),
                                  (shift_right_logical_p, "shift_right_logical"),
                                  (shift_right_arithmetic_p, "shift_right_arithmetic")))
eq, ne, lt, le, gt, ge = (
    _binary_fn(p, n) for p, n in ((eq_p, "eq"), (ne_p, "ne"), (lt_p, "lt"), (le_p, "le"),
                                  (gt_p, "gt"), (ge_p, "ge")))


def round(x, rounding_method=0):
    """Round to the nearest integer: 0 = half away from zero, 1 = half to even."""
    return round_p.bind(x, rounding_method=int(rounding_method))


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """Round to the nearest value of a float format with the given numbers of
    exponent and mantissa bits (the result keeps ``operand``'s dtype)."""
    return reduce_precision_p.bind(operand, exponent_bits=operator.index(exponent_bits),
                                   mantissa_bits=operator.index(mantissa_bits))


def integer_pow(x, y):
    """``x ** y`` for a Python integer ``y`` (by repeated multiplication)."""
    return integer_pow_p.bind(x, y=operator.index(y))


def square(x):
    return integer_pow(x, 2)


def reciprocal(x):
    return integer_pow(x, -1)


def conj(x):
    """Complex conjugate; the result is complex even for real input."""
    return conj_p.bind(x, input_dtype=get_aval(x).dtype)


def complex(x, y):
    """``x + 1j * y`` from two real arrays."""
    return complex_p.bind(x, y)


def convert_element_type(operand, new_dtype):
    """Cast to ``new_dtype`` (the result is not weakly typed)."""
    return _convert_element_type(operand, new_dtype, weak_type=False)


def _convert_element_type(x, new_dtype, weak_type=False):
    """Cast, and set the weak flag; returns ``x`` itself when nothing changes."""
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    aval = getattr(x, "aval", None)
    if aval is not None and aval.dtype == new_dtype and aval.weak_type == weak_type:
        return x
    if isinstance(x, Tracer):
        return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))
    # A constant: convert it now with numpy ("constant folding"), so staged
    # programs show a literal 2.0:f32[] rather than a conversion equation.
    if type(x) in (int, float) and new_dtype.kind in "fc":
        value = np.array(x, new_dtype)   # the common case, x * 2.0: exact and quick
    else:
        value = np.asarray(convert_element_type_p.impl(
            np.asarray(getattr(x, "_value", x)), new_dtype=new_dtype, weak_type=weak_type))
    return Array(value, ShapedArray(value.shape, new_dtype, bool(weak_type)))


def bitcast_convert_type(operand, new_dtype):
    """Reinterpret each element's bits as ``new_dtype`` (of the same width)."""
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if get_aval(operand).dtype == new_dtype:
        return operand
    return bitcast_convert_type_p.bind(operand, new_dtype=new_dtype)


def select_n(which, *cases):
    """``cases[which]`` elementwise; ``which`` is boolean (2 cases) or integer."""
    return select_n_p.bind(which, *cases)


def select(pred, on_true, on_false):
    """``on_true`` where ``pred``, else ``on_false``."""
    return select_n_p.bind(pred, on_false, on_true)


def clamp(min, x, max):
    """``x`` clipped to ``[min, max]``."""
    return clamp_p.bind(min, x, max)


def stop_gradient(x):
    """The identity, but with a zero derivative. Maps over pytrees; integer and
    boolean leaves pass through unchanged."""
    def stop(leaf):
        if dtypes.is_inexact(get_aval(leaf).dtype):
            return stop_gradient_p.bind(leaf)
        return leaf
    return tree_util.tree_map(stop, x)


def add_any(x, y):
    """Sum of two tangents or cotangents (``add`` under a name autodiff uses)."""
    return add_any_p.bind(x, y)


# ---------------------------------------------------------------------------
# Shapes


def _shape(shape):
    return tuple(operator.index(d) for d in shape)


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    """Broadcast ``operand`` to ``shape``; its axis i becomes axis
    ``broadcast_dimensions[i]``."""
    shape, dims = _shape(shape), tuple(broadcast_dimensions)
    aval = get_aval(operand)
    if aval.shape == shape and dims == tuple(range(len(shape))):
        return operand if hasattr(operand, "aval") else Array(np.asarray(operand, aval.dtype),
                                                              aval)
    return broadcast_in_dim_p.bind(operand, shape=shape, broadcast_dimensions=dims)


def broadcast(operand, sizes):
    """Add leading axes of the given sizes."""
    sizes = _shape(sizes)
    ndim = get_aval(operand).ndim
    return broadcast_in_dim(operand, sizes + get_aval(operand).shape,
                            tuple(range(len(sizes), len(sizes) + ndim)))


def broadcast_to_rank(x, rank):
    aval = get_aval(x)
    return broadcast(x, (1,) * (rank - aval.ndim)) if aval.ndim < rank else x


def reshape(operand, new_sizes, dimensions=None):
    """Reshape to ``new_sizes`` (row-major order)."""
    new_sizes = _shape(new_sizes)
    if get_aval(operand).shape == new_sizes and dimensions is None and hasattr(operand, "aval"):
        return operand
    return reshape_p.bind(operand, new_sizes=new_sizes, dimensions=None if dimensions is None
                          else tuple(dimensions))


def transpose(operand, permutation):
    """Permute the axes: result axis i is operand axis ``permutation[i]``."""
    permutation = tuple(operator.index(p) for p in permutation)
    if permutation == tuple(range(len(permutation))) and hasattr(operand, "aval"):
        return operand
    return transpose_p.bind(operand, permutation=permutation)


def squeeze(array, dimensions):
    """Remove the given axes, each of size 1."""
    ndim = get_aval(array).ndim
    dims = tuple(sorted(_canonical_axis(d, ndim) for d in dimensions))
    if not dims:
        return array
    return squeeze_p.bind(array, dimensions=dims)


def expand_dims(array, dimensions):
    """Insert size-1 axes at the given positions of the result."""
    aval = get_aval(array)
    out_ndim = aval.ndim + len(dimensions)
    dims = sorted(_canonical_axis(d, out_ndim) for d in dimensions)
    shape = list(aval.shape)
    for d in dims:
        shape.insert(d, 1)
    kept = tuple(i for i in range(out_ndim) if i not in dims)
    return broadcast_in_dim(array, shape, kept)


def _canonical_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:   # numpy's AxisError is both a ValueError and an IndexError
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension "
                                      f"{ndim}")
    return axis % ndim


def rev(operand, dimensions):
    """Reverse the order of elements along the given axes."""
    return rev_p.bind(operand, dimensions=tuple(dimensions))


def concatenate(operands, dimension):
    """Join arrays of equal dtype along axis ``dimension``."""
    operands = list(operands)
    if len(operands) == 1:
        return operands[0]
    return concatenate_p.bind(*operands, dimension=operator.index(dimension))


def pad(operand, padding_value, padding_config):
    """Pad with ``(low, high, interior)`` per axis; negative low/high crop."""
    config = tuple((int(lo), int(hi), int(interior)) for lo, hi, interior in padding_config)
    return pad_p.bind(operand, padding_value, padding_config=config)


def slice(operand, start_indices, limit_indices, strides=None):
    """The static slice ``operand[start:limit:stride]`` along every axis."""
    return slice_p.bind(operand, start_indices=_shape(start_indices),
                        limit_indices=_shape(limit_indices),
                        strides=None if strides is None else _shape(strides))


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """A static slice along one axis."""
    shape = get_aval(operand).shape
    axis = _canonical_axis(axis, len(shape))
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    size = shape[axis]
    start = 0 if start_index is None else operator.index(start_index)
    limit = size if limit_index is None else operator.index(limit_index)
    starts[axis] = start + size if start < 0 else start
    limits[axis] = limit + size if limit < 0 else limit
    strides[axis] = stride
    return slice(operand, starts, limits, None if stride == 1 else strides)


def index_in_dim(operand, index, axis=0, keepdims=True):
    """Element ``index`` along ``axis`` (a static index)."""
    index, size = operator.index(index), get_aval(operand).shape[axis]
    index = index + size if index < 0 else index
    if not 0 <= index < size:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {size}")
    out = slice_in_dim(operand, index, index + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def _index_scalar(i):
    """A dynamic index as an integer scalar operand of the right kind."""
    if isinstance(i, (int, np.integer)):
        return np.asarray(i, dtypes.canonicalize_dtype(dtypes.int64 if
                                                       builtins.abs(int(i)) >= 2**31 else dtypes.int32))
    aval = get_aval(i)
    if aval.shape or aval.dtype.kind not in "iu":
        raise TypeError(f"index arguments must be integer scalars, got {aval.str_short()}")
    return i


def _from_the_end(i, size):
    """A negative start counts from the end (``i + size``), as in JAX's
    ``allow_negative_indices=True`` default; the primitive then clamps.

    The result is never negative (``max(i + size, 0)``), so rules that call
    ``dynamic_slice`` again with the primitive's starts do not wrap twice."""
    aval = get_aval(i)
    if aval.dtype.kind == "u":
        return i
    if not isinstance(i, Tracer):
        value = np.asarray(getattr(i, "_value", i))
        return np.where(value < 0, np.maximum(value + size, 0), value).astype(value.dtype)
    zero = _convert_element_type(0, aval.dtype, False)
    wrapped = max(add(i, _convert_element_type(size, aval.dtype, False)), zero)
    return select(lt(i, zero), wrapped, i)


def dynamic_slice(operand, start_indices, slice_sizes, *, allow_negative_indices=True):
    """``operand[start : start + size]`` per axis with traced starts. Negative
    starts count from the end (unless ``allow_negative_indices=False``); then
    starts are clamped so the slice stays in bounds."""
    shape = get_aval(operand).shape
    _check_start_count(start_indices, shape)
    starts = [_index_scalar(s) for s in start_indices]
    if allow_negative_indices:
        starts = [_from_the_end(s, d) for s, d in zip(starts, shape)]
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=_shape(slice_sizes))


def dynamic_update_slice(operand, update, start_indices, *, allow_negative_indices=True):
    """``operand`` with the block at ``start_indices`` replaced by ``update``
    (starts as in ``dynamic_slice``)."""
    shape = get_aval(operand).shape
    _check_start_count(start_indices, shape)
    starts = [_index_scalar(s) for s in start_indices]
    if allow_negative_indices:
        starts = [_from_the_end(s, d) for s, d in zip(starts, shape)]
    return dynamic_update_slice_p.bind(operand, update, *starts)


def _check_start_count(start_indices, shape):
    """One start index per axis: ValueError (JAX's type) before anything is bound."""
    if len(start_indices) != len(shape):
        raise ValueError(f"Length of slice indices must match number of operand dimensions "
                         f"({len(start_indices)} vs {shape}): pass one start index per axis.")


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    shape = get_aval(operand).shape
    axis = _canonical_axis(axis, len(shape))
    starts = [0] * len(shape)
    starts[axis] = start_index
    sizes = list(shape)
    sizes[axis] = slice_size
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    ndim = get_aval(operand).ndim
    axis = _canonical_axis(axis, ndim)
    starts = [0] * ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    ndim = get_aval(operand).ndim
    if get_aval(update).ndim == ndim - 1:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)


def gather(operand, start_indices, dimension_numbers, slice_sizes, *,
           indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None):
    """XLA's gather: slices of ``slice_sizes`` starting at rows of ``start_indices``.

    Out-of-bounds windows follow ``mode``; the default, as in JAX, is
    ``promise_in_bounds`` (XLA clamps the start indices)."""
    mode = GatherScatterMode.from_any(GatherScatterMode.PROMISE_IN_BOUNDS if mode is None
                                      else mode)
    start_indices, dimension_numbers = _fold_batching_dims(
        "gather", operand, start_indices, dimension_numbers, "collapsed_slice_dims",
        "start_index_map", "operand_batching_dims", "start_indices_batching_dims")
    if mode != GatherScatterMode.FILL_OR_DROP:
        fill_value = None   # only the fill mode reads it (JAX ignores it too)
    return gather_p.bind(operand, start_indices, dimension_numbers=dimension_numbers,
                         slice_sizes=_shape(slice_sizes), mode=mode,
                         fill_value=fill_value, indices_are_sorted=bool(indices_are_sorted),
                         unique_indices=bool(unique_indices))


def _fold_batching_dims(name, operand, indices, dn, collapsed, index_map, operand_batching,
                        indices_batching):
    """The same gather or scatter without batching dimensions.

    Batching axis ``d`` of the operand, paired with axis ``i`` of the indices,
    says: the element at position ``p`` along ``i`` reads (or writes) position
    ``p`` along ``d``. That is an ordinary collapsed axis whose index column is
    ``p`` itself, an iota along ``i``; the shapes of the results do not change.
    """
    batching, along = getattr(dn, operand_batching), getattr(dn, indices_batching)
    if not batching and not along:
        return indices, dn
    op_shape, idx_aval = get_aval(operand).shape, get_aval(indices)
    if len(batching) != len(along) or any(
            op_shape[d] != idx_aval.shape[i] for d, i in zip(batching, along)):
        raise TypeError(f"{name.split('_')[0].capitalize()} op requires operand batching "
                        "dimensions and indices batching dimensions to have the same shape, "
                        f"got {tuple(op_shape[d] for d in batching)} and "
                        f"{tuple(idx_aval.shape[i] for i in along)}.")
    last = idx_aval.ndim - 1
    column_shape = idx_aval.shape[:-1] + (1,)
    columns = [broadcasted_iota(idx_aval.dtype, column_shape, i) for i in along]
    dn = dn._replace(**{collapsed: tuple(sorted(tuple(getattr(dn, collapsed)) + tuple(batching))),
                        index_map: tuple(getattr(dn, index_map)) + tuple(batching),
                        operand_batching: (), indices_batching: ()})
    return concatenate([indices, *columns], last), dn


def _scatter(prim, operand, scatter_indices, updates, dimension_numbers, *,
             indices_are_sorted=False, unique_indices=False, mode=None):
    scatter_indices, dimension_numbers = _fold_batching_dims(
        prim.name.replace("-", "_"), operand, scatter_indices, dimension_numbers,
        "inserted_window_dims", "scatter_dims_to_operand_dims", "operand_batching_dims",
        "scatter_indices_batching_dims")
    return prim.bind(operand, scatter_indices, updates, dimension_numbers=dimension_numbers,
                     mode=GatherScatterMode.from_any(mode),
                     indices_are_sorted=bool(indices_are_sorted),
                     unique_indices=bool(unique_indices))


def scatter_add(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
    """``operand`` with ``updates`` added at the windows the indices name."""
    return _scatter(scatter_add_p, operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                    mode=mode)


def _combining(prim, what):
    def fn(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
           unique_indices=False, mode=None):
        return _scatter(prim, operand, scatter_indices, updates, dimension_numbers,
                        indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                        mode=mode)
    fn.__name__ = prim.name.replace("-", "_")
    fn.__doc__ = f"``operand`` with each window the indices name {what} its update."
    return fn


scatter_mul = _combining(scatter_mul_p, "multiplied by")
scatter_min = _combining(scatter_min_p, "replaced by its minimum with")
scatter_max = _combining(scatter_max_p, "replaced by its maximum with")


def scatter(operand, scatter_indices, updates, dimension_numbers, *,
            indices_are_sorted=False, unique_indices=False, mode=None):
    """``operand`` with the windows the indices name overwritten by ``updates``."""
    return _scatter(scatter_p, operand, scatter_indices, updates, dimension_numbers,
                    indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                    mode=mode)


def _scatter_windows(x, indices, updates_shape, dn, mode):
    """The values of ``x`` in the windows a scatter with these indices and
    dimension numbers writes, shaped like its updates (0 where dropped)."""
    window = iter(updates_shape[i] for i in dn.update_window_dims)
    n_operand = len(dn.inserted_window_dims) + len(dn.update_window_dims)
    slice_sizes = [1 if d in dn.inserted_window_dims else next(window) for d in range(n_operand)]
    gather_dn = GatherDimensionNumbers(offset_dims=dn.update_window_dims,
                                       collapsed_slice_dims=dn.inserted_window_dims,
                                       start_index_map=dn.scatter_dims_to_operand_dims)
    return gather(x, indices, gather_dn, slice_sizes, mode=mode, fill_value=0)


def iota(dtype, size):
    """``[0, 1, ..., size - 1]``."""
    size = operator.index(size)
    return iota_p.bind(dtype=dtypes.canonicalize_dtype(dtype), shape=(size,), dimension=0)


def broadcasted_iota(dtype, shape, dimension):
    """An array of ``shape`` counting 0, 1, 2, ... along ``dimension``."""
    shape = _shape(shape)
    return iota_p.bind(dtype=dtypes.canonicalize_dtype(dtype), shape=shape,
                       dimension=_canonical_axis(dimension, len(shape)))


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` filled with ``fill_value``."""
    shape = _shape(shape)
    weak = dtype is None and dtypes.is_weakly_typed(fill_value)
    dtype = dtypes.canonicalize_dtype(dtype) if dtype is not None else dtypes.dtype(fill_value)
    if isinstance(fill_value, Tracer) or hasattr(fill_value, "aval"):
        value = _convert_element_type(fill_value, dtype, weak)
    else:
        value = np.asarray(fill_value).astype(dtype)
        value = _convert_element_type(value, dtype, weak) if weak else value
    return broadcast_in_dim(value, shape, ())


def full_like(x, fill_value, dtype=None, shape=None):
    """An array like ``x`` (weakly typed if ``x`` is and no dtype is given)."""
    aval = get_aval(x)
    out = full(aval.shape if shape is None else shape, fill_value,
               aval.dtype if dtype is None else dtype)
    if dtype is None and aval.weak_type:
        out = _convert_element_type(out, aval.dtype, True)
    return out


def zeros_like_array(x):
    """Zeros of ``x``'s shape and dtype."""
    return full_like(x, 0)


# ---------------------------------------------------------------------------
# Reductions and contractions


def _axes(axes):
    return tuple(operator.index(a) for a in axes)


def reduce_sum(operand, axes):
    return reduce_sum_p.bind(operand, axes=_axes(axes))


def reduce_prod(operand, axes):
    return reduce_prod_p.bind(operand, axes=_axes(axes))


def reduce_max(operand, axes):
    return reduce_max_p.bind(operand, axes=_axes(axes))


def reduce_min(operand, axes):
    return reduce_min_p.bind(operand, axes=_axes(axes))


def reduce_and(operand, axes):
    return reduce_and_p.bind(operand, axes=_axes(axes))


def reduce_or(operand, axes):
    return reduce_or_p.bind(operand, axes=_axes(axes))


def argmax(operand, axis, index_dtype):
    """Index of the largest element along ``axis`` (first one on ties)."""
    return argmax_p.bind(operand, axes=(operator.index(axis),),
                         index_dtype=dtypes.canonicalize_dtype(index_dtype))


def argmin(operand, axis, index_dtype):
    """Index of the smallest element along ``axis`` (first one on ties)."""
    return argmin_p.bind(operand, axes=(operator.index(axis),),
                         index_dtype=dtypes.canonicalize_dtype(index_dtype))


def _cumulative_fn(prim):
    def fn(operand, axis=0, reverse=False):
        ndim = get_aval(operand).ndim
        return prim.bind(operand, axis=_canonical_axis(axis, ndim), reverse=bool(reverse))
    fn.__name__ = prim.name
    fn.__doc__ = f"Cumulative ``{prim.name}`` along ``axis`` (from the end if ``reverse``)."
    return fn


cumsum, cumprod, cummax, cummin, cumlogsumexp = map(
    _cumulative_fn, (cumsum_p, cumprod_p, cummax_p, cummin_p, cumlogsumexp_p))


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sort along ``dimension``. ``operand`` may be a sequence of arrays: they
    are sorted together, by the first ``num_keys`` of them."""
    single = not isinstance(operand, (tuple, list))
    operands = [operand] if single else list(operand)
    ndim = get_aval(operands[0]).ndim
    out = sort_p.bind(*operands, dimension=_canonical_axis(dimension, ndim),
                      is_stable=bool(is_stable), num_keys=operator.index(num_keys))
    return out[0] if single else tuple(out)


def top_k(operand, k, *, axis=-1):
    """The ``k`` largest elements along ``axis``, in descending order, and
    their indices (int32)."""
    ndim = get_aval(operand).ndim   # a scalar has no axis: AxisError, a ValueError
    k = operator.index(k)
    return list(top_k_p.bind(operand, k=k, axis=_canonical_axis(axis, ndim)))


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """Sort ``keys`` and apply the same permutation to ``values``."""
    return sort((keys, values), dimension, is_stable, num_keys=1)


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """Contract ``lhs`` and ``rhs``: ``dimension_numbers = ((lhs_contracting,
    rhs_contracting), (lhs_batch, rhs_batch))``. Result axes: batch, lhs free,
    rhs free."""
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize_dtype(preferred_element_type)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=dn, precision=precision,
                              preferred_element_type=preferred_element_type)


def dot(lhs, rhs, *, precision=None, preferred_element_type=None):
    """Vector-vector, matrix-vector or matrix-matrix product."""
    lhs_ndim, rhs_ndim = get_aval(lhs).ndim, get_aval(rhs).ndim
    if not (1 <= lhs_ndim <= 2 and 1 <= rhs_ndim <= 2):
        raise TypeError(f"dot only supports rank 1 or 2 operands, got ranks {lhs_ndim} and "
                        f"{rhs_ndim}; use dot_general.")
    return dot_general(lhs, rhs, (((lhs_ndim - 1,), (0,)), ((), ())), precision,
                       preferred_element_type)


# ---------------------------------------------------------------------------
# Control flow lives in minijax/control_flow/, custom_root and
# custom_linear_solve in minijax/custom_solvers.py. Their primitives need every
# transformation's rule tables, and those modules import lax: a real cycle, so
# these imports come last, once everything above is defined.

from ..control_flow import cond, switch, while_loop, fori_loop, scan, map  # noqa: E402
from ..custom_solvers import custom_root, custom_linear_solve  # noqa: E402
from .associative_scan import associative_scan  # noqa: E402
