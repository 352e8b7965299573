"""Custom derivative rules: ``custom_jvp`` and ``custom_vjp`` (Chapter "Custom derivative rules").

Sometimes the derivative minijax would compute by the chain rule is not the
one we want: it is numerically poor (``log(1 + exp(x))`` at large ``x``), it
picks the wrong convention at a boundary, or it differentiates through an
iterative solver step by step when the implicit function theorem gives the
answer directly. The two decorators here let a user replace it.

* ``custom_jvp``: the user gives a JVP rule. Forward mode calls the rule.
  Reverse mode needs nothing more: it *linearizes* the rule and *transposes*
  the linear part, like any other function. This is where reverse mode =
  linearize + transpose pays off.
* ``custom_vjp``: the user gives a forward pass ``fwd`` (output and residuals)
  and a backward pass ``bwd`` (cotangents). There is no JVP to run, so forward
  mode is an error; reverse mode runs ``fwd`` now and stages a ``custom_lin``
  equation into the linear program, whose transpose calls ``bwd``.

Both are higher-order primitives (``custom_jvp_call``, ``custom_vjp_call``)
whose parameters are the Python functions themselves, as in JAX: the eager
interpreter calls the function as written (Python control flow on values
works); the JVP interpreter calls the rule; ``vmap`` batches the function and
the rules; staging (``jit``, ``make_jaxpr``) traces the function into a
``call_jaxpr`` that prints as JAX prints it and lowers like the function.
"""
import functools
import inspect

from . import core, dtypes, lax, tree_util
from .api_util import function_name
from .batching import (batch_flat, batching_rules, bdim_at_front, moveaxis, not_mapped,
                       rules_taking_tag)
from .core import Primitive, Tracer, get_aval
from .eager import EvalTrace
from .errors import UnexpectedTracerError
from .forward_mode import JVPTrace, Zero, instantiate, jvp_rules, tangent_aval
from . import higher_order   # a module: it may still be loading (see forward_mode's end)
from .jaxpr import (close_jaxpr, eval_jaxpr, jaxpr_as_fun, pp_params_rules, staging_rules,
                    trace_to_jaxpr)
from .lowering import lower_sub_jaxpr, lowering_rules
from .partial_eval import PartialEvalTrace
from .transpose import is_undefined, transpose_rules
from .util import merge_lists, split_list

# ---------------------------------------------------------------------------
# Shared plumbing: arguments, named rule functions, closures


def resolve_kwargs(fun, args, kwargs):
    """Keyword arguments and defaults turned into positional ones, as JAX does."""
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):
        if kwargs:
            raise TypeError("keyword arguments could not be resolved to positions") from None
        return tuple(args)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    if bound.kwargs:   # keyword-only parameters have no position
        raise TypeError("keyword arguments could not be resolved to positions")
    return tuple(bound.args)


class _Rule:
    """A flat-in, flat-out rule function that prints as the user's function
    (``jvp=f_jvp`` in a jaxpr, as JAX prints it)."""

    def __init__(self, fn, shown):
        self.fn, self.shown = fn, shown

    def __call__(self, *args):
        return self.fn(*args)

    def __str__(self):
        return self.shown


def _values_are_concrete():
    """True if every interpreter on the stack knows its values (eager, jvp,
    linearize). Then the custom function can be called as Python, later, by
    whichever interpreter handles it. Under ``vmap`` or ``jit`` it may close
    over their tracers; we stage it first so those become explicit inputs.
    (JAX instead runs the function inside a "subtrace" that re-enters those
    interpreters; staging is simpler and only loses what vmap and jit lose
    anyway: Python control flow on values.)"""
    trace = core.current_trace()
    while trace is not None:
        if not isinstance(trace, (EvalTrace, JVPTrace, PartialEvalTrace)):
            return False
        trace = trace.parent
    return True


def _closure_convert_flat(flat_fun, in_avals, what):
    """Stage ``flat_fun``; return a function of (hoisted tracers, inputs) and
    the hoisted tracers it closed over."""
    jaxpr, consts = trace_to_jaxpr(flat_fun, in_avals, purpose=what)
    closed, tracer_consts = close_jaxpr(jaxpr, consts)
    return jaxpr_as_fun(closed), tracer_consts


def _fun_of(params):
    """The primal function of a custom call: the Python one, or the staged one."""
    if "call_jaxpr" in params:
        return jaxpr_as_fun(params["call_jaxpr"])
    return params["fun"]


def _with_fun(params, fun, **changes):
    new = {k: v for k, v in params.items() if k not in ("fun", "call_jaxpr")}
    new.update(fun=fun, **changes)
    return new


def _flatten_fun(fun, in_tree, store):
    """``fun`` on flat leaves; records its output tree in ``store``."""
    def flat(*leaves):
        out = fun(*tree_util.tree_unflatten(in_tree, leaves))
        out_leaves, store["out_tree"] = tree_util.tree_flatten(out)
        return [_check_value(x) for x in out_leaves]
    return flat


def _check_value(x):
    if isinstance(x, Tracer) or core.is_valid_value(x):
        return x
    raise TypeError(f"custom derivative functions must return (pytrees of) arrays, got "
                    f"{x!r} of type {type(x).__name__}.")


def _check_closed_tangents(const_tangents, name):
    if any(type(t) is not Zero for t in const_tangents):
        raise UnexpectedTracerError(
            f"The custom derivative function {name} closes over a value that is being "
            "differentiated. Its rule cannot see that value's tangent. Pass the value as "
            "an argument instead, or use minijax.closure_convert.")


def _pp_params(params):
    """JAX's order: ``name`` first, the rest sorted; ``num_consts`` only when nonzero."""
    shown = sorted((k, v) for k, v in params.items()
                   if k != "name" and not (k == "num_consts" and v == 0))
    return [("name", params["name"])] + shown


def _stage_custom_call(primitive):
    """Staging rule: trace the Python function into ``call_jaxpr``. Tracers it
    closes over become leading inputs (more ``num_consts``)."""
    def stage(trace, args, **params):
        fun = _fun_of(params)
        jaxpr, consts = trace_to_jaxpr(fun, [get_aval(x) for x in args],
                                       debug_name=params["name"], purpose=primitive.name)
        closed, tracer_consts = close_jaxpr(jaxpr, consts)
        new = {k: v for k, v in params.items() if k != "fun"}
        new.update(call_jaxpr=closed, num_consts=params["num_consts"] + len(tracer_consts))
        # The hoisted constants go before the existing ones (all are leading inputs).
        invars = [trace.atom(x) for x in list(tracer_consts) + list(args)]
        return trace.add_eqn(primitive, invars, new, closed.out_avals)
    return stage


def _batched_flat(fun, axis_size, in_batched, tag):
    """``fun`` (flat) on inputs batched at axis 0 where ``in_batched``; every
    output batched at axis 0 (broadcast where the computation left it unbatched).
    It runs as part of the vmap ``tag``: a rule that closes over that vmap's
    values sees them batched."""
    def batched(*args):
        dims = [0 if b else not_mapped for b in in_batched]
        return [bdim_at_front(axis_size, v, d)
                for v, d in batch_flat(fun, axis_size, list(args), dims, tag)]
    return batched


def _batch_args(axis_size, vals, dims):
    vals = [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    return vals, [d is not not_mapped for d in dims]


# ---------------------------------------------------------------------------
# custom_jvp

custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)
custom_jvp_call_p.takes_arrays = True   # eager: call the Python function on the arguments


class custom_jvp:
    """A function with a user-defined JVP rule (``jax.custom_jvp``).

    ``f.defjvp(rule)`` with ``rule(primals, tangents) -> (primal_out,
    tangent_out)``; arguments in ``nondiff_argnums`` come first in the rule's
    signature and get no tangents.
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self.symbolic_zeros = False

    def defjvp(self, jvp, symbolic_zeros=False):
        """Set the JVP rule; returns it, so this works as a decorator too."""
        if symbolic_zeros:
            # JAX can hand rules symbolic zeros; we always instantiate them.
            raise NotImplementedError("minijax's custom_jvp does not support symbolic_zeros")
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        """One rule per argument, ``rule(tangent, primal_out, *primals)``; ``None`` means zero."""
        if self.nondiff_argnums:
            raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

        def jvp(primals, tangents):
            primal_out = self(*primals)
            contributions = [rule(t, primal_out, *primals)
                             for t, rule in zip(tangents, jvps) if rule is not None]
            if not contributions:
                return primal_out, tree_util.tree_map(lax.zeros_like_array, primal_out)
            return primal_out, tree_util.tree_map(lambda *ts: functools.reduce(lax.add, ts),
                                                  *contributions)
        jvp.__name__ = f"{function_name(self.fun)}_jvps"
        self.defjvp(jvp)

    def __get__(self, instance, owner=None):   # methods: bind like a function
        return self if instance is None else functools.partial(self, instance)

    def __call__(self, *args, **kwargs):
        name = function_name(self.fun)
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
        try:
            args = resolve_kwargs(self.fun, args, kwargs)
        except TypeError as err:
            raise TypeError(f"The input arguments to the custom_jvp-decorated function {name} "
                            f"could not be resolved to positional-only arguments. Binding "
                            f"failed with the error:\n{err}") from err
        fun, rule, dyn_args = self.fun, self.jvp, args
        if self.nondiff_argnums:
            fun, rule, dyn_args = _split_nondiff_jvp(self.fun, self.jvp, args,
                                                     self.nondiff_argnums)
        flat_args, in_tree = tree_util.tree_flatten(dyn_args)
        store = {}
        flat_fun = _flatten_fun(fun, in_tree, store)
        flat_jvp = _flatten_jvp(rule, in_tree, store, name, function_name(self.jvp))
        consts = []
        if not _values_are_concrete():
            flat_fun, consts = _closure_convert_flat(flat_fun, [get_aval(x) for x in flat_args],
                                                     "custom_jvp")
        outs = custom_jvp_call_p.bind(*consts, *flat_args, fun=flat_fun,
                                      jvp=_Rule(flat_jvp, function_name(self.jvp)),
                                      name=name, num_consts=len(consts),
                                      symbolic_zeros=False)
        return tree_util.tree_unflatten(store["out_tree"], outs)


def _split_nondiff_jvp(fun, rule, args, nondiff_argnums):
    """Close ``fun`` and ``rule`` over the non-differentiable arguments (behind
    ``stop_gradient``, as in JAX); return them and the differentiable args."""
    n = len(args)
    nondiff = sorted({i % n for i in nondiff_argnums})
    static = [lax.stop_gradient(args[i]) if _is_arraylike(args[i]) else args[i]
              for i in nondiff]
    dyn = tuple(a for i, a in enumerate(args) if i not in nondiff)

    def merged(dyn_args):
        it_dyn, it_static = iter(dyn_args), iter(static)
        return [next(it_static) if i in nondiff else next(it_dyn) for i in range(n)]

    def fun_dyn(*dyn_args):
        return fun(*merged(dyn_args))

    def rule_dyn(primals, tangents):
        return rule(*static, tuple(primals), tuple(tangents))
    return fun_dyn, rule_dyn, dyn


def _is_arraylike(x):
    leaves = tree_util.tree_leaves(x)
    return bool(leaves) and all(core.is_valid_value(l) for l in leaves)


def _flatten_jvp(rule, in_tree, store, name, rule_name):
    """The user's rule on flat lists, with JAX's checks of what it returns."""
    def flat_rule(primals, tangents):
        py_primals = tree_util.tree_unflatten(in_tree, primals)
        py_tangents = tree_util.tree_unflatten(in_tree, tangents)
        pair = rule(tuple(py_primals), tuple(py_tangents))
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"Custom JVP rule {rule_name} for function {name} must produce a "
                            f"pair (list or tuple of length two) representing primal and "
                            f"tangent outputs, but got {pair}.")
        primals_out, out_tree = tree_util.tree_flatten(pair[0])
        tangents_out, out_tree2 = tree_util.tree_flatten(pair[1])
        if out_tree != out_tree2:
            raise TypeError(f"Custom JVP rule {rule_name} for function {name} must produce "
                            f"primal and tangent outputs with equal container (pytree) "
                            f"structures, but got {out_tree} and {out_tree2} respectively.")
        expected = store.get("out_tree")
        if expected is not None and expected != out_tree:
            raise TypeError(f"Custom JVP rule {rule_name} for function {name} must produce a "
                            f"pair (list or tuple of length two) where the first element "
                            f"represents the primal output (equal in value to the output of "
                            f"the custom_jvp-decorated function {name}, and in particular of "
                            f"the same container/pytree structure), but instead the JVP rule "
                            f"output's first element had container/pytree structure:\n"
                            f"    {out_tree}\nwhile the custom_jvp-decorated function {name} "
                            f"had output container/pytree structure:\n    {expected}.")
        store["out_tree"] = out_tree
        tangents_out = [_check_tangent_out(p, t) for p, t in zip(primals_out, tangents_out)]
        return [_check_value(p) for p in primals_out], tangents_out
    return flat_rule


def _check_tangent_out(primal, tangent):
    p_aval = get_aval(primal)
    expected = tangent_aval(p_aval)
    try:
        t_aval = get_aval(tangent)
    except TypeError:
        raise TypeError(f"Custom JVP rule must produce tangent outputs that are arrays, but "
                        f"got {tangent!r} for primal {p_aval.str_short()}.") from None
    if t_aval.shape != expected.shape or t_aval.dtype != expected.dtype:
        if expected.dtype == dtypes.float0 and t_aval.shape == expected.shape:
            return Zero(expected)   # integer outputs: any zero tangent will do
        raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with "
                        f"corresponding shapes and dtypes. Expected {expected.str_short()} "
                        f"(tangent type of {p_aval.str_short()}) but got "
                        f"{t_aval.str_short()}.")
    return tangent


def _custom_jvp_call_impl(*args, num_consts, **params):
    return _fun_of(params)(*args)


def _custom_jvp_call_abstract_eval(*avals, call_jaxpr, **params):
    return call_jaxpr.out_avals


def _custom_jvp_call_jvp(primals, tangents, *, jvp, num_consts, name, **params):
    """Forward mode runs the user's rule. (Zero tangents never get here: the
    JVP interpreter hands such calls to its parent untouched.)"""
    _, primals = split_list(primals, [num_consts])
    const_tangents, tangents = split_list(tangents, [num_consts])
    _check_closed_tangents(const_tangents, name)
    primals_out, tangents_out = jvp(primals, [instantiate(t) for t in tangents])
    return primals_out, tangents_out


def _custom_jvp_call_batch(axis_size, vals, dims, *, jvp, num_consts, tag, **params):
    """Batch the function and the rule; every output comes out batched at 0.
    (JAX tracks which outputs are batched; batching all of them costs a
    broadcast and spares the function and the rule from agreeing on it.)"""
    vals, in_batched = _batch_args(axis_size, vals, dims)
    fun = _batched_flat(_fun_of(params), axis_size, in_batched, tag)
    arg_batched = in_batched[num_consts:]

    def batched_rule(primals, tangents):
        n = len(primals)

        def flat(*xs):
            p_out, t_out = jvp(list(xs[:n]), list(xs[n:]))
            return list(p_out) + [instantiate(t) for t in t_out]
        outs = _batched_flat(flat, axis_size, arg_batched + arg_batched, tag)(*primals, *tangents)
        half = len(outs) // 2
        return outs[:half], outs[half:]
    outs = custom_jvp_call_p.bind(*vals, **_with_fun(params, fun, num_consts=num_consts,
                                                     jvp=_Rule(batched_rule, str(jvp))))
    return outs, [0] * len(outs)


def _custom_jvp_call_transpose(cts, *args, call_jaxpr, **params):
    """In a linear program (the function was applied to tangents), transpose
    the function itself; the rule plays no part."""
    linear = tuple(is_undefined(x) for x in args)
    transposed = higher_order.transpose_jaxpr(call_jaxpr, linear)
    outs = iter(eval_jaxpr(transposed.jaxpr, transposed.consts,
                           *[x for x in args if not is_undefined(x)],
                           *[instantiate(ct) for ct in cts]))
    return [next(outs) if lin else None for lin in linear]


def _custom_call_lower(b, args, in_avals, out_avals, call_jaxpr, **params):
    return lower_sub_jaxpr(b, call_jaxpr, args)


custom_jvp_call_p.def_impl(_custom_jvp_call_impl)
custom_jvp_call_p.def_abstract_eval(_custom_jvp_call_abstract_eval)
jvp_rules[custom_jvp_call_p] = _custom_jvp_call_jvp
batching_rules[custom_jvp_call_p] = _custom_jvp_call_batch
rules_taking_tag.add(custom_jvp_call_p)
staging_rules[custom_jvp_call_p] = _stage_custom_call(custom_jvp_call_p)
transpose_rules[custom_jvp_call_p] = _custom_jvp_call_transpose
lowering_rules[custom_jvp_call_p] = _custom_call_lower
pp_params_rules[custom_jvp_call_p] = _pp_params
# Partial evaluation needs no rule of its own: with known inputs the call runs
# now, with unknown ones it is staged whole (the staging rule above).

# ---------------------------------------------------------------------------
# custom_vjp

custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)
custom_vjp_call_p.takes_arrays = True


class custom_vjp:
    """A function with a user-defined VJP (``jax.custom_vjp``).

    ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)`` and
    ``bwd(residuals, cotangent) -> tuple`` with one cotangent per argument
    (``None`` for zero). Arguments in ``nondiff_argnums`` come first in
    ``bwd``'s signature; ``fwd`` gets every argument where it was.
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd, symbolic_zeros=False, optimize_remat=False):
        """Set the forward and backward passes."""
        if symbolic_zeros or optimize_remat:
            raise NotImplementedError("minijax's custom_vjp does not support symbolic_zeros "
                                      "or optimize_remat")
        self.fwd, self.bwd = fwd, bwd

    def __get__(self, instance, owner=None):
        return self if instance is None else functools.partial(self, instance)

    def __call__(self, *args, **kwargs):
        name = function_name(self.fun)
        if self.fwd is None or self.bwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
        try:
            args = resolve_kwargs(self.fun, args, kwargs)
        except TypeError as err:
            raise TypeError(f"The input arguments to the custom_vjp-decorated function {name} "
                            f"could not be resolved to positional-only arguments. Binding "
                            f"failed with the error:\n{err}") from err
        fun, fwd, bwd, dyn_args = self.fun, self.fwd, self.bwd, args
        if self.nondiff_argnums:
            fun, fwd, bwd, dyn_args = _split_nondiff_vjp(self.fun, self.fwd, self.bwd, args,
                                                         self.nondiff_argnums)
        flat_args, in_tree = tree_util.tree_flatten(dyn_args)
        in_avals = [get_aval(x) for x in flat_args]
        store = {}
        flat_fun = _flatten_fun(fun, in_tree, store)
        fwd_name, bwd_name = function_name(self.fwd), function_name(self.bwd)
        flat_fwd = _flatten_fwd(fwd, in_tree, store, name, fwd_name)
        flat_bwd = _flatten_bwd(bwd, in_tree, in_avals, store)
        consts = []
        if not _values_are_concrete():
            flat_fun, consts = _closure_convert_flat(flat_fun, in_avals, "custom_vjp")
        outs = custom_vjp_call_p.bind(*consts, *flat_args, fun=flat_fun,
                                      fwd=_Rule(flat_fwd, fwd_name),
                                      bwd=_Rule(flat_bwd, bwd_name), name=name,
                                      num_consts=len(consts), symbolic_zeros=False)
        return tree_util.tree_unflatten(store["out_tree"], outs)


def _split_nondiff_vjp(fun, fwd, bwd, args, nondiff_argnums):
    n = len(args)
    nondiff = sorted({i % n for i in nondiff_argnums})
    for i in nondiff:
        if any(isinstance(x, Tracer) for x in tree_util.tree_leaves(args[i])):
            raise UnexpectedTracerError(
                "Found a JAX Tracer object passed as an argument to a custom_vjp function in "
                "a position indicated by nondiff_argnums as non-differentiable. Tracers "
                "cannot be passed as non-differentiable arguments to custom_vjp functions; "
                "instead, nondiff_argnums should only be used for arguments that can't be or "
                "contain JAX tracers, e.g. function-valued arguments. In particular, "
                "array-valued arguments should typically not be indicated as nondiff_argnums.")
    static = [args[i] for i in nondiff]
    dyn = tuple(a for i, a in enumerate(args) if i not in nondiff)

    def merged(dyn_args):
        it_dyn, it_static = iter(dyn_args), iter(static)
        return [next(it_static) if i in nondiff else next(it_dyn) for i in range(n)]

    return (lambda *d: fun(*merged(d)), lambda *d: fwd(*merged(d)),
            lambda res, ct: bwd(*static, res, ct), dyn)


def _flatten_fwd(fwd, in_tree, store, name, fwd_name):
    """``fwd`` on flat lists: returns (outputs, residuals), records their trees."""
    def flat_fwd(primals):
        pair = fwd(*tree_util.tree_unflatten(in_tree, primals))
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {name} must produce "
                            f"a pair (list or tuple of length two) where the first element "
                            f"represents the primal output (equal to those of the "
                            f"custom_vjp-decorated function {name}) and the second element "
                            f"represents residuals (i.e. values stored from the forward pass "
                            f"for use on the backward pass), but instead of a pair the fwd "
                            f"rule {fwd_name} produced {pair}.")
        outs, out_tree = tree_util.tree_flatten(pair[0])
        expected = store.get("out_tree")
        if expected is not None and expected != out_tree:
            raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {name} must produce "
                            f"a pair (list or tuple of length two) where the first element "
                            f"represents the primal output (equal to the output of the "
                            f"custom_vjp-decorated function {name}) and the second element "
                            f"represents residuals (i.e. values stored from the forward pass "
                            f"for use on the backward pass), but instead the fwd rule "
                            f"output's first element had container/pytree structure:\n"
                            f"    {out_tree}\nwhile the custom_vjp-decorated function {name} "
                            f"had output container/pytree structure:\n    {expected}.")
        res, store["res_tree"] = tree_util.tree_flatten(pair[1])
        store["out_tree"] = out_tree
        for r in res:
            if not (isinstance(r, Tracer) or core.is_valid_value(r)):
                raise TypeError(f"Custom VJP fwd rule {fwd_name} for function {name} returned "
                                f"a residual {r!r} of type {type(r).__name__}; residuals must "
                                f"be (pytrees of) arrays.")
        return [_check_value(o) for o in outs], res
    return flat_fwd


def _flatten_bwd(bwd, in_tree, in_avals, store):
    """``bwd`` on flat lists: one cotangent per input leaf, ``Zero`` where the
    rule said ``None`` (for a leaf or a whole subtree)."""
    def flat_bwd(res, cts_out):
        py_res = tree_util.tree_unflatten(store["res_tree"], res)
        py_cts = tree_util.tree_unflatten(store["out_tree"], cts_out)
        py_cts_in = bwd(py_res, py_cts)
        if isinstance(py_cts_in, list) and len(py_cts_in) == len(in_tree.children_defs):
            py_cts_in = tuple(py_cts_in)
        per_leaf = _match_cotangents(py_cts_in, in_tree)
        out = []
        for i, (aval, ct) in enumerate(zip(in_avals, per_leaf)):
            expected = tangent_aval(aval)
            if ct is None or expected.dtype == dtypes.float0:
                out.append(Zero(expected))
                continue
            got = get_aval(ct)
            if got.shape != expected.shape or got.dtype != expected.dtype:
                path = tree_util.keystr(tree_util.tree_flatten_with_path(
                    tree_util.tree_unflatten(in_tree, [0] * in_tree.num_leaves))[0][i][0])
                raise ValueError(f"Custom VJP bwd rule must produce an output with the same "
                                 f"type as the args tuple of the primal function, but at "
                                 f"output{path} the bwd rule produced an output of type "
                                 f"{got.str_short()} corresponding to an input of type "
                                 f"{aval.str_short()}")
            out.append(ct)
        return out
    return flat_bwd


def _match_cotangents(py_cts_in, in_tree):
    """One entry per input leaf: the cotangent, or None (a ``None`` stands for
    the whole subtree it replaces). TypeError, as in JAX, on a structure mismatch."""
    dummy = tree_util.tree_unflatten(in_tree, [object()] * in_tree.num_leaves)
    try:
        if not isinstance(py_cts_in, tuple):
            raise ValueError
        leaves, tree = tree_util.tree_flatten(py_cts_in, is_leaf=lambda x: x is None)
        subtrees = tree_util.flatten_up_to(tree, dummy)
    except ValueError:
        raise TypeError(f"Custom VJP bwd rule must produce an output with the same container "
                        f"(pytree) structure as the args tuple of the primal function, and "
                        f"in particular must produce a tuple of length equal to the number "
                        f"of arguments to the primal function, but got bwd output structure "
                        f"{tree_util.tree_structure(py_cts_in)} for primal input structure "
                        f"{in_tree}.") from None
    out = []
    for leaf, sub in zip(leaves, subtrees):
        n = len(tree_util.tree_leaves(sub))
        out.extend([leaf] * n if leaf is None else [leaf])
    return out


def _custom_vjp_call_jvp(primals, tangents, *, fwd, bwd, num_consts, name, **params):
    """Run ``fwd`` now; the tangents go through a ``custom_lin`` equation that
    only reverse mode can use (its transpose calls ``bwd``)."""
    _, primals = split_list(primals, [num_consts])
    const_tangents, tangents = split_list(tangents, [num_consts])
    _check_closed_tangents(const_tangents, name)
    outs, res = fwd(primals)
    out_avals = tuple(tangent_aval(get_aval(o)) for o in outs)
    tangents_out = custom_lin_p.bind(*res, *[instantiate(t) for t in tangents],
                                     num_res=len(res), bwd=bwd, out_avals=out_avals)
    return outs, tangents_out


def _custom_vjp_call_batch(axis_size, vals, dims, *, fwd, bwd, num_consts, tag, **params):
    """Batch the function, ``fwd`` (outputs and residuals at axis 0) and
    ``bwd`` (cotangents of unbatched inputs summed over the batch)."""
    vals, in_batched = _batch_args(axis_size, vals, dims)
    fun = _batched_flat(_fun_of(params), axis_size, in_batched, tag)
    arg_batched = in_batched[num_consts:]
    n_out = []

    def batched_fwd(primals):
        def flat(*xs):
            outs, res = fwd(list(xs))
            n_out[:] = [len(outs)]
            return list(outs) + list(res)
        outs = _batched_flat(flat, axis_size, arg_batched, tag)(*primals)
        return outs[:n_out[0]], outs[n_out[0]:]

    def batched_bwd(res, cts):
        n_res = len(res)
        zeros = []   # per input: the symbolic zero bwd gave it, or None

        def flat(*xs):
            cts_in = bwd(list(xs[:n_res]), list(xs[n_res:]))
            zeros[:] = [ct if type(ct) is Zero else None for ct in cts_in]
            return [ct for ct in cts_in if type(ct) is not Zero]   # (float0 ones among them)
        nonzero = _batched_flat(flat, axis_size, [True] * (n_res + len(cts)), tag)(*res, *cts)
        summed = [ct if b else lax.reduce_sum(ct, (0,)) for ct, b in
                  zip(nonzero, [b for b, z in zip(arg_batched, zeros) if z is None])]
        is_zero = [z is not None for z in zeros]
        return merge_lists(is_zero, summed, [z for z in zeros if z is not None])

    outs = custom_vjp_call_p.bind(*vals, **_with_fun(
        params, fun, num_consts=num_consts, fwd=_Rule(batched_fwd, str(fwd)),
        bwd=_Rule(batched_bwd, str(bwd))))
    return outs, [0] * len(outs)


custom_vjp_call_p.def_impl(_custom_jvp_call_impl)
custom_vjp_call_p.def_abstract_eval(_custom_jvp_call_abstract_eval)
jvp_rules[custom_vjp_call_p] = _custom_vjp_call_jvp
batching_rules[custom_vjp_call_p] = _custom_vjp_call_batch
rules_taking_tag.add(custom_vjp_call_p)
staging_rules[custom_vjp_call_p] = _stage_custom_call(custom_vjp_call_p)
lowering_rules[custom_vjp_call_p] = _custom_call_lower
pp_params_rules[custom_vjp_call_p] = _pp_params

# ---------------------------------------------------------------------------
# custom_lin: the linear stand-in for a custom_vjp function in reverse mode

custom_lin_p = Primitive("custom_lin", multiple_results=True)

_NO_JVP = "can't apply forward-mode autodiff (jvp) to a custom_vjp function."


def _custom_lin_no_jvp(*args, **params):
    # Evaluating custom_lin means someone wants the tangents themselves:
    # forward mode, which a custom_vjp function cannot give. Use custom_jvp.
    raise TypeError(_NO_JVP)


@custom_lin_p.def_abstract_eval
def _custom_lin_abstract_eval(*avals, num_res, bwd, out_avals):
    return list(out_avals)


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals):
    res, _ = split_list(args, [num_res])
    cts_in = bwd(list(res), [instantiate(ct) for ct in cts])
    return [None] * num_res + list(cts_in)


custom_lin_p.def_impl(_custom_lin_no_jvp)
transpose_rules[custom_lin_p] = _custom_lin_transpose
batching_rules[custom_lin_p] = lambda axis_size, vals, dims, **params: _custom_lin_no_jvp()
lowering_rules[custom_lin_p] = lambda *args, **params: _custom_lin_no_jvp()


# ---------------------------------------------------------------------------
# Conveniences on top


def custom_gradient(fun):
    """``fun(*args) -> (out, vjp)`` as a custom_vjp function (TensorFlow's API)."""
    @custom_vjp
    def wrapped(*args):
        return fun(*args)[0]

    def fwd(*args):
        out, rule = fun(*args)
        # The residual is the rule itself, as a jaxpr: the values it closes
        # over become arrays (leaves of a Partial), as residuals must be.
        converted, consts = closure_convert(rule, out)
        return out, tree_util.Partial(_consts_first(converted), *consts)

    def bwd(rule, ct):
        cts = rule(ct)
        return cts if isinstance(cts, tuple) else (cts,)

    functools.update_wrapper(wrapped, fun)
    wrapped.defvjp(fwd, bwd)
    return wrapped


def _consts_first(converted):
    return lambda *xs: converted(xs[-1], *xs[:-1])


def closure_convert(fun, *example_args):
    """``(converted, consts)``: ``converted(*args, *consts)`` computes ``fun(*args)``
    with the tracers ``fun`` closed over passed explicitly, so a custom_vjp
    rule can return cotangents for them."""
    flat_args, in_tree = tree_util.tree_flatten(example_args)
    store = {}
    flat_fun = _flatten_fun(fun, in_tree, store)
    jaxpr, consts = trace_to_jaxpr(flat_fun, [get_aval(x) for x in flat_args],
                                   debug_name=function_name(fun), purpose="closure_convert")
    closed, hoisted = close_jaxpr(jaxpr, consts)
    n_hoisted = len(hoisted)

    def converted(*args_and_consts):
        args, hoisted_vals = split_list(args_and_consts, [len(args_and_consts) - n_hoisted])
        leaves, tree = tree_util.tree_flatten(tuple(args))
        if tree != in_tree:
            raise TypeError(f"The inputs to the closure produced by closure_convert must have "
                            f"the same Pytree structure as the example arguments passed when "
                            f"closure_convert was called. Expected {in_tree}, but got {tree}")
        outs = eval_jaxpr(closed.jaxpr, closed.consts, *hoisted_vals, *leaves)
        return tree_util.tree_unflatten(store["out_tree"], outs)
    return converted, list(hoisted)
