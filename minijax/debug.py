"""``debug.print`` and ``debug.callback``: seeing values inside transformations.

A Python ``print`` inside a jitted function runs once, while tracing, and
shows a tracer. ``debug.print`` is a *primitive*, ``debug_callback``, whose
parameter is a Python function to call with the values of its operands, so it
runs wherever the values exist:

* eagerly, it calls the function at once;
* under ``jvp``/``grad`` its rule binds it on the primal values only (it has
  no outputs, so there is nothing to differentiate);
* under ``vmap`` its rule binds it once per batch element, in order;
* under ``jit`` it is lowered to a custom call that XLA makes back into
  Python at *run time* (a host callback, set up in ``_xla.py``), so it prints
  every time the compiled program runs, with the values of that run.

The primitive has side effects: dead-code elimination keeps it although
nothing uses its (empty) list of outputs.
"""
import string
import sys

import numpy as np

from . import lax, tree_util
from . import numpy as jnp
from .batching import batching_rules, not_mapped
from .core import Primitive, is_valid_value
from .eager import Array
from .forward_mode import jvp_rules
from .jaxpr import pp_params_rules
from .lowering import int_list, lowering_rules, tensor_type

__all__ = ["print", "callback"]

debug_callback_p = Primitive("debug_callback", multiple_results=True)
debug_callback_p.has_side_effects = True
debug_callback_p.takes_arrays = True   # eagerly, the callback sees the Arrays as given


@debug_callback_p.def_impl
def _debug_callback_impl(*args, callback):
    callback(*[x if type(x) is Array else jnp.asarray(x) for x in args])
    return []


@debug_callback_p.def_abstract_eval
def _debug_callback_abstract_eval(*avals, callback):
    return []


def _debug_callback_jvp(primals, tangents, callback):
    """Show the primal values; there are no outputs, so no tangents."""
    debug_callback_p.bind(*primals, callback=callback)
    return [], []


def _debug_callback_batch(axis_size, vals, dims, callback):
    """One call per batch element, in order (as JAX does)."""
    for i in range(axis_size):
        debug_callback_p.bind(*[v if d is not_mapped else lax.index_in_dim(v, i, d, False)
                                for v, d in zip(vals, dims)], callback=callback)
    return [], []


def _debug_callback_lower(b, args, in_avals, out_avals, callback):
    """A typed-FFI custom call into Python: XLA calls the ``index``-th host
    callback of the program with the operands as numpy arrays."""
    from . import _xla

    def host_callback(*values):
        # The arrays XLA hands over are only valid during the call: copy them.
        callback(*[Array(np.array(v)) for v in values])
        return ()

    index = b.add_host_callback(host_callback)
    layouts = ", ".join(_row_major(a.ndim) for a in in_avals)
    types = ", ".join(tensor_type(a) for a in in_avals)
    b.emit(f"stablehlo.custom_call @{_xla.backend().python_callback_target()}"
           f"({', '.join(args)}) {{api_version = 4 : i32, backend_config = {{index = {index} : "
           f"ui64}}, has_side_effect = true, operand_layouts = [{layouts}], "
           f"result_layouts = []}} : ({types}) -> ()")
    return []


def _row_major(ndim):
    if ndim == 0:
        return "dense<> : tensor<0xindex>"
    return f"dense<{int_list(range(ndim - 1, -1, -1))}> : tensor<{ndim}xindex>"


def _pp_params(params):
    return [("callback", getattr(params["callback"], "__name__", "callback"))]


jvp_rules[debug_callback_p] = _debug_callback_jvp
batching_rules[debug_callback_p] = _debug_callback_batch
lowering_rules[debug_callback_p] = _debug_callback_lower
pp_params_rules[debug_callback_p] = _pp_params


# ---------------------------------------------------------------------------
# The public functions


def callback(callback=None, *args, ordered=False, partitioned=False, **kwargs):
    """Call ``callback(*args, **kwargs)`` with the *values* of the arrays in
    ``args`` and ``kwargs``, wherever they exist: eagerly, under ``vmap``
    (once per element), under ``grad`` (primal values) and under ``jit``
    (at run time). Returns None. ``debug.callback(None)`` returns a function
    taking ``(callback, *args, **kwargs)``."""
    _check_options("debug.callback", ordered, partitioned)
    if callback is None:
        if args or kwargs:
            raise TypeError(f"debug_callback received unexpected arguments in the two-call "
                            f"form: {args=} {kwargs=}")
        return _debug_callback
    _debug_callback(callback, *args, **kwargs)


def _debug_callback(callback, *args, **kwargs):
    if not callable(callback):
        raise TypeError(f"first argument to jax.debug.callback must be callable, but got an "
                        f"object of type {type(callback)}")
    leaves, tree = tree_util.tree_flatten((args, kwargs))
    # Arrays travel as operands; other leaves (strings, ...) are fixed now.
    dynamic = [is_valid_value(x) for x in leaves]
    operands = [x for x, d in zip(leaves, dynamic) if d]

    def flat_callback(*values):
        it = iter(values)
        full = [next(it) if d else x for x, d in zip(leaves, dynamic)]
        c_args, c_kwargs = tree_util.tree_unflatten(tree, full)
        callback(*c_args, **c_kwargs)
    flat_callback.__name__ = getattr(callback, "__name__", "callback")
    debug_callback_p.bind(*operands, callback=flat_callback)


def print(fmt=None, *args, ordered=False, partitioned=False, skip_format_check=False,
          **kwargs):
    """Print ``fmt.format(*args, **kwargs)`` with the values of the arrays,
    wherever they exist (see ``callback``): ``debug.print("x={x}", x=x)``.

    Arrays are formatted as numpy formats them, with the numpy print options
    in force when ``debug.print`` was called. ``debug.print(None)`` returns a
    function taking ``(fmt, *args, **kwargs)``.
    """
    _check_options("debug.print", ordered, partitioned)
    if fmt is None:
        if args or kwargs:
            raise TypeError(f"debug_print received unexpected arguments in the two-call form: "
                            f"{args=} {kwargs=}")
        return lambda fmt, *a, **kw: _debug_print(fmt, skip_format_check, *a, **kw)
    _debug_print(fmt, skip_format_check, *args, **kwargs)


def _debug_print(fmt, skip_format_check, *args, **kwargs):
    if not skip_format_check:
        _FORMAT_CHECKER.format(fmt, *args, **kwargs)
    first_field = next(iter(string.Formatter().parse(fmt)), (None, None))[1] if fmt else None
    has_placeholders = first_field is not None
    printoptions = np.get_printoptions()

    def format_and_print(*a, **kw):
        with np.printoptions(**printoptions):
            msg = fmt.format(*a, **kw) if has_placeholders else " ".join(
                (fmt, *(str(x) for x in a)))
        sys.stdout.write(msg + "\n")
    format_and_print.__name__ = "print"
    _debug_callback(format_and_print, *args, **kwargs)


class _FormatChecker(string.Formatter):
    """Formats nothing; only checks every argument is used (JAX's check, which
    catches an f-string passed by mistake)."""

    def format_field(self, value, format_spec):
        return ""

    def check_unused_args(self, used_args, args, kwargs):
        unused_args = [a for i, a in enumerate(args) if i not in used_args]
        unused_kwargs = [k for k in kwargs if k not in used_args]
        if unused_args:
            raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused_args}")
        if unused_kwargs:
            raise ValueError(f"Unused keyword arguments to `jax.debug.print`: {unused_kwargs}. "
                             f"You may be passing an f-string (i.e, `f\"{{x}}\"`) into "
                             f"`jax.debug.print` and instead should pass in a regular string.")


_FORMAT_CHECKER = _FormatChecker()


def _check_options(name, ordered, partitioned):
    if ordered:
        # JAX threads a token through the program to order such calls; minijax
        # does not (its calls run in program order on one device anyway).
        raise NotImplementedError(f"{name}(..., ordered=True) is not supported by minijax")
    if partitioned:
        raise NotImplementedError(f"{name}(..., partitioned=True) is not supported by minijax "
                                  f"(it runs on one device)")
