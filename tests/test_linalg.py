"""Linear algebra against real JAX: values, derivatives, jit and vmap.

Each case is a function written once against a ``(numpy, scipy.linalg, lax.linalg)``
namespace, so the same code runs on minijax and on JAX, and a recipe for its
arguments (Hermitian positive-definite, triangular, general). Where the
result is not unique (the signs or phases of eigenvectors and singular
vectors) the case returns sign-invariant quantities instead: reconstructions,
|v|^2, projectors. For every case:

* values equal JAX's, eagerly, under ``jit`` and under ``vmap`` (float32 and
  complex64, batched over a leading axis);
* ``grad`` of a real loss of the outputs equals JAX's;
* ``check_grads`` (forward and reverse mode against finite differences) in
  float64 / complex128.
"""
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp
import minijax.scipy.linalg as msl
from minijax.lax import linalg as mlax_linalg
from minijax.test_util import check_grads

from helpers import check_like_jax, x64

OURS = (mjnp, msl, mlax_linalg)
THEIRS = (jnp, jsl, jax.lax.linalg)

# ---------------------------------------------------------------------------
# Arguments


def general(rng, shape, dtype):
    x = rng.randn(*shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.randn(*shape)
    return x.astype(dtype)


def hermitian_pd(rng, shape, dtype):
    """Well-conditioned Hermitian positive definite, eigenvalues well separated."""
    x = general(rng, shape, dtype)
    n = shape[-1]
    return (x @ np.conj(np.swapaxes(x, -1, -2)) / n
            + np.diag(np.arange(1, n + 1, dtype=np.float64)).astype(dtype))


def lower_triangular(rng, shape, dtype):
    n = shape[-1]
    return (np.tril(general(rng, shape, dtype)) * 0.3 + 2 * np.eye(n)).astype(dtype)


def well_conditioned(rng, shape, dtype):
    return (general(rng, shape, dtype) * 0.3 + 2 * np.eye(shape[-2], shape[-1])).astype(dtype)


def distinct_singular_values(rng, shape, dtype):
    """u diag(s) vh with well separated singular values."""
    m, n = shape[-2:]
    k = min(m, n)
    u = np.linalg.qr(general(rng, shape[:-2] + (m, m), dtype))[0][..., :k]
    v = np.linalg.qr(general(rng, shape[:-2] + (n, n), dtype))[0][..., :k]
    s = np.arange(k, 0, -1) + 1.0
    return ((u * s) @ np.conj(np.swapaxes(v, -1, -2))).astype(dtype)


class Case(NamedTuple):
    name: str
    fn: Callable            # fn(np_, sl, lax_linalg) -> f(*args)
    args: tuple             # recipes: (make, shape)
    complex_ok: bool = True
    tol: float = 2e-4       # float32 comparison with JAX
    fd_order: int = 2       # order of check_grads


def abs2(np_, x):
    return np_.real(x * np_.conj(x))


def hermitian_part(np_, a):
    return (a + np_.conj(np_.swapaxes(a, -1, -2))) / 2


def _eigh_invariants(np_, sl, la):
    def f(a):
        w, v = np_.linalg.eigh(a)
        return w, abs2(np_, v), (v * w[..., None, :]) @ np_.conj(np_.swapaxes(v, -1, -2))
    return f


def _svd_invariants(np_, sl, la):
    def f(a):
        u, s, vh = np_.linalg.svd(a, full_matrices=False)
        return s, abs2(np_, u), abs2(np_, vh), (u * s[..., None, :]) @ vh
    return f


def _qr_invariants(mode):
    def fn(np_, sl, la):
        def f(a):
            q, r = np_.linalg.qr(a, mode=mode)
            # Householder QR is deterministic: the same LAPACK choices in
            # numpy and in XLA, so q and r are compared as they are.
            return q, r
        return f
    return fn


CASES = [
    Case("cholesky", lambda np_, sl, la: np_.linalg.cholesky, ((hermitian_pd, (4, 4)),)),
    Case("cholesky_upper", lambda np_, sl, la: lambda a: np_.linalg.cholesky(a, upper=True),
         ((hermitian_pd, (3, 3)),)),
    Case("lax_cholesky", lambda np_, sl, la: la.cholesky, ((hermitian_pd, (3, 3)),)),
    Case("triangular_solve_left", lambda np_, sl, la: lambda a, b: la.triangular_solve(
        a, b, left_side=True, lower=True), ((lower_triangular, (4, 4)), (general, (4, 3)))),
    Case("triangular_solve_right_trans_conj", lambda np_, sl, la: lambda a, b:
         la.triangular_solve(a, b, left_side=False, lower=True, transpose_a=True,
                             conjugate_a=True), ((lower_triangular, (4, 4)), (general, (2, 4)))),
    Case("triangular_solve_upper_unit", lambda np_, sl, la: lambda a, b: la.triangular_solve(
        np_.swapaxes(a, -1, -2), b, left_side=True, lower=False, unit_diagonal=True),
        ((lower_triangular, (3, 3)), (general, (3, 2)))),
    Case("eigh", _eigh_invariants, ((hermitian_pd, (4, 4)),)),
    Case("eigvalsh_upper", lambda np_, sl, la: lambda a: np_.linalg.eigvalsh(a, UPLO="U"),
         ((hermitian_pd, (3, 3)),)),
    Case("svd_square", _svd_invariants, ((distinct_singular_values, (3, 3)),)),
    Case("svd_tall", _svd_invariants, ((distinct_singular_values, (4, 2)),)),
    Case("svd_wide", _svd_invariants, ((distinct_singular_values, (2, 4)),)),
    Case("svd_values", lambda np_, sl, la: lambda a: np_.linalg.svd(a, compute_uv=False),
         ((distinct_singular_values, (4, 3)),)),
    Case("qr_reduced_tall", _qr_invariants("reduced"), ((well_conditioned, (4, 3)),)),
    Case("qr_square", _qr_invariants("complete"), ((well_conditioned, (3, 3)),)),
    Case("solve", lambda np_, sl, la: np_.linalg.solve,
         ((well_conditioned, (4, 4)), (general, (4, 2)))),
    Case("solve_vector", lambda np_, sl, la: np_.linalg.solve,
         ((well_conditioned, (3, 3)), (general, (3,)))),
    Case("inv", lambda np_, sl, la: np_.linalg.inv, ((well_conditioned, (3, 3)),)),
    Case("det", lambda np_, sl, la: np_.linalg.det, ((well_conditioned, (4, 4)),)),
    Case("slogdet", lambda np_, sl, la: lambda a: np_.linalg.slogdet(a)[1],
         ((well_conditioned, (4, 4)),)),
    Case("slogdet_sign", lambda np_, sl, la: lambda a: np_.linalg.slogdet(a)[0],
         ((well_conditioned, (3, 3)),), fd_order=0),
    Case("pinv", lambda np_, sl, la: np_.linalg.pinv, ((distinct_singular_values, (4, 3)),)),
    Case("lstsq", lambda np_, sl, la: lambda a, b: np_.linalg.lstsq(a, b)[0],
         ((distinct_singular_values, (5, 3)), (general, (5, 2)))),
    Case("matrix_power", lambda np_, sl, la: lambda a: np_.linalg.matrix_power(a, 3),
         ((well_conditioned, (3, 3)),)),
    Case("matrix_power_negative",
         lambda np_, sl, la: lambda a: np_.linalg.matrix_power(a, -2),
         ((well_conditioned, (3, 3)),)),
    Case("norm_2", lambda np_, sl, la: lambda a: np_.linalg.norm(a, 2, axis=(-2, -1)),
         ((distinct_singular_values, (3, 4)),)),
    Case("norm_nuc", lambda np_, sl, la: lambda a: np_.linalg.norm(a, "nuc", axis=(-2, -1)),
         ((distinct_singular_values, (3, 3)),)),
    Case("norm_minus_2", lambda np_, sl, la: lambda a: np_.linalg.norm(a, -2, axis=(-2, -1)),
         ((distinct_singular_values, (4, 3)),)),
    # scipy's cholesky reads one triangle and, as in JAX, its derivative assumes
    # Hermitian perturbations; symmetrizing first makes that the true derivative.
    Case("scipy_cho_solve", lambda np_, sl, la: lambda a, b: sl.cho_solve(
        sl.cho_factor(hermitian_part(np_, a)), b), ((hermitian_pd, (4, 4)), (general, (4, 2)))),
    Case("scipy_cho_solve_lower", lambda np_, sl, la: lambda a, b: sl.cho_solve(
        sl.cho_factor(hermitian_part(np_, a), lower=True), b),
        ((hermitian_pd, (3, 3)), (general, (3,)))),
    Case("scipy_solve_triangular", lambda np_, sl, la: lambda a, b: sl.solve_triangular(
        a, b, trans="C", lower=True), ((lower_triangular, (4, 4)), (general, (4, 2)))),
    Case("scipy_lu", lambda np_, sl, la: sl.lu, ((well_conditioned, (4, 4)),)),
    Case("scipy_lu_wide", lambda np_, sl, la: sl.lu, ((well_conditioned, (3, 4)),)),
    Case("scipy_lu_factor", lambda np_, sl, la: lambda a: sl.lu_factor(a)[0],
         ((well_conditioned, (4, 4)),)),
    Case("scipy_lu_solve", lambda np_, sl, la: lambda a, b: sl.lu_solve(sl.lu_factor(a), b),
         ((well_conditioned, (4, 4)), (general, (4, 2)))),
    Case("scipy_lu_solve_trans", lambda np_, sl, la: lambda a, b: sl.lu_solve(
        sl.lu_factor(a), b, trans=2), ((well_conditioned, (3, 3)), (general, (3,)))),
    Case("scipy_expm", lambda np_, sl, la: sl.expm, ((general, (3, 3)),), tol=1e-3,
         fd_order=1),
]
CASES_BY_NAME = {c.name: c for c in CASES}
DTYPES = [np.float32, np.complex64]


def make_args(case, dtype, seed=0, batch=()):
    rng = np.random.RandomState(seed)
    return tuple(make(rng, batch + shape, dtype) for make, shape in case.args)


# lstsq and scipy's lu take 2-D arrays only (in numpy, scipy and JAX); a 1-D
# right-hand side with a batch is ambiguous (JAX deprecates it). slogdet's sign
# is piecewise constant (nothing to differentiate).
BATCHABLE = [c for c in CASES if c.name not in (
    "lstsq", "scipy_lu", "scipy_lu_wide", "solve_vector", "scipy_cho_solve_lower",
    "scipy_lu_solve_trans")]
DIFFERENTIABLE = [c for c in CASES if c.fd_order > 0]


def _ids(cases):
    return [c.name for c in cases]


def _tol(case, dtype):
    return dict(rtol=case.tol, atol=case.tol)


def _real_loss(np_, f):
    """A real scalar from any outputs: sum of |y|^2 weighted by a fixed pattern."""
    def loss(*args):
        total = 0.0
        for y in jax.tree_util.tree_leaves(f(*args)) if np_ is jnp else \
                minijax.tree_util.tree_leaves(f(*args)):
            w = np_.cos(np_.arange(y.size, dtype=np_.float32).reshape(y.shape))
            total = total + np_.sum(w * np_.real(y * np_.conj(y)))
        return total
    return loss


# ---------------------------------------------------------------------------
# Values


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "c64"])
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_values_match_jax(case, dtype):
    args = make_args(case, dtype)
    check_like_jax(case.fn(*OURS)(*args), case.fn(*THEIRS)(*args), **_tol(case, dtype))


@pytest.mark.parametrize("case", BATCHABLE, ids=_ids(BATCHABLE))
def test_batched_values_match_jax(case):
    dtype = np.complex64 if case.complex_ok else np.float32
    args = make_args(case, dtype, seed=1, batch=(2, 3))
    check_like_jax(case.fn(*OURS)(*args), case.fn(*THEIRS)(*args), **_tol(case, dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "c64"])
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_jit_matches_jax(case, dtype):
    args = make_args(case, dtype, seed=2)
    check_like_jax(minijax.jit(case.fn(*OURS))(*args), jax.jit(case.fn(*THEIRS))(*args),
                   **_tol(case, dtype))


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_vmap_matches_jax(case):
    dtype = np.complex64
    args = make_args(case, dtype, seed=3, batch=(3,))
    check_like_jax(minijax.vmap(case.fn(*OURS))(*args), jax.vmap(case.fn(*THEIRS))(*args),
                   **_tol(case, dtype))
    # Only the first argument batched: the others are broadcast by the rules.
    if len(args) > 1:
        rest = tuple(a[0] for a in args[1:])
        in_axes = (0,) + (None,) * len(rest)
        check_like_jax(minijax.vmap(case.fn(*OURS), in_axes)(args[0], *rest),
                       jax.vmap(case.fn(*THEIRS), in_axes)(args[0], *rest), **_tol(case, dtype))


# ---------------------------------------------------------------------------
# Derivatives


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "c64"])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_grad_matches_jax(case, dtype):
    args = make_args(case, dtype, seed=4)
    argnums = tuple(range(len(args)))
    ours = minijax.grad(_real_loss(mjnp, case.fn(*OURS)), argnums)(*args)
    theirs = jax.grad(_real_loss(jnp, case.fn(*THEIRS)), argnums)(*args)
    check_like_jax(ours, theirs, rtol=20 * case.tol, atol=20 * case.tol)


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_jit_of_vmap_of_grad_matches_jax(case):
    args = make_args(case, np.complex64, seed=5, batch=(2,))
    ours = minijax.jit(minijax.vmap(minijax.grad(_real_loss(mjnp, case.fn(*OURS)))))(*args)
    theirs = jax.jit(jax.vmap(jax.grad(_real_loss(jnp, case.fn(*THEIRS)))))(*args)
    check_like_jax(ours, theirs, rtol=20 * case.tol, atol=20 * case.tol)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128], ids=["f64", "c128"])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_ids(DIFFERENTIABLE))
def test_check_grads(case, dtype):
    """Forward and reverse mode (and, for order 2, their derivatives) against
    finite differences."""
    with x64():
        args = make_args(case, dtype, seed=6)
        f = case.fn(*OURS)
        # finite differences of a Hermitian-input function must stay Hermitian
        # inputs: the wrappers symmetrize, so any perturbation is fine.
        check_grads(lambda *xs: minijax.tree_util.tree_leaves(f(*xs)), args,
                    order=case.fd_order, modes=("fwd", "rev"), atol=1e-5, rtol=1e-5)


# ---------------------------------------------------------------------------
# Invariants where outputs are not unique


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "c64"])
def test_eigh_and_svd_invariants(dtype):
    rng = np.random.RandomState(7)
    a = hermitian_pd(rng, (2, 4, 4), dtype)
    w, v = mjnp.linalg.eigh(a)
    vh = np.conj(np.swapaxes(v, -1, -2))
    np.testing.assert_allclose(vh @ v, np.broadcast_to(np.eye(4), (2, 4, 4)), atol=1e-5)
    np.testing.assert_allclose((np.asarray(v) * np.asarray(w)[..., None, :]) @ vh, a,
                               rtol=1e-5, atol=1e-5)
    assert np.all(np.diff(np.asarray(w), axis=-1) > 0)
    b = general(rng, (2, 5, 3), dtype)
    for jit in (False, True):
        svd = minijax.jit(mjnp.linalg.svd) if jit else mjnp.linalg.svd
        u, s, vt = svd(b)
        assert u.shape == (2, 5, 5) and vt.shape == (2, 3, 3)
        np.testing.assert_allclose((np.asarray(u)[..., :3] * np.asarray(s)[..., None, :]) @ vt,
                                   b, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(np.conj(np.swapaxes(u, -1, -2)) @ u,
                                   np.broadcast_to(np.eye(5), (2, 5, 5)), atol=1e-5)


def test_cookbook_complex_hermitian_cholesky():
    """The example of JAX's Autodiff Cookbook: grad of sum((L - sin L)^2) with
    L = cholesky(A) for a complex Hermitian A (holomorphic=True)."""
    A = np.array([[5., 2. + 3j, 5j], [2. - 3j, 7., 1. + 7j], [-5j, 1. - 7j, 12.]],
                 np.complex64)

    def f(np_):
        def loss(X):
            L = np_.linalg.cholesky(X)
            return np_.sum((L - np_.sin(L)) ** 2)
        return loss
    ours = minijax.grad(f(mjnp), holomorphic=True)(A)
    theirs = jax.grad(f(jnp), holomorphic=True)(A)
    check_like_jax(ours, theirs, rtol=1e-5, atol=1e-5)
    check_like_jax(minijax.jit(minijax.grad(f(mjnp), holomorphic=True))(A), theirs,
                   rtol=1e-5, atol=1e-5)


def test_failures_give_nans_like_jax():
    not_pd = -np.eye(3, dtype=np.float32)
    for fn in (mjnp.linalg.cholesky, minijax.jit(mjnp.linalg.cholesky)):
        check_like_jax(fn(not_pd), jnp.linalg.cholesky(not_pd))
    singular = np.ones((3, 3), np.float32)
    assert float(mjnp.linalg.det(singular)) == float(jnp.linalg.det(singular)) == 0.0
    check_like_jax(mjnp.linalg.slogdet(singular)[1], jnp.linalg.slogdet(singular)[1])


@pytest.mark.parametrize("left_side", [True, False])
def test_singular_triangular_solve_gives_infs_like_jax(left_side):
    """A zero on the diagonal gives infs and NaNs where JAX's LAPACK call does,
    eagerly (no LinAlgError: found by the program fuzzer, in the derivative
    of QR) and under jit (StableHLO's own solver spreads NaNs instead)."""
    a = np.triu(np.random.RandomState(3).randn(2, 3, 3))
    a[1, 1, 1] = 0.0
    b = np.random.RandomState(4).randn(2, 3, 2) if left_side else np.ones((2, 2, 3))
    kw = dict(left_side=left_side, lower=False)
    with x64():
        theirs = jax.lax.linalg.triangular_solve(a, b, **kw)
        assert not np.isfinite(np.asarray(theirs)).all()
        for fn in (mlax_linalg.triangular_solve, minijax.jit(mlax_linalg.triangular_solve,
                                                             static_argnames=tuple(kw))):
            check_like_jax(fn(a, b, **kw), theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 3), (2, 5), (3, 2, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_qr_derivatives_of_wide_matrices_match_jax(shape, dtype):
    """m < n: JAX differentiates QR of wide matrices (found by the program
    fuzzer: minijax raised NotImplementedError), also rank-deficient ones."""
    rng = np.random.RandomState(5)
    a = general(rng, shape, dtype)
    t = general(rng, shape, dtype)
    loss = lambda np_: lambda x: np_.abs(np_.linalg.qr(x)[1]).sum()
    with x64():
        check_like_jax(minijax.jvp(mjnp.linalg.qr, (a,), (t,)), jax.jvp(jnp.linalg.qr, (a,), (t,)),
                       rtol=1e-9, atol=1e-9)
        check_like_jax(minijax.grad(loss(mjnp))(a), jax.grad(loss(jnp))(a), rtol=1e-9, atol=1e-9)
        rank_one = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
        sum_r = lambda np_: lambda x: np_.linalg.qr(x)[1].sum()
        check_like_jax(minijax.grad(sum_r(mjnp))(rank_one), jax.grad(sum_r(jnp))(rank_one),
                       rtol=1e-9, atol=1e-9)


def test_slogdet_and_det_signs_match_jax():
    rng = np.random.RandomState(8)
    for seed in range(5):
        a = general(np.random.RandomState(seed), (3, 3), np.float32)
        sign, logdet = mjnp.linalg.slogdet(a)
        check_like_jax((sign, logdet), tuple(jnp.linalg.slogdet(a)))
        check_like_jax(mjnp.linalg.det(a), jnp.linalg.det(a))
    a = general(rng, (2, 3, 3), np.complex64)
    check_like_jax(tuple(mjnp.linalg.slogdet(a)), tuple(jnp.linalg.slogdet(a)))


def test_result_types_are_named_like_numpy():
    a = hermitian_pd(np.random.RandomState(9), (3, 3), np.float32)
    assert mjnp.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert mjnp.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert mjnp.linalg.qr(a)._fields == ("Q", "R")
    assert mjnp.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    check_like_jax(mjnp.linalg.qr(a, mode="r"), jnp.linalg.qr(a, mode="r"))


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf])
def test_every_matrix_norm(ord):
    a = general(np.random.RandomState(10), (2, 3, 4), np.float32)
    check_like_jax(mjnp.linalg.norm(a, ord, axis=(1, 2)), jnp.linalg.norm(a, ord, axis=(1, 2)))
    check_like_jax(mjnp.linalg.norm(a, ord, axis=(2, 1), keepdims=True),
                   jnp.linalg.norm(a, ord, axis=(2, 1), keepdims=True))
    if ord not in ("nuc", -2):   # JAX's derivative of these at equal values differs
        check_like_jax(minijax.grad(lambda x: mjnp.linalg.norm(x, ord, axis=(1, 2)).sum())(a),
                       jax.grad(lambda x: jnp.linalg.norm(x, ord, axis=(1, 2)).sum())(a),
                       rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ord", [None, 0, 1, -1, 2, 3, np.inf, -np.inf, 0.5])
def test_every_vector_norm(ord):
    x = general(np.random.RandomState(11), (3, 5), np.complex64)
    check_like_jax(mjnp.linalg.norm(x, ord, axis=1), jnp.linalg.norm(x, ord, axis=1),
                   rtol=1e-5, atol=1e-6)


def test_lstsq_matches_numpy_results():
    rng = np.random.RandomState(12)
    a, b = general(rng, (6, 3), np.float32), general(rng, (6,), np.float32)
    ours, theirs = mjnp.linalg.lstsq(a, b), jnp.linalg.lstsq(a, b)
    for x, y in zip(ours, theirs):
        check_like_jax(x, y, rtol=1e-4, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError):
        mjnp.linalg.cholesky(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError):
        mjnp.linalg.solve(np.ones((3,), np.float32), np.ones((3,), np.float32))
    with pytest.raises(TypeError):
        mlax_linalg.cholesky(np.eye(3, dtype=np.int32))
    with pytest.raises(TypeError):
        mlax_linalg.triangular_solve(np.eye(3, dtype=np.float32), np.ones((2, 3, 3),
                                                                          np.float32))
    with pytest.raises(ValueError):
        mjnp.linalg.qr(np.eye(3, dtype=np.float32), mode="bogus")
    with pytest.raises(ValueError):
        mjnp.linalg.eigh(np.eye(3, dtype=np.float32), UPLO="X")
    with pytest.raises(TypeError):
        mjnp.linalg.matrix_power(np.eye(3, dtype=np.float32), 1.5)
    with pytest.raises(NotImplementedError):
        mjnp.linalg.qr(np.eye(3, dtype=np.float32), mode="raw")


def test_integer_inputs_are_promoted_like_jax():
    a = np.array([[4, 1], [1, 3]], np.int32)
    check_like_jax(mjnp.linalg.cholesky(a), jnp.linalg.cholesky(a))
    check_like_jax(mjnp.linalg.inv(a), jnp.linalg.inv(a))
    check_like_jax(mjnp.linalg.det(a), jnp.linalg.det(a))


def test_jaxpr_names_the_primitives():
    a = hermitian_pd(np.random.RandomState(13), (3, 3), np.float32)
    text = str(minijax.make_jaxpr(lambda a: (mjnp.linalg.cholesky(a), mjnp.linalg.eigh(a),
                                             mjnp.linalg.det(a)))(a))
    for name in ("cholesky", "eigh", "lu"):
        assert name + "[" in text or name + " " in text, text
