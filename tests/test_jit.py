"""jit as a user sees it: the compile cache, static arguments, pytrees, device
arrays, ``lower``, and jit composed with every other transformation.

Values are compared with real JAX (``check_like_jax`` checks dtypes and weak
types too). Cache behaviour is read from ``JitFunction.cache_misses``, the
number of times the function was traced.
"""
import functools

import jax
import numpy as np
import pytest

import minijax
from minijax.compiling import JitFunction

from helpers import check_like_jax, x64

X = np.array([0.5, -1.25, 2.0], np.float32)
A = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]], np.float32)


def counting(fun, **kw):
    """``jit(fun)`` and a list recording every trace of ``fun``."""
    traces = []

    def traced(*args, **kwargs):
        traces.append(1)
        return fun(*args, **kwargs)
    functools.update_wrapper(traced, fun)
    return minijax.jit(traced, **kw), traces


# ---------------------------------------------------------------------------
# The compile cache


def test_same_signature_does_not_retrace():
    f = minijax.jit(lambda x, y: x * y + 1)
    f(X, X)
    assert f.cache_misses == 1
    for _ in range(3):
        f(X * 2, X)                       # new values, same shapes and types
        f(minijax.numpy.asarray(X), X)    # an Array instead of a numpy array
    assert f.cache_misses == 1


@pytest.mark.parametrize("change", [
    "shape", "dtype", "weak_type", "pytree_structure", "pytree_keys", "x64"])
def test_new_signature_retraces(change):
    f, traces = counting(lambda tree: minijax.tree_util.tree_map(lambda v: v * 2, tree))
    base = {"a": np.float32(1.0), "b": [X]}
    other = {
        "shape": {"a": np.float32(1.0), "b": [A]},
        "dtype": {"a": np.float32(1.0), "b": [X.astype(np.int32)]},
        "weak_type": {"a": 1.0, "b": [X]},           # a Python float is weakly typed
        "pytree_structure": {"a": np.float32(1.0), "b": (X,)},
        "pytree_keys": {"a": np.float32(1.0), "c": [X]},
        "x64": base,
    }[change]
    f(base)
    f(base)
    assert f.cache_misses == 1 and len(traces) == 1
    if change == "x64":
        with x64():
            out = f(other)
    else:
        out = f(other)
    assert f.cache_misses == 2 and len(traces) == 2
    f(other)   # now cached too
    assert f.cache_misses == 2
    check_like_jax(out, jax.jit(lambda t: jax.tree_util.tree_map(lambda v: v * 2, t))(other))


def test_weak_and_strong_scalars_give_jax_types():
    f = minijax.jit(lambda x, y: x * y)
    for args in [(1.0, 2), (np.float32(1.0), 2), (1.0, np.int32(2)), (X, 2.0)]:
        check_like_jax(f(*args), jax.jit(lambda x, y: x * y)(*args))
    assert f.cache_misses == 4


def test_cache_is_bounded_lru():
    f = JitFunction(lambda t: minijax.tree_util.tree_map(lambda v: v + 1, t), cache_size=4)
    for n in range(1, 30):   # many shapes, positional arrays (the fast path)...
        f(np.zeros(n, np.float32))
        assert len(f._cache) <= 4
    for n in range(1, 10):   # ... and pytrees (the general path)
        f({"x": np.zeros(n, np.float32)})
        assert len(f._cache) <= 4
    assert f.cache_misses == 29 + 9


def test_cache_keeps_the_most_recently_used():
    f = JitFunction(lambda x: x + 1, cache_size=4)
    hot = np.zeros(1, np.float32)
    f(hot)
    for n in range(2, 20):
        f(np.zeros(n, np.float32))
        f(hot)   # used again: stays cached
    misses = f.cache_misses
    f(hot)
    assert f.cache_misses == misses
    f(np.zeros(2, np.float32))   # long since evicted: traced again
    assert f.cache_misses == misses + 1
    np.testing.assert_array_equal(f(np.zeros(2, np.float32)), np.ones(2))


def test_clear_cache():
    f = minijax.jit(lambda x: x + 1)
    f(X)
    f.clear_cache()
    f(X)
    assert f.cache_misses == 2


# ---------------------------------------------------------------------------
# Static arguments, keyword arguments, pytrees


def _scaled(x, n, *, scale=1.0, mode="mul"):
    return x * n * scale if mode == "mul" else x - n


def test_static_argnums():
    f, traces = counting(_scaled, static_argnums=1)
    g = jax.jit(_scaled, static_argnums=1)
    check_like_jax(f(X, 2), g(X, 2))
    check_like_jax(f(X, 2), g(X, 2))
    assert f.cache_misses == 1
    check_like_jax(f(X, 3), g(X, 3))           # new static value: retrace
    assert f.cache_misses == 2
    check_like_jax(f(X, -1), g(X, -1))         # negative static_argnums work too
    assert len(traces) == 3


def test_static_argnums_negative_index():
    f = minijax.jit(lambda x, n: x * n, static_argnums=-1)
    check_like_jax(f(X, 3), jax.jit(lambda x, n: x * n, static_argnums=-1)(X, 3))
    f(X, 3)
    assert f.cache_misses == 1


def test_static_argnames_by_position_and_keyword():
    f = minijax.jit(_scaled, static_argnames=("n", "mode"))
    g = jax.jit(_scaled, static_argnames=("n", "mode"))
    check_like_jax(f(X, 2), g(X, 2))            # static by name, passed by position
    check_like_jax(f(X, n=2), g(X, n=2))        # and by keyword
    check_like_jax(f(X, 2, mode="sub"), g(X, 2, mode="sub"))
    misses = f.cache_misses
    f(X, 2, mode="sub")
    assert f.cache_misses == misses


def test_static_value_in_python_control_flow():
    def f(x, mode):
        if mode == "square":   # fine: mode is a Python value while tracing
            return x * x
        return -x
    jf = minijax.jit(f, static_argnames="mode")
    check_like_jax(jf(X, mode="square"), X * X)
    check_like_jax(jf(X, mode="neg"), -X)
    assert jf.cache_misses == 2


def test_dynamic_keyword_arguments():
    f = minijax.jit(_scaled)
    g = jax.jit(_scaled)
    check_like_jax(f(X, 2.0, scale=3.0), g(X, 2.0, scale=3.0))
    check_like_jax(f(X, np.float32(2.0), scale=np.float32(5.0)),
                   g(X, np.float32(2.0), scale=np.float32(5.0)))
    check_like_jax(f(x=X, n=2.0), g(x=X, n=2.0))


def test_pytrees_in_and_out():
    def f(params, batch):
        w, b = params["w"], params["b"]
        y = batch[0] @ w + b
        return {"y": y, "stats": (y.sum(), [y.max(), None])}

    params = {"w": A.T, "b": np.float32(0.5)}
    batch = (A, np.ones(2, np.float32))
    ours = minijax.jit(f)(params, batch)
    check_like_jax(ours, jax.jit(f)(params, batch))
    assert ours["stats"][1][1] is None


def test_empty_and_constant_outputs():
    check_like_jax(minijax.jit(lambda x: ())(X), jax.jit(lambda x: ())(X))
    check_like_jax(minijax.jit(lambda x: (x, 2.0, np.int32(3)))(X),
                   jax.jit(lambda x: (x, 2.0, np.int32(3)))(X))


def test_decorator_forms():
    @minijax.jit
    def plain(x):
        return x * 2

    @functools.partial(minijax.jit, static_argnums=(1,))
    def power(x, k):
        return x ** k

    @minijax.jit(static_argnames="k")
    def power_kw(x, k):
        return x ** k

    check_like_jax(plain(X), X * 2)
    check_like_jax(power(X, 3), jax.jit(lambda x: x ** 3)(X))
    check_like_jax(power_kw(X, k=2), jax.jit(lambda x: x ** 2)(X))
    assert plain.__name__ == "plain" and "plain" in repr(plain)


class Scaler:
    def __init__(self, w):
        self.w = w

    @functools.partial(minijax.jit, static_argnums=0)
    def apply(self, x):
        return x * self.w

    def call(self, x):
        return x + self.w


def test_methods():
    s = Scaler(3.0)
    check_like_jax(s.apply(X), jax.jit(lambda x: x * 3.0)(X))
    check_like_jax(s.apply(X), X * 3)
    assert Scaler.apply.cache_misses == 1
    check_like_jax(Scaler(2.0).apply(X), X * 2)   # another instance: another static value
    assert Scaler.apply.cache_misses == 2
    check_like_jax(minijax.jit(s.call)(X), jax.jit(s.call)(X))   # a bound method


# ---------------------------------------------------------------------------
# lower, devices, device arrays


def test_lower_as_text_shows_the_stablehlo_main():
    f = minijax.jit(lambda x, i: (x @ x.T, x[0] * i.astype(np.float32)))
    i = np.arange(3, dtype=np.int32)
    lowered = f.lower(A, i)
    text = lowered.as_text()
    assert "func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<3xi32>)" in text
    assert "-> (tensor<2x2xf32>, tensor<3xf32>)" in text
    assert "stablehlo.dot_general" in text
    compiled = lowered.compile()
    check_like_jax(compiled(A, i), jax.jit(lambda x, i: (x @ x.T, x[0] * i))(A, i))


def test_compiled_takes_the_dynamic_arguments_of_its_signature():
    def f(x, n, *, scale):
        return x * n * scale

    compiled = minijax.jit(f, static_argnums=1).lower(X, 2, scale=np.float32(3)).compile()
    j_compiled = jax.jit(f, static_argnums=1).lower(X, 2, scale=np.float32(3)).compile()
    check_like_jax(compiled(X, scale=np.float32(5)), j_compiled(X, scale=np.float32(5)))
    for bad_args, bad_kwargs in [((X, 2), {"scale": np.float32(3)}),   # the static one again
                                 ((X, np.float32(3)), {}),             # keyword as positional
                                 ((A,), {"scale": np.float32(3)})]:    # another shape
        with pytest.raises(TypeError):
            j_compiled(*bad_args, **bad_kwargs)
        with pytest.raises(TypeError, match="called with"):
            compiled(*bad_args, **bad_kwargs)


def test_lower_of_x64_and_bool_types():
    with x64():
        text = minijax.jit(lambda x, b: (x * 2, ~b)).lower(np.zeros(2), np.ones(3, bool)).as_text()
    assert "%arg0: tensor<2xf64>, %arg1: tensor<3xi1>" in text


def test_devices_and_backend():
    devices = minijax.devices()
    assert len(devices) == 1
    assert minijax.default_backend() in ("cpu", "cuda", "gpu")
    assert devices[0].platform == minijax.default_backend() or (
        minijax.default_backend() in ("cuda", "gpu") and devices[0].platform in ("cuda", "gpu"))


def test_results_stay_on_the_device_until_read():
    f = minijax.jit(lambda x: x * 2)
    y = f(X)
    assert type(y) is minijax.Array
    assert y._buf is not None and y._npy is None
    assert y.shape == (3,) and y.dtype == np.float32   # metadata needs no transfer
    assert y._npy is None
    z = minijax.jit(lambda v: v + 1)(y)   # passed back in: no copy to numpy
    assert y._npy is None and z._npy is None
    assert y.block_until_ready() is y
    assert minijax.block_until_ready((y, [z])) == (y, [z])
    np.testing.assert_array_equal(np.asarray(z), X * 2 + 1)   # reading copies it, once
    assert z._npy is not None


def test_eager_operations_on_jit_results():
    y = minijax.jit(lambda x: (x * 2, x.sum()))(X)
    out = minijax.numpy.sin(y[0]) + y[1]
    check_like_jax(out, jax.numpy.sin(X * 2) + X.sum())
    assert float(y[1]) == pytest.approx(float(X.sum()))
    assert "Array(" in repr(y[0]) and str(y[0]) == str(X * 2)
    check_like_jax(y[0][1:], X[1:] * 2)


def test_device_put_arrays_are_not_copied_back():
    d = minijax.device_put({"x": X})["x"]
    assert d._buf is not None and d._npy is None
    out = minijax.jit(lambda v: v * 3)(d)
    assert d._npy is None
    np.testing.assert_array_equal(np.asarray(out), X * 3)


def test_eager_arrays_are_transferred_once():
    x = minijax.numpy.asarray(X)
    assert x._buf is None
    f = minijax.jit(lambda v: v + 1)
    f(x)
    buf = x._buf
    assert buf is not None
    f(x)
    assert x._buf is buf


# ---------------------------------------------------------------------------
# Composition: jit at every position


def loss(ns):
    """A scalar function with some structure (written once for both libraries)."""
    jnp = ns.numpy

    def f(x):
        y = jnp.sin(x) * x ** 2 + jnp.cos(x[::-1])
        return jnp.sum(jnp.tanh(y) * jnp.exp(-x)) + jnp.max(y)
    return f


def vec(ns):
    jnp = ns.numpy
    return lambda x: jnp.sin(x) * jnp.sum(x ** 2)


V = np.ones(3, np.float32) * np.float32(0.5)
XS = np.stack([X, X * 2 - 1, -X]).astype(np.float32)

COMPOSITIONS = {
    "grad(jit(f))": (lambda ns: ns.grad(ns.jit(loss(ns))), (X,)),
    "jit(grad(f))": (lambda ns: ns.jit(ns.grad(loss(ns))), (X,)),
    "vmap(jit(f))": (lambda ns: ns.vmap(ns.jit(loss(ns))), (XS,)),
    "jit(vmap(f))": (lambda ns: ns.jit(ns.vmap(loss(ns))), (XS,)),
    "vmap(jit(f), in_axes=1)": (lambda ns: ns.vmap(ns.jit(vec(ns)), in_axes=1), (XS,)),
    "jit(jit(f))": (lambda ns: ns.jit(ns.jit(loss(ns))), (X,)),
    "jvp(jit(f))": (lambda ns: lambda x: ns.jvp(ns.jit(vec(ns)), (x,), (V,)), (X,)),
    "jit(jvp(f))": (lambda ns: ns.jit(lambda x: ns.jvp(vec(ns), (x,), (V,))), (X,)),
    "hessian(jit(f))": (lambda ns: ns.hessian(ns.jit(loss(ns))), (X,)),
    "jit(hessian(f))": (lambda ns: ns.jit(ns.hessian(loss(ns))), (X,)),
    "jacfwd(jit(f))": (lambda ns: ns.jacfwd(ns.jit(vec(ns))), (X,)),
    "jacrev(jit(f))": (lambda ns: ns.jacrev(ns.jit(vec(ns))), (X,)),
    "grad(vmap(jit(f)))": (lambda ns: ns.grad(lambda xs: ns.vmap(ns.jit(loss(ns)))(xs).sum()),
                           (XS,)),
    "vmap(grad(jit(f)))": (lambda ns: ns.vmap(ns.grad(ns.jit(loss(ns)))), (XS,)),
    "jit(vmap(grad(jit(f))))": (lambda ns: ns.jit(ns.vmap(ns.grad(ns.jit(loss(ns))))), (XS,)),
    "grad(grad(jit(f)))": (lambda ns: ns.grad(ns.grad(ns.jit(lambda s: ns.numpy.sin(s) * s ** 3))),
                           (np.float32(0.7),)),
    "vjp(jit(f))": (lambda ns: lambda x: ns.vjp(ns.jit(vec(ns)), x)[1](V), (X,)),
    "linearize(jit(f))": (lambda ns: lambda x: ns.linearize(ns.jit(vec(ns)), x)[1](V), (X,)),
}


@pytest.mark.parametrize("name", list(COMPOSITIONS))
def test_composition_matches_jax(name):
    make, args = COMPOSITIONS[name]
    check_like_jax(make(minijax)(*args), make(jax)(*args), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("outer", ["grad", "vmap", "jvp"])
def test_transformed_jit_stays_compiled(outer):
    """Under grad/vmap/jvp the jit is transformed, not inlined: the staged
    program still holds a jit equation (so the derivative is compiled)."""
    f = minijax.jit(vec(minijax))
    g = {"grad": minijax.grad(lambda x: f(x).sum()), "vmap": minijax.vmap(f),
         "jvp": lambda x: minijax.jvp(f, (x,), (V,))}[outer]
    arg = XS if outer == "vmap" else X
    text = str(minijax.make_jaxpr(g)(arg))
    assert "jit[" in text


def test_grad_of_jit_compiles_the_derivative_once(monkeypatch):
    backend = minijax._xla.backend()
    compiles = []
    original = backend.compile
    monkeypatch.setattr(backend, "compile", lambda *a: compiles.append(1) or original(*a))
    f, traces = counting(loss(minijax))
    g = minijax.grad(f)
    check_like_jax(g(X), jax.grad(loss(jax))(X))
    n_compiles = len(compiles)
    assert n_compiles >= 1
    g(X * 2)
    g(X - 1)
    assert len(traces) == 1   # the primal is traced once; its derivative is memoized
    assert len(compiles) == n_compiles   # and compiled once


def _python_control_flow(ns):
    """Python if/try on concrete values: fine for vjp, whose primal is concrete."""
    jnp = ns.numpy

    def f(x):
        if x[0] > 0:
            y = jnp.sin(x) * x
        else:
            y = jnp.cos(x)
        try:
            k = int(x[1])          # concrete here
        except TypeError:
            k = 1
        for _ in range(abs(k) + 1):
            y = y * 1.5 + x
        return y
    return f


@pytest.mark.parametrize("x", [X, -X])
def test_jit_of_vjp_fun_of_python_control_flow(x):
    ct = np.array([1.0, -2.0, 0.5], np.float32)
    out, vjp_fun = minijax.vjp(_python_control_flow(minijax), x)
    j_out, j_vjp_fun = jax.vjp(_python_control_flow(jax), x)
    check_like_jax(out, j_out)
    jitted = minijax.jit(vjp_fun)
    check_like_jax(jitted(ct), jax.jit(j_vjp_fun)(ct))
    check_like_jax(jitted(ct * 2), vjp_fun(ct * 2))
    assert jitted.cache_misses == 1
    assert "jit" not in str(minijax.make_jaxpr(vjp_fun)(ct)).split("let")[0]


def test_make_jaxpr_shows_a_jit_equation():
    def inner(x):
        return minijax.numpy.sin(x) * 2

    closed = minijax.make_jaxpr(lambda x: minijax.jit(inner)(x) + 1)(X)
    text = str(closed)
    assert "jit[" in text and "name=inner" in text and "sin" in text
    assert [e.primitive.name for e in closed.jaxpr.eqns] == ["jit", "add"]


# ---------------------------------------------------------------------------
# Closures over outer tracers


def test_jit_closing_over_an_outer_tracer():
    ours = minijax.grad(lambda x: minijax.jit(lambda y: x * y)(2.0))(3.0)
    check_like_jax(ours, jax.grad(lambda x: jax.jit(lambda y: x * y)(2.0))(3.0))


def test_closure_over_tracer_does_not_poison_the_cache():
    box = {}
    f = minijax.jit(lambda y: box["w"] * y)

    def outer(w):
        box["w"] = w
        return f(np.float32(2.0)) * w

    check_like_jax(minijax.grad(outer)(np.float32(3.0)), np.float32(12.0))
    check_like_jax(minijax.vmap(outer)(X), X * X * 2)
    box["w"] = np.float32(5.0)      # a concrete value now: a new trace, not a stale tracer
    check_like_jax(f(np.float32(2.0)), np.float32(10.0))
    misses = f.cache_misses
    check_like_jax(f(np.float32(3.0)), np.float32(15.0))   # and that one is cached
    assert f.cache_misses == misses


def test_jit_inside_vmap_closing_over_batched_value():
    def g(ns):
        return lambda xs: ns.vmap(lambda x: ns.jit(lambda y: ns.numpy.sin(x) * y)(x + 1))(xs)
    check_like_jax(g(minijax)(XS), g(jax)(XS))


def test_nested_jit_closing_over_outer_jit_tracer():
    def g(ns):
        def f(x):
            return ns.jit(lambda y: x * y + x)(x * 2)
        return ns.jit(f)
    check_like_jax(g(minijax)(X), g(jax)(X))


@pytest.mark.parametrize("transform", ["jvp", "vmap", "grad"])
def test_weak_types_survive_transformations_of_jit(transform):
    """Re-evaluating the jitted jaxpr (to transform it) keeps its weakly typed
    literals weak: the results are typed as JAX types them."""
    def f(ns):
        g = ns.jit(lambda c: ns.lax.mul(c, 2.0) + 1)
        return {"jvp": lambda c: ns.jvp(g, (c,), (1.0,)),
                "vmap": lambda c: ns.vmap(lambda y: g(y) * c)(np.ones(2, np.float32)),
                "grad": ns.grad(g)}[transform]
    check_like_jax(f(minijax)(1.5), f(jax)(1.5))
