"""Eager evaluation: the interpreter at the bottom of every stack, and ``Array``.

When no transformation is running, ``bind`` lands here. ``EvalTrace`` checks
the operands with the primitive's abstract-evaluation rule (so a shape error
is reported as minijax's TypeError, not as a failure deep inside numpy), runs
the primitive's numpy implementation, and wraps the result in an ``Array``.

Each primitive runs on its own as a numpy computation; the exceptions, as in
JAX, are loops and random samplers, which are compiled even when called
eagerly. ``jit`` (Chapter 9) is the road to XLA for whole functions; arrays it
returns live in a device buffer and are read back into numpy only when
something looks at them.
"""
import numpy as np

from . import core, dtypes
from .config import config
from .core import ArrayMethods, ShapedArray, Tracer
from .errors import UnexpectedTracerError


class Array(ArrayMethods):
    """A concrete array: the value users hold (``jax.Array`` in JAX).

    It holds a numpy array, or a device buffer produced by ``jit``, or both
    (a device result read back once, or an eager array sent to the device once).
    Arrays are immutable.
    """
    __slots__ = ("_npy", "_buf", "aval", "__weakref__")

    def __init__(self, value, aval=None):
        if aval is None:  # public construction: canonicalize a numpy value
            value = np.asarray(value)
            aval = ShapedArray(value.shape, dtypes.canonicalize_dtype(value.dtype))
            value = value.astype(aval.dtype, copy=False)
        self._npy, self._buf, self.aval = value, None, aval

    @classmethod
    def _from_buffer(cls, buf, aval):
        """An array whose value lives in a jaxlib device buffer."""
        self = object.__new__(cls)
        self._npy, self._buf, self.aval = None, buf, aval
        return self

    # -- the value ---------------------------------------------------------

    @property
    def _value(self):
        """The value as a (read-only) numpy array; copies back from a device once."""
        if self._npy is None:
            value = np.asarray(self._buf)
            if value.dtype != self.aval.dtype:   # jaxlib hands back bool as bool, etc.
                value = value.astype(self.aval.dtype)
            self._npy = value
        return self._npy

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    def __array__(self, dtype=None, copy=None):
        value = self._value
        if dtype is not None and np.dtype(dtype) != value.dtype:
            return value.astype(dtype)
        if copy:
            return value.copy()
        view = value.view()
        view.flags.writeable = False   # numpy must not mutate an immutable array
        return view

    def block_until_ready(self):
        """Wait until a device computation producing this array has finished."""
        if self._buf is not None:
            self._buf.block_until_ready()
        return self

    def is_fully_replicated(self):
        return True

    def copy(self):
        return Array(self._value.copy(), self.aval)

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        return (_rebuild_array, (np.array(self._value), self.aval.weak_type))

    # -- Python protocol -----------------------------------------------------

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        row = self.aval.update(shape=self.shape[1:])
        return (Array(np.asarray(r), row) for r in self._value)

    def _scalar(self, what):
        if self.ndim != 0:
            raise TypeError(f"Only scalar arrays can be converted to Python scalars; "
                            f"got arr.ndim={self.ndim} in {what}().")
        return self._value

    def __bool__(self):
        return bool(self._value)   # numpy's error for size > 1 is the right one

    def __int__(self):
        return int(self._scalar("int"))

    def __float__(self):
        return float(self._scalar("float"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self.ndim != 0 or self.dtype.kind not in "iu":   # bools are not indices
            raise TypeError("Only integer scalar arrays can be converted to a scalar index.")
        return int(self._value)

    def item(self, *args):
        return self._value.item(*args)

    def tolist(self):
        return self._value.tolist()

    def __hash__(self):
        raise TypeError("unhashable type: 'Array'")

    # -- printing ------------------------------------------------------------

    def __repr__(self):
        return format_array_repr(self._value, self.aval.weak_type)

    def __str__(self):
        return str(self._value)

    def __format__(self, spec):
        # numpy's rules, as in JAX: a 0-d array formats as a numpy scalar (so
        # f"{x}" of a float32 shows float32 digits); others refuse a non-empty spec.
        return format(self._value if self.ndim else self._value[()], spec)


def _rebuild_array(value, weak_type):
    return Array(value, ShapedArray(value.shape, value.dtype, weak_type))


def format_array_repr(value, weak_type=False):
    """``Array([1., 2.], dtype=float32)``: numpy's layout inside ``Array(...)``."""
    prefix = "Array("
    dtype_str = f"dtype={value.dtype.name}" + (", weak_type=True)" if weak_type else ")")
    width = np.get_printoptions()["linewidth"]
    if value.size == 0:
        body = f"[], shape={value.shape}"
    else:
        body = np.array2string(value, prefix=prefix, suffix=",", separator=", ",
                               max_line_width=width)
    last_line = len(body) - body.rfind("\n") + 1   # + 1: the comma that follows
    # When the dtype does not fit on the last line JAX still keeps it there,
    # separated by len("Array(") spaces instead of one; we print the same.
    sep = " " if last_line + len(dtype_str) + 1 <= width else " " * len(prefix)
    return f"{prefix}{body},{sep}{dtype_str}"


# ---------------------------------------------------------------------------
# Eager evaluation


def to_numpy_operand(x):
    """Turn an operand of a primitive into ``(numpy value, aval)``."""
    if type(x) is Array:
        return x._value, x.aval
    if isinstance(x, Tracer):
        raise UnexpectedTracerError(core.escaped_tracer_message(x))
    aval = core.get_aval(x)
    value = np.asarray(x)
    if value.dtype != aval.dtype:
        value = value.astype(aval.dtype)
    return value, aval


def wrap_output(value, aval):
    """Wrap an implementation's numpy result as an ``Array`` of type ``aval``."""
    value = np.asarray(value)
    if value.dtype != aval.dtype:   # numpy may widen (e.g. int32 sums); JAX does not
        value = value.astype(aval.dtype)
    return Array(value, aval)


def check_nans(name, outs):
    """``jax_debug_nans``: FloatingPointError if an output of ``name`` has a nan."""
    for x in outs:
        if x.dtype.kind in "fc" and np.isnan(x._value).any():
            raise FloatingPointError(f"invalid value (nan) encountered in {name}")


class EvalTrace(core.Trace):
    """The eager interpreter: run every primitive on numpy, right away."""

    def __init__(self):
        self.parent, self.alive = None, True

    def process_primitive(self, primitive, args, params):
        if primitive.takes_arrays:   # jit: hand over Arrays (device buffers stay put)
            return primitive.impl(*args, **params)
        vals, avals = [], []
        for x in args:
            if type(x) is Array:          # the common case, kept cheap
                vals.append(x._value)
                avals.append(x.aval)
            else:
                v, a = to_numpy_operand(x)
                vals.append(v)
                avals.append(a)
        out_aval = primitive.abstract_eval_cached(avals, params)   # checks the operands
        out = primitive.impl(*vals, **params)
        if primitive.multiple_results:
            outs = [wrap_output(o, a) for o, a in zip(out, out_aval)]
        else:
            outs = wrap_output(out, out_aval)
        if config.debug_nans:
            check_nans(primitive.name, outs if primitive.multiple_results else [outs])
        return outs

    def describe(self):
        return "in eager evaluation"


eval_trace = EvalTrace()          # the bottom of every interpreter stack
core.set_eager_trace(eval_trace)
