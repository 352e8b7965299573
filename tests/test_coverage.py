"""Coverage of JAX's public API: which names of ``jax``, ``jax.numpy``,
``jax.lax``, ``jax.nn``, ``jax.scipy.special``, ``jax.random`` and
``jax.tree_util`` minijax has.

The test writes the whole table to ``_build/coverage.md`` (a yes/no line per
name) and checks it against ``tests/coverage_baseline.txt``, the committed list
of names minijax has: a name may be added, never lost. When names are added
it says how to refresh the baseline.
"""
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "coverage_baseline.txt"
TABLE = ROOT / "_build" / "coverage.md"

MODULES = ["", ".numpy", ".lax", ".nn", ".scipy.special", ".random", ".tree_util"]


def _public_names(module):
    return sorted(n for n in dir(module) if not n.startswith("_"))


def coverage():
    """``{(module suffix, name): has_it}`` over the public names of each JAX module."""
    out = {}
    for suffix in MODULES:
        theirs = importlib.import_module("jax" + suffix)
        ours = importlib.import_module("minijax" + suffix)
        for name in _public_names(theirs):
            out[("jax" + suffix, name)] = hasattr(ours, name)
    return out


def _write_table(table):
    lines = ["# minijax's coverage of JAX's public API", ""]
    for suffix in MODULES:
        module = "jax" + suffix
        names = [(n, has) for (m, n), has in table.items() if m == module]
        have = sum(has for _, has in names)
        lines += [f"## {module}: {have} of {len(names)}", ""]
        lines += [f"- [{'x' if has else ' '}] `{module}.{n}`" for n, has in names] + [""]
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text("\n".join(lines))


def _baseline():
    return {line.strip() for line in BASELINE.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def test_coverage_never_shrinks():
    table = coverage()
    _write_table(table)
    have = {f"{m}.{n}" for (m, n), has in table.items() if has}
    lost = sorted(_baseline() - have)
    assert not lost, (f"minijax lost these names of JAX's API (listed in {BASELINE.name}): "
                      f"{lost}")
    gained = sorted(have - _baseline())
    if gained:
        print(f"\n{len(gained)} names are new since {BASELINE.name}; refresh it with\n"
              f"  python tests/test_coverage.py > tests/coverage_baseline.txt\n"
              f"new: {gained}")


@pytest.mark.parametrize("name", ["jax.numpy.pad", "jax.numpy.unique", "jax.numpy.quantile",
                                  "jax.numpy.bfloat16", "jax.numpy.r_"])
def test_table_sees_new_functions(name):
    """The table is live: names this branch added are reported as present."""
    module, _, attr = name.rpartition(".")
    assert coverage()[(module, attr)]


if __name__ == "__main__":   # print a fresh baseline
    print("# Names of JAX's public API that minijax has (see tests/test_coverage.py).")
    for (module, name), has in coverage().items():
        if has:
            print(f"{module}.{name}")
