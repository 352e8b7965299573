"""Run a program under transformations in minijax and in real JAX; compare.

Both libraries run in float64 (x64 on). minijax runs each transformation as a
user would; the JAX reference runs all of a program's transformations inside
one ``jax.jit``: JAX's eager mode compiles each primitive for each new shape,
which made the reference ten times slower than everything else, while one
compiled program per fuzz program keeps the default run within its budget.
(XLA and JAX's eager mode give the same float64 results to far below the
tolerance.) A disagreement with the compiled reference is confirmed against
JAX run op by op under ``jax.disable_jit()`` before it counts: XLA itself
miscompiles some programs, e.g. on CPU in jaxlib 0.10.2

    def h(x):   # x = jnp.array([-0.44, -0.36, -0.71, -1.32]), float64
        v = lax.dynamic_update_slice(x, x[:2], (1,))
        return x.at[jnp.array([2, 3, 1, 0])].set(v)

gives [-1.32 -0.44 -0.44 -0.44] under jax.jit, [-1.32 -0.36 -0.44 -0.44]
eagerly (and in minijax, eagerly and under jit): found by this fuzzer.
"""
import contextlib
import traceback
from dataclasses import dataclass

import jax
import numpy as np

import minijax

from .program import build
from .transforms import TRANSFORMS, data_for

# float64 throughout. numpy (minijax's eager backend) and XLA round some
# kernels differently (sums in another order, transcendental functions a few
# ulps apart), and loops and compositions compound that: 1e-9 relative leaves
# six orders of magnitude of headroom over the ~1e-15 we observe while still
# catching any wrong rule (those are off by O(1)). The absolute part is
# relative to the leaf's magnitude (at least 1): values that cancel to about
# zero carry the rounding error of the O(1) terms they came from.
RTOL = 1e-9


class ReferenceFailed(Exception):
    """JAX itself rejected the program: a bug in the generator, not in minijax."""


@dataclass
class Failure:
    """minijax raised (``kind="error"``) or disagreed with JAX (``"mismatch"``)."""
    transform: str
    kind: str
    detail: str
    error_type: str = ""

    def same_as(self, other):
        """Whether ``other`` is the same failure (for shrinking)."""
        return (other is not None and (self.transform, self.kind, self.error_type)
                == (other.transform, other.kind, other.error_type))


@contextlib.contextmanager
def x64():
    """64-bit types in both libraries for the duration of the block."""
    prev = minijax.config.x64_enabled, jax.config.jax_enable_x64
    minijax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        minijax.config.update("jax_enable_x64", prev[0])
        jax.config.update("jax_enable_x64", prev[1])


def _env(lib, program, data):
    """The names a transformation's code reads, with arrays of ``lib``."""
    f, loss = build(program, lib)
    env = {k: lib.tree_util.tree_map(lib.numpy.asarray, v) for k, v in data.items()
           if k not in ("in_axes", "argnums")}
    return dict(env, jax=lib, f=f, loss=loss, in_axes=data["in_axes"], argnums=data["argnums"])


def reference_eager(program, name, data):
    """JAX's result for the transformation ``name``, op by op (no XLA fusion)."""
    with jax.disable_jit():
        return eval(TRANSFORMS[name].code, _env(jax, program, data))


def reference(program, names, data):
    """JAX's results for the transformations ``names`` (a dict by name)."""
    def all_transforms(arrays):
        env = _env(jax, program, dict(data, **arrays))
        return {n: eval(TRANSFORMS[n].code, env) for n in names}
    arrays = {k: v for k, v in data.items() if k not in ("in_axes", "argnums")}
    try:
        return jax.jit(all_transforms)(arrays)
    except Exception as e:
        raise ReferenceFailed(f"JAX rejects program {program.seed}: {type(e).__name__}: {e}") from e


def ours(program, name, data):
    """minijax's result for the transformation ``name``."""
    return eval(TRANSFORMS[name].code, _env(minijax, program, data))


def compare(name, got, want):
    """A Failure describing how ``got`` (minijax) differs from ``want``, or None."""
    got_leaves = minijax.tree_util.tree_leaves(got)
    want_leaves = jax.tree_util.tree_leaves(want)
    if len(got_leaves) != len(want_leaves):
        return Failure(name, "mismatch", f"{len(got_leaves)} leaves, JAX has {len(want_leaves)}")
    for i, (a, b) in enumerate(zip(got_leaves, want_leaves)):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return Failure(name, "mismatch", f"leaf {i}: {a.dtype}{list(a.shape)}, "
                                             f"JAX {b.dtype}{list(b.shape)}")
        scale = max(1.0, float(np.max(np.abs(b), initial=0.0, where=np.isfinite(b))))
        if not np.allclose(a, b, rtol=RTOL, atol=RTOL * scale, equal_nan=True):
            err = np.max(np.abs(a - b), initial=0.0, where=np.isfinite(a - b))
            return Failure(name, "mismatch", f"leaf {i}: max abs difference {err:.3g}\n"
                                             f"minijax: {a!r}\njax:     {b!r}")
    return None


def check(program, names, data=None):
    """Run ``program`` under the transformations ``names``; list the failures."""
    data = data or data_for(program)
    with x64():
        want = reference(program, names, data)
        failures = []
        for name in names:
            try:
                got = ours(program, name, data)
            except Exception as e:
                tb = "".join(traceback.format_exception(e, limit=-4))
                failures.append(Failure(name, "error", tb, type(e).__name__))
                continue
            failure = compare(name, got, want[name])
            if failure is not None:    # confirm it against JAX without XLA
                failure = compare(name, got, reference_eager(program, name, data))
            if failure is not None:
                failures.append(failure)
    return failures
