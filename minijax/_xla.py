"""Every call into jaxlib, in one place (used by ``jit``).

jaxlib's Python API is private to JAX and changes between releases, so
minijax touches it only here, behind a version check. What it needs is small:

* a PJRT *client* for a device (XLA:CPU, or a CUDA GPU through the
  ``jax-cuda12-pjrt`` plugin when one is installed and a GPU is visible);
* ``compile_and_load``: StableHLO text in, a loaded executable out;
* ``batched_device_put``: a numpy array in, a device buffer out;
* ``execute_sharded(...).consume_with_handlers(...)``: run an executable on
  device buffers and wrap its outputs as device buffers again;
* ``serialize`` / ``deserialize_executable``: save a compiled program to a
  file and load it back, for the persistent compilation cache;
* host callbacks (``debug.print`` under jit): a program that calls back into
  Python is parsed into an MLIR module (jaxlib ships the MLIR bindings) and
  compiled together with the list of Python functions its custom calls name.

Verified with jaxlib 0.10.2 (and the same calls on 0.12).
"""
import hashlib
import importlib.util
import os
import pathlib
import tempfile
import threading
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")   # quiet C++ INFO logs; set before import

import jaxlib                                      # noqa: E402
import numpy as np                                 # noqa: E402

from .config import config                         # noqa: E402

SUPPORTED_JAXLIB = ((0, 10), (0, 11), (0, 12))


def _check_version():
    version = tuple(int(p) for p in jaxlib.__version__.split(".")[:2])
    if version not in SUPPORTED_JAXLIB:
        raise ImportError(
            f"minijax's jit supports jaxlib {', '.join('%d.%d' % v for v in SUPPORTED_JAXLIB)}, "
            f"but jaxlib {jaxlib.__version__} is installed. Install jaxlib==0.10.2.")


_check_version()
from jaxlib import xla_client as xc   # noqa: E402  (after the version check)

from .config import config           # noqa: E402


class _Aval:
    """The three fields jaxlib reads from an abstract value."""
    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape, dtype):
        self.shape, self.dtype, self.weak_type = tuple(shape), np.dtype(dtype), False


class Backend:
    """One device and the means to move data to it and run programs on it."""

    def __init__(self, client):
        self.client = client
        self.device = client.local_devices()[0]
        self.platform = client.platform
        self.device_list = xc.DeviceList((self.device,))
        self.sharding = xc.GSPMDSharding((self.device,), xc.OpSharding())

    def put(self, value):
        """Copy a numpy array to the device."""
        value = np.ascontiguousarray(value)
        # force_copy: on CPU the default would alias numpy's memory.
        # enable_x64: otherwise 64-bit inputs are silently narrowed.
        return xc.batched_device_put(_Aval(value.shape, value.dtype), self.sharding, [value],
                                     [self.device], committed=True, force_copy=True,
                                     enable_x64=True)

    def result_handler(self, shape, dtype):
        try:   # jaxlib 0.10/0.11 check a method only JAX defines unless told not to
            return xc.array_result_handler(_Aval(shape, dtype), self.sharding, True,
                                           _skip_checks=True)
        except TypeError:   # jaxlib 0.12 dropped the argument
            return xc.array_result_handler(_Aval(shape, dtype), self.sharding, True)

    def compile(self, module_text, out_avals, host_callbacks=()):
        """Compile StableHLO text; ``out_avals`` are the outputs' (shape, dtype).
        ``host_callbacks`` are the Python functions the program's
        ``python_callback_target()`` custom calls name by index. With
        ``jax_compilation_cache_dir`` set, a program compiled before (in any
        process) is loaded from that folder instead; programs with callbacks
        are not kept there (the functions are not part of the text)."""
        if host_callbacks:
            # Only the MLIR-module form of compile_and_load takes callbacks.
            executable = self.client.compile_and_load(
                _parse_module(module_text), self.device_list, xc.CompileOptions(),
                host_callbacks=list(host_callbacks))
        else:
            cache = PersistentCache.configured(self)
            executable = cache.load(module_text) if cache else None
            if executable is None:
                executable = self.client.compile_and_load(module_text, self.device_list,
                                                          xc.CompileOptions())
                if cache:
                    cache.store(module_text, executable)
        handlers = [self.result_handler(shape, dtype) for shape, dtype in out_avals]
        return Executable(executable, handlers, tuple(host_callbacks))

    def python_callback_target(self):
        """The custom-call target that calls a host callback: a typed-FFI
        custom call whose ``backend_config = {index = i : ui64}`` picks the
        i-th function passed to ``compile``. XLA:CPU and the CUDA plugin both
        have it built in (JAX's ``debug.print`` and ``pure_callback`` use it)."""
        return "xla_ffi_python_cpu_callback" if self.platform == "cpu" else \
            "xla_ffi_python_gpu_callback"


class Executable:
    """A compiled program: device buffers in, device buffers out. It keeps its
    host callbacks alive for as long as it can call them."""
    __slots__ = ("executable", "handlers", "host_callbacks")

    def __init__(self, executable, handlers, host_callbacks=()):
        self.executable, self.handlers = executable, handlers
        self.host_callbacks = host_callbacks

    def execute(self, buffers):
        # execute_sharded + consume_with_handlers is ~15x faster per call than
        # the convenience method executable.execute().
        return self.executable.execute_sharded(buffers).consume_with_handlers(self.handlers)


_mlir_context = None


def _parse_module(text):
    """StableHLO text as an MLIR module object, in a context that knows the
    func and stablehlo dialects (jaxlib ships the MLIR Python bindings)."""
    global _mlir_context
    from jaxlib.mlir import ir
    from jaxlib.mlir._mlir_libs import _jax_mlir_ext
    from jaxlib.mlir.dialects import stablehlo
    if _mlir_context is None:
        registry = ir.DialectRegistry()
        _jax_mlir_ext.register_dialects(registry)
        _mlir_context = ir.Context()
        _mlir_context.append_dialect_registry(registry)
        _mlir_context.load_all_available_dialects()
        stablehlo.register_dialect(_mlir_context)
    with _mlir_context:
        return ir.Module.parse(text)


class PersistentCache:
    """Compiled programs saved as files, so that another process (the next
    book build, the next test run) loads them instead of compiling again.

    An entry's name hashes what determines the compiled code: the StableHLO
    text, the jaxlib version and the device. Its content is a checksum and
    the serialized executable; an entry that fails either check, or that
    jaxlib cannot load, counts as missing and is compiled and written again.
    Unlike JAX, which by default keeps only programs that took a second or more
    to compile, minijax keeps every program.
    """

    def __init__(self, folder, backend):
        self.folder = pathlib.Path(folder)
        self.backend = backend
        device = backend.device
        self._salt = "\n".join([jaxlib.__version__, backend.platform,
                                backend.client.platform_version, device.device_kind])

    @classmethod
    def configured(cls, backend):
        """The cache in the folder ``jax_compilation_cache_dir`` names, or None."""
        folder = config.compilation_cache_dir
        return cls(folder, backend) if folder else None

    def path(self, module_text):
        key = hashlib.sha256(f"{self._salt}\n{module_text}".encode()).hexdigest()
        return self.folder / f"minijax-{key}.xla"

    def load(self, module_text):
        """The cached executable for ``module_text``, or None."""
        try:
            data = self.path(module_text).read_bytes()
        except OSError:   # not cached (or unreadable): compile
            return None
        checksum, payload = data[:32], data[32:]
        if hashlib.sha256(payload).digest() != checksum:
            warnings.warn(f"minijax: ignoring a corrupted compilation cache entry "
                          f"{self.path(module_text)}; compiling again.", RuntimeWarning)
            return None
        try:
            return self.backend.client.deserialize_executable(
                payload, self.backend.device_list, xc.CompileOptions())
        except Exception as err:   # jaxlib refuses it: compiling is always correct
            warnings.warn(f"minijax: could not load compilation cache entry "
                          f"{self.path(module_text)} ({err}); compiling again.", RuntimeWarning)
            return None

    def store(self, module_text, executable):
        """Save ``executable``; a cache that cannot be written is skipped with a warning."""
        payload = executable.serialize()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Write a temporary file and rename it: a process reading the entry
            # at the same time sees the old file or the whole new one.
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as f:
                f.write(hashlib.sha256(payload).digest() + payload)
            os.replace(f.name, self.path(module_text))
        except OSError as err:
            warnings.warn(f"minijax: could not write to the compilation cache in "
                          f"{self.folder} ({err}).", RuntimeWarning)


def _cuda_plugin_path():
    """The CUDA PJRT plugin's shared library, if ``jax-cuda12-pjrt`` is installed.

    ``find_spec`` only locates the package: importing ``jax_plugins.xla_cuda12``
    would import jax itself, which minijax never does.
    """
    try:
        spec = importlib.util.find_spec("jax_plugins.xla_cuda12")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    path = pathlib.Path(spec.origin).parent / "xla_cuda_plugin.so"
    return str(path) if path.exists() else None


def _make_gpu_client():
    path = _cuda_plugin_path()
    if path is None:
        return None
    try:
        if not xc.pjrt_plugin_loaded("cuda"):
            xc.load_pjrt_plugin_dynamically("cuda", path)
        if not xc.pjrt_plugin_initialized("cuda"):
            xc.initialize_pjrt_plugin("cuda")
        client = xc.make_c_api_client("cuda", xc.generate_pjrt_gpu_plugin_options())
        return client if client.local_devices() else None
    except Exception:   # no visible GPU, driver mismatch, ...: fall back to the CPU quietly
        return None


_backend = None
_init_lock = threading.RLock()   # threads calling jit at once must share one client


def backend():
    """The backend jit uses, created on first use (by one thread; the others
    wait): the first of the platforms asked for (``jax_platforms``,
    ``jax_platform_name``, or the environment variables ``JAX_PLATFORMS`` /
    ``MINIJAX_PLATFORM``) that is usable, or by default a GPU if one is
    available, otherwise XLA:CPU."""
    if _backend is None:
        with _init_lock:
            _create_backend()
    return _backend


def _create_backend():
    global _backend
    if _backend is None:
        _backend = Backend(_make_client(config.requested_platforms()))
        config.live_platform = "cpu" if _backend.platform == "cpu" else "cuda"


def _make_client(platforms):
    for platform in platforms or ["cuda", "cpu"]:
        if platform in ("gpu", "cuda"):
            client = _make_gpu_client()
            if client is not None:
                return client
        elif platform == "cpu":
            return xc.make_cpu_client()
        else:
            raise RuntimeError(f"Unknown backend {platform!r}: minijax supports 'cpu' and "
                               f"'cuda' (or 'gpu').")
    raise RuntimeError(f"No usable device among the platforms asked for ({','.join(platforms)}):"
                       f" no CUDA device is usable (install minijax[cuda12] on a machine with "
                       f"an NVIDIA GPU), and 'cpu' was not among them.")


# ---------------------------------------------------------------------------
# LAPACK kernels for linear algebra under jit (CPU)

_lapack_registered = False


def register_lapack_targets():
    """Make jaxlib's LAPACK kernels (``lapack_spotrf_ffi``, ``lapack_ssyevd_ffi``,
    ...) callable from StableHLO ``custom_call``s on the CPU. Idempotent.

    These are the same kernels JAX emits for eigh, svd, qr and lu on CPU.
    ``initialize`` makes jaxlib find LAPACK's routines (through scipy).
    """
    global _lapack_registered
    if _lapack_registered:
        return
    with _init_lock:
        if not _lapack_registered:
            _register_lapack_targets()
            _lapack_registered = True


def _register_lapack_targets():
    from jaxlib import lapack
    lapack._lapack.initialize()
    for name, capsule, api_version in lapack.registrations()["cpu"]:
        xc.register_custom_call_target(name, capsule, platform="cpu", api_version=api_version)
