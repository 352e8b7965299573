"""lax.reduce_window (sum/max/min primitives and the generic loop) against JAX,
and max/average pooling written with it."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads

from helpers import check_like_jax, x64

TOL = dict(rtol=1e-4, atol=1e-4)
WINDOWS = {
    "pool_2x2": dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 2, 2, 1),
                     padding="VALID"),
    "same_3x3": dict(window_dimensions=(1, 3, 3, 1), window_strides=(1, 2, 1, 1),
                     padding="SAME"),
    "base_dilated": dict(window_dimensions=(2, 2, 1, 2), window_strides=(1, 1, 2, 1),
                         padding=[(0, 1), (1, 0), (1, 1), (0, 0)], base_dilation=(1, 2, 1, 1)),
    "window_dilated": dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 1, 1, 1),
                           padding="VALID", window_dilation=(1, 2, 1, 1)),
}
MONOIDS = {"sum": ("add", 0.0), "max": ("max", -np.inf), "min": ("min", np.inf)}


def _distinct(*shape, seed=0):
    """No ties, so max and min are differentiable."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.5 - n * 0.25 + rng.uniform(-0.1, 0.1, n)).reshape(
        shape).astype(np.float32)


def _fn(lax, monoid, window):
    name, init = MONOIDS[monoid] if monoid in MONOIDS else monoid
    return lambda x: lax.reduce_window(x, init, getattr(lax, name), **WINDOWS[window])


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("monoid", MONOIDS)
def test_values_jvp_and_jit_like_jax(monoid, window):
    x = _distinct(2, 5, 6, 3)
    t = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    ours = minijax.jvp(_fn(minijax.lax, monoid, window), (x,), (t,))
    theirs = jax.jvp(_fn(jax.lax, monoid, window), (x,), (t,))
    check_like_jax(ours, theirs, **TOL)
    check_like_jax(minijax.jit(lambda x, t: minijax.jvp(_fn(minijax.lax, monoid, window),
                                                         (x,), (t,)))(x, t), theirs, **TOL)
    check_like_jax(minijax.vmap(_fn(minijax.lax, monoid, window), 1)(np.stack([x, -x], 1)),
                   jax.vmap(_fn(jax.lax, monoid, window))(np.stack([x, -x])), **TOL)


@pytest.mark.parametrize("window", ["pool_2x2", "same_3x3", "base_dilated"])
@pytest.mark.parametrize("monoid", MONOIDS)
def test_vjp_eager_and_jit_like_jax(monoid, window):
    x = _distinct(2, 5, 6, 3)
    out, pullback = minijax.vjp(_fn(minijax.lax, monoid, window), x)
    out_j, pullback_j = jax.vjp(_fn(jax.lax, monoid, window), x)
    ct = np.random.default_rng(2).standard_normal(out_j.shape).astype(np.float32)
    check_like_jax(pullback(ct), pullback_j(ct), **TOL)
    jitted = minijax.jit(lambda x, c: minijax.vjp(_fn(minijax.lax, monoid, window), x)[1](c))
    check_like_jax(jitted(x, ct), pullback_j(ct), **TOL)


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("monoid", list(MONOIDS) + [("mul", 1.0)])
def test_check_grads_float64(monoid, window):
    """Forward mode everywhere; reverse mode where JAX has it too (not through
    max/min windows with window dilation)."""
    chooser = monoid in ("max", "min")
    modes = ("fwd",) if chooser and window == "window_dilated" else ("fwd", "rev")
    with x64():
        x = _distinct(2, 4, 5, 2).astype(np.float64) / (8 if monoid == ("mul", 1.0) else 1)
        check_grads(_fn(minijax.lax, monoid, window), (x,), order=2, modes=modes)


def test_max_pool_vjp_with_window_dilation_is_refused_like_jax():
    x = _distinct(1, 4, 4, 1)
    for jx in (minijax, jax):
        with pytest.raises(NotImplementedError, match="window dilation"):
            jx.grad(lambda x: _fn(jx.lax, "max", "window_dilated")(x).sum())(x)


def test_generic_reductions_like_jax():
    """Computations other than the three monoids, pytrees of operands, and a
    non-identity initial value (which pads too)."""
    x = _distinct(3, 7)
    y = _distinct(3, 7, seed=1)
    window = dict(window_dimensions=(2, 3), window_strides=(1, 2), padding="SAME")
    fn = lambda lax, init: lax.reduce_window(x, init, lax.mul, **window)  # noqa: E731
    check_like_jax(fn(minijax.lax, np.float32(1)), fn(jax.lax, np.float32(1)), **TOL)
    check_like_jax(fn(minijax.lax, np.float32(2)), fn(jax.lax, np.float32(2)), **TOL)
    add_init = lambda lax: lax.reduce_window(x, np.float32(1), lax.add, **window)  # noqa: E731
    check_like_jax(add_init(minijax.lax), add_init(jax.lax), **TOL)

    def pair(lax):
        def argmax_like(a, b):   # keep the (value, payload) pair with the larger value
            keep = lax.ge(a[0], b[0])
            return lax.select(keep, a[0], b[0]), lax.select(keep, a[1], b[1])
        return lax.reduce_window((x, y), (np.float32(-np.inf), np.float32(0)), argmax_like,
                                 (2, 2), (1, 1), "VALID")
    check_like_jax(pair(minijax.lax), pair(jax.lax), **TOL)
    check_like_jax(minijax.jit(lambda x: minijax.lax.reduce_window(x, np.float32(1),
                                                                   minijax.lax.mul, **window))(x),
                   fn(jax.lax, np.float32(1)), **TOL)


def test_pooling_from_user_code_like_jax():
    """Max and average pooling as JAX tutorials write them, under jit and grad."""
    x = _distinct(2, 8, 8, 3)

    def pools(jx):
        lax, jnp = jx.lax, jx.numpy

        def max_pool(x):
            return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

        def avg_pool(x):
            return lax.reduce_window(x, 0.0, lax.add, (1, 3, 3, 1), (1, 1, 1, 1), "SAME") / 9.0
        loss = lambda x: jnp.sum(max_pool(x) ** 2) + jnp.sum(jnp.sin(avg_pool(x)))  # noqa: E731
        return jx.jit(jx.value_and_grad(loss))
    check_like_jax(pools(minijax)(x), pools(jax)(x), rtol=1e-4, atol=1e-4)


def test_integer_windows_like_jax():
    x = np.arange(24, dtype=np.int32).reshape(4, 6) % 7
    for name, init in (("add", 0), ("max", np.iinfo(np.int32).min), ("min", np.iinfo(np.int32).max)):
        fn = lambda lax: lax.reduce_window(x, np.int32(init), getattr(lax, name), (2, 2),  # noqa: E731
                                           (1, 2), "SAME")
        check_like_jax(fn(minijax.lax), fn(jax.lax))
        check_like_jax(minijax.jit(lambda x: fn(minijax.lax))(x), fn(jax.lax))


@pytest.mark.parametrize("kwargs, error", [
    (dict(window_dimensions=(2,)), TypeError),            # wrong rank
    (dict(window_dimensions=(2, 0)), TypeError),          # empty window
    (dict(window_strides=(1,)), TypeError),               # inconsistent strides
    (dict(padding="FULL"), RuntimeError),
])
def test_bad_windows_raise_like_jax(kwargs, error):
    x = np.zeros((4, 4), np.float32)
    kwargs = dict(dict(window_dimensions=(2, 2), window_strides=(1, 1), padding="VALID"),
                  **kwargs)
    for lax in (jax.lax, minijax.lax):
        with pytest.raises(error):
            lax.reduce_window(x, -np.inf, lax.max, **kwargs)
