"""``minijax.numpy``: numpy's API on top of ``lax``, with JAX's type promotion.

Every function here is ordinary Python that calls ``lax`` functions, so every
transformation sees through it: there are no derivative rules at this level.
The work done here is the bookkeeping numpy users expect and ``lax`` refuses
to guess: dtype promotion (with weak types), broadcasting, axis arguments,
keepdims, and friendly argument checking.
"""
import builtins
import functools
import math
import operator
import warnings

import numpy as np

from .. import dtypes, lax
from ..core import ShapedArray, Tracer, get_aval, concrete_or_error, is_valid_value
from ..eager import Array
from ..lax import _convert_element_type
from ..custom_derivatives import custom_jvp

# ---------------------------------------------------------------------------
# Types and constants

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


# ---------------------------------------------------------------------------
# Making arrays


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
        return broadcast_to(asarray(fill_value, dtype), shape)
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
        out = moveaxis(out, 0, axis)
    out = out.astype(dt)
    return (out, step.astype(dt)) if retstep else out


# ---------------------------------------------------------------------------
# Promotion and broadcasting


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
    rank = builtins.max(len(s) for s in shapes)
    return [a if len(s) in (0, rank) else lax.broadcast_to_rank(a, rank)
            for a, s in zip(args, shapes)]


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


# ---------------------------------------------------------------------------
# Elementwise functions


def _unary(lax_fn, name, promote=promote_dtypes_inexact):
    def fn(x, /):
        _check_arraylike(name, x)
        x, = promote(x)
        return lax_fn(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name} (numpy's ``{name}``)."
    return fn


sin, cos, tan = _unary(lax.sin, "sin"), _unary(lax.cos, "cos"), _unary(lax.tan, "tan")
arcsin, arccos, arctan = (_unary(lax.asin, "arcsin"), _unary(lax.acos, "arccos"),
                          _unary(lax.atan, "arctan"))
sinh, cosh, tanh = _unary(lax.sinh, "sinh"), _unary(lax.cosh, "cosh"), _unary(lax.tanh, "tanh")
arcsinh, arccosh, arctanh = (_unary(lax.asinh, "arcsinh"), _unary(lax.acosh, "arccosh"),
                             _unary(lax.atanh, "arctanh"))
exp, exp2, expm1 = _unary(lax.exp, "exp"), _unary(lax.exp2, "exp2"), _unary(lax.expm1, "expm1")
log, log1p = _unary(lax.log, "log"), _unary(lax.log1p, "log1p")
sqrt, cbrt = _unary(lax.sqrt, "sqrt"), _unary(lax.cbrt, "cbrt")
# JAX refuses booleans here (lax's TypeError) rather than promoting them.
negative = _unary(lax.neg, "negative", promote_dtypes)
sign = _unary(lax.sign, "sign", promote_dtypes)
# Integers and booleans are already whole: returned as they are (JAX keeps bool).
floor = _unary(lambda x: x if not dtypes.is_inexact(x.dtype) else lax.floor(x), "floor",
               promote_dtypes)
ceil = _unary(lambda x: x if not dtypes.is_inexact(x.dtype) else lax.ceil(x), "ceil",
              promote_dtypes)
isfinite = _unary(lambda x: lax.is_finite(x) if dtypes.is_inexact(x.dtype) and
                  not dtypes.is_complex(x.dtype) else _isfinite_general(x), "isfinite",
                  promote_dtypes)
arcsin.__doc__ = "Elementwise inverse sine."
asin, acos, atan, asinh, acosh, atanh = arcsin, arccos, arctan, arcsinh, arccosh, arctanh


def _isfinite_general(x):
    if dtypes.is_complex(x.dtype):   # lax's and keeps a weak flag, as in JAX
        return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return full_like(x, True, dtype=bool)


# The constants are strongly typed, so that log2(2) is not weak (as in JAX).
# JAX divides by log(2) but multiplies by 1/log(10); the roundings follow.
def log2(x, /):
    x, = promote_dtypes_inexact(x)
    return lax.div(lax.log(x), lax.log(_convert_element_type(2, x.dtype, False)))


def log10(x, /):
    x, = promote_dtypes_inexact(x)
    one_over_log10 = _convert_element_type(0.4342944819032518,
                                           dtypes.finfo(x.dtype).dtype, False)
    if dtypes.is_complex(x.dtype):
        r = lax.log(x)
        return lax.complex(lax.mul(lax.real(r), one_over_log10),
                           lax.mul(lax.imag(r), one_over_log10))
    return lax.mul(lax.log(x), one_over_log10)


def abs(x, /):
    """Absolute value; the modulus for complex input (a real result)."""
    _check_arraylike("abs", x)
    x, = promote_dtypes(x)
    if x.dtype.kind in "ub":    # booleans stay booleans, as in JAX
        return x
    return lax.abs(x)


absolute = abs


def fabs(x, /):
    """Absolute value as a float (integers and booleans are promoted first)."""
    _check_arraylike("fabs", x)
    x, = promote_dtypes_inexact(x)
    if dtypes.is_complex(x.dtype):
        raise TypeError("ufunc 'fabs' does not support complex dtypes")
    return lax.abs(x)


def square(x, /):
    x, = promote_dtypes_numeric(x)
    return lax.integer_pow(x, 2)


def reciprocal(x, /):
    x, = promote_dtypes_inexact(x)
    return lax.integer_pow(x, -1)


def positive(x, /):
    return asarray(x)


def real(val, /):
    val = asarray(val)
    return lax.real(val) if dtypes.is_complex(val.dtype) else val


def imag(val, /):
    val = asarray(val)
    return lax.imag(val) if dtypes.is_complex(val.dtype) else zeros_like(val)


def conjugate(x, /):
    x = asarray(x)
    return lax.conj(x) if dtypes.is_complex(x.dtype) else x


conj = conjugate


def angle(z, deg=False):
    z = asarray(z)
    re, im = (real(z), imag(z)) if dtypes.is_complex(z.dtype) else promote_dtypes_inexact(
        z, zeros_like(z, dtype=z.dtype))   # a strong zero: angle(2) is not weak, as in JAX
    out = arctan2(im, re)
    return out * (180 / pi) if deg else out


def round(a, decimals=0, out=None):
    """Round half to even (numpy's rule), to ``decimals`` places; complex
    numbers round their real and imaginary parts."""
    _check_arraylike("round", a)
    a = asarray(a)
    decimals = operator.index(decimals)
    if dtypes.issubdtype(a.dtype, np.integer):
        if decimals < 0:
            raise NotImplementedError("integer np.round not implemented for decimals < 0")
        return a
    if not dtypes.is_inexact(a.dtype):
        raise ValueError(f"jnp.round: data type {a.dtype.name} not inexact")

    def round_real(x):
        if decimals == 0:
            return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)
        factor = _convert_element_type(10.0 ** decimals, x.dtype, x.weak_type)
        return lax.div(lax.round(lax.mul(x, factor), lax.RoundingMethod.TO_NEAREST_EVEN),
                       factor)

    if decimals > np.log10(np.finfo(a.dtype).max):
        return a   # rounding beyond the type's precision changes nothing
    if dtypes.is_complex(a.dtype):
        return lax.complex(round_real(lax.real(a)), round_real(lax.imag(a)))
    return round_real(a)


around = round


def rint(x, /):
    """Round to the nearest integer (half to even), in floating point."""
    _check_arraylike("rint", x)
    x = asarray(x)
    if not dtypes.is_inexact(x.dtype):   # already whole: just a (strong) float
        return lax.convert_element_type(x, dtypes.default_float_dtype())
    return round(x)


def trunc(x, /):
    x = asarray(x)
    if not dtypes.is_inexact(x.dtype):
        return x
    return where(lax.lt(x, _convert_element_type(0, x.dtype, True)), ceil(x), floor(x))


fix = trunc


def _binary(lax_fn, name, promote=promote_dtypes, bool_fn=None):
    def fn(x1, x2, /):
        x1, x2 = _prepare(name, x1, x2, promote=promote)
        if bool_fn is not None and x1.dtype == np.bool_:
            return bool_fn(x1, x2)
        return lax_fn(x1, x2)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name}, with numpy broadcasting and JAX's promotion."
    return fn


def _no_bool_subtract(x, y):
    raise TypeError("numpy boolean subtract, the `-` operator, is not supported, use the "
                    "bitwise_xor, the `^` operator, or the logical_xor function instead.")


add = _binary(lax.add, "add", bool_fn=lax.bitwise_or)
subtract = _binary(lax.sub, "subtract", bool_fn=_no_bool_subtract)
multiply = _binary(lax.mul, "multiply", bool_fn=lax.bitwise_and)
true_divide = divide = _binary(lax.div, "true_divide", promote_dtypes_inexact)
maximum = _binary(lax.max, "maximum")
minimum = _binary(lax.min, "minimum")
arctan2 = _binary(lax.atan2, "arctan2", promote_dtypes_inexact)
nextafter = _binary(lax.nextafter, "nextafter", promote_dtypes_inexact)
equal = _binary(lax.eq, "equal")
not_equal = _binary(lax.ne, "not_equal")
def _ordered(lax_fn):
    """A comparison that orders complex numbers lexicographically (real part
    first), as numpy and JAX do; lax itself refuses complex operands."""
    def compare(x, y):
        if dtypes.is_complex(x.dtype):
            return lax.select(lax.eq(lax.real(x), lax.real(y)),
                              lax_fn(lax.imag(x), lax.imag(y)), lax_fn(lax.real(x), lax.real(y)))
        return lax_fn(x, y)
    return compare


less = _binary(_ordered(lax.lt), "less")
less_equal = _binary(_ordered(lax.le), "less_equal")
greater = _binary(_ordered(lax.gt), "greater")
greater_equal = _binary(_ordered(lax.ge), "greater_equal")
bitwise_and = _binary(lax.bitwise_and, "bitwise_and")
bitwise_or = _binary(lax.bitwise_or, "bitwise_or")
bitwise_xor = _binary(lax.bitwise_xor, "bitwise_xor")


def _logical(lax_fn, name):
    """Promote (as JAX does, weak types included), then compare with zero."""
    def fn(*args):
        _check_arraylike(name, *args)
        args = _promote_shapes(name, *promote_dtypes(*args))
        return lax_fn(*[a if a.dtype == np.bool_ else lax.ne(a, _const_like(a, 0))
                        for a in args])
    fn.__name__ = name
    return fn


logical_and = _logical(lax.bitwise_and, "logical_and")
logical_or = _logical(lax.bitwise_or, "logical_or")
logical_xor = _logical(lax.bitwise_xor, "logical_xor")
logical_not = _logical(lax.bitwise_not, "logical_not")


def bitwise_not(x, /):
    return lax.bitwise_not(asarray(x))


invert = bitwise_not


def hypot(x1, x2, /):
    """``sqrt(x1**2 + x2**2)`` computed as ``big * sqrt(1 + (small / big)**2)``,
    which neither overflows nor underflows in between."""
    x1, x2 = _prepare("hypot", x1, x2, promote=promote_dtypes_inexact)
    if dtypes.is_complex(x1.dtype):
        raise ValueError("jnp.hypot is not well defined for complex-valued inputs. Please "
                         "convert to real values first, such as by using abs(x)")
    x1, x2 = lax.abs(x1), lax.abs(x2)
    either_inf = lax.bitwise_or(isinf(x1), isinf(x2))
    big, small = lax.max(x1, x2), lax.min(x1, x2)
    zero, one = _const_like(big, 0), _const_like(big, 1)
    is_zero = lax.eq(big, zero)
    ratio = lax.div(small, lax.select(is_zero, lax.full_like(big, 1), big))
    out = lax.select(is_zero, big, lax.mul(big, lax.sqrt(lax.add(one, lax.mul(ratio, ratio)))))
    return lax.select(either_inf, lax.full_like(out, np.inf), out)


def logaddexp(x1, x2, /):
    """``log(exp(x1) + exp(x2))`` without overflow."""
    x1, x2 = _prepare("logaddexp", x1, x2, promote=promote_dtypes_inexact)
    return _logaddexp(x1, x2)


@custom_jvp
def _logaddexp(x1, x2):
    amax = lax.max(x1, x2)
    dtype = get_aval(amax).dtype
    if dtypes.is_complex(dtype):
        # log(e^x1 + e^x2) = amax + log1p(e^(x1 + x2 - 2 amax)), with the
        # imaginary part brought back into (-pi, pi].
        two = _convert_element_type(2, dtype, False)
        out = lax.add(amax, lax.log1p(lax.exp(lax.sub(lax.add(x1, x2), lax.mul(amax, two)))))
        return lax.complex(lax.real(out), _wrap_angle(lax.imag(out)))
    delta = lax.sub(x1, x2)
    return lax.select(lax.ne(delta, delta),     # nan input: propagate it
                      lax.add(x1, x2),
                      lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta))))))


def _logaddexp_weights(exp_fn, x1, x2, out):
    """The slopes exp(x_i - out), with infinities replaced by 0 first, as in
    JAX: so that ties (each weight 1/2) and infinite inputs give finite slopes
    where the max-and-abs formula would give nan or favour one side."""
    def finite(v):
        return lax.select(lax.eq(_real_part(v), _const_like(_real_part(v), np.inf)),
                          lax.full_like(v, 0), v)
    return [exp_fn(lax.sub(finite(x), finite(out))) for x in (x1, x2)]


def _real_part(v):
    return lax.real(v) if dtypes.is_complex(get_aval(v).dtype) else v


@_logaddexp.defjvp
def _logaddexp_jvp(primals, tangents):
    x1, x2 = primals
    out = _logaddexp(x1, x2)
    w1, w2 = _logaddexp_weights(lax.exp, x1, x2, out)
    return out, lax.add(lax.mul(tangents[0], w1), lax.mul(tangents[1], w2))


def logaddexp2(x1, x2, /):
    """``log2(2**x1 + 2**x2)`` without overflow."""
    x1, x2 = _prepare("logaddexp2", x1, x2, promote=promote_dtypes_inexact)
    return _logaddexp2(x1, x2)


@custom_jvp
def _logaddexp2(x1, x2):
    amax = lax.max(x1, x2)
    if dtypes.is_complex(get_aval(amax).dtype):
        raise NotImplementedError("minijax's logaddexp2 takes real inputs")
    aval = get_aval(amax)
    inv_ln2 = _convert_element_type(1 / np.log(2), aval.dtype, aval.weak_type)
    delta = lax.sub(x1, x2)
    return lax.select(lax.ne(delta, delta), lax.add(x1, x2),
                      lax.add(amax, lax.mul(inv_ln2,
                                            lax.log1p(lax.exp2(lax.neg(lax.abs(delta)))))))


@_logaddexp2.defjvp
def _logaddexp2_jvp(primals, tangents):
    x1, x2 = primals
    out = _logaddexp2(x1, x2)
    w1, w2 = _logaddexp_weights(lax.exp2, x1, x2, out)
    return out, lax.add(lax.mul(tangents[0], w1), lax.mul(tangents[1], w2))


def _wrap_angle(x):
    """``x`` brought into ``(-pi, pi]`` by adding multiples of 2 pi."""
    pi_, two_pi = (_convert_element_type(v, x.dtype, False) for v in (np.pi, 2 * np.pi))
    r = lax.rem(lax.add(x, pi_), two_pi)
    r = lax.select(lax.lt(r, _convert_element_type(0, x.dtype, False)), lax.add(r, two_pi), r)
    return lax.sub(r, pi_)


def power(x1, x2, /):
    """``x1 ** x2``; a static integer exponent becomes ``integer_pow``."""
    _check_arraylike("power", x1, x2)
    if isinstance(x2, (int, np.integer)) and not isinstance(x2, bool):
        x1, = promote_dtypes_numeric(asarray(x1) if not hasattr(x1, "aval") else x1)
        return lax.integer_pow(x1, int(x2))
    base, exponent = asarray(x1), asarray(x2)
    if dtypes.is_inexact(base.dtype) and dtypes.issubdtype(exponent.dtype, np.integer):
        # An inexact base with an integer array exponent keeps the base's dtype
        # and is not weak (JAX's lax.pow takes the integer exponent as it is).
        base, exponent = _promote_shapes("power", base, exponent)
        return lax.pow(base, _convert_element_type(exponent, base.dtype, False))
    x1, x2 = _prepare("power", x1, x2, promote=promote_dtypes_numeric)
    if dtypes.issubdtype(x1.dtype, np.integer):
        return _integer_power(x1, x2)
    return lax.pow(x1, x2)


pow = power


def _integer_power(x, y):
    """Integer ``x ** y`` for integer arrays ``y`` by square-and-multiply over
    the bits of ``y`` (negative exponents give 0, or +-1 for bases +-1)."""
    x, y = broadcast_arrays(x, y)
    one = _convert_element_type(1, x.dtype, True)
    # acc is strongly typed: integer powers are not weak (as in JAX).
    acc = lax.full(broadcast_shapes(x.shape, y.shape), 1, x.dtype)
    base, exp_ = x, y
    for _ in range(x.dtype.itemsize * 8):
        zero = _convert_element_type(0, x.dtype, True)
        acc = lax.select(lax.ne(lax.bitwise_and(exp_, one), zero), acc * base, acc)
        base = base * base
        exp_ = lax.div(exp_, _convert_element_type(2, x.dtype, True))
    return acc


def floor_divide(x1, x2, /):
    """Division rounding toward minus infinity."""
    x1, x2 = _prepare("floor_divide", x1, x2, promote=promote_dtypes_numeric)
    if dtypes.issubdtype(x1.dtype, np.integer):
        zero = _convert_element_type(0, x1.dtype, True)
        quotient = lax.div(x1, x2)
        needs_fix = logical_and(lax.ne(lax.lt(x1, zero), lax.lt(x2, zero)),
                                lax.ne(lax.rem(x1, x2), zero))
        return lax.select(needs_fix, lax.sub(quotient, _convert_element_type(1, x1.dtype, True)),
                          quotient)
    return _float_divmod(x1, x2)[0]


def remainder(x1, x2, /):
    """The remainder with the sign of the divisor (numpy's ``%``)."""
    x1, x2 = _prepare("remainder", x1, x2, promote=promote_dtypes_numeric)
    zero = _convert_element_type(0, x1.dtype, True)
    trunc_mod = lax.rem(x1, x2)
    fix = logical_and(lax.ne(lax.lt(trunc_mod, zero), lax.lt(x2, zero)),
                      lax.ne(trunc_mod, zero))
    return lax.select(fix, lax.add(trunc_mod, x2), trunc_mod)


mod = remainder


def fmod(x1, x2, /):
    x1, x2 = _prepare("fmod", x1, x2, promote=promote_dtypes_numeric)
    return lax.rem(x1, x2)


def divmod(x1, x2, /):
    return floor_divide(x1, x2), remainder(x1, x2)


def _float_divmod(x1, x2):
    """Python's float divmod: remainder has the sign of the divisor."""
    zero = _convert_element_type(0, x1.dtype, True)
    mod_ = lax.rem(x1, x2)
    div = lax.div(lax.sub(x1, mod_), x2)
    fix = logical_and(lax.ne(mod_, zero), lax.ne(lax.sign(x2), lax.sign(mod_)))
    mod_ = lax.select(fix, lax.add(mod_, x2), mod_)
    div = lax.select(fix, lax.sub(div, _convert_element_type(1, x1.dtype, True)), div)
    return lax.round(div), mod_


def isnan(x, /):
    x = asarray(x)
    return lax.ne(x, x)


def isinf(x, /):
    x = asarray(x)
    if not dtypes.is_inexact(x.dtype):
        return full_like(x, False, dtype=bool)
    if dtypes.is_complex(x.dtype):
        return lax.bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
    # A strong infinity: the result is not weakly typed (as in JAX).
    return lax.eq(lax.abs(x), _convert_element_type(np.inf, x.dtype, False))


def _is_inf_of_sign(x, infinity):
    x = asarray(x)
    if dtypes.is_complex(x.dtype):
        raise ValueError("isposinf/isneginf are not well defined for complex types")
    if not dtypes.is_inexact(x.dtype):
        return full_like(x, False, dtype=bool)
    return lax.eq(x, _convert_element_type(infinity, x.dtype, False))


def isposinf(x, /):
    return _is_inf_of_sign(x, np.inf)


def isneginf(x, /):
    return _is_inf_of_sign(x, -np.inf)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    x = asarray(x)
    if not dtypes.is_inexact(x.dtype):
        return x
    if dtypes.is_complex(x.dtype):   # the real and imaginary parts separately
        parts = (nan_to_num(p, copy, nan, posinf, neginf) for p in (lax.real(x), lax.imag(x)))
        return lax.complex(*parts)
    info = np.finfo(x.dtype)
    x = where(isnan(x), asarray(nan, x.dtype), x)
    x = where(isposinf(x), asarray(info.max if posinf is None else posinf, x.dtype), x)
    return where(isneginf(x), asarray(info.min if neginf is None else neginf, x.dtype), x)


def where(condition, x=None, y=None):
    """``x`` where ``condition`` holds, else ``y`` (numpy broadcasting)."""
    if x is None and y is None:
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided "
                         "to jnp.where")
    _check_arraylike("where", condition, x, y)
    condition = asarray(condition)
    if condition.dtype != np.bool_:
        condition = not_equal(condition, 0)
    x, y = promote_dtypes(x, y)
    out_shape = broadcast_shapes(get_aval(condition).shape, get_aval(x).shape,
                                 get_aval(y).shape)
    condition, x, y = (broadcast_to(a, out_shape) for a in (condition, x, y))
    return lax.select(condition, x, y)


def select(condlist, choicelist, default=0):
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(cond, choice, out)
    return out


def clip(a, a_min=None, a_max=None, *, min=None, max=None):
    """Limit values to ``[a_min, a_max]`` (either bound may be None)."""
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    if a_min is None and a_max is None:
        raise ValueError("At most one of a_min and a_max may be None")
    if a_min is not None:
        a = maximum(a_min, a)
    if a_max is not None:
        a = minimum(a_max, a)
    return a


def heaviside(x1, x2, /):
    x1, x2 = _prepare("heaviside", x1, x2, promote=promote_dtypes_inexact)
    zero, one = _const_like(x1, 0), _const_like(x1, 1)
    return where(lax.lt(x1, zero), zero, where(lax.gt(x1, zero), one, x2))


def sinc(x, /):
    x, = promote_dtypes_inexact(x)
    pix = pi * x
    safe = where(equal(x, 0), ones_like(x), pix)
    return where(equal(x, 0), _sinc_maclaurin(0, pix), sin(safe) / safe)


@functools.partial(custom_jvp, nondiff_argnums=(0,))
def _sinc_maclaurin(k, x):
    """The k-th derivative of sin(x)/x at 0, shaped like ``x``. Its rule gives
    the (k+1)-th, so every derivative of sinc at 0 is exact, as in JAX."""
    coefficient = 0.0 if k % 2 else (-1) ** (k // 2) / (k + 1)
    aval = get_aval(x)
    return x * 0 + _convert_element_type(coefficient, aval.dtype, aval.weak_type)


@_sinc_maclaurin.defjvp
def _sinc_maclaurin_jvp(k, primals, tangents):
    (x,), (t,) = primals, tangents
    return _sinc_maclaurin(k, x), _sinc_maclaurin(k + 1, x) * t


def deg2rad(x, /):
    x, = promote_dtypes_inexact(x)
    return x * (pi / 180)


def rad2deg(x, /):
    x, = promote_dtypes_inexact(x)
    return x * (180 / pi)


radians, degrees = deg2rad, rad2deg


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if every element of ``a`` is close to ``b`` (a 0-d bool array)."""
    return all(isclose(a, b, rtol, atol, equal_nan))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` elementwise, with infinities equal only
    to themselves."""
    a, b = _prepare("isclose", a, b, promote=promote_dtypes_inexact)
    rtol_, atol_ = (asarray(t, real(a).dtype) for t in (rtol, atol))
    diff = abs(a - b)
    close = less_equal(diff, atol_ + rtol_ * abs(b))
    both_inf = logical_and(isinf(a), equal(a, b))
    close = logical_and(close, logical_not(logical_or(isinf(a), isinf(b))))
    close = logical_or(close, both_inf)
    if equal_nan:
        close = logical_or(close, logical_and(isnan(a), isnan(b)))
    return close


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if shape(a1) != shape(a2):
        return asarray(False)
    eq = equal(a1, a2)
    if equal_nan:
        eq = logical_or(eq, logical_and(isnan(a1), isnan(a2)))
    return all(eq)


# ---------------------------------------------------------------------------
# Reductions


def _canonical_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) or hasattr(axis, "__index__") and \
        not isinstance(axis, (tuple, list)) else tuple(axis)
    out = tuple(lax._canonical_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return out


def _keep(out, axes, keepdims):
    return lax.expand_dims(out, axes) if keepdims else out


def _sum_dtype(dt):
    """numpy's rule: sums of small integers and booleans widen to the default int."""
    if dt == np.bool_ or (dt.kind == "i" and dt.itemsize < dtypes.default_int_dtype().itemsize):
        return dtypes.default_int_dtype()
    if dt.kind == "u" and dt.itemsize < 4:
        return dtypes.canonicalize_dtype(np.uint64) if dtypes.config.x64_enabled else dtypes.uint32
    return dt


def _reduce(lax_fn, name, a, axis, dtype, keepdims, initial, where_, default_dtype=None,
            combine=None):
    _check_arraylike(name, a)
    a = asarray(a)
    if where_ is not None:
        raise NotImplementedError(f"jnp.{name} does not support the `where` argument")
    dt = _requested_dtype(dtype) if dtype is not None else (
        default_dtype(a.dtype) if default_dtype else a.dtype)
    a = _convert_element_type(a, dt, False)
    axes = _canonical_axes(axis, a.ndim)
    out = lax_fn(a, axes) if axes else a
    if initial is not None:
        out = combine(out, asarray(initial, dt))
    return _keep(out, axes, keepdims)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum of elements over ``axis`` (all axes by default)."""
    return _reduce(lax.reduce_sum, "sum", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.add)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product of elements over ``axis``."""
    return _reduce(lax.reduce_prod, "prod", a, axis, dtype, keepdims, initial, where,
                   _sum_dtype, lax.mul)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Largest element over ``axis``."""
    _check_nonempty("max", a, axis, initial)
    return _reduce(lax.reduce_max, "max", a, axis, None, keepdims, initial, where,
                   combine=lax.max)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Smallest element over ``axis``."""
    _check_nonempty("min", a, axis, initial)
    return _reduce(lax.reduce_min, "min", a, axis, None, keepdims, initial, where,
                   combine=lax.min)


amax, amin = max, min


def _check_nonempty(name, a, axis, initial):
    aval = get_aval(asarray(a))
    axes = _canonical_axes(axis, aval.ndim)
    if initial is None and builtins.any(aval.shape[i] == 0 for i in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no "
                         "identity")


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_and, "all", a, axis, None, keepdims, None, where)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    a = asarray(a)
    a = a if a.dtype == np.bool_ else not_equal(a, 0)
    return _reduce(lax.reduce_or, "any", a, axis, None, keepdims, None, where)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Arithmetic mean over ``axis``; integers average in floating point."""
    a = asarray(a)
    axes = _canonical_axes(axis, a.ndim)
    count = math.prod(a.shape[i] for i in axes)
    dt = _requested_dtype(dtype) if dtype is not None else (
        a.dtype if dtypes.is_inexact(a.dtype) else dtypes.default_float_dtype())
    total = sum(a, axis, dt, keepdims=keepdims, where=where)
    return lax.div(total, _convert_element_type(count, dt, False))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Variance: mean of ``|a - mean(a)|**2``, divided by ``N - ddof``."""
    ddof = ddof if correction is None else correction
    a = asarray(a)
    a, = promote_dtypes_inexact(a)
    a = _convert_element_type(a, a.dtype, False)
    axes = _canonical_axes(axis, a.ndim)
    centered = lax.sub(a, mean(a, axes, keepdims=True))
    sq = (lax.real(lax.mul(centered, lax.conj(centered))) if dtypes.is_complex(a.dtype)
          else lax.mul(centered, centered))
    count = math.prod(a.shape[i] for i in axes) - ddof
    total = sum(sq, axes, keepdims=keepdims)
    out = lax.div(total, _convert_element_type(count, total.dtype, False))
    return out if dtype is None else out.astype(dtype)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Standard deviation: ``sqrt(var(a))``."""
    return sqrt(var(a, axis, dtype, out, ddof, keepdims, correction=correction))


def _arg(lax_fn, name):
    def fn(a, axis=None, out=None, keepdims=None):
        a = asarray(a)
        if axis is None:
            result = lax_fn(ravel(a), 0, dtypes.int32)
            return lax.expand_dims(result, tuple(range(a.ndim))) if keepdims else result
        axis = lax._canonical_axis(axis, a.ndim)
        result = lax_fn(a, axis, dtypes.int32)
        return lax.expand_dims(result, (axis,)) if keepdims else result
    fn.__name__ = name
    fn.__doc__ = f"Index of the {name[3:]}imum along ``axis`` (of the flattened array if None)."
    return fn


argmax = _arg(lax.argmax, "argmax")
argmin = _arg(lax.argmin, "argmin")


def _cumulative(lax_fn, name):
    def fn(a, axis=None, dtype=None, out=None):
        a = asarray(a)
        if axis is None:
            a, axis = ravel(a), 0
        # Only booleans are promoted (to the default int): int8 sums stay int8, as in JAX.
        dt = _requested_dtype(dtype) if dtype is not None else (
            dtypes.default_int_dtype() if a.dtype == np.bool_ else a.dtype)
        return lax_fn(_convert_element_type(a, dt, False), lax._canonical_axis(axis, a.ndim))
    fn.__name__ = name
    return fn


cumsum = _cumulative(lax.cumsum, "cumsum")
cumprod = _cumulative(lax.cumprod, "cumprod")


def logsumexp(a, axis=None, keepdims=False):
    """``log(sum(exp(a)))`` computed stably (shift by the maximum)."""
    a, = promote_dtypes_inexact(asarray(a))
    axes = _canonical_axes(axis, a.ndim)
    amax = lax.stop_gradient(max(a, axes, keepdims=True))
    amax = where(isfinite(amax), amax, zeros_like(amax))
    out = log(sum(exp(a - amax), axes, keepdims=True)) + amax
    return out if keepdims else lax.squeeze(out, axes)


# ---------------------------------------------------------------------------
# Shapes


def reshape(a, shape=None, order="C", *, newshape=None):
    """Reshape (row-major); one dimension may be -1 and is inferred."""
    if order != "C":
        raise NotImplementedError("jnp.reshape only supports order='C'")
    shape = newshape if shape is None else shape
    a = asarray(a)
    shape = list(_shape_tuple(shape))
    if shape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in shape:
        known = math.prod(d for d in shape if d != -1)
        if known == 0 or a.size % known:   # numpy's error for an impossible -1: ValueError
            raise ValueError(f"cannot reshape array of shape {a.shape} (size {a.size}) into "
                            f"shape {tuple(shape)}")
        shape[shape.index(-1)] = a.size // known
    if math.prod(shape) != a.size:
        raise TypeError(f"cannot reshape array of shape {a.shape} (size {a.size}) into shape "
                        f"{tuple(shape)} (size {math.prod(shape)})")
    return lax.reshape(a, shape)


def ravel(a, order="C"):
    a = asarray(a)
    return lax.reshape(a, (a.size,))


def transpose(a, axes=None):
    """Permute axes (reverse them by default)."""
    a = asarray(a)
    axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(
        lax._canonical_axis(ax, a.ndim) for ax in axes)
    if sorted(axes) != list(range(a.ndim)):   # TypeError, as JAX's transpose raises
        raise TypeError(f"axes {axes} don't match array of dimension {a.ndim}")
    return lax.transpose(a, axes)


def matrix_transpose(x, /):
    x = asarray(x)
    if x.ndim < 2:
        raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got "
                         f"ndim={x.ndim}")
    return lax.transpose(x, tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2))


def swapaxes(a, axis1, axis2):
    a = asarray(a)
    perm = list(range(a.ndim))
    i, j = lax._canonical_axis(axis1, a.ndim), lax._canonical_axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


def moveaxis(a, source, destination):
    a = asarray(a)
    src = _canonical_axes(source, a.ndim)
    dst = _canonical_axes(destination, a.ndim)
    if len(src) != len(dst):
        raise ValueError("Inconsistent number of elements in source and destination")
    perm = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return lax.transpose(a, perm)


def squeeze(a, axis=None):
    a = asarray(a)
    if axis is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = _canonical_axes(axis, a.ndim)
        for i in axes:
            if a.shape[i] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not "
                                 f"equal to one, got shape={a.shape} and dimensions={axes}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    a = asarray(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return lax.expand_dims(a, axes)


def atleast_1d(*arys):
    out = [asarray(a) if ndim(a) >= 1 else reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(a if a.ndim >= 2 else reshape(a, (1,) * (2 - a.ndim) + a.shape))
    return out[0] if len(out) == 1 else out


def concatenate(arrays, axis=0, dtype=None):
    """Join arrays along an existing axis (``axis=None``: flatten first)."""
    if not len(arrays):
        raise ValueError("Need at least one array to concatenate.")
    arrays = [asarray(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    if builtins.any(a.ndim == 0 for a in arrays):
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    arrays = promote_dtypes(*arrays) if len(arrays) > 1 else arrays
    if dtype is not None:
        arrays = [a.astype(dtype) for a in arrays]
    return lax.concatenate([_convert_element_type(a, a.dtype, arrays[0].weak_type)
                            for a in arrays], lax._canonical_axis(axis, arrays[0].ndim))


def stack(arrays, axis=0, dtype=None):
    """Join arrays along a new axis."""
    if not len(arrays):
        raise ValueError("Need at least one array to stack.")
    arrays = [asarray(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("All input arrays must have the same shape.")
    axis = lax._canonical_axis(axis, arrays[0].ndim + 1)
    return concatenate([lax.expand_dims(a, (axis,)) for a in arrays], axis, dtype)


def vstack(tup, dtype=None):
    return concatenate([atleast_2d(a) for a in tup], 0, dtype)


def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if arrs[0].ndim == 1 else 1, dtype)


def column_stack(tup):
    arrs = [reshape(a, (-1, 1)) if ndim(a) < 2 else asarray(a) for a in tup]
    return concatenate(arrs, 1)


def split(ary, indices_or_sections, axis=0):
    ary = asarray(ary)
    axis = lax._canonical_axis(axis, ary.ndim)
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    return [lax.slice_in_dim(ary, lo, hi, 1, axis) for lo, hi in zip(bounds[:-1], bounds[1:])]


def flip(m, axis=None):
    m = asarray(m)
    return lax.rev(m, _canonical_axes(axis, m.ndim))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    a = asarray(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    axis = lax._canonical_axis(axis, a.ndim)
    n = a.shape[axis]
    if n == 0:
        return a
    s = operator.index(shift) % n
    return concatenate([lax.slice_in_dim(a, n - s, n, 1, axis),
                        lax.slice_in_dim(a, 0, n - s, 1, axis)], axis)


def tile(A, reps):
    A = asarray(A)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    nd = builtins.max(len(reps), A.ndim)
    A = reshape(A, (1,) * (nd - A.ndim) + A.shape)
    reps = (1,) * (nd - len(reps)) + reps
    for ax, r in enumerate(reps):
        if r != 1:
            A = concatenate([A] * r, ax)
    return A


def repeat(a, repeats, axis=None):
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    r = operator.index(repeats)
    expanded = lax.expand_dims(a, (axis + 1,))
    shape_ = list(expanded.shape)
    shape_[axis + 1] = r
    b = broadcast_to(expanded, shape_)
    new_shape = list(a.shape)
    new_shape[axis] *= r
    return reshape(b, new_shape)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of the 2-D slices over ``axis1``, ``axis2``."""
    a = asarray(a)
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    n, m = a.shape[-2:]
    rows = np.arange(builtins.max(0, -offset), builtins.min(n, m - offset))
    return a[..., rows, rows + offset]


def diag(v, k=0):
    """A 2-D array with ``v`` on its ``k``-th diagonal, or the diagonal of a 2-D ``v``."""
    v = asarray(v)
    if v.ndim == 1:
        n = v.shape[0] + builtins.abs(k)
        padded = lax.pad(v, _convert_element_type(0, v.dtype, False), [(0, builtins.abs(k), 0)])
        # Entry (r, r + k) holds v[r] for k >= 0, entry (c - k, c) holds v[c] for k < 0.
        grid = broadcast_to(lax.expand_dims(padded, (1,) if k >= 0 else (0,)), (n, n))
        return where(eye(n, k=k, dtype=bool), grid, zeros_like(grid))
    if v.ndim == 2:
        return diagonal(v, k)
    raise ValueError("diag input must be 1d or 2d")


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    cols = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(lax.ge(lax.add(rows, np.int32(k)), cols),
                                    dtype or dtypes.default_float_dtype())


def tril(m, k=0):
    m = asarray(m)
    mask = tri(*m.shape[-2:], k=k, dtype=bool)
    return where(mask, m, zeros_like(m))


def triu(m, k=0):
    m = asarray(m)
    mask = tri(*m.shape[-2:], k=k - 1, dtype=bool)
    return where(mask, zeros_like(m), m)


def nonzero(a, *, size=None, fill_value=None):
    """Indices of nonzero elements. The result's size depends on the values, so
    ``a`` must be concrete (not traced)."""
    if size is not None:
        raise NotImplementedError("jnp.nonzero(..., size=...) is not implemented in minijax")
    concrete = concrete_or_error(asarray(a), "jnp.nonzero, whose output size depends on "
                                 "the values")
    return tuple(asarray(i.astype(np.int32)) for i in np.nonzero(concrete))


def take(a, indices, axis=None, mode=None, fill_value=None):
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    index = (slice(None),) * axis + (asarray(indices),)
    return a[index]


def take_along_axis(arr, indices, axis):
    arr, indices = asarray(arr), asarray(indices)
    axis = lax._canonical_axis(axis, arr.ndim)
    index = []
    for i in range(arr.ndim):
        if i == axis:
            index.append(indices)
        else:
            shape_ = [1] * arr.ndim
            shape_[i] = arr.shape[i]
            index.append(reshape(arange(arr.shape[i]), shape_))
    return arr[tuple(index)]


def sort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """The sorted elements along ``axis`` (all axes flattened if None); nans last."""
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    if descending:
        return flip(lax.sort(flip(a, axis), lax._canonical_axis(axis, a.ndim), stable), axis)
    return lax.sort(a, lax._canonical_axis(axis, a.ndim), stable)


def argsort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """The indices that sort ``a`` along ``axis``: sort ``a`` together with an iota."""
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    iota = lax.broadcasted_iota(dtypes.int32, a.shape, axis)
    if descending:   # stable descending: reverse, sort, reverse back, re-index
        rev = flip(a, axis)
        _, idx = lax.sort((rev, iota), axis, stable, num_keys=1)
        n = a.shape[axis]
        return flip(lax.sub(lax._convert_element_type(n - 1, dtypes.int32, False), idx), axis)
    _, idx = lax.sort((a, iota), axis, stable, num_keys=1)
    return idx


def median(a, axis=None, keepdims=False):
    """The middle value along ``axis`` (the mean of the two middle ones for even sizes)."""
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = lax._canonical_axis(axis, a.ndim)
    s = sort(a, axis)
    n = a.shape[axis]
    lo = lax.index_in_dim(s, (n - 1) // 2, axis, keepdims)
    hi = lax.index_in_dim(s, n // 2, axis, keepdims)
    lo, hi = promote_dtypes_inexact(lo, hi)
    return (lo + hi) / 2


def outer(a, b):
    a, b = ravel(a), ravel(b)
    return multiply(lax.expand_dims(a, (1,)), lax.expand_dims(b, (0,)))


# ---------------------------------------------------------------------------
# Products


def _dot_dims(a_ndim, b_ndim):
    """numpy.dot: contract the last axis of a with the second-to-last of b."""
    return (((a_ndim - 1,), (builtins.max(b_ndim - 2, 0),)), ((), ()))


def dot(a, b, *, precision=None, preferred_element_type=None):
    """numpy's ``dot``: a product for scalars, inner product for vectors, matrix
    product for matrices, and a sum over the last/second-to-last axes beyond."""
    a, b = promote_dtypes(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return lax.dot_general(a, b, _dot_dims(a.ndim, b.ndim), precision,
                           preferred_element_type or a.dtype)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """Inner product of the flattened arrays, conjugating the first."""
    a, b = promote_dtypes(a, b)
    if dtypes.is_complex(a.dtype):
        a = lax.conj(a)
    return dot(ravel(a), ravel(b), precision=precision,
               preferred_element_type=preferred_element_type)


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = promote_dtypes(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 1,)), ((), ())), precision,
                           preferred_element_type)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """Matrix product with numpy's broadcasting over leading (batch) axes; a
    1-D operand is a vector (contracted without being reshaped)."""
    _check_arraylike("matmul", a, b)
    a, b = promote_dtypes(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: Input operand does not have enough dimensions, got shapes "
                         f"{a.shape} and {b.shape}")
    a_contract = a.ndim - 1
    b_contract = 0 if b.ndim == 1 else b.ndim - 2
    if a.shape[a_contract] != b.shape[b_contract]:
        raise TypeError(f"dot_general requires contracting dimensions to have the same shape, "
                        f"got {(a.shape[a_contract],)} and {(b.shape[b_contract],)}.")
    out_type = preferred_element_type or a.dtype
    if a.ndim == 1 or b.ndim == 1 or (a.ndim == 2 and b.ndim == 2):
        dn = (((a_contract,), (b_contract,)), ((), ()))
        return lax.dot_general(a, b, dn, precision, out_type)
    # Both at least 2-D: the leading axes are batch axes, broadcast against each other.
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = broadcast_to(a, batch + a.shape[-2:])
    b = broadcast_to(b, batch + b.shape[-2:])
    nb = len(batch)
    dn = (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb))))
    return lax.dot_general(a, b, dn, precision, out_type)


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """Sum products over the last ``axes`` axes of ``a`` and first of ``b``
    (or the explicit pair of axis lists)."""
    a, b = promote_dtypes(a, b)
    if isinstance(axes, (int, np.integer)):
        n = operator.index(axes)
        if n > builtins.min(a.ndim, b.ndim) or n < 0:
            raise TypeError(f"Number of tensordot axes (axes {n}) exceeds input ranks "
                            f"({a.shape} and {b.shape})")
        contract = (tuple(range(a.ndim - n, a.ndim)), tuple(range(n)))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, int) else ax_a
        ax_b = (ax_b,) if isinstance(ax_b, int) else ax_b
        contract = (tuple(lax._canonical_axis(i, a.ndim) for i in ax_a),
                    tuple(lax._canonical_axis(i, b.ndim) for i in ax_b))
    return lax.dot_general(a, b, (contract, ((), ())), precision, preferred_element_type)


def kron(a, b):
    a, b = asarray(a), asarray(b)
    nd = builtins.max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    a_ex = reshape(a, tuple(x for d in a.shape for x in (d, 1)))
    b_ex = reshape(b, tuple(x for d in b.shape for x in (1, d)))
    return reshape(a_ex * b_ex, tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(a, b):
    a, b = promote_dtypes(a, b)
    a0, a1, a2 = (a[..., i] for i in range(3))
    b0, b1, b2 = (b[..., i] for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1)


from .einsum import einsum                      # noqa: E402
from .indexing import getitem as _getitem      # noqa: E402,F401
from . import linalg                            # noqa: E402,F401
from . import array_methods as _array_methods   # noqa: E402

_array_methods.install()
