"""Batching: ``vmap`` (Chapter 6).

``vmap(f)(xs)`` behaves like ``stack([f(x) for x in xs])``, but runs ``f``
once, on whole batches. Each value becomes a ``BatchTracer``: an array with
one extra axis (its *batch dimension*, ``batch_dim``), or an unbatched value
shared by every example (``batch_dim is None``). A batching rule per
primitive says how to apply the primitive to batched operands and where the
batch axis of the result ends up. The rule for ``dot_general`` is why a
vmapped matrix-vector product becomes one matrix-matrix product.

Layout: the tracer and interpreter; ``vmap`` with its argument checks; the
rule table.
"""
import numpy as np

from . import core, dtypes, lax, tree_util
from .api_util import check_callable, leaf_names
from .core import ShapedArray, Tracer, bind_with_trace, get_aval, set_current_trace
from .lax import elementwise as ew, shapes as sh, reductions as red

not_mapped = None   # the batch_dim of a value shared by all examples

# ---------------------------------------------------------------------------
# The interpreter


class BatchTracer(Tracer):
    """A value with a batch axis at ``batch_dim`` (or none)."""
    __slots__ = ("_val", "_batch_dim")

    def __init__(self, trace, val, batch_dim):
        self._trace, self._val, self._batch_dim = trace, val, batch_dim

    @property
    def aval(self):
        aval = get_aval(self._val)
        if self._batch_dim is not_mapped:
            return aval
        shape = aval.shape[:self._batch_dim] + aval.shape[self._batch_dim + 1:]
        return ShapedArray(shape, aval.dtype, aval.weak_type)

    def __repr__(self):
        return f"BatchTracer(aval={self.aval.str_short()}, batched={get_aval(self._val).str_short()})"


class BatchTrace(core.Trace):
    """Interprets each primitive by its batching rule over ``axis_size`` examples."""

    def __init__(self, axis_size, parent=None, tag=None):
        super().__init__(parent)
        self.axis_size = axis_size
        # Which vmap this interpreter works for. A custom derivative rule
        # batched inside a vmap runs later, in an interpreter of its own that
        # shares the tag, so it still sees the values it closes over from
        # that vmap as batched (JAX's BatchTrace has the same tag).
        self.tag = object() if tag is None else tag

    def val_dim(self, x):
        if isinstance(x, BatchTracer) and x._trace.tag is self.tag:
            return x._val, x._batch_dim
        if isinstance(x, Tracer):
            self.check_foreign(x)
        return x, not_mapped

    def process_primitive(self, primitive, args, params):
        pairs = [self.val_dim(x) for x in args]
        vals, dims = [v for v, _ in pairs], [d for _, d in pairs]
        if all(d is not_mapped for d in dims):
            return bind_with_trace(self.parent, primitive, vals, params)
        rule = batching_rules.get(primitive)
        if rule is None:
            raise NotImplementedError(f"Batching rule for '{primitive.name}' not implemented")
        if primitive in rules_taking_tag:
            params = dict(params, tag=self.tag)
        with set_current_trace(self.parent):
            out, out_dim = rule(self.axis_size, vals, dims, **params)
        if primitive.multiple_results:
            return [self.pack(o, d) for o, d in zip(out, out_dim)]
        return self.pack(out, out_dim)

    def pack(self, val, dim):
        return val if dim is not_mapped else BatchTracer(self, val, dim)

    def describe(self):
        return "inside a vmap"


def batch_flat(fun, axis_size, vals, dims, tag=None):
    """Run ``fun`` (flat lists in and out) on batched inputs: ``vals[i]`` has
    its batch axis at ``dims[i]`` (or none). Returns ``[(out, out_dim), ...]``.
    ``tag``: that of the vmap this run belongs to, if not a new one."""
    trace = BatchTrace(axis_size, tag=tag)
    with set_current_trace(trace, retire=True):
        ins = [v if d is not_mapped else BatchTracer(trace, v, d) for v, d in zip(vals, dims)]
        outs = fun(*ins)
    return [trace.val_dim(o) for o in outs]


# ---------------------------------------------------------------------------
# Moving batch axes around


def moveaxis(x, src, dst):
    if src == dst:
        return x
    perm = [i for i in range(get_aval(x).ndim) if i != src]
    perm.insert(dst, src)
    return lax.transpose(x, perm)


def move_batch_axis(axis_size, x, src, dst):
    """Put the batch axis of ``x`` at ``dst``, broadcasting an unbatched ``x``.
    ``dst=None`` asserts that ``x`` is unbatched."""
    if dst is None:
        if src is not not_mapped:
            raise ValueError(f"vmap has mapped output but out_axes is None (the output was "
                             f"batched on axis {src}).")
        return x
    if src is not_mapped:
        aval = get_aval(x)
        shape = list(aval.shape)
        shape.insert(dst, axis_size)
        dims = tuple(i for i in range(len(shape)) if i != dst)
        return lax.broadcast_in_dim(x, shape, dims)
    return moveaxis(x, src, dst)


def bdim_at_front(axis_size, x, dim):
    return move_batch_axis(axis_size, x, dim, 0)


# ---------------------------------------------------------------------------
# vmap


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """Vectorize ``fun`` over a leading (or ``in_axes``-given) axis of its arguments.

    ``in_axes``/``out_axes`` are ints, ``None`` (not mapped), or pytrees of
    those that are prefixes of the arguments / outputs. Keyword arguments are
    mapped over axis 0.
    """
    check_callable(fun)
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not (in_axes is None or isinstance(in_axes, (int, tuple, dict))):
        raise TypeError("vmap in_axes must be an int, None, or a tuple of entries "
                        "corresponding to the positional arguments passed to the function, "
                        f"but got {in_axes}.")

    def batched(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError("vmap in_axes must be an int, None, or a tuple of entries "
                             "corresponding to the positional arguments passed to the "
                             f"function, but got len(in_axes)={len(in_axes)}, "
                             f"len(args)={len(args)}")
        axes_tree = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        flat_args, in_tree = tree_util.tree_flatten((args, kwargs))
        flat_axes = _flatten_axes("vmap in_axes", in_tree, (axes_tree, {k: 0 for k in kwargs}),
                                  _in_axes_path)
        flat_axes = [_canonical_in_axis(x, d) for x, d in zip(flat_args, flat_axes)]
        names = leaf_names(fun, args) + [
            k + tree_util.keystr(path) for k, v in sorted(kwargs.items())
            for path, _ in tree_util.tree_flatten_with_path(v)[0]]
        size = _mapped_size(flat_args, flat_axes, axis_size, names)
        out_tree = None

        def flat_fun(*xs):
            nonlocal out_tree
            a, kw = tree_util.tree_unflatten(in_tree, xs)
            flat_out, out_tree = tree_util.tree_flatten(fun(*a, **kw))
            return flat_out

        outs = batch_flat(flat_fun, size, flat_args, flat_axes)
        wanted = _flatten_axes("vmap out_axes", out_tree, out_axes)
        return tree_util.tree_unflatten(out_tree, [
            move_batch_axis(size, val, dim, _out_axis(want, val, dim))
            for (val, dim), want in zip(outs, wanted)])

    batched.__name__ = f"vmap({getattr(fun, '__name__', 'fun')})"
    batched.__wrapped__ = fun
    return batched


def _out_axis(axis, val, dim):
    """Check an ``out_axes`` entry against the output's rank (batch axis included)."""
    if axis is None:
        return None
    ndim = get_aval(val).ndim + (1 if dim is not_mapped else 0)
    if not -ndim <= axis < ndim:
        raise ValueError(f"vmap out_axes: axis {axis} is out of bounds for an output of "
                         f"dimension {ndim} (batch axis included)")
    return axis % ndim


def _in_axes_path(path):
    """A key path into ``(in_axes, kwargs)`` in the user's words: ``in_axes[0]['w']``."""
    if not path:
        return "the root"
    first = getattr(path[0], "idx", path[0])    # a SequenceKey, or a plain index
    root = "in_axes" if first == 0 else "the keyword arguments"
    return root + tree_util.keystr(path[1:])


def _flatten_axes(what, tree, axes, path_str=None):
    """Broadcast an axes prefix tree over ``tree``: one axis spec per leaf."""
    proxy = tree_util.tree_unflatten(tree, [_Leaf()] * tree.num_leaves)
    if path_str is None:   # out_axes: paths are into the output
        path_str = lambda path: "out_axes" + tree_util.keystr(path)
    try:
        spec_leaves, spec_tree = tree_util.tree_flatten(axes, is_leaf=lambda x: x is None)
        subtrees = tree_util.flatten_up_to(spec_tree, proxy, what, path_str)
    except ValueError as err:
        raise ValueError(f"{what} specification must be a tree prefix of the corresponding "
                         f"value. {err}") from None
    out = []
    for spec, sub in zip(spec_leaves, subtrees):
        if spec is not None and not isinstance(spec, int):
            raise TypeError(f"{what} entries must be int or None, got {spec!r}.")
        out.extend([spec] * len(tree_util.tree_leaves(sub)))
    return out


class _Leaf:
    """A placeholder leaf used to line an axes spec up with a value tree."""


def _canonical_in_axis(x, axis):
    if axis is None:
        return not_mapped
    ndim = get_aval(x).ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"vmap was requested to map its argument along axis {axis}, which "
                         f"implies that its rank should be at least {max(axis + 1, -axis)}, "
                         f"but is only {ndim} (its shape is {get_aval(x).shape})")
    return axis % ndim


def _mapped_size(args, axes, axis_size, names):
    sizes = {get_aval(x).shape[d] for x, d in zip(args, axes) if d is not not_mapped}
    if axis_size is not None:
        sizes.add(axis_size)
    if not sizes:
        raise ValueError("vmap must have at least one non-None value in in_axes or axis_size "
                         "must be specified")
    if len(sizes) > 1:
        lines = ["vmap got inconsistent sizes for array axes to be mapped:"]
        for x, d, name in zip(args, axes, names):
            if d is not not_mapped:
                aval = get_aval(x)
                lines.append(f"  * one axis had size {aval.shape[d]}: axis {d} of argument "
                             f"{name} of type {aval.dtype.name}{list(aval.shape)};")
        if axis_size is not None:
            lines.append(f"  * axis_size={axis_size} was given")
        raise ValueError("\n".join(lines).rstrip(";"))
    return sizes.pop()


# ---------------------------------------------------------------------------
# Rules

batching_rules = {}
# Primitives whose rules run user code after they return (custom derivative
# rules): theirs also receive the vmap's ``tag``, for batch_flat.
rules_taking_tag = set()


def _elementwise_batch(size, vals, dims, prim=None, **params):
    """n-ary elementwise ops: give every batched operand its batch axis in
    front and every unbatched non-scalar operand a leading 1 (lax broadcasts
    size-1 axes), keeping per-example ranks equal."""
    rank = max(get_aval(v).ndim - (d is not not_mapped) for v, d in zip(vals, dims))
    out = []
    for v, d in zip(vals, dims):
        ndim = get_aval(v).ndim - (d is not not_mapped)
        if d is not_mapped:
            out.append(v if ndim == 0 else lax.reshape(v, (1,) + get_aval(v).shape))
        else:
            v = moveaxis(v, d, 0)
            if ndim < rank:   # a batched scalar meeting arrays: (B,) -> (B, 1, ..., 1)
                v = lax.reshape(v, (size,) + (1,) * rank)
            out.append(v)
    return prim.bind(*out, **params), 0


def defelementwise(prim):
    batching_rules[prim] = lambda size, vals, dims, **p: _elementwise_batch(
        size, vals, dims, prim, **p)


for _p in list(ew.unary_ops.values()) + list(ew.binary_ops.values()) + [
        ew.convert_element_type_p]:
    defelementwise(_p)


def _full_batched(size, vals, dims):
    """Every operand with its batch axis in front (broadcasting unbatched ones)."""
    return [bdim_at_front(size, v, d) for v, d in zip(vals, dims)]


def _select_n_batch(size, vals, dims):
    which, *cases = vals
    which_dim, *case_dims = dims
    case_shape = next(get_aval(c).shape if d is not_mapped else
                      get_aval(c).shape[:d] + get_aval(c).shape[d + 1:]
                      for c, d in zip(cases, case_dims))
    cases = _full_batched(size, cases, case_dims)
    full = (size,) + case_shape
    if which_dim is not_mapped and get_aval(which).ndim == 0:
        return lax.select_n(which, *cases), 0
    which = bdim_at_front(size, which, which_dim)
    if get_aval(which).shape != full:   # a batched scalar predicate
        which = lax.broadcast_in_dim(which, full, (0,))
    return lax.select_n(which, *cases), 0


batching_rules[ew.select_n_p] = _select_n_batch


def _clamp_batch(size, vals, dims):
    lo, x, hi = vals
    lo_d, x_d, hi_d = dims
    x_shape = get_aval(x).shape if x_d is not_mapped else (
        get_aval(x).shape[:x_d] + get_aval(x).shape[x_d + 1:])
    full = (size,) + x_shape
    x = bdim_at_front(size, x, x_d)

    def bound(b, d):
        if d is not_mapped and get_aval(b).ndim == 0:
            return b
        b = bdim_at_front(size, b, d)
        if get_aval(b).shape != full:
            b = lax.broadcast_in_dim(b, full, tuple(range(get_aval(b).ndim)))
        return b
    return lax.clamp(bound(lo, lo_d), x, bound(hi, hi_d)), 0


batching_rules[ew.clamp_p] = _clamp_batch

# -- structural -------------------------------------------------------------


def _front(rule):
    """Decorator for single-operand rules: the operand arrives with its batch
    axis moved to the front; the rule returns a result batched at 0."""
    def batched_rule(size, vals, dims, **params):
        x = bdim_at_front(size, vals[0], dims[0])
        return rule(size, x, **params), 0
    return batched_rule


batching_rules[sh.broadcast_in_dim_p] = _front(
    lambda size, x, shape, broadcast_dimensions: lax.broadcast_in_dim(
        x, (size,) + tuple(shape), (0,) + tuple(d + 1 for d in broadcast_dimensions)))
batching_rules[sh.reshape_p] = _front(
    lambda size, x, new_sizes, dimensions: lax.reshape(x, (size,) + tuple(new_sizes)))
batching_rules[sh.transpose_p] = _front(
    lambda size, x, permutation: lax.transpose(x, (0,) + tuple(p + 1 for p in permutation)))
batching_rules[sh.squeeze_p] = _front(
    lambda size, x, dimensions: lax.squeeze(x, tuple(d + 1 for d in dimensions)))
batching_rules[sh.rev_p] = _front(
    lambda size, x, dimensions: lax.rev(x, tuple(d + 1 for d in dimensions)))
batching_rules[sh.slice_p] = _front(
    lambda size, x, start_indices, limit_indices, strides: lax.slice(
        x, (0,) + tuple(start_indices), (size,) + tuple(limit_indices),
        None if strides is None else (1,) + tuple(strides)))


def _concatenate_batch(size, vals, dims, dimension):
    return lax.concatenate(_full_batched(size, vals, dims), dimension + 1), 0


batching_rules[sh.concatenate_p] = _concatenate_batch


def _pad_batch(size, vals, dims, padding_config):
    x, pad_value = vals
    x_dim, pv_dim = dims
    x = bdim_at_front(size, x, x_dim)
    config = ((0, 0, 0),) + tuple(padding_config)
    if pv_dim is not_mapped:
        return lax.pad(x, pad_value, config), 0
    # A batched padding value: pad with zeros, then select per example.
    aval = get_aval(x)
    zero = lax._convert_element_type(0, aval.dtype, False)
    padded = lax.pad(x, zero, config)
    mask = lax.pad(lax.full(aval.shape, True, dtypes.bool_), False, config)
    fill = lax.broadcast_in_dim(bdim_at_front(size, pad_value, pv_dim),
                                get_aval(padded).shape, (0,))
    return lax.select(mask, padded, fill), 0


batching_rules[sh.pad_p] = _pad_batch


def _iota_rows(size, batch_shape):
    """An index array holding the example number, shaped batch_shape + (1,)."""
    return lax.broadcasted_iota(dtypes.int32, tuple(batch_shape) + (1,), 0)


def _index_dtype(indices):
    return get_aval(indices).dtype


def _dynamic_slice_batch(size, vals, dims, slice_sizes):
    x, *starts = vals
    x_dim, *start_dims = dims
    if all(d is not_mapped for d in start_dims):
        x = bdim_at_front(size, x, x_dim)
        zero = np.zeros((), _index_dtype(starts[0]) if starts else np.int32)
        return lax.dynamic_slice(x, [zero] + list(starts), (size,) + tuple(slice_sizes),
                                 allow_negative_indices=False), 0
    # Batched start indices: one gather whose index rows are [example, *starts].
    starts = [lax.convert_element_type(bdim_at_front(size, s, d), dtypes.int32)
              for s, d in zip(starts, start_dims)]
    indices = lax.concatenate([lax.reshape(s, (size, 1)) for s in starts], 1)
    ndim = len(slice_sizes)
    if x_dim is not_mapped:
        dn = lax.GatherDimensionNumbers(offset_dims=tuple(range(1, ndim + 1)),
                                        collapsed_slice_dims=(),
                                        start_index_map=tuple(range(ndim)))
        return lax.gather(x, indices, dn, slice_sizes, mode="clip"), 0
    x = bdim_at_front(size, x, x_dim)
    indices = lax.concatenate([_iota_rows(size, (size,)), indices], 1)
    dn = lax.GatherDimensionNumbers(offset_dims=tuple(range(1, ndim + 1)),
                                    collapsed_slice_dims=(0,),
                                    start_index_map=tuple(range(ndim + 1)))
    return lax.gather(x, indices, dn, (1,) + tuple(slice_sizes), mode="clip"), 0


batching_rules[sh.dynamic_slice_p] = _dynamic_slice_batch


def _dynamic_update_slice_batch(size, vals, dims):
    x, update, *starts = vals
    x_dim, u_dim, *start_dims = dims
    x = bdim_at_front(size, x, x_dim)
    update = bdim_at_front(size, update, u_dim)
    if all(d is not_mapped for d in start_dims):
        zero = np.zeros((), _index_dtype(starts[0]) if starts else np.int32)
        return lax.dynamic_update_slice(x, update, [zero] + list(starts),
                                        allow_negative_indices=False), 0
    starts = [lax.convert_element_type(bdim_at_front(size, s, d), dtypes.int32)
              for s, d in zip(starts, start_dims)]
    indices = lax.concatenate([_iota_rows(size, (size,))] +
                              [lax.reshape(s, (size, 1)) for s in starts], 1)
    ndim = get_aval(x).ndim - 1
    dn = lax.ScatterDimensionNumbers(update_window_dims=tuple(range(1, ndim + 1)),
                                     inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=tuple(range(ndim + 1)))
    return lax.scatter(x, indices, update, dn, mode="clip"), 0


batching_rules[sh.dynamic_update_slice_p] = _dynamic_update_slice_batch


def _gather_batch(size, vals, dims, dimension_numbers, slice_sizes, **params):
    operand, indices = vals
    o_dim, i_dim = dims
    dn = dimension_numbers
    shift = lambda axes: tuple(a + 1 for a in axes)
    if i_dim is not_mapped:   # the batch axis is a full-size slice of the operand
        operand = bdim_at_front(size, operand, o_dim)
        new = lax.GatherDimensionNumbers((0,) + shift(dn.offset_dims),
                                         shift(dn.collapsed_slice_dims),
                                         shift(dn.start_index_map))
        return lax.gather_p.bind(operand, indices, dimension_numbers=new,
                                 slice_sizes=(size,) + tuple(slice_sizes), **params), 0
    indices = bdim_at_front(size, indices, i_dim)
    if o_dim is not_mapped:   # the batch axis is the first batch axis of indices
        new = lax.GatherDimensionNumbers(shift(dn.offset_dims), dn.collapsed_slice_dims,
                                         dn.start_index_map)
        return lax.gather_p.bind(operand, indices, dimension_numbers=new,
                                 slice_sizes=slice_sizes, **params), 0
    # Both batched: prepend the example number to every index row.
    operand = bdim_at_front(size, operand, o_dim)
    idx_shape = get_aval(indices).shape
    rows = lax.convert_element_type(_iota_rows(size, idx_shape[:-1]), get_aval(indices).dtype)
    indices = lax.concatenate([rows, indices], get_aval(indices).ndim - 1)
    new = lax.GatherDimensionNumbers(shift(dn.offset_dims), (0,) + shift(dn.collapsed_slice_dims),
                                     (0,) + shift(dn.start_index_map))
    return lax.gather_p.bind(operand, indices, dimension_numbers=new,
                             slice_sizes=(1,) + tuple(slice_sizes), **params), 0


batching_rules[sh.gather_p] = _gather_batch


def _scatter_batch(prim):
    def rule(size, vals, dims, dimension_numbers, **params):
        operand, indices, updates = _full_batched(size, vals, dims)
        dn = dimension_numbers
        shift = lambda axes: tuple(a + 1 for a in axes)
        idx_shape = get_aval(indices).shape
        rows = lax.convert_element_type(_iota_rows(size, idx_shape[:-1]),
                                        get_aval(indices).dtype)
        indices = lax.concatenate([rows, indices], len(idx_shape) - 1)
        new = lax.ScatterDimensionNumbers(shift(dn.update_window_dims),
                                          (0,) + shift(dn.inserted_window_dims),
                                          (0,) + shift(dn.scatter_dims_to_operand_dims))
        return prim.bind(operand, indices, updates, dimension_numbers=new, **params), 0
    batching_rules[prim] = rule


for _p in (sh.scatter_p, sh.scatter_add_p, sh.scatter_mul_p, sh.scatter_min_p, sh.scatter_max_p):
    _scatter_batch(_p)

# -- reductions -----------------------------------------------------------------

for _p in (red.reduce_sum_p, red.reduce_prod_p, red.reduce_max_p, red.reduce_min_p,
           red.reduce_and_p, red.reduce_or_p):
    batching_rules[_p] = _front(
        lambda size, x, axes, _p=_p: _p.bind(x, axes=tuple(a + 1 for a in axes)))
for _p in (red.argmax_p, red.argmin_p):
    batching_rules[_p] = _front(
        lambda size, x, axes, index_dtype, _p=_p: _p.bind(
            x, axes=tuple(a + 1 for a in axes), index_dtype=index_dtype))
for _p in (red.cumsum_p, red.cumprod_p, red.cummax_p, red.cummin_p, red.cumlogsumexp_p):
    batching_rules[_p] = _front(
        lambda size, x, axis, reverse, _p=_p: _p.bind(x, axis=axis + 1, reverse=reverse))


def _sort_batch(size, vals, dims, dimension, **params):
    operands = _full_batched(size, vals, dims)
    return lax.sort_p.bind(*operands, dimension=dimension + 1, **params), [0] * len(vals)


batching_rules[lax.sort_p] = _sort_batch


def _dot_general_batch(size, vals, dims, dimension_numbers, **params):
    """Both batched: the batch axis becomes a dot_general batch dimension. One
    batched: it is a free axis of that operand (this is what turns a vmapped
    matrix-vector product into a single matrix-matrix product)."""
    lhs, rhs = vals
    l_dim, r_dim = dims
    (lc, rc), (lb, rb) = dimension_numbers
    shift = lambda axes: tuple(a + 1 for a in axes)
    if l_dim is not not_mapped and r_dim is not not_mapped:
        lhs, rhs = moveaxis(lhs, l_dim, 0), moveaxis(rhs, r_dim, 0)
        dn = ((shift(lc), shift(rc)), ((0,) + shift(lb), (0,) + shift(rb)))
        return lax.dot_general_p.bind(lhs, rhs, dimension_numbers=dn, **params), 0
    if l_dim is not not_mapped:
        lhs = moveaxis(lhs, l_dim, 0)
        dn = ((shift(lc), rc), (shift(lb), rb))
        return lax.dot_general_p.bind(lhs, rhs, dimension_numbers=dn, **params), len(lb)
    rhs = moveaxis(rhs, r_dim, 0)
    dn = ((lc, shift(rc)), (lb, shift(rb)))
    n_lhs_free = get_aval(lhs).ndim - len(lc) - len(lb)
    out = lax.dot_general_p.bind(lhs, rhs, dimension_numbers=dn, **params)
    return out, len(lb) + n_lhs_free


batching_rules[red.dot_general_p] = _dot_general_batch


# -- convolution ---------------------------------------------------------------

from .lax import convolution as conv_mod   # noqa: E402


def _conv_general_dilated_batch(size, vals, dims, *, dimension_numbers, feature_group_count,
                                batch_group_count, **params):
    """The vmapped axis folds into an axis the convolution already has: into
    the batch when only the input is batched, into the output features when
    only the kernel is, and into groups when both are (each example then
    convolves only with its own kernel). Where groups already exist with only
    one operand batched, the other is broadcast and both-batched applies
    (JAX reshapes more cleverly here; this costs extra work, not results)."""
    lhs, rhs = vals
    l_dim, r_dim = dims
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    groups = dict(feature_group_count=feature_group_count, batch_group_count=batch_group_count)
    conv = lambda x, w, **g: conv_mod.conv_general_dilated_p.bind(
        x, w, dimension_numbers=dimension_numbers, **g, **params)
    grouped = feature_group_count > 1 or batch_group_count > 1
    if r_dim is not_mapped and batch_group_count == 1:
        out = conv(conv_mod.reshape_axis_into(l_dim, lhs_spec[0], lhs), rhs, **groups)
        return conv_mod.reshape_axis_out_of(out_spec[0], size, out), out_spec[0]
    if l_dim is not_mapped and not grouped:
        out = conv(lhs, conv_mod.reshape_axis_into(r_dim, rhs_spec[0], rhs), **groups)
        return conv_mod.reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
    lhs, rhs = _full_batched(size, [lhs, rhs], [l_dim, r_dim])
    rhs = conv_mod.reshape_axis_into(0, rhs_spec[0], rhs)
    if batch_group_count > 1:
        lhs = conv_mod.reshape_axis_into(0, lhs_spec[0], lhs)
        groups["batch_group_count"] *= size
    else:
        lhs = conv_mod.reshape_axis_into(0, lhs_spec[1], lhs)
        groups["feature_group_count"] *= size
    out = conv(lhs, rhs, **groups)
    return conv_mod.reshape_axis_out_of(out_spec[1], size, out), out_spec[1]


batching_rules[conv_mod.conv_general_dilated_p] = _conv_general_dilated_batch


# -- windowed reductions: the batch axis gets a window of 1 -----------------------


def _with_unit_window(params):
    """Window parameters for an operand with a new leading (batch) axis."""
    one = {"window_dimensions": 1, "window_strides": 1, "base_dilation": 1,
           "window_dilation": 1, "padding": (0, 0)}
    return {k: (one[k],) + tuple(v) if k in one else v for k, v in params.items()}


def _windowed_batch(prim):
    def rule(size, vals, dims, **params):
        return prim.bind(*_full_batched(size, vals, dims), **_with_unit_window(params)), 0
    batching_rules[prim] = rule


for _p in (lax.reduce_window_sum_p, lax.reduce_window_max_p, lax.reduce_window_min_p,
           lax.select_and_gather_add_p, lax.select_and_scatter_add_p):
    _windowed_batch(_p)

# fft transforms trailing axes: any leading axis is a batch axis already.
batching_rules[lax.fft_p] = _front(lambda size, x, **params: lax.fft_p.bind(x, **params))
defelementwise(ew.reduce_precision_p)
batching_rules[lax.top_k_p] = lambda size, vals, dims, *, k, axis: (
    lax.top_k_p.bind(bdim_at_front(size, vals[0], dims[0]), k=k, axis=axis + 1), [0, 0])

defelementwise(ew.bitcast_convert_type_p)   # the shifts are in ew.binary_ops, batched above
for _p in (lax.igamma_p, lax.igammac_p, lax.igamma_grad_a_p, lax.regularized_incomplete_beta_p):
    defelementwise(_p)


# ---------------------------------------------------------------------------
# Linear algebra (minijax/lax/linalg.py): every factorisation already works on
# stacks of matrices (leading batch axes), so vmap puts its axis in front.

from .lax import linalg as la   # noqa: E402


def _linalg_batch(prim):
    def rule(size, vals, dims, **params):
        out = prim.bind(*_full_batched(size, vals, dims), **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    batching_rules[prim] = rule


for _p in (la.cholesky_p, la.triangular_solve_p, la.eigh_p, la.qr_p, la.svd_p, la.lu_p):
    _linalg_batch(_p)

