"""The conformance sweep: every public function, against real JAX.

For each entry of ``tests/conformance_table.py`` and seeded inputs in the
entry's domain:

* ``test_values``: eager values against JAX's eager values, and ``jit``
  values against ``jax.jit``'s, with the same shapes, dtypes and weak types;
* ``test_grads``: ``check_grads`` order 2, forward and reverse, in float64,
  for differentiable entries;
* ``test_transforms``: ``jvp``, ``vjp``, ``vmap`` (all operands batched, and
  the first one alone) and ``jit`` of ``vmap``, each against JAX;
* ``test_special_values``: elementwise entries on 0, -0, ±inf, nan, huge,
  tiny and denormal values (every pair of them for binary functions): the
  same values as JAX, with nans, infinities and signed zeros in the same
  places.

Which comparisons are exact, and the tolerances of the others:

* under ``jit`` both sides hand XLA a program and XLA compiles it; where the
  programs agree the bits agree, so jit results are compared bit for bit,
  unless ``JIT_NOT_BITWISE`` names the entry and says why the programs differ;
* eager minijax computes with numpy, JAX with XLA: entries marked ``exact``
  (no transcendental math, no sums) must agree bit for bit; the others
  within ``EAGER_TOL`` of their dtype: numpy's and XLA's implementations of
  transcendental functions and their summation orders differ in the last few
  bits (a few ulps; float16 math is done in float32 by both, then rounded);
* derivatives (jvp, vjp, vmap of non-exact entries) go through different
  chains of rounding on the two sides and use ``EAGER_TOL`` as well.

A bounded sample runs by default (a seeded rotation through each entry's
dtypes and shape groups, about three minutes on two cores);
``pytest --conformance-full`` runs every combination.
"""
import contextlib
import importlib
import zlib

import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads

from conformance_table import (BOOL, C64, C128, ENTRIES, EXCLUDED, F16, F32, F64, I32, MODULES,
                               candidates)
from helpers import weak_type, x64

# Per-dtype tolerances of eager (numpy against XLA) results; see the docstring.
EAGER_TOL = {
    F16: dict(rtol=4e-3, atol=4e-3),       # ~4 float16 ulps
    F32: dict(rtol=2e-6, atol=2e-6),       # ~16 float32 ulps
    C64: dict(rtol=2e-6, atol=2e-6),
    F64: dict(rtol=1e-13, atol=1e-13),     # ~450 float64 ulps: XLA's float64 erf/lgamma
    C128: dict(rtol=1e-13, atol=1e-13),
}

# Entries whose jit programs differ from JAX's, so that the bits may differ
# (compared within EAGER_TOL instead): {entry id: (dtype kinds, why)}.
_COMPLEX_TRIG = "JAX lowers complex trigonometric functions with its own formulas"
_INCOMPLETE = "series and continued fractions of minijax's own, not JAX's"
JIT_NOT_BITWISE = {
    "numpy.cos": ("c", _COMPLEX_TRIG), "numpy.sin": ("c", _COMPLEX_TRIG),
    "lax.cos": ("c", _COMPLEX_TRIG), "lax.sin": ("c", _COMPLEX_TRIG),
    "lax.cumlogsumexp": ("f", "1-ulp differences with reverse=True: the prefix scan of logaddexp "
                              "is associated differently from JAX's (to fix)"),
    # The incomplete gamma and beta functions: minijax's own series and
    # continued fractions (lax.special), and everything built on them.
    **{name: ("f", _INCOMPLETE) for name in (
        "special.gammainc", "special.gammaincc", "special.gammainc_in_x",
        "special.gammaincc_in_x", "special.betainc", "special.betainc_in_x", "lax.igamma",
        "lax.igammac", "lax.igamma_grad_a", "lax.igamma_in_x", "lax.betainc",
        "stats.poisson.cdf",
        *[f"stats.{d}.{f}" for d in ("gamma", "chi2", "beta")
          for f in ("cdf", "logcdf", "sf", "logsf")])},
    **{f"stats.chi2.{f}": ("f", "chi2's density is the gamma distribution's (JAX writes its own)")
       for f in ("logpdf", "pdf")},
    "numpy.polyint": ("fc", "1-ulp: divides by constant divisors, JAX by divisors it computes"),
    "numpy.polyfit": ("f", "1-ulp under vmap: minijax's SVD-based lstsq"),
    **{f"special.{name}": ("f", "minijax's own Chebyshev fits of the Bessel functions; JAX "
                                "lowers to XLA's (Cephes) approximations")
       for name in ("i0", "i0e", "i1", "i1e")},
    "special.zeta": ("f", "minijax sums Euler-Maclaurin in JAX's formula but its own order; "
                          "JAX lowers to XLA's chlo.zeta"),
    **{f"numpy.{name}": ("fi", "1-ulp differences of the linear interpolation: XLA contracts "
                              "it into an FMA in JAX's program and not in minijax's, which "
                              "sorts a transposed array (to fix)")
       for name in ("quantile", "percentile", "nanquantile", "nanpercentile")},
    "nn.dot_product_attention": ("f", "1-ulp float64 differences under jit: minijax's program "
                                      "differs from JAX's xla implementation (to investigate)"),
}

# Disagreements with JAX that a branch in progress fixes: {entry id: branch
# and what}. Non-strict: the entry's checks may fail (xfail) or pass. Empty
# when nothing is in flight; an entry that passes everywhere is removed.
PENDING_ELSEWHERE = {}


@contextlib.contextmanager
def pending(entry):
    """Turn a failure of a PENDING_ELSEWHERE entry into an xfail."""
    try:
        yield
    except Exception:   # noqa: BLE001
        if entry.id in PENDING_ELSEWHERE:
            pytest.xfail(f"{entry.id}: {PENDING_ELSEWHERE[entry.id]}")
        raise


# Real disagreements with JAX not fixed yet: {(entry id, test): reason and reproducer}.
# One more, for every float entry, has a test of its own:
# test_eager_flushes_denormals_like_xla.
# The test runs and must fail in exactly this way (a fix turns it into an error
# that asks to remove the line).
KNOWN_MISMATCHES = {
    # jax.jit(jnp.divide)(inf_array, finfo.max_array) is nan (XLA's vectorized
    # division multiplies by a reciprocal that flushes to 0); JAX's eager scalar
    # jnp.divide(inf, max) is inf, as is minijax's eager result.
    ("numpy.divide", "special_float32_eager"): "inf / finfo.max: nan under XLA's jit",
    ("lax.div", "special_float32_eager"): "inf / finfo.max: nan under XLA's jit",
    # JAX's betaln is off by 1.0 for b near finfo.max (betaln(1., 1.7e308) is
    # -708.73; log(1/b) = -709.73, minijax's value), and gives inf or nan where
    # XLA flushes its intermediate values at a = 2.2e-308 (minijax: finite).
    ("special.betaln", "special_float64_eager"): "huge and tiny float64 arguments",
}


# ---------------------------------------------------------------------------
# Sides and samples

def modules(ours):
    """{table module name: module object} of minijax (``ours``) or JAX."""
    return {key: importlib.import_module(pair[0 if ours else 1])
            for key, pair in MODULES.items()}


OURS, THEIRS = modules(True), modules(False)


def _seed(*parts):
    return zlib.crc32("/".join(map(str, parts)).encode())


def make_arg(domain, dtype, shape, rng):
    """One operand in ``domain`` (see conformance_table.DOMAINS)."""
    if domain == "bool" or (dtype == BOOL and domain != "int"):
        return rng.uniform(size=shape) < 0.5
    if domain == "int":
        return rng.integers(0, 3, shape).astype(np.int32)
    if np.issubdtype(dtype, np.integer):
        lo, hi = {"positive": (1, 6), "distinct": (-50, 50)}.get(domain, (-5, 6))
        if domain == "distinct":
            n = int(np.prod(shape))
            return (rng.permutation(n) - n // 2).reshape(shape).astype(dtype)
        return rng.integers(lo, hi, shape).astype(dtype)
    value = _real_values(domain, shape, rng)
    if np.issubdtype(dtype, np.complexfloating):
        value = value + 1j * _real_values(domain, shape, rng)
    return np.asarray(value).astype(dtype)


def _real_values(domain, shape, rng):
    if domain == "away":
        return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)
    if domain == "distinct":
        n = int(np.prod(shape))
        grid = rng.permutation(n) * 0.5 - n * 0.25 + rng.uniform(-0.1, 0.1, n)
        return grid.reshape(shape)
    lo, hi = {"real": (-2, 2), "positive": (0.5, 2), "bounded": (-0.9, 0.9), "unit": (0.1, 0.9),
              "above1": (1.2, 3), "int": (0, 3)}[domain]
    return rng.uniform(lo, hi, shape)


def make_args(entry, dtype, shapes, seed):
    rng = np.random.default_rng(seed)
    return [make_arg(d, dtype, s, rng) for d, s in zip(entry.domains, shapes)]


def combos(entry, full):
    """(dtype, shape group) pairs to run: all with ``--conformance-full``,
    else one, picked by a rotation seeded with the entry's id."""
    every = [(dt, shapes) for dt in entry.dtypes for shapes in entry.shapes]
    if full:
        return every
    return [every[_seed(entry.id) % len(every)]]


def dtype_mode(dtype):
    """64-bit mode on both sides for 64-bit dtypes; the default (32-bit) otherwise."""
    return x64() if dtype in (F64, C128) else contextlib.nullcontext()


@pytest.fixture
def full(request):
    return request.config.getoption("--conformance-full")


@contextlib.contextmanager
def known(entry, test):
    """Run one check of ``entry``; a KNOWN_MISMATCHES one must fail, a
    PENDING_ELSEWHERE one may. A failure names the check."""
    key = (entry.id, test)
    try:
        yield
    except Exception as err:   # noqa: BLE001: a known mismatch may be any exception
        if key in KNOWN_MISMATCHES or key in PENDING_ELSEWHERE:
            pytest.xfail(f"{entry.id} {test}: "
                         f"{KNOWN_MISMATCHES.get(key) or PENDING_ELSEWHERE[key]}")
        if isinstance(err, AssertionError):
            raise AssertionError(f"{entry.id}, check {test!r}: {err}") from None
        raise
    if key in KNOWN_MISMATCHES:
        raise AssertionError(f"known mismatch no longer fails; remove it from "
                             f"KNOWN_MISMATCHES: {key}: {KNOWN_MISMATCHES[key]}")


# ---------------------------------------------------------------------------
# Comparing results

def leaves_pairs(ours, theirs):
    our_leaves, our_tree = minijax.tree_util.tree_flatten(ours)
    their_leaves, their_tree = jax.tree_util.tree_flatten(theirs)
    assert our_tree.num_leaves == their_tree.num_leaves and \
        str(our_tree) == str(their_tree).replace("ArrayImpl", "Array"), (our_tree, their_tree)
    return zip(our_leaves, their_leaves)


def assert_same(ours, theirs, exact, tol=None, types=True, signed_zeros=True):
    """Same pytree, shapes, dtypes, weak types; nan, inf and signed zeros in
    the same places; the other values bit-equal (``exact``) or within ``tol``
    (default: EAGER_TOL of the dtype)."""
    for a, b in leaves_pairs(ours, theirs):
        a_np, b_np = np.asarray(a), np.asarray(b)
        leaf_exact = exact is True or (exact == "real" and a_np.dtype.kind != "c")
        assert a_np.shape == b_np.shape, ("shape", a_np.shape, b_np.shape)
        assert all(type(d) is int for d in np.shape(a)), ("shape of Python ints", np.shape(a))
        assert a_np.dtype == b_np.dtype, ("dtype", a_np.dtype, b_np.dtype)
        if types:
            assert weak_type(a) == weak_type(b), ("weak_type", weak_type(a), weak_type(b))
        if a_np.dtype == minijax.dtypes.float0:
            continue
        if np.issubdtype(a_np.dtype, np.complexfloating):
            parts = [(a_np.real, b_np.real), (a_np.imag, b_np.imag)]
        else:
            parts = [(a_np, b_np)]
        for x, y in parts:
            _assert_same_real(x, y, leaf_exact,
                              tol or EAGER_TOL.get(a_np.dtype, EAGER_TOL[F32]), signed_zeros)


def _assert_same_real(x, y, exact, tol, signed_zeros=True):
    if not np.issubdtype(x.dtype, np.floating):
        np.testing.assert_array_equal(x, y)
        return
    np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg="nan placement")
    np.testing.assert_array_equal(np.isposinf(x), np.isposinf(y), err_msg="+inf placement")
    np.testing.assert_array_equal(np.isneginf(x), np.isneginf(y), err_msg="-inf placement")
    zeros = (x == 0) & (y == 0) & signed_zeros
    np.testing.assert_array_equal(np.signbit(x[zeros]), np.signbit(y[zeros]),
                                  err_msg="signed zeros")
    finite = np.isfinite(x) & np.isfinite(y)
    if exact:
        np.testing.assert_array_equal(x[finite], y[finite], err_msg="bit-exact values")
    else:
        np.testing.assert_allclose(x[finite].astype(np.float64), y[finite].astype(np.float64),
                                   **tol, err_msg="values")


# ---------------------------------------------------------------------------
# The table is complete

def test_every_public_function_has_an_entry():
    covered = {f"{e.module}.{e.name}" for e in ENTRIES}
    missing = sorted(set(candidates()) - covered - set(EXCLUDED))
    assert not missing, f"public functions with no conformance entry (or EXCLUDED reason): {missing}"
    stale = sorted(set(EXCLUDED) & covered) + sorted(set(EXCLUDED) - set(candidates()))
    assert not stale, f"EXCLUDED names that have an entry or are not public: {stale}"


def test_entry_ids_are_unique():
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_known_mismatches_name_real_entries():
    ids = {e.id for e in ENTRIES}
    assert {k for k, _ in KNOWN_MISMATCHES} <= ids
    assert set(PENDING_ELSEWHERE) <= ids
    assert set(JIT_NOT_BITWISE) <= ids


def jit_bitwise(entry, args):
    """Whether jit results of ``entry`` on ``args`` must equal JAX's bit for bit."""
    kinds, _ = JIT_NOT_BITWISE.get(entry.id, ("", ""))
    return not any(np.asarray(a).dtype.kind in kinds for a in args)


IDS = [e.id for e in ENTRIES]


# ---------------------------------------------------------------------------
# Values, eager and under jit
#
# XLA compiles dominate the run time, so JAX's side is always one jit per
# check: its values are the reference for our eager values (within
# EAGER_TOL, or exactly for ``exact`` entries) and for our jit's (bit for bit).

@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_values(entry, full):
    with pending(entry):
        for dtype, shapes in combos(entry, full):
            with dtype_mode(dtype):
                args = make_args(entry, dtype, shapes, _seed(entry.id, dtype, shapes))
                _check_values(entry, args, "")


def _check_values(entry, args, label, denormals=False):
    ours_fn, their_fn = entry.fn(OURS[entry.module]), entry.fn(THEIRS[entry.module])
    if entry.jit:
        theirs = jax.jit(their_fn)(*args)
    else:
        theirs = their_fn(*args)
    ours, theirs_eager = ours_fn(*args), theirs
    if denormals:   # see test_eager_flushes_denormals_like_xla
        ours, theirs_eager = _without_denormals(args, ours, theirs)
    with known(entry, label + "eager"):
        assert_same(ours, theirs_eager, entry.exact)
    if entry.jit:
        with known(entry, label + "jit"):
            assert_same(minijax.jit(ours_fn)(*args), theirs, jit_bitwise(entry, args))


# ---------------------------------------------------------------------------
# Derivatives against finite differences

GRAD_ENTRIES = [e for e in ENTRIES
                if e.diff and e.grad_dtypes and (F64 in e.dtypes or C128 in e.dtypes)]


@pytest.mark.parametrize("entry", GRAD_ENTRIES, ids=[e.id for e in GRAD_ENTRIES])
def test_grads(entry, full):
    with pending(entry):
        dtype = F64 if F64 in entry.dtypes else C128
        groups = entry.shapes if full else [entry.shapes[_seed(entry.id) % len(entry.shapes)]]
        for shapes in groups:
            with x64():
                args = make_args(entry, dtype, shapes, _seed(entry.id, "grad", shapes))
                out = entry.fn(OURS[entry.module])(*args)
                if not all(np.isfinite(x).all() for x in minijax.tree_util.tree_leaves(out)):
                    continue   # e.g. max over an empty axis: no derivative to check
                with known(entry, "grads"):
                    check_grads(entry.fn(OURS[entry.module]), args, order=2, modes=("fwd", "rev"))


# ---------------------------------------------------------------------------
# jvp, vjp, vmap, jit∘vmap against JAX

def _inexact(x):
    return np.issubdtype(np.asarray(x).dtype, np.inexact)


def _like(x, rng):
    x = np.asarray(x)
    value = rng.normal(size=x.shape)
    if np.issubdtype(x.dtype, np.complexfloating):
        value = value + 1j * rng.normal(size=x.shape)
    return value.astype(x.dtype)


def _transform_dtype(entry):
    for dt in (F32, C64, F64, I32, BOOL):
        if dt in entry.dtypes:
            return dt
    return entry.dtypes[0]


TRANSFORM_ENTRIES = [e for e in ENTRIES if e.domains and (e.diff or e.vmap)]


@pytest.mark.parametrize("entry", TRANSFORM_ENTRIES, ids=[e.id for e in TRANSFORM_ENTRIES])
def test_transforms(entry, full):
    with pending(entry):
        dtypes = entry.dtypes if full else [_transform_dtype(entry)]
        groups = entry.shapes if full else [entry.shapes[_seed(entry.id, "t") % len(entry.shapes)]]
        for dtype in dtypes:
            for shapes in groups:
                with dtype_mode(dtype):
                    _check_transforms(entry, dtype, shapes, full)


def _check_transforms(entry, dtype, shapes, full):
    """jvp, vjp, vmap and jit∘vmap of ``entry`` against JAX's, all of JAX's
    results from one ``jax.jit`` (one compile). Arrays enter that jit as
    arguments, not constants: XLA folds constants with code of its own,
    whose results may differ (``lax.clz`` of negative numbers does)."""
    seed = _seed(entry.id, "transforms", dtype, shapes)
    rng = np.random.default_rng(seed)
    args = make_args(entry, dtype, shapes, seed)
    ours_fn, their_fn = entry.fn(OURS[entry.module]), entry.fn(THEIRS[entry.module])
    ours, theirs, inputs = {}, {}, {}   # check -> our result, JAX function of inputs, its inputs

    if entry.diff and any(_inexact(a) for a in args):
        moving = [i for i, a in enumerate(args) if _inexact(a)]
        primals = [args[i] for i in moving]
        g_ours = _partial_fn(ours_fn, args, moving)
        tangents = [_like(p, rng) for p in primals]
        ours["jvp"] = minijax.jvp(g_ours, primals, tangents)
        inputs["jvp"] = (args, primals, tangents)
        theirs["jvp"] = lambda a, p, t: jax.jvp(_partial_fn(their_fn, a, moving), p, t)
        out, vjp_ours = minijax.vjp(g_ours, *primals)
        if all(_inexact(x) for x in minijax.tree_util.tree_leaves(out)):
            cts = minijax.tree_util.tree_map(lambda x: _like(x, rng), out)
            ours["vjp"] = vjp_ours(cts)
            inputs["vjp"] = (args, primals, jax.tree_util.tree_map(np.asarray, cts))
            theirs["vjp"] = lambda a, p, c: jax.vjp(_partial_fn(their_fn, a, moving), *p)[1](c)

    jit_vmap = {}
    if entry.vmap:
        other = make_args(entry, dtype, shapes, seed + 1)
        batched = [np.stack([a, b]) for a, b in zip(args, other)]
        axes_sets = [0]
        if len(args) > 1 and (full or _seed(entry.id, "axes") % 2):
            axes_sets.append((0,) + (None,) * (len(args) - 1))
        for k, in_axes in enumerate(axes_sets):
            bargs = batched if in_axes == 0 else [batched[0]] + list(args[1:])
            ours[f"vmap{k}"] = minijax.vmap(ours_fn, in_axes)(*bargs)
            inputs[f"vmap{k}"] = bargs
            theirs[f"vmap{k}"] = (lambda in_axes: lambda *b: jax.vmap(their_fn, in_axes)(*b))(
                in_axes)
            if entry.jit and k == 0:
                jit_vmap = dict(ours=minijax.jit(minijax.vmap(ours_fn, in_axes))(*bargs),
                                theirs=jax.jit(jax.vmap(their_fn, in_axes))(*bargs), args=bargs)

    names = list(theirs)

    def all_of_jax(inputs):
        return [theirs[n](*inputs[n]) for n in names]
    their_values = jax.jit(all_of_jax)(inputs) if entry.jit else all_of_jax(inputs)
    for name, value in zip(names, their_values):
        with known(entry, name.rstrip("01")):
            if name.startswith("vmap"):
                assert_same(ours[name], value, entry.exact)
            else:   # XLA may fold a structurally zero t * 0 to +0 where eager has -0
                assert_same(ours[name], value, False, signed_zeros=False)
    if jit_vmap:
        with known(entry, "jit_vmap"):
            assert_same(jit_vmap["ours"], jit_vmap["theirs"], jit_bitwise(entry, jit_vmap["args"]))


def _partial_fn(fn, args, moving):
    """``fn`` as a function of the operands at ``moving`` (the others fixed to ``args``)."""
    def g(*xs):
        full_args = list(args)
        for i, x in zip(moving, xs):
            full_args[i] = x
        return fn(*full_args)
    return g


# ---------------------------------------------------------------------------
# Special values

def special_values(dtype):
    """Zeros of both signs, ±inf, nan, the largest, the smallest normal and
    denormal numbers of both signs, and a few ordinary values."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.array([0, 1, -1, 2, -7, 7, info.max, info.min], dtype)
    info = np.finfo(dtype)
    values = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, np.inf, -np.inf, np.nan,
              info.max, -info.max, info.tiny, -info.tiny, info.smallest_subnormal,
              -info.smallest_subnormal, 1 / info.eps, -1 / info.eps]
    return np.array(values, dtype)


EDGE_ENTRIES = [e for e in ENTRIES if e.edges]


@pytest.mark.parametrize("entry", EDGE_ENTRIES, ids=[e.id for e in EDGE_ENTRIES])
def test_special_values(entry, full):
    with pending(entry):
        dtypes = [d for d in entry.dtypes if d in (F32, F64, F16, I32)]
        if not full:   # one of float32, float64, int32 by rotation
            dtypes = [d for d in dtypes if d != F16]
            dtypes = dtypes[_seed(entry.id, "special") % len(dtypes):][:1]
        for dtype in dtypes:
            with dtype_mode(dtype):
                values = special_values(dtype)
                args = [values] if len(entry.domains) == 1 else [values[:, None], values[None, :]]
                _check_values(entry, args, f"special_{dtype}_", denormals=True)


def _is_denormal(x):
    x = np.asarray(x)
    if x.dtype.kind == "c":
        return _is_denormal(x.real) | _is_denormal(x.imag)
    if x.dtype.kind != "f":
        return np.zeros(x.shape, bool)
    return (x != 0) & (np.abs(x) < np.finfo(x.dtype).tiny)


def _without_denormals(args, ours, theirs):
    """Our and JAX's elementwise results with nan where an operand or our
    result is a denormal number: eager minijax (numpy) keeps denormals where
    XLA flushes them to zero (KNOWN mismatch, see the test below)."""
    our_np, their_np = np.asarray(ours), np.array(theirs)
    if our_np.shape != their_np.shape or our_np.dtype != their_np.dtype:
        return ours, theirs
    mask = _is_denormal(our_np)
    for a in args:
        mask = mask | np.broadcast_to(_is_denormal(a), mask.shape)
    if not mask.any():
        return ours, theirs
    our_np, their_np = our_np.copy(), their_np.copy()
    if our_np.dtype.kind in "fc":
        our_np[mask] = their_np[mask] = np.nan
    else:
        our_np[mask] = their_np[mask]
    return (minijax.numpy.asarray(our_np) if weak_type(ours) == weak_type(theirs) else ours,
            jax.numpy.asarray(their_np))


# KNOWN MISMATCH (too big for this sweep: it touches every eager primitive).
# XLA's CPU code runs with flush-to-zero and denormals-are-zero: a denormal
# operand of an arithmetic op counts as 0 and a denormal result becomes 0.
# Eager minijax computes with numpy, which keeps denormals:
#     jnp.exp(jnp.float32(-100.))          JAX 0.0    minijax 3.7e-44
#     jnp.float32(1e-45) * 1               JAX 0.0    minijax 1e-45
#     jnp.sqrt(jnp.float32(1e-45))         JAX 0.0    minijax 3.7e-23
# minijax.jit agrees with JAX (XLA on both sides). The special-value sweep
# therefore compares eager results only where no operand and no result is a
# denormal; this test keeps the difference visible until eager mode flushes.
@pytest.mark.xfail(strict=True, reason="eager minijax keeps denormals that XLA flushes to zero")
def test_eager_flushes_denormals_like_xla():
    import jax.numpy as jnp
    mnp = minijax.numpy
    tiny = np.float32(1e-45)
    cases = [(jnp.exp(np.float32(-100.0)), mnp.exp(np.float32(-100.0))),
             (jnp.multiply(tiny, 1), mnp.multiply(tiny, 1)),
             (jnp.sqrt(tiny), mnp.sqrt(tiny))]
    for theirs, ours in cases:
        assert_same(ours, theirs, exact=True)
