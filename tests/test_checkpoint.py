"""jax.checkpoint (remat) against real JAX: values and derivatives under every
transformation and policy, print_saved_residuals text, make_jaxpr text, errors.

Every program is written once against a namespace (the library's numpy, its
checkpoint module and its transformations), so the same lines of this file
run on minijax and on JAX. That makes ``print_saved_residuals`` comparable
*exactly*, source locations included: both point at the same line and column
of this file.
"""
import contextlib
import io
import re
import types

import jax
import jax.ad_checkpoint
import numpy as np
import pytest

import minijax
import minijax.ad_checkpoint

from helpers import check_like_jax

TOL = dict(rtol=2e-5, atol=2e-6)
W = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.7], [-0.6, 0.25, 0.3]], np.float32)
X = np.array([0.3, -1.2, 0.8], np.float32)


def ns(lib):
    return types.SimpleNamespace(lib=lib, jnp=lib.numpy, ad=lib.ad_checkpoint,
                                 policies=lib.checkpoint_policies)


MJ, JX = ns(minijax), ns(jax)


def layer(n, W, x):
    y = n.jnp.dot(W, x)
    z = n.ad.checkpoint_name(n.jnp.sin(y), "z")
    return n.jnp.tanh(z) * x


def policies(n):
    p = n.policies
    return {
        "none": None,
        "everything": p.everything_saveable,
        "nothing": p.nothing_saveable,
        "dots": p.dots_saveable,
        "checkpoint_dots": p.checkpoint_dots,
        "dots_no_batch": p.dots_with_no_batch_dims_saveable,
        "only_z": p.save_only_these_names("z"),
        "only_other": p.save_only_these_names("other"),
        "any_but_z": p.save_any_names_but_these("z"),
        "both": p.save_from_both_policies(p.dots_saveable, p.save_only_these_names("z")),
    }


POLICIES = list(policies(MJ))


def program(n, policy_name, prevent_cse=True):
    policy = policies(n)[policy_name]
    step = n.lib.checkpoint(lambda W, x: layer(n, W, x), policy=policy,
                            prevent_cse=prevent_cse)

    def f(W, x):
        return n.jnp.sum(step(W, step(W, x)) ** 2)
    return f


@pytest.mark.parametrize("policy", POLICIES)
def test_values_and_gradients_match_jax(policy):
    ours, theirs = program(MJ, policy), program(JX, policy)
    check_like_jax(ours(W, X), theirs(W, X), **TOL)
    check_like_jax(minijax.grad(ours, (0, 1))(W, X), jax.grad(theirs, (0, 1))(W, X), **TOL)
    check_like_jax(minijax.jit(minijax.grad(ours, 1))(W, X),
                   jax.jit(jax.grad(theirs, 1))(W, X), **TOL)
    check_like_jax(minijax.jvp(ours, (W, X), (W, X)), jax.jvp(theirs, (W, X), (W, X)), **TOL)
    xs = np.stack([X, 2 * X, -X])
    check_like_jax(minijax.vmap(minijax.grad(ours, 1), (None, 0))(W, xs),
                   jax.vmap(jax.grad(theirs, 1), (None, 0))(W, xs), **TOL)
    check_like_jax(minijax.grad(lambda W: minijax.numpy.sum(minijax.vmap(ours, (None, 0))(W, xs)))(W),
                   jax.grad(lambda W: jax.numpy.sum(jax.vmap(theirs, (None, 0))(W, xs)))(W),
                   **TOL)


@pytest.mark.parametrize("policy", ["none", "dots", "only_z", "everything"])
def test_higher_order_derivatives_match_jax(policy):
    ours, theirs = program(MJ, policy), program(JX, policy)
    check_like_jax(minijax.hessian(ours, 1)(W, X), jax.hessian(theirs, 1)(W, X), **TOL)
    check_like_jax(minijax.jacfwd(minijax.grad(ours, 1), 1)(W, X),
                   jax.jacfwd(jax.grad(theirs, 1), 1)(W, X), **TOL)
    check_like_jax(minijax.jit(minijax.hessian(ours, 1))(W, X),
                   jax.jit(jax.hessian(theirs, 1))(W, X), **TOL)


def test_nested_checkpoints_and_jit_inside():
    def f(n):
        inner = n.lib.checkpoint(lambda x: n.jnp.sin(n.jnp.cos(x)) * x)
        outer = n.lib.checkpoint(lambda x: n.lib.jit(inner)(inner(x)) + x ** 3,
                                 policy=n.policies.everything_saveable)
        return lambda x: n.jnp.sum(outer(n.lib.checkpoint(n.jnp.exp)(x)))
    ours, theirs = f(MJ), f(JX)
    for tf_ours, tf_theirs in [(minijax.grad, jax.grad), (minijax.hessian, jax.hessian)]:
        check_like_jax(tf_ours(ours)(X), tf_theirs(theirs)(X), **TOL)
        check_like_jax(minijax.jit(tf_ours(ours))(X), jax.jit(tf_theirs(theirs))(X), **TOL)


def test_checkpoint_of_control_flow_and_pytrees():
    def f(n):
        @n.lib.checkpoint
        def body(params, x):
            def step(c, w):
                return n.jnp.sin(c * w["a"]) + w["b"], c
            c, ys = n.lib.lax.scan(step, x, params)
            return n.lib.lax.cond(c.sum() > 0, lambda: c * 2., lambda: -c), ys
        return lambda p, x: n.jnp.sum(body(p, x)[0]) + n.jnp.sum(body(p, x)[1] ** 2)
    params = {"a": np.stack([X, X + 1]), "b": np.stack([X * 0.5, -X])}
    check_like_jax(minijax.grad(f(MJ), (0, 1))(params, X), jax.grad(f(JX), (0, 1))(params, X),
                   **TOL)


def test_static_argnums_and_decorator():
    def f(n):
        def g(x, k, mode):
            return n.jnp.sin(x) ** k if mode == "pow" else n.jnp.cos(x)
        g = n.lib.checkpoint(g, static_argnums=(1, 2))
        return lambda x: n.jnp.sum(g(x, 3, "pow") + g(x, 2, "cos"))
    check_like_jax(minijax.grad(f(MJ))(X), jax.grad(f(JX))(X), **TOL)
    assert minijax.remat is minijax.checkpoint
    assert minijax.ad_checkpoint.checkpoint is minijax.checkpoint


def test_prevent_cse_false_and_lowering_has_barrier():
    ours, theirs = program(MJ, "none", False), program(JX, "none", False)
    check_like_jax(minijax.jit(minijax.grad(ours, 1))(W, X),
                   jax.jit(jax.grad(theirs, 1))(W, X), **TOL)
    text = minijax.jit(minijax.grad(program(MJ, "none"), 1)).lower(W, X).as_text()
    assert "stablehlo.optimization_barrier" in text
    text = minijax.jit(minijax.grad(ours, 1)).lower(W, X).as_text()
    assert "stablehlo.optimization_barrier" not in text


# ---------------------------------------------------------------------------
# print_saved_residuals: the same text as JAX, locations included


def printed(n, f, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        n.ad.print_saved_residuals(f, *args)
    return out.getvalue()


def residual_programs(n):
    def h(x):
        return n.jnp.sin(n.jnp.sin(x))

    def mlp(W1, W2, x):
        return n.jnp.sum(layer(n, W2, layer(n, W1, x)))

    def named(x):
        y = n.ad.checkpoint_name(n.jnp.cos(x), "y")
        return n.jnp.sum(n.jnp.exp(y) * x)

    def pytree_args(p, x):
        return n.jnp.sum(n.jnp.sin(p["w"] * x) + p["b"][0] * x)

    progs = {
        "plain": (h, [1.5]),
        "checkpointed": (n.lib.checkpoint(h), [1.5]),
        "inside": (lambda x: n.lib.checkpoint(h)(n.jnp.sin(x)), [1.5]),
        "mlp": (mlp, [W, W, X]),
        "named": (named, [X]),
        "pytree": (pytree_args, [{"w": X, "b": (X, X)}, X]),
        "jitted": (lambda x: n.lib.jit(h)(x) * 2, [X]),
        "literals": (lambda x: n.jnp.sum(x * 2 + 3), [X]),
        "division": (lambda x: n.jnp.sum(x / 3), [X]),
        "tanh_exp_log": (lambda x: n.jnp.sum(n.jnp.tanh(x) + n.jnp.exp(x) + n.jnp.log(x * x)),
                         [X]),
        "square": (lambda x: n.jnp.sum(x ** 2), [X]),
        "where": (lambda x: n.jnp.sum(n.jnp.where(x > 0, x, 0.1 * x)), [X]),
        "nn": (lambda x: n.jnp.sum(n.lib.nn.relu(x) + n.lib.nn.sigmoid(x)), [X]),
        "max": (lambda x: n.jnp.max(x), [X]),
    }
    for name in POLICIES:
        policy = policies(n)[name]
        step = n.lib.checkpoint(lambda W, x: layer(n, W, x), policy=policy)
        progs["policy_" + name] = (lambda W, x, step=step: n.jnp.sum(step(W, step(W, x))),
                                   [W, X])
    return progs


@pytest.mark.parametrize("name", list(residual_programs(MJ)))
def test_print_saved_residuals_matches_jax_exactly(name):
    f_ours, args = residual_programs(MJ)[name]
    f_theirs, _ = residual_programs(JX)[name]
    ours, theirs = printed(MJ, f_ours, *args), printed(JX, f_theirs, *args)
    assert ours == theirs
    assert ours   # something is printed


def test_print_saved_residuals_shows_what_checkpoint_saves():
    f = residual_programs(MJ)["checkpointed"][0]
    assert printed(MJ, f, 1.5) == "f32[] from the argument x\n"

# ---------------------------------------------------------------------------
# make_jaxpr text (dot_general's params print differently in minijax, so
# these programs use elementwise work only)


def _normalize(text):
    return re.sub(r" at 0x[0-9a-fA-FX]+>", ">", text)


def jaxpr_programs(n):
    def body(x, y):
        return n.jnp.sin(n.ad.checkpoint_name(x * y, "p")) + n.jnp.cos(y)

    out = {}
    for name in POLICIES:
        policy = policies(n)[name]
        out["remat_" + name] = (n.lib.checkpoint(body, policy=policy), [1.5, 0.5])
    ck = n.lib.checkpoint(lambda x: n.jnp.sin(n.jnp.sin(x)))
    out["grad"] = (n.lib.grad(lambda x: ck(n.jnp.sin(x))), [1.5])
    out["jvp"] = (lambda x, t: n.lib.jvp(ck, (x,), (t,)), [1.5, 1.0])
    out["vmap"] = (n.lib.vmap(ck), [X])
    out["prevent_cse_false"] = (n.lib.checkpoint(n.jnp.sin, prevent_cse=False), [1.5])
    return out


@pytest.mark.parametrize("name", list(jaxpr_programs(MJ)))
def test_make_jaxpr_matches_jax(name):
    f_ours, args = jaxpr_programs(MJ)[name]
    f_theirs, _ = jaxpr_programs(JX)[name]
    assert (_normalize(str(minijax.make_jaxpr(f_ours)(*args)))
            == _normalize(str(jax.make_jaxpr(f_theirs)(*args))))


# ---------------------------------------------------------------------------
# Errors


def test_bad_arguments_raise_jaxs_errors():
    with pytest.raises(TypeError, match="static_argnums"):
        minijax.checkpoint(np.sin, static_argnums="x")
    with pytest.raises(ValueError, match="static_argnums"):
        minijax.checkpoint(lambda x: x, static_argnums=3)(1.0)
    with pytest.raises(TypeError, match="prevent_cse"):
        minijax.checkpoint(lambda x: x, prevent_cse="yes")
    with pytest.raises(NotImplementedError, match="prevent_cse"):
        minijax.checkpoint(lambda x: x, prevent_cse=(True,))
    with pytest.raises(ValueError, match="boolean"):
        bad = minijax.checkpoint_policies.save_from_both_policies(lambda *a, **k: 1,
                                                                  lambda *a, **k: True)
        minijax.grad(minijax.checkpoint(minijax.numpy.sin, policy=bad))(1.0)


def test_policy_reprs_match_jax():
    for name in ["dots", "dots_no_batch", "only_z", "any_but_z"]:
        assert repr(policies(MJ)[name]) == repr(policies(JX)[name])
