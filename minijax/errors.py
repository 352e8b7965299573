"""The exception types JAX raises for misuse, under the same names.

Catching ``jax.errors.ConcretizationTypeError`` in code ported to minijax keeps
working: each class here subclasses the same builtin as JAX's.
"""


class JAXTypeError(TypeError):
    """Base of the TypeErrors below (JAX's name for it)."""


class ConcretizationTypeError(JAXTypeError):
    """A traced value was used where Python needs a concrete one."""


class TracerBoolConversionError(ConcretizationTypeError):
    """``bool()`` (an ``if``, ``while``, ``and``/``or``) of a traced value."""


class TracerIntegerConversionError(JAXTypeError):
    """``__index__`` of a traced value: using it as a Python index or range bound."""


class TracerArrayConversionError(JAXTypeError):
    """``numpy.asarray`` of a traced value."""


class UnexpectedTracerError(Exception):
    """A tracer escaped the transformation that made it and was used later."""


class UnsupportedWhileLoopDifferentiation(ValueError):
    """Reverse-mode differentiation of ``lax.while_loop``."""
