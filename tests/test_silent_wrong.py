"""Silent wrong answers found by trying minijax as a new user would (issue 13,
section 1). Each case once gave a plausible number that differed from JAX's;
each is compared with real JAX here, eagerly and under the transformations.
"""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mjnp
from tests.helpers import check_like_jax

# ---------------------------------------------------------------------------
# Out-of-bounds indices: mode= and fill_value= of take, take_along_axis, .at[]

# In bounds, too large, negative, too negative, and the last element.
IDX = np.array([1, 7, -1, -7, 4], np.int32)
# Distinct positions even after clamping or wrapping: for .set, where a
# repeated position makes the winner (and its gradient) order-dependent.
IDX_SET = np.array([1, 7, -7, 2], np.int32)

GATHERS = {
    "take": lambda jnp, x: jnp.take(x, IDX),
    "take_fill_value": lambda jnp, x: jnp.take(x, IDX, mode="fill", fill_value=-3.),
    "take_clip": lambda jnp, x: jnp.take(x, IDX, mode="clip"),
    "take_wrap": lambda jnp, x: jnp.take(x, IDX, mode="wrap"),
    "take_axis": lambda jnp, x: jnp.take(x.reshape(1, 5), IDX.reshape(5, 1), axis=1),
    "take_along_axis": lambda jnp, x: jnp.take_along_axis(x, IDX, axis=0),
    "take_along_axis_clip": lambda jnp, x: jnp.take_along_axis(x, IDX, axis=0, mode="clip"),
    "take_along_axis_promise": lambda jnp, x: jnp.take_along_axis(
        x, IDX, axis=0, mode="promise_in_bounds"),
    "take_along_axis_fill": lambda jnp, x: jnp.take_along_axis(x, IDX, axis=0,
                                                               fill_value=-1.),
    "take_along_axis_2d": lambda jnp, x: jnp.take_along_axis(
        x.reshape(1, 5), IDX.reshape(1, 5), axis=1),
    "take_along_axis_no_wrap": lambda jnp, x: jnp.take_along_axis(
        x, IDX, axis=0, wrap_negative_indices=False),
    "getitem": lambda jnp, x: x[IDX],
    "getitem_static_int": lambda jnp, x: x[7] + x[-7],
    "get": lambda jnp, x: x.at[IDX].get(),
    "get_fill": lambda jnp, x: x.at[IDX].get(mode="fill"),
    "get_fill_value": lambda jnp, x: x.at[IDX].get(mode="fill", fill_value=-1.),
    "get_drop": lambda jnp, x: x.at[IDX].get(mode="drop"),
    "get_clip": lambda jnp, x: x.at[IDX].get(mode="clip"),
    "get_promise": lambda jnp, x: x.at[IDX].get(mode="promise_in_bounds"),
    "get_fill_static_ints": lambda jnp, x: jnp.stack(
        [x.at[7].get(mode="fill"), x.at[-7].get(mode="fill"), x.at[-2].get(mode="fill")]),
    "get_fill_2d": lambda jnp, x: x.reshape(1, 5).at[:, IDX].get(mode="fill"),
    "get_fill_no_wrap": lambda jnp, x: x.at[IDX].get(mode="fill", wrap_negative_indices=False),
}


def _x(jnp, dtype=np.float32):
    return jnp.asarray(np.arange(5).astype(dtype) + 1)


def _both(case):
    return (lambda x: case(mjnp, x)), (lambda x: case(jjnp, x))


@pytest.mark.parametrize("name", GATHERS)
def test_gather_modes_eager_and_jit(name):
    ours, theirs = _both(GATHERS[name])
    check_like_jax(ours(_x(mjnp)), theirs(_x(jjnp)))
    check_like_jax(minijax.jit(ours)(_x(mjnp)), jax.jit(theirs)(_x(jjnp)))


@pytest.mark.parametrize("name", GATHERS)
def test_gather_modes_grad_and_vmap(name):
    ours, theirs = _both(GATHERS[name])
    # Fill values carry no derivative: the gradient of a weighted sum shows
    # which element each output read (nan fills are masked out first).
    w = np.arange(1., 6. + 20)[:20]

    def loss(jnp, f):
        def fn(x):
            y = f(x).ravel()
            return jnp.sum(jnp.where(jnp.isnan(y), 0., y) * w[:y.size])
        return fn
    check_like_jax(minijax.grad(loss(mjnp, ours))(_x(mjnp)), jax.grad(loss(jjnp, theirs))(_x(jjnp)))
    xs = np.arange(10.).reshape(2, 5).astype(np.float32)
    check_like_jax(minijax.vmap(ours)(mjnp.asarray(xs)), jax.vmap(theirs)(jjnp.asarray(xs)))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_, np.float16, np.complex64])
@pytest.mark.parametrize("name", ["take", "get_fill", "take_along_axis"])
def test_default_fill_values_per_dtype(name, dtype):
    ours, theirs = _both(GATHERS[name])
    check_like_jax(ours(_x(mjnp, dtype)), theirs(_x(jjnp, dtype)))
    check_like_jax(minijax.jit(ours)(_x(mjnp, dtype)), jax.jit(theirs)(_x(jjnp, dtype)))


def test_fill_value_is_cast_to_the_array_dtype():
    ours, theirs = _both(lambda jnp, x: x.at[IDX].get(mode="fill", fill_value=2.5))
    check_like_jax(ours(_x(mjnp, np.int32)), theirs(_x(jjnp, np.int32)))


def test_batched_indices():
    idx = np.array([[1, 7], [-8, 2]], np.int32)
    for case in (lambda jnp, i: jnp.take(jnp.arange(5.), i),
                 lambda jnp, i: jnp.arange(5.).at[i].get(mode="fill", fill_value=-1.),
                 lambda jnp, i: jnp.arange(5.).at[i].set(-1., mode="clip"),
                 lambda jnp, i: jnp.arange(5.).at[i].add(10.)):
        ours, theirs = _both(case)
        check_like_jax(minijax.vmap(ours)(mjnp.asarray(idx)), jax.vmap(theirs)(jjnp.asarray(idx)))
        check_like_jax(minijax.jit(minijax.vmap(ours))(mjnp.asarray(idx)),
                       jax.jit(jax.vmap(theirs))(jjnp.asarray(idx)))


SCATTERS = {
    "set": lambda jnp, x, v: x.at[IDX_SET].set(v[:4]),
    "set_clip": lambda jnp, x, v: x.at[IDX_SET].set(v[:4], mode="clip"),
    "set_drop": lambda jnp, x, v: x.at[IDX_SET].set(v[:4], mode="drop"),
    "set_promise": lambda jnp, x, v: x.at[IDX_SET].set(v[:4], mode="promise_in_bounds"),
    "set_static_clip": lambda jnp, x, v: x.at[7].set(v[0], mode="clip").at[-9].set(
        v[1], mode="clip"),
    "set_static_drop": lambda jnp, x, v: x.at[7].set(v[0]).at[-9].set(v[1]),
    "set_2d_clip": lambda jnp, x, v: x.reshape(1, 5).at[:, IDX_SET].set(v[:4], mode="clip"),
    "set_no_wrap": lambda jnp, x, v: x.at[IDX_SET].set(v[:4], wrap_negative_indices=False),
    "set_repeated": lambda jnp, x, v: x.at[np.array([1, 1, 2, 1])].set(v[:4]),
    "add": lambda jnp, x, v: x.at[IDX].add(v),
    "add_clip": lambda jnp, x, v: x.at[IDX].add(v, mode="clip"),
    "subtract_clip": lambda jnp, x, v: x.at[IDX].subtract(v, mode="clip"),
    "multiply_clip": lambda jnp, x, v: x.at[IDX].multiply(v, mode="clip"),
    "divide_clip": lambda jnp, x, v: x.at[IDX].divide(v, mode="clip"),
    "power_clip": lambda jnp, x, v: x.at[IDX].power(v, mode="clip"),
    "min_clip": lambda jnp, x, v: x.at[IDX].min(v, mode="clip"),
    "max_clip": lambda jnp, x, v: x.at[IDX].max(v, mode="clip"),
}


def _v(jnp):
    return jnp.asarray(np.array([0.5, -2., 3., 1.5, 0.25], np.float32))


@pytest.mark.parametrize("name", SCATTERS)
def test_scatter_modes(name):
    case = SCATTERS[name]
    ours, theirs = (lambda x, v: case(mjnp, x, v)), (lambda x, v: case(jjnp, x, v))
    check_like_jax(ours(_x(mjnp), _v(mjnp)), theirs(_x(jjnp), _v(jjnp)))
    check_like_jax(minijax.jit(ours)(_x(mjnp), _v(mjnp)), jax.jit(theirs)(_x(jjnp), _v(jjnp)))
    xs, vs = np.arange(10.).reshape(2, 5) + 1, np.arange(10.).reshape(2, 5) - 3
    check_like_jax(minijax.vmap(ours)(mjnp.asarray(xs, np.float32), mjnp.asarray(vs, np.float32)),
                   jax.vmap(theirs)(jjnp.asarray(xs, np.float32), jjnp.asarray(vs, np.float32)))
    if name.startswith(("min", "max")):
        return   # ties aside, checked by test_scatter_combiners
    w = np.arange(1., 6.)

    def loss(jnp, f):
        return lambda x, v: jnp.sum(f(x, v).ravel() * w)
    # As in JAX, a scatter-multiply is differentiable in its updates only
    # with unique indices: here, in the operand only.
    argnums = 0 if name.startswith(("multiply", "divide", "power")) else (0, 1)
    check_like_jax(minijax.grad(loss(mjnp, ours), argnums)(_x(mjnp), _v(mjnp)),
                   jax.grad(loss(jjnp, theirs), argnums)(_x(jjnp), _v(jjnp)))


@pytest.mark.parametrize("index, kw", [
    (np.array([1, 1, 3], np.int32), {}),          # a repeated index applies func twice
    (IDX, {}),                                    # out of bounds: dropped
    (IDX, {"mode": "clip"}),                      # clamped: 7 applies at 4 (twice with 4)
    ((slice(1, None, 2),), {}),
])
@pytest.mark.parametrize("func", ["sin", "double"])
def test_at_apply(index, kw, func):
    """x.at[idx].apply(f): f on each named element, once per time it is named."""
    f = {"sin": lambda jnp: jnp.sin, "double": lambda jnp: (lambda v: v * 2)}[func]
    ours = lambda x: x.at[index].apply(f(mjnp), **kw)       # noqa: E731
    theirs = lambda x: x.at[index].apply(f(jjnp), **kw)     # noqa: E731
    check_like_jax(ours(_x(mjnp)), theirs(_x(jjnp)))
    check_like_jax(minijax.jit(ours)(_x(mjnp)), jax.jit(theirs)(_x(jjnp)))
    xs = np.arange(10., dtype=np.float32).reshape(2, 5)
    check_like_jax(minijax.vmap(ours)(mjnp.asarray(xs)), jax.vmap(theirs)(jjnp.asarray(xs)))


def test_at_apply_keeps_the_dtype():
    with pytest.raises(TypeError, match="keep the dtype"):
        mjnp.arange(3.).at[1].apply(lambda v: v > 0)


def test_lax_gather_and_scatter_defaults():
    """lax.gather defaults to promise_in_bounds (XLA clamps); a scatter in
    promise_in_bounds mode drops out-of-bounds updates, as XLA does."""
    def gather(lax, x):
        dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
                                        start_index_map=(0,))
        return lax.gather(x, IDX[:, None], dn, (1,))

    def scatter(lax, x):
        dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
        return lax.scatter(x, IDX_SET[:, None], -x[:4], dn, mode="promise_in_bounds")
    for f in (gather, scatter):
        check_like_jax(f(minijax.lax, _x(mjnp)), f(jax.lax, _x(jjnp)))
        check_like_jax(minijax.jit(lambda x: f(minijax.lax, x))(_x(mjnp)),
                       jax.jit(lambda x: f(jax.lax, x))(_x(jjnp)))


@pytest.mark.parametrize("call, error", [
    (lambda jnp: jnp.take(jnp.arange(5.), IDX, mode="raise"), NotImplementedError),
    (lambda jnp: jnp.take(jnp.arange(5.), IDX, mode="bogus"), ValueError),
    (lambda jnp: jnp.take(jnp.arange(5.), IDX, out=jnp.zeros(5)), NotImplementedError),
    (lambda jnp: jnp.arange(5.).at[IDX].get(mode="wrap"), ValueError),
    (lambda jnp: jnp.arange(5.).at[IDX].set(1., mode="bogus"), ValueError),
    (lambda jnp: jnp.arange(5.).at[IDX].get(mode="fill", fill_value=jnp.ones(2)), ValueError),
    (lambda jnp: jnp.take_along_axis(jnp.arange(5.), IDX.reshape(1, 5), axis=0), ValueError),
    (lambda jnp: jnp.take_along_axis(jnp.arange(5.), IDX * 1., axis=0), TypeError),
])
def test_bad_modes_raise_like_jax(call, error):
    with pytest.raises(error):
        call(jjnp)
    with pytest.raises(error):
        call(mjnp)


# ---------------------------------------------------------------------------
# No tracer attribute may shadow an Array method or property

from minijax import core, eager  # noqa: E402

ARRAY_API = sorted({n for n in dir(eager.Array) if not n.startswith("_")}
                   | {n for n in dir(jax.Array) if not n.startswith("_")})
# The one public name a tracer class defines for itself: what its value's
# type is (the same meaning as Array.aval).
TRACER_OWN_API = {"aval"}

def _shadowing_names(tracer):
    """Public Array names defined by the tracer's own classes (those below
    core.Tracer in its method resolution order)."""
    own = [c for c in type(tracer).__mro__
           if issubclass(c, core.Tracer) and c is not core.Tracer]
    return {n for c in own for n in vars(c) if n in ARRAY_API} - TRACER_OWN_API


def _transforms(jx, jnp):
    """Each transformation (and some nestings) of a function from 6 floats to
    2, written for ``jx`` = minijax or jax."""
    def stack(x):
        return jnp.stack([x, 2 * x])

    def total(f):
        return lambda x: f(x).sum()
    return {
        "jit": lambda f: jx.jit(f),
        "grad": lambda f: jx.grad(total(f)),
        "jvp": lambda f: lambda x: jx.jvp(f, (x,), (jnp.ones_like(x),))[1],
        "vjp": lambda f: lambda x: jx.vjp(f, x)[1](jnp.ones(2))[0],
        "vmap": lambda f: lambda x: jx.vmap(f)(stack(x))[1],
        "jit_of_grad": lambda f: jx.jit(jx.grad(total(f))),
        "grad_of_jit": lambda f: jx.grad(total(jx.jit(f))),
        "vmap_of_grad": lambda f: lambda x: jx.vmap(jx.grad(total(f)))(stack(x))[1],
        "grad_of_vmap": lambda f: jx.grad(lambda x: jx.vmap(f)(stack(x)).sum()),
        "jit_of_vmap": lambda f: lambda x: jx.jit(jx.vmap(f))(stack(x))[1],
        "jvp_of_vmap_of_jit": lambda f: lambda x: jx.jvp(
            lambda x: jx.vmap(jx.jit(f))(stack(x))[1], (x,), (jnp.ones_like(x),))[1],
    }


def _use_the_array_api(x):
    """Some methods and properties of a 6-element array; two numbers out.
    (The names all resolve to the Array API: checked by name in the test.)"""
    m = x.reshape(2, 3)
    assert (x.size, x.ndim, m.T.shape, m.mT.shape, m.shape) == (6, 1, (3, 2), (3, 2), (2, 3))
    return (x.var() + m.var(axis=-1) + m.std(1) + m.T.sum(0)[:2] + m.mean(-1)
            + m.take(np.array([0, 4])) + x.at[np.array([1, 2])].get() + m.real.max(1))


@pytest.mark.parametrize("transform", list(_transforms(minijax, mjnp)))
def test_no_tracer_attribute_shadows_the_array_api(transform):
    seen = []

    def f(x):
        seen.append(type(x))
        assert not _shadowing_names(x), _shadowing_names(x)
        for name in ARRAY_API:   # each name the tracer has comes from the Array API
            if hasattr(core.ArrayMethods, name) or hasattr(core.Tracer, name):
                owner = next(c for c in type(x).__mro__ if name in vars(c))
                assert owner in (core.ArrayMethods, core.TracerConversions, core.Tracer) \
                    or name in TRACER_OWN_API, (name, owner)
        return _use_the_array_api(x)

    x = np.linspace(0.1, 1.2, 6).astype(np.float32)
    ours = _transforms(minijax, mjnp)[transform](f)(mjnp.asarray(x))
    theirs = _transforms(jax, jjnp)[transform](_use_the_array_api)(jjnp.asarray(x))
    check_like_jax(ours, theirs, rtol=2e-5, atol=2e-5)
    assert any(issubclass(t, core.Tracer) for t in seen)


def test_tracer_var_method_under_jit():
    ours = minijax.jit(lambda x: x.var(axis=-1))(mjnp.ones(3))
    check_like_jax(ours, jax.jit(lambda x: x.var(axis=-1))(jjnp.ones(3)))


# ---------------------------------------------------------------------------
# where= in reductions (var and std once ignored it), ddof >= N

MASK = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 0]], bool)
REDUCTIONS = {
    "var_issue": lambda jnp, x: jnp.var(jnp.arange(4.), where=np.array([1, 0, 1, 0], bool)),
    "std_issue": lambda jnp, x: jnp.std(jnp.arange(4.), where=np.array([1, 0, 1, 0], bool)),
    "var_axis": lambda jnp, x: jnp.var(x, axis=1, where=MASK),
    "var_keepdims": lambda jnp, x: jnp.var(x, axis=1, where=MASK, keepdims=True),
    "std_ddof": lambda jnp, x: jnp.std(x, axis=0, where=MASK, ddof=1),
    "var_all": lambda jnp, x: jnp.var(x, where=MASK),
    "var_broadcast_mask": lambda jnp, x: jnp.var(x, axis=1, where=MASK[0]),
    "var_ddof_too_large": lambda jnp, x: jnp.var(x, axis=1, ddof=5),
    "var_correction": lambda jnp, x: jnp.var(x, axis=0, correction=1.5),
    "var_complex": lambda jnp, x: jnp.var(x * (1 + 2j), axis=1, where=MASK),
    "var_int": lambda jnp, x: jnp.var(x.astype(np.int8), axis=1, where=MASK),
    "mean": lambda jnp, x: jnp.mean(x, axis=1, where=MASK),
    "sum": lambda jnp, x: jnp.sum(x, axis=1, where=MASK),
    "prod": lambda jnp, x: jnp.prod(x, axis=1, where=MASK),
    "max": lambda jnp, x: jnp.max(x, axis=1, where=MASK, initial=3.),
    "min": lambda jnp, x: jnp.min(x, axis=0, where=MASK, initial=30.),
    "all": lambda jnp, x: jnp.all(x > 3, axis=1, where=MASK),
    "any": lambda jnp, x: jnp.any(x > 3, axis=1, where=MASK),
}


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_with_where(name):
    case = REDUCTIONS[name]
    x = (np.arange(12.).reshape(3, 4) ** 1.5).astype(np.float32)
    ours, theirs = (lambda x: case(mjnp, x)), (lambda x: case(jjnp, x))
    check_like_jax(ours(mjnp.asarray(x)), theirs(jjnp.asarray(x)))
    check_like_jax(minijax.jit(ours)(mjnp.asarray(x)), jax.jit(theirs)(jjnp.asarray(x)))
    if name.startswith(("var", "std", "mean", "sum")) and name not in ("var_int", "var_complex"):
        # The gradient of the sum, nan entries (empty selections) left out.
        g_ours = minijax.grad(lambda x: mjnp.sum(mjnp.where(mjnp.isnan(ours(x)), 0., ours(x))))
        g_theirs = jax.grad(lambda x: jjnp.sum(jjnp.where(jjnp.isnan(theirs(x)), 0., theirs(x))))
        check_like_jax(g_ours(mjnp.asarray(x)), g_theirs(jjnp.asarray(x)), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("call, error", [
    (lambda jnp: jnp.var(jnp.arange(4.), where=np.array([1, 0, 1, 0])), ValueError),
    (lambda jnp: jnp.var(jnp.arange(4.), ddof=1, correction=1), ValueError),
    (lambda jnp: jnp.max(jnp.arange(4.), where=np.array([1, 0, 1, 0], bool)), ValueError),
    (lambda jnp: jnp.sum(jnp.arange(4.), out=jnp.zeros(())), NotImplementedError),
    (lambda jnp: jnp.var(jnp.arange(4.), out=jnp.zeros(())), NotImplementedError),
])
def test_reduction_misuse_raises_like_jax(call, error):
    with pytest.raises(error):
        call(jjnp)
    with pytest.raises(error):
        call(mjnp)


# ---------------------------------------------------------------------------
# order= of ravel and reshape (once ignored by ravel)

ORDERS = {
    "ravel_issue": lambda jnp, a: jnp.ravel(jnp.arange(6).reshape(2, 3), order="F"),
    "ravel_f": lambda jnp, a: jnp.ravel(a, order="F"),
    "reshape_f": lambda jnp, a: jnp.reshape(a, (4, -1), order="F"),
    "reshape_method_f": lambda jnp, a: a.reshape(-1, 4, order="F"),
    "ravel_method_f": lambda jnp, a: a.ravel(order="F"),
    "flatten_f": lambda jnp, a: a.flatten("F"),
    "reshape_c": lambda jnp, a: jnp.reshape(a, (4, -1), order="C"),
}


@pytest.mark.parametrize("name", ORDERS)
def test_reshape_order(name):
    case = ORDERS[name]
    a = np.arange(24.).reshape(2, 3, 4).astype(np.float32)
    ours, theirs = (lambda a: case(mjnp, a)), (lambda a: case(jjnp, a))
    check_like_jax(ours(mjnp.asarray(a)), theirs(jjnp.asarray(a)))
    check_like_jax(minijax.jit(ours)(mjnp.asarray(a)), jax.jit(theirs)(jjnp.asarray(a)))
    check_like_jax(minijax.vmap(ours)(mjnp.asarray(a)), jax.vmap(theirs)(jjnp.asarray(a)))
    w = np.arange(24.).astype(np.float32)   # a weighted sum: its gradient shows the order

    def loss(jnp, f):
        return lambda a: jnp.sum(f(a).ravel() * w[:f(a).size])
    check_like_jax(minijax.grad(loss(mjnp, ours))(mjnp.asarray(a)),
                   jax.grad(loss(jjnp, theirs))(jjnp.asarray(a)))


@pytest.mark.parametrize("call, error", [
    (lambda jnp: jnp.reshape(jnp.arange(6), (2, 3), order="A"), NotImplementedError),
    (lambda jnp: jnp.ravel(jnp.arange(6), order="K"), NotImplementedError),
    (lambda jnp: jnp.reshape(jnp.arange(6), (2, 3), order="X"), ValueError),
])
def test_bad_orders_raise_like_jax(call, error):
    with pytest.raises(error):
        call(jjnp)
    with pytest.raises(error):
        call(mjnp)


# ---------------------------------------------------------------------------
# Python ints that do not fit: OverflowError, not a wrapped value

@pytest.mark.parametrize("call", [
    lambda jnp, jx: jnp.array(2**40),
    lambda jnp, jx: jnp.asarray(-2**31 - 1),
    lambda jnp, jx: jnp.array([1, 2**40]),
    lambda jnp, jx: jnp.array(300, dtype=jnp.uint8),
    lambda jnp, jx: jnp.array(-1, dtype=jnp.uint32),
    lambda jnp, jx: jnp.arange(3) + 2**32,
    lambda jnp, jx: jnp.arange(3.) + 2**40,
    lambda jnp, jx: 2**40 * jnp.arange(3),
    lambda jnp, jx: jnp.arange(3) < 2**40,
    lambda jnp, jx: jnp.where(True, jnp.arange(3), 2**40),
    lambda jnp, jx: jx.lax.add(jnp.arange(3), 2**40),
    lambda jnp, jx: jx.jit(lambda x: x + 1)(2**40),
    lambda jnp, jx: jx.jit(lambda x: x + 2**40)(jnp.arange(3)),
    lambda jnp, jx: jx.grad(lambda x: x * 2**40)(1.),
    lambda jnp, jx: jx.vmap(lambda x: x + 2**40)(jnp.arange(3)),
])
def test_python_int_overflow_raises(call):
    with pytest.raises(OverflowError):
        call(jjnp, jax)
    with pytest.raises(OverflowError, match="too large|out of bounds"):
        call(mjnp, minijax)


def test_python_ints_that_fit_still_work():
    for call in (lambda jnp: jnp.array(2**31 - 1), lambda jnp: jnp.array(-2**31),
                 lambda jnp: jnp.array(2**31, dtype=jnp.uint32),
                 lambda jnp: jnp.arange(3, dtype=jnp.uint8) + 300,   # wraps in JAX too
                 lambda jnp: jnp.array([1, 2**40], dtype=jnp.float32),
                 lambda jnp: jnp.arange(3) ** 2**40):
        check_like_jax(call(mjnp), call(jjnp))


def test_python_int_overflow_with_x64():
    from tests.helpers import x64
    with x64():
        check_like_jax(mjnp.array(2**40), jjnp.array(2**40))
        check_like_jax(mjnp.arange(3) + 2**40, jjnp.arange(3) + 2**40)
        with pytest.raises(OverflowError):
            jjnp.array(2**63)
        with pytest.raises(OverflowError):
            mjnp.array(2**63)


# ---------------------------------------------------------------------------
# Integer // and % by zero: XLA's semantics, as in JAX

DIVISIONS = {
    "floor_divide": lambda jnp, a, b: a // b,
    "remainder": lambda jnp, a, b: a % b,
    "fmod": lambda jnp, a, b: jnp.fmod(a, b),
    "divmod": lambda jnp, a, b: jnp.divmod(a, b),
    "python_zero": lambda jnp, a, b: (a // 0, a % 0),
}


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint32, np.bool_, np.float32])
@pytest.mark.parametrize("name", DIVISIONS)
def test_division_by_zero(name, dtype):
    case = DIVISIONS[name]
    a = np.array([7, -7, 0, 5, -128, 127]).astype(dtype)
    b = np.array([0, 0, 0, 2, -1, -3]).astype(dtype)
    if dtype == np.bool_ and name != "python_zero":
        a, b = np.array([True, False, True]), np.array([False, False, True])
    ours, theirs = (lambda a, b: case(mjnp, a, b)), (lambda a, b: case(jjnp, a, b))
    a_m, b_m, a_j, b_j = mjnp.asarray(a), mjnp.asarray(b), jjnp.asarray(a), jjnp.asarray(b)
    check_like_jax(ours(a_m, b_m), theirs(a_j, b_j))
    check_like_jax(minijax.jit(ours)(a_m, b_m), jax.jit(theirs)(a_j, b_j))
    check_like_jax(minijax.vmap(ours)(a_m, b_m), jax.vmap(theirs)(a_j, b_j))


def test_integer_power_with_array_exponents_like_jax():
    """Integer x ** y with an array y: JAX squares and multiplies over the
    low six bits of y, so 2 ** -1 is 0 (2 ** 63 overflows), 2 ** 70 is 64
    and 0 ** -1 is 0; minijax once gave 2 ** -1 == 2."""
    x = np.int32([2, -7, 3, 1, -1, 0, 0, 3, 2, 5])
    y = np.int32([-1, -1, -2, -5, -3, -1, 0, 100, 70, 3])
    for dtype in (np.int32, np.int8, np.uint8):
        a, b = x.astype(dtype), np.abs(y).astype(dtype) if dtype == np.uint8 else y.astype(dtype)
        check_like_jax(mjnp.power(a, b), jjnp.power(a, b), rtol=0, atol=0)
        check_like_jax(minijax.jit(mjnp.power)(a, b), jax.jit(jjnp.power)(a, b), rtol=0, atol=0)
