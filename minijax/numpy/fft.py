"""``minijax.numpy.fft``: numpy's discrete Fourier transforms, on ``lax.fft``.

Each function picks the axes to transform, crops or zero-pads them to the
requested sizes ``n``/``s``, moves them last (where ``lax.fft`` works),
transforms, scales by ``norm`` and moves them back. Results are complex64
(float32 for the inverse real transforms) unless 64-bit mode is on, as in
JAX. ``lax.fft`` does at most three axes at a time, as XLA does; more are
done three (or two) at a time.
"""
import operator

import numpy as np

from .. import dtypes, lax
from ..lax import FftType
from .creation import arange, asarray
from .elementwise import conj
from .shapes import moveaxis, roll

_NORMS = ("backward", "ortho", "forward")


def _norm_scale(s, func_name, norm, dtype):
    """The factor ``norm`` applies: 1 (backward), 1/sqrt(N) (ortho) or 1/N
    (forward) for forward transforms; the reciprocal for inverse ones."""
    if norm is None or norm == "backward":
        return None
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or '
                         f'"forward".')
    size = float(np.prod(s))
    scale = np.sqrt(size) if norm == "ortho" else size
    return np.asarray(scale if func_name.startswith("i") else 1 / scale,
                      np.finfo(dtype).dtype)


def _fft_core(func_name, fft_type, a, s, axes, norm):
    full_name = f"jax.numpy.fft.{func_name}"
    arr = asarray(a)
    if s is not None:
        s = tuple(operator.index(n) for n in s)
        if any(n <= 0 for n in s):
            raise ValueError("Shape should be positive.")
    if s is not None and axes is not None and len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    given_axes = axes
    if axes is None:
        axes = range(arr.ndim) if s is None else range(arr.ndim - len(s), arr.ndim)
    axes = tuple(lax._canonical_axis(ax, arr.ndim) for ax in axes)
    if len(axes) != len(set(axes)):
        raise ValueError(f"{full_name} does not support repeated axes. Got axes {axes}.")
    if given_axes is not None:   # work on the last axes, move them back at the end
        last = tuple(range(arr.ndim - len(axes), arr.ndim))
        arr = moveaxis(arr, axes, last)
        axes = last
    if s is not None:
        sizes = list(arr.shape)
        for axis, n in zip(axes, s):
            sizes[axis] = n
        if fft_type == FftType.IRFFT:   # s is the output's size; the input has half
            sizes[-1] = sizes[-1] // 2 + 1
        arr = _crop_or_pad(arr, sizes)
    elif fft_type == FftType.IRFFT:
        s = [arr.shape[axis] for axis in axes[:-1]]
        if axes:
            s.append(max(0, 2 * (arr.shape[axes[-1]] - 1)))
    else:
        s = [arr.shape[axis] for axis in axes]
    out = _fft_nd(arr, fft_type, tuple(s))
    scale = _norm_scale(s, func_name, norm, out.dtype)
    if scale is not None:
        out = lax.mul(out, lax.convert_element_type(scale, out.dtype))
    if given_axes is not None:
        out = moveaxis(out, axes, given_axes)
    return out


def _crop_or_pad(arr, sizes):
    """Cut each axis down to ``sizes`` or pad it with zeros at the end."""
    zero = lax._convert_element_type(0, arr.dtype)
    return lax.pad(arr, zero, [(0, n - d, 0) for n, d in zip(sizes, arr.shape)])


def _fft_nd(arr, fft_type, s):
    """``lax.fft`` over the last ``len(s)`` axes, at most three at a time."""
    if len(s) <= 3:
        return lax.fft(arr, fft_type, s)
    n = 2 if len(s) == 4 else 3
    inner = tuple(range(arr.ndim - len(s), arr.ndim - n))       # all but the last n
    moved = tuple(range(arr.ndim - len(s) + n, arr.ndim))
    if fft_type in (FftType.RFFT, FftType.FFT):   # the real axes first, then the rest
        arr = lax.fft(arr, fft_type, s[-n:])
        arr = moveaxis(_fft_nd(moveaxis(arr, inner, moved), FftType.FFT, s[:-n]), moved, inner)
        return arr
    arr = moveaxis(_fft_nd(moveaxis(arr, inner, moved), FftType.IFFT, s[:-n]), moved, inner)
    return lax.fft(arr, fft_type, s[-n:])


def _fft_1d(func_name, fft_type, a, n, axis, norm):
    if isinstance(axis, (list, tuple)):
        raise ValueError(f"jax.numpy.fft.{func_name} does not support multiple axes. Please "
                         f"use jax.numpy.fft.{func_name}n. Got axis = {axis!r}.")
    return _fft_core(func_name, fft_type, a, None if n is None else [n],
                     None if axis is None else [axis], norm)


def _fft_2d(func_name, fft_type, a, s, axes, norm):
    if len(axes) != 2:
        raise ValueError(f"jax.numpy.fft.{func_name} only supports 2 axes. Got axes = "
                         f"{axes!r}.")
    return _fft_core(func_name, fft_type, a, s, axes, norm)


def fft(a, n=None, axis=-1, norm=None):
    """The one-dimensional discrete Fourier transform along ``axis``."""
    return _fft_1d("fft", FftType.FFT, a, n, axis, norm)


def ifft(a, n=None, axis=-1, norm=None):
    """The inverse of ``fft``."""
    return _fft_1d("ifft", FftType.IFFT, a, n, axis, norm)


def rfft(a, n=None, axis=-1, norm=None):
    """The transform of real input: the ``n // 2 + 1`` non-negative frequencies."""
    return _fft_1d("rfft", FftType.RFFT, a, n, axis, norm)


def irfft(a, n=None, axis=-1, norm=None):
    """The inverse of ``rfft``: ``n`` real values (``2 * (m - 1)`` by default)."""
    return _fft_1d("irfft", FftType.IRFFT, a, n, axis, norm)


def hfft(a, n=None, axis=-1, norm=None):
    """The transform of a signal with Hermitian symmetry, given by its first half."""
    a = asarray(a)
    size = (a.shape[axis] - 1) * 2 if n is None else n
    out = _fft_1d("hfft", FftType.IRFFT, conj(a), n, axis, norm)
    return lax.mul(out, lax._convert_element_type(size, out.dtype))


def ihfft(a, n=None, axis=-1, norm=None):
    """The inverse of ``hfft``."""
    a = asarray(a)
    size = a.shape[axis] if n is None else n
    out = _fft_1d("ihfft", FftType.RFFT, a, n, axis, norm)
    return lax.mul(conj(out), lax._convert_element_type(1 / size, out.dtype))


def fftn(a, s=None, axes=None, norm=None):
    """The n-dimensional transform over ``axes`` (all axes by default)."""
    return _fft_core("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    return _fft_core("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    return _fft_core("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm=None):
    return _fft_core("irfftn", FftType.IRFFT, a, s, axes, norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    """The two-dimensional transform over the last two axes."""
    return _fft_2d("fft2", FftType.FFT, a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_2d("ifft2", FftType.IFFT, a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_2d("rfft2", FftType.RFFT, a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_2d("irfft2", FftType.IRFFT, a, s, axes, norm)


def _check_scalar_args(func_name, n, d):
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.{func_name} only takes an int. "
                         f"Got n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.{func_name} only takes a single "
                         f"value. Got d = {list(d)}.")


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """The sample frequencies of ``fft``: ``[0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n)``."""
    _check_scalar_args("fftfreq", n, d)
    if device is not None:
        raise NotImplementedError("minijax runs on one device: device= is not supported")
    out_dtype = dtypes.canonicalize_dtype(dtype or float)
    real = dtypes.to_inexact_dtype(out_dtype)
    real = np.finfo(real).dtype
    i = arange(n, dtype=real)
    shifted = lax.sub(lax.rem(lax.add(i, _const(n // 2, real)), _const(n, real)),
                      _const(n // 2, real))
    result = lax.div(shifted, lax.convert_element_type(asarray(d * n, dtype=real), real))
    return lax.convert_element_type(result, out_dtype)


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    """The sample frequencies of ``rfft``: ``[0, 1, ..., n // 2] / (d n)``."""
    _check_scalar_args("rfftfreq", n, d)
    if device is not None:
        raise NotImplementedError("minijax runs on one device: device= is not supported")
    dtype = dtypes.canonicalize_dtype(dtype or float)
    k = arange(0, n // 2 + 1, dtype=dtype)
    return lax.div(k, lax.convert_element_type(asarray(d * n, dtype=dtype), dtype))


def _const(value, dtype):
    return lax._convert_element_type(value, dtype, False)


def _shift(x, axes, sign):
    x = asarray(x)
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, int):
        axes = (axes,)
    for axis in axes:
        x = roll(x, sign * (x.shape[axis] // 2), axis)
    return x


def fftshift(x, axes=None):
    """Move the zero frequency to the middle of each of ``axes`` (all by default)."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of ``fftshift``."""
    return _shift(x, axes, -1)


__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "ifftn", "rfftn", "irfftn",
           "fft2", "ifft2", "rfft2", "irfft2", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]
