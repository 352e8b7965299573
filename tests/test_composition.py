"""The composition matrix: a handful of functions × every way of composing the
transformations, each compared with real JAX (values, dtypes, weak types,
pytree structure).

The functions exercise what breaks naive reverse mode: fan-out and reuse of
intermediates (cotangents must be *added*), closures over outer arrays and
over outer tracers, pytrees in and out, Python control flow on concrete
values, and integer arguments passed through. Where JAX refuses a
combination (Python control flow on a value that ``vmap`` batches), minijax
must refuse it with the same exception type.
"""
from typing import Callable, NamedTuple

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mjnp

from helpers import check_like_jax

TOL = dict(rtol=2e-5, atol=2e-5)   # float32, after a few composed derivatives


class Fn(NamedTuple):
    name: str
    make: Callable     # make(lib, jnp) -> f(x, *rest); only x is differentiated
    x: Callable        # () -> the differentiated argument (a numpy pytree)
    rest: tuple = ()   # further arguments, passed through (integers, flags)


def _fanout(L, n):
    def f(x):
        y = n.sin(x)            # y feeds three equations: its cotangents add up
        z = y * x
        return z + y * y - n.cos(z)
    return f


W = np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.7]], np.float32)


def _closure(L, n):
    w = n.asarray(W)            # an outer array: a constant of every staged program

    def f(x):
        h = n.tanh(w @ x)
        return h * w.sum() + x[0] * h
    return f


def _pytrees(L, n):
    def f(p):
        a = p["w"] * p["scale"][0]
        b = n.exp(p["scale"][1]) * n.sum(p["w"] ** 2)
        return {"out": a - b, "pair": (n.sum(a), b * p["scale"][0])}
    return f


def _control_flow(L, n):
    def f(x):
        # Python control flow on concrete values: allowed under grad and jvp
        # (they know the primal values), refused under vmap.
        if x.sum() > 0:
            y = x * x
        else:
            y = -x
        k = 0
        while n.max(y) < 10.0 and k < 5:
            y = y * 1.5 + n.sin(y)
            k += 1
        return y
    return f


def _int_arg(L, n):
    def f(x, steps, power):
        # ``steps`` drives a Python loop; ``power`` is an integer array operand.
        acc = x
        for _ in range(steps):
            acc = acc * n.cos(acc) + x
        return acc * power + x ** 2
    return f


def _nested_closure(L, n):
    def f(x):
        # An inner grad closes over a value of the outer transformation.
        inner = L.grad(lambda y: n.sum(n.sin(x * y)))
        return inner(0.7) * x + n.sum(x) * x
    return f


FNS = [
    Fn("fanout", _fanout, lambda: np.array([0.3, -1.2, 0.8], np.float32)),
    Fn("closure", _closure, lambda: np.array([0.1, 0.7, -0.4], np.float32)),
    Fn("pytrees", _pytrees, lambda: {"w": np.array([0.5, -0.3, 1.1], np.float32),
                                     "scale": (np.float32(0.9), np.array(0.2, np.float32))}),
    Fn("control_flow", _control_flow, lambda: np.array([0.4, 1.3], np.float32)),
    Fn("int_arg", _int_arg, lambda: np.array([0.2, -0.6], np.float32),
       (3, np.array([2, -1], np.int32))),
    Fn("nested_closure", _nested_closure, lambda: np.array([0.3, -0.5], np.float32)),
]


# ---------------------------------------------------------------------------
# The transformations, each written once for both libraries


def _total(L, n, tree):
    """A scalar from any output pytree, so grad-like transforms apply."""
    leaves = L.tree_util.tree_leaves(tree)
    return sum(n.sum(n.sin(leaf)) for leaf in leaves)


def _scalar(L, n, f):
    return lambda x, *rest: _total(L, n, f(x, *rest))


def _numpy_like(tree, seed):
    """A fixed random numpy pytree with the structure, shapes and dtypes of ``tree``."""
    rng = np.random.default_rng(seed)
    dtype = lambda a: a.dtype if hasattr(a, "dtype") else np.asarray(a).dtype
    return jax.tree_util.tree_map(
        lambda a: rng.standard_normal(np.shape(a)).astype(dtype(a)), tree)


def _stack3(n, tree):
    """A batch of three scaled copies along a new leading axis."""
    return jax.tree_util.tree_map(lambda a: n.stack([a * s for s in (1.0, 0.8, -0.6)]), tree)


def _batch_axes(rest):
    return (0,) + (None,) * len(rest)


def t_grad(L, n, f, x, rest):
    return L.grad(_scalar(L, n, f))(x, *rest)


def t_value_and_grad(L, n, f, x, rest):
    return L.value_and_grad(_scalar(L, n, f))(x, *rest)


def t_vjp(L, n, f, x, rest):
    out, pullback = L.vjp(lambda x: f(x, *rest), x)
    return out, pullback(_numpy_like(out, 1))


def t_vjp_all_args(L, n, f, x, rest):
    # Integer arguments get float0 cotangents.
    out, pullback = L.vjp(f, x, *rest)
    return out, pullback(_numpy_like(out, 1))


def t_linearize(L, n, f, x, rest):
    out, f_jvp = L.linearize(lambda x: f(x, *rest), x)
    v = _numpy_like(x, 2)
    return out, f_jvp(v), f_jvp(jax.tree_util.tree_map(lambda a: 2 * a, v))


def t_jacfwd(L, n, f, x, rest):
    return L.jacfwd(f)(x, *rest)


def t_jacrev(L, n, f, x, rest):
    return L.jacrev(f)(x, *rest)


def t_hessian(L, n, f, x, rest):
    return L.hessian(_scalar(L, n, f))(x, *rest)


def t_vmap_of_grad(L, n, f, x, rest):
    return L.vmap(L.grad(_scalar(L, n, f)), in_axes=_batch_axes(rest))(_stack3(n, x), *rest)


def t_grad_of_vmap(L, n, f, x, rest):
    batched = L.vmap(f, in_axes=_batch_axes(rest))
    return L.grad(lambda xs: _total(L, n, batched(xs, *rest)))(_stack3(n, x))


def t_grad_grad_grad(L, n, f, x, rest):
    # Along the ray s -> s * x: a scalar function of a scalar, differentiated thrice.
    def along(s):
        return _total(L, n, f(L.tree_util.tree_map(lambda a: a * s, x), *rest))
    return L.grad(L.grad(L.grad(along)))(np.float32(1.1))


def t_jvp_of_grad(L, n, f, x, rest):
    g = L.grad(_scalar(L, n, f))
    return L.jvp(lambda x: g(x, *rest), (x,), (_numpy_like(x, 3),))


def t_grad_of_jvp(L, n, f, x, rest):
    v = _numpy_like(x, 4)

    def tangent_total(x):
        return _total(L, n, L.jvp(lambda x: f(x, *rest), (x,), (v,))[1])
    return L.grad(tangent_total)(x)


TRANSFORMS = [t_grad, t_value_and_grad, t_vjp, t_vjp_all_args, t_linearize, t_jacfwd,
              t_jacrev, t_hessian, t_vmap_of_grad, t_grad_of_vmap, t_grad_grad_grad,
              t_jvp_of_grad, t_grad_of_jvp]


def _run(transform, lib, jnp, fn):
    f = fn.make(lib, jnp)
    return transform(lib, jnp, f, fn.x(), fn.rest)


def _outcome(transform, lib, jnp, fn):
    try:
        return _run(transform, lib, jnp, fn), None
    except Exception as err:     # compared below with what JAX does
        return None, err


def _jax_outcome(transform, fn):
    """JAX's answer. JAX's eager mode compiles every operation separately
    (seconds for a Hessian), so the reference is computed under ``jax.jit``
    (same semantics, one compilation); functions with Python control flow on
    their values cannot be jitted and run eagerly."""
    try:
        return jax.jit(lambda: _run(transform, jax, jjnp, fn))(), None
    except jax.errors.ConcretizationTypeError:
        return _outcome(transform, jax, jjnp, fn)


@pytest.mark.parametrize("transform", TRANSFORMS, ids=[t.__name__[2:] for t in TRANSFORMS])
@pytest.mark.parametrize("fn", FNS, ids=[f.name for f in FNS])
def test_composition_matches_jax(fn, transform):
    theirs, their_err = _jax_outcome(transform, fn)
    if their_err is not None:
        # JAX refuses (control flow on a batched value): so must we, alike.
        with pytest.raises(Exception) as info:
            _run(transform, minijax, mjnp, fn)
        ours = info.value
        assert type(ours).__name__ == type(their_err).__name__, (ours, their_err)
        assert isinstance(ours, type(their_err).__mro__[-3]), (ours, their_err)  # builtin base
        return
    ours = _run(transform, minijax, mjnp, fn)
    check_like_jax(ours, theirs, **TOL)


def test_control_flow_under_vmap_is_refused_like_jax():
    """The matrix entry that must fail: ``if`` on a batched value (a guard
    that the comparison above does not pass vacuously)."""
    fn = next(f for f in FNS if f.name == "control_flow")
    _, their_err = _outcome(t_vmap_of_grad, jax, jjnp, fn)
    _, our_err = _outcome(t_vmap_of_grad, minijax, mjnp, fn)
    assert isinstance(their_err, jax.errors.TracerBoolConversionError)
    assert isinstance(our_err, minijax.errors.TracerBoolConversionError)


def test_fanout_cotangents_accumulate():
    """d/dx of x*x + x*x + x*x is 6x: three uses, three contributions."""
    g = minijax.grad(lambda x: x * x + x * x + x * x)(1.5)
    assert float(g) == 9.0


# ---------------------------------------------------------------------------
# Random points: the composed derivatives of the fan-out function


_RANDOM_POINT_TRANSFORMS = (t_grad, t_jvp_of_grad, t_grad_of_vmap, t_hessian)
# Jitted once, so that hypothesis's examples reuse one compilation each.
_JAX_FANOUT = {t: jax.jit(lambda x, t=t: t(jax, jjnp, _fanout(jax, jjnp), x, ()))
               for t in _RANDOM_POINT_TRANSFORMS}


@given(values=st.lists(st.floats(-2, 2, width=32), min_size=3, max_size=3))
def test_fanout_derivatives_at_random_points(values):
    x = np.array(values, np.float32)
    for transform in _RANDOM_POINT_TRANSFORMS:
        ours = transform(minijax, mjnp, _fanout(minijax, mjnp), x, ())
        check_like_jax(ours, _JAX_FANOUT[transform](x), rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------
# Weak types: a gradient is weakly typed exactly where JAX's is

WEAK_TYPE_CASES = [
    lambda n: (lambda x: x * 2),
    lambda n: (lambda x: n.cos(x) * 3.0),             # a weak literal read by the backward pass
    lambda n: (lambda x: 3.0 / x),
    lambda n: (lambda x: x * np.float32(2)),          # a strong constant makes it strong
    lambda n: (lambda x: (x * n.ones(3)).sum()),
    lambda n: (lambda x: n.maximum(x, 0.5)),
    lambda n: (lambda x: n.exp(x) / (1 + x ** 2)),
    lambda n: (lambda z: (z * z).real),               # C -> R: cotangent built from real parts
    lambda n: (lambda z: n.imag(z * 2)),
    lambda n: (lambda z: n.abs(z)),
]


@pytest.mark.parametrize("arg", [1.5, 1.5 + 0.5j, np.float32(1.5)], ids=["float", "complex",
                                                                         "np_float32"])
def test_weak_types_of_gradients_match_jax(arg):
    for make in WEAK_TYPE_CASES:
        try:
            theirs = jax.grad(make(jjnp))(arg)
        except TypeError:          # e.g. a real-only function of a complex argument
            with pytest.raises(TypeError):
                minijax.grad(make(mjnp))(arg)
            continue
        check_like_jax(minijax.grad(make(mjnp))(arg), theirs)
