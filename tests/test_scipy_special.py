"""minijax.scipy.special against jax.scipy.special: values in float32 and
float64, gradients (against jax.grad, including JAX's custom rules at the
awkward points, and by finite differences), vmap and jit."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads
from helpers import F64_TOL, check_like_jax, x64

REAL = np.array([-9.5, -3.0, -0.7, -1e-3, 0.0, 1e-7, 0.5, 3.0, 7.9, 8.0, 8.1, 30.0])
POSITIVE = np.array([1e-3, 0.2, 0.5, 1.0, 2.5, 7.5, 9.0, 40.0])
UNIT = np.array([0.0, 1e-30, 1e-3, 0.1, 0.5, 0.86, 0.9, 1 - 1e-6, 1.0])
WIDE = np.linspace(-40.0, 40.0, 33)
# For finite differences (steps of 1e-4): well inside the domains, away from 0.
INNER = np.array([0.1, 0.5, 0.86, 0.9])
AWAY = np.array([-9.5, -3.0, -0.7, 0.5, 3.0, 7.9, 8.1, 30.0])

# name, sample points, float32 tolerance, points away from kinks and poles
UNARY = [
    ("erf", REAL, None, REAL[REAL != 0]), ("erfc", REAL, None, REAL[REAL != 0]),
    ("erfinv", UNIT[1:-1] * 2 - 1, dict(rtol=2e-5, atol=2e-6), np.array([-0.5, 0.2, 0.7])),
    ("expit", WIDE, None, WIDE), ("logit", UNIT, dict(rtol=2e-5, atol=2e-6), INNER),
    ("ndtr", WIDE, None, REAL), ("log_ndtr", WIDE, dict(rtol=2e-5, atol=1e-6), WIDE),
    ("ndtri", UNIT, dict(rtol=2e-5, atol=2e-6), INNER),
    ("gammaln", POSITIVE, dict(rtol=2e-5, atol=2e-6), POSITIVE[1:]),
    ("gamma", np.concatenate([REAL, POSITIVE]), dict(rtol=2e-5, atol=2e-6), POSITIVE[1:-1]),
    ("gammasgn", REAL, None, None), ("digamma", POSITIVE, dict(rtol=2e-5, atol=2e-6), POSITIVE[1:]),
    ("entr", np.concatenate([[-1.0], UNIT]), None, INNER),
    ("i0e", REAL, None, AWAY), ("i1e", REAL, None, AWAY),
    ("i0", REAL[2:-1], dict(rtol=2e-5, atol=2e-6), AWAY[2:-1]),
    ("i1", REAL[2:-1], dict(rtol=2e-5, atol=2e-6), AWAY[2:-1]),
]


def test_the_names_of_the_brief_are_here():
    names = ["xlogy", "xlog1py", "ndtr", "ndtri", "log_ndtr", "gamma", "gammaln", "gammasgn",
             "betaln", "beta", "logsumexp", "softmax", "log_softmax", "expit", "logit", "entr",
             "zeta", "i0e", "i1e", "i0", "i1", "erf", "erfc", "erfinv", "digamma",
             "polygamma", "multigammaln"]
    assert [n for n in names if not hasattr(minijax.scipy.special, n)] == []
    assert all(hasattr(jax.scipy.special, n) for n in names)


def _pair(name):
    return getattr(minijax.scipy.special, name), getattr(jax.scipy.special, name)


@pytest.mark.parametrize("name,x,tol,smooth", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_and_gradients(name, x, tol, smooth):
    ours, theirs = _pair(name)
    tol = tol or {}
    x32 = x.astype(np.float32)
    check_like_jax(ours(x32), theirs(x32), **tol)
    check_like_jax(ours(x32.reshape(-1, 1)[:4]), theirs(x32.reshape(-1, 1)[:4]), **tol)
    if smooth is None:
        return
    g32 = minijax.vmap(minijax.grad(ours))(x32)
    check_like_jax(g32, jax.vmap(jax.grad(theirs))(x32), **(tol or dict(rtol=2e-5, atol=2e-6)))
    with x64():
        check_like_jax(ours(x), theirs(x), rtol=1e-12, atol=1e-14)
        check_like_jax(minijax.vmap(minijax.grad(ours))(x), jax.vmap(jax.grad(theirs))(x),
                       rtol=1e-11, atol=1e-14)
        check_grads(ours, (smooth,), order=1)


@pytest.mark.parametrize("name", ["ndtr", "i1e", "log_ndtr", "zeta"])
def test_under_jit(name):
    ours, theirs = _pair(name)
    args = (np.array([2.0, 3.5], np.float32), np.array([0.5, 2.0], np.float32)) if name == "zeta" \
        else (WIDE.astype(np.float32)[::4],)
    check_like_jax(minijax.jit(ours)(*args), jax.jit(theirs)(*args), rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.jit(minijax.grad(lambda *a: ours(*a).sum()))(*args),
                   jax.grad(lambda *a: theirs(*a).sum())(*args), rtol=2e-5, atol=2e-6)


XY = (np.array([0.0, 0.0, 0.0, 1.5, -2.0, 3.0, 0.0, 2.0]),
      np.array([0.0, 2.0, np.nan, 0.5, 3.0, 0.0, -0.5, 1e-3]))


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_xlogy_family(name):
    """x log y is 0 at x = 0 (even at y = 0) and its custom derivative is JAX's
    there: log(y) in x."""
    ours, theirs = _pair(name)
    x, y = (a.astype(np.float32) for a in XY)
    check_like_jax(ours(x, y), theirs(x, y))
    for argnum in (0, 1):
        check_like_jax(minijax.vmap(minijax.grad(ours, argnum))(x, y),
                       jax.vmap(jax.grad(theirs, argnum))(x, y))
    check_like_jax(ours(2, 3), theirs(2, 3))
    check_like_jax(minijax.vmap(ours, (0, None))(x, np.float32(2.0)),
                   jax.vmap(theirs, (0, None))(x, np.float32(2.0)))
    with x64():
        check_like_jax(ours(*XY), theirs(*XY), **F64_TOL)
        check_grads(ours, (np.array([0.5, 2.0]), np.array([0.7, 1.5])), order=2)


def test_entr_gradient_at_zero_and_complex():
    check_like_jax(minijax.grad(minijax.scipy.special.entr)(0.0),
                   jax.grad(jax.scipy.special.entr)(0.0))
    with pytest.raises(ValueError, match="complex"):
        minijax.scipy.special.entr(np.array([1j]))


@pytest.mark.parametrize("name", ["betaln", "beta", "zeta"])
def test_binary(name):
    ours, theirs = _pair(name)
    if name == "zeta":
        a = np.array([1.5, 2.0, 3.0, 5.0, 10.0, 1.1, 0.5, 1.0, 2.0, 2.0])
        b = np.array([0.1, 1.0, 2.5, 0.5, 3.0, 7.0, 1.0, 1.0, 0.0, -1.5])
        smooth = (a[:6], b[:6])
    else:
        a = np.array([0.5, 3.0, 10.0, 1e3, 0.2, 7.0])
        b = np.array([2.0, 9.0, 1e4, 0.3, 0.4, 20.0])
        smooth = (a, b)
    check_like_jax(ours(a.astype(np.float32), b.astype(np.float32)),
                   theirs(a.astype(np.float32), b.astype(np.float32)), rtol=2e-5, atol=2e-6)
    with x64():
        check_like_jax(ours(a, b), theirs(a, b), rtol=1e-12, atol=1e-14)
        for argnum in (0, 1):
            check_like_jax(minijax.vmap(minijax.grad(ours, argnum))(*smooth),
                           jax.vmap(jax.grad(theirs, argnum))(*smooth), rtol=1e-9, atol=1e-12)
        if name != "zeta":   # zeta's series derivative is JAX's rule, not the exact one
            check_grads(ours, smooth, order=1)


def test_zeta_needs_q():
    with pytest.raises(NotImplementedError, match="Riemann"):
        minijax.scipy.special.zeta(2.0)


def test_zeta_poles_and_domain_like_xla():
    # Found by the conformance sweep: at q = 0, -1, ... XLA gives inf only for
    # even x (even x < 1), nan otherwise; nan for q = +inf; inf at x = 1.
    x = np.array([-4.0, -3.0, 0.0, 0.5, 1.0, 2.0, 2.5, 3.0, np.inf, np.nan], np.float32)
    q = np.array([-np.inf, -2.0, -1.5, 0.0, 1.0, np.inf, np.nan], np.float32)
    check_like_jax(minijax.scipy.special.zeta(x[:, None], q[None, :]),
                   jax.jit(jax.scipy.special.zeta)(x[:, None], q[None, :]), rtol=2e-5, atol=2e-6)


def test_zeta_float16_like_xla():
    # Found by the conformance sweep: in float16 the series overflowed to nan
    # (x = 1024); XLA computes float16 zeta in float32.
    x, q = np.float16([2.0, 3.5, 1024.0, 1024.0]), np.float16([0.5, 2.0, 1.0, 0.5])
    check_like_jax(minijax.scipy.special.zeta(x, q), jax.jit(jax.scipy.special.zeta)(x, q),
                   rtol=4e-3, atol=4e-3)


def test_multigammaln_under_jit_bit_equal_jax():
    # Found by the conformance sweep: the constant d (d-1)/4 log(pi), rounded
    # from float64, differed from XLA's float32 value in the last bit.
    a = np.linspace(1.3, 6.0, 9, dtype=np.float32)
    for d in (2, 3, 5):
        np.testing.assert_array_equal(
            minijax.jit(lambda a: minijax.scipy.special.multigammaln(a, d))(a),
            jax.jit(lambda a: jax.scipy.special.multigammaln(a, d))(a))


@pytest.mark.parametrize("n", [0, 1, 3])
def test_polygamma_and_multigammaln(n):
    x = POSITIVE[1:].astype(np.float32)
    check_like_jax(minijax.scipy.special.polygamma(n, x), jax.scipy.special.polygamma(n, x),
                   rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.scipy.special.multigammaln(x + 2, n + 1),
                   jax.scipy.special.multigammaln(x + 2, n + 1), rtol=2e-5, atol=2e-6)


def test_log_ndtr_series_order_and_tails():
    x = np.array([-100.0, -30.0, -12.0, -5.0, 0.0, 6.0, 12.0], np.float32)
    for order in (0, 1, 5):
        check_like_jax(minijax.scipy.special.log_ndtr(x, order),
                       jax.scipy.special.log_ndtr(x, order), rtol=2e-5, atol=1e-6)
    check_like_jax(minijax.vmap(minijax.grad(minijax.scipy.special.log_ndtr))(x),
                   jax.vmap(jax.grad(jax.scipy.special.log_ndtr))(x), rtol=2e-5, atol=1e-6)
    with pytest.raises(ValueError, match="series_order"):
        minijax.scipy.special.log_ndtr(x, 31)
    with pytest.raises(TypeError, match="dtype"):
        minijax.scipy.special.ndtr(np.array([1, 2]))


@pytest.mark.parametrize("kwargs", [dict(), dict(axis=0), dict(b=np.array([1.0, -1.0, 2.0]),
                                                                return_sign=True)])
def test_logsumexp_softmax(kwargs):
    m = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]], np.float32)
    check_like_jax(minijax.scipy.special.logsumexp(m, **kwargs),
                   jax.scipy.special.logsumexp(m, **kwargs))
    check_like_jax(minijax.scipy.special.softmax(m, axis=0),
                   jax.scipy.special.softmax(m, axis=0))
    check_like_jax(minijax.scipy.special.log_softmax(m), jax.scipy.special.log_softmax(m))


# ---------------------------------------------------------------------------
# The incomplete gamma and beta functions

GAMMA_A = np.array([1e-3, 0.5, 1.0, 2.0, 2.0, 5.0, 30.0, 0.5, 100.0, 3.0])
GAMMA_X = np.array([0.5, 0.2, 1.5, 3.0, 2.0, 7.0, 25.0, 4.0, 110.0, 30.0])
BETA_A = np.array([1.0, 2.0, 50.0, 0.5, 1e-3, 5.0, 3.0])
BETA_B = np.array([1.0, 3.0, 60.0, 0.5, 1.0, 0.2, 7.0])
BETA_X = np.array([0.5, 0.4, 0.45, 0.1, 0.5, 0.99, 0.8])
# The ends and outside the domains (JAX's conventions; one exception below).
EDGE_A = np.array([1.0, 2.0, 0.0, 0.0, -1.0, 1.0, np.nan, 2.0, 0.0])
EDGE_X = np.array([0.0, np.inf, 2.0, 0.0, 1.0, -1.0, 1.0, np.nan, np.inf])


def test_incomplete_functions_are_here():
    for name in ("gammainc", "gammaincc", "betainc"):
        assert hasattr(minijax.scipy.special, name) and hasattr(jax.scipy.special, name)
    # JAX has no ``psi`` (scipy's other name for digamma), so neither do we.
    assert not hasattr(jax.scipy.special, "psi")
    assert not hasattr(minijax.scipy.special, "psi")


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_values(name):
    ours, theirs = _pair(name)
    a32, x32 = GAMMA_A.astype(np.float32), GAMMA_X.astype(np.float32)
    check_like_jax(ours(a32, x32), theirs(a32, x32), rtol=1e-4, atol=1e-6)
    check_like_jax(ours(EDGE_A, EDGE_X), theirs(EDGE_A, EDGE_X))
    check_like_jax(ours(2.0, 3.0), theirs(2.0, 3.0))                # weak types
    check_like_jax(ours(a32[:, None], x32[None, :3]), theirs(a32[:, None], x32[None, :3]),
                   rtol=1e-4, atol=1e-6)                              # broadcasting
    with x64():
        check_like_jax(ours(GAMMA_A, GAMMA_X), theirs(GAMMA_A, GAMMA_X), **F64_TOL)
    # Where JAX's own series returns nan (a = 0 and x < 1), scipy's value 1.
    assert float(minijax.scipy.special.gammainc(0.0, 0.5)) == 1.0


def test_incomplete_gamma_derivatives_like_jax():
    """d/dx in closed form, d/da through igamma_grad_a (which JAX cannot
    differentiate), d2/dx2 and d/da d/dx as in JAX."""
    a32, x32 = GAMMA_A.astype(np.float32), GAMMA_X.astype(np.float32)
    for name in ("gammainc", "gammaincc"):
        ours, theirs = _pair(name)
        check_like_jax(minijax.vmap(minijax.grad(ours, (0, 1)))(a32, x32),
                       jax.vmap(jax.grad(theirs, (0, 1)))(a32, x32), rtol=2e-4, atol=1e-6)
        check_like_jax(minijax.grad(minijax.grad(ours, 1), (0, 1))(2.0, 3.0),
                       jax.grad(jax.grad(theirs, 1), (0, 1))(2.0, 3.0), rtol=1e-5)
        with pytest.raises(NotImplementedError, match="igamma_grad_a"):
            minijax.grad(minijax.grad(ours, 0), 1)(2.0, 3.0)
        with x64():
            check_like_jax(minijax.vmap(minijax.grad(ours, (0, 1)))(GAMMA_A, GAMMA_X),
                           jax.vmap(jax.grad(theirs, (0, 1)))(GAMMA_A, GAMMA_X), rtol=1e-9)
            check_grads(ours, (GAMMA_A[1:6], GAMMA_X[1:6]), order=1)
            check_grads(lambda x: ours(2.5, x), (GAMMA_X[1:6],), order=2)


def test_betainc_values_and_derivatives():
    ours, theirs = _pair("betainc")
    args32 = [v.astype(np.float32) for v in (BETA_A, BETA_B, BETA_X)]
    check_like_jax(ours(*args32), theirs(*args32), rtol=1e-4, atol=1e-6)
    edges = (np.array([0.0, 1.0, 2.0, 1.0, -1.0, 0.0, np.inf, 2.0, 2.0]),
             np.array([1.0, 0.0, 3.0, np.inf, 1.0, 0.0, 1.0, 3.0, 3.0]),
             np.array([0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 0.5, 1.0, 1.5]))
    check_like_jax(ours(*edges), theirs(*edges))
    check_like_jax(minijax.vmap(minijax.grad(ours, 2))(*args32),
                   jax.vmap(jax.grad(theirs, 2))(*args32), rtol=2e-4, atol=1e-6)
    for argnum in (0, 1):   # JAX raises ValueError for these; so do we
        with pytest.raises(ValueError, match="with respect to a and b"):
            minijax.grad(ours, argnum)(2.0, 3.0, 0.4)
    with x64():
        check_like_jax(ours(BETA_A, BETA_B, BETA_X), theirs(BETA_A, BETA_B, BETA_X),
                       rtol=1e-10, atol=1e-13)
        check_grads(lambda x: ours(2.5, 3.5, x), (BETA_X[[0, 1, 3, 6]],), order=2)
    with pytest.raises(ValueError, match="complex"):
        ours(1.0, 1.0, np.complex64(0.5))


@pytest.mark.parametrize("name", ["gammainc", "gammaincc", "betainc"])
def test_incomplete_functions_under_jit(name):
    ours, theirs = _pair(name)
    args = ((GAMMA_A, GAMMA_X) if name != "betainc" else (BETA_A, BETA_B, BETA_X))
    args = [v.astype(np.float32) for v in args]
    jitted = minijax.jit(ours)
    check_like_jax(jitted(*args), jax.jit(theirs)(*args), rtol=1e-4, atol=1e-6)
    # Eagerly, the same compiled formula runs: the same bits as under jit.
    np.testing.assert_array_equal(np.asarray(jitted(*args)), np.asarray(ours(*args)))
    check_like_jax(minijax.jit(minijax.vmap(ours))(*args), jax.vmap(theirs)(*args),
                   rtol=1e-4, atol=1e-6)
    # float16 computes in float32 and rounds back, as JAX does.
    args16 = [v.astype(np.float16) for v in args]
    check_like_jax(ours(*args16), theirs(*args16), rtol=2e-3, atol=1e-3)
