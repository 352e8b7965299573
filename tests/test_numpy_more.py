"""The jax.numpy functions of issue 12 against JAX: values, dtypes and weak
types (``check_calls``), then under minijax's ``jit`` and ``vmap`` and, where
differentiable, their derivatives (``check_grads`` and JAX's gradients).

This file: padding, rearranging, differences, polynomials, creation, array
attributes, and the shared helpers; also test_numpy_stats.py and
test_numpy_search.py."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import minijax
import minijax.numpy as mnp
from minijax.test_util import check_grads

from helpers import check_like_jax, x64
from test_numpy import check_calls

RNG = np.random.default_rng(12)
X = RNG.normal(size=(3, 4)).astype(np.float32)
V = np.sort(RNG.normal(size=5)).astype(np.float32)
I = RNG.integers(0, 5, size=(3, 4)).astype(np.int32)
NANS = X.copy()
NANS[0, 1] = NANS[2, 0] = NANS[2, 2] = np.nan
NANS[1, :] = np.nan
TOL = dict(rtol=2e-5, atol=2e-5)


def check_transforms(fn, *args, grad=True, vmap=True, tol=TOL):
    """``fn(np_, *args)`` under minijax's jit and vmap against JAX's, and its
    gradient (of the sum of its float outputs) against JAX's and finite differences."""
    ours = lambda *a: fn(mnp, *a)     # noqa: E731
    theirs = lambda *a: fn(jnp, *a)   # noqa: E731
    check_like_jax(minijax.jit(ours)(*args), jax.jit(theirs)(*args), **tol)
    if vmap:
        batched = [np.stack([a, np.flip(a)]) for a in args]
        check_like_jax(minijax.vmap(ours)(*batched), jax.vmap(theirs)(*batched), **tol)
    if grad:
        def total(np_, f):
            def scalar(*a):
                leaves = [leaf for leaf in (minijax if np_ is mnp else jax).tree_util.tree_leaves(
                    f(*a)) if np_.issubdtype(leaf.dtype, np_.floating)]
                return sum(np_.sum(leaf) for leaf in leaves)
            return scalar
        check_like_jax(minijax.grad(total(mnp, ours))(*args[:1], *args[1:]),
                       jax.grad(total(jnp, theirs))(*args), **tol)
        with x64():
            args64 = [a.astype(np.float64) if a.dtype == np.float32 else a for a in args]
            check_grads(lambda a: ours(a, *args64[1:]), (args64[0],), order=1)


# ---------------------------------------------------------------------------
# pad

PAD_MODES = ["constant", "edge", "wrap", "reflect", "symmetric", "linear_ramp", "maximum",
             "minimum", "mean", "median", "empty"]


@pytest.mark.parametrize("mode", PAD_MODES)
def test_pad(mode):
    calls = []
    for width in (0, 2, (1, 3), ((0, 5), (7, 1)), [[4, 0], [2, 9]]):
        calls.append((f"{mode} {width}", lambda np_, w=width: np_.pad(X, w, mode)))
        calls.append((f"{mode} int {width}", lambda np_, w=width: np_.pad(I, w, mode)))
    calls.append((f"{mode} 1-D", lambda np_: np_.pad(V, (2, 6), mode)))
    calls.append((f"{mode} scalar", lambda np_: np_.pad(np.float32(2), 1, mode)))
    calls.append(("negative", lambda np_: np_.pad(X, -1, mode)))
    calls.append(("bad shape", lambda np_: np_.pad(X, ((1, 2, 3),), mode)))
    extra = {"constant": [{"constant_values": 7}, {"constant_values": (1, 2)},
                          {"constant_values": ((1, 2), (3, 4))}],
             "reflect": [{"reflect_type": "odd"}], "symmetric": [{"reflect_type": "odd"}],
             "linear_ramp": [{"end_values": (5, -1)}, {"end_values": ((1, 2), (3, 4))}],
             "maximum": [{"stat_length": 2}], "mean": [{"stat_length": ((1, 2), (3, 1))}],
             "median": [{"stat_length": 3}], "minimum": [{"stat_length": (1, 9)}]}
    for kw in extra.get(mode, []):
        calls.append((f"{mode} {kw}", lambda np_, kw=kw: np_.pad(X, ((4, 7), (9, 3)), mode,
                                                                **kw)))
    calls.append(("unknown keyword", lambda np_: np_.pad(X, 1, mode, foo=1)))
    check_calls(calls)
    check_transforms(lambda np_, x: np_.pad(x, ((4, 7), (9, 3)), mode), X,
                     grad=mode not in ("maximum", "minimum", "median", "empty"))


def test_pad_errors_and_function_mode():
    def fill(vector, width, axis, kwargs):
        return vector.at[:width[0]].set(kwargs.get("value", 9))

    check_calls([
        ("unknown mode", lambda np_: np_.pad(X, 1, "nonsense")),
        ("empty axis", lambda np_: np_.pad(np.zeros((0, 2)), 1, "edge")),
        ("stat_length 0", lambda np_: np_.pad(X, 1, "mean", stat_length=0)),
        ("callable", lambda np_: np_.pad(X, 2, fill, value=-1.0)),
    ])
    with pytest.raises(minijax.errors.ConcretizationTypeError, match="pad_width"):
        minijax.jit(lambda w: mnp.pad(X, w))(2)


# ---------------------------------------------------------------------------
# Rearranging, differences, polynomials, products, creation

def test_rearranging():
    x3 = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    idx = np.array([[[0], [2], [1]], [[3], [3], [0]]])
    check_calls([
        ("array_split", lambda np_: np_.array_split(x3, 3, axis=2)),
        ("array_split idx", lambda np_: np_.array_split(x3, [1, 3], axis=-1)),
        ("split", lambda np_: np_.split(x3, np.array([1, 2]), axis=1)),
        ("split unequal", lambda np_: np_.split(x3, 3, axis=2)),
        ("hsplit", lambda np_: np_.hsplit(x3, 3)), ("hsplit 1-D", lambda np_: np_.hsplit(V, [2])),
        ("vsplit", lambda np_: np_.vsplit(x3, 2)), ("dsplit", lambda np_: np_.dsplit(x3, [1, 3])),
        ("atleast_3d", lambda np_: np_.atleast_3d(1.0, V, X, x3)),
        ("rot90", lambda np_: [np_.rot90(x3, k, ax) for k in (-1, 0, 1, 2, 3, 5)
                               for ax in ((0, 1), (2, 0), (1, -1))]),
        ("rot90 same axes", lambda np_: np_.rot90(X, 1, (1, 1))),
        ("concat", lambda np_: np_.concat([X, X], axis=1)),
        ("put_along_axis", lambda np_: np_.put_along_axis(x3, idx, -1.0, 2, inplace=False)),
        ("put_along_axis inplace", lambda np_: np_.put_along_axis(x3, idx, -1.0, 2)),
        ("tri indices", lambda np_: [np_.triu_indices(4), np_.tril_indices(3, 1, 5),
                                     np_.triu_indices_from(X, -1), np_.tril_indices_from(X, 2)]),
        ("roll tuple", lambda np_: np_.roll(x3, (1, -2), (0, 2))),
        ("roll shared shift", lambda np_: np_.roll(x3, 5, (1, 2))),
        ("repeat array", lambda np_: np_.repeat(x3, np.array([1, 0, 2]), axis=1)),
        ("repeat total", lambda np_: np_.repeat(x3, np.array([1, 0, 2]), 1,
                                                total_repeat_length=5)),
        ("repeat total short", lambda np_: np_.repeat(x3, 2, 2, total_repeat_length=3)),
        ("partition", lambda np_: [np_.partition(X, k, ax) for k in (0, 2, -1) for ax in (0, 1)]),
        ("argpartition", lambda np_: [np_.argpartition(X, k, 1) for k in (0, 1, 3)]),
        ("r_", lambda np_: [np_.r_[1:4, 0, np.array([7, 8])], np_.r_[0:1:5j],
                            np_.r_["-1", X, X], np_.r_["0,2", [1, 2], [3, 4]],
                            np_.r_["0,2,0", [1, 2], [3, 4]], np_.r_["r", 1:3]]),
        ("c_", lambda np_: [np_.c_[V, V], np_.c_[X, X], np_.c_[1:3, 4:6]]),
        ("cross axes", lambda np_: np_.cross(x3[:, :, :3], x3[:, 0, 1:], axisc=0)),
        ("cross 2-D vectors", lambda np_: np_.cross(X[:, :2], X[:, 2:])),
        ("cross axis", lambda np_: np_.cross(x3[:, :, :3].swapaxes(1, 2),
                                            x3[:, :, 1:].swapaxes(1, 2), axis=1)),
    ])
    check_transforms(lambda np_, x: np_.rot90(x, 1, (2, 0)), x3)
    check_transforms(lambda np_, x: np_.roll(x, (1, -2), (0, 2)), x3)
    check_transforms(lambda np_, x: np_.repeat(x, np.array([1, 0, 2, 3]), 2,
                                               total_repeat_length=5), x3)
    check_transforms(lambda np_, x: np_.partition(x, 1, 1), X)
    check_transforms(lambda np_, x: np_.put_along_axis(x, idx, 0.0, 2, inplace=False), x3)
    check_like_jax(minijax.jit(lambda s: mnp.roll(X, s, 1))(3),
                   jax.jit(lambda s: jnp.roll(X, s, 1))(3))


def test_differences_and_integrals():
    xp, fp = np.array([0, 1, 2.5, 4], np.float32), np.array([1.0, 3, -1, 2], np.float32)
    pts = np.linspace(-1, 5, 13).astype(np.float32)
    check_calls([
        ("diff", lambda np_: [np_.diff(X), np_.diff(X, 2, 0), np_.diff(X, 0)]),
        ("diff pre/append", lambda np_: np_.diff(X, prepend=0.0, append=X[:, :2])),
        ("diff bool", lambda np_: np_.diff(X > 0, axis=1)),
        ("diff 0-d", lambda np_: np_.diff(np.float32(1))),
        ("diff negative", lambda np_: np_.diff(X, -1)),
        ("ediff1d", lambda np_: np_.ediff1d(X, to_begin=np.array([7, 8]), to_end=-1)),
        ("cumulative_sum", lambda np_: [np_.cumulative_sum(X, axis=1, include_initial=True),
                                        np_.cumulative_sum(np.arange(4, dtype=np.int8))]),
        ("cumulative_sum no axis", lambda np_: np_.cumulative_sum(X)),
        ("trapezoid", lambda np_: [np_.trapezoid(X), np_.trapezoid(X, dx=0.5, axis=0),
                                   np_.trapezoid(X, x=xp), np_.trapezoid(X, x=X, axis=1)]),
        ("interp", lambda np_: [np_.interp(pts, xp, fp), np_.interp(pts, xp, fp, -7, 9),
                                np_.interp(pts, xp, fp, "extrapolate", "extrapolate"),
                                np_.interp(pts, xp, fp, period=3.0)]),
        ("interp bad", lambda np_: np_.interp(pts, xp, fp[:2])),
    ], tol=dict(rtol=1e-5, atol=1e-6))
    check_transforms(lambda np_, x: np_.diff(x, 2, prepend=0.0), X)
    check_transforms(lambda np_, x: np_.trapezoid(x, x=xp), X)
    check_transforms(lambda np_, x: np_.cumulative_sum(x, axis=0, include_initial=True), X)
    check_transforms(lambda np_, p, f: np_.interp(p, xp, f), pts[1:8:3] + 0.1, fp)


def test_polynomials_and_convolutions():
    a, v = X[0], V[:3]
    check_calls([
        ("convolve", lambda np_: [np_.convolve(a, v, m) for m in ("full", "same", "valid")]
         + [np_.convolve(v, a, m) for m in ("full", "same", "valid")]),
        ("correlate", lambda np_: [np_.correlate(a, v, m) for m in ("full", "same", "valid")]
         + [np_.correlate(v, a, m) for m in ("full", "same", "valid")]),
        ("correlate complex", lambda np_: np_.correlate(a + 1j * a[::-1], v - 2j, "full")),
        ("convolve int", lambda np_: np_.convolve(np.arange(4), np.arange(3))),
        ("convolve bad mode", lambda np_: np_.convolve(a, v, "wide")),
        ("convolve 2-D", lambda np_: np_.convolve(X, v)),
        ("polyval", lambda np_: [np_.polyval(v, X), np_.polyval(np.arange(3), 2)]),
        ("polyadd", lambda np_: [np_.polyadd(a, v), np_.polysub(np.arange(3), np.arange(4))]),
        ("polymul", lambda np_: np_.polymul(a, v)),
        ("polyder", lambda np_: [np_.polyder(a), np_.polyder(a, 3), np_.polyder(np.arange(4)),
                                 np_.polyder(v, 5)]),
        ("kron", lambda np_: np_.kron(X, V[:2])), ("outer", lambda np_: np_.outer(X, V)),
    ])
    check_calls([("polymul trim", lambda np_: np_.polymul(np.array([0, 0, 1.0, 2]), v,
                                                          trim_leading_zeros=True))], eager=True)
    check_transforms(lambda np_, a, v: np_.convolve(a, v, "same"), a, v)
    check_transforms(lambda np_, a, v: np_.correlate(a, v, "full"), a, v)
    check_transforms(lambda np_, p, x: np_.polyval(p, x), v, a)
    check_transforms(lambda np_, a, v: np_.polymul(a, v), a, v)


FIT_X = np.linspace(-1.0, 2.0, 9).astype(np.float32)
FIT_Y = (FIT_X ** 2 - 3 * FIT_X + np.sin(7 * FIT_X) / 10).astype(np.float32)
FIT_Y2 = np.stack([FIT_Y, 2 * FIT_Y + 1], axis=1)
FIT_W = np.linspace(0.5, 2.0, 9).astype(np.float32)


def test_polyfit_and_polyint():
    check_calls([
        ("polyfit", lambda np_: [np_.polyfit(FIT_X, y, 2) for y in (FIT_Y, FIT_Y2)]),
        ("polyfit full", lambda np_: [np_.polyfit(FIT_X, y, 3, full=True) for y in (FIT_Y, FIT_Y2)]),
        ("polyfit rcond", lambda np_: np_.polyfit(FIT_X, FIT_Y, 2, rcond=1e-3, full=True)),
        ("polyfit cov", lambda np_: [np_.polyfit(FIT_X, y, 2, cov=c) for y in (FIT_Y, FIT_Y2)
                                     for c in (True, "unscaled")]),
        ("polyfit w", lambda np_: [np_.polyfit(FIT_X, FIT_Y, 2, w=FIT_W),
                                   np_.polyfit(FIT_X, FIT_Y2, 1, w=FIT_W, cov=True)]),
        ("polyfit int", lambda np_: np_.polyfit(np.arange(5), np.arange(5) ** 2, 2)),
        ("polyfit deg < 0", lambda np_: np_.polyfit(FIT_X, FIT_Y, -1)),
        ("polyfit 2-D x", lambda np_: np_.polyfit(FIT_X[None], FIT_Y, 1)),
        ("polyfit lengths", lambda np_: np_.polyfit(FIT_X[1:], FIT_Y, 1)),
        ("polyfit 3-D y", lambda np_: np_.polyfit(FIT_X, FIT_Y[:, None, None], 1)),
        ("polyfit 2-D w", lambda np_: np_.polyfit(FIT_X, FIT_Y, 1, w=FIT_W[None])),
        ("polyfit cov few", lambda np_: np_.polyfit(FIT_X[:3], FIT_Y[:3], 2, cov=True)),
        ("polyint", lambda np_: [np_.polyint(V), np_.polyint(V, 2), np_.polyint(V, 0),
                                 np_.polyint(V, 2, 3.0), np_.polyint(V, 3, np.array([1., 2, 3])),
                                 np_.polyint(np.arange(4)), np_.polyint(V, 2, np.array([5.0]))]),
        ("polyint m < 0", lambda np_: np_.polyint(V, -1)),
        ("polyint bad k", lambda np_: np_.polyint(V, 2, np.ones(3))),
    ], tol=dict(rtol=2e-4, atol=2e-4))
    check_transforms(lambda np_, y: np_.polyfit(FIT_X, y, 2), FIT_Y, tol=dict(rtol=2e-4, atol=2e-4))
    check_transforms(lambda np_, p: np_.polyint(p, 2, 1.5), V)
    with x64():
        x, y = FIT_X.astype(np.float64), FIT_Y2.astype(np.float64)
        check_like_jax(mnp.polyfit(x, y, 3, w=FIT_W, full=True),
                       jnp.polyfit(x, y, 3, w=FIT_W, full=True), rtol=1e-9, atol=1e-11)


def test_convolutions_under_jit_bit_equal_jax():
    # Found by the conformance sweep: computed as a sliding dot product, jit
    # results differed from JAX's (a convolution) in the last bit.
    a, v = np.linspace(-1.3, 2.1, 7, dtype=np.float32), np.float32([0.3, -1.7, 0.9])
    for name in ("convolve", "correlate"):
        for mode in ("full", "same", "valid"):
            fn = lambda np_: lambda a, v: getattr(np_, name)(a, v, mode)
            np.testing.assert_array_equal(minijax.jit(fn(mnp))(a, v), jax.jit(fn(jnp))(a, v))


def test_creation_and_bfloat16():
    check_calls([
        ("logspace", lambda np_: [np_.logspace(0, 2, 5), np_.logspace(1, 3, 4, False, 2),
                                  np_.logspace(np.zeros(2), np.ones(2), 3, axis=1),
                                  np_.logspace(0, 3, 4, dtype=int)]),
        ("geomspace", lambda np_: [np_.geomspace(1, 1000, 4), np_.geomspace(-1, -16.0, 5),
                                   np_.geomspace(np.ones(2), np.array([4.0, 9]), 3, axis=1)]),
        ("bfloat16", lambda np_: [np_.arange(5, dtype=np_.bfloat16) / 3,
                                  np_.ones(3, np_.bfloat16) + 1, np_.bfloat16(2.5),
                                  np_.sin(np_.asarray(X, np_.bfloat16)),
                                  np_.asarray(X, np_.bfloat16) * X]),
    ])
    xb = mnp.asarray(X, mnp.bfloat16)
    check_like_jax(minijax.jit(lambda v: mnp.exp(v) * v)(xb),
                   jax.jit(lambda v: jnp.exp(v) * v)(jnp.asarray(X, jnp.bfloat16)),
                   rtol=1e-2, atol=1e-2)
    assert str(minijax.make_jaxpr(lambda v: v + 1)(xb)) == str(
        jax.make_jaxpr(lambda v: v + 1)(jnp.asarray(X, jnp.bfloat16)))
    check_transforms(lambda np_, lo: np_.geomspace(lo, 4.0, 5), np.float32(0.5), vmap=False)


def test_piecewise_and_select():
    check_calls([
        ("piecewise", lambda np_: np_.piecewise(X, [X < 0, X > 0.5],
                                                [lambda v: -v, lambda v: v ** 2, 7.0])),
        ("piecewise consts", lambda np_: np_.piecewise(X, [X < 0], [0.0])),
        ("piecewise int", lambda np_: np_.piecewise(I, [I > 2], [lambda v: v * 2])),
        ("piecewise args", lambda np_: np_.piecewise(X, [X < 0], [lambda v, k: k * v, 1.0], 3)),
        ("piecewise bad", lambda np_: np_.piecewise(X, [X < 0], [1.0, 2.0, 3.0])),
        ("select", lambda np_: np_.select([X > 0, X > -0.5], [X, 2 * X], -1.0)),
        ("select mismatch", lambda np_: np_.select([X > 0], [X, X])),
        ("select empty", lambda np_: np_.select([], [])),
    ])
    check_transforms(lambda np_, x: np_.piecewise(x, [x < 0], [lambda v: v ** 2, np_.sin]), X)


# ---------------------------------------------------------------------------
# Array attributes

def test_array_attributes():
    x, y = mnp.asarray(X), jnp.asarray(X)
    assert (x.nbytes, x.itemsize) == (y.nbytes, y.itemsize)
    assert x.devices() == {minijax.devices()[0]}
    assert repr(x.sharding) == repr(y.sharding)
    assert minijax.jit(lambda v: v + 1)(x).sharding == x.sharding
    xb = mnp.ones(3, mnp.bfloat16)
    assert (xb.nbytes, xb.itemsize) == (6, 2)

    seen = []

    def probe(t):
        seen.append((t.nbytes, t.itemsize))
        with pytest.raises(minijax.errors.ConcretizationTypeError, match="devices"):
            t.devices()
        with pytest.raises(AttributeError, match="sharding"):
            t.sharding   # noqa: B018
        return t

    minijax.jit(probe)(x)
    minijax.vmap(probe)(x)
    minijax.grad(lambda t: probe(t).sum())(x)
    minijax.jvp(probe, (x,), (x,))
    assert seen == [(48, 4), (16, 4), (48, 4), (48, 4)]
