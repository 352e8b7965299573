"""The persistent compilation cache (``jax_compilation_cache_dir``): compiled
programs saved by one process are loaded by the next instead of recompiled."""
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import minijax
import minijax.numpy as jnp
from minijax import _xla

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Run in a fresh process: counts XLA compilations while calling a jitted
# function, and prints the count and the result.
SCRIPT = textwrap.dedent("""
    import sys
    import minijax, minijax.numpy as jnp
    from minijax import _xla

    class CountingClient:
        def __init__(self, client):
            self.client, self.compiles = client, 0
        def compile_and_load(self, *args):
            self.compiles += 1
            return self.client.compile_and_load(*args)
        def __getattr__(self, name):
            return getattr(self.client, name)

    minijax.config.update("jax_compilation_cache_dir", sys.argv[1])
    backend = _xla.backend()
    backend.client = CountingClient(backend.client)
    f = minijax.jit(lambda x, y: jnp.tanh(x @ y).sum(axis=0) + 1)
    out = f(jnp.arange(6.0).reshape(2, 3) / 7, jnp.ones((3, 4)))
    print(backend.client.compiles, *out.tolist())
""")


def _run(cache_dir):
    env = {**os.environ, "PYTHONPATH": ROOT, "MINIJAX_PLATFORM": "cpu"}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    env.pop("MINIJAX_COMPILATION_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(cache_dir)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    compiles, *values = done.stdout.split()
    return int(compiles), [float(v) for v in values]


def test_a_second_process_loads_from_the_cache(tmp_path):
    compiles, first = _run(tmp_path)
    assert compiles == 1
    assert len(list(tmp_path.glob("minijax-*.xla"))) == 1
    compiles, second = _run(tmp_path)
    assert compiles == 0          # loaded, not compiled
    assert second == first


@pytest.fixture
def cache_dir(tmp_path):
    before = minijax.config.read("jax_compilation_cache_dir")
    minijax.config.update("jax_compilation_cache_dir", str(tmp_path))
    yield tmp_path
    minijax.config.update("jax_compilation_cache_dir", before)


def _compile(fn_text):
    """Compile a program through the backend, as jit does."""
    return _xla.backend().compile(fn_text, [((3,), np.float32)])


def _module_text(constant):
    f = minijax.jit(lambda x: x * constant + 1)
    return f.lower(jnp.ones(3)).as_text()


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "garbage with a valid checksum"])
def test_a_corrupted_entry_is_compiled_again(cache_dir, damage):
    import hashlib
    text = _module_text(3.0)
    _compile(text)
    (entry,) = cache_dir.glob("minijax-*.xla")
    data = bytearray(entry.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[:len(data) // 3]
    else:
        payload = b"not an executable" * 10
        data = hashlib.sha256(payload).digest() + payload
    entry.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match="compiling again"):
        executable = _compile(text)
    x = _xla.backend().put(np.arange(3, dtype=np.float32))
    (out,) = executable.execute([x])
    np.testing.assert_array_equal(np.asarray(out), np.arange(3) * 3 + 1)
    with warnings.catch_warnings():   # the entry was written again, and now loads
        warnings.simplefilter("error")
        _compile(text)


def test_entries_are_keyed_on_the_program(cache_dir):
    _compile(_module_text(3.0))
    _compile(_module_text(3.0))
    assert len(list(cache_dir.glob("minijax-*.xla"))) == 1
    _compile(_module_text(4.0))
    assert len(list(cache_dir.glob("minijax-*.xla"))) == 2


def test_off_unless_configured(cache_dir, monkeypatch):
    minijax.config.update("jax_compilation_cache_dir", None)
    monkeypatch.chdir(cache_dir)
    _compile(_module_text(5.0))
    assert list(cache_dir.iterdir()) == []


def test_bad_config_value():
    with pytest.raises(TypeError, match="jax_compilation_cache_dir"):
        minijax.config.update("jax_compilation_cache_dir", 3)
