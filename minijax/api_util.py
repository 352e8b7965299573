"""Small helpers shared by the transformations' public entry points:
naming arguments in error messages and normalizing ``argnums``."""
import inspect
import operator

from . import tree_util


def function_name(fun):
    return getattr(fun, "__name__", None) or type(fun).__name__


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
