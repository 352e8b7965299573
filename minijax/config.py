"""Global switches, read the way JAX reads them: ``config.update(name, value)``.

Only the switches tutorials set exist:

* ``jax_enable_x64``: 64-bit types (also from the environment variable
  ``JAX_ENABLE_X64=1``, the one JAX reads);
* ``jax_debug_nans``: raise ``FloatingPointError`` where a nan is produced;
* ``jax_disable_jit``: ``jit`` runs the Python function eagerly instead;
* ``jax_platforms`` / ``jax_platform_name``: which device ``jit`` uses
  ("cpu", "gpu"/"cuda"; also from ``JAX_PLATFORMS``), read when the first
  device is needed;
* ``jax_numpy_rank_promotion``: what ``jnp`` binary operations do on operands
  of different ranks ("allow", "warn" or "raise");
* ``jax_compilation_cache_dir``: a folder where ``jit`` keeps compiled
  programs between processes (also from ``MINIJAX_COMPILATION_CACHE_DIR``
  or ``JAX_COMPILATION_CACHE_DIR``); unset, nothing is kept.

Flags are read as attributes (``config.jax_debug_nans``) or with
``config.read(name)``; the context managers ``minijax.debug_nans(True)``,
``minijax.disable_jit()`` and ``minijax.numpy_rank_promotion("raise")`` set
one for a block.
"""
import contextlib
import os

_TRUE = ("1", "true", "yes", "on")
_RANK_PROMOTION = ["allow", "warn", "raise"]


def _env_flag(name):
    return os.environ.get(name, "0").lower() in _TRUE


class Config:
    """Holds minijax's flags. The hot paths read plain attributes:
    ``x64_enabled``, ``debug_nans``, ``jit_disabled``, ``rank_promotion``."""

    # JAX's name -> (attribute here, how to check a new value)
    _FLAGS = {
        "jax_enable_x64": ("x64_enabled", bool),
        "jax_debug_nans": ("debug_nans", bool),
        "jax_disable_jit": ("jit_disabled", bool),
        "jax_numpy_rank_promotion": ("rank_promotion", "_check_rank_promotion"),
        "jax_platforms": ("platforms", "_check_platforms"),
        "jax_platform_name": ("platform_name", "_check_platform_name"),
        "jax_compilation_cache_dir": ("compilation_cache_dir", "_check_cache_dir"),
    }
    _ALIASES = {"enable_x64": "jax_enable_x64"}

    def __init__(self):
        self.x64_enabled = _env_flag("JAX_ENABLE_X64")
        self.debug_nans = _env_flag("JAX_DEBUG_NANS")
        self.jit_disabled = _env_flag("JAX_DISABLE_JIT")
        self.rank_promotion = os.environ.get("JAX_NUMPY_RANK_PROMOTION", "allow")
        self.platforms = os.environ.get("JAX_PLATFORMS") or None
        self.platform_name = os.environ.get("JAX_PLATFORM_NAME", "")
        self.live_platform = None   # set by _xla once a device client exists
        self.eager_constant_folding = False   # set by ensure_compile_time_eval()
        # MINIJAX_COMPILATION_CACHE_DIR first: the Makefile sets it for the book
        # and the tests without turning on real JAX's cache in the same processes.
        self.compilation_cache_dir = (os.environ.get("MINIJAX_COMPILATION_CACHE_DIR")
                                      or os.environ.get("JAX_COMPILATION_CACHE_DIR") or None)
        self._listeners = []

    def _attribute(self, name):
        name = self._ALIASES.get(name, name)
        if name not in self._FLAGS:
            raise AttributeError(f"Unrecognized config option: {name}")
        return self._FLAGS[name]

    def update(self, name, value):
        """Set a flag by JAX's name, e.g. ``config.update("jax_enable_x64", True)``."""
        attr, check = self._attribute(name)
        value = check(value) if check is bool else getattr(self, check)(value)
        setattr(self, attr, value)
        if attr == "x64_enabled":
            for listener in self._listeners:  # caches keyed on dtypes must forget
                listener()

    def read(self, name):
        """The value of a flag by JAX's name."""
        return getattr(self, self._attribute(name)[0])

    def __getattr__(self, name):   # config.jax_debug_nans and friends
        if name.startswith("jax_") or name in self._ALIASES:
            return self.read(name)
        raise AttributeError(f"'Config' object has no attribute '{name}'")

    def on_change(self, listener):
        """Register a callback run after ``jax_enable_x64`` changes."""
        self._listeners.append(listener)

    @contextlib.contextmanager
    def setting(self, name, value):
        """Context manager: ``name`` set to ``value`` inside the block."""
        old = self.read(name)
        self.update(name, value)
        try:
            yield
        finally:
            self.update(name, old)

    # -- checks of new values --------------------------------------------------

    @staticmethod
    def _check_cache_dir(value):
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"jax_compilation_cache_dir must be a path or None, got {value!r}")
        return None if value is None else os.fspath(value)

    @staticmethod
    def _check_rank_promotion(value):
        if value not in _RANK_PROMOTION:
            raise ValueError(f"new enum value must be in {_RANK_PROMOTION}, got {value} of "
                             f"type {type(value)}.")
        return value

    def _check_platforms(self, value):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"jax_platforms must be a string such as 'cpu' or 'cuda,cpu' "
                             f"(or None), got {value!r}.")
        self._refuse_platform_change("jax_platforms", value)
        return value or None

    def _check_platform_name(self, value):
        if not isinstance(value, str):
            raise ValueError(f"jax_platform_name must be a string such as 'cpu' or 'gpu', "
                             f"got {value!r}.")
        self._refuse_platform_change("jax_platform_name", value)
        return value

    def _refuse_platform_change(self, name, value):
        """Compiled programs belong to one device client; choosing another after
        the first is made would mix them, so say so instead of ignoring it."""
        if self.live_platform is None or not value:
            return
        first = value.split(",")[0].strip().lower()
        if {"gpu": "cuda"}.get(first, first) != self.live_platform:
            raise RuntimeError(f"{name}={value!r} was set after minijax started using the "
                               f"{self.live_platform} device. Set it before the first jit call "
                               f"or device transfer (or with the JAX_PLATFORMS environment "
                               f"variable).")

    def requested_platforms(self):
        """The platforms to try, in order (empty: any, GPU first)."""
        spec = self.platforms or self.platform_name or os.environ.get("MINIJAX_PLATFORM", "")
        return [p.strip().lower() for p in spec.split(",") if p.strip()]


config = Config()


def disable_jit(disable=True):
    """Context manager: inside it, ``jit`` functions run eagerly, op by op
    (so ``print`` shows values, not tracers)."""
    return config.setting("jax_disable_jit", disable)


def debug_nans(new_val=True):
    """Context manager: ``jax_debug_nans`` set inside the block."""
    return config.setting("jax_debug_nans", new_val)


def numpy_rank_promotion(new_val):
    """Context manager: ``jax_numpy_rank_promotion`` set inside the block."""
    return config.setting("jax_numpy_rank_promotion", new_val)
