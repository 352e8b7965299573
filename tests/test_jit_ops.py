"""jit, primitive by primitive: every lowering rule against eager minijax and real JAX.

One table of op cases. Each case is a function written once against a
namespace ``ns`` (``ns.lax``, ``ns.jnp``, ``ns.grad``), so the same code runs
on minijax and on JAX, and a recipe for its arguments at one dtype. The
recipes are full of edge values: nan, inf, -0.0, denormals, integers at their
limits, float -> int conversions out of range, integer division by negative
numbers, out-of-bounds gather/scatter/dynamic_slice indices, negative and
interior padding, argmax ties and nans, reverse cumulative sums, integer
``select_n`` selectors.

For every (case, dtype), ``minijax.jit`` and ``jax.jit`` results are computed
once (``_jitted_case``: one program per case for all its dtypes, since
compiling dominates the cost). Then:

* ``test_jit_matches_eager``: jit equals eager minijax (within ``F32_TOL``:
  eager transcendental functions come from numpy), with the same nans, signed
  zeros, dtypes and weak types;
* ``test_jit_matches_jax_jit``: jit equals ``jax.jit`` exactly (same compiler,
  and minijax's lowering matches JAX's) unless a case says why not;
* coverage: every primitive has a lowering rule, and the table reaches every
  primitive that has one;
* constants closed over by a jitted function are embedded bit for bit.

Known bugs of eager minijax are rows with ``eager_bug``: strict xfails, which
start failing (as a reminder to drop the mark) once the bug is fixed.
"""
import contextlib
import functools
import types
from typing import Callable, NamedTuple

import jax
import jax.ad_checkpoint
import numpy as np
import pytest

import minijax
from minijax import core, lowering
from minijax.jaxpr import ClosedJaxpr, Jaxpr

from helpers import F32_TOL, F64_TOL, x64

# JAX warns when converting complex to real (the conversion cases do it on purpose).
pytestmark = pytest.mark.filterwarnings("ignore:Casting complex values to real")

M = types.SimpleNamespace(lax=minijax.lax, jnp=minijax.numpy, grad=minijax.grad,
                          jit=minijax.jit, nn=minijax.nn, custom_vjp=minijax.custom_vjp,
                          checkpoint=minijax.checkpoint,
                          checkpoint_name=minijax.ad_checkpoint.checkpoint_name,
                          checkpointed_scan=minijax.ad_checkpoint.checkpointed_scan,
                          random=minijax.random)
# JAX has no checkpointed_scan: its reference is a plain scan (same values).
J = types.SimpleNamespace(lax=jax.lax, jnp=jax.numpy, grad=jax.grad, jit=jax.jit, nn=jax.nn,
                          custom_vjp=jax.custom_vjp, checkpoint=jax.checkpoint,
                          checkpoint_name=jax.ad_checkpoint.checkpoint_name,
                          checkpointed_scan=lambda f, init, xs, checkpoints: jax.lax.scan(
                              f, init, xs),
                          random=jax.random)

F32, F64, I32, U8, U32, BOOL, C64 = ("float32", "float64", "int32", "uint8", "uint32", "bool",
                                     "complex64")
FLOATS = (F32, F64)
INEXACT = (F32, F64, C64)
INTS = (I32, U8, U32)
INTEGRAL = INTS + (BOOL,)
NUMBERS = FLOATS + INTS + (C64,)
ALL = NUMBERS + (BOOL,)
X64_DTYPES = {F64}

# ---------------------------------------------------------------------------
# Edge values


def edge(dt):
    """A 1-d array of awkward values of dtype ``dt``. No denormals: XLA:CPU
    flushes them to zero and numpy does not (see ``denormals`` below)."""
    dt = np.dtype(dt)
    if dt.kind == "f":
        vals = [0.0, -0.0, 0.5, -1.5, 2.5, -3.25, np.finfo(dt).tiny, -np.finfo(dt).tiny * 3,
                np.nan, np.inf, -np.inf, np.finfo(dt).max / 4, 1e-3, 7.0]
    elif dt.kind == "c":
        vals = [0, -0.0 + 0j, 1 + 2j, -0.5 + 0.25j, -3j, 2.5 - 1j, 1.5, 0.75 - 0.5j]
    elif dt.kind == "b":
        vals = [True, False, True, True, False, False, True]
    elif dt.kind == "i":
        info = np.iinfo(dt)
        vals = [0, 1, -1, 7, -7, 3, -3, 100, info.max, info.min, info.max - 1, 42]
    else:
        info = np.iinfo(dt)
        vals = [0, 1, 2, 7, 3, 100, info.max, info.max - 1, 42, 5]
    return np.array(vals, dt)


def edge2(dt):
    """Every pair of edge values, as two arrays of the same shape."""
    x = edge(dt)
    a, b = np.broadcast_arrays(x[:, None], x[None, :])
    return a.copy(), b.copy()


def finite(dt, *shape, lo=-2.0, hi=2.0, seed=0):
    """Random finite values (for functions whose edge behaviour is not the
    point, and for complex transcendental functions)."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dt)
    shape = shape or (7,)
    if dt.kind == "c":
        return (rng.uniform(lo, hi, shape) + 1j * rng.uniform(lo, hi, shape)).astype(dt)
    if dt.kind == "b":
        return rng.uniform(size=shape) < 0.5
    if dt.kind in "iu":
        lo = 0 if dt.kind == "u" else lo
        return rng.integers(int(lo) - 3, int(hi) + 4, shape).astype(dt)
    return rng.uniform(lo, hi, shape).astype(dt)


def unary(dt):
    return (edge(dt),)


def unary_finite_complex(dt):
    """Edge values for reals; finite values for complex (numpy's and XLA's
    complex kernels disagree on infinities and nans in ways neither documents)."""
    return (finite(dt, 9),) if np.dtype(dt).kind == "c" else (edge(dt),)


def binary(dt):
    return edge2(dt)


def binary_finite_complex(dt):
    if np.dtype(dt).kind == "c":
        x = finite(dt, 6, seed=1)
        a, b = np.broadcast_arrays(x[:, None], x[None, :])
        return a.copy(), b.copy()
    return edge2(dt)


def int_division(dt):
    """Integer division and remainder with negative operands, no zero divisor."""
    dt = np.dtype(dt)
    if dt.kind == "f":
        return edge2(dt)
    if dt.kind == "c":
        return binary_finite_complex(dt)
    if dt.kind == "i":
        x = np.array([7, -7, 6, -6, 1, -1, 0, 100, np.iinfo(dt).min, np.iinfo(dt).max], dt)
        y = np.array([2, -2, 3, -3, 1, -1, 7, -100, -1, -2], dt)
    else:
        x = np.array([7, 6, 1, 0, 100, np.iinfo(dt).max, 3], dt)
        y = np.array([2, 4, 1, 7, 3, 2, 255], dt)
    a, b = np.broadcast_arrays(x[:, None], y[None, :])
    return a.copy(), b.copy()


def fixed(*arrays):
    return lambda dt: tuple(np.asarray(a, dt) for a in arrays)


# ---------------------------------------------------------------------------
# The table


class Case(NamedTuple):
    name: str
    fun: Callable            # fun(ns, *args)
    args: Callable           # args(dtype) -> tuple of numpy arrays
    dtypes: tuple
    jax_tol: dict = None     # tolerance against jax.jit; None: exact (same lowering)
    why_not_exact: str = ""  # required with jax_tol, and with eager_signed_zeros=False
    eager_signed_zeros: bool = True   # compare signs of zeros with eager evaluation
    vs_eager: bool = True    # False: eager (numpy) semantics differ on purpose; say why
    eager_bug: str = ""      # known bug of eager minijax: xfail(strict) against eager
    jax_bug: str = ""        # known difference from JAX: xfail(strict) against jax.jit
    only_dtypes: tuple = ()  # the dtypes jax_tol and the bugs above concern (all if empty)
    eager_tol: dict = None   # tolerance against eager minijax, if not F32_TOL/F64_TOL


def unary_case(name, dts, args=unary, fn=None, **kw):
    fn = fn or (lambda ns, x, _name=name: getattr(ns.lax, _name)(x))
    return Case(name, fn, args, dts, **kw)


def binary_case(name, dts, args=binary, **kw):
    return Case(name, lambda ns, x, y, _name=name: getattr(ns.lax, _name)(x, y), args, dts,
                **kw)


def without(values, dt):
    """``edge(dt)`` minus some values (matched by bits, so -0.0 and nan work)."""
    x = edge(dt)
    drop = np.asarray(values, dt)
    bits = lambda a: a.view(f"u{a.dtype.itemsize}")
    keep = ~np.isin(bits(x), bits(drop)) & ~(np.isnan(x) & np.isnan(drop).any())
    return x[keep]


def denormals(dt):
    """Denormals next to zero, infinities and ordinary numbers."""
    dt = np.dtype(dt)
    tiny = np.finfo(dt).smallest_subnormal
    x = np.array([tiny, -tiny * 3, tiny * 1000, np.finfo(dt).tiny / 2, 0.0, -0.0, 1.5, np.inf],
                 dt)
    a, b = np.broadcast_arrays(x[:, None], x[None, :])
    return a.copy(), b.copy()


def _denormal_ops(ns, x, y):
    lax = ns.lax
    return (lax.mul(x, y), lax.add(x, y), lax.div(x, y), lax.eq(x, y), lax.lt(x, y),
            lax.sqrt(x), lax.log(x), lax.floor(x), lax.sign(x),
            lax.convert_element_type(x, np.bool_), lax.nextafter(x, y))


def _gather_dn(ns, offset, collapsed, index_map):
    return ns.lax.GatherDimensionNumbers(offset_dims=offset, collapsed_slice_dims=collapsed,
                                         start_index_map=index_map)


def _scatter_dn(ns, window, inserted, to_operand):
    return ns.lax.ScatterDimensionNumbers(update_window_dims=window,
                                          inserted_window_dims=inserted,
                                          scatter_dims_to_operand_dims=to_operand)


GATHER_INDICES = np.array([[0, 1], [2, -1], [3, 3], [-5, 0], [1, 2], [4, 9]], np.int32)
SCATTER_INDICES = np.array([[0], [3], [-1], [7], [2], [4]], np.int32)
TIES = [[1.0, 3.0, 3.0, 0.0], [np.nan, 1.0, np.nan, 2.0], [-np.inf] * 4, [2.0, 2.0, 2.0, 2.0],
        [0.0, -0.0, 0.0, -1.0]]


def _cond_fun(ns, x):
    return ns.lax.cond(ns.lax.reduce_sum(x, (0,)) > 0, lambda v: ns.lax.sin(v) * v,
                       lambda v: v - 1, x)


def _switch_fun(ns, i, x):
    return ns.lax.switch(i, [lambda v: v + 1, lambda v: v * 2, lambda v: -v], x)


def _while_fun(ns, x):
    def cond(c):
        i, v = c
        return i < 5

    def body(c):
        i, v = c
        return i + 1, v * 1.5 + ns.lax.convert_element_type(i, v.dtype)
    return ns.lax.while_loop(cond, body, (0, x))


def _scan_fun(ns, x):
    def step(c, xi):
        c = c * 0.5 + xi
        return c, ns.lax.sin(c)
    return ns.lax.scan(step, ns.jnp.zeros(x.shape[1:], x.dtype), x, reverse=True)


def _remat_grad_fun(ns, x):
    # grad of a checkpointed function: remat2 (with an optimization barrier) and name.
    body = ns.checkpoint(lambda y: ns.lax.sin(ns.checkpoint_name(y * y, "sq")))
    return ns.grad(lambda v: ns.jnp.sum(body(v)))(x)


def _checkpointed_scan_fun(ns, x):
    def step(c, xi):
        c = c * 0.5 + ns.lax.sin(xi)
        return c, c * c
    return ns.checkpointed_scan(step, ns.jnp.zeros(x.shape[1:], x.dtype), x, checkpoints=2)


def _nested_jit_fun(ns, x):
    return ns.jit(lambda y: ns.lax.exp(y) - y)(x) * 2


def _add_any_fun(ns, x):
    # The gradient of a function that uses x twice sums two cotangents: add_any.
    return ns.grad(lambda v: ns.jnp.sum(v * ns.lax.sin(v)))(x)


TRANSCENDENTAL = ["exp", "exp2", "log", "log1p", "expm1", "sin", "cos", "tan", "asin",
                  "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                  "logistic", "sqrt", "rsqrt"]
COMPLEX_SIN = ("JAX lowers complex sin/cos with its own formula in real arithmetic; "
               "minijax uses XLA's complex sine/cosine (a few ulps apart)")
ROUNDING = [0.5, 1.5, 2.5, -0.5, -2.5, 0.49999997, -0.3, 3.7, -3.7, np.nan, np.inf, -np.inf]
POLES = [0.0, -0.0, -np.inf]   # of lgamma and digamma
SIGNED_MAX = "max(0.0, -0.0): numpy returns the first argument, XLA +0.0; IEEE leaves it open"
NO_DENORMALS = ("XLA:CPU treats denormal inputs and results as zero (as jax.jit does); "
                "eager minijax computes with numpy, which does not")
TRIG = ["sin", "cos"]
INCOMPLETE = ("minijax's own series and continued fractions for the incomplete gamma and "
              "beta functions (lax.special), not JAX's: equal to a few ulps")

def _clip_gradient(ns):
    @ns.custom_vjp
    def clip(x):
        return x
    clip.defvjp(lambda x: (x, None), lambda _, g: (ns.jnp.clip(g, -1, 1),))
    return clip


CASES = [
    # -- elementwise, unary
    *[unary_case(n, INEXACT, unary_finite_complex,
                 **(dict(jax_tol=dict(rtol=1e-6, atol=0), why_not_exact=COMPLEX_SIN,
                         only_dtypes=(C64,)) if n in TRIG else {}))
      for n in TRANSCENDENTAL],
    unary_case("cbrt", FLOATS), unary_case("erf", FLOATS), unary_case("erfc", FLOATS),
    unary_case("erf_inv", FLOATS, lambda dt: (without([-0.0], dt),)),
    unary_case("erf_inv_negative_zero", FLOATS, fixed([-0.0, 0.0]),
               fn=lambda ns, x: ns.lax.erf_inv(x)),
    unary_case("lgamma", FLOATS, lambda dt: (np.concatenate([without(POLES, dt),
                                                             np.array([-2.5, -0.5], dt)]),)),
    unary_case("digamma", FLOATS, lambda dt: (np.concatenate([without(POLES, dt),
                                                              np.array([-2.5, -0.5], dt)]),)),
    Case("polygamma", lambda ns, x: ns.lax.polygamma(np.full(x.shape, 2, x.dtype), x),
         lambda dt: (np.array([0.5, 1.0, 2.5, 7.0], dt),), FLOATS),
    Case("lgamma_digamma_poles", lambda ns, x: (ns.lax.lgamma(x), ns.lax.digamma(x)),
         fixed(POLES + [-2.0]), FLOATS),
    # The incomplete gamma and beta functions: our series and continued
    # fractions, not JAX's, so close to jax.jit rather than equal.
    *[Case(name, lambda ns, a, x, _name=name: getattr(ns.lax, _name)(a, x),
           fixed([0.5, 1.0, 2.0, 5.0, 0.0, 3.0, np.nan], [0.2, 1.5, 3.0, 7.0, 2.0, 0.0, 1.0]),
           FLOATS, jax_tol=dict(rtol=2e-4, atol=1e-5), why_not_exact=INCOMPLETE)
      for name in ("igamma", "igammac", "igamma_grad_a")],
    Case("regularized_incomplete_beta", lambda ns, a, b, x: ns.lax.betainc(a, b, x),
         fixed([1.0, 2.0, 0.5, 5.0, 0.0, 2.0], [1.0, 3.0, 0.5, 0.2, 1.0, 2.0],
               [0.5, 0.4, 0.1, 0.99, 0.5, 1.0]),
         FLOATS, jax_tol=dict(rtol=2e-4, atol=1e-5), why_not_exact=INCOMPLETE),
    unary_case("floor", FLOATS), unary_case("ceil", FLOATS),
    unary_case("is_finite", FLOATS),
    unary_case("round_away", FLOATS, fixed(ROUNDING), fn=lambda ns, x: ns.lax.round(x, 0)),
    unary_case("round_even", FLOATS, fixed(ROUNDING + [-0.0]),
               fn=lambda ns, x: ns.lax.round(x, 1)),
    unary_case("neg", NUMBERS),
    unary_case("sign", NUMBERS, lambda dt: (without([-0.0], dt) if np.dtype(dt).kind == "f"
                                            else edge(dt),)),
    unary_case("sign_negative_zero", FLOATS, fixed([-0.0, 0.0]),
               fn=lambda ns, x: ns.lax.sign(x)),
    unary_case("abs", FLOATS + (I32, C64)),
    Case("abs_unsigned", lambda ns, x: ns.lax.abs(x) if ns is M else x, unary, (U8, U32)),
    unary_case("bitwise_not", INTEGRAL),
    unary_case("real", (C64,)), unary_case("imag", (C64,)),
    unary_case("conj", (F32, C64)),
    unary_case("stop_gradient", (F32, I32)),
    unary_case("square", NUMBERS, unary_finite_complex,
               fn=lambda ns, x: ns.lax.integer_pow(x, 2)),
    unary_case("integer_pow_3", NUMBERS, unary_finite_complex,
               fn=lambda ns, x: ns.lax.integer_pow(x, 3)),
    unary_case("integer_pow_7", (F32, I32, C64), unary_finite_complex,
               fn=lambda ns, x: ns.lax.integer_pow(x, 7)),
    unary_case("integer_pow_-2", INEXACT, unary_finite_complex,
               fn=lambda ns, x: ns.lax.integer_pow(x, -2)),
    unary_case("integer_pow_0", (F32, I32), fn=lambda ns, x: ns.lax.integer_pow(x, 0)),
    # -- elementwise, binary
    binary_case("add", NUMBERS), binary_case("sub", (F32, I32, U8, C64)),
    binary_case("mul", (F32, F64, I32, U8, C64)),
    binary_case("div", NUMBERS, int_division), binary_case("rem", FLOATS + INTS, int_division),
    Case("div_rem_by_zero", lambda ns, x, y: (ns.lax.div(x, y), ns.lax.rem(x, y)),
         lambda dt: (np.array([7, 0, 1, 3], dt), np.zeros(4, dt)), (I32, U8)),
    binary_case("pow", INEXACT, binary_finite_complex),
    binary_case("max", (F32, F64, I32, U8, BOOL), eager_signed_zeros=False,
                why_not_exact=SIGNED_MAX),
    binary_case("min", (F32, I32, U32), eager_signed_zeros=False, why_not_exact=SIGNED_MAX),
    binary_case("atan2", FLOATS), binary_case("nextafter", FLOATS),
    binary_case("bitwise_and", (I32, U8, BOOL)), binary_case("bitwise_or", (I32, U32, BOOL)),
    binary_case("bitwise_xor", (I32, U8, BOOL)),
    binary_case("eq", ALL), binary_case("ne", (F32, I32, BOOL, C64)),
    binary_case("lt", (F32, F64, I32, U8, BOOL)),
    *[binary_case(n, (F32, I32, U32)) for n in ("le", "gt", "ge")],
    binary_case("complex", FLOATS),
    Case("add_any", _add_any_fun, lambda dt: (finite(dt, 5),), FLOATS),
    # -- custom derivative rules: the primal function is what gets lowered
    Case("custom_jvp_call", lambda ns, x: (ns.nn.relu(x), ns.jnp.logaddexp(x, x)),
         lambda dt: (finite(dt, 5),), FLOATS),
    Case("custom_vjp_call", lambda ns, x: _clip_gradient(ns)(x) * 3,
         lambda dt: (finite(dt, 5),), FLOATS),
    Case("custom_linear_solve",
         lambda ns, x: ns.lax.custom_linear_solve(lambda v: v * 2, x, lambda mv, b: b * 0.5),
         lambda dt: (finite(dt, 5),), FLOATS),
    Case("scalar_broadcast", lambda ns, x: ns.lax.add(x, np.asarray(2, x.dtype)) * x[0],
         unary, (F32, I32)),
    Case("weak_scalars", lambda ns, x: x * 2 + 1, unary, (F32, I32, U8, C64)),
    Case("denormals", _denormal_ops, denormals, FLOATS, vs_eager=False,
         why_not_exact=NO_DENORMALS),
    # -- selection and conversion
    Case("select_bool", lambda ns, p, x, y: ns.lax.select(p, x, y),
         lambda dt: (edge(BOOL)[:6], edge(dt)[:6], edge(dt)[1:7]), (F32, I32, BOOL, C64)),
    Case("select_n_int", lambda ns, w, x, y, z: ns.lax.select_n(w, x, y, z),
         lambda dt: (np.array([0, 1, 2, 2, 1, 0], np.int32), edge(dt)[:6], edge(dt)[1:7],
                     edge(dt)[:6][::-1]), (F32, I32, BOOL)),
    Case("select_n_scalar_int", lambda ns, w, x, y, z: ns.lax.select_n(w, x, y, z),
         lambda dt: (np.int32(2), edge(dt)[:7], edge(dt)[1:8], edge(dt)[2:9]), (F32,)),
    Case("clamp", lambda ns, x: ns.lax.clamp(np.asarray(-1, x.dtype), x,
                                             np.asarray(3, x.dtype)), unary, (F32, F64, I32)),
    Case("clamp_arrays", lambda ns, lo, x, hi: ns.lax.clamp(lo, x, hi),
         lambda dt: (edge(dt) - 1, edge(dt)[::-1], edge(dt) + 1), (F32,)),
    *[Case(f"convert_to_{to}", lambda ns, x, _to=to: ns.lax.convert_element_type(x, _to),
           unary, sources)
      for to, sources in [(F32, ALL), (I32, (F32, F64, U32, BOOL, C64)), (U8, (F32, I32, BOOL)),
                          (U32, (F32, I32)), (BOOL, (F32, F64, I32, U8, C64)),
                          (C64, (F32, I32, BOOL))]],
    Case("convert_to_float64", lambda ns, x: ns.lax.convert_element_type(x, np.float64),
         unary, (F64,)),
    Case("convert_f64_to_f32", lambda ns, x: ns.lax.convert_element_type(x, np.float32),
         lambda dt: (np.array([1e300, -1e300, 1e-30, 1 / 3, np.nan, -0.0, 3.4e38, 3.5e38],
                              dt),), (F64,)),
    Case("convert_out_of_range", lambda ns, x: (ns.lax.convert_element_type(x, np.int32),
                                                ns.lax.convert_element_type(x, np.uint8),
                                                ns.lax.convert_element_type(x, np.uint32)),
         fixed([1e10, -1e10, 2147483648.0, -2147483904.0, 255.5, 256.0, -0.99, -1.0, 2.9,
                -2.9, np.nan, np.inf, -np.inf, 4294967296.0]), (F32,)),
    # -- shapes
    Case("broadcast_in_dim", lambda ns, x: ns.lax.broadcast_in_dim(x[:3], (2, 3, 4), (1,)),
         unary, ALL),
    Case("broadcast_scalar", lambda ns, x: ns.lax.broadcast_in_dim(x[0], (2, 3), ()),
         unary, (F32, BOOL)),
    Case("reshape", lambda ns, x: ns.lax.reshape(x[:6], (2, 3)), unary, (F32, I32, BOOL)),
    Case("squeeze", lambda ns, x: ns.lax.squeeze(ns.lax.reshape(x[:3], (1, 3, 1)), (0, 2)),
         unary, (F32, U8)),
    Case("transpose", lambda ns, x: ns.lax.transpose(x, (2, 0, 1)),
         lambda dt: (finite(dt, 2, 3, 4),), (F32, I32, BOOL, C64)),
    Case("rev", lambda ns, x: ns.lax.rev(x, (0, 2)), lambda dt: (finite(dt, 2, 3, 4),),
         (F32, U32, BOOL)),
    Case("concatenate", lambda ns, x, y: ns.lax.concatenate([x, y, x], 1), binary,
         (F32, I32, BOOL, C64)),
    Case("pad_negative_interior", lambda ns, x, v: ns.lax.pad(x, v, [(-1, 2, 1), (2, -3, 2)]),
         lambda dt: (finite(dt, 4, 5), np.asarray(edge(dt)[-1], dt)), (F32, F64, I32, BOOL)),
    Case("pad_crop_all", lambda ns, x, v: ns.lax.pad(x, v, [(-2, -1, 0), (0, 0, 3)]),
         lambda dt: (finite(dt, 4, 3), np.asarray(edge(dt)[2], dt)), (F32, U8)),
    Case("slice_strided", lambda ns, x: ns.lax.slice(x, (1, 0), (6, 5), (2, 3)),
         lambda dt: (finite(dt, 7, 6),), (F32, I32, BOOL)),
    Case("slice", lambda ns, x: ns.lax.slice(x, (2,), (5,)), unary, (F32, C64)),
    Case("dynamic_slice_oob", lambda ns, x, i, j: (
        ns.lax.dynamic_slice(x, (i, j), (2, 3)), ns.lax.dynamic_slice(x, (j, i), (3, 2)),
        ns.lax.dynamic_slice(x, (i - 20, j + 20), (4, 4))),
        lambda dt: (finite(dt, 5, 6), np.int32(4), np.int32(9)), (F32, I32, BOOL)),
    Case("dynamic_slice_uint_index", lambda ns, x, i: ns.lax.dynamic_slice(x, (i,), (3,)),
         lambda dt: (edge(dt), np.uint8(250)), (F32,)),
    Case("dynamic_update_slice_oob", lambda ns, x, u, i, j: (
        ns.lax.dynamic_update_slice(x, u, (i, j)), ns.lax.dynamic_update_slice(x, u, (j, i))),
        lambda dt: (finite(dt, 5, 6), finite(dt, 2, 3, seed=2), np.int32(9), np.int32(-30)),
        (F32, I32, BOOL)),
    Case("dynamic_slice_negative_start", lambda ns, x, i: (
        ns.lax.dynamic_slice(x, (i,), (2,)), ns.lax.dynamic_update_slice(x, x[:2], (i,))),
        lambda dt: (finite(dt, 6), np.int32(-2)), (F32, I32)),   # counts from the end
    Case("gather_clip", lambda ns, x, idx: ns.lax.gather(
        x, idx, _gather_dn(ns, (1,), (0,), (0, 1)), (1, 2), mode="clip"),
        lambda dt: (finite(dt, 5, 4), GATHER_INDICES), (F32, I32, BOOL, C64)),
    Case("gather_fill", lambda ns, x, idx: ns.lax.gather(
        x, idx, _gather_dn(ns, (1,), (0,), (0, 1)), (1, 2), mode="fill"),
        lambda dt: (finite(dt, 5, 4), GATHER_INDICES), (F32, F64, I32, U8, BOOL, C64)),
    Case("gather_fill_value", lambda ns, x, idx: ns.lax.gather(
        x, idx[:, :1], _gather_dn(ns, (1,), (0,), (0,)), (1, 4), mode="fill",
        fill_value=-7), lambda dt: (finite(dt, 5, 4), GATHER_INDICES), (F32, I32)),
    Case("jnp_indexing", lambda ns, x, i: (x[i], x[:, i[:2]], x[i[0], 1:]),
         lambda dt: (finite(dt, 5, 4), np.array([0, -1, 3, 9, -9], np.int32)), (F32, I32)),
    Case("scatter_add_drop", lambda ns, x, idx, u: ns.lax.scatter_add(
        x, idx, u, _scatter_dn(ns, (1,), (0,), (0,)), mode="drop"),
        lambda dt: (finite(dt, 5, 3), SCATTER_INDICES, finite(dt, 6, 3, seed=3)),
        (F32, I32, U8, C64)),
    Case("scatter_add_clip", lambda ns, x, idx, u: ns.lax.scatter_add(
        x, idx, u, _scatter_dn(ns, (1,), (0,), (0,)), mode="clip"),
        lambda dt: (finite(dt, 5, 3), SCATTER_INDICES, finite(dt, 6, 3, seed=3)), (F32, I32)),
    Case("scatter_drop", lambda ns, x, idx, u: ns.lax.scatter(
        x, idx, u, _scatter_dn(ns, (1,), (0,), (0,)), mode="drop"),
        lambda dt: (finite(dt, 5, 3), SCATTER_INDICES, finite(dt, 6, 3, seed=3)),
        (F32, I32, BOOL)),
    Case("scatter_clip_unique", lambda ns, x, idx, u: ns.lax.scatter(
        x, idx, u, _scatter_dn(ns, (1,), (0,), (0,)), mode="clip"),
        lambda dt: (finite(dt, 5, 3), np.array([[1], [-4], [9]], np.int32),
                    finite(dt, 3, 3, seed=3)), (F32, I32)),
    *[Case(name + "_drop", lambda ns, x, idx, u, name=name: getattr(ns.lax, name)(
        x, idx, u, _scatter_dn(ns, (1,), (0,), (0,)), mode="drop"),
        lambda dt: (finite(dt, 5, 3), SCATTER_INDICES, finite(dt, 6, 3, seed=3)), (F32, I32))
      for name in ("scatter_mul", "scatter_min", "scatter_max")],
    Case("jnp_at_combiners", lambda ns, x, i, u: (
        x.at[i].multiply(u), x.at[i].min(u), x.at[i].max(u), x.at[1:].divide(u[0]),
        x.at[2].power(u[1])),
         lambda dt: (finite(dt, 6), np.array([1, -1, 8, 1], np.int32), finite(dt, 4, seed=4)),
         (F32,)),
    Case("jnp_at_set_add", lambda ns, x, i, u: (x.at[i].set(u), x.at[i].add(u)),
         lambda dt: (finite(dt, 6), np.array([1, -1, 8], np.int32), finite(dt, 3, seed=4)),
         (F32, I32)),
    Case("iota", lambda ns, x: (ns.lax.iota(x.dtype, 5), ns.lax.broadcasted_iota(
        x.dtype, (3, 4), 1)), unary, (F32, F64, I32, U8)),
    # -- reductions
    *[Case(n, lambda ns, x, _n=n: (getattr(ns.lax, _n)(x, (0,)), getattr(ns.lax, _n)(x, (0, 1))),
           lambda dt: (np.resize(edge(dt), (3, 6)),), dts)
      for n, dts in [("reduce_sum", (F32, F64, I32, U8, C64)), ("reduce_prod", (F32, I32, C64)),
                     ("reduce_max", (F32, F64, I32, U32, BOOL)),
                     ("reduce_min", (F32, I32, U8, BOOL))]],
    *[Case(n, lambda ns, x, _n=n: (getattr(ns.lax, _n)(x, (0,)), getattr(ns.lax, _n)(x, (0, 1))),
           lambda dt: (np.array([[1, 1, 0, 0], [1, 0, 1, 0]], dt),), (BOOL,))
      for n in ("reduce_and", "reduce_or")],
    Case("reduce_and_or_bits", lambda ns, x: (ns.lax.reduce_and(x, (0,)),
                                              ns.lax.reduce_or(x, (0,))),
         fixed([[3, 12, 6], [6, 12, 5]]), (I32, U8, U32)),   # bitwise, not logical
    *[Case(f"{n}_ties", lambda ns, x, _n=n: (getattr(ns.lax, _n)(x, 1, np.int32),
                                             getattr(ns.lax, _n)(x, 0, np.int32)),
           lambda dt: (np.array(TIES, dt) if np.dtype(dt).kind == "f" else
                       finite(dt, 5, 4, lo=0, hi=1),), (F32, F64, I32, U8, BOOL))
      for n in ("argmax", "argmin")],
    *[Case(n, lambda ns, x, _n=n: (getattr(ns.lax, _n)(x, 0), getattr(ns.lax, _n)(x, 1),
                                   getattr(ns.lax, _n)(x, 0, reverse=True),
                                   getattr(ns.lax, _n)(x, 1, reverse=True)),
           lambda dt: (finite(dt, 4, 5, lo=-3, hi=3),), dts)
      for n, dts in [("cumsum", (F32, F64, I32, U8, C64)), ("cumprod", (F32, I32)),
                     ("cummax", (F32, I32, U8)), ("cummin", (F32, I32))]],
    Case("sort", lambda ns, x: (ns.lax.sort(x, 0), ns.lax.sort(x, 1),
                                ns.lax.sort((x, x * 2), 1, num_keys=1)),
         lambda dt: (finite(dt, 4, 5, lo=-3, hi=3),), (F32, F64, I32, U8)),
    Case("sort_nan", lambda ns, x: ns.lax.sort(x, 0),
         lambda dt: (np.array([3.0, np.nan, -np.inf, 1.0, np.inf, -2.0], dt),), (F32,)),
    Case("cumulative_nan_inf", lambda ns, x: (ns.lax.cumsum(x, 0, reverse=True),
                                              ns.lax.cummax(x, 0), ns.lax.cummin(x, 0, True),
                                              ns.lax.cumprod(x, 0)),
         lambda dt: (without([-0.0], dt),), (F32,)),   # the sign of max(0.0, -0.0): see above
    Case("zero_size", lambda ns, x: (ns.lax.cumsum(x, 0), ns.lax.cummax(x, 0, reverse=True),
                                     ns.lax.reduce_sum(x, (0,)), ns.lax.reduce_max(x, (0,)),
                                     ns.lax.reduce_min(x, (0, 1)), ns.lax.dot(x.T, x),
                                     ns.lax.sin(x) if x.dtype.kind == "f" else x * 2),
         lambda dt: (np.zeros((0, 3), dt),), (F32, I32)),
    Case("matmul", lambda ns, x, y: ns.lax.dot(x, y),
         lambda dt: (finite(dt, 3, 4), finite(dt, 4, 2, seed=5)), (F32, F64, I32, C64)),
    Case("dot_general_batch", lambda ns, x, y: ns.lax.dot_general(
        x, y, (((1,), (2,)), ((0,), (0,)))),
        lambda dt: (finite(dt, 2, 3, 4), finite(dt, 2, 5, 3, seed=6)), (F32, I32, C64)),
    Case("dot_general_multi_contract", lambda ns, x, y: ns.lax.dot_general(
        x, y, (((0, 2), (1, 0)), ((), ()))),
        lambda dt: (finite(dt, 2, 3, 4), finite(dt, 4, 2, 5, seed=6)), (F32, U8)),
    Case("dot_preferred_type", lambda ns, x, y: ns.lax.dot(x, y,
                                                           preferred_element_type=np.float32),
         lambda dt: (finite(dt, 3, 4), finite(dt, 4, 2, seed=5)), (F32, I32)),
    Case("jnp_einsum", lambda ns, x, y: ns.jnp.einsum("bij,bjk->bik", x, y),
         lambda dt: (finite(dt, 2, 3, 4), finite(dt, 2, 4, 5, seed=7)), (F32,)),
    # -- convolution, windows, Fourier transforms and friends (more in test_convolution.py,
    # test_reduce_window.py, test_fft.py, test_lax_more.py)
    Case("conv_general_dilated", lambda ns, x, w: (
        ns.lax.conv_general_dilated(x, w, (1, 2), [(1, 0), (0, 2)], (2, 1), (1, 2)),
        ns.lax.conv_general_dilated(x, w[:, :1], (1, 1), "SAME", feature_group_count=3),
        ns.lax.conv_general_dilated(x[:, :, :4], w[:2], (1, 1), "VALID", batch_group_count=2)),
        lambda dt: (finite(dt, 2, 3, 5, 6), finite(dt, 6, 3, 2, 3, seed=3)), (F32, F64, C64)),
    Case("conv_grad", lambda ns, x, w: ns.grad(lambda x, w: ns.jnp.sum(ns.jnp.sin(
        ns.lax.conv(x, w, (2, 1), "SAME"))), (0, 1))(x, w),
        lambda dt: (finite(dt, 2, 3, 5, 6), finite(dt, 4, 3, 2, 3, seed=3)), (F32,),
        # eager convolutions sum in float64; XLA's float32 kernels round each
        # partial sum (blocking depends on the CPU): sums of ~60 terms of size
        # ~5 differ by a few 1e-6 where they cancel
        eager_tol=dict(rtol=5e-6, atol=2e-5)),
    Case("reduce_window", lambda ns, x: (
        ns.lax.reduce_window(x, -np.inf, ns.lax.max, (2, 3), (1, 2), "SAME"),
        ns.lax.reduce_window(x, np.inf, ns.lax.min, (2, 2), (2, 1), [(1, 0), (0, 1)],
                             window_dilation=(1, 2)),
        ns.lax.reduce_window(x, 0.0, ns.lax.add, (2, 2), (1, 1), "VALID", base_dilation=(2, 1)),
        ns.lax.reduce_window(x, 1.0, ns.lax.mul, (1, 3), (1, 1), "SAME")),
        lambda dt: (finite(dt, 4, 6, lo=-3, hi=3),), (F32, F64)),
    Case("max_pool_grads", lambda ns, x: ns.grad(lambda x: ns.jnp.sum(ns.grad(
        lambda x: ns.jnp.sum(ns.lax.reduce_window(x, -np.inf, ns.lax.max, (2, 2), (2, 1),
                                                  "SAME") ** 2))(x) * x))(x),
        lambda dt: (np.random.default_rng(0).permutation(24).reshape(4, 6).astype(dt),), (F32,)),
    Case("fft", lambda ns, x: (ns.lax.fft(x, "fft", (6,)), ns.lax.fft(x, "ifft", (4, 6)),
                               ns.lax.fft(x, "irfft", (4, 10)),
                               ns.lax.fft(ns.lax.real(x), "rfft", (4, 6))),
         lambda dt: (finite(dt, 3, 4, 6),), (C64,)),
    Case("top_k", lambda ns, x: (ns.lax.top_k(x, 2), ns.lax.top_k(x, 3, axis=0)),
         lambda dt: (finite(dt, 4, 5, lo=-30, hi=30),), (F32, I32, U8)),
    Case("cumlogsumexp", lambda ns, x: (ns.lax.cumlogsumexp(x, 1),
                                        ns.lax.cumlogsumexp(x, 0, reverse=True)),
         lambda dt: (finite(dt, 5, 6, lo=-30, hi=30),), (F32,), jax_tol=dict(rtol=1e-6, atol=1e-6),
         why_not_exact="JAX lowers it as its associative_scan, minijax as a Hillis-Steele "
                       "prefix scan: the same sums, added in another order"),
    Case("reduce_precision", lambda ns, x: (ns.lax.reduce_precision(x, 5, 10),
                                            ns.lax.reduce_precision(x, 4, 3)),
         unary, (F32, F64)),
    *[unary_case(n, (I32, U8, U32)) for n in ("population_count", "clz")],
    # -- higher-order primitives
    Case("cond", _cond_fun, lambda dt: (finite(dt, 4),), FLOATS),
    Case("cond_false", _cond_fun, lambda dt: (-np.abs(finite(dt, 4)),), (F32,)),
    Case("switch_clamped", lambda ns, i, x: (_switch_fun(ns, i, x), _switch_fun(ns, i - 9, x),
                                             _switch_fun(ns, i + 9, x)),
         lambda dt: (np.int32(1), finite(dt, 4)), (F32, I32)),
    Case("while_loop", _while_fun, lambda dt: (finite(dt, 3),), FLOATS),
    Case("scan", _scan_fun, lambda dt: (finite(dt, 5, 2),), FLOATS),
    Case("fori_loop", lambda ns, x: ns.lax.fori_loop(0, 4, lambda i, v: v * v + i, x),
         lambda dt: (finite(dt, 3, lo=-1, hi=1),), (F32,)),
    Case("jit", _nested_jit_fun, lambda dt: (finite(dt, 3),), (F32,)),
    Case("remat_grad", _remat_grad_fun, lambda dt: (finite(dt, 3),), (F32,)),
    Case("checkpointed_scan", _checkpointed_scan_fun, lambda dt: (finite(dt, 5, 2),), (F32,)),
    Case("checkpointed_scan_grad",
         lambda ns, x: ns.grad(lambda v: ns.jnp.sum(_checkpointed_scan_fun(ns, v)[1]))(x),
         lambda dt: (finite(dt, 5, 2),), (F32,)),
    # -- bits and the PRNG (more in test_random.py)
    *[binary_case(n, (I32, U8, U32)) for n in ("shift_left", "shift_right_logical",
                                               "shift_right_arithmetic")],
    Case("bitcast_convert_type",
         lambda ns, x: ns.lax.bitcast_convert_type(x, np.int32 if x.dtype == F32 else np.float32),
         unary, (F32, U32)),
    Case("random_gamma", lambda ns, a: ns.random.gamma(ns.random.PRNGKey(3), a),
         lambda dt: (np.array([0.3, 1.0, 2.5, 7.0], dt),), (F32,)),
]

CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "duplicate case names"
assert all(c.why_not_exact for c in CASES if c.jax_tol or not c.vs_eager
           or not c.eager_signed_zeros)


def _params(prop):
    """(case, dtype) parameters for one property, known bugs marked xfail(strict)."""
    params = []
    for c in CASES:
        if prop == "eager" and not c.vs_eager:
            continue   # by design: see the case's why_not_exact
        bug = c.eager_bug if prop == "eager" else c.jax_bug
        for dt in c.dtypes:
            marks = ()
            if bug and (not c.only_dtypes or dt in c.only_dtypes):
                marks = pytest.mark.xfail(strict=True, reason=bug)
            params.append(pytest.param(c.name, dt, id=f"{c.name}-{dt}", marks=marks))
    return params


def _context(dtype):
    return x64() if dtype in X64_DTYPES else contextlib.nullcontext()


def _run_jitted(case, dtypes):
    """minijax.jit and jax.jit of ``case`` at each of ``dtypes``, as ONE
    program each (compiling costs more than running; per-dtype results are
    split out again). Returns {dtype: (ours, theirs)}."""
    args = [case.args(np.dtype(dt)) for dt in dtypes]
    run = lambda ns: (lambda groups: [case.fun(ns, *g) for g in groups])
    ours = minijax.jit(run(M))(args)
    theirs = jax.jit(run(J))(args)
    return dict(zip(dtypes, zip(ours, theirs)))


@functools.lru_cache(maxsize=None)
def _jitted_case(name):
    """{dtype: (ours, theirs) or the exception raised}, computed once per case."""
    case = CASES_BY_NAME[name]
    results = {}
    for group in ([dt for dt in case.dtypes if dt not in X64_DTYPES],
                  [dt for dt in case.dtypes if dt in X64_DTYPES]):
        if not group:
            continue
        with _context(group[0]):
            try:
                results.update(_run_jitted(case, group))
            except Exception:   # find which dtype fails: one program each
                for dt in group:
                    try:
                        results.update(_run_jitted(case, [dt]))
                    except Exception as err:
                        results[dt] = err
    return results


def _jitted(name, dtype):
    """(minijax.jit result, jax.jit result) for one case at one dtype."""
    result = _jitted_case(name)[dtype]
    if isinstance(result, Exception):
        raise result
    return result


def _eager(name, dtype):
    case = CASES_BY_NAME[name]
    with _context(dtype):
        args = [minijax.numpy.asarray(a) for a in case.args(np.dtype(dtype))]
        return case.fun(M, *args)


def _leaves(tree):
    return minijax.tree_util.tree_leaves(tree)


def _weak(x):
    aval = getattr(x, "aval", None)
    return bool(aval.weak_type) if aval is not None else bool(getattr(x, "weak_type", False))


def assert_same_specials(a, b, signed_zeros=True):
    """Same nans, and the same sign wherever both are zero (allclose sees -0.0 == 0.0)."""
    parts = [(a.real, b.real), (a.imag, b.imag)] if a.dtype.kind == "c" else [(a, b)]
    for x, y in parts:
        if x.dtype.kind != "f":
            continue
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg="nan positions")
        if signed_zeros:
            zeros = (x == 0) & (y == 0)
            np.testing.assert_array_equal(np.signbit(x[zeros]), np.signbit(y[zeros]),
                                          err_msg="signs of zeros")


def assert_results_equal(ours, ref, tol, signed_zeros=True):
    """Same structure, shapes, dtypes, weak types; values within ``tol``
    (exactly equal if ``tol`` is None), with the same nans and signed zeros."""
    ours_l, ref_l = _leaves(ours), jax.tree_util.tree_leaves(ref)
    assert len(ours_l) == len(ref_l)
    for x, y in zip(ours_l, ref_l):
        a, b = np.asarray(x), np.asarray(y)
        assert a.shape == b.shape, (a.shape, b.shape)
        assert a.dtype == b.dtype, (a.dtype, b.dtype)
        assert _weak(x) == _weak(y), f"weak_type: {_weak(x)} vs {_weak(y)}"
        if tol is None:
            np.testing.assert_array_equal(a, b)   # nan equals nan here
        else:
            np.testing.assert_allclose(a, b, **tol, equal_nan=True)
        assert_same_specials(a, b, signed_zeros)


@pytest.mark.parametrize("name, dtype", _params("eager"))
def test_jit_matches_eager(name, dtype):
    case = CASES_BY_NAME[name]
    ours, _ = _jitted(name, dtype)
    tol = case.eager_tol or (F64_TOL if dtype == F64 else F32_TOL)
    assert_results_equal(ours, _eager(name, dtype), tol, case.eager_signed_zeros)


@pytest.mark.parametrize("name, dtype", _params("jax"))
def test_jit_matches_jax_jit(name, dtype):
    case = CASES_BY_NAME[name]
    ours, theirs = _jitted(name, dtype)
    tol = case.jax_tol if (not case.only_dtypes or dtype in case.only_dtypes) else None
    assert_results_equal(ours, theirs, tol)


# ---------------------------------------------------------------------------
# Coverage


def test_every_primitive_has_a_lowering_rule():
    """Adding a primitive without a lowering rule fails here."""
    import minijax.control_flow  # noqa: F401  (its primitives register on import)
    missing = sorted(name for name, p in core.all_primitives.items()
                     if p not in lowering.lowering_rules)
    assert not missing, f"primitives without a lowering rule: {missing}"


def _primitives_in(jaxpr, found):
    for eqn in jaxpr.eqns:
        found.add(eqn.primitive.name)
        for value in eqn.params.values():
            for item in value if isinstance(value, (tuple, list)) else (value,):
                if isinstance(item, ClosedJaxpr):
                    _primitives_in(item.jaxpr, found)
                elif isinstance(item, Jaxpr):
                    _primitives_in(item, found)
    return found


def test_table_reaches_every_lowered_primitive():
    """Every primitive with a lowering rule appears in some case's jaxpr, so
    a new primitive needs a new row in the table above."""
    found = set()
    for case in CASES:
        dtype = case.dtypes[0]
        ctx = x64() if dtype in X64_DTYPES else contextlib.nullcontext()
        with ctx:
            args = case.args(np.dtype(dtype))
            _primitives_in(minijax.make_jaxpr(functools.partial(case.fun, M))(*args).jaxpr,
                           found)
    lowered = {p.name for p in lowering.lowering_rules}
    assert lowered - found - set(LOWERS_TO_AN_ERROR) - set(JITTED_ELSEWHERE) == set(), \
        f"no case exercises: {sorted(lowered - found)}"


JITTED_ELSEWHERE = {
    **{name: "a matrix factorisation: test_linalg.py compares it under jit with jax.jit"
       for name in ("cholesky", "triangular_solve", "eigh", "qr", "svd", "lu")},
    "debug_callback": "a host callback: test_debug.py compares what it prints under jax.jit",
}


LOWERS_TO_AN_ERROR = {
    "custom_lin": "the tangent stand-in of a custom_vjp function: lowering it means forward "
                  "mode, which raises JAX's TypeError (test_custom_vjp.py checks it under jit)",
}


# ---------------------------------------------------------------------------
# Constants are embedded exactly


def _special_floats(dt):
    info = np.finfo(dt)
    return np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0, info.smallest_subnormal,
                     -info.smallest_subnormal * 5, info.tiny, info.max, -info.max, 1 / 3,
                     0.1, np.pi], dt)


@pytest.mark.parametrize("dtype, bits", [(np.float32, np.uint32), (np.float64, np.uint64)])
def test_closed_over_constants_are_bit_exact(dtype, bits):
    """Array constants (hex literals) and scalar constants (decimal text where
    finite) come back bit for bit: nan payloads, -0.0, denormals included.
    Only ``select`` touches them: arithmetic would flush denormals."""
    with _context(np.dtype(dtype).name):
        const = _special_floats(dtype)
        payload_nan = np.array([0x7FC00123 if dtype == np.float32 else 0x7FF8000000000123],
                               bits).view(dtype)
        const = np.concatenate([const, payload_nan])
        scalars = [dtype(v) for v in const]
        lax = minijax.lax

        def f(p):
            return (const, lax.select(lax.broadcast_in_dim(p, const.shape, ()), const,
                                      np.zeros_like(const)),
                    [lax.select(p, s, dtype(1)) for s in scalars])

        direct, selected, from_scalars = minijax.jit(f)(np.bool_(True))
        expected = const.view(bits)
        np.testing.assert_array_equal(np.asarray(direct).view(bits), expected)
        np.testing.assert_array_equal(np.asarray(selected).view(bits), expected)
        np.testing.assert_array_equal(np.stack([np.asarray(s) for s in from_scalars]).view(bits),
                                      expected)


def test_integer_and_bool_constants_are_exact():
    consts = (np.array([np.iinfo(np.int32).min, -1, 0, np.iinfo(np.int32).max], np.int32),
              np.array([0, 255, 128], np.uint8),
              np.array([0, np.iinfo(np.uint32).max], np.uint32),
              np.array([True, False, True]),
              np.array([1 + 2j, np.nan - 0j, -0.0 + np.inf * 1j], np.complex64))
    outs = minijax.jit(lambda: consts)()
    for out, c in zip(outs, consts):
        assert np.asarray(out).dtype == c.dtype
        np.testing.assert_array_equal(np.asarray(out).view(np.uint8), c.view(np.uint8))
