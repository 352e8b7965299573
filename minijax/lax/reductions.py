"""Reductions, cumulative reductions and ``dot_general``.

A reduction combines the elements along some axes (``reduce_sum``,
``reduce_max``, ``argmax``, ...). ``dot_general``, the one contraction
primitive, multiplies and sums along paired axes: every matrix product,
``jnp.dot``, ``einsum`` and batched ``matmul`` in minijax becomes one.
"""
import math

import numpy as np

from ..core import Primitive, ShapedArray
from . import dot_kernels
from .dot_kernels import free_axes
from .elementwise import _check_kind, _check_same_dtypes, NUMBER, ANY, INTEGRAL


def _check_axes(name, x, axes):
    if any(not 0 <= a < x.ndim for a in axes) or len(set(axes)) != len(axes):
        raise ValueError(f"{name}: axes {axes} are invalid for an operand of shape {x.shape}.")


def _reduced_shape(shape, axes):
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduction(name, impl, kinds):
    """Declare ``name(x; axes)``: combine the elements along ``axes``."""
    prim = Primitive(name)
    prim.def_impl(lambda x, axes: impl(x, axis=tuple(axes)))

    @prim.def_abstract_eval
    def abstract_eval(x, axes):
        _check_kind(name, x, kinds)
        _check_axes(name, x, axes)
        return ShapedArray(_reduced_shape(x.shape, axes), x.dtype, x.weak_type)

    return prim


def _max_impl(x, axis):
    if x.size == 0:   # XLA's identity elements instead of numpy's error
        return np.full(_reduced_shape(x.shape, axis), _lowest(x.dtype), x.dtype)
    return np.max(x, axis=axis)


def _min_impl(x, axis):
    if x.size == 0:
        return np.full(_reduced_shape(x.shape, axis), _highest(x.dtype), x.dtype)
    return np.min(x, axis=axis)


def _lowest(dtype):
    if dtype.kind in "fc":   # complex numbers compare lexicographically: -inf + 0j
        return -np.inf
    return False if dtype.kind == "b" else np.iinfo(dtype).min


def _highest(dtype):
    if dtype.kind in "fc":
        return np.inf
    return True if dtype.kind == "b" else np.iinfo(dtype).max


def _sum_impl(x, axis):
    """``np.sum``, made at least as accurate as XLA for long low-precision sums.

    Up to 32 terms XLA's CPU reduction adds in order, as numpy does along a
    slow axis, and the bits agree. For longer sums XLA splits the work into
    partial sums, while numpy's running float32 sum along a slow axis loses
    accuracy with every term (``X.mean(0)`` of a 10000x10 array would be off
    by 1e-6 relative). Those sums accumulate in float64 and round once."""
    count = math.prod(x.shape[i] for i in axis)
    wider = _WIDER_ACCUMULATOR.get(x.dtype)
    if wider is None or count <= 32:
        return np.sum(x, axis=axis)
    return np.sum(x, axis=axis, dtype=wider).astype(x.dtype)


_WIDER_ACCUMULATOR = {np.dtype(np.float16): np.float64, np.dtype(np.float32): np.float64,
                      np.dtype(np.complex64): np.complex128}

reduce_sum_p = _reduction("reduce_sum", _sum_impl, NUMBER)
reduce_prod_p = _reduction("reduce_prod", np.prod, NUMBER)
reduce_max_p = _reduction("reduce_max", _max_impl, ANY)
reduce_min_p = _reduction("reduce_min", _min_impl, ANY)
# Bitwise on integers (np.all/np.any would turn 5 & 3 into True).
reduce_and_p = _reduction("reduce_and", np.bitwise_and.reduce, INTEGRAL)
reduce_or_p = _reduction("reduce_or", np.bitwise_or.reduce, INTEGRAL)


def _arg_reduction(name, np_fn):
    """``argmax``/``argmin`` along one axis; the first index wins ties, and a nan
    counts as the extreme (as in numpy and XLA)."""
    prim = Primitive(name)

    @prim.def_impl
    def impl(x, axes, index_dtype):
        return np_fn(x, axis=axes[0]).astype(index_dtype)

    @prim.def_abstract_eval
    def abstract_eval(x, axes, index_dtype):
        _check_kind(name, x, ANY)
        if len(axes) != 1:
            raise ValueError(f"{name} reduces exactly one axis, got axes={axes}")
        _check_axes(name, x, axes)
        if x.shape[axes[0]] == 0:
            raise ValueError(f"{name}: cannot reduce an axis of size 0 (shape {x.shape}).")
        return ShapedArray(_reduced_shape(x.shape, axes), index_dtype, False)

    return prim


argmax_p = _arg_reduction("argmax", np.argmax)
argmin_p = _arg_reduction("argmin", np.argmin)

# ---------------------------------------------------------------------------
# Cumulative reductions: cumsum(x)[i] = x[0] + ... + x[i] along ``axis``.


def _cumulative(name, np_fn):
    prim = Primitive(name)

    @prim.def_impl
    def impl(x, axis, reverse):
        if reverse:
            return np.flip(np_fn(np.flip(x, axis), axis=axis), axis)
        return np_fn(x, axis=axis)

    @prim.def_abstract_eval
    def abstract_eval(x, axis, reverse):
        _check_kind(name, x, NUMBER)
        _check_axes(name, x, (axis,))
        return x

    return prim


cumsum_p = _cumulative("cumsum", lambda x, axis: np.cumsum(x, axis=axis, dtype=x.dtype))
cumprod_p = _cumulative("cumprod", lambda x, axis: np.cumprod(x, axis=axis, dtype=x.dtype))
cummax_p = _cumulative("cummax", lambda x, axis: np.maximum.accumulate(x, axis=axis))
cummin_p = _cumulative("cummin", lambda x, axis: np.minimum.accumulate(x, axis=axis))


def _cumlogsumexp_impl(x, axis):
    """log(cumsum(exp(x))), without overflow for real x (numpy's logaddexp is
    real-only: complex x takes the direct formula)."""
    if x.dtype.kind == "c":
        return np.log(np.cumsum(np.exp(x), axis=axis)).astype(x.dtype)
    with np.errstate(all="ignore"):
        return np.logaddexp.accumulate(x.astype(np.result_type(x.dtype, np.float16)),
                                       axis=axis).astype(x.dtype)


cumlogsumexp_p = _cumulative("cumlogsumexp", _cumlogsumexp_impl)

# ---------------------------------------------------------------------------
# dot_general: dimension_numbers = ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)).
# The result's axes are: batch axes, then lhs free axes, then rhs free axes.

dot_general_p = Primitive("dot_general")


@dot_general_p.def_impl
def _dot_general_impl(lhs, rhs, dimension_numbers, precision, preferred_element_type):
    out_dtype = preferred_element_type or lhs.dtype
    if out_dtype != lhs.dtype:
        lhs, rhs = lhs.astype(out_dtype), rhs.astype(out_dtype)
    # dot_kernels picks numpy's fastest call for the case; its batched_matmul
    # is the general method: (batch, free, contract) @ (batch, contract, free).
    return dot_kernels.dot_general(lhs, rhs, dimension_numbers)


@dot_general_p.def_abstract_eval
def _dot_general_abstract_eval(lhs, rhs, dimension_numbers, precision, preferred_element_type):
    (lc, rc), (lb, rb) = dimension_numbers
    _check_same_dtypes("dot_general", (lhs, rhs))
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise TypeError(f"dot_general requires equal numbers of lhs and rhs contracting and "
                        f"batch dimensions, got dimension_numbers {dimension_numbers}.")
    for (l_axes, r_axes, what) in ((lc, rc, "contracting"), (lb, rb, "batch")):
        for la, ra in zip(l_axes, r_axes):
            if not (0 <= la < lhs.ndim and 0 <= ra < rhs.ndim):
                raise TypeError(f"dot_general {what} dimensions out of range: "
                                f"{dimension_numbers} for shapes {lhs.shape}, {rhs.shape}.")
            if lhs.shape[la] != rhs.shape[ra]:
                raise TypeError(f"dot_general requires {what} dimensions to have the same "
                                f"shape, got {[lhs.shape[a] for a in l_axes]} and "
                                f"{[rhs.shape[a] for a in r_axes]}.")
    lf, rf = free_axes(lhs.ndim, lc, lb), free_axes(rhs.ndim, rc, rb)
    shape = ([lhs.shape[a] for a in lb] + [lhs.shape[a] for a in lf]
             + [rhs.shape[a] for a in rf])
    dtype = preferred_element_type or lhs.dtype
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)
