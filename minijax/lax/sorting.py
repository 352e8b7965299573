"""Sorting: one primitive, ``sort``, that sorts several arrays together.

``sort(*operands, dimension, is_stable, num_keys)`` orders the elements along
``dimension`` by the first ``num_keys`` operands (lexicographically) and
applies the same reordering to the rest. Sorting an array together with an
iota is how ``argsort`` gets its permutation, and how the JVP rule moves a
tangent to where its primal went. NaNs sort to the end, as in numpy and XLA.
"""
import numpy as np

from ..core import Primitive, ShapedArray
from .elementwise import ANY, _check_kind

sort_p = Primitive("sort", multiple_results=True)


@sort_p.def_impl
def _sort_impl(*operands, dimension, is_stable, num_keys):
    keys = operands[:num_keys]
    # np.lexsort sorts by its *last* key first, along the last axis; it is stable.
    moved = [np.moveaxis(k, dimension, -1) for k in reversed(keys)]
    order = np.moveaxis(np.lexsort(moved, axis=-1), -1, dimension)
    return [np.take_along_axis(x, order, axis=dimension) for x in operands]


@sort_p.def_abstract_eval
def _sort_abstract_eval(*operands, dimension, is_stable, num_keys):
    if not operands:
        raise TypeError("sort needs at least one operand")
    if not 1 <= num_keys <= len(operands):
        raise TypeError(f"sort num_keys={num_keys} must be between 1 and the number of "
                        f"operands, {len(operands)}")
    shape = operands[0].shape
    if any(x.shape != shape for x in operands):
        raise TypeError(f"sort operands must all have the same shape, got "
                        f"{[x.shape for x in operands]}")
    if not 0 <= dimension < len(shape):
        raise TypeError(f"sort dimension {dimension} out of range for shape {shape}")
    for k in operands[:num_keys]:
        _check_kind("sort", k, ANY)
    return [ShapedArray(x.shape, x.dtype, x.weak_type) for x in operands]


# ---------------------------------------------------------------------------
# top_k: the k largest elements along ``axis`` in descending order, and their
# indices (the lower index first among equal values).

top_k_p = Primitive("top_k", multiple_results=True)


@top_k_p.def_impl
def _top_k_impl(operand, *, k, axis):
    n = operand.shape[axis]
    # A stable ascending sort of the reversed axis puts equal values in
    # descending index order; reading it backwards gives descending values
    # with ascending indices among ties (no negation: unsigned types work).
    ascending = np.argsort(np.flip(operand, axis), axis=axis, kind="stable")
    order = (n - 1) - np.flip(ascending, axis)
    indices = np.take(order, np.arange(k), axis=axis)
    return [np.take_along_axis(operand, indices, axis=axis), indices.astype(np.int32)]


@top_k_p.def_abstract_eval
def _top_k_abstract_eval(operand, *, k, axis):
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if len(operand.shape) == 0:
        raise TypeError("top_k operand must have >= 1 dimension, got {}".format(operand.shape))
    if not 0 <= axis < operand.ndim:
        raise ValueError(f"axis argument out of range: axis={axis} for operand.shape="
                         f"{operand.shape}")
    if operand.shape[axis] < k:
        raise ValueError(f"k argument to top_k must be no larger than size along axis; got "
                         f"k={k} with shape={operand.shape} and axis={axis}")
    _check_kind("top_k", operand, ANY)
    if operand.dtype.kind == "c":
        raise ValueError("top_k is not compatible with complex inputs.")
    shape = operand.shape[:axis] + (k,) + operand.shape[axis + 1:]
    return [ShapedArray(shape, operand.dtype, operand.weak_type),
            ShapedArray(shape, np.dtype(np.int32))]
