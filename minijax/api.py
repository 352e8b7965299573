"""The public transformations, assembled from the interpreters.

``jvp`` lives in ``forward_mode.py`` and ``vmap`` in ``batching.py``; this module builds the
Jacobian functions on top of them (and, from Chapter 8 on, the reverse-mode
ones on top of ``vjp``).
"""
import functools
import operator

import numpy as np

from . import core, dtypes, lax, tree_util
from .util import reject_unsupported
from . import numpy as jnp
from .api_util import check_callable, function_name, normalize_argnums, split_aux
from .core import get_aval
from .forward_mode import jvp
from .batching import vmap
from .transpose import vjp


def _split_args(args, argnums, name):
    """Pick the differentiated arguments; return them and a function that
    rebuilds the full argument tuple from new values for them."""
    _check_argnums_in_range(argnums, len(args), name)
    single, nums = normalize_argnums(argnums, len(args), name)
    if len(set(nums)) < len(nums):
        # JAX fails here deep inside; differentiating twice with respect to one
        # argument has no sensible meaning, so say so.
        raise ValueError(f"{name}: argnums={argnums} names the same positional argument more "
                         f"than once (negative indices count from the end); list each "
                         f"argument to differentiate once.")
    dyn = tuple(args[i] for i in nums)

    def rebuild(new_dyn):
        full = list(args)
        for i, v in zip(nums, new_dyn):
            full[i] = v
        return full
    return single, dyn, rebuild


def _check_argnums_in_range(argnums, n_args, name):
    """JAX's ValueError for an argnums entry outside [-n_args, n_args)."""
    nums = (argnums,) if isinstance(argnums, int) or hasattr(argnums, "__index__") else argnums
    for i in nums:
        if not -n_args <= operator.index(i) < n_args:
            raise ValueError(f"Positional argument indices, e.g. for `static_argnums`, must "
                             f"have value greater than or equal to -len(args) and less than "
                             f"len(args), but got value {i} for len(args) == {n_args}. "
                             f"{name} was called with {n_args} positional argument"
                             f"{'' if n_args == 1 else 's'}: pass the arguments to "
                             f"differentiate positionally, or change argnums={argnums}.")


def _complex_required(name, kind, dt):
    raise TypeError(f"{name} with holomorphic=True requires {kind} with complex dtype, but "
                    f"got {dt.name}. " + ("Pass complex inputs (e.g. x.astype(jnp.complex64))"
                                          if kind == "inputs" else
                                          "Return a complex value from the function")
                    + ", or drop holomorphic=True to differentiate a real function.")


def check_forward_input(x, holomorphic, name):
    """Forward-mode Jacobians take real floats (complex with holomorphic=True)."""
    dt = get_aval(x).dtype
    if holomorphic:
        if not dtypes.is_complex(dt):
            _complex_required(name, "inputs", dt)
    elif not dtypes.issubdtype(dt, np.floating):
        raise TypeError(f"{name} requires real-valued inputs (input dtype that is a sub-dtype "
                        f"of np.floating), but got {dt.name}. For holomorphic differentiation, "
                        "pass holomorphic=True. For differentiation of non-holomorphic "
                        "functions involving complex inputs or integer inputs, use jax.jvp "
                        "directly.")


def check_reverse_input(x, holomorphic, name, allow_int=False):
    """Reverse mode takes real or complex inputs (complex only with holomorphic=True)."""
    dt = get_aval(x).dtype
    if holomorphic:
        if not dtypes.is_complex(dt):
            _complex_required(name, "inputs", dt)
    elif not dtypes.is_inexact(dt) and not allow_int:
        raise TypeError(f"{name} requires real- or complex-valued inputs (input dtype that is "
                        f"a sub-dtype of np.inexact), but got {dt.name}. If you want to use "
                        "Boolean- or integer-valued inputs, use vjp or set allow_int to True.")


def check_reverse_output(y, holomorphic, name):
    """Reverse-mode Jacobians of real functions have real outputs."""
    dt = get_aval(y).dtype
    if holomorphic:
        if not dtypes.is_complex(dt):
            _complex_required(name, "outputs", dt)
    elif not dtypes.issubdtype(dt, np.floating):
        raise TypeError(f"{name} requires real-valued outputs (output dtype that is a sub-dtype "
                        f"of np.floating), but got {dt.name}. For holomorphic differentiation, "
                        "pass holomorphic=True. For differentiation of non-holomorphic "
                        "functions involving complex outputs, use jax.vjp directly.")


def check_holomorphic_output(y, holomorphic, name):
    if holomorphic and not dtypes.is_complex(get_aval(y).dtype):
        _complex_required(name, "outputs", get_aval(y).dtype)


def std_basis(leaves):
    """The identity matrix split across ``leaves``: for N total elements, one
    array per leaf of shape ``(N,) + leaf.shape``."""
    avals = [get_aval(x) for x in leaves]
    sizes = [a.size for a in avals]
    total = sum(sizes)
    dt = dtypes.result_type(*[a.dtype for a in avals]) if avals else dtypes.float32
    eye = np.eye(total, dtype=dt)
    out, start = [], 0
    for a, n in zip(avals, sizes):
        block = jnp.asarray(eye[:, start:start + n].reshape((total,) + a.shape).astype(a.dtype))
        out.append(lax._convert_element_type(block, a.dtype, a.weak_type))   # keep weak types
        start += n
    return out


def unravel_jacobian(jac_leaf, in_leaves, in_tree, out_aval):
    """Split jacfwd's block for one output leaf, whose last axis runs over all
    input elements, into one array per input leaf, shaped
    ``out_aval.shape + leaf.shape``, of the output's type."""
    parts, start = [], 0
    for x in in_leaves:
        aval = get_aval(x)
        n = aval.size
        block = lax.slice_in_dim(jac_leaf, start, start + n, 1, jac_leaf.ndim - 1)
        parts.append(cast_like(jnp.reshape(block, out_aval.shape + aval.shape), out_aval))
        start += n
    return tree_util.tree_unflatten(in_tree, parts)


def cast_like(block, aval):
    """A Jacobian block with the dtype and weak type of ``aval``, as JAX gives
    it: jacfwd's blocks take their output leaf's, jacrev's their input
    leaf's (a real leaf takes the real part of a complex block)."""
    got = get_aval(block).dtype
    if not (dtypes.is_inexact(got) and dtypes.is_inexact(aval.dtype)):
        return block
    if dtypes.issubdtype(got, np.complexfloating) and \
            not dtypes.issubdtype(aval.dtype, np.complexfloating):
        block = lax.real(block)
    return lax._convert_element_type(block, aval.dtype, aval.weak_type)


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian of ``fun`` by forward mode: ``vmap`` of ``jvp`` over the
    standard basis of the inputs (one column per input element)."""
    check_callable(fun)

    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        single, dyn, rebuild = _split_args(args, argnums, "jacfwd")
        in_leaves, in_tree = tree_util.tree_flatten(dyn[0] if single else dyn)
        for x in in_leaves:
            check_forward_input(x, holomorphic, "jacfwd")

        def f_dyn(*d):
            return fun(*rebuild(d), **kwargs)

        def push_forward(*basis_leaves):
            tangents = tree_util.tree_unflatten(in_tree, basis_leaves)
            tangents = (tangents,) if single else tangents
            return jvp(f_dyn, dyn, tangents, has_aux=has_aux)

        basis = std_basis(in_leaves)
        out_axes = (None, -1, None) if has_aux else (None, -1)
        res = vmap(push_forward, out_axes=out_axes)(*basis)
        y, jac = res[0], res[1]
        tree_util.tree_map(lambda leaf: check_holomorphic_output(leaf, holomorphic, "jacfwd"), y)
        jac_tree = tree_util.tree_map(
            lambda y_leaf, j: unravel_jacobian(j, in_leaves, in_tree, get_aval(y_leaf)), y, jac)
        return (jac_tree, res[2]) if has_aux else jac_tree
    return jacfun


# ---------------------------------------------------------------------------
# Reverse mode: everything is vjp (Chapter 8)


_SCALAR_OUTPUT_HINT = (" To differentiate a function with several outputs, use jacrev or "
                       "jacfwd for its Jacobian, or vjp for a vector-Jacobian product; or "
                       "reduce the output to a scalar first (e.g. with .sum()).")


def _grad_output_check(ans, holomorphic, name):
    if not core.is_valid_value(ans):   # a tuple, list, dict, ... of outputs
        raise TypeError(f"Gradient only defined for scalar-output functions. Output was "
                        f"{ans!r}." + _SCALAR_OUTPUT_HINT)
    aval = get_aval(ans)
    if aval.shape != ():
        raise TypeError(f"Gradient only defined for scalar-output functions. Output had "
                        f"shape: {aval.shape}." + _SCALAR_OUTPUT_HINT)
    if aval.dtype.kind in "iub" and not holomorphic:
        raise TypeError(f"{name} requires real-valued outputs (output dtype that is a "
                        f"sub-dtype of np.floating), but got {aval.dtype.name}. For "
                        "differentiation of functions with integer outputs, use jax.vjp "
                        "directly.")
    check_reverse_output(ans, holomorphic, name)


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False,
                   reduce_axes=()):
    """A function returning ``(fun(*args), gradient)``; with ``has_aux``,
    ``((value, aux), gradient)``."""
    name = "value_and_grad"
    reject_unsupported(name, reduce_axes=(tuple(reduce_axes), ()))   # deprecated in JAX
    return _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, name)


def _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, name):
    check_callable(fun)
    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        if isinstance(argnums, int) or hasattr(argnums, "__index__"):
            needed = operator.index(argnums)
        else:
            needed = max(argnums) if argnums else 0
        if needed >= len(args):
            raise TypeError(f"differentiating with respect to argnums={argnums} requires at "
                            f"least {needed + 1} positional arguments to be passed by the "
                            f"caller, but got only {len(args)} positional arguments.")
        single, dyn, rebuild = _split_args(args, argnums, name)
        for leaf in tree_util.tree_leaves(dyn):
            check_reverse_input(leaf, holomorphic, name, allow_int)

        def f_dyn(*d):
            out = fun(*rebuild(d), **kwargs)
            return split_aux(out, name) if has_aux else out   # errors name this transform

        if has_aux:
            ans, pullback, aux = vjp(f_dyn, *dyn, has_aux=True)
        else:
            ans, pullback = vjp(f_dyn, *dyn)
        _grad_output_check(ans, holomorphic, name)
        grads = pullback(lax.full_like(ans, 1))
        grads = grads[0] if single else grads
        return ((ans, aux), grads) if has_aux else (ans, grads)
    return value_and_grad_f


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    """The gradient of a scalar function: ``vjp`` with cotangent 1.0."""
    reject_unsupported("grad", reduce_axes=(tuple(reduce_axes), ()))   # deprecated in JAX
    vg = _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, "grad")

    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        (_, aux), g = vg(*args, **kwargs) if has_aux else ((None, None), vg(*args, **kwargs)[1])
        return (g, aux) if has_aux else g
    return grad_f


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """The Jacobian of ``fun`` by reverse mode: ``vmap`` of the pullback over the
    standard basis of the outputs (one row per output element)."""
    check_callable(fun)
    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        single, dyn, rebuild = _split_args(args, argnums, "jacrev")
        in_leaves, in_tree = tree_util.tree_flatten(dyn[0] if single else dyn)
        for x in in_leaves:
            check_reverse_input(x, holomorphic, "jacrev", allow_int)

        def f_dyn(*d):
            out = fun(*rebuild(d), **kwargs)
            return split_aux(out, "jacrev") if has_aux else out

        if has_aux:
            y, pullback, aux = vjp(f_dyn, *dyn, has_aux=True)
        else:
            y, pullback = vjp(f_dyn, *dyn)
        y_leaves, y_tree = tree_util.tree_flatten(y)
        for leaf in y_leaves:
            check_reverse_output(leaf, holomorphic, "jacrev")

        def pull(*ct_leaves):
            cts = pullback(tree_util.tree_unflatten(y_tree, ct_leaves))
            return tree_util.tree_leaves(cts[0] if single else cts)

        rows = vmap(pull)(*std_basis(y_leaves))   # one array per input leaf: (N_out, *x.shape)
        # For each output leaf: its rows, reshaped to out.shape + in.shape.
        in_avals = [get_aval(x) for x in in_leaves]
        jac_per_out, start = [], 0
        for y_leaf in y_leaves:
            out = get_aval(y_leaf)
            parts = [cast_like(jnp.reshape(lax.slice_in_dim(r, start, start + out.size, 1, 0),
                                           out.shape + a.shape), a)
                     for r, a in zip(rows, in_avals)]
            jac_per_out.append(tree_util.tree_unflatten(in_tree, parts))
            start += out.size
        jac = tree_util.tree_unflatten(y_tree, jac_per_out)
        return (jac, aux) if has_aux else jac
    return jacfun


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Hessian: ``jacfwd(jacrev(fun))`` (forward-over-reverse)."""
    return jacfwd(jacrev(fun, argnums, has_aux, holomorphic), argnums, has_aux, holomorphic)


def jacobian(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """``jacrev`` under JAX's other name."""
    return jacrev(fun, argnums, has_aux, holomorphic, allow_int)


def named_call(fun, *, name=None):
    """``fun`` under the name ``name`` (default: its own), which ``jit`` and
    ``make_jaxpr`` then use for it. JAX also pushes the name onto a "name
    stack" that labels every operation in compiled programs for profilers;
    minijax keeps no name stack."""
    name = function_name(fun) if name is None else name

    @functools.wraps(fun)
    def named(*args, **kwargs):
        return fun(*args, **kwargs)
    named.__name__ = named.__qualname__ = name
    return named
