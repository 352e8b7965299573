"""The program fuzzer: random programs, minijax against real JAX.

Each test item is one seeded random program (see tests/fuzz/): it runs under
the plain value and under transformations rotated by the seed (grad, jvp,
vjp, vmap, jit, linearize and compositions such as grad of jit, jit of vmap
of grad, hessian, vmap of vjp), in float64, in minijax and in JAX, and the
results must agree to ``rtol=1e-9``. A failing program is shrunk and the
failure message is a stand-alone reproducer script.

    pytest tests/test_fuzz.py                  # the default few hundred programs
    pytest tests/test_fuzz.py --fuzz-long      # many thousand
    pytest tests/test_fuzz.py --fuzz-seed 123  # program 123 under every transformation
"""
import numpy as np
import pytest

import minijax
from fuzz.generator import generate
from fuzz.ops import OPS
from fuzz.program import Op, Program, render
from fuzz.runner import check
from fuzz.shrinker import reproducer, shrink
from fuzz.transforms import TRANSFORMS, applicable

# Each program costs about 0.3 s of CPU (mostly XLA compiling JAX's reference
# and minijax's jitted transformations): the default run of 300 programs took
# 46 s on two cores (88 s of CPU).
DEFAULT_COUNT = 300
LONG_COUNT = 5000

# Known minijax bugs the fuzzer finds and that are not fixed yet: each entry
# (op kind, transformation, link to the issue naming the bug) drops that
# transformation for programs containing that op. Empty: no known bug.
KNOWN_BUGS = []


def _seeds(config):
    if config.getoption("--fuzz-seed") is not None:
        return [config.getoption("--fuzz-seed")]
    if config.getoption("--fuzz-count") is not None:
        return range(config.getoption("--fuzz-count"))
    return range(LONG_COUNT if config.getoption("--fuzz-long") else DEFAULT_COUNT)


def pytest_generate_tests(metafunc):
    if "fuzz_seed" in metafunc.fixturenames:
        metafunc.parametrize("fuzz_seed", _seeds(metafunc.config))


def transforms_for(program, every=False, extra=1):
    """The transformations to run ``program`` under: the value and ``extra``
    others, rotated by the seed so that a run covers all of them evenly
    (every one JAX supports for the program with ``every``)."""
    allowed = [t for t in applicable(program)
               if not any(kind in program.kinds() and t == transform
                          for kind, transform, _ in KNOWN_BUGS)]
    if every:
        return allowed
    order = [t for t in TRANSFORMS if t != "value"]
    start = program.seed % len(order)
    return ["value"] + [t for t in order[start:] + order[:start] if t in allowed][:extra]


def _report(program, failures):
    """The failure message: what failed, then the shrunk reproducer."""
    first = failures[0]
    small = shrink(program, first)
    shrunk = check(small, [first.transform])
    detail = next((f.detail for f in shrunk if first.same_as(f)), first.detail)
    lines = [f"fuzz program {program.seed}: minijax disagrees with JAX under "
             + ", ".join(f"{f.transform} ({f.kind})" for f in failures),
             "", "Shrunk reproducer:", "", reproducer(small, first.transform),
             "Failure of the shrunk program:", detail]
    return "\n".join(lines)


def test_program(fuzz_seed, request):
    program = generate(fuzz_seed)
    every = request.config.getoption("--fuzz-seed") is not None
    extra = 2 if request.config.getoption("--fuzz-long") else 1
    names = transforms_for(program, every=every, extra=extra)
    failures = check(program, names)
    request.node.user_properties.append(("fuzz_checks", len(names)))   # for the summary
    if failures:
        pytest.fail(_report(program, failures), pytrace=False)


# --------------------------------------------------------- the fuzzer itself

def test_generation_is_deterministic():
    for seed in (0, 1, 17):
        assert render(generate(seed)) == render(generate(seed))
        assert all(np.array_equal(a, b) for a, b in
                   zip(generate(seed).inputs.values(), generate(seed).inputs.values()))


def test_default_run_covers_every_op_and_transformation():
    programs = [generate(seed) for seed in range(DEFAULT_COUNT)]
    kinds = set().union(*(p.kinds() for p in programs))
    assert kinds == set(OPS), f"never generated: {sorted(set(OPS) - kinds)}"
    run = {t for p in programs for t in transforms_for(p)}
    assert run == set(TRANSFORMS), f"never run: {sorted(set(TRANSFORMS) - run)}"


def _program_with_sin():
    """Five ops, one of them ``sin``, two outputs."""
    rng = np.random.default_rng(0)
    ops = [Op("tanh", ("x1",), {}, ("v2",), ((2, 3),)),
           Op("add", ("v2", "x0"), {}, ("v3",), ((2, 3),)),
           Op("sin", ("x0",), {}, ("v4",), ((3,),)),
           Op("mul", ("v3", "v4"), {}, ("v5",), ((2, 3),)),
           Op("sum", ("v5",), {"axis": "0", "keepdims": False}, ("v6",), ((3,),))]
    inputs = {"x0": rng.normal(size=3), "x1": rng.normal(size=(2, 3))}
    return Program(0, inputs, ops, ["v6", "v3"])


def test_fuzzer_catches_shrinks_and_reproduces_a_wrong_rule(monkeypatch):
    """With a wrong derivative of sin planted in minijax, the fuzzer reports
    grad, shrinks the program down to the sin, and its reproducer fails; with
    the rule restored the same reproducer passes."""
    sin_p = minijax.lax.elementwise.sin_p
    right = minijax.forward_mode.jvp_rules[sin_p]

    def wrong(primals, tangents, **params):
        ans, t = right(primals, tangents, **params)
        return ans, t * 1.5
    monkeypatch.setitem(minijax.forward_mode.jvp_rules, sin_p, wrong)

    program = _program_with_sin()
    failures = check(program, ["value", "grad"])
    assert [(f.transform, f.kind) for f in failures] == [("grad", "mismatch")]
    small = shrink(program, failures[0])
    assert [op.kind for op in small.ops] == ["sin"]
    script = reproducer(small, "grad")
    with pytest.raises(AssertionError):
        exec(compile(script, "<reproducer>", "exec"), {})
    monkeypatch.undo()
    exec(compile(script, "<reproducer>", "exec"), {})
