"""What the primitives of ``lax.special`` compute, as programs of lax
operations: the eager implementations run them compiled and the lowerings
trace them. (Imported late, by those two: it needs ``minijax.numpy``.)

The methods are the classical ones (Numerical Recipes, ch. 6.2 and 6.4):

* P(a, x), the regularized lower incomplete gamma function, by its power
  series where x < 1 or x <= a, and Q(a, x) = 1 - P by a continued fraction
  (modified Lentz) elsewhere, where the series would converge slowly;
* I_x(a, b), the regularized incomplete beta function, by its continued
  fraction, on the side of the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where
  that converges quickly.

Each method runs as a ``while_loop`` until every element has converged (or a
cap on the steps); elements the other method serves get harmless stand-in
values, so that they neither slow the loop down nor leave a nan behind.
"""
import numpy as np

from .. import numpy as jnp
from ..control_flow import while_loop
from ..forward_mode import jvp
from .. import lax

_MAX_STEPS = 2000   # a cap for parameters far beyond the methods' range


def _upcast(formula):
    """Evaluate ``formula`` in float32 for narrower floats, as JAX does, on
    operands broadcast to one shape."""
    def run(*args):
        dtype = args[0].dtype
        wide = np.float32 if np.dtype(dtype).itemsize < 4 else dtype
        args = jnp.broadcast_arrays(*(lax.convert_element_type(x, wide) for x in args))
        return lax.convert_element_type(formula(*args), dtype)
    run.__name__ = formula.__name__
    return run


def _iterate(step, params, init, result, params_dot=None):
    """From ``state = init(params)``, ``state = step(n, params, state)`` for n = 1, 2, ... until
    ``state[result]`` stops changing, to the dtype's precision, everywhere
    (or a cap on the steps). With ``params_dot`` (tangents of ``params``),
    the tangents of the states are carried along and must settle too:
    returns ``(state, state_dot)``, else ``state``."""
    eps = np.finfo(params[0].dtype).eps

    def settled(old, new):
        return (jnp.abs(new - old) <= eps * jnp.abs(new)) | jnp.isnan(new)

    def body(carry):
        n, state, state_dot, _ = carry
        if params_dot is None:
            new, new_dot = step(n, params, state), ()
            done = settled(state[result], new[result])
        else:
            new, new_dot = jvp(lambda p, s: step(n, p, s), (params, state),
                               (params_dot, state_dot))
            done = (settled(state[result], new[result])
                    & settled(state_dot[result], new_dot[result]))
        return n + 1, new, new_dot, done

    def cond(carry):
        n, _, _, done = carry
        return (n < _MAX_STEPS) & ~jnp.all(done)
    if params_dot is None:
        state, state_dot = init(params), ()
    else:
        state, state_dot = jvp(init, (params,), (params_dot,))
    no = jnp.zeros(state[result].shape, bool)
    _, state, state_dot, _ = while_loop(cond, body, (jnp.int32(1), state, state_dot, no))
    return state if params_dot is None else (state, state_dot)


def _away_from_zero(v, tiny):
    """``v``, moved to ``tiny`` where it is smaller: Lentz's guard against a
    zero denominator."""
    return jnp.where(jnp.abs(v) < tiny, tiny, v)


# ---------------------------------------------------------------------------
# The incomplete gamma function


def _gamma_series_step(n, params, state):
    a, x = params
    term, total = state
    term = term * x / (a + n.astype(a.dtype))
    return term, total + term


def _gamma_series(a, x, a_dot=None):
    """S = sum_{n>=0} x**n / ((a+1) (a+2) ... (a+n)), so that
    P(a, x) = x**a e**-x / Gamma(a+1) * S; with ``a_dot``, (S, dS/da * a_dot)."""
    out = _iterate(_gamma_series_step, (a, x), lambda p: (jnp.ones_like(a),) * 2, 1,
                   None if a_dot is None else (a_dot, jnp.zeros_like(x)))
    return out[1] if a_dot is None else (out[0][1], out[1][1])


def _gamma_fraction_step(n, params, state):
    a, x = params
    b, c, d, h = state
    tiny = np.finfo(a.dtype).tiny
    i = n.astype(a.dtype)
    an = -i * (i - a)
    b = b + 2
    d = 1 / _away_from_zero(an * d + b, tiny)
    c = _away_from_zero(b + an / c, tiny)
    return b, c, d, h * d * c


def _gamma_fraction_start(params):
    a, x = params
    tiny = np.finfo(a.dtype).tiny
    b = x + 1 - a
    d = 1 / _away_from_zero(b, tiny)
    return b, jnp.full_like(a, 1 / tiny), d, d


def _gamma_continued_fraction(a, x, a_dot=None):
    """H = 1 / (x+1-a - 1(1-a) / (x+3-a - 2(2-a) / (x+5-a - ...))) by
    modified Lentz, so that Q(a, x) = x**a e**-x / Gamma(a) * H; with
    ``a_dot``, (H, dH/da * a_dot). (For an integer a the fraction ends, but
    not its derivative: that is why the derivative must settle too.)"""
    out = _iterate(_gamma_fraction_step, (a, x), _gamma_fraction_start, 3,
                   None if a_dot is None else (a_dot, jnp.zeros_like(x)))
    return out[3] if a_dot is None else (out[0][3], out[1][3])


def _gamma_methods(a, x):
    """Where the continued fraction serves (a, x), and stand-ins for both
    methods: (by_fraction, (a, x) for the series, (a, x) for the fraction),
    the stand-ins being points where the unused method converges at once."""
    by_fraction = (x >= 1) & (x > a)
    series = (a, jnp.where(by_fraction, 0.5, x))
    fraction = (jnp.where(by_fraction, a, 1), jnp.where(by_fraction, x, 2))
    return by_fraction, series, fraction


def _gamma_ends(a, x, p, q):
    """P and Q with the ends set: all the mass lies below x = inf, and below
    any x > 0 when a = 0; none below x = 0; nan outside the domain."""
    at_one = (x == np.inf) | ((a == 0) & (x > 0))
    p, q = jnp.where(at_one, 1, p), jnp.where(at_one, 0, q)
    p, q = jnp.where(x == 0, 0, p), jnp.where(x == 0, 1, q)
    undefined = _gamma_undefined(a, x)
    return jnp.where(undefined, np.nan, p), jnp.where(undefined, np.nan, q)


def _gamma_undefined(a, x):
    return jnp.isnan(a) | jnp.isnan(x) | (a < 0) | (x < 0) | ((a == 0) & (x == 0))


def _log_front(a, x, log_gamma):
    """log(x**a e**-x / Gamma), for ``log_gamma`` = log Gamma(a) or Gamma(a+1)."""
    return a * jnp.log(x) - x - log_gamma


def _incomplete_gamma(a, x):
    """(P(a, x), Q(a, x)), each by the method that suits (a, x)."""
    by_fraction, (a_s, x_s), (a_c, x_c) = _gamma_methods(a, x)
    p = jnp.exp(_log_front(a_s, x_s, lax.lgamma(a_s + 1))) * _gamma_series(a_s, x_s)
    q = jnp.exp(_log_front(a_c, x_c, lax.lgamma(a_c))) * _gamma_continued_fraction(a_c, x_c)
    return _gamma_ends(a, x, jnp.where(by_fraction, 1 - q, p), jnp.where(by_fraction, q, 1 - p))


@_upcast
def igamma(a, x):
    return _incomplete_gamma(a, x)[0]


@_upcast
def igammac(a, x):
    return _incomplete_gamma(a, x)[1]


@_upcast
def igamma_grad_a(a, x):
    """dP/da: the product rule on front * S (series) and front * H
    (fraction), the loops carrying dS/da and dH/da until they settle."""
    by_fraction, (a_s, x_s), (a_c, x_c) = _gamma_methods(a, x)
    one = jnp.ones_like(a)
    series, series_da = _gamma_series(a_s, x_s, one)
    front = jnp.exp(_log_front(a_s, x_s, lax.lgamma(a_s + 1)))
    dp = front * ((jnp.log(x_s) - lax.digamma(a_s + 1)) * series + series_da)
    fraction, fraction_da = _gamma_continued_fraction(a_c, x_c, one)
    front = jnp.exp(_log_front(a_c, x_c, lax.lgamma(a_c)))
    dq = front * ((jnp.log(x_c) - lax.digamma(a_c)) * fraction + fraction_da)
    # P stays 0 at x = 0 and 1 at x = inf whatever a is: there the slope is 0.
    # (At a = 0 the formula's nan stands, as in JAX.)
    dp = jnp.where((x == 0) | (x == np.inf), 0, jnp.where(by_fraction, -dq, dp))
    return jnp.where(_gamma_undefined(a, x), np.nan, dp)


# ---------------------------------------------------------------------------
# The incomplete beta function


def _lentz_step(coefficient, c, d, h, tiny):
    """One term of 1/(1+ d1/(1+ d2/(1+ ...))) by modified Lentz."""
    d = 1 / _away_from_zero(1 + coefficient * d, tiny)
    c = _away_from_zero(1 + coefficient / c, tiny)
    return c, d, h * d * c


def _beta_fraction_step(n, params, state):
    a, b, x = params
    c, d, h = state
    tiny = np.finfo(a.dtype).tiny
    m = n.astype(a.dtype)
    even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
    c, d, h = _lentz_step(even, c, d, h, tiny)
    odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
    return _lentz_step(odd, c, d, h, tiny)


def _beta_fraction_start(params):
    a, b, x = params
    d = 1 / _away_from_zero(1 - (a + b) * x / (a + 1), np.finfo(a.dtype).tiny)
    return jnp.ones_like(a), d, d


def _beta_continued_fraction(a, b, x):
    """The continued fraction 1/(1+ d1/(1+ d2/(1+ ...))) of I_x(a, b), with
    d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)) and
    d_{2m} = m(b-m) x / ((a+2m-1)(a+2m)): I_x(a, b) is
    x**a (1-x)**b / (a B(a, b)) times it."""
    return _iterate(_beta_fraction_step, (a, b, x), _beta_fraction_start, 2)[2]


def _log_beta(a, b):
    return lax.lgamma(a) + lax.lgamma(b) - lax.lgamma(a + b)


@_upcast
def betainc(a, b, x):
    # The fraction converges fast for x < (a+1)/(a+b+2); beyond, use symmetry.
    flip = x * (a + b + 2) > a + 1
    a_, b_, x_ = jnp.where(flip, b, a), jnp.where(flip, a, b), jnp.where(flip, 1 - x, x)
    inside = (x_ > 0) & (x_ < 1)
    x_ = jnp.where(inside, x_, 0.5)    # a stand-in at the ends, handled below
    log_front = a_ * jnp.log(x_) + b_ * jnp.log1p(-x_) - _log_beta(a_, b_) - jnp.log(a_)
    value = jnp.exp(log_front) * _beta_continued_fraction(a_, b_, x_)
    value = jnp.where(flip, 1 - value, value)
    # a or b zero or infinite: all the mass sits at 0 or at 1; then the ends.
    value = jnp.where((a == 0) | (b == np.inf), 1, jnp.where((b == 0) | (a == np.inf), 0, value))
    value = jnp.where(x == 0, 0, jnp.where(x == 1, 1, value))
    undefined = (jnp.isnan(a) | jnp.isnan(b) | jnp.isnan(x) | (a < 0) | (b < 0) | (x < 0)
                 | (x > 1) | ((a == 0) & (b == 0)) | ((a == np.inf) & (b == np.inf)))
    return jnp.where(undefined, np.nan, value)


FORMULAS = {"igamma": igamma, "igammac": igammac, "igamma_grad_a": igamma_grad_a,
            "regularized_incomplete_beta": betainc}
