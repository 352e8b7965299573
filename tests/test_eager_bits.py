"""Eager results print what JAX prints: ``jnp.arange``, ``jnp.linspace`` and
``jnp.mean`` are computed the way JAX computes them (bit for bit), and long
float32 sums are at least as accurate as XLA's."""
import jax
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import minijax
import minijax.numpy as jnp


def same_bits(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape)
    np.testing.assert_array_equal(ours, theirs)
    assert (np.signbit(ours) == np.signbit(theirs)).all()


def same_array(ours, theirs):
    """Equal bits, dtype and weak type, and the same repr."""
    same_bits(ours, theirs)
    assert ours.aval.weak_type == theirs.weak_type
    assert repr(ours) == repr(theirs)


def test_the_issues_examples():
    same_array(jnp.linspace(-3., 3., 13), jax.numpy.linspace(-3., 3., 13))
    same_array(jnp.arange(0, 1, .1)[-1], jax.numpy.arange(0, 1, .1)[-1])
    same_array(jnp.mean(jnp.arange(100) < 97), jax.numpy.mean(jax.numpy.arange(100) < 97))


bound = st.floats(-20, 20, allow_nan=False).map(lambda v: round(v, 3))
small_int = st.integers(-20, 20)


@given(st.one_of(st.tuples(bound, bound, st.floats(0.05, 3).map(lambda v: round(v, 2))),
                 st.tuples(small_int, small_int, st.integers(1, 5))),
       st.booleans(), st.sampled_from([None, "float32", "int32"]))
def test_arange_matches_jax_bit_for_bit(bounds, descending, dtype):
    start, stop, step = bounds
    if descending:
        start, stop, step = stop, start, -step
    assume(abs((stop - start) / step) < 500)
    kw = {} if dtype is None else {"dtype": dtype}
    same_array(jnp.arange(start, stop, step, **kw), jax.numpy.arange(start, stop, step, **kw))
    same_array(jnp.arange(start, stop, **kw), jax.numpy.arange(start, stop, **kw))


@pytest.mark.parametrize("args", [(5,), (5.,), (2.5,), (0,), (-3,), (1, 7), (1.5, 4),
                                  (np.float32(0), np.float32(1), np.float32(0.1)),
                                  (3, 0, -0.5), (jnp.asarray(4),)])
def test_arange_scalar_types_like_jax(args):
    theirs = jax.numpy.arange(*[np.asarray(a) if isinstance(a, minijax.Array) else a
                                for a in args])
    same_array(jnp.arange(*args), theirs)


def test_arange_rejects_a_zero_step_like_python():
    with pytest.raises(ZeroDivisionError):
        jnp.arange(0, 1, 0)


@settings(max_examples=12)   # each new ``num`` compiles a program, in JAX and here
@given(bound, bound, st.integers(0, 40), st.booleans(), st.booleans(),
       st.sampled_from([None, "float32", "int32"]))
def test_linspace_matches_jax_bit_for_bit(start, stop, num, endpoint, retstep, dtype):
    kw = dict(endpoint=endpoint, retstep=retstep, dtype=dtype)
    ours, theirs = jnp.linspace(start, stop, num, **kw), jax.numpy.linspace(start, stop, num, **kw)
    for o, t in zip(ours, theirs) if retstep else [(ours, theirs)]:
        same_bits(o, t)


def test_linspace_of_arrays_along_an_axis():
    start, stop = np.array([0., 1., -2.], np.float32), np.float32(5.)
    for axis in (0, 1, -1):
        same_bits(jnp.linspace(start, stop, 9, axis=axis),
                  jax.numpy.linspace(start, stop, 9, axis=axis))


def test_linspace_is_differentiable_and_jittable():
    f = lambda np_, a: np_.sum(np_.linspace(a, 2 * a, 7) ** 2)
    np.testing.assert_allclose(minijax.grad(lambda a: f(jnp, a))(1.5),
                               jax.grad(lambda a: f(jax.numpy, a))(1.5), rtol=1e-6)
    same_bits(minijax.jit(lambda a: f(jnp, a))(1.5), jax.jit(lambda a: f(jax.numpy, a))(1.5))


@given(st.integers(1, 300), st.integers(0, 2**31 - 1), st.sampled_from([None, 0, -1]))
def test_mean_matches_jax_bit_for_bit(n, seed, axis):
    rng = np.random.default_rng(seed)
    bools = rng.random((n, 3)) < rng.random()
    same_array(jnp.mean(bools, axis=axis), jax.numpy.mean(bools, axis=axis))
    # small float sums add in XLA's order (see _sum_impl): the mean is JAX's too
    x = rng.normal(size=(min(n, 32), 3)).astype(np.float32)
    same_array(jnp.mean(x, axis=0), jax.numpy.mean(x, axis=0))


def test_mean_of_float16_averages_in_float32():
    x = np.linspace(0, 3, 300).astype(np.float16)
    same_array(jnp.mean(x), jax.numpy.mean(x))


def test_mean_under_grad_vmap_and_jit_has_jaxs_bits():
    x = (np.arange(100) % 7).astype(np.float32) / 3
    f = lambda np_, x: np_.mean(x * x)
    same_bits(minijax.grad(lambda x: f(jnp, x))(x), jax.grad(lambda x: f(jax.numpy, x))(x))
    xs = np.stack([x, x + 1])
    same_bits(minijax.vmap(lambda x: f(jnp, x))(xs), jax.vmap(lambda x: f(jax.numpy, x))(xs))
    same_bits(minijax.jit(lambda x: f(jnp, x))(x), jax.jit(lambda x: f(jax.numpy, x))(x))


def test_jaxpr_of_mean_divides_by_the_count_as_jaxs_does():
    ours = str(minijax.make_jaxpr(jnp.mean)(np.ones(5, np.float32)))
    assert "div b 5.0:f32[]" in ours and "mul" not in ours


@pytest.mark.parametrize("shift", [0.0, 3.0, 100.0])
def test_long_float32_sums_are_as_accurate_as_xlas(shift):
    X = np.random.default_rng(0).normal(shift, 1, (10000, 10)).astype(np.float32)
    exact = X.astype(np.float64).mean(0)
    eager = np.asarray(jnp.asarray(X).mean(0))
    jitted = np.asarray(minijax.jit(lambda X: X.mean(0))(X))
    assert np.allclose(eager, jitted, rtol=0, atol=1e-6 * max(1.0, shift))
    assert np.abs(eager - exact).max() <= np.abs(jitted - exact).max()
    # the same holds for a sum over every element, and in complex64
    assert abs(float(jnp.sum(X)) - X.astype(np.float64).sum()) <= \
        abs(float(jax.numpy.sum(X)) - X.astype(np.float64).sum())
    Z = (X + 1j * X[::-1]).astype(np.complex64)
    assert abs(complex(jnp.sum(Z, 0)[0]) - Z.astype(np.complex128).sum(0)[0]) <= 1e-7 * abs(
        Z.astype(np.complex128).sum(0)[0]) + 1e-6
