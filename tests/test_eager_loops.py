"""Eager loops print what JAX prints: JAX compiles ``while``/``scan`` even when
they are called eagerly, and so does minijax (``compiling.apply_compiled``), so
an eager loop's result has XLA's bits, equal to JAX's and to minijax's own jit.
Loops that cannot be lowered still run, in the numpy interpreter, which is also
what ``jax_disable_jit`` selects."""
import jax
import numpy as np
import pytest

from minijax import core
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as jnp
from minijax import compiling, lax
from minijax.core import Primitive, ShapedArray

from helpers import x64


def same_bits(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.reshape(-1).view(np.uint8), theirs.reshape(-1).view(np.uint8))


def both(program, *args):
    """``program(jnp, lax, *args)`` in minijax, minijax jit, and JAX."""
    ours = program(jnp, lax, *args)
    jitted = minijax.jit(lambda *a: program(jnp, lax, *a))(*args)
    theirs = program(jax.numpy, jax.lax, *args)
    return ours, jitted, theirs


def fori_sin(np_, lax_, x0):
    return lax_.fori_loop(0, 10, lambda i, x: np_.sin(x) * 0.9 + 0.1, x0)


def newton_sqrt2(np_, lax_, x0):
    """Ten Newton steps for sqrt(2); XLA fuses ``x * x - 2`` into one rounding."""
    step = lambda c: (c[0] + 1, c[1] - (c[1] * c[1] - 2.0) / (2.0 * c[1]))
    return lax_.while_loop(lambda c: c[0] < 10, step, (0, x0))[1]


def cumprod(np_, lax_, xs):
    return lax_.scan(lambda c, x: (c * x, c * x), np_.float32(1.0), xs)


def test_fori_loop_float32_has_jits_bits():
    ours, jitted, theirs = both(fori_sin, 0.3)
    same_bits(ours, theirs)
    same_bits(ours, jitted)


def test_newton_while_loop_float64_has_jits_bits():
    with x64():
        ours, jitted, theirs = both(newton_sqrt2, 1.0)
        same_bits(ours, theirs)
        same_bits(ours, jitted)
        assert repr(float(ours)) == repr(float(theirs))


def test_scan_cumulative_product_has_jits_bits():
    xs = np.random.default_rng(0).uniform(0.9, 1.1, 50).astype(np.float32)
    ours, jitted, theirs = both(cumprod, xs)
    for o, j, t in zip(minijax.tree_util.tree_leaves(ours),
                       minijax.tree_util.tree_leaves(jitted), jax.tree_util.tree_leaves(theirs)):
        same_bits(o, t)
        same_bits(o, j)


def logistic_map(np_, lax_, r, x0, n):
    return lax_.fori_loop(0, n, lambda i, x: r * x * (1.0 - x) + np_.exp(-x) * 1e-3, x0)


@given(st.floats(2.5, 3.9), st.floats(0.05, 0.95), st.integers(0, 40))
def test_float32_loops_agree_with_jax_bit_for_bit(r, x0, n):
    r, x0 = np.float32(r), np.float32(x0)
    ours, _, theirs = both(logistic_map, r, x0, n)
    same_bits(ours, theirs)


@given(st.lists(st.floats(-2, 2, width=32), min_size=1, max_size=12), st.booleans())
def test_scans_agree_with_jax_bit_for_bit(values, reverse):
    xs = np.asarray(values, np.float32)

    def program(np_, lax_, xs):
        step = lambda c, x: (np_.tanh(c * 1.3 + x) + np_.sin(x) * c, np_.cos(c) / 3.0)
        return lax_.scan(step, np_.float32(0.25), xs, reverse=reverse)

    ours, _, theirs = both(program, xs)
    for o, t in zip(minijax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        same_bits(o, t)


def test_gradient_through_an_eager_scan_matches_jax():
    xs = np.random.default_rng(1).uniform(0.5, 1.5, 20).astype(np.float32)

    def loss(np_, lax_, w):
        return lax_.scan(lambda c, x: (np_.sin(c * w + x), c), np_.float32(0.1), xs)[0]

    ours = minijax.grad(lambda w: loss(jnp, lax, w))(np.float32(0.7))
    theirs = jax.grad(lambda w: loss(jax.numpy, jax.lax, w))(np.float32(0.7))
    np.testing.assert_allclose(ours, theirs, rtol=2e-6)


def test_a_loop_traced_again_is_not_compiled_again():
    fori_sin(jnp, lax, 0.3)
    n_programs = len(compiling._text_cache)
    for x0 in (0.1, 0.2, 0.5):   # a new body jaxpr each call, the same program
        fori_sin(jnp, lax, x0)
    assert len(compiling._text_cache) == n_programs


# A primitive with numpy and abstract-evaluation rules but no lowering rule.
_twice_p = Primitive("test_twice_no_lowering")
_twice_p.def_impl(lambda x: 2 * x)
_twice_p.def_abstract_eval(lambda x: ShapedArray(x.shape, x.dtype, x.weak_type))
# Not one of minijax's primitives: keep it out of the registry that the
# meta tests (every primitive has a lowering rule, ...) read.
core.all_primitives.pop(_twice_p.name)


@pytest.mark.parametrize("loop", ["fori", "while", "scan"])
def test_a_loop_that_cannot_be_lowered_runs_in_the_interpreter(loop):
    x0 = np.float32(0.75)
    if loop == "fori":
        out = lax.fori_loop(0, 3, lambda i, x: _twice_p.bind(x) + 1.0, x0)
    elif loop == "while":
        out = lax.while_loop(lambda x: x < 10.0, lambda x: _twice_p.bind(x) + 1.0, x0)
    else:
        out = lax.scan(lambda c, x: (_twice_p.bind(c) + x, c), x0, np.ones(3, np.float32))[0]
    expected = x0
    for _ in range(3):
        expected = 2 * expected + 1
    assert float(out) == expected
    with pytest.raises(NotImplementedError, match="no lowering rule"):
        minijax.jit(lambda x: lax.fori_loop(0, 3, lambda i, x: _twice_p.bind(x), x))(x0)


def interpreted(fun, *args):
    """``fun(*args)`` with ``jax_disable_jit``: loops run in the numpy interpreter."""
    minijax.config.update("jax_disable_jit", True)
    try:
        return fun(*args)
    finally:
        minijax.config.update("jax_disable_jit", False)


def test_disable_jit_runs_loops_and_jit_in_python():
    calls = []

    def body(i, x):
        calls.append(i)   # runs once per step only when interpreted op by op
        return jnp.sin(x) * 0.9 + 0.1

    compiled = lax.fori_loop(0, 10, body, 0.3)
    assert len(calls) == 1   # traced once
    slow = interpreted(lax.fori_loop, 0, 10, body, 0.3)
    np.testing.assert_allclose(slow, compiled, rtol=1e-6)
    assert type(interpreted(minijax.jit(lambda x: x), 1.0)) is float   # jit ran f itself


def test_interpreter_and_compiled_checkpointed_scan_agree():
    from minijax.checkpointed_loops import checkpointed_scan
    xs = np.linspace(0.1, 1.0, 7).astype(np.float32)

    def loss(w):
        body = lambda c, x: (jnp.sin(c * w) + x, c * x)
        carry, ys = checkpointed_scan(body, np.float32(0.3), xs, checkpoints=2)
        return carry + jnp.sum(ys)

    compiled = minijax.value_and_grad(loss)(np.float32(1.1))
    slow = interpreted(minijax.value_and_grad(loss), np.float32(1.1))
    for a, b in zip(compiled, slow):
        np.testing.assert_allclose(a, b, rtol=1e-5)
