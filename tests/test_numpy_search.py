"""jnp searching, counting and set operations against JAX, including the
``size=`` forms that work under jit and vmap (helpers in test_numpy_more.py)."""
import numpy as np
import pytest

import minijax
import minijax.numpy as mnp
from helpers import x64
from test_numpy import check_calls
from test_numpy_more import I, X, V, check_transforms


# ---------------------------------------------------------------------------
# Searching and counting

def test_searching_and_counting():
    a = V.copy()
    a[-1] = np.nan
    v = np.array([[-3, 0.1, np.nan], [V[1], V[3], 9]], np.float32)
    bins = np.array([-1.0, 0.0, 0.5, 2.0], np.float32)
    z = np.array([[0, 1, 2], [3, 0, 0]], np.int32)
    check_calls([
        ("searchsorted", lambda np_: np_.searchsorted(a, v)),
        ("searchsorted right", lambda np_: np_.searchsorted(a, v, side="right")),
        ("searchsorted int", lambda np_: np_.searchsorted(np.arange(5), 2.5)),
        ("searchsorted sorter", lambda np_: np_.searchsorted(V[::-1], 0.0,
                                                             sorter=np.arange(5)[::-1])),
        ("searchsorted 2-D", lambda np_: np_.searchsorted(X, 0.0)),
        ("searchsorted bad side", lambda np_: np_.searchsorted(V, 0.0, side="middle")),
        ("digitize", lambda np_: np_.digitize(X, bins)),
        ("digitize right", lambda np_: np_.digitize(X, bins, right=True)),
        ("digitize decreasing", lambda np_: np_.digitize(X, bins[::-1], True)),
        ("digitize empty", lambda np_: np_.digitize(X, np.zeros(0))),
        ("count_nonzero", lambda np_: np_.count_nonzero(z)),
        ("count_nonzero axis", lambda np_: np_.count_nonzero(z, axis=1, keepdims=True)),
        ("nonzero size", lambda np_: np_.nonzero(z, size=5)),
        ("nonzero size fill", lambda np_: np_.nonzero(z, size=5, fill_value=-1)),
        ("nonzero fill tuple", lambda np_: np_.nonzero(z, size=4, fill_value=(-1, -2))),
        ("nonzero cut", lambda np_: np_.nonzero(z, size=2)),
        ("nonzero 0-d", lambda np_: np_.nonzero(np.float32(1), size=1)),
        ("flatnonzero", lambda np_: np_.flatnonzero(z, size=4)),
        ("argwhere", lambda np_: np_.argwhere(z, size=4, fill_value=9)),
        ("where one", lambda np_: np_.where(z > 0, size=3)),
        ("bincount length", lambda np_: np_.bincount(z.ravel(), length=6)),
        ("bincount weights", lambda np_: np_.bincount(z.ravel(), X.ravel()[:6], length=3)),
        ("bincount float", lambda np_: np_.bincount(X.ravel(), length=3)),
        ("bincount 2-D", lambda np_: np_.bincount(z, length=3)),
        ("histogram", lambda np_: np_.histogram(X, 4, weights=X ** 2)),
        ("histogram range", lambda np_: np_.histogram(X, 3, range=(-1, 1), density=True)),
        ("histogram edges", lambda np_: np_.histogram(X, bins)),
        ("histogram_bin_edges", lambda np_: np_.histogram_bin_edges(X, 5)),
    ])
    check_calls([
        ("nonzero eager", lambda np_: np_.nonzero(z)),
        ("argwhere eager", lambda np_: np_.argwhere(z)),
        ("argwhere 0-d", lambda np_: np_.argwhere(3)),
        ("flatnonzero eager", lambda np_: np_.flatnonzero(z)),
        ("bincount eager", lambda np_: np_.bincount(z.ravel(), minlength=7)),
        ("histogram eager", lambda np_: np_.histogram(X)),
    ], eager=True)
    check_transforms(lambda np_, v: np_.searchsorted(V, v), v[1], grad=False)
    check_transforms(lambda np_, x: np_.digitize(x, bins), X, grad=False)
    check_transforms(lambda np_, x: np_.nonzero(x > 0, size=7, fill_value=-1), X, grad=False)
    check_transforms(lambda np_, z: np_.bincount(z, length=5), z.ravel(), grad=False)
    check_transforms(lambda np_, x: np_.histogram(x, bins, weights=x * x)[0], X, vmap=False)


@pytest.mark.parametrize("call", [
    lambda: minijax.jit(mnp.nonzero)(X), lambda: minijax.jit(mnp.argwhere)(X),
    lambda: minijax.vmap(mnp.flatnonzero)(X), lambda: minijax.jit(mnp.unique)(X),
    lambda: minijax.jit(mnp.bincount)(I[0])], ids=["nonzero", "argwhere", "flatnonzero",
                                                   "unique", "bincount"])
def test_value_dependent_sizes_need_static_sizes(call):
    with pytest.raises(minijax.errors.ConcretizationTypeError, match="size|length"):
        call()


# ---------------------------------------------------------------------------
# Set operations

def test_unique_index_dtype_under_x64():
    # Found by the conformance sweep: return_index came back int32 under x64
    # (JAX: the default int, like inverse and counts).
    with x64():
        check_calls([("unique return_index", lambda np_: np_.unique(
            np.array([3.0, 1.0, 3.0]), return_index=True, return_counts=True)),
            ("unique_all", lambda np_: np_.unique_all(np.array([3.0, 1.0, 3.0]), size=3,
                                                      fill_value=0))], eager=True)


def test_unique_and_isin():
    f = np.array([2.0, np.nan, 1, np.nan, 2, -0.5], np.float32)
    calls = []
    for arr_name, arr in (("int", I), ("float nan", f), ("empty", np.zeros(0, np.float32))):
        for flags in ((False, False, False), (True, True, True)):
            for kw in ({}, {"size": 8, "fill_value": -7}, {"size": 2, "equal_nan": False}):
                if arr.size == 0 and "size" in kw and "fill_value" not in kw:
                    continue
                calls.append((f"unique {arr_name} {flags} {kw}", lambda np_, a=arr, fl=flags,
                              kw=kw: np_.unique(a, *fl, **kw)))
    for axis in (0, -1):
        calls.append((f"unique axis {axis}", lambda np_, ax=axis: np_.unique(
            np.array([[1, 2], [1, 2], [0, 5]]), True, True, True, axis=ax)))
    for name in ("unique_all", "unique_counts", "unique_inverse", "unique_values"):
        calls.append((name, lambda np_, n=name: getattr(np_, n)(I)))
    check_calls(calls, eager=True)
    check_calls([
        ("isin", lambda np_: np_.isin(I, np.array([1, 3]))),
        ("isin invert", lambda np_: np_.isin(X, X[0], invert=True)),
        ("isin empty", lambda np_: np_.isin(I, np.zeros(0))),
        ("isin method", lambda np_: np_.isin(I, np.array([2]), method="sort")),
    ])
    check_transforms(lambda np_, i: np_.unique(i, size=4, fill_value=-1, return_counts=True,
                                               return_inverse=True), I[0], grad=False)
    check_transforms(lambda np_, x: np_.unique(x, size=5), X, grad=False)
