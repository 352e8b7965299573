"""Products: ``jnp.dot``, ``jnp.matmul``, ``jnp.tensordot``, ``jnp.kron``, ``jnp.cross``."""
import builtins
import operator

import numpy as np

from .. import dtypes, lax
from .creation import asarray, zeros_like
from .promotion import (
    broadcast_shapes, broadcast_to, _check_arraylike, promote_dtypes, promote_dtypes_inexact)
from .elementwise import conj, multiply
from .shapes import moveaxis, ravel, reshape, stack


def _dot_dims(a_ndim, b_ndim):
    """numpy.dot: contract the last axis of a with the second-to-last of b."""
    return (((a_ndim - 1,), (builtins.max(b_ndim - 2, 0),)), ((), ()))


def dot(a, b, *, precision=None, preferred_element_type=None):
    """numpy's ``dot``: a product for scalars, inner product for vectors, matrix
    product for matrices, and a sum over the last/second-to-last axes beyond."""
    a, b = promote_dtypes(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return lax.dot_general(a, b, _dot_dims(a.ndim, b.ndim), precision,
                           preferred_element_type or a.dtype)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """Inner product of the flattened arrays, conjugating the first."""
    a, b = promote_dtypes(a, b)
    if dtypes.is_complex(a.dtype):
        a = lax.conj(a)
    return dot(ravel(a), ravel(b), precision=precision,
               preferred_element_type=preferred_element_type)


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = promote_dtypes(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 1,)), ((), ())), precision,
                           preferred_element_type)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """Matrix product with numpy's broadcasting over leading (batch) axes; a
    1-D operand is a vector (contracted without being reshaped)."""
    _check_arraylike("matmul", a, b)
    a, b = promote_dtypes(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: Input operand does not have enough dimensions, got shapes "
                         f"{a.shape} and {b.shape}")
    a_contract = a.ndim - 1
    b_contract = 0 if b.ndim == 1 else b.ndim - 2
    if a.shape[a_contract] != b.shape[b_contract]:
        raise TypeError(f"dot_general requires contracting dimensions to have the same shape, "
                        f"got {(a.shape[a_contract],)} and {(b.shape[b_contract],)}.")
    out_type = preferred_element_type or a.dtype
    if a.ndim == 1 or b.ndim == 1 or (a.ndim == 2 and b.ndim == 2):
        dn = (((a_contract,), (b_contract,)), ((), ()))
        return lax.dot_general(a, b, dn, precision, out_type)
    # Both at least 2-D: the leading axes are batch axes, broadcast against each other.
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = broadcast_to(a, batch + a.shape[-2:])
    b = broadcast_to(b, batch + b.shape[-2:])
    nb = len(batch)
    dn = (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb))))
    return lax.dot_general(a, b, dn, precision, out_type)


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """Sum products over the last ``axes`` axes of ``a`` and first of ``b``
    (or the explicit pair of axis lists)."""
    a, b = promote_dtypes(a, b)
    if isinstance(axes, (int, np.integer)):
        n = operator.index(axes)
        if n > builtins.min(a.ndim, b.ndim) or n < 0:
            raise TypeError(f"Number of tensordot axes (axes {n}) exceeds input ranks "
                            f"({a.shape} and {b.shape})")
        contract = (tuple(range(a.ndim - n, a.ndim)), tuple(range(n)))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, int) else ax_a
        ax_b = (ax_b,) if isinstance(ax_b, int) else ax_b
        contract = (tuple(lax._canonical_axis(i, a.ndim) for i in ax_a),
                    tuple(lax._canonical_axis(i, b.ndim) for i in ax_b))
    return lax.dot_general(a, b, (contract, ((), ())), precision, preferred_element_type)


def kron(a, b):
    a, b = asarray(a), asarray(b)
    nd = builtins.max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    a_ex = reshape(a, tuple(x for d in a.shape for x in (d, 1)))
    b_ex = reshape(b, tuple(x for d in b.shape for x in (1, d)))
    return reshape(a_ex * b_ex, tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors, as if their third component
    were 0) along ``axisa``/``axisb``, the result's vectors along ``axisc``."""
    _check_arraylike("cross", a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promote_dtypes(a, b)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")
    if a.shape[-1] == 2 and b.shape[-1] == 2:   # only the z component: a scalar
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2] if a.shape[-1] == 3 else zeros_like(a[..., 0])
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2] if b.shape[-1] == 3 else zeros_like(b[..., 0])
    c = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])
    return moveaxis(c, 0, axisc)


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    """The discrete linear convolution of two 1-D arrays."""
    return _sliding_dot("convolve", a, v, mode, precision, preferred_element_type)


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    """The cross-correlation ``c[k] = sum_n a[n + k] * conj(v[n])`` of two 1-D arrays."""
    return _sliding_dot("correlate", a, v, mode, precision, preferred_element_type)


def _sliding_dot(op, x, y, mode, precision, preferred_element_type):
    """Slide the shorter array ``y`` along the (zero-padded) longer ``x`` and take a
    dot product at each offset (a convolution in XLA's sense). Convolution is
    correlation with ``y`` reversed."""
    _check_arraylike(op, x, y)
    x, y = asarray(x), asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"{op}() only support 1-dimensional inputs.")
    # numpy's rule: convolutions compute in floating point unless told otherwise.
    x, y = (promote_dtypes_inexact if preferred_element_type is None else promote_dtypes)(x, y)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {x.shape} and {y.shape}.")
    reverse_out = False
    if op == "correlate":
        y = conj(y)
        if x.shape[0] < y.shape[0]:   # correlate(a, v) is correlate(v, a) reversed
            x, y, reverse_out = y, x, True
    else:
        if x.shape[0] < y.shape[0]:   # convolution commutes
            x, y = y, x
        y = lax.rev(y, (0,))
    m = y.shape[0]
    pads = {"valid": (0, 0), "same": (m // 2, m - m // 2 - 1), "full": (m - 1, m - 1)}
    if mode not in pads:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    lo, hi = pads[mode]
    # A one-channel convolution, as JAX computes it: under jit, XLA then
    # sums the products in the same order (bit-equal results).
    out = lax.conv_general_dilated(x[None, None, :], y[None, None, :], (1,), [(lo, hi)],
                                   precision=precision,
                                   preferred_element_type=preferred_element_type)[0, 0]
    return lax.rev(out, (0,)) if reverse_out else out
