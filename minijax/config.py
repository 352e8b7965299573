"""Global switches, read the way JAX reads them: ``config.update(name, value)``.

Only the switches the book needs exist. ``jax_enable_x64`` turns on 64-bit
types; it may also be set before import with the environment variable
``JAX_ENABLE_X64=1`` (the same one JAX reads). ``jax_compilation_cache_dir``
names a folder where ``jit`` keeps compiled programs between processes
(environment variable ``JAX_COMPILATION_CACHE_DIR``); unset, nothing is kept.
"""
import os

_TRUE = ("1", "true", "yes", "on")


class Config:
    """Holds minijax's flags; ``config.x64_enabled`` is the fast path read."""

    def __init__(self):
        self.x64_enabled = os.environ.get("JAX_ENABLE_X64", "0").lower() in _TRUE
        self.compilation_cache_dir = os.environ.get("JAX_COMPILATION_CACHE_DIR") or None
        self._listeners = []

    def update(self, name, value):
        """Set a flag by JAX's name, e.g. ``config.update("jax_enable_x64", True)``."""
        if name == "jax_compilation_cache_dir":
            if value is not None and not isinstance(value, (str, os.PathLike)):
                raise TypeError(f"jax_compilation_cache_dir must be a path or None, "
                                f"got {value!r}")
            self.compilation_cache_dir = None if value is None else os.fspath(value)
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
        if name == "jax_compilation_cache_dir":
            return self.compilation_cache_dir
        raise AttributeError(f"Unrecognized config option: {name}")


config = Config()
