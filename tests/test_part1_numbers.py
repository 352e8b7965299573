"""The worked numbers of the book's Part I, computed with minijax, equal to
JAX's (and, where the book states them, to the numbers it states, derived by
hand below rather than copied from a run).

Chapter 1: logistic regression gradients. Chapter 2: derivatives of a cubic,
the Hessian of x·x, HVPs, Jacobian shapes, a MAML-style meta-gradient.
Chapter 3: stop_gradient in TD(0), the straight-through estimator,
per-example gradients with vmap.
"""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mjnp
from minijax.test_util import check_grads

from helpers import F64_TOL, central_difference, check_like_jax, x64

LIBS = [(minijax, mjnp), (jax, jjnp)]

# ---------------------------------------------------------------------------
# Chapter 1: logistic regression on 4×3 toy inputs

INPUTS = np.array([[0.52, 1.12, 0.77],
                   [0.88, -1.08, 0.15],
                   [0.52, 0.06, -1.30],
                   [0.74, -2.49, 1.39]], np.float32)
TARGETS = np.array([True, True, False, True])
W0 = np.array([0.5, -0.3, 0.2], np.float32)
B0 = np.float32(0.1)


def logistic_loss(n):
    def sigmoid(x):
        return 0.5 * (n.tanh(x / 2) + 1)

    def predict(W, b, inputs):
        return sigmoid(n.dot(inputs, W) + b)

    def loss(W, b):
        preds = predict(W, b, n.asarray(INPUTS))
        label_probs = preds * TARGETS + (1 - preds) * (1 - TARGETS)
        return -n.sum(n.log(label_probs))
    return loss, predict


def test_logistic_regression_gradients_equal_jax():
    (ours, _), (theirs, _) = logistic_loss(mjnp), logistic_loss(jjnp)
    W, b = mjnp.asarray(W0), mjnp.asarray(B0)
    Wj, bj = jjnp.asarray(W0), jjnp.asarray(B0)
    check_like_jax(minijax.grad(ours)(W, b), jax.grad(theirs)(Wj, bj))
    check_like_jax(minijax.grad(ours, argnums=1)(W, b), jax.grad(theirs, argnums=1)(Wj, bj))
    check_like_jax(minijax.grad(ours, argnums=(0, 1))(W, b),
                   jax.grad(theirs, argnums=(0, 1))(Wj, bj))
    check_like_jax(minijax.value_and_grad(ours, (0, 1))(W, b),
                   jax.value_and_grad(theirs, (0, 1))(Wj, bj))
    # Nested containers of parameters.
    as_dict = lambda f: (lambda p: f(p["W"], p["b"]))
    check_like_jax(minijax.grad(as_dict(ours))({"W": W, "b": b}),
                   jax.grad(as_dict(theirs))({"W": Wj, "b": bj}))
    as_list = lambda f: (lambda p: f(p[0], p[1][0]))
    check_like_jax(minijax.grad(as_list(ours))([W, (b,)]),
                   jax.grad(as_list(theirs))([Wj, (bj,)]))


def test_logistic_regression_gradient_closed_form_and_finite_differences():
    """∇_W L = Xᵀ(p − y), ∂L/∂b = Σ(p − y); and central differences agree."""
    with x64():
        loss, predict = logistic_loss(mjnp)
        W, b = W0.astype(np.float64), np.float64(B0)
        gW, gb = minijax.grad(loss, argnums=(0, 1))(W, b)
        error = np.asarray(predict(W, b, INPUTS.astype(np.float64))) - TARGETS
        np.testing.assert_allclose(gW, INPUTS.astype(np.float64).T @ error, **F64_TOL)
        np.testing.assert_allclose(gb, error.sum(), **F64_TOL)
        v = np.random.default_rng(0).standard_normal(3)
        numeric = central_difference(lambda w: loss(w, b), W, v, 1e-6)
        np.testing.assert_allclose(numeric, np.dot(gW, v), rtol=1e-7)
        # Scalar direction, one coordinate at a time.
        for i in range(3):
            e = np.eye(3)[i]
            np.testing.assert_allclose(central_difference(lambda w: loss(w, b), W, e, 1e-6),
                                       gW[i], rtol=1e-7)
        check_grads(loss, (W, b), order=2)
    check_grads(logistic_loss(mjnp)[0], (W0, B0), order=2)     # float32 tolerances


def test_gradient_descent_steps_equal_jax():
    (ours, _), (theirs, _) = logistic_loss(mjnp), logistic_loss(jjnp)
    W, b = mjnp.asarray(W0), mjnp.asarray(B0)
    Wj, bj = jjnp.asarray(W0), jjnp.asarray(B0)
    for _ in range(5):
        dW, db = minijax.grad(ours, (0, 1))(W, b)
        dWj, dbj = jax.grad(theirs, (0, 1))(Wj, bj)
        W, b, Wj, bj = W - 0.1 * dW, b - 0.1 * db, Wj - 0.1 * dWj, bj - 0.1 * dbj
    check_like_jax((W, b, ours(W, b)), (Wj, bj, theirs(Wj, bj)), rtol=1e-5, atol=1e-6)
    assert float(ours(W, b)) < float(ours(mjnp.asarray(W0), mjnp.asarray(B0)))


# ---------------------------------------------------------------------------
# Chapter 2: higher-order derivatives


def cubic(x):
    return x ** 3 + 2 * x ** 2 - 3 * x + 1


@pytest.mark.parametrize("lib,jnp", LIBS, ids=["minijax", "jax"])
def test_cubic_derivatives_at_one(lib, jnp):
    # f' = 3x² + 4x − 3, f'' = 6x + 4, f''' = 6, f'''' = 0: at x = 1, 4, 10, 6, 0.
    d1 = lib.grad(cubic)
    d2, d3 = lib.grad(d1), lib.grad(lib.grad(d1))
    d4 = lib.grad(d3)
    assert [float(d(1.0)) for d in (d1, d2, d3, d4)] == [4.0, 10.0, 6.0, 0.0]


def test_cubic_derivatives_equal_jax_everywhere():
    ds_ours, ds_theirs = [cubic], [cubic]
    for _ in range(4):
        ds_ours.append(minijax.grad(ds_ours[-1]))
        ds_theirs.append(jax.grad(ds_theirs[-1]))
    for x in (-2.0, 0.0, 0.5, 1.0, 3.0):
        check_like_jax([d(x) for d in ds_ours[1:]], [d(x) for d in ds_theirs[1:]])


@given(x=st.floats(-3, 3), order=st.integers(1, 4))
def test_cubic_derivatives_match_the_formulas(x, order):
    formulas = {1: lambda x: 3 * x ** 2 + 4 * x - 3, 2: lambda x: 6 * x + 4,
                3: lambda x: 6.0, 4: lambda x: 0.0}
    with x64():
        d = cubic
        for _ in range(order):
            d = minijax.grad(d)
        np.testing.assert_allclose(d(x), formulas[order](x), rtol=1e-12, atol=1e-12)


def test_hessian_of_dot_is_twice_identity():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    H = minijax.hessian(lambda x: mjnp.dot(x, x))(x)
    np.testing.assert_array_equal(H, 2 * np.eye(3))
    check_like_jax(H, jax.hessian(lambda x: jjnp.dot(x, x))(x))
    # hessian = jacfwd(jacrev(f)), and the other orders agree.
    f = lambda x: mjnp.dot(x, x)
    for H2 in (minijax.jacfwd(minijax.jacrev(f))(x), minijax.jacrev(minijax.jacfwd(f))(x),
               minijax.jacrev(minijax.jacrev(f))(x), minijax.jacfwd(minijax.grad(f))(x)):
        np.testing.assert_array_equal(H2, 2 * np.eye(3))


def test_hvp_by_grad_of_grad_equals_jax_and_hessian():
    X = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    V = np.cos(np.arange(12, dtype=np.float32)).reshape(3, 4)

    def hvp(lib, jnp, f, x, v):
        return lib.grad(lambda x: jnp.vdot(lib.grad(f)(x), v))(x)

    f_ours = lambda X: mjnp.sum(mjnp.tanh(X) ** 2)
    f_theirs = lambda X: jjnp.sum(jjnp.tanh(X) ** 2)
    ours = hvp(minijax, mjnp, f_ours, X, V)
    check_like_jax(ours, hvp(jax, jjnp, f_theirs, X, V), rtol=1e-5, atol=1e-6)
    full = minijax.hessian(f_ours)(X)
    np.testing.assert_allclose(ours, np.tensordot(full, V, 2), rtol=1e-5, atol=1e-6)
    # forward-over-reverse gives the same product
    fwd_rev = minijax.jvp(minijax.grad(f_ours), (X,), (V,))[1]
    np.testing.assert_allclose(fwd_rev, ours, rtol=1e-5, atol=1e-6)


def test_jacobian_shapes_and_pytree_inputs():
    """For f: Rⁿ → Rᵐ: the output is m, the Jacobian m×n, the Hessian m×n×n;
    with pytree inputs, Jacobians come back as the same pytrees."""
    A = np.arange(12, dtype=np.float32).reshape(4, 3) / 10

    def f(n):
        return lambda x: n.tanh(n.asarray(A) @ x)
    x = np.array([0.3, -0.2, 0.5], np.float32)
    for jac in ("jacfwd", "jacrev", "hessian"):
        ours = getattr(minijax, jac)(f(mjnp))(x)
        theirs = getattr(jax, jac)(f(jjnp))(x)
        check_like_jax(ours, theirs, rtol=1e-5, atol=1e-6)
    assert minijax.hessian(f(mjnp))(x).shape == (4, 3, 3)

    def g(n):
        return lambda p: n.tanh(n.dot(n.asarray(INPUTS), p["W"]) + p["b"])
    params = {"W": W0, "b": B0}
    for jac in ("jacfwd", "jacrev"):
        ours = getattr(minijax, jac)(g(mjnp))(params)
        theirs = getattr(jax, jac)(g(jjnp))(params)
        check_like_jax(ours, theirs, rtol=1e-5, atol=1e-6)
        assert ours["W"].shape == (4, 3) and ours["b"].shape == (4,)


def test_maml_gradient_through_an_sgd_step():
    """meta_loss(θ) = L(θ − α∇L(θ)). For L(θ) = ½θᵀAθ − bᵀθ the chain rule
    gives ∇meta = (I − αA)(Aθ' − b) with θ' = θ − α(Aθ − b)."""
    A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 1.5]])
    bvec = np.array([1.0, -1.0, 0.5])
    alpha = 0.3

    def meta_loss(lib, jnp):
        def loss(theta):
            return 0.5 * jnp.dot(theta, jnp.asarray(A) @ theta) - jnp.dot(jnp.asarray(bvec),
                                                                          theta)

        def meta(theta):
            return loss(theta - alpha * lib.grad(loss)(theta))
        return meta

    theta = np.array([0.2, -0.4, 0.1])
    with x64():
        g = minijax.grad(meta_loss(minijax, mjnp))(theta)
        theta1 = theta - alpha * (A @ theta - bvec)
        np.testing.assert_allclose(g, (np.eye(3) - alpha * A) @ (A @ theta1 - bvec), **F64_TOL)
        check_like_jax(g, jax.grad(meta_loss(jax, jjnp))(theta), **F64_TOL)
    check_like_jax(minijax.grad(meta_loss(minijax, mjnp))(theta.astype(np.float32)),
                   jax.grad(meta_loss(jax, jjnp))(theta.astype(np.float32)))


def test_maml_with_a_nonlinear_loss_equals_jax():
    """A meta-gradient through an SGD step of the logistic loss (second
    derivatives of tanh and log in play)."""
    def meta(lib, jnp):
        loss = logistic_loss(jnp)[0]

        def inner(W):
            return W - 0.5 * lib.grad(loss)(W, B0)
        return lambda W: loss(inner(W), B0)
    check_like_jax(minijax.grad(meta(minijax, mjnp))(W0), jax.grad(meta(jax, jjnp))(W0),
                   rtol=1e-5, atol=1e-6)
    with x64():
        check_grads(meta(minijax, mjnp), (W0.astype(np.float64),), order=1)


# ---------------------------------------------------------------------------
# Chapter 3: controlling gradients

THETA = np.array([0.1, -0.1, 0.0], np.float32)
S_TM1 = np.array([1.0, 2.0, -1.0], np.float32)
R_T = np.float32(1.0)
S_T = np.array([2.0, 1.0, 0.0], np.float32)


def td_loss(lib, jnp, stop):
    def value_fn(theta, state):
        return jnp.dot(theta, state)

    def loss(theta, s_tm1, r_t, s_t):
        v_tm1 = value_fn(theta, s_tm1)
        v_t = value_fn(theta, s_t)
        target = r_t + (lib.lax.stop_gradient(v_t) if stop else v_t)
        return -0.5 * ((target - v_tm1) ** 2)
    return loss


def test_td0_naive_and_stop_gradient_gradients():
    # By hand: v(s_{t-1}) = -0.1, v(s_t) = 0.1, δ = r + v(s_t) − v(s_{t-1}) = 1.2.
    # Naive: −δ (s_t − s_{t-1}) = [-1.2, 1.2, -1.2]; with stop_gradient: δ s_{t-1}.
    delta = R_T + THETA @ S_T - THETA @ S_TM1
    args = (THETA, S_TM1, R_T, S_T)
    naive = minijax.grad(td_loss(minijax, mjnp, stop=False))(*args)
    stopped = minijax.grad(td_loss(minijax, mjnp, stop=True))(*args)
    np.testing.assert_allclose(naive, -delta * (S_T - S_TM1), rtol=1e-6)
    np.testing.assert_allclose(stopped, delta * S_TM1, rtol=1e-6)
    np.testing.assert_allclose(naive, [-1.2, 1.2, -1.2], rtol=1e-6)
    np.testing.assert_allclose(stopped, [1.2, 2.4, -1.2], rtol=1e-6)
    check_like_jax(naive, jax.grad(td_loss(jax, jjnp, stop=False))(*args))
    check_like_jax(stopped, jax.grad(td_loss(jax, jjnp, stop=True))(*args))


def test_stop_gradient_on_pytrees_and_integers():
    tree = {"a": np.float32(2.0), "n": np.int32(3), "l": [np.ones(2, np.float32)]}
    ours = minijax.lax.stop_gradient(tree)
    check_like_jax(ours, jax.lax.stop_gradient(tree))
    g = minijax.grad(lambda x: x * minijax.lax.stop_gradient({"y": x * x})["y"])(3.0)
    check_like_jax(g, jax.grad(lambda x: x * jax.lax.stop_gradient({"y": x * x})["y"])(3.0))


def straight_through(lib, jnp):
    def f(x):
        return jnp.round(x)

    def st_f(x):
        zero = x - lib.lax.stop_gradient(x)
        return zero + lib.lax.stop_gradient(f(x))
    return f, st_f


def test_straight_through_round():
    f, st_f = straight_through(minijax, mjnp)
    assert float(f(3.2)) == 3.0 and float(st_f(3.2)) == 3.0
    assert float(minijax.grad(f)(3.2)) == 0.0
    assert float(minijax.grad(st_f)(3.2)) == 1.0
    fj, st_fj = straight_through(jax, jjnp)
    for ours, theirs in ((f, fj), (st_f, st_fj)):
        check_like_jax((ours(3.2), minijax.grad(ours)(3.2)), (theirs(3.2), jax.grad(theirs)(3.2)))


def test_per_example_gradients_with_vmap():
    """vmap(grad(loss), in_axes=(None, 0, 0, 0)): one gradient per example,
    equal to a Python loop of grads and to JAX's."""
    rng = np.random.default_rng(0)
    batch = 5
    s_tm1 = rng.standard_normal((batch, 3)).astype(np.float32)
    r_t = rng.standard_normal(batch).astype(np.float32)
    s_t = rng.standard_normal((batch, 3)).astype(np.float32)
    loss = td_loss(minijax, mjnp, stop=True)
    per_example = minijax.vmap(minijax.grad(loss), in_axes=(None, 0, 0, 0))
    ours = per_example(THETA, s_tm1, r_t, s_t)
    assert ours.shape == (batch, 3)
    loop = np.stack([minijax.grad(loss)(THETA, s_tm1[i], r_t[i], s_t[i]) for i in range(batch)])
    np.testing.assert_allclose(ours, loop, rtol=1e-6, atol=1e-7)
    theirs = jax.vmap(jax.grad(td_loss(jax, jjnp, stop=True)), in_axes=(None, 0, 0, 0))(
        THETA, s_tm1, r_t, s_t)
    check_like_jax(ours, theirs)
    # The TD(0) update of the book's example, batched: δᵢ s_{t-1,i}.
    deltas = r_t + s_t @ THETA - s_tm1 @ THETA
    np.testing.assert_allclose(ours, deltas[:, None] * s_tm1, rtol=1e-5, atol=1e-6)
