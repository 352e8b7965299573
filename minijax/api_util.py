"""Small helpers shared by the transformations' public entry points: naming
arguments in error messages, normalizing ``argnums``, and checking what users
pass in and get back. The interpreters assume these checks have been made."""
import inspect
import operator

from . import core, dtypes, tree_util
from .core import Tracer, get_aval


def function_name(fun):
    return getattr(fun, "__name__", None) or type(fun).__name__


def check_callable(fun):
    """JAX's TypeError for ``grad(3)`` and friends, raised where the mistake is made."""
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r}")


def argument_names(fun, n):
    """Names for the first ``n`` positional parameters of ``fun`` (``args[i]``
    where the signature does not say)."""
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(n):
        if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY,
                                                  params[i].POSITIONAL_OR_KEYWORD):
            names.append(params[i].name)
        elif params and params[-1].kind == params[-1].VAR_POSITIONAL:
            names.append(f"{params[-1].name}[{i - len(params) + 1}]")
        else:
            names.append(f"args[{i}]")
    return names


def leaf_names(fun, args):
    """One description per leaf of the positional ``args``: ``x``, ``y[0]``, ``p['w']``."""
    out = []
    for name, arg in zip(argument_names(fun, len(args)), args):
        for path, _ in tree_util.tree_flatten_with_path(arg)[0]:
            out.append(name + tree_util.keystr(path))
    return out


def dynamic_leaf_names(fun, args, kwargs, static=()):
    """Leaf descriptions for the non-static positional args, then the kwargs."""
    out = []
    for i, (name, arg) in enumerate(zip(argument_names(fun, len(args)), args)):
        if i not in static:
            out.extend(name + tree_util.keystr(p)
                       for p, _ in tree_util.tree_flatten_with_path(arg)[0])
    for k in sorted(kwargs):
        out.extend(k + tree_util.keystr(p)
                   for p, _ in tree_util.tree_flatten_with_path(kwargs[k])[0])
    return out


def normalize_argnums(argnums, n_args, name):
    """``argnums`` as a tuple of non-negative ints, checked against ``n_args``."""
    single = isinstance(argnums, int) or hasattr(argnums, "__index__")
    nums = (argnums,) if single else tuple(argnums)
    out = []
    for a in nums:
        a = operator.index(a)
        if not -n_args <= a < n_args:
            raise TypeError(f"{name}: argnums={argnums} is out of range for a function "
                            f"called with {n_args} positional argument"
                            f"{'' if n_args == 1 else 's'}.")
        out.append(a % n_args)
    return single, tuple(out)


# ---------------------------------------------------------------------------
# Checking arguments and results


def check_jvp_arguments(primals, tangents):
    """Check ``jvp``'s primals and tangents as JAX does; return them flat, with
    the primals' tree structure."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jax.jvp must be tuples or lists; "
                        f"found {type(primals).__name__} and {type(tangents).__name__}.")
    # Flattened as given: a tuple of primals with a list of tangents is a
    # structure mismatch, as in JAX.
    flat_primals, in_tree = tree_util.tree_flatten(primals)
    flat_tangents, tangent_tree = tree_util.tree_flatten(tangents)
    if in_tree != tangent_tree:
        raise TypeError("primal and tangent arguments to jax.jvp must have the same tree "
                        f"structure; primals have tree structure {in_tree} whereas tangents "
                        f"have tree structure {tangent_tree}.")
    for p, t in zip(flat_primals, flat_tangents):
        _check_tangent(get_aval(p), get_aval(t))
    return flat_primals, flat_tangents, in_tree


def _check_tangent(p_aval, t_aval):
    if p_aval.shape != t_aval.shape:
        raise ValueError("jvp called with different primal and tangent shapes;"
                         f"Got primal shape {p_aval.shape} and tangent shape as "
                         f"{t_aval.shape}")
    # forward_mode.tangent_aval's rule: integers and booleans take float0.
    expected = p_aval.dtype if dtypes.is_inexact(p_aval.dtype) else dtypes.float0
    # Compared after canonicalization: with x64 off a float64 numpy tangent is
    # a float32 one, as in JAX.
    if t_aval.dtype != expected:
        raise TypeError("primal and tangent arguments to jax.jvp do not match; dtypes must "
                        "be equal, or in case of int/bool primal dtype the tangent dtype "
                        f"must be float0.Got primal dtype {p_aval.dtype.name} and so "
                        f"expected tangent dtype {expected.name}, but got tangent dtype "
                        f"{t_aval.dtype.name} instead.")


def split_aux(out, name):
    """``(output, aux)`` from a function called with ``has_aux=True``."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{name} with has_aux=True requires the function to return a pair "
                        f"(output, auxiliary data), but it returned {type(out).__name__}"
                        + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
                        + ".")
    return out


def check_output(x, name):
    """``x`` if a transformed function may return it (an array, scalar or tracer)."""
    if isinstance(x, Tracer) or core.is_valid_value(x):
        return x
    raise TypeError(f"{name}: the function returned a value of type {type(x).__name__}, "
                    "which is not an array; transformed functions must return (pytrees of) "
                    "arrays or scalars.")
