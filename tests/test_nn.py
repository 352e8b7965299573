"""minijax.nn and minijax.scipy.special against jax.nn and jax.scipy.special:
values, gradients (including at the kinks) and types."""
import jax
import numpy as np
import pytest

import minijax
from helpers import check_like_jax

X = np.array([-3.0, -1.0, -0.0, 0.0, 0.5, 2.0, 30.0], np.float32)
M = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]], np.float32)

UNARY = ["relu", "relu6", "sigmoid", "log_sigmoid", "softplus", "silu", "elu", "leaky_relu"]


@pytest.mark.parametrize("name", UNARY)
def test_activation_values_and_gradients(name):
    ours, theirs = getattr(minijax.nn, name), getattr(jax.nn, name)
    check_like_jax(ours(X), theirs(X))
    g_ours = minijax.vmap(minijax.grad(lambda x: ours(x)))(X)
    g_theirs = jax.vmap(jax.grad(lambda x: theirs(x)))(X)
    check_like_jax(g_ours, g_theirs)


@pytest.mark.parametrize("approximate", [True, False])
def test_gelu(approximate):
    check_like_jax(minijax.nn.gelu(X, approximate), jax.nn.gelu(X, approximate))
    check_like_jax(minijax.grad(lambda x: minijax.nn.gelu(x, approximate).sum())(X),
                   jax.grad(lambda x: jax.nn.gelu(x, approximate).sum())(X))


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_family(axis):
    check_like_jax(minijax.nn.softmax(M, axis), jax.nn.softmax(M, axis=axis))
    check_like_jax(minijax.nn.log_softmax(M, axis), jax.nn.log_softmax(M, axis=axis))
    check_like_jax(minijax.nn.logsumexp(M, axis), jax.nn.logsumexp(M, axis=axis))
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    check_like_jax(minijax.grad(lambda m: (minijax.nn.log_softmax(m, axis) * w).sum())(M),
                   jax.grad(lambda m: (jax.nn.log_softmax(m, axis=axis) * w).sum())(M))


def test_softmax_is_stable_for_large_inputs():
    big = np.array([1000.0, 1001.0, 999.0], np.float32)
    out = np.asarray(minijax.nn.softmax(big))
    assert np.all(np.isfinite(out)) and np.isclose(out.sum(), 1.0)


def test_one_hot():
    y = np.array([0, 2, 1, 5], np.int32)
    check_like_jax(minijax.nn.one_hot(y, 3), jax.nn.one_hot(y, 3))
    check_like_jax(minijax.nn.one_hot(y, 3, axis=0), jax.nn.one_hot(y, 3, axis=0))


@pytest.mark.parametrize("name,x", [("erf", X), ("erfc", X), ("expit", X),
                                    ("logit", np.array([0.1, 0.5, 0.9], np.float32)),
                                    ("gammaln", np.array([0.5, 2.0, 7.5], np.float32)),
                                    ("digamma", np.array([0.5, 2.0, 7.5], np.float32)),
                                    ("erfinv", np.array([-0.5, 0.0, 0.9], np.float32))])
def test_scipy_special(name, x):
    ours = getattr(minijax.scipy.special, name)
    theirs = getattr(jax.scipy.special, name)
    check_like_jax(ours(x), theirs(x), rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.grad(lambda v: ours(v).sum())(x),
                   jax.grad(lambda v: theirs(v).sum())(x), rtol=2e-5, atol=2e-6)
