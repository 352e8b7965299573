"""Checking derivatives numerically: ``check_grads``, ``check_jvp``, ``check_vjp``.

Automatic differentiation is only as right as its rules. These functions test
the rules the way JAX's ``jax.test_util`` does, against two facts that hold for
any differentiable ``f`` and need no derivative rule at all:

* **forward mode**: the JVP along a direction ``v`` is the limit of a
  *central difference*, ``(f(x + εv) - f(x - εv)) / 2ε``;
* **reverse mode**: the VJP is the *adjoint* of the JVP. For every output
  cotangent ``u`` and input tangent ``v``, ``⟨vjp(u), v⟩ = ⟨u, jvp(v)⟩``; with
  ``jvp(v)`` taken from central differences this checks reverse mode without
  ever building a Jacobian.

Each check uses one random direction (one random cotangent), so it costs a
few evaluations of ``f`` whatever the sizes of the inputs and outputs: a wrong
rule is caught with probability 1, although a wrong rule is not *located*.
``check_grads(f, args, order=2)`` applies the checks again to the derivative
functions themselves, which checks the derivatives of the derivative rules.

Integer and boolean arguments are held fixed: their tangents are ``float0``.
"""
import functools

import numpy as np

from . import dtypes, tree_util
from .core import ShapedArray, get_aval
from .eager import Array
from .forward_mode import jvp
from .partial_eval import linearize
from .transpose import vjp

__all__ = ["check_grads", "check_jvp", "check_vjp"]

# ---------------------------------------------------------------------------
# Step sizes and tolerances, by dtype
#
# A central difference has two errors: truncation, about ε² |f'''| / 6, and
# rounding, about ulp(f) / ε. The step balances them for each precision; the
# tolerances leave room for both. float64's 1e-5 is JAX's gradient tolerance;
# for float32 the step is larger than JAX's fixed 1e-4 (rounding error
# 6e-8 / 1e-4 would eat most of the 2e-3 tolerance) and the tolerance is JAX's.

_DEFAULT_EPS = {dtypes.float16: 1e-1, dtypes.float32: 1e-3, dtypes.float64: 1e-4,
                dtypes.complex64: 1e-3, dtypes.complex128: 1e-4}
_DEFAULT_TOL = {dtypes.float16: 5e-2, dtypes.float32: 2e-3, dtypes.float64: 1e-5,
                dtypes.complex64: 2e-3, dtypes.complex128: 1e-5}


def _dtype(x):
    """The dtype minijax gives ``x`` (Python scalars: the default float/int type)."""
    return get_aval(x).dtype


def _is_differentiable(x):
    """Only floating and complex values can be perturbed."""
    return dtypes.is_inexact(_dtype(x))


def _default_eps(leaves):
    """The step for the least precise inexact input (the one that needs the largest)."""
    steps = [_DEFAULT_EPS.get(_dtype(x), 1e-4) for x in leaves if _is_differentiable(x)]
    return max(steps, default=1e-4)


def _tolerance(tol, dtype):
    """``tol`` may be None (the default for ``dtype``), a number, or a dict
    from dtype to number (defaults for dtypes it does not name)."""
    if tol is None or isinstance(tol, dict):
        table = dict(_DEFAULT_TOL)
        table.update({np.dtype(k): v for k, v in (tol or {}).items()})
        return table.get(np.dtype(dtype), 0.0)   # integers compare exactly
    return float(tol)


def _lowest_precision(dtype_list):
    """The inexact dtype with the loosest default tolerance (float64 if none)."""
    inexact = [d for d in dtype_list if dtypes.is_inexact(d)]
    return max(inexact, key=lambda d: _DEFAULT_TOL[d], default=dtypes.float64)


# ---------------------------------------------------------------------------
# Values: random directions, perturbed arguments, inner products


def _rebuild_like(x, value):
    """``value`` (a numpy array) in the same kind of container as ``x``: a
    Python scalar stays a (weakly typed) Python scalar, a numpy value stays
    numpy, anything else becomes a minijax Array with ``x``'s type."""
    aval = get_aval(x)
    value = np.asarray(value).astype(aval.dtype)
    if type(x) in (bool, int, float, complex):
        return value.item()
    if isinstance(x, (np.ndarray, np.generic)):
        return value
    return Array(value, ShapedArray(aval.shape, aval.dtype, aval.weak_type))


def _random_like(rng, x):
    """A standard normal value with ``x``'s type (complex: normal real and
    imaginary parts); a ``float0`` zero for integers, which cannot move."""
    aval = get_aval(x)
    if not dtypes.is_inexact(aval.dtype):
        return np.zeros(aval.shape, dtypes.float0)
    value = rng.standard_normal(aval.shape)
    if dtypes.is_complex(aval.dtype):
        value = value + 1j * rng.standard_normal(aval.shape)
    return _rebuild_like(x, value)


def _random_tree(rng, tree):
    return tree_util.tree_map(functools.partial(_random_like, rng), tree)


def _perturb(xs, vs, step):
    """``xs + step * vs`` leafwise, in each leaf's own dtype (that is the point
    at which ``f`` will be evaluated); integer leaves stay where they are."""
    def move(x, v):
        if not _is_differentiable(x):
            return x
        return _rebuild_like(x, np.asarray(x) + step * np.asarray(v))
    return tree_util.tree_map(move, xs, vs)


def _as_wide_numpy(x):
    """``x`` as float64/complex128 numpy: differences and sums of float32
    values are then computed without further rounding."""
    x = np.asarray(x)
    return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)


def numerical_jvp(f, primals, tangents, eps):
    """The central difference ``(f(x + εv) - f(x - εv)) / 2ε`` (a pytree like
    ``f``'s output, as float64/complex128 numpy; ``float0`` zeros for integer
    outputs, which cannot change)."""
    out_plus = f(*_perturb(primals, tangents, eps))
    out_minus = f(*_perturb(primals, tangents, -eps))

    def difference(plus, minus):
        if not _is_differentiable(plus):
            return np.zeros(np.shape(plus), dtypes.float0)
        plus, minus = _as_wide_numpy(plus), _as_wide_numpy(minus)
        with np.errstate(invalid="ignore"):
            # inf - inf is nan; an output that is infinite on both sides has not moved.
            delta = np.where(plus == minus, 0, plus - minus)
        return delta / (2 * eps)
    return tree_util.tree_map(difference, out_plus, out_minus)


def _inner_product(xs, ys):
    """``Re Σ conj(x) y`` over all differentiable leaves, and ``Σ |x| |y|``: the
    size an inner product's rounding error is relative to (terms may cancel)."""
    value, scale = 0.0, 0.0
    for x, y in zip(tree_util.tree_leaves(xs), tree_util.tree_leaves(ys)):
        if dtypes.float0 in (np.asarray(x).dtype, np.asarray(y).dtype):
            continue
        x, y = _as_wide_numpy(x).ravel(), _as_wide_numpy(y).ravel()
        value += float(np.real(np.vdot(x, y)))
        scale += float(np.abs(x) @ np.abs(y))
    return value, scale


# ---------------------------------------------------------------------------
# Comparisons that explain themselves


def _context(err_msg, what):
    """Prefix a failure with the caller's description (e.g. "VJP of JVP of f")."""
    return f"{err_msg}: {what}" if err_msg else what


def _type_name(dtype, shape):
    name = "float0" if dtype == dtypes.float0 else np.dtype(dtype).name
    return f"{name}{list(shape)}"


def _check_structure(got, expected, what):
    got_tree, want_tree = tree_util.tree_structure(got), tree_util.tree_structure(expected)
    if got_tree != want_tree:
        raise AssertionError(f"{what}: the result has structure {got_tree}, but "
                             f"{want_tree} was expected.")


def _check_close(got, expected, atol, rtol, what):
    """Leafwise ``|got - expected| <= atol + rtol |expected|``, with the
    tolerances of each leaf's dtype. ``float0`` leaves (tangents of integers)
    hold no values; integers must be equal."""
    _check_structure(got, expected, what)
    pairs = zip(tree_util.tree_leaves(got), tree_util.tree_leaves(expected))
    for i, (g, e) in enumerate(pairs):
        g_np = np.asarray(g)
        dt = g_np.dtype
        if dtypes.float0 in (dt, np.asarray(e).dtype):
            continue
        if g_np.shape != np.shape(e):
            raise AssertionError(f"{what} (leaf {i}): shape {g_np.shape}, expected "
                                 f"{np.shape(e)}.")
        np.testing.assert_allclose(
            _as_wide_numpy(g_np), _as_wide_numpy(e), atol=_tolerance(atol, dt),
            rtol=_tolerance(rtol, dt), equal_nan=True,
            err_msg=f"{what} (output leaf {i}, dtype {dt.name})")


def _check_tangent_types(primals_out, tangents_out, what):
    """Each output tangent has its primal's dtype (``float0`` for integers)."""
    _check_structure(tangents_out, primals_out, what)
    for i, (p, t) in enumerate(zip(tree_util.tree_leaves(primals_out),
                                   tree_util.tree_leaves(tangents_out))):
        want = _dtype(p) if _is_differentiable(p) else dtypes.float0
        got = np.asarray(t).dtype
        if got != want or np.shape(t) != np.shape(p):
            raise AssertionError(f"{what} (output leaf {i}): tangent has type "
                                 f"{_type_name(got, np.shape(t))}, but the primal output "
                                 f"{get_aval(p).str_short()} needs "
                                 f"{_type_name(want, np.shape(p))}.")


# ---------------------------------------------------------------------------
# The checks


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=None, err_msg=""):
    """Check ``f_jvp`` (typically ``functools.partial(minijax.jvp, f)``) against
    central differences of ``f`` along one random direction at ``f(*args)``.

    ``f_jvp(primals, tangents)`` must return ``(primals_out, tangents_out)``.
    Raises AssertionError, naming what disagreed, if the primal outputs differ
    from ``f(*args)`` or the tangents from the central difference.
    """
    args = tuple(args)
    eps = eps or _default_eps(tree_util.tree_leaves(args))
    rng = np.random.RandomState(0)     # reproducible: a failure can be re-run
    tangents = _random_tree(rng, args)
    primals_out, tangents_out = f_jvp(args, tangents)
    expected_out = f(*args)
    _check_tangent_types(primals_out, tangents_out, _context(err_msg, "JVP tangent types"))
    _check_close(primals_out, expected_out, atol, rtol, _context(err_msg, "JVP primal output "
                                                           "differs from f(*args)"))
    expected_tangents = numerical_jvp(f, args, tangents, eps)
    _check_close(tangents_out, expected_tangents, atol, rtol, _context(
        err_msg, f"JVP tangent output differs from the central difference (eps={eps}) "
                 "along a random direction"))


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=None, err_msg=""):
    """Check ``f_vjp`` (typically ``functools.partial(minijax.vjp, f)``) by the
    adjoint identity ``⟨vjp(u), v⟩ = ⟨u, jvp(v)⟩`` for a random cotangent
    ``u`` and a random tangent ``v``, with ``jvp(v)`` from central differences.

    ``f_vjp(*args)`` must return ``(out, vjp_fun)``. For complex values the
    identity is checked in JAX's convention, ``Re⟨v, conj(vjp(conj u))⟩ =
    Re⟨jvp(v), u⟩``. Raises AssertionError if it fails.
    """
    args = tuple(args)
    eps = eps or _default_eps(tree_util.tree_leaves(args))
    rng = np.random.RandomState(0)
    out, vjp_fun = f_vjp(*args)
    _check_close(out, f(*args), atol, rtol, _context(err_msg, "VJP primal output differs "
                                                            "from f(*args)"))
    tangents = _random_tree(rng, args)
    cotangent = _random_tree(rng, out)
    conj = lambda tree: tree_util.tree_map(
        lambda x: x if np.asarray(x).dtype == dtypes.float0 else _rebuild_like(x, np.conj(x)),
        tree)
    cotangents_in = vjp_fun(conj(cotangent))
    _check_structure(tuple(cotangents_in), args, _context(err_msg, "VJP cotangent structure"))
    lhs, lhs_scale = _inner_product(tangents, conj(cotangents_in))
    rhs, rhs_scale = _inner_product(numerical_jvp(f, args, tangents, eps), cotangent)
    dt = _lowest_precision([_dtype(x) for x in tree_util.tree_leaves((args, out))])
    # Rounding errors of an inner product are relative to the sum of the
    # magnitudes of its terms, not to its value (which may cancel to ~0).
    allowed = _tolerance(atol, dt) + _tolerance(rtol, dt) * max(lhs_scale, rhs_scale)
    if not abs(lhs - rhs) <= allowed:
        raise AssertionError(
            f"{_context(err_msg, 'VJP is not the adjoint of the JVP')}: for a random "
            f"cotangent u and tangent v, <vjp(u), v> = {lhs!r} but <u, jvp(v)> = {rhs!r} "
            f"(jvp by central differences with eps={eps}); the difference {abs(lhs - rhs):.3g} "
            f"exceeds the tolerance {allowed:.3g}.")


def _jvp_from_linearize(f, primals, tangents):
    """A JVP computed by ``linearize``: checks partial evaluation too."""
    out, f_jvp = linearize(f, *primals)
    return out, f_jvp(*tangents)


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check the derivatives of ``f`` at ``args`` up to ``order``, numerically.

    ``modes`` picks forward mode (``"fwd"``: ``jvp`` against central
    differences), reverse mode (``"rev"``: ``vjp`` by the adjoint identity) and
    ``"lin"`` (``linearize`` against central differences). For ``order > 1``
    the derivative functions themselves are checked again, to ``order - 1``:
    the JVP as a function of (primals, tangents), and the VJP along a fixed
    random cotangent as a function of the primals.

    Default tolerances and step sizes depend on the dtype (loose for float32,
    tight for float64); ``atol``/``rtol`` may be numbers or dicts from dtype to
    number. Integer and boolean leaves of ``args`` are held fixed. Raises
    AssertionError, saying which derivative of which order failed.
    """
    args = tuple(args)
    leaves, in_tree = tree_util.tree_flatten(args)
    eps = eps or _default_eps(leaves)
    # Differentiate only with respect to the float leaves: the others are
    # closed over, so the derivative functions below take floats only.
    moving = [i for i, x in enumerate(leaves) if _is_differentiable(x)]

    def f_of_floats(*xs):
        full = list(leaves)
        for i, x in zip(moving, xs):
            full[i] = x
        return f(*tree_util.tree_unflatten(in_tree, full))

    check = dict(atol=atol, rtol=rtol, eps=eps)

    def check_to_order(fun, fun_args, order, name):
        if "fwd" in modes:
            what = f"JVP of {name}"
            check_jvp(fun, functools.partial(jvp, fun), fun_args, err_msg=what, **check)
            if order > 1:
                tangents = _random_tree(np.random.RandomState(1), fun_args)
                check_to_order(lambda p, t: jvp(fun, p, t), (fun_args, tangents), order - 1,
                               what)
        if "rev" in modes:
            what = f"VJP of {name}"
            check_vjp(fun, functools.partial(vjp, fun), fun_args, err_msg=what, **check)
            if order > 1:
                cotangent = _random_tree(np.random.RandomState(2), fun(*fun_args))

                def pullback(*primals):
                    return vjp(fun, *primals)[1](cotangent)
                check_to_order(pullback, fun_args, order - 1, what)
        if "lin" in modes:
            what = f"linearized JVP of {name}"
            check_jvp(fun, functools.partial(_jvp_from_linearize, fun), fun_args,
                      err_msg=what, **check)
            if order > 1:
                tangents = _random_tree(np.random.RandomState(1), fun_args)
                check_to_order(functools.partial(_jvp_from_linearize, fun),
                               (fun_args, tangents), order - 1, what)

    unknown = set(modes) - {"fwd", "rev", "lin"}
    if unknown:
        raise ValueError(f"check_grads: unknown modes {sorted(unknown)}; use 'fwd', 'rev' "
                         "and/or 'lin'.")
    if not moving:
        raise ValueError("check_grads: no floating-point or complex arguments to "
                         "differentiate (integer and boolean arguments are held fixed).")
    name = getattr(f, "__name__", "f")
    check_to_order(f_of_floats, tuple(leaves[i] for i in moving), order, name)
