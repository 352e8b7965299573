"""Helpers the chapters share: showing minijax's source, timing, checking.

Chapters import this module (their working directory is ``book/``). Showing
source through ``inspect`` keeps the book and the package in step: the page
always displays the code that actually runs.
"""
import inspect
import statistics
import textwrap
import time

from IPython.display import Markdown


def show_source(*objects):
    """Display the source of functions, classes or modules as a Python block."""
    parts = [textwrap.dedent(inspect.getsource(obj)).rstrip() for obj in objects]
    return Markdown("```python\n" + "\n\n\n".join(parts) + "\n```")


def source_lines(obj):
    """How many lines of source ``obj`` has (for statements like "in 40 lines")."""
    return len(inspect.getsource(obj).splitlines())


def median_time(fn, repeat=7, number=None, warmup=1):
    """Median seconds per call of ``fn()`` over ``repeat`` rounds.

    ``number`` calls per round are chosen so a round takes about 20 ms when
    not given. Results that are arrays are waited on (``block_until_ready``).
    """
    def call():
        out = fn()
        if hasattr(out, "block_until_ready"):
            out.block_until_ready()
        return out

    for _ in range(warmup):
        call()
    if number is None:
        t0 = time.perf_counter()
        call()
        once = max(time.perf_counter() - t0, 1e-7)
        number = max(1, min(1000, int(0.02 / once)))
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            call()
        rounds.append((time.perf_counter() - t0) / number)
    return statistics.median(rounds)


def fmt_time(seconds):
    """A duration with a sensible unit: '12.3 µs', '4.56 ms', '1.23 s'."""
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        # Compare after rounding to 3 significant digits, so 0.9996 ms is '1 ms'.
        if float(f"{seconds:.3g}") >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def show_statements(module, *prefixes):
    """Display the top-level statements of ``module`` whose source starts with
    one of ``prefixes``: declarations such as ``mul_p = _binary(...)`` or
    ``defjvp(ew.sin_p, ...)`` that are neither functions nor classes. Fails
    loudly if a statement is not found, so the book cannot show stale code."""
    import ast
    lines = inspect.getsource(module).splitlines()
    statements = ["\n".join(lines[node.lineno - 1:node.end_lineno])
                  for node in ast.parse("\n".join(lines)).body]
    found = []
    for prefix in prefixes:
        hits = [s for s in statements if s.startswith(prefix)]
        assert hits, f"no statement starting with {prefix!r} in {module.__name__}"
        found.extend(hits)
    return Markdown("```python\n" + "\n".join(found) + "\n```")


def interleaved_times(fns, rounds=9):
    """Seconds per call of each function in ``fns`` (a dict): the fastest of
    several ~20 ms rounds, taken in turns, so that a busy moment on a shared
    machine slows down no single function and the least disturbed round counts."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            times[name].append(median_time(fn, repeat=1))
    return {name: min(ts) for name, ts in times.items()}
