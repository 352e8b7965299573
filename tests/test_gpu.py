"""jit on a GPU (skipped, with the reason, where there is none).

minijax picks a CUDA device when ``jax-cuda12-pjrt`` is installed and a GPU is
visible; otherwise XLA:CPU. These tests run a few small programs there and
compare with numpy. (Real JAX is not involved: on a GPU machine it may be
installed without its own CUDA plugin.)
"""
import numpy as np
import pytest

import minijax
import minijax.numpy as jnp
from minijax import lax

ON_GPU = minijax.default_backend() in ("cuda", "gpu")

pytestmark = pytest.mark.skipif(
    not ON_GPU, reason=f"no GPU: minijax's jit runs on {minijax.default_backend()!r} here "
                       "(install minijax[cuda12] on a machine with an NVIDIA GPU)")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((64, 32)).astype(np.float32)
B = RNG.standard_normal((32, 16)).astype(np.float32)
X = RNG.standard_normal(100).astype(np.float32)


def test_device_is_a_gpu():
    devices = minijax.devices()
    assert len(devices) == 1
    assert devices[0].platform in ("cuda", "gpu")


def test_small_function_matches_numpy():
    f = minijax.jit(lambda a, b, x: (jnp.tanh(a @ b).sum(axis=0), jnp.sin(x) * 2 + 1,
                                     jnp.cumsum(x), jnp.argmax(x)))
    mm, ew, cs, am = f(A, B, X)
    np.testing.assert_allclose(np.asarray(mm), np.tanh(A @ B).sum(axis=0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(ew), np.sin(X) * 2 + 1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(cs), np.cumsum(X), rtol=1e-4, atol=1e-4)
    assert int(am) == int(np.argmax(X))


def test_results_live_on_the_gpu():
    y = minijax.jit(lambda x: x * 2)(X)
    assert y._buf is not None and y._npy is None
    z = minijax.jit(lambda v: v + 1)(y)       # passed back: stays on the device
    assert y._npy is None
    np.testing.assert_allclose(np.asarray(z.block_until_ready()), X * 2 + 1, rtol=1e-6)


def test_control_flow_and_grad_on_the_gpu():
    def loss(x):
        y = lax.fori_loop(0, 3, lambda i, v: jnp.sin(v) + v * 0.5, x)
        return lax.cond(y.sum() > 0, lambda v: (v ** 2).sum(), lambda v: v.sum(), y)

    g = minijax.jit(minijax.grad(loss))(X)
    np.testing.assert_allclose(np.asarray(g), np.asarray(minijax.grad(loss)(X)), rtol=1e-4,
                               atol=1e-5)


def test_float64_on_the_gpu():
    x = np.linspace(0, 1, 7)
    prev = minijax.config.x64_enabled
    minijax.config.update("jax_enable_x64", True)
    try:
        out = minijax.jit(lambda v: jnp.exp(v) - 1)(x)
        assert out.dtype == np.float64
        np.testing.assert_allclose(np.asarray(out), np.expm1(x), rtol=1e-12)
    finally:
        minijax.config.update("jax_enable_x64", prev)
