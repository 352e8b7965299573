"""The transformations under which programs are compared.

Each one is a Python expression over ``jax`` (the library under test or the
reference), ``f`` (the program, a function returning a tuple), ``loss`` (its
scalarization, the sum of squares of all outputs) and the data of ``data_for``:
``xs`` (inputs), ``ts`` (tangents like xs), ``cts`` (cotangents like the
outputs), ``bxs`` (inputs with a batch axis where ``in_axes`` says 0) and
``argnums`` (all inputs).
"""
from dataclasses import dataclass

import numpy as np

BATCH = 2


@dataclass(frozen=True)
class Transform:
    name: str
    code: str
    forward: bool = False      # needs forward-mode differentiation of every op
    reverse: bool = False      # needs reverse-mode differentiation of every op


TRANSFORMS = {t.name: t for t in [
    Transform("value", "f(*xs)"),
    Transform("jit", "jax.jit(f)(*xs)"),
    Transform("grad", "jax.grad(loss, argnums)(*xs)", reverse=True),
    Transform("value_and_grad", "jax.value_and_grad(loss, argnums)(*xs)", reverse=True),
    Transform("jvp", "jax.jvp(f, xs, ts)", forward=True),
    Transform("linearize", "jax.linearize(f, *xs)[1](*ts)", forward=True),
    Transform("vjp", "jax.vjp(f, *xs)[1](cts)", reverse=True),
    Transform("vmap", "jax.vmap(f, in_axes)(*bxs)"),
    Transform("grad_jit", "jax.grad(jax.jit(loss), argnums)(*xs)", reverse=True),
    Transform("jit_vmap_grad", "jax.jit(jax.vmap(jax.grad(loss, argnums), in_axes))(*bxs)",
              reverse=True),
    Transform("vmap_grad", "jax.vmap(jax.grad(loss, argnums), in_axes)(*bxs)", reverse=True),
    Transform("vmap_vjp", "jax.vmap(lambda *a: jax.vjp(f, *a)[1](cts), in_axes)(*bxs)",
              reverse=True),
    Transform("jvp_vmap", "jax.jvp(jax.vmap(f, in_axes), bxs, bts)", forward=True),
    Transform("jit_jvp", "jax.jit(lambda x, t: jax.jvp(f, x, t))(xs, ts)", forward=True),
    Transform("hessian", "jax.hessian(loss, argnums)(*xs)", forward=True, reverse=True),
]}


def applicable(program):
    """Names of the transformations JAX supports for every op of ``program``."""
    return [t.name for t in TRANSFORMS.values() if program.allows(t.forward, t.reverse)]


def data_for(program):
    """The arrays the transformations read, drawn from the program's seed."""
    rng = np.random.default_rng([program.seed, 1])
    shapes = program.shapes()
    xs = [np.asarray(x, np.float64) for x in program.inputs.values()]
    in_axes = [0 if rng.random() < 0.7 else None for _ in xs]
    if all(a is None for a in in_axes):
        in_axes[0] = 0
    bxs = [np.stack([x] + [rng.normal(size=x.shape) for _ in range(BATCH - 1)]) if a == 0 else x
           for x, a in zip(xs, in_axes)]
    return {
        "xs": tuple(xs),
        "ts": tuple(rng.normal(size=x.shape) for x in xs),
        "cts": tuple(rng.normal(size=shapes[o]) for o in program.outputs),
        "bxs": tuple(bxs),
        "bts": tuple(rng.normal(size=np.shape(b)) for b in bxs),
        "in_axes": tuple(in_axes),
        "argnums": tuple(range(len(xs))),
    }
