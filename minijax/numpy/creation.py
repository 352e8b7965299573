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
from ..errors import JAXTypeError
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
promote_types = dtypes.promote_types


def result_type(*args):
    """The dtype that ``args`` promote to (JAX's rules, weak types included)."""
    return dtypes.result_type(*args)


def issubdtype(arg1, arg2):
    """numpy's ``issubdtype``, knowing minijax's dtypes."""
    return dtypes.issubdtype(arg1, arg2)


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


def isscalar(element):
    """True for Python and numpy scalars and for 0-d arrays (as ``jnp.isscalar``)."""
    if np.isscalar(element):
        return True
    return (isinstance(element, np.ndarray) and element.ndim == 0
            or (hasattr(element, "aval") and element.ndim == 0))


def _is_array_like(x):
    return isinstance(x, (Tracer, Array))


def asarray(a, dtype=None, order=None, *, copy=None):
    """Convert to a minijax array (no copy for minijax arrays: they are
    immutable, so a copy could not be told apart)."""
    _check_order(order, (None, "K"))
    if dtype is not None:
        dtype = _requested_dtype(dtype)
    if _is_array_like(a):
        return a if dtype is None else _convert_element_type(a, dtype, False)
    if type(a) in dtypes.PYTHON_SCALAR_TYPES:
        weak = dtype is None and type(a) is not bool
        dt = dtypes.python_scalar_dtype(a) if dtype is None else dtype
        return Array(_np_scalar(a, dt), ShapedArray((), dt, weak))
    if a is None:
        raise ValueError("None is not a valid value for jnp.array: pass a number, a "
                         "(nested) sequence of numbers or an array")
    if isinstance(a, (list, tuple)):
        leaves = _flatten_sequence(a)
        if builtins.any(_is_array_like(x) for x in leaves):
            return _stack_nested(a, dtype)
    try:
        value = np.asarray(a)
    except (TypeError, ValueError) as err:   # numpy's type: ValueError for ragged lists
        raise type(err)(f"cannot convert {a!r} (of type {type(a).__name__}) to an array: "
                        f"{err}") from None
    if value.dtype == object:
        raise TypeError(f"cannot convert {a!r} to an array: it is not a (nested sequence "
                        "of) numbers")
    dt = dtypes.canonicalize_dtype(value.dtype if dtype is None else dtype)
    if dt.kind in "iu" and value.dtype.kind == "f":
        value = lax.convert_element_type_p.impl(value, new_dtype=dt, weak_type=False)
    elif dt.kind in "iu" and value.dtype.kind in "iu" and isinstance(a, (list, tuple)):
        # Python ints that do not fit raise OverflowError (numpy 2, JAX), not wrap.
        value = np.array(a, dtype=dt)
    return Array(np.array(value, dtype=dt), ShapedArray(value.shape, dt))


def _np_scalar(a, dt):
    """A Python scalar as a numpy 0-d array of ``dt``. An int that does not fit
    an integer ``dt`` raises OverflowError (as in JAX and numpy 2); floats
    convert like C casts do."""
    if dt.kind in "iu" and isinstance(a, int):
        dtypes.check_int_fits(a, dt)
        return np.asarray(a, dt)
    with np.errstate(all="ignore"):
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


def array(object, dtype=None, *, copy=True, order="K", ndmin=0):
    """Create an array (numpy's ``array``)."""
    _check_order(order, (None, "K"))
    out = asarray(object, dtype)
    if ndmin > out.ndim:
        out = lax.broadcast(out, (1,) * (ndmin - out.ndim))
    return out


def _shape_tuple(shape):
    """``shape`` (an int or a sequence of ints) as a tuple; JAX's TypeError otherwise."""
    try:
        if isinstance(shape, (int, np.integer)) or (hasattr(shape, "__index__") and
                                                    not isinstance(shape, (tuple, list))):
            return (operator.index(shape),)
        return tuple(operator.index(d) for d in shape)
    except JAXTypeError:   # a traced size: its own message says what to do
        raise
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, "
                        f"got {shape!r}.") from None


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


def empty_like(prototype, dtype=None, shape=None):
    """An array like ``prototype`` (minijax fills it with zeros)."""
    return zeros_like(prototype, dtype, shape)


def _check_order(order, supported):
    if order not in supported:
        raise NotImplementedError(f"minijax (like JAX) implements only order='K' here, got "
                                  f"order={order!r}")


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
    """Evenly spaced values in ``[start, stop)``; the bounds must be concrete.

    Computed as JAX computes it, so the values print the same: with a step,
    ``start + step * iota`` in the result's dtype (``jnp.arange(0, 1, .1)[-1]``
    is ``0.1f * 9``, 0.90000004, not numpy's 0.9)."""
    given = [x for x in (start, stop, step) if x is not None]
    if any(np.iscomplexobj(x) for x in given):
        raise ValueError("Passing complex start/stop/step to jnp.arange is not supported.")
    start = concrete_or_error(start, "the start argument of jnp.arange")
    stop = None if stop is None else concrete_or_error(stop, "jnp.arange's stop")
    step = None if step is None else concrete_or_error(step, "jnp.arange's step")
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if v is not None and v.ndim != 0:
            raise ValueError(f"jax.numpy.arange: arguments must be scalars; got {name}={v}")
    # The dtype comes from the arguments as given (Python scalars are weak).
    dtype = (dtypes.canonicalize_dtype(result_type(*given)) if dtype is None
             else _requested_dtype(dtype))
    # Sizes are computed in Python arithmetic (integers do not wrap).
    start, stop, step = (None if v is None else v.item() for v in (start, stop, step))
    if stop is None:
        start, stop = 0, start
    if step is not None:
        if step == 0:
            raise ZeroDivisionError("jnp.arange: step must not be zero.")
        size = builtins.max(0, math.ceil((stop - start) / step))
        # Narrow floats compute in float32, as in JAX.
        working = (dtypes.float32 if dtype.kind == "f" and dtype.itemsize < 4 else dtype)
        out = lax.add(_convert_element_type(start, working, False),
                      lax.mul(_convert_element_type(step, working, False),
                              lax.iota(working, size)))
        return _convert_element_type(out, dtype, False)
    if start == 0:
        return lax.iota(dtype, builtins.max(0, math.ceil(stop)))
    size = builtins.max(0, math.ceil(stop - start))
    return lax.add(_convert_element_type(start, dtype, False), lax.iota(dtype, size))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``.

    As in JAX, the values are ``start * (1 - t) + stop * t`` for ``t = i /
    div``, computed by a jit-compiled program even when called eagerly: XLA
    rewrites and fuses that arithmetic (``jnp.linspace(-3., 3., 13)`` has
    -0.9999999 and 0.5000001), and only running XLA gives its bits."""
    num = operator.index(concrete_or_error(num, "the num argument of jnp.linspace").item())
    axis = operator.index(concrete_or_error(axis, "the axis argument of jnp.linspace").item())
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if dtype is not None:
        dtype = _requested_dtype(dtype)
    return _linspace(start, stop, num, bool(endpoint), bool(retstep), dtype, axis)


def _linspace_body(start, stop, num, endpoint, retstep, dtype, axis):
    """jnp.linspace's program (compiled by ``_linspace``)."""
    if dtype is None:
        dtype = dtypes.to_inexact_dtype(result_type(start, stop))
    compute = dtypes.to_inexact_dtype(dtype)
    start, stop = asarray(start).astype(compute), asarray(stop).astype(compute)
    bounds_shape = list(np.broadcast_shapes(start.shape, stop.shape))
    start, stop = jnp.broadcast_to(start, bounds_shape), jnp.broadcast_to(stop, bounds_shape)
    axis = len(bounds_shape) + axis + 1 if axis < 0 else axis
    bounds_shape.insert(axis, 1)
    div = (num - 1) if endpoint else num
    if num > 1:
        delta = (stop - start) / asarray(div, compute)
        iota_shape = [1] * len(bounds_shape)
        iota_shape[axis] = div
        real = np.finfo(compute).dtype
        t = lax.iota(real, div).reshape(iota_shape) / asarray(div, real)
        t = t.astype(compute)
        out = start.reshape(bounds_shape) * (1 - t) + stop.reshape(bounds_shape) * t
        if endpoint:
            out = lax.concatenate([out, lax.expand_dims(stop, (axis,))], axis)
    elif num == 1:
        delta = asarray(np.nan if endpoint else stop - start, compute)
        out = start.reshape(bounds_shape)
    else:
        empty_shape = list(start.shape)
        empty_shape.insert(axis, 0)
        delta = full((), np.nan, compute)
        out = zeros(empty_shape, compute)
    if dtypes.dtype(dtype).kind in "iub" and out.dtype.kind not in "iub":
        out = lax.floor(out)
    out = _convert_element_type(out, dtype, False)
    return (out, delta) if retstep else out


def _linspace(*args):
    global _linspace_jit
    if _linspace_jit is None:   # made on first use: jit's module imports this one
        from ..compiling import jit
        _linspace_jit = jit(_linspace_body, static_argnums=(2, 3, 4, 5, 6))
    return _linspace_jit(*args)


_linspace_jit = None


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
