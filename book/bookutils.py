"""Helpers the chapters share: showing minijax's source, timing, checking.

Chapters import this module (their working directory is ``book/``). Showing
source through ``inspect`` keeps the book and the package in step: the page
always displays the code that actually runs.
"""
import ast
import inspect
import pathlib
import statistics
import textwrap
import time

from IPython.display import Markdown


_BOOK_REPO = pathlib.Path(__file__).resolve().parent.parent


def source_location(obj):
    """``(path relative to the repository, first line, last line)`` of ``obj``'s source."""
    try:   # the function a decorator wrapped, where it has Python source
        unwrapped = inspect.unwrap(obj)
        lines, first = inspect.getsourcelines(unwrapped)
        obj = unwrapped
    except TypeError:   # it wraps a numpy ufunc, say: show the wrapper itself
        obj = obj.__code__   # (inspect would follow __wrapped__ from the function)
        lines, first = inspect.getsourcelines(obj)
    first = max(first, 1)   # a module starts at line 0
    path = pathlib.Path(inspect.getsourcefile(obj)).resolve()
    import minijax   # paths are shown relative to the checkout minijax comes from
    for root in (pathlib.Path(minijax.__file__).resolve().parents[1], _BOOK_REPO):
        if path.is_relative_to(root):
            path = path.relative_to(root)
            break
    return path.as_posix(), first, first + len(lines) - 1


def _caption(spans):
    """'minijax/core.py, lines 10-42; minijax/jaxpr.py, line 7' for (path, first, last)s."""
    by_file = {}
    for path, first, last in spans:
        by_file.setdefault(path, []).append((first, last))
    parts = []
    for path, ranges in by_file.items():
        plural = len(ranges) > 1 or ranges[0][0] != ranges[0][1]
        text = ", ".join(f"{a}" if a == b else f"{a}\u2013{b}" for a, b in ranges)
        parts.append(f"`{path}`, line{'s' if plural else ''} {text}")
    return "; ".join(parts)


def _listing(caption, code):
    return Markdown(f"*{caption}*\n\n```python\n{code}\n```")


def show_source(*objects):
    """Display the source of functions, classes or modules as a Python block,
    captioned with the file and lines it comes from."""
    parts = [textwrap.dedent(inspect.getsource(obj)).rstrip() for obj in objects]
    caption = _caption([source_location(obj) for obj in objects])
    return _listing(caption, "\n\n\n".join(parts))


def source_lines(obj):
    """How many lines of source ``obj`` has (for statements like "in 40 lines")."""
    return len(inspect.getsource(obj).splitlines())


def median_time(fn, repeat=7, number=None, warmup=1, clock=time.perf_counter):
    """Median seconds per call of ``fn()`` over ``repeat`` rounds.

    ``number`` calls per round are chosen so a round takes about 20 ms when
    not given. Results that are arrays are waited on (``block_until_ready``).
    ``clock`` is wall time by default; ``time.process_time`` counts only this
    process's CPU time, which other programs on a busy machine cannot inflate.
    """
    def call():
        out = fn()
        if hasattr(out, "block_until_ready"):
            out.block_until_ready()
        return out

    for _ in range(warmup):
        call()
    if number is None:
        t0 = clock()
        call()
        once = max(clock() - t0, 1e-7)
        number = max(1, min(1000, int(0.02 / once)))
    rounds = []
    for _ in range(repeat):
        t0 = clock()
        for _ in range(number):
            call()
        rounds.append((clock() - t0) / number)
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
    lines = inspect.getsource(module).splitlines()
    statements = [("\n".join(lines[node.lineno - 1:node.end_lineno]), node.lineno,
                   node.end_lineno) for node in ast.parse("\n".join(lines)).body]
    path = source_location(module)[0]
    found, spans = [], []
    for prefix in prefixes:
        hits = [s for s in statements if s[0].startswith(prefix)]
        assert hits, f"no statement starting with {prefix!r} in {module.__name__}"
        found.extend(text for text, _, _ in hits)
        spans.extend((path, first, last) for _, first, last in hits)
    return _listing(_caption(spans), "\n".join(found))


def interleaved_times(fns, rounds=9, clock=time.perf_counter):
    """Seconds per call of each function in ``fns`` (a dict): the fastest of
    several ~20 ms rounds, taken in turns, so that a busy moment on a shared
    machine slows down no single function and the least disturbed round counts.
    ``clock`` as for ``median_time``."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            times[name].append(median_time(fn, repeat=1, clock=clock))
    return {name: min(ts) for name, ts in times.items()}


def cpu_times(fns, rounds=9):
    """``interleaved_times`` measured in this process's CPU time: the cost of
    each function, which other programs on a busy machine cannot inflate (a
    wall-clock timing there mostly measures how long the process waited).
    Chapters that use it run numpy with one BLAS thread: idle BLAS threads
    spin, and their spinning would count as CPU time."""
    return interleaved_times(fns, rounds=rounds, clock=time.process_time)
