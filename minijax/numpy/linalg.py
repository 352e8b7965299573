"""``minijax.numpy.linalg``: numpy's linear algebra, on the primitives of
``minijax.lax.linalg`` (so every function here is differentiable, batchable
and jittable through those primitives' rules).

As in JAX, a stack of matrices (leading axes) is a batch; ``solve``, ``inv``,
``det`` and ``slogdet`` go through an LU factorisation, ``pinv`` and
``lstsq`` through an SVD, and the matrix norms 2, -2 and "nuc" through the
singular values.
"""
from typing import NamedTuple

import numpy as np

from .. import numpy as jnp  # a cycle: numpy/__init__ imports this module
from ..lax import linalg as lax_linalg


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (numpy's conventions for ``ord`` and ``axis``)."""
    x = jnp.asarray(x)
    x, = jnp.promote_dtypes_inexact(x)
    if axis is None:
        if ord is None or (ord in ("fro", "f") and x.ndim == 2):
            out = jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x))))
            return jnp.reshape(out, (1,) * x.ndim) if keepdims else out
        axis = tuple(range(x.ndim))
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(axis) == 1:
        ax = axis[0]
        a = jnp.abs(x)
        if ord is None or ord == 2:
            return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x)), ax, keepdims=keepdims))
        if ord == np.inf:
            return jnp.max(a, ax, keepdims=keepdims)
        if ord == -np.inf:
            return jnp.min(a, ax, keepdims=keepdims)
        if ord == 0:
            return jnp.sum((a != 0).astype(a.dtype), ax, keepdims=keepdims)
        if ord == 1:
            return jnp.sum(a, ax, keepdims=keepdims)
        return jnp.sum(a ** ord, ax, keepdims=keepdims) ** (1.0 / ord)
    if len(axis) == 2:
        r, c = axis
        if ord in (None, "fro", "f"):
            return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conj(x)), axis, keepdims=keepdims))
        a = jnp.abs(x)
        if ord == 1:
            return jnp.max(jnp.sum(a, r, keepdims=True), c, keepdims=True).reshape(
                _kept(x.shape, axis, keepdims))
        if ord == np.inf:
            return jnp.max(jnp.sum(a, c, keepdims=True), r, keepdims=True).reshape(
                _kept(x.shape, axis, keepdims))
        if ord == -1:
            return jnp.min(jnp.sum(a, r, keepdims=True), c, keepdims=True).reshape(
                _kept(x.shape, axis, keepdims))
        if ord == -np.inf:
            return jnp.min(jnp.sum(a, c, keepdims=True), r, keepdims=True).reshape(
                _kept(x.shape, axis, keepdims))
        if ord in (2, -2, "nuc"):
            # The singular values of the matrices spanned by ``axis``.
            rest = [i for i in range(x.ndim) if i not in (r % x.ndim, c % x.ndim)]
            moved = jnp.transpose(x, rest + [r % x.ndim, c % x.ndim])
            s = svd(moved, compute_uv=False)
            out = jnp.max(s, -1) if ord == 2 else jnp.min(s, -1) if ord == -2 else jnp.sum(s, -1)
            return jnp.reshape(out, _kept(x.shape, axis, keepdims)) if keepdims else out
        raise ValueError(f"Invalid order '{ord}' for matrix norm.")
    raise ValueError(f"Improper number of axes for norm: {axis}")


def _kept(shape, axes, keepdims):
    axes = [a % len(shape) for a in axes]
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdims or i not in axes)


# ---------------------------------------------------------------------------
# Results with names, as numpy and JAX return them


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


def _matrices(name, *arrays, square=True):
    """Arrays as inexact arrays of a common dtype, each a (stack of) matrices."""
    import minijax.numpy as jnp
    arrays = jnp.promote_dtypes_inexact(*[jnp.asarray(a) for a in arrays])
    a = arrays[0]
    if a.ndim < 2:
        raise ValueError(f"{name}: input must be at least two-dimensional, got shape {a.shape}")
    if square and a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name}: last two dimensions must be square, got shape {a.shape}")
    return arrays


# ---------------------------------------------------------------------------
# Factorisations


def cholesky(a, *, upper=False, symmetrize_input=True):
    """Lower (or ``upper``) Cholesky factor of a Hermitian positive-definite matrix."""
    a, = _matrices("cholesky", a)
    L = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return lax_linalg._H(L) if upper else L


def eigh(a, UPLO=None, symmetrize_input=True):
    """Eigenvalues (ascending) and eigenvectors (columns) of a Hermitian matrix."""
    a, = _matrices("eigh", a)
    lower = _uplo_is_lower(UPLO)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    """Eigenvalues (ascending) of a Hermitian matrix."""
    return eigh(a, UPLO, symmetrize_input).eigenvalues


def _uplo_is_lower(UPLO):
    if UPLO is None or UPLO == "L":
        return True
    if UPLO == "U":
        return False
    raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO!r}")


def qr(a, mode="reduced"):
    """``QRResult(Q, R)`` with ``a = Q R``; ``mode`` "reduced", "complete" or "r"."""
    a, = _matrices("qr", a, square=False)
    if mode == "raw":
        raise NotImplementedError("qr(mode='raw') is not implemented in minijax")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r = lax_linalg.qr(a, full_matrices=(mode == "complete"))
    return r if mode == "r" else QRResult(q, r)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    """``SVDResult(U, S, Vh)`` with ``a = U diag(S) Vh``, S descending (just S
    if not ``compute_uv``)."""
    import minijax.numpy as jnp
    a, = _matrices("svd", a, square=False)
    if hermitian:
        # From the eigendecomposition: singular values are |eigenvalues|.
        w, v = eigh(a)
        s = jnp.abs(w)
        order = jnp.argsort(-s, axis=-1)
        s = jnp.take_along_axis(s, order, -1)
        if not compute_uv:
            return s
        u = jnp.take_along_axis(v, order[..., None, :], -1)
        signs = jnp.take_along_axis(jnp.sign(w), order, -1).astype(v.dtype)
        vh = lax_linalg._H(u * signs[..., None, :])
        return SVDResult(u, s, vh)
    out = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                         subset_by_index=subset_by_index)
    return SVDResult(*out) if compute_uv else out


# ---------------------------------------------------------------------------
# Through LU: solve, inv, slogdet, det


def _lu_solve(lu, permutation, b):
    """Solve with an LU factorisation (P a = L U): x = U^{-1} L^{-1} P b.
    ``b`` is a stack of matrices with the same batch axes as ``lu``."""
    import minijax.numpy as jnp
    b = jnp.take_along_axis(b, jnp.broadcast_to(permutation[..., None], b.shape), -2)
    y = lax_linalg.triangular_solve(lu, b, left_side=True, lower=True, unit_diagonal=True)
    return lax_linalg.triangular_solve(lu, y, left_side=True, lower=False)


def solve(a, b):
    """``x`` with ``a @ x = b`` (``b`` a vector if 1-D, else a stack of matrices)."""
    import minijax.numpy as jnp
    a, b = _matrices("solve", a, b)
    if b.ndim > 1 and a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1] and \
            a.shape[-1] != b.shape[-2]:
        raise ValueError(f"Invalid shapes for solve: {a.shape}, {b.shape}. Use "
                         "solve(a, b[..., None]).squeeze(-1) for a batch of vectors.")
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"solve: a of shape {a.shape} does not fit b of shape {b.shape}")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    lu, _, permutation = lax_linalg.lu(a)
    x = _lu_solve(lu, permutation, b)
    return x[..., 0] if vector else x


def inv(a):
    """The inverse of a (stack of) square matrices."""
    import minijax.numpy as jnp
    a, = _matrices("inv", a)
    eye = jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    return solve(a, eye)


def slogdet(a, *, method=None):
    """``SlogdetResult(sign, logabsdet)``: det(a) = sign * exp(logabsdet)."""
    import minijax.numpy as jnp
    if method not in (None, "lu"):
        raise NotImplementedError(f"slogdet(method={method!r}) is not implemented in minijax")
    a, = _matrices("slogdet", a)
    lu, pivots, _ = lax_linalg.lu(a)
    diag = jnp.diagonal(lu, axis1=-2, axis2=-1)
    is_zero = jnp.any(diag == 0, axis=-1)
    # Each row swap flips the sign; so does each negative pivot of a real matrix.
    swaps = jnp.sum(pivots != jnp.arange(a.shape[-1], dtype=pivots.dtype), axis=-1)
    if jnp.iscomplexobj(a):
        sign = jnp.prod(diag / jnp.abs(diag).astype(diag.dtype), axis=-1)
    else:
        sign = jnp.ones(diag.shape[:-1], a.dtype)
        swaps = swaps + jnp.sum(diag < 0, axis=-1)
    sign = jnp.where(is_zero, jnp.zeros((), a.dtype),
                     sign * (1 - 2 * (swaps % 2)).astype(a.dtype))
    logdet = jnp.where(is_zero, -np.inf, jnp.sum(jnp.log(jnp.abs(diag)), axis=-1))
    return SlogdetResult(sign, logdet)


def det(a):
    """The determinant, ``sign * exp(logabsdet)`` from the LU factorisation."""
    import minijax.numpy as jnp
    sign, logdet = slogdet(a)
    return sign * jnp.exp(logdet).astype(sign.dtype)


def matrix_power(a, n):
    """``a`` multiplied by itself ``n`` times (by squaring); ``inv(a)`` powers for n < 0."""
    import operator
    import minijax.numpy as jnp
    a, = _matrices("matrix_power", a)
    try:
        n = operator.index(n)
    except TypeError as err:
        raise TypeError(f"exponent must be an integer, got {n}") from err
    if n == 0:
        return jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    if n < 0:
        a, n = inv(a), -n
    result = None
    power = a
    while n:
        if n & 1:
            result = power if result is None else jnp.matmul(result, power)
        n >>= 1
        if n:
            power = jnp.matmul(power, power)
    return result


# ---------------------------------------------------------------------------
# Through the SVD: pinv, lstsq


def pinv(a, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse (singular values below ``rtol * max``
    are treated as zero)."""
    import minijax.numpy as jnp
    a, = _matrices("pinv", a, square=False)
    m, n = a.shape[-2:]
    a = jnp.conj(a)
    if rtol is None:
        rtol = 10. * max(m, n) * float(np.finfo(a.dtype).eps)
    rtol = jnp.asarray(rtol)
    u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
    cutoff = rtol[..., None] * s[..., 0:1]
    s = jnp.where(s > cutoff, s, np.inf).astype(u.dtype)
    return jnp.matmul(jnp.swapaxes(vh, -1, -2), jnp.swapaxes(u, -1, -2) / s[..., None])


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """Least squares ``(x, residuals, rank, s)`` for 2-D ``a`` (as numpy)."""
    import minijax.numpy as jnp
    a, b = jnp.promote_dtypes_inexact(jnp.asarray(a), jnp.asarray(b))
    if a.ndim != 2:
        raise TypeError(f"{a.ndim}-dimensional array given. Array must be two-dimensional")
    if b.ndim not in (1, 2):
        raise TypeError(f"{b.ndim}-dimensional array given. Array must be one or "
                        "two-dimensional")
    if a.shape[0] != b.shape[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    m, n = a.shape
    if rcond is None:
        rcond = float(np.finfo(a.dtype).eps) * max(m, n)
    else:
        rcond = jnp.where(rcond < 0, float(np.finfo(a.dtype).eps), rcond)
    u, s, vh = svd(a, full_matrices=False)
    keep = (s > 0) & (s >= jnp.asarray(rcond, s.dtype) * s[0])
    rank = jnp.sum(keep)
    s_inv = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0).astype(a.dtype)[:, None]
    x = jnp.matmul(jnp.conj(vh).T, s_inv * jnp.matmul(jnp.conj(u).T, b))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = jnp.asarray([])
    else:
        resid = norm(b - jnp.matmul(a, x), axis=0) ** 2
    return (x.ravel() if vector else x), resid, rank, s
