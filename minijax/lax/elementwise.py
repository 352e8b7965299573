"""Elementwise primitives: arithmetic, math functions, comparisons, selection.

Each primitive is declared once here with its numpy implementation and its
abstract-evaluation rule. Like JAX's ``lax``, these are strict: operands must
have equal dtypes (``jnp`` does the promotion), and shapes must be equal up to
rank-0 operands and size-1 axes.

Derivatives, batching and lowering rules live with their transformations
(``forward_mode.py``, ``batching.py``, ``lowering.py``); this module only says what each
operation computes.
"""
import numpy as np
import scipy.special

from .. import dtypes
from . import xla_math
from ..core import Primitive, ShapedArray

# Which dtype kinds each family accepts (numpy kind letters).
FLOAT, COMPLEX, INT, UINT, BOOL = "f", "c", "i", "u", "b"
INEXACT = FLOAT + COMPLEX
NUMBER = INEXACT + INT + UINT
ANY = NUMBER + BOOL
INTEGRAL = INT + UINT + BOOL

_KIND_NAMES = {FLOAT: "floating", COMPLEX: "complexfloating", INT: "signedinteger",
               UINT: "unsignedinteger", BOOL: "bool"}

unary_ops, binary_ops = {}, {}   # name -> Primitive, for the generic rules elsewhere


def _check_kind(name, aval, kinds):
    kind = FLOAT if aval.dtype == dtypes.bfloat16 else aval.dtype.kind   # bfloat16's is "V"
    if kind not in kinds:
        accepted = ", ".join(_KIND_NAMES[k] for k in kinds)
        raise TypeError(f"{name} does not accept dtype {aval.dtype.name}. "
                        f"Accepted dtypes are subtypes of {accepted}.")


def _errstate(fn):
    """Run a numpy function with warnings silenced: XLA does not warn either."""
    def impl(*args, **params):
        with np.errstate(all="ignore"):
            return fn(*args, **params)
    impl.__name__ = getattr(fn, "__name__", "impl")
    impl.__wrapped__ = fn
    return impl


# ---------------------------------------------------------------------------
# Unary operations


def _unary(name, impl, kinds, result_dtype=None):
    """Declare ``name(x)``: same shape; dtype unchanged unless ``result_dtype``
    (a function of the input dtype) says otherwise."""
    prim = Primitive(name)
    prim.def_impl(_errstate(impl))

    @prim.def_abstract_eval
    def abstract_eval(x, **params):
        _check_kind(name, x, kinds)
        if result_dtype is None:
            return x
        return ShapedArray(x.shape, result_dtype(x.dtype), x.weak_type)

    unary_ops[name] = prim
    return prim


def _via_float64(fn):
    """Evaluate in double precision and round back. For these functions numpy's
    single-precision kernels are off by an ulp more often than XLA's, so the
    rounded double result agrees with JAX more often (measured in
    tests/test_numerics.py); float32 callers still get float32 back."""
    wider = {np.dtype(np.float32): np.float64, np.dtype(np.float16): np.float64,
             np.dtype(np.complex64): np.complex128}

    def impl(x):
        wide = wider.get(x.dtype)
        return fn(x) if wide is None else fn(x.astype(wide)).astype(x.dtype)
    impl.__name__ = fn.__name__
    return impl


def _real_dtype(dt):
    return np.finfo(dt).dtype if dt.kind == "c" else dt


neg_p = _unary("neg", np.negative, NUMBER)
def _sign_impl(x):
    # numpy's sign(-0.0) is +0.0; XLA keeps the zero's sign (and nan stays nan).
    return np.where(x == 0, x, np.sign(x)) if x.dtype.kind == "f" else np.sign(x)


sign_p = _unary("sign", _sign_impl, NUMBER)
floor_p = _unary("floor", np.floor, FLOAT)
ceil_p = _unary("ceil", np.ceil, FLOAT)
is_finite_p = _unary("is_finite", np.isfinite, FLOAT, lambda dt: dtypes.bool_)
# exp, log, log1p, cosh, tanh and logistic get XLA's float32 arithmetic in a
# separate layer below ("Bit parity with XLA").
exp_p = _unary("exp", _via_float64(np.exp), INEXACT)
exp2_p = _unary("exp2", np.exp2, INEXACT)
log_p = _unary("log", _via_float64(np.log), INEXACT)
log1p_p = _unary("log1p", np.log1p, INEXACT)
expm1_p = _unary("expm1", np.expm1, INEXACT)
sin_p = _unary("sin", _via_float64(np.sin), INEXACT)
cos_p = _unary("cos", _via_float64(np.cos), INEXACT)
tan_p = _unary("tan", np.tan, INEXACT)
asin_p = _unary("asin", np.arcsin, INEXACT)
acos_p = _unary("acos", np.arccos, INEXACT)
atan_p = _unary("atan", np.arctan, INEXACT)
sinh_p = _unary("sinh", np.sinh, INEXACT)
cosh_p = _unary("cosh", _via_float64(np.cosh), INEXACT)
tanh_p = _unary("tanh", np.tanh, INEXACT)
asinh_p = _unary("asinh", np.arcsinh, INEXACT)
acosh_p = _unary("acosh", np.arccosh, INEXACT)
atanh_p = _unary("atanh", np.arctanh, INEXACT)


def _logistic_impl(x):
    if x.dtype.kind == "c":   # scipy's expit is real-only
        return 1 / (1 + np.exp(-x))
    return scipy.special.expit(x)


logistic_p = _unary("logistic", _logistic_impl, INEXACT)
sqrt_p = _unary("sqrt", np.sqrt, INEXACT)
rsqrt_p = _unary("rsqrt", _via_float64(lambda x: 1 / np.sqrt(x)), INEXACT)
cbrt_p = _unary("cbrt", np.cbrt, FLOAT)
erf_p = _unary("erf", scipy.special.erf, FLOAT)
erfc_p = _unary("erfc", scipy.special.erfc, FLOAT)
erf_inv_p = _unary("erf_inv", lambda x: np.copysign(scipy.special.erfinv(x), x), FLOAT)


def _lgamma_impl(x):
    # XLA's lgamma(-inf) is +inf (|Gamma| blows up); scipy says -inf.
    return np.where(x == -np.inf, np.inf, scipy.special.gammaln(x)).astype(x.dtype)


def _digamma_impl(x):
    # XLA gives nan at every non-positive integer, 0 included; scipy gives -inf at 0.
    return np.where(x == 0, np.nan, scipy.special.digamma(x)).astype(x.dtype)


lgamma_p = _unary("lgamma", _lgamma_impl, FLOAT)
digamma_p = _unary("digamma", _digamma_impl, FLOAT)
not_p = _unary("not", np.invert, INTEGRAL)
# Unlike JAX's, minijax's abs also takes unsigned integers (it is the identity
# on them; jit lowers it so too).
abs_p = _unary("abs", np.abs, NUMBER, _real_dtype)
real_p = _unary("real", np.real, COMPLEX, _real_dtype)
imag_p = _unary("imag", np.imag, COMPLEX, _real_dtype)
stop_gradient_p = _unary("stop_gradient", lambda x: x, ANY)


def _round_impl(x, rounding_method):
    if rounding_method == 1:            # half to even: numpy's rule
        return np.round(x)
    whole = np.trunc(x)                 # half away from zero; x - trunc(x) is exact
    rounded = whole + np.where(np.abs(x - whole) >= 0.5, np.sign(x), 0).astype(x.dtype)
    return np.copysign(rounded, x)      # keep the sign of zero: round(-0.3) is -0.0


round_p = _unary("round", _round_impl, FLOAT)


def _integer_pow_impl(x, y):
    """x ** y by repeated squaring, exactly the multiplications XLA performs."""
    if y == 0:
        return np.ones_like(x)
    base, n, acc = x, abs(y), None
    while n:
        if n & 1:
            acc = base if acc is None else acc * base
        n >>= 1
        if n:
            base = base * base
    return np.reciprocal(acc) if y < 0 else acc


integer_pow_p = _unary("integer_pow", _integer_pow_impl, NUMBER)
_integer_pow_kind_check = integer_pow_p.abstract_eval


@integer_pow_p.def_abstract_eval
def _integer_pow_abstract_eval(x, y):
    if y < 0 and x.dtype.kind in INTEGRAL:
        raise TypeError(f"Integers cannot be raised to negative powers, got "
                        f"integer_pow({x.str_short()}, {y})")
    return _integer_pow_kind_check(x, y=y)


def _conj_impl(x, input_dtype):
    return np.conj(x).astype(_complex_dtype(x.dtype))


def _complex_dtype(dt):
    if dt.kind == "c":
        return dt
    return dtypes.complex128 if dt == dtypes.float64 else dtypes.complex64


conj_p = _unary("conj", _conj_impl, INEXACT, _complex_dtype)
_conj_kind_check = conj_p.abstract_eval


def _check_complex_part(name, aval):
    """``complex``'s parts and ``conj``'s real inputs: float32 or float64 only
    (there is no complex type with float16 parts)."""
    if aval.dtype.kind == "f" and aval.dtype not in (dtypes.float32, dtypes.float64):
        raise TypeError(f"{name} does not accept dtype {aval.dtype.name}. Accepted dtypes "
                        "are subtypes of float32, float64, complexfloating.")


@conj_p.def_abstract_eval
def _conj_abstract_eval(x, input_dtype):
    _check_complex_part("conj", x)
    return _conj_kind_check(x, input_dtype=input_dtype)

# ---------------------------------------------------------------------------
# Bit parity with XLA: a layer over the declarations above. On float32 (and
# float16) operands these primitives replay XLA's own kernels (xla_math.py),
# so eager results equal jit's bit for bit; other dtypes keep numpy's.

for _prim, _kernel in ((exp_p, xla_math.exp32), (log_p, xla_math.log32),
                       (log1p_p, xla_math.log1p32), (cosh_p, xla_math.cosh32),
                       (tanh_p, xla_math.tanh32)):
    _prim.def_impl(_errstate(xla_math.on_float32(_kernel, _prim.impl.__wrapped__)))
logistic_p.def_impl(_errstate(xla_math.on_xla_floats(xla_math.logistic,
                                                     logistic_p.impl.__wrapped__)))

# ---------------------------------------------------------------------------
# Binary operations


def broadcast_shapes_lax(name, *shapes):
    """The shape of a lax n-ary operation: rank-0 operands broadcast, otherwise
    equal ranks with each axis equal or 1 (JAX's rule)."""
    ranked = [s for s in shapes if len(s)]
    if not ranked:
        return ()
    if len({len(s) for s in ranked}) != 1:
        raise TypeError(f"{name}: arrays must have the same number of dimensions, got "
                        f"{{{', '.join(str(len(s)) for s in ranked)}}}")
    out = []
    for sizes in zip(*ranked):
        big = {d for d in sizes if d != 1}
        if len(big) > 1:
            raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                            f"{', '.join(map(str, shapes))}.")
        out.append(big.pop() if big else 1)
    return tuple(out)


def _check_same_dtypes(name, avals):
    if len({a.dtype for a in avals}) > 1:
        got = ", ".join(a.dtype.name for a in avals)
        raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got {got}. "
                        f"(Tip: jnp.{_JNP_NAMES.get(name, name)} is a similar function that does "
                        "automatic type promotion on inputs).")


_JNP_NAMES = {"mul": "multiply", "sub": "subtract", "div": "divide", "max": "maximum",
              "min": "minimum", "pow": "power", "rem": "remainder", "and": "bitwise_and",
              "or": "bitwise_or", "xor": "bitwise_xor", "atan2": "arctan2", "eq": "equal",
              "ne": "not_equal", "lt": "less", "le": "less_equal", "gt": "greater",
              "ge": "greater_equal"}


def _binary(name, impl, kinds, result_dtype=None):
    """Declare ``name(x, y)`` with JAX's dtype and broadcasting checks."""
    prim = Primitive(name)
    prim.def_impl(_errstate(impl))

    @prim.def_abstract_eval
    def abstract_eval(x, y):
        _check_kind(name, x, kinds)
        _check_kind(name, y, kinds)
        _check_same_dtypes(name, (x, y))
        shape = x.shape if x.shape == y.shape else broadcast_shapes_lax(name, x.shape, y.shape)
        dtype = x.dtype if result_dtype is None else result_dtype(x.dtype)
        # Weak only if both operands are, whatever the result type: ``complex``
        # of two weak floats is weak, and so is ``2 < 3`` (a weak bool, as in JAX).
        return ShapedArray(shape, dtype, x.weak_type and y.weak_type)

    binary_ops[name] = prim
    return prim


def _div(x, y):
    """Division as XLA computes it.

    Integers round toward zero (C, XLA), not toward -inf (numpy), and dividing
    by zero gives -1 (all bits set). Real floats divided by a *broadcast*
    divisor (a scalar, or an array with size-1 axes) are multiplied by its
    reciprocal: XLA's simplifier makes that rewrite to divide once per divisor
    element instead of once per result element, and JAX's results carry its
    rounding (``x / 3`` is ``x * (1/3)``), so ours do too."""
    if x.dtype.kind in "iu":
        q = np.floor_divide(x, y)
        fix = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
        q = np.where(fix, q + 1, q).astype(q.dtype)
        return np.where(y == 0, np.array(-1).astype(x.dtype), q)
    if (x.dtype.kind == "f" and y.shape != x.shape
            and y.shape != np.broadcast_shapes(x.shape, y.shape)):
        return x * np.reciprocal(y)
    return np.true_divide(x, y)


def _rem(x, y):
    """C's fmod: the sign of the dividend. For integers, ``x % 0`` is ``x`` (XLA)."""
    r = np.fmod(x, y)
    return np.where(y == 0, x, r) if x.dtype.kind in "iu" else r


def _bool_result(dt):
    return dtypes.bool_


add_p = _binary("add", np.add, NUMBER)
sub_p = _binary("sub", np.subtract, NUMBER)
mul_p = _binary("mul", np.multiply, NUMBER)
div_p = _binary("div", _div, NUMBER)
rem_p = _binary("rem", _rem, FLOAT + INT + UINT)   # sign of the dividend, like C's fmod
pow_p = _binary("pow", np.power, INEXACT)


def _signed_zero_extremum(extremum, pick_negative_zero):
    """numpy's ``extremum`` with -0 below +0, as XLA orders them (numpy may
    return either zero): max(-0, +0) is +0 and min(-0, +0) is -0."""
    def impl(x, y):
        out = extremum(x, y)
        # Only a zero result can be the wrong zero: most calls stop here.
        if out.dtype.kind != "f" or not (out == 0).any():
            return out
        x, y = np.broadcast_arrays(x, y)
        zero_x = np.where(np.signbit(x) == pick_negative_zero, x, y)
        return np.where((x == 0) & (y == 0), zero_x, out)
    return impl


max_p = _binary("max", _signed_zero_extremum(np.maximum, False), ANY)
min_p = _binary("min", _signed_zero_extremum(np.minimum, True), ANY)


def _atan2_impl(x, y):
    if x.dtype.kind == "c":   # numpy's arctan2 is real-only: -i log((y + i x) / sqrt(x^2 + y^2))
        wx, wy = x.astype(np.complex128), y.astype(np.complex128)
        return (-1j * np.log((wy + 1j * wx) / np.sqrt(wx * wx + wy * wy))).astype(x.dtype)
    return np.arctan2(x, y)


atan2_p = _binary("atan2", _atan2_impl, INEXACT)
nextafter_p = _binary("nextafter", np.nextafter, FLOAT)
def _polygamma_impl(m, x):
    """polygamma(m, x), the m-th derivative of digamma, with XLA's conventions
    where scipy's differ: nan for a non-integer order or x = +inf, and at the
    poles (x = 0, -1, -2, ..., -inf) +inf for odd m, nan for even m."""
    out = scipy.special.polygamma(m, x)
    pole = (x <= 0) & (np.floor(x) == x)
    out = np.where(pole, np.where(np.fmod(m, 2) == 1, np.inf, np.nan), out)
    return np.where((np.floor(m) != m) | (x == np.inf), np.nan, out).astype(x.dtype)


polygamma_p = _binary("polygamma", _polygamma_impl, FLOAT)
and_p = _binary("and", np.bitwise_and, INTEGRAL)
or_p = _binary("or", np.bitwise_or, INTEGRAL)
xor_p = _binary("xor", np.bitwise_xor, INTEGRAL)
eq_p = _binary("eq", np.equal, ANY, _bool_result)
ne_p = _binary("ne", np.not_equal, ANY, _bool_result)
ORDERED = FLOAT + INT + UINT + BOOL   # complex numbers are not ordered
lt_p = _binary("lt", np.less, ORDERED, _bool_result)
le_p = _binary("le", np.less_equal, ORDERED, _bool_result)
gt_p = _binary("gt", np.greater, ORDERED, _bool_result)
ge_p = _binary("ge", np.greater_equal, ORDERED, _bool_result)
complex_p = _binary("complex", lambda x, y: x + 1j * y, FLOAT,
                    lambda dt: _complex_dtype(dt))

# The sum of two tangents or cotangents. It is ``add`` under another name so
# that jaxprs show where autodiff accumulates (fan-out in the primal program).
add_any_p = _binary("add_any", np.add, NUMBER)


def _complex_impl(x, y):
    out = np.empty(np.broadcast_shapes(x.shape, y.shape), _complex_dtype(x.dtype))
    out.real, out.imag = x, y
    return out


complex_p.def_impl(_complex_impl)   # exact even for inf/nan parts
_complex_kind_check = complex_p.abstract_eval


@complex_p.def_abstract_eval
def _complex_abstract_eval(x, y):
    _check_complex_part("complex", x)
    return _complex_kind_check(x, y)

# ---------------------------------------------------------------------------
# Selection and conversion

select_n_p = Primitive("select_n")


@select_n_p.def_impl
def _select_n_impl(which, *cases):
    if len(cases) == 1:
        return np.broadcast_to(cases[0], np.broadcast_shapes(which.shape, cases[0].shape))
    if which.dtype == np.bool_:
        return np.where(which, cases[1], cases[0])
    return np.choose(which.astype(np.intp), np.broadcast_arrays(*cases))


@select_n_p.def_abstract_eval
def _select_n_abstract_eval(which, *cases):
    if not cases:
        raise TypeError("select_n must have at least one case")
    if which.dtype != np.bool_ and which.dtype.kind not in "iu":
        raise TypeError(f"select_n `which` must be boolean or integer type, got {which.dtype}.")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise TypeError("select_n with a boolean `which` cannot have more than 2 cases.")
    if len({c.shape for c in cases}) != 1:
        raise TypeError(f"select_n cases must have the same shapes, got "
                        f"{[c.shape for c in cases]}.")
    _check_same_dtypes("select_n", cases)
    if which.shape and which.shape != cases[0].shape:
        raise TypeError(f"select_n `which` must be scalar or have the same shape as cases, "
                        f"got `which` shape {which.shape} but case shape {cases[0].shape}.")
    return ShapedArray(cases[0].shape, cases[0].dtype, all(c.weak_type for c in cases))


clamp_p = Primitive("clamp")
clamp_p.def_impl(lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi))


@clamp_p.def_abstract_eval
def _clamp_abstract_eval(lo, x, hi):
    _check_same_dtypes("clamp", (lo, x, hi))
    for bound, which in ((lo, "min"), (hi, "max")):
        if bound.shape and bound.shape != x.shape:
            raise TypeError(f"clamp requires {which} to be a scalar or have the operand's "
                            f"shape {x.shape}, got {bound.shape}.")
    return x


convert_element_type_p = Primitive("convert_element_type")


@convert_element_type_p.def_impl
def _convert_element_type_impl(x, new_dtype, weak_type):
    new_dtype = np.dtype(new_dtype)
    with np.errstate(all="ignore"):
        if x.dtype.kind == "c" and new_dtype.kind != "c":
            x = np.real(x)               # complex -> real keeps the real part
        if new_dtype.kind in "iu" and x.dtype.kind == "f":
            return _saturating_float_to_int(x, new_dtype)
        return x.astype(new_dtype)


def _saturating_float_to_int(x, new_dtype):
    """XLA's float -> int conversion: truncate, saturate at the type's limits,
    and send nan to 0 (numpy's cast would wrap around instead)."""
    info = np.iinfo(new_dtype)
    out = np.where(np.isnan(x), 0, x).astype(new_dtype)
    out = np.where(x >= info.max, info.max, out)
    return np.where(x <= info.min, info.min, out).astype(new_dtype)


@convert_element_type_p.def_abstract_eval
def _convert_element_type_abstract_eval(x, new_dtype, weak_type):
    return ShapedArray(x.shape, new_dtype, weak_type)

# ---------------------------------------------------------------------------
# Bit manipulation: shifts and reinterpreting bits (the PRNG is built of these)


def _shift_amount(x, y):
    """The shift as an unsigned count, and where it is out of range. XLA
    defines shifts by the bit width or more (or by a negative amount) instead
    of leaving them undefined as C does: everything is shifted out."""
    bits = x.dtype.itemsize * 8
    count = y.astype(np.dtype(f"uint{bits}"))
    too_far = count >= bits
    return np.where(too_far, 0, count).astype(x.dtype), too_far


def _shift_left_impl(x, y):
    count, too_far = _shift_amount(x, y)
    return np.where(too_far, 0, np.left_shift(x, count)).astype(x.dtype)


def _shift_right_logical_impl(x, y):
    unsigned = np.dtype(f"uint{x.dtype.itemsize * 8}")
    count, too_far = _shift_amount(x, y)
    shifted = np.right_shift(x.view(unsigned), count.view(unsigned))
    return np.where(too_far, 0, shifted).astype(unsigned).view(x.dtype)


def _shift_right_arithmetic_impl(x, y):
    count, too_far = _shift_amount(x, y)
    signed = np.dtype(f"int{x.dtype.itemsize * 8}")
    sign_fill = np.right_shift(x.view(signed), signed.itemsize * 8 - 1)   # 0 or -1
    shifted = np.where(too_far, sign_fill, np.right_shift(x.view(signed), count.view(signed)))
    return shifted.astype(signed).view(x.dtype)


shift_left_p = _binary("shift_left", _shift_left_impl, INT + UINT)
shift_right_logical_p = _binary("shift_right_logical", _shift_right_logical_impl, INT + UINT)
shift_right_arithmetic_p = _binary("shift_right_arithmetic", _shift_right_arithmetic_impl,
                                   INT + UINT)

# Reinterpret the bits of each element as another type of the same width
# (``float32`` <-> ``uint32``). JAX also allows changing the width, which
# adds or removes a trailing axis; we don't need that.
bitcast_convert_type_p = Primitive("bitcast_convert_type")
bitcast_convert_type_p.def_impl(lambda x, new_dtype: x.view(np.dtype(new_dtype)))


@bitcast_convert_type_p.def_abstract_eval
def _bitcast_convert_type_abstract_eval(x, new_dtype):
    new_dtype = np.dtype(new_dtype)
    if new_dtype.itemsize != x.dtype.itemsize:
        raise NotImplementedError(
            f"bitcast_convert_type from {x.dtype.name} to {new_dtype.name}: minijax only "
            "reinterprets bits between types of the same width.")
    if np.dtype(bool) in (new_dtype, x.dtype):
        raise TypeError("`bitcast_convert_type` for operand type (bool) cannot have "
                        "different destination type")
    return ShapedArray(x.shape, new_dtype)


def _population_count_impl(x):
    # Count the bits of the two's-complement pattern (numpy counts |x| for signed).
    return np.bitwise_count(x.view(np.dtype(f"uint{x.dtype.itemsize * 8}"))).astype(x.dtype)


def _clz_impl(x):
    """The number of zero bits above the highest set bit (the width for 0)."""
    bits = x.dtype.itemsize * 8
    unsigned = x.view(np.dtype(f"uint{bits}"))
    count = np.zeros(x.shape, np.int64)
    for i in range(bits):   # the top i + 1 bits are all clear: one more leading zero
        count += (unsigned >> np.asarray(bits - 1 - i, unsigned.dtype)) == 0
    return count.astype(x.dtype)


population_count_p = _unary("population_count", _population_count_impl, INT + UINT)
clz_p = _unary("clz", _clz_impl, INT + UINT)

# ---------------------------------------------------------------------------
# reduce_precision: round floats to a narrower format (fewer exponent and
# mantissa bits), staying in the same dtype. XLA's recipe, on the bits:
# round the mantissa to nearest even, then flush values out of the narrow
# exponent range to infinity or zero; NaNs stay NaN.

reduce_precision_p = Primitive("reduce_precision")


@reduce_precision_p.def_impl
def _reduce_precision_impl(x, *, exponent_bits, mantissa_bits):
    info = np.finfo(x.dtype)
    width, src_mantissa = info.bits, info.nmant
    src_exponent = width - src_mantissa - 1
    uint = np.dtype(f"uint{width}")
    u = lambda v: np.asarray(v, uint)   # noqa: E731  (constants of the bits' type)
    bits = x.view(uint).copy()
    if mantissa_bits < src_mantissa:
        dropped = src_mantissa - mantissa_bits
        last_kept = u(1 << dropped)
        bias = (bits & last_kept) >> u(dropped)      # round half to even
        bias = bias + u((1 << (dropped - 1)) - 1)
        bits = (bits + bias) & ~(last_kept - u(1))
    if exponent_bits < src_exponent:
        sign = bits & u(1 << (width - 1))
        exponent_mask = u(((1 << src_exponent) - 1) << src_mantissa)
        src_bias = (1 << (src_exponent - 1)) - 1
        new_bias = (1 << (exponent_bits - 1)) - 1
        exponent = bits & exponent_mask
        overflow = exponent > u((src_bias + new_bias) << src_mantissa)
        underflow = exponent <= u((src_bias - new_bias) << src_mantissa)
        bits = np.where(overflow, sign | exponent_mask, np.where(underflow, sign, bits))
    out = np.asarray(bits, uint).view(x.dtype)
    return np.where(np.isnan(x), x, out) if mantissa_bits < src_mantissa else out


@reduce_precision_p.def_abstract_eval
def _reduce_precision_abstract_eval(x, *, exponent_bits, mantissa_bits):
    _check_kind("reduce_precision", x, FLOAT)
    if exponent_bits < 1:
        raise ValueError(f"reduce_precision: exponent_bits must be positive; got "
                         f"{exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError(f"reduce_precision: mantissa_bits must be non-negative; got "
                         f"{mantissa_bits}")
    return x
