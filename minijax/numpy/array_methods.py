"""Operators and methods of arrays and tracers: ``x + y``, ``x.T``, ``x.sum()``.

``Array`` and every ``Tracer`` share the base class ``core.ArrayMethods``; this
module fills it in. Each operator is a call to a ``minijax.numpy`` function,
so ``x * y`` on a tracer ends in ``mul_p.bind``: operator overloading is the
whole trick that lets transformations see ordinary-looking Python code.
"""
import numpy as np

from .. import lax
from ..core import (
    ArrayMethods, ConcretizationTypeError, Tracer, concretization_message, is_valid_value)
from .. import numpy as jnp  # a cycle: numpy/__init__ imports this module
from .indexing import _IndexUpdateHelper, getitem


def _defer_to_unrecognized(binary_op):
    """Return NotImplemented for operands that are not arrays or scalars, so
    Python can try the other operand's method (and then raise its TypeError)."""
    def op(self, other):
        if not is_valid_value(other):
            return NotImplemented
        return binary_op(self, other)
    op.__name__ = binary_op.__name__
    return op


def _swap(fn):
    return lambda self, other: fn(other, self)


def _getitem(self, idx):
    return getitem(self, idx)


def _setitem(self, idx, value):
    """Arrays are immutable: say what to write instead of ``x[idx] = y``."""
    raise TypeError("minijax arrays are immutable and do not support in-place item "
                    "assignment. Instead of x[idx] = y, write x = x.at[idx].set(y), or use "
                    "another .at[] method (.add, .multiply, .min, .max).")


def _at(self):
    return _IndexUpdateHelper(self)


def _astype(self, dtype, copy=False):
    return lax.convert_element_type(self, dtype)


def _reshape(self, *shape, order="C"):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return jnp.reshape(self, shape, order)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = axes[0]
    return jnp.transpose(self, axes or None)


def _method(name):
    """A method that forwards to the ``jnp`` function of the same name."""
    def method(self, *args, **kwargs):
        return getattr(jnp, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


def _round(self, ndigits=None):
    """``round(x)`` gives integers, as ``round(7.5)`` does for a float;
    ``round(x, n)`` keeps the dtype."""
    out = jnp.round(self, ndigits or 0)
    return out.astype(int) if ndigits is None else out


def _devices(self):
    """The set of devices holding the array (one); tracers have no devices yet."""
    if isinstance(self, Tracer):
        raise ConcretizationTypeError(concretization_message(
            self, "Abstract tracer value encountered where concrete value is expected: "
            "The devices() method was called on"))
    from ..sharding import default_sharding   # late: sharding imports jit's module
    return default_sharding().device_set


def _sharding(self):
    """How the array is laid out over devices: all of it on the one device."""
    if isinstance(self, Tracer):
        raise AttributeError(f"The 'sharding' attribute is not available on traced array with "
                             f"shape {self.aval.str_short()}. To query sharding information on "
                             "tracers, use `minijax.typeof(x)`.")
    from ..sharding import default_sharding
    return default_sharding()


def install():
    """Attach operators, properties and methods to ``core.ArrayMethods``."""
    binary = {
        "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "truediv": jnp.true_divide,
        "floordiv": jnp.floor_divide, "mod": jnp.remainder, "pow": jnp.power,
        "matmul": jnp.matmul, "and": jnp.bitwise_and, "or": jnp.bitwise_or,
        "xor": jnp.bitwise_xor, "divmod": jnp.divmod,
    }
    for name, fn in binary.items():
        setattr(ArrayMethods, f"__{name}__", _defer_to_unrecognized(fn))
        setattr(ArrayMethods, f"__r{name}__", _defer_to_unrecognized(_swap(fn)))
    comparisons = {"eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less, "le": jnp.less_equal,
                   "gt": jnp.greater, "ge": jnp.greater_equal}
    for name, fn in comparisons.items():
        setattr(ArrayMethods, f"__{name}__", _defer_to_unrecognized(fn))
    unary = {"neg": jnp.negative, "pos": jnp.positive, "abs": jnp.abs, "invert": jnp.invert}
    for name, fn in unary.items():
        setattr(ArrayMethods, f"__{name}__", fn)
    ArrayMethods.__getitem__ = _getitem
    ArrayMethods.__setitem__ = _setitem
    ArrayMethods.__round__ = _round
    ArrayMethods.T = property(lambda self: jnp.transpose(self))
    ArrayMethods.mT = property(jnp.matrix_transpose)
    ArrayMethods.real = property(jnp.real)
    ArrayMethods.imag = property(jnp.imag)
    ArrayMethods.at = property(_at)
    ArrayMethods.itemsize = property(lambda self: self.dtype.itemsize)
    ArrayMethods.nbytes = property(lambda self: self.size * self.dtype.itemsize)
    ArrayMethods.devices = _devices
    ArrayMethods.sharding = property(_sharding)
    ArrayMethods.astype = _astype
    ArrayMethods.reshape = _reshape
    ArrayMethods.transpose = _transpose
    for name in ("sum", "mean", "max", "min", "prod", "argmax", "argmin", "all", "any", "std",
                 "var", "cumsum", "cumprod", "ravel", "squeeze", "swapaxes", "dot", "conj",
                 "conjugate", "clip", "round", "diagonal", "trace", "take", "flatten",
                 "repeat", "nonzero", "sort", "argsort"):
        target = "ravel" if name == "flatten" else name
        if hasattr(jnp, target):
            setattr(ArrayMethods, name, _method(target))
