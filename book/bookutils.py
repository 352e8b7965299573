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
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
