"""``debug.print`` and ``debug.callback`` print what JAX's print, where JAX's do.

Each scenario runs the same code with ``jax`` and with ``minijax`` and
compares everything written to stdout: eagerly, under ``jit`` (at run time,
through XLA's host callback), ``vmap`` (once per element), ``grad``/``jvp``/
``linearize`` (primal values), control flow, and combinations.
"""
import numpy as np
import pytest

import jax
import jax.numpy as jnp

import minijax
import minijax.numpy as mnp

LIBS = ((jax, jnp), (minijax, mnp))


def _f(lib, np_mod):
    def f(x, y):
        lib.debug.print("x={} y={y}", x, y=y)
        lib.debug.print("sum {s:.3f} and {d}", s=x.sum(), d={"a": y})
        return np_mod.sin(x) * y
    return f


def _w(lib):
    def w(x):
        lib.debug.print("w {}", x)
        return x + 1
    return w


def _body(lib):
    def body(c, x):
        lib.debug.print("c={} x={}", c, x)
        return c * x, c
    return body


SCENARIOS = {
    "eager": lambda lib, m: _f(lib, m)(m.arange(3.0), 2.0),
    "jit": lambda lib, m: lib.jit(_f(lib, m))(m.arange(3.0), 2.0),
    "vmap": lambda lib, m: lib.vmap(_f(lib, m))(m.arange(6.0).reshape(2, 3),
                                                m.array([1.0, 2.0])),
    "vmap_in_axes_1_under_jit": lambda lib, m: lib.jit(lib.vmap(
        lambda x: lib.debug.print("{}", x), in_axes=1))(m.arange(6.0).reshape(2, 3)),
    "grad": lambda lib, m: lib.grad(lambda x: _f(lib, m)(x, 2.0).sum())(m.arange(3.0)),
    "jit_of_grad": lambda lib, m: lib.jit(lib.grad(lambda x: _f(lib, m)(x, 2.0).sum()))(
        m.arange(3.0)),
    "vmap_of_jit": lambda lib, m: lib.vmap(lib.jit(_f(lib, m)))(
        m.arange(6.0).reshape(2, 3), m.array([1.0, 2.0])),
    "jvp": lambda lib, m: lib.jvp(lambda x: _w(lib)(x) * 2, (1.0,), (1.0,)),
    "linearize": lambda lib, m: lib.linearize(lambda x: m.sin(_w(lib)(x)), 1.0)[1](1.0),
    "hessian": lambda lib, m: lib.hessian(lambda x: m.sum(_w(lib)(x) ** 3))(m.ones(2)),
    "grad_of_scan": lambda lib, m: lib.grad(
        lambda c: lib.lax.scan(_body(lib), c, m.arange(1.0, 4.0))[0])(2.0),
    "jit_grad_of_scan": lambda lib, m: lib.jit(lib.grad(
        lambda c: lib.lax.scan(_body(lib), c, m.arange(1.0, 4.0))[0]))(2.0),
    "while": lambda lib, m: lib.lax.while_loop(lambda x: x < 3, _w(lib), 0),
    "jit_while": lambda lib, m: lib.jit(
        lambda x: lib.lax.while_loop(lambda x: x < 3, _w(lib), x))(0),
    "jit_cond": lambda lib, m: lib.jit(lambda x: lib.lax.cond(
        x > 0, lambda x: _w(lib)(x), lambda x: x, x))(1.0),
    "jit_fori": lambda lib, m: lib.jit(lambda c: lib.lax.fori_loop(
        0, 3, lambda i, c: _body(lib)(c, i * 1.0)[0] + 1, c))(1.0),
    "no_operands_jit": lambda lib, m: lib.jit(lambda: lib.debug.print("no operands"))(),
    "dtypes": lambda lib, m: lib.debug.print(
        "complex {} bool {} int8 {}", m.array([1 + 2j]), m.array([True, False]), m.int8(5)),
    "dtypes_jit": lambda lib, m: lib.jit(lambda a, b, c: lib.debug.print(
        "complex {} bool {} int8 {}", a, b, c))(m.array([1 + 2j]), m.array([True, False]),
                                                m.int8(5)),
    "pytrees_and_statics_jit": lambda lib, m: lib.jit(lambda x: lib.debug.print(
        "tuple {} dict {d} str {s}", (x, 2), d={"k": x}, s="static"))(m.int32(3)),
    "python_values": lambda lib, m: lib.debug.print("{} {} {}", m.int32(3), 1, True),
    "two_call_form": lambda lib, m: lib.debug.print()("two {}", m.ones(2)),
    "no_placeholders": lambda lib, m: lib.debug.print("values:", m.ones(2), 3,
                                                      skip_format_check=True),
    "large_array": lambda lib, m: lib.jit(lambda x: lib.debug.print("big {}", x))(
        m.ones((300, 300))),
}


def _stdout_of(scenario, lib, np_mod, capsys):
    capsys.readouterr()
    scenario(lib, np_mod)
    return capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_prints_what_jax_prints(name, capsys):
    theirs = _stdout_of(SCENARIOS[name], jax, jnp, capsys)
    ours = _stdout_of(SCENARIOS[name], minijax, mnp, capsys)
    assert ours == theirs


def test_vmap_of_scan_prints_each_element_each_step(capsys):
    """JAX's calls are unordered inside a compiled loop (it prints the batch
    elements of a step in either order); minijax prints them in order. The
    lines, step by step, are the same."""
    def run(lib, m):
        lib.vmap(lambda c: lib.lax.scan(_body(lib), c, m.arange(1.0, 4.0))[0])(
            m.array([1.0, 2.0]))
    theirs = _stdout_of(run, jax, jnp, capsys).splitlines()
    ours = _stdout_of(run, minijax, mnp, capsys).splitlines()
    assert [sorted(ours[i:i + 2]) for i in range(0, 6, 2)] == \
        [sorted(theirs[i:i + 2]) for i in range(0, 6, 2)]
    assert ours[:2] == ["c=1.0 x=1.0", "c=2.0 x=1.0"]


def test_jit_prints_at_run_time_with_each_runs_values(capsys):
    traces = []

    @minijax.jit
    def f(x):
        traces.append(1)
        minijax.debug.print("x={}", x)
        return x * 2
    for i in range(3):
        f(mnp.float32(i))
    assert capsys.readouterr().out == "x=0.0\nx=1.0\nx=2.0\n"
    assert traces == [1]   # traced once: the prints come from the compiled program
    assert "xla_ffi_python_cpu_callback" in f.lower(1.0).as_text() or \
        minijax.default_backend() != "cpu"


def test_numpy_printoptions_are_those_at_the_call(capsys):
    for lib, m in LIBS:
        with np.printoptions(precision=2):
            lib.debug.print("pi {}", m.array([3.14159, 2.71828]))
            lib.jit(lambda x: lib.debug.print("e {}", x))(m.array([2.71828]))
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == out[2:] == ["pi [3.14 2.72]", "e [2.72]"]


def test_callback_gets_arrays_and_kwargs():
    for lib, m in LIBS:
        seen = []

        def cb(a, b=None):
            seen.append((repr(a), repr(b)))
        x = m.arange(3.0)
        lib.debug.callback(cb, x, b=m.float32(1))
        lib.jit(lambda x: lib.debug.callback(cb, x, b=1.0))(x)
        lib.vmap(lambda x: lib.debug.callback(cb, x))(x)
        if lib is jax:
            theirs = seen
    assert seen == theirs


def test_callback_error_surfaces():
    def raiser(x):
        raise ValueError("boom")
    with pytest.raises(ValueError, match="boom"):
        minijax.debug.callback(raiser, 1.0)
    with pytest.raises(Exception, match="boom"):   # JAX too: a jaxlib runtime error
        minijax.jit(lambda x: minijax.debug.callback(raiser, x))(1.0)


def test_bad_calls_like_jax():
    for lib, m in LIBS:
        with pytest.raises(ValueError, match="Unused positional arguments"):
            lib.debug.print("hello", m.ones(2))
        with pytest.raises(ValueError, match="Unused keyword arguments"):
            lib.debug.print("hello", x=m.ones(2))
        with pytest.raises(IndexError):
            lib.debug.print("hello {}")
        with pytest.raises(KeyError):
            lib.debug.print("{x}", 1.0)
        with pytest.raises(TypeError, match="must be callable"):
            lib.debug.callback(3)
    with pytest.raises(NotImplementedError, match="ordered"):
        minijax.debug.print("{}", 1.0, ordered=True)
    with pytest.raises(NotImplementedError, match="partitioned"):
        minijax.debug.callback(print, 1.0, partitioned=True)


def test_jaxpr_shows_the_call_and_dce_keeps_it():
    jaxpr = minijax.make_jaxpr(lambda x: minijax.debug.print("{}", x) or x * 2)(1.0)
    assert "debug_callback[callback=print] a" in str(jaxpr)
    assert "= debug_callback" not in str(jaxpr)
    from minijax.jaxpr import dce_jaxpr
    assert len(dce_jaxpr(jaxpr.jaxpr, [False]).eqns) == 1   # only the print survives
