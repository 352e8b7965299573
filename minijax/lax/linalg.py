"""``minijax.lax.linalg``: matrix factorisations as primitives.

Each factorisation is one primitive that works on a stack of matrices: the
last two axes are the matrix, any leading axes are a batch. Eagerly they run
on numpy/scipy (LAPACK underneath); under ``jit`` they lower to StableHLO's
``cholesky`` and ``triangular_solve`` or to the LAPACK kernels jaxlib ships
(``lapack_ssyevd_ffi`` and friends). Their derivative rules are *matrix*
identities, written with the same primitives (see the blocks headed "linear
algebra" at the end of forward_mode.py, batching.py, transpose.py and
lowering.py).

=====================  ===============================  =========================
primitive              operands -> results              eager implementation
=====================  ===============================  =========================
``cholesky``           a -> L (lower, a = L L^H)        ``np.linalg.cholesky``
``triangular_solve``   a, b -> x (op(a) x = b, ...)     ``scipy.linalg.solve_triangular``
``eigh``               a -> v, w (a = v diag(w) v^H)    ``np.linalg.eigh``
``qr``                 a -> q, r                        ``np.linalg.qr``
``svd``                a -> s[, u, vh]                  ``np.linalg.svd``
``lu``                 a -> lu, pivots, permutation     ``scipy.linalg.lu_factor``
=====================  ===============================  =========================

Failures (a matrix that is not positive definite, an SVD that does not
converge) give NaNs, as in JAX, rather than exceptions: a factorisation
inside a jitted program cannot raise.
"""
import warnings

import numpy as np
import scipy.linalg
import scipy.linalg.blas

from .. import dtypes
from ..core import Primitive, ShapedArray, get_aval

# ---------------------------------------------------------------------------
# Shape checks shared by the primitives


def _check_matrix(name, aval, square=True):
    if aval.ndim < 2:
        raise ValueError(f"{name} requires an array of rank >= 2 (a stack of matrices), "
                         f"got shape {aval.shape}")
    if square and aval.shape[-1] != aval.shape[-2]:
        raise ValueError(f"{name} requires square matrices, got shape {aval.shape}")
    if not dtypes.is_inexact(aval.dtype):
        raise TypeError(f"{name} requires a floating-point or complex array, got "
                        f"{aval.dtype.name}; convert it first (e.g. x.astype(jnp.float32))")


def _real_dtype(dtype):
    return np.finfo(dtype).dtype   # complex64 -> float32, float64 -> float64


def _each_matrix(fn, *arrays):
    """Apply ``fn`` to each matrix of a stack (matching leading axes); ``fn``
    returns a tuple of arrays; the results are stacked back."""
    batch = arrays[0].shape[:-2]
    outs = None
    for index in np.ndindex(*batch):
        results = fn(*[a[index] for a in arrays])
        if outs is None:
            outs = [np.empty(batch + r.shape, r.dtype) for r in results]
        for out, r in zip(outs, results):
            out[index] = r
    if outs is None:   # an empty batch: call once on zeros to learn the shapes
        results = fn(*[np.zeros(a.shape[-2:], a.dtype) for a in arrays])
        outs = [np.empty(batch + r.shape, r.dtype) for r in results]
    return outs


def _nan_where_failed(fn, dtypes_out):
    """Wrap a one-matrix factorisation: LAPACK failures give NaNs, as in JAX."""
    def safe(*matrices):
        try:
            with np.errstate(all="ignore"):
                return fn(*matrices)
        except (np.linalg.LinAlgError, ValueError):
            shapes = [r.shape for r in fn(*[np.eye(*m.shape, dtype=m.dtype) for m in matrices])]
            return tuple(np.full(s, np.nan, d) for s, d in zip(shapes, dtypes_out(matrices)))
    return safe


# ---------------------------------------------------------------------------
# cholesky

cholesky_p = Primitive("cholesky")


@cholesky_p.def_impl
def _cholesky_impl(a):
    one = _nan_where_failed(lambda m: (np.linalg.cholesky(m),), lambda ms: [ms[0].dtype])
    try:
        with np.errstate(all="ignore"):
            return np.linalg.cholesky(a).astype(a.dtype)
    except np.linalg.LinAlgError:   # some matrix of the stack failed: redo one by one
        return _each_matrix(one, a)[0].astype(a.dtype)


@cholesky_p.def_abstract_eval
def _cholesky_abstract_eval(a):
    _check_matrix("cholesky", a)
    return ShapedArray(a.shape, a.dtype)


def symmetrize(x):
    """``(x + x^H) / 2``: the Hermitian part of a stack of matrices."""
    from .. import lax
    return lax.div(lax.add(x, _H(x)), lax._convert_element_type(2, get_aval(x).dtype))


def cholesky(x, *, symmetrize_input=True):
    """Lower-triangular ``L`` with ``x = L L^H`` (NaNs if ``x`` is not positive definite).

    Only the lower triangle is read unless ``symmetrize_input`` (the default)
    first replaces ``x`` by its Hermitian part, as JAX does."""
    if symmetrize_input:
        x = symmetrize(x)
    return tril(cholesky_p.bind(x))


# ---------------------------------------------------------------------------
# triangular_solve

triangular_solve_p = Primitive("triangular_solve")


def _triangular_solve_one(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    # BLAS trsm, as XLA's CPU kernel: a singular ``a`` gives infs and NaNs, as
    # in JAX. (scipy.linalg.solve_triangular calls LAPACK's trtrs, which checks
    # the diagonal and raises LinAlgError instead.)
    if conjugate_a:
        a = np.conj(a)
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 0 or b.size == 0:
        return (np.zeros(b.shape, np.result_type(a, b)),)
    trsm, = scipy.linalg.blas.get_blas_funcs(("trsm",), (a, b))
    x = trsm(1.0, a, b, side=0 if left_side else 1, lower=lower,
             trans_a=1 if transpose_a else 0, diag=unit_diagonal)
    return (x,)


@triangular_solve_p.def_impl
def _triangular_solve_impl(a, b, **params):
    one = lambda a, b: _triangular_solve_one(a, b, **params)
    with np.errstate(all="ignore"):
        return _each_matrix(one, a, b)[0].astype(b.dtype)


@triangular_solve_p.def_abstract_eval
def _triangular_solve_abstract_eval(a, b, *, left_side, lower, transpose_a, conjugate_a,
                                    unit_diagonal):
    _check_matrix("triangular_solve", a)
    _check_matrix("triangular_solve", b, square=False)
    if a.dtype != b.dtype:
        raise TypeError(f"triangular_solve requires a and b of the same dtype, got "
                        f"{a.dtype.name} and {b.dtype.name}")
    if a.shape[:-2] != b.shape[:-2]:
        raise TypeError(f"triangular_solve requires both arguments to have the same batch "
                        f"dimensions, got {a.shape} and {b.shape}")
    common = b.shape[-2] if left_side else b.shape[-1]
    if a.shape[-1] != common:
        raise TypeError(f"triangular_solve: a of shape {a.shape} does not fit b of shape "
                        f"{b.shape} with left_side={left_side}")
    return ShapedArray(b.shape, b.dtype)


def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False,
                     conjugate_a=False, unit_diagonal=False):
    """Solve ``op(a) x = b`` (``left_side``) or ``x op(a) = b`` for triangular ``a``,
    where ``op`` transposes and/or conjugates as asked. Only the ``lower`` (or
    upper) triangle of ``a`` is read."""
    return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                   transpose_a=bool(transpose_a),
                                   conjugate_a=bool(conjugate_a),
                                   unit_diagonal=bool(unit_diagonal))


# ---------------------------------------------------------------------------
# eigh

eigh_p = Primitive("eigh", multiple_results=True)


@eigh_p.def_impl
def _eigh_impl(a, *, lower, sort_eigenvalues):
    one = _nan_where_failed(lambda m: np.linalg.eigh(m, UPLO="L" if lower else "U")[::-1],
                            lambda ms: [ms[0].dtype, _real_dtype(ms[0].dtype)])
    v, w = _each_matrix(one, a) if a.ndim > 2 else one(a)
    return [np.asarray(v, a.dtype), np.asarray(w, _real_dtype(a.dtype))]


@eigh_p.def_abstract_eval
def _eigh_abstract_eval(a, *, lower, sort_eigenvalues):
    _check_matrix("eigh", a)
    return [ShapedArray(a.shape, a.dtype), ShapedArray(a.shape[:-1], _real_dtype(a.dtype))]


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None):
    """``(v, w)``: eigenvectors (columns of ``v``) and ascending real eigenvalues
    of a Hermitian matrix, ``x = v diag(w) v^H``."""
    if subset_by_index is not None:
        raise NotImplementedError("eigh(subset_by_index=...) is not implemented in minijax")
    if symmetrize_input:
        x = symmetrize(x)
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues))
    return v, w


# ---------------------------------------------------------------------------
# qr

qr_p = Primitive("qr", multiple_results=True)


@qr_p.def_impl
def _qr_impl(a, *, full_matrices):
    mode = "complete" if full_matrices else "reduced"
    q, r = np.linalg.qr(a, mode=mode)
    return [np.asarray(q, a.dtype), np.asarray(r, a.dtype)]


def _qr_shapes(shape, full_matrices):
    *batch, m, n = shape
    k = m if full_matrices else min(m, n)
    return tuple(batch) + (m, k), tuple(batch) + (k, n)


@qr_p.def_abstract_eval
def _qr_abstract_eval(a, *, full_matrices):
    _check_matrix("qr", a, square=False)
    q_shape, r_shape = _qr_shapes(a.shape, full_matrices)
    return [ShapedArray(q_shape, a.dtype), ShapedArray(r_shape, a.dtype)]


def qr(x, *, pivoting=False, full_matrices=True):
    """``(q, r)`` with ``x = q r``, ``q`` unitary (its columns orthonormal) and
    ``r`` upper triangular."""
    if pivoting:
        raise NotImplementedError("qr(pivoting=True) is not implemented in minijax")
    return tuple(qr_p.bind(x, full_matrices=bool(full_matrices)))


# ---------------------------------------------------------------------------
# svd

svd_p = Primitive("svd", multiple_results=True)


@svd_p.def_impl
def _svd_impl(a, *, full_matrices, compute_uv):
    real = _real_dtype(a.dtype)

    def one(m):
        if not compute_uv:
            return (np.linalg.svd(m, compute_uv=False),)
        u, s, vh = np.linalg.svd(m, full_matrices=full_matrices)
        return s, u, vh
    safe = _nan_where_failed(one, lambda ms: [real] + [ms[0].dtype] * 2)
    outs = _each_matrix(safe, a) if a.ndim > 2 else safe(a)
    return [np.asarray(outs[0], real)] + [np.asarray(o, a.dtype) for o in outs[1:]]


def _svd_shapes(shape, full_matrices):
    *batch, m, n = shape
    k = min(m, n)
    batch = tuple(batch)
    if full_matrices:
        return batch + (k,), batch + (m, m), batch + (n, n)
    return batch + (k,), batch + (m, k), batch + (k, n)


@svd_p.def_abstract_eval
def _svd_abstract_eval(a, *, full_matrices, compute_uv):
    _check_matrix("svd", a, square=False)
    s_shape, u_shape, vh_shape = _svd_shapes(a.shape, full_matrices)
    s = ShapedArray(s_shape, _real_dtype(a.dtype))
    if not compute_uv:
        return [s]
    return [s, ShapedArray(u_shape, a.dtype), ShapedArray(vh_shape, a.dtype)]


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    """``(u, s, vh)`` with ``x = u diag(s) vh`` (just ``s`` if not ``compute_uv``);
    singular values descending."""
    if subset_by_index is not None or algorithm is not None:
        raise NotImplementedError("svd(subset_by_index=..., algorithm=...) is not implemented "
                                  "in minijax")
    outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    if not compute_uv:
        return outs[0]
    s, u, vh = outs
    return u, s, vh


# ---------------------------------------------------------------------------
# lu

lu_p = Primitive("lu", multiple_results=True)


def pivots_to_permutation_numpy(pivots, size):
    """Apply the row swaps ``i <-> pivots[i]`` in order to ``arange(size)``."""
    perm = np.arange(size, dtype=np.int32)
    for i, p in enumerate(pivots):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


@lu_p.def_impl
def _lu_impl(a):
    m = a.shape[-2]

    def one(matrix):
        # A singular matrix still has an LU factorisation (with a zero pivot):
        # JAX returns it silently, so we silence scipy's warning.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
            lu, piv = scipy.linalg.lu_factor(matrix, check_finite=False)
        piv = piv.astype(np.int32)
        return lu, piv, pivots_to_permutation_numpy(piv, m)
    if a.shape[-1] == 0 or m == 0:
        k = min(a.shape[-2:])
        return [a, np.zeros(a.shape[:-2] + (k,), np.int32),
                np.broadcast_to(np.arange(m, dtype=np.int32), a.shape[:-1]).copy()]
    lu, piv, perm = _each_matrix(one, a)
    return [lu.astype(a.dtype), piv, perm]


@lu_p.def_abstract_eval
def _lu_abstract_eval(a):
    _check_matrix("lu", a, square=False)
    *batch, m, n = a.shape
    return [ShapedArray(a.shape, a.dtype), ShapedArray(tuple(batch) + (min(m, n),), np.int32),
            ShapedArray(tuple(batch) + (m,), np.int32)]


def lu(x):
    """``(lu, pivots, permutation)``: the LU factorisation with partial pivoting,
    ``x[permutation] = L U`` with ``L`` unit lower triangular (below the diagonal
    of ``lu``) and ``U`` upper triangular (on and above it). ``pivots[i]`` is the
    row swapped with row ``i`` at step ``i``."""
    return tuple(lu_p.bind(x))


def lu_pivots_to_permutation(pivots, permutation_size):
    """The permutation that the row swaps ``pivots`` perform (batched over
    leading axes): a loop over the swaps written with lax, so that it can be
    traced and lowered."""
    from .. import lax
    from ..control_flow import fori_loop
    pivots = lax.convert_element_type(pivots, np.int32)
    aval = get_aval(pivots)
    *batch, k = aval.shape
    shape, last = tuple(batch) + (permutation_size,), len(batch)
    positions = lax.broadcasted_iota(np.int32, shape, last)
    pivot_positions = lax.broadcasted_iota(np.int32, aval.shape, last)

    def entry(x, x_positions, i):
        """``x[..., i]`` for a traced ``i`` (one-hot select and sum)."""
        hit = lax.eq(x_positions, lax.broadcast_in_dim(i, get_aval(x).shape,
                                                       tuple(range(get_aval(i).ndim))))
        return lax.reduce_sum(lax.select(hit, x, lax.full_like(x, 0)), (last,))

    def swap(i, perm):
        i_b = lax.broadcast_in_dim(lax.convert_element_type(i, np.int32), tuple(batch), ())
        j = entry(pivots, pivot_positions, i_b)
        at_i, at_j = entry(perm, positions, i_b), entry(perm, positions, j)
        spread = lambda v: lax.broadcast_in_dim(v, shape, tuple(range(last)))
        perm = lax.select(lax.eq(positions, spread(j)), spread(at_i), perm)
        return lax.select(lax.eq(positions, spread(i_b)), spread(at_j), perm)
    return fori_loop(0, k, swap, lax.broadcast_in_dim(lax.iota(np.int32, permutation_size),
                                                      shape, (last,)))


# ---------------------------------------------------------------------------
# Matrix helpers written with lax, used by the wrappers and the derivative rules


def _T(x):
    """Swap the last two axes."""
    from .. import lax
    n = get_aval(x).ndim
    return lax.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _H(x):
    """Conjugate transpose of a stack of matrices (the plain transpose if real)."""
    from .. import lax
    x_t = _T(x)
    return lax.conj(x_t) if dtypes.is_complex(get_aval(x).dtype) else x_t


def matmul(a, b):
    """Batched ``a @ b`` over equal leading axes."""
    from .. import lax
    n = get_aval(a).ndim
    batch = tuple(range(n - 2))
    return lax.dot_general(a, b, (((n - 1,), (n - 2,)), (batch, batch)))


def _triangle_mask(shape, k, lower):
    from .. import lax
    rows = lax.broadcasted_iota(np.int32, shape, len(shape) - 2)
    cols = lax.broadcasted_iota(np.int32, shape, len(shape) - 1)
    offset = lax.add(rows, lax._convert_element_type(k, np.int32)) if k else rows
    return lax.ge(offset, cols) if lower else lax.le(offset, cols)


def tril(x, k=0):
    """The lower triangle (on and below diagonal ``k``) of each matrix; zeros elsewhere."""
    from .. import lax
    aval = get_aval(x)
    return lax.select(_triangle_mask(aval.shape, k, True), x, lax.full_like(x, 0))


def triu(x, k=0):
    """The upper triangle (on and above diagonal ``k``) of each matrix."""
    from .. import lax
    aval = get_aval(x)
    return lax.select(_triangle_mask(aval.shape, k, False), x, lax.full_like(x, 0))


def eye_like(x, n):
    """An ``n x n`` identity of ``x``'s dtype, broadcast over ``x``'s batch axes."""
    from .. import lax
    aval = get_aval(x)
    shape = aval.shape[:-2] + (n, n)
    rows = lax.broadcasted_iota(np.int32, shape, len(shape) - 2)
    cols = lax.broadcasted_iota(np.int32, shape, len(shape) - 1)
    return lax.convert_element_type(lax.eq(rows, cols), aval.dtype)


def diagonal(x):
    """The main diagonals of a stack of matrices, shape ``batch + (min(m, n),)``."""
    from .. import lax
    aval = get_aval(x)
    *batch, m, n = aval.shape
    k = min(m, n)
    picked = lax.select(lax.eq(lax.broadcasted_iota(np.int32, aval.shape, len(batch)),
                               lax.broadcasted_iota(np.int32, aval.shape, len(batch) + 1)),
                        x, lax.full_like(x, 0))
    summed = lax.reduce_sum(lax.slice(picked, (0,) * len(aval.shape), tuple(batch) + (k, k)),
                            (len(batch),))
    return summed


def diag_matrix(d, dtype=None):
    """A stack of diagonal matrices with diagonals ``d`` (shape ``batch + (k,)``)."""
    from .. import lax
    aval = get_aval(d)
    *batch, k = aval.shape
    shape = tuple(batch) + (k, k)
    full = lax.broadcast_in_dim(d, shape, tuple(range(len(batch))) + (len(batch) + 1,))
    mask = lax.eq(lax.broadcasted_iota(np.int32, shape, len(batch)),
                  lax.broadcasted_iota(np.int32, shape, len(batch) + 1))
    return lax.select(mask, full, lax.full_like(full, 0))
