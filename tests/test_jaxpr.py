"""Jaxprs: ``make_jaxpr`` prints JAX's format, ``check_jaxpr`` type-checks,
``eval_jaxpr`` runs them.

The printed jaxprs of minijax and JAX are compared by *structure*: the types
of the constant and input binders, each equation's output types, primitive
and operands (variables renamed canonically, literals such as ``2.0:f32[]``
kept), and the outputs. Parameters in brackets are left out of the
comparison: JAX prints some of its own (``out_sharding=None``) and hides
others (``shape`` of ``broadcast_in_dim``).
"""
import re

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mjnp
from minijax.core import ShapedArray
from minijax.jaxpr import JaxprTypeError, check_jaxpr, eval_jaxpr

from helpers import check_like_jax

# ---------------------------------------------------------------------------
# Reading a printed jaxpr back into its structure


def _strip_params(text):
    """Remove ``[...]`` parameter blocks that follow a primitive name (``= prim[``),
    counting brackets so that nested jaxprs and types inside go too."""
    out, i = [], 0
    for m in re.finditer(r"= ([a-z_\-]+)\[", text):
        if m.start() < i:
            continue
        out.append(text[i:m.end() - 1])
        depth, j = 0, m.end() - 1
        while True:
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        i = j
    out.append(text[i:])
    return "".join(out)


_BINDER = re.compile(r"^([a-z]+|_):(\S+)$")


def _is_binder(token):
    m = _BINDER.match(token)
    return bool(m) and m.group(1) not in ("inf", "nan")


def jaxpr_structure(text):
    """(const types, input types, equations, outputs) of a printed jaxpr, with
    variables renamed ``v0, v1, ...`` in order of binding."""
    flat = " ".join(_strip_params(text).split())
    m = re.fullmatch(r"\{ lambda (.*?); (.*?)\. let (.*?) ?in \((.*)\) \}", flat)
    assert m, f"not a jaxpr: {flat}"
    consts, ins, body, outs = m.groups()
    names, types = {}, {}

    def bind(token):
        name, typ = _BINDER.match(token).groups()
        if name != "_":
            names[name] = f"v{len(names)}"
        return typ

    def atom(token):
        if ":" in token:                   # a literal, e.g. 2.0:f32[]
            return token
        assert token in names, f"{token} used before it is bound in {flat}"
        return names[token]

    const_types = [bind(t) for t in consts.split()]
    in_types = [bind(t) for t in ins.split()]
    tokens = body.replace(";", " ").split()
    # An equation's binders are the run of ``name:type`` tokens before its "="
    # (operands are bare names or literals, never binders).
    starts = []
    for e in [i for i, t in enumerate(tokens) if t == "="]:
        s = e
        while s > 0 and _is_binder(tokens[s - 1]):
            s -= 1
        starts.append((s, e))
    eqns = []
    for n, (s, e) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(tokens)
        lhs = [bind(t) for t in tokens[s:e]]
        eqns.append((lhs, tokens[e + 1], [atom(t) for t in tokens[e + 2:end]]))
    out_atoms = [atom(t.strip()) for t in outs.split(",") if t.strip()]
    return const_types, in_types, eqns, out_atoms


def test_structure_reader_on_both_layouts():
    one_line = "{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = add b 1.0:f32[] in (c,) }"
    multi = """{ lambda a:f32[3]; b:f32[3]. let
    c:f32[] = reduce_sum[axes=(0,) out_sharding=None] b
    _:f32[3] = mul a b
    d:f32[3] e:f32[3] = jit[jaxpr={ lambda ; x:f32[3]. let  in (x, x) }] a
  in (c, d, 2.0:f32[]) }"""
    assert jaxpr_structure(one_line) == (
        [], ["f32[3]"], [(["f32[3]"], "sin", ["v0"]), (["f32[3]"], "add", ["v1", "1.0:f32[]"])],
        ["v2"])
    assert jaxpr_structure(multi) == (
        ["f32[3]"], ["f32[3]"],
        [(["f32[]"], "reduce_sum", ["v1"]), (["f32[3]"], "mul", ["v0", "v1"]),
         (["f32[3]", "f32[3]"], "jit", ["v0"])],
        ["v2", "v3", "2.0:f32[]"])


# ---------------------------------------------------------------------------
# The same jaxprs as JAX

C = np.array([1.0, -2.0, 0.5], np.float32)
X3 = np.array([0.5, 1.0, 1.5], np.float32)
M23 = np.arange(6, dtype=np.float32).reshape(2, 3)


def log1pexp(n):
    return lambda x: n.log(1.0 + n.exp(x))


# (id, make(lib, jnp) -> function, args, make_jaxpr keyword arguments)
SAME_PRIMITIVES = [
    ("sin", lambda L, n: n.sin, (X3,), {}),
    ("mul_add_literals", lambda L, n: (lambda x: x * 2.0 + 1.0), (X3,), {}),
    ("sum", lambda L, n: n.sum, (X3,), {}),
    ("mean_of_square", lambda L, n: (lambda x: n.mean(x ** 2)), (X3,), {}),
    ("grad_log1pexp", lambda L, n: L.grad(log1pexp(n)), (100.0,), {}),
    ("jvp_of_sin", lambda L, n: (lambda x, t: L.jvp(n.sin, (x,), (t,))), (X3, X3), {}),
    ("grad_of_sin_times_x", lambda L, n: L.grad(lambda x: n.sin(x) * x), (1.0,), {}),
    ("closure_numpy_const", lambda L, n: (lambda x: x * C), (X3,), {}),
    ("closure_array_const", lambda L, n: (lambda c: lambda x: x * c + c)(n.asarray(C)), (X3,),
     {}),
    ("static_argnums", lambda L, n: (lambda x, k: x ** k), (X3, 3), dict(static_argnums=1)),
    ("static_argnums_negative", lambda L, n: (lambda k, x: x * k + k), (2.0, X3),
     dict(static_argnums=(0,))),
    ("broadcast_add", lambda L, n: (lambda x, m: x + m), (X3, M23), {}),
    ("matvec", lambda L, n: (lambda m, x: n.tanh(m @ x)), (M23, X3), {}),
    ("pytree_in_out", lambda L, n: (lambda d: {"s": d["a"] + d["b"][0], "p": d["b"][1] * 2}),
     ({"a": X3, "b": (X3, 2.0)},), {}),
    ("int_input", lambda L, n: (lambda x, i: x * i), (X3, 3), {}),
    ("vmap_of_sin", lambda L, n: L.vmap(lambda x: n.sin(x) + 1.0), (X3,), {}),
    ("no_equations", lambda L, n: (lambda x, y: (y, x)), (X3, 1.0), {}),
    ("unused_output", lambda L, n: L.grad(lambda x: n.cos(x) * 3.0), (0.5,), {}),
]


def _both(make, args, kw):
    ours = str(minijax.make_jaxpr(make(minijax, mjnp), **kw)(*args))
    theirs = str(jax.make_jaxpr(make(jax, jjnp), **kw)(*args))
    return ours, theirs


@pytest.mark.parametrize("case", SAME_PRIMITIVES, ids=[c[0] for c in SAME_PRIMITIVES])
def test_make_jaxpr_structure_matches_jax(case):
    _, make, args, kw = case
    ours, theirs = _both(make, args, kw)
    assert jaxpr_structure(ours) == jaxpr_structure(theirs), f"\nours:\n{ours}\njax:\n{theirs}"


def test_grad_log1pexp_shows_zero_times_inf():
    """The chapter's example: at x = 100, exp(x) overflows to inf, 1/(1+inf)
    is 0, and the gradient is 0 * inf = nan; the jaxpr shows why."""
    ours, theirs = _both(lambda L, n: L.grad(log1pexp(n)), (100.0,), {})
    const, ins, eqns, outs = jaxpr_structure(ours)
    prims = [p for _, p, _ in eqns]
    assert prims == ["exp", "add", "log", "div", "mul"]
    (_, _, exp_args), _, _, (_, _, div_args), (_, _, mul_args) = eqns
    assert div_args[0] == "1.0:f32[]"                  # 1 / (1 + exp(x)) -> 0
    assert sorted(mul_args) == ["v1", "v3"]           # ... times exp(x) -> inf
    assert "_:f32[] = log" in ours                      # the primal output is unused
    g = minijax.grad(log1pexp(mjnp))(100.0)
    assert np.isnan(g) and np.isnan(jax.grad(log1pexp(jjnp))(100.0))


def test_literals_and_constvars_print_like_jax():
    ours, theirs = _both(lambda L, n: (lambda x: x * C + 2.0), (X3,), {})
    for text in (ours, theirs):
        assert text.startswith("{ lambda a:f32[3]; b:f32[3]. let")   # C is a constvar
        assert "c:f32[3] = mul b a" in text
        assert "d:f32[3] = add c 2.0:f32[]" in text                   # a weak literal
    ours, theirs = _both(lambda L, n: (lambda x, k: x ** k), (X3, 3), dict(static_argnums=1))
    assert ours == theirs == "{ lambda ; a:f32[3]. let b:f32[3] = integer_pow[y=3] a in (b,) }"


def test_short_jaxprs_print_on_one_line_like_jax():
    ours, theirs = _both(lambda L, n: L.vmap(lambda x: n.sin(x) + 1.0), (X3,), {})
    assert ours == theirs


@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
       chain=st.lists(st.sampled_from(["sin", "exp", "tanh", "neg", "square", "sum0"]),
                      min_size=1, max_size=4))
def test_elementwise_chains_match_jax_structure(shape, chain):
    def make(L, n):
        def f(x):
            for op in chain:
                if op == "square":
                    x = x * x
                elif op == "neg":
                    x = -x
                elif op == "sum0":
                    x = n.sum(x, axis=0) if n.ndim(x) else x + 1.0
                else:
                    x = getattr(n, op)(x)
            return x
        return f
    x = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(np.float32)
    ours, theirs = _both(make, (x,), {})
    assert jaxpr_structure(ours) == jaxpr_structure(theirs), f"\nours:\n{ours}\njax:\n{theirs}"


# ---------------------------------------------------------------------------
# check_jaxpr and eval_jaxpr


def _staged(make, args, kw=None):
    return minijax.make_jaxpr(make(minijax, mjnp), **(kw or {}))(*args)


@pytest.mark.parametrize("case", SAME_PRIMITIVES, ids=[c[0] for c in SAME_PRIMITIVES])
def test_check_jaxpr_accepts_staged_jaxprs(case):
    _, make, args, kw = case
    check_jaxpr(_staged(make, args, kw).jaxpr)


def test_check_jaxpr_accepts_reverse_mode_jaxprs():
    f = lambda x: mjnp.sum(mjnp.tanh(x) ** 2) * x[0]
    for g in (minijax.grad(f), minijax.hessian(f), minijax.jacrev(minijax.grad(f)),
              lambda x: minijax.linearize(f, x)[1](x), lambda x: minijax.vjp(f, x)[1](1.0)):
        check_jaxpr(minijax.make_jaxpr(g)(X3).jaxpr)


def test_check_jaxpr_rejects_a_wrong_output_type():
    closed = _staged(lambda L, n: (lambda x: n.sin(x) * 2.0), (X3,))
    eqn = closed.jaxpr.eqns[0]
    eqn.outvars[0].aval = ShapedArray((4,), np.float32)          # sin of f32[3] is not f32[4]
    with pytest.raises(JaxprTypeError, match="sin.*f32\\[4\\].*f32\\[3\\]"):
        check_jaxpr(closed.jaxpr)


def test_check_jaxpr_rejects_a_wrong_dtype_and_use_before_definition():
    closed = _staged(lambda L, n: (lambda x: n.exp(x) + x), (X3,))
    closed.jaxpr.eqns[0].outvars[0].aval = ShapedArray((3,), np.int32)
    with pytest.raises(JaxprTypeError):
        check_jaxpr(closed.jaxpr)
    closed = _staged(lambda L, n: (lambda x: n.exp(n.sin(x))), (X3,))
    closed.jaxpr.eqns.reverse()                                   # exp now reads an unbound var
    with pytest.raises(JaxprTypeError, match="before it is defined"):
        check_jaxpr(closed.jaxpr)
    assert issubclass(JaxprTypeError, TypeError)


@pytest.mark.parametrize("case", SAME_PRIMITIVES, ids=[c[0] for c in SAME_PRIMITIVES])
def test_eval_jaxpr_reproduces_the_function(case):
    name, make, args, kw = case
    closed = _staged(make, args, kw)
    f = make(minijax, mjnp)
    static = kw.get("static_argnums", ())
    static = {s % len(args) for s in ((static,) if isinstance(static, int) else static)}
    dynamic = [a for i, a in enumerate(args) if i not in static]
    flat = minijax.tree_util.tree_leaves(dynamic)
    outs = eval_jaxpr(closed.jaxpr, closed.consts, *flat)
    expected = minijax.tree_util.tree_leaves(f(*args))
    assert len(outs) == len(expected)
    # A mean's jaxpr divides by the count (JAX's jaxpr); XLA, and so eager
    # jnp.mean, multiplies by its reciprocal. Interpreted, the jaxpr divides.
    rounding = dict(rtol=2e-7) if name == "mean_of_square" else dict(rtol=0)
    for a, b in zip(outs, expected):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), **rounding)
    if name == "mean_of_square":   # compiled, the jaxpr has eager's bits
        jitted = minijax.jit(lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs))(*flat)
        np.testing.assert_array_equal(np.asarray(jitted[0]), np.asarray(expected[0]))


def test_eval_jaxpr_under_transformations():
    """eval_jaxpr only binds primitives, so running it under jvp or grad
    differentiates the staged function."""
    f = lambda x: mjnp.sum(mjnp.sin(x) * x)
    closed = minijax.make_jaxpr(f)(X3)
    run = lambda x: eval_jaxpr(closed.jaxpr, closed.consts, x)[0]
    check_like_jax(minijax.grad(run)(X3), jax.grad(lambda x: jjnp.sum(jjnp.sin(x) * x))(X3))
    check_like_jax(minijax.jvp(run, (X3,), (X3,)),
                   jax.jvp(lambda x: jjnp.sum(jjnp.sin(x) * x), (X3,), (X3,)))
    check_like_jax(minijax.vmap(run)(np.stack([X3, 2 * X3])),
                   jax.vmap(lambda x: jjnp.sum(jjnp.sin(x) * x))(np.stack([X3, 2 * X3])))


def test_eval_jaxpr_keeps_weak_literals_weak():
    closed = minijax.make_jaxpr(lambda x: x * 2.0)(1.0)
    out, = eval_jaxpr(closed.jaxpr, closed.consts, 1.0)
    closed_j = jax.make_jaxpr(lambda x: x * 2.0)(1.0)
    out_j, = jax.core.eval_jaxpr(closed_j.jaxpr, closed_j.consts, 1.0)
    check_like_jax(out, out_j)
