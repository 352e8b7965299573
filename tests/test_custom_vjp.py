"""custom_vjp against real JAX: the guide's scenarios (clip_gradient, the
debugging hook, implicit differentiation of fixed points), pytrees and None
cotangents, nondiff_argnums, closures, jit and vmap, custom_gradient, errors."""
import functools
from collections import namedtuple

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp

from helpers import check_like_jax

LIBS = [(minijax, mjnp), (jax, jjnp)]


def both(scenario):
    ours, theirs = [scenario(lib, np_) for lib, np_ in LIBS]
    check_like_jax(ours, theirs)
    return ours


def make_sin_times(lib, jnp):
    @lib.custom_vjp
    def f(x, y):
        return jnp.sin(x) * y

    def f_fwd(x, y):
        return f(x, y), (jnp.cos(x), jnp.sin(x), y)

    def f_bwd(res, g):
        cos_x, sin_x, y = res
        return (cos_x * g * y, sin_x * g)
    f.defvjp(f_fwd, f_bwd)
    return f


def test_two_arguments_every_transformation():
    def scenario(lib, jnp):
        f = make_sin_times(lib, jnp)
        xs, ys = jnp.arange(3.), jnp.ones(3) * 2
        return (f(2., 3.), lib.grad(f)(2., 3.), lib.grad(f, (0, 1))(2., 3.),
                lib.jit(f)(2., 3.), lib.jit(lib.grad(f))(2., 3.), lib.grad(lib.jit(f))(2., 3.),
                lib.vmap(f)(xs, ys), lib.vmap(lib.grad(f))(xs, ys),
                lib.grad(lambda x: lib.vmap(f, (0, None))(x, 2.).sum())(xs),
                lib.grad(lambda y: lib.vmap(f, (0, None))(xs, y).sum())(2.),
                lib.jacrev(lambda x: lib.vmap(f)(x, ys))(xs),
                lib.jit(lib.vmap(lib.grad(f)))(xs, ys),
                lib.vjp(f, 2., 3.)[1](1.),
                lib.grad(lib.grad(f))(2., 3.))
    both(scenario)


def test_forward_mode_is_a_type_error():
    f = make_sin_times(minijax, mjnp)
    for attempt in (lambda: minijax.jvp(f, (2., 3.), (1., 0.)),
                    lambda: minijax.jacfwd(f)(2., 3.),
                    lambda: minijax.jit(lambda x: minijax.jvp(f, (x, 3.), (1., 0.)))(2.)):
        with pytest.raises(TypeError, match=r"can't apply forward-mode autodiff \(jvp\) to "
                                            r"a custom_vjp function"):
            attempt()


def make_clip_gradient(lib, jnp):
    @lib.custom_vjp
    def clip_gradient(lo, hi, x):
        return x

    def clip_gradient_fwd(lo, hi, x):
        return x, (lo, hi)

    def clip_gradient_bwd(res, g):
        lo, hi = res
        return (None, None, jnp.clip(g, lo, hi))
    clip_gradient.defvjp(clip_gradient_fwd, clip_gradient_bwd)
    return clip_gradient


def test_gradient_clipping():
    def scenario(lib, jnp):
        clip_gradient = make_clip_gradient(lib, jnp)

        def clip_sin(x):
            return jnp.sin(clip_gradient(-0.75, 0.75, x))
        t = jnp.linspace(0, 10, 50)
        return (lib.vmap(clip_sin)(t), lib.vmap(lib.grad(clip_sin))(t),
                lib.jit(lib.vmap(lib.grad(clip_sin)))(t), lib.grad(clip_sin)(0.))
    both(scenario)


def test_debugging_hook_runs_on_the_backward_pass_only():
    seen = []

    @minijax.custom_vjp
    def debug(x):
        return x

    def debug_bwd(x, g):
        seen.append(float(g))
        return (g,)
    debug.defvjp(lambda x: (x, x), debug_bwd)
    f = lambda x: mjnp.sin(debug(x * 2.))
    assert float(f(1.)) == float(mjnp.sin(2.)) and seen == []
    g = minijax.grad(f)(1.)
    assert seen == [pytest.approx(float(mjnp.cos(2.)))]
    assert float(g) == pytest.approx(2 * float(mjnp.cos(2.)))


def make_fixed_point(lib, jnp):
    @functools.partial(lib.custom_vjp, nondiff_argnums=(0,))
    def fixed_point(f, a, x_guess):
        def cond_fun(carry):
            x_prev, x = carry
            return jnp.abs(x_prev - x) > 1e-6

        def body_fun(carry):
            _, x = carry
            return x, f(a, x)
        _, x_star = lib.lax.while_loop(cond_fun, body_fun, (x_guess, f(a, x_guess)))
        return x_star

    def fixed_point_fwd(f, a, x_init):
        x_star = fixed_point(f, a, x_init)
        return x_star, (a, x_star)

    def fixed_point_rev(f, res, x_star_bar):
        a, x_star = res
        _, vjp_a = lib.vjp(lambda a: f(a, x_star), a)
        a_bar, = vjp_a(fixed_point(functools.partial(rev_iter, f),
                                   (a, x_star, x_star_bar), x_star_bar))
        return a_bar, jnp.zeros_like(x_star)

    def rev_iter(f, packed, u):
        a, x_star, x_star_bar = packed
        _, vjp_x = lib.vjp(lambda x: f(a, x), x_star)
        return x_star_bar + vjp_x(u)[0]
    fixed_point.defvjp(fixed_point_fwd, fixed_point_rev)
    return fixed_point


def test_fixed_point_newton_sqrt():
    def scenario(lib, jnp):
        fixed_point = make_fixed_point(lib, jnp)

        def newton_sqrt(a):
            update = lambda a, x: 0.5 * (x + a / x)
            return fixed_point(update, a, a)
        return (newton_sqrt(2.), lib.grad(newton_sqrt)(2.), lib.grad(lib.grad(newton_sqrt))(2.),
                lib.jit(lib.grad(newton_sqrt))(2.),
                lib.vmap(lib.grad(newton_sqrt))(jnp.array([1., 2., 4.])))
    ours = both(scenario)
    np.testing.assert_allclose(ours[1], minijax.grad(mjnp.sqrt)(2.), rtol=1e-6)
    np.testing.assert_allclose(ours[2], minijax.grad(minijax.grad(mjnp.sqrt))(2.), rtol=1e-5)


Point = namedtuple("Point", ["x", "y"])


def test_pytrees_namedtuple_in_dict_out():
    def scenario(lib, jnp):
        @lib.custom_vjp
        def f(pt):
            x, y = pt.x, pt.y
            return {'a': x ** 2, 'b': (jnp.sin(x), jnp.cos(y))}

        def f_fwd(pt):
            return f(pt), pt

        def f_bwd(pt, g):
            a_bar, (b0_bar, b1_bar) = g['a'], g['b']
            x_bar = 2 * pt.x * a_bar + jnp.cos(pt.x) * b0_bar
            y_bar = -jnp.sin(pt.y) * b1_bar
            return (Point(x_bar, y_bar),)
        f.defvjp(f_fwd, f_bwd)

        def fun(pt):
            dct = f(pt)
            return dct['a'] + dct['b'][0]
        return f(Point(1., 2.)), lib.grad(fun)(Point(1., 2.))
    both(scenario)


def test_none_cotangents_in_nested_pytrees():
    def scenario(lib, jnp):
        @lib.custom_vjp
        def f(d, z):
            return d['a'] * d['b'][0] + d['b'][1] + z

        def f_bwd(res, g):
            a, b0 = res
            return ({'a': None, 'b': (g * a, None)}, None)
        f.defvjp(lambda d, z: (f(d, z), (d['a'], d['b'][0])), f_bwd)
        args = ({'a': 2., 'b': (3., 4.)}, 5.)
        return lib.grad(f, (0, 1))(*args), lib.jit(lib.grad(f))(*args)
    both(scenario)


def test_nondiff_argnums_function_argument():
    def scenario(lib, jnp):
        @functools.partial(lib.custom_vjp, nondiff_argnums=(0,))
        def app(f, x):
            return f(x)

        def app_fwd(f, x):
            return f(x), x

        def app_bwd(f, x, g):
            return (5 * g,)
        app.defvjp(app_fwd, app_bwd)
        return (app(lambda x: x ** 2, 4.), lib.grad(app, 1)(lambda x: x ** 2, 4.),
                lib.vmap(lib.grad(lambda x: app(jnp.sin, x)))(jnp.arange(3.)))
    both(scenario)


def test_keyword_arguments():
    def scenario(lib, jnp):
        @lib.custom_vjp
        def f(x, y=2.):
            return x * y
        f.defvjp(lambda x, y=2.: (f(x, y), (x, y)), lambda r, g: (g * r[1] * 10., g * r[0]))
        return f(3., y=4.), lib.grad(lambda x: f(x, y=4.))(3.), lib.grad(f)(3.)
    both(scenario)


def test_closure_over_vmap_tracer():
    def scenario(lib, jnp):
        def outer(y):
            @lib.custom_vjp
            def f(x):
                return x * y
            f.defvjp(lambda x: (x * y, y), lambda r, g: (g * r * 10.,))
            return f(3.) + lib.grad(f)(1.)
        return lib.vmap(outer)(jnp.arange(3.)), lib.jit(outer)(2.)
    both(scenario)



def _closing_over_vmapped(lib, jnp, bwd_closes):
    """Per example ``c``: ``f(x) = sin(x) c`` with a custom_vjp whose ``fwd``
    closes over the vmapped ``c``, and whose ``bwd`` does too if asked."""
    def outer(c, x):
        @lib.custom_vjp
        def f(x):
            return jnp.sin(x) * c
        bwd = (lambda r, g: (g * r * c * 10.,)) if bwd_closes else (lambda r, g: (g * r * 10.,))
        f.defvjp(lambda x: (f(x), jnp.cos(x) * c), bwd)
        return f(x)
    return lambda x: lib.vmap(outer, (0, None))(jnp.arange(3.), x)


def test_fwd_closing_over_vmapped_value_under_grad_of_vmap():
    """fwd runs in a batching interpreter that shares the vmap's tag, so the
    closed-over batched ``c`` is seen as batched (it was an escaped-tracer
    error before)."""
    def scenario(lib, jnp):
        g = _closing_over_vmapped(lib, jnp, bwd_closes=False)
        primal, pullback = lib.vjp(g, 0.5)
        return (lib.grad(lambda x: g(x).sum())(0.5), lib.jit(lib.grad(lambda x: g(x).sum()))(0.5),
                primal, pullback(jnp.ones(3)), lib.jacrev(g)(0.5))
    both(scenario)


def test_jacrev_blocks_take_the_input_leaf_s_weak_type():
    """The cotangent of the weak input 0.5 comes out of the batched bwd
    strong; jacrev casts each block to its input leaf's type, as JAX's does."""
    def scenario(lib, jnp):
        @lib.custom_vjp
        def f(c, x):
            return jnp.sin(x) * c
        f.defvjp(lambda c, x: (f(c, x), (jnp.cos(x), c, jnp.sin(x))),
                 lambda r, g: (g * r[2], g * r[0] * r[1] * 10.))
        g = lambda x: lib.vmap(f, (0, None))(jnp.arange(3.), x)
        return lib.jacrev(g)(0.5), lib.vmap(lib.vjp(g, 0.5)[1])(jnp.eye(3))
    ours = both(scenario)
    assert ours[0].weak_type and not ours[1][0].weak_type


def test_bwd_closing_over_vmapped_value_gives_the_rule_s_answer():
    """JAX refuses this one (UnexpectedTracerError: bwd runs after the vmap
    has finished); minijax's bwd shares the vmap's tag too, and computes what
    the rule says: d/dx = 10 cos(x) c^2 per example."""
    g = _closing_over_vmapped(minijax, mjnp, bwd_closes=True)
    expected = 10 * np.cos(np.float32(0.5)) * np.arange(3.) ** 2
    np.testing.assert_allclose(minijax.jacrev(g)(0.5), expected, rtol=1e-6)
    np.testing.assert_allclose(minijax.jit(minijax.grad(lambda x: g(x).sum()))(0.5),
                               expected.sum(), rtol=1e-6)
    with pytest.raises(jax.errors.UnexpectedTracerError):
        jax.jacrev(_closing_over_vmapped(jax, jjnp, bwd_closes=True))(0.5)

def test_closure_convert_makes_closed_over_values_differentiable():
    def scenario(lib, jnp):
        @functools.partial(lib.custom_vjp, nondiff_argnums=(0,))
        def apply(fn, x, *consts):
            return fn(x, *consts)

        def apply_fwd(fn, x, *consts):
            return apply(fn, x, *consts), (x, consts)

        def apply_bwd(fn, res, g):
            x, consts = res
            _, pullback = lib.vjp(fn, x, *consts)
            return pullback(g)
        apply.defvjp(apply_fwd, apply_bwd)

        def outer(w, x):
            f = lambda x: jnp.sin(w * x)
            converted, consts = lib.closure_convert(f, x)
            return apply(converted, x, *consts)
        return outer(2., 3.), lib.grad(outer, (0, 1))(2., 3.)
    both(scenario)


def test_closure_over_differentiated_value_is_an_error():
    def outer(y):
        f = minijax.custom_vjp(lambda x: x * y)
        f.defvjp(lambda x: (x * y, y), lambda r, g: (g * r,))
        return f(3.)
    with pytest.raises(minijax.errors.UnexpectedTracerError):
        minijax.grad(outer)(2.)


def test_custom_gradient():
    def scenario(lib, jnp):
        @lib.custom_gradient
        def f(x):
            return x ** 2, lambda g: (g * x,)

        @lib.custom_gradient
        def h(x, y):
            return x * y, lambda g: (g * y, g * x)
        return f(3.), lib.grad(f)(3.), h(3., 4.), lib.grad(h, (0, 1))(3., 4.), \
            lib.vmap(lib.grad(f))(jnp.arange(3.))
    both(scenario)


def test_jaxprs_print_like_jax():
    def make(lib, jnp):
        @lib.custom_vjp
        def g(x):
            return jnp.sin(x)
        g.defvjp(lambda x: (jnp.sin(x), jnp.cos(x)), lambda c, t: (c * t,))
        return g
    for transform in (lambda lib, g: g, lambda lib, g: lib.grad(g)):
        ours = str(minijax.make_jaxpr(transform(minijax, make(minijax, mjnp)))(1.))
        theirs = str(jax.make_jaxpr(transform(jax, make(jax, jjnp)))(1.))
        from test_custom_jvp import _normalized
        assert _normalized(ours) == _normalized(theirs), f"\nours:\n{ours}\njax:\n{theirs}"


# -- errors --------------------------------------------------------------------


def _f_with(bwd, fwd=None):
    f = minijax.custom_vjp(lambda x, y: x * y)
    f.defvjp(fwd or (lambda x, y: (x * y, (x, y))), bwd)
    return f


def test_no_vjp_defined():
    with pytest.raises(AttributeError, match="No VJP defined for custom_vjp function"):
        minijax.custom_vjp(lambda x: x)(1.)


def test_bwd_must_return_a_tuple_of_the_right_length():
    with pytest.raises(TypeError, match="must produce a tuple of length equal to the number"):
        minijax.grad(_f_with(lambda r, g: g))(1., 2.)
    with pytest.raises(TypeError, match="must produce a tuple of length equal to the number"):
        minijax.grad(_f_with(lambda r, g: (g,)))(1., 2.)


def test_bwd_cotangent_types_must_match():
    with pytest.raises(ValueError, match=r"at output\[1\] the bwd rule produced an output of "
                                         r"type f32\[3\] corresponding to an input of type "
                                         r"f32\[\]"):
        minijax.grad(_f_with(lambda r, g: (g, mjnp.ones(3))))(1., 2.)


def test_fwd_must_return_a_pair():
    with pytest.raises(TypeError, match="Custom VJP fwd rule <lambda> for function <lambda> "
                                        "must produce a pair"):
        minijax.grad(_f_with(lambda r, g: (g, g), fwd=lambda x, y: x * y))(1., 2.)


def test_tracer_in_nondiff_argnums_position():
    f = minijax.custom_vjp(lambda k, x: k * x, nondiff_argnums=(0,))
    f.defvjp(lambda k, x: (k * x, None), lambda k, r, g: (k * g,))
    with pytest.raises(minijax.errors.UnexpectedTracerError, match="nondiff_argnums"):
        minijax.grad(lambda k: f(k, 2.))(3.)
    with pytest.raises(minijax.errors.UnexpectedTracerError, match="nondiff_argnums"):
        minijax.jit(lambda k: f(k, 2.))(3.)


# -- differentiating through solvers: lax.custom_root, lax.custom_linear_solve ---------


def _binary_search(lib, jnp):
    def binary_search(func, x0, low=0.0, high=100.0):
        del x0

        def cond(state):
            low, high = state
            midpoint = 0.5 * (low + high)
            return (low < midpoint) & (midpoint < high)

        def body(state):
            low, high = state
            midpoint = 0.5 * (low + high)
            update_upper = func(midpoint) > 0
            return jnp.where(update_upper, low, midpoint), jnp.where(update_upper, midpoint, high)
        solution, _ = lib.lax.while_loop(cond, body, (low, high))
        return solution
    return binary_search


def test_custom_root_sqrt_cubed():
    def scenario(lib, jnp):
        def sqrt_cubed(x):
            f = lambda y: y ** 2 - x ** 3
            return lib.lax.custom_root(f, 1.0, _binary_search(lib, jnp),
                                       lambda g, y: y / g(1.0))
        xs = jnp.array([1., 2., 3.])
        return (sqrt_cubed(5.), lib.grad(sqrt_cubed)(5.), lib.grad(lib.grad(sqrt_cubed))(5.),
                lib.jvp(sqrt_cubed, (5.,), (1.,)), lib.jit(lib.grad(sqrt_cubed))(5.),
                lib.vmap(lib.grad(sqrt_cubed))(xs))
    ours = both(scenario)
    np.testing.assert_allclose(ours[1], 1.5 * np.sqrt(5.), rtol=1e-6)   # d/dx x^(3/2)


def _inv2(jnp, m):
    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    return jnp.array([[m[1, 1], -m[0, 1]], [-m[1, 0], m[0, 0]]]) / det


def test_custom_linear_solve():
    def scenario(lib, jnp):
        def lin(A, b):
            return lib.lax.custom_linear_solve(lambda x: A @ x, b,
                                               lambda mv, b: _inv2(jnp, A) @ b,
                                               lambda vm, b: _inv2(jnp, A.T) @ b)

        def lin_sym(b):
            S = jnp.array([[2., 1.], [1., 3.]])
            return lib.lax.custom_linear_solve(lambda x: S @ x, b,
                                               lambda mv, b: _inv2(jnp, S) @ b, symmetric=True)
        A, b = jnp.array([[4., 1.], [2., 3.]]), jnp.array([1., 2.])
        return (lin(A, b), lib.jacfwd(lin, (0, 1))(A, b), lib.jacrev(lin, (0, 1))(A, b),
                lib.vmap(lin, (None, 0))(A, jnp.stack([b, 2 * b])),
                lib.jit(lib.grad(lambda A, b: lin(A, b).sum(), (0, 1)))(A, b),
                lib.grad(lambda b: lib.grad(lambda b: (lin(A, b) ** 3).sum())(b).sum())(b),
                lib.jacrev(lin_sym)(b))
    both(scenario)


def test_custom_linear_solve_needs_transpose_solve_for_reverse_mode():
    A = mjnp.array([[4., 1.], [2., 3.]])
    f = lambda b: minijax.lax.custom_linear_solve(lambda x: A @ x, b,
                                                  lambda mv, b: _inv2(mjnp, A) @ b)
    minijax.jacfwd(f)(mjnp.ones(2))   # forward mode needs no transpose
    with pytest.raises(TypeError, match="transpose_solve required"):
        minijax.jacrev(f)(mjnp.ones(2))


def test_while_loop_error_points_to_implicit_differentiation():
    def loop(x):
        return minijax.lax.while_loop(lambda c: c < 10., lambda c: c * x, 1.)
    with pytest.raises(minijax.errors.UnsupportedWhileLoopDifferentiation,
                       match="custom_root.*custom_linear_solve.*custom_vjp"):
        minijax.grad(loop)(2.)


def test_integer_argument_under_vmap_and_grad():
    def scenario(lib, jnp):
        @lib.custom_vjp
        def f(x, n):
            return x * n
        f.defvjp(lambda x, n: (x * n, n), lambda n, g: (g * n, None))
        xs, ns = jnp.arange(3.), jnp.arange(3)
        return (lib.vmap(lib.grad(f))(xs, ns),
                lib.grad(lambda x: lib.vmap(f, (0, None))(x, 3).sum())(xs),
                lib.grad(lambda x: lib.vmap(f)(x, ns).sum())(xs))
    both(scenario)


def test_custom_rules_inside_scan_and_cond():
    def scenario(lib, jnp):
        clip = lib.custom_vjp(lambda x: x)
        clip.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -0.5, 0.5),))

        @lib.custom_jvp
        def softr(x):
            return jnp.log1p(jnp.exp(x))
        softr.defjvps(lambda t, ans, x: t / (1 + jnp.exp(-x)))

        def loop(x):
            def step(c, xi):
                c = jnp.sin(clip(c * xi)) + softr(c)
                return c, c
            return lib.lax.scan(step, x, jnp.arange(1., 4.))[0]

        def branch(x):
            return lib.lax.cond(x > 0, lambda v: clip(v * 3.) ** 2, lambda v: softr(v), x)
        out = [lib.jacfwd(lambda x: lib.lax.scan(lambda c, xi: (softr(c * xi), c), x,
                                                 jnp.arange(1., 3.))[0])(0.3)]
        for fn in (loop, branch):
            out += [lib.grad(fn)(0.7), lib.jit(lib.grad(fn))(0.7),
                    lib.vmap(lib.grad(fn))(jnp.array([0.3, -0.4])), lib.grad(lib.grad(fn))(0.7)]
        return out
    both(scenario)
