"""lax.fft and minijax.numpy.fft against JAX: values, dtypes, derivatives, vmap, jit."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp
from minijax.test_util import check_grads

from helpers import check_like_jax, x64

TOL = dict(rtol=1e-4, atol=1e-4)

# (fft_type, operand shape, fft_lengths)
LAX_CASES = {
    "fft_1d": ("FFT", (2, 6), (6,)),
    "ifft_2d": ("IFFT", (2, 3, 4), (3, 4)),
    "rfft_odd": ("RFFT", (2, 5), (5,)),
    "rfft_2d": ("RFFT", (3, 4, 6), (4, 6)),
    "irfft_even": ("IRFFT", (2, 4), (6,)),
    "irfft_2d_odd": ("IRFFT", (2, 3, 4), (3, 7)),
}


def _operand(fft_type, shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if fft_type != "RFFT":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(np.result_type(dtype, np.complex64) if fft_type != "RFFT" else dtype)


def _lax_fn(lax, name):
    fft_type, _, lengths = LAX_CASES[name]
    return lambda x: lax.fft(x, fft_type, lengths)


def _random_like(rng, y):
    ct = rng.standard_normal(y.shape)
    if y.dtype.kind == "c":
        ct = ct + 1j * rng.standard_normal(y.shape)
    return ct.astype(y.dtype)


@pytest.mark.parametrize("name", LAX_CASES)
def test_lax_fft_vjp_jit_vmap_like_jax(name):
    fft_type, shape, _ = LAX_CASES[name]
    x = _operand(fft_type, shape)
    out, pullback = minijax.vjp(_lax_fn(minijax.lax, name), x)
    out_j, pullback_j = jax.vjp(_lax_fn(jax.lax, name), x)
    check_like_jax(out, out_j, **TOL)
    ct = _random_like(np.random.default_rng(1), out_j)
    check_like_jax(pullback(ct), pullback_j(ct), **TOL)
    jitted = minijax.jit(lambda x, c: minijax.vjp(_lax_fn(minijax.lax, name), x)[1](c))
    check_like_jax(jitted(x, ct), pullback_j(ct), **TOL)
    check_like_jax(minijax.jit(_lax_fn(minijax.lax, name))(x), out_j, **TOL)
    xs = np.stack([x, 2 * x, -x])
    check_like_jax(minijax.vmap(_lax_fn(minijax.lax, name), 1)(np.moveaxis(xs, 0, 1)),
                   jax.vmap(_lax_fn(jax.lax, name))(xs), **TOL)


@pytest.mark.parametrize("name", LAX_CASES)
def test_lax_fft_check_grads_float64(name):
    fft_type, shape, _ = LAX_CASES[name]
    with x64():
        check_grads(_lax_fn(minijax.lax, name), (_operand(fft_type, shape, np.float64),),
                    order=2, modes=("fwd", "rev"))


def test_lax_fft_types_and_errors_like_jax():
    x = np.arange(6, dtype=np.int32)
    check_like_jax(minijax.lax.fft(x, "fft", (6,)), jax.lax.fft(x, "fft", (6,)), **TOL)
    check_like_jax(minijax.lax.fft(x, minijax.lax.FftType.RFFT, (6,)),
                   jax.lax.fft(x, jax.lax.FftType.RFFT, (6,)), **TOL)
    c = np.ones(4, np.complex64)
    for lax in (jax.lax, minijax.lax):
        with pytest.raises(ValueError, match="Unknown FFT type"):
            lax.fft(c, "dct", (4,))
        with pytest.raises(ValueError, match="only real valued"):
            lax.fft(c, "rfft", (4,))
        with pytest.raises(ValueError, match="fft_lengths"):
            lax.fft(c, "fft", (5,))


RNG = np.random.default_rng(0)
REAL = RNG.standard_normal((3, 4, 5)).astype(np.float32)
CPLX = (REAL + 1j * RNG.standard_normal((3, 4, 5))).astype(np.complex64)
NUMPY_CASES = [
    ("fft", CPLX, {}), ("fft", REAL, dict(n=7, axis=1, norm="ortho")),
    ("ifft", CPLX, dict(n=3, norm="forward")), ("rfft", REAL, dict(n=6)),
    ("irfft", CPLX, {}), ("irfft", CPLX, dict(n=5, axis=0)), ("hfft", CPLX, dict(n=6)),
    ("ihfft", REAL, {}), ("fftn", CPLX, {}), ("fftn", REAL, dict(s=(2, 6), axes=(0, 2))),
    ("ifftn", CPLX, dict(axes=(1,))), ("rfftn", REAL, {}), ("irfftn", CPLX, dict(s=(3, 4, 8))),
    ("fft2", CPLX, {}), ("ifft2", CPLX, dict(norm="ortho")), ("rfft2", REAL, dict(axes=(0, 1))),
    ("irfft2", CPLX, {}), ("fftshift", REAL, {}), ("ifftshift", REAL, dict(axes=1)),
    ("fftshift", REAL, dict(axes=(0, 2))),
]


@pytest.mark.parametrize("name, x, kwargs", NUMPY_CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(NUMPY_CASES)])
def test_numpy_fft_like_jax(name, x, kwargs):
    check_like_jax(getattr(mjnp.fft, name)(x, **kwargs), getattr(jjnp.fft, name)(x, **kwargs),
                   rtol=2e-5, atol=2e-5)


def test_numpy_fft_four_and_five_axes_like_jax():
    x = np.random.default_rng(1).standard_normal((2, 3, 2, 4, 3)).astype(np.complex64)
    for name in ("fftn", "ifftn", "irfftn"):
        check_like_jax(getattr(mjnp.fft, name)(x), getattr(jjnp.fft, name)(x), **TOL)
        check_like_jax(getattr(mjnp.fft, name)(x, axes=(1, 2, 3, 4)),
                       getattr(jjnp.fft, name)(x, axes=(1, 2, 3, 4)), **TOL)
    check_like_jax(mjnp.fft.rfftn(x.real), jjnp.fft.rfftn(x.real), **TOL)


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_frequencies_like_jax(name):
    for n, d in [(5, 1.0), (6, 0.1), (1, 2.0)]:
        check_like_jax(getattr(mjnp.fft, name)(n, d), getattr(jjnp.fft, name)(n, d))
    with x64():
        check_like_jax(getattr(mjnp.fft, name)(7), getattr(jjnp.fft, name)(7))


def test_numpy_fft_gradients_and_jit_like_jax():
    """A spectral loss: grad of |rfft2| under jit, and a vmapped hfft."""
    def loss(jnp):
        return lambda x: (jnp.sum(jnp.abs(jnp.fft.rfft2(x, norm="ortho")) ** 2) +
                          jnp.sum(jnp.real(jnp.fft.ifft(x, n=6)) ** 2))
    check_like_jax(minijax.jit(minijax.grad(loss(mjnp)))(REAL),
                   jax.jit(jax.grad(loss(jjnp)))(REAL), **TOL)
    check_like_jax(minijax.vmap(mjnp.fft.hfft)(CPLX), jax.vmap(jjnp.fft.hfft)(CPLX), **TOL)
    with x64():
        check_grads(lambda x: mjnp.fft.irfft(mjnp.fft.fft(x, axis=0), n=6), (REAL.astype(np.float64),),
                    order=1, modes=("fwd", "rev"))


@pytest.mark.parametrize("call", [
    lambda fft: fft.fft(CPLX, axis=(0, 1)),
    lambda fft: fft.fft2(CPLX, axes=(0,)),
    lambda fft: fft.fftn(CPLX, s=(2, 3), axes=(0,)),
    lambda fft: fft.fftn(CPLX, axes=(0, 0)),
    lambda fft: fft.fft(CPLX, norm="sideways"),
    lambda fft: fft.fft(CPLX, n=0),
    lambda fft: fft.fftfreq([4]),
])
def test_numpy_fft_bad_arguments_raise_like_jax(call):
    with pytest.raises(ValueError):
        call(jjnp.fft)
    with pytest.raises(ValueError):
        call(mjnp.fft)
