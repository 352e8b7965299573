"""Partial evaluation and ``linearize`` (Chapter 8, first half).

``linearize(f, x)`` returns ``f(x)`` and the linear function ``v ↦ ∂f(x) v``.
JAX builds it from two pieces we already have:

1. run ``f`` under forward mode, with *known* primals and *unknown* tangents;
2. run that under a **partial evaluator**: an interpreter that computes every
   operation whose inputs are all known (right away, by handing it to its
   parent), and *stages* every operation that touches an unknown value into a
   jaxpr.

In a JVP, primal values never depend on tangents, so the whole primal
computation runs now; the tangent computation (which is linear in the
tangents) becomes the staged jaxpr. The known values it reads, such as
``cos(x)`` in the tangent of ``sin``, are its *residuals*: they enter the
jaxpr as constants.

The partial evaluator is the staging interpreter of Chapter 7 with one
change: an operation with only known inputs is evaluated instead of recorded.
"""
from . import tree_util
from .api_util import check_callable, function_name, split_aux
from .core import bind_with_trace, get_aval, set_current_trace
from .jaxpr import ClosedJaxpr, JaxprTrace, JaxprTracer, eval_jaxpr, trace_to_jaxpr
from .forward_mode import Zero, instantiate, jvp_flat, tangent_aval
from .util import merge_lists, partition_list

partial_eval_rules = {}   # primitive -> rule(trace, args, **params), for higher-order primitives


class PartialEvalTrace(JaxprTrace):
    """Evaluates what it knows, stages what it does not.

    Known values are ordinary values of the parent interpreter; unknown values
    are this trace's tracers. Known values read by staged equations become the
    jaxpr's constants: the residuals.
    """

    records_everything = False

    def is_unknown(self, x):
        return isinstance(x, JaxprTracer) and x._trace is self

    def process_primitive(self, primitive, args, params):
        for x in args:
            if isinstance(x, JaxprTracer) and x._trace is self:
                break
        else:
            return bind_with_trace(self.parent, primitive, args, params)   # all known: now
        rule = partial_eval_rules.get(primitive)
        if rule is not None:                          # jit, cond, ...: split the body
            return rule(self, args, **params)
        return super().process_primitive(primitive, args, params)   # stage it

    def describe(self):
        name = self.debug_name or "a function"
        return f"while linearizing {name}"


def linearize_flat(fun, primals, debug_name=None, num_aux=lambda: 0):
    """Linearize ``fun`` (flat lists in and out) at ``primals``.

    Returns ``(primals_out, linear_jaxpr, residuals)``: the jaxpr maps input
    tangents (one per primal, ``float0`` for integers) to output tangents, with
    the residuals as its constants. The last ``num_aux()`` outputs of ``fun``
    (a count known once ``fun`` has been traced) are auxiliary data: their
    values are returned, their tangents dropped.
    """
    pe = PartialEvalTrace(debug_name=debug_name, purpose="linearize")
    tangents_in = []
    for p in primals:
        t_aval = tangent_aval(get_aval(p))
        tracer = pe.new_arg(t_aval)
        tangents_in.append(Zero(t_aval) if t_aval.dtype.kind == "V" else tracer)
    with set_current_trace(pe, retire=True):
        primals_out, tangents_out = jvp_flat(fun, primals, tangents_in)
        n_out = len(tangents_out) - num_aux()
        tangents_out = [instantiate(t) for t in tangents_out[:n_out]]
    for p in primals_out:
        assert not pe.is_unknown(p), "a primal output depends on the input tangents"
    jaxpr, residuals = pe.to_jaxpr(tangents_out)
    return primals_out, jaxpr, residuals


def flatten_fun(fun, in_tree, has_aux, name):
    """``fun`` on flat leaves; with ``has_aux`` the aux leaves follow the outputs.

    Returns ``(flat_fun, info)``; after a call, ``info`` holds ``out_tree``,
    ``aux_tree`` and ``num_aux``.
    """
    check_callable(fun)
    info = {"num_aux": 0, "aux_tree": None}

    def flat_fun(*xs):
        out = fun(*tree_util.tree_unflatten(in_tree, xs))
        aux_leaves = []
        if has_aux:
            out, aux = split_aux(out, name)
            aux_leaves, info["aux_tree"] = tree_util.tree_flatten(aux)
        leaves, info["out_tree"] = tree_util.tree_flatten(out)
        info["num_aux"] = len(aux_leaves)
        return leaves + aux_leaves
    return flat_fun, info


def linearize(fun, *primals, has_aux=False):
    """``(fun(*primals), f_jvp)`` where ``f_jvp(*tangents)`` is the JVP at ``primals``,
    evaluated from a stored linear jaxpr (no re-tracing of ``fun``)."""
    flat_primals, in_tree = tree_util.tree_flatten(primals)
    flat_fun, info = flatten_fun(fun, in_tree, has_aux, "linearize")
    primals_out, jaxpr, residuals = linearize_flat(flat_fun, flat_primals, function_name(fun),
                                                   lambda: info["num_aux"])
    in_avals = [get_aval(p) for p in flat_primals]
    out_tree = info["out_tree"]

    def f_jvp(*tangents):
        flat_t, t_tree = tree_util.tree_flatten(tangents)
        if t_tree != in_tree:
            raise TypeError(f"linearized function called on tangent values inconsistent with "
                            f"the original primal values: expected structure {in_tree}, got "
                            f"{t_tree}.")
        for aval, t in zip(in_avals, flat_t):
            expected, got = tangent_aval(aval), get_aval(t)
            if got.shape != expected.shape or got.dtype != expected.dtype:
                raise ValueError(f"linearized function called on tangent values inconsistent "
                                 f"with the original primal values: got tangent "
                                 f"{got.str_short()} for primal {aval.str_short()}.")
        outs = eval_jaxpr(jaxpr, residuals, *flat_t)
        return tree_util.tree_unflatten(out_tree, outs)

    n = out_tree.num_leaves
    out = tree_util.tree_unflatten(out_tree, primals_out[:n])
    if has_aux:
        return out, f_jvp, tree_util.tree_unflatten(info["aux_tree"], primals_out[n:])
    return out, f_jvp


# ---------------------------------------------------------------------------
# Partial evaluation of a whole jaxpr (used by higher-order primitives)


def partial_eval_jaxpr(closed, unknowns, instantiate_outputs=False):
    """Split ``closed`` into a known and an unknown jaxpr.

    ``unknowns[i]`` says whether input i is unknown. Returns ``(known,
    unknown, out_unknowns, num_residuals)`` where ``known`` maps the known
    inputs to (known outputs + residuals) and ``unknown`` maps (residuals +
    unknown inputs) to the unknown outputs. With ``instantiate_outputs`` every
    output is made unknown (known ones are passed through as residuals).
    """
    in_avals = closed.in_avals
    known_avals, unknown_avals = partition_list(unknowns, in_avals)
    result = {}

    def known_fun(*known_in):
        # Runs under a staging trace K: known work is recorded into K.
        pe = PartialEvalTrace(purpose="partial evaluation")
        args = merge_lists(unknowns, known_in, [pe.new_arg(a) for a in unknown_avals])
        with set_current_trace(pe, retire=True):
            outs = eval_jaxpr(closed.jaxpr, closed.consts, *args)
        out_unknowns = [pe.is_unknown(o) or instantiate_outputs for o in outs]
        known_outs, unknown_outs = partition_list(out_unknowns, outs)
        jaxpr, residuals = pe.to_jaxpr(unknown_outs)
        # The unknown jaxpr takes the residuals as leading inputs.
        jaxpr.invars = jaxpr.constvars + jaxpr.invars
        jaxpr.constvars = []
        result.update(unknown=ClosedJaxpr(jaxpr, []), out_unknowns=out_unknowns,
                      num_res=len(residuals))
        return known_outs + list(residuals)

    known_jaxpr, known_consts = trace_to_jaxpr(known_fun, known_avals,
                                               purpose="partial evaluation")
    known = ClosedJaxpr(known_jaxpr, known_consts)
    return known, result["unknown"], result["out_unknowns"], result["num_res"]
