"""``minijax.vmap`` as public API, against ``jax.vmap`` and Python loops.

``in_axes``/``out_axes`` as ints, ``None``, negative axes and pytree
prefixes; ``axis_size``; keyword arguments; nesting (with ``jvp`` too); JAX's
error types for inconsistent sizes, bad axes specs and traced values used as
concrete ones; and a clean interpreter stack after every error. Per-primitive
batching rules are checked in ``test_lax_ops.py``.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mnp
from minijax import core, errors

from helpers import check_like_jax

EAGER = core.current_trace()


@pytest.fixture(autouse=True)
def _clean_stack():
    """Every test starts and ends with the eager interpreter current."""
    assert core.current_trace() is EAGER
    yield
    assert core.current_trace() is EAGER


def f32(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def vmap_like_jax(f, *args, **vmap_kwargs):
    """``f(np_)`` is the function written against a numpy module."""
    ours = minijax.vmap(f(mnp), **vmap_kwargs)(*args)
    theirs = jax.vmap(f(jnp), **vmap_kwargs)(*args)
    check_like_jax(ours, theirs, rtol=2e-5, atol=1e-6)
    return ours


def loop(f, args, in_axes, out_axis=0):
    """The meaning of vmap: a Python loop over the mapped axis, stacked at ``out_axis``."""
    in_axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
    size = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = [np.asarray(f(*[a if ax is None else np.take(a, b, axis=ax)
                           for a, ax in zip(args, in_axes)])) for b in range(size)]
    return np.stack(outs, axis=out_axis)


def model(np_):
    def f(w, x, b):
        return np_.tanh(x @ w + b).sum(-1) * np_.mean(w)
    return f


# ---------------------------------------------------------------------------
# in_axes and out_axes


@given(st.integers(1, 3), st.integers(0, 3), st.integers(1, 3),
       st.sampled_from([None, 0, 1, 2, -1, -2, -3]), st.sampled_from([None, 0, 1, -1, -2]),
       st.sampled_from([None, 0, -1]), st.integers(0, 2))
def test_in_axes_and_out_axes_like_loop_and_jax(size, n, m, w_axis, x_axis, b_axis, out_axis):
    """Any combination of mapped/unmapped operands and (negative) axes."""
    if w_axis is None and x_axis is None and b_axis is None:
        return
    w, x, b = f32(n, m, seed=1), f32(4, n, seed=2), f32(m, seed=3)
    args = []
    for a, ax in ((w, w_axis), (x, x_axis), (b, b_axis)):
        args.append(a if ax is None else np.stack([a * (k + 1) for k in range(size)],
                                                 axis=ax % (a.ndim + 1)))
    in_axes = (w_axis, x_axis, b_axis)
    out_axis = min(out_axis, 1)   # the output has rank 1 per example
    ours = vmap_like_jax(model, *args, in_axes=in_axes, out_axes=out_axis)
    np.testing.assert_allclose(ours, loop(model(mnp), args, in_axes, out_axis), rtol=2e-5,
                               atol=1e-6)


def test_in_axes_as_a_list():
    vmap_like_jax(lambda np_: lambda x, y: x * y, f32(3, 2), 2.0, in_axes=[0, None])


def test_pytree_prefix_in_axes():
    def f(np_):
        return lambda params, xs: params["w"] * xs[0] + params["b"] - xs[1]
    params = {"w": f32(5, 3), "b": f32(3, seed=1)}
    xs = (f32(3, seed=2), f32(3, 5, seed=3))
    vmap_like_jax(f, params, xs, in_axes=({"w": 0, "b": None}, (None, 1)))
    vmap_like_jax(f, params, (f32(5, 3, seed=2), f32(5, 3, seed=3)), in_axes=({"w": 0,
                                                                              "b": None}, 0))


def test_pytree_out_axes():
    def f(np_):
        return lambda x: {"a": x * 2, "b": (x.sum(), np_.ones(2))}
    x = f32(4, 3)
    vmap_like_jax(f, x, out_axes={"a": 1, "b": (0, None)})
    vmap_like_jax(f, x, out_axes=-1)


def test_unbatched_outputs_are_broadcast():
    out = vmap_like_jax(lambda np_: lambda x: (np_.ones(2), 3.0), f32(4))
    assert out[0].shape == (4, 2) and out[1].shape == (4,)


def test_out_axes_none_for_unbatched_outputs():
    vmap_like_jax(lambda np_: lambda x, c: (x + c, c * 2), f32(4), 3.0,
                  in_axes=(0, None), out_axes=(0, None))


def test_axis_size_without_mapped_inputs():
    vmap_like_jax(lambda np_: lambda: np_.arange(3.0), axis_size=4)
    vmap_like_jax(lambda np_: lambda x: x + 1, f32(3), in_axes=None, axis_size=2)
    vmap_like_jax(lambda np_: lambda x: x + 1, f32(2, 3), axis_size=2)


def test_keyword_arguments_are_mapped_over_axis_0():
    x, y = f32(3, 2), f32(3, 2, seed=1)
    ours = minijax.vmap(lambda x, y: x * mnp.sum(y), in_axes=(None,))(x, y=y)
    theirs = jax.vmap(lambda x, y: x * jnp.sum(y), in_axes=(None,))(x, y=y)
    check_like_jax(ours, theirs)
    assert ours.shape == (3, 3, 2)


def test_size_zero_batch():
    vmap_like_jax(lambda np_: lambda x: np_.sin(x).sum(), f32(0, 3))


def test_vmap_preserves_weak_types_and_pytrees():
    ours = vmap_like_jax(lambda np_: lambda x: (x * 2.0, [x > 0]), np.arange(3.0))
    assert isinstance(ours, tuple) and isinstance(ours[1], list)


# ---------------------------------------------------------------------------
# Nesting


def test_nested_vmap_matches_loops():
    def f(np_):
        return lambda x, y: np_.dot(x, y)
    x, y = f32(4, 3), f32(5, 3, seed=1)
    ours = minijax.vmap(minijax.vmap(f(mnp), (None, 0)), (0, None))(x, y)
    theirs = jax.vmap(jax.vmap(f(jnp), (None, 0)), (0, None))(x, y)
    check_like_jax(ours, theirs, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(ours, x @ y.T, rtol=2e-5, atol=1e-6)


def test_nested_vmap_with_different_axes():
    x = f32(2, 3, 4)
    for inner, outer in ((0, 0), (1, 0), (0, 2), (-1, -1)):
        ours = minijax.vmap(minijax.vmap(mnp.sin, inner), outer)(x)
        theirs = jax.vmap(jax.vmap(jnp.sin, inner), outer)(x)
        check_like_jax(ours, theirs)


def test_vmap_of_jvp_and_jvp_of_vmap():
    def f(np_):
        return lambda x: np_.sin(x) * x.sum()
    xs, ts = f32(3, 4), f32(3, 4, seed=1)
    ours = minijax.vmap(lambda x, t: minijax.jvp(f(mnp), (x,), (t,)))(xs, ts)
    theirs = jax.vmap(lambda x, t: jax.jvp(f(jnp), (x,), (t,)))(xs, ts)
    check_like_jax(ours, theirs, rtol=2e-5, atol=1e-6)
    ours = minijax.jvp(minijax.vmap(f(mnp)), (xs,), (ts,))
    theirs = jax.jvp(jax.vmap(f(jnp)), (xs,), (ts,))
    check_like_jax(ours, theirs, rtol=2e-5, atol=1e-6)


def test_closure_over_outer_batched_value():
    def f(vmap, np_):
        return vmap(lambda x: vmap(lambda y: np_.sin(x) * y)(np_.arange(3.0)))
    check_like_jax(f(minijax.vmap, mnp)(f32(4)), f(jax.vmap, jnp)(f32(4)))


def test_jacfwd_is_vmap_of_jvp():
    def f(np_):
        return lambda x: np_.stack([x[0] * x[1], np_.sin(x[2])])
    check_like_jax(minijax.jacfwd(f(mnp))(f32(3)), jax.jacfwd(f(jnp))(f32(3)))


def test_traced_scalar_indices():
    xs, idx = f32(5, 4), np.array([0, 3, -1, 2, 1], np.int32)
    vmap_like_jax(lambda np_: lambda x, i: x[i], xs, idx)
    vmap_like_jax(lambda np_: lambda x, i: x.at[i].set(0.0), xs, idx)
    vmap_like_jax(lambda np_: lambda i: np_.arange(10.0)[i], idx)


# ---------------------------------------------------------------------------
# Errors, with JAX's types


def _both_raise(error, make_call):
    """``make_call(J, np_)`` fails with ``error`` in JAX and in minijax."""
    with pytest.raises(error):
        make_call(jax, jnp)
    with pytest.raises(error):
        make_call(minijax, mnp)
    assert core.current_trace() is EAGER


@pytest.mark.parametrize("call", [
    lambda J, np_: J.vmap(lambda x, y: x + y)(np.ones(3), np.ones(4)),
    lambda J, np_: J.vmap(lambda x, y: x + y, in_axes=(0, 1))(np.ones(3), np.ones((3, 4))),
    lambda J, np_: J.vmap(lambda x: x, axis_size=4)(np.ones(3)),
    lambda J, np_: J.vmap(lambda x, y: x + y)(np.ones(3), y=np.ones(4)),
    lambda J, np_: J.vmap(lambda d: d["a"] + d["b"])({"a": np.ones(2), "b": np.ones(3)}),
], ids=["two args", "in_axes", "axis_size", "kwargs", "pytree"])
def test_inconsistent_sizes_is_value_error(call):
    _both_raise(ValueError, call)


@pytest.mark.parametrize("call", [
    lambda J, np_: J.vmap(lambda x, y: x + y, in_axes=(0,))(np.ones(3), np.ones(3)),
    lambda J, np_: J.vmap(lambda x: x, in_axes=1)(np.ones(3)),
    lambda J, np_: J.vmap(lambda x: x, in_axes=-2)(np.ones(3)),
    lambda J, np_: J.vmap(lambda x: x, in_axes=None)(np.ones(3)),
    lambda J, np_: J.vmap(lambda x: x)(1.0),
    lambda J, np_: J.vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": np.ones(3)}),
    lambda J, np_: J.vmap(lambda x: x, out_axes=None)(np.ones(3)),
    lambda J, np_: J.vmap(lambda x: x, out_axes=2)(np.ones(3)),
    lambda J, np_: J.vmap(lambda x: (x, x), out_axes=(0,))(np.ones(3)),
], ids=["in_axes length", "axis too big", "negative axis too big", "nothing mapped",
        "scalar mapped", "prefix mismatch", "out_axes None", "out_axes too big",
        "out_axes prefix"])
def test_bad_axes_is_value_error(call):
    _both_raise(ValueError, call)


@pytest.mark.parametrize("in_axes", [1.5, "a", {"x": 0}.keys()], ids=["float", "str", "keys"])
def test_in_axes_of_the_wrong_type_is_type_error(in_axes):
    _both_raise(TypeError, lambda J, np_: J.vmap(lambda x: x, in_axes=in_axes)(np.ones(3)))


@pytest.mark.parametrize("use,ours,builtin", [
    (lambda x: 1.0 if x > 0 else 0.0, errors.TracerBoolConversionError, TypeError),
    (lambda x: int(x), errors.ConcretizationTypeError, TypeError),
    (lambda x: float(x), errors.ConcretizationTypeError, TypeError),
    (lambda x: [1.0, 2.0][x.astype(int)], errors.TracerIntegerConversionError, TypeError),
    (lambda x: np.asarray(x), errors.TracerArrayConversionError, TypeError),
], ids=["bool", "int", "float", "index", "asarray"])
def test_traced_value_used_as_concrete(use, ours, builtin):
    """The same exception classes as JAX's (by name), all TypeError subclasses."""
    with pytest.raises(builtin) as theirs:
        jax.vmap(use)(np.ones(3))
    with pytest.raises(ours) as mine:
        minijax.vmap(use)(np.ones(3))
    assert type(mine.value).__name__ == type(theirs.value).__name__
    assert core.current_trace() is EAGER


def test_traced_arange_bound_is_concretization_error():
    with pytest.raises(TypeError):
        jax.vmap(lambda n: jnp.arange(n))(np.arange(3))
    with pytest.raises(errors.ConcretizationTypeError):
        minijax.vmap(lambda n: mnp.arange(n))(np.arange(3))
    assert core.current_trace() is EAGER


def test_escaped_tracer_is_reported():
    leaked = []
    minijax.vmap(lambda x: leaked.append(x) or x)(np.ones(3))
    with pytest.raises(errors.UnexpectedTracerError):
        mnp.sin(leaked[0])
    jax_leaked = []
    jax.vmap(lambda x: jax_leaked.append(x) or x)(np.ones(3))
    with pytest.raises(jax.errors.UnexpectedTracerError):
        jnp.sin(jax_leaked[0])


@pytest.mark.parametrize("failure", [
    lambda x: x + np.ones(7),
    lambda x: 1.0 if x.sum() > 0 else 0.0,
    lambda x: minijax.jvp(lambda y: y * np.ones(7), (x,), (x,)),
    lambda x: minijax.vmap(lambda y: y)(x, x),
])
def test_next_call_works_after_an_error(failure):
    with pytest.raises(Exception):
        minijax.vmap(failure)(np.ones((2, 3)))
    assert core.current_trace() is EAGER
    np.testing.assert_allclose(minijax.vmap(lambda v: v * 2)(np.ones((2, 3))), 2 * np.ones((2, 3)))
