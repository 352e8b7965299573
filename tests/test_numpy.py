"""``minijax.numpy`` against ``jax.numpy``: values, dtypes, weak types, errors.

Every function of the ``minijax.numpy`` surface is called on many dtypes and
shapes. JAX's result *types* (shape, dtype, weak type) and its exceptions come
from ``jax.eval_shape``, which only traces; JAX's *values* come from one
``jax.jit`` of all the calls of a test, so each test compiles once.
"""
import operator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minijax
import minijax.numpy as mnp

from helpers import check_like_jax, weak_type

F32_LOOSE = dict(rtol=2e-5, atol=2e-5)
DTYPES = [np.dtype(d) for d in ("bool", "int8", "uint8", "int32", "float16", "float32",
                                "complex64")]
SCALARS = [True, 2, 0.5, 1 + 0.5j]


def _builtin_base(err_type):
    """The first builtin exception class of ``err_type`` (AxisError -> ValueError)."""
    return next(c for c in err_type.__mro__ if c.__module__ == "builtins")


def _types(tree):
    return [(np.shape(x), np.dtype(x.dtype) if hasattr(x, "dtype") else np.asarray(x).dtype,
             weak_type(x) if not hasattr(x, "weak_type") or hasattr(x, "aval")
             else bool(x.weak_type)) for x in jax.tree_util.tree_leaves(tree)]


def check_calls(calls, tol=F32_LOOSE, eager=False):
    """Call each ``fn(np_)`` with ``np_`` = minijax.numpy and jax.numpy.

    Where JAX raises, minijax must raise an exception with the same builtin
    base class. Otherwise the pytree structure, shapes, dtypes and weak types
    must equal JAX's (traced with ``eval_shape``) and the values JAX's (one
    ``jit`` for all calls; ``eager=True`` for calls that need concrete values).
    """
    ok = []
    for label, fn in calls:
        try:
            expected = fn(jnp) if eager else jax.eval_shape(lambda: fn(jnp))
        except Exception as err:   # noqa: BLE001: the type is what we compare
            with pytest.raises(Exception) as ours:
                fn(mnp)
            assert isinstance(ours.value, _builtin_base(type(err))), (label, ours.value, err)
            continue
        try:
            ours = fn(mnp)
        except Exception as err:
            raise AssertionError(f"{label}: minijax raised {err!r} where JAX does not") from err
        assert str(minijax.tree_util.tree_structure(ours)) == \
            str(jax.tree_util.tree_structure(expected)), label
        assert _types(ours) == _types(expected), (label, _types(ours), _types(expected))
        ok.append((label, fn, ours))
    if not ok:
        return
    if eager:
        theirs = [fn(jnp) for _, fn, _ in ok]
    else:
        theirs = jax.jit(lambda: [fn(jnp) for _, fn, _ in ok])()
    for (label, _, ours), their in zip(ok, theirs):
        leaf_tol = tol
        if any(np.asarray(x).dtype == np.float16 for x in jax.tree_util.tree_leaves(their)):
            leaf_tol = dict(rtol=4e-3, atol=4e-3)   # a few float16 ulps
        try:
            check_like_jax(ours, their, check_dtypes=False, **leaf_tol)
        except AssertionError as err:
            raise AssertionError(f"{label}: {err}") from None


def sample(dtype, shape, rng, positive=False):
    """Values every function accepts: small, nonzero, in (0, 1) for floats."""
    dtype = np.dtype(dtype)
    if dtype == bool:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(1, 4, size=shape).astype(dtype)
    vals = rng.uniform(0.1, 0.9, size=shape)
    if dtype.kind == "c":
        vals = vals + 1j * rng.uniform(0.1, 0.5, size=shape)
    elif not positive:
        vals = vals * rng.choice([-1, 1], size=shape)
    return vals.astype(dtype)


# ---------------------------------------------------------------------------
# Elementwise functions on every dtype

UNARY = ["abs", "absolute", "fabs", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
         "arctanh", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "ceil", "conj",
         "conjugate", "cos", "cosh", "deg2rad", "degrees", "exp", "exp2", "expm1", "floor",
         "imag", "invert", "bitwise_not", "isfinite", "isinf", "isnan", "isneginf", "isposinf",
         "log", "log10", "log1p", "log2", "logical_not", "negative", "positive", "rad2deg",
         "radians", "real", "reciprocal", "rint", "round", "around", "sign", "sin", "sinc",
         "sinh", "sqrt", "square", "tan", "tanh", "trunc", "angle", "nan_to_num"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder",
          "mod", "fmod", "power", "pow", "maximum", "minimum", "arctan2", "hypot", "logaddexp",
          "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
          "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or",
          "logical_xor", "nextafter", "heaviside", "divmod", "isclose", "allclose",
          "array_equal"]
DIVISIONS = {"divide", "true_divide", "floor_divide", "remainder", "mod", "fmod", "divmod"}


@pytest.mark.parametrize("name", UNARY)
def test_unary_on_every_dtype(name):
    rng = np.random.default_rng(0)
    calls = []
    for dtype in DTYPES:
        x = sample(dtype, (2, 3), rng)
        calls.append((f"{name}({dtype})", lambda np_, x=x: getattr(np_, name)(x)))
    for s in SCALARS:   # Python scalars: weakly typed
        calls.append((f"{name}({s!r})", lambda np_, s=s: getattr(np_, name)(s)))
    check_calls(calls)


@pytest.mark.parametrize("name", BINARY)
def test_binary_on_every_dtype_pair(name):
    """Every pair of dtypes and array/scalar mixes: JAX's promotion, weak types."""
    rng = np.random.default_rng(1)
    calls = []
    operands = [sample(d, (3,), rng) for d in DTYPES] + SCALARS
    if name in DIVISIONS:   # no False divisors: integer division by zero is undefined
        operands[0] = np.ones(3, bool)
    for x, y in ((x, y) for x in operands for y in operands):
        if not hasattr(x, "shape") and not hasattr(y, "shape") and (x, y) != (2, 0.5):
            continue   # scalar-scalar: one pair is enough
        calls.append((f"{name}({x!r}, {y!r})", lambda np_, x=x, y=y: getattr(np_, name)(x, y)))
    check_calls(calls)


broadcastable = st.lists(st.integers(0, 3), min_size=0, max_size=3).flatmap(
    lambda shape: st.tuples(st.just(tuple(shape)), st.lists(
        st.sampled_from(["keep", "one", "drop"]), min_size=len(shape), max_size=len(shape))))


def _broadcast_partner(shape, how):
    """A shape that broadcasts with ``shape``: some axes 1, some leading ones dropped."""
    out = [1 if h == "one" else d for d, h in zip(shape, how)]
    n_drop = 0
    for h in how:
        if h != "drop":
            break
        n_drop += 1
    return tuple(out[n_drop:])


@pytest.mark.parametrize("name", ["add", "multiply", "divide", "maximum", "power", "arctan2",
                                  "less", "where", "logaddexp", "floor_divide", "hypot"])
@settings(max_examples=max(3, settings().max_examples // 4))
@given(shapes=broadcastable, swap=st.booleans(), seed=st.integers(0, 2**16))
def test_numpy_broadcasting(name, shapes, swap, seed):
    shape, how = shapes
    other = _broadcast_partner(shape, how)
    if swap:
        shape, other = other, shape
    rng = np.random.default_rng(seed)
    x, y = sample(np.float32, shape, rng, True), sample(np.float32, other, rng, True)
    if name == "where":
        calls = [("where", lambda np_: np_.where(x > 0.5, x, y)),
                 ("where scalar", lambda np_: np_.where(y > 0.5, 0.0, x))]
    else:
        calls = [(name, lambda np_: getattr(np_, name)(x, y)),
                 (name + " int", lambda np_: getattr(np_, name)(x, y.astype(np.int32) + 1))]
    check_calls(calls)


@pytest.mark.parametrize("other", [(4,), (2, 4)], ids=["ranks_differ", "ranks_equal"])
@pytest.mark.parametrize("name", ["add", "multiply", "less", "where", "matmul", "maximum"])
def test_incompatible_shapes_raise_like_jax(name, other):
    # JAX: ValueError from broadcast_shapes when ranks differ, but the
    # primitive's TypeError ("add got incompatible shapes...") when they agree.
    x, y = np.ones((2, 3), np.float32), np.ones(other, np.float32)
    if name == "where":
        call = lambda np_: np_.where(x > 0, x, y)   # noqa: E731
    else:
        call = lambda np_: getattr(np_, name)(x, y)   # noqa: E731
    check_calls([(name, call)])


def test_non_array_arguments_are_type_errors():
    check_calls([
        ("sin(str)", lambda np_: np_.sin("a")),
        ("add(list, array)", lambda np_: np_.add([1.0, 2.0], np_.ones(2))),
        ("sum(list)", lambda np_: np_.sum([1.0, 2.0])),
        ("array(object)", lambda np_: np_.array([object()])),
    ])


# ---------------------------------------------------------------------------
# Reductions


REDUCTIONS = ["sum", "prod", "mean", "max", "min", "amax", "amin", "all", "any", "argmax",
              "argmin", "std", "var", "cumsum", "cumprod"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_axes_and_keepdims(name):
    rng = np.random.default_rng(2)
    x = sample(np.float32, (2, 3, 4), rng)
    calls = []
    axes = [None, 0, 1, -1, (0, 2), (-1, 0)]
    if name in ("argmax", "argmin", "cumsum", "cumprod"):
        axes = [None, 0, 2, -1]
    for axis in axes:
        kwargs = [{}]
        if name not in ("cumsum", "cumprod"):
            kwargs.append({"keepdims": True})
        for kw in kwargs:
            calls.append((f"{name}(axis={axis}, {kw})",
                          lambda np_, axis=axis, kw=kw: getattr(np_, name)(x, axis=axis, **kw)))
    for dtype in DTYPES:
        if name in ("argmax", "argmin") and dtype.kind == "c":
            continue   # jax 0.10.2 traces argmax of complex numbers but cannot compile it
        v = sample(dtype, (3, 2), rng)
        calls.append((f"{name}({dtype})", lambda np_, v=v: getattr(np_, name)(v)))
        calls.append((f"{name}({dtype}, axis=0)", lambda np_, v=v: getattr(np_, name)(v, 0)))
    calls.append((f"{name}(scalar)", lambda np_: getattr(np_, name)(2.5)))
    calls.append((f"{name}(axis=3)", lambda np_: getattr(np_, name)(x, axis=3)))
    calls.append((f"{name}(size 0)", lambda np_: getattr(np_, name)(np.ones((0, 2)), axis=0)))
    check_calls(calls)


def test_reduction_options():
    rng = np.random.default_rng(3)
    x = sample(np.float32, (3, 4), rng)
    i = sample(np.int8, (3, 4), rng)
    check_calls([
        ("sum dtype", lambda np_: np_.sum(i, dtype=np_.float32)),
        ("sum int8", lambda np_: np_.sum(i)),
        ("sum uint8", lambda np_: np_.sum(i.astype(np.uint8), axis=0)),
        ("sum bool", lambda np_: np_.sum(i > 1)),
        ("prod int8", lambda np_: np_.prod(i, axis=1)),
        ("mean int", lambda np_: np_.mean(i, axis=1)),
        ("mean dtype", lambda np_: np_.mean(x, dtype=np_.float16)),
        ("sum initial", lambda np_: np_.sum(x, axis=1, initial=2.0)),
        ("max initial", lambda np_: np_.max(x, axis=0, initial=5.0)),
        ("max empty initial", lambda np_: np_.max(np.ones((0,)), initial=1.0)),
        ("var ddof", lambda np_: np_.var(x, axis=0, ddof=1)),
        ("std keepdims", lambda np_: np_.std(x, axis=1, keepdims=True)),
        ("var complex", lambda np_: np_.var(x + 1j * x[::-1])),
        ("cumsum int8", lambda np_: np_.cumsum(i, axis=0)),
        ("cumsum dtype", lambda np_: np_.cumsum(x, dtype=np_.int32)),
        ("duplicate axes", lambda np_: np_.sum(x, axis=(0, 0))),
        ("logsumexp", lambda np_: (np_.logsumexp if np_ is mnp else jax.nn.logsumexp)(
            x, axis=1)),
        ("logsumexp inf", lambda np_: (np_.logsumexp if np_ is mnp else jax.nn.logsumexp)(
            np.array([-np.inf, -np.inf], np.float32))),
        ("method sum", lambda np_: np_.asarray(x).sum(axis=0)),
        ("method mean", lambda np_: np_.asarray(x).mean()),
        ("method max", lambda np_: np_.asarray(x).max(axis=1, keepdims=True)),
        ("method argmax", lambda np_: np_.asarray(x).argmax(axis=0)),
        ("method prod", lambda np_: np_.asarray(x).prod()),
    ])


# ---------------------------------------------------------------------------
# Creation, shapes, joining, products


def test_creation_functions():
    check_calls([
        ("zeros", lambda np_: np_.zeros((2, 3))), ("ones int", lambda np_: np_.ones(3, int)),
        ("full", lambda np_: np_.full((2,), 3)), ("full array", lambda np_: np_.full(
            (2, 3), np.arange(3.0))),
        ("zeros_like", lambda np_: np_.zeros_like(np.ones((2,), np.int8))),
        ("ones_like dtype", lambda np_: np_.ones_like(np.ones(2), dtype=bool)),
        ("full_like", lambda np_: np_.full_like(np.ones(2, np.float16), 7)),
        ("eye", lambda np_: np_.eye(3, 4, k=-1)), ("identity", lambda np_: np_.identity(2)),
        ("arange", lambda np_: np_.arange(2, 11, 3)), ("arange float", lambda np_: np_.arange(
            0.0, 1.0, 0.25)), ("arange neg", lambda np_: np_.arange(5, 0, -2)),
        ("arange empty", lambda np_: np_.arange(-3)),
        ("linspace", lambda np_: np_.linspace(0, 1, 7)),
        ("linspace endpoint", lambda np_: np_.linspace(1.0, 2.0, 4, endpoint=False)),
        ("linspace retstep", lambda np_: np_.linspace(0, 10, 5, retstep=True)),
        ("linspace arrays", lambda np_: np_.linspace(np.zeros(2), np.ones(2), 3, axis=1)),
        ("linspace num 1", lambda np_: np_.linspace(2.0, 3.0, 1)),
        ("linspace negative num", lambda np_: np_.linspace(0, 1, -1)),
        ("zeros negative", lambda np_: np_.zeros((-1, 2))),
        ("tri", lambda np_: np_.tri(3, 4, 1)), ("tril", lambda np_: np_.tril(
            np.arange(12.0).reshape(3, 4), -1)), ("triu", lambda np_: np_.triu(
                np.arange(12.0).reshape(3, 4), 1)),
        ("diag vector", lambda np_: np_.diag(np.arange(3.0), 1)),
        ("diag vector neg", lambda np_: np_.diag(np.arange(3.0), -2)),
        ("diag matrix", lambda np_: np_.diag(np.arange(12.0).reshape(3, 4), 1)),
        ("array nested", lambda np_: np_.array([[1, 2], [3, 4]], dtype=np_.float32)),
        ("array ndmin", lambda np_: np_.array(3.0, ndmin=2)),
        ("array of arrays", lambda np_: np_.array([np_.ones(2), np_.zeros(2)])),
        ("asarray", lambda np_: np_.asarray((1, 2.5))),
        ("constants", lambda np_: np_.asarray([np_.pi, np_.e, np_.inf, np_.nan])),
    ])


def test_shape_functions():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    v = np.arange(6, dtype=np.int32)
    check_calls([
        ("reshape", lambda np_: np_.reshape(x, (6, -1))),
        ("reshape int", lambda np_: np_.reshape(v, 6)),
        ("reshape bad", lambda np_: np_.reshape(x, (5, -1))),
        # On an array (JAX forwards a numpy input to numpy's own reshape and error).
        ("reshape two -1", lambda np_: np_.reshape(np_.asarray(x), (-1, -1))),
        ("method reshape", lambda np_: np_.asarray(x).reshape(4, 6)),
        ("ravel", lambda np_: np_.ravel(x)), ("flatten", lambda np_: np_.asarray(x).flatten()),
        ("transpose", lambda np_: np_.transpose(x)),
        ("transpose axes", lambda np_: np_.transpose(x, (1, -1, 0))),
        ("transpose bad", lambda np_: np_.transpose(x, (0, 1))),
        ("method transpose", lambda np_: np_.asarray(x).transpose(2, 0, 1)),
        (".T", lambda np_: np_.asarray(x).T), (".mT", lambda np_: np_.asarray(x).mT),
        ("swapaxes", lambda np_: np_.swapaxes(x, 0, -1)),
        ("moveaxis", lambda np_: np_.moveaxis(x, 0, -1)),
        ("moveaxis many", lambda np_: np_.moveaxis(x, (0, 1), (2, 0))),
        ("matrix_transpose", lambda np_: np_.matrix_transpose(x)),
        ("squeeze", lambda np_: np_.squeeze(np.ones((1, 3, 1)))),
        ("squeeze axis", lambda np_: np_.squeeze(np.ones((1, 3, 1)), axis=-1)),
        ("squeeze bad", lambda np_: np_.squeeze(np.ones((1, 3, 1)), axis=1)),
        ("expand_dims", lambda np_: np_.expand_dims(v, 0)),
        ("expand_dims tuple", lambda np_: np_.expand_dims(v, (0, -1))),
        ("atleast_1d", lambda np_: np_.atleast_1d(3.0)),
        ("atleast_2d", lambda np_: np_.atleast_2d(v)),
        ("broadcast_to", lambda np_: np_.broadcast_to(v, (2, 6))),
        ("broadcast_to bad", lambda np_: np_.broadcast_to(v, (2, 5))),
        ("broadcast_arrays", lambda np_: np_.broadcast_arrays(v, np.ones((3, 1)))),
        ("meshgrid xy", lambda np_: np_.meshgrid(v, np.arange(3.0), np.arange(2))),
        ("meshgrid ij sparse", lambda np_: np_.meshgrid(v, np.arange(3.0), indexing="ij",
                                                         sparse=True)),
        ("meshgrid one", lambda np_: np_.meshgrid(v)),
        ("meshgrid 2d bad", lambda np_: np_.meshgrid(x)),
        ("meshgrid indexing bad", lambda np_: np_.meshgrid(v, v, indexing="yx")),
        ("flip", lambda np_: np_.flip(x, 1)), ("flip all", lambda np_: np_.flip(x)),
        ("fliplr", lambda np_: np_.fliplr(x)), ("flipud", lambda np_: np_.flipud(x)),
        ("roll", lambda np_: np_.roll(v, 2)), ("roll axis", lambda np_: np_.roll(x, -1, 1)),
        ("tile", lambda np_: np_.tile(v, (2, 1))), ("repeat", lambda np_: np_.repeat(v, 2)),
        ("repeat axis", lambda np_: np_.repeat(x, 2, axis=1)),
        ("diagonal", lambda np_: np_.diagonal(x, 1, 1, 2)),
        ("trace", lambda np_: np_.trace(x[0])), ("trace offset", lambda np_: np_.trace(
            x[0], -1)),
        ("split", lambda np_: np_.split(v, 3)), ("split indices", lambda np_: np_.split(
            x, [1, 3], axis=2)), ("split bad", lambda np_: np_.split(v, 4)),
        # Found by the conformance sweep (nn.glu of an empty axis): sections of an empty axis.
        ("split empty", lambda np_: np_.split(np.zeros((2, 0)), 2, axis=1)),
        ("outer", lambda np_: np_.outer(v, v[:3])),
        ("kron", lambda np_: np_.kron(np.eye(2), np.arange(4.0).reshape(2, 2))),
        ("cross", lambda np_: np_.cross(np.arange(6.0).reshape(2, 3), np.ones(3))),
        ("take", lambda np_: np_.take(x, np.array([2, 0]), axis=1)),
        ("take flat", lambda np_: np_.take(x, np.array([5, 23]))),
        ("take_along_axis", lambda np_: np_.take_along_axis(
            x, np.argsort(x, axis=2)[..., ::-1], axis=2)),
        ("where 3", lambda np_: np_.where(x > 5, x, -1)),
        ("where int cond", lambda np_: np_.where(v, 1.0, 0)),
        ("select", lambda np_: np_.select([v < 2, v < 4], [v, -v], 9)),
        ("clip", lambda np_: np_.clip(x, 3, 10)), ("clip min only", lambda np_: np_.clip(
            v, 2)), ("clip kw", lambda np_: np_.clip(x, min=4.0, max=5.0)),
        ("method clip", lambda np_: np_.asarray(v).clip(1, 4)),
        ("shape", lambda np_: np_.asarray(np_.shape(x))),
        ("ndim size", lambda np_: np_.asarray([np_.ndim(x), np_.size(x), np_.size(x, 1)])),
    ])


def test_joining_functions():
    a, b = np.arange(6.0, dtype=np.float32).reshape(2, 3), np.ones((2, 3), np.int32)
    check_calls([
        ("concatenate", lambda np_: np_.concatenate([a, b])),
        ("concatenate axis", lambda np_: np_.concatenate([a, b, a], axis=-1)),
        ("concatenate None", lambda np_: np_.concatenate([a, b[0]], axis=None)),
        ("concatenate one", lambda np_: np_.concatenate([b])),
        ("concatenate 0-d", lambda np_: np_.concatenate([np.float32(1), np.float32(2)])),
        ("concatenate mismatch", lambda np_: np_.concatenate([a, np.ones((2, 2))])),
        ("concatenate dtype", lambda np_: np_.concatenate([a, b], dtype=np_.int32)),
        ("stack", lambda np_: np_.stack([a, b])), ("stack axis", lambda np_: np_.stack(
            [a, b], axis=-1)), ("stack mismatch", lambda np_: np_.stack([a, b[0]])),
        ("stack scalars", lambda np_: np_.stack([1.0, 2.0, 3])),
        ("vstack", lambda np_: np_.vstack([a, b[0]])), ("vstack 1d", lambda np_: np_.vstack(
            [np.ones(3), np.zeros(3)])),
        ("hstack", lambda np_: np_.hstack([a, b])), ("hstack 1d", lambda np_: np_.hstack(
            [np.ones(3), np.zeros(2)])), ("hstack scalars", lambda np_: np_.hstack([1.0, 2])),
        ("column_stack", lambda np_: np_.column_stack([np.ones(3), np.zeros(3)])),
        ("empty", lambda np_: np_.concatenate([])),
    ])


def test_products():
    rng = np.random.default_rng(4)
    m, v = sample(np.float32, (3, 4), rng), sample(np.float32, (4,), rng)
    b = sample(np.float32, (2, 4, 5), rng)
    c = sample(np.complex64, (4,), rng)
    i = sample(np.int32, (4, 2), rng)
    check_calls([
        ("dot mv", lambda np_: np_.dot(m, v)), ("dot vv", lambda np_: np_.dot(v, v)),
        ("dot mm", lambda np_: np_.dot(m, i)), ("dot scalar", lambda np_: np_.dot(2.0, v)),
        ("dot nd", lambda np_: np_.dot(m, b)), ("dot mismatch", lambda np_: np_.dot(m, m)),
        ("vdot", lambda np_: np_.vdot(c, c)), ("vdot real", lambda np_: np_.vdot(m, m)),
        ("inner", lambda np_: np_.inner(m, m)),
        ("matmul", lambda np_: np_.matmul(m, b)), ("matmul vec", lambda np_: np_.matmul(v, b)),
        ("matmul vec right", lambda np_: np_.matmul(b, np.ones(5, np.float32))),
        ("matmul batch broadcast", lambda np_: np_.matmul(b[:, None], np.ones(
            (3, 5, 2), np.float32))),
        ("matmul int", lambda np_: np_.matmul(i.T, i)),
        ("matmul scalar", lambda np_: np_.matmul(2.0, v)),
        ("matmul mismatch", lambda np_: np_.matmul(m, m)),
        ("@", lambda np_: np_.asarray(m) @ v), ("@ reflected", lambda np_: m @ np_.asarray(b)),
        ("tensordot", lambda np_: np_.tensordot(m, b, 1)),
        ("tensordot 0", lambda np_: np_.tensordot(v, v, 0)),
        ("tensordot pairs", lambda np_: np_.tensordot(b, m, ((1,), (1,)))),
        ("tensordot lists", lambda np_: np_.tensordot(b, b, [[0, 1], [0, 1]])),
        ("tensordot too many", lambda np_: np_.tensordot(v, v, 2)),
        ("method dot", lambda np_: np_.asarray(m).dot(v)),
    ])


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("i,i->", [(4,), (4,)]),
    ("i,i", [(4,), (4,)]), ("i,j->ij", [(3,), (4,)]), ("ij->ji", [(3, 4)]), ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]), ("ij->", [(3, 4)]), ("ij->j", [(3, 4)]), ("bij,bjk->bik", [(2, 3, 4),
                                                                                   (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]), ("ij,j->i", [(3, 4), (4,)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("i,ij,j->", [(3,), (3, 4), (4,)]),
    ("ijk,ik->j", [(2, 3, 4), (2, 4)]), ("bi,bi->b", [(5, 3), (5, 3)]),
    ("...i,...i", [(2, 3), (2, 3)]), ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]), ("iij->j", [(3, 3, 2)]),
    ("ij,jk->ik", [(3, 4), (5, 5)]),   # mismatched sizes: an error
]


def test_einsum():
    rng = np.random.default_rng(5)
    calls = []
    for spec, shapes in EINSUM:
        ops = [sample(np.float32, s, rng) for s in shapes]
        calls.append((spec, lambda np_, spec=spec, ops=ops: np_.einsum(spec, *ops)))
    ints = [sample(np.int32, (3, 4), rng), sample(np.float32, (4,), rng)]
    calls.append(("mixed dtypes", lambda np_: np_.einsum("ij,j->i", *ints)))
    calls.append(("complex", lambda np_: np_.einsum("i,i->", np.ones(3, np.complex64) * 1j,
                                                    np.arange(3.0, dtype=np.float32))))
    check_calls(calls)


NORMS = [((5,), None, None), ((5,), 1, None), ((5,), 2, None), ((5,), np.inf, None),
         ((5,), -np.inf, None), ((5,), 0, None), ((5,), 3, None), ((3, 4), None, None),
         ((3, 4), "fro", None), ((3, 4), 1, None), ((3, 4), np.inf, None), ((3, 4), None, 0),
         ((3, 4), 2, -1), ((2, 3, 4), None, (1, 2)), ((2, 3, 4), 1, (2, 1)),
         ((2, 3, 4), None, None)]


def test_linalg_norm():
    rng = np.random.default_rng(6)
    calls = []
    for shape, ord_, axis in NORMS:
        x = sample(np.float32, shape, rng)
        for keepdims in (False, True):
            calls.append((f"norm({shape}, {ord_}, {axis}, {keepdims})",
                          lambda np_, x=x, o=ord_, a=axis, k=keepdims: np_.linalg.norm(
                              x, o, a, k)))
    z = sample(np.complex64, (4,), rng)
    calls.append(("complex", lambda np_: np_.linalg.norm(z)))
    calls.append(("int", lambda np_: np_.linalg.norm(np.arange(4))))
    check_calls(calls)


def test_linalg_norm_gradient():
    x = np.array([3.0, 4.0], np.float32)
    check_like_jax(minijax.jvp(mnp.linalg.norm, (x,), (np.ones(2, np.float32),)),
                   jax.jvp(jnp.linalg.norm, (x,), (np.ones(2, np.float32),)))


def test_concrete_only_functions():
    """Functions whose output shape depends on values run eagerly (under jit they fail)."""
    x = np.array([[0, 1, 2], [3, 0, 5]], np.int32)
    check_calls([
        ("nonzero", lambda np_: np_.nonzero(x)),
        ("where 1-arg", lambda np_: np_.where(x > 1)),
        ("arange array", lambda np_: np_.arange(np_.asarray(4))),
        ("bool mask", lambda np_: np_.asarray(x)[x > 1]),
    ], eager=True)


def test_allclose_isclose_values():
    a = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 1e-9], np.float32)
    b = np.array([1.0 + 1e-6, 2.1, np.nan, np.inf, np.inf, 0.0], np.float32)
    check_calls([
        ("isclose", lambda np_: np_.isclose(a, b)),
        ("isclose nan", lambda np_: np_.isclose(a, b, equal_nan=True)),
        ("isclose tol", lambda np_: np_.isclose(a, b, rtol=0.1, atol=0.0)),
        ("allclose", lambda np_: np_.allclose(a[:2], b[:2])),
        ("allclose nan", lambda np_: np_.allclose(a[2:3], b[2:3], equal_nan=True)),
        ("array_equal", lambda np_: np_.array_equal(a[:2], a[:2])),
        ("array_equal shape", lambda np_: np_.array_equal(a[:2], a[:3])),
        ("isclose ints", lambda np_: np_.isclose(np.arange(3), np.arange(3))),
    ])


# ---------------------------------------------------------------------------
# Indexing


def _index_st(shape):
    """numpy indices for an array of ``shape``: ints (negative too), slices with
    any step, None, Ellipsis, integer arrays, boolean masks."""
    def entry(size):
        return st.one_of(
            st.integers(-size, size - 1) if size else st.nothing(),
            st.builds(slice, st.none() | st.integers(-size - 1, size + 1),
                      st.none() | st.integers(-size - 1, size + 1),
                      st.none() | st.sampled_from([1, 2, -1, -2, 3])),
            st.lists(st.integers(-size, size - 1), min_size=1, max_size=3).map(
                lambda v: np.array(v, np.int32)) if size else st.nothing(),
        )

    @st.composite
    def index(draw):
        entries = [draw(entry(d)) for d in shape[:draw(st.integers(0, len(shape)))]]
        for _ in range(draw(st.integers(0, 2))):
            entries.insert(draw(st.integers(0, len(entries))), None)
        if draw(st.booleans()):
            entries.insert(draw(st.integers(0, len(entries))), Ellipsis)
        if draw(st.booleans()) and shape:
            return np.asarray(draw(st.lists(st.booleans(), min_size=shape[0],
                                            max_size=shape[0])))   # a boolean mask
        return tuple(entries)
    return index()


@settings(max_examples=max(5, settings().max_examples // 2))
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple).flatmap(
    lambda shape: st.tuples(st.just(shape), _index_st(shape))))
def test_indexing_like_jax(shape_and_index):
    shape, idx = shape_and_index
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    eager = isinstance(idx, np.ndarray) and idx.dtype == bool
    calls = [("getitem", lambda np_: np_.asarray(x)[idx])]
    if not eager:
        calls += [("at get", lambda np_: np_.asarray(x).at[idx].get()),
                  ("at add", lambda np_: np_.asarray(x).at[idx].add(10.0)),
                  ("at set unique", lambda np_: np_.asarray(x).at[idx].set(-1.0)
                   if not _has_repeats(idx, shape) else np_.asarray(x))]
    check_calls(calls, eager=eager)


def _has_repeats(idx, shape):
    """True if an integer-array index may select the same element twice (then
    ``.set`` has no defined winner)."""
    entries = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(e, np.ndarray) for e in entries)


def test_indexing_special_cases():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    check_calls([
        ("int", lambda np_: np_.asarray(x)[1]), ("neg int", lambda np_: np_.asarray(x)[-1, -2]),
        ("out of bounds int", lambda np_: np_.asarray(x)[2]),
        ("too many", lambda np_: np_.asarray(x)[0, 0, 0, 0]),
        ("two ellipses", lambda np_: np_.asarray(x)[..., 0, ...]),
        ("float index", lambda np_: np_.asarray(x)[1.0]),
        ("float array index", lambda np_: np_.asarray(x)[np.array([0.0])]),
        ("neg step", lambda np_: np_.asarray(x)[:, ::-2, 1:]),
        ("empty slice", lambda np_: np_.asarray(x)[:, 2:1]),
        ("advanced split", lambda np_: np_.asarray(x)[np.array([0, 1]), :, np.array([1, 2])]),
        ("advanced adjacent", lambda np_: np_.asarray(x)[:, np.array([[0], [2]]),
                                                      np.array([1, 3])]),
        ("advanced oob clamps", lambda np_: np_.asarray(x)[np.array([5, -7])]),
        ("list index", lambda np_: np_.asarray(x)[[1, 0]]),
        ("newaxis", lambda np_: np_.asarray(x)[None, :, np_.newaxis]),
        ("scalar array index", lambda np_: np_.asarray(x)[np_.asarray(1)]),
        ("uint index", lambda np_: np_.asarray(x)[np.uint8(1)]),
        ("at add repeats", lambda np_: np_.asarray(x).at[np.array([0, 0, 1])].add(1.0)),
        ("at set broadcast", lambda np_: np_.asarray(x).at[:, 1].set(np.arange(4.0))),
        ("at set int into float", lambda np_: np_.asarray(x).at[0, 0, 0].set(7)),
        ("at set oob dropped", lambda np_: np_.asarray(x).at[5].set(0.0)),
        ("at subtract", lambda np_: np_.asarray(x).at[1, ::2].subtract(1.0)),
        ("at set complex", lambda np_: np_.asarray(x).at[0].set(1j)),
        ("at get oob", lambda np_: np_.asarray(x).at[np.array([0, 9])].get()),
    ])


def test_traced_indices_under_vmap_and_jvp():
    x = np.arange(20.0, dtype=np.float32).reshape(5, 4)
    idx = np.array([0, 3, -1, -5, 4], np.int32)
    for fn in (lambda np_: lambda x, i: np_.asarray(x)[i],
               lambda np_: lambda x, i: np_.asarray(x)[i, ::-1],
               lambda np_: lambda x, i: np_.asarray(x).at[i].add(1.0),
               lambda np_: lambda x, i: np_.asarray(x)[i, 1:3]):
        ours = minijax.vmap(fn(mnp), (None, 0))(x, idx)
        theirs = jax.vmap(fn(jnp), (None, 0))(x, idx)
        check_like_jax(ours, theirs)
    ours = minijax.jvp(lambda x: x[np.array([2, 0])] * x[1], (x,), (np.ones_like(x),))
    theirs = jax.jvp(lambda x: x[np.array([2, 0])] * x[1], (x,), (np.ones_like(x),))
    check_like_jax(ours, theirs)


def test_traced_boolean_mask_is_an_index_error():
    for J, np_ in ((jax, jnp), (minijax, mnp)):
        with pytest.raises(IndexError):
            J.vmap(lambda x: x[x > 0])(np.ones((2, 3)))


# ---------------------------------------------------------------------------
# Operators and methods


OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
             operator.mod, operator.pow, operator.lt, operator.le, operator.gt, operator.ge,
             operator.eq, operator.ne, operator.and_, operator.or_, operator.xor, divmod]


@pytest.mark.parametrize("op", OPERATORS, ids=lambda op: op.__name__)
def test_operators_with_scalars_numpy_arrays_and_arrays(op):
    """``x op y`` and the reflected forms: minijax arrays with Python scalars,
    numpy arrays and numpy scalars on either side."""
    rng = np.random.default_rng(7)
    calls = []
    for dtype in (np.float32, np.int32, np.bool_, np.uint8):
        a = sample(dtype, (3,), rng, positive=True)
        if op in (operator.floordiv, operator.mod, divmod, operator.truediv):
            a = np.ones(3, dtype)   # no zero divisors: integer division by zero is undefined
        others = [2, 1.5, True, sample(np.float32, (3,), rng, True),
                  sample(np.int8, (2, 1), rng), np.float32(2.0), np.int16(3)]
        for o in others:
            if op in (operator.and_, operator.or_, operator.xor) and (
                    np.asarray(a).dtype.kind == "f" or np.asarray(o).dtype.kind == "f"):
                continue
            calls.append((f"{op.__name__}({dtype}, {o!r})",
                          lambda np_, a=a, o=o: op(np_.asarray(a), o)))
            calls.append((f"{op.__name__}({o!r}, {dtype})",
                          lambda np_, a=a, o=o: op(o, np_.asarray(a))))
    check_calls(calls)


def test_unary_operators_and_methods():
    rng = np.random.default_rng(8)
    x, i, b = sample(np.float32, (2, 3), rng), sample(np.int32, (3,), rng), np.array([True])
    z = sample(np.complex64, (2,), rng)
    check_calls([
        ("neg", lambda np_: -np_.asarray(x)), ("pos", lambda np_: +np_.asarray(i)),
        ("abs", lambda np_: abs(np_.asarray(x))), ("invert", lambda np_: ~np_.asarray(i)),
        ("invert bool", lambda np_: ~np_.asarray(b)), ("neg bool", lambda np_: -np_.asarray(b)),
        ("astype", lambda np_: np_.asarray(x).astype(np_.int8)),
        ("astype bool", lambda np_: np_.asarray(x).astype(bool)),
        ("astype weak", lambda np_: np_.asarray(2.0).astype(np_.float32)),
        (".real .imag", lambda np_: (np_.asarray(z).real, np_.asarray(z).imag,
                                     np_.asarray(x).imag)),
        ("conj", lambda np_: np_.asarray(z).conj()),
        ("round method", lambda np_: np_.asarray(x).round(1)),
        ("squeeze method", lambda np_: np_.asarray(x)[None].squeeze()),
        ("swapaxes method", lambda np_: np_.asarray(x).swapaxes(0, 1)),
        ("ravel method", lambda np_: np_.asarray(x).ravel()),
        ("all any", lambda np_: (np_.asarray(x).all(), np_.asarray(x > 0).any(axis=0))),
        ("cumsum method", lambda np_: np_.asarray(i).cumsum()),
        ("var std", lambda np_: (np_.asarray(x).var(), np_.asarray(x).std(axis=0))),
        ("trace diagonal", lambda np_: (np_.asarray(x).trace(), np_.asarray(x).diagonal())),
        ("take repeat", lambda np_: (np_.asarray(i).take(np.array([2, 0])),
                                     np_.asarray(i).repeat(2))),
    ])


def test_comparisons_and_properties():
    x = mnp.arange(6.0).reshape(2, 3)
    jx = jnp.arange(6.0).reshape(2, 3)
    assert (x.shape, x.ndim, x.size, x.dtype) == (jx.shape, jx.ndim, jx.size, jx.dtype)
    check_like_jax(x == 2, jx == 2)
    check_like_jax(x != x.T.T, jx != jx.T.T)
    check_like_jax(x < np.ones(3), jx < np.ones(3))
    assert (x == "a") is False and (jx == "a") is False   # NotImplemented -> identity


def test_unsupported_operands_defer_to_python():
    """Operators return NotImplemented for other types, so Python raises its TypeError."""
    for np_ in (mnp, jnp):
        with pytest.raises(TypeError):
            np_.ones(2) + "a"
        with pytest.raises(TypeError):
            object() * np_.ones(2)
        with pytest.raises(TypeError):
            np_.ones(2) < object()


def test_numpy_array_on_the_left_gives_an_array():
    """``np.ndarray + minijax.Array`` defers to minijax (``__array_priority__``)."""
    out = np.ones(3, np.float32) + mnp.ones(3)
    assert isinstance(out, minijax.Array)
    out = np.float32(2.0) * mnp.ones(3)
    assert isinstance(out, minijax.Array)
    check_like_jax(np.ones((2, 1), np.int32) * mnp.ones(3), np.ones((2, 1), np.int32) *
                   jnp.ones(3))


def test_functions_are_pure_and_reusable():
    x = mnp.arange(3.0)
    y = x.at[0].set(10.0)
    assert float(x[0]) == 0.0 and float(y[0]) == 10.0


def test_shape_and_type_queries():
    for shapes in [((2, 1), (3,)), ((), (4, 1)), ((0, 3), (1, 3)), ((5,),)]:
        assert mnp.broadcast_shapes(*shapes) == jnp.broadcast_shapes(*shapes)
    for np_ in (mnp, jnp):
        with pytest.raises(ValueError):
            np_.broadcast_shapes((2, 3), (4,))
    values = [lambda np_: 1.0, lambda np_: 1j, lambda np_: 3, lambda np_: np.float32(2),
              lambda np_: np.ones(2, np.complex64), lambda np_: np.array(2.0),
              lambda np_: np_.ones(()), lambda np_: np_.ones(2), lambda np_: np_.ones(2) * 1j]
    for make in values:
        assert mnp.iscomplexobj(make(mnp)) == jnp.iscomplexobj(make(jnp)), make(jnp)
        assert mnp.isscalar(make(mnp)) == jnp.isscalar(make(jnp)), make(jnp)
    check_calls([("empty_like", lambda np_: np_.empty_like(np.ones((2, 3), np.int8)).shape
                  and np_.zeros_like(np_.empty_like(np.ones((2, 3), np.int8)))),
                 ("empty", lambda np_: np_.zeros_like(np_.empty((2,), np_.float16)))])


def test_fix_rounds_toward_zero_like_numpy():
    x = np.array([-2.5, -1.2, 0.0, 1.7, 3.0], np.float32)
    np.testing.assert_array_equal(mnp.fix(x), np.fix(x))
    check_like_jax(mnp.fix(x), jnp.trunc(x))
