"""jnp reductions with ``where=``/``initial=``, the nan-ignoring reductions,
quantiles, medians and averages against JAX (see test_numpy_more.py for the
helpers)."""
import numpy as np
import pytest

from test_numpy import check_calls
from test_numpy_more import I, NANS, RNG, X, check_transforms


# ---------------------------------------------------------------------------
# Reductions: where= and initial=

REDUCTIONS = ["sum", "prod", "max", "min", "mean", "all", "any", "nansum", "nanprod",
              "nanmax", "nanmin", "nanmean"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_where_and_initial(name):
    mask = X > -0.3
    init = {"max": -5.0, "min": 5.0, "nanmax": -5.0, "nanmin": 5.0}.get(name)
    calls = []
    for axis in (None, 0, 1, (0, 1)):
        kw = {"where": mask, "axis": axis}
        if init is not None:
            kw["initial"] = init
        calls.append((f"{name} {kw}", lambda np_, kw=kw: getattr(np_, name)(X, **kw)))
        calls.append((f"{name} keepdims {axis}", lambda np_, kw=kw: getattr(np_, name)(
            X, keepdims=True, **kw)))
    if name in ("sum", "prod", "max", "min", "nansum"):
        calls.append(("initial alone", lambda np_: getattr(np_, name)(I, axis=0, initial=3)))
        calls.append(("initial array", lambda np_: getattr(np_, name)(X, initial=np.ones(2))))
    if name in ("max", "min"):
        calls.append(("where without initial", lambda np_: getattr(np_, name)(X, where=mask)))
    calls.append(("non-boolean where", lambda np_: getattr(np_, name)(X, where=I)))
    check_calls(calls)
    if name not in ("all", "any"):
        kw = {"where": mask, **({} if init is None else {"initial": init})}
        check_transforms(lambda np_, x: getattr(np_, name)(x, axis=1, **kw), X, vmap=False,
                         grad=name not in ("max", "min", "nanmax", "nanmin"))


# ---------------------------------------------------------------------------
# nan-ignoring reductions, quantiles, averages

NAN_FUNCS = ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
             "nanargmax", "nanargmin", "nancumsum", "nancumprod", "nanmedian"]


@pytest.mark.parametrize("name", NAN_FUNCS)
def test_nan_functions(name):
    calls = [(f"{name} axis={axis}", lambda np_, axis=axis: getattr(np_, name)(NANS, axis=axis))
             for axis in (None, 0, 1)]
    calls.append((f"{name} int", lambda np_: getattr(np_, name)(I, axis=0)))
    if name in ("nanvar", "nanstd"):
        calls.append(("ddof", lambda np_: getattr(np_, name)(NANS, axis=1, ddof=2)))
    check_calls(calls)
    if name not in ("nanargmax", "nanargmin"):
        check_transforms(lambda np_, x: getattr(np_, name)(x, axis=0), X,
                         grad=name not in ("nanmax", "nanmin"))


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest",
                                    "inverted_cdf"])
def test_quantiles(method):
    q = np.array([0.0, 0.2, 0.5, 0.93, 1.0], np.float32)
    calls = []
    for name, qs in (("quantile", q), ("nanquantile", q), ("percentile", 100 * q),
                     ("nanpercentile", 100 * q)):
        data = NANS if name.startswith("nan") else X
        for axis, keepdims in ((None, False), (0, True), ((0, 1), True)):
            calls.append((f"{name} {axis} {keepdims}", lambda np_, f=name, d=data, qs=qs,
                          a=axis, k=keepdims: getattr(np_, f)(d, qs, axis=a, method=method,
                                                              keepdims=k)))
        calls.append((f"{name} scalar q", lambda np_, f=name, d=data, qs=qs: getattr(np_, f)(
            d, qs[2], axis=1, method=method)))
    calls.append(("int input", lambda np_: np_.quantile(I, q, method=method)))
    calls.append(("nan row", lambda np_: np_.quantile(NANS, 0.5, axis=1, method=method)))
    calls.append(("complex", lambda np_: np_.quantile(X + 1j, 0.5, method=method)))
    calls.append(("q rank 2", lambda np_: np_.quantile(X, q[None], method=method)))
    check_calls(calls)
    # q in x's dtype: the float64 finite-difference check needs float64 positions.
    check_transforms(lambda np_, x: np_.quantile(x, q.astype(x.dtype), axis=1, method=method), X,
                     grad=method in ("linear", "midpoint", "lower"))


def test_weighted_quantiles():
    """weights= (method="inverted_cdf" only, as in JAX and numpy): the first
    sorted value whose cumulative weight reaches q times the total."""
    q = np.array([0.0, 0.2, 0.5, 0.93, 1.0], np.float32)
    w = RNG.uniform(0, 2, size=X.shape).astype(np.float32)
    w[0, 1] = 0.0    # a value that weighs nothing
    calls = []
    for name, qs in (("quantile", q), ("nanquantile", q), ("percentile", 100 * q),
                     ("nanpercentile", 100 * q)):
        data = NANS if name.startswith("nan") else X
        for axis, weights in ((None, w), (1, w), (1, w[0]), (0, w[:, 0]), ((0, 1), w)):
            calls.append((f"{name} {axis} {weights.shape}", lambda np_, f=name, d=data, qs=qs,
                          a=axis, ws=weights: getattr(np_, f)(d, qs, axis=a, weights=ws,
                                                              method="inverted_cdf")))
    calls += [
        ("int weights", lambda np_: np_.quantile(X, q, axis=1, weights=(10 * w).astype(int),
                                                 method="inverted_cdf")),
        ("keepdims", lambda np_: np_.quantile(X, 0.5, axis=0, weights=w, keepdims=True,
                                              method="inverted_cdf")),
        ("nan row", lambda np_: np_.quantile(NANS, 0.5, axis=1, weights=w,
                                             method="inverted_cdf")),
        ("other method", lambda np_: np_.quantile(X, 0.5, weights=w)),
        ("axis None, partial weights", lambda np_: np_.quantile(X, 0.5, weights=w[0],
                                                                method="inverted_cdf")),
        ("weights of the wrong shape", lambda np_: np_.quantile(X, 0.5, axis=1, weights=w[:2],
                                                                method="inverted_cdf")),
    ]
    check_calls(calls)
    check_transforms(lambda np_, x, w: np_.quantile(x, q.astype(x.dtype), axis=1, weights=w,
                                                    method="inverted_cdf"), X, w)


def test_median_and_average():
    w = RNG.uniform(0.1, 1, size=4).astype(np.float32)
    check_calls([
        ("median", lambda np_: np_.median(X)), ("median axis", lambda np_: np_.median(X, 1)),
        ("median keepdims", lambda np_: np_.median(X, (0, 1), keepdims=True)),
        ("median int", lambda np_: np_.median(I, axis=0)),
        ("nanmedian", lambda np_: np_.nanmedian(NANS, axis=1)),
        ("average", lambda np_: np_.average(X)),
        ("average axis", lambda np_: np_.average(X, axis=1, returned=True)),
        ("average weights", lambda np_: np_.average(X, axis=1, weights=w, returned=True)),
        ("average full weights", lambda np_: np_.average(X, weights=X ** 2, keepdims=True)),
        ("average bad weights", lambda np_: np_.average(X, weights=w)),
        ("average int", lambda np_: np_.average(I, axis=0, weights=I[:, 0] + 1)),
    ])
    check_transforms(lambda np_, x: np_.median(x, axis=0), X)
    check_transforms(lambda np_, x, w: np_.average(x, axis=1, weights=w), X, w)
