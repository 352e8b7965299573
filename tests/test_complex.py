"""Complex differentiation, against real JAX and against the R^2 -> R^2 picture.

The conventions (JAX's, and so minijax's): the JVP of a C -> C function is its
R^2 -> R^2 JVP read back as a complex number; the VJP applies the *conjugate*
transpose of that map, so ``grad`` of a C -> R function is the conjugate of the
steepest-ascent direction. ``holomorphic=True`` gives the complex derivative
f'(z) of a holomorphic function.
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp
from minijax.test_util import check_grads

from helpers import check_like_jax

SEEDS = range(6)


def _cookbook_check(seed):
    """The checks of JAX's Autodiff Cookbook: a random linear map u, v of
    (x, y) and random primal, tangent and cotangent."""
    rng = np.random.RandomState(seed)
    a, b, c, d = rng.uniform(size=4).astype(np.float32)
    u = lambda x, y: a * x + b * y
    v = lambda x, y: c * x + d * y

    def fun(z):
        x, y = mjnp.real(z), mjnp.imag(z)
        return u(x, y) + v(x, y) * 1j

    x, y = rng.uniform(size=2).astype(np.float32)
    z = x + y * 1j
    c_dx, c_dy = rng.uniform(size=2).astype(np.float32)
    grad = minijax.grad
    _, ans = minijax.jvp(fun, (z,), (c_dx + c_dy * 1j,))
    expected = (grad(u, 0)(x, y) * c_dx + grad(u, 1)(x, y) * c_dy
                + grad(v, 0)(x, y) * c_dx * 1j + grad(v, 1)(x, y) * c_dy * 1j)
    np.testing.assert_allclose(ans, expected, rtol=1e-6)

    c_u, c_v = rng.uniform(size=2).astype(np.float32)
    _, fun_vjp = minijax.vjp(fun, z)
    ans, = fun_vjp(c_u + c_v * 1j)
    expected = (grad(u, 0)(x, y) * c_u + grad(v, 0)(x, y) * (-c_v)
                + (grad(u, 1)(x, y) * c_u + grad(v, 1)(x, y) * (-c_v)) * -1j)
    np.testing.assert_allclose(ans, expected, rtol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_cookbook_jvp_and_vjp_conventions(seed):
    _cookbook_check(seed)


def _real_jacobian(fun, x, y):
    """The 2x2 Jacobian of (x, y) -> (Re f, Im f), by minijax's real jacfwd."""
    pair = lambda p: mjnp.stack([mjnp.real(fun(p[0] + 1j * p[1])),
                                 mjnp.imag(fun(p[0] + 1j * p[1]))])
    return np.asarray(minijax.jacfwd(pair)(mjnp.array([x, y])))


NONLINEAR = {
    "sin": lambda z: mjnp.sin(z),
    "z_conj_z": lambda z: z * mjnp.conj(z) + z ** 3,
    "abs": lambda z: mjnp.abs(z) + 0j,
    "exp_conj": lambda z: mjnp.exp(mjnp.conj(z)),
    "log": lambda z: mjnp.log(z),
}


@pytest.mark.parametrize("name", sorted(NONLINEAR))
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_jvp_is_real_jacobian_and_vjp_its_conjugate_transpose(name, seed):
    """For nonlinear maps too: jvp(t) = J [Re t, Im t], and the vjp applies the
    transpose to the conjugated cotangent and conjugates the result:
    J^T [Re w, -Im w] = [Re g, -Im g] (the cookbook's formula)."""
    fun = NONLINEAR[name]
    rng = np.random.RandomState(seed)
    x, y, tx, ty, wx, wy = rng.uniform(0.3, 1.5, size=6).astype(np.float32)
    J = _real_jacobian(fun, x, y)
    _, t_out = minijax.jvp(fun, (np.complex64(x + 1j * y),), (np.complex64(tx + 1j * ty),))
    np.testing.assert_allclose([t_out.real, t_out.imag], J @ [tx, ty], rtol=2e-5, atol=1e-6)
    _, f_vjp = minijax.vjp(fun, np.complex64(x + 1j * y))
    g, = f_vjp(np.complex64(wx + 1j * wy))
    np.testing.assert_allclose([g.real, -g.imag], J.T @ [wx, -wy], rtol=2e-5, atol=1e-6)


def test_grad_of_abs_squared_is_conjugate_of_ascent_direction():
    f = lambda z: mjnp.abs(z) ** 2
    g = minijax.grad(f)(3. + 4j)
    assert complex(g) == 6 - 8j
    check_like_jax(g, jax.grad(lambda z: jnp.abs(z) ** 2)(3. + 4j))


HOLOMORPHIC = {
    "sin": (mjnp.sin, jnp.sin),
    "exp": (mjnp.exp, jnp.exp),
    "cos": (mjnp.cos, jnp.cos),
    "log": (mjnp.log, jnp.log),
    "tanh": (mjnp.tanh, jnp.tanh),
    "sqrt": (mjnp.sqrt, jnp.sqrt),
    "poly": (lambda z: 3 * z ** 4 - 2j * z ** 2 + z - 5, lambda z: 3 * z ** 4 - 2j * z ** 2 + z - 5),
    "reciprocal": (lambda z: 1 / (z + 2), lambda z: 1 / (z + 2)),
    "conjugate": (mjnp.conjugate, jnp.conjugate),
}


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_holomorphic_grad_matches_jax(name):
    ours, theirs = HOLOMORPHIC[name]
    for z in (3. + 4j, 0.5 - 0.25j, -1.2 + 0.1j):
        check_like_jax(minijax.grad(ours, holomorphic=True)(z),
                       jax.grad(theirs, holomorphic=True)(z), rtol=2e-6, atol=1e-6)


def test_holomorphic_book_numbers():
    assert complex(minijax.grad(mjnp.sin, holomorphic=True)(3. + 4j)) == complex(
        np.complex64(-27.034946 - 3.8511534j))
    g = minijax.grad(mjnp.conjugate, holomorphic=True)(3. + 4j)
    assert complex(g) == 1 - 0j and np.signbit(np.imag(np.asarray(g)))


@pytest.mark.parametrize("name", ["sin", "exp", "poly", "conjugate"])
def test_holomorphic_jacobians_match_jax(name):
    ours, theirs = HOLOMORPHIC[name]
    z = np.array([1 + 2j, 0.5 - 1j, -0.3j], np.complex64)
    ew_ours, ew_theirs = (lambda z: ours(z) * z[::-1]), (lambda z: theirs(z) * z[::-1])
    for jac_ours, jac_theirs in ((minijax.jacfwd, jax.jacfwd), (minijax.jacrev, jax.jacrev)):
        check_like_jax(jac_ours(ew_ours, holomorphic=True)(z),
                       jac_theirs(ew_theirs, holomorphic=True)(z), rtol=2e-6, atol=2e-6)


def test_holomorphic_grad_satisfies_finite_differences():
    f = lambda z: mjnp.sin(z) * mjnp.exp(z) + z ** 3
    z = np.complex128(0.7 - 0.4j)
    g = complex(minijax.grad(f, holomorphic=True)(z))
    h = 1e-4
    for step in (h, 1j * h):   # a holomorphic derivative is the same in every direction
        fd = (complex(f(z + step)) - complex(f(z - step))) / (2 * step)
        assert abs(fd - g) < 2e-2


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_vjp_of_complex_programs_matches_jax(seed):
    rng = np.random.RandomState(seed)
    z = (rng.randn(4) + 1j * rng.randn(4)).astype(np.complex64)
    w = (rng.randn(4) + 1j * rng.randn(4)).astype(np.complex64)
    m = (rng.randn(4, 4) + 1j * rng.randn(4, 4)).astype(np.complex64)

    def program(np_):
        return lambda z: np_.tanh(m @ z) * np_.conj(z) + np_.exp(np_.real(z)) / (1 + np_.abs(z))

    y, f_vjp = minijax.vjp(program(mjnp), z)
    y_j, f_vjp_j = jax.vjp(program(jnp), z)
    check_like_jax(y, y_j, rtol=1e-5, atol=1e-5)
    check_like_jax(f_vjp(w), f_vjp_j(w), rtol=1e-5, atol=1e-5)
    check_like_jax(minijax.jvp(program(mjnp), (z,), (w,)), jax.jvp(program(jnp), (z,), (w,)),
                   rtol=1e-5, atol=1e-5)
    real_loss = lambda np_: lambda z: np_.sum(np_.abs(program(np_)(z)) ** 2)
    check_like_jax(minijax.grad(real_loss(mjnp))(z), jax.grad(real_loss(jnp))(z),
                   rtol=1e-4, atol=1e-5)
    check_like_jax(minijax.jit(minijax.grad(real_loss(mjnp)))(z), jax.grad(real_loss(jnp))(z),
                   rtol=1e-4, atol=1e-5)


def test_check_grads_on_complex_functions():
    z = np.array([0.7 - 0.4j, 1.1 + 0.3j])
    check_grads(lambda z: mjnp.sin(z) * mjnp.conj(z) + mjnp.abs(z), (z,), order=2)
    check_grads(lambda z: mjnp.sum(mjnp.real(z) * mjnp.imag(z ** 2)), (z,), order=2)


def test_errors_match_jax():
    bad = [
        (lambda g: g.grad(lambda z: z * 2)(1. + 1j), TypeError),            # complex output
        (lambda g: g.grad(lambda x: x * 2, holomorphic=True)(1.), TypeError),  # real input
        (lambda g: g.jacfwd(lambda z: z * 2)(np.ones(2, np.complex64)), TypeError),
        (lambda g: g.jacrev(lambda z: z * 2)(np.ones(2, np.complex64)), TypeError),
        (lambda g: g.jacrev(lambda x: x * 2, holomorphic=True)(np.ones(2, np.float32)),
         TypeError),
    ]
    for call, exc in bad:
        with pytest.raises(exc):
            call(jax)
        with pytest.raises(exc):
            call(minijax)


ELEMENTWISE = ["sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "log1p", "expm1",
               "sqrt", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
               "reciprocal", "square", "abs", "angle", "real", "imag", "conj", "exp2",
               "log2", "log10", "cbrt_like_power"]


def _elementwise(np_, name):
    if name == "cbrt_like_power":
        return lambda z: z ** (1 / 3) + z ** 2.5 + 2.0 ** z
    return getattr(np_, name)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_complex_elementwise_jvp_and_vjp_match_jax(name):
    """Every complex-capable elementwise function: JVP and VJP (eager and
    under jit) against JAX, at points away from branch cuts."""
    rng = np.random.RandomState(len(name))
    z = (rng.uniform(0.2, 0.8, 4) + 1j * rng.uniform(0.2, 0.8, 4)).astype(np.complex64)
    t = (rng.randn(4) + 1j * rng.randn(4)).astype(np.complex64)
    ours, theirs = _elementwise(mjnp, name), _elementwise(jnp, name)
    check_like_jax(minijax.jvp(ours, (z,), (t,)), jax.jvp(theirs, (z,), (t,)),
                   rtol=2e-5, atol=2e-6)
    y, f_vjp = minijax.vjp(ours, z)
    y_j, f_vjp_j = jax.vjp(theirs, z)
    w = t if np.iscomplexobj(y_j) else np.real(t)
    check_like_jax(f_vjp(w), f_vjp_j(w), rtol=2e-5, atol=2e-6)
    jitted = minijax.jit(lambda z, w: minijax.vjp(ours, z)[1](w))
    check_like_jax(jitted(z, w), f_vjp_j(w), rtol=2e-5, atol=2e-6)


def test_complex128_under_x64():
    from helpers import x64
    with x64():
        z = np.array([0.3 + 0.4j, -1.1 + 0.2j])
        f = lambda np_: lambda z: np_.sum(np_.abs(np_.exp(z) * np_.sin(z)) ** 2)
        g = minijax.grad(f(mjnp))(z)
        assert np.asarray(g).dtype == np.complex128
        check_like_jax(g, jax.grad(f(jnp))(z), rtol=1e-12, atol=1e-12)
        check_like_jax(minijax.grad(mjnp.sin, holomorphic=True)(z[0]),
                       jax.grad(jnp.sin, holomorphic=True)(z[0]), rtol=1e-12, atol=1e-12)
