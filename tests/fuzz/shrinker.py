"""Shrink a failing program, then print it as a stand-alone reproducer.

Shrinking is greedy: try a smaller candidate, keep it if the same failure
(same transformation, same kind, same exception type) persists, repeat until
no candidate helps. Candidates, in order:

* return just one intermediate value (earliest first), or drop one of
  several outputs;
* cut an op out: its results become new inputs holding the values JAX
  computes for them, so everything downstream still sees the same numbers;
* read an existing input of the same shape instead of an op's operand;
* round the input values (shorter reproducers).

Dead ops and unused inputs are removed after each step.
"""
import jax
import numpy as np

from .program import Program, array_text, render
from .runner import ReferenceFailed, check, x64
from .transforms import TRANSFORMS, data_for


def _used_names(program):
    used = set(program.outputs)
    for op in program.ops:
        used.update(op.args)
    return used


def _dead_code_eliminated(program):
    """Without ops none of whose results are read and without unused inputs."""
    live, ops = set(program.outputs), []
    for op in reversed(program.ops):
        if live.intersection(op.outs):
            ops.append(op)
            live.update(op.args)
    inputs = {k: v for k, v in program.inputs.items() if k in live}
    return Program(program.seed, inputs, ops[::-1], program.outputs, program.notes)


def _all_values(program):
    """The value JAX computes for every name in the pool."""
    names = [o for op in program.ops for o in op.outs]
    probe = Program(program.seed, program.inputs, program.ops, names)
    from .program import build
    with x64():
        f, _ = build(probe, jax)
        values = jax.jit(f)(*program.inputs.values())
    return dict(program.inputs, **{n: np.asarray(v) for n, v in zip(names, values)})


def _cut(program, i, values):
    """Program with op ``i`` removed and its results turned into inputs."""
    op = program.ops[i]
    inputs = dict(program.inputs, **{o: values[o] for o in op.outs})
    return Program(program.seed, inputs, program.ops[:i] + program.ops[i + 1:],
                   program.outputs, program.notes)


def _candidates(program):
    """Smaller programs to try, most promising first."""
    for op in program.ops:                 # earliest first: the smallest after DCE
        for name in op.outs:
            if program.outputs != [name]:
                yield program.with_ops(program.ops, [name])
    if len(program.outputs) > 1:
        for o in program.outputs:
            yield program.with_ops(program.ops, [p for p in program.outputs if p != o])
    values = _all_values(program)
    for i in reversed(range(len(program.ops))):
        yield _cut(program, i, values)
    shapes = program.shapes()
    for i, op in enumerate(program.ops):
        for j, arg in enumerate(op.args):
            if arg in program.inputs:
                continue
            for name in program.inputs:
                if shapes[name] == shapes[arg]:
                    args = op.args[:j] + (name,) + op.args[j + 1:]
                    new_op = type(op)(op.kind, args, op.params, op.outs, op.shapes)
                    yield program.with_ops(program.ops[:i] + [new_op] + program.ops[i + 1:])
                    break
    for decimals in (1, 2, 4):
        rounded = {k: np.round(v, decimals) for k, v in program.inputs.items()}
        if any(not np.array_equal(rounded[k], v) for k, v in program.inputs.items()):
            yield Program(program.seed, rounded, program.ops, program.outputs, program.notes)


def _fails_like(program, failure):
    try:
        found = check(program, [failure.transform])
    except ReferenceFailed:
        return False
    return any(failure.same_as(f) for f in found)


def shrink(program, failure, max_tries=200):
    """A smaller program that fails like ``failure`` (``program`` fails so)."""
    tries = 0
    progress = True
    while progress and tries < max_tries:
        progress = False
        for candidate in _candidates(program):
            candidate = _dead_code_eliminated(candidate)
            if not candidate.ops and not candidate.outputs:
                continue
            tries += 1
            if _fails_like(candidate, failure):
                program, progress = candidate, True
                break
            if tries >= max_tries:
                break
    return program


def reproducer(program, transform):
    """A stand-alone script that fails the way ``program`` fails under ``transform``."""
    data = data_for(program)
    lines = [
        f"# minijax disagrees with JAX: fuzz program {program.seed}, transformation {transform!r}",
        "# (shrunk; the original program: pytest tests/test_fuzz.py --fuzz-seed "
        f"{program.seed})",
        "import numpy as np",
        "import jax",
        "import minijax",
        "jax.config.update('jax_enable_x64', True)",
        "minijax.config.update('jax_enable_x64', True)",
        "",
        render(program).rstrip(),
        "",
    ]
    code = TRANSFORMS[transform].code
    arrays = [k for k in ("xs", "ts", "cts", "bxs", "bts") if k in code]
    for key in arrays:
        lines.append(f"{key} = ({''.join(array_text(x) + ', ' for x in data[key])})")
    for key in ("in_axes", "argnums"):
        if key in code:
            lines.append(f"{key} = {data[key]!r}")
    args = ", ".join(arrays)
    lines += [
        "",
        f"def run(jax, {args}):",
        f"    {args}{',' if len(arrays) == 1 else ''} = "
        f"(tuple(jax.numpy.asarray(x) for x in a) for a in ({args},))",
        "    f, loss = build(jax)",
        f"    return {code}",
        "",
        f"ours, theirs = run(minijax, {args}), run(jax, {args})",
        "for a, b in zip(minijax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs),",
        "                strict=True):",
        "    a, b = np.asarray(a), np.asarray(b)",
        "    assert a.dtype == b.dtype, (a.dtype, b.dtype)",
        "    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(b).max(initial=0)))",
    ]
    return "\n".join(lines) + "\n"
