"""The exception types JAX raises for misuse, under the same names.

Catching ``jax.errors.ConcretizationTypeError`` in code ported to minijax keeps
working: each class here subclasses the same builtin as JAX's (a TypeError
for the tracer errors, an IndexError for the indexing ones), so code that
catches the builtin catches these too.
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


# Two error types live next to the code that raises them; they are re-exported
# here on first use (importing those modules here would be an import cycle,
# since this module is imported by ``core``).
_ELSEWHERE = {"NonConcreteBooleanIndexError": "minijax.numpy.indexing",
              "JaxprTypeError": "minijax.jaxpr"}


def __getattr__(name):
    if name in _ELSEWHERE:
        import importlib
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module 'minijax.errors' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_ELSEWHERE))
