"""Binomial (revolve) checkpointing of loops: checkpointed_scan and
checkpointed_while_loop.

JAX has no such functions, so the references are minijax's own ``lax.scan``
(same values, same gradients), finite differences, brute-force optimal
schedules, and tracemalloc for the memory bound.
"""
import functools
from math import comb
import tracemalloc

import numpy as np
import pytest

import minijax
import minijax.numpy as jnp
from minijax import lax
from minijax.ad_checkpoint import (checkpointed_scan, checkpointed_while_loop,
                                   revolve_schedule)
from minijax.checkpointed_loops import schedule_cost
from minijax.errors import UnsupportedWhileLoopDifferentiation
from minijax.test_util import check_grads

# ---------------------------------------------------------------------------
# The schedule


@functools.lru_cache(maxsize=None)
def optimal_cost(steps, snapshots):
    """Fewest forward steps to reverse ``steps`` steps with ``snapshots`` slots
    (the start's included), by brute force over every split point."""
    if steps <= 1:
        return 0
    if snapshots == 1:
        return steps * (steps - 1) // 2
    return min(m + optimal_cost(steps - m, snapshots - 1) + optimal_cost(m, snapshots)
               for m in range(1, steps))


def replay(actions, length, checkpoints):
    """Run a schedule on positions only; check it is a valid backward pass."""
    slots, position, reversed_steps = {}, None, []
    for kind, a, b in actions:
        if kind == "snapshot":
            assert 0 <= a < checkpoints and (position == b or (a, b) == (0, 0))
            slots[a] = position = b
        elif kind == "restore":
            assert slots[a] == b
            position = b
        elif kind == "advance":
            assert position == a and a < b
            position = b
        else:
            assert kind == "reverse" and position == a
            reversed_steps.append(a)
    assert reversed_steps == list(range(length - 1, -1, -1))


@pytest.mark.parametrize("checkpoints", [1, 2, 3, 4, 6])
def test_schedule_is_valid_and_optimal(checkpoints):
    for length in range(0, 90):
        actions = revolve_schedule(length, checkpoints)
        replay(actions, length, checkpoints)
        steps, slots = schedule_cost(actions)
        assert slots <= checkpoints
        assert steps == optimal_cost(length, checkpoints), (length, checkpoints)


def test_recomputation_matches_griewanks_formula():
    # With c snapshots and r the smallest integer with C(c + r, c) >= T, the
    # fewest forward steps are r*T - C(c + r, r - 1) (Griewank 1992): about r
    # sweeps, and r grows only logarithmically in T for fixed c.
    for length, c in [(10_000, 10), (1000, 3), (5000, 20), (777, 1)]:
        r = next(r for r in range(length + 1) if comb(c + r, c) >= length)
        steps, slots = schedule_cost(revolve_schedule(length, c))
        assert slots == min(c, length)
        assert steps == r * length - comb(c + r, r - 1) if r else steps == 0


# ---------------------------------------------------------------------------
# checkpointed_scan: the values and gradients of lax.scan


def step(c, x, w):
    h, k = c
    h = jnp.sin(h * w) * x["a"] + 0.5 * h * x["b"]
    return (h, k + 1), (jnp.sum(h ** 2), k)


def loss(scanner, w, h0, xs):
    (h, k), (ys, ks) = scanner(lambda c, x: step(c, x, w), (h0, 0), xs)
    return jnp.sum(jnp.cos(h)) + jnp.sum(ys * jnp.arange(ys.shape[0])) + k + jnp.sum(ks)


def inputs(length):
    rng = np.random.RandomState(length)
    xs = {"a": rng.uniform(-1, 1, (length,)).astype(np.float32),
          "b": rng.uniform(0.5, 1.5, (length, 3)).astype(np.float32)}
    return np.float32(1.3), np.linspace(0.1, 0.9, 3).astype(np.float32), xs


def ckpt(checkpoints):
    return lambda f, init, xs: checkpointed_scan(f, init, xs, checkpoints=checkpoints)


@pytest.mark.parametrize("length", [1, 2, 3, 5, 8, 13, 31])
@pytest.mark.parametrize("checkpoints", [1, 2, 3, 5, 40])
def test_gradients_equal_plain_scan(length, checkpoints):
    w, h0, xs = inputs(length)
    plain = minijax.value_and_grad(functools.partial(loss, lax.scan), (0, 1, 2))(w, h0, xs)
    ours = minijax.value_and_grad(functools.partial(loss, ckpt(checkpoints)), (0, 1, 2))(
        w, h0, xs)
    for a, b in zip(minijax.tree_util.tree_leaves(ours), minijax.tree_util.tree_leaves(plain)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-5)   # two compiled programs


@pytest.mark.parametrize("length,checkpoints", [(1, 1), (6, 2), (20, 3)])
def test_jit_gradients_and_forward_values(length, checkpoints):
    w, h0, xs = inputs(length)
    f_plain, f_ours = functools.partial(loss, lax.scan), functools.partial(loss, ckpt(checkpoints))
    np.testing.assert_allclose(minijax.jit(f_ours)(w, h0, xs), f_plain(w, h0, xs), rtol=1e-6)
    for a, b in zip(minijax.jit(minijax.grad(f_ours, (0, 1, 2)))(w, h0, xs),
                    minijax.grad(f_plain, (0, 1, 2))(w, h0, xs)):
        for x, y in zip(minijax.tree_util.tree_leaves(a), minijax.tree_util.tree_leaves(b)):
            np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6)
    plain_out = lax.scan(lambda c, x: step(c, x, w), (h0, 0), xs)
    ours_out = checkpointed_scan(lambda c, x: step(c, x, w), (h0, 0), xs,
                                 checkpoints=checkpoints)
    for a, b in zip(minijax.tree_util.tree_leaves(ours_out),
                    minijax.tree_util.tree_leaves(plain_out)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("length,checkpoints", [(4, 1), (9, 2), (12, 4)])
def test_gradients_match_finite_differences(length, checkpoints):
    w, h0, xs = inputs(length)
    f = functools.partial(loss, ckpt(checkpoints))
    check_grads(lambda w, h0: f(w, h0, xs), (w, h0), order=1, modes=["rev"],
                atol=2e-2, rtol=2e-2)


def test_vmap_and_forward_over_reverse():
    w, h0, xs = inputs(7)
    f_plain, f_ours = functools.partial(loss, lax.scan), functools.partial(loss, ckpt(2))
    h0s = np.stack([h0, 2 * h0, -h0])
    np.testing.assert_allclose(
        minijax.vmap(minijax.grad(f_ours, 1), (None, 0, None))(w, h0s, xs),
        minijax.vmap(minijax.grad(f_plain, 1), (None, 0, None))(w, h0s, xs), rtol=1e-6)
    np.testing.assert_allclose(minijax.jacfwd(minijax.grad(f_ours, 1), 1)(w, h0, xs),
                               minijax.hessian(f_plain, 1)(w, h0, xs), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(minijax.jit(minijax.jacfwd(minijax.grad(f_ours, 1), 1))(
        w, h0, xs), minijax.hessian(f_plain, 1)(w, h0, xs), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        minijax.grad(lambda h: jnp.sum(minijax.vmap(lambda h: f_ours(w, h, xs))(h)))(h0s),
        minijax.grad(lambda h: jnp.sum(minijax.vmap(lambda h: f_plain(w, h, xs))(h)))(h0s),
        rtol=1e-6)


def test_reverse_over_reverse_is_a_clear_error():
    # The backward sweep is a while_loop, which reverse mode cannot differentiate.
    w, h0, xs = inputs(5)
    f = functools.partial(loss, ckpt(2))
    with pytest.raises(UnsupportedWhileLoopDifferentiation):
        minijax.grad(lambda w: minijax.grad(f)(w, h0, xs))(w)


def test_closed_over_tracers_and_no_xs():
    def f(w):
        body = lambda c, _: (jnp.tanh(c * w), None)
        c, _ = checkpointed_scan(body, jnp.ones(2), None, length=6, checkpoints=2)
        return jnp.sum(c)
    def g(w):
        c, _ = lax.scan(lambda c, _: (jnp.tanh(c * w), None), jnp.ones(2), None, length=6)
        return jnp.sum(c)
    np.testing.assert_allclose(minijax.grad(f)(0.7), minijax.grad(g)(0.7), rtol=1e-6)
    np.testing.assert_allclose(minijax.jacfwd(lambda v: minijax.grad(f)(v * 2.))(0.3),
                               minijax.jacfwd(lambda v: minijax.grad(g)(v * 2.))(0.3),
                               rtol=1e-5)


# ---------------------------------------------------------------------------
# checkpointed_while_loop


def newton_sqrt(a, max_steps=50, checkpoints=3):
    def body(state):
        x, i = state
        return 0.5 * (x + a / x), i + 1
    x, _ = checkpointed_while_loop(lambda s: jnp.abs(s[0] * s[0] - a) > 1e-5 * a, body,
                                   (a, 0), max_steps=max_steps, checkpoints=checkpoints)
    return x


def test_while_loop_newton_gradient():
    for a in [2.0, 9.0, 0.5]:
        np.testing.assert_allclose(newton_sqrt(a), np.sqrt(a), rtol=1e-5)
        np.testing.assert_allclose(minijax.grad(newton_sqrt)(a), 0.5 / np.sqrt(a), rtol=1e-4)
        np.testing.assert_allclose(minijax.jit(minijax.grad(newton_sqrt))(a), 0.5 / np.sqrt(a),
                                   rtol=1e-4)
    a = jnp.array([2.0, 4.0, 16.0])
    np.testing.assert_allclose(minijax.vmap(minijax.grad(newton_sqrt))(a), 0.5 / np.sqrt(a),
                               rtol=1e-4)


def test_while_loop_matches_a_plain_loop_and_stops_at_max_steps():
    def body(x):
        return x * 1.1 + jnp.sin(x)

    def plain(x, n):
        for _ in range(n):
            if not x < 10.0:
                break
            x = body(x)
        return x

    for max_steps in [1, 3, 100]:
        f = lambda x: checkpointed_while_loop(lambda x: x < 10.0, body, x, max_steps=max_steps,
                                              checkpoints=2)
        np.testing.assert_allclose(f(0.3), plain(np.float32(0.3), max_steps), rtol=1e-6)
        check_grads(f, (0.3,), order=1, modes=["rev"], atol=1e-2, rtol=1e-2)


def test_bad_arguments():
    body = lambda c, x: (c + x, None)
    with pytest.raises(ValueError, match="checkpoints"):
        checkpointed_scan(body, 0., jnp.ones(3), checkpoints=0)
    with pytest.raises(TypeError, match="checkpoints"):
        checkpointed_scan(body, 0., jnp.ones(3), checkpoints=2.5)
    with pytest.raises(TypeError):
        checkpointed_scan(body, 0., jnp.ones(3))   # checkpoints is required
    with pytest.raises(ValueError, match="lengths"):
        checkpointed_scan(body, 0., jnp.ones(3), length=4, checkpoints=2)
    with pytest.raises(TypeError, match="carry"):
        checkpointed_scan(lambda c, x: (jnp.ones(2), None), 0., jnp.ones(3), checkpoints=2)
    cond, wbody = (lambda x: x < 3.), (lambda x: x + 1.)
    with pytest.raises(TypeError):
        checkpointed_while_loop(cond, wbody, 0., checkpoints=2)   # max_steps is required
    with pytest.raises(ValueError, match="max_steps"):
        checkpointed_while_loop(cond, wbody, 0., max_steps=0, checkpoints=2)
    with pytest.raises(TypeError, match="max_steps"):
        checkpointed_while_loop(cond, wbody, 0., max_steps=3.0, checkpoints=2)
    with pytest.raises(ValueError, match="checkpoints"):
        checkpointed_while_loop(cond, wbody, 0., max_steps=3, checkpoints=0)


# ---------------------------------------------------------------------------
# Memory


def peak_carries(scanner, n=20_000, length=120):
    """Peak memory of an eager gradient, in carries. tracemalloc sees numpy's
    allocations, not XLA's, so the loops run in minijax's numpy interpreter."""
    minijax.config.update("jax_disable_jit", True)
    try:
        return _peak_carries(scanner, n, length)
    finally:
        minijax.config.update("jax_disable_jit", False)


def _peak_carries(scanner, n, length):
    body = lambda c, x: (jnp.sin(c) * x + c, None)
    xs = np.linspace(0, 1, length).astype(np.float32)
    c0 = np.ones(n, np.float32)
    g = minijax.grad(lambda c: jnp.sum(scanner(body, c, xs)[0]))
    g(c0)   # warm up: traces and caches out of the measurement
    tracemalloc.start()
    try:
        g(c0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (4 * n)


def test_memory_is_bounded_by_the_checkpoints():
    plain = peak_carries(lax.scan)
    ours = peak_carries(ckpt(4))
    assert plain > 120          # a residual or more per step
    assert ours < 4 + 30        # the snapshots and a generous allowance for temporaries
