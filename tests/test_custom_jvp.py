"""custom_jvp against real JAX: the scenarios of JAX's custom-derivatives guide,
jvp-of-jvp, vmap and jit of custom functions and their gradients, printed
jaxprs, and the errors for bad rules."""
import functools
import re
from collections import namedtuple

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp
from minijax.test_util import check_grads

from helpers import check_like_jax

LIBS = [(minijax, mjnp), (jax, jjnp)]


def both(scenario):
    """Run ``scenario(lib, jnp)`` with minijax and with JAX; compare the results."""
    ours, theirs = [scenario(lib, np_) for lib, np_ in LIBS]
    check_like_jax(ours, theirs)
    return ours


# -- the guide's examples ------------------------------------------------------


def make_log1pexp(lib, jnp):
    @lib.custom_jvp
    def log1pexp(x):
        return jnp.log(1. + jnp.exp(x))

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        x, = primals
        x_dot, = tangents
        ans = log1pexp(x)
        return ans, x_dot * (1 - 1 / (1 + jnp.exp(x)))
    return log1pexp


def test_log1pexp_stable_gradient():
    def scenario(lib, jnp):
        f = make_log1pexp(lib, jnp)
        xs = jnp.array([0., 10., 100.])
        return (f(3.), lib.grad(f)(100.), lib.jit(lib.grad(f))(3.),
                lib.vmap(lib.jit(lib.grad(f)))(xs), lib.jvp(f, (2.,), (1.,)))
    ours = both(scenario)
    assert float(ours[1]) == 1.0


def test_log1pexp_without_rule_is_nan():
    f = lambda x: mjnp.log(1. + mjnp.exp(x))
    assert np.isnan(float(minijax.grad(f)(100.)))


def make_boundary(lib, jnp):
    @lib.custom_jvp
    def f(x):
        return x / (1 + jnp.sqrt(x))

    @f.defjvp
    def f_jvp(primals, tangents):
        x, = primals
        x_dot, = tangents
        ans = f(x)
        return ans, ((jnp.sqrt(x) + 2) / (2 * (jnp.sqrt(x) + 1) ** 2)) * x_dot
    return f


def test_boundary_convention():
    ours = both(lambda lib, jnp: (lib.grad(make_boundary(lib, jnp))(0.),
                                  lib.grad(make_boundary(lib, jnp))(2.)))
    assert float(ours[0]) == 1.0


def test_defjvps_single_and_multiple_args():
    def scenario(lib, jnp):
        @lib.custom_jvp
        def f(x):
            return x / (1 + jnp.sqrt(x))
        f.defjvps(lambda t, ans, x: ((jnp.sqrt(x) + 2) / (2 * (jnp.sqrt(x) + 1) ** 2)) * t)

        @lib.custom_jvp
        def g(x, y):
            return jnp.sin(x) * y
        g.defjvps(lambda x_dot, ans, x, y: jnp.cos(x) * x_dot * y,
                  lambda y_dot, ans, x, y: jnp.sin(x) * y_dot)

        @lib.custom_jvp
        def h(x, y):
            return jnp.sin(x) * y
        h.defjvps(None, lambda y_dot, ans, x, y: jnp.sin(x) * y_dot)
        return (lib.grad(f)(0.), lib.grad(g, (0, 1))(2., 3.), lib.grad(h, (0, 1))(2., 3.),
                lib.jvp(g, (2., 3.), (1., 1.)), lib.value_and_grad(g)(1., 2.))
    both(scenario)


def make_sin_times(lib, jnp):
    @lib.custom_jvp
    def f(x, y):
        return jnp.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        x, y = primals
        x_dot, y_dot = tangents
        return f(x, y), jnp.cos(x) * x_dot * y + jnp.sin(x) * y_dot
    return f


def test_two_arguments_every_transformation():
    def scenario(lib, jnp):
        f = make_sin_times(lib, jnp)
        xs, ys = jnp.arange(3.), jnp.ones(3) * 2
        return (f(1., 2.), lib.grad(f)(1., 2.), lib.grad(f, 1)(1., 2.),
                lib.jit(f)(1., 2.), lib.jit(lib.grad(f))(1., 2.), lib.grad(lib.jit(f))(1., 2.),
                lib.vmap(f)(xs, ys), lib.vmap(lib.grad(f))(xs, ys),
                lib.grad(lambda x: lib.vmap(f, (0, None))(x, 2.).sum())(xs),
                lib.jacfwd(lambda x: lib.vmap(f, (0, None))(x, 2.))(xs),
                lib.jacrev(lambda x: lib.vmap(f, (0, None))(x, 2.))(xs),
                lib.jvp(lib.vmap(f), (xs, ys), (ys, xs)),
                lib.vmap(lambda x, t: lib.jvp(lambda u: f(u, 2.), (x,), (t,)))(xs, ys),
                lib.grad(lib.grad(f))(1., 2.), lib.hessian(f)(1., 2.))
    both(scenario)


def test_rule_calls_f_higher_order_and_jvp_of_jvp():
    def scenario(lib, jnp):
        @lib.custom_jvp
        def f(x):
            return jnp.sin(x)

        @f.defjvp
        def f_jvp(primals, tangents):
            x, = primals
            g, = tangents
            return f(x), 2 * jnp.cos(x) * g   # deliberately not sin's derivative

        d = lambda fn: lib.grad(fn)
        jvp2 = lib.jvp(lambda x: lib.jvp(f, (x,), (1.,))[1], (0.5,), (1.,))
        return d(f)(1.), d(d(f))(1.), d(d(d(f)))(1.), jvp2
    both(scenario)


def test_python_control_flow_in_function_and_rule():
    def scenario(lib, jnp):
        @lib.custom_jvp
        def f(x):
            if x > 0:
                return jnp.sin(x)
            return jnp.cos(x)

        @f.defjvp
        def f_jvp(primals, tangents):
            x, = primals
            x_dot, = tangents
            ans = f(x)
            if x > 0:
                return ans, 2 * x_dot
            return ans, 3 * x_dot
        return f(1.), f(-1.), lib.grad(f)(1.), lib.grad(f)(-1.)
    both(scenario)


Point = namedtuple("Point", ["x", "y"])


def test_pytrees_namedtuple_in_dict_out():
    def scenario(lib, jnp):
        @lib.custom_jvp
        def f(pt):
            x, y = pt.x, pt.y
            return {'a': x ** 2, 'b': (jnp.sin(x), jnp.cos(y))}

        @f.defjvp
        def f_jvp(primals, tangents):
            pt, = primals
            pt_dot, = tangents
            ans = f(pt)
            ans_dot = {'a': 2 * pt.x * pt_dot.x,
                       'b': (jnp.cos(pt.x) * pt_dot.x, -jnp.sin(pt.y) * pt_dot.y)}
            return ans, ans_dot

        def fun(pt):
            dct = f(pt)
            return dct['a'] + dct['b'][0]
        pt = Point(1., 2.)
        return f(pt), lib.grad(fun)(pt), lib.jit(lib.grad(fun))(pt)
    both(scenario)


def test_nondiff_argnums_function_arguments():
    def scenario(lib, jnp):
        @functools.partial(lib.custom_jvp, nondiff_argnums=(0,))
        def app(f, x):
            return f(x)

        @app.defjvp
        def app_jvp(f, primals, tangents):
            x, = primals
            x_dot, = tangents
            return f(x), 2. * x_dot

        @functools.partial(lib.custom_jvp, nondiff_argnums=(0, 2))
        def app2(f, x, g):
            return f(g((x)))

        @app2.defjvp
        def app2_jvp(f, g, primals, tangents):
            x, = primals
            x_dot, = tangents
            return f(g(x)), 3. * x_dot
        return (lib.grad(lambda x: app(lambda y: y ** 2, x))(4.),
                lib.grad(lambda x: app2(lambda y: y ** 2, x, lambda y: y + 1))(4.),
                lib.vmap(lambda x: app(jnp.sin, x))(jnp.arange(3.)))
    both(scenario)


def test_nondiff_array_argument_is_treated_as_constant():
    def scenario(lib, jnp):
        @functools.partial(lib.custom_jvp, nondiff_argnums=(1,))
        def scale(x, k):
            return x * k

        @scale.defjvp
        def scale_jvp(k, primals, tangents):
            return scale(primals[0], k), tangents[0] * k
        return (lib.grad(lambda x: scale(x, 3.))(2.),
                lib.grad(lambda k: scale(2., k) + k)(3.),
                lib.vmap(scale)(jnp.arange(3.), jnp.ones(3) * 2),
                lib.vmap(lib.grad(scale))(jnp.arange(3.), jnp.ones(3) * 2))
    both(scenario)


def test_keyword_arguments_and_defaults():
    def scenario(lib, jnp):
        @lib.custom_jvp
        def f(x, y=2.):
            return x * y

        @f.defjvp
        def f_jvp(primals, tangents):
            (x, y), (x_dot, y_dot) = primals, tangents
            return f(x, y), 10. * x_dot * y + y_dot
        return (f(3.), f(3., y=4.), f(x=1., y=5.), lib.grad(f)(3.),
                lib.grad(lambda x: f(x, y=4.))(3.), lib.grad(lambda y: f(1., y=y))(3.))
    both(scenario)


def test_check_grads_uses_rule_consistently():
    f = make_sin_times(minijax, mjnp)
    check_grads(f, (0.7, 1.3), order=2, modes=("fwd", "rev"))


def test_closure_over_vmap_and_jit_tracers():
    def scenario(lib, jnp):
        def outer(y):
            @lib.custom_jvp
            def f(x):
                return x * y

            @f.defjvp
            def f_jvp(p, t):
                return f(p[0]), t[0] * y * 10.
            return f(3.) + lib.grad(f)(2.)
        ys = jnp.arange(3.)
        return lib.vmap(outer)(ys), lib.jit(outer)(2.), lib.jit(lib.vmap(outer))(ys)
    both(scenario)



def test_rule_closing_over_vmapped_value_under_jvp_of_vmap():
    """The rule runs when the JVP interpreter below the vmap reaches the call,
    in a batching interpreter of its own; it shares the vmap's tag, so the
    closed-over batched ``c`` is seen as batched (it was an escaped-tracer
    error before)."""
    def scenario(lib, jnp):
        def outer(c, x):
            @lib.custom_jvp
            def f(x):
                return jnp.sin(x) * c

            @f.defjvp
            def f_jvp(p, t):
                return f(p[0]), jnp.cos(p[0]) * c * t[0] * 10.
            return f(x)
        cs = jnp.arange(3.)
        batched = lambda x: lib.vmap(outer, (0, None))(cs, x)
        per_example = lambda x: lib.vmap(outer, (None, 0))(2., x)
        return (lib.jvp(batched, (1.,), (1.,)), lib.jacfwd(batched)(0.5),
                lib.grad(lambda x: batched(x).sum())(0.5),
                lib.jit(lambda x: lib.jvp(batched, (x,), (1.,)))(1.),
                lib.jvp(per_example, (cs,), (jnp.ones(3),)))
    both(scenario)

def test_custom_jvp_function_applied_to_tangents_transposes():
    """A custom_jvp function that is linear and applied inside another rule to
    tangents lands in the linear program; reverse mode transposes it."""
    def scenario(lib, jnp):
        @lib.custom_jvp
        def double(x):
            return 2. * x
        double.defjvp(lambda p, t: (double(p[0]), double(t[0])))

        @lib.custom_jvp
        def f(x):
            return jnp.sin(x)
        f.defjvp(lambda p, t: (f(p[0]), double(jnp.cos(p[0]) * t[0])))
        return lib.grad(f)(1.), lib.jit(lib.grad(f))(1.), lib.grad(lib.grad(f))(1.)
    both(scenario)


# -- printed jaxprs ------------------------------------------------------------


def _normalized(text):
    """Variable names replaced by ``v`` (inner jaxprs may number them differently)."""
    return re.sub(r"(?<![\w.=])(?!in\b)[a-z]{1,2}(?![\w(\[=])", "v", text)


@pytest.mark.parametrize("transform", ["plain", "grad", "jvp", "vmap"])
def test_jaxpr_prints_like_jax(transform):
    def make(lib, jnp):
        f = make_sin_times(lib, jnp)
        return {"plain": f, "grad": lib.grad(f),
                "jvp": lambda x, y: lib.jvp(f, (x, y), (1., 0.)),
                "vmap": lambda x, y: lib.vmap(f)(jnp.stack([x, y]), jnp.stack([y, x]))}[transform]
    ours = str(minijax.make_jaxpr(make(minijax, mjnp))(1., 2.))
    theirs = str(jax.make_jaxpr(make(jax, jjnp))(1., 2.))
    assert "custom_jvp_call[" in ours and "jvp=f_jvp" in ours
    if transform == "vmap":   # compare the custom call only (jnp.stack stages differently)
        ours, theirs = _custom_call_block(ours), _custom_call_block(theirs)
    assert _normalized(ours) == _normalized(theirs), f"\nours:\n{ours}\njax:\n{theirs}"


def _custom_call_block(text):
    start = text.index("custom_jvp_call[")
    return text[start:text.index("\n    ] ", start)]


# -- errors --------------------------------------------------------------------


def test_no_rule_defined():
    f = minijax.custom_jvp(lambda x: x)
    with pytest.raises(AttributeError, match="No JVP defined for custom_jvp function"):
        minijax.grad(f)(1.)


def test_rule_must_return_a_pair():
    f = minijax.custom_jvp(lambda x: mjnp.sin(x))
    f.defjvp(lambda p, t: f(p[0]))
    with pytest.raises(TypeError, match="must produce a pair"):
        minijax.jvp(f, (1.,), (1.,))


def test_rule_structures_must_match():
    f = minijax.custom_jvp(lambda x: (x, x))
    f.defjvp(lambda p, t: ((p[0], p[0]), t[0]))
    with pytest.raises(TypeError, match="equal container"):
        minijax.jvp(f, (1.,), (1.,))
    g = minijax.custom_jvp(lambda x: (x, x))
    g.defjvp(lambda p, t: (p[0], t[0]))
    with pytest.raises(TypeError, match="container/pytree structure"):
        minijax.jit(lambda x: minijax.jvp(g, (x,), (1.,)))(1.)


def test_rule_tangent_shape_and_dtype_must_match():
    f = minijax.custom_jvp(lambda x: mjnp.sin(x))
    f.defjvp(lambda p, t: (f(p[0]), mjnp.ones(3)))
    with pytest.raises(TypeError, match="corresponding shapes and dtypes"):
        minijax.jvp(f, (1.,), (1.,))
    g = minijax.custom_jvp(lambda x: mjnp.sin(x))
    g.defjvp(lambda p, t: (g(p[0]), mjnp.int32(1)))
    with pytest.raises(TypeError, match="Expected f32"):
        minijax.grad(g)(1.)


def test_unresolvable_keyword_arguments():
    f = minijax.custom_jvp(lambda x: x)
    f.defjvp(lambda p, t: (p[0], t[0]))
    with pytest.raises(TypeError, match="could not be resolved to positional-only"):
        f(1., z=2.)


def test_defjvps_with_nondiff_argnums():
    f = minijax.custom_jvp(lambda g, x: g(x), nondiff_argnums=(0,))
    with pytest.raises(TypeError, match="defjvps"):
        f.defjvps(None)


def test_closure_over_differentiated_value_is_an_error():
    def outer(y):
        f = minijax.custom_jvp(lambda x: x * y)
        f.defjvp(lambda p, t: (p[0] * y, t[0] * y))
        return f(3.)
    with pytest.raises(minijax.errors.UnexpectedTracerError):
        minijax.grad(outer)(2.)


# -- functions JAX defines with custom rules: derivatives at kinks, ties, zeros ---------

KINKS = {
    "relu": (lambda L, n: L.nn.relu, [0., 1., -1.]),
    "relu6": (lambda L, n: L.nn.relu6, [0., 6., 3.]),
    "softplus": (lambda L, n: L.nn.softplus, [0., 100., -100.]),
    "logaddexp_tie": (lambda L, n: lambda x: n.logaddexp(x, x), [0., -np.inf, np.inf, 100.]),
    "logaddexp": (lambda L, n: lambda x: n.logaddexp(x, 0.), [0., -np.inf, np.inf, 100.]),
    "logaddexp2": (lambda L, n: lambda x: n.logaddexp2(x, 0.), [0., -np.inf, np.inf, 100.]),
    "logaddexp2_tie": (lambda L, n: lambda x: n.logaddexp2(x, x), [0., -np.inf, np.inf]),
    "sinc": (lambda L, n: n.sinc, [0., 0.5]),
}


@pytest.mark.parametrize("name", sorted(KINKS))
@pytest.mark.parametrize("order", [0, 1, 2, 3, 4])
def test_jax_custom_rule_functions_match_at_awkward_points(name, order):
    make, points = KINKS[name]

    def nth(lib, f):
        for _ in range(order):
            f = lib.grad(f)
        return f
    for p in points:
        ours = nth(minijax, make(minijax, mjnp))(p)
        theirs = nth(jax, make(jax, jjnp))(p)
        check_like_jax(ours, theirs, rtol=1e-5, atol=1e-6)


def test_sinc_derivatives_at_zero_follow_the_maclaurin_series():
    f, values = mjnp.sinc, []
    for _ in range(4):
        f = minijax.grad(f)
        values.append(float(f(0.)))
    np.testing.assert_allclose(values, [0., -np.pi ** 2 / 3, 0., np.pi ** 4 / 5], rtol=1e-6)
