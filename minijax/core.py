"""The core: primitives, the current interpreter, tracers and abstract values.

Everything minijax computes is a sequence of *primitive* operations (``sin``,
``mul``, ``dot_general``, ...). A primitive does nothing by itself: calling
``prim.bind(*args)`` hands it to the **current interpreter** (a ``Trace``),
which decides what the primitive means right now:

* the eager interpreter (``eager.EvalTrace``, always at the bottom) runs it on
  numpy and returns an ``Array``;
* the forward-mode interpreter computes a value *and* a tangent;
* the batching interpreter runs it on a whole batch at once;
* the staging interpreter writes it down as an equation of a jaxpr.

A transformation such as ``jvp(f, ...)`` makes a new interpreter whose *parent*
is whatever was current, makes it current, and calls ``f`` on **tracers**:
stand-ins for values that carry what this interpreter needs (a tangent, a batch
axis, a variable name). Inside ``f``, every operator on a tracer ends in
``bind``, so the interpreter sees every primitive. When it needs ordinary
values computed it hands the work to its parent. Nested transformations are
therefore a chain of interpreters, each feeding the one below: that chain is
the *interpreter stack*.

An interpreter only unwraps its own tracers. A tracer of an outer interpreter
reaching an inner one (a value closed over by the inner function) is just a
constant to it, and is passed down unchanged to the parent that owns it. This
is what keeps ``grad(lambda x: grad(lambda y: x * y)(1.))(2.)`` honest
("perturbation confusion" cannot happen).

As in JAX, the current interpreter is per thread: two threads transforming
functions at once each have their own interpreter stack, with the eager
interpreter at the bottom of both.
"""
import operator
import threading

import numpy as np

from . import dtypes
from .errors import (ConcretizationTypeError, TracerArrayConversionError,
                     TracerBoolConversionError, TracerIntegerConversionError,
                     UnexpectedTracerError)

# ---------------------------------------------------------------------------
# Abstract values: what a value looks like to a transformation (shape, dtype,
# weak type), without its contents.

_SHORT_NAMES = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64", "int8": "i8",
                "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8",
                "uint16": "u16", "uint32": "u32", "uint64": "u64", "bool": "bool",
                "complex64": "c64", "complex128": "c128"}


def short_dtype_name(dtype):
    """``f32`` for float32, as jaxprs print types."""
    return "float0" if dtype == dtypes.float0 else _SHORT_NAMES[np.dtype(dtype).name]


class ShapedArray:
    """The abstract value of an array: shape, dtype and weak-type flag."""
    __slots__ = ("shape", "dtype", "weak_type", "_hash")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type
        self._hash = None

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def update(self, shape=None, dtype=None, weak_type=None):
        """A copy with some fields replaced."""
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak_type(self):
        return self.update(weak_type=False) if self.weak_type else self

    def str_short(self):
        """``f32[3,4]``: the type annotation jaxprs print."""
        return f"{short_dtype_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    def __eq__(self, other):
        return (type(other) is ShapedArray and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        if self._hash is None:   # avals key jit's caches, so hash once
            self._hash = hash((self.shape, self.dtype, self.weak_type))
        return self._hash

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.dtype.name}[{','.join(map(str, self.shape))}]{weak})"

    def __str__(self):
        """``float32[3]``, ``~float32[]`` for a weak type: as ``jax.typeof`` prints."""
        return f"{'~' if self.weak_type else ''}{self.dtype.name}[{','.join(map(str, self.shape))}]"


class ShapeDtypeStruct:
    """A shape and dtype standing in for an array (``jax.ShapeDtypeStruct``)."""
    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape, self.dtype, self.weak_type = tuple(shape), np.dtype(dtype), weak_type

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    @property
    def aval(self):
        return ShapedArray(self.shape, dtypes.canonicalize_dtype(self.dtype), self.weak_type)

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and
                (self.shape, self.dtype, self.weak_type) ==
                (other.shape, other.dtype, other.weak_type))

    def __hash__(self):
        return hash((self.shape, self.dtype, self.weak_type))


def get_aval(x):
    """The abstract value of anything minijax accepts as an array."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval
    if type(x) in dtypes.PYTHON_SCALAR_TYPES:
        return ShapedArray((), dtypes.python_scalar_dtype(x), type(x) is not bool)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(x.shape, dtypes.canonicalize_dtype(x.dtype), False)
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid minijax type: "
                    "pass arrays, numpy arrays or Python scalars.")


def typeof(x):
    """The abstract value (``ShapedArray``) of ``x``: prints as ``float32[3]``.
    Works on tracers too, so it shows what a transformation sees."""
    return get_aval(x)


def is_valid_value(x):
    """True if ``x`` can be an operand of a primitive."""
    return (isinstance(x, (Tracer, np.ndarray, np.generic)) or hasattr(x, "aval")
            or type(x) in dtypes.PYTHON_SCALAR_TYPES)


# ---------------------------------------------------------------------------
# Primitives

all_primitives = {}   # name -> Primitive: every primitive minijax defines


class AbstractEvalCache:
    """A performance layer under ``Primitive``: abstract evaluation remembered
    per (input types, params), so the same operation on the same types is
    checked once however often it is traced."""

    _aval_cache = None

    def abstract_eval_cached(self, avals, params):
        """``abstract_eval``, from the cache when possible. Avals are
        immutable, so a cached result can be shared."""
        cache = self._aval_cache
        if cache is None:
            cache = self._aval_cache = {}
        try:
            key = (tuple(avals), tuple(params.items()))
            out = cache.get(key)
        except TypeError:   # unhashable params (rare): just compute
            return self.abstract_eval(*avals, **params)
        if out is None:
            if len(cache) > 4096:   # bounded: params may hold jaxprs
                cache.clear()
            out = cache[key] = self.abstract_eval(*avals, **params)
        return out


class Primitive(AbstractEvalCache):
    """A named operation. Its meaning is given by rules that each interpreter
    looks up: ``impl`` (numpy), ``abstract_eval`` (output shapes and dtypes),
    and the rule tables of the transformation modules."""

    multiple_results = False
    takes_arrays = False   # True: eager impl receives Arrays, not numpy values (jit)
    has_side_effects = False   # True: never dropped as dead code (debug.print)

    def __init__(self, name, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results
        all_primitives[name] = self

    def bind(self, *args, **params):
        """Apply the primitive under the current interpreter."""
        return _state.trace.process_primitive(self, args, params)

    def impl(self, *args, **params):
        raise NotImplementedError(f"primitive {self.name} has no eager implementation")

    def abstract_eval(self, *avals, **params):
        raise NotImplementedError(f"primitive {self.name} has no abstract evaluation rule")

    def def_impl(self, impl):
        """Decorator: set the numpy implementation."""
        self.impl = impl
        return impl

    def def_abstract_eval(self, rule):
        """Decorator: set the shape/dtype rule ``(*avals, **params) -> aval(s)``."""
        self.abstract_eval = rule
        return rule

    def __repr__(self):
        return self.name


# ---------------------------------------------------------------------------
# Interpreters ("traces") and the current one


class Trace:
    """An interpreter of primitives. Subclasses implement ``process_primitive``.

    ``parent`` is the interpreter that was current when this one was made: the
    one this interpreter asks to compute on ordinary (non-tracer) values.
    """

    def __init__(self, parent=None):
        self.parent = _state.trace if parent is None else parent
        self.alive = True

    def process_primitive(self, primitive, args, params):
        raise NotImplementedError

    def describe(self):
        """A phrase for error messages: 'while tracing f for jit'."""
        return f"inside a {type(self).__name__}"

    def check_foreign(self, x):
        """Called on a tracer of another interpreter: fail if that one is gone."""
        if not x._trace.alive:
            raise UnexpectedTracerError(escaped_tracer_message(x))


class _ThreadState(threading.local):
    """The current interpreter, one per thread. A thread that has not set one
    sees the class attribute: the eager interpreter, installed by
    ``minijax.eager`` with ``set_eager_trace``."""
    trace = None


_state = _ThreadState()


def set_eager_trace(trace):
    """Make ``trace`` the bottom interpreter of every thread."""
    _ThreadState.trace = trace


def current_trace():
    """The interpreter that ``bind`` hands primitives to right now."""
    return _state.trace


class set_current_trace:
    """Context manager: make ``trace`` current, restore the previous one on exit.

    With ``retire=True`` the trace is marked dead on exit, so a tracer of it
    that escapes (stored in a global, say) is reported when it is used later.
    """
    __slots__ = ("trace", "prev", "retire")

    def __init__(self, trace, retire=False):
        self.trace, self.retire = trace, retire

    def __enter__(self):
        self.prev, _state.trace = _state.trace, self.trace
        return self.trace

    def __exit__(self, *exc):
        _state.trace = self.prev
        if self.retire:
            self.trace.alive = False


def bind_with_trace(trace, primitive, args, params):
    """Apply ``primitive`` under ``trace`` (not the current interpreter): how an
    interpreter hands work it has nothing to add to down to its parent."""
    state = _state
    prev, state.trace = state.trace, trace
    try:
        return trace.process_primitive(primitive, args, params)
    finally:
        state.trace = prev


def escaped_tracer_message(x):
    return (f"Encountered an unexpected tracer: {x!r} was created {x._trace.describe()}, "
            "and that transformation has already finished. A tracer escaped it, for example "
            "by being stored in a global or an object attribute, or returned through a side "
            "channel. Return values out of transformed functions instead of storing them.")


# ---------------------------------------------------------------------------
# Tracers


class ArrayMethods:
    """The array API shared by ``Array`` and ``Tracer`` (operators, ``.T``,
    ``.sum()``, ...). Its methods are installed by ``minijax.numpy``, because
    each is a call to a ``jnp`` function."""
    __slots__ = ()
    __array_priority__ = 100


class TracerConversions:
    """Python's conversion protocol for tracers, checked: ``len``, iteration,
    ``bool``/``int``/``float``/``complex``/``index`` and ``item`` need the
    concrete value (``to_concrete_value``), and ``np.asarray`` and hashing
    are refused with JAX's errors."""
    __slots__ = ()

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self):
        return bool(self._concrete(bool, TracerBoolConversionError,
                                   "Attempted boolean conversion of"))

    def __int__(self):
        return int(self._concrete(int, ConcretizationTypeError, "int() was called on"))

    def __float__(self):
        return float(self._concrete(float, ConcretizationTypeError, "float() was called on"))

    def __complex__(self):
        return complex(self._concrete(complex, ConcretizationTypeError,
                                      "complex() was called on"))

    def __index__(self):
        value = self._concrete(operator.index, TracerIntegerConversionError,
                               "The __index__() method was called on")
        return operator.index(value)

    def __array__(self, dtype=None, copy=None):
        raise TracerArrayConversionError(concretization_message(
            self, "The numpy.ndarray conversion method __array__() was called on",
            "numpy cannot see inside a transformation: use minijax.numpy (jnp) functions "
            "instead of numpy ones on traced values."))

    def __hash__(self):
        raise TypeError(f"unhashable type: '{type(self).__name__}'")

    def item(self):
        return self._concrete(lambda v: v.item(), ConcretizationTypeError,
                              "item() was called on").item()

    def _concrete(self, fn, error, what):
        value = self.to_concrete_value()
        if value is None:
            raise error(concretization_message(self, what, _HINTS.get(error, "")))
        return value


class Tracer(TracerConversions, ArrayMethods):
    """A stand-in for an array while a transformation runs.

    Subclasses carry what their interpreter needs and say what their abstract
    value is. Every operator on a tracer becomes a ``bind``, which is how the
    interpreter gets to see the computation. Conversions to Python values
    (``bool(t)``, ``int(t)``, ``np.asarray(t)``) are checked by the base class
    ``TracerConversions``.

    A subclass's own fields start with an underscore (``_primal``, ``_var``,
    ...): a public name would shadow the Array method of the same name, as
    a jaxpr tracer's ``var`` once hid ``x.var()`` under ``jit``.
    """
    __slots__ = ("_trace",)

    @property
    def aval(self):
        raise NotImplementedError

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    def to_concrete_value(self):
        """The value as a numpy array if this interpreter knows it, else None.

        Forward mode knows its primal values, so Python control flow on them
        works under ``jvp`` and ``grad``; ``vmap`` and ``jit`` do not.
        """
        return None

    def __repr__(self):
        return f"{type(self).__name__}({self.aval.str_short()})"


_HINTS = {
    TracerBoolConversionError:
        "Python control flow (if, while, and, or) needs a concrete value. Use "
        "minijax.lax.cond or jnp.where for data-dependent choices, or mark the argument "
        "static with jit's static_argnums / static_argnames.",
    TracerIntegerConversionError:
        "A Python index or range bound needs a concrete integer. Use lax.dynamic_slice or "
        "lax.fori_loop, or mark the argument static with static_argnums / static_argnames.",
    ConcretizationTypeError:
        "Keep the value as an array (use x.astype(...) to change its dtype), or mark the "
        "argument static with static_argnums / static_argnames.",
}


def concretization_message(tracer, what, hint=""):
    origin = tracer._trace.origin_message(tracer) if hasattr(tracer._trace, "origin_message") else ""
    parts = [f"{what} traced array with shape {tracer.aval.str_short()}.",
             f"The error occurred {tracer._trace.describe()}."]
    if origin:
        parts.append(origin)
    if hint:
        parts.append(hint)
    return "\n".join(parts)


def concrete_or_error(value, context):
    """``value`` as a numpy array, or a ConcretizationTypeError saying why not.

    Used by functions whose *arguments* must be known while tracing, such as
    the ``num`` of ``jnp.linspace``.
    """
    if isinstance(value, Tracer):
        concrete = value.to_concrete_value()
        if concrete is None:
            raise ConcretizationTypeError(concretization_message(
                value, "Abstract tracer value encountered where a concrete value is expected:",
                f"The problem arose with {context}, whose argument must be known while tracing."))
        return concrete
    return np.asarray(value)
