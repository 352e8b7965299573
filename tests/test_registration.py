"""`import minijax` alone registers every primitive and every rule.

Each check runs in a fresh interpreter, so no other test's imports can hide a
primitive that is registered only when some module happens to be touched.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Prints, for every primitive known after the import, which rules it has.
_REPORT = """
import json, sys
{imports}
from minijax import core, lax
from minijax.forward_mode import jvp_rules
from minijax.batching import batching_rules
from minijax.transpose import transpose_rules
from minijax.partial_eval import partial_eval_rules
from minijax.lowering import lowering_rules

def has_impl(prim):
    return type(prim).impl is not core.Primitive.impl or "impl" in vars(prim)

tables = dict(jvp=jvp_rules, batch=batching_rules, transpose=transpose_rules,
              partial_eval=partial_eval_rules, lower=lowering_rules)
report = {{name: dict(impl=has_impl(p), **{{k: p in t for k, t in tables.items()}})
          for name, p in core.all_primitives.items()}}
exported = sorted(p.name for m in (lax, lax.elementwise, lax.shapes, lax.reductions,
                                   lax.sorting, lax.linalg, lax.convolution, lax.windowed,
                                   lax.fourier)
                  for p in vars(m).values() if isinstance(p, core.Primitive))
json.dump(dict(rules=report, exported=exported, lax_names=dir(lax)), sys.stdout)
"""

# Primitives linear in some operand, so reverse mode needs a transpose rule.
LINEAR = {
    "add", "add_any", "sub", "neg", "mul", "div", "dot_general", "convert_element_type",
    "complex", "conj", "real", "imag", "select_n", "reduce_sum", "cumsum",
    "broadcast_in_dim", "reshape", "transpose", "squeeze", "rev", "concatenate", "pad",
    "slice", "dynamic_slice", "dynamic_update_slice", "gather", "scatter", "scatter-add",
    "scatter-mul", "triangular_solve", "conv_general_dilated", "reduce_window_sum",
    "select_and_gather_add", "select_and_scatter_add", "fft",
    "reduce_precision",   # treated as linear, as in JAX
}
HIGHER_ORDER = {"cond", "while", "scan", "jit", "remat2", "checkpointed_scan"}
NO_JVP = {"nextafter", "igamma_grad_a"}   # JAX has none either: it raises
NO_BATCH = {"iota"}           # it has no operand to batch

# Higher-order primitives declared outside minijax.lax, with the rules each has
# beyond impl, batching and lowering (which every one of them has).
_ALL = dict(impl=True, batch=True, lower=True)
OUTSIDE_LAX = {
    # custom_jvp_call's partial evaluation runs its rule under linearize;
    # custom_vjp_call has no transpose: reverse mode stages custom_lin instead.
    "custom_jvp_call": dict(_ALL, jvp=True, transpose=True, partial_eval=False),
    "custom_vjp_call": dict(_ALL, jvp=True, transpose=False, partial_eval=False),
    "custom_lin": dict(_ALL, jvp=False, transpose=True, partial_eval=False),
    "custom_linear_solve": dict(_ALL, jvp=True, transpose=True, partial_eval=False),
    # checkpoint_name: the identity (so linear), marking a value for policies.
    "name": dict(_ALL, jvp=True, transpose=True, partial_eval=False),
    # The gamma sampler's rejection loop (minijax.random): its JVP is the
    # implicit derivative of the sample with respect to the shape parameter.
    "random_gamma": dict(_ALL, jvp=True, transpose=False, partial_eval=False),
    # debug.print / debug.callback: no outputs, so nothing to transpose; its
    # JVP passes the primals on, and under linearize they are known.
    "debug_callback": dict(_ALL, jvp=True, transpose=False, partial_eval=False),
}


def _report(imports):
    script = _REPORT.format(imports=imports)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("imports", [
    "import minijax",
    # Importing a submodule first must not change what gets registered.
    "import minijax.control_flow",
    "import minijax.numpy",
    "from minijax.lax import shapes",
])
def test_import_registers_every_rule(imports):
    report = _report(imports)
    rules = report["rules"]
    assert HIGHER_ORDER <= set(rules)
    assert set(report["exported"]) | HIGHER_ORDER | set(OUTSIDE_LAX) == set(rules)
    for name, has in rules.items():
        if name in OUTSIDE_LAX:
            assert has == OUTSIDE_LAX[name], name
            continue
        expected = dict(impl=True, lower=True, jvp=name not in NO_JVP,
                        batch=name not in NO_BATCH,
                        transpose=name in LINEAR or name in HIGHER_ORDER,
                        partial_eval=name in HIGHER_ORDER)
        assert has == expected, name
    for fn in ("cond", "switch", "while_loop", "fori_loop", "scan", "map", "custom_root",
               "custom_linear_solve", "associative_scan"):
        assert fn in report["lax_names"]


def test_no_module_getattr():
    """No module resolves attributes lazily (that would hide registrations)."""
    import ast
    for path in (ROOT / "minijax").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert "__getattr__" not in names, path
