"""Type promotion and broadcasting: the bookkeeping every ``jnp`` function does
before it calls ``lax``."""
import builtins
import warnings

from .. import dtypes, lax
from ..config import config
from ..core import get_aval, is_valid_value
from ..lax import _convert_element_type
from .creation import asarray, shape, _shape_tuple


def _check_arraylike(fun_name, *args):
    for i, a in enumerate(args):
        if not is_valid_value(a):
            raise TypeError(f"{fun_name} requires ndarray or scalar arguments, got "
                            f"{type(a).__name__} at position {i}.")


def _const_like(x, value):
    """``value`` with ``x``'s dtype; weakly typed only if ``x`` is a weak scalar.

    This mirrors JAX's internal ``lax._const``, and so decides the weak flag of
    results such as ``logical_and(2, 0.5)`` (weak) or ``logical_and(mask, 2)``
    (not weak)."""
    aval = get_aval(x)
    return _convert_element_type(value, aval.dtype, aval.weak_type and aval.ndim == 0)


def promote_dtypes(*args):
    """Cast ``args`` to their common dtype (weak types decide as in JAX)."""
    if len(args) < 2:
        return [a if hasattr(a, "aval") else asarray(a) for a in args]
    if len(args) == 2 and _same_type(*args):   # the common case, x * y: nothing to do
        return list(args)
    dt, weak = dtypes.lattice_result_type(*args)
    return [_convert_element_type(a, dt, weak) for a in args]


def _same_type(x, y):
    ax, ay = getattr(x, "aval", None), getattr(y, "aval", None)
    return (ax is not None and ay is not None and ax.dtype == ay.dtype
            and ax.weak_type == ay.weak_type)


def promote_dtypes_inexact(*args):
    """Like ``promote_dtypes``, then integers and booleans become floats."""
    dt, weak = dtypes.lattice_result_type(*args)
    dt = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt))
    return [_convert_element_type(a, dt, weak) for a in args]


def promote_dtypes_numeric(*args):
    """Like ``promote_dtypes``, then booleans become int32."""
    dt, weak = dtypes.lattice_result_type(*args)
    dt = dtypes.to_numeric_dtype(dt)
    return [_convert_element_type(a, dt, weak) for a in args]


def broadcast_shapes(*shapes):
    """numpy's broadcasting of shapes; ValueError if they are incompatible."""
    ndim = builtins.max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for sizes in zip(*padded):
        big = {d for d in sizes if d != 1}
        if len(big) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={list(shapes)}")
        out.append(big.pop() if big else 1)
    return tuple(out)


def _promote_shapes(fun_name, *args):
    """Give every non-scalar operand the same rank (leading 1s); lax broadcasts
    scalars and size-1 axes itself."""
    shapes = [get_aval(a).shape for a in args]
    if len({len(s) for s in shapes if s}) <= 1:
        # Equal ranks, or scalars: nothing to do. The primitive checks the
        # sizes, and like JAX's reports a mismatch as a TypeError.
        return list(args)
    broadcast_shapes(*shapes)   # unequal ranks: numpy's ValueError on mismatch
    if config.rank_promotion != "allow":
        _rank_promotion_alarm(fun_name, shapes)
    rank = builtins.max(len(s) for s in shapes)
    return [a if len(s) in (0, rank) else lax.broadcast_to_rank(a, rank)
            for a, s in zip(args, shapes)]


_RANK_PROMOTION_DOC = "https://docs.jax.dev/en/latest/rank_promotion_warning.html"


def _rank_promotion_alarm(fun_name, shapes):
    """``jax_numpy_rank_promotion``: warn or raise on implicit rank promotion,
    which hides bugs such as adding a (3,) vector to a (3, 1) column."""
    shapes = " ".join(map(str, shapes))
    if config.rank_promotion == "raise":
        raise ValueError(f"Operands could not be broadcast together for {fun_name} on shapes "
                         f"{shapes} and with the config option "
                         f"jax_numpy_rank_promotion='raise'. For more information, see "
                         f"{_RANK_PROMOTION_DOC}.")
    warnings.warn(f"Following NumPy automatic rank promotion for {fun_name} on shapes {shapes}. "
                  f"Set the jax_numpy_rank_promotion config option to 'allow' to disable this "
                  f"warning; for more information, see {_RANK_PROMOTION_DOC}.", stacklevel=4)


def _prepare(fun_name, *args, promote=promote_dtypes):
    _check_arraylike(fun_name, *args)
    return _promote_shapes(fun_name, *promote(*args))


def broadcast_to(array, shape):
    """Broadcast ``array`` to ``shape`` with numpy's rules."""
    array = asarray(array)
    shape = _shape_tuple(shape)
    aval = get_aval(array)
    if aval.shape == shape:
        return array
    if len(shape) < aval.ndim or broadcast_shapes(aval.shape, shape) != shape:
        raise ValueError(f"Incompatible shapes for broadcasting: {aval.shape} and requested "
                         f"shape {shape}")
    lead = len(shape) - aval.ndim
    kept = [i for i, d in enumerate(aval.shape) if d == shape[lead + i]]
    squeezed = lax.reshape(array, [aval.shape[i] for i in kept]) if len(kept) < aval.ndim \
        else array
    return lax.broadcast_in_dim(squeezed, shape, tuple(lead + i for i in kept))


def broadcast_arrays(*args):
    shapes = [shape(a) for a in args]
    out = broadcast_shapes(*shapes)
    return [broadcast_to(a, out) for a in args]


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate grids from 1-d coordinate vectors, numpy's rules: with
    ``indexing="xy"`` the first two axes are swapped (x varies along columns);
    ``sparse=True`` returns the vectors reshaped to broadcast instead."""
    if not copy:   # JAX's rule: its arrays are immutable, so a view is never made
        raise ValueError("jax.numpy.meshgrid only supports copy=True")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    xi = [asarray(x) for x in xi]
    for x in xi:
        if x.ndim != 1:
            raise ValueError(f"Arguments to jax.numpy.meshgrid must be 1D, got shape "
                             f"{x.shape}")
    axes = list(range(len(xi)))       # the output axis along which xi[i] varies
    if indexing == "xy" and len(xi) >= 2:
        axes[0], axes[1] = 1, 0
    grid_shape = [0] * len(xi)
    for axis, x in zip(axes, xi):
        grid_shape[axis] = x.shape[0]
    vectors = [lax.reshape(x, [n if a == axis else 1 for a, n in enumerate(grid_shape)])
               for axis, x in zip(axes, xi)]
    return vectors if sparse else [broadcast_to(v, grid_shape) for v in vectors]
