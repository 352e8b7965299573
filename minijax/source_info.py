"""Where in the user's program an equation came from.

``print_saved_residuals`` says which line of *your* code computed each value
the backward pass keeps (``f32[3] output of cos from model.py:12:11 (layer)``).
For that, an equation of a jaxpr remembers the first stack frame outside
minijax that was running when it was staged, and an equation made while
another equation is being re-interpreted (its JVP, its known half under
partial evaluation) inherits that equation's origin.

JAX records this on every equation, always. minijax records it only while
``recording()`` is active, because walking the stack on every traced
operation would slow down all tracing for the sake of one diagnostic.
"""
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class _State:
    recording = False   # record origins on new equations?
    current = None      # origin inherited from the equation being re-interpreted


state = _State()


class recording:
    """Context manager: new equations record where they came from."""

    def __enter__(self):
        self.prev, state.recording = state.recording, True

    def __exit__(self, *exc):
        state.recording = self.prev


def current():
    """The origin to give an equation being staged now (None when not recording)."""
    if not state.recording:
        return None
    if state.current is not None:
        return state.current
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    # A code object and an instruction offset: cheap to keep, no locals held.
    return None if frame is None else (frame.f_code, frame.f_lasti)


def bind_at(origin, primitive, args, params):
    """``primitive.bind`` with equations it stages inheriting ``origin``."""
    prev, state.current = state.current, origin
    try:
        return primitive.bind(*args, **params)
    finally:
        state.current = prev


def summarize(origin):
    """``file.py:line:column (function)``, as JAX prints an equation's origin."""
    if origin is None:
        return "unknown"
    code, lasti = origin
    positions = list(code.co_positions())
    line, _, col, _ = positions[lasti // 2] if lasti // 2 < len(positions) else (
        code.co_firstlineno, None, 0, None)
    name = getattr(code, "co_qualname", code.co_name)   # JAX prints the qualified name
    return f"{code.co_filename}:{line}:{col if col is not None else 0} ({name})"
