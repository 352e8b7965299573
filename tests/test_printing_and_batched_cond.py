"""Regression tests: jaxpr literals print in their own precision, and a vmapped
cond with a batched predicate keeps untaken branches out of the gradient."""
import jax
import jax.numpy as jjnp
import numpy as np

import minijax
import minijax.numpy as jnp
from minijax import lax


def _eqn_lines(text):
    return [line.strip() for line in text.splitlines() if "=" in line]


def test_float32_literals_print_like_jax():
    f = lambda x: x * 1.1 + float("inf") - 0.1
    ours = str(minijax.make_jaxpr(f)(1.0))
    theirs = str(jax.make_jaxpr(f)(1.0))
    assert "1.1:f32[]" in ours and "inf:f32[]" in ours and "0.1:f32[]" in ours
    assert _eqn_lines(ours) == _eqn_lines(theirs)


def test_batched_predicate_cond_gradient_ignores_untaken_branch():
    def f(lib, lax_):
        branch = lambda x: lax_.cond(x > 0, lib.numpy.sqrt, lambda x: 0.0 * x, x)
        return lambda xs: lib.numpy.sum(lib.vmap(branch)(xs))
    xs = np.array([0.0, 1.0, 4.0], np.float32)
    ours = minijax.grad(f(minijax, lax))(jnp.asarray(xs))
    theirs = jax.grad(f(jax, jax.lax))(jjnp.asarray(xs))
    assert not np.any(np.isnan(np.asarray(ours)))
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)


def test_scan_saves_loop_invariant_residuals_once():
    """A residual that depends only on the scan's constants (here W) is hoisted
    out of the loop rather than stacked once per step."""
    from minijax.partial_eval import linearize_flat
    W = jnp.asarray(np.random.RandomState(0).randn(3, 3).astype(np.float32))
    xs = jnp.ones((5, 3))

    def rnn(W):
        h, _ = lax.scan(lambda h, x: (jnp.tanh(W @ h + x), h), jnp.zeros(3), xs)
        return [jnp.sum(h)]

    _, _, residuals = linearize_flat(rnn, [W])
    shapes = [np.shape(r) for r in residuals]
    assert (5, 3, 3) not in shapes and (3, 3) in shapes
    grad_ours = minijax.grad(lambda W: rnn(W)[0])(W)
    grad_jax = jax.grad(lambda W: jjnp.sum(jax.lax.scan(
        lambda h, x: (jjnp.tanh(W @ h + x), h), jjnp.zeros(3), jjnp.ones((5, 3)))[0]))(
        jjnp.asarray(W))
    np.testing.assert_allclose(np.asarray(grad_ours), np.asarray(grad_jax), rtol=2e-3,
                               atol=1e-5)
