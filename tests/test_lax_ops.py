"""Every primitive, through its public ``lax`` function, against JAX and numpy.

One table, ``CASES``, describes each primitive once: how to draw its operand
shapes and static parameters (with hypothesis), the valid domain of its
operand values, the dtypes it accepts, and how to call it given a ``lax``
module (``minijax.lax`` or ``jax.lax``). Each property is then one test
parametrized over the table:

1. eager values, dtypes and weak types against the same ``jax.lax`` call and a
   numpy reference, on every dtype the op supports (and the same errors as
   JAX on the dtypes it does not);
2. ``minijax.jvp`` against ``jax.jvp`` (float32) and against central finite
   differences in float64;
3. ``minijax.vmap`` against a Python loop and against ``jax.vmap``, batching
   each operand alone and all together, along arbitrary (also negative) axes.

``test_every_primitive_is_in_the_table`` makes adding a primitive without a
case here fail.
"""
import dataclasses
import functools
import importlib
import pkgutil
from typing import Callable

import jax
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings, strategies as st

import minijax
import minijax.core
import minijax.lax as mlax

from helpers import F32_TOL, central_difference, check_like_jax, weak_type, x64

# Few examples per test: each one compiles a handful of JAX kernels. The
# "thorough" profile raises this tenfold.
FEW = settings(max_examples=max(3, settings().max_examples // 5))

F16, F32, F64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
C64 = np.dtype("complex64")
BOOL, I8, I16, I32, U8, U16, U32 = map(np.dtype, ["bool", "int8", "int16", "int32", "uint8",
                                                  "uint16", "uint32"])
FLOATS = (F32, F16)
INEXACT = (F32, F16, C64)
INTS = (I32, I8, I16, U8, U16, U32)
NUMBER = (F32, I32, F16, C64, I8, U8, U32)
ANY = NUMBER + (BOOL,)
INTEGRAL = (I32, I8, U8, U32, BOOL)
ALL_DTYPES = (F32, F16, C64, I32, I8, I16, U8, U16, U32, BOOL)

LOOSE = dict(rtol=2e-5, atol=2e-5)


# ---------------------------------------------------------------------------
# The table


@dataclasses.dataclass
class Op:
    """One operand: its shape, what it holds, and the domain of its values.

    kind: "x" (the case's dtype), "int" (int32 indices), "bool" (a predicate).
    nonzero: keep |value| >= lo (for divisors).
    """
    shape: tuple
    kind: str = "x"
    lo: float = -2.0
    hi: float = 2.0
    nonzero: bool = False


@dataclasses.dataclass
class Case:
    name: str                          # the primitive (key of core.all_primitives)
    call: Callable                     # call(lax, params, *operands)
    sample: Callable                   # sample(draw) -> (params, [Op, ...])
    dtypes: tuple = (F32,)
    ref: Callable = None               # numpy reference: ref(params, *operands)
    tol: dict = None                   # value tolerance for float32 (else F32_TOL)
    jvp: bool = True                   # differentiable in its inexact operands
    vmap: bool = True
    label: str = ""
    fd: bool = True                    # the JVP is the derivative (not stop_gradient's zero)
    jax_bug: str = ""                  # where JAX itself fails, only loops/differences judge
    beyond_jax: tuple = ()             # dtypes minijax accepts on purpose where JAX refuses

    @property
    def id(self):
        return self.label or self.name

    def tolerance(self, dtype):
        if dtype == F16:
            return dict(rtol=3e-3, atol=3e-3)
        return self.tol or F32_TOL


CASES = []


def case(*args, **kwargs):
    CASES.append(Case(*args, **kwargs))


# -- shape strategies ----------------------------------------------------------

sides = st.integers(0, 4)


def shape_st(min_dims=0, max_dims=3, min_side=0):
    return st.lists(st.integers(min_side, 4), min_size=min_dims, max_size=max_dims).map(tuple)


def elementwise_shapes(draw, n):
    """``n`` operand shapes lax accepts together: equal, rank 0, or with size-1
    axes where the others have any size."""
    base = draw(shape_st())
    shapes = []
    for _ in range(n):
        how = draw(st.sampled_from(["full", "full", "scalar", "ones"]))
        if how == "scalar":
            shapes.append(())
        elif how == "ones":
            shapes.append(tuple(1 if draw(st.booleans()) else d for d in base))
        else:
            shapes.append(base)
    return shapes


def elementwise(domains):
    """Sampler for an elementwise op; ``domains`` is one dict of Op fields per operand."""
    def sample(draw):
        shapes = elementwise_shapes(draw, len(domains))
        return {}, [Op(s, **d) for s, d in zip(shapes, domains)]
    return sample


def unary(name, fn=None, dtypes=INEXACT, lo=-2.0, hi=2.0, ref=None, tol=None, jvp=True,
          label="", **params):
    fn = fn or name
    case(name, lambda lax, p, x: getattr(lax, fn)(x, **params),
         elementwise([dict(lo=lo, hi=hi)]), dtypes,
         None if ref is None else (lambda p, x: ref(x)), tol, jvp, label=label)


def binary(name, fn=None, dtypes=NUMBER, domains=(dict(), dict()), ref=None, tol=None,
           jvp=True):
    fn = fn or name
    case(name, lambda lax, p, x, y: getattr(lax, fn)(x, y), elementwise(list(domains)),
         dtypes, None if ref is None else (lambda p, x, y: ref(x, y)), tol, jvp)


# -- elementwise -----------------------------------------------------------------

TRIG_TOL = dict(rtol=2e-5, atol=2e-6)
unary("neg", dtypes=NUMBER, ref=np.negative)
unary("sign", dtypes=NUMBER, ref=np.sign)
unary("floor", dtypes=FLOATS, lo=-4, hi=4, ref=np.floor)
unary("ceil", dtypes=FLOATS, lo=-4, hi=4, ref=np.ceil)
unary("round", dtypes=FLOATS, lo=-4, hi=4, label="round_away",
      ref=lambda x: np.trunc(x + np.copysign(np.asarray(0.5, x.dtype), x)),
      rounding_method=0)
unary("round", dtypes=FLOATS, lo=-4, hi=4, ref=np.round, label="round_even",
      rounding_method=1)
unary("is_finite", dtypes=FLOATS, ref=np.isfinite)
unary("exp", ref=np.exp, tol=TRIG_TOL)
unary("exp2", ref=np.exp2, tol=TRIG_TOL)
unary("log", lo=0.1, hi=4, ref=np.log, tol=TRIG_TOL)
unary("log1p", lo=-0.9, hi=3, ref=np.log1p, tol=TRIG_TOL)
unary("expm1", ref=np.expm1, tol=TRIG_TOL)
unary("sin", ref=np.sin, tol=TRIG_TOL)
unary("cos", ref=np.cos, tol=TRIG_TOL)
unary("tan", lo=-1.2, hi=1.2, ref=np.tan, tol=TRIG_TOL)
unary("asin", lo=-0.9, hi=0.9, ref=np.arcsin, tol=TRIG_TOL)
unary("acos", lo=-0.9, hi=0.9, ref=np.arccos, tol=TRIG_TOL)
unary("atan", ref=np.arctan, tol=TRIG_TOL)
unary("sinh", ref=np.sinh, tol=TRIG_TOL)
unary("cosh", ref=np.cosh, tol=TRIG_TOL)
unary("tanh", ref=np.tanh, tol=TRIG_TOL)
unary("asinh", ref=np.arcsinh, tol=TRIG_TOL)
unary("acosh", lo=1.1, hi=4, ref=np.arccosh, tol=TRIG_TOL)
unary("atanh", lo=-0.9, hi=0.9, ref=np.arctanh, tol=TRIG_TOL)
unary("logistic", ref=lambda x: 1 / (1 + np.exp(-x)), tol=TRIG_TOL)
unary("sqrt", lo=0.1, hi=4, ref=np.sqrt, tol=TRIG_TOL)
unary("rsqrt", lo=0.1, hi=4, ref=lambda x: 1 / np.sqrt(x), tol=TRIG_TOL)
unary("cbrt", dtypes=FLOATS, ref=np.cbrt, tol=TRIG_TOL)
unary("erf", dtypes=FLOATS, ref=scipy.special.erf, tol=TRIG_TOL)
unary("erfc", dtypes=FLOATS, ref=scipy.special.erfc, tol=TRIG_TOL)
unary("erf_inv", dtypes=FLOATS, lo=-0.9, hi=0.9, ref=scipy.special.erfinv, tol=LOOSE)
unary("lgamma", dtypes=FLOATS, lo=0.2, hi=5, ref=scipy.special.gammaln, tol=LOOSE)
unary("digamma", dtypes=FLOATS, lo=0.5, hi=5, ref=scipy.special.digamma, tol=LOOSE)
# polygamma(m, x): m holds small integers (of x's dtype); differentiated in x only.
case("polygamma", lambda lax, p, x: lax.polygamma(lax.full_like(x, 2), x),
     elementwise([dict(lo=0.5, hi=5)]), FLOATS,
     lambda p, x: scipy.special.polygamma(2, x), LOOSE, True)
# The incomplete gamma and beta functions (lax.special). igamma_grad_a and
# betainc (in a and b) have no derivative in JAX; betainc's in x is tested in
# test_scipy_special.py.
INCOMPLETE_TOL = dict(rtol=1e-4, atol=1e-5)
GAMMA_DOMAINS = elementwise([dict(lo=0.5, hi=4), dict(lo=0.1, hi=6)])
case("igamma", lambda lax, p, a, x: lax.igamma(a, x), GAMMA_DOMAINS, FLOATS,
     lambda p, a, x: scipy.special.gammainc(a, x), INCOMPLETE_TOL)
case("igammac", lambda lax, p, a, x: lax.igammac(a, x), GAMMA_DOMAINS, FLOATS,
     lambda p, a, x: scipy.special.gammaincc(a, x), INCOMPLETE_TOL)
case("igamma_grad_a", lambda lax, p, a, x: lax.igamma_grad_a(a, x), GAMMA_DOMAINS, FLOATS,
     tol=INCOMPLETE_TOL, jvp=False)
case("regularized_incomplete_beta", lambda lax, p, a, b, x: lax.betainc(a, b, x),
     elementwise([dict(lo=0.5, hi=4), dict(lo=0.5, hi=4), dict(lo=0.05, hi=0.95)]), FLOATS,
     lambda p, a, b, x: scipy.special.betainc(a, b, x), INCOMPLETE_TOL, jvp=False)
unary("not", fn="bitwise_not", dtypes=INTEGRAL, ref=np.invert, jvp=False)
case("abs", lambda lax, p, x: lax.abs(x), elementwise([{}]), (F32, I32, F16, C64, I8),
     lambda p, x: np.abs(x), beyond_jax=(U8, U16, U32))   # minijax: abs(unsigned) is x
unary("real", dtypes=(C64,), ref=np.real)
unary("imag", dtypes=(C64,), ref=np.imag)
unary("conj", dtypes=(C64, F32), ref=np.conj)
case("stop_gradient", lambda lax, p, x: lax.stop_gradient(x), elementwise([{}]), (F32, I32),
     lambda p, x: x, fd=False)
for _y in (0, 1, 2, 3, -1, -2):
    unary("integer_pow", dtypes=INEXACT if _y < 0 else NUMBER, lo=0.5 if _y < 0 else -2,
          ref=lambda x, _y=_y: x ** _y if _y >= 0 else 1 / x ** -_y, tol=LOOSE,
          label=f"integer_pow_{_y}", y=_y)

NONZERO = dict(lo=0.5, hi=3.0, nonzero=True)
POSITIVE = dict(lo=0.5, hi=3.0)
binary("add", ref=np.add)
binary("sub", ref=np.subtract)
binary("mul", ref=np.multiply)
binary("div", domains=(dict(), NONZERO),
       ref=lambda x, y: np.trunc(x / y).astype(x.dtype) if x.dtype.kind in "iu" else x / y,
       tol=LOOSE)
binary("rem", dtypes=(F32, I32, F16, I8, U8, U32), domains=(dict(lo=-5, hi=5), NONZERO),
       ref=np.fmod, tol=LOOSE)
binary("pow", dtypes=INEXACT, domains=(POSITIVE, dict()), ref=np.power, tol=LOOSE)
binary("max", dtypes=ANY, ref=np.maximum)
binary("min", dtypes=ANY, ref=np.minimum)
binary("atan2", dtypes=FLOATS, domains=(NONZERO, NONZERO), ref=np.arctan2, tol=TRIG_TOL)
# JAX defines no JVP for nextafter (NotImplementedError); neither does minijax.
binary("nextafter", dtypes=FLOATS, ref=np.nextafter, jvp=False)
binary("and", fn="bitwise_and", dtypes=INTEGRAL, ref=np.bitwise_and, jvp=False)
binary("or", fn="bitwise_or", dtypes=INTEGRAL, ref=np.bitwise_or, jvp=False)
binary("xor", fn="bitwise_xor", dtypes=INTEGRAL, ref=np.bitwise_xor, jvp=False)
binary("eq", dtypes=ANY, ref=np.equal)
binary("ne", dtypes=ANY, ref=np.not_equal)
ORDERED = (F32, I32, F16, I8, U8, U32, BOOL)
binary("lt", dtypes=ORDERED, ref=np.less)
binary("le", dtypes=ORDERED, ref=np.less_equal)
binary("gt", dtypes=ORDERED, ref=np.greater)
binary("ge", dtypes=ORDERED, ref=np.greater_equal)
binary("complex", dtypes=(F32,), ref=lambda x, y: x + 1j * y)


def _select_n_sample(draw):
    n_cases = draw(st.integers(1, 3))
    boolean = n_cases <= 2 and draw(st.booleans())
    shape = draw(shape_st())
    which_shape = shape if draw(st.booleans()) else ()
    which = Op(which_shape, "bool") if boolean else Op(which_shape, "int", 0, n_cases - 1)
    return {}, [which] + [Op(shape) for _ in range(n_cases)]


def _select_n_ref(p, which, *cases):
    cases = np.broadcast_arrays(*cases)
    return np.choose(np.asarray(which, int), cases) if len(cases) > 1 else cases[0]


case("select_n", lambda lax, p, which, *cases: lax.select_n(which, *cases), _select_n_sample,
     ANY, _select_n_ref)


def _clamp_sample(draw):
    shape = draw(shape_st())
    lo_shape = shape if draw(st.booleans()) else ()
    hi_shape = shape if draw(st.booleans()) else ()
    return {}, [Op(lo_shape, lo=-2, hi=-0.5), Op(shape, lo=-3, hi=3), Op(hi_shape, lo=0.5, hi=2)]


case("clamp", lambda lax, p, lo, x, hi: lax.clamp(lo, x, hi), _clamp_sample, (F32, I32, U8),
     lambda p, lo, x, hi: np.minimum(np.maximum(x, lo), hi),
     jax_bug="jax 0.10.2's clamp JVP rule fails for rank-0 bounds with tangents (select of "
             "mismatched shapes), and its batching rules for a rank-0 operand with a batched "
             "bound (TypeError, or an internal AssertionError under vmap of jvp)")


def _convert_sample(draw):
    shape = draw(shape_st())
    return {"to": draw(st.sampled_from(ALL_DTYPES))}, [Op(shape, lo=-300, hi=300)]


def _convert_ref(p, x):
    if x.dtype.kind == "c" and p["to"].kind != "c":
        x = np.real(x)
    if p["to"].kind in "iu" and x.dtype.kind == "f":   # XLA saturates; nan -> 0
        info = np.iinfo(p["to"])
        return np.clip(np.nan_to_num(np.trunc(x)), info.min, info.max).astype(p["to"])
    return x.astype(p["to"])


case("convert_element_type", lambda lax, p, x: lax.convert_element_type(x, p["to"]),
     _convert_sample, (F32, I32, C64, F16, U8, I8, BOOL), _convert_ref)

# -- structural ----------------------------------------------------------------------


def _broadcast_in_dim_sample(draw):
    operand = draw(shape_st())
    out_rank = len(operand) + draw(st.integers(0, 2))
    dims = sorted(draw(st.permutations(range(out_rank)))[:len(operand)])
    shape = [draw(sides) for _ in range(out_rank)]
    operand = tuple(1 if draw(st.booleans()) else d for d in operand)
    for d, size in zip(dims, operand):
        if size != 1:
            shape[d] = size
    return {"shape": tuple(shape), "dims": tuple(dims)}, [Op(operand)]


def _broadcast_ref(p, x):
    expanded = [1] * len(p["shape"])
    for axis, d in enumerate(p["dims"]):
        expanded[d] = x.shape[axis]
    return np.broadcast_to(x.reshape(expanded), p["shape"])


case("broadcast_in_dim", lambda lax, p, x: lax.broadcast_in_dim(x, p["shape"], p["dims"]),
     _broadcast_in_dim_sample, ANY, _broadcast_ref)


def _expand_dims_sample(draw):
    shape = draw(shape_st())
    n_new = draw(st.integers(1, 2))
    rank = len(shape) + n_new
    dims = draw(st.lists(st.integers(-rank, rank - 1), min_size=n_new, max_size=n_new,
                         unique_by=lambda d: d % rank))
    return {"dims": tuple(dims)}, [Op(shape)]


case("broadcast_in_dim", lambda lax, p, x: lax.expand_dims(x, p["dims"]), _expand_dims_sample,
     (F32, I32), lambda p, x: np.expand_dims(x, p["dims"]), label="expand_dims")


def _reshape_sample(draw):
    shape = draw(shape_st())
    size = int(np.prod(shape))
    if size == 0:
        new = tuple(draw(st.permutations(list(shape) + [draw(sides)])))
        new = new if np.prod(new) == 0 else (0,)
    else:
        factors = [d for d in range(1, size + 1) if size % d == 0]
        first = draw(st.sampled_from(factors))
        new = (first, size // first) + (1,) * draw(st.integers(0, 1))
    return {"new": tuple(new)}, [Op(shape)]


case("reshape", lambda lax, p, x: lax.reshape(x, p["new"]), _reshape_sample, (F32, I32, BOOL),
     lambda p, x: x.reshape(p["new"]))


def _transpose_sample(draw):
    shape = draw(shape_st())
    return {"perm": tuple(draw(st.permutations(range(len(shape)))))}, [Op(shape)]


case("transpose", lambda lax, p, x: lax.transpose(x, p["perm"]), _transpose_sample,
     (F32, C64, I8), lambda p, x: np.transpose(x, p["perm"]))


def _squeeze_sample(draw):
    shape = list(draw(shape_st(max_dims=2)))
    n_ones = draw(st.integers(1, 2))
    for _ in range(n_ones):
        shape.insert(draw(st.integers(0, len(shape))), 1)
    ones = [i for i, d in enumerate(shape) if d == 1]
    dims = draw(st.lists(st.sampled_from(ones), min_size=1, unique=True))
    dims = [d - len(shape) if draw(st.booleans()) else d for d in dims]   # negative too
    return {"dims": tuple(dims)}, [Op(tuple(shape))]


case("squeeze", lambda lax, p, x: lax.squeeze(x, p["dims"]), _squeeze_sample, (F32, I32),
     lambda p, x: np.squeeze(x, tuple(d % x.ndim for d in p["dims"])))


def _rev_sample(draw):
    shape = draw(shape_st())
    dims = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True,
                         max_size=len(shape)))
    return {"dims": tuple(dims)}, [Op(shape)]


case("rev", lambda lax, p, x: lax.rev(x, p["dims"]), _rev_sample, (F32, I32, BOOL),
     lambda p, x: np.flip(x, p["dims"]) if p["dims"] else x)


def _concatenate_sample(draw):
    shape = draw(shape_st(min_dims=1))
    dim = draw(st.integers(0, len(shape) - 1))
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = draw(sides)
        shapes.append(tuple(s))
    return {"dim": dim}, [Op(s) for s in shapes]


case("concatenate", lambda lax, p, *xs: lax.concatenate(xs, p["dim"]), _concatenate_sample,
     (F32, I32, BOOL), lambda p, *xs: np.concatenate(xs, p["dim"]))


def _pad_sample(draw):
    shape = draw(shape_st())
    config = []
    for d in shape:
        interior = draw(st.integers(0, 2))
        inner = d + max(d - 1, 0) * interior
        lo = draw(st.integers(-min(2, inner), 2))
        hi = draw(st.integers(-min(2, inner + lo) if inner + lo > 0 else 0, 2))
        config.append((lo, hi, interior))
    return {"config": tuple(config)}, [Op(shape), Op(())]


case("pad", lambda lax, p, x, v: lax.pad(x, v, p["config"]), _pad_sample, (F32, I32, BOOL))


def _slice_sample(draw):
    shape = draw(shape_st(min_dims=1))
    starts, limits, strides = [], [], []
    for d in shape:
        s = draw(st.integers(0, d))
        starts.append(s)
        limits.append(draw(st.integers(s, d)))
        strides.append(draw(st.integers(1, 3)))
    with_strides = draw(st.booleans())
    return {"start": tuple(starts), "limit": tuple(limits),
            "strides": tuple(strides) if with_strides else None}, [Op(shape)]


def _slice_ref(p, x):
    strides = p["strides"] or (1,) * x.ndim
    return x[tuple(slice(*t) for t in zip(p["start"], p["limit"], strides))]


case("slice", lambda lax, p, x: lax.slice(x, p["start"], p["limit"], p["strides"]),
     _slice_sample, (F32, I32), _slice_ref)


def _dynamic_slice_sample(draw):
    shape = draw(shape_st(min_dims=1))
    sizes = tuple(draw(st.integers(0, d)) for d in shape)
    # Out-of-range starts (negative ones too) are clamped by the op.
    return {"sizes": sizes}, [Op(shape)] + [Op((), "int", -d - 2, d + 2) for d in shape]


def _dynamic_slice_ref(p, x, *starts):
    starts = [int(s) + d if s < 0 else int(s) for s, d in zip(starts, x.shape)]
    starts = [min(max(s, 0), d - n) for s, d, n in zip(starts, x.shape, p["sizes"])]
    return x[tuple(slice(s, s + n) for s, n in zip(starts, p["sizes"]))]


case("dynamic_slice", lambda lax, p, x, *s: lax.dynamic_slice(x, s, p["sizes"]),
     _dynamic_slice_sample, (F32, I32), _dynamic_slice_ref)


def _dynamic_update_slice_sample(draw):
    shape = draw(shape_st(min_dims=1))
    update = tuple(draw(st.integers(0, d)) for d in shape)
    return {}, [Op(shape), Op(update)] + [Op((), "int", -d - 2, d + 2) for d in shape]


def _dynamic_update_slice_ref(p, x, u, *starts):
    starts = [int(s) + d if s < 0 else int(s) for s, d in zip(starts, x.shape)]
    starts = [min(max(s, 0), d - n) for s, d, n in zip(starts, x.shape, u.shape)]
    out = x.copy()
    out[tuple(slice(s, s + n) for s, n in zip(starts, u.shape))] = u
    return out


case("dynamic_update_slice", lambda lax, p, x, u, *s: lax.dynamic_update_slice(x, u, s),
     _dynamic_update_slice_sample, (F32, I32), _dynamic_update_slice_ref)


def _modes(lax):
    return {"clip": lax.GatherScatterMode.CLIP, "fill": lax.GatherScatterMode.FILL_OR_DROP,
            "promise": lax.GatherScatterMode.PROMISE_IN_BOUNDS}


def _gather_sample(draw):
    """The gathers numpy indexing produces: rows ``x[idx]``, columns ``x[:, idx]``,
    and windows (no collapsed axis) at 2-d start positions."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k = draw(st.lists(sides, max_size=2).map(tuple))   # batch shape of the indices
    kind = draw(st.sampled_from(["rows", "cols", "windows"]))
    mode = draw(st.sampled_from(["clip", "fill", "promise"]))
    spill = 0 if mode == "promise" else 2   # out-of-range indices, except where promised
    if kind == "rows":
        dn = dict(offset_dims=(len(k),), collapsed_slice_dims=(0,), start_index_map=(0,))
        return (dict(dn=dn, sizes=(1, m), mode=mode),
                [Op((n, m)), Op(k + (1,), "int", -spill, n - 1 + spill)])
    if kind == "cols":
        dn = dict(offset_dims=(0,), collapsed_slice_dims=(1,), start_index_map=(1,))
        return (dict(dn=dn, sizes=(n, 1), mode=mode),
                [Op((n, m)), Op(k + (1,), "int", -spill, m - 1 + spill)])
    wn, wm = draw(st.integers(0, n)), draw(st.integers(0, m))
    dn = dict(offset_dims=(len(k), len(k) + 1), collapsed_slice_dims=(), start_index_map=(0, 1))
    return (dict(dn=dn, sizes=(wn, wm), mode=mode),
            [Op((n, m)), Op(k + (2,), "int", -spill, min(n - wn, m - wm) + spill)])


def _gather_call(lax, p, x, idx):
    return lax.gather(x, idx, lax.GatherDimensionNumbers(**p["dn"]), p["sizes"],
                      mode=_modes(lax)[p["mode"]])


case("gather", _gather_call, _gather_sample, (F32, I32, BOOL))


def _scatter_sample(draw, unique):
    n, m = draw(st.integers(1, 4)), draw(st.integers(0, 3))
    k = draw(st.integers(0, n if unique else 5))
    mode = draw(st.sampled_from(["clip", "fill"] if not unique else ["fill"]))
    if unique:   # scatter with repeated indices has no defined winner
        rows = draw(st.permutations(list(range(-1, n + 1))))[:k]
        idx = Op((k, 1), "int", 0, 0)
        params = dict(mode=mode, rows=tuple(rows))
    else:
        idx = Op((k, 1), "int", -1, n)
        params = dict(mode=mode, rows=None)
    return params, [Op((n, m)), idx, Op((k, m))]


def _scatter_call(name):
    def call(lax, p, x, idx, updates):
        if p["rows"] is not None:   # fixed unique rows, shifted by the (zero) index operand
            idx = idx + np.asarray(p["rows"], np.int32).reshape(-1, 1)
        dn = lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
        return getattr(lax, name)(x, idx, updates, dn, mode=_modes(lax)[p["mode"]],
                                  unique_indices=p["rows"] is not None)
    return call


case("scatter-add", _scatter_call("scatter_add"), functools.partial(_scatter_sample,
                                                                    unique=False), (F32, I32))
case("scatter", _scatter_call("scatter"), functools.partial(_scatter_sample, unique=True),
     (F32, I32))
# scatter-mul's slope in repeated updates is undefined (JAX and minijax refuse it).
case("scatter-mul", _scatter_call("scatter_mul"), functools.partial(_scatter_sample, unique=True),
     (F32, I32))
for _name in ("scatter_min", "scatter_max"):
    case(_name.replace("_", "-"), _scatter_call(_name),
         functools.partial(_scatter_sample, unique=False), (F32, I32))


def _iota_sample(draw):
    shape = draw(shape_st(min_dims=1))
    return {"shape": shape, "dim": draw(st.integers(0, len(shape) - 1)),   # JAX: no negatives
            "dtype": draw(st.sampled_from([I32, F32, U8, I8]))}, []


case("iota", lambda lax, p: lax.broadcasted_iota(p["dtype"], p["shape"], p["dim"]),
     _iota_sample, (F32,), jvp=False, vmap=False,
     ref=lambda p: np.broadcast_to(np.arange(p["shape"][p["dim"]], dtype=p["dtype"]).reshape(
         [-1 if i == p["dim"] % len(p["shape"]) else 1 for i in range(len(p["shape"]))]),
         p["shape"]))

# -- reductions ------------------------------------------------------------------------


def _reduce_sample(draw, nonempty=False):
    shape = draw(shape_st(min_side=1 if nonempty else 0))
    axes = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True,
                         max_size=len(shape)))
    return {"axes": tuple(axes)}, [Op(shape, lo=0.5, hi=1.5)]


def reduction(name, dtypes, ref, tol=None, jvp=True):
    case(name, lambda lax, p, x: getattr(lax, name)(x, p["axes"]), _reduce_sample, dtypes,
         lambda p, x: ref(x, axis=p["axes"]), tol, jvp)


reduction("reduce_sum", NUMBER, lambda x, axis: np.sum(x, axis, dtype=x.dtype), tol=LOOSE)
reduction("reduce_prod", NUMBER, lambda x, axis: np.prod(x, axis, dtype=x.dtype), tol=LOOSE)
reduction("reduce_max", ANY, lambda x, axis: np.max(x, axis, initial=(
    -np.inf if x.dtype.kind in "fc" else np.iinfo(x.dtype).min if x.dtype.kind in "iu"
    else False)))
reduction("reduce_min", ANY, lambda x, axis: np.min(x, axis, initial=(
    np.inf if x.dtype.kind in "fc" else np.iinfo(x.dtype).max if x.dtype.kind in "iu"
    else True)))
reduction("reduce_and", (BOOL, I32, U8), lambda x, axis: np.bitwise_and.reduce(
    x, axis=axis, initial=~np.zeros((), x.dtype)), jvp=False)
reduction("reduce_or", (BOOL, I32, U8), lambda x, axis: np.bitwise_or.reduce(
    x, axis=axis, initial=np.zeros((), x.dtype)), jvp=False)


def _arg_sample(draw):
    shape = draw(shape_st(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    shape = tuple(max(d, 1) if i == axis else d for i, d in enumerate(shape))
    return {"axis": axis, "index_dtype": draw(st.sampled_from([I32, U8]))}, [Op(shape)]


for _name, _np in (("argmax", np.argmax), ("argmin", np.argmin)):
    case(_name, lambda lax, p, x, _name=_name: getattr(lax, _name)(x, p["axis"],
                                                                   p["index_dtype"]),
         _arg_sample, (F32, I32, BOOL, U8),
         lambda p, x, _np=_np: _np(x, p["axis"]).astype(p["index_dtype"]))


def _cumulative_sample(draw):
    shape = draw(shape_st(min_dims=1))
    return {"axis": draw(st.integers(0, len(shape) - 1)),   # JAX: no negative axes
            "reverse": draw(st.booleans())}, [Op(shape, lo=0.5, hi=1.5)]


def _cumulative_ref(np_fn):
    def ref(p, x):
        axis = p["axis"] % x.ndim
        if p["reverse"]:
            return np.flip(np_fn(np.flip(x, axis), axis), axis)
        return np_fn(x, axis)
    return ref


for _name, _np in (("cumsum", lambda x, a: np.cumsum(x, a, dtype=x.dtype)),
                   ("cumprod", lambda x, a: np.cumprod(x, a, dtype=x.dtype)),
                   ("cummax", lambda x, a: np.maximum.accumulate(x, a)),
                   ("cummin", lambda x, a: np.minimum.accumulate(x, a))):
    case(_name, lambda lax, p, x, _name=_name: getattr(lax, _name)(x, p["axis"], p["reverse"]),
         _cumulative_sample, (F32, I32, U8), _cumulative_ref(_np), LOOSE)


def _sort_sample(draw):
    """An operand of rank >= 1 and an axis to sort along."""
    shape = draw(shape_st(min_dims=1))
    return {"axis": draw(st.integers(0, len(shape) - 1))}, [Op(shape)]


case("sort", lambda lax, p, x: lax.sort(x, p["axis"]), _sort_sample, (F32, I32, U8),
     lambda p, x: np.sort(x, p["axis"], kind="stable"))


def _dot_general_sample(draw):
    """Random batch, contracting and free axes, in a random order per operand."""
    n_batch, n_contract = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    n_lfree, n_rfree = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    batch = [draw(sides) for _ in range(n_batch)]
    contract = [draw(sides) for _ in range(n_contract)]
    lhs_axes = ([("b", i) for i in range(n_batch)] + [("c", i) for i in range(n_contract)]
                + [("f", i) for i in range(n_lfree)])
    rhs_axes = ([("b", i) for i in range(n_batch)] + [("c", i) for i in range(n_contract)]
                + [("f", i) for i in range(n_rfree)])
    lhs_axes, rhs_axes = draw(st.permutations(lhs_axes)), draw(st.permutations(rhs_axes))
    lfree, rfree = [draw(sides) for _ in range(n_lfree)], [draw(sides) for _ in range(n_rfree)]
    size = {"b": batch, "c": contract}
    lhs_shape = tuple((size.get(k) or lfree)[i] for k, i in lhs_axes)
    rhs_shape = tuple((size.get(k) or rfree)[i] for k, i in rhs_axes)
    pos = lambda axes, k: tuple(axes.index((k, i)) for i in range(len(size[k])))  # noqa: E731
    dn = ((pos(lhs_axes, "c"), pos(rhs_axes, "c")), (pos(lhs_axes, "b"), pos(rhs_axes, "b")))
    return {"dn": dn}, [Op(lhs_shape), Op(rhs_shape)]


def _dot_general_ref(p, lhs, rhs):
    (lc, rc), (lb, rb) = p["dn"]
    letters = iter("abcdefghijklmnop")
    lhs_sub, rhs_sub = [None] * lhs.ndim, [None] * rhs.ndim
    for la, ra in zip(lb + lc, rb + rc):
        lhs_sub[la] = rhs_sub[ra] = next(letters)
    lhs_sub = [s or next(letters) for s in lhs_sub]
    rhs_sub = [s or next(letters) for s in rhs_sub]
    out = ([lhs_sub[a] for a in lb] + [s for i, s in enumerate(lhs_sub) if i not in lb + lc]
           + [s for i, s in enumerate(rhs_sub) if i not in rb + rc])
    spec = f"{''.join(lhs_sub)},{''.join(rhs_sub)}->{''.join(out)}"
    return np.einsum(spec, lhs, rhs).astype(lhs.dtype)


case("dot_general", lambda lax, p, x, y: lax.dot_general(x, y, p["dn"]), _dot_general_sample,
     (F32, I32, C64), _dot_general_ref, LOOSE)

unary("population_count", dtypes=INTS, ref=lambda x: np.bitwise_count(
    x.view(f"uint{x.dtype.itemsize * 8}")).astype(x.dtype), jvp=False)
unary("clz", dtypes=INTS, jvp=False)
case("cumlogsumexp", lambda lax, p, x: lax.cumlogsumexp(x, p["axis"], p["reverse"]),
     _cumulative_sample, (F32, F16), _cumulative_ref(lambda x, a: np.logaddexp.accumulate(x, a)),
     LOOSE)


def _top_k_sample(draw):
    shape = draw(shape_st(min_dims=1, min_side=1))
    axis = draw(st.integers(0, len(shape) - 1))
    return {"k": draw(st.integers(0, shape[axis])), "axis": axis}, [Op(shape)]


def _top_k_ref(p, x):
    order = np.flip(np.argsort(x, axis=p["axis"], kind="stable"), p["axis"])
    return np.take(np.take_along_axis(x, order, p["axis"]), np.arange(p["k"]), p["axis"])


case("top_k", lambda lax, p, x: lax.top_k(x, p["k"], axis=p["axis"])[0], _top_k_sample,
     (F32, I32, U8), _top_k_ref)

# Primitives tested elsewhere, with the reason.
NOT_IN_TABLE = {
    "conv_general_dilated": "strides, paddings, dilations, groups and layouts vs JAX "
                            "(values, jvp, vjp, vmap, jit) in test_convolution.py",
    **{name: "windows, paddings and dilations vs JAX in test_reduce_window.py" for name in
       ("reduce_window_sum", "reduce_window_max", "reduce_window_min",
        "select_and_gather_add", "select_and_scatter_add")},
    "fft": "every FFT type and the numpy.fft module vs JAX in test_fft.py",
    "reduce_precision": "bit-exact vs JAX on special values in test_lax_more.py",

    "add_any": "autodiff's internal sum of tangents (add's rules); exercised by every "
               "jvp with fan-out in test_jvp.py",
    "jit": "a higher-order primitive carrying a jaxpr; tested in test_jit*.py",
    "cond": "control flow carrying jaxprs; tested in test_control_flow.py",
    "while": "control flow carrying jaxprs; tested in test_control_flow.py",
    "scan": "control flow carrying jaxprs; tested in test_control_flow.py",
    "custom_jvp_call": "carries Python functions; tested in test_custom_jvp.py",
    "custom_vjp_call": "carries Python functions; tested in test_custom_vjp.py",
    "custom_lin": "custom_vjp's tangent stand-in; tested in test_custom_vjp.py",
    "custom_linear_solve": "carries jaxprs; tested in test_custom_vjp.py",
    **{name: "a matrix factorisation; tested in test_linalg.py against JAX" for name in
       ("cholesky", "triangular_solve", "eigh", "qr", "svd", "lu")},
    "remat2": "checkpoint, carrying a jaxpr; tested in test_checkpoint.py",
    "name": "checkpoint_name, the identity for policies; tested in test_checkpoint.py",
    "checkpointed_scan": "binomial checkpointing; tested in test_binomial_checkpoint.py",
    "debug_callback": "debug.print/debug.callback, a side effect; tested in test_debug.py",
    "shift_left": "bit ops: every integer dtype and out-of-range shifts vs JAX in test_random.py",
    "shift_right_logical": "bit ops: tested against JAX in test_random.py",
    "shift_right_arithmetic": "bit ops: tested against JAX in test_random.py",
    "bitcast_convert_type": "bit ops: tested against JAX in test_random.py",
    "random_gamma": "the gamma sampler's rejection loops; tested against JAX in test_random.py",
}


# ---------------------------------------------------------------------------
# Building operands


def build(ops, dtype, rng):
    """numpy operands for ``ops``, ``x`` operands of ``dtype``."""
    return [_build_one(op, dtype, rng) for op in ops]


def _build_one(op, dtype, rng):
    if op.kind == "int":
        return rng.integers(int(op.lo), int(op.hi) + 1, size=op.shape).astype(np.int32)
    if op.kind == "bool" or dtype == BOOL:
        return rng.random(op.shape) < 0.5
    if dtype.kind in "iu":
        lo, hi = int(np.floor(op.lo * 3)), int(np.ceil(op.hi * 3))
        if dtype.kind == "u":
            lo, hi = max(lo, 1 if op.nonzero else 0), max(hi, 1)
        vals = rng.integers(lo, hi + 1, size=op.shape)
        if op.nonzero:
            vals = np.where(vals == 0, 1, vals)
        return vals.astype(dtype)
    vals = rng.uniform(op.lo, op.hi, size=op.shape)
    if op.nonzero:
        vals = vals * rng.choice([-1, 1], size=op.shape)
    if dtype.kind == "c":
        vals = vals + 1j * rng.uniform(-0.5, 0.5, size=op.shape)
    return np.asarray(vals).astype(dtype)


def draw_example(data, case_):
    params, ops = case_.sample(data.draw)
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    return params, ops, np.random.default_rng(seed)


def _ids(cases):
    return [c.id for c in cases]


# ---------------------------------------------------------------------------
# Comparing with JAX cheaply: types by tracing (``jax.eval_shape`` compiles
# nothing), values by running JAX on fewer examples.


def check_type_like_jax(ours, jax_fn, *args):
    """Same pytree structure, shapes, dtypes and weak types as JAX's result,
    which is only traced."""
    theirs = jax.eval_shape(jax_fn, *args)
    our_leaves = minijax.tree_util.tree_leaves(ours)
    their_leaves = jax.tree_util.tree_leaves(theirs)
    assert len(our_leaves) == len(their_leaves)
    for a, b in zip(our_leaves, their_leaves):
        assert (np.shape(a), np.asarray(a).dtype, weak_type(a)) == \
            (b.shape, b.dtype, bool(b.weak_type)), (a, b)


# ---------------------------------------------------------------------------
# The table covers every primitive


def test_every_primitive_is_in_the_table():
    for module in pkgutil.walk_packages(minijax.__path__, "minijax."):
        importlib.import_module(module.name)   # every module's primitives registered
    covered = {c.name for c in CASES}
    missing = set(minijax.core.all_primitives) - covered - set(NOT_IN_TABLE)
    assert not missing, f"primitives without a case in test_lax_ops.CASES: {sorted(missing)}"
    assert not covered - set(minijax.core.all_primitives), "cases for unknown primitives"
    assert not covered & set(NOT_IN_TABLE)


def test_table_ids_are_unique():
    ids = _ids(CASES)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


# ---------------------------------------------------------------------------
# 1. Eager values against JAX and numpy


@pytest.mark.parametrize("case_", CASES, ids=_ids(CASES))
@FEW
@given(data=st.data())
def test_eager_like_jax_and_numpy(case_, data):
    """Every supported dtype: JAX's types and the numpy reference's values; the
    first dtype (and every dtype of a case without a numpy reference): JAX's
    values too."""
    params, ops, rng = draw_example(data, case_)
    for k, dtype in enumerate(case_.dtypes):
        args = build(ops, dtype, rng)
        ours = case_.call(mlax, params, *args)
        tol = case_.tolerance(dtype)
        if k == 0 or case_.ref is None:
            check_like_jax(ours, case_.call(jax.lax, params, *args), **tol)
        else:
            check_type_like_jax(ours, functools.partial(case_.call, jax.lax, params), *args)
        if case_.ref is not None:
            expected = np.asarray(case_.ref(params, *args))
            assert np.asarray(ours).shape == expected.shape
            np.testing.assert_allclose(np.asarray(ours), expected.astype(np.asarray(ours).dtype),
                                       **tol, equal_nan=True)


@pytest.mark.parametrize("case_", CASES, ids=_ids(CASES))
@settings(max_examples=1)
@given(data=st.data())
def test_dtype_errors_like_jax(case_, data):
    """On dtypes outside the case's list, minijax fails where JAX fails (with the
    same exception type) and gives JAX's result type where JAX succeeds."""
    params, ops, rng = draw_example(data, case_)
    for dtype in ALL_DTYPES:
        if dtype in case_.dtypes:
            continue
        args = build(ops, dtype, rng)
        if dtype in case_.beyond_jax:   # a documented extension: compare with numpy
            np.testing.assert_allclose(case_.call(mlax, params, *args), case_.ref(params, *args))
            continue
        jax_fn = functools.partial(case_.call, jax.lax, params)
        try:
            jax.eval_shape(jax_fn, *args)
        except Exception as err:   # noqa: BLE001: the type is what we compare
            with pytest.raises(type(err)):
                case_.call(mlax, params, *args)
        else:
            check_type_like_jax(case_.call(mlax, params, *args), jax_fn, *args)


SPECIAL_VALUES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -1e30, 1e-30, 0.5, -0.5,
                           1.0, -1.0, 2.5, 3.0], np.float32)
ELEMENTWISE_F32 = [c for c in CASES if F32 in c.dtypes and (
    c.name in minijax.lax.unary_ops or c.name in minijax.lax.binary_ops)]


@pytest.mark.parametrize("case_", ELEMENTWISE_F32, ids=_ids(ELEMENTWISE_F32))
def test_special_values_like_jax(case_):
    """nan, infinities, signed zeros and huge values, in every operand position."""
    n_ops = case_.call.__code__.co_argcount - 2
    grids = np.meshgrid(*([SPECIAL_VALUES] * n_ops), indexing="ij")
    args = [g.ravel() for g in grids]
    with np.errstate(all="ignore"):
        ours = case_.call(mlax, {}, *args)
    theirs = case_.call(jax.lax, {}, *args)
    check_like_jax(ours, theirs, **(case_.tol or F32_TOL))


CONVERT_VALUES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.4, -0.6, 2.5, -2.5, 127.9,
                           128.0, -128.5, -129.0, 255.5, 256.0, 65535.9, -32769.0, 3e9, -3e9,
                           2.0**31, -(2.0**31), 1e20], np.float64)


@pytest.mark.parametrize("src", ALL_DTYPES, ids=str)
def test_convert_element_type_special_values(src):
    """Casts to every dtype, with float -> int saturation, nan -> 0, integer
    wrap-around, complex -> real (the real part), anything -> bool."""
    with np.errstate(all="ignore"):
        values = CONVERT_VALUES.astype(src) if src.kind != "c" else (
            CONVERT_VALUES + 1j * CONVERT_VALUES[::-1]).astype(src)
    theirs = jax.jit(lambda v: [jax.lax.convert_element_type(v, d) for d in ALL_DTYPES])(values)
    for dst, their in zip(ALL_DTYPES, theirs):
        check_like_jax(mlax.convert_element_type(values, dst), their, rtol=0, atol=0)


def test_convert_element_type_weak_flags():
    x = mlax._convert_element_type(2.0, F32, True)
    out = mlax.convert_element_type(x, F32)
    assert x.weak_type and not out.weak_type
    check_like_jax(out, jax.lax.convert_element_type(2.0, F32))


def test_lax_is_strict_about_dtypes_and_shapes():
    """lax does not promote or broadcast beyond rank 0 / size 1: JAX's TypeErrors."""
    x32, x16 = np.ones(3, np.float32), np.ones(3, np.float16)
    for lax in (jax.lax, mlax):
        with pytest.raises(TypeError):
            lax.add(x32, x16)
        with pytest.raises(TypeError):
            lax.add(np.ones((3,), np.float32), np.ones((2, 3), np.float32))
        with pytest.raises(TypeError):
            lax.mul(np.ones((3,), np.float32), np.ones((4,), np.float32))
        with pytest.raises(TypeError):
            lax.select_n(np.ones((3, 1), bool), np.ones((3, 4)), np.ones((3, 4)))
        with pytest.raises(TypeError):
            lax.dot_general(np.ones((2, 3), np.float32), np.ones((4, 2), np.float32),
                            (((1,), (0,)), ((), ())))


# ---------------------------------------------------------------------------
# 2. jvp against JAX (float32) and finite differences (float64)


JVP_CASES = [c for c in CASES if c.jvp and any(d.kind in "fc" for d in c.dtypes)]


def _jvp_inputs(args, rng):
    """Indices of the inexact operands, and a random tangent for each."""
    diff = [i for i, a in enumerate(args) if a.dtype.kind in "fc"]
    tangents = []
    for i in diff:
        t = rng.normal(size=args[i].shape)
        if args[i].dtype.kind == "c":
            t = t + 1j * rng.normal(size=args[i].shape)
        tangents.append(np.asarray(t).astype(args[i].dtype))
    return diff, tangents


def _jax_fails(case_, call):
    """True if ``call`` fails inside JAX for a case with a documented JAX bug."""
    if not case_.jax_bug:
        return False
    try:
        call()
    except Exception:   # noqa: BLE001: JAX's rule fails (TypeError, or its own asserts)
        return True
    return False


def _partial(case_, lax, params, args, diff):
    """The case as a function of its inexact operands only."""
    def f(*d):
        full = list(args)
        for i, v in zip(diff, d):
            full[i] = v
        return case_.call(lax, params, *full)
    return f


@pytest.mark.parametrize("case_", JVP_CASES, ids=_ids(JVP_CASES))
@settings(max_examples=max(2, settings().max_examples // 10))
@given(data=st.data())
def test_jvp_like_jax(case_, data):
    """Values (JAX runs jit-compiled: one compilation per example) and types."""
    params, ops, rng = draw_example(data, case_)
    for dtype in (F32, C64):
        if dtype not in case_.dtypes:
            continue
        args = build(ops, dtype, rng)
        diff, tangents = _jvp_inputs(args, rng)
        primals = [args[i] for i in diff]
        ours = minijax.jvp(_partial(case_, mlax, params, args, diff), primals, tangents)
        f = _partial(case_, jax.lax, params, args, diff)
        if _jax_fails(case_, lambda: jax.eval_shape(lambda p, t: jax.jvp(f, p, t), primals,
                                                   tangents)):
            continue   # finite differences judge this example
        theirs = jax.jit(lambda p, t: jax.jvp(f, p, t))(primals, tangents)
        check_like_jax(ours, theirs, check_dtypes=False, **LOOSE)
        check_type_like_jax(ours, lambda p, t: jax.jvp(f, p, t), primals, tangents)


FD_CASES = [c for c in JVP_CASES if F32 in c.dtypes and c.fd]


@pytest.mark.parametrize("case_", FD_CASES, ids=_ids(FD_CASES))
@FEW
@given(data=st.data())
def test_jvp_like_finite_differences(case_, data):
    """In float64: the tangent output equals (f(x + eps v) - f(x - eps v)) / 2 eps."""
    params, ops, rng = draw_example(data, case_)
    with x64():
        args = build(ops, F64, rng)
        diff, tangents = _jvp_inputs(args, rng)
        f = _partial(case_, mlax, params, args, diff)
        primals = [args[i] for i in diff]
        out, tangent_out = minijax.jvp(f, primals, tangents)
        if out.dtype.kind not in "fc":
            assert tangent_out.dtype == minijax.dtypes.float0
            assert tangent_out.shape == out.shape
            return
        assert tangent_out.dtype == out.dtype
        if out.dtype not in (F64, np.dtype("complex128")):
            return   # a lower-precision output (a cast) cannot resolve eps-sized steps

        def along_line(t):
            return f(*[p + t * v for p, v in zip(primals, tangents)])
        expected = central_difference(along_line, 0.0, 1.0, eps=1e-6)
        finite = np.isfinite(np.asarray(out))   # differences are undefined at nan (gather fill)
        np.testing.assert_allclose(np.asarray(tangent_out)[finite], expected[finite], rtol=1e-6,
                                   atol=1e-6)


# ---------------------------------------------------------------------------
# 3. vmap against a Python loop and against jax.vmap


VMAP_CASES = [c for c in CASES if c.vmap]


def _batched_call(case_, lax, params):
    return lambda *xs: case_.call(lax, params, *xs)


@pytest.mark.parametrize("case_", VMAP_CASES, ids=_ids(VMAP_CASES))
@FEW
@given(data=st.data())
def test_vmap_like_loop_and_jax(case_, data):
    """Each operand batched alone, then all together, along random (also
    negative) in_axes and out_axes: the values of the loop, JAX's types."""
    params, ops, rng = draw_example(data, case_)
    dtype = case_.dtypes[0]
    size = data.draw(st.integers(1, 3), label="batch size")
    examples = [build(ops, dtype, rng) for _ in range(size)]
    n = len(ops)
    for batched in [{i} for i in range(n)] + ([set(range(n))] if n > 1 else []):
        in_axes, args = [], []
        for i in range(n):
            if i in batched:
                ndim = examples[0][i].ndim
                axis = data.draw(st.integers(-ndim - 1, ndim), label=f"in_axes[{i}]")
                in_axes.append(axis)
                args.append(np.stack([ex[i] for ex in examples], axis=axis))
            else:
                in_axes.append(None)
                args.append(examples[0][i])
        loop = np.stack([np.asarray(case_.call(mlax, params, *[
            examples[b][i] if i in batched else examples[0][i] for i in range(n)]))
            for b in range(size)])
        out_axis = data.draw(st.integers(-loop.ndim, loop.ndim - 1), label="out_axes")
        ours = minijax.vmap(_batched_call(case_, mlax, params), tuple(in_axes),
                            out_axis)(*args)
        np.testing.assert_allclose(np.asarray(ours), np.moveaxis(loop, 0, out_axis),
                                   **case_.tolerance(dtype), equal_nan=True)
        jax_fn = jax.vmap(_batched_call(case_, jax.lax, params), tuple(in_axes), out_axis)
        if not _jax_fails(case_, lambda: jax.eval_shape(jax_fn, *args)):
            check_type_like_jax(ours, jax_fn, *args)


@pytest.mark.parametrize("case_", VMAP_CASES, ids=_ids(VMAP_CASES))
@settings(max_examples=1)
@given(data=st.data())
def test_vmap_values_like_jax(case_, data):
    """One example per case with JAX's batched values (all operands batched at 0)."""
    params, ops, rng = draw_example(data, case_)
    dtype = case_.dtypes[0]
    examples = [build(ops, dtype, rng) for _ in range(2)]
    args = [np.stack([ex[i] for ex in examples]) for i in range(len(ops))]
    ours = minijax.vmap(_batched_call(case_, mlax, params))(*args)
    theirs = jax.jit(jax.vmap(_batched_call(case_, jax.lax, params)))(*args)
    check_like_jax(ours, theirs, check_dtypes=False, **case_.tolerance(dtype))


@pytest.mark.parametrize("case_", [c for c in JVP_CASES if F32 in c.dtypes and c.vmap],
                         ids=_ids([c for c in JVP_CASES if F32 in c.dtypes and c.vmap]))
@settings(max_examples=max(2, settings().max_examples // 10))
@given(data=st.data())
def test_vmap_of_jvp(case_, data):
    """Batching the JVP rules: vmap over primals and tangents together equals a
    loop of jvps, with JAX's types."""
    params, ops, rng = draw_example(data, case_)
    examples = [build(ops, F32, rng) for _ in range(2)]
    diff, _ = _jvp_inputs(examples[0], rng)
    if not diff:
        return
    primals = [np.stack([ex[i] for ex in examples]) for i in diff]
    tangents = [rng.normal(size=p.shape).astype(p.dtype) for p in primals]

    def pushforward(lax, jvp):
        def one(primals, tangents):
            return jvp(_partial(case_, lax, params, examples[0], diff), primals, tangents)
        return one
    ours = minijax.vmap(pushforward(mlax, minijax.jvp))(primals, tangents)
    loop = [pushforward(mlax, minijax.jvp)([p[b] for p in primals], [t[b] for t in tangents])
            for b in range(2)]
    for k in range(2):
        expected = np.stack([np.asarray(out[k]) for out in loop])
        assert np.shape(ours[k]) == expected.shape
        if expected.dtype != minijax.dtypes.float0:
            np.testing.assert_allclose(np.asarray(ours[k]), expected, **LOOSE)
    jax_fn = jax.vmap(pushforward(jax.lax, jax.jvp))
    if not _jax_fails(case_, lambda: jax.eval_shape(jax_fn, primals, tangents)):
        check_type_like_jax(ours, jax_fn, primals, tangents)


def test_nextafter_has_no_jvp_like_jax():
    x = np.ones(2, np.float32)
    for J, lax in ((jax, jax.lax), (minijax, mlax)):
        with pytest.raises(NotImplementedError):
            J.jvp(lambda a: lax.nextafter(a, a * 2), (x,), (x,))


def test_digamma_jvp_like_jax():
    x = np.array([0.5, 2.0], np.float32)
    check_like_jax(minijax.jvp(mlax.digamma, (x,), (np.ones_like(x),)),
                   jax.jvp(jax.lax.digamma, (x,), (np.ones_like(x),)), rtol=1e-5)


# polygamma's first operand is an integer order, not a differentiable input.
BINARY_JVP = [c for c in FD_CASES if c.name in minijax.lax.binary_ops and c.name != "polygamma"]
BROADCAST_PAIRS = [((3, 2), (1, 2)), ((1, 2), (3, 2)), ((3, 1), (1, 2)), ((), (3,)), ((3,), ()),
                   ((0, 2), (1, 2)), ((1,), (0,))]


@pytest.mark.parametrize("case_", BINARY_JVP, ids=_ids(BINARY_JVP))
def test_jvp_with_lax_broadcasting(case_):
    """Every binary JVP rule with rank-0 operands and size-1 axes against finite
    differences, and its batching against a loop (the rules must broadcast
    their intermediate values as the primitive does)."""
    rng = np.random.default_rng(0)
    domains = [dict(lo=0.5, hi=3.0, nonzero=True) for _ in range(2)]
    if case_.name in ("pow",):
        domains = [dict(lo=0.5, hi=3.0), dict(lo=-2.0, hi=2.0)]
    for shapes in BROADCAST_PAIRS:
        with x64():
            args = build([Op(s, **d) for s, d in zip(shapes, domains)], F64, rng)
            tangents = [rng.normal(size=a.shape) for a in args]
            f = functools.partial(case_.call, mlax, {})
            out, tangent_out = minijax.jvp(f, args, tangents)
            if out.dtype.kind not in "fc":   # comparisons: float0 tangents
                assert tangent_out.dtype == minijax.dtypes.float0
                continue
            expected = central_difference(
                lambda t: f(*[a + t * v for a, v in zip(args, tangents)]), 0.0, 1.0, eps=1e-6)
            np.testing.assert_allclose(np.asarray(tangent_out), expected, rtol=1e-6,
                                       atol=1e-6, err_msg=str(shapes))
            for k in range(2):   # batch one operand of the pushforward at a time
                in_axes = (0, None) if k == 0 else (None, 0)
                stacked = tuple(np.stack([a, a * 0.5]) if i == k else a
                                for i, a in enumerate(args))
                batched_t = tuple(np.stack([t, -t]) if i == k else t
                                  for i, t in enumerate(tangents))
                ours = minijax.vmap(lambda p, q: minijax.jvp(f, p, q)[1], (in_axes, in_axes))(
                    stacked, batched_t)
                loop = [minijax.jvp(f, [s[b] if i == k else s for i, s in enumerate(stacked)],
                                    [t[b] if i == k else t for i, t in enumerate(batched_t)])[1]
                        for b in range(2)]
                np.testing.assert_allclose(np.asarray(ours), np.stack(loop), rtol=1e-12,
                                           err_msg=str(shapes))
