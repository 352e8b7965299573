"""Top-level API beyond the transformations, and the config options, against JAX:
``jacobian``, ``linear_transpose``, ``eval_shape``, ``device_get``, ``typeof``,
``named_call``, ``ensure_compile_time_eval``, ``disable_jit``, and the flags
``jax_debug_nans``, ``jax_disable_jit``, ``jax_numpy_rank_promotion``,
``jax_platforms`` / ``jax_platform_name``.
"""
import json
import os
import subprocess
import sys
import warnings

import jax
import jax.numpy as jnp
import numpy as np

import pytest

import minijax
import minijax.numpy as mnp


@pytest.fixture(autouse=True)
def _reset_flags():
    """Each test leaves every flag as it found it, in both libraries."""
    yield
    for lib in (jax, minijax):
        lib.config.update("jax_debug_nans", False)
        lib.config.update("jax_disable_jit", False)
        lib.config.update("jax_numpy_rank_promotion", "allow")


# ---------------------------------------------------------------------------
# jacobian, linear_transpose


def test_jacobian_is_jacrev():
    f = lambda x, y: {"a": mnp.sin(x) * y, "b": x @ x}   # noqa: E731
    g = lambda x, y: {"a": jnp.sin(x) * y, "b": x @ x}   # noqa: E731
    x, y = np.arange(3.0, dtype=np.float32), np.float32(2.0)
    ours = minijax.jacobian(f, argnums=(0, 1))(x, y)
    theirs = jax.jacobian(g, argnums=(0, 1))(x, y)
    for o, t in zip(minijax.tree.leaves(ours), jax.tree.leaves(theirs)):
        np.testing.assert_allclose(o, t, rtol=1e-6)


def _lt_cases(np_mod):
    return [
        (lambda x, y: (2 * x + y.sum(), {"a": x}), (1.0, np_mod.ones(3)), (1.0, {"a": 2.0})),
        (lambda x: x, (1.0,), 1.0),
        (lambda x, y: x, (1.0, 2.0), 3.0),
        (lambda m: m.T @ np_mod.arange(6.0).reshape(2, 3), (np_mod.ones((2, 4)),),
         np_mod.ones((4, 3))),
        (lambda x: (x, 2.0), (1.0,), (1.0, 1.0)),
        (lambda x: x[1:] - x[:-1], (np_mod.arange(4.0),), np_mod.arange(3.0)),
    ]


@pytest.mark.parametrize("i", range(6))
def test_linear_transpose_like_jax(i):
    fun, primals, ct = _lt_cases(mnp)[i]
    j_fun, j_primals, j_ct = _lt_cases(jnp)[i]
    ours = minijax.linear_transpose(fun, *primals)(ct)
    theirs = jax.linear_transpose(j_fun, *j_primals)(j_ct)
    assert minijax.tree.structure(ours) == minijax.tree.structure(theirs)
    for o, t in zip(minijax.tree.leaves(ours), jax.tree.leaves(theirs)):
        np.testing.assert_allclose(o, t)
        assert mnp.asarray(o).dtype == jnp.asarray(t).dtype   # JAX may hand back a Python float


def test_linear_transpose_matches_vjp_and_runs_under_jit():
    A = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    f = lambda x: mnp.dot(A, x)   # noqa: E731
    t = minijax.linear_transpose(f, mnp.ones(3))
    w = np.array([1.0, -2.0], np.float32)
    (ours,) = t(w)
    np.testing.assert_allclose(ours, A.T @ w)
    np.testing.assert_allclose(minijax.jit(t)(w)[0], A.T @ w)
    np.testing.assert_allclose(minijax.vjp(f, mnp.ones(3))[1](w)[0], ours)


def test_linear_transpose_errors():
    for lib, np_mod in ((jax, jnp), (minijax, mnp)):
        with pytest.raises(NotImplementedError):        # sin is not linear
            lib.linear_transpose(np_mod.sin, 1.0)(1.0)
        t = lib.linear_transpose(lambda x: x, 1.0)
        with pytest.raises(TypeError, match="cotangent type does not match"):
            t(np_mod.ones(2))
        with pytest.raises(TypeError, match="cotangent tree does not match"):
            t((1.0,))
        with pytest.raises(TypeError, match="only supports"):
            lib.linear_transpose(lambda x: x.astype(int), 1.0)
    with pytest.raises(NotImplementedError):          # x * x: not linear
        minijax.linear_transpose(lambda x: x * x, 1.0)(1.0)


# ---------------------------------------------------------------------------
# eval_shape, typeof, device_get, named_call


def test_eval_shape_like_jax_and_without_flops():
    def f(np_mod, x, y):
        return {"s": x @ y, "t": (x.sum(), 1.0), "u": np_mod.zeros(3, np_mod.int8)}
    ours = minijax.eval_shape(lambda x, y: f(mnp, x, y), mnp.ones((2, 3)),
                              minijax.ShapeDtypeStruct((3, 4), np.float32))
    theirs = jax.eval_shape(lambda x, y: f(jnp, x, y), jnp.ones((2, 3)),
                            jax.ShapeDtypeStruct((3, 4), jnp.float32))
    assert repr(ours) == repr(theirs)
    calls = []
    # A primitive implementation would be the place a FLOP happens: none is run.
    from minijax.lax import elementwise
    original = elementwise.sin_p.impl
    elementwise.sin_p.impl = lambda *a, **k: calls.append(1) or original(*a, **k)
    try:
        minijax.eval_shape(mnp.sin, minijax.ShapeDtypeStruct((1000,), np.float32))
    finally:
        elementwise.sin_p.impl = original
    assert calls == []
    with pytest.raises(TypeError):
        minijax.eval_shape(lambda s: s, "not an array")


def test_typeof_prints_like_jax():
    for make in (lambda m: m.ones(3), lambda m: m.ones((2, 3), m.int8), lambda m: 1.0,
                 lambda m: np.ones(2), lambda m: m.array(1, m.uint8)):
        ours, theirs = minijax.typeof(make(mnp)), jax.typeof(make(jnp))
        assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    seen = []
    minijax.jit(lambda x: seen.append(str(minijax.typeof(x))) or x)(mnp.ones(2))
    jax.jit(lambda x: seen.append(str(jax.typeof(x))) or x)(jnp.ones(2))
    assert seen[0] == seen[1] == "float32[2]"


def test_device_get_like_jax():
    tree = lambda m: {"a": m.ones(2), "b": 1, "c": "s", "d": m.float32(2)}   # noqa: E731
    ours, theirs = minijax.device_get(tree(mnp)), jax.device_get(tree(jnp))
    assert repr(ours) == repr(theirs)
    assert type(ours["a"]) is np.ndarray


def test_named_call():
    f = minijax.named_call(lambda y: y * 2, name="double")
    assert f.__name__ == "double" and float(f(2.0)) == 4.0
    assert "jit_double" in minijax.jit(f).lower(1.0).as_text()
    assert str(minijax.make_jaxpr(f)(1.0)) == str(jax.make_jaxpr(
        jax.named_call(lambda y: y * 2, name="double"))(1.0))


# ---------------------------------------------------------------------------
# ensure_compile_time_eval, disable_jit


def _compile_time_program(lib, np_mod, out):
    @lib.jit
    def f(x):
        with lib.ensure_compile_time_eval():
            z = np_mod.sin(np_mod.sin(3.0))
            positive = z > 0
        out.append(bool(positive))   # concrete: usable in Python control flow
        return np_mod.sin(x) if positive else np_mod.cos(x)
    return f(1.0)


def test_ensure_compile_time_eval_like_jax():
    ours, theirs = [], []
    np.testing.assert_allclose(_compile_time_program(minijax, mnp, ours),
                               _compile_time_program(jax, jnp, theirs))
    assert ours == theirs == [True]
    # Outside the context the same code is staged, and `if` on it fails.
    with pytest.raises(minijax.errors.TracerBoolConversionError):
        minijax.jit(lambda x: 1.0 if mnp.sin(3.0) > 0 else 0.0)(1.0)
    # Traced values are still staged inside the context.
    jaxpr = minijax.make_jaxpr(lambda x: _traced_inside(x))(1.0)
    assert "sin" in str(jaxpr) and "cos" not in str(jaxpr)


def _traced_inside(x):
    with minijax.ensure_compile_time_eval():
        mnp.cos(1.0)            # computed now: no equation
        return mnp.sin(x)       # staged


def test_disable_jit_runs_eagerly(capsys):
    def g(lib, np_mod):
        @lib.jit
        def h(x):
            y = x * 2
            print("Value of y is", y)
            return y + 3
        with lib.disable_jit():
            print(h(np_mod.array([1, 2, 3])))
        h(np_mod.array([1, 2, 3]))
    g(minijax, mnp)
    ours = capsys.readouterr().out.splitlines()
    g(jax, jnp)
    theirs = capsys.readouterr().out.splitlines()
    assert ours[:2] == theirs[:2] == ["Value of y is [2 4 6]", "[5 7 9]"]
    assert "Tracer" in ours[2] and "Tracer" in theirs[2]   # jit is back on after the block
    minijax.config.update("jax_disable_jit", True)
    assert minijax.config.jax_disable_jit
    minijax.jit(lambda x: print("eager", x))(mnp.ones(1))
    assert capsys.readouterr().out == "eager [1.]\n"


# ---------------------------------------------------------------------------
# jax_debug_nans


# Each case as source text, run with ``lib`` (jax or minijax) and ``m`` (its numpy).
NAN_CASES = [
    "m.log(-1.0)",
    "lib.jit(lambda x: m.log(x) * 2)(-1.0)",
    "m.divide(0.0, 0.0)",
    "lib.grad(lambda x: m.sqrt(x))(-1.0)",
    "lib.grad(lib.jit(lambda x: m.log(x) * 0))(0.0)",
]

# JAX's first line for each case, computed in a fresh process: in a worker
# that has run other tests, JAX's answer depends on what its caches hold (CI
# saw jnp.log(-1.) not raise at all, and another case report jit(multiply)).
_JAX_NAN_SCRIPT = """
import json, sys
import jax, jax.numpy as m
lib = jax
jax.config.update("jax_debug_nans", True)
out = []
for case in json.loads(sys.argv[1]):
    try:
        eval(case)
        out.append(None)
    except FloatingPointError as err:
        out.append(str(err).splitlines()[0])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def jax_nan_messages():
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", _JAX_NAN_SCRIPT, json.dumps(NAN_CASES)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return dict(zip(NAN_CASES, json.loads(done.stdout.splitlines()[-1])))


@pytest.mark.parametrize("case", NAN_CASES)
def test_debug_nans_raises_where_jax_does(case, jax_nan_messages):
    """Same exception, with the same first line naming the primitive."""
    minijax.config.update("jax_debug_nans", True)
    try:
        with pytest.raises(FloatingPointError) as info:
            eval(case, {"lib": minijax, "m": mnp})
    finally:
        minijax.config.update("jax_debug_nans", False)
    assert str(info.value).splitlines()[0] == jax_nan_messages[case]


def test_debug_nans_names_the_primitive_under_jit(capsys):
    minijax.config.update("jax_debug_nans", True)
    assert minijax.config.jax_debug_nans and minijax.config.read("jax_debug_nans")
    with pytest.raises(FloatingPointError, match="encountered in log"):
        minijax.jit(lambda x: mnp.log(x) + 1)(mnp.array([1.0, -1.0]))
    assert "Calling the de-optimized version" in capsys.readouterr().out
    np.testing.assert_allclose(minijax.jit(mnp.log)(1.0), 0.0)   # no nan: no error
    minijax.config.update("jax_debug_nans", False)
    assert np.isnan(minijax.jit(mnp.log)(-1.0))
    with minijax.debug_nans(True):
        with pytest.raises(FloatingPointError):
            mnp.log(-1.0)
    assert np.isnan(mnp.log(-1.0))


# ---------------------------------------------------------------------------
# jax_numpy_rank_promotion


def test_rank_promotion_modes_like_jax():
    for lib, np_mod in ((jax, jnp), (minijax, mnp)):
        lib.config.update("jax_numpy_rank_promotion", "warn")
        with pytest.warns(UserWarning, match=r"rank promotion for add on shapes \(3,\) \(2, 3\)"):
            np_mod.ones(3) + np_mod.ones((2, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            np_mod.ones(3) + 1.0           # scalars are not rank promotion
            np_mod.ones((2, 3)) * np_mod.ones((1, 3))   # same rank
        lib.config.update("jax_numpy_rank_promotion", "raise")
        with pytest.raises(ValueError) as info:
            np_mod.multiply(np_mod.ones(3), np_mod.ones((2, 3)))
        if lib is jax:
            theirs = str(info.value)
        lib.config.update("jax_numpy_rank_promotion", "allow")
        assert np_mod.add(np_mod.ones(3), np_mod.ones((2, 3))).shape == (2, 3)
        with pytest.raises(ValueError) as bad:
            lib.config.update("jax_numpy_rank_promotion", "sometimes")
        if lib is jax:
            theirs_bad = str(bad.value)
    assert str(info.value) == theirs
    assert str(bad.value) == theirs_bad
    with minijax.numpy_rank_promotion("raise"):
        with pytest.raises(ValueError):
            minijax.jit(lambda a, b: a - b)(mnp.ones(2), mnp.ones((3, 2)))
    assert minijax.config.jax_numpy_rank_promotion == "allow"


# ---------------------------------------------------------------------------
# config: names, platforms


def test_config_reads_and_rejects_like_jax():
    for lib in (jax, minijax):
        with pytest.raises(AttributeError, match="Unrecognized config option: jax_bogus"):
            lib.config.update("jax_bogus", 1)
        assert lib.config.jax_debug_nans is False and lib.config.jax_disable_jit is False
        assert lib.config.jax_numpy_rank_promotion == "allow"
    assert minijax.config.read("jax_enable_x64") is False


def test_platform_options():
    """The device in use is the CPU here (or a GPU where one exists); asking
    for it again is fine, asking for another after the first use is refused."""
    minijax.jit(lambda x: x + 1)(1.0)   # a device client now exists
    live = minijax.config.live_platform
    minijax.config.update("jax_platform_name", "cpu" if live == "cpu" else "gpu")
    minijax.config.update("jax_platforms", live)
    other = "cuda" if live == "cpu" else "cpu"
    with pytest.raises(RuntimeError, match="before the first jit"):
        minijax.config.update("jax_platforms", other)
    minijax.config.update("jax_platforms", None)
    minijax.config.update("jax_platform_name", "")
    assert minijax.config.jax_platforms is None
    with pytest.raises(ValueError):
        minijax.config.update("jax_platforms", 3)
    assert minijax.default_backend() == live


def test_platform_chosen_before_first_use(tmp_path):
    """In a fresh process, jax_platforms='cpu' picks XLA:CPU; an unknown name
    is refused when the device is first needed."""
    import subprocess
    import sys
    code = ("import minijax; minijax.config.update('jax_platforms', {!r}); "
            "print(minijax.default_backend())")
    env = {"PYTHONPATH": str(__import__('pathlib').Path(minijax.__file__).parents[1]),
           "PATH": "/usr/bin:/bin", "JAX_PLATFORMS": ""}
    out = subprocess.run([sys.executable, "-c", code.format("cpu")], capture_output=True,
                         text=True, env=env)
    assert out.stdout.strip() == "cpu", out.stderr
    out = subprocess.run([sys.executable, "-c", code.format("tpu")], capture_output=True,
                         text=True, env=env)
    assert out.returncode != 0 and "Unknown backend 'tpu'" in out.stderr
