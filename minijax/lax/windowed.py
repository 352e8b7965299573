"""Windowed reductions: ``reduce_window`` and the primitives behind pooling.

``reduce_window`` slides a window over an array (with strides, padding and
dilations, as a convolution does) and reduces each window to one number:
with ``add`` it is sum (average) pooling, with ``max`` max pooling. As in JAX,
the three common monoids are primitives of their own:

* ``reduce_window_sum``: linear; its transpose spreads each cotangent back
  over its window (a padded ``reduce_window_sum`` again);
* ``reduce_window_max`` / ``reduce_window_min``: the derivative picks, in
  each window, the tangent of the element that won. That is
  ``select_and_gather_add(tangents, operand)``, whose transpose,
  ``select_and_scatter_add``, adds each cotangent onto the winner (the
  gradient of max pooling). Each of these two is linear in its first
  operand and the transpose of the other.

Any other reduction runs as a loop over the window's taps, written with
``pad``/``slice`` and the user's ``computation`` applied to whole arrays:
every transformation then works with no rules of its own. (JAX has a
generic ``reduce_window`` primitive carrying a jaxpr; minijax unrolls the
window instead, which needs ``computation`` to work elementwise on arrays,
as every lax operation does.)
"""
import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import tree_util
from ..core import Primitive, ShapedArray, get_aval
from .convolution import dilate_shape, padtype_to_pads, strided_windows
from .elementwise import ANY, NUMBER, _check_kind, _check_same_dtypes, ge_p, le_p
from .reductions import _highest, _lowest
from .shapes import _pad_impl, pad_p, slice_p


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    """The shape of ``reduce_window``'s result."""
    if base_dilation is not None:
        operand_shape = dilate_shape(operand_shape, base_dilation)
    if window_dilation is not None:
        window_dimensions = dilate_shape(window_dimensions, window_dilation)
    padded = [d + lo + hi for d, (lo, hi) in zip(operand_shape, padding)]
    return tuple(strided_windows(p, k, s)
                 for p, k, s in zip(padded, window_dimensions, window_strides))


def _check_window(name, x, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation):
    for what, value in (("window_dimensions", window_dimensions),
                        ("window_strides", window_strides), ("base_dilation", base_dilation),
                        ("window_dilation", window_dilation)):
        if any(v < 1 for v in value):
            raise TypeError(f"{name} {what} must have every element positive, got {value}.")
    if x.ndim != len(window_dimensions):
        raise TypeError(f"{name} got the wrong number of window_dimensions for operand: got "
                        f"operand shape {x.shape} with window_dimensions {window_dimensions}.")
    for what, value in (("window_strides", window_strides), ("padding", padding),
                        ("base_dilation", base_dilation), ("window_dilation", window_dilation)):
        if len(value) != len(window_dimensions):
            raise TypeError(f"{name} got inconsistent {what} and window_dimensions: got "
                            f"{what} {value} and window_dimensions {window_dimensions}.")


def _windows(x, fill, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
    """numpy: every window of the dilated, padded ``x`` (holes and padding hold
    ``fill``), as an array of shape ``result shape + window_dimensions``."""
    out_shape = reduce_window_shape_tuple(x.shape, window_dimensions, window_strides, padding,
                                          base_dilation, window_dilation)
    if 0 in out_shape:
        return np.full(out_shape + tuple(window_dimensions), fill, x.dtype)
    config = [(lo, hi, d - 1) for (lo, hi), d in zip(padding, base_dilation)]
    x = _pad_impl(x, np.asarray(fill, x.dtype), config)
    view = sliding_window_view(x, dilate_shape(window_dimensions, window_dilation))
    # Keep every stride-th window, and every dilation-th element of a window.
    return view[tuple(slice(None, n * s, s) for n, s in zip(out_shape, window_strides))
                + tuple(slice(None, None, r) for r in window_dilation)]


def _window_axes(x):
    return tuple(range(x.ndim // 2, x.ndim))


# ---------------------------------------------------------------------------
# reduce_window_sum, reduce_window_max, reduce_window_min


def _monoid_window(name, reduce, identity, kinds):
    prim = Primitive(name)

    @prim.def_impl
    def impl(x, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        view = _windows(x, identity(x.dtype), window_dimensions, window_strides, padding,
                        base_dilation, window_dilation)
        return reduce(view, axis=_window_axes(view)).astype(x.dtype)

    @prim.def_abstract_eval
    def abstract_eval(x, *, window_dimensions, window_strides, padding, base_dilation,
                      window_dilation):
        _check_kind(name, x, kinds)
        _check_window(name, x, window_dimensions, window_strides, padding, base_dilation,
                      window_dilation)
        shape = reduce_window_shape_tuple(x.shape, window_dimensions, window_strides, padding,
                                          base_dilation, window_dilation)
        return ShapedArray(shape, x.dtype, x.weak_type)

    return prim


reduce_window_sum_p = _monoid_window("reduce_window_sum", np.sum, lambda dt: 0, NUMBER)
reduce_window_max_p = _monoid_window("reduce_window_max", np.max, _lowest, ANY)
reduce_window_min_p = _monoid_window("reduce_window_min", np.min, _highest, ANY)

# ---------------------------------------------------------------------------
# select_and_gather_add(tangents, operand): in each window, the tangent of the
# operand's largest (select_prim=ge) or smallest (le) element; the first one
# on ties, in row-major window order.

select_and_gather_add_p = Primitive("select_and_gather_add")


def _select_identity(select_prim, dtype):
    return _lowest(dtype) if select_prim is ge_p else _highest(dtype)


def _first_winner(view, select_prim):
    """Per window, the flat position of the first max (ge) or min (le)."""
    flat = view.reshape(view.shape[:view.ndim // 2] + (-1,))
    return (np.argmax if select_prim is ge_p else np.argmin)(flat, axis=-1)


@select_and_gather_add_p.def_impl
def _select_and_gather_add_impl(tangents, operand, *, select_prim, window_dimensions,
                                window_strides, padding, base_dilation, window_dilation):
    window = (window_dimensions, window_strides, padding, base_dilation, window_dilation)
    values = _windows(operand, _select_identity(select_prim, operand.dtype), *window)
    taps = _windows(tangents, 0, *window)
    winner = _first_winner(values, select_prim)
    flat = taps.reshape(winner.shape + (-1,))
    return np.take_along_axis(flat, winner[..., None], axis=-1)[..., 0]


@select_and_gather_add_p.def_abstract_eval
def _select_and_gather_add_abstract_eval(tangents, operand, *, select_prim, window_dimensions,
                                         window_strides, padding, base_dilation,
                                         window_dilation):
    name = "select_and_gather_add"
    _check_same_dtypes(name, (tangents, operand))
    if tangents.shape != operand.shape:
        raise TypeError(f"{name} tangents and operand shapes must match, got "
                        f"{tangents.shape} and {operand.shape}.")
    _check_window(name, operand, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation)
    shape = reduce_window_shape_tuple(operand.shape, window_dimensions, window_strides,
                                      padding, base_dilation, window_dilation)
    return ShapedArray(shape, tangents.dtype, tangents.weak_type)


# ---------------------------------------------------------------------------
# select_and_scatter_add(source, operand): each element of ``source`` (one per
# window) is added onto the position of its window's winner in ``operand``.

select_and_scatter_add_p = Primitive("select_and_scatter_add")


@select_and_scatter_add_p.def_impl
def _select_and_scatter_add_impl(source, operand, *, select_prim, window_dimensions,
                                 window_strides, padding):
    ones = (1,) * operand.ndim
    window = (window_dimensions, window_strides, padding, ones, ones)
    values = _windows(operand, _select_identity(select_prim, operand.dtype), *window)
    # The same windows over the operand's flat positions (-1: padding).
    positions = _windows(np.arange(operand.size).reshape(operand.shape), -1, *window)
    winner = _first_winner(values, select_prim)
    chosen = np.take_along_axis(positions.reshape(winner.shape + (-1,)), winner[..., None],
                                axis=-1)[..., 0]
    out = np.zeros(operand.size, source.dtype)
    inside = chosen >= 0   # a window whose winner is padding scatters nowhere
    np.add.at(out, chosen[inside], source[inside])
    return out.reshape(operand.shape)


@select_and_scatter_add_p.def_abstract_eval
def _select_and_scatter_add_abstract_eval(source, operand, *, select_prim, window_dimensions,
                                          window_strides, padding):
    name = "select_and_scatter_add"
    _check_same_dtypes(name, (source, operand))
    ones = (1,) * operand.ndim
    _check_window(name, operand, window_dimensions, window_strides, padding, ones, ones)
    shape = reduce_window_shape_tuple(operand.shape, window_dimensions, window_strides,
                                      padding)
    if source.shape != shape:
        raise TypeError(f"{name} source must have one element per window, shape {shape}, "
                        f"got {source.shape}.")
    return ShapedArray(operand.shape, source.dtype, source.weak_type)


# ---------------------------------------------------------------------------
# The public function


def _ints(name, values, default, n):
    if values is None:
        return (default,) * n
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError as err:
        raise TypeError(f"reduce_window {name} must be a sequence of integers, got "
                        f"{values}") from err


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """Reduce every window of ``operand`` with ``computation``, starting from
    ``init_value`` (padding and dilation holes hold ``init_value`` too).
    ``operand`` and ``init_value`` may be matching pytrees."""
    flat, tree = tree_util.tree_flatten(operand)
    flat_init, init_tree = tree_util.tree_flatten(init_value)
    if tree != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: {tree} "
                         f"vs. {init_tree}")
    if not flat:
        raise ValueError("reduce_window must have at least one operand.")
    n = len(window_dimensions)
    window_dimensions = _ints("window_dimensions", window_dimensions, 1, n)
    window_strides = _ints("window_strides", window_strides, 1, n)
    base_dilation = _ints("base_dilation", base_dilation, 1, n)
    window_dilation = _ints("window_dilation", window_dilation, 1, n)
    if isinstance(padding, str):
        padding = padtype_to_pads(get_aval(flat[0]).shape,
                                  dilate_shape(window_dimensions, window_dilation),
                                  window_strides, padding)
    padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    window = dict(window_dimensions=window_dimensions, window_strides=window_strides,
                  padding=padding, base_dilation=base_dilation,
                  window_dilation=window_dilation)
    monoid = _monoid_primitive(computation, flat, flat_init)
    if monoid is not None:
        return monoid.bind(flat[0], **window)
    outs = _reduce_window_by_taps(flat, flat_init, computation, tree, **window)
    return tree_util.tree_unflatten(tree, outs)


def _monoid_primitive(computation, flat, flat_init):
    """``reduce_window_sum/max/min_p`` when ``computation`` is lax's add, max or
    min and the initial value is its identity (as in JAX), else None."""
    from . import add, max, min   # the public functions, defined after this module
    if len(flat) != 1 or get_aval(flat_init[0]).shape:
        return None
    try:
        init = np.asarray(getattr(flat_init[0], "_value", flat_init[0]))
    except Exception:   # a traced initial value: only the generic loop knows it
        return None
    dtype = get_aval(flat[0]).dtype
    for fn, prim, identity in ((add, reduce_window_sum_p, 0),
                               (max, reduce_window_max_p, _lowest(dtype)),
                               (min, reduce_window_min_p, _highest(dtype))):
        if computation is fn and init == identity:
            return prim
    return None


def _reduce_window_by_taps(flat, flat_init, computation, tree, *, window_dimensions,
                           window_strides, padding, base_dilation, window_dilation):
    """The generic reduction: pad and dilate each operand with its initial
    value, then fold ``computation`` over one strided slice per window tap."""
    avals = [get_aval(x) for x in flat]
    for x, init in zip(avals, flat_init):
        if get_aval(init).shape:
            raise TypeError(f"reduce_window init_value must be scalars, got shape "
                            f"{get_aval(init).shape}")
        _check_window("reduce_window", x, window_dimensions, window_strides, padding,
                      base_dilation, window_dilation)
    out_shape = reduce_window_shape_tuple(avals[0].shape, window_dimensions, window_strides,
                                          padding, base_dilation, window_dilation)
    from . import _convert_element_type, broadcast_in_dim
    # Python scalars take the operands' dtypes (as weak types do in JAX).
    flat_init = [_convert_element_type(init, x.dtype) if type(init) in (int, float, complex)
                 else init for x, init in zip(avals, flat_init)]
    accs = [broadcast_in_dim(init, out_shape, ()) for init in flat_init]
    if 0 in out_shape:
        return accs
    config = tuple((lo, hi, d - 1) for (lo, hi), d in zip(padding, base_dilation))
    padded = [pad_p.bind(x, init, padding_config=config) for x, init in zip(flat, flat_init)]
    # Where a tap falls on padding or a dilation hole, XLA skips it (the
    # accumulator stays), so only real elements meet ``computation``.
    real = _pad_impl(np.ones(avals[0].shape, bool), np.asarray(False), config)
    from . import select
    for tap in np.ndindex(*window_dimensions):
        starts = tuple(t * r for t, r in zip(tap, window_dilation))
        limits = tuple(s + (n - 1) * st + 1 for s, n, st in zip(starts, out_shape, window_strides))
        taps = [slice_p.bind(x, start_indices=starts, limit_indices=limits,
                             strides=tuple(window_strides)) for x in padded]
        result = computation(tree_util.tree_unflatten(tree, accs),
                             tree_util.tree_unflatten(tree, taps))
        result, result_tree = tree_util.tree_flatten(result)
        if result_tree != tree:
            raise ValueError(f"reduce_window output must have the same tree structure as the "
                             f"operands {tree} vs. {result_tree}")
        inside = real[tuple(slice(s, l, st) for s, l, st in zip(starts, limits, window_strides))]
        accs = result if inside.all() else [select(inside, r, a) for r, a in zip(result, accs)]
    return accs
