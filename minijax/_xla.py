"""Every call into jaxlib, in one place (used by ``jit``).

jaxlib's Python API is private to JAX and changes between releases, so
minijax touches it only here, behind a version check. What it needs is small:

* a PJRT *client* for a device (XLA:CPU, or a CUDA GPU through the
  ``jax-cuda12-pjrt`` plugin when one is installed and a GPU is visible);
* ``compile_and_load``: StableHLO text in, a loaded executable out;
* ``batched_device_put``: a numpy array in, a device buffer out;
* ``execute_sharded(...).consume_with_handlers(...)``: run an executable on
  device buffers and wrap its outputs as device buffers again.

Verified with jaxlib 0.10.2 (and the same calls on 0.12).
"""
import importlib.util
import os
import pathlib
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")   # quiet C++ INFO logs; set before import

import jaxlib                                      # noqa: E402
import numpy as np                                 # noqa: E402

SUPPORTED_JAXLIB = ((0, 10), (0, 11), (0, 12))


def _check_version():
    version = tuple(int(p) for p in jaxlib.__version__.split(".")[:2])
    if version not in SUPPORTED_JAXLIB:
        raise ImportError(
            f"minijax's jit supports jaxlib {', '.join('%d.%d' % v for v in SUPPORTED_JAXLIB)}, "
            f"but jaxlib {jaxlib.__version__} is installed. Install jaxlib==0.10.2.")


_check_version()
from jaxlib import xla_client as xc   # noqa: E402  (after the version check)


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

    def compile(self, module_text, out_avals):
        """Compile StableHLO text; ``out_avals`` are the outputs' (shape, dtype)."""
        executable = self.client.compile_and_load(module_text, self.device_list,
                                                  xc.CompileOptions())
        handlers = [self.result_handler(shape, dtype) for shape, dtype in out_avals]
        return Executable(executable, handlers)


class Executable:
    """A compiled program: device buffers in, device buffers out."""
    __slots__ = ("executable", "handlers")

    def __init__(self, executable, handlers):
        self.executable, self.handlers = executable, handlers

    def execute(self, buffers):
        # execute_sharded + consume_with_handlers is ~15x faster per call than
        # the convenience method executable.execute().
        return self.executable.execute_sharded(buffers).consume_with_handlers(self.handlers)


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
    """The backend jit uses: a GPU if available (unless ``MINIJAX_PLATFORM=cpu``),
    otherwise XLA:CPU. Created on first use."""
    if _backend is None:
        with _init_lock:
            _create_backend()
    return _backend


def _create_backend():
    global _backend
    if _backend is None:
        platform = os.environ.get("MINIJAX_PLATFORM", "").lower()
        client = _make_gpu_client() if platform in ("", "gpu", "cuda") else None
        if client is None and platform in ("gpu", "cuda"):
            raise RuntimeError("MINIJAX_PLATFORM asks for a GPU, but no CUDA device is usable "
                               "(install minijax[cuda12] on a machine with an NVIDIA GPU).")
        _backend = Backend(client or xc.make_cpu_client())


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
