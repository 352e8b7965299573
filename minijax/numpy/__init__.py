"""``minijax.numpy``: numpy's API on top of ``lax``, with JAX's type promotion.

Every function here is ordinary Python that calls ``lax`` functions, so every
transformation sees through it: there are no derivative rules at this level.
The work done here is the bookkeeping numpy users expect and ``lax`` refuses
to guess: dtype promotion (with weak types), broadcasting, axis arguments,
keepdims, and friendly argument checking.
"""
# Each topic module below imports the ones before it; this module only
# re-exports their public names.
from .creation import (
    ndarray, pi, e, inf, nan, euler_gamma, newaxis, generic, number, inexact, floating,
    complexfloating, integer, signedinteger, unsignedinteger, bool_dtype, bool_, int8,
    int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64,
    complex64, complex128, int_, uint, float_, complex_, dtype, result_type, promote_types,
    issubdtype, finfo, iinfo, shape, ndim, size, iscomplexobj, isscalar, asarray, array,
    full, zeros, ones, empty, zeros_like, ones_like, full_like, empty_like, eye, identity,
    arange, linspace, logspace, geomspace)
from .promotion import (
    promote_dtypes, promote_dtypes_inexact, promote_dtypes_numeric, broadcast_shapes,
    broadcast_to, broadcast_arrays, meshgrid)
from .elementwise import (
    sin, cos, tan, arcsin, arccos, arctan, sinh, cosh, tanh, arcsinh, arccosh, arctanh,
    exp, exp2, expm1, log, log1p, sqrt, cbrt, negative, sign, floor, ceil, isfinite, asin,
    acos, atan, asinh, acosh, atanh, log2, log10, abs, absolute, fabs, square, reciprocal,
    positive, real, imag, conjugate, conj, angle, round, around, rint, trunc, fix, add,
    subtract, multiply, true_divide, divide, maximum, minimum, arctan2, nextafter, equal,
    not_equal, less, less_equal, greater, greater_equal, bitwise_and, bitwise_or,
    bitwise_xor, logical_and, logical_or, logical_xor, logical_not, bitwise_not, invert,
    hypot, logaddexp, logaddexp2, power, pow, floor_divide, remainder, mod, fmod, divmod,
    isnan, isinf, isposinf, isneginf, nan_to_num, where, select, clip, heaviside, sinc,
    deg2rad, rad2deg, radians, degrees, allclose, isclose, array_equal, piecewise)
from .reductions import (
    sum, prod, max, min, amax, amin, all, any, mean, var, std, argmax, argmin, cumsum,
    cumprod, logsumexp)
from .shapes import (
    reshape, ravel, transpose, matrix_transpose, swapaxes, moveaxis, squeeze, expand_dims,
    atleast_1d, atleast_2d, concatenate, stack, vstack, hstack, column_stack, split, flip,
    fliplr, flipud, roll, tile, repeat, diagonal, diag, trace, tri, tril, triu,
    take, take_along_axis, sort, argsort, outer)
from .products import (
    dot, vdot, inner, matmul, tensordot, kron, cross, convolve, correlate)
from .einsum import einsum
from .statistics import (
    quantile, nanquantile, percentile, nanpercentile, median, nanmedian, average)
from .nanfunctions import (
    nansum, nanprod, nanmax, nanmin, nanmean, nanvar, nanstd, nanargmax, nanargmin,
    nancumsum, nancumprod)
from .padding import pad
from .searching import (
    searchsorted, digitize, count_nonzero, nonzero, flatnonzero, argwhere, bincount,
    histogram_bin_edges, histogram)
from .polynomial import polyval, polyadd, polysub, polymul, polyder, polyint, polyfit
from .calculus import diff, ediff1d, cumulative_sum, trapezoid, interp
from .rearranging import (
    array_split, hsplit, vsplit, dsplit, atleast_3d, rot90, concat, put_along_axis,
    triu_indices, tril_indices, triu_indices_from, tril_indices_from, partition, argpartition)
from .index_tricks import r_, c_
from .setops import unique, unique_all, unique_counts, unique_inverse, unique_values, isin
from .indexing import getitem as _getitem  # noqa: F401
from . import linalg  # noqa: F401
from . import fft  # noqa: F401
from . import array_methods as _array_methods

_array_methods.install()
