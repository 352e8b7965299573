"""Keyword audit: every public function minijax shares with JAX takes its
keywords the way JAX's does.

For each function of ``minijax.numpy`` (and ``numpy.linalg``, ``lax``, ``nn``
and the top-level transformations) that JAX also has, compared by
introspection with JAX's:

* every keyword minijax accepts is one JAX has (a keyword JAX has and
  minijax lacks is fine: calling with it is a TypeError, not a wrong answer);
* positional parameters sit in JAX's positions, so ``f(a, 0, True)`` means
  the same thing in both;
* shared keywords have JAX's defaults;
* no parameter is accepted and ignored: each is read by the function's code
  (implemented, or refused with ``minijax.util.reject_unsupported``).

The last check reads the bytecode: a parameter never loaded is ignored.
"""
import dis
import inspect
import types

import jax
import jax.numpy as jjnp
import pytest

import minijax
import minijax.numpy as mjnp

NAMESPACES = {
    "numpy": (mjnp, jjnp),
    "numpy.linalg": (mjnp.linalg, jjnp.linalg),
    "lax": (minijax.lax, jax.lax),
    "nn": (minijax.nn, jax.nn),
    "top": (minijax, jax),
}

# Legitimate exceptions: (namespace, function, parameter) -> why.
EXCEPTIONS = {
    # Arrays are immutable, so whether a copy was made cannot be observed.
    ("numpy", "array", "copy"): "immutable arrays: a copy is unobservable",
    ("numpy", "asarray", "copy"): "immutable arrays: a copy is unobservable",
    # The contraction order changes speed (and rounding), not the result.
    ("numpy", "einsum", "optimize"): "contraction order: performance only",
    # Loop unrolling is a compiler hint; the values are the same.
    ("lax", "scan", "unroll"): "performance only",
    # jit's buffer donation, unused-argument pruning and inlining change
    # memory and speed, never values; device/backend choose placement.
    ("top", "jit", "donate_argnums"): "memory only",
    ("top", "jit", "keep_unused"): "performance only",
    ("top", "jit", "inline"): "performance only",
    ("top", "jit", "device"): "placement only",
    ("top", "jit", "backend"): "placement only",
    # jit(f) and @jit(static_argnums=...) take fun=None to mean "decorator";
    # () and None both mean "no static or donated arguments".
    ("top", "jit", "fun"): "default: decorator form",
    ("top", "jit", "static_argnums"): "default: () and None mean none",
    ("top", "jit", "static_argnames"): "default: () and None mean none",
    # Axis names only matter to collectives (psum, ...) and sharding, which
    # minijax does not have: there is nothing for a name to change.
    ("top", "vmap", "axis_name"): "no collectives in minijax",
    ("top", "vmap", "spmd_axis_name"): "no sharding in minijax",
    # JAX documents these as unused too (its own code never reads them, or
    # reads them only to pick an algorithm): accepting them is what JAX does.
    ("numpy", "histogram_bin_edges", "weights"): "unused by JAX",
    ("numpy", "unique", "sorted"): "unused by JAX",
    ("numpy", "isin", "assume_unique"): "a promise about the input: same answer",
    # JAX's default is a sentinel that a boolean flag's context manager reads as True.
    ("top", "debug_nans", "new_val"): "JAX's no-default sentinel means True",
}


def _shared_functions():
    for space, (ours_mod, theirs_mod) in NAMESPACES.items():
        for name in sorted(dir(ours_mod)):
            ours, theirs = getattr(ours_mod, name), getattr(theirs_mod, name, None)
            if (name.startswith("_") or theirs is None or not callable(ours)
                    or isinstance(ours, (type, types.ModuleType))):
                continue
            try:
                inspect.signature(ours), inspect.signature(theirs)
            except (TypeError, ValueError):
                continue   # no Python signature (numpy dtype objects, ...)
            yield pytest.param(space, name, ours, theirs, id=f"{space}.{name}")


SHARED = list(_shared_functions())


def _keyword_params(sig):
    return {n: p for n, p in sig.parameters.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _positional_names(sig):
    return [n for n, p in sig.parameters.items()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _code(fn):
    """The code object that does the work of ``fn`` (through decorators)."""
    fn = inspect.unwrap(fn)
    for attr in ("fun", "_fun"):   # custom_jvp objects and the like
        inner = getattr(fn, attr, None)
        if isinstance(inner, types.FunctionType):
            fn = inner
    return getattr(fn, "__code__", None)


def _loaded_names(code):
    """Names a code object (or a function nested in it) reads."""
    names = set()
    for ins in dis.get_instructions(code):
        if ins.opname.startswith(("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE")):
            names.update(ins.argval if isinstance(ins.argval, tuple) else (ins.argval,))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _loaded_names(const) | set(const.co_freevars)
    return names


def test_the_audit_covers_the_api():
    spaces = {p.values[0] for p in SHARED}
    assert spaces == set(NAMESPACES), spaces
    assert len(SHARED) > 200, len(SHARED)


@pytest.mark.parametrize("space, name, ours, theirs", SHARED)
def test_keywords_are_jax_keywords(space, name, ours, theirs):
    ours_sig, theirs_sig = inspect.signature(ours), inspect.signature(theirs)
    theirs_params = theirs_sig.parameters
    if any(p.kind == p.VAR_KEYWORD for p in theirs_params.values()):
        return   # JAX takes any keyword here
    extra = [n for n in _keyword_params(ours_sig) if n not in theirs_params
             and (space, name, n) not in EXCEPTIONS]
    assert not extra, f"{space}.{name} accepts keywords JAX does not have: {extra}"


@pytest.mark.parametrize("space, name, ours, theirs", SHARED)
def test_positional_parameters_match_jax(space, name, ours, theirs):
    ours_sig, theirs_sig = inspect.signature(ours), inspect.signature(theirs)
    ours_pos, theirs_pos = _positional_names(ours_sig), _positional_names(theirs_sig)
    theirs_varargs = any(p.kind == p.VAR_POSITIONAL for p in theirs_sig.parameters.values())
    for k, n in enumerate(ours_pos[1:], start=1):   # the first is the operand, any name
        if k >= len(theirs_pos):
            assert theirs_varargs, f"{space}.{name}: {n} is positional {k}; JAX has only " \
                                   f"{len(theirs_pos)} positional parameters"
        elif ours_sig.parameters[n].kind != inspect.Parameter.POSITIONAL_ONLY:
            assert theirs_pos[k] == n, f"{space}.{name}: position {k} is {n} here, " \
                                       f"{theirs_pos[k]} in JAX"


@pytest.mark.parametrize("space, name, ours, theirs", SHARED)
def test_defaults_match_jax(space, name, ours, theirs):
    theirs_params = inspect.signature(theirs).parameters
    for n, p in inspect.signature(ours).parameters.items():
        q = theirs_params.get(n)
        if (q is None or p.default is p.empty or q.default is q.empty
                or (space, name, n) in EXCEPTIONS):
            continue
        try:
            same = bool(p.default is q.default or p.default == q.default)
        except Exception:   # arrays and other values without a plain ==
            same = False
        assert same, f"{space}.{name}: default {n}={p.default!r} here, {q.default!r} in JAX"


@pytest.mark.parametrize("space, name, ours, theirs", SHARED)
def test_no_parameter_is_accepted_and_ignored(space, name, ours, theirs):
    code = _code(ours)
    if code is None:
        pytest.skip(f"{space}.{name} has no Python code to read")
    used = _loaded_names(code)
    ignored = [n for n, p in inspect.signature(ours).parameters.items()
               if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and n not in used
               and (space, name, n) not in EXCEPTIONS]
    assert not ignored, (f"{space}.{name} accepts {ignored} and never reads them: implement "
                         "them or refuse non-defaults with util.reject_unsupported")


def test_exceptions_are_still_needed():
    """Every entry of the exception table names a real parameter."""
    for space, name, param in EXCEPTIONS:
        ours = getattr(NAMESPACES[space][0], name)
        assert param in inspect.signature(ours).parameters, (space, name, param)


def test_reject_unsupported():
    from minijax.util import reject_unsupported
    reject_unsupported("f", out=(None, None), flag=(False, False), n=(0, 0))
    with pytest.raises(NotImplementedError, match="out="):
        reject_unsupported("f", out=(mjnp.zeros(2), None))
    with pytest.raises(NotImplementedError, match="flag=True"):
        reject_unsupported("f", flag=(True, False))
