"""numpy-style indexing, ``x[idx]``, and functional updates, ``x.at[idx].set(y)``.

An index is reduced to the cheapest primitive that expresses it:

* only static ints and slices: ``rev`` (negative steps), one ``slice``, one
  ``squeeze`` (what JAX emits too);
* scalar indices known only at run time (``x[i]`` under ``jit``):
  ``dynamic_slice`` + ``squeeze``;
* integer arrays (numpy's "advanced indexing"): one ``gather``.

Updates reuse the same machinery: index an array of positions
``0 .. x.size-1`` shaped like ``x``, which yields the flat position of every
selected element, then scatter into the flattened ``x``. numpy's intricate
placement rules for advanced indices are therefore implemented exactly once.
"""
import math
import operator

import numpy as np

from .. import dtypes, lax
from ..core import Tracer, concrete_or_error, get_aval
from ..eager import Array
from ..util import reject_unsupported
from .. import numpy as jnp  # a cycle: numpy/__init__ imports this module


class NonConcreteBooleanIndexError(IndexError):
    """A traced boolean mask: its result shape would depend on the values."""


def getitem(x, idx, mode=None, fill_value=None, indices_are_sorted=False,
            unique_indices=False, normalize_indices=True):
    """``x[idx]`` with numpy's semantics; out-of-bounds indices follow ``mode``.

    ``mode=None``, ``"promise_in_bounds"`` and ``"clip"`` clamp out-of-bounds
    indices (what ``x[idx]`` does in JAX); ``"fill"`` returns ``fill_value``
    (by default nan, or the dtype's minimum / maximum / True) for them.
    Negative indices count from the end in every mode, unless
    ``normalize_indices`` is False (then they are out of bounds).
    """
    x = jnp.asarray(x)
    mode = lax.GatherScatterMode.from_any(
        lax.GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    fill = mode == lax.GatherScatterMode.FILL_OR_DROP
    fill_value = _check_fill_value(fill_value) if fill else None
    if isinstance(idx, list):   # numpy's old ambiguity; JAX refuses it
        raise TypeError("Using a non-tuple sequence for multidimensional indexing is not "
                        "allowed; use `arr[array(seq)]` instead of `arr[seq]`.")
    entries = _expand(x, idx if isinstance(idx, tuple) else (idx,))
    x, entries = _insert_new_axes(x, entries)
    # Static ints and slices clamp; in fill mode only slices (which never go out
    # of bounds) take this path, so that an out-of-bounds int reaches the gather.
    if all(isinstance(e, slice) or (not fill and isinstance(e, int)) for e in entries):
        return _static_index(x, entries, normalize_indices)
    x, entries = _apply_slices(x, entries)
    if not fill and all(_is_scalar_index(e) for e in entries if not isinstance(e, slice)):
        return _dynamic_scalar_index(x, entries, normalize_indices)
    return _gather_index(x, entries, mode, fill_value, indices_are_sorted, unique_indices,
                         normalize_indices)


def _check_fill_value(fill_value):
    """``fill_value`` must be a scalar known while tracing (it is a parameter
    of the gather, not an operand), as in JAX."""
    if fill_value is None:
        return None
    value = concrete_or_error(fill_value, "the fill_value argument of an indexed get()")
    if np.ndim(value) != 0:
        raise ValueError("fill_value argument to indexed get() must be a scalar, got shape "
                         f"{np.shape(value)}")
    return value.item() if isinstance(value, (np.ndarray, np.generic)) else value


# ---------------------------------------------------------------------------
# Normalizing the index


def _as_index_entry(e):
    """Lists and numpy arrays become arrays; ints stay Python ints."""
    if e is None or e is Ellipsis or isinstance(e, slice):
        if isinstance(e, slice):
            for part in (e.start, e.stop, e.step):
                if part is not None and not isinstance(part, (int, np.integer)):
                    if isinstance(part, Tracer) or hasattr(part, "aval"):
                        raise IndexError(
                            "Array slice indices must have static start/stop/step to be used "
                            "with minijax indexing; use lax.dynamic_slice for traced bounds.")
                    operator.index(part)
        return e
    if isinstance(e, bool) or isinstance(e, np.bool_):
        raise TypeError("Using a Python bool as an index is not supported; use an array "
                        "of booleans as a mask instead.")
    if isinstance(e, (int, np.integer)):
        return int(e)
    if isinstance(e, (list, tuple)) or isinstance(e, np.ndarray):
        e = np.asarray(e)
        if e.dtype == object:
            raise TypeError(f"Invalid index {e!r}")
        if e.size == 0:
            e = e.astype(np.int32)
        return e
    if isinstance(e, (Tracer, Array)):
        return e
    raise TypeError(f"Indexer must be an int, slice, None, Ellipsis or array of ints or "
                    f"booleans, got {e!r} of type {type(e).__name__}")


def _expand(x, idx):
    """Expand ``...`` and boolean masks; pad with full slices to the rank."""
    entries = []
    for e in map(_as_index_entry, idx):
        if _is_bool_array(e):
            entries.extend(_bool_mask_to_ints(e))
        else:
            entries.append(e)
    n_ellipsis = sum(e is Ellipsis for e in entries)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if consumed > x.ndim:
        raise IndexError(f"Too many indices: {x.ndim}-dimensional array indexed with "
                         f"{consumed} regular indices.")
    fill = [slice(None)] * (x.ndim - consumed)
    if n_ellipsis:
        i = entries.index(Ellipsis)
        entries = entries[:i] + fill + entries[i + 1:]
    else:
        entries = entries + fill
    return entries


def _is_bool_array(e):
    return not isinstance(e, (int, slice)) and e is not None and e is not Ellipsis and \
        get_aval(e).dtype == np.bool_


def _bool_mask_to_ints(mask):
    if isinstance(mask, Tracer):
        concrete = mask.to_concrete_value()
        if concrete is None:
            raise NonConcreteBooleanIndexError(
                f"Array boolean indices must be concrete; got {mask.aval.str_short()}. The "
                "result's shape would depend on the mask's values, which are unknown while "
                "tracing. Use jnp.where(mask, x, fill) to keep the shape static instead.")
        mask = concrete
    return [np.asarray(i, np.int32) for i in np.nonzero(np.asarray(mask))]


def _insert_new_axes(x, entries):
    """Turn every ``None`` into a size-1 axis of ``x`` indexed by a full slice."""
    if not any(e is None for e in entries):
        return x, entries
    shape, dims, src = [], [], 0
    for e in entries:
        if e is None:
            shape.append(1)
        else:
            dims.append(len(shape))
            shape.append(x.shape[src])
            src += 1
    x = lax.broadcast_in_dim(x, tuple(shape), tuple(dims))
    return x, [slice(None) if e is None else e for e in entries]


def _is_scalar_index(e):
    return isinstance(e, int) or get_aval(e).shape == ()


# ---------------------------------------------------------------------------
# Static ints and slices: rev + slice + squeeze


def _slice_bounds(s, n):
    """(start, limit, stride, reversed) of a Python slice over size ``n``,
    expressed on the (possibly reversed) axis with a positive stride."""
    start, stop, step = s.indices(n)
    count = len(range(start, stop, step))
    if step < 0:
        start, step = n - 1 - start, -step
    if count == 0:
        return 0, 0, 1, s.step is not None and s.step < 0
    return start, start + (count - 1) * step + 1, step, (s.step or 1) < 0


def _static_index(x, entries, normalize=True):
    starts, limits, strides, rev_dims, squeeze_dims = [], [], [], [], []
    for dim, (e, n) in enumerate(zip(entries, x.shape)):
        if isinstance(e, int):
            if n == 0:
                raise IndexError(f"index {e} is out of bounds for axis {dim} with size 0")
            # Out-of-bounds indices are clamped, as JAX does for retrieval.
            i = min(max(e + n if e < 0 and normalize else e, 0), n - 1)
            starts.append(i), limits.append(i + 1), strides.append(1)
            squeeze_dims.append(dim)
        else:
            start, limit, stride, rev = _slice_bounds(e, n)
            starts.append(start), limits.append(limit), strides.append(stride)
            if rev:
                rev_dims.append(dim)
    if rev_dims:
        x = lax.rev(x, rev_dims)
    if tuple(starts) != (0,) * x.ndim or tuple(limits) != x.shape or set(strides) - {1}:
        x = lax.slice(x, starts, limits, None if set(strides) <= {1} else strides)
    return lax.squeeze(x, squeeze_dims) if squeeze_dims else x


def _apply_slices(x, entries):
    """Apply the slice entries now; leave the others for a dynamic path."""
    if all(isinstance(e, slice) and e == slice(None) or not isinstance(e, slice)
           for e in entries):
        return x, entries
    static = [e if isinstance(e, slice) else slice(None) for e in entries]
    x = _static_index(x, static)
    return x, [slice(None) if isinstance(e, slice) else e for e in entries]


# ---------------------------------------------------------------------------
# Scalar indices known at run time: dynamic_slice + squeeze


def _normalize_index(i, n, normalize=True):
    """A negative index counts from the end: ``i + n`` where ``i < 0``.
    With ``normalize=False`` only the dtype is checked."""
    if not normalize:
        return i if isinstance(i, (int, np.ndarray)) else _as_int_index(i)
    if isinstance(i, int):
        return i + n if i < 0 else i
    if isinstance(i, np.ndarray):
        return np.where(i < 0, i + n, i).astype(np.int32)
    i = _as_int_index(i)
    if i.dtype.kind == "u":
        return i
    zero = lax._convert_element_type(0, i.dtype, False)
    return lax.select(lax.lt(i, zero), lax.add(i, lax._convert_element_type(n, i.dtype, False)),
                      i)


def _as_int_index(i):
    aval = get_aval(i)
    if aval.dtype.kind not in "iu":
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                         f"{aval.dtype.name}")
    return lax._convert_element_type(i, aval.dtype, False) if aval.weak_type else i


def _dynamic_scalar_index(x, entries, normalize=True):
    starts, sizes, squeeze_dims = [], [], []
    for dim, (e, n) in enumerate(zip(entries, x.shape)):
        if isinstance(e, slice):
            starts.append(0)
            sizes.append(n)
        else:
            starts.append(_normalize_index(e, n, normalize))
            sizes.append(1)
            squeeze_dims.append(dim)
    # The starts are normalized already: out-of-range ones must clamp, not wrap again.
    return lax.squeeze(lax.dynamic_slice(x, starts, sizes, allow_negative_indices=False),
                       squeeze_dims)


# ---------------------------------------------------------------------------
# Integer arrays: one gather


def _gather_index(x, entries, mode, fill_value, indices_are_sorted, unique_indices,
                  normalize=True):
    adv_dims = [d for d, e in enumerate(entries) if not isinstance(e, slice)]
    idx = []
    for d in adv_dims:
        e = entries[d]
        if isinstance(e, np.ndarray) and e.dtype.kind not in "iu":
            raise TypeError(f"Indexer must have integer or boolean type, got indexer with "
                             f"type {e.dtype.name}")
        e = np.asarray(e, np.int32) if isinstance(e, int) else e
        idx.append(_normalize_index(e, x.shape[d], normalize))
    batch = jnp.broadcast_shapes(*(np.shape(i) if isinstance(i, np.ndarray) else
                                   get_aval(i).shape for i in idx))
    idx = [jnp.broadcast_to(jnp.asarray(i), batch) for i in idx]
    index_dtype = dtypes.result_type(*idx) if len(idx) > 1 else idx[0].dtype
    indices = jnp.stack([lax._convert_element_type(i, index_dtype, False) for i in idx], -1)
    rest = [d for d in range(x.ndim) if d not in adv_dims]
    contiguous = adv_dims == list(range(adv_dims[0], adv_dims[-1] + 1))
    if contiguous:   # the advanced axes stay where they were
        p = adv_dims[0]
        offset_dims = tuple(range(p)) + tuple(range(p + len(batch), len(batch) + len(rest)))
    else:            # numpy moves them to the front
        offset_dims = tuple(range(len(batch), len(batch) + len(rest)))
    dn = lax.GatherDimensionNumbers(offset_dims=offset_dims,
                                    collapsed_slice_dims=tuple(adv_dims),
                                    start_index_map=tuple(adv_dims))
    slice_sizes = [1 if d in adv_dims else x.shape[d] for d in range(x.ndim)]
    if any(x.shape[d] == 0 for d in adv_dims):
        # Indexing an empty axis: only an empty index makes sense (numpy), and
        # gather cannot express it (its windows would not fit), so build it.
        if math.prod(batch):
            raise IndexError(f"index is out of bounds for an axis of size 0 (shape {x.shape})")
        it, rest_it = iter(batch), iter(x.shape[d] for d in rest)
        out_shape = [next(rest_it) if i in offset_dims else next(it)
                     for i in range(len(batch) + len(rest))]
        return lax.full(out_shape, 0, x.dtype)
    return lax.gather(x, indices, dn, slice_sizes, mode=mode, fill_value=fill_value,
                      indices_are_sorted=indices_are_sorted, unique_indices=unique_indices)


# ---------------------------------------------------------------------------
# Functional updates: x.at[idx].set(y), .add(y), .get()


class _IndexUpdateHelper:
    """``x.at``: indexing it gives an object whose methods return updated copies."""
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


class _IndexUpdateRef:
    """``x.at[idx]``: methods that return updated copies of ``x``.

    ``mode`` says what happens to out-of-bounds indices, as in JAX: ``get``
    clamps them by default (like ``x[idx]``) or fills with ``fill_value``
    (``mode="fill"``); the updates drop them by default (``"drop"``,
    ``"fill"`` and ``"promise_in_bounds"``) or clamp them (``"clip"``).
    Negative indices count from the end first (unless
    ``wrap_negative_indices=False``).
    """
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array, self.index = array, index

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None,
            fill_value=None, out_sharding=None, wrap_negative_indices=True):
        reject_unsupported("x.at[...].get", out_sharding=(out_sharding, None))
        return getitem(self.array, self.index, mode=mode, fill_value=fill_value,
                       indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                       normalize_indices=wrap_negative_indices)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        reject_unsupported("x.at[...].set", out_sharding=(out_sharding, None))
        return _scatter_update(self.array, self.index, values, lax.scatter, mode,
                               indices_are_sorted, unique_indices, wrap_negative_indices)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        reject_unsupported("x.at[...].add", out_sharding=(out_sharding, None))
        return _scatter_update(self.array, self.index, values, lax.scatter_add, mode,
                               indices_are_sorted, unique_indices, wrap_negative_indices)

    def subtract(self, values, **kwargs):
        return self.add(-values if hasattr(values, "aval") else -np.asarray(values), **kwargs)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 out_sharding=None, wrap_negative_indices=True):
        reject_unsupported("x.at[...].multiply", out_sharding=(out_sharding, None))
        return _scatter_update(self.array, self.index, values, lax.scatter_mul, mode,
                               indices_are_sorted, unique_indices, wrap_negative_indices)

    mul = multiply

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        reject_unsupported("x.at[...].min", out_sharding=(out_sharding, None))
        return _scatter_update(self.array, self.index, values, lax.scatter_min, mode,
                               indices_are_sorted, unique_indices, wrap_negative_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            out_sharding=None, wrap_negative_indices=True):
        reject_unsupported("x.at[...].max", out_sharding=(out_sharding, None))
        return _scatter_update(self.array, self.index, values, lax.scatter_max, mode,
                               indices_are_sorted, unique_indices, wrap_negative_indices)

    # divide and power, as in JAX: gather the product of the values landing at
    # each position into an array of ones, then divide by it, or raise to it.
    def divide(self, values, **kwargs):
        return jnp.divide(self.array, self._product_of_values(values, "divide", **kwargs))

    def power(self, values, **kwargs):
        return jnp.power(self.array, self._product_of_values(values, "power", **kwargs))

    def _product_of_values(self, values, name, *, indices_are_sorted=False,
                           unique_indices=False, mode=None, out_sharding=None,
                           wrap_negative_indices=True):
        reject_unsupported(f"x.at[...].{name}", out_sharding=(out_sharding, None))
        return _scatter_update(jnp.ones_like(self.array), self.index, values, lax.scatter_mul,
                               mode, indices_are_sorted, unique_indices, wrap_negative_indices)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        """``func`` (a function of one scalar) applied to each element the index
        names, once for every time the index names it, as JAX's scatter does:
        ``x.at[[1, 1]].apply(f)`` puts ``f(f(x[1]))`` at 1."""
        x = self.array
        times = _scatter_update(jnp.zeros(x.shape, dtypes.int32), self.index, 1,
                                lax.scatter_add, mode, indices_are_sorted, unique_indices,
                                wrap_negative_indices)
        if x.size == 0:
            return x
        from ..batching import vmap   # a function of scalars, applied to every element
        elementwise = lambda y: lax.reshape(vmap(func)(jnp.ravel(y)), x.shape)   # noqa: E731

        def once_more(state):
            i, y = state
            fy = elementwise(y)
            if fy.dtype != y.dtype:
                raise TypeError(f"x.at[...].apply: func must keep the dtype {y.dtype}; "
                                f"it returned {fy.dtype}")
            return lax.add(i, np.int32(1)), jnp.where(lax.gt(times, i), fy, y)
        _, out = lax.while_loop(lambda state: lax.lt(state[0], jnp.max(times)), once_more,
                                (np.int32(0), x))
        return out


def _is_basic_index(index):
    """Ints, slices, None and ``...`` only: such an index names each position
    at most once, so a scatter through it has unique indices (as JAX notes)."""
    entries = index if isinstance(index, tuple) else (index,)
    return all(e is None or e is Ellipsis or isinstance(e, slice)
               or (isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_)))
               for e in entries)


def _scatter_update(x, index, values, scatter_fn, mode=None, indices_are_sorted=False,
                    unique_indices=False, wrap_negative_indices=True):
    """``x`` with ``values`` combined into the positions ``x[index]`` names.

    Indexing an array of positions ``0 .. x.size-1`` with ``index`` gives the
    flat position of each updated element: clamped in clip mode, ``-1`` for an
    out-of-bounds one otherwise (then the scatter drops it).

    ``indices_are_sorted`` is only a performance hint, and the flat positions
    need not be sorted (a dropped one is -1), so it is not passed on.
    """
    x = jnp.asarray(x)
    clip = lax.GatherScatterMode.from_any(mode) == lax.GatherScatterMode.CLIP
    positions = lax.reshape(lax.iota(dtypes.int32, x.size), x.shape)
    positions = getitem(positions, index, mode="clip" if clip else "fill",
                        fill_value=None if clip else -1,
                        normalize_indices=wrap_negative_indices)
    values = jnp.asarray(values)
    # Cast to x's dtype as JAX does (complex into real keeps the real part).
    values = lax._convert_element_type(values, x.dtype, x.weak_type)
    values = jnp.broadcast_to(values, positions.shape)
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    flat = scatter_fn(lax.reshape(x, (x.size,)), lax.reshape(positions, (positions.size, 1)),
                      lax.reshape(values, (values.size,)), dn,
                      mode=lax.GatherScatterMode.FILL_OR_DROP,
                      unique_indices=unique_indices or _is_basic_index(index))
    return lax.reshape(flat, x.shape)
