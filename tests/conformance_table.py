"""The conformance table: one entry per public function minijax shares with JAX.

``tests/test_conformance.py`` runs every entry through the same checks (values
eager and under jit, ``check_grads``, jvp, vjp, vmap, special values), each
against real JAX. An entry says only what differs between functions:

* how to call it, written once against a module (``minijax.numpy`` or
  ``jax.numpy``, ``minijax.lax`` or ``jax.lax``, ...), so the same code runs
  on both sides;
* one input *domain* per array operand (see ``DOMAINS``);
* the dtypes it accepts and the *shape groups* it is called with (one shape
  per operand: scalars, broadcasting, size-0 and size-1 axes);
* flags: differentiable, exact, special values, vmap-able, jit-able.

``candidates()`` lists the public functions by introspection;
``EXCLUDED`` names, with a reason, each one that has no entry here. The test
``test_every_public_function_has_an_entry`` keeps the two in step.
"""
import dataclasses
import functools
import inspect
from typing import Callable

import numpy as np

F16, F32, F64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
C64, C128 = np.dtype("complex64"), np.dtype("complex128")
I32, BOOL = np.dtype("int32"), np.dtype("bool")

FLOAT = (F32, F64, F16)
INEXACT = (F32, F64, F16, C64, C128)
NUMBER = INEXACT + (I32,)
ANY = NUMBER + (BOOL,)
INTLIKE = (I32, BOOL)

# Input domains of one operand (values are drawn by tests/test_conformance.py):
#   real      uniform in [-2, 2)            (integers in [-5, 5], random booleans)
#   positive  uniform in [0.5, 2)           (integers in [1, 5])
#   bounded   uniform in [-0.9, 0.9)        (inside (-1, 1): arcsin, arctanh, erfinv...)
#   unit      uniform in [0.1, 0.9)         (inside (0, 1): logit)
#   above1    uniform in [1.2, 3)           (arccosh)
#   away      k + u, k integer in [-3, 2], u in [0.1, 0.4): away from the kinks
#             of abs, sign, floor, round, relu... (0, integers, half-integers)
#   distinct  a shuffled grid with spacing 0.5: no ties (max, sort, median...)
#   int       int32 in [0, 3), whatever the entry's dtype (indices, counts)
#   bool      random booleans
DOMAINS = ("real", "positive", "bounded", "unit", "above1", "away", "distinct", "int", "bool")

# Shape groups.
S = (((),),)                    # one shape group: a scalar (rank 0)
UNARY_SHAPES = ((),), ((3,),), ((2, 3),), ((0,),), ((1, 4),), ((2, 0, 3),)
BINARY_SHAPES = (((), ()), ((3,), ()), ((), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                 ((0,), (1,)), ((1,), (4,)), ((2, 3), (2, 3)))
TERNARY_SHAPES = (((), (), ()), ((2, 3), (3,), ()), ((2, 1), (1, 3), (3,)), ((0,), (0,), ()))
MATRIX = ((3, 4),), ((2, 3, 4),), ((1, 1),), ((0, 3),)
VECTOR = ((4,),), ((1,),), ((0,),)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One public function and how to sweep it."""
    module: str                 # a key of MODULES ("numpy", "lax", "special", ...)
    name: str                   # the public name in that module
    domains: tuple              # one domain per array operand
    dtypes: tuple               # dtypes of the operands whose domain is not int/bool
    shapes: tuple               # shape groups: one tuple of shapes per group
    call: Callable = None       # call(mod, *arrays); default getattr(mod, name)(*arrays)
    label: str = ""             # distinguishes several entries of one function
    diff: bool = True           # check_grads order 2 (fwd, rev) in float64; jvp/vjp vs JAX
    exact: object = False       # eager values bit-exact (no transcendental math, no sums);
                                # "real": only for real dtypes (complex products and
                                # quotients round differently in numpy and XLA)
    edges: bool = False         # special-value sweep (elementwise functions only)
    vmap: bool = True
    jit: bool = True            # callable under jit (False: needs concrete values)
    grad_dtypes: tuple = (F64,)  # the dtype check_grads runs in; (): no finite-difference
                                 # check (say why), jvp and vjp against JAX only

    @property
    def id(self):
        return f"{self.module}.{self.label or self.name}"

    def fn(self, mod):
        """The function of the array operands, for ``mod`` (ours or JAX's)."""
        if self.call is not None:
            return functools.partial(self.call, mod)
        return getattr(mod, self.name)


ENTRIES = []


def entry(module, name, domains, dtypes, shapes, **kw):
    ENTRIES.append(Entry(module, name, tuple(domains), tuple(dtypes), tuple(shapes), **kw))


def unary(module, names, domain="real", dtypes=INEXACT, shapes=UNARY_SHAPES, **kw):
    for name in names.split():
        entry(module, name, [domain], dtypes, shapes, **kw)


def binary(module, names, domains=("real", "real"), dtypes=NUMBER, shapes=BINARY_SHAPES, **kw):
    for name in names.split():
        entry(module, name, domains, dtypes, shapes, **kw)


def called(module, name, domains, dtypes, shapes, call, **kw):
    entry(module, name, domains, dtypes, shapes, call=call, **kw)


# ---------------------------------------------------------------------------
# minijax.numpy: elementwise

unary("numpy", "exp exp2 expm1 sin cos tanh sinh cosh arctan atan arcsinh asinh", edges=True)
unary("numpy", "tan", domain="bounded", edges=True)
unary("numpy", "log log2 log10 sqrt reciprocal", domain="positive", edges=True)
unary("numpy", "log1p", domain="bounded", edges=True)
unary("numpy", "cbrt", domain="positive", dtypes=FLOAT, edges=True)
unary("numpy", "arcsin asin arccos acos arctanh atanh", domain="bounded", edges=True)
unary("numpy", "arccosh acosh", domain="above1", edges=True)
unary("numpy", "sinc", dtypes=INEXACT, edges=True)
unary("numpy", "deg2rad radians rad2deg degrees", dtypes=FLOAT, edges=True)
unary("numpy", "negative positive conj conjugate real imag", dtypes=ANY, exact=True, edges=True)
unary("numpy", "square", dtypes=ANY, exact="real", edges=True)
unary("numpy", "abs absolute", domain="away", dtypes=ANY, exact="real", edges=True)
unary("numpy", "fabs", domain="away", dtypes=FLOAT + INTLIKE, exact=True, edges=True)
unary("numpy", "sign", domain="away", dtypes=NUMBER, exact="real", edges=True)
unary("numpy", "angle", domain="away", dtypes=NUMBER + (BOOL,), edges=True)
unary("numpy", "floor ceil trunc rint", domain="away", dtypes=FLOAT + INTLIKE, exact=True,
      edges=True)
unary("numpy", "round around", domain="away", dtypes=NUMBER, exact=True, edges=True)
unary("numpy", "isfinite isinf isnan isposinf isneginf", dtypes=FLOAT + INTLIKE, exact=True,
      edges=True, diff=False)
unary("numpy", "logical_not", dtypes=ANY, exact=True, diff=False)
unary("numpy", "invert bitwise_not", dtypes=INTLIKE, exact=True, diff=False)
unary("numpy", "nan_to_num", dtypes=INEXACT, exact=True, edges=True)

binary("numpy", "add subtract", dtypes=ANY, exact=True, edges=True)
binary("numpy", "multiply", dtypes=ANY, exact="real", edges=True)
binary("numpy", "divide true_divide", domains=("real", "away"), exact="real", edges=True)
binary("numpy", "floor_divide", domains=("real", "away"), dtypes=FLOAT + (I32,), exact=True,
       edges=True, diff=False)
binary("numpy", "remainder mod fmod", domains=("away", "away"), dtypes=FLOAT + (I32,),
       exact=True, edges=True)
binary("numpy", "divmod", domains=("away", "away"), dtypes=FLOAT + (I32,), exact=True,
       diff=False)
binary("numpy", "power pow", domains=("positive", "real"), edges=True)
binary("numpy", "arctan2 hypot", domains=("away", "away"), dtypes=FLOAT, edges=True)
binary("numpy", "logaddexp logaddexp2", dtypes=FLOAT, edges=True)
binary("numpy", "maximum minimum", domains=("distinct", "distinct"), dtypes=ANY, exact=True,
       edges=True)
binary("numpy", "heaviside", domains=("away", "real"), dtypes=FLOAT, exact=True, edges=True,
       diff=False)
binary("numpy", "nextafter", dtypes=FLOAT, exact=True, edges=True, diff=False)
binary("numpy", "equal not_equal less less_equal greater greater_equal", dtypes=ANY, exact=True,
       edges=True, diff=False)
binary("numpy", "logical_and logical_or logical_xor", dtypes=ANY, exact=True, diff=False)
binary("numpy", "bitwise_and bitwise_or bitwise_xor", dtypes=INTLIKE,
       exact=True, diff=False)
called("numpy", "where", ["bool", "real", "real"], ANY, TERNARY_SHAPES,
       lambda np_, c, x, y: np_.where(c, x, y), exact=True)
called("numpy", "clip", ["distinct", "real"], FLOAT + (I32,), BINARY_SHAPES[:5],
       lambda np_, x, lo: np_.clip(x, lo - 0.25, lo + 0.25), exact=True, label="clip")
called("numpy", "select", ["bool", "bool", "real", "real"], NUMBER,
       (((2, 3),) * 4, ((3,), (2, 3), (), (3,))),
       lambda np_, c1, c2, x, y: np_.select([c1, c2], [x, y], default=-1), exact=True)

# ---------------------------------------------------------------------------
# minijax.numpy: reductions (axis=None, an axis, a negative axis, keepdims)

REDUCE_SHAPES = ((3, 4),), ((2, 3, 4),), ((1, 1),), ((5,),)
for _name, _dom, _dts, _kw in [
        ("sum", "real", ANY, {}), ("prod", "real", NUMBER, {}), ("mean", "real", NUMBER, {}),
        ("max", "distinct", NUMBER, dict(exact=True)), ("min", "distinct", NUMBER, dict(exact=True)),
        ("amax", "distinct", NUMBER, dict(exact=True)), ("amin", "distinct", NUMBER, dict(exact=True)),
        ("all", "bool", ANY, dict(exact=True, diff=False)),
        ("any", "bool", ANY, dict(exact=True, diff=False)),
        # JAX refuses complex arguments of argmax/argmin (not an order).
        ("argmax", "distinct", FLOAT + INTLIKE, dict(exact=True, diff=False)),
        ("argmin", "distinct", FLOAT + INTLIKE, dict(exact=True, diff=False)),
        ("var", "real", NUMBER, {}), ("std", "real", NUMBER, {}),
        ("median", "distinct", FLOAT + (I32,), {})]:
    _fn = (lambda name: lambda np_, x: getattr(np_, name)(x))(_name)
    called("numpy", _name, [_dom], _dts, REDUCE_SHAPES, _fn, **_kw)
    _axis = (lambda name: lambda np_, x: getattr(np_, name)(x, axis=-1))(_name)
    called("numpy", _name, [_dom], _dts, REDUCE_SHAPES, _axis, label=_name + "_axis", **_kw)
    if _name not in ("argmax", "argmin"):
        _keep = (lambda name: lambda np_, x: getattr(np_, name)(x, axis=0, keepdims=True))(_name)
        called("numpy", _name, [_dom], _dts, REDUCE_SHAPES, _keep, label=_name + "_keepdims",
               **_kw)
called("numpy", "var", ["real"], FLOAT, REDUCE_SHAPES[:2],
       lambda np_, x: np_.var(x, axis=0, ddof=1), label="var_ddof")
called("numpy", "cumsum", ["real"], NUMBER, REDUCE_SHAPES, lambda np_, x: np_.cumsum(x, axis=-1))
called("numpy", "cumprod", ["real"], NUMBER, REDUCE_SHAPES, lambda np_, x: np_.cumprod(x, axis=0))
called("numpy", "cumsum", ["real"], NUMBER, REDUCE_SHAPES, lambda np_, x: np_.cumsum(x),
       label="cumsum_flat")

# ---------------------------------------------------------------------------
# minijax.numpy: shapes, joining, indexing, sorting

SHAPE_DTYPES = (F32, F64, C64, I32, BOOL, F16)
_shape_kw = dict(exact=True)
called("numpy", "reshape", ["real"], SHAPE_DTYPES, (((2, 3),), ((6,),), ((3, 2, 1),)),
       lambda np_, x: np_.reshape(x, (-1, 2) if x.size else (0,)), **_shape_kw)
called("numpy", "ravel", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.ravel(x), **_shape_kw)
called("numpy", "transpose", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.transpose(x),
       **_shape_kw)
called("numpy", "matrix_transpose", ["real"], SHAPE_DTYPES, MATRIX,
       lambda np_, x: np_.matrix_transpose(x), **_shape_kw)
called("numpy", "swapaxes", ["real"], SHAPE_DTYPES, MATRIX,
       lambda np_, x: np_.swapaxes(x, 0, -1), **_shape_kw)
called("numpy", "moveaxis", ["real"], SHAPE_DTYPES, MATRIX,
       lambda np_, x: np_.moveaxis(x, 0, -1), **_shape_kw)
called("numpy", "expand_dims", ["real"], SHAPE_DTYPES, UNARY_SHAPES,
       lambda np_, x: np_.expand_dims(x, 0), **_shape_kw)
called("numpy", "squeeze", ["real"], SHAPE_DTYPES, (((1, 3, 1),), ((1,),), ((),)),
       lambda np_, x: np_.squeeze(x), **_shape_kw)
called("numpy", "flip", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.flip(x, -1),
       **_shape_kw)
called("numpy", "fliplr", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.fliplr(x),
       **_shape_kw)
called("numpy", "flipud", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.flipud(x),
       **_shape_kw)
called("numpy", "roll", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.roll(x, 2, axis=-1),
       **_shape_kw)
called("numpy", "roll", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.roll(x, -1),
       label="roll_flat", **_shape_kw)
called("numpy", "repeat", ["real"], SHAPE_DTYPES, MATRIX,
       lambda np_, x: np_.repeat(x, 2, axis=0), **_shape_kw)
called("numpy", "tile", ["real"], SHAPE_DTYPES, UNARY_SHAPES,
       lambda np_, x: np_.tile(x, (2, 1)), **_shape_kw)
called("numpy", "broadcast_to", ["real"], SHAPE_DTYPES, (((3,),), ((1,),), ((),)),
       lambda np_, x: np_.broadcast_to(x, (2, 3)), **_shape_kw)
called("numpy", "broadcast_arrays", ["real", "real"], SHAPE_DTYPES, BINARY_SHAPES,
       lambda np_, x, y: np_.broadcast_arrays(x, y), **_shape_kw)
called("numpy", "atleast_1d", ["real"], SHAPE_DTYPES, UNARY_SHAPES,
       lambda np_, x: np_.atleast_1d(x), **_shape_kw)
called("numpy", "atleast_2d", ["real"], SHAPE_DTYPES, UNARY_SHAPES,
       lambda np_, x: np_.atleast_2d(x), **_shape_kw)
called("numpy", "diag", ["real"], SHAPE_DTYPES, (((3,),), ((3, 4),), ((1,),)),
       lambda np_, x: np_.diag(x), **_shape_kw)
called("numpy", "diagonal", ["real"], SHAPE_DTYPES, MATRIX,
       lambda np_, x: np_.diagonal(x, offset=1, axis1=-2, axis2=-1), **_shape_kw)
called("numpy", "tril", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.tril(x), **_shape_kw)
called("numpy", "triu", ["real"], SHAPE_DTYPES, MATRIX, lambda np_, x: np_.triu(x, 1),
       **_shape_kw)
called("numpy", "split", ["real"], SHAPE_DTYPES, (((4, 3),), ((2, 2),)),
       lambda np_, x: np_.split(x, 2), **_shape_kw)
_JOIN = (((2, 3), (2, 3)), ((3,), (3,)), ((1, 0), (1, 0)))
for _name in ("concatenate", "stack", "hstack", "vstack", "column_stack"):
    called("numpy", _name, ["real", "real"], SHAPE_DTYPES, _JOIN,
           (lambda name: lambda np_, x, y: getattr(np_, name)([x, y]))(_name), **_shape_kw)
called("numpy", "take", ["real", "int"], SHAPE_DTYPES, (((5,), (3,)), ((3, 4), (2, 2))),
       lambda np_, x, i: np_.take(x, i, axis=0), **_shape_kw)
called("numpy", "take_along_axis", ["real", "int"], SHAPE_DTYPES, (((3, 4), (3, 2)),),
       lambda np_, x, i: np_.take_along_axis(x, i, axis=1), **_shape_kw)
called("numpy", "sort", ["distinct"], FLOAT + (I32,), REDUCE_SHAPES,
       lambda np_, x: np_.sort(x), exact=True)
called("numpy", "argsort", ["distinct"], FLOAT + (I32,), REDUCE_SHAPES,
       lambda np_, x: np_.argsort(x), exact=True, diff=False)
called("numpy", "nonzero", ["bool"], (F32,), (((5,),), ((2, 3),)),
       lambda np_, x: np_.nonzero(x), exact=True, diff=False, vmap=False, jit=False)
called("numpy", "nonzero", ["bool"], (F32,), (((5,),), ((2, 3),)),
       lambda np_, x: np_.nonzero(x, size=4, fill_value=-1), label="nonzero_size", exact=True,
       diff=False, vmap=False)

# ---------------------------------------------------------------------------
# minijax.numpy: products

_prod_dts = (F32, F64, C64, I32, F16)
called("numpy", "dot", ["real", "real"], _prod_dts,
       (((3,), (3,)), ((2, 3), (3, 4)), ((), (3,)), ((2, 0), (0, 3))),
       lambda np_, x, y: np_.dot(x, y))
called("numpy", "matmul", ["real", "real"], _prod_dts,
       (((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 2, 3), (3,)), ((1, 2, 3), (4, 3, 2))),
       lambda np_, x, y: np_.matmul(x, y))
called("numpy", "vdot", ["real", "real"], _prod_dts, (((3,), (3,)), ((2, 2), (4,))),
       lambda np_, x, y: np_.vdot(x, y))
called("numpy", "inner", ["real", "real"], _prod_dts, (((3,), (3,)), ((2, 3), (4, 3))),
       lambda np_, x, y: np_.inner(x, y))
called("numpy", "outer", ["real", "real"], _prod_dts, (((3,), (2,)), ((2, 2), (0,))),
       lambda np_, x, y: np_.outer(x, y))
called("numpy", "kron", ["real", "real"], _prod_dts, (((2, 2), (2, 3)), ((3,), (2,))),
       lambda np_, x, y: np_.kron(x, y))
called("numpy", "cross", ["real", "real"], _prod_dts, (((3,), (3,)), ((2, 3), (3,))),
       lambda np_, x, y: np_.cross(x, y))
called("numpy", "tensordot", ["real", "real"], _prod_dts, (((2, 3, 4), (3, 4, 2)),),
       lambda np_, x, y: np_.tensordot(x, y, axes=2))
called("numpy", "einsum", ["real", "real"], _prod_dts, (((2, 3), (3, 4)),),
       lambda np_, x, y: np_.einsum("ij,jk->ik", x, y))
called("numpy", "einsum", ["real"], _prod_dts, (((3, 3),),),
       lambda np_, x: np_.einsum("ii->i", x), label="einsum_diag", exact=True)
called("numpy", "trace", ["real"], _prod_dts, MATRIX[:3], lambda np_, x: np_.trace(x))

# ---------------------------------------------------------------------------
# minijax.numpy: creation (operands are start/stop/fill values where any)

_cre = dict(exact=True)
called("numpy", "zeros", [], (F32,), ((),), lambda np_: np_.zeros((2, 3)), diff=False, **_cre)
called("numpy", "ones", [], (F32,), ((),), lambda np_: np_.ones(3, dtype=np_.int32), diff=False,
       **_cre)
called("numpy", "empty", [], (F32,), ((),), lambda np_: np_.empty((0, 2)).shape and np_.zeros(1),
       diff=False, **_cre)
called("numpy", "full", ["real"], NUMBER, S, lambda np_, v: np_.full((2, 3), v), **_cre)
called("numpy", "zeros_like", ["real"], ANY, UNARY_SHAPES, lambda np_, x: np_.zeros_like(x),
       diff=False, **_cre)
called("numpy", "ones_like", ["real"], ANY, UNARY_SHAPES, lambda np_, x: np_.ones_like(x),
       diff=False, **_cre)
called("numpy", "empty_like", ["real"], ANY, UNARY_SHAPES,
       lambda np_, x: np_.empty_like(x).shape and np_.zeros(1), diff=False, **_cre)
called("numpy", "full_like", ["real", "real"], NUMBER, (((2, 3), ()), ((0,), ())),
       lambda np_, x, v: np_.full_like(x, v), **_cre)
called("numpy", "eye", [], (F32,), ((),), lambda np_: np_.eye(3, 4, k=1), diff=False, **_cre)
called("numpy", "identity", [], (F32,), ((),), lambda np_: np_.identity(3, dtype=bool),
       diff=False, **_cre)
called("numpy", "tri", [], (F32,), ((),), lambda np_: np_.tri(3, 4, -1), diff=False, **_cre)
called("numpy", "arange", [], (F32,), ((),), lambda np_: (np_.arange(5), np_.arange(0, 1, 0.1),
                                                         np_.arange(2.0, -1.0, -0.5)),
       diff=False, **_cre)
called("numpy", "linspace", ["real", "real"], FLOAT, (((), ()), ((2,), (2,))),
       lambda np_, a, b: np_.linspace(a, b, 7))
called("numpy", "linspace", [], (F32,), ((),), lambda np_: np_.linspace(-3.0, 3.0, 13),
       label="linspace_literal", diff=False, exact=True)
called("numpy", "array", ["real"], ANY, UNARY_SHAPES, lambda np_, x: np_.array([x, x]),
       **_cre)
called("numpy", "asarray", ["real"], ANY, UNARY_SHAPES, lambda np_, x: np_.asarray(x) * 1,
       **_cre)
called("numpy", "meshgrid", ["real", "real"], NUMBER, (((3,), (2,)), ((0,), (2,))),
       lambda np_, x, y: np_.meshgrid(x, y), **_cre)
called("numpy", "allclose", ["real", "real"], FLOAT, (((3,), (3,)),),
       lambda np_, x, y: np_.allclose(x, x + 1e-9 * y), diff=False, vmap=False, **_cre)
called("numpy", "isclose", ["real", "real"], FLOAT + (C64,), BINARY_SHAPES,
       lambda np_, x, y: np_.isclose(x, x + 1e-6 * y), diff=False, **_cre)
called("numpy", "array_equal", ["int", "int"], NUMBER, (((3,), (3,)), ((2,), (3,))),
       lambda np_, x, y: np_.array_equal(x, y), diff=False, vmap=False, **_cre)

# ---------------------------------------------------------------------------
# minijax.nn and minijax.scipy.special

unary("nn", "sigmoid log_sigmoid softplus silu swish gelu", dtypes=FLOAT, edges=True)
unary("nn", "relu relu6 elu leaky_relu", domain="away", dtypes=FLOAT, edges=True)
called("nn", "gelu", ["real"], FLOAT, UNARY_SHAPES, lambda nn, x: nn.gelu(x, approximate=False),
       label="gelu_exact", edges=True)
for _name in ("softmax", "log_softmax", "logsumexp"):
    called("nn", _name, ["real"], FLOAT, REDUCE_SHAPES,
           (lambda name: lambda nn, x: getattr(nn, name)(x, axis=-1))(_name))
called("nn", "one_hot", ["int"], (F32,), (((4,),), ((2, 3),), ((),)),
       lambda nn, i: nn.one_hot(i, 3), diff=False, exact=True)

unary("special", "erf erfc expit", dtypes=FLOAT, edges=True)
unary("special", "erfinv", domain="bounded", dtypes=FLOAT, edges=True)
unary("special", "logit", domain="unit", dtypes=FLOAT, edges=True)
unary("special", "gammaln digamma", domain="positive", dtypes=FLOAT, edges=True)
called("special", "polygamma", ["positive"], FLOAT, UNARY_SHAPES,
       lambda sp, x: sp.polygamma(1, x))
called("special", "logsumexp", ["real"], FLOAT, REDUCE_SHAPES,
       lambda sp, x: sp.logsumexp(x, axis=0))
called("special", "logsumexp", ["real", "positive"], FLOAT, (((3, 4), (3, 4)), ((5,), (5,))),
       lambda sp, x, b: sp.logsumexp(x, b=b), label="logsumexp_b")

# ---------------------------------------------------------------------------
# minijax.lax: elementwise

unary("lax", "exp exp2 expm1 sin cos tanh sinh cosh atan asinh logistic", edges=True)
unary("lax", "tan", domain="bounded", edges=True)
unary("lax", "log sqrt rsqrt", domain="positive", edges=True)
unary("lax", "log1p asin acos atanh", domain="bounded", edges=True)
unary("lax", "acosh", domain="above1", edges=True)
unary("lax", "cbrt", domain="positive", dtypes=FLOAT, edges=True)
unary("lax", "erf erfc", dtypes=FLOAT, edges=True)
unary("lax", "erf_inv", domain="bounded", dtypes=FLOAT, edges=True)
unary("lax", "lgamma digamma", domain="positive", dtypes=FLOAT, edges=True)
unary("lax", "neg conj", dtypes=INEXACT, exact=True, edges=True)
unary("lax", "square", dtypes=INEXACT, exact="real", edges=True)
unary("lax", "real imag", dtypes=(C64, C128), exact=True)
unary("lax", "reciprocal", domain="away", dtypes=INEXACT, edges=True)
unary("lax", "abs sign", domain="away", dtypes=NUMBER, exact="real", edges=True)
unary("lax", "floor ceil", domain="away", dtypes=FLOAT, exact=True, edges=True)
unary("lax", "round", domain="away", dtypes=FLOAT, exact=True, edges=True)
unary("lax", "is_finite", dtypes=FLOAT, exact=True, edges=True, diff=False)
unary("lax", "bitwise_not population_count clz", dtypes=(I32,), exact=True,
      diff=False)
unary("lax", "stop_gradient", dtypes=NUMBER, exact=True, diff=False)
called("lax", "polygamma", ["positive"], FLOAT, UNARY_SHAPES,
       lambda lax, x: lax.polygamma(lax.full_like(x, 1), x))
called("lax", "integer_pow", ["real"], INEXACT, UNARY_SHAPES, lambda lax, x: lax.integer_pow(x, 3))
called("lax", "reduce_precision", ["real"], FLOAT, UNARY_SHAPES,
       lambda lax, x: lax.reduce_precision(x, exponent_bits=5, mantissa_bits=10), exact=True)
called("lax", "convert_element_type", ["real"], ANY, UNARY_SHAPES,
       lambda lax, x: lax.convert_element_type(x, np.float32), exact=True, diff=False)
called("lax", "bitcast_convert_type", ["real"], (F32,), UNARY_SHAPES,
       lambda lax, x: lax.bitcast_convert_type(x, np.int32), exact=True, diff=False)

_lax_bin = dict(shapes=(((2, 3), (2, 3)), ((), ()), ((0,), (0,))))
binary("lax", "add sub", dtypes=NUMBER, exact=True, edges=True, **_lax_bin)
binary("lax", "mul", dtypes=NUMBER, exact="real", edges=True, **_lax_bin)
binary("lax", "div", domains=("real", "away"), dtypes=INEXACT, exact="real", edges=True,
       **_lax_bin)
binary("lax", "rem", domains=("away", "away"), dtypes=FLOAT, exact=True, edges=True, **_lax_bin)
binary("lax", "pow", domains=("positive", "real"), dtypes=INEXACT, edges=True, **_lax_bin)
binary("lax", "atan2", domains=("away", "away"), dtypes=FLOAT, edges=True, **_lax_bin)
binary("lax", "max min", domains=("distinct", "distinct"), dtypes=NUMBER, exact=True,
       edges=True, **_lax_bin)
binary("lax", "nextafter", dtypes=FLOAT, exact=True, edges=True, diff=False, **_lax_bin)
binary("lax", "complex", dtypes=(F32, F64), exact=True, **_lax_bin)
binary("lax", "eq ne lt le gt ge", dtypes=FLOAT + (I32,), exact=True, edges=True, diff=False,
       **_lax_bin)
binary("lax", "bitwise_and bitwise_or bitwise_xor", dtypes=(I32,),
       exact=True, diff=False, **_lax_bin)
binary("lax", "shift_left shift_right_arithmetic shift_right_logical", dtypes=(I32,), exact=True, diff=False, **_lax_bin)
called("lax", "clamp", ["real", "distinct", "real"], FLOAT + (I32,), (((), (2, 3), ()),),
       lambda lax, lo, x, hi: lax.clamp(lax.min(lo, hi), x, lax.max(lo, hi)), exact=True,
       diff=False)
called("lax", "select", ["bool", "real", "real"], NUMBER, (((2, 3), (2, 3), (2, 3)),),
       lambda lax, c, x, y: lax.select(c, x, y), exact=True)
called("lax", "select_n", ["int", "real", "real", "real"], NUMBER, (((4,), (4,), (4,), (4,)),),
       lambda lax, i, x, y, z: lax.select_n(i, x, y, z), exact=True)

# ---------------------------------------------------------------------------
# minijax.lax: structural

called("lax", "reshape", ["real"], SHAPE_DTYPES, (((2, 3),),), lambda lax, x: lax.reshape(x, (3, 2)),
       exact=True)
called("lax", "transpose", ["real"], SHAPE_DTYPES, (((2, 3, 4),),),
       lambda lax, x: lax.transpose(x, (2, 0, 1)), exact=True)
called("lax", "rev", ["real"], SHAPE_DTYPES, (((2, 3),),), lambda lax, x: lax.rev(x, (1,)),
       exact=True)
called("lax", "squeeze", ["real"], SHAPE_DTYPES, (((1, 3, 1),),),
       lambda lax, x: lax.squeeze(x, (0, 2)), exact=True)
called("lax", "expand_dims", ["real"], SHAPE_DTYPES, (((3,),), ((),)),
       lambda lax, x: lax.expand_dims(x, (0,)), exact=True)
called("lax", "broadcast", ["real"], SHAPE_DTYPES, (((3,),), ((),)),
       lambda lax, x: lax.broadcast(x, (2,)), exact=True)
called("lax", "broadcast_in_dim", ["real"], SHAPE_DTYPES, (((3,),),),
       lambda lax, x: lax.broadcast_in_dim(x, (2, 3), (1,)), exact=True)
called("lax", "broadcast_to_rank", ["real"], SHAPE_DTYPES, (((3,),), ((),)),
       lambda lax, x: lax.broadcast_to_rank(x, 2), exact=True)
called("lax", "broadcasted_iota", [], (F32,), ((),),
       lambda lax: lax.broadcasted_iota(np.int32, (2, 3), 1), exact=True, diff=False)
called("lax", "iota", [], (F32,), ((),), lambda lax: lax.iota(np.float32, 4), exact=True,
       diff=False)
called("lax", "full", [], (F32,), ((),), lambda lax: lax.full((2,), 3.0), exact=True, diff=False)
called("lax", "full_like", ["real"], NUMBER, UNARY_SHAPES, lambda lax, x: lax.full_like(x, 2),
       exact=True, diff=False)
called("lax", "concatenate", ["real", "real"], SHAPE_DTYPES, (((2, 3), (1, 3)),),
       lambda lax, x, y: lax.concatenate([x, y], 0), exact=True)
called("lax", "pad", ["real", "real"], FLOAT + (I32,), (((2, 3), ()),),
       lambda lax, x, v: lax.pad(x, v, [(1, 0, 0), (-1, 2, 1)]), exact=True)
called("lax", "slice", ["real"], SHAPE_DTYPES, (((4, 5),),),
       lambda lax, x: lax.slice(x, (1, 0), (4, 5), (2, 2)), exact=True)
called("lax", "slice_in_dim", ["real"], SHAPE_DTYPES, (((4, 5),),),
       lambda lax, x: lax.slice_in_dim(x, 1, 4, axis=1), exact=True)
called("lax", "index_in_dim", ["real"], SHAPE_DTYPES, (((4, 5),),),
       lambda lax, x: lax.index_in_dim(x, 2, axis=1, keepdims=False), exact=True)
called("lax", "dynamic_slice", ["real", "int"], FLOAT, (((4, 5), ()),),
       lambda lax, x, i: lax.dynamic_slice(x, (i, i + 4), (2, 3)), exact=True)
called("lax", "dynamic_slice_in_dim", ["real", "int"], FLOAT, (((4, 5), ()),),
       lambda lax, x, i: lax.dynamic_slice_in_dim(x, i, 2, axis=0), exact=True)
called("lax", "dynamic_index_in_dim", ["real", "int"], FLOAT, (((4, 5), ()),),
       lambda lax, x, i: lax.dynamic_index_in_dim(x, i, axis=1), exact=True)
called("lax", "dynamic_update_slice", ["real", "real", "int"], FLOAT, (((4, 5), (2, 2), ()),),
       lambda lax, x, u, i: lax.dynamic_update_slice(x, u, (i, i + 4)), exact=True)
called("lax", "dynamic_update_slice_in_dim", ["real", "real", "int"], FLOAT,
       (((4, 5), (2, 5), ()),),
       lambda lax, x, u, i: lax.dynamic_update_slice_in_dim(x, u, i, axis=0), exact=True)
called("lax", "dynamic_update_index_in_dim", ["real", "real", "int"], FLOAT,
       (((4, 5), (4,), ()),),
       lambda lax, x, u, i: lax.dynamic_update_index_in_dim(x, u, i, axis=1), exact=True)


def _gather(lax, x, idx):
    dn = lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
                                    start_index_map=(0,))
    return lax.gather(x, idx[:, None], dn, (1, 3), mode="clip")


def _scatter(name):
    def call(lax, x, idx, upd):
        dn = lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
        return getattr(lax, name)(x, idx[:, None], upd, dn, mode="clip", unique_indices=True)
    return call


called("lax", "gather", ["real", "int"], FLOAT + (I32,), (((4, 3), (5,)),), _gather, exact=True)
for _name in ("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max"):
    # Distinct indices (0 and 2), declared unique: scatter_mul differentiates only then.
    called("lax", _name, ["real", "int", "real"], FLOAT + (I32,), (((4, 3), (2,), (2, 3)),),
           (lambda name: lambda lax, x, i, u: _scatter(name)(lax, x, i * 0 + lax.iota(np.int32, 2)
                                                              * 2, u))(_name),
           exact=_name in ("scatter", "scatter_min", "scatter_max"),
           diff=_name in ("scatter", "scatter_add", "scatter_mul"))

# ---------------------------------------------------------------------------
# minijax.lax: reductions, scans, sorting, products

for _name, _dom, _dts, _kw in [
        ("reduce_sum", "real", NUMBER, {}), ("reduce_prod", "real", NUMBER, {}),
        ("reduce_max", "distinct", FLOAT + (I32,), dict(exact=True)),
        ("reduce_min", "distinct", FLOAT + (I32,), dict(exact=True)),
        ("reduce_and", "int", (I32,), dict(exact=True, diff=False)),
        ("reduce_or", "int", (I32,), dict(exact=True, diff=False))]:
    called("lax", _name, [_dom], _dts, (((3, 4),), ((2, 0),)),
           (lambda name: lambda lax, x: getattr(lax, name)(x, (1,)))(_name), **_kw)
called("lax", "argmax", ["distinct"], FLOAT + (I32,), (((3, 4),),),
       lambda lax, x: lax.argmax(x, 1, np.int32), exact=True, diff=False)
called("lax", "argmin", ["distinct"], FLOAT + (I32,), (((3, 4),),),
       lambda lax, x: lax.argmin(x, 0, np.int32), exact=True, diff=False)
for _name in ("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"):
    called("lax", _name, ["distinct"], FLOAT, (((3, 4),),),
           (lambda name: lambda lax, x: getattr(lax, name)(x, axis=1, reverse=True))(_name),
           exact=_name in ("cummax", "cummin"))
called("lax", "sort", ["distinct"], FLOAT + (I32,), (((3, 4),),), lambda lax, x: lax.sort(x),
       exact=True)
called("lax", "sort_key_val", ["distinct", "real"], FLOAT, (((3, 4), (3, 4)),),
       lambda lax, k, v: lax.sort_key_val(k, v), exact=True)
called("lax", "top_k", ["distinct"], FLOAT + (I32,), (((3, 5),),),
       lambda lax, x: lax.top_k(x, 2), exact=True)
called("lax", "dot", ["real", "real"], (F32, F64, C64, I32), (((2, 3), (3, 4)), ((3,), (3,))),
       lambda lax, x, y: lax.dot(x, y))
called("lax", "dot_general", ["real", "real"], (F32, F64, C64, I32), (((2, 3, 4), (2, 4, 5)),),
       lambda lax, x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (0,)))))
called("lax", "reduce_window", ["real"], FLOAT, (((4, 5),),),
       lambda lax, x: lax.reduce_window(x, -np.inf, lax.max, (2, 2), (1, 2), "SAME"),
       exact=True)
called("lax", "conv", ["real", "real"], (F32, F64), (((1, 2, 5, 5), (3, 2, 2, 2)),),
       lambda lax, x, w: lax.conv(x, w, (1, 1), "VALID"))
called("lax", "conv_general_dilated", ["real", "real"], (F32, F64),
       (((1, 2, 5, 5), (3, 2, 2, 2)),),
       lambda lax, x, w: lax.conv_general_dilated(x, w, (2, 1), [(1, 0), (0, 1)],
                                                  rhs_dilation=(1, 2)))
called("lax", "conv_with_general_padding", ["real", "real"], (F32, F64),
       (((1, 2, 5, 5), (3, 2, 2, 2)),),
       lambda lax, x, w: lax.conv_with_general_padding(x, w, (1, 1), [(1, 1), (0, 0)],
                                                       None, None))
called("lax", "fft", ["real"], (C64, C128), (((4, 6),),),
       lambda lax, x: lax.fft(x, "FFT", (6,)))

# ---------------------------------------------------------------------------
# minijax.lax: control flow and custom solvers (the function arguments are fixed)

called("lax", "cond", ["real"], FLOAT, S,
       lambda lax, x: lax.cond(x > 0, lax.sin, lax.cos, x))
called("lax", "switch", ["int", "real"], FLOAT, (((), ()),),
       lambda lax, i, x: lax.switch(i, [lax.sin, lax.cos, lax.exp], x))
called("lax", "fori_loop", ["real"], FLOAT, UNARY_SHAPES[:3],
       lambda lax, x: lax.fori_loop(0, 3, lambda i, c: lax.sin(c) * 1.5 + i, x))
called("lax", "while_loop", ["real"], FLOAT, UNARY_SHAPES[:3],
       lambda lax, x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, lax.sin(c[1]) + 0.5),
                                     (0, x))[1], diff=False)
called("lax", "scan", ["real", "real"], FLOAT, (((3,), (4, 3)),),
       lambda lax, c, xs: lax.scan(lambda c, x: (lax.sin(c) * x, c * 2.0), c, xs))
called("lax", "map", ["real"], FLOAT, (((4, 3),),), lambda lax, xs: lax.map(lax.tanh, xs))
called("lax", "associative_scan", ["real"], FLOAT, (((5,),), ((2, 3),)),
       lambda lax, x: lax.associative_scan(lax.add, x, axis=-1))


def _custom_root(lax, a):
    """The positive root of x**2 = a, by a fixed number of Newton steps."""
    def solve(f, x0):
        return lax.fori_loop(0, 30, lambda i, x: x - f(x) / (2 * x), x0)

    def tangent_solve(g, y):
        return y / g(1.0)
    return lax.custom_root(lambda x: x * x - a, a * 0 + 1.0, solve, tangent_solve)


# Not float16: JAX itself rejects this tangent_solve there (a weak float32 tangent).
called("lax", "custom_root", ["positive"], (F32, F64), S, _custom_root)


def _custom_linear_solve(lax, diag, b):
    def matvec(x):
        return diag * x

    def solve(mv, y):
        return y / diag
    return lax.custom_linear_solve(matvec, b, solve, symmetric=True)


called("lax", "custom_linear_solve", ["positive", "real"], FLOAT, (((3,), (3,)),),
       _custom_linear_solve)

# ---------------------------------------------------------------------------
# The incomplete gamma and beta functions (lax and scipy.special),
# scipy.stats' chi2, dirichlet and CDFs, scipy.signal, jnp.polyfit/polyint.
# Differentiated in x only where JAX has no second derivative in a
# (igamma_grad_a) or no derivative at all (betainc in a and b).

_GAMMA_X = ["positive", "positive"]
for _name in ("gammainc", "gammaincc"):
    called("special", _name, _GAMMA_X, FLOAT, BINARY_SHAPES,
           (lambda name: lambda sp, a, x: getattr(sp, name)(a, x))(_name), diff=False)
    called("special", _name, ["positive"], FLOAT, UNARY_SHAPES,
           (lambda name: lambda sp, x: getattr(sp, name)(2.5, x))(_name), label=_name + "_in_x")
called("special", "betainc", ["positive", "positive", "unit"], FLOAT, TERNARY_SHAPES,
       lambda sp, a, b, x: sp.betainc(a, b, x), diff=False)
called("special", "betainc", ["unit"], FLOAT, UNARY_SHAPES,
       lambda sp, x: sp.betainc(2.0, 3.0, x), label="betainc_in_x")
binary("lax", "igamma igammac igamma_grad_a", domains=_GAMMA_X, dtypes=FLOAT, diff=False,
       **_lax_bin)
called("lax", "igamma", ["positive"], FLOAT, _lax_bin["shapes"][:1],
       lambda lax, x: lax.igamma(lax.full_like(x, 2.5), x), label="igamma_in_x")
called("lax", "betainc", ["positive", "positive", "unit"], FLOAT,
       (((2, 3), (2, 3), (2, 3)), ((), (), ())), lambda lax, a, b, x: lax.betainc(a, b, x),
       diff=False)

for _dist, _fns, _params in (("gamma", "cdf logcdf sf logsf", ["positive"]),
                             ("chi2", "logpdf pdf cdf logcdf sf logsf", ["positive"]),
                             ("beta", "cdf logcdf sf logsf", ["positive", "positive"])):
    for _fn in _fns.split():
        called("stats", f"{_dist}.{_fn}", ["unit"] + _params, FLOAT,
               (((3,),) + ((),) * len(_params), ((2, 3),) + ((3,),) * len(_params)),
               (lambda d, f: lambda st, *a: getattr(getattr(st, d), f)(*a))(_dist, _fn),
               diff=_fn in ("logpdf", "pdf"))   # CDFs: in a, first order only (tests/)
called("stats", "poisson.cdf", ["int", "positive"], FLOAT, (((4,), ()), ((2, 3), (3,))),
       lambda st, k, mu: st.poisson.cdf(k, mu), diff=False)
for _fn in ("logpdf", "pdf"):
    # Not float16: the simplex test (|sum - 1| < 1e-6) is below its resolution.
    called("stats", f"dirichlet.{_fn}", ["positive", "positive"], (F32, F64),
           (((3, 4), (3,)), ((3,), (3,))),
           (lambda f: lambda st, x, alpha: getattr(st.dirichlet, f)(x / x.sum(0), alpha))(_fn))

for _name in ("convolve", "correlate"):
    for _method in ("direct", "fft"):
        called("signal", _name, ["real", "real"], (F32, F64), (((5,), (3,)), ((4, 5), (2, 3))),
               (lambda n, m: lambda sg, a, b: getattr(sg, n)(a, b, mode="same", method=m))(
                   _name, _method), label=f"{_name}_{_method}")
called("signal", "fftconvolve", ["real", "real"], (F32, F64), (((2, 5), (2, 3)),),
       lambda sg, a, b: sg.fftconvolve(a, b, axes=1))

called("numpy", "polyfit", ["real"], (F32, F64), (((6,),), ((6, 2),)),
       lambda np_, y: np_.polyfit(np.linspace(-1.0, 2.0, 6).astype(y.dtype), y, 2))
called("numpy", "polyint", ["real"], INEXACT, VECTOR, lambda np_, p: np_.polyint(p, 2, 1.5))


# ---------------------------------------------------------------------------
# minijax.numpy: more shapes, splitting, padding, sorting and set operations

called("numpy", "atleast_3d", ["real"], SHAPE_DTYPES, UNARY_SHAPES,
       lambda np_, x: np_.atleast_3d(x), **_shape_kw)
called("numpy", "concat", ["real", "real"], SHAPE_DTYPES, _JOIN,
       lambda np_, x, y: np_.concat([x, y], axis=-1), **_shape_kw)
called("numpy", "rot90", ["real"], SHAPE_DTYPES, MATRIX,
       lambda np_, x: np_.rot90(x, k=3, axes=(-2, -1)), **_shape_kw)
called("numpy", "array_split", ["real"], SHAPE_DTYPES, (((5, 2),), ((2, 2),), ((0, 3),)),
       lambda np_, x: np_.array_split(x, 3), **_shape_kw)
called("numpy", "hsplit", ["real"], SHAPE_DTYPES, (((3, 4),), ((4,),), ((2, 4, 1),)),
       lambda np_, x: np_.hsplit(x, [1, 3]), **_shape_kw)
called("numpy", "vsplit", ["real"], SHAPE_DTYPES, (((4, 3),), ((2, 2, 2),)),
       lambda np_, x: np_.vsplit(x, 2), **_shape_kw)
called("numpy", "dsplit", ["real"], SHAPE_DTYPES, (((2, 3, 4),), ((1, 1, 2),)),
       lambda np_, x: np_.dsplit(x, 2), **_shape_kw)
called("numpy", "put_along_axis", ["real", "int", "real"], SHAPE_DTYPES,
       (((3, 4), (3, 1), (3, 1)), ((2, 3), (2, 1), ())),
       lambda np_, x, i, v: np_.put_along_axis(x, i, v, axis=1, inplace=False), **_shape_kw)


def _pad_modes(modes):
    """np_.pad of x in each of ``modes`` ({mode: keywords}), one call per mode."""
    return lambda np_, x: tuple(np_.pad(x, ((1, 2),) * x.ndim, mode=mode, **kw)
                                for mode, kw in modes.items())


_PAD_SHAPES = (((3,),), ((2, 3),), ((1, 1),))
called("numpy", "pad", ["distinct"], FLOAT + (I32,), _PAD_SHAPES, _pad_modes(dict(
    constant=dict(constant_values=-1), edge={}, reflect={}, symmetric={}, wrap={}, maximum={},
    minimum={})), label="pad_modes", exact=True)
called("numpy", "pad", ["distinct"], FLOAT + (I32,), _PAD_SHAPES, _pad_modes(dict(
    linear_ramp=dict(end_values=2), mean={}, median={})), label="pad_statistic_modes")
called("numpy", "pad", ["real"], SHAPE_DTYPES, (((2, 3),), ((0, 2),)),
       lambda np_, x: np_.pad(x, [(0, 1), (2, 0)]), label="pad_zeros", **_shape_kw)
called("numpy", "partition", ["distinct"], FLOAT + (I32,), REDUCE_SHAPES,
       lambda np_, x: np_.partition(x, 0), exact=True)
called("numpy", "argpartition", ["distinct"], FLOAT + (I32,), REDUCE_SHAPES,
       lambda np_, x: np_.argpartition(x, 0, axis=0), exact=True, diff=False)
called("numpy", "searchsorted", ["distinct", "real"], FLOAT + (I32,),
       (((5,), ()), ((4,), (2, 3)), ((1,), (3,)), ((0,), (2,))),
       lambda np_, a, v: (np_.searchsorted(np_.sort(a), v),
                          np_.searchsorted(a, v, side="right", sorter=np_.argsort(a))),
       exact=True, diff=False)
called("numpy", "digitize", ["real"], FLOAT + (I32,), UNARY_SHAPES,
       lambda np_, x: (np_.digitize(x, np_.asarray([-1, 0, 1], x.dtype)),
                       np_.digitize(x, np_.asarray([1, 0, -1], x.dtype), right=True)),
       exact=True, diff=False)
called("numpy", "isin", ["real", "real"], NUMBER, (((3, 4), (5,)), ((), (2, 2)), ((0,), (3,))),
       lambda np_, x, t: np_.isin(np_.round(x), np_.round(t)), exact=True, diff=False)
called("numpy", "argwhere", ["bool"], (F32,), (((5,),), ((2, 3),)),
       lambda np_, x: np_.argwhere(x, size=4, fill_value=-1), exact=True, diff=False)
called("numpy", "flatnonzero", ["bool"], (F32,), (((5,),), ((2, 3),), ((0,),)),
       lambda np_, x: np_.flatnonzero(x, size=3), exact=True, diff=False)
called("numpy", "count_nonzero", ["int"], ANY, REDUCE_SHAPES,
       lambda np_, x: (np_.count_nonzero(x), np_.count_nonzero(x, axis=-1, keepdims=True)),
       exact=True, diff=False)
called("numpy", "tril_indices", [], (F32,), ((),),
       lambda np_: (np_.tril_indices(3), np_.tril_indices(3, -1, 4), np_.tril_indices(0)),
       exact=True, diff=False)
called("numpy", "triu_indices", [], (F32,), ((),),
       lambda np_: (np_.triu_indices(3), np_.triu_indices(3, 1, 2), np_.triu_indices(1)),
       exact=True, diff=False)
called("numpy", "tril_indices_from", ["real"], SHAPE_DTYPES, MATRIX[::2],
       lambda np_, x: np_.tril_indices_from(x, k=1), exact=True, diff=False)
called("numpy", "triu_indices_from", ["real"], SHAPE_DTYPES, MATRIX[::2],
       lambda np_, x: np_.triu_indices_from(x), exact=True, diff=False)

# Set operations on rounded values (ties to find), with size= so that jit runs.
_uniq = dict(exact=True, diff=False)
_UNIQ_SHAPES = (((6,),), ((2, 3),), ((1,),), ((0,),))
called("numpy", "unique", ["real"], NUMBER, _UNIQ_SHAPES,
       lambda np_, x: np_.unique(np_.round(x), size=4, fill_value=9), **_uniq)
called("numpy", "unique", ["real"], FLOAT + (I32,), _UNIQ_SHAPES,
       lambda np_, x: np_.unique(np_.round(x), return_index=True, return_inverse=True,
                                 return_counts=True, size=5, fill_value=-1),
       label="unique_all_returns", **_uniq)
called("numpy", "unique", ["real"], FLOAT + (I32,), _UNIQ_SHAPES,
       lambda np_, x: np_.unique(np_.round(x), return_counts=True), label="unique_no_size",
       jit=False, vmap=False, **_uniq)
called("numpy", "unique", ["real"], FLOAT + (I32,), (((4, 3),),),
       lambda np_, x: np_.unique(np_.round(x / 2), axis=1, size=3), label="unique_axis",
       **_uniq)
for _name in ("unique_all", "unique_counts", "unique_inverse", "unique_values"):
    called("numpy", _name, ["real"], FLOAT + (I32,), _UNIQ_SHAPES,
           (lambda name: lambda np_, x: getattr(np_, name)(np_.round(x), size=4,
                                                           fill_value=0))(_name), **_uniq)

# ---------------------------------------------------------------------------
# minijax.numpy: differences, integrals, convolutions, polynomials, ranges

called("numpy", "diff", ["real"], NUMBER, REDUCE_SHAPES, lambda np_, x: np_.diff(x), exact="real")
called("numpy", "diff", ["real", "real"], FLOAT, (((3, 4), (3, 1)), ((5,), ())),
       lambda np_, x, p: np_.diff(x, n=2, axis=-1, prepend=p), label="diff_n2_prepend")
called("numpy", "ediff1d", ["real"], NUMBER, UNARY_SHAPES,
       lambda np_, x: np_.ediff1d(x, to_end=np_.asarray([7, 8]), to_begin=-1), exact="real")
called("numpy", "cumulative_sum", ["real"], NUMBER, REDUCE_SHAPES,
       lambda np_, x: np_.cumulative_sum(x, axis=-1, include_initial=True))
called("numpy", "trapezoid", ["real"], FLOAT, REDUCE_SHAPES,
       lambda np_, y: np_.trapezoid(y, dx=0.5))
called("numpy", "trapezoid", ["real", "real"], FLOAT, (((3, 4), (4,)), ((5,), (5,))),
       lambda np_, y, x: np_.trapezoid(y, x, axis=-1), label="trapezoid_x")
for _name in ("convolve", "correlate"):
    called("numpy", _name, ["real", "real"], (F32, F64, C64, I32),
           (((5,), (3,)), ((3,), (4,)), ((1,), (1,)), ((4,), (4,))),
           (lambda name: lambda np_, a, v: tuple(getattr(np_, name)(a, v, mode=mode)
                                                 for mode in ("full", "same", "valid")))(_name))
_POLY = (((3,), (2,)), ((1,), (4,)), ((4,), (4,)))
for _name in ("polyadd", "polysub", "polymul"):
    called("numpy", _name, ["real", "real"], NUMBER, _POLY,
           (lambda name: lambda np_, a, b: getattr(np_, name)(a, b))(_name),
           exact="real" if _name != "polymul" else False)
called("numpy", "polyder", ["real"], NUMBER, VECTOR[:2] + (((5,),),),
       lambda np_, p: (np_.polyder(p), np_.polyder(p, 2)), exact="real")
called("numpy", "polyval", ["real", "real"], NUMBER, (((4,), ()), ((3,), (2, 3)), ((1,), (3,))),
       lambda np_, p, x: np_.polyval(p, x))
called("numpy", "piecewise", ["away"], FLOAT, UNARY_SHAPES,
       lambda np_, x: np_.piecewise(x, [x < 0, x > 1], [lambda t: t * t, lambda t: 2 * t, 0.5]))
called("numpy", "interp", ["real", "positive", "real"], FLOAT,
       (((5,), (4,), (4,)), ((), (3,), (3,)), ((2, 3), (1,), (1,))),
       lambda np_, x, dxp, fp: (np_.interp(x, np_.cumsum(dxp) - 2, fp, left=-1, right=3),
                                np_.interp(x, np_.cumsum(dxp), fp, period=2.5)))
called("numpy", "geomspace", ["positive", "positive"], FLOAT, (((), ()), ((2,), (2,))),
       lambda np_, a, b: np_.geomspace(a, b, 5))
called("numpy", "logspace", ["real", "real"], FLOAT, (((), ()), ((2,), (2,))),
       lambda np_, a, b: np_.logspace(a, b, 5, base=2.0))

# ---------------------------------------------------------------------------
# minijax.numpy: statistics, histograms, nan-functions

called("numpy", "average", ["real"], FLOAT + (I32, C64), REDUCE_SHAPES,
       lambda np_, x: np_.average(x, axis=-1))
called("numpy", "average", ["real", "positive"], FLOAT, (((3, 4), (4,)), ((5,), (5,))),
       lambda np_, x, w: np_.average(x, axis=-1, weights=w, returned=True),
       label="average_weights")
# The methods other than "linear" shared between the two (one code path).
for _name, _q, _methods in [("percentile", (10.0, 50.0, 95.0), ("lower", "nearest")),
                            ("quantile", 0.3, ("higher", "midpoint"))]:
    called("numpy", _name, ["distinct"], FLOAT + (I32,), REDUCE_SHAPES,
           (lambda name, q, methods: lambda np_, x: (
               getattr(np_, name)(x, np_.asarray(q), axis=-1),) + tuple(
               getattr(np_, name)(x, np_.asarray(q), method=m) for m in methods))(
               _name, _q, _methods))
called("numpy", "histogram", ["real"], FLOAT, UNARY_SHAPES,
       lambda np_, x: np_.histogram(x, bins=4, range=(-1.5, 1.5)), exact=True, diff=False)
called("numpy", "histogram", ["real", "positive"], FLOAT, (((6,), (6,)), ((2, 3), (2, 3))),
       lambda np_, x, w: np_.histogram(x, bins=np_.asarray([-2.0, -0.5, 0.0, 2.0]), weights=w,
                                       density=True), label="histogram_weights_density")
called("numpy", "histogram_bin_edges", ["distinct"], FLOAT, REDUCE_SHAPES + VECTOR[1:2],
       lambda np_, x: np_.histogram_bin_edges(x, bins=5))
called("numpy", "bincount", ["int"], (F32,), VECTOR,
       lambda np_, i: np_.bincount(i, length=4), exact=True, diff=False)
called("numpy", "bincount", ["int", "real"], FLOAT, (((5,), (5,)), ((0,), (0,))),
       lambda np_, i, w: np_.bincount(i, weights=w, minlength=2, length=4),
       label="bincount_weights")


def _nans(np_, x, i, keep=0):
    """``x`` with nan where ``i`` is 0 (a third of the values, some whole rows),
    except in the first ``keep`` places of the last axis."""
    return np_.where((i == 0) & (np_.arange(x.shape[-1]) >= keep), np_.nan, x)


_NAN_SHAPES = (((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4)), ((1, 1), (1, 1)), ((5,), (5,)))
# Over the last axis, or (every other function) over all of them.
for _k, (_name, _kw) in enumerate([
        ("nansum", {}), ("nanprod", {}), ("nanmean", {}), ("nanvar", {}), ("nanstd", {}),
        ("nanmax", dict(exact=True)), ("nanmin", dict(exact=True)), ("nanmedian", {}),
        ("nanargmax", dict(exact=True, diff=False)), ("nanargmin", dict(exact=True, diff=False)),
        ("nancumsum", {}), ("nancumprod", {})]):
    # nanstd of a single value has a nan derivative (sqrt at 0), in JAX too:
    # keep two values in every row.
    _keep, _shapes = (2, _NAN_SHAPES[:2] + _NAN_SHAPES[3:]) if _name == "nanstd" else \
        (0, _NAN_SHAPES)
    called("numpy", _name, ["distinct", "int"], FLOAT, _shapes,
           (lambda name, keep, axis: lambda np_, x, i: getattr(np_, name)(
               _nans(np_, x, i, keep), axis=axis))(_name, _keep, -1 if _k % 2 else None), **_kw)
called("numpy", "nanvar", ["distinct", "int"], FLOAT, _NAN_SHAPES[:2],
       lambda np_, x, i: np_.nanvar(_nans(np_, x, i), axis=0, ddof=1, keepdims=True),
       label="nanvar_ddof_keepdims")
called("numpy", "nanpercentile", ["distinct", "int"], FLOAT, _NAN_SHAPES,
       lambda np_, x, i: np_.nanpercentile(_nans(np_, x, i), np_.asarray([25.0, 75.0]),
                                           axis=-1))
called("numpy", "nanquantile", ["distinct", "int"], FLOAT, _NAN_SHAPES,
       lambda np_, x, i: np_.nanquantile(_nans(np_, x, i), 0.6, axis=0, keepdims=True))

# ---------------------------------------------------------------------------
# minijax.nn: more activations and layers

unary("nn", "tanh mish squareplus", dtypes=FLOAT, edges=True)
unary("nn", "identity", dtypes=ANY, exact=True, edges=True)
unary("nn", "celu selu soft_sign hard_sigmoid hard_silu hard_swish hard_tanh sparse_plus "
      "sparse_sigmoid", domain="away", dtypes=FLOAT, edges=True)
unary("nn", "log1mexp", domain="positive", dtypes=FLOAT, edges=True)
called("nn", "celu", ["away"], FLOAT, UNARY_SHAPES, lambda nn, x: nn.celu(x, alpha=0.5),
       label="celu_alpha")
called("nn", "squareplus", ["real"], FLOAT, UNARY_SHAPES, lambda nn, x: nn.squareplus(x, b=0.5),
       label="squareplus_b")
called("nn", "glu", ["real"], FLOAT, (((2, 4),), ((6,),), ((3, 0),), ((1, 2),)),
       lambda nn, x: nn.glu(x))
called("nn", "glu", ["real"], FLOAT, (((4, 3),),), lambda nn, x: nn.glu(x, axis=0),
       label="glu_axis0")
called("nn", "logmeanexp", ["real"], FLOAT, REDUCE_SHAPES,
       lambda nn, x: (nn.logmeanexp(x), nn.logmeanexp(x, axis=-1, keepdims=True)))
called("nn", "standardize", ["real"], FLOAT, REDUCE_SHAPES,
       lambda nn, x: (nn.standardize(x), nn.standardize(x, axis=0, epsilon=0.1)))
# No finite-difference check: the softmax runs in float32 on both sides (JAX's
# "xla" implementation casts to it), too coarse for float64 differences;
# jvp and vjp are still compared with JAX's.
_attn = dict(grad_dtypes=())
called("nn", "dot_product_attention", ["real", "real", "real"], (F32, F64),
       (((2, 3, 2, 4), (2, 5, 2, 4), (2, 5, 2, 4)), ((1, 1, 1, 2), (1, 1, 1, 2), (1, 1, 1, 2))),
       lambda nn, q, k, v: (nn.dot_product_attention(q, k, v),
                            nn.dot_product_attention(q, k, v, scale=0.7, is_causal=True)),
       **_attn)
called("nn", "dot_product_attention", ["real", "real", "real", "real", "bool"], (F32, F64),
       (((2, 3, 2, 4), (2, 5, 2, 4), (2, 5, 2, 4), (2, 2, 3, 5), (1, 1, 3, 5)),),
       lambda nn, q, k, v, b, m: nn.dot_product_attention(
           q, k, v, bias=b, mask=m | (np.arange(5) == 0)),   # every row attends somewhere
       label="dot_product_attention_bias_mask", **_attn)

# ---------------------------------------------------------------------------
# minijax.scipy.special: more functions

unary("special", "ndtr log_ndtr", dtypes=(F32, F64), edges=True)   # JAX refuses float16
unary("special", "i0 i0e i1 i1e", dtypes=FLOAT, edges=True)
unary("special", "ndtri", domain="unit", dtypes=(F32, F64), edges=True)
unary("special", "entr", domain="positive", dtypes=FLOAT, edges=True)
unary("special", "gamma", domain="away", dtypes=FLOAT, edges=True)
unary("special", "gammasgn", domain="away", dtypes=FLOAT, edges=True, exact=True)
binary("special", "beta betaln", domains=("positive", "positive"), dtypes=FLOAT, edges=True)
binary("special", "xlogy", domains=("real", "positive"), dtypes=FLOAT, edges=True)
binary("special", "xlog1py", domains=("real", "bounded"), dtypes=FLOAT, edges=True)
binary("special", "zeta", domains=("above1", "positive"), dtypes=FLOAT, edges=True)
called("special", "multigammaln", ["above1"], FLOAT, UNARY_SHAPES,
       lambda sp, a: sp.multigammaln(a, 3))
for _name in ("softmax", "log_softmax"):
    called("special", _name, ["real"], FLOAT, REDUCE_SHAPES,
           (lambda name: lambda sp, x: (getattr(sp, name)(x, axis=-1), getattr(sp, name)(x)))(
               _name))

# ---------------------------------------------------------------------------
# Candidates and exclusions

MODULES = {"numpy": ("minijax.numpy", "jax.numpy"), "lax": ("minijax.lax", "jax.lax"),
           "nn": ("minijax.nn", "jax.nn"),
           "special": ("minijax.scipy.special", "jax.scipy.special"),
           "stats": ("minijax.scipy.stats", "jax.scipy.stats"),
           "signal": ("minijax.scipy.signal", "jax.scipy.signal")}

# Public functions with no entry, and why. Each is tested elsewhere.
EXCLUDED = {
    # Questions about types and shapes: they return Python values, not arrays
    # (tests/test_numpy.py::test_shape_and_type_queries, tests/test_dtypes.py).
    "numpy.promote_types": "dtype query", "numpy.result_type": "dtype query",
    "numpy.issubdtype": "dtype query", "numpy.iscomplexobj": "type query",
    "numpy.isscalar": "type query", "numpy.ndim": "shape query", "numpy.shape": "shape query",
    "numpy.size": "shape query", "numpy.broadcast_shapes": "shape query",
    # Shape helpers of lax that compute Python tuples or dimension numbers.
    "lax.conv_dimension_numbers": "returns ConvDimensionNumbers",
    "lax.padtype_to_pads": "returns a list of pads",
    "lax.reduce_window_shape_tuple": "returns a shape tuple",
}


def candidates():
    """``module.name`` of every public function of minijax that JAX also has."""
    import importlib
    out = []
    for module, (ours, theirs) in MODULES.items():
        ours, theirs = importlib.import_module(ours), importlib.import_module(theirs)
        for name in dir(ours):
            obj = getattr(ours, name)
            if name.startswith("_") or not callable(obj) or inspect.isclass(obj) \
                    or inspect.ismodule(obj) or not hasattr(theirs, name):
                continue
            out.append(f"{module}.{name}")
    return sorted(out)
