"""Control flow: ``cond``/``switch``, ``while_loop``, ``fori_loop``, ``scan`` (Chapter 10).

Python's own ``if`` and ``for`` run while a function is traced, so they only
see concrete values: under ``jit`` or ``vmap`` a branch on a traced value is
an error, and a Python loop is unrolled into the jaxpr. These functions
express control flow that depends on traced values. Each stages its bodies
into jaxprs and binds one *higher-order primitive* carrying them:

* ``cond_p``: ``branches`` (a tuple of jaxprs) and an integer index operand;
* ``while_p``: ``cond_jaxpr`` and ``body_jaxpr``;
* ``scan_p``: a ``jaxpr`` for one step, run ``length`` times, stacking outputs.

Each primitive has a rule in every interpreter. The interesting ones are
reverse mode: ``cond`` and ``scan`` can be partially evaluated and transposed
(``scan`` saves the residuals of every step), but ``while_loop`` cannot: its
trip count is only known by running it, so there is nowhere to store the
residuals of an unknown number of steps. Reverse-mode differentiation of
``while_loop`` raises an error that says so.

The package has three modules: ``common`` (staging Python functions into
jaxprs, shared by every primitive here), ``conditionals`` (``cond_p``) and
``loops`` (``while_p``, ``scan_p``, and ``fori_loop``/``map`` on top of them).
"""
# Re-exported so that ``minijax.control_flow.<name>`` reaches every primitive,
# its public function and the staging helpers other higher-order modules share.
from .common import (_as_value, _cast_outputs, _describe_types, _join_consts,  # noqa: F401
                     _partial_eval_forced, _strip_weak, _trace, _with_leading_inputs)
from .conditionals import cond, cond_p, switch  # noqa: F401
from .loops import fori_loop, map, scan, scan_p, while_loop, while_p  # noqa: F401
