"""minijax's state: per thread, clean after errors, bounded, and not global.

* The current interpreter is thread-local, as in JAX: grad, vmap and jit used
  from 8 threads at once give the results they give one at a time.
* After an exception inside any transformation, the interpreter stack is back
  to the eager interpreter, no tracer stays alive, and the next call works.
* jit's cache of traced signatures has a bound however many shapes it sees.
* Importing minijax changes no global state: numpy's print options and error
  settings, warning filters, environment (beyond what importing JAX changes).
"""
import concurrent.futures
import gc
import json
import subprocess
import sys
import threading

import numpy as np
import pytest

import minijax
import minijax.numpy as jnp
from minijax import core, lax
from minijax.compiling import JitFunction
from minijax.eager import EvalTrace

# ---------------------------------------------------------------------------
# Threads


def _loss(w, x):
    return jnp.sum(jnp.tanh(x @ w) ** 2)


# Shared by all threads: their caches are hit concurrently.
_jit_grad = minijax.jit(minijax.grad(_loss))
_jit_vmap = minijax.jit(minijax.vmap(lambda x: jnp.sin(x) * x.sum()))


def _nested_work(seed):
    """A mix of nested transformations on inputs that depend on ``seed``;
    returns numpy results."""
    rng = np.random.RandomState(seed)
    w = rng.randn(3, 2).astype(np.float32)
    xs = rng.randn(4, 3).astype(np.float32)
    per_example = minijax.vmap(minijax.grad(_loss), in_axes=(None, 0))(w, xs[:, None, :])
    # A fresh jit: traced and compiled while other threads trace too.
    fresh = minijax.jit(minijax.grad(lambda w: _loss(w, xs) * seed))(w)
    hvp = minijax.jvp(minijax.grad(lambda w: _loss(w, xs)), (w,), (np.ones_like(w),))[1]
    value = minijax.grad(lambda a: lax.cond(a > 0, jnp.sin, jnp.cos, a) * a)(float(seed % 3) - 1)
    results = (per_example, fresh, hvp, _jit_grad(w, xs), _jit_vmap(xs), value)
    return [np.asarray(r) for r in results]


def test_transformations_from_8_threads_agree_with_sequential_runs():
    seeds = list(range(8))
    expected = {s: _nested_work(s) for s in seeds}
    start = threading.Barrier(8)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # switch threads as often as possible: interleave the traces
    try:
        def work(s):
            start.wait()
            return [_nested_work(s) for _ in range(2)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = dict(zip(seeds, pool.map(work, seeds)))
    finally:
        sys.setswitchinterval(previous)
    for s in seeds:
        for run in results[s]:
            for got, want in zip(run, expected[s]):
                np.testing.assert_array_equal(got, want)
    assert isinstance(core.current_trace(), EvalTrace)


def test_each_thread_starts_in_eager_mode():
    """A new thread does not see the interpreter a transformation in another
    thread made current."""
    seen = []

    def look(x):
        thread = threading.Thread(target=lambda: seen.append(type(core.current_trace())))
        thread.start()
        thread.join()
        return x * 2.0

    minijax.grad(look)(1.0)
    minijax.jit(look)(1.0)
    minijax.vmap(look)(jnp.ones(2))
    assert seen == [EvalTrace] * 3


# ---------------------------------------------------------------------------
# After an exception


class Boom(Exception):
    """Raised by user code in the middle of a transformed function."""


def _explode(x):
    y = jnp.sin(x) * 2.0   # some work is traced before the failure
    if y is not None:
        raise Boom("user code failed")
    return y


def _bad_shapes(x):
    return jnp.ones(3) + jnp.ones(4) + x


def _custom_vjp_with_failing_bwd():
    @minijax.custom_vjp
    def f(x):
        return jnp.sin(x)

    def bwd(res, g):
        raise Boom("bwd failed")

    f.defvjp(lambda x: (jnp.sin(x), x), bwd)
    return f


def _custom_jvp_with_failing_rule():
    @minijax.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        raise Boom("jvp rule failed")
    return f


S, V = 0.5, np.linspace(0.1, 0.9, 4).astype(np.float32)

# (id, a call that fails inside a transformation). Each raises Boom or TypeError.
FAILING_CALLS = [
    ("grad", lambda: minijax.grad(_explode)(S)),
    ("value_and_grad", lambda: minijax.value_and_grad(_explode)(S)),
    ("jvp", lambda: minijax.jvp(_explode, (S,), (1.0,))),
    ("vjp", lambda: minijax.vjp(_explode, S)),
    ("linearize", lambda: minijax.linearize(_explode, S)),
    ("vmap", lambda: minijax.vmap(_explode)(V)),
    ("jit", lambda: minijax.jit(_explode)(S)),
    ("jacfwd", lambda: minijax.jacfwd(_explode)(V)),
    ("jacrev", lambda: minijax.jacrev(_explode)(V)),
    ("hessian", lambda: minijax.hessian(lambda x: _explode(x).sum())(V)),
    ("make_jaxpr", lambda: minijax.make_jaxpr(_explode)(S)),
    ("checkpoint", lambda: minijax.grad(minijax.checkpoint(_explode))(S)),
    ("cond", lambda: lax.cond(True, _explode, jnp.cos, S)),
    ("cond_under_jit", lambda: minijax.jit(lambda x: lax.cond(x > 0, _explode, jnp.cos, x))(S)),
    ("switch_under_grad", lambda: minijax.grad(
        lambda x: lax.switch(1, [jnp.sin, _explode], x))(S)),
    ("while_loop", lambda: lax.while_loop(lambda c: c < 3.0, _explode, S)),
    ("fori_loop_under_vmap", lambda: minijax.vmap(
        lambda x: lax.fori_loop(0, 3, lambda i, c: _explode(c), x))(V)),
    ("scan", lambda: lax.scan(lambda c, x: (_explode(c), x), S, V)),
    ("scan_under_grad", lambda: minijax.grad(
        lambda s: lax.scan(lambda c, x: (_explode(c * x), x), s, V)[0])(S)),
    ("custom_vjp_bwd", lambda: minijax.grad(_custom_vjp_with_failing_bwd())(S)),
    ("custom_vjp_under_jit", lambda: minijax.jit(minijax.grad(_custom_vjp_with_failing_bwd()))(S)),
    ("custom_jvp_rule", lambda: minijax.jvp(_custom_jvp_with_failing_rule(), (S,), (1.0,))),
    ("custom_jvp_under_vmap_of_grad", lambda: minijax.vmap(
        minijax.grad(_custom_jvp_with_failing_rule()))(V)),
    ("nested_jit_vmap_grad", lambda: minijax.jit(minijax.vmap(minijax.grad(_explode)))(V)),
    ("shape_error_under_grad", lambda: minijax.grad(lambda x: _bad_shapes(x).sum())(S)),
    ("shape_error_under_jit_of_vmap", lambda: minijax.jit(minijax.vmap(_bad_shapes))(V)),
    ("concretization_error_under_jit", lambda: minijax.jit(lambda x: 1.0 if x > 0 else x)(S)),
]


def _live_tracers():
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, core.Tracer)]


_good = minijax.jit(minijax.vmap(minijax.grad(lambda x: jnp.sin(x) * x)))


def _good_call():
    """A call through every interpreter kind; must work after any failure."""
    for fun in (_good, minijax.vmap(minijax.grad(lambda x: jnp.sin(x) * x))):
        np.testing.assert_allclose(fun(V), np.cos(V) * V + np.sin(V), rtol=1e-6)


@pytest.mark.parametrize("case", FAILING_CALLS, ids=[c[0] for c in FAILING_CALLS])
def test_after_an_exception_the_state_is_clean(case):
    _, call = case
    eager = core.current_trace()
    with pytest.raises((Boom, TypeError)):
        call()
    assert core.current_trace() is eager
    # Once the exception (and its traceback, which holds the frames) is gone,
    # no tracer made during the failed call is still alive.
    assert _live_tracers() == []
    _good_call()
    call_again = pytest.raises((Boom, TypeError))
    with call_again:
        call()   # fails the same way, rather than with a stale-state error
    assert core.current_trace() is eager


def test_no_tracers_live_between_calls():
    _good_call()
    assert _live_tracers() == []


# ---------------------------------------------------------------------------
# jit's cache


def test_default_jit_cache_is_bounded_under_many_shapes():
    f = minijax.jit(lambda x: jnp.sum(x * 2.0))
    assert 0 < f._cache_size <= 4096
    shapes = f._cache_size + 50
    for n in range(1, shapes + 1):   # tracing only: no compilation needed to fill the cache
        f.trace(np.zeros(n, np.float32))
        assert len(f._cache) <= f._cache_size
    assert f.cache_misses == shapes


def test_evicted_executables_are_freed():
    """Compiled programs live as long as their cache entry: many shapes through
    a small cache leave only a few executables alive."""
    from minijax.compiling import _compiled_cache
    gc.collect()
    before = len(_compiled_cache)
    f = JitFunction(lambda x: x * 2.0 + 1.0, cache_size=2)
    for n in range(1, 9):
        np.testing.assert_array_equal(f(np.ones(n, np.float32)), np.full(n, 3.0, np.float32))
    gc.collect()
    assert len(_compiled_cache) - before <= 2


# ---------------------------------------------------------------------------
# Importing minijax

_SNAPSHOT = r"""
import json, os, sys, warnings
import numpy as np

def snapshot():
    return {"print_options": {k: repr(v) for k, v in np.get_printoptions().items()},
            "errstate": np.geterr(), "errcall": repr(np.geterrcall()),
            "warning_filters": [repr(f) for f in warnings.filters],
            "environ": dict(os.environ), "recursion_limit": sys.getrecursionlimit(),
            "switch_interval": sys.getswitchinterval(),
            "excepthook": repr(sys.excepthook), "random_state": repr(np.random.get_state())}

before = snapshot()
exec(sys.argv[1])
after = snapshot()
print(json.dumps({k: [before[k], after[k]] for k in before if before[k] != after[k]}))
"""

_USE_MINIJAX = """
import minijax, minijax.numpy as jnp
x = jnp.arange(3.0)
repr(minijax.jit(lambda x: x / 0)(x)); str(x / 0); minijax.grad(jnp.sin)(1.0)
minijax.random.normal(minijax.random.key(0), (2,)); jnp.linalg.svd(jnp.eye(2))
"""

_USE_JAX = """
import jax, jax.numpy as jnp
x = jnp.arange(3.0)
repr(jax.jit(lambda x: x / 0)(x)); str(x / 0); jax.grad(jnp.sin)(1.0)
"""


def _start(code):
    return subprocess.Popen([sys.executable, "-c", _SNAPSHOT, code], stdout=subprocess.PIPE,
                            text=True)


def _changed(process):
    """What the snippet run by ``process`` changed: {name: [before, after]}."""
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0
    return json.loads(out.strip().splitlines()[-1])


def _changed_variables(environ):
    before, after = environ or ({}, {})
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def test_importing_and_using_minijax_changes_no_global_state():
    ours, theirs = _start(_USE_MINIJAX), _start(_USE_JAX)   # run side by side
    changed, jax_changed = _changed(ours), _changed(theirs)
    environ = changed.pop("environ", None)
    assert changed == {}
    # Environment variables: only those importing JAX sets too (XLA's log level).
    extra = _changed_variables(environ) - _changed_variables(jax_changed.get("environ"))
    assert not extra
