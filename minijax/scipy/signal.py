"""``minijax.scipy.signal``: N-dimensional convolution and correlation.

``method="direct"`` (and ``"auto"``, which JAX also takes to mean direct) is
``lax.conv_general_dilated`` with one batch entry and one feature;
``method="fft"`` multiplies the Fourier transforms (``fftconvolve``).
"""
import operator

from .. import lax
from .. import numpy as jnp
from ..batching import vmap
from ..numpy.promotion import _check_arraylike, promote_dtypes_inexact

_MODES = ("full", "same", "valid")


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")


def _larger_first(in1, in2, message):
    """(larger, smaller, swapped): one input must be at least as large as the
    other along every axis (ValueError with ``message`` otherwise)."""
    if all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape)):
        return in1, in2, False
    if all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape)):
        return in2, in1, True
    raise ValueError(message)


def _out_slices(full_shape, shape1, shape2, mode):
    """Where the ``mode`` result sits in the full convolution: centred, of
    in1's shape for "same", of the overlap's for "valid"."""
    if mode == "full":
        out_shape = full_shape
    elif mode == "same":
        out_shape = shape1
    else:
        out_shape = tuple(abs(s1 - s2) + 1 for s1, s2 in zip(shape1, shape2))
    return tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full_shape, out_shape))


def _convolve_direct(in1, in2, mode, precision):
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 must have the same number of dimensions")
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes "
                         f"{in1.shape} and {in2.shape}.")
    big, small, _ = _larger_first(in1, in2, "One input must be smaller than the other in "
                                            "every dimension.")
    # conv_general_dilated correlates: flip the kernel to convolve. Pad to the
    # full convolution, then cut out what the mode asks for.
    full = lax.conv_general_dilated(
        big[None, None], jnp.flip(small)[None, None], (1,) * big.ndim,
        [(s - 1, s - 1) for s in small.shape], precision=precision)[0, 0]
    return full[_out_slices(full.shape, in1.shape, in2.shape, mode)]


def convolve(in1, in2, mode="full", method="auto", precision=None):
    """The N-dimensional convolution of ``in1`` and ``in2`` (of equal rank).

    ``mode``: "full" (every overlap), "same" (in1's shape, centred) or
    "valid" (complete overlaps only); ``method``: "auto" or "direct"
    (``lax.conv_general_dilated``, with ``precision``) or "fft"
    (``fftconvolve``, which has no ``precision``: as in JAX, it is ignored
    there)."""
    _check_arraylike("convolve", in1, in2)
    _check_mode(mode)
    in1, in2 = promote_dtypes_inexact(jnp.asarray(in1), jnp.asarray(in2))
    if method == "fft":
        return fftconvolve(in1, in2, mode=mode)
    if method in ("auto", "direct"):
        return _convolve_direct(in1, in2, mode, precision)
    raise ValueError(f"Got method={method!r}; expected 'auto', 'fft', or 'direct'.")


def correlate(in1, in2, mode="full", method="auto", precision=None):
    """The N-dimensional cross-correlation: ``convolve`` with ``in2``
    conjugated and reversed along every axis."""
    _check_arraylike("correlate", in1, in2)
    in2 = jnp.asarray(in2)
    return convolve(in1, jnp.flip(jnp.conj(in2)), mode=mode, method=method,
                    precision=precision)


def _fftconvolve_all_axes(in1, in2, mode):
    full_shape = tuple(s1 + s2 - 1 for s1, s2 in zip(in1.shape, in2.shape))
    if mode == "valid":
        _larger_first(in1, in2, "For 'valid' mode, One input must be at least as large as the "
                                "other in every dimension.")
    if jnp.iscomplexobj(in1):
        forward, inverse = jnp.fft.fftn, jnp.fft.ifftn
    else:
        forward, inverse = jnp.fft.rfftn, jnp.fft.irfftn
    full = inverse(forward(in1, full_shape) * forward(in2, full_shape), full_shape)
    return full[_out_slices(full_shape, in1.shape, in2.shape, mode)]


def fftconvolve(in1, in2, mode="full", axes=None):
    """The N-dimensional convolution by FFT: the product of the transforms,
    transformed back. With ``axes``, only those axes are convolved; the others
    must have equal sizes, and are mapped over."""
    _check_arraylike("fftconvolve", in1, in2)
    in1, in2 = promote_dtypes_inexact(jnp.asarray(in1), jnp.asarray(in2))
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    _check_mode(mode)
    convolve_all = lambda a, b: _fftconvolve_all_axes(a, b, mode)
    if axes is None:
        return convolve_all(in1, in2)
    axes = (axes,) if not hasattr(axes, "__iter__") else axes
    axes = {operator.index(ax) % in1.ndim for ax in axes}
    mapped = [ax for ax in range(in1.ndim) if ax not in axes]
    if any(in1.shape[ax] != in2.shape[ax] for ax in mapped):
        raise ValueError(f"mapped axes must have same shape; got in1.shape={in1.shape} "
                         f"in2.shape={in2.shape} axes={tuple(sorted(axes))}")
    for ax in mapped:   # innermost map first: each vmap removes one axis
        convolve_all = vmap(convolve_all, in_axes=ax, out_axes=ax)
    return convolve_all(in1, in2)
