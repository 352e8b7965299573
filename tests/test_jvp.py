"""``minijax.jvp`` and ``minijax.jacfwd`` as public API, against ``jax``.

Pytrees in and out, ``has_aux``, symbolic zeros, integer inputs with
``float0`` tangents, nested differentiation, the errors for tangents that do
not match their primals (JAX's exception types), and a clean interpreter
stack after any error. Per-primitive derivative rules are checked in
``test_lax_ops.py``.
"""
import collections

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mnp
from minijax import core
from minijax.forward_mode import Zero, jvp_flat, jvp_rules
from minijax.lax import elementwise as ew

from helpers import F64_TOL, central_difference, check_like_jax, x64

Params = collections.namedtuple("Params", ["w", "b"])
EAGER = core.current_trace()


def _assert_stack_clean():
    assert core.current_trace() is EAGER


@pytest.fixture(autouse=True)
def _clean_stack():
    """Every test starts and ends with the eager interpreter current."""
    _assert_stack_clean()
    yield
    _assert_stack_clean()


def both(f):
    """``f`` written once against a numpy module: (minijax version, JAX version)."""
    return f(mnp), f(jnp)


def jvp_like_jax(f, primals, tangents, **kwargs):
    ours_f, theirs_f = both(f)
    ours = minijax.jvp(ours_f, primals, tangents, **kwargs)
    theirs = jax.jvp(theirs_f, primals, tangents, **kwargs)
    check_like_jax(ours, theirs, rtol=2e-5, atol=1e-6)
    return ours


def f32(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# ---------------------------------------------------------------------------
# Pytrees


def test_pytree_inputs_and_outputs():
    def f(np_):
        def model(params, x):
            h = np_.tanh(x @ params["w"] + params["b"])
            return {"out": h.sum(), "parts": [h, np_.sin(params["b"])]}, (x * 2,)
        return model
    params = {"w": f32(3, 2), "b": f32(2, seed=1)}
    dparams = {"w": f32(3, 2, seed=2), "b": f32(2, seed=3)}
    jvp_like_jax(f, (params, f32(4, 3, seed=4)), (dparams, f32(4, 3, seed=5)))


def test_namedtuple_and_none_leaves():
    def f(np_):
        return lambda p, nothing: Params(p.w * p.b, None)
    p = Params(f32(3), f32(3, seed=1))
    t = Params(f32(3, seed=2), f32(3, seed=3))
    jvp_like_jax(f, (p, None), (t, None))


def test_list_primals_and_tangents():
    jvp_like_jax(lambda np_: lambda x, y: np_.sin(x) * y, [f32(3), f32(3, seed=1)],
                 [f32(3, seed=2), f32(3, seed=3)])


def test_python_scalars_are_weak():
    ours = jvp_like_jax(lambda np_: lambda x: x * x + 1.0, (3.0,), (1.0,))
    assert ours[1].weak_type


@pytest.mark.parametrize("x", [2.0, 0.0])
@pytest.mark.parametrize("make", [
    lambda np_: lambda x: x ** 2.5, lambda np_: lambda x: 2.5 ** x,
    lambda np_: lambda x: x ** x, lambda np_: lambda x: x ** 0.0,
    lambda np_: lambda x: x ** np_.array([0.0, 1.0, 2.0])],
    ids=["x**2.5", "2.5**x", "x**x", "x**0.0", "x**array"])
def test_pow_tangents_match_jax_to_the_weak_type(make, x):
    """JAX's pow rule computes on strongly typed operands: the tangent of
    ``x ** 2.5`` is not weak, and the slope of ``x ** 0.0`` at 0 is nan."""
    jvp_like_jax(make, (x,), (1.0,))


# ---------------------------------------------------------------------------
# has_aux


def test_has_aux():
    def f(np_):
        def g(x):
            y = np_.sin(x)
            return y * 2, {"y": y, "n": 3}
        return g
    out, tangent, aux = jvp_like_jax(f, (f32(3),), (f32(3, seed=1),), has_aux=True)
    assert isinstance(aux, dict) and int(aux["n"]) == 3


def test_aux_is_not_differentiated():
    ours = minijax.jvp(lambda x: (x * 2, x * 3), (2.0,), (1.0,), has_aux=True)
    assert float(ours[2]) == 6.0
    assert not isinstance(ours[2], core.Tracer)


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError):
        jax.jvp(lambda x: x, (1.0,), (1.0,), has_aux=True)
    with pytest.raises(TypeError):
        minijax.jvp(lambda x: x, (1.0,), (1.0,), has_aux=True)
    _assert_stack_clean()


# ---------------------------------------------------------------------------
# Symbolic zeros


def test_untouched_inputs_and_constant_outputs():
    """Outputs that do not depend on the inputs get zero tangents of the right type."""
    f = lambda np_: lambda x, y: (np_.sin(x), np_.ones(3), 2.0, y)   # noqa: E731
    jvp_like_jax(f, (f32(3), f32(2)), (f32(3, seed=1), f32(2, seed=2)))


def test_symbolic_zero_tangents_stay_symbolic():
    x = mnp.arange(3.0)
    aval = core.get_aval(x)
    _, tangents = jvp_flat(lambda v: [mnp.sin(v) * 2], [x], [Zero(aval)])
    assert type(tangents[0]) is Zero
    assert tangents[0].aval.shape == (3,)


def test_no_derivative_work_for_zero_tangents(monkeypatch):
    """A primitive whose operands all have zero tangents never runs its JVP rule
    (here: sin of an integer input's float conversion)."""
    def boom(*args, **kwargs):
        raise AssertionError("the JVP rule of sin ran on a zero tangent")
    monkeypatch.setitem(jvp_rules, ew.sin_p, boom)
    n = np.arange(3, dtype=np.int32)
    out, tangent = minijax.jvp(lambda x, n: x * mnp.sin(n.astype(np.float32)),
                               (f32(3), n), (f32(3, seed=1), np.zeros(3, jax.dtypes.float0)))
    np.testing.assert_allclose(tangent, f32(3, seed=1) * np.sin(np.arange(3.0)), rtol=1e-6)


# ---------------------------------------------------------------------------
# Integer inputs: float0 tangents


def test_integer_inputs_take_float0_tangents():
    f = lambda np_: lambda x, n: (x * n, n * 2, n > 1)   # noqa: E731
    n = np.arange(3, dtype=np.int32)
    float0 = np.zeros(3, jax.dtypes.float0)
    ours = jvp_like_jax(f, (f32(3), n), (f32(3, seed=1), float0))
    assert ours[1][1].dtype == minijax.dtypes.float0
    assert ours[1][2].dtype == minijax.dtypes.float0


def test_bool_inputs_take_float0_tangents():
    f = lambda np_: lambda b, x: np_.where(b, x, -x)   # noqa: E731
    b = np.array([True, False, True])
    jvp_like_jax(f, (b, f32(3)), (np.zeros(3, jax.dtypes.float0), f32(3, seed=1)))


@pytest.mark.parametrize("primal,tangent", [
    (np.arange(3, dtype=np.int32), np.ones(3, np.float32)),   # int needs float0
    (np.ones(3, np.float32), np.zeros(3, jax.dtypes.float0)),  # float refuses float0
    (1, 1),                                                    # Python ints too
    (np.ones(3, np.float32), np.ones(3, np.float16)),          # dtypes must match
    (np.ones(3, np.float32), np.ones(3, np.complex64)),
])
def test_tangent_dtype_mismatch_is_type_error(primal, tangent):
    for J in (jax, minijax):
        with pytest.raises(TypeError):
            J.jvp(lambda x: x * 2, (primal,), (tangent,))
    _assert_stack_clean()


def test_float64_tangent_is_canonicalized_with_x64_off():
    """With 64-bit mode off a float64 numpy tangent is a float32 one (as in JAX)."""
    jvp_like_jax(lambda np_: np_.sin, (f32(3),), (np.ones(3, np.float64),))


# ---------------------------------------------------------------------------
# Tangent structure and shape errors


@pytest.mark.parametrize("primals,tangents", [
    ((1.0, 2.0), (1.0,)),
    ((1.0,), [1.0]),
    (({"a": 1.0},), ({"b": 1.0},)),
    (((1.0, 2.0),), ([1.0, 2.0],)),
    ((Params(1.0, 2.0),), ((1.0, 2.0),)),
])
def test_tangent_structure_mismatch_is_type_error(primals, tangents):
    for J in (jax, minijax):
        with pytest.raises(TypeError):
            J.jvp(lambda *a: a[0], primals, tangents)
    _assert_stack_clean()


def test_tangent_shape_mismatch_is_value_error():
    for J in (jax, minijax):
        with pytest.raises(ValueError):
            J.jvp(lambda x: x, (np.ones(3, np.float32),), (np.ones(2, np.float32),))
        with pytest.raises(ValueError):
            J.jvp(lambda x: x, (np.ones((3, 1), np.float32),), (np.ones(3, np.float32),))


def test_primals_must_be_a_tuple_or_list():
    for J in (jax, minijax):
        with pytest.raises(TypeError):
            J.jvp(lambda x: x, 1.0, 1.0)
        with pytest.raises(TypeError):
            J.jvp(lambda x: x, np.ones(2), np.ones(2))


def test_output_must_be_arrays():
    for J in (jax, minijax):
        with pytest.raises(TypeError):
            J.jvp(lambda x: "not an array", (1.0,), (1.0,))
    _assert_stack_clean()


# ---------------------------------------------------------------------------
# After an error the stack is clean


@pytest.mark.parametrize("failure", [
    lambda x: x + np.ones(7),                 # shape error inside a primitive
    lambda x: mnp.dot(x, mnp.ones((5, 5))),   # contraction mismatch
    lambda x: [][0],                          # an unrelated Python error
    lambda x: minijax.vmap(lambda y: y)(x[0]),   # an error in a nested transformation
])
def test_next_call_works_after_an_error(failure):
    x = mnp.ones(3)
    with pytest.raises(Exception):
        minijax.jvp(failure, (x,), (x,))
    _assert_stack_clean()
    out, tangent = minijax.jvp(lambda v: v * v, (x,), (x,))
    np.testing.assert_allclose(tangent, 2 * np.ones(3))


# ---------------------------------------------------------------------------
# Nesting and control flow


def test_nested_jvp_second_derivative():
    def f(np_, J):
        inner = lambda x: J.jvp(np_.sin, (x,), (1.0,))[1]   # noqa: E731
        return lambda x: J.jvp(inner, (x,), (1.0,))
    x = np.float32(0.7)
    check_like_jax(f(mnp, minijax)(x), f(jnp, jax)(x))


def test_no_perturbation_confusion():
    """d/dx [x * d/dy (x + y)] = 1: the inner derivative must not see x's tangent."""
    def f(J):
        return lambda x: x * J.jvp(lambda y: x + y, (1.0,), (1.0,))[1]
    ours = minijax.jvp(f(minijax), (2.0,), (1.0,))
    theirs = jax.jvp(f(jax), (2.0,), (1.0,))
    check_like_jax(ours, theirs)
    assert float(ours[1]) == 1.0


def test_python_control_flow_on_primal_values():
    def f(np_):
        def g(x):
            if x > 0:   # forward mode knows its primal values
                return np_.sin(x)
            return x ** 3
        return g
    for x in (0.5, -0.5):
        jvp_like_jax(f, (x,), (1.0,))


def test_closure_over_outer_tracer():
    def f(J, np_):
        return lambda x: J.jvp(lambda y: np_.sin(x * y), (2.0,), (1.0,))[1]
    check_like_jax(minijax.jvp(f(minijax, mnp), (0.3,), (1.0,)),
                   jax.jvp(f(jax, jnp), (0.3,), (1.0,)))


def test_fan_out_accumulates_tangents():
    """A value used three times: its tangent contributions are summed (add_any)."""
    jvp_like_jax(lambda np_: lambda x: x * np_.sin(x) + np_.exp(x) * x, (f32(4),),
                 (f32(4, seed=1),))


# ---------------------------------------------------------------------------
# Random compositions against finite differences


UNARY = {"sin": lambda np_: np_.sin, "tanh": lambda np_: np_.tanh,
         "square": lambda np_: lambda v: v * v, "exp_neg": lambda np_: lambda v: np_.exp(-v),
         "cumsum": lambda np_: np_.cumsum, "sort_free_max": lambda np_: lambda v: np_.maximum(
             v, 0.1), "sum_keep": lambda np_: lambda v: v * np_.sum(v), "flip": lambda np_:
         lambda v: v[::-1], "outer_diag": lambda np_: lambda v: np_.diagonal(
             np_.outer(v, v))}


@given(st.lists(st.sampled_from(sorted(UNARY)), min_size=1, max_size=4),
       st.integers(1, 4), st.integers(0, 2**16))
def test_composition_like_finite_differences_and_jax(names, n, seed):
    def compose(np_):
        def f(x):
            for name in names:
                x = UNARY[name](np_)(x)
            return x
        return f
    rng = np.random.default_rng(seed)
    x, v = rng.uniform(-1, 1, n), rng.normal(size=n)
    with x64():
        _, tangent = minijax.jvp(compose(mnp), (x,), (v,))
        expected = central_difference(compose(mnp), x, v, 1e-6)
        np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-7)
        check_like_jax(minijax.jvp(compose(mnp), (x,), (v,)),
                       jax.jvp(compose(jnp), (x,), (v,)), **F64_TOL)


# ---------------------------------------------------------------------------
# jacfwd


def test_jacfwd_on_pytrees():
    def f(np_):
        def g(params, x):
            return {"y": np_.tanh(params["w"] @ x), "s": np_.sum(params["b"] * x)}
        return g
    params = {"w": f32(2, 3), "b": f32(3, seed=1)}
    x = f32(3, seed=2)
    ours_f, theirs_f = both(f)
    for argnums in (0, 1, (0, 1)):
        check_like_jax(minijax.jacfwd(ours_f, argnums)(params, x),
                       jax.jacfwd(theirs_f, argnums)(params, x), rtol=2e-5, atol=1e-6)


def test_jacfwd_has_aux():
    ours_f, theirs_f = both(lambda np_: lambda x: (np_.sin(x) * x[0], {"aux": x * 2}))
    x = f32(3)
    check_like_jax(minijax.jacfwd(ours_f, has_aux=True)(x),
                   jax.jacfwd(theirs_f, has_aux=True)(x))


def test_jacfwd_shapes_and_scalars():
    ours_f, theirs_f = both(lambda np_: lambda x, y: np_.outer(x, y) * np_.sum(x))
    x, y = f32(2), f32(3, seed=1)
    check_like_jax(minijax.jacfwd(ours_f, (0, 1))(x, y), jax.jacfwd(theirs_f, (0, 1))(x, y),
                   rtol=2e-5, atol=1e-6)
    check_like_jax(minijax.jacfwd(lambda s: s ** 3)(np.float32(2.0)),
                   jax.jacfwd(lambda s: s ** 3)(np.float32(2.0)))


def test_jacfwd_of_python_scalar_is_weak():
    check_like_jax(minijax.jacfwd(lambda s: s ** 3)(2.0), jax.jacfwd(lambda s: s ** 3)(2.0))


def test_jacfwd_holomorphic():
    z = np.array([1 + 2j, 0.5 - 1j], np.complex64)
    check_like_jax(minijax.jacfwd(lambda z: z ** 2, holomorphic=True)(z),
                   jax.jacfwd(lambda z: z ** 2, holomorphic=True)(z))


@pytest.mark.parametrize("x,kwargs", [
    (np.arange(3, dtype=np.int32), {}),
    (np.ones(2, np.complex64), {}),
    (np.ones(2, np.float32), {"holomorphic": True}),
])
def test_jacfwd_input_errors(x, kwargs):
    for J in (jax, minijax):
        with pytest.raises(TypeError):
            J.jacfwd(lambda v: v * 2, **kwargs)(x)
    _assert_stack_clean()


def test_jacfwd_argnums_out_of_range():
    with pytest.raises(Exception) as theirs:
        jax.jacfwd(lambda x: x, argnums=2)(1.0)
    with pytest.raises(type(theirs.value)):
        minijax.jacfwd(lambda x: x, argnums=2)(1.0)
