"""Checkpointing: trading memory for recomputation in reverse mode (Chapter 15).

Reverse mode keeps *residuals*: the values of the forward computation that the
backward pass reads (``cos(x)`` for the derivative of ``sin(x)``, the inputs
of a product, ...). ``checkpoint(f)`` (alias ``remat``) says: do not keep the
residuals computed inside ``f``; keep only ``f``'s inputs, and run ``f``'s
forward computation again during the backward pass to get them back.

It is a higher-order primitive, ``remat2``, carrying ``f``'s jaxpr:

* eager, ``jit``: it just runs (lowers) the jaxpr;
* ``jvp`` and ``vmap``: a ``remat2`` of the transformed jaxpr;
* **partial evaluation** (where ``linearize``, hence ``grad``, decides what is
  saved): the known part of the jaxpr runs now, and a *policy* decides which
  of its intermediate values may be saved as residuals. Every other value the
  tangent computation needs is recomputed from the saved ones, in a staged
  ``remat2`` marked ``differentiated=True``;
* transpose: a ``remat2`` of the transposed jaxpr, so the recomputation
  happens in the backward pass.

``checkpoint_name(x, "name")`` tags a value (a ``name`` primitive, the
identity) so that a policy can pick it by name. ``print_saved_residuals(f,
*args)`` lists what ``grad`` of ``f`` would save, and where it came from.

Binomial checkpointing of whole loops, which JAX does not have, lives in
``checkpointed_loops.py`` and is re-exported here.
"""
import dataclasses
import functools
import types

from . import source_info, tree_util
from .api_util import dynamic_leaf_names, function_name
from .batching import batching_rules, moveaxis, not_mapped
from .core import Primitive, get_aval, set_current_trace
from .forward_mode import Zero, instantiate, jvp_rules, tangent_aval
from .higher_order import batch_jaxpr, jvp_jaxpr, transpose_jaxpr
from .jaxpr import (ClosedJaxpr, Jaxpr, JaxprTrace, JaxprTracer, Literal, Var, eval_jaxpr,
                    trace_to_jaxpr)
from .lax.reductions import dot_general_p
from .lowering import lower_sub_jaxpr, lowering_rules, tensor_type
from .partial_eval import linearize_flat, partial_eval_jaxpr, partial_eval_rules
from .transpose import is_undefined, transpose_rules
from .util import merge_lists, partition_list, split_list

# ---------------------------------------------------------------------------
# Policies: which values computed inside a checkpointed function may be saved.
# A policy is called as ``policy(primitive, *input_avals, **params)`` for each
# equation whose inputs are all known, and returns True to allow saving its
# outputs. Inputs of the checkpointed function are always saved.


def everything_saveable(*_, **__):
    """Save everything: as if ``checkpoint`` were not there."""
    return True


def nothing_saveable(*_, **__):
    """Save nothing but the inputs: recompute everything (the default)."""
    return False


@dataclasses.dataclass(frozen=True)
class DotsSaveable:
    """Save the results of matrix multiplications (optionally only those
    without batch dimensions); recompute the cheap elementwise work."""
    only_if_no_batch_dims: bool

    def __call__(self, prim, *avals, **params):
        if prim is not dot_general_p:
            return False   # JAX also saves convolutions; minijax has none
        if self.only_if_no_batch_dims:
            (_, _), (lhs_batch, rhs_batch) = params["dimension_numbers"]
            return not lhs_batch and not rhs_batch
        return True


checkpoint_dots = dots_saveable = DotsSaveable(False)
checkpoint_dots_with_no_batch_dims = dots_with_no_batch_dims_saveable = DotsSaveable(True)


@dataclasses.dataclass(frozen=True)
class SaveOnlyTheseNames:
    """Save only the values tagged with one of these names."""
    saveable_names: frozenset

    def __call__(self, prim, *_, **params):
        return prim is name_p and params["name"] in self.saveable_names


@dataclasses.dataclass(frozen=True)
class SaveAnyNamesButThese:
    """Save every tagged value except those with these names."""
    names: frozenset

    def __call__(self, prim, *_, **params):
        return prim is name_p and params["name"] not in self.names


def save_only_these_names(*names_which_can_be_saved):
    """Policy: save the values tagged by ``checkpoint_name`` with these names."""
    return SaveOnlyTheseNames(frozenset(names_which_can_be_saved))


def save_any_names_but_these(*names_not_to_save):
    """Policy: save every value tagged by ``checkpoint_name``, except these names."""
    return SaveAnyNamesButThese(frozenset(names_not_to_save))


def save_anything_except_these_names(*names_not_to_save):
    """Policy: save every value except those tagged with these names.

    JAX 0.10.2's version ignores the names and saves everything (a known TODO
    there); minijax does what the name says."""
    names = frozenset(names_not_to_save)
    return lambda prim, *_, **params: not (prim is name_p and params["name"] in names)


def save_from_both_policies(policy_1, policy_2):
    """Policy: a value is saveable if either policy allows it."""
    def policy(prim, *args, **params):
        out1, out2 = policy_1(prim, *args, **params), policy_2(prim, *args, **params)
        if not (isinstance(out1, bool) and isinstance(out2, bool)):
            raise ValueError(f"The return value of the policies should be a boolean. Got: "
                             f"{out1} and {out2}. Write a custom policy function directly "
                             f"instead of using this helper.")
        return out1 or out2
    return policy


checkpoint_policies = types.SimpleNamespace(
    everything_saveable=everything_saveable, nothing_saveable=nothing_saveable,
    dots_saveable=dots_saveable, checkpoint_dots=checkpoint_dots,
    dots_with_no_batch_dims_saveable=dots_with_no_batch_dims_saveable,
    checkpoint_dots_with_no_batch_dims=checkpoint_dots_with_no_batch_dims,
    save_only_these_names=save_only_these_names,
    save_any_names_but_these=save_any_names_but_these,
    save_anything_except_these_names=save_anything_except_these_names,
    save_from_both_policies=save_from_both_policies)

# ---------------------------------------------------------------------------
# checkpoint_name: the identity, with a name a policy can see


name_p = Primitive("name")
name_p.def_impl(lambda x, *, name: x)
name_p.def_abstract_eval(lambda aval, *, name: aval)


def checkpoint_name(x, name):
    """Tag every leaf of ``x`` with ``name``, for ``save_only_these_names`` and friends."""
    return tree_util.tree_map(lambda leaf: name_p.bind(leaf, name=name), x)


def _name_jvp(primals, tangents, *, name):
    (x,), (t,) = primals, tangents
    return name_p.bind(x, name=name), t   # the tangent is not named: policies see primals


jvp_rules[name_p] = _name_jvp
batching_rules[name_p] = lambda axis_size, vals, dims, *, name: (
    name_p.bind(vals[0], name=name), dims[0])
transpose_rules[name_p] = lambda ct, x, *, name: [ct]
lowering_rules[name_p] = lambda b, args, in_avals, out_aval, *, name: args[0]

# ---------------------------------------------------------------------------
# checkpoint / remat


remat_p = Primitive("remat2", multiple_results=True)


def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=()):
    """``fun`` whose internal residuals are recomputed in the backward pass
    instead of saved (those allowed by ``policy`` are still saved)."""
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    if not (type(static_argnums) is tuple and all(type(d) is int for d in static_argnums)):
        raise TypeError(f"the `static_argnums` argument to `jax.checkpoint` / `jax.remat` "
                        f"must be an int, tuple of ints or, bool, but got value "
                        f"{static_argnums}")
    if isinstance(prevent_cse, (tuple, list)):
        # JAX also takes one flag per argument; we keep the single switch.
        raise NotImplementedError("minijax.checkpoint takes prevent_cse as a single bool, "
                                  "not one flag per argument")
    if not isinstance(prevent_cse, bool):
        raise TypeError(f"prevent_cse must be a bool or tuple of bools, got "
                        f"type(prevent_cse)={type(prevent_cse)}")

    @functools.wraps(fun)
    def fun_remat(*args, **kwargs):
        static = _static_positions(static_argnums, len(args))
        dyn_args = [a for i, a in enumerate(args) if i not in static]
        flat_args, in_tree = tree_util.tree_flatten((dyn_args, kwargs))
        out_tree = None

        def flat_fun(*leaves):
            nonlocal out_tree
            dyn, kw = tree_util.tree_unflatten(in_tree, leaves)
            dyn = iter(dyn)
            full = [a if i in static else next(dyn) for i, a in enumerate(args)]
            out_leaves, out_tree = tree_util.tree_flatten(fun(*full, **kw))
            return out_leaves

        jaxpr, consts = trace_to_jaxpr(flat_fun, [get_aval(x) for x in flat_args],
                                       function_name(fun), purpose="checkpoint")
        body, consts = _const_free(ClosedJaxpr(jaxpr, consts))
        outs = remat_p.bind(*consts, *flat_args, jaxpr=body, prevent_cse=prevent_cse,
                            differentiated=False, policy=policy)
        return tree_util.tree_unflatten(out_tree, outs)
    return fun_remat


remat = checkpoint


def _static_positions(static_argnums, n_args):
    if not all(-n_args <= d < n_args for d in static_argnums):
        raise ValueError(f"the `static_argnums` argument to `jax.checkpoint` / `jax.remat` "
                         f"can only take integer values greater than or equal to "
                         f"`-len(args)` and less than `len(args)`, but got {static_argnums}, "
                         f"while `len(args)` = {n_args}")
    return {d % n_args for d in static_argnums}


def _const_free(closed):
    """``remat2``'s jaxpr is an open jaxpr without constants (as in JAX): they
    become its leading inputs. Returns (the jaxpr, the values to pass for them)."""
    j = closed.jaxpr
    return Jaxpr([], j.constvars + j.invars, j.outvars, j.eqns), list(closed.consts)


def _closed(jaxpr):
    """The ClosedJaxpr the jaxpr-transforming helpers take."""
    return ClosedJaxpr(jaxpr, [])


@remat_p.def_impl
def _remat_impl(*args, jaxpr, prevent_cse, differentiated, policy):
    return eval_jaxpr(jaxpr, [], *args)


@remat_p.def_abstract_eval
def _remat_abstract_eval(*avals, jaxpr, prevent_cse, differentiated, policy):
    return jaxpr.out_avals


def _remat_jvp(primals, tangents, jaxpr, prevent_cse, differentiated, policy):
    nonzeros = tuple(type(t) is not Zero for t in tangents)
    n_out = len(jaxpr.out_avals)
    jvp_closed, out_nonzeros = jvp_jaxpr(_closed(jaxpr), nonzeros, (False,) * n_out)
    jvp_closed, consts = _const_free(jvp_closed)
    outs = remat_p.bind(*consts, *primals, *[t for t in tangents if type(t) is not Zero],
                        jaxpr=jvp_closed, prevent_cse=prevent_cse,
                        differentiated=differentiated, policy=policy)
    primals_out, tangents_out = split_list(outs, [n_out])
    tangents_out = iter(tangents_out)
    return primals_out, [next(tangents_out) if nz else Zero(tangent_aval(a))
                         for nz, a in zip(out_nonzeros, jaxpr.out_avals)]


def _remat_batch(axis_size, vals, dims, jaxpr, **params):
    in_batched = tuple(d is not not_mapped for d in dims)
    vals = [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    batched, out_batched = batch_jaxpr(_closed(jaxpr), axis_size, in_batched,
                                       (False,) * len(jaxpr.out_avals))
    batched, consts = _const_free(batched)
    outs = remat_p.bind(*consts, *vals, jaxpr=batched, **params)
    return outs, [0 if b else not_mapped for b in out_batched]


# -- partial evaluation: where the policy acts ---------------------------------


def _remat_partial_eval(trace, args, **params):
    """Run the known part now, keeping only what the policy allows; stage a
    ``remat2`` that recomputes the rest from those residuals."""
    jaxpr, policy = params["jaxpr"], params["policy"] or nothing_saveable
    unknowns = [trace.is_unknown(x) for x in args]
    known, known_consts, (staged, staged_consts), out_unknowns, num_res = split_by_policy(
        jaxpr, unknowns, policy)
    known_args, unknown_args = partition_list(unknowns, args)
    # As in JAX the known part is not wrapped in a remat2: it runs (or is
    # staged, under jit) inline, like the rest of the forward pass.
    with set_current_trace(trace.parent):
        outs = eval_jaxpr(known, [], *known_consts, *known_args)
    known_outs, residuals = split_list(outs, [len(outs) - num_res])
    if not any(out_unknowns):
        return known_outs
    staged_outs = trace.stage_primitive(
        remat_p, staged_consts + residuals + unknown_args,
        dict(params, jaxpr=staged, differentiated=True))
    return merge_lists(out_unknowns, known_outs, staged_outs)


def split_by_policy(jaxpr, unknowns, policy):
    """Split ``jaxpr`` into a known part and a staged part, the policy choosing
    the residuals.

    Returns ``(known, known_consts, (staged, staged_consts), out_unknowns,
    num_residuals)``: ``known`` maps (its constants, the known inputs) to (known
    outputs + residuals); ``staged`` maps (its constants, residuals, unknown
    inputs) to the unknown outputs. Both are open jaxprs without constvars.

    Two steps. Ordinary partial evaluation (the one ``linearize`` uses, which
    also splits nested ``jit``, ``cond``, ``scan`` and ``remat2`` equations)
    gives a known jaxpr and the residuals it would save. Then every residual
    the policy does not allow is *rematerialized*: the staged side recomputes
    it from saveable values, walking back through the known equations.
    """
    known, unknown, out_unknowns, n_res = partial_eval_jaxpr(_closed(jaxpr), list(unknowns))
    kj = known.jaxpr
    n_known_out = len(kj.outvars) - n_res
    old_res = kj.outvars[n_known_out:]
    producer, saveable = {}, set(kj.invars)          # known inputs: always saveable
    for eqn in kj.eqns:
        producer.update((v, eqn) for v in eqn.outvars)
        if policy(eqn.primitive, *[a.aval for a in eqn.invars], **eqn.params):
            saveable.update(eqn.outvars)
    consts = set(kj.constvars)
    residual_set, recompute, seen = set(), set(), set()
    todo = list(old_res)
    while todo:                                       # walk back to saveable values
        a = todo.pop()
        if type(a) is not Var or a in consts or a in seen:
            continue
        seen.add(a)
        if a in saveable:
            residual_set.add(a)
        else:
            recompute.add(id(producer[a]))
            todo.extend(producer[a].invars)
    residuals = ([v for v in kj.invars if v in residual_set]
                 + [v for eqn in kj.eqns for v in eqn.outvars if v in residual_set])
    known_outs = kj.outvars[:n_known_out] + residuals
    new_known = Jaxpr(kj.constvars, kj.invars, known_outs, _live_eqns(kj.eqns, known_outs))
    rematerialize = Jaxpr(kj.constvars, residuals, old_res,
                          [e for e in kj.eqns if id(e) in recompute])

    def staged_fun(*args):
        res, unknown_ins = split_list(args, [len(residuals)])
        recomputed = eval_jaxpr(rematerialize, known.consts, *res)
        return eval_jaxpr(unknown.jaxpr, unknown.consts, *recomputed, *unknown_ins)

    staged, staged_consts = trace_to_jaxpr(
        staged_fun, [v.aval for v in residuals] + unknown.in_avals[n_res:],
        purpose="checkpoint")
    new_known, known_consts = _const_free(ClosedJaxpr(new_known, known.consts))
    # Constants of either side are passed as leading inputs (remat2 has none).
    return (new_known, known_consts, _const_free(ClosedJaxpr(staged, staged_consts)),
            out_unknowns, len(residuals))


def _live_eqns(eqns, outs):
    """The equations among ``eqns`` that ``outs`` depend on, in order."""
    live = {v for v in outs if type(v) is Var}
    kept = []
    for eqn in reversed(eqns):
        if any(v in live for v in eqn.outvars):
            kept.append(eqn)
            live.update(a for a in eqn.invars if type(a) is Var)
    return kept[::-1]


def _remat_transpose(cts, *args, jaxpr, prevent_cse, differentiated, policy):
    """Transpose inside a ``remat2``: the recomputation it contains runs in
    the backward pass, right where its values are needed."""
    linear = tuple(is_undefined(x) for x in args)
    transposed, consts = _const_free(transpose_jaxpr(_closed(jaxpr), linear))
    outs = iter(remat_p.bind(*consts, *[x for x in args if not is_undefined(x)],
                             *[instantiate(ct) for ct in cts], jaxpr=transposed,
                             prevent_cse=prevent_cse, differentiated=True, policy=policy))
    return [next(outs) if lin else None for lin in linear]


def _remat_lower(b, args, in_avals, out_avals, jaxpr, prevent_cse, differentiated, policy):
    """Inline the jaxpr. In the backward pass, an optimization barrier on the
    inputs stops XLA from merging the recomputation with the forward pass's
    copy of it (common-subexpression elimination would undo the checkpoint)."""
    if differentiated and prevent_cse and args:
        args = _optimization_barrier(b, args, in_avals)
    return lower_sub_jaxpr(b, _closed(jaxpr), args)


def _optimization_barrier(b, args, avals):
    results = [b.fresh() for _ in args]
    types_ = ", ".join(tensor_type(a) for a in avals)
    lhs = results[0] if len(args) == 1 else f"{results[0]}:{len(args)}"
    outs = types_ if len(args) == 1 else f"({types_})"
    b.emit(f'{lhs} = "stablehlo.optimization_barrier"({", ".join(args)}) : ({types_}) -> '
           f'{outs}')
    return results[:1] if len(args) == 1 else [f"{results[0]}#{i}" for i in range(len(args))]


jvp_rules[remat_p] = _remat_jvp
batching_rules[remat_p] = _remat_batch
partial_eval_rules[remat_p] = _remat_partial_eval
transpose_rules[remat_p] = _remat_transpose
lowering_rules[remat_p] = _remat_lower

# ---------------------------------------------------------------------------
# print_saved_residuals


def saved_residuals(f, *args, **kwargs):
    """``[(aval, description)]``: the residuals ``grad`` of ``f`` would keep."""
    flat_args, in_tree = tree_util.tree_flatten((args, kwargs))
    names = dynamic_leaf_names(f, args, kwargs)

    def flat_f(*leaves):
        a, kw = tree_util.tree_unflatten(in_tree, leaves)
        return tree_util.tree_flatten(f(*a, **kw))[0]

    # Linearize under a staging trace: the forward pass becomes equations of
    # ``outer`` (with their origins recorded), the residuals tracers of it.
    outer = JaxprTrace(debug_name=function_name(f), purpose="saved_residuals")
    with source_info.recording(), set_current_trace(outer, retire=True):
        primals = [outer.new_arg(get_aval(x)) for x in flat_args]
        _, linear, residuals = linearize_flat(flat_f, primals, function_name(f))
    res_vars = {r._var for r in residuals if isinstance(r, JaxprTracer) and r._trace is outer}
    # Known scalars the linear program reads are written into it as literals;
    # JAX counts them as residuals too.
    results = [(a.aval, "from a literal") for eqn in linear.eqns for a in eqn.invars
               if type(a) is Literal]
    results += [(get_aval(r), "from a constant") for r in residuals
                if not (isinstance(r, JaxprTracer) and r._trace is outer)]
    for v, name in zip(outer.invars, names):
        if v in res_vars:
            results.append((v.aval, f"from the argument {name}"))
    for eqn in outer.eqns:
        for v in eqn.outvars:
            if v in res_vars:
                results.append((v.aval, _describe_origin(eqn)))
    return results


def _describe_origin(eqn):
    where = source_info.summarize(eqn.source_info)
    if eqn.primitive is name_p:
        return f"named '{eqn.params['name']}' from {where}"
    if eqn.primitive.name == "jit":
        return f"output of jitted function '{eqn.params['name']}' from {where}"
    return f"output of {eqn.primitive.name} from {where}"


def print_saved_residuals(f, *args, **kwargs):
    """Print one line per residual ``grad`` of ``f`` would save: its type and origin."""
    for aval, description in saved_residuals(f, *args, **kwargs):
        print(f"{aval.str_short()} {description}")

# Binomial checkpointing of loops (beyond JAX): see checkpointed_loops.py.
from .checkpointed_loops import (checkpointed_scan, checkpointed_while_loop,  # noqa: E402
                                 revolve_schedule)
