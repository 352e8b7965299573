"""``associative_scan``: all prefix combinations of an associative function.

``associative_scan(fn, elems)`` computes ``[e0, fn(e0, e1), fn(fn(e0, e1),
e2), ...]`` along an axis in O(log n) rounds of whole-array operations
instead of n sequential steps (the Ladner-Fischer / Blelloch scheme, as in
JAX): combine neighbouring pairs, scan the half as long array of pair results
recursively, then fill in the elements in between. ``fn`` must be
associative and work elementwise on arrays (it is called on whole slices).
It is plain Python on lax slices, so every transformation works through it.
"""
from .. import lax, tree_util
from ..core import get_aval


def associative_scan(fn, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` (an array or a pytree of arrays with equal
    sizes along ``axis``) with the associative binary function ``fn``."""
    flat, tree = tree_util.tree_flatten(elems)
    if not flat:
        return elems
    ndim = get_aval(flat[0]).ndim
    axis = lax._canonical_axis(axis, ndim)
    sizes = {get_aval(x).shape[axis] for x in flat}
    if len(sizes) != 1:
        raise ValueError(f"Array inputs to associative_scan must have the same first "
                         f"dimension. (saw: {[get_aval(x).shape for x in flat]})")
    if reverse:
        flat = [lax.rev(x, (axis,)) for x in flat]

    def combine(a, b):
        out = fn(tree_util.tree_unflatten(tree, a), tree_util.tree_unflatten(tree, b))
        out_flat, out_tree = tree_util.tree_flatten(out)
        if out_tree != tree:
            raise ValueError(f"associative_scan: fn must return a tree like its inputs, "
                             f"{tree}, got {out_tree}")
        return out_flat

    out = _scan(combine, flat, axis)
    if reverse:
        out = [lax.rev(x, (axis,)) for x in out]
    return tree_util.tree_unflatten(tree, out)


def _every_other(xs, start, axis):
    """Elements start, start + 2, ... along ``axis``."""
    return [lax.slice_in_dim(x, start, None, 2, axis) for x in xs]


def _scan(combine, xs, axis):
    n = get_aval(xs[0]).shape[axis]
    if n < 2:
        return xs
    # Combine pairs (0, 1), (2, 3), ...: the scan of these is every odd prefix.
    pairs = combine([lax.slice_in_dim(x, 0, n - 1, 2, axis) for x in xs],
                    _every_other(xs, 1, axis))
    odd = _scan(combine, pairs, axis)
    # Even prefixes (after the first): the previous odd prefix with the element.
    if n % 2 == 0:
        even = combine([lax.slice_in_dim(x, 0, -1, 1, axis) for x in odd],
                       [lax.slice_in_dim(x, 2, None, 2, axis) for x in xs])
    else:
        even = combine(odd, _every_other(xs, 2, axis))
    even = [lax.concatenate([lax.slice_in_dim(x, 0, 1, 1, axis), e], axis)
            for x, e in zip(xs, even)]
    return [_interleave(e, o, axis) for e, o in zip(even, odd)]


def _interleave(a, b, axis):
    """a[0], b[0], a[1], b[1], ... along ``axis`` (a has as many elements as b,
    or one more): pad each with holes and add."""
    zero = lax._convert_element_type(0, get_aval(a).dtype, False)
    n_a, n_b = get_aval(a).shape[axis], get_aval(b).shape[axis]
    config_a = [(0, 0, 0)] * get_aval(a).ndim
    config_b = [(0, 0, 0)] * get_aval(a).ndim
    config_a[axis] = (0, n_b - n_a + 1, 1)
    config_b[axis] = (1, n_a - n_b, 1)
    if get_aval(a).dtype == bool:
        return lax.bitwise_or(lax.pad(a, zero, config_a), lax.pad(b, zero, config_b))
    return lax.add(lax.pad(a, zero, config_a), lax.pad(b, zero, config_b))
