"""Elementwise functions (numpy's ufuncs): ``jnp.sin``, ``jnp.add``, ``jnp.where``, ...

Each promotes and broadcasts its operands, then calls one ``lax`` function.
"""
import functools
import operator

import numpy as np

from .. import dtypes, lax
from ..core import get_aval
from ..lax import _convert_element_type
from ..custom_derivatives import custom_jvp
from ..util import reject_unsupported
from .. import numpy as jnp  # a cycle: jnp.<name> reaches modules that import this one
from .creation import asarray, full_like, ones_like, pi, shape, zeros_like
from .promotion import (
    broadcast_arrays, broadcast_shapes, broadcast_to, _check_arraylike, _const_like,
    _prepare, promote_dtypes, promote_dtypes_inexact, promote_dtypes_numeric,
    _promote_shapes)


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
    reject_unsupported("jnp.round", out=(out, None))
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
    """Integer ``x ** y`` for integer arrays ``y``: square-and-multiply over
    the low six bits of ``y``, as JAX does (any larger power overflows for
    ``|x| > 1``; a negative ``y`` reads as its low six bits too), with
    ``0 ** y`` zero for every nonzero ``y``."""
    x, y = broadcast_arrays(x, y)
    zero, one = (_convert_element_type(c, x.dtype, True) for c in (0, 1))
    # acc is strongly typed: integer powers are not weak (as in JAX).
    acc = where(lax.bitwise_and(lax.eq(x, zero), lax.ne(y, zero)),
                lax.full(x.shape, 0, x.dtype), lax.full(x.shape, 1, x.dtype))
    base, exponent = x, y
    for _ in range(6):
        acc = lax.select(lax.ne(lax.bitwise_and(exponent, one), zero), acc * base, acc)
        base = base * base
        exponent = lax.shift_right_logical(exponent, one)
    return acc


def floor_divide(x1, x2, /):
    """Division rounding toward minus infinity.

    Integer division by zero follows XLA, as in JAX: ``lax.div`` gives -1
    (signed) or the maximum (unsigned), then the rounding fix applies."""
    x1, x2 = _prepare("floor_divide", x1, x2, promote=promote_dtypes_numeric)
    if x1.dtype.kind == "u":
        return lax.div(x1, x2)
    if dtypes.issubdtype(x1.dtype, np.integer):
        zero = _convert_element_type(0, x1.dtype, True)
        quotient = lax.div(x1, x2)
        # Signs compared with sign(), which is 0 for 0: this is what rounds
        # 7 // 0 to -2 in JAX.
        needs_fix = logical_and(lax.ne(lax.sign(x1), lax.sign(x2)),
                                lax.ne(lax.rem(x1, x2), zero))
        return lax.select(needs_fix, lax.sub(quotient, _convert_element_type(1, x1.dtype, True)),
                          quotient)
    return _float_divmod(x1, x2)[0]


def _nonzero_divisor(x2):
    """An integer divisor with its zeros replaced by ones: JAX's remainder of
    an integer by zero is 0 (XLA's ``rem`` would return the dividend)."""
    if not dtypes.issubdtype(x2.dtype, np.integer):
        return x2
    return where(lax.eq(x2, _convert_element_type(0, x2.dtype, True)),
                 _convert_element_type(1, x2.dtype, get_aval(x2).weak_type), x2)


def remainder(x1, x2, /):
    """The remainder with the sign of the divisor (numpy's ``%``); 0 for an
    integer divided by zero (as in JAX)."""
    x1, x2 = _prepare("remainder", x1, x2, promote=promote_dtypes_numeric)
    x2 = _nonzero_divisor(x2)
    zero = _convert_element_type(0, x1.dtype, True)
    trunc_mod = lax.rem(x1, x2)
    fix = logical_and(lax.ne(lax.lt(trunc_mod, zero), lax.lt(x2, zero)),
                      lax.ne(trunc_mod, zero))
    return lax.select(fix, lax.add(trunc_mod, x2), trunc_mod)


mod = remainder


def fmod(x1, x2, /):
    """The remainder with the sign of the dividend (C's ``fmod``); 0 for an
    integer divided by zero (as in JAX)."""
    booleans = dtypes.result_type(x1, x2) == np.bool_   # JAX leaves these to XLA's rem
    x1, x2 = _prepare("fmod", x1, x2, promote=promote_dtypes_numeric)
    return lax.rem(x1, x2 if booleans else _nonzero_divisor(x2))


def divmod(x1, x2, /):
    """``(x1 // x2, x1 % x2)``."""
    return floor_divide(x1, x2), remainder(x1, x2)


def _float_divmod(x1, x2):
    """Python's float divmod: remainder has the sign of the divisor."""
    zero = _convert_element_type(0, x1.dtype, True)
    mod_ = lax.rem(x1, x2)
    # Dividing by zero: x1 / 0 is +-inf or nan, as in JAX (x1 - mod would be nan).
    dividend = where(lax.eq(x2, zero), x1, lax.sub(x1, mod_))
    div = lax.div(dividend, x2)
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


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """``x`` where ``condition`` holds, else ``y`` (numpy broadcasting). With the
    condition alone: ``nonzero(condition, size=size, fill_value=fill_value)``."""
    if x is None and y is None:
        return jnp.nonzero(condition, size=size, fill_value=fill_value)
    if size is not None or fill_value is not None:
        raise ValueError("size and fill_value arguments cannot be used in three-term where "
                         "function.")
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
    """``choicelist[i]`` where ``condlist[i]`` is the first true condition, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist "
                         f"({len(choicelist)}), but got {len(condlist)}")
    if len(condlist) == 0:
        raise ValueError("condlist must be non-empty")
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(cond, choice, out)
    return out


def piecewise(x, condlist, funclist, *args, **kw):
    """``funclist[i](x, *args, **kw)`` where ``condlist[i]`` holds (the last true
    condition wins); an extra last entry of ``funclist`` covers the rest (default
    0). Entries may be constants. Every function is evaluated on all of ``x``."""
    _check_arraylike("piecewise", x)
    x = asarray(x)
    nc, nf = len(condlist), len(funclist)
    if nf == nc + 1:
        funclist = funclist[-1:] + funclist[:-1]
    elif nf == nc:
        funclist = [0] + list(funclist)
    else:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are "
                         f"expected; got {nf}")

    def piece(f):
        value = f(x, *args, **kw) if callable(f) else f
        return broadcast_to(asarray(value).astype(x.dtype), x.shape)
    out = piece(funclist[0])
    for cond, f in zip(condlist, funclist[1:]):
        out = where(asarray(cond, bool), piece(f), out)
    return out


def clip(arr=None, /, min=None, max=None):
    """Limit values to ``[min, max]`` (either bound may be None)."""
    _check_arraylike("clip", arr)
    if min is not None:
        arr = maximum(min, arr)
    if max is not None:
        arr = minimum(max, arr)
    return asarray(arr)


def heaviside(x1, x2, /):
    x1, x2 = _prepare("heaviside", x1, x2, promote=promote_dtypes_inexact)
    zero, one = _const_like(x1, 0), _const_like(x1, 1)
    # nan is neither below nor above 0: it passes through (as in numpy and JAX).
    return where(lax.lt(x1, zero), zero,
                 where(lax.gt(x1, zero), one, where(lax.ne(x1, x1), x1, x2)))


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
    return jnp.all(isclose(a, b, rtol, atol, equal_nan))


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
    return jnp.all(eq)
