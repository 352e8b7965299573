"""Control flow against real JAX: cond/switch, while_loop, fori_loop, scan, map.

A table of programs, each written once against a namespace (``ns.lax``,
``ns.numpy``, the transformations) so the same code runs on minijax and JAX.
Every program is checked, against JAX, for its values (eager and jitted), its
JVP, and under vmap; the reverse-differentiable ones (everything but
``while_loop`` and ``fori_loop`` with traced bounds) also for grad, grad of
grad and jit of grad. Then the error for reverse mode through while_loop,
forward mode through it, batched predicates, closures over outer tracers in
branches and bodies, and hypothesis-drawn values.
"""
from typing import Callable, NamedTuple

import jax
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
from minijax import errors

from helpers import check_like_jax

TOL = dict(rtol=2e-5, atol=2e-6)   # a few float32 ops between us and JAX
X = np.array([0.5, -1.25, 2.0], np.float32)
XS = np.array([[0.5, -1.25, 2.0], [-0.3, 0.2, -0.6], [1.5, 0.1, -0.4], [-2.0, -1.0, 0.5]],
              np.float32)
T = np.array([1.0, -0.5, 0.25], np.float32)


# ---------------------------------------------------------------------------
# Programs: prog(ns) -> f(x), x of shape (3,)


def cond_pred(ns):
    jnp = ns.numpy
    return lambda x: ns.lax.cond(x.sum() > 0, lambda v: jnp.sin(v) * v, lambda v: jnp.cos(v) - v,
                                 x)


def cond_int_pred_pytree(ns):
    """An integer predicate (nonzero is true), pytree operands and results."""
    jnp = ns.numpy

    def f(x):
        pred = (x[0] > 0).astype(np.int32) * 3
        out = ns.lax.cond(pred, lambda d: {"a": d["x"] * d["s"], "b": (d["x"][0], d["s"])},
                          lambda d: {"a": jnp.exp(d["x"]), "b": (d["s"], d["x"][1])},
                          {"x": x, "s": x[2] * 2})
        return out["a"] + out["b"][0] - out["b"][1]
    return f


def cond_closure(ns):
    """Branches with no operands that close over the (traced) argument."""
    jnp = ns.numpy
    return lambda x: ns.lax.cond(x[1] < 0, lambda: x * jnp.tanh(x), lambda: x ** 3)


def switch_clamped(ns):
    """An index computed from the data, often out of range: switch clamps it."""
    jnp = ns.numpy

    def f(x):
        i = jnp.floor(x.sum() * 2).astype(np.int32)
        return ns.lax.switch(i, [lambda v: v * 2, lambda v: jnp.sin(v), lambda v: v ** 2 - 1], x)
    return f


def while_loop(ns):
    jnp = ns.numpy

    def f(x):
        def cond(c):
            i, v = c
            return (i < 6) & (jnp.sum(v * v) < 50.0)

        def body(c):
            i, v = c
            return i + 1, v * 1.3 + jnp.sin(v)
        return ns.lax.while_loop(cond, body, (0, x))[1]
    return f


def fori_static(ns):
    jnp = ns.numpy
    return lambda x: ns.lax.fori_loop(0, 4, lambda i, v: jnp.sin(v) * (i + 1) + v * 0.5, x)


def fori_traced(ns):
    """The upper bound depends on the data: a while loop under jit/vmap."""
    def f(x):
        n = (x.sum() > 0).astype(np.int32) + 2
        return ns.lax.fori_loop(0, n, lambda i, v: v * v * 0.5 + i, x)
    return f


def scan_carry_and_ys(ns):
    jnp = ns.numpy

    def f(x):
        def step(c, xi):
            c = jnp.sin(c) * xi + c
            return c, c * xi
        c, ys = ns.lax.scan(step, x[0], x)
        return ys + c
    return f


def scan_reverse_pytree(ns):
    jnp = ns.numpy

    def f(x):
        def step(c, xs):
            a, b = c
            a = a * 0.9 + xs["u"] * b
            return (a, jnp.cos(b) + xs["w"]), {"y": a * xs["w"], "z": [b]}
        (a, b), ys = ns.lax.scan(step, (x[0], x[1]), {"u": x, "w": x[::-1] * 2}, reverse=True)
        return ys["y"] + ys["z"][0] * a - b
    return f


def scan_no_xs(ns):
    def f(x):
        c, ys = ns.lax.scan(lambda c, _: (c * 1.1 + 0.5, c.sum()), x, None, length=4)
        return c * ys.sum()
    return f


def lax_map(ns):
    jnp = ns.numpy
    return lambda x: ns.lax.map(lambda v: jnp.sin(v) * v + 1, x)


def nested(ns):
    """cond inside scan inside cond."""
    jnp = ns.numpy

    def f(x):
        def step(c, xi):
            c = ns.lax.cond(xi > 0, lambda v: v * xi, lambda v: jnp.sin(v) + xi, c)
            return c, c
        return ns.lax.cond(x[0] > -5, lambda v: ns.lax.scan(step, v[0], v)[1], lambda v: -v, x)
    return f


def while_in_cond(ns):
    def f(x):
        def loop(v):
            return ns.lax.while_loop(lambda c: c.sum() < 20.0, lambda c: c * 2 + 1, v)
        return ns.lax.cond(x[2] > 0, loop, lambda v: v, x)
    return f


class Program(NamedTuple):
    make: Callable
    reverse: bool   # reverse-mode differentiable (no while loop inside)


PROGRAMS = {p.__name__: Program(p, rev) for p, rev in [
    (cond_pred, True), (cond_int_pred_pytree, True), (cond_closure, True),
    (switch_clamped, True), (while_loop, False), (fori_static, True), (fori_traced, False),
    (scan_carry_and_ys, True), (scan_reverse_pytree, True), (scan_no_xs, True),
    (lax_map, True), (nested, True), (while_in_cond, False)]}
REVERSE = [n for n, p in PROGRAMS.items() if p.reverse]
FORWARD_ONLY = [n for n, p in PROGRAMS.items() if not p.reverse]


def scalar(ns, make):
    """A scalar loss built on a program, for grad."""
    f = make(ns)
    return lambda x: (f(x) * np.array([1.0, -2.0, 0.5], np.float32)).sum()


def both(transform, name, *args, tol=TOL):
    """``transform(ns, program)(*args)`` for minijax and for JAX, compared."""
    make = PROGRAMS[name].make
    ours = transform(minijax, make)(*args)
    theirs = transform(jax, make)(*args)
    check_like_jax(ours, theirs, **tol)
    return ours


@pytest.mark.parametrize("name", list(PROGRAMS))
@pytest.mark.parametrize("x", [X, -X, XS[2]], ids=["x", "-x", "x2"])
def test_values(name, x):
    both(lambda ns, make: make(ns), name, x)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_values_jitted(name):
    f = minijax.jit(PROGRAMS[name].make(minijax))
    g = jax.jit(PROGRAMS[name].make(jax))
    for x in (X, -X):
        check_like_jax(f(x), g(x), **TOL)
    assert f.cache_misses == 1


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_jvp(name):
    both(lambda ns, make: lambda x: ns.jvp(make(ns), (x,), (T,)), name, X)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_vmap(name):
    """vmap over rows with different values: predicates and trip counts are
    batched (each row takes its own branch, runs its own number of steps)."""
    both(lambda ns, make: ns.vmap(make(ns)), name, XS)


@pytest.mark.parametrize("name", ["cond_pred", "while_loop", "scan_carry_and_ys"])
def test_vmap_of_jit_and_jit_of_vmap(name):
    both(lambda ns, make: ns.vmap(ns.jit(make(ns))), name, XS)
    both(lambda ns, make: ns.jit(ns.vmap(make(ns))), name, XS)


@pytest.mark.parametrize("name", ["cond_pred", "fori_static", "scan_no_xs"])
def test_vmap_in_axes_none_and_1(name):
    both(lambda ns, make: ns.vmap(lambda x, y: make(ns)(x) * y, in_axes=(1, None)), name,
         XS[:3], np.float32(2.0))


@pytest.mark.parametrize("name", REVERSE)
def test_grad(name):
    both(lambda ns, make: ns.grad(scalar(ns, make)), name, X)
    both(lambda ns, make: ns.grad(scalar(ns, make)), name, -X)


@pytest.mark.parametrize("name", ["cond_pred", "cond_closure", "fori_static",
                                  "scan_carry_and_ys", "switch_clamped", "nested"])
def test_jit_of_grad(name):
    both(lambda ns, make: ns.jit(ns.grad(scalar(ns, make))), name, X)


@pytest.mark.parametrize("name", ["cond_pred", "fori_static", "scan_reverse_pytree", "lax_map"])
def test_grad_of_grad(name):
    """The Hessian-vector product, as grad of grad."""
    def hvp(ns, make):
        g = ns.grad(scalar(ns, make))
        return ns.grad(lambda x: (g(x) * T).sum())
    both(hvp, name, X, tol=dict(rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("name", ["cond_pred", "scan_carry_and_ys"])
def test_grad_of_vmap_and_vmap_of_grad(name):
    both(lambda ns, make: ns.grad(lambda xs: ns.vmap(scalar(ns, make))(xs).sum()), name, XS)
    both(lambda ns, make: ns.vmap(ns.grad(scalar(ns, make))), name, XS)


@pytest.mark.parametrize("name", FORWARD_ONLY + ["fori_static", "cond_pred"])
def test_forward_mode_jacobians(name):
    both(lambda ns, make: ns.jacfwd(make(ns)), name, X)
    both(lambda ns, make: ns.jit(ns.jacfwd(make(ns))), name, -X)


def test_linearize_through_while_loop():
    """linearize partially evaluates the loop (forward mode, no transpose)."""
    def lin(ns, make):
        return lambda x: ns.linearize(make(ns), x)[1](T)
    both(lin, "while_loop", X)


# ---------------------------------------------------------------------------
# Reverse mode through while_loop: a clear error


# fori_traced's bounds are known under grad alone (forward-mode tracers carry
# their primal values): only under jit are they traced.
@pytest.mark.parametrize("name, how", [
    (name, how) for name in FORWARD_ONLY for how in ("grad", "jit_grad", "vjp")
    if name != "fori_traced" or how == "jit_grad"])
def test_reverse_mode_through_while_loop_raises(name, how):
    make = PROGRAMS[name].make
    for ns in (jax, minijax):
        f = scalar(ns, make)
        run = {"grad": lambda: ns.grad(f)(X), "jit_grad": lambda: ns.jit(ns.grad(f))(X),
               "vjp": lambda: ns.vjp(make(ns), X)[1](T)}[how]
        with pytest.raises(ValueError) as info:
            run()
    assert type(info.value) is errors.UnsupportedWhileLoopDifferentiation
    message = str(info.value)
    assert "while_loop" in message and "Reverse-mode" in message
    # Why: the number of iterations is unknown, so there is nowhere to save residuals.
    assert "number of iterations" in message
    # What to do instead.
    for hint in ("fori_loop", "scan", "custom_vjp", "jvp"):
        assert hint in message
    assert type(minijax.core.current_trace()) is minijax.eager.EvalTrace


@pytest.mark.parametrize("lower, upper", [
    (0.0, 3), (0, 3.0), (np.int16(0), np.int32(3)), (True, 3),      # rejected, as in JAX
    (0.0, 3.0), (np.int16(0), 3), (0, np.int32(3)), (0, 3)])       # accepted
def test_fori_loop_bound_dtypes_follow_jax(lower, upper):
    """The bounds must share a dtype, except that a Python int takes a signed
    integer array's: the same rule, error and index dtype as JAX's."""
    def run(ns):
        return ns.lax.fori_loop(lower, upper, lambda i, c: c + i, 0.0)
    try:
        theirs = run(jax)
    except TypeError as e:
        with pytest.raises(TypeError, match="must have equal types") as info:
            run(minijax)
        assert str(info.value) == str(e)
    else:
        check_like_jax(run(minijax), theirs)


def test_fori_loop_bounds_known_under_grad_give_a_scan():
    """A bound computed from a differentiated input is still concrete under
    grad, so fori_loop is a scan and reverse mode works, as in JAX."""
    both(lambda ns, make: ns.grad(scalar(ns, make)), "fori_traced", X)
    both(lambda ns, make: ns.grad(scalar(ns, make)), "fori_traced", -X)
    both(lambda ns, make: lambda x: ns.vjp(make(ns), x)[1](T), "fori_traced", X)


def test_fori_loop_with_static_bounds_is_reverse_differentiable_under_jit():
    """Inside jit the bounds are still Python ints: scan, not while."""
    def f(ns):
        return ns.jit(ns.grad(lambda x: ns.lax.fori_loop(1, 5, lambda i, v: v * v / i, x)))
    check_like_jax(f(minijax)(np.float32(1.1)), f(jax)(np.float32(1.1)))


# ---------------------------------------------------------------------------
# Specific behaviours


@pytest.mark.parametrize("index", [-5, -1, 0, 1, 2, 3, 100])
def test_switch_index_is_clamped(index):
    branches = [lambda v: v + 1, lambda v: v * 10, lambda v: -v]
    for wrap in (lambda f: f, minijax.jit):
        ours = wrap(lambda i, x: minijax.lax.switch(i, branches, x))(np.int32(index), X)
        check_like_jax(ours, jax.lax.switch(np.int32(index), branches, X))


def test_switch_vmap_over_index():
    branches = [lambda v: v + 1, lambda v: v * 10, lambda v: -v]
    idx = np.array([-1, 0, 1, 2, 7], np.int32)
    check_like_jax(minijax.vmap(lambda i: minijax.lax.switch(i, branches, X))(idx),
                   jax.vmap(lambda i: jax.lax.switch(i, branches, X))(idx))


def test_cond_with_batched_predicate_and_unbatched_operands():
    def f(ns):
        return ns.vmap(lambda p: ns.lax.cond(p > 0, lambda v: v * 2, lambda v: v - 1, X))
    p = np.array([1.0, -1.0, 0.5], np.float32)
    check_like_jax(f(minijax)(p), f(jax)(p))


def test_while_loop_with_batched_predicate_runs_each_row_its_own_steps():
    def f(ns):
        return ns.vmap(lambda n: ns.lax.while_loop(lambda c: c[0] < n,
                                                   lambda c: (c[0] + 1, c[1] * 2),
                                                   (np.int32(0), np.float32(1.0))))
    n = np.array([0, 3, 1, 5], np.int32)
    ours = f(minijax)(n)
    check_like_jax(ours, f(jax)(n))
    np.testing.assert_array_equal(np.asarray(ours[1]), 2.0 ** n)


@pytest.mark.parametrize("lo, hi", [(0, 5), (3, 3), (5, 2), (-2, 3)])
def test_fori_loop_bounds(lo, hi):
    """Empty and negative ranges too; Python int bounds (a scan) and traced
    bounds under jit (a while loop)."""
    body = lambda i, v: v * 2 + i

    def run(ns, jitted):
        f = lambda lo, hi: ns.lax.fori_loop(lo, hi, body, np.float32(1.0))
        return ns.jit(f)(np.int32(lo), np.int32(hi)) if jitted else f(lo, hi)

    for jitted in (False, True):
        check_like_jax(run(minijax, jitted), run(jax, jitted))


def test_fori_loop_static_bounds_make_a_scan_and_traced_bounds_a_while():
    body = lambda i, v: v * 2.0
    static = str(minijax.make_jaxpr(lambda x: minijax.lax.fori_loop(0, 3, body, x))(X))
    traced = str(minijax.make_jaxpr(lambda n, x: minijax.lax.fori_loop(0, n, body, x))(3, X))
    assert "scan[" in static and "while[" not in static
    assert "while[" in traced


def test_scan_length_mismatch_and_missing_length():
    with pytest.raises(ValueError):
        minijax.lax.scan(lambda c, x: (c, x), 0.0, None)
    with pytest.raises(ValueError):
        minijax.lax.scan(lambda c, x: (c, x), 0.0, X, length=5)


def test_scan_reverse_stacks_in_input_order():
    def f(ns):
        return ns.lax.scan(lambda c, x: (c + x, c), np.float32(0.0), X, reverse=True)
    ours = f(minijax)
    check_like_jax(ours, f(jax))
    np.testing.assert_allclose(np.asarray(ours[1]), [X[1] + X[2], X[2], 0.0])


def test_scan_empty():
    def f(ns):
        return ns.lax.scan(lambda c, x: (c + x, c * x), np.float32(1.0), np.zeros(0, np.float32))
    check_like_jax(f(minijax), f(jax))
    check_like_jax(minijax.jit(lambda: f(minijax))(), f(jax))


def test_map_of_pytrees():
    def f(ns):
        return ns.lax.map(lambda d: {"s": d["a"] + d["b"], "p": d["a"] * d["b"]},
                          {"a": XS, "b": XS[::-1]})
    check_like_jax(f(minijax), f(jax))


# ---------------------------------------------------------------------------
# Closures over outer tracers in branches and bodies


CLOSURES = {
    "cond_branch_grad": lambda ns: ns.grad(
        lambda a: ns.lax.cond(a > 0, lambda v: v * a, lambda v: v + a * a, np.float32(2.0))),
    "switch_branch_jvp": lambda ns: lambda a: ns.jvp(lambda a: ns.lax.switch(
        1, [lambda: a, lambda: ns.numpy.sin(a) * a], ), (a,), (np.float32(1.0),)),
    "while_body_jvp": lambda ns: lambda a: ns.jvp(lambda a: ns.lax.while_loop(
        lambda c: c < 10.0, lambda c: c * a + 1, np.float32(1.0)), (a,), (np.float32(1.0),)),
    "while_cond_vmap": lambda ns: ns.vmap(lambda a: ns.lax.while_loop(
        lambda c: c < a, lambda c: c * 2, np.float32(1.0))),
    "scan_body_grad": lambda ns: ns.grad(lambda a: ns.lax.scan(
        lambda c, x: (c * a + x, c), np.float32(1.0), np.arange(3.0, dtype=np.float32))[0]),
    "fori_body_grad_of_grad": lambda ns: ns.grad(ns.grad(lambda a: ns.lax.fori_loop(
        0, 3, lambda i, v: v * a + ns.numpy.sin(a), a))),
    "cond_in_jit_in_grad": lambda ns: ns.grad(lambda a: ns.jit(lambda y: ns.lax.cond(
        y > 0, lambda: y * a, lambda: a))(np.float32(2.0))),
}


@pytest.mark.parametrize("name", list(CLOSURES))
def test_closure_over_outer_tracer(name):
    arg = np.array([1.5, 4.0, 0.5], np.float32) if name == "while_cond_vmap" else np.float32(1.5)
    check_like_jax(CLOSURES[name](minijax)(arg), CLOSURES[name](jax)(arg))


# ---------------------------------------------------------------------------
# Hypothesis: values drawn at random

finite = st.floats(-3, 3, allow_nan=False, width=32)
vectors = st.lists(finite, min_size=3, max_size=3).map(lambda v: np.array(v, np.float32))

_jitted = {name: (minijax.jit(PROGRAMS[name].make(minijax)), jax.jit(PROGRAMS[name].make(jax)))
           for name in ("cond_pred", "switch_clamped", "while_loop", "nested")}


@given(vectors)
def test_cond_switch_while_random_values(x):
    for name, (ours, theirs) in _jitted.items():
        check_like_jax(ours(x), theirs(x), **TOL)
        check_like_jax(PROGRAMS[name].make(minijax)(x), theirs(x), **TOL)


@given(vectors, st.integers(0, 6))
def test_fori_loop_random_values_and_trip_counts(x, n):
    body = lambda i, v: v * 0.5 + i * 0.25 + v[::-1] * 0.1
    ours = minijax.lax.fori_loop(0, n, body, x)
    check_like_jax(ours, jax.lax.fori_loop(0, n, body, x), **TOL)
    g = lambda ns: ns.grad(lambda v: ns.lax.fori_loop(0, n, body, v).sum())
    check_like_jax(g(minijax)(x), g(jax)(x), **TOL)


def test_weak_carry_stays_weak_under_jvp_and_vmap():
    """Loop bodies re-evaluated by jvp and vmap keep a weakly typed carry weak."""
    def f(ns):
        loop = lambda a: ns.lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, a)
        return ns.jvp(loop, (1.5,), (1.0,)), ns.vmap(lambda n: ns.lax.while_loop(
            lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 2), (0, 1.0)))(np.arange(3))
    check_like_jax(f(minijax), f(jax))
