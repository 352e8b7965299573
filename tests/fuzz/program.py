"""A fuzz program: a list of ops over a pool of named values.

A program is plain data (``Program``): named float64 inputs, a list of ``Op``s
(each reads some pool values by name and defines one or more new ones) and the
names it returns. ``render`` turns it into Python text that defines
``build(jax)``; ``build(minijax)`` and ``build(jax)`` return the same function
written against the two libraries. The text is what runs, so the reproducer a
failure prints is exactly the code that failed.
"""
from dataclasses import dataclass, field, replace

import numpy as np

from .ops import HELPERS, OPS


@dataclass(frozen=True)
class Op:
    """One statement ``outs = OPS[kind].render(args, params)``."""
    kind: str
    args: tuple        # names of the pool values it reads
    params: dict       # static parameters, already as Python text fragments
    outs: tuple        # names it defines
    shapes: tuple      # shapes of ``outs``


@dataclass
class Program:
    """Inputs (name -> float64 array), ops in order, and the returned names."""
    seed: int
    inputs: dict
    ops: list
    outputs: list
    notes: dict = field(default_factory=dict)

    def shapes(self):
        """Shape of every value in the pool, by name."""
        out = {name: np.shape(x) for name, x in self.inputs.items()}
        for op in self.ops:
            out.update(zip(op.outs, op.shapes))
        return out

    def kinds(self):
        return {op.kind for op in self.ops}

    def allows(self, needs_forward, needs_reverse):
        """Whether every op supports the modes of differentiation asked for
        (JAX itself refuses e.g. reverse mode through while_loop and forward
        mode through custom_vjp)."""
        return all((OPS[op.kind].forward or not needs_forward)
                   and (OPS[op.kind].reverse or not needs_reverse)
                   for op in self.ops)

    def with_ops(self, ops, outputs=None):
        return replace(self, ops=list(ops), outputs=list(outputs or self.outputs))


def render(program):
    """Python text defining ``build(jax)``, which returns the program as a
    function of its inputs (a tuple of outputs) and ``loss``, its scalarized
    version (the sum of squares of all outputs)."""
    helpers = sorted({h for op in program.ops for h in OPS[op.kind].helpers})
    lines = ["def build(jax):",
             "    jnp, lax = jax.numpy, jax.lax"]
    for name in helpers:
        lines += ["    " + line if line else "" for line in HELPERS[name].strip("\n").split("\n")]
    lines.append(f"    def f({', '.join(program.inputs)}):")
    for op in program.ops:
        lhs = op.outs[0] if len(op.outs) == 1 else ", ".join(op.outs)
        lines.append(f"        {lhs} = {OPS[op.kind].render(op.args, op.params)}")
    lines.append(f"        return ({''.join(o + ', ' for o in program.outputs)})")
    lines += ["    def loss(*args):",
              "        return sum(jnp.sum(o * o) for o in f(*args))",
              "    return f, loss"]
    return "\n".join(lines) + "\n"


def build(program, jax_like):
    """The program's ``(f, loss)`` written against ``jax_like`` (minijax or jax)."""
    namespace = {}
    exec(compile(render(program), f"<fuzz program {program.seed}>", "exec"), namespace)
    return namespace["build"](jax_like)


def array_text(x):
    """Python text that recreates the float64 array ``x`` exactly."""
    return f"np.array({np.asarray(x, np.float64).tolist()!r})"
