"""The discrete Fourier transform: one primitive, ``fft``.

``fft(x, fft_type, fft_lengths)`` transforms the last ``len(fft_lengths)``
axes of ``x``. Four kinds, as in XLA:

* ``FFT`` / ``IFFT``: complex to complex, forward and inverse (the inverse
  divides by the number of points);
* ``RFFT``: real to complex, keeping only the ``n // 2 + 1`` non-negative
  frequencies of the last axis (the others are their complex conjugates);
* ``IRFFT``: the inverse of ``RFFT``, complex to real, of length ``n``.

Every kind is linear, so the JVP of ``fft`` is ``fft`` of the tangent. Its
transposes are Fourier transforms again: FFT and IFFT are symmetric
matrices, so each is its own transpose; RFFT and IRFFT transpose into each
other, with weights for the frequencies that stand for a conjugate pair
(``transpose.py``).
"""
import enum

import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray, get_aval


class FftType(enum.IntEnum):
    """Which transform ``fft`` computes."""
    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


def _complex_dtype(dt):
    return np.result_type(dt, np.complex64)


def _real_dtype(dt):
    return np.finfo(dt).dtype


fft_p = Primitive("fft")


@fft_p.def_impl
def _fft_impl(x, *, fft_type, fft_lengths):
    axes = tuple(range(x.ndim - len(fft_lengths), x.ndim))
    if fft_type == FftType.FFT:
        out, dtype = np.fft.fftn(x, axes=axes), x.dtype
    elif fft_type == FftType.IFFT:
        out, dtype = np.fft.ifftn(x, axes=axes), x.dtype
    elif fft_type == FftType.RFFT:
        out, dtype = np.fft.rfftn(x, s=fft_lengths, axes=axes), _complex_dtype(x.dtype)
    else:
        out, dtype = np.fft.irfftn(x, s=fft_lengths, axes=axes), _real_dtype(x.dtype)
    return np.asarray(out).astype(dtype)


@fft_p.def_abstract_eval
def _fft_abstract_eval(x, *, fft_type, fft_lengths):
    k = len(fft_lengths)
    if k > x.ndim:
        raise ValueError(f"FFT input shape {x.shape} must have at least as many input "
                         f"dimensions as fft_lengths {fft_lengths}.")
    minor = x.shape[x.ndim - k:]
    if fft_type == FftType.RFFT:
        if x.dtype not in (np.float32, np.float64):
            raise ValueError(f"RFFT input must be float32 or float64, got {x.dtype}")
        if minor != fft_lengths:
            raise ValueError(f"RFFT input shape {x.shape} minor dimensions must be equal to "
                             f"fft_lengths {fft_lengths}")
        shape = x.shape[:x.ndim - k] + fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,)
        return ShapedArray(shape, _complex_dtype(x.dtype), x.weak_type)
    if x.dtype.kind != "c":
        raise ValueError(f"{fft_type.name} input must be complex64 or complex128, got "
                         f"{x.dtype}")
    if fft_type == FftType.IRFFT:
        if minor[:-1] != fft_lengths[:-1]:
            raise ValueError(f"IRFFT input shape {x.shape} minor dimensions must be equal to "
                             f"all except the last fft_length, got fft_lengths={fft_lengths}")
        shape = x.shape[:x.ndim - k] + fft_lengths
        return ShapedArray(shape, _real_dtype(x.dtype), x.weak_type)
    if minor != fft_lengths:
        raise ValueError(f"FFT input shape {x.shape} minor dimensions must be equal to "
                         f"fft_lengths {fft_lengths}")
    return x


def _fft_type(fft_type):
    if isinstance(fft_type, FftType):
        return fft_type
    if isinstance(fft_type, str):
        try:
            return FftType[fft_type.upper()]
        except KeyError:
            raise ValueError(f"Unknown FFT type '{fft_type}'") from None
    raise TypeError(f"Unknown FFT type value '{fft_type}'")


def fft(x, fft_type, fft_lengths):
    """The ``fft_type`` transform (``FftType`` or its name) of the last
    ``len(fft_lengths)`` axes of ``x``."""
    from . import convert_element_type
    kind = _fft_type(fft_type)
    dtype = get_aval(x).dtype
    if kind == FftType.RFFT:
        if dtype.kind == "c":
            raise ValueError("only real valued inputs supported for rfft")
        x = convert_element_type(x, dtypes.to_inexact_dtype(dtype))
    else:
        x = convert_element_type(x, _complex_dtype(dtypes.to_inexact_dtype(dtype)))
    fft_lengths = tuple(int(n) for n in fft_lengths)
    if not fft_lengths:
        return x
    return fft_p.bind(x, fft_type=kind, fft_lengths=fft_lengths)
