"""``str(make_jaxpr(f)(x))`` is JAX's text, character for character, for
programs with nested jaxprs: names run on across the whole printout, default
params are hidden (``broadcast_in_dim``'s shape, ``dot_general``'s
``precision=None``), ``jit`` prints ``name`` first with its body named like
the call, and only the outermost jaxpr writes ``_`` for unread results.

Where the texts cannot be equal (minijax lacks the param or the structure):

* ``scan`` has no ``unroll`` param (JAX prints ``unroll=1``), and the
  reductions have no ``out_sharding`` param (JAX prints ``out_sharding=None``
  for ``reduce_sum``): minijax has no unrolling and no sharding. The tests
  below drop those from JAX's text and compare the rest.
* ``cond`` branches that close over arrays: JAX hoists the constants into
  operands of ``cond`` (constvars of the outer jaxpr); minijax keeps them as
  constants of each branch.
* jnp functions that JAX wraps in ``jit`` (``jnp.where`` prints as
  ``jit[name=_where ...]``) are inlined in minijax.
* JAX prints a jaxpr used more than once, or a nested one of more than ten
  equations, once at the top (``let name = { ... } in``); minijax prints it
  in place.
"""
import re

import jax
import numpy as np
import pytest

import minijax


def programs(jax_, jnp, lax):
    @jax_.custom_jvp
    def cj(x):
        return jnp.sin(x)
    cj.defjvp(lambda p, t: (cj(p[0]), jnp.cos(p[0]) * t[0]))
    inner = jax_.jit(lambda x: jnp.cos(x) * 2.0)
    f32 = np.float32
    return {
        "elementwise": (lambda x: jnp.sin(x) * 2.0 + x, (1.0,)),
        "broadcast": (lambda x: x + jnp.ones((3,)), (f32(1.0),)),
        "cond": (lambda x: lax.cond(x > 0, jnp.sin, jnp.cos, x), (1.0,)),
        "switch": (lambda i, x: lax.switch(i, [jnp.sin, jnp.cos, lambda y: y], x), (1, 2.0)),
        "while": (lambda x: lax.while_loop(lambda c: c < 10., lambda c: c * 2.0, x), (1.0,)),
        "fori, static bounds": (lambda x: lax.fori_loop(0, 5, lambda i, c: c + jnp.sin(c), x),
                                (1.0,)),
        "fori, traced bounds": (lambda n, x: lax.fori_loop(0, n, lambda i, c: c + 1.0, x),
                                (3, 1.0)),
        "scan": (lambda xs: lax.scan(lambda c, x: (c + x, c * x), 0.0, xs),
                 (np.arange(3.0, dtype=f32),)),
        "loop in a branch": (lambda x: lax.cond(
            x > 0, lambda y: lax.fori_loop(0, 3, lambda i, c: c * y, y), lambda y: y, x),
            (1.0,)),
        "nested jit": (lambda x: inner(x) + 1.0, (1.0,)),
        "custom_jvp": (lambda x: cj(x) * 2.0, (1.0,)),
        "checkpoint": (lambda x: jax_.checkpoint(lambda y: jnp.sin(jnp.sin(y)))(x), (1.0,)),
        "grad": (jax_.grad(lambda x: jnp.sin(x) * x), (1.0,)),
        "mean": (lambda x: jnp.mean(x ** 2), (np.ones(4, f32),)),
        "vmap of dot": (jax_.vmap(lambda x: jnp.dot(x, x)), (np.ones((2, 3), f32),)),
        "reductions": (lambda x: jnp.sum(x, axis=0) + jnp.max(x), (np.ones((2, 3), f32),)),
    }


OURS = programs(minijax, minijax.numpy, minijax.lax)
THEIRS = programs(jax, jax.numpy, jax.lax)


def without_params_minijax_lacks(text):
    text = re.sub(r"\n *unroll=1(?=\n)", "", text)
    return text.replace(" out_sharding=None", "")


@pytest.mark.parametrize("name", list(OURS))
def test_make_jaxpr_prints_jaxs_text(name):
    f, args = OURS[name]
    g, _ = THEIRS[name]
    ours = str(minijax.make_jaxpr(f)(*args))
    theirs = without_params_minijax_lacks(str(jax.make_jaxpr(g)(*args)))
    assert ours == theirs, f"minijax:\n{ours}\nJAX:\n{theirs}"
