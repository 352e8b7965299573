"""Convolution: one primitive, ``conv_general_dilated``, and its helpers.

A convolution slides a kernel (``rhs``) over an input (``lhs``) and, at each
window position, contracts the window with the kernel over the input
features. Both operands name their axes with *dimension numbers*: which axis
is the batch (``N``), the features (``C``; ``O`` and ``I`` for the kernel)
and which are spatial. Internally every rule works in the canonical layout
``(N, C, spatial...)`` / ``(O, I, spatial...)``: ``ConvDimensionNumbers``
holds, for each operand and the output, the axis positions in that order.

Options, as in XLA: window strides, explicit ``(low, high)`` padding per
spatial axis (negative crops), ``lhs_dilation`` (holes between input
elements: a transposed convolution), ``rhs_dilation`` (holes between kernel
taps: an atrous convolution), and feature or batch groups.

The primitive is bilinear, so its JVP is one convolution per perturbed
operand and its transposes are convolutions again (``transpose.py``).
"""
import operator
from typing import NamedTuple, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import dtypes
from ..core import Primitive, ShapedArray, get_aval
from .elementwise import NUMBER, _check_kind, _check_same_dtypes
from .shapes import _pad_impl, reshape_p, transpose_p


class ConvDimensionNumbers(NamedTuple):
    """Axis positions of ``(batch, feature, spatial...)`` in ``lhs`` and the
    output, and of ``(out feature, in feature, spatial...)`` in ``rhs``."""
    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """``dimension_numbers`` (None, three strings such as ``("NCHW", "OIHW",
    "NCHW")``, or a ``ConvDimensionNumbers``) as a ``ConvDimensionNumbers``."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return ConvDimensionNumbers(*(tuple(s) for s in dimension_numbers))
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got "
                        f"{len(lhs_shape)} and {len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)):
        raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got "
                        f"{type(dimension_numbers)}.")
    if len(dimension_numbers) != 3:
        raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got "
                        f"{len(dimension_numbers)}.")
    if not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError(f"convolution dimension_numbers elements must be strings, got "
                        f"{tuple(map(type, dimension_numbers))}.")
    for i, spec in enumerate(dimension_numbers):
        if len(spec) != len(lhs_shape):
            raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the "
                            f"ndim of lhs and rhs, got {len(spec)} for lhs and rhs shapes "
                            f"{tuple(lhs_shape)} and {tuple(rhs_shape)}.")
    return ConvDimensionNumbers(*_conv_permutations(dimension_numbers))


def _conv_permutations(specs):
    """Axis positions from spec strings. Spatial axes are listed in the order
    their letters appear in the kernel's spec, so spatial axis i of each
    operand means the same thing."""
    lhs, rhs, out = specs
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (spec, (a, b)) in enumerate(zip(specs, pairs)):
        if not spec.count(a) == spec.count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                            f"'{a}' and '{b}' exactly once, got {spec}.")
        if len(spec) != len(set(spec)):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate "
                            f"characters, got {spec}.")
    if not set(lhs) - {"N", "C"} == set(rhs) - {"O", "I"} == set(out) - {"N", "C"}:
        raise TypeError(f"convolution dimension_numbers elements must each have the same set "
                        f"of spatial characters, got {tuple(specs)}.")

    def positions(spec, pair):
        spatial = sorted((i for i, c in enumerate(spec) if c not in pair),
                         key=lambda i: rhs.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)
    return [positions(s, p) for s, p in zip(specs, pairs)]


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """``"VALID"``, ``"SAME"`` or ``"SAME_LOWER"`` as explicit ``(low, high)``
    pairs. SAME pads so that the output has ``ceil(in / stride)`` elements,
    the odd element going at the end (at the start for SAME_LOWER)."""
    if not isinstance(padding, str):
        raise TypeError(f"Unknown padding type: {padding}.")
    mode = padding.upper()
    if mode == "VALID":
        return [(0, 0)] * len(in_shape)
    if mode not in ("SAME", "SAME_LOWER"):
        raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or "
                           f"'SAME_LOWER', got {padding}.")
    pads = []
    for d, k, s in zip(in_shape, window_shape, window_strides):
        out = -(-int(d) // int(s))
        total = max((out - 1) * int(s) + int(k) - int(d), 0)
        small, big = total // 2, total - total // 2
        pads.append((small, big) if mode == "SAME" else (big, small))
    return pads


def dilate_shape(shape, dilation):
    """The size of each axis after inserting ``dilation - 1`` holes between elements."""
    return tuple(0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation))


def strided_windows(size, window, stride):
    """How many windows of ``window`` elements fit in ``size``, ``stride`` apart."""
    return max((size - window) // stride + 1, 0)


# ---------------------------------------------------------------------------
# The primitive

conv_general_dilated_p = Primitive("conv_general_dilated")


def _canonical_shape(shape, spec):
    return tuple(shape[i] for i in spec)


def _conv_out_shape(lhs_shape, rhs_shape, window_strides, padding, lhs_dilation,
                    rhs_dilation, batch_group_count):
    """The output shape in the canonical layout ``(N, O, spatial...)``."""
    lhs_spatial = dilate_shape(lhs_shape[2:], lhs_dilation)
    padded = [d + lo + hi for d, (lo, hi) in zip(lhs_spatial, padding)]
    if any(p < 0 for p in padded):
        raise ValueError(f"Negative padding is larger than the size of the corresponding "
                         f"dimension: got padding={padding} for lhs_shape[2:]={lhs_shape[2:]}")
    windows = dilate_shape(rhs_shape[2:], rhs_dilation)
    spatial = tuple(strided_windows(p, k, s) for p, k, s in zip(padded, windows, window_strides))
    return (lhs_shape[0] // batch_group_count, rhs_shape[0]) + spatial


@conv_general_dilated_p.def_abstract_eval
def _conv_general_dilated_abstract_eval(lhs, rhs, *, window_strides, padding, lhs_dilation,
                                        rhs_dilation, dimension_numbers, feature_group_count,
                                        batch_group_count, precision, preferred_element_type):
    name = "conv_general_dilated"
    _check_same_dtypes(name, (lhs, rhs))
    _check_kind(name, lhs, NUMBER)
    if lhs.ndim != rhs.ndim:
        raise ValueError(f"{name} lhs and rhs must have the same number of dimensions, but "
                         f"got {lhs.shape} and {rhs.shape}.")
    for spec in dimension_numbers:
        if sorted(spec) != list(range(lhs.ndim)):
            raise TypeError(f"{name} dimension_numbers {dimension_numbers} are not "
                            f"permutations of the {lhs.ndim} axes of the operands.")
    lhs_spec, rhs_spec, _ = dimension_numbers
    lhs_c = _canonical_shape(lhs.shape, lhs_spec)
    rhs_c = _canonical_shape(rhs.shape, rhs_spec)
    _check_groups(lhs_c, rhs_c, feature_group_count, batch_group_count)
    n_spatial = lhs.ndim - 2
    for what, value in (("window_strides", window_strides), ("padding", padding),
                        ("lhs_dilation", lhs_dilation), ("rhs_dilation", rhs_dilation)):
        if len(value) != n_spatial:
            raise ValueError(f"{name} {what} must have one entry per spatial dimension "
                             f"({n_spatial}), got {what}={value}")
    for what, value in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                        ("rhs_dilation", rhs_dilation)):
        if any(v < 1 for v in value):
            raise ValueError(f"{name} {what} must be positive, got {value}")
    out_c = _conv_out_shape(lhs_c, rhs_c, window_strides, padding, lhs_dilation,
                            rhs_dilation, batch_group_count)
    shape = tuple(int(out_c[i]) for i in np.argsort(dimension_numbers.out_spec))
    dtype = preferred_element_type or lhs.dtype
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)


def _check_groups(lhs_c, rhs_c, feature_group_count, batch_group_count):
    """XLA's rules for feature and batch groups (JAX's messages)."""
    name = "conv_general_dilated"
    n, c, o, i = lhs_c[0], lhs_c[1], rhs_c[0], rhs_c[1]
    if feature_group_count < 1:
        raise ValueError(f"{name} feature_group_count must be a positive integer, got "
                         f"{feature_group_count}.")
    if c % feature_group_count:
        raise ValueError(f"{name} feature_group_count must divide lhs feature dimension "
                         f"size, but {feature_group_count} does not divide {c}.")
    if c // feature_group_count != i:
        raise ValueError(f"{name} lhs feature dimension size divided by feature_group_count "
                         f"must equal the rhs input feature dimension size, but {c} // "
                         f"{feature_group_count} != {i}.")
    if o % feature_group_count:
        raise ValueError(f"{name} rhs output feature dimension size must be a multiple of "
                         f"feature_group_count, but {o} is not a multiple of "
                         f"{feature_group_count}.")
    if batch_group_count < 1:
        raise ValueError(f"{name} batch_group_count must be a positive integer, got "
                         f"{batch_group_count}.")
    if n % batch_group_count:
        raise ValueError(f"{name} batch_group_count must divide lhs batch dimension size, "
                         f"but {batch_group_count} does not divide {n}.")
    if o % batch_group_count:
        raise ValueError(f"{name} rhs output feature dimension size must be a multiple of "
                         f"batch_group_count, but {o} is not a multiple of "
                         f"{batch_group_count}.")
    if batch_group_count > 1 and feature_group_count > 1:
        raise ValueError(f"At most one of batch_group_count and feature_group_count may be "
                         f"> 1, got batch_group_count={batch_group_count} and "
                         f"feature_group_count={feature_group_count}")


@conv_general_dilated_p.def_impl
def _conv_general_dilated_impl(lhs, rhs, *, window_strides, padding, lhs_dilation,
                               rhs_dilation, dimension_numbers, feature_group_count,
                               batch_group_count, precision, preferred_element_type):
    """Every window of the (dilated, padded) input as an axis of a strided
    view, then one ``einsum`` with the (dilated) kernel per group."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    dtype = np.dtype(preferred_element_type or lhs.dtype)
    # Floats accumulate in double precision, then round once: closer to the
    # exact sums than a float32 einsum, so closer to XLA's results too.
    wide = {"f": np.float64, "c": np.complex128}.get(dtype.kind, dtype)
    x = np.transpose(lhs, lhs_spec).astype(wide)
    w = np.transpose(rhs, rhs_spec).astype(wide)
    out_c = _conv_out_shape(x.shape, w.shape, window_strides, padding, lhs_dilation,
                            rhs_dilation, batch_group_count)
    if 0 in out_c or 0 in x.shape[1:2]:
        return np.transpose(np.zeros(out_c, dtype), np.argsort(out_spec))
    config = [(0, 0, 0), (0, 0, 0)] + [(lo, hi, d - 1) for (lo, hi), d in
                                        zip(padding, lhs_dilation)]
    x = _pad_impl(x, np.zeros((), wide), config)
    k_spatial = dilate_shape(w.shape[2:], rhs_dilation)
    n_spatial = x.ndim - 2
    view = sliding_window_view(x, k_spatial, axis=tuple(range(2, 2 + n_spatial)))
    # Keep every stride-th window, and every dilation-th tap within a window.
    view = view[(slice(None), slice(None))
                + tuple(slice(None, n * s, s) for n, s in zip(out_c[2:], window_strides))
                + tuple(slice(None, None, r) for r in rhs_dilation)]
    g, b = feature_group_count, batch_group_count
    (n, c), (o, i) = x.shape[:2], w.shape[:2]
    # Split the batch into b groups and the features into g groups; output
    # feature block (b, g) sees only its own batch group and feature group.
    view = view.reshape((b, n // b, g, i) + view.shape[2:])
    w = w.reshape((b, g, o // (b * g), i) + w.shape[2:])
    letters = "abcdefghijklmnopqrstuvwxyz"
    sp, taps = letters[:n_spatial], letters[n_spatial:2 * n_spatial]
    spec = f"BNGI{sp}{taps},BGOI{taps}->NBGO{sp}"
    out = np.einsum(spec, view, w, optimize=True).reshape(out_c).astype(dtype)
    return np.transpose(out, np.argsort(out_spec))


# ---------------------------------------------------------------------------
# Padding of the transposed convolutions (used by transpose.py, and by the
# transpose of reduce_window_sum, which is a convolution with a box kernel)


def conv_vjp_lhs_padding(in_shape, window_dimensions, window_strides, out_shape, padding,
                         lhs_dilation, rhs_dilation):
    """Padding of the convolution that maps an output cotangent back onto the
    input: the kernel must reach back over every input element it touched."""
    lhs_dilated = dilate_shape(in_shape, lhs_dilation)
    rhs_dilated = dilate_shape(window_dimensions, rhs_dilation)
    out_dilated = dilate_shape(out_shape, window_strides)
    before = [k - lo - 1 for k, (lo, _) in zip(rhs_dilated, padding)]
    after = [x + k - 1 - o - b for x, k, o, b in
             zip(lhs_dilated, rhs_dilated, out_dilated, before)]
    return list(zip(before, after))


def conv_vjp_rhs_padding(in_shape, window_dimensions, window_strides, out_shape, padding,
                         lhs_dilation, rhs_dilation):
    """Padding of the convolution of the input with the output cotangent that
    gives the kernel's cotangent."""
    if not in_shape:
        return []
    lhs_dilated = dilate_shape(in_shape, lhs_dilation)
    rhs_dilated = dilate_shape(window_dimensions, rhs_dilation)
    out_dilated = dilate_shape(out_shape, window_strides)
    lows = [lo for lo, _ in padding]
    highs = [o - x + k - lo - 1 for o, x, k, lo in
             zip(out_dilated, lhs_dilated, rhs_dilated, lows)]
    return list(zip(lows, highs))


# ---------------------------------------------------------------------------
# The public functions (re-exported by minijax.lax)


def _static_ints(name, values):
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError as err:
        raise TypeError(f"conv_general_dilated {name} must be a sequence of integers, got "
                        f"{values}") from err


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
                         batch_group_count=1, precision=None, preferred_element_type=None):
    """General n-dimensional convolution with strides, padding, dilations,
    dimension numbers and feature/batch groups (XLA's ``Conv``)."""
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    dn = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    n_spatial = len(lhs_shape) - 2
    window_strides = _static_ints("window_strides", window_strides)
    lhs_dilation = (1,) * n_spatial if lhs_dilation is None else _static_ints(
        "lhs_dilation", lhs_dilation)
    rhs_dilation = (1,) * n_spatial if rhs_dilation is None else _static_ints(
        "rhs_dilation", rhs_dilation)
    if isinstance(padding, str):
        if any(d != 1 for d in lhs_dilation):
            raise ValueError("String padding is not implemented for transposed convolution "
                             "using this op. Please either exactly specify the required "
                             "padding or use conv_transpose.")
        kernel = dilate_shape(_canonical_shape(rhs_shape, dn.rhs_spec)[2:], rhs_dilation)
        padding = padtype_to_pads(_canonical_shape(lhs_shape, dn.lhs_spec)[2:], kernel,
                                  window_strides, padding)
    try:
        padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (ValueError, TypeError) as err:
        raise ValueError(f"padding argument to conv_general_dilated should be a string or a "
                         f"sequence of (low, high) pairs, got {padding}") from err
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize_dtype(preferred_element_type)
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation, dimension_numbers=dn,
        feature_group_count=operator.index(feature_group_count),
        batch_group_count=operator.index(batch_group_count), precision=precision,
        preferred_element_type=preferred_element_type)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """``conv_general_dilated`` in the NCHW/OIHW layout, without dilation."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    """``conv_general_dilated`` in the NCHW/OIHW layout."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


# ---------------------------------------------------------------------------
# Moving a group axis in and out of another axis (the transpose and batching
# rules fold a vmapped axis or a group count into the batch or feature axis)


def reshape_axis_into(src, dst, x):
    """Merge axis ``src`` into axis ``dst`` (of the array without ``src``), as
    its major part: sizes (a at src, b at dst) become a * b at dst."""
    shape = get_aval(x).shape
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    new_shape = [shape[i] for i in range(len(shape)) if i != src]
    new_shape[dst] *= shape[src]
    return reshape_p.bind(transpose_p.bind(x, permutation=tuple(perm)),
                          new_sizes=tuple(new_shape), dimensions=None)


def reshape_axis_out_of(src, size, x):
    """Split axis ``src`` into ``(size, rest)``: the inverse of ``reshape_axis_into``."""
    shape = list(get_aval(x).shape)
    shape[src:src + 1] = [size, shape[src] // size]
    return reshape_p.bind(x, new_sizes=tuple(shape), dimensions=None)
