"""``minijax.scipy.special``: special functions, on top of ``minijax.lax`` and
``minijax.numpy``.

Functions that JAX gives a primitive of their own (``lgamma``, ``erf``,
``digamma``, ...) use minijax's primitive; the others (``zeta``, ``i0e``,
``i1e``, ``ndtri``, ...) are series and rational approximations written in
``jnp``, so every transformation, ``jit`` included, sees through them. Where
JAX attaches a custom derivative rule (``xlogy`` at 0, ``logit``,
``log_ndtr``, ``i0e``/``i1e``), so do we.
"""
import functools
import math
from fractions import Fraction

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..custom_derivatives import custom_jvp
from ..numpy.promotion import _check_arraylike, promote_dtypes_inexact
from ..nn import normalization
from ..nn.normalization import logsumexp  # noqa: F401  (one function in JAX too)


def _inexact(name, *args):
    """``args`` promoted to one floating dtype (TypeError naming ``name`` for
    non-arrays), as JAX's ``promote_args_inexact``."""
    _check_arraylike(name, *args)
    args = promote_dtypes_inexact(*args)
    return args[0] if len(args) == 1 else args


def _real(name, x):
    if dtypes.is_complex(x.dtype):
        raise ValueError(f"{name} does not support complex-valued inputs.")
    return x


def _float32_or_64(name, x):
    """``x`` as an array; TypeError unless it is float32 or float64 (the
    dtypes the rational approximations below are tuned for)."""
    x = jnp.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name}: x.dtype={x.dtype} is not supported (float32 or float64 only)")
    return x


def softmax(x, /, *, axis=None):
    """exp(x) / sum(exp(x)) over ``axis`` (all axes by default, as in scipy)."""
    return normalization.softmax(x, axis=axis)


def log_softmax(x, /, *, axis=None):
    """x - logsumexp(x) over ``axis`` (all axes by default, as in scipy)."""
    return normalization.log_softmax(x, axis=axis)


# ---------------------------------------------------------------------------
# Error function family and the normal distribution


def erf(x):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t**2) dt."""
    return lax.erf(_inexact("erf", x))


def erfc(x):
    """The complementary error function 1 - erf(x)."""
    return lax.erfc(_inexact("erfc", x))


def erfinv(x):
    """The inverse of erf on (-1, 1)."""
    return lax.erf_inv(_inexact("erfinv", x))


def ndtr(x):
    """The standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2."""
    return _ndtr(_float32_or_64("ndtr", x))


def _ndtr(x):
    # erf near 0 and erfc in the tails: each is accurate where the other loses digits.
    dtype = x.dtype.type
    half_sqrt_2 = dtype(0.5 * np.sqrt(2.0))
    w = x * half_sqrt_2
    z = jnp.abs(w)
    y = jnp.where(z < half_sqrt_2, dtype(1.0) + lax.erf(w),
                  jnp.where(w > 0, dtype(2.0) - lax.erfc(z), lax.erfc(z)))
    return dtype(0.5) * y


# Cephes' rational approximations of the inverse normal CDF (ndtri.c): one for
# the centre, p > exp(-2), and two for the tail in terms of z = sqrt(-2 log p).
_NDTRI_CENTRE = ([-5.99633501014107895267E1, 9.80010754185999661536E1,
                  -5.66762857469070293439E1, 1.39312609387279679503E1,
                  -1.23916583867381258016E0],
                 [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0,
                  8.63602421390890590575E1, -2.25462687854119370527E2,
                  2.00260212380060660359E2, -8.20372256168333339912E1,
                  1.59056225126211695515E1, -1.18331621121330003142E0])
_NDTRI_TAIL = ([4.05544892305962419923E0, 3.15251094599893866154E1,
                5.71628192246421288162E1, 4.40805073893200834700E1,
                1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2,
                -8.57456785154685413611E-4],
               [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1,
                4.13172038254672030440E1, 1.50425385692907503408E1,
                2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_NDTRI_FAR_TAIL = ([3.23774891776946035970E0, 6.91522889068984211695E0,
                    3.93881025292474443415E0, 1.33303460815807542389E0,
                    2.01485389549179081538E-1, 1.23716634817820021358E-2,
                    3.01581553508235416007E-4, 2.65806974686737550832E-6,
                    6.23974539184983293730E-9],
                   [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0,
                    1.37702099489081330271E0, 2.16236993594496635890E-1,
                    1.34204006088543189037E-2, 3.28014464682127739104E-4,
                    2.89247864745380683936E-6, 6.79019408009981274425E-9])


def _rational(coefficients, x):
    """P(x) / Q(x) for (P, Q) coefficient lists, highest degree first."""
    p, q = (np.asarray(c, x.dtype) for c in coefficients)
    return _horner(p, x) / _horner(q, x)


def _horner(coefficients, x):
    """The polynomial with ``coefficients`` (highest degree first) at ``x``."""
    acc = jnp.zeros_like(x)
    for c in coefficients:
        acc = acc * x + c
    return acc


def ndtri(p):
    """The inverse of ``ndtr``: the x with Phi(x) = p (-inf at 0, inf at 1,
    nan outside [0, 1])."""
    p = _float32_or_64("ndtri", p)
    dtype = p.dtype.type
    # By symmetry work with the smaller tail, q = min(p, 1 - p) (roughly).
    q = jnp.where(p > dtype(-np.expm1(-2.0)), dtype(1.0) - p, p)
    q = jnp.where(q == 0, dtype(0.5), q)      # any harmless value: replaced below
    w = q - dtype(0.5)
    ww = w * w
    x_centre = -(w + w * ww * _rational(_NDTRI_CENTRE, ww)) * dtype(np.sqrt(2.0 * np.pi))
    z = jnp.sqrt(dtype(-2.0) * jnp.log(q))
    leading = z - jnp.log(z) / z
    x_tail = leading - _rational(_NDTRI_TAIL, 1 / z) / z
    x_far_tail = leading - _rational(_NDTRI_FAR_TAIL, 1 / z) / z
    x = jnp.where(q > dtype(np.exp(-2.0)), x_centre,
                  jnp.where(z >= dtype(8.0), x_far_tail, x_tail))
    x = jnp.where(p > dtype(1.0 - np.exp(-2.0)), x, -x)
    return jnp.where(p == 0, dtype(-np.inf), jnp.where(p == 1, dtype(np.inf), x))


# Where log_ndtr switches method: log(ndtr(x)) in between, -ndtr(-x) above
# (log(1 - e) ~ -e), an asymptotic series below.
_LOG_NDTR_SEGMENTS = {np.dtype(np.float32): (-10.0, 5.0), np.dtype(np.float64): (-20.0, 8.0)}


@functools.partial(custom_jvp, nondiff_argnums=(1,))
def log_ndtr(x, series_order=3):
    """log(ndtr(x)), accurate far into both tails."""
    if not isinstance(series_order, int):
        raise TypeError("series_order must be a Python integer.")
    if not 0 <= series_order <= 30:
        raise ValueError(f"series_order must be in [0, 30], got {series_order}")
    x = jnp.asarray(x)
    if x.dtype not in _LOG_NDTR_SEGMENTS:
        raise TypeError(f"log_ndtr: x.dtype={x.dtype} is not supported (float32 or float64)")
    lower, upper = (x.dtype.type(v) for v in _LOG_NDTR_SEGMENTS[x.dtype])
    above = x > upper
    # One ndtr call for both branches; the clamps keep the unselected
    # branches finite, so that their zero cotangents do not become nan.
    ndtr_value = _ndtr(jnp.where(above, -x, jnp.maximum(x, lower)))
    return jnp.where(above, -ndtr_value,
                     jnp.where(x > lower, jnp.log(ndtr_value),
                               _log_ndtr_lower(jnp.minimum(x, lower), series_order)))


def _log_ndtr_lower(x, series_order):
    """log Phi(x) for x << -1: log of the normal density over -x, times the
    asymptotic series 1 - 1/x**2 + 3/x**4 - 15/x**6 + ..."""
    dtype = x.dtype.type
    x2 = x * x
    log_scale = -dtype(0.5) * x2 - jnp.log(-x) - dtype(0.5 * np.log(2.0 * np.pi))
    series, x2n = dtype(1.0), x2
    for n in range(1, series_order + 1):
        term = dtype(math.prod(range(2 * n - 1, 0, -2))) / x2n    # (2n-1)!! / x**2n
        series = series - term if n % 2 else series + term
        x2n = x2n * x2
    return log_scale + jnp.log(series)


def _norm_logpdf(x):
    return -0.5 * x * x - x.dtype.type(np.log(np.sqrt(2 * np.pi)))


@log_ndtr.defjvp
def _log_ndtr_jvp(series_order, primals, tangents):
    # d/dx log Phi(x) = phi(x) / Phi(x), formed in log space (no underflow).
    x, = primals
    ans = log_ndtr(x, series_order)
    return ans, tangents[0] * jnp.exp(_norm_logpdf(x) - ans)


# ---------------------------------------------------------------------------
# Logistic, logit, x log y, entropy


def expit(x):
    """The logistic function 1 / (1 + exp(-x))."""
    return lax.logistic(_inexact("expit", x))


@custom_jvp
def logit(x):
    """log(x / (1 - x)), the inverse of expit."""
    x = _inexact("logit", x)
    return jnp.log(x / (1 - x))


logit.defjvps(lambda g, ans, x: g / (x * (1 - x)))


@custom_jvp
def xlogy(x, y):
    """x * log(y), and 0 where x == 0 (also for y == 0; nan in y propagates)."""
    x, y = _inexact("xlogy", x, y)
    return jnp.where((x != 0) | jnp.isnan(y), x * jnp.log(y), jnp.zeros_like(x))


@xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    # The derivative of the formula, without the where: at x = 0 the slope in
    # x is log(y), as JAX has it.
    (x, y), (x_dot, y_dot) = primals, tangents
    out = xlogy(x, y)
    return out, (x_dot * jnp.log(y) + y_dot * x / y).astype(out.dtype)


@custom_jvp
def xlog1py(x, y):
    """x * log1p(y), and 0 where x == 0 (nan in y propagates)."""
    x, y = _inexact("xlog1py", x, y)
    return jnp.where((x != 0) | jnp.isnan(y), x * jnp.log1p(y), jnp.zeros_like(x))


@xlog1py.defjvp
def _xlog1py_jvp(primals, tangents):
    (x, y), (x_dot, y_dot) = primals, tangents
    out = xlog1py(x, y)
    return out, (x_dot * jnp.log1p(y) + y_dot * x / (1 + y)).astype(out.dtype)


@custom_jvp
def _xlogx(x):
    return xlogy(x, x)


_xlogx.defjvps(lambda g, ans, x: g * (jnp.log(x) + 1))


def entr(x):
    """The entropy term -x log x (0 at 0, -inf for negative x)."""
    x = _real("entr", _inexact("entr", x))
    return jnp.where(x < 0, jnp.full_like(x, -np.inf), -_xlogx(x))


# ---------------------------------------------------------------------------
# Gamma and beta functions


def gammaln(x):
    """log|Gamma(x)|."""
    return lax.lgamma(_real("gammaln", _inexact("gammaln", x)))


def gammasgn(x):
    """The sign of Gamma(x): -1 between -2k-1 and -2k, +1 elsewhere (and
    -1 at -0), nan at the poles and at nan."""
    x = _real("gammasgn", _inexact("gammasgn", x))
    dtype = x.dtype.type
    floor_x = jnp.floor(x)
    negative = x < 0
    pole = (negative & (x == floor_x)) | jnp.isnan(x)
    minus = (negative & (floor_x % 2 != 0)) | ((x == 0) & (1 / x < 0))   # -0 too
    return jnp.where(pole, dtype(np.nan), jnp.where(minus, dtype(-1.0), dtype(1.0)))


def gamma(x):
    """The gamma function, as gammasgn(x) * exp(gammaln(x)) (real x only)."""
    x = _inexact("gamma", x)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError("gamma of complex inputs is not implemented in minijax")
    return gammasgn(x) * jnp.exp(lax.lgamma(x))


def _algdiv(a, b):
    """log(Gamma(b) / Gamma(a + b)) for b >= 8 and a <= b, by the asymptotic
    expansion of log Gamma (scipy's cdflib ``algdiv``), which keeps digits
    that lgamma(b) - lgamma(a + b) would cancel away."""
    c = (0.833333333333333e-01, -0.277777777760991e-02, 0.793650666825390e-03,
         -0.595202931351870e-03, 0.837308034031215e-03, -0.165322962780713e-02)
    h = a / b
    x = h / (1 + h)
    x2 = x * x
    s3 = 1.0 + (x + x2)               # sN = (1 - x**N) / (1 - x)
    s5 = 1.0 + (x + x2 * s3)
    s7 = 1.0 + (x + x2 * s5)
    s9 = 1.0 + (x + x2 * s7)
    s11 = 1.0 + (x + x2 * s9)
    t = (1.0 / b) ** 2
    w = ((((c[5] * s11 * t + c[4] * s9) * t + c[3] * s7) * t + c[2] * s5) * t
         + c[1] * s3) * t + c[0]
    w = w * (x / b)
    u = (b + (a - 0.5)) * jnp.log1p(a / b)
    v = a * (jnp.log(b) - 1.0)
    return jnp.where(u <= v, (w - v) - u, (w - u) - v)


def betaln(a, b):
    """log|B(a, b)| = log|Gamma(a) Gamma(b) / Gamma(a + b)|."""
    a, b = _inexact("betaln", a, b)
    a, b = jnp.minimum(a, b), jnp.maximum(a, b)
    small_b = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
    large_b = lax.lgamma(a) + _algdiv(a, b)
    return jnp.where(b < 8, small_b, large_b)


def beta(a, b):
    """The beta function B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b)."""
    a, b = _inexact("beta", a, b)
    sign = gammasgn(a) * gammasgn(b) * gammasgn(a + b)
    return sign * jnp.exp(betaln(a, b))


def digamma(x):
    """The logarithmic derivative of the gamma function."""
    return lax.digamma(_inexact("digamma", x))


def polygamma(n, x):
    """The n-th derivative of digamma (``n`` a non-negative integer)."""
    x = _inexact("polygamma", x)
    return lax.polygamma(lax.convert_element_type(n, x.dtype), x)


def _broadcast_inexact(name, *args):
    """``args`` promoted to one floating dtype and broadcast to one shape
    (the lax primitives below broadcast only rank-0 operands)."""
    _check_arraylike(name, *args)
    return jnp.broadcast_arrays(*promote_dtypes_inexact(*args))


def gammainc(a, x):
    """The regularized lower incomplete gamma function
    P(a, x) = integral_0^x t**(a-1) e**-t dt / Gamma(a) (``lax.igamma``: a
    power series or a continued fraction, see ``minijax.lax.special``).
    Differentiable in x, and once in a."""
    return lax.igamma(*_broadcast_inexact("gammainc", a, x))


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)
    (``lax.igammac``), computed directly where it is small."""
    return lax.igammac(*_broadcast_inexact("gammaincc", a, x))


def betainc(a, b, x):
    """The regularized incomplete beta function
    I_x(a, b) = integral_0^x t**(a-1) (1-t)**(b-1) dt / B(a, b)
    (``lax.betainc``: a continued fraction, see ``minijax.lax.special``).
    Differentiable in x only: in a or b it raises ValueError, as in JAX."""
    a, b, x = _broadcast_inexact("betainc", a, b, x)
    return lax.betainc(a, b, _real("betainc", x))


def multigammaln(a, d):
    """log of the multivariate gamma function of dimension ``d`` (an int)."""
    d = int(d)
    a = _inexact("multigammaln", a)
    # The constant d (d - 1) / 4 log(pi), in a's dtype and in JAX's order of
    # operations: under jit XLA then folds it to the same bits.
    dtype = a.dtype.type
    constant = dtype(0.25) * dtype(d) * (dtype(d) - dtype(1)) * lax.log(dtype(np.pi))
    terms = lax.lgamma(jnp.expand_dims(a, -1) - jnp.arange(d, dtype=a.dtype) / 2)
    return jnp.sum(terms, axis=-1) + constant


# ---------------------------------------------------------------------------
# Hurwitz zeta, by Euler-Maclaurin summation: sum the first N terms directly,
# replace the rest by its integral plus Bernoulli-number corrections
# (Johansson 2015, arXiv:1309.2877, formula (5)).


def _bernoulli_numbers(count):
    """B_0, ..., B_{count-1} as Fractions (Akiyama-Tanigawa; B_1 = +1/2)."""
    out, row = [], []
    for m in range(count):
        row.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        out.append(row[0])
    return out


_ZETA_TERMS = {np.dtype(np.float32): 8, np.dtype(np.float64): 16}   # N = M, as in JAX
# B_2j / (2j)!, j = 1, 2, ...: the Euler-Maclaurin correction coefficients.
_ZETA_CORRECTIONS = [float(b / math.factorial(2 * j)) for j, b in
                     enumerate(_bernoulli_numbers(66)[2::2], start=1)]


def _hurwitz_zeta(s, a):
    n = m = _ZETA_TERMS.get(s.dtype, 16)
    dtype = s.dtype.type
    k = jnp.arange(n, dtype=s.dtype)
    direct = jnp.sum((jnp.expand_dims(a, -1) + k) ** -jnp.expand_dims(s, -1), -1)
    an = a + dtype(n)
    integral = an ** (1 - s) / (s - 1)
    # Corrections: B_2j/(2j)! * s (s+1) ... (s+2j-2) / an**(2j-1), times an**-s.
    tail, rising = dtype(0.5), s / an
    for j in range(1, m + 1):
        tail = tail + dtype(_ZETA_CORRECTIONS[j - 1]) * rising
        rising = rising * (s + 2 * j - 1) * (s + 2 * j) / (an * an)
    return direct + integral + an ** -s * tail


def zeta(x, q=None):
    """The Hurwitz zeta function sum_{n>=0} (n + q)**-x (``q`` is required:
    the Riemann zeta function is not implemented, as in JAX)."""
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to "
                                  "compute the Hurwitz Zeta function.")
    x, q = _inexact("zeta", x, q)
    if x.dtype == np.float16:   # XLA computes it in float32 (float16 overflows in the series)
        return zeta(x.astype(np.float32), q.astype(np.float32)).astype(np.float16)
    x, q = jnp.broadcast_arrays(x, q)
    dtype = x.dtype.type
    value = _hurwitz_zeta(x, q)
    # The series is meaningless at the poles and outside the domain; give
    # the values XLA's zeta gives there, in XLA's order of precedence: nan
    # for x < 1 or q = +inf; at the poles q = 0, -1, -2, ... (and -inf) inf
    # for even integers x (even x < 1) and nan for the other x; inf at x = 1.
    value = jnp.where((x < 1) | (q == np.inf), dtype(np.nan), value)
    pole = (q <= 0) & (q == jnp.floor(q))
    even = (jnp.fmod(x, dtype(2)) == 0)
    value = jnp.where(pole, jnp.where(even, dtype(np.inf), dtype(np.nan)), value)
    return jnp.where(x == 1, dtype(np.inf), value)


# ---------------------------------------------------------------------------
# Exponentially scaled modified Bessel functions: Chebyshev expansions on
# [0, 8] and (8, inf), as in Cephes. We fit the coefficients ourselves, once,
# at import, by interpolating scipy's float64 values at Chebyshev nodes.


def _chebyshev_fit(f, degree):
    """Chebyshev coefficients of ``f`` on [-1, 1] (lowest degree first)."""
    return np.polynomial.chebyshev.chebinterpolate(f, degree)


def _bessel_fits():
    import scipy.special as sp
    near = lambda t: 4 * (t + 1)              # t in [-1, 1] -> x in [0, 8]
    far = lambda t: 16 / (t + 1)              # t in (-1, 1] -> x in [8, inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "i0e_near": _chebyshev_fit(lambda t: sp.i0e(near(t)), 40),
            "i0e_far": _chebyshev_fit(lambda t: np.sqrt(far(t)) * sp.i0e(far(t)), 30),
            "i1e_near": _chebyshev_fit(lambda t: sp.i1e(near(t)) / near(t), 40),
            "i1e_far": _chebyshev_fit(lambda t: np.sqrt(far(t)) * sp.i1e(far(t)), 30),
        }


_BESSEL = _bessel_fits()


def _clenshaw(coefficients, t):
    """sum_k c_k T_k(t), by Clenshaw's recurrence."""
    b1 = b2 = jnp.zeros_like(t)
    for c in coefficients[:0:-1]:
        b1, b2 = 2 * t * b1 - b2 + t.dtype.type(c), b1
    return t * b1 - b2 + t.dtype.type(coefficients[0])


def _scaled_bessel(name, x):
    """exp(-|x|) I_n(|x|) (n from ``name``) by the two expansions; the
    tail one is evaluated at a safe point where it is not selected."""
    ax = jnp.abs(x)
    small = ax <= 8
    near = _clenshaw(_BESSEL[name + "_near"], ax / 4 - 1)
    far_x = jnp.where(small, x.dtype.type(8), ax)
    far = _clenshaw(_BESSEL[name + "_far"], 16 / far_x - 1) / jnp.sqrt(far_x)
    if name == "i1e":
        near = near * ax
    return jnp.where(small, near, far)


@custom_jvp
def i0e(x):
    """exp(-|x|) I0(x), the exponentially scaled modified Bessel function of
    order 0."""
    return _scaled_bessel("i0e", _real("i0e", _inexact("i0e", x)))


i0e.defjvps(lambda g, y, x: g * (i1e(x) - jnp.sign(x) * y))


@custom_jvp
def i1e(x):
    """exp(-|x|) I1(x), the exponentially scaled modified Bessel function of
    order 1 (odd in x)."""
    x = _real("i1e", _inexact("i1e", x))
    return jnp.sign(x) * _scaled_bessel("i1e", x)


def _i1e_derivative(g, y, x):
    # i0e(x) - y (sign(x) + 1/x), whose limit at 0 is 1/2.
    eps = np.finfo(x.dtype).eps
    not_tiny = jnp.abs(x) > eps
    safe_x = jnp.where(not_tiny, x, x.dtype.type(eps))
    slope = i0e(safe_x) - y * (jnp.sign(safe_x) + 1 / safe_x)
    return g * jnp.where(not_tiny, slope, x.dtype.type(0.5))


i1e.defjvps(_i1e_derivative)


def i0(x):
    """The modified Bessel function I0(x) = exp(|x|) i0e(x)."""
    x = _inexact("i0", x)
    return jnp.exp(jnp.abs(x)) * i0e(x)


def i1(x):
    """The modified Bessel function I1(x) = exp(|x|) i1e(x)."""
    x = _inexact("i1", x)
    return jnp.exp(jnp.abs(x)) * i1e(x)
