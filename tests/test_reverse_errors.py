"""Misuse of the reverse-mode API: JAX's exception types, messages that say
how to fix the call, and a clean state afterwards.

Each case runs the same bad call on JAX and on minijax. minijax must raise an
exception of the type JAX raises, whose message names the problem and the way
out; afterwards the interpreter stack must be back to the eager interpreter
and the next (good) call must work.
"""
import re

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp
from minijax.core import current_trace
from minijax.eager import EvalTrace

from helpers import check_like_jax

# (id, bad call on (lib, jnp), regex the minijax message must match: the fix)
BAD_CALLS = [
    ("grad_nonscalar_output", lambda L, n: L.grad(lambda x: x * 2)(n.ones(3)),
     r"scalar-output.*shape: \(3,\).*(jacrev|jacfwd).*vjp.*sum"),
    ("grad_list_output", lambda L, n: L.grad(lambda x: [x, x])(1.0),
     r"scalar-output.*jacrev"),
    ("value_and_grad_nonscalar_output",
     lambda L, n: L.value_and_grad(lambda x: n.sin(x))(n.ones(2)), r"scalar-output.*jacrev"),
    ("grad_int_input", lambda L, n: L.grad(lambda x: x * 2.0)(3),
     r"int32.*use vjp or set allow_int to True"),
    ("grad_int_array_input", lambda L, n: L.grad(lambda x: (x * 2.0).sum())(np.arange(3)),
     r"int32.*allow_int"),
    ("grad_bool_input", lambda L, n: L.grad(lambda x: 1.0 * x)(True), r"bool.*allow_int"),
    ("grad_int_leaf_in_pytree",
     lambda L, n: L.grad(lambda p: p["a"] * p["n"])({"a": 1.0, "n": 2}), r"int32.*allow_int"),
    ("jacrev_int_input", lambda L, n: L.jacrev(lambda x: x * 2.0)(1), r"allow_int"),
    ("grad_int_output", lambda L, n: L.grad(lambda x: n.int32(3))(1.0),
     r"real-valued outputs.*int32.*vjp"),
    ("grad_complex_output", lambda L, n: L.grad(lambda x: x * (1 + 1j))(1.0),
     r"complex64.*pass holomorphic=True.*vjp"),
    ("jacrev_complex_output", lambda L, n: L.jacrev(lambda x: x * 1j)(n.ones(2)),
     r"holomorphic=True"),
    ("holomorphic_real_input", lambda L, n: L.grad(lambda x: x * 2, holomorphic=True)(1.0),
     r"holomorphic=True requires inputs with complex dtype.*float32.*complex"),
    ("holomorphic_real_output",
     lambda L, n: L.grad(lambda z: (z * z).real, holomorphic=True)(1.0 + 1j),
     r"holomorphic=True requires outputs with complex dtype"),
    ("jacrev_holomorphic_real_input",
     lambda L, n: L.jacrev(lambda x: x, holomorphic=True)(n.ones(2)), r"complex dtype"),
    ("argnums_out_of_range", lambda L, n: L.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0),
     r"argnums=2 requires at least 3 positional arguments"),
    ("argnums_tuple_out_of_range",
     lambda L, n: L.grad(lambda x, y: x * y, argnums=(0, 5))(1.0, 2.0),
     r"at least 6 positional arguments"),
    ("argnums_negative_out_of_range",
     lambda L, n: L.grad(lambda x, y: x * y, argnums=-3)(1.0, 2.0), r"-3.*argnums"),
    ("value_and_grad_argnums_out_of_range",
     lambda L, n: L.value_and_grad(lambda x: x, argnums=1)(1.0), r"at least 2 positional"),
    ("jacrev_argnums_out_of_range",
     lambda L, n: L.jacrev(lambda x, y: x * y, argnums=2)(1.0, 2.0), r"argnums"),
    ("cotangent_wrong_structure", lambda L, n: L.vjp(lambda x: (x, 2 * x), 1.0)[1](1.0),
     r"tree structure.*must match"),
    ("cotangent_list_for_tuple",
     lambda L, n: L.vjp(lambda x: (x, 2 * x), 1.0)[1]([1.0, 1.0]), r"tree structure"),
    ("cotangent_dict_keys",
     lambda L, n: L.vjp(lambda x: {"a": x}, 1.0)[1]({"b": 1.0}), r"tree structure"),
    ("cotangent_wrong_shape", lambda L, n: L.vjp(lambda x: x * 2, n.ones(3))[1](n.ones(4)),
     r"got float32\[4\], but expected float32\[3\]"),
    ("cotangent_wrong_dtype",
     lambda L, n: L.vjp(lambda x: x * 2, n.ones(3))[1](n.ones(3, n.int32)),
     r"got int32\[3\], but expected float32\[3\]"),
    ("cotangent_wrong_precision",
     lambda L, n: L.vjp(lambda x: x * 2, n.ones(3))[1](n.ones(3, n.float16)),
     r"got float16\[3\], but expected float32\[3\]"),
    ("cotangent_real_for_complex",
     lambda L, n: L.vjp(lambda x: x * 1j, n.ones(2))[1](n.ones(2)),
     r"expected complex64\[2\]"),
    ("has_aux_not_a_pair", lambda L, n: L.grad(lambda x: x * 2, has_aux=True)(1.0),
     r"pair|two-element"),
    ("has_aux_triple", lambda L, n: L.grad(lambda x: (x, 1.0, 2.0), has_aux=True)(1.0),
     r"pair|two-element"),
    ("value_and_grad_has_aux_not_a_pair",
     lambda L, n: L.value_and_grad(lambda x: x, has_aux=True)(1.0), r"pair|two-element"),
    ("vjp_has_aux_not_a_pair", lambda L, n: L.vjp(lambda x: x * 2, 1.0, has_aux=True),
     r"pair|two-element"),
    ("jacrev_has_aux_not_a_pair",
     lambda L, n: L.jacrev(lambda x: x * 2, has_aux=True)(n.ones(2)), r"pair|two-element"),
    ("nested_grad_nonscalar_inner",
     lambda L, n: L.grad(lambda x: L.grad(lambda y: y * n.ones(2))(x).sum())(1.0),
     r"scalar-output"),
    ("vmap_of_grad_int_input", lambda L, n: L.vmap(L.grad(lambda x: x * 2.0))(np.arange(3)),
     r"allow_int"),
]


def _raised(call, lib, jnp):
    with pytest.raises(Exception) as info:
        call(lib, jnp)
    return info.value


@pytest.mark.parametrize("case", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_raises_like_jax_and_says_how_to_fix(case):
    _, call, fix = case
    eager = current_trace()
    assert isinstance(eager, EvalTrace)
    theirs = _raised(call, jax, jjnp)
    ours = _raised(call, minijax, mjnp)
    # JAX raises builtin TypeError/ValueError here; ours must be (a subclass of) the same.
    assert isinstance(theirs, (TypeError, ValueError)), theirs
    assert isinstance(ours, type(theirs)), (type(ours), type(theirs), str(ours))
    assert re.search(fix, str(ours), re.DOTALL), f"message lacks the fix {fix!r}: {ours}"
    # The interpreter stack is clean and the next call works.
    assert current_trace() is eager
    check_like_jax(minijax.grad(lambda x: mjnp.sin(x) * x)(2.0),
                   jax.grad(lambda x: jjnp.sin(x) * x)(2.0))
    assert current_trace() is eager


@pytest.mark.parametrize("name", ["grad", "value_and_grad", "jacfwd", "jacrev", "hessian"])
@pytest.mark.parametrize("argnums", [(0, 0), (1, -1)])
def test_repeated_argnums_are_rejected(name, argnums):
    """JAX fails deep inside (a TypeError about None); minijax says what is wrong
    instead of returning a zero for the repeated argument."""
    with pytest.raises(ValueError, match="same positional argument more than once"):
        getattr(minijax, name)(lambda x, y: x * y, argnums=argnums)(2.0, 3.0)
    assert isinstance(current_trace(), EvalTrace)


@pytest.mark.parametrize("name", ["grad", "value_and_grad", "jacrev"])
def test_has_aux_error_names_the_transformation_called(name):
    with pytest.raises(TypeError, match=f"^{name} with has_aux=True requires the function to "
                                        "return a pair"):
        getattr(minijax, name)(lambda x: x * 2.0, has_aux=True)(mjnp.ones(2))
    assert isinstance(current_trace(), EvalTrace)


def test_good_neighbours_of_bad_calls_work_like_jax():
    """The edges of the checks: what must *not* raise."""
    cases = [
        lambda L, n: L.grad(lambda x, y: x * y, argnums=-1)(1.0, 2.0),
        lambda L, n: L.grad(lambda x: x, allow_int=True)(1.0),
        lambda L, n: L.grad(lambda x: [x, 1.0][0] * 2, has_aux=False)(1.0),
        lambda L, n: L.grad(lambda x: [x * x, {"aux": 2 * x}], has_aux=True)(3.0),  # a list pair
        lambda L, n: L.grad(lambda z: (z * z).real)(np.complex64(1.0 + 2j)),  # C -> R
        lambda L, n: L.grad(lambda z: z * z, holomorphic=True)(1.0 + 2j),
        lambda L, n: L.vjp(lambda x: x * 2, n.ones(3))[1](np.ones(3)),   # float64 numpy ct
        lambda L, n: L.vjp(lambda x: x * 2, n.ones(()))[1](1.0),          # Python scalar ct
        # integer outputs: a cotangent of the output's own dtype is accepted (as zero)
        lambda L, n: L.vjp(lambda x: (x * 2, n.int32(3) * n.ones(2, n.int32)),
                           n.ones(2))[1]((n.ones(2), n.ones(2, n.int32))),
        lambda L, n: L.grad(lambda x: x)(np.float32(1.5)),            # numpy scalar output
        lambda L, n: L.value_and_grad(lambda x: x * 2)(np.array(1.5, np.float32))[1],
    ]
    for call in cases:
        check_like_jax(call(minijax, mjnp), call(jax, jjnp))


def test_errors_raised_inside_user_code_restore_the_eager_trace():
    eager = current_trace()

    def boom(x):
        y = mjnp.sin(x)
        raise ZeroDivisionError("user code failed")

    scalar, vector = mjnp.ones(()), mjnp.ones(2)
    for transform, arg in ((minijax.grad, scalar), (minijax.jacrev, vector),
                           (minijax.hessian, vector),
                           (lambda f: minijax.grad(minijax.grad(f)), scalar),
                           (lambda f: minijax.vmap(minijax.grad(f)), vector),
                           (lambda f: minijax.grad(minijax.vmap(f)), vector),
                           (lambda f: (lambda x: minijax.vjp(f, x)), scalar),
                           (lambda f: (lambda x: minijax.linearize(f, x)), scalar)):
        with pytest.raises(ZeroDivisionError):
            transform(boom)(arg)
        assert current_trace() is eager
    # A failing vjp_fun (bad cotangent) leaves the pullback usable.
    out, pullback = minijax.vjp(lambda x: mjnp.sin(x), mjnp.ones(3))
    with pytest.raises(ValueError):
        pullback(mjnp.ones(2))
    assert current_trace() is eager
    (ct,) = pullback(mjnp.ones(3))
    np.testing.assert_allclose(ct, np.cos(1.0) * np.ones(3), rtol=1e-6)


def test_tracer_leaked_from_grad_is_reported_later():
    """A tracer stored by the user escapes grad; using it later is JAX's
    UnexpectedTracerError, not a silent wrong answer."""
    leaked = []

    def f(x):
        leaked.append(x)
        return x * 2.0

    minijax.grad(f)(1.0)
    with pytest.raises(minijax.errors.UnexpectedTracerError, match="escaped"):
        mjnp.sin(leaked[0])
    assert isinstance(current_trace(), EvalTrace)
