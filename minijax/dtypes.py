"""Element types and JAX's type promotion rules.

Two ideas make JAX's dtypes differ from numpy's:

* **Canonical types.** With 64-bit mode off (the default), every 64-bit type
  is narrowed to its 32-bit sibling as it enters the system: ``float64`` becomes
  ``float32``, ``int64`` becomes ``int32``, ``complex128`` becomes ``complex64``.
* **Weak types.** A Python scalar such as ``2.0`` has no precision of its own.
  It is *weakly typed*: in ``x * 2.0`` the result keeps ``x``'s dtype, even if
  ``x`` is ``float16``. Weakness is a flag carried next to the dtype.

Promotion is a walk on a small lattice (a directed graph of "can be promoted
to" edges): the result type of some operands is their least upper bound.
The lattice below is JAX's, minus the exotic 4- and 8-bit float types.
"""
import functools

import ml_dtypes
import numpy as np

from .config import config

bool_ = np.dtype(np.bool_)
int8, int16, int32, int64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
float16, float32, float64 = (np.dtype(t) for t in (np.float16, np.float32, np.float64))
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)
# Google Brain's 16-bit float (float32's exponent range, 8 bits of precision),
# a numpy extension type from ml_dtypes (a jaxlib dependency). numpy files it
# under the "void" kind, so dtype kinds alone do not recognise it as a float.
bfloat16 = np.dtype(ml_dtypes.bfloat16)

# The tangent type of integer and boolean values: a dtype that holds no data.
# Differentiating with respect to an integer gives an array of this type.
float0 = np.dtype([("float0", np.void, 0)])

SUPPORTED = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
             float16, bfloat16, float32, float64, complex64, complex128)
_SUPPORTED = frozenset(SUPPORTED)

_NARROW = {int64: int32, uint64: uint32, float64: float32, complex128: complex64}


def canonicalize_dtype(dtype):
    """The dtype minijax actually uses for ``dtype`` (64-bit narrowed unless x64)."""
    dtype = np.dtype(dtype)
    if dtype not in _SUPPORTED and dtype != float0:
        raise TypeError(f"minijax does not support dtype {dtype}; supported: "
                        + ", ".join(d.name for d in SUPPORTED))
    if config.x64_enabled:
        return dtype
    return _NARROW.get(dtype, dtype)


def default_int_dtype():
    return int64 if config.x64_enabled else int32


def default_float_dtype():
    return float64 if config.x64_enabled else float32


def default_complex_dtype():
    return complex128 if config.x64_enabled else complex64


def _default_of_kind(kind):
    return {"b": bool_, "i": default_int_dtype(), "u": uint64 if config.x64_enabled else uint32,
            "f": default_float_dtype(), "c": default_complex_dtype()}[kind]


# ---------------------------------------------------------------------------
# Python scalars and weak types

PYTHON_SCALAR_TYPES = (bool, int, float, complex)


def python_scalar_dtype(x):
    """The canonical dtype of a Python scalar: bool, int32, float32 or complex64.

    A Python int that does not fit the default integer type raises
    OverflowError, as in JAX, rather than wrap around to a wrong value."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        dt = default_int_dtype()
        check_int_fits(x, dt)
        return dt
    if isinstance(x, float):
        return default_float_dtype()
    return default_complex_dtype()


def check_int_fits(x, dt):
    """OverflowError unless the Python int ``x`` fits the integer dtype ``dt``."""
    bits = 8 * np.dtype(dt).itemsize
    lo, hi = (0, 2**bits - 1) if np.dtype(dt).kind == "u" else (-2**(bits - 1), 2**(bits - 1) - 1)
    if not lo <= x <= hi:
        hint = ("" if config.x64_enabled or np.dtype(dt) != default_int_dtype() else
                " (64-bit types are off: see jax_enable_x64)")
        raise OverflowError(f"Python int {x} too large to convert to {np.dtype(dt).name}{hint}")


def is_python_scalar_type(x):
    """True for ``bool``, ``int``, ``float`` and ``complex`` themselves (by identity:
    ``np.dtype("float64") == float`` holds, but a dtype is not a Python type)."""
    return any(x is t for t in PYTHON_SCALAR_TYPES)


def is_weakly_typed(x):
    """True for Python scalars (except bool) and for arrays carrying the weak flag."""
    if type(x) in PYTHON_SCALAR_TYPES:
        return type(x) is not bool
    return getattr(getattr(x, "aval", None), "weak_type", False)


def dtype(x):
    """The canonical dtype of a value, a dtype-like, or a Python scalar type."""
    if type(x) in PYTHON_SCALAR_TYPES:
        return python_scalar_dtype(x)
    if is_python_scalar_type(x):          # the types themselves: dtype(float)
        return python_scalar_dtype(x(0))
    if hasattr(x, "dtype"):
        return canonicalize_dtype(x.dtype)
    return canonicalize_dtype(np.result_type(x))


def issubdtype(a, b):
    """numpy's issubdtype, accepting minijax arrays too; bfloat16 counts as floating."""
    if _is_bfloat16(a) and b in (np.floating, np.inexact, np.number):
        return True
    return np.issubdtype(a, b)


def _is_bfloat16(x):
    try:
        return np.dtype(x) == bfloat16
    except TypeError:
        return False


def is_inexact(dt):
    """Floating or complex (asked on every JVP, so by dtype kind: cheap)."""
    dt = np.dtype(dt)
    return dt.kind in "fc" or dt == bfloat16


def is_complex(dt):
    return np.dtype(dt).kind == "c"


def to_inexact_dtype(dt):
    """The floating type an integer or boolean computes in (``jnp.sin(int8)``):
    float32 for types up to 32 bits, float64 for 64-bit ones (JAX's table)."""
    dt = np.dtype(dt)
    if dt.kind in "biu":
        return float64 if dt.itemsize == 8 else float32
    return dt


def to_numeric_dtype(dt):
    """Booleans become int32 (even with x64 on, as in JAX); numbers stay."""
    dt = np.dtype(dt)
    return int32 if dt == bool_ else dt


def finfo(dt):
    return ml_dtypes.finfo(dt) if np.dtype(dt) == bfloat16 else np.finfo(dt)


def iinfo(dt):
    return np.iinfo(dt)


# ---------------------------------------------------------------------------
# The promotion lattice. Nodes are dtypes plus three weak nodes for the
# Python scalar kinds: "int" (i*), "float" (f*) and "complex" (c*).

_WEAK_INT, _WEAK_FLOAT, _WEAK_COMPLEX = "i*", "f*", "c*"
_WEAK_NODES = (_WEAK_INT, _WEAK_FLOAT, _WEAK_COMPLEX)

_LATTICE = {
    bool_: [_WEAK_INT],
    _WEAK_INT: [uint8, int8],
    uint8: [int16, uint16], uint16: [int32, uint32], uint32: [int64, uint64],
    uint64: [_WEAK_FLOAT],
    int8: [int16], int16: [int32], int32: [int64], int64: [_WEAK_FLOAT],
    _WEAK_FLOAT: [_WEAK_COMPLEX, float16, bfloat16],
    float16: [float32], bfloat16: [float32], float32: [float64, complex64], float64: [complex128],
    _WEAK_COMPLEX: [complex64], complex64: [complex128], complex128: [],
}


# With 64-bit mode off JAX avoids making a 64-bit type from 32-bit inputs:
# the one edge that would (uint32 -> int64, for uint32 with int32) becomes
# uint32 -> int32 instead.
_LATTICE_X32 = {**_LATTICE, uint32: [int32, uint64]}


def _upper_bounds(lattice, node):
    """Every node reachable from ``node`` (including itself)."""
    seen, todo = {node}, [node]
    while todo:
        for up in lattice[todo.pop()]:
            if up not in seen:
                seen.add(up)
                todo.append(up)
    return seen


_UPPER = {x64: {node: frozenset(_upper_bounds(lattice, node)) for node in lattice}
          for x64, lattice in ((True, _LATTICE), (False, _LATTICE_X32))}


@functools.lru_cache(maxsize=None)
def _least_upper_bound(x64, *nodes):
    upper = _UPPER[x64]
    common = frozenset.intersection(*(upper[n] for n in nodes))
    # The least bound is the one every other common bound lies above.
    least = [c for c in common if all(other in upper[c] for other in common)]
    return least[0]


def _lattice_node(dt, weak):
    if weak and dt != bool_:
        if dt == bfloat16:
            return _WEAK_FLOAT
        return {"i": _WEAK_INT, "u": _WEAK_INT, "f": _WEAK_FLOAT, "c": _WEAK_COMPLEX}[dt.kind]
    return dt


def _dtype_and_weak_type(x):
    if type(x) in PYTHON_SCALAR_TYPES:
        return python_scalar_dtype(x), type(x) is not bool
    if is_python_scalar_type(x):   # the types themselves are weak too: result_type(float)
        return python_scalar_dtype(x(0)), x is not bool
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval.dtype, aval.weak_type
    # Dtypes and numpy values are canonicalized first, as they would be on the
    # way into an array: with x64 off, result_type(int8, uint64) is int32.
    if isinstance(x, (np.dtype, type, str)):
        return canonicalize_dtype(x), False
    return canonicalize_dtype(getattr(x, "dtype", None) or np.result_type(x)), False


def lattice_result_type(*args):
    """``(dtype, weak)`` that ``args`` promote to, as the ``jnp`` operations use it.

    A weak result keeps its width: a weak float16 times ``2`` is a weak float16.
    Arguments may be arrays, tracers, Python scalars or dtypes.
    """
    if not args:
        raise ValueError("at least one array or dtype is required")
    # Every jnp operation asks this, so the lattice walk is cached by the
    # operands' (dtype, weak) pairs.
    return _promote(config.x64_enabled, tuple(_dtype_and_weak_type(a) for a in args))


@functools.lru_cache(maxsize=4096)
def _promote(x64, pairs):
    dts, weaks = zip(*pairs)
    if len(set(dts)) == 1 and not all(weaks):
        out, weak = dts[0], False
    elif all(weaks):
        # All weak: promote the strong versions, then mark the result weak.
        strong = sorted({_lattice_node(d, False) for d in dts}, key=str)
        out, weak = _least_upper_bound(x64, *strong), True
    else:
        nodes = {_lattice_node(d, w) for d, w in zip(dts, weaks)}
        out = _least_upper_bound(x64, *sorted(nodes, key=str))
        weak = out in _WEAK_NODES
    # The bound may be a Python scalar kind: int64 and uint64 meet at f*.
    out = canonicalize_dtype(_WEAK_NODE_DTYPES.get(out, out))
    return out, weak and out != bool_          # there are no weak booleans


def result_type(*args, return_weak_type_flag=False):
    """The dtype (and weak flag) that ``args`` promote to (``jnp.result_type``).

    Unlike ``lattice_result_type``, a weak result has the default width of its
    kind: ``result_type(weak float16, 2)`` is float32.
    """
    out, weak = lattice_result_type(*args)
    if weak:
        out = _default_of_kind(out.kind)
    return (out, weak) if return_weak_type_flag else out


_WEAK_NODE_DTYPES = {_WEAK_INT: int64, _WEAK_FLOAT: float64, _WEAK_COMPLEX: complex128}


def promote_types(a, b):
    """The dtype two dtypes promote to (``jnp.promote_types``); never weak.

    Unlike ``result_type`` the answer is not canonicalized: as in JAX,
    ``promote_types(float32, float64)`` is float64 even with 64-bit mode off.
    """
    a, b = np.dtype(a), np.dtype(b)
    for dt in (a, b):
        if dt not in _SUPPORTED:
            raise ValueError(f"dtype={dt!r} is not a valid dtype for minijax type promotion.")
    out = _least_upper_bound(config.x64_enabled, *sorted({a, b}, key=str))
    return _WEAK_NODE_DTYPES.get(out, out)
