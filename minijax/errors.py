"""The exception types JAX raises for misuse, under the same names.

Catching ``jax.errors.ConcretizationTypeError`` in code ported to minijax keeps
working: each class here subclasses the same builtin as JAX's (a TypeError
for the tracer errors, an IndexError for the indexing ones), so code that
catches the builtin catches these too.

Two more of JAX's names are defined next to the code that raises them and
listed here by ``minijax/__init__.py``: ``JaxprTypeError`` (``jaxpr.py``) and
``NonConcreteBooleanIndexError`` (``numpy/indexing.py``).
"""


class JAXTypeError(TypeError):
    """Base of the TypeErrors below (JAX's name for it)."""


class JAXIndexError(IndexError):
    """Base of the IndexErrors below (JAX's name for it)."""


class ConcretizationTypeError(JAXTypeError):
    """A traced value was used where Python needs a concrete one."""


class TracerBoolConversionError(ConcretizationTypeError):
    """``bool()`` (an ``if``, ``while``, ``and``/``or``) of a traced value."""


class TracerIntegerConversionError(JAXTypeError):
    """``__index__`` of a traced value: using it as a Python index or range bound."""


class TracerArrayConversionError(JAXTypeError):
    """``numpy.asarray`` of a traced value."""


class UnexpectedTracerError(JAXTypeError):
    """A tracer escaped the transformation that made it and was used later."""


class KeyReuseError(JAXTypeError):
    """A PRNG key used twice. JAX raises it only with its opt-in key-reuse
    checker (``jax_debug_key_reuse``); minijax has no such checker, and keeps
    the class so that code catching it ports unchanged."""


class UnsupportedWhileLoopDifferentiation(ValueError):
    """Reverse-mode differentiation of ``lax.while_loop``."""
