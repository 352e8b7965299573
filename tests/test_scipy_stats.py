"""minijax.scipy.stats against jax.scipy.stats: every function of every
distribution, values in float32 and float64 with broadcast parameters,
gradients against jax.grad and by finite differences, vmap and jit."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads
from helpers import check_like_jax, x64

X = np.array([-3.0, -0.5, 0.0, 0.3, 0.5, 0.9, 1.0, 2.5, 7.0])
Q = np.array([0.0, 0.01, 0.3, 0.5, 0.8, 1.0])
LOC = np.array([[0.0], [0.5]])      # broadcasts against X: shape (2, 9)
SCALE = np.array([[1.0], [2.0]])

# distribution, function, arguments (x first), points for finite differences
CASES = []
for dist in ("norm", "laplace", "logistic", "cauchy", "expon", "uniform"):
    has = set(dir(getattr(jax.scipy.stats, dist)))      # each has its own subset
    for fn in sorted({"logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"} & has):
        CASES.append((dist, fn, (X, LOC, SCALE), (np.array([0.2, 1.3, 2.1]), 0.1, 1.5)))
    for fn in sorted({"ppf", "isf"} & has):
        CASES.append((dist, fn, (Q, LOC, SCALE), (np.array([0.2, 0.6]), 0.1, 1.5)))
CASES += [
    ("t", "logpdf", (X, np.array([[1.0], [4.5]]), 0.5, 2.0), (X, 3.0, 0.5, 2.0)),
    ("t", "pdf", (X, 3.0), (X, 3.0)),
    ("gamma", "logpdf", (X, np.array([[0.5], [3.0]]), 0.0, 2.0),
     (np.array([0.3, 2.5, 7.0]), 3.0, -0.1, 2.0)),
    ("gamma", "pdf", (X, 2.0), None),
    ("beta", "logpdf", (X, np.array([[0.5], [3.0]]), 2.0, -0.5, 2.0),
     (np.array([0.1, 0.7]), 1.5, 2.0)),
    ("beta", "pdf", (X, 2.0, 3.0), None),
    ("poisson", "logpmf", (np.array([-1.0, 0.0, 1.0, 2.5, 3.0, 10.0]), np.array([[0.5], [4.0]])),
     None),
    ("poisson", "pmf", (np.array([0.0, 1.0, 3.0]), 2.0, 1.0), None),
    ("poisson", "entropy", (np.array([0.0, 0.5, 3.0, 25.0, 400.0]),), None),
    ("bernoulli", "logpmf", (np.array([0.0, 1.0, 2.0, -1.0]), np.array([[0.0], [0.3], [1.0]])),
     None),
    ("bernoulli", "pmf", (np.array([0.0, 1.0]), 0.3), None),
    ("bernoulli", "cdf", (np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), np.array([[0.3], [1.5]])), None),
    ("bernoulli", "ppf", (Q, np.array([[0.3], [0.7]])), None),
]

# The CDFs: the incomplete gamma and beta functions. (beta's are
# differentiable in x, loc and scale only, as in JAX.)
CHI2_X = np.array([-1.0, 0.0, 0.3, 1.0, 2.5, 7.0, 30.0])
for _fn in ("cdf", "logcdf", "sf", "logsf"):
    CASES += [
        ("gamma", _fn, (CHI2_X, np.array([[0.5], [3.0]]), 0.0, 2.0),
         (np.array([0.3, 2.5, 7.0]), 3.0, -0.1, 2.0)),
        ("beta", _fn, (X, np.array([[0.5], [3.0]]), 2.0, -0.5, 2.0), None),
        ("chi2", _fn, (CHI2_X, np.array([[1.0], [4.5]]), 0.5, 2.0),
         (np.array([0.8, 2.5, 7.0]), 3.0, 0.1, 1.5)),
    ]
for _fn in ("logpdf", "pdf"):   # chi2's density away from JAX's nans (see below)
    CASES.append(("chi2", _fn, (CHI2_X[CHI2_X != 0], np.array([[1.0], [2.0], [4.5]]), 0.0, 2.0),
                  (np.array([0.8, 2.5, 7.0]), 3.0, 0.1, 1.5)))
CASES.append(("poisson", "cdf", (np.array([-1.0, 0.0, 1.0, 2.5, 3.0, 10.0]),
                                 np.array([[0.5], [4.0]]), np.array([[0.0], [1.0]])), None))

MISSING = set()   # nothing of these distributions is missing any more


def _pair(dist, fn):
    return (getattr(getattr(minijax.scipy.stats, dist), fn),
            getattr(getattr(jax.scipy.stats, dist), fn))


def test_coverage_of_the_distributions():
    names = ["norm", "multivariate_normal", "bernoulli", "beta", "gamma", "poisson", "uniform",
             "expon", "laplace", "logistic", "t", "cauchy", "chi2", "dirichlet"]
    missing = [(d, f) for d in names for f in dir(getattr(jax.scipy.stats, d))
               if not f.startswith("_") and not hasattr(getattr(minijax.scipy.stats, d), f)]
    assert set(missing) == MISSING, set(missing) ^ MISSING


@pytest.mark.parametrize("dist,fn,args,smooth", CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_values_and_gradients(dist, fn, args, smooth):
    ours, theirs = _pair(dist, fn)
    args32 = [np.asarray(a, np.float32) for a in args]
    check_like_jax(ours(*args32), theirs(*args32), rtol=2e-5, atol=2e-6)
    with x64():
        check_like_jax(ours(*args), theirs(*args), rtol=1e-12, atol=1e-14)
        if smooth is not None:
            smooth = tuple(np.asarray(a, np.float64) for a in smooth)
            for argnum in range(len(smooth)):
                check_like_jax(minijax.grad(lambda *a: ours(*a).sum(), argnum)(*smooth),
                               jax.grad(lambda *a: theirs(*a).sum(), argnum)(*smooth),
                               rtol=1e-10, atol=1e-12)
            check_grads(ours, smooth, order=1)


@pytest.mark.parametrize("dist,fn", [("norm", "logcdf"), ("t", "logpdf"), ("expon", "ppf")])
def test_vmap_and_jit(dist, fn):
    ours, theirs = _pair(dist, fn)
    x = (Q[1:-1] if fn == "ppf" else X).astype(np.float32)
    extra = (np.float32(3.0),) if dist == "t" else ()
    check_like_jax(minijax.vmap(lambda v: ours(v, *extra))(x),
                   jax.vmap(lambda v: theirs(v, *extra))(x), rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.jit(lambda v: ours(v, *extra))(x), theirs(x, *extra),
                   rtol=2e-5, atol=2e-6)


def _covariance(n, batch=()):
    a = np.arange(1.0, 1.0 + n * n * int(np.prod(batch))).reshape(batch + (n, n)) % 5 / 3
    return a @ np.swapaxes(a, -1, -2) + np.eye(n)


@pytest.mark.parametrize("x,mean,cov", [
    (np.array([0.3, -1.0]), 0.5, 2.0),                               # scalar mean and cov
    (np.array([[0.3, -1.0, 2.0], [1.0, 0.0, 0.5]]), np.zeros(3), 1.5),   # scalar cov
    (np.array([[0.3, -1.0, 2.0], [1.0, 0.0, 0.5]]), np.array([0.1, 0.2, 0.3]), _covariance(3)),
    (np.array([[0.3, -1.0], [1.0, 0.5]]), np.zeros(2), _covariance(2, (2,))),   # batched cov
])
def test_multivariate_normal(x, mean, cov):
    ours, theirs = minijax.scipy.stats.multivariate_normal, jax.scipy.stats.multivariate_normal
    f32 = [np.asarray(a, np.float32) for a in (x, mean, cov)]
    check_like_jax(ours.logpdf(*f32), theirs.logpdf(*f32), rtol=2e-5, atol=2e-5)
    check_like_jax(ours.pdf(*f32), theirs.pdf(*f32), rtol=2e-5, atol=2e-6)
    with x64():
        check_like_jax(ours.logpdf(x, mean, cov), theirs.logpdf(x, mean, cov), rtol=1e-12,
                       atol=1e-12)
        for argnum in (0, 1, 2):
            check_like_jax(minijax.grad(lambda *a: ours.logpdf(*a).sum(), argnum)(x, mean, cov),
                           jax.grad(lambda *a: theirs.logpdf(*a).sum(), argnum)(x, mean, cov),
                           rtol=1e-10, atol=1e-12)


def test_multivariate_normal_bad_input():
    with pytest.raises(ValueError, match="incompatible shapes"):
        minijax.scipy.stats.multivariate_normal.logpdf(np.zeros(3), np.zeros(3), np.eye(2))
    with pytest.raises(NotImplementedError, match="allow_singular"):
        minijax.scipy.stats.multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.eye(2),
                                                       allow_singular=True)
    with pytest.raises(TypeError, match="norm.logpdf"):
        minijax.scipy.stats.norm.logpdf([1.0, 2.0])


@pytest.mark.parametrize("dist,fn", [("gamma", "cdf"), ("beta", "sf"), ("chi2", "logsf"),
                                     ("poisson", "cdf")])
def test_cdfs_under_vmap_and_jit(dist, fn):
    ours, theirs = _pair(dist, fn)
    x = (np.abs(X) if dist != "beta" else X / 7).astype(np.float32)
    shape = (np.float32(2.0),) * (2 if dist == "beta" else 1)
    check_like_jax(minijax.vmap(lambda v: ours(v, *shape))(x),
                   jax.vmap(lambda v: theirs(v, *shape))(x), rtol=1e-4, atol=1e-6)
    check_like_jax(minijax.jit(lambda v: ours(v, *shape))(x), theirs(x, *shape),
                   rtol=1e-4, atol=1e-6)


def test_gamma_cdf_derivative_in_the_shape_and_beta_cdf_refuses_it():
    ours, theirs = _pair("gamma", "cdf")
    with x64():
        check_like_jax(minijax.grad(ours, 1)(2.5, 3.0), jax.grad(theirs, 1)(2.5, 3.0), rtol=1e-9)
    with pytest.raises(ValueError, match="with respect to a and b"):
        minijax.grad(minijax.scipy.stats.beta.cdf, 1)(0.3, 2.0, 3.0)


def test_chi2_density_where_jax_gives_nan():
    """JAX's chi2 density is nan at x = loc for df = 2 and at x = inf; ours
    is the gamma distribution's there (scipy's values)."""
    ours = minijax.scipy.stats.chi2.logpdf
    x = np.array([0.0, np.inf], np.float32)
    np.testing.assert_allclose(np.asarray(ours(x, 2.0)), [np.log(0.5), -np.inf])
    assert np.isnan(np.asarray(jax.scipy.stats.chi2.logpdf(x, 2.0))).all()


DIRICHLET_ALPHA = np.array([0.5, 2.0, 3.5])
DIRICHLET_X = [
    np.array([0.2, 0.3, 0.5]),                                   # one point
    np.array([[0.2, 0.1], [0.3, 0.6], [0.5, 0.3]]),              # two points (axis 1)
    np.array([[0.2, 0.1], [0.3, 0.6]]),                          # the last entries implied
    np.array([[0.2, 0.5], [0.3, 0.6], [0.5, 0.3]]),              # one point off the simplex
    np.array([0.0, 0.5, 0.5]),                                   # on the boundary
]


@pytest.mark.parametrize("x", DIRICHLET_X, ids=range(len(DIRICHLET_X)))
def test_dirichlet(x):
    for fn in ("logpdf", "pdf"):
        ours, theirs = _pair("dirichlet", fn)
        check_like_jax(ours(x.astype(np.float32), DIRICHLET_ALPHA.astype(np.float32)),
                       theirs(x.astype(np.float32), DIRICHLET_ALPHA.astype(np.float32)),
                       rtol=2e-5, atol=2e-6)
        with x64():
            check_like_jax(ours(x, DIRICHLET_ALPHA), theirs(x, DIRICHLET_ALPHA), rtol=1e-12)
            for argnum in (0, 1):
                check_like_jax(minijax.grad(lambda *a: ours(*a).sum(), argnum)(x, DIRICHLET_ALPHA),
                               jax.grad(lambda *a: theirs(*a).sum(), argnum)(x, DIRICHLET_ALPHA),
                               rtol=1e-10, atol=1e-12)


def test_dirichlet_vmap_jit_and_bad_input():
    ours, theirs = _pair("dirichlet", "logpdf")
    x = DIRICHLET_X[1].T.astype(np.float32)       # points along axis 0 for vmap
    alpha = DIRICHLET_ALPHA.astype(np.float32)
    check_like_jax(minijax.vmap(ours, (0, None))(x, alpha), jax.vmap(theirs, (0, None))(x, alpha),
                   rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.jit(ours)(x.T, alpha), theirs(x.T, alpha), rtol=2e-5, atol=2e-6)
    with pytest.raises(ValueError, match="one-dimensional"):
        ours(np.ones(3) / 3, np.ones((3, 1)))
    with pytest.raises(ValueError, match="one\\s+entry fewer|one entry fewer"):
        ours(np.ones(5) / 5, np.ones(3))
    with pytest.raises(TypeError, match="dirichlet.logpdf"):
        ours([0.5, 0.5], np.ones(2))
