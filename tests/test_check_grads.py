"""``minijax.test_util``: the checker must pass correct derivatives and catch
wrong ones.

Correct functions pass at several orders, dtypes and pytree shapes. Wrong
derivatives are produced two ways: hand-written ``f_jvp``/``f_vjp`` given to
``check_jvp``/``check_vjp``, and deliberately broken JVP or transpose rules
swapped into minijax's rule tables for the length of one test, which
``check_grads`` must notice in the mode (and at the order) they affect.
"""
import functools
import importlib

import jax
import jax.test_util
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as jnp
from minijax import lax
from minijax.test_util import check_grads, check_jvp, check_vjp

from helpers import x64

jvp_module = importlib.import_module("minijax.forward_mode")
transpose_module = importlib.import_module("minijax.transpose")

X = np.array([0.3, -1.2, 0.8], np.float32)


# ---------------------------------------------------------------------------
# Correct derivatives pass


def test_passes_on_correct_functions():
    check_grads(lambda x: jnp.sin(x) * x ** 2, (X,), order=2)
    check_grads(lambda x, y: jnp.tanh(x @ y), (np.ones((2, 3), np.float32), X), order=2)
    check_grads(jnp.exp, (np.float32(0.5),), order=3, modes=("fwd", "rev", "lin"))
    check_grads(lambda x: x * 2.0 + 1.0, (1.5,), order=2)        # Python scalar argument


def test_passes_on_pytrees_in_and_out():
    def f(params, xs):
        h = jnp.tanh(xs[0] * params["w"] + params["b"])
        return {"h": h, "pair": (jnp.sum(h ** 2), xs[1] * h[0])}
    params = {"w": X, "b": np.float32(0.2)}
    check_grads(f, (params, [X[::-1].copy(), np.float32(1.5)]), order=2)


def test_integer_arguments_are_held_fixed():
    """Integer leaves (a loop count, a power) are not perturbed: their tangents are float0."""
    def f(x, n, powers):
        for _ in range(n):
            x = jnp.sin(x) + x
        return x ** powers
    check_grads(f, (X, 2, np.array([1, 2, 3], np.int32)), order=2)
    # Integer outputs are compared exactly and carry no derivative.
    check_grads(lambda x: (x * 3, jnp.argmax(x)), (X,), order=2)


def test_complex_functions_holomorphic_and_not():
    z = np.array([0.5 + 1j, -0.3 + 0.2j], np.complex64)
    check_grads(lambda z: jnp.sin(z) * z, (z,), order=2)                # holomorphic
    check_grads(lambda z: jnp.conj(z) * z + jnp.abs(z), (z,), order=2)  # not holomorphic
    check_grads(lambda z: jnp.real(z) ** 2 - jnp.imag(z), (z,), order=2)  # C -> R
    check_grads(lambda x: lax.complex(x, x ** 2), (X,), order=2)        # R -> C


def test_float64_uses_tight_tolerances():
    with x64():
        check_grads(lambda x: jnp.log1p(x ** 2) * jnp.cos(x), (X.astype(np.float64),), order=3)


@given(coeffs=st.lists(st.floats(-2, 2), min_size=1, max_size=4),
       x=st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=3))
def test_random_polynomials_pass(coeffs, x):
    def poly(x):
        out = 0.0
        for c in coeffs:
            out = out * x + c
        return jnp.sin(out)
    with x64():
        check_grads(poly, (np.array(x),), order=2)


# ---------------------------------------------------------------------------
# Wrong derivatives fail: hand-written JVPs and VJPs


def sin_jvp_wrong_sign(primals, tangents):
    (x,), (t,) = primals, tangents
    return jnp.sin(x), -jnp.cos(x) * t


def sin_vjp_wrong_factor(x):
    return jnp.sin(x), lambda ct: (jnp.sin(x) * ct,)


def test_check_jvp_rejects_a_wrong_jvp():
    check_jvp(jnp.sin, functools.partial(minijax.jvp, jnp.sin), (X,))   # the right one passes
    with pytest.raises(AssertionError, match="tangent output differs from the central "
                                             "difference"):
        check_jvp(jnp.sin, sin_jvp_wrong_sign, (X,))


def test_check_jvp_rejects_a_wrong_primal_and_wrong_tangent_type():
    def wrong_primal(primals, tangents):
        return jnp.cos(primals[0]), jnp.cos(primals[0]) * tangents[0]
    with pytest.raises(AssertionError, match="primal output differs"):
        check_jvp(jnp.sin, wrong_primal, (X,))

    def wrong_dtype(primals, tangents):
        return jnp.sin(primals[0]), (jnp.cos(primals[0]) * tangents[0]).astype(jnp.float16)
    with pytest.raises(AssertionError, match="tangent has type float16"):
        check_jvp(jnp.sin, wrong_dtype, (X,))


def test_check_vjp_rejects_a_wrong_vjp():
    check_vjp(jnp.sin, functools.partial(minijax.vjp, jnp.sin), (X,))
    with pytest.raises(AssertionError, match="not the adjoint"):
        check_vjp(jnp.sin, sin_vjp_wrong_factor, (X,))


def test_check_vjp_rejects_a_transposed_instead_of_adjoint_matrix():
    """For a non-symmetric linear map x -> A x, the VJP must be u -> Aᵀu; u -> Au is wrong."""
    A = np.array([[1.0, 2.0], [0.0, 1.0]], np.float32)
    f = lambda x: jnp.asarray(A) @ x
    good = lambda x: (f(x), lambda u: (jnp.asarray(A.T) @ u,))
    bad = lambda x: (f(x), lambda u: (jnp.asarray(A) @ u,))
    x = np.array([0.5, -1.0], np.float32)
    check_vjp(f, good, (x,))
    with pytest.raises(AssertionError):
        check_vjp(f, bad, (x,))


def test_check_vjp_rejects_a_missing_conjugation():
    """JAX's convention: the VJP of z -> c z is u -> c u (no conjugate)."""
    c = np.complex64(1.0 + 2.0j)
    f = lambda z: z * c
    z = np.array([0.5 + 1j, -1.0 + 0.5j], np.complex64)
    check_vjp(f, lambda z: (f(z), lambda u: (u * c,)), (z,))
    with pytest.raises(AssertionError):
        check_vjp(f, lambda z: (f(z), lambda u: (u * np.conj(c),)), (z,))


def test_wrong_derivatives_fail_in_jax_too():
    """The same wrong rules fail JAX's own checker: the two agree on the verdict."""
    jsin = jax.numpy.sin
    with pytest.raises(AssertionError):
        jax.test_util.check_jvp(jsin, lambda p, t: (jsin(p[0]), -jax.numpy.cos(p[0]) * t[0]),
                                (X,))
    with pytest.raises(AssertionError):
        jax.test_util.check_vjp(jsin, lambda x: (jsin(x), lambda ct: (jsin(x) * ct,)), (X,))


def test_stop_gradient_is_seen_through_by_finite_differences():
    """Finite differences ignore stop_gradient, so check_grads must fail on it:
    it checks derivatives against the function's values, not against autodiff."""
    with pytest.raises(AssertionError):
        check_grads(lambda x: x * lax.stop_gradient(x), (X,), order=1)


# ---------------------------------------------------------------------------
# Wrong derivatives fail: broken rules inside minijax


def _wrong_sin_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return lax.sin(x), lax.mul(t, lax.sin(x))          # should be cos


def test_check_grads_catches_a_wrong_jvp_rule(monkeypatch):
    monkeypatch.setitem(jvp_module.jvp_rules, lax.sin_p, _wrong_sin_jvp)
    for modes in (("fwd",), ("rev",), ("lin",)):       # reverse mode is built on the JVP
        with pytest.raises(AssertionError, match="JVP|VJP"):
            check_grads(jnp.sin, (X,), order=1, modes=modes)


def _sin_jvp_right_value_wrong_derivative(primals, tangents):
    # cos(x) computed through stop_gradient: right first derivative, but the
    # derivative of this rule (the second derivative of sin) is lost.
    (x,), (t,) = primals, tangents
    return lax.sin(x), lax.mul(t, lax.stop_gradient(lax.cos(x)))


def test_check_grads_order_two_catches_a_wrong_second_derivative(monkeypatch):
    monkeypatch.setitem(jvp_module.jvp_rules, lax.sin_p, _sin_jvp_right_value_wrong_derivative)
    check_grads(jnp.sin, (X,), order=1)                  # first order is right
    with pytest.raises(AssertionError, match="of JVP of|of VJP of"):
        check_grads(jnp.sin, (X,), order=2)


def _wrong_cumsum_transpose(ct, x, *, axis, reverse):
    return [lax.cumsum(transpose_module.instantiate(ct), axis, reverse)]   # forgot "not"


def test_check_grads_catches_a_wrong_transpose_rule(monkeypatch):
    monkeypatch.setitem(transpose_module.transpose_rules, lax.cumsum_p, _wrong_cumsum_transpose)
    f = lambda x: lax.cumsum(x, 0)
    check_grads(f, (X,), order=2, modes=("fwd",))        # forward mode never transposes
    with pytest.raises(AssertionError, match="VJP is not the adjoint"):
        check_grads(f, (X,), order=1, modes=("rev",))


def test_failure_message_says_what_failed():
    with pytest.raises(AssertionError) as info:
        check_vjp(jnp.sin, sin_vjp_wrong_factor, (X,), err_msg="my sin")
    message = str(info.value)
    assert "my sin" in message and "<vjp(u), v>" in message and "tolerance" in message


# ---------------------------------------------------------------------------
# Tolerances and step sizes depend on the dtype


def _slightly_wrong_jvp(f, rel_error):
    def f_jvp(primals, tangents):
        out, t = minijax.jvp(f, primals, tangents)
        return out, t * (1 + rel_error)
    return f_jvp


def test_default_tolerance_is_loose_for_float32_and_tight_for_float64():
    # A derivative 1e-4 off in relative terms: within float32's tolerance
    # (finite differences in float32 are not more accurate than that), far
    # outside float64's.
    check_jvp(jnp.sin, _slightly_wrong_jvp(jnp.sin, 1e-4), (X,))
    with x64():
        x64_arg = X.astype(np.float64)
        with pytest.raises(AssertionError):
            check_jvp(jnp.sin, _slightly_wrong_jvp(jnp.sin, 1e-4), (x64_arg,))
        # Explicit tolerances override the defaults, as numbers or per dtype.
        check_jvp(jnp.sin, _slightly_wrong_jvp(jnp.sin, 1e-4), (x64_arg,), atol=1e-3, rtol=1e-3)
        check_jvp(jnp.sin, _slightly_wrong_jvp(jnp.sin, 1e-4), (x64_arg,),
                  atol={np.float64: 1e-3}, rtol={np.float64: 1e-3})
    with pytest.raises(AssertionError):
        check_jvp(jnp.sin, _slightly_wrong_jvp(jnp.sin, 1e-2), (X,))


def test_float32_default_step_survives_rounding():
    """A function with a large value and a small slope: in float32 the central
    difference with JAX's fixed step 1e-4 is dominated by rounding, the
    dtype-dependent default step is not."""
    f = lambda x: 50.0 + jnp.sin(x)     # ulp(50) = 4e-6 in float32
    check_grads(f, (X,), order=1)
    with pytest.raises(AssertionError):
        check_grads(f, (X,), order=1, eps=1e-4)


def test_unknown_mode_and_nothing_to_differentiate_are_errors():
    with pytest.raises(ValueError, match="unknown modes"):
        check_grads(jnp.sin, (X,), order=1, modes=("forward",))
    with pytest.raises(ValueError, match="no floating-point"):
        check_grads(lambda n: n * 2, (np.arange(3),), order=1)
