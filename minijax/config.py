"""Global switches, read the way JAX reads them: ``config.update(name, value)``.

Only the switches the book needs exist. ``jax_enable_x64`` turns on 64-bit
types; it may also be set before import with the environment variable
``JAX_ENABLE_X64=1`` (the same one JAX reads).
"""
import os

_TRUE = ("1", "true", "yes", "on")


class Config:
    """Holds minijax's flags; ``config.x64_enabled`` is the fast path read."""

    def __init__(self):
        self.x64_enabled = os.environ.get("JAX_ENABLE_X64", "0").lower() in _TRUE
        # True: jit runs its function op by op, and eager loops run in the
        # numpy interpreter instead of compiled (JAX's ``jax_disable_jit``).
        self.disable_jit = os.environ.get("JAX_DISABLE_JIT", "0").lower() in _TRUE
        self._listeners = []

    def update(self, name, value):
        """Set a flag by JAX's name, e.g. ``config.update("jax_enable_x64", True)``."""
        if name in ("jax_disable_jit", "disable_jit"):
            self.disable_jit = bool(value)
            return
        if name not in ("jax_enable_x64", "enable_x64"):
            raise AttributeError(f"Unrecognized config option: {name}")
        self.x64_enabled = bool(value)
        for listener in self._listeners:  # caches keyed on dtypes must forget
            listener()

    def on_change(self, listener):
        """Register a callback run after any flag changes."""
        self._listeners.append(listener)

    @property
    def jax_enable_x64(self):
        return self.x64_enabled

    def read(self, name):
        """The value of a flag by JAX's name."""
        if name in ("jax_enable_x64", "enable_x64"):
            return self.x64_enabled
        if name in ("jax_disable_jit", "disable_jit"):
            return self.disable_jit
        raise AttributeError(f"Unrecognized config option: {name}")


config = Config()
