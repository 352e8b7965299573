"""Reverse mode, primitive by primitive.

One table of op cases, each a function written once against a ``lax``
namespace (so the same code runs on ``minijax.lax`` and ``jax.lax``) and a
recipe for arguments in the op's valid domain (away from kinks and poles,
where a central difference would be meaningless). For every case:

* ``check_grads(f, args, order=2, modes=("fwd", "rev"))`` in float64: forward
  and reverse derivatives, and the derivatives of those, against finite
  differences (this checks every JVP rule, every transpose rule, and their
  own derivatives);
* ``minijax.vjp`` against ``jax.vjp`` in float32: output values and
  cotangents, with dtypes and weak types.

A coverage test asserts that the table reaches every primitive minijax
defines, except an explicit list of non-differentiable ones.
"""
import functools
from typing import Callable, NamedTuple

import jax
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mjnp
from minijax import control_flow
from minijax.test_util import check_grads

from helpers import F32_TOL, check_like_jax, x64

# ---------------------------------------------------------------------------
# Argument recipes: spec(rng, float_dtype) -> a numpy array


def real(*shape, lo=-2.0, hi=2.0):
    """Uniform values in [lo, hi)."""
    return lambda rng, dt: rng.uniform(lo, hi, shape).astype(dt)


def positive(*shape, lo=0.5, hi=2.0):
    return real(*shape, lo=lo, hi=hi)


def away_from_zero(*shape):
    """|x| in [0.5, 2): for kinks at 0 (abs, cbrt, ...)."""
    def spec(rng, dt):
        signs = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
        return (signs * rng.uniform(0.5, 2.0, shape)).astype(dt)
    return spec


def distinct(*shape):
    """A shuffled grid with spacing 0.5 plus small noise: no ties, so max,
    min and their cumulative versions are differentiable."""
    def spec(rng, dt):
        n = int(np.prod(shape))
        grid = rng.permutation(n) * 0.5 - n * 0.25 + rng.uniform(-0.1, 0.1, n)
        return grid.reshape(shape).astype(dt)
    return spec


def off_integers(*shape):
    """k + [0.2, 0.3): away from the jumps of floor/ceil/round."""
    return lambda rng, dt: (rng.integers(-3, 3, shape) + rng.uniform(0.2, 0.3, shape)).astype(dt)


def cplx(*shape):
    """Complex values with |re|, |im| in [0.5, 2)."""
    def spec(rng, dt):
        cdt = np.result_type(dt, np.complex64)
        return (away_from_zero(*shape)(rng, dt) + 1j * away_from_zero(*shape)(rng, dt)
                ).astype(cdt)
    return spec


def fixed(values):
    """Fixed float values (chosen points: at a clamp bound, a zero factor, ...)."""
    return lambda rng, dt: np.asarray(values, dt)


def const(value):
    """A fixed non-float argument (an integer operand)."""
    return lambda rng, dt: np.asarray(value)


class Case(NamedTuple):
    name: str
    fn: Callable            # fn(lax) -> the function to differentiate
    args: tuple             # argument recipes
    grad_tol: dict = {}     # extra check_grads options (atol, rtol, eps)
    vjp_tol: dict = {}      # tolerance of the float32 comparison with JAX
    # False where finite differences cannot agree with autodiff by design
    # (stop_gradient): such cases are compared with JAX only.
    numerical: bool = True
    # (reason, exception) for a known bug in a file this suite does not own
    xfail_grads: tuple = ()


def unary(name, *specs, **kw):
    return Case(name, lambda lax: getattr(lax, name), specs or (real(3, 2),), **kw)


def binary(name, *specs, **kw):
    return Case(name, lambda lax: getattr(lax, name), specs or (real(3, 2), real(3, 2)), **kw)


# Index helpers that read the same on both libraries.
GDN = dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
SDN = dict(update_window_dims=(1,), inserted_window_dims=(0,),
           scatter_dims_to_operand_dims=(0,))
ROWS = np.array([[2], [0], [2], [3]], np.int32)   # row 2 repeats: gradients accumulate
ROWS_OUT_OF_BOUNDS = np.array([[2], [7], [-1], [3]], np.int32)


def _gather(lax, mode=None, rows=ROWS, fill_value=None):
    # (A finite fill value: the default NaN would make central differences NaN.)
    dn = lax.GatherDimensionNumbers(**GDN)
    return lambda x: lax.gather(x, rows, dn, (1, 3), mode=mode, fill_value=fill_value)


def _gather_2d_points(lax):
    # Pick single elements (i, j): both operand axes collapsed.
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0, 1),
                                    start_index_map=(0, 1))
    idx = np.array([[0, 1], [2, 2], [0, 1], [3, 0]], np.int32)
    return lambda x: lax.gather(x, idx, dn, (1, 1), mode="clip")


def _scatter_add(lax, mode=None, rows=ROWS):
    dn = lax.ScatterDimensionNumbers(**SDN)
    return lambda x, u: lax.scatter_add(x, rows, u, dn, mode=mode)


def _scatter(lax, name="scatter"):
    dn = lax.ScatterDimensionNumbers(**SDN)
    unique = np.array([[2], [0], [3]], np.int32)   # scatter overwrites: indices unique
    return lambda x, u: getattr(lax, name)(x, unique, u, dn, unique_indices=True)


def _scatter_extremum(lax, name):
    dn = lax.ScatterDimensionNumbers(**SDN)
    return lambda x, u: getattr(lax, name)(x, ROWS, u, dn)   # row 2 twice: ties improbable


def _select_n_bool(lax):
    mask = np.array([[True, False], [False, False], [True, True]])
    return lambda x, y: lax.select_n(mask, x, y)


def _select_n_int(lax):
    which = np.array([[0, 1], [2, 0], [1, 2]], np.int32)
    return lambda x, y, z: lax.select_n(which, x, y, z)


def _dot_general_batch(lax):
    # batch axes (0 | 1), contraction over lhs axes (2, 3) and rhs axes (3, 0),
    # deliberately out of order.
    dn = (((2, 3), (3, 0)), ((0,), (1,)))
    return lambda x, y: lax.dot_general(x, y, dn)


def _complex_dtype_of(x):
    return np.complex128 if x.dtype == np.float64 else np.complex64


def _convert_to_complex(lax):
    def f(x):
        dt = _complex_dtype_of(x)
        return lax.real(lax.mul(lax.convert_element_type(x, dt), np.asarray(1.5 - 2j, dt)))
    return f


def _conj_of_real(lax):
    # conj of a real array is complex; its transpose takes the real part.
    return lambda x: lax.real(lax.mul(lax.conj(x), np.asarray(1 + 2j, _complex_dtype_of(x))))


def _float_dtype_of(x):
    return np.float64 if x.dtype == np.float64 else np.float32


def _convert_float(lax):
    # float32 <-> float64 (in float32 mode the cast to float64 is narrowed back).
    def f(x):
        y = lax.convert_element_type(x, np.float32)
        return lax.convert_element_type(lax.mul(y, y), _float_dtype_of(x))
    return f


def _int_arg_passthrough(lax):
    # An integer operand inside a differentiable computation: its cotangent is float0.
    return lambda x, n: lax.mul(x, lax.convert_element_type(n, x.dtype))


def _cf(lax):
    """The control-flow functions (cond, scan, ...) of the library ``lax`` belongs to."""
    return control_flow if lax is minijax.lax else jax.lax


def _cond(lax):
    # The predicate depends on x; the cases cond_true and cond_false draw x so
    # that each branch is taken (and differentiated) by one of them.
    return lambda x, y: _cf(lax).cond(lax.reduce_sum(x, (0,)) > 0,
                                      lambda x, y: lax.mul(lax.sin(x), y),
                                      lambda x, y: lax.sub(x, lax.cos(y)), x, y)


def _switch(lax):
    return lambda x: _cf(lax).switch(np.int32(1), [lax.neg, lambda x: lax.mul(x, lax.exp(x)),
                                                   lax.sin], x)


def _scan(lax):
    def step(carry, x_i):
        new = lax.add(lax.mul(carry, x_i), lax.sin(carry))
        return new, lax.mul(new, x_i)
    return lambda c, xs: _cf(lax).scan(step, c, xs)


def _fori_loop(lax):
    return lambda x: _cf(lax).fori_loop(0, 3, lambda i, c: lax.add(lax.mul(c, lax.sin(c)), x), x)


def _jit(lax):
    # The higher-order primitive: reverse mode splits the jitted body into a
    # known and an unknown jit (partial evaluation of a jaxpr) and transposes the latter.
    lib = minijax if lax is minijax.lax else jax
    return lib.jit(lambda x, y: lax.mul(lax.sin(x), lax.integer_pow(y, 2)))


CASES = [
    # -- elementwise unary ---------------------------------------------------
    unary("neg"),
    unary("exp"), unary("exp2"), unary("expm1"),
    unary("log", positive(3, 2)), unary("log1p", real(3, 2, lo=-0.5, hi=2.0)),
    unary("sin"), unary("cos"), unary("tan", real(3, 2, lo=-1.2, hi=1.2)),
    unary("asin", real(3, 2, lo=-0.8, hi=0.8)), unary("acos", real(3, 2, lo=-0.8, hi=0.8)),
    unary("atan"), unary("sinh"), unary("cosh"), unary("tanh"), unary("asinh"),
    unary("acosh", positive(3, 2, lo=1.2, hi=3.0)),
    unary("atanh", real(3, 2, lo=-0.8, hi=0.8)),
    unary("logistic"), unary("sqrt", positive(3, 2)), unary("rsqrt", positive(3, 2)),
    unary("cbrt", away_from_zero(3, 2)), unary("erf"), unary("erfc"),
    unary("erf_inv", real(3, 2, lo=-0.8, hi=0.8)),
    unary("lgamma", positive(3, 2, lo=0.5, hi=4.0)),
    unary("digamma", positive(3, 2, lo=0.5, hi=4.0)),
    Case("polygamma", lambda lax: lambda x: lax.polygamma(np.full(x.shape, 1.0, x.dtype), x),
         (positive(3, 2, lo=0.5, hi=4.0),)),
    # The incomplete gamma and beta functions, in x: second order in a is
    # igamma_grad_a's derivative, which JAX does not define, and betainc has no
    # derivative in a and b. (The first-order a-slope: test_scipy_special.py.)
    *[Case(name, lambda lax, _name=name: lambda x: getattr(lax, _name)(
        np.full(x.shape, 2.5, x.dtype), x), (positive(3, 2, lo=0.2, hi=5.0),))
      for name in ("igamma", "igammac")],
    Case("regularized_incomplete_beta", lambda lax: lambda x: lax.betainc(
        np.full(x.shape, 2.0, x.dtype), np.full(x.shape, 3.0, x.dtype), x),
        (positive(3, 2, lo=0.1, hi=0.9),)),
    # Zero derivatives away from their jumps:
    unary("sign", away_from_zero(3, 2)), unary("floor", off_integers(3, 2)),
    unary("ceil", off_integers(3, 2)),
    Case("round", lambda lax: lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN),
         (off_integers(3, 2),)),
    Case("is_finite", lambda lax: lambda x: lax.mul(
        x, lax.convert_element_type(lax.is_finite(x), x.dtype)), (real(3, 2),)),
    Case("stop_gradient", lambda lax: lambda x: lax.add(lax.mul(x, x),
                                                        lax.stop_gradient(lax.sin(x))),
         (real(3, 2),), numerical=False),
    unary("abs", away_from_zero(3, 2)),
    Case("abs_complex", lambda lax: lax.abs, (cplx(3, 2),)),
    Case("integer_pow", lambda lax: lambda x: lax.add(
        lax.add(lax.integer_pow(x, 3), lax.integer_pow(x, -2)),
        lax.add(lax.integer_pow(x, 1), lax.integer_pow(x, 0))), (away_from_zero(3, 2),)),
    Case("integer_pow_square", lambda lax: lambda x: lax.integer_pow(x, 2), (real(4),)),
    # -- elementwise binary ---------------------------------------------------
    binary("add"), binary("sub"), binary("mul"), binary("div", real(3, 2), away_from_zero(3, 2)),
    binary("max", distinct(3, 2), distinct(3, 2)), binary("min", distinct(3, 2), distinct(3, 2)),
    binary("pow", positive(3, 2), real(3, 2)),
    binary("atan2", away_from_zero(3, 2), away_from_zero(3, 2)),
    # rem(x, y) = x - y * trunc(x / y): keep x / y off the integers.
    Case("rem", lambda lax: lax.rem, (fixed(np.array([[2.3, -5.6], [7.1, 0.4], [-1.3, 3.3]])),
                                      positive(3, 2, lo=0.9, hi=1.1))),
    Case("add_rank0", lambda lax: lambda x, y: lax.add(lax.broadcast(x, (3, 2)), y),
         (real(), real(3, 2))),
    Case("add_any", lambda lax: getattr(lax, "add_any", lax.add), (real(3, 2), real(3, 2))),
    Case("complex_real_imag_conj", lambda lax: lambda x, y: lax.add(
        lax.real(lax.mul(lax.complex(x, y), lax.conj(lax.complex(y, x)))),
        lax.imag(lax.mul(lax.complex(x, y), lax.complex(x, x)))), (real(3, 2), real(3, 2))),
    Case("complex_in_complex_out", lambda lax: lambda z: lax.mul(lax.conj(z), lax.sin(z)),
         (cplx(3),)),
    Case("real_of_complex", lambda lax: lambda z: lax.real(lax.mul(z, z)), (cplx(3),)),
    Case("imag_of_complex", lambda lax: lambda z: lax.imag(lax.exp(z)), (cplx(3),)),
    Case("conj_of_real", _conj_of_real, (real(3),)),
    Case("select_n_bool", _select_n_bool, (real(3, 2), real(3, 2))),
    Case("select_n_int", _select_n_int, (real(3, 2), real(3, 2), real(3, 2))),
    Case("clamp", lambda lax: lax.clamp, (real(3, 2, lo=-3, hi=-2.5), real(3, 2),
                                          real(3, 2, lo=2.5, hi=3))),
    Case("clamp_active", lambda lax: lambda x: lax.clamp(np.asarray(-0.5, x.dtype), x,
                                                         np.asarray(0.5, x.dtype)),
         (fixed([-1.3, -0.2, 0.1, 0.9, 2.0]),)),
    Case("convert_element_type_float", _convert_float, (real(3, 2),),
         grad_tol=dict(atol=1e-5, rtol=1e-5, eps=1e-2)),
    Case("convert_element_type_complex", _convert_to_complex, (real(3, 2),)),
    Case("int_operand", _int_arg_passthrough, (real(3,), const(np.array([1, -2, 3], np.int32)))),
    # -- shapes ----------------------------------------------------------------
    Case("broadcast_in_dim", lambda lax: lambda x: lax.broadcast_in_dim(x, (2, 3, 4), (0, 2)),
         (real(2, 4),)),
    Case("broadcast_in_dim_size1", lambda lax: lambda x: lax.broadcast_in_dim(x, (3, 4), (0, 1)),
         (real(1, 4),)),
    Case("expand_dims", lambda lax: lambda x: lax.sin(lax.expand_dims(x, (0, 2))),
         (real(3, 2),)),
    Case("reshape", lambda lax: lambda x: lax.reshape(x, (2, 3)), (real(3, 2),)),
    Case("transpose", lambda lax: lambda x: lax.transpose(x, (2, 0, 1)), (real(2, 3, 4),)),
    Case("squeeze", lambda lax: lambda x: lax.squeeze(x, (0, 2)), (real(1, 3, 1),)),
    Case("rev", lambda lax: lambda x: lax.rev(x, (0, 1)), (real(3, 2),)),
    Case("concatenate", lambda lax: lambda x, y: lax.concatenate([x, y, x], 1),
         (real(2, 3), real(2, 1))),
    Case("pad_negative_interior", lambda lax: lambda x, v: lax.pad(
        x, v, [(-1, 2, 1), (1, -2, 2)]), (real(3, 4), real())),
    Case("pad_positive", lambda lax: lambda x, v: lax.pad(x, v, [(1, 0, 0), (2, 1, 0)]),
         (real(2, 3), real())),
    Case("slice", lambda lax: lambda x: lax.slice(x, (1, 0), (4, 5), (2, 3)), (real(4, 5),)),
    Case("slice_in_dim", lambda lax: lambda x: lax.slice_in_dim(x, 1, 3, 1, 1), (real(3, 4),)),
    Case("dynamic_slice", lambda lax: lambda x: lax.dynamic_slice(x, (np.int32(1), np.int32(3)),
                                                                  (2, 2)), (real(4, 4),)),
    Case("dynamic_update_slice", lambda lax: lambda x, u: lax.dynamic_update_slice(
        x, u, (np.int32(2), np.int32(1))), (real(4, 4), real(2, 2))),
    Case("gather", _gather, (real(4, 3),)),
    Case("gather_clip", lambda lax: _gather(lax, "clip", ROWS_OUT_OF_BOUNDS), (real(4, 3),)),
    Case("gather_fill", lambda lax: _gather(lax, "fill", ROWS_OUT_OF_BOUNDS, -5.0),
         (real(4, 3),)),
    Case("gather_points", _gather_2d_points, (real(4, 3),)),
    Case("scatter_add", _scatter_add, (real(4, 3), real(4, 3))),
    Case("scatter_add_drop", lambda lax: _scatter_add(lax, "drop", ROWS_OUT_OF_BOUNDS),
         (real(4, 3), real(4, 3))),
    Case("scatter", _scatter, (real(4, 3), real(3, 3))),
    Case("scatter_mul", lambda lax: _scatter(lax, "scatter_mul"), (real(4, 3), real(3, 3))),
    Case("scatter_min", lambda lax: _scatter_extremum(lax, "scatter_min"),
         (real(4, 3), real(4, 3))),
    Case("scatter_max", lambda lax: _scatter_extremum(lax, "scatter_max"),
         (real(4, 3), real(4, 3))),
    # -- reductions, scans and contractions ------------------------------------
    Case("reduce_sum", lambda lax: lambda x: lax.reduce_sum(x, (0, 2)), (real(2, 3, 4),)),
    Case("reduce_prod", lambda lax: lambda x: lax.reduce_prod(x, (1,)), (away_from_zero(3, 4),)),
    Case("reduce_prod_with_zero", lambda lax: lambda x: lax.reduce_prod(x, (0,)),
         (fixed([0.0, 1.5, -2.0, 0.7]),)),
    Case("reduce_max", lambda lax: lambda x: lax.reduce_max(x, (0,)), (distinct(4, 3),)),
    Case("reduce_min", lambda lax: lambda x: lax.reduce_min(x, (0, 1)), (distinct(4, 3),)),
    Case("cumsum", lambda lax: lambda x: lax.cumsum(x, 1, reverse=True), (real(3, 4),)),
    Case("sort", lambda lax: lambda x: lax.sort(x, 1), (real(3, 4),)),
    Case("sort_two_keys", lambda lax: lambda x, y: lax.sort((x, y), 0, num_keys=1)[1],
         (real(4, 3), real(4, 3))),
    Case("cumprod", lambda lax: lambda x: lax.cumprod(x, 0), (away_from_zero(5, 2),)),
    Case("cummax", lambda lax: lambda x: lax.cummax(x, 0), (distinct(5, 2),)),
    Case("cummin", lambda lax: lambda x: lax.cummin(x, 1, reverse=True), (distinct(2, 5),)),
    Case("dot_general_matmul", lambda lax: lambda x, y: lax.dot(x, y), (real(3, 4), real(4, 2))),
    Case("dot_general_vecdot", lambda lax: lambda x, y: lax.dot(x, y), (real(4), real(4))),
    Case("dot_general_batch", _dot_general_batch, (real(2, 3, 4, 5), real(5, 2, 6, 4))),
    Case("argmax_reindex", lambda lax: lambda x: lax.mul(x, lax.broadcast(
        lax.convert_element_type(lax.argmax(x, 0, np.int32), x.dtype), (3,))),
         (distinct(3, 2),)),
    # -- convolution, windows, Fourier transforms (more in their own test files) ------
    Case("conv_general_dilated", lambda lax: lambda x, w: lax.conv_general_dilated(
        x, w, (2, 1), [(1, 0), (0, 1)], (1, 2), (2, 1), feature_group_count=2),
         (real(2, 4, 4, 5), real(4, 2, 2, 2))),
    Case("reduce_window_sum", lambda lax: lambda x: lax.reduce_window(
        x, 0.0, lax.add, (2, 3), (1, 2), "SAME"), (real(4, 5),)),
    Case("reduce_window_max", lambda lax: lambda x: lax.reduce_window(
        x, -np.inf, lax.max, (2, 2), (2, 1), "VALID"), (distinct(4, 5),)),
    Case("reduce_window_min", lambda lax: lambda x: lax.reduce_window(
        x, np.inf, lax.min, (3, 2), (1, 1), "SAME"), (distinct(4, 5),)),
    Case("fft", lambda lax: lambda x: lax.fft(lax.fft(x, "rfft", (3, 4)), "irfft", (3, 5)),
         (real(2, 3, 4),)),
    Case("top_k", lambda lax: lambda x: lax.top_k(x, 2)[0], (distinct(3, 4),)),
    Case("cumlogsumexp", lambda lax: lambda x: lax.cumlogsumexp(x, 1, reverse=True),
         (real(3, 4),)),
    # -- higher-order primitives -------------------------------------------------
    Case("jit", _jit, (real(3, 2), real(3, 2))),
    Case("cond_true", _cond, (positive(3), real(3))),
    Case("cond_false", _cond, (real(3, lo=-2.0, hi=-0.5), real(3))),
    Case("switch", _switch, (real(3),)),
    Case("scan", _scan, (real(2), real(4, 2, lo=-1.0, hi=1.0))),
    Case("fori_loop", _fori_loop, (real(3, lo=-1.0, hi=1.0),)),
]


def _make_args(case, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(spec(rng, dtype) for spec in case.args)


def _ids(cases):
    return [c.name for c in cases]


def _numerical_params():
    """The cases finite differences can check; known bugs marked strict xfail."""
    params = []
    for c in CASES:
        if not c.numerical:
            continue
        marks = []
        if c.xfail_grads:
            reason, raises = c.xfail_grads
            marks.append(pytest.mark.xfail(strict=True, raises=raises, reason=reason))
        params.append(pytest.param(c, id=c.name, marks=marks))
    return params


@pytest.mark.parametrize("case", _numerical_params())
def test_check_grads_order2_float64(case):
    with x64():
        args = _make_args(case, np.float64)
        check_grads(case.fn(minijax.lax), args, order=2, modes=("fwd", "rev"),
                    **case.grad_tol)


def _random_cotangent(rng, out):
    def one(x):
        x = np.asarray(x)
        if x.dtype.kind not in "fc":
            return np.zeros(x.shape, minijax.dtypes.float0)
        value = rng.standard_normal(x.shape)
        if x.dtype.kind == "c":
            value = value + 1j * rng.standard_normal(x.shape)
        return value.astype(x.dtype)
    return jax.tree_util.tree_map(one, out)


def compare_vjp_with_jax(fn, args, tol=None):
    """minijax.vjp vs jax.vjp: outputs and cotangents, with dtypes and weak types."""
    tol = tol or F32_TOL
    out, pullback = minijax.vjp(fn(minijax.lax), *args)
    out_j, pullback_j = jax.vjp(fn(jax.lax), *args)
    check_like_jax(out, out_j, **tol)
    ct = _random_cotangent(np.random.default_rng(1), out_j)
    cts = pullback(ct)
    cts_j = pullback_j(ct)
    assert isinstance(cts, tuple) and len(cts) == len(args)
    check_like_jax(cts, cts_j, **tol)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_vjp_matches_jax_float32(case):
    compare_vjp_with_jax(case.fn, _make_args(case, np.float32), case.vjp_tol)


def test_digamma_derivative():
    compare_vjp_with_jax(lambda lax: lax.digamma, (np.array([0.7, 1.5, 3.0], np.float32),))


def test_gather_fill_value_jvp_matches_jax():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    t = np.ones_like(x)
    ours = minijax.jvp(_gather(minijax.lax, "fill", ROWS_OUT_OF_BOUNDS, -5.0), (x,), (t,))
    theirs = jax.jvp(_gather(jax.lax, "fill", ROWS_OUT_OF_BOUNDS, -5.0), (x,), (t,))
    check_like_jax(ours, theirs)


def test_fill_mode_indexing_matches_jax():
    x = np.array([0.3, -1.2, 0.8], np.float32)
    idx = np.array([0, 5, -7])
    fn = lambda lax: lambda x: (mjnp if lax is minijax.lax else jax.numpy).asarray(x).at[
        idx].get(mode="fill", fill_value=0.0)
    compare_vjp_with_jax(fn, (x,))


# ---------------------------------------------------------------------------
# Varying shapes: elementwise ops and dot_general under hypothesis

_SHAPES = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)
_SMOOTH = ["sin", "tanh", "exp", "logistic", "atan"]


@given(shape=_SHAPES, name=st.sampled_from(_SMOOTH), seed=st.integers(0, 2**16))
def test_unary_vjp_any_shape(shape, name, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, shape).astype(np.float32)
    compare_vjp_with_jax(lambda lax: lambda x: lax.mul(getattr(lax, name)(x), x), (x,))


@given(b=st.integers(1, 2), m=st.integers(1, 3), k=st.integers(1, 3), n=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_batched_matmul_vjp_any_shape(b, m, k, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, m, k)).astype(np.float32)
    y = rng.standard_normal((b, k, n)).astype(np.float32)
    fn = lambda lax: lambda x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (0,))))
    compare_vjp_with_jax(fn, (x, y))
    with x64():
        check_grads(fn(minijax.lax), (x.astype(np.float64), y.astype(np.float64)), order=2)


# ---------------------------------------------------------------------------
# Coverage: every primitive is in the table, or listed here with a reason

NOT_DIFFERENTIATED = {
    # Boolean or integer results: their tangents are float0, nothing to check.
    "eq": "boolean result", "ne": "boolean result", "lt": "boolean result",
    "le": "boolean result", "gt": "boolean result", "ge": "boolean result",
    "and": "integer/boolean operands only", "or": "integer/boolean operands only",
    "xor": "integer/boolean operands only", "not": "integer/boolean operands only",
    "reduce_and": "boolean operands only", "reduce_or": "boolean operands only",
    "argmin": "integer result (argmax is in the table through argmax_reindex)",
    "iota": "no operands, integer result",
    "shift_left": "integer operands only", "shift_right_logical": "integer operands only",
    "shift_right_arithmetic": "integer operands only",
    "bitcast_convert_type": "reinterprets bits: zero derivative (the PRNG's floats)",
    "random_gamma": "JAX differentiates it implicitly; minijax refuses (test_random.py)",
    "population_count": "integer operands only", "clz": "integer operands only",
    "reduce_precision": "rounding: zero derivative almost everywhere, but linear in JAX's "
                        "rules (finite differences cannot agree); test_lax_more.py compares "
                        "its gradient with JAX's",
    # No derivative in JAX either (minijax treats it as zero; JAX raises).
    "nextafter": "JAX defines no derivative for nextafter",
    "igamma_grad_a": "JAX defines no derivative for igamma_grad_a (the a-slope of igamma)",
    # JAX cannot transpose it either: the number of iterations is unknown.
    "while": "no reverse mode in JAX either; see test_while_loop_forward_only",
    # Differentiated, but on matrices with their own invariants (sign choices).
    **{name: "a matrix factorisation; derivatives tested in test_linalg.py" for name in
       ("cholesky", "triangular_solve", "eigh", "qr", "svd", "lu")},
}


DIFFERENTIATED_ELSEWHERE = {
    # Higher-order primitives carrying user functions: their reverse mode is
    # checked against JAX scenario by scenario.
    "custom_jvp_call": "test_custom_jvp.py", "custom_vjp_call": "test_custom_vjp.py",
    "custom_lin": "test_custom_vjp.py", "custom_linear_solve": "test_custom_vjp.py",
    "remat2": "checkpoint: see test_checkpoint.py",
    "name": "checkpoint_name: see test_checkpoint.py",
    "checkpointed_scan": "see test_binomial_checkpoint.py",
    "debug_callback": "no outputs; prints primal values under grad: see test_debug.py",
    # The derivatives of max/min windows: they appear only in differentiated
    # programs (reduce_window_max/min above reach them) and are checked to
    # second order in test_reduce_window.py.
    "select_and_gather_add": "test_reduce_window.py",
    "select_and_scatter_add": "test_reduce_window.py",
}


def _primitives_in(fn, args):
    closed = minijax.make_jaxpr(fn)(*args)
    return {eqn.primitive.name for eqn in closed.eqns}


def test_every_primitive_is_covered():
    covered = set()
    for case in CASES:
        covered |= _primitives_in(case.fn(minijax.lax), _make_args(case, np.float32))
    covered.add("add_any")   # minijax.lax.add_any stages as add_any (see the add_any case)
    missing = (set(minijax.core.all_primitives) - covered - set(NOT_DIFFERENTIATED)
               - set(DIFFERENTIATED_ELSEWHERE))
    assert not missing, f"primitives neither in the op table nor listed as non-differentiable: " \
                        f"{sorted(missing)}"
    assert all(NOT_DIFFERENTIATED.values())


def test_while_loop_forward_only():
    """while_loop: forward mode is checked; reverse mode is refused like JAX's."""
    def fn(lax):
        cf = _cf(lax)
        return lambda x: cf.while_loop(lambda c: c[0] < 3,
                                       lambda c: (c[0] + 1, lax.mul(c[1], lax.sin(c[1]))),
                                       (0, x))[1]
    x = np.array([0.3, -1.2, 0.8])
    with x64():
        check_grads(fn(minijax.lax), (x,), order=2, modes=("fwd",))
    with pytest.raises(ValueError) as theirs:
        jax.grad(lambda x: fn(jax.lax)(x).sum())(x)
    with pytest.raises(ValueError, match="while_loop") as ours:
        minijax.grad(lambda x: fn(minijax.lax)(x).sum())(x)
    assert type(ours.value).__name__ == "UnsupportedWhileLoopDifferentiation"
    assert "while_loop" in str(theirs.value)


def test_add_any_case_stages_add_any():
    case = next(c for c in CASES if c.name == "add_any")
    assert _primitives_in(case.fn(minijax.lax), _make_args(case, np.float32)) == {"add_any"}


def test_integer_results_have_float0_cotangents_like_jax():
    # A function with an integer output and an integer input: JAX's vjp wants
    # float0 cotangents for the first and returns a float0 cotangent for the second.
    def fn(lax):
        return lambda x, n: (lax.mul(x, x), lax.argmax(x, 0, np.int32), lax.add(n, n))
    x, n = np.array([0.5, -1.0, 2.0], np.float32), np.array([1, 2], np.int32)
    compare_vjp_with_jax(fn, (x, n))
