"""x.at[...].multiply / divide / power / min / max and the scatter-mul,
scatter-min and scatter-max primitives under them, against real JAX:
values (repeated, negative and out-of-bounds indices; several dtypes), every
transformation, and the one gradient JAX declines too."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp

from helpers import check_like_jax

X = np.array([[1.0, 5.0, 2.0], [-3.0, 0.5, 4.0]], np.float32)
IDX = np.array([0, 0, 1, 5, -1, 9])          # repeats, a negative index, two out of bounds
U = np.array([3.0, 3.0, 7.0, -2.0, 0.25, 1.0], np.float32)
T_X = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
T_U = np.arange(10.0, 70.0, 10.0, dtype=np.float32)

UPDATES = {
    "multiply": lambda x, u: x.reshape(-1).at[IDX].multiply(u),
    "min": lambda x, u: x.reshape(-1).at[IDX].min(u),
    "max": lambda x, u: x.reshape(-1).at[IDX].max(u),
    "max rows": lambda x, u: x.at[1].max(u[:3]),
    "min slice": lambda x, u: x.at[:, ::2].min(u[:2]),
    "mul basic": lambda x, u: x.at[0, 1].mul(u[2]),
    "divide": lambda x, u: x.at[:, 1:].divide(u[:2]),
    "power": lambda x, u: x.at[1, 2].power(u[3]),
}


def both(f):
    return (lambda *a: f(*[mjnp.asarray(v) for v in a]),
            lambda *a: f(*[jjnp.asarray(v) for v in a]))


@pytest.mark.parametrize("name", UPDATES)
def test_values_match_jax(name):
    ours, theirs = both(UPDATES[name])
    check_like_jax(ours(X, U), theirs(X, U), rtol=0, atol=0)
    # Compiled, an ulp may differ: JAX's scatter keeps the index structure,
    # and XLA can rewrite "divide by a scatter of ones" into a broadcast
    # reciprocal; minijax scatters through flat positions, which it cannot.
    check_like_jax(minijax.jit(ours)(X, U), jax.jit(theirs)(X, U), rtol=2e-7, atol=0)


@pytest.mark.parametrize("dtype", [np.int32, np.float16, np.uint8])
@pytest.mark.parametrize("method", ["multiply", "min", "max"])
def test_other_dtypes(method, dtype):
    x, u = np.arange(6).astype(dtype), np.array([2, 3, 1, 4]).astype(dtype)
    idx = np.array([1, 1, 4, 0])
    f = lambda np_: getattr(np_.asarray(x).at[idx], method)(u)   # noqa: E731
    check_like_jax(f(mjnp), f(jjnp), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["multiply", "min", "max", "max rows", "min slice",
                                  "mul basic", "divide", "power"])
def test_jvp_matches_jax(name):
    f = UPDATES[name]
    if name == "multiply":   # repeated indices: only the operand may carry a tangent
        ours = minijax.jvp(lambda x: f(x, mjnp.asarray(U)), (X,), (T_X,))
        theirs = jax.jvp(lambda x: f(x, jjnp.asarray(U)), (X,), (T_X,))
    else:
        ours = minijax.jvp(f, (X, U), (T_X, T_U))
        theirs = jax.jvp(f, (X, U), (T_X, T_U))
    check_like_jax(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["min", "max", "max rows", "min slice", "mul basic",
                                  "divide"])
def test_grad_vmap_and_hessian_match_jax(name):
    f = UPDATES[name]
    loss = lambda np_: lambda x, u: np_.sum(f(x, u) ** 2)   # noqa: E731
    check_like_jax(minijax.grad(loss(mjnp), (0, 1))(X, U), jax.grad(loss(jjnp), (0, 1))(X, U),
                   rtol=1e-6, atol=1e-6)
    check_like_jax(minijax.vmap(f)(np.stack([X, -X]), np.stack([U, U[::-1]])),
                   jax.vmap(f)(np.stack([X, -X]), np.stack([U, U[::-1]])), rtol=0, atol=0)
    check_like_jax(minijax.hessian(lambda x: loss(mjnp)(x, U))(X),
                   jax.hessian(lambda x: loss(jjnp)(x, U))(X), rtol=1e-5, atol=1e-5)
    check_like_jax(minijax.jit(minijax.grad(loss(mjnp)))(X, U),
                   jax.jit(jax.grad(loss(jjnp)))(X, U), rtol=1e-6, atol=1e-6)


def test_ties_share_the_slope_equally():
    """Two updates and the operand all equal to the maximum: each gets a third."""
    x = np.array([2.0, 1.0], np.float32)
    out, t = minijax.jvp(lambda x, u: x.at[np.array([0, 0])].max(u),
                         (x, np.array([2.0, 2.0], np.float32)),
                         (np.array([3.0, 0.0], np.float32), np.array([6.0, 9.0], np.float32)))
    np.testing.assert_allclose(np.asarray(t), [(3.0 + 6.0 + 9.0) / 3, 0.0], rtol=1e-6)


def test_gradient_of_repeated_multiply_updates_is_refused_like_jax():
    for L, np_ in ((jax, jjnp), (minijax, mjnp)):
        with pytest.raises(NotImplementedError, match="unique_indices"):
            L.grad(lambda u: np_.sum(np_.asarray(X).reshape(-1).at[IDX].multiply(u)))(U)
    # With the promise of unique indices it is defined, and agrees with JAX.
    f = lambda np_: lambda u: np_.sum(   # noqa: E731
        np_.asarray(X).reshape(-1).at[np.array([0, 2, 4])].multiply(u, unique_indices=True))
    check_like_jax(minijax.grad(f(mjnp))(U[:3]), jax.grad(f(jjnp))(U[:3]))


def test_lax_scatter_with_windows_matches_jax():
    dn = dict(update_window_dims=(1,), inserted_window_dims=(0,),
              scatter_dims_to_operand_dims=(0,))
    idx = np.array([[1], [0], [1]])
    upd = np.array([[2.0, -1.0, 3.0], [0.5, 9.0, 1.0], [4.0, 4.0, -5.0]], np.float32)
    for name in ("scatter_mul", "scatter_min", "scatter_max"):
        ours = getattr(minijax.lax, name)(X, idx, upd, minijax.lax.ScatterDimensionNumbers(**dn))
        theirs = getattr(jax.lax, name)(X, idx, upd, jax.lax.ScatterDimensionNumbers(**dn))
        check_like_jax(ours, theirs, rtol=0, atol=0)


def test_jaxpr_names_the_primitives_like_jax():
    text = str(minijax.make_jaxpr(UPDATES["max"])(X, U))
    assert "scatter-max" in text
    assert "scatter-max" in str(jax.make_jaxpr(UPDATES["max"])(X, U))
