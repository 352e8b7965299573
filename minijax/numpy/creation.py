"""Array types, constants and making arrays: ``jnp.float32``, ``jnp.asarray``,
``jnp.zeros``, ``jnp.arange``, ..."""
import builtins
import math
import operator
import warnings

import numpy as np

from .. import dtypes, lax
from ..core import ShapedArray, Tracer, get_aval, concrete_or_error, is_valid_value
from ..eager import Array
from ..lax import _convert_element_type
from .. import numpy as jnp  # a cycle: jnp.<name> reaches modules that import this one


ndarray = Array
pi, e, inf, nan, euler_gamma = np.pi, np.e, np.inf, np.nan, np.euler_gamma
newaxis = None

generic, number, inexact, floating, complexfloating = (
    np.generic, np.number, np.inexact, np.floating, np.complexfloating)
integer, signedinteger, unsignedinteger = np.integer, np.signedinteger, np.unsignedinteger
bool_dtype = np.dtype(bool)


class _ScalarMeta(type):
    """``jnp.float32`` is both a dtype-like and a constructor: ``jnp.float32(1)``
    builds a float32 array, and ``np.dtype(jnp.float32)`` reads ``.dtype``."""

    def __call__(cls, x):
        return asarray(x, dtype=cls.dtype)

    def __eq__(cls, other):
        return other is cls or other == cls.dtype.type

    def __hash__(cls):
        return hash(cls.dtype.type)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type) or (
            hasattr(instance, "aval") and instance.dtype == cls.dtype)

    def __repr__(cls):
        return f"<class 'minijax.numpy.{cls.__name__}'>"


def _scalar_type(np_type):
    name = np.dtype(np_type).name
    return _ScalarMeta(name if name != "bool" else "bool_", (object,),
                       {"dtype": np.dtype(np_type)})


bool_ = _scalar_type(np.bool_)
int8, int16, int32, int64 = map(_scalar_type, (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = map(_scalar_type, (np.uint8, np.uint16, np.uint32, np.uint64))
float16, float32, float64 = map(_scalar_type, (np.float16, np.float32, np.float64))
bfloat16 = _scalar_type(dtypes.bfloat16)
complex64, complex128 = map(_scalar_type, (np.complex64, np.complex128))
int_, uint, float_, complex_ = int64, uint64, float64, complex128

dtype = np.dtype
result_type = dtypes.result_type
promote_types = dtypes.promote_types
issubdtype = dtypes.issubdtype
finfo, iinfo = np.finfo, np.iinfo


def _dtype(x):
    return get_aval(x).dtype


def shape(a):
    return get_aval(asarray(a) if isinstance(a, (list, tuple)) else a).shape


def ndim(a):
    return len(shape(a))


def size(a, axis=None):
    s = shape(a)
    return math.prod(s) if axis is None else s[axis]


def iscomplexobj(x):
    return dtypes.is_complex(_dtype(asarray(x)))


def isscalar(x):
    """True for Python and numpy scalars and for 0-d arrays (as ``jnp.isscalar``)."""
    if np.isscalar(x):
        return True
    return isinstance(x, np.ndarray) and x.ndim == 0 or (hasattr(x, "aval") and x.ndim == 0)


def _is_array_like(x):
    return isinstance(x, (Tracer, Array))


def asarray(a, dtype=None, copy=None):
    """Convert to a minijax array (no copy for minijax arrays)."""
    if dtype is not None:
        dtype = _requested_dtype(dtype)
    if _is_array_like(a):
        return a if dtype is None else _convert_element_type(a, dtype, False)
    if type(a) in dtypes.PYTHON_SCALAR_TYPES:
        weak = dtype is None and type(a) is not bool
        dt = dtypes.python_scalar_dtype(a) if dtype is None else dtype
        return Array(_np_scalar(a, dt), ShapedArray((), dt, weak))
    if isinstance(a, (list, tuple)):
        leaves = _flatten_sequence(a)
        if builtins.any(_is_array_like(x) for x in leaves):
            return _stack_nested(a, dtype)
    try:
        value = np.asarray(a)
    except (TypeError, ValueError) as err:
        raise TypeError(f"cannot convert {a!r} (of type {type(a).__name__}) to an array: "
                        f"{err}") from None
    if value.dtype == object:
        raise TypeError(f"cannot convert {a!r} to an array: it is not a (nested sequence "
                        "of) numbers")
    dt = dtypes.canonicalize_dtype(value.dtype if dtype is None else dtype)
    if dt.kind in "iu" and value.dtype.kind == "f":
        value = lax.convert_element_type_p.impl(value, new_dtype=dt, weak_type=False)
    return Array(np.array(value, dtype=dt), ShapedArray(value.shape, dt))


def _np_scalar(a, dt):
    """A Python scalar as a numpy 0-d array of ``dt``, wrapping like C casts do."""
    with np.errstate(all="ignore"):
        if dt.kind in "iu" and isinstance(a, int):
            return np.asarray(a if -2**63 <= a < 2**64 else 0).astype(dt)
        return np.asarray(a).astype(dt) if dt.kind != "c" else np.asarray(a, dt)


def _requested_dtype(dtype):
    if dtypes.is_python_scalar_type(dtype):   # int, float, ...: the default width
        return dtypes.dtype(dtype)
    dt = np.dtype(dtype)
    canon = dtypes.canonicalize_dtype(dt)
    if canon != dt:
        warnings.warn(f"Explicitly requested dtype {dt.name} requested in array is not "
                      f"available, and will be truncated to dtype {canon.name}. To enable more "
                      "dtypes, set minijax.config.update('jax_enable_x64', True) or the "
                      "JAX_ENABLE_X64 environment variable.", UserWarning, stacklevel=3)
    return canon


def _flatten_sequence(a):
    out = []
    for x in a:
        if isinstance(x, (list, tuple)):
            out.extend(_flatten_sequence(x))
        else:
            out.append(x)
    return out


def _stack_nested(a, dtype):
    """``jnp.array([x, y])`` where some entries are (traced) arrays."""
    if isinstance(a, (list, tuple)):
        parts = [_stack_nested(x, dtype) for x in a]
        dt = dtype or result_type(*parts)
        parts = [_convert_element_type(p, dt, False) for p in parts]
        if not parts:
            return zeros((0,), dt)
        return lax.concatenate([lax.expand_dims(p, (0,)) for p in parts], 0)
    return asarray(a, dtype)


def array(object, dtype=None, copy=True, ndmin=0):
    """Create an array (numpy's ``array``)."""
    out = asarray(object, dtype)
    if ndmin > out.ndim:
        out = lax.broadcast(out, (1,) * (ndmin - out.ndim))
    return out


def _shape_tuple(shape):
    if isinstance(shape, (int, np.integer)) or (hasattr(shape, "__index__") and
                                                not isinstance(shape, (tuple, list))):
        return (operator.index(shape),)
    return tuple(operator.index(d) for d in shape)


def _check_shape(shape, name):
    shape = _shape_tuple(shape)
    if builtins.any(d < 0 for d in shape):   # JAX's type for this is TypeError
        raise TypeError(f"{name}: negative dimensions are not allowed, got shape {shape}")
    return shape


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` filled with ``fill_value``."""
    shape = _check_shape(shape, "full")
    if np.ndim(fill_value) > 0 or (_is_array_like(fill_value) and get_aval(fill_value).shape):
        return jnp.broadcast_to(asarray(fill_value, dtype), shape)
    return lax.full(shape, fill_value, None if dtype is None else _requested_dtype(dtype))


def zeros(shape, dtype=None):
    return full(shape, 0, dtype or dtypes.default_float_dtype())


def ones(shape, dtype=None):
    return full(shape, 1, dtype or dtypes.default_float_dtype())


empty = zeros


def _like(a, fill, dtype, shape):
    aval = get_aval(asarray(a) if not is_valid_value(a) else a)
    weak = aval.weak_type and dtype is None
    dt = aval.dtype if dtype is None else _requested_dtype(dtype)
    out_shape = aval.shape if shape is None else _shape_tuple(shape)
    value = _convert_element_type(np.asarray(fill).astype(dt), dt, weak)
    return lax.broadcast_in_dim(value, out_shape, ())


def zeros_like(a, dtype=None, shape=None):
    return _like(a, 0, dtype, shape)


def ones_like(a, dtype=None, shape=None):
    return _like(a, 1, dtype, shape)


def full_like(a, fill_value, dtype=None, shape=None):
    if _is_array_like(fill_value):
        aval = get_aval(a)
        return full(aval.shape if shape is None else shape, fill_value, dtype or aval.dtype)
    return _like(a, fill_value, dtype, shape)


empty_like = zeros_like


def eye(N, M=None, k=0, dtype=None):
    """Ones on the ``k``-th diagonal, zeros elsewhere."""
    M = N if M is None else M
    dt = _requested_dtype(dtype) if dtype is not None else dtypes.default_float_dtype()
    rows = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(lax.eq(lax.add(rows, np.int32(k)), cols), dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``; the bounds must be concrete."""
    start = concrete_or_error(start, "the start argument of jnp.arange").item()
    stop = None if stop is None else concrete_or_error(stop, "jnp.arange's stop").item()
    step = None if step is None else concrete_or_error(step, "jnp.arange's step").item()
    if dtype is None:
        dtype = result_type(*(x for x in (start, stop, step) if x is not None))
        dtype = dtypes.canonicalize_dtype(dtype)
    else:
        dtype = _requested_dtype(dtype)
    if stop is None and step is None and isinstance(start, int):
        return lax.iota(dtype, builtins.max(start, 0))
    return asarray(np.arange(start, stop, step).astype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    num = operator.index(concrete_or_error(num, "the num argument of jnp.linspace").item())
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    dt = (dtypes.canonicalize_dtype(dtype) if dtype is not None else
          dtypes.result_type(start, stop, dtypes.default_float_dtype()))
    compute = dtypes.result_type(dt, dtypes.default_float_dtype())
    start, stop = asarray(start, compute), asarray(stop, compute)
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else zeros_like(start)
    out_shape = (num,) + start.shape
    iota = lax.broadcasted_iota(compute, out_shape, 0)
    out = lax.broadcast_in_dim(start, out_shape, tuple(range(1, len(out_shape)))) + \
        iota * lax.broadcast_in_dim(step, out_shape, tuple(range(1, len(out_shape))))
    if endpoint and num > 1:   # make the last value exactly ``stop``
        out = lax.concatenate([out[:-1], lax.expand_dims(stop, (0,))], 0)
    if axis != 0:
        out = jnp.moveaxis(out, 0, axis)
    out = out.astype(dt)
    return (out, step.astype(dt)) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop)``: values evenly spaced on a log scale."""
    dt = (dtypes.to_inexact_dtype(result_type(start, stop)) if dtype is None
          else _requested_dtype(dtype))
    compute = dtypes.to_inexact_dtype(dt)
    start, stop = jnp.broadcast_arrays(asarray(start, compute), asarray(stop, compute))
    exponents = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    return lax.convert_element_type(jnp.power(base, exponents), dt)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """A geometric progression from ``start`` to ``stop`` (both nonzero, same sign)."""
    dt = (dtypes.to_inexact_dtype(result_type(start, stop)) if dtype is None
          else _requested_dtype(dtype))
    compute = dtypes.to_inexact_dtype(dt)
    start, stop = asarray(start, compute), asarray(stop, compute)
    sign = jnp.sign(start)   # negative progressions: the logs of the magnitudes
    out = sign * logspace(jnp.log10(start / sign), jnp.log10(stop / sign), num,
                          endpoint=endpoint, base=10.0, dtype=compute, axis=0)
    return lax.convert_element_type(jnp.moveaxis(out, 0, axis), dt)
