"""``minijax.scipy.linalg``: scipy's spelling of the factorisations.

Built on ``minijax.lax.linalg`` like ``minijax.numpy.linalg``. scipy's
``overwrite_*`` and ``check_finite`` arguments are accepted and have no effect,
as in JAX: arrays are immutable, and checking for NaNs would need a value.
"""
import numpy as np

from ..lax import linalg as lax_linalg
from ..numpy import linalg as np_linalg


def _jnp():
    import minijax.numpy as jnp
    return jnp


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """Cholesky factor: upper ``U`` with ``a = U^H U`` (lower ``L`` if ``lower``).

    Unlike ``jnp.linalg.cholesky`` this reads one triangle of ``a`` only (the
    lower, or the upper if ``not lower``) and does not symmetrize it, as in
    JAX; so derivatives see perturbations of that triangle only."""
    del overwrite_a, check_finite
    jnp = _jnp()
    a, = jnp.promote_dtypes_inexact(jnp.asarray(a))
    # The upper triangle of a is the lower triangle of a^H.
    L = lax_linalg.cholesky(a if lower else lax_linalg._H(a), symmetrize_input=False)
    return L if lower else lax_linalg._H(L)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)`` for ``cho_solve``."""
    return cholesky(a, lower, overwrite_a, check_finite), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Solve ``a x = b`` given ``cho_factor(a)``: two triangular solves."""
    del overwrite_b, check_finite
    jnp = _jnp()
    c, lower = c_and_lower
    c, b = jnp.promote_dtypes_inexact(jnp.asarray(c), jnp.asarray(b))
    vector = b.ndim == c.ndim - 1
    if vector:
        b = b[..., None]
    c, b = _common_batch(c, b)
    # a = L L^H: solve L y = b, then L^H x = y (with L = c^H when c is upper).
    y = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower,
                                    conjugate_a=not lower)
    x = lax_linalg.triangular_solve(c, y, left_side=True, lower=lower, transpose_a=lower,
                                    conjugate_a=lower)
    return x[..., 0] if vector else x


def _common_batch(a, b):
    jnp = _jnp()
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return jnp.broadcast_to(a, batch + a.shape[-2:]), jnp.broadcast_to(b, batch + b.shape[-2:])


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     debug=None, check_finite=True):
    """Solve ``op(a) x = b`` for triangular ``a``; ``trans`` 0/'N', 1/'T' or 2/'C'."""
    del overwrite_b, debug, check_finite
    jnp = _jnp()
    modes = {0: (False, False), "N": (False, False), 1: (True, False), "T": (True, False),
             2: (True, True), "C": (True, True)}
    if trans not in modes:
        raise ValueError(f"Invalid 'trans' value {trans!r}: use 0, 1, 2, 'N', 'T' or 'C'")
    transpose_a, conjugate_a = modes[trans]
    a, b = jnp.promote_dtypes_inexact(jnp.asarray(a), jnp.asarray(b))
    vector = b.ndim == a.ndim - 1
    if vector:
        b = b[..., None]
    a, b = _common_batch(a, b)
    x = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                    conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return x[..., 0] if vector else x


def lu_factor(a, overwrite_a=False, check_finite=True):
    """``(lu, piv)``: scipy's packed LU factorisation with 0-based row swaps."""
    del overwrite_a, check_finite
    jnp = _jnp()
    a, = jnp.promote_dtypes_inexact(jnp.asarray(a))
    lu, pivots, _ = lax_linalg.lu(a)
    return lu, pivots


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """Solve ``op(a) x = b`` given ``lu_factor(a)``; ``trans`` 0, 1 (a^T) or 2 (a^H)."""
    del overwrite_b, check_finite
    jnp = _jnp()
    lu, pivots = lu_and_piv
    lu, b = jnp.promote_dtypes_inexact(jnp.asarray(lu), jnp.asarray(b))
    m = lu.shape[-1]
    if b.shape[0] != m and b.shape[-2 if b.ndim > 1 else 0] != m:
        raise ValueError(f"lu_solve: shapes {lu.shape} and {b.shape} do not fit")
    permutation = lax_linalg.lu_pivots_to_permutation(pivots, m)
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    lu, b = _common_batch(lu, b)
    permutation = jnp.broadcast_to(permutation, lu.shape[:-1])
    if trans == 0:
        return np_linalg._lu_solve(lu, permutation, b)[..., 0] if vector else \
            np_linalg._lu_solve(lu, permutation, b)
    if trans not in (1, 2):
        raise ValueError(f"'trans' value must be 0, 1, or 2, got {trans!r}")
    # op(a) = op(P^T L U) = op(U) op(L) P: solve with op(U), then op(L), then undo P.
    conj = trans == 2
    y = lax_linalg.triangular_solve(lu, b, left_side=True, lower=False, transpose_a=True,
                                    conjugate_a=conj)
    z = lax_linalg.triangular_solve(lu, y, left_side=True, lower=True, transpose_a=True,
                                    conjugate_a=conj, unit_diagonal=True)
    inverse = jnp.argsort(permutation, axis=-1)
    x = jnp.take_along_axis(z, jnp.broadcast_to(inverse[..., None], z.shape), -2)
    return x[..., 0] if vector else x


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """``(p, l, u)`` with ``a = p @ l @ u`` (``(p @ l, u)`` if ``permute_l``)."""
    del overwrite_a, check_finite
    jnp = _jnp()
    a, = jnp.promote_dtypes_inexact(jnp.asarray(a))
    packed, _, permutation = lax_linalg.lu(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    l = jnp.tril(packed[..., :, :k], -1) + jnp.eye(m, k, dtype=a.dtype)
    u = jnp.triu(packed[..., :k, :])
    # Row i of l u is row permutation[i] of a, so p has ones at (permutation[i], i).
    # p is real even for complex a, as in JAX.
    p = (permutation[..., None, :] == jnp.arange(m)[:, None]).astype(np.finfo(a.dtype).dtype)
    if permute_l:
        return jnp.matmul(p.astype(a.dtype), l), u
    return p, l, u


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False,
          check_finite=True, assume_a="gen"):
    """``x`` with ``a x = b`` (via LU, or Cholesky for ``assume_a="pos"``)."""
    del overwrite_a, overwrite_b, debug, check_finite
    if assume_a == "pos":
        return cho_solve(cho_factor(a, lower=lower), b)
    if assume_a not in ("gen", "sym", "her"):
        raise ValueError(f"Expected assume_a to be one of 'gen', 'sym', 'her' or 'pos', "
                         f"got {assume_a!r}")
    return np_linalg.solve(a, b)


def det(a, overwrite_a=False, check_finite=True):
    """The determinant."""
    del overwrite_a, check_finite
    return np_linalg.det(a)


def inv(a, overwrite_a=False, check_finite=True):
    """The inverse."""
    del overwrite_a, check_finite
    return np_linalg.inv(a)


def expm(A, *, upper_triangular=False, max_squarings=16):
    """The matrix exponential by scaling and squaring with a [13/13] Padé
    approximant (Higham 2005), the method of scipy and JAX.

    The scale 2^-s is chosen from the 1-norm, as in Higham's algorithm. JAX
    picks a lower-degree approximant for matrices of small norm; we always
    use degree 13 (with, in single precision, the smaller norm bound of
    JAX's float32 branch), which costs a few more matrix products and loses
    no accuracy. ``max_squarings`` caps s, as in JAX."""
    del upper_triangular
    jnp = _jnp()
    A, = jnp.promote_dtypes_inexact(jnp.asarray(A))
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"expected A to be a (stack of) square matrices, got {A.shape}")
    theta_13 = 5.371920351148152 if A.dtype in (np.float64, np.complex128) else 3.925724783138660
    norm_1 = jnp.max(jnp.sum(jnp.abs(A), axis=-2), axis=-1)
    # s squarings bring the norm below theta_13 (at least 0, at most max_squarings).
    s = jnp.clip(jnp.ceil(jnp.log2(jnp.maximum(norm_1, 1e-30) / theta_13)), 0, max_squarings)
    s = s.astype(np.int32)
    scale = (2.0 ** -s.astype(A.real.dtype)).astype(A.dtype)
    A = A * scale[..., None, None]
    P, Q = _pade13(A)
    R = jnp.linalg.solve(Q, P)
    return _square_times(R, s, max_squarings)


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)


def _pade13(A):
    """Numerator P = U + V and denominator Q = -U + V of the [13/13] Padé
    approximant to exp (U holds the odd powers, V the even ones)."""
    jnp = _jnp()
    b = _PADE13
    eye = jnp.broadcast_to(jnp.eye(A.shape[-1], dtype=A.dtype), A.shape)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2)
             + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \
        + b[0] * eye
    return U + V, -U + V


def _square_times(R, s, max_squarings):
    """Square each matrix of R as many times as its entry of s says (a loop of
    max_squarings steps that stops squaring a matrix once its count is reached)."""
    from ..control_flow import fori_loop
    jnp = _jnp()

    def step(i, R):
        return jnp.where((i < s)[..., None, None], R @ R, R)
    return fori_loop(0, max_squarings, step, R)
