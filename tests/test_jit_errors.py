"""Misusing jit and control flow: the "Bad input" cases of issue 4.

Every error has the exception type JAX raises (checked against real JAX
where JAX raises too) and a message that says what went wrong and how to fix
it. After every error the next call works and the interpreter stack is back
to the eager interpreter: an exception must not leave a trace current.
"""
import jax
import numpy as np
import pytest

import minijax
import minijax.numpy as jnp
from minijax import core, errors, lax
from minijax.eager import EvalTrace

from helpers import check_like_jax

X = np.array([0.5, -1.25, 2.0], np.float32)


@pytest.fixture(autouse=True)
def recovers():
    """After each test (errors included): eager again, and jit still works."""
    yield
    assert type(core.current_trace()) is EvalTrace
    check_like_jax(minijax.jit(lambda x: x * 2 + 1)(X), X * 2 + 1)


def raises_like_jax(error, make, *args, match=(), **kwargs):
    """Run ``make(minijax)(*args)`` and ``make(jax)(*args)``: both raise ``error``
    (a minijax.errors type is matched with JAX's class of the same name).
    Returns minijax's message, which must contain every string in ``match``."""
    jax_error = getattr(jax.errors, error.__name__, error)
    with pytest.raises(jax_error):
        make(jax)(*args, **kwargs)
    with pytest.raises(error) as info:
        make(minijax)(*args, **kwargs)
    assert type(core.current_trace()) is EvalTrace
    message = str(info.value)
    for m in match:
        assert m in message, f"{m!r} not in:\n{message}"
    return message


# ---------------------------------------------------------------------------
# Traced values used as Python values


def branchy(x, n):
    if n > 1:                  # a Python if on a traced value
        return x
    return -x


def loop_count(x, n):
    for _ in range(n):         # a Python range bound
        x = x * 2
    return x


def list_index(x, n):
    return [x, x * 2, x * 3][n]   # a Python list index


def as_int(x, n):
    return x * int(n)


def as_float(x, n):
    return x * float(n)


def while_on_tracer(x, n):
    while n > 0:
        x, n = x * 2, n - 1
    return x


def and_operator(x, n):
    return x if (n > 0 and n < 5) else -x


CONCRETIZATION_CASES = [
    (branchy, errors.TracerBoolConversionError, ["lax.cond", "static_argnums"]),
    (while_on_tracer, errors.TracerBoolConversionError, ["lax.cond", "static_argnums"]),
    (and_operator, errors.TracerBoolConversionError, ["lax.cond", "static_argnums"]),
    (loop_count, errors.TracerIntegerConversionError, ["static_argnums", "fori_loop"]),
    (list_index, errors.TracerIntegerConversionError, ["static_argnums"]),
    (as_int, errors.ConcretizationTypeError, ["static_argnums"]),
    (as_float, errors.ConcretizationTypeError, ["static_argnums"]),
]


@pytest.mark.parametrize("fun, error, hints", CONCRETIZATION_CASES,
                         ids=[c[0].__name__ for c in CONCRETIZATION_CASES])
def test_traced_value_used_as_python_value(fun, error, hints):
    assert issubclass(error, TypeError)
    n = np.int32(2)
    message = raises_like_jax(error, lambda ns: ns.jit(fun), X, n,
                              match=[fun.__name__, "jit", *hints])
    # The argument the value came from is named.
    assert "argument n" in message
    # Making the offending argument static fixes it, as the message says.
    fixed = minijax.jit(fun, static_argnums=1)(X, int(n))
    check_like_jax(fixed, jax.jit(fun, static_argnums=1)(X, int(n)))


def test_message_names_keyword_and_pytree_arguments():
    def f(params, *, limit):
        if params["b"] > limit:
            return params["a"]
        return -params["a"]

    message = raises_like_jax(errors.TracerBoolConversionError, lambda ns: ns.jit(f),
                              {"a": X, "b": np.float32(2.0)}, limit=np.float32(1.0),
                              match=["function f", "params['b']", "limit"])
    assert "argument" in message


def test_numpy_conversion_of_a_tracer():
    message = raises_like_jax(errors.TracerArrayConversionError,
                              lambda ns: ns.jit(lambda x: np.sin(np.asarray(x))), X,
                              match=["jit"])
    assert issubclass(errors.TracerArrayConversionError, TypeError)
    assert "numpy" in message


def test_concretization_error_under_grad_of_jit():
    raises_like_jax(errors.TracerBoolConversionError,
                    lambda ns: ns.grad(ns.jit(lambda x: x if x > 0 else -x)), 1.0,
                    match=["<lambda>", "jit", "argument x"])


def test_python_bool_on_concrete_values_still_works_under_grad():
    # grad alone knows its primal values: Python control flow is fine there.
    f = lambda x: x * 2 if x > 0 else -x
    check_like_jax(minijax.grad(f)(1.0), jax.grad(f)(1.0))


# ---------------------------------------------------------------------------
# Escaped tracers

def _leak(ns, store):
    def leaky_step(x):
        store.append(x * 2)   # a tracer escapes into a global list
        return x + 1
    return ns.jit(leaky_step)


@pytest.mark.parametrize("use", ["eager_op", "jnp_function", "closed_over_by_jit",
                                 "argument_to_jit", "under_grad"])
def test_escaped_tracer_is_reported_when_used(use):
    store = []
    out = _leak(minijax, store)(X)
    check_like_jax(out, X + 1)   # the leaking call itself works
    leaked = store[0]
    assert isinstance(leaked, core.Tracer)
    uses = {
        "eager_op": lambda: leaked + 1,
        "jnp_function": lambda: jnp.sin(leaked),
        "closed_over_by_jit": lambda: minijax.jit(lambda y: y * leaked)(X),
        "argument_to_jit": lambda: minijax.jit(lambda y: y * 2)(leaked),
        "under_grad": lambda: minijax.grad(lambda y: (y * leaked).sum())(X),
    }
    with pytest.raises(errors.UnexpectedTracerError) as info:
        uses[use]()
    message = str(info.value)
    assert "leaky_step" in message and "jit" in message and "escaped" in message
    assert "global" in message or "side" in message   # says how it happens


def test_escaped_tracer_matches_jax_error_type():
    store = []
    _leak(jax, store)(X)
    with pytest.raises(jax.errors.UnexpectedTracerError):
        jax.jit(lambda y: y * store[0])(X)
    # Same builtin base as JAX's (a TypeError): `except TypeError` catches both.
    assert issubclass(jax.errors.UnexpectedTracerError, TypeError)
    assert issubclass(errors.UnexpectedTracerError, TypeError)


# ---------------------------------------------------------------------------
# Static and non-array arguments


@pytest.mark.parametrize("kind", ["list_by_position", "dict_by_name", "array_by_position"])
def test_non_hashable_static_argument(kind):
    def f(x, cfg):
        return x * len(cfg)

    if kind == "list_by_position":
        make, args, kwargs, bad = (lambda ns: ns.jit(f, static_argnums=1)), (X, [1, 2]), {}, "list"
    elif kind == "dict_by_name":
        make, args, kwargs, bad = (lambda ns: ns.jit(f, static_argnames="cfg")), (X,), \
            {"cfg": {"a": 1}}, "dict"
    else:
        make, args, kwargs, bad = (lambda ns: ns.jit(f, static_argnums=1)), (X, X), {}, "ndarray"
    with pytest.raises(ValueError):
        make(jax)(*args, **kwargs)
    with pytest.raises(ValueError) as info:
        make(minijax)(*args, **kwargs)
    message = str(info.value)
    assert "Non-hashable static arguments" in message and bad in message
    assert "tuple" in message   # how to fix it


@pytest.mark.parametrize("arg", ["a string", object(), print, {"a": "nested string"}],
                         ids=["str", "object", "function", "nested_str"])
def test_non_array_argument(arg):
    raises_like_jax(TypeError, lambda ns: ns.jit(lambda x: x), arg,
                    match=["not a valid JAX type", "static_argnums"])


def test_non_callable():
    with pytest.raises(TypeError, match="callable"):
        minijax.jit(3)


def test_non_array_static_argument_is_fine():
    f = minijax.jit(lambda x, name: x * len(name), static_argnums=1)
    check_like_jax(f(X, "abc"), X * 3)


# ---------------------------------------------------------------------------
# cond branches that disagree


BRANCH_MISMATCHES = {
    "dtype": (lambda ns: lambda x: x, lambda ns: lambda x: x.astype(np.int32)),
    "shape": (lambda ns: lambda x: x, lambda ns: lambda x: ns.numpy.stack([x, x])),
    "structure": (lambda ns: lambda x: (x, x), lambda ns: lambda x: x),
    "list_length": (lambda ns: lambda x: [x], lambda ns: lambda x: [x, x]),
    "dict_keys": (lambda ns: lambda x: {"a": x}, lambda ns: lambda x: {"b": x}),
}


@pytest.mark.parametrize("jitted", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("what", list(BRANCH_MISMATCHES))
def test_cond_branches_must_agree(what, jitted):
    true_fun, false_fun = BRANCH_MISMATCHES[what]

    def make(ns):
        f = lambda p, x: ns.lax.cond(p, true_fun(ns), false_fun(ns), x)
        return ns.jit(f) if jitted else f

    message = raises_like_jax(TypeError, make, True, X, match=["cond", "branch"])
    assert ("true_fun" in message and "false_fun" in message)
    if what in ("dtype", "shape"):
        assert "f32[3]" in message


def test_switch_branches_must_agree():
    branches = [lambda x: x, lambda x: x * 2, lambda x: x[:2]]
    message = raises_like_jax(TypeError, lambda ns: lambda i, x: ns.lax.switch(i, branches, x),
                              np.int32(1), X, match=["branches[2]", "f32[2]"])
    assert "cond" in message or "switch" in message


def test_cond_weak_type_differences_are_not_errors():
    f = lambda ns: lambda p: ns.lax.cond(p, lambda: 1.0, lambda: np.float32(2.0))
    check_like_jax(f(minijax)(True), f(jax)(True))


def test_while_loop_body_must_keep_the_carry_type():
    raises_like_jax(TypeError, lambda ns: lambda x: ns.lax.while_loop(
        lambda c: c.sum() < 10, lambda c: ns.numpy.concatenate([c, c]), x), X,
        match=["body_fun", "f32[3]", "f32[6]"])


def test_cond_predicate_must_be_scalar():
    raises_like_jax(TypeError, lambda ns: lambda x: ns.lax.cond(x > 0, lambda: 1.0,
                                                                lambda: 2.0), X,
                    match=["scalar"])


def test_grad_through_while_loop_error_leaves_eager_state():
    with pytest.raises(errors.UnsupportedWhileLoopDifferentiation):
        minijax.jit(minijax.grad(lambda x: lax.while_loop(lambda c: c < 10.0,
                                                            lambda c: c * 2.0, x)))(1.0)
