"""No dead code: every module-level function, class and constant of the package
that is not public API is used somewhere (package, tests, benchmarks or book).

A small AST-based finder in the spirit of ``vulture``: a definition counts as
used when some other place reads its name (as a global name, an attribute,
an import, or, in the book's Markdown, a word in a code cell). Local
variables that happen to share the name do not count.
"""
import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minijax"

# Modules whose public names are JAX's API (users call them; the package need
# not). In every other module, public names are internal and must be used.
API_MODULES = {
    "minijax/__init__.py", "minijax/config.py", "minijax/dtypes.py", "minijax/tree_util.py",
    "minijax/tree.py", "minijax/flatten_util.py", "minijax/debug.py",
    "minijax/test_util.py", "minijax/api.py", "minijax/lax/__init__.py",
    "minijax/scipy/__init__.py", "minijax/scipy/special.py", "minijax/scipy/linalg.py",
    "minijax/lax/linalg.py", "minijax/random.py", "minijax/ad_checkpoint.py",
    "minijax/custom_derivatives.py", "minijax/custom_solvers.py", "minijax/errors.py",
    "minijax/custom_derivatives.py", "minijax/custom_solvers.py", "minijax/sharding.py",
    "minijax/test_util.py", "minijax/api.py", "minijax/lax/__init__.py",
    "minijax/scipy/__init__.py", "minijax/scipy/special.py", "minijax/scipy/linalg.py",
    "minijax/lax/linalg.py", "minijax/random.py", "minijax/ad_checkpoint.py",
    "minijax/custom_derivatives.py", "minijax/custom_solvers.py",
    "minijax/nn/__init__.py", "minijax/nn/activations.py", "minijax/nn/normalization.py",
    "minijax/nn/attention.py", "minijax/nn/initializers.py",
}
# Packages whose modules are all API (``stats.norm.logpdf``, ...), except
# their private helper modules (``_util.py``).
API_PACKAGES = ("minijax/numpy/", "minijax/scipy/stats/")


def _is_api(path):
    rel = path.relative_to(ROOT).as_posix()
    private_helpers = path.name.startswith("_") and path.name != "__init__.py"
    return rel in API_MODULES or (rel.startswith(API_PACKAGES) and not private_helpers)


def _definitions():
    """(path, line, name) of module-level definitions that must be used."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                if node.decorator_list:        # registered by its decorator
                    continue
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            else:
                continue
            for name in names:
                if name.startswith("__") or (not name.startswith("_") and _is_api(path)):
                    continue
                yield path, node.lineno, name


def _local_names(fn):
    """Names bound inside a function (parameters and assignments)."""
    out = set()
    for node in ast.walk(fn):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            a = node.args
            out.update(x.arg for x in a.args + a.kwonlyargs + a.posonlyargs)
            out.update(x.arg for x in (a.vararg, a.kwarg) if x is not None)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    for node in ast.walk(fn):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            out.difference_update(node.names)
    return out


def _reads(tree):
    """Every name a Python module reads, except reads of its functions' locals."""
    reads = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            reads.add(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            reads.update(a.name.split(".")[-1] for a in node.names)
    scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for scope in scopes:
        local = _local_names(scope) if scope is not tree else set()
        body = scope.body if scope is tree else [scope]
        for stmt in body:
            if scope is tree and isinstance(stmt, ast.FunctionDef):
                continue   # read with its own locals excluded, below
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                        and node.id not in local:
                    reads.add(node.id)
    return reads


def _all_reads():
    reads = set()
    files = (list(PACKAGE.rglob("*.py")) + list((ROOT / "tests").rglob("*.py"))
             + list((ROOT / "benchmarks").rglob("*.py")) + list((ROOT / "book").glob("*.py")))
    for path in files:
        reads |= _reads(ast.parse(path.read_text()))
    for path in (ROOT / "book").glob("*.md"):
        reads |= set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", path.read_text()))
    return reads


def test_no_dead_code():
    reads = _all_reads()
    dead = [f"{path.relative_to(ROOT)}:{line}: {name}"
            for path, line, name in _definitions() if name not in reads]
    assert not dead, "unused definitions (remove them, or use them):\n" + "\n".join(dead)


def test_the_finder_finds_dead_code(tmp_path):
    """The finder itself works: a local variable does not count as a use."""
    tree = ast.parse("def _helper():\n    pass\n\ndef f():\n    _helper = 1\n    return _helper\n")
    assert "_helper" not in _reads(tree)
    tree = ast.parse("def _helper():\n    pass\n\ndef f():\n    return _helper()\n")
    assert "_helper" in _reads(tree)
