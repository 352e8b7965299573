"""XLA's CPU kernels for float32 exp, log, log1p and tanh, replayed in numpy.

For most functions XLA's CPU backend and numpy agree to the last bit, or
nearly. ``exp``, ``log``, ``log1p`` and ``tanh`` are different: XLA does not
call the C library for them but emits its own short approximations
(Cephes-style polynomials and rational functions), and the compiler fuses each
multiply-add into one rounding. Those results can sit an ulp or more away from
the correctly rounded answer numpy gives, so ``f(x)`` and ``jit(f)(x)`` would
print different digits. Repeating XLA's arithmetic here, rounding where it
rounds, makes eager minijax agree with jit, and with JAX on CPU, bit for bit
(``tests/test_numerics.py`` checks this on millions of inputs).

A fused multiply-add rounds once. numpy has no float32 fma, but float64 holds
the exact product of two float32 numbers, so ``a * b + c`` computed in float64
and rounded to float32 is the fused result (a second rounding could only
matter in ties that do not occur in these polynomials; the tests would see).

Other dtypes keep numpy's kernels.
"""
import numpy as np

f32, f64 = np.float32, np.float64


def fma32(a, b, c):
    """float32 fused multiply-add: a * b + c with a single rounding."""
    return (np.asarray(a, f64) * b + c).astype(f32)


def horner32(x, coefficients):
    """Evaluate a polynomial (coefficients highest degree first) at float32
    ``x`` by fused multiply-adds: ``fma32`` at each step, done in place."""
    x = x.astype(f64)
    acc = x * coefficients[0]                 # exact: float32 times float32
    rounded = np.empty(x.shape, f32)
    for step, c in enumerate(coefficients[1:]):
        if step:
            np.multiply(rounded, x, out=acc)
        acc += c
        np.copyto(rounded, acc, casting="same_kind")   # the one rounding
    return rounded


def flush_denormals(x):
    """XLA's CPU kernels run with denormals flushed to zero, keeping the sign;
    so do we (in place)."""
    x[np.abs(x) < np.finfo(f32).tiny] *= 0
    return x


# ---------------------------------------------------------------------------
# exp(x) = 2**n * exp(r), n = round(x / log 2), r = x - n log 2, exp(r) from a
# degree-7 polynomial that is accurate on |r| <= log(2) / 2.

_LOG2_E = f32(1.44269504088896341)
_LN2_HI, _LN2_LO = f32(0.693359375), f32(-2.12194440e-4)   # ln 2 = hi + lo
_EXP_POLY = [f32(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
                              4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)]


def exp32(x):
    """XLA's float32 exp."""
    x = np.clip(x, f32(-87.8), f32(88.8))                  # past these: 0 or inf
    n = np.clip(np.floor(fma32(x, _LOG2_E, f32(0.5))), f32(-127), f32(127))
    r = fma32(-_LN2_LO, n, fma32(-_LN2_HI, n, x))          # x - n ln 2, in two parts
    p = fma32(horner32(r, _EXP_POLY), r * r, r)            # exp(r) - 1
    with np.errstate(over="ignore", invalid="ignore"):     # nan and inf pass through
        scale = ((n.astype(np.int32) + 127) << 23).view(f32)   # 2**n, built in the exponent bits
        return flush_denormals((f32(1) + p) * scale)


def cosh32(x):
    """XLA's float32 cosh: exp(x + log 1/2) + exp(-x + log 1/2), halved before
    exponentiating, so cosh does not overflow before its result does."""
    log_half = f32(np.log(0.5))
    return exp32(x + log_half) + exp32(-x + log_half)


# ---------------------------------------------------------------------------
# tanh(x) = x * P(x**2) / Q(x**2) on a clamped range; x itself when |x| is
# tiny, and +-1 once |x| >= 20.

_TANH_CLAMP = f32(7.99881172180175781)   # where the fused rational reaches exactly 1
_TANH_P = [f32(c) for c in (-2.76076847742355e-16, 2.00018790482477e-13,
                            -8.60467152213735e-11, 5.12229709037114e-08,
                            1.48572235717979e-05, 6.37261928875436e-04,
                            4.89352455891786e-03)]
_TANH_Q = [f32(c) for c in (1.19825839466702e-06, 1.18534705686654e-04,
                            2.26843463243900e-03, 4.89352518554385e-03)]


def tanh32(x):
    """XLA's float32 tanh."""
    clamped = np.clip(x, -_TANH_CLAMP, _TANH_CLAMP)
    x2 = clamped * clamped
    result = (clamped * horner32(x2, _TANH_P)) / horner32(x2, _TANH_Q)
    magnitude = np.abs(x)
    tiny, huge = magnitude < f32(0.0004), magnitude >= f32(20)
    result[tiny] = x[tiny]
    result[huge] = np.copysign(f32(1), x[huge])
    return result


# ---------------------------------------------------------------------------
# log(x) = e log 2 + log(1 + m): split x into exponent e and mantissa, with the
# mantissa moved into [sqrt(1/2) - 1, sqrt(2) - 1), where a degree-9
# polynomial is accurate; log 2 again in two parts.

_SQRT_HALF = f32(0.707106781186547524)
_LOG_POLY_HIGH = [f32(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1)]
_LOG_POLY_MID = [f32(c) for c in (-1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1)]
_LOG_POLY_LOW = [f32(c) for c in (2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]


def log32(x):
    """XLA's float32 log."""
    normal = np.maximum(x, np.finfo(f32).tiny)           # denormals count as zero below
    bits = normal.view(np.int32)
    e = ((bits >> 23) - 126).astype(f32)                 # x = 2**e * m, m in [1/2, 1)
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(f32)
    below = m < _SQRT_HALF                               # then use 2m in [sqrt(1/2), 1)
    e -= below
    m = (m - f32(1)) + np.where(below, m, f32(0))
    m2 = m * m
    m3 = m2 * m
    # The polynomial in three interleaved pieces, joined by powers m**3.
    y = fma32(horner32(m, _LOG_POLY_HIGH), m3, horner32(m, _LOG_POLY_MID))
    y = fma32(y, m3, horner32(m, _LOG_POLY_LOW))
    y = fma32(y, m3, _LN2_LO * e)                        # + e log 2, the small part first
    result = ((m - f32(0.5) * m2) + y) + _LN2_HI * e     # ... and the large part last
    tiny = np.finfo(f32).tiny
    result[np.abs(x) < tiny] = -np.inf                   # zeros, and denormals flushed to zero
    result[(x <= -tiny) | np.isnan(x)] = np.nan
    result[x == np.inf] = np.inf
    return result


# log1p(x) = log(1 + x) when |x| is large enough for 1 + x to keep x's
# digits; below sqrt(2) - 1, x - x**2/2 + x**3 * P(x)/Q(x).

_LOG1P_SMALL = f32(0.41421356237309504880)
_LOG1P_P = [f32(c) for c in (4.5270000862445199635215e-5, 4.9854102823193375972212e-1,
                             6.5787325942061044846969e0, 2.9911919328553073277375e1,
                             6.0949667980987787057556e1, 5.7112963590585538103336e1,
                             2.0039553499201281259648e1)]
_LOG1P_Q = [f32(c) for c in (1.0, 1.5062909083469192043167e1, 8.3047565967967209469434e1,
                             2.2176239823732856465394e2, 3.0909872225312059774938e2,
                             2.1642788614495947685003e2, 6.0118660497603843919306e1)]


def log1p32(x):
    """XLA's float32 log1p."""
    x2 = x * x
    ratio = horner32(x, _LOG1P_P) / horner32(x, _LOG1P_Q)
    small = x + fma32(f32(-0.5), x2, (x * x2) * ratio)
    return flush_denormals(np.where(np.abs(x) < _LOG1P_SMALL, small, log32(x + f32(1))))


# ---------------------------------------------------------------------------
# Dispatch by dtype. XLA computes exp, tanh and cosh of float16 in float32 and
# rounds back once, but logistic's arithmetic around exp at float16 precision
# (numpy does the same when handed float16). The tests pin down both.

_XLA_FLOATS = (np.dtype(f32), np.dtype(np.float16))
_BLOCK = 32768   # elements: each temporary array stays a few hundred kilobytes


def in_blocks(kernel, x):
    """``kernel`` applied to the elements of ``x`` a block at a time, as 1-d
    arrays (so the in-place steps never meet a numpy scalar). The kernels make
    a dozen temporaries; kept small, they are reused from cache instead of
    being fresh memory the system must hand over page by page."""
    flat = x.reshape(-1)
    if flat.size <= _BLOCK:
        return kernel(flat).reshape(x.shape)
    out = np.empty_like(flat)
    for start in range(0, flat.size, _BLOCK):
        out[start:start + _BLOCK] = kernel(flat[start:start + _BLOCK])
    return out.reshape(x.shape)


def on_float32(kernel, fallback):
    """An impl running the float32 ``kernel`` on float32 and float16 operands
    and ``fallback`` on every other dtype."""
    def impl(x):
        if x.dtype not in _XLA_FLOATS:
            return fallback(x)
        return in_blocks(kernel, x.astype(f32, copy=False)).astype(x.dtype, copy=False)
    impl.__name__ = kernel.__name__
    return impl


def on_xla_floats(formula, fallback):
    """An impl running ``formula`` (numpy arithmetic at the operand's own
    precision) on float32 and float16, and ``fallback`` on other dtypes."""
    def impl(x):
        return in_blocks(formula, x) if x.dtype in _XLA_FLOATS else fallback(x)
    impl.__name__ = formula.__name__
    return impl


_exp = on_float32(exp32, np.exp)


def logistic(x):
    """1 / (1 + exp(-x)), XLA's expansion of the logistic function."""
    one = x.dtype.type(1)
    return flush_denormals(one / (one + _exp(-x)))
