"""minijax.scipy.signal against jax.scipy.signal: convolve, correlate and
fftconvolve over ranks, shape orders, modes and methods; dtypes, gradients,
vmap, jit and JAX's errors."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads
from helpers import check_like_jax, x64

SHAPES = [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((6,), (1,)), ((5, 6), (2, 3)),
          ((2, 3), (5, 6)), ((4, 5, 3), (2, 2, 2))]
MODES = ["full", "same", "valid"]
METHODS = ["auto", "direct", "fft"]


def _pair(name):
    return getattr(minijax.scipy.signal, name), getattr(jax.scipy.signal, name)


def _inputs(s1, s2, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(s1).astype(dtype), rng.standard_normal(s2).astype(dtype)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shapes", SHAPES, ids=[f"{a}x{b}" for a, b in SHAPES])
def test_values_like_jax(name, method, shapes):
    ours, theirs = _pair(name)
    a, b = _inputs(*shapes)
    for mode in MODES:
        check_like_jax(ours(a, b, mode=mode, method=method),
                       theirs(a, b, mode=mode, method=method), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_dtypes(name):
    ours, theirs = _pair(name)
    ints = np.arange(5), np.array([1, -2, 3])
    check_like_jax(ours(*ints), theirs(*ints))                        # integers: float32
    a, b = _inputs((5,), (3,))
    c = a + 1j * b[::-1].repeat(2)[:5]
    for method in METHODS:
        check_like_jax(ours(c, b, method=method), theirs(c, b, method=method),
                       rtol=2e-5, atol=2e-5)                        # complex64
        check_like_jax(ours(b, c, method=method), theirs(b, c, method=method),
                       rtol=2e-5, atol=2e-5)
    with x64():
        a, b = _inputs((6, 4), (3, 2), np.float64)
        for method in METHODS:
            check_like_jax(ours(a, b, method=method, mode="same"),
                           theirs(a, b, method=method, mode="same"), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_gradients_vmap_jit(name):
    ours, theirs = _pair(name)
    a, b = _inputs((6,), (3,))
    for method in ("direct", "fft"):
        f = lambda x, y, m=method: (ours(x, y, mode="same", method=m) ** 2).sum()
        g = lambda x, y, m=method: (theirs(x, y, mode="same", method=m) ** 2).sum()
        check_like_jax(minijax.grad(f, (0, 1))(a, b), jax.grad(g, (0, 1))(a, b),
                       rtol=2e-5, atol=2e-5)
        with x64():
            check_grads(lambda x, y, m=method: ours(x, y, method=m),
                        _inputs((6,), (3,), np.float64), order=2)
    batch_a, batch_b = _inputs((4, 6), (4, 3))
    check_like_jax(minijax.vmap(ours)(batch_a, batch_b), jax.vmap(theirs)(batch_a, batch_b),
                   rtol=2e-5, atol=2e-5)
    check_like_jax(minijax.jit(ours, static_argnames="mode")(a, b, mode="valid"),
                   theirs(a, b, mode="valid"), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("axes", [None, 1, (1,), [-1], (0, 1)])
def test_fftconvolve_axes(axes):
    ours, theirs = _pair("fftconvolve")
    a, b = _inputs((2, 5), (2, 3))
    for mode in MODES:
        check_like_jax(ours(a, b, mode=mode, axes=axes), theirs(a, b, mode=mode, axes=axes),
                       rtol=2e-5, atol=2e-5)


def test_errors_like_jax():
    sig = minijax.scipy.signal
    a, b = _inputs((5,), (3,))
    with pytest.raises(ValueError, match="mode must be one of"):
        sig.convolve(a, b, mode="circular")
    for name in ("convolve", "correlate"):
        with pytest.raises(ValueError, match="expected 'auto', 'fft', or 'direct'"):
            getattr(sig, name)(a, b, method="overlap-add")
    with pytest.raises(ValueError, match="same number of dimensions"):
        sig.convolve(a, np.ones((2, 2)))
    with pytest.raises(ValueError, match="smaller than the other in every dimension"):
        sig.convolve(np.ones((3, 1)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="zero-size"):
        sig.convolve(np.ones(0), b)
    with pytest.raises(ValueError, match="at least as large"):
        sig.convolve(np.ones((3, 1)), np.ones((1, 3)), mode="valid", method="fft")
    with pytest.raises(ValueError, match="mapped axes must have same shape"):
        sig.fftconvolve(np.ones((2, 5)), np.ones((3, 3)), axes=1)
    # JAX fails on lists with an AttributeError by accident; we say TypeError.
    with pytest.raises(TypeError, match="convolve"):
        sig.convolve([1.0, 2.0], [1.0])
