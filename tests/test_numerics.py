"""Last-ulp agreement of eager minijax with XLA (real ``jax.jit`` on CPU).

Eager minijax computes with numpy; jit runs XLA. For exp, log, log1p, tanh,
logistic and cosh, XLA uses its own approximations, which ``minijax/lax/xla_math.py``
replays, so there the two must agree bit for bit. For sin and cos, minijax
rounds a float64 result (``_via_float64``), which must agree with XLA at least
as often as numpy's own float32 kernel does. Division by a broadcast divisor
follows XLA's rewrite into multiplication by the reciprocal.

The bit-exact claim depends on XLA's CPU code generation: it fuses
multiply-adds where the processor has FMA instructions (every x86-64 chip of
the last decade). Elsewhere the tests only ask for a close match.
"""
import platform

import jax
import numpy as np
import pytest

import minijax
import minijax.lax as lax
import minijax.numpy as jnp
from minijax.lax import xla_math

from helpers import x64


def _cpu_has_fma():
    try:
        with open("/proc/cpuinfo") as f:
            return " fma " in f.read()
    except OSError:
        return False


XLA_FUSES_FMA = platform.machine() in ("x86_64", "AMD64") and _cpu_has_fma()
RNG = np.random.default_rng(20261122)

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45, 1e-38, 1e-7, -1e-7,
           0.0004, -0.0004, 1.0, -1.0, 7.99, 8.0, -8.0, 20.0, -20.0, 88.72, 88.73,
           -87.3, -87.4, -104.0, 3.4e38, -3.4e38]


def samples(lo, hi, dtype, n=200_000):
    """Special values and ``n`` uniform draws from [lo, hi]; a string ``lo``
    asks for magnitudes spread evenly over float32's whole exponent range."""
    if lo == "magnitudes":
        draws = np.exp(RNG.uniform(np.log(1e-38), np.log(3e38), n))
        draws[: n // 10] *= -1
    else:
        draws = RNG.uniform(lo, hi, n)
    with np.errstate(over="ignore"):
        return np.concatenate([np.array(SPECIAL), draws]).astype(dtype)


def same_bits(a, b):
    """Elementwise: equal values with equal signs of zero, or both nan."""
    a, b = np.asarray(a), np.asarray(b)
    return (a == b) & (np.signbit(a) == np.signbit(b)) | (np.isnan(a) & np.isnan(b))


def ulp_distance(a, b):
    """How many float32 values lie between a and b (nan pairs count 0)."""
    def ordered(v):
        i = np.asarray(v, np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    d = np.abs(ordered(a) - ordered(b))
    return np.where(np.isnan(a) & np.isnan(b), 0, d)


REPLAYED = [("exp", -90, 90), ("tanh", -25, 25), ("logistic", -100, 100), ("cosh", -90, 90),
            ("log", "magnitudes", None), ("log", 0.3, 3), ("log1p", -1, 2),
            ("log1p", "magnitudes", None)]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name,lo,hi", REPLAYED)
def test_replayed_kernels_match_xla(name, lo, hi, dtype):
    x = samples(lo, hi, dtype)
    ours = np.asarray(getattr(lax, name)(jnp.asarray(x)))
    theirs = np.asarray(jax.jit(getattr(jax.lax, name))(x))
    assert ours.dtype == theirs.dtype == dtype
    if XLA_FUSES_FMA:
        bad = ~same_bits(ours, theirs)
        assert not bad.any(), (x[bad][:5], ours[bad][:5], theirs[bad][:5])
    else:
        assert ulp_distance(ours.astype(np.float32), theirs.astype(np.float32)).max() <= 4


@pytest.mark.parametrize("name,lo,hi", REPLAYED)
def test_eager_equals_minijax_jit(name, lo, hi):
    """Whatever the processor, eager and jit minijax see the same XLA."""
    x = jnp.asarray(samples(lo, hi, np.float32, n=20_000))
    f = getattr(lax, name)
    eager, compiled = np.asarray(f(x)), np.asarray(minijax.jit(f)(x))
    if XLA_FUSES_FMA:
        assert same_bits(eager, compiled).all()
    else:
        assert ulp_distance(eager, compiled).max() <= 4


def test_replayed_kernels_track_the_true_functions():
    """The replays approximate the true functions well: exp and log within an
    ulp of the correctly rounded result, tanh within 5 (the largest errors
    seen on 5 million draws)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-87, 88, 200_000).astype(np.float32)
    assert ulp_distance(xla_math.exp32(x), np.exp(x.astype(np.float64))).max() <= 1
    x = np.exp(rng.uniform(np.log(1e-37), np.log(3e38), 200_000)).astype(np.float32)
    assert ulp_distance(xla_math.log32(x), np.log(x.astype(np.float64))).max() <= 1
    x = rng.uniform(-10, 10, 200_000).astype(np.float32)
    assert ulp_distance(xla_math.tanh32(x), np.tanh(x.astype(np.float64))).max() <= 5


def test_other_dtypes_keep_numpy_kernels():
    x = RNG.uniform(-5, 5, 1000)
    with x64():
        np.testing.assert_array_equal(np.asarray(lax.tanh(jnp.asarray(x))), np.tanh(x))
        np.testing.assert_array_equal(np.asarray(lax.exp(jnp.asarray(x))), np.exp(x))
    z = (x + 1j * x[::-1]).astype(np.complex64)
    np.testing.assert_allclose(np.asarray(lax.exp(jnp.asarray(z))), np.exp(z), rtol=1e-6)


VIA_FLOAT64 = [("sin", np.sin, -100, 100),
               ("cos", np.cos, -100, 100)]


@pytest.mark.parametrize("name,np_fn,lo,hi", VIA_FLOAT64)
def test_float64_rounding_agrees_with_xla_more_often(name, np_fn, lo, hi):
    x = RNG.uniform(lo, hi, 100_000).astype(np.float32)
    theirs = np.asarray(jax.jit(getattr(jax.lax, name))(x))
    ours = np.asarray(getattr(lax, name)(jnp.asarray(x)))
    numpy32 = np_fn(x)
    assert np.mean(same_bits(ours, theirs)) >= np.mean(same_bits(numpy32, theirs))
    assert ulp_distance(ours, theirs).max() <= 1


def test_rsqrt_is_within_xlas_own_error():
    """XLA's rsqrt refines the processor's reciprocal-square-root estimate,
    which differs between chip makers, so no replay can match it everywhere;
    it promises 2 ulps of the true value, and so do we."""
    x = RNG.uniform(1e-3, 1e4, 100_000).astype(np.float32)
    theirs = np.asarray(jax.jit(jax.lax.rsqrt)(x))
    ours = np.asarray(lax.rsqrt(jnp.asarray(x)))
    assert ulp_distance(ours, theirs).max() <= 2


DIVISORS = {"python scalar": lambda x: 7.3, "rank-0 array": lambda x: np.asarray(7.3, x.dtype),
            "column": lambda x: RNG.uniform(1, 10, (x.shape[0], 1)).astype(x.dtype),
            "row": lambda x: RNG.uniform(1, 10, x.shape[1]).astype(x.dtype),
            "full": lambda x: RNG.uniform(1, 10, x.shape).astype(x.dtype)}


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("divisor", DIVISORS)
def test_division_rounds_like_xla(divisor, dtype):
    """XLA multiplies by the reciprocal of a broadcast divisor (``x / 3`` is
    ``x * (1/3)``, which differs from true division in about a quarter of
    the float32 results); a divisor of the result's own shape divides. Eager
    minijax does the same, so it prints what JAX prints; and so does jit."""
    x = RNG.uniform(1, 10, (300, 40)).astype(dtype)
    y = DIVISORS[divisor](x)
    theirs = np.asarray(jax.numpy.asarray(x) / y)
    np.testing.assert_array_equal(np.asarray(jnp.asarray(x) / y), theirs)
    np.testing.assert_array_equal(np.asarray(minijax.jit(lambda a, b: a / b)(x, y)), theirs)
    # The other way round nothing is rewritten: y / x divides.
    np.testing.assert_array_equal(np.asarray(y / jnp.asarray(x)),
                                  np.asarray(y / jax.numpy.asarray(x)))
    if divisor != "full":   # the rewrite is visible: true division would differ
        assert not np.array_equal(theirs, (x / y).astype(dtype))


def test_division_keeps_ieee_special_values():
    x = jnp.asarray([1.0, 0.0, -2.0, np.inf, np.nan])
    for y in (0.0, np.inf, -0.0, 3.0):
        np.testing.assert_array_equal(np.asarray(x / y),
                                      np.asarray(jax.numpy.asarray(np.asarray(x)) / y))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_max_and_min_order_signed_zeros_like_xla(dtype):
    # Found by the conformance sweep (nn.celu(-0.) in float16): numpy's
    # maximum and minimum may return either zero; XLA's take -0 < +0.
    v = np.array([0.0, -0.0, 1.0], dtype)
    for ours, theirs in [(jnp.maximum, jax.numpy.maximum), (jnp.minimum, jax.numpy.minimum)]:
        np.testing.assert_array_equal(np.signbit(ours(v[:, None], v[None, :])),
                                      np.signbit(jax.jit(theirs)(v[:, None], v[None, :])))


COMPOSITES = {
    "log10": lambda np_, nn, x: np_.log10(np_.abs(x)),
    "log2": lambda np_, nn, x: np_.log2(np_.abs(x)),
    "sigmoid": lambda np_, nn, x: nn.sigmoid(x),
    "softplus": lambda np_, nn, x: nn.softplus(x),
    "silu": lambda np_, nn, x: nn.silu(x),
    "gelu (tanh)": lambda np_, nn, x: nn.gelu(x),
    "mean over rows": lambda np_, nn, x: np_.mean(x, axis=0),
    "x / 7 + exp(-x)": lambda np_, nn, x: x / 7 + np_.exp(-x),
}


@pytest.mark.parametrize("name", COMPOSITES)
def test_functions_built_from_replayed_kernels_print_like_jax(name):
    """jnp and nn functions composed of the replayed primitives (and of
    sums that add along the slow axis, whose order XLA and numpy share)
    equal JAX's results bit for bit."""
    x = np.random.default_rng(1).uniform(-6, 6, (8, 5)).astype(np.float32)
    ours = COMPOSITES[name](jnp, minijax.nn, jnp.asarray(x))
    theirs = COMPOSITES[name](jax.numpy, jax.nn, jax.numpy.asarray(x))
    if XLA_FUSES_FMA:
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    else:
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)


# dot_general's numpy kernels (minijax/lax/dot_kernels.py): the fast path for
# each case must agree with XLA at least as often as the general batched
# matmul does, and give the same values up to rounding.
DOT_CASES = {
    "matrix product": ((30, 40), (40, 50), (((1,), (0,)), ((), ()))),
    "transposed lhs": ((40, 30), (40, 50), (((0,), (0,)), ((), ()))),
    "rows @ matrix": ((16, 1, 24), (24, 32), (((2,), (0,)), ((), ()))),
    "vector dot": ((300,), (300,), (((0,), (0,)), ((), ()))),
    "two contracting axes": ((30, 20), (30, 20), (((0, 1), (0, 1)), ((), ()))),
    "outer product": ((30, 4), (5,), (((), ()), ((), ()))),
    "batched outer": ((16, 24), (16, 32), (((), ()), ((0,), (0,)))),
    "batched, size-1 contraction": ((16, 24, 1), (16, 1, 32), (((2,), (1,)), ((0,), (0,)))),
    "true batch": ((8, 5, 6), (8, 6, 7), (((2,), (1,)), ((0,), (0,)))),
    "batch axes elsewhere": ((6, 10, 12), (12, 10, 6), (((1, 2), (1, 0)), ((0,), (2,)))),
}


@pytest.mark.parametrize("case", DOT_CASES)
def test_dot_fast_paths_agree_with_xla_as_often_as_batched_matmul(case):
    from minijax.lax import dot_kernels
    lhs_shape, rhs_shape, dn = DOT_CASES[case]
    lhs = RNG.standard_normal(lhs_shape).astype(np.float32)
    rhs = RNG.standard_normal(rhs_shape).astype(np.float32)
    theirs = np.asarray(jax.jit(lambda a, b: jax.lax.dot_general(a, b, dn))(lhs, rhs))
    ours = np.asarray(lax.dot_general(jnp.asarray(lhs), jnp.asarray(rhs), dn))
    general = dot_kernels.batched_matmul(lhs, rhs, dn)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert same_bits(ours, theirs).mean() >= same_bits(general, theirs).mean()
    if not dn[0][0] or case == "batched, size-1 contraction":   # one product per element
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.complex64, np.float64])
@pytest.mark.parametrize("case", ["outer product", "batched outer", "vector dot", "true batch",
                                  "two contracting axes"])
def test_dot_fast_paths_equal_batched_matmul_on_other_dtypes(case, dtype):
    from minijax.lax import dot_kernels
    lhs_shape, rhs_shape, dn = DOT_CASES[case]
    lhs = (RNG.standard_normal(lhs_shape) * 3).astype(dtype)
    rhs = (RNG.standard_normal(rhs_shape) * 3).astype(dtype)
    ours = dot_kernels.dot_general(lhs, rhs, dn)
    general = dot_kernels.batched_matmul(lhs, rhs, dn)
    assert ours.dtype == general.dtype and ours.shape == general.shape
    np.testing.assert_allclose(ours, general, rtol=1e-12 if dtype == np.float64 else 1e-5)


def test_dot_of_empty_operands():
    from minijax.lax import dot_kernels
    for lhs_shape, rhs_shape, dn in [((3, 0), (0, 4), (((1,), (0,)), ((), ()))),
                                     ((0, 3), (0, 4), (((), ()), ((0,), (0,)))),
                                     ((2, 0, 3), (2, 3, 5), (((2,), (1,)), ((0,), (0,))))]:
        lhs, rhs = np.ones(lhs_shape, np.float32), np.ones(rhs_shape, np.float32)
        np.testing.assert_array_equal(dot_kernels.dot_general(lhs, rhs, dn),
                                      dot_kernels.batched_matmul(lhs, rhs, dn))
