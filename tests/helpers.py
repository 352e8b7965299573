"""Helpers shared by the test modules: comparing minijax with real JAX.

Tests import ``jax`` (the reference implementation, a test-only dependency)
and ``minijax`` side by side. ``check_like_jax`` compares values *and* types:
shape, dtype and weak type must all agree.
"""
import contextlib

import jax
import numpy as np

import minijax

F32_TOL = dict(rtol=5e-6, atol=1e-6)   # numpy's and XLA's float32 kernels differ by a few ulps
F64_TOL = dict(rtol=1e-12, atol=1e-12)


def to_numpy(x):
    return np.asarray(x)


def weak_type(x):
    """The weak-type flag of a minijax or JAX array (False for numpy values)."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return bool(aval.weak_type)
    return bool(getattr(x, "weak_type", False))


def tree_pairs(ours, theirs):
    """Flatten two pytrees of the same structure into pairs of leaves."""
    our_leaves, our_tree = minijax.tree_util.tree_flatten(ours)
    their_leaves, their_tree = jax.tree_util.tree_flatten(theirs)
    assert len(our_leaves) == len(their_leaves), (our_tree, their_tree)
    assert str(our_tree) == str(their_tree).replace("ArrayImpl", "Array"), (our_tree, their_tree)
    return list(zip(our_leaves, their_leaves))


def check_like_jax(ours, theirs, check_dtypes=True, **tol):
    """Assert that a minijax result equals a JAX result: same pytree structure,
    shapes, dtypes and weak types, and values within ``tol`` (float32 default)."""
    tol = tol or F32_TOL
    for a, b in tree_pairs(ours, theirs):
        a_np, b_np = to_numpy(a), to_numpy(b)
        assert a_np.shape == b_np.shape, (a_np.shape, b_np.shape)
        if check_dtypes:
            assert a_np.dtype == b_np.dtype, (a_np.dtype, b_np.dtype)
            assert weak_type(a) == weak_type(b), f"weak_type: ours {weak_type(a)}, jax {weak_type(b)}"
        if a_np.dtype == minijax.dtypes.float0:
            continue
        np.testing.assert_allclose(a_np, b_np, **tol, equal_nan=True)


@contextlib.contextmanager
def x64():
    """Run a block with 64-bit types enabled in both minijax and JAX."""
    prev_ours, prev_theirs = minijax.config.x64_enabled, jax.config.jax_enable_x64
    minijax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        minijax.config.update("jax_enable_x64", prev_ours)
        jax.config.update("jax_enable_x64", prev_theirs)


def central_difference(f, x, v, eps):
    """(f(x + eps v) - f(x - eps v)) / (2 eps), on numpy float64 values."""
    return (np.asarray(f(x + eps * v)) - np.asarray(f(x - eps * v))) / (2 * eps)
