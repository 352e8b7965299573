"""Transforming jaxprs: the toolkit of higher-order primitives (Chapters 9-10).

``jit``, ``cond``, ``while_loop`` and ``scan`` are primitives whose parameters
include jaxprs (the function to compile, the branches, the loop body). Their
transformation rules must transform those jaxprs. Each helper here does it
the same way: evaluate the jaxpr (``eval_jaxpr`` only calls ``bind``) under
the transformation, and stage the result into a new jaxpr.

* ``jvp_jaxpr``: (primals, tangents) -> (primal outs, tangent outs)
* ``batch_jaxpr``: the same computation on inputs with a leading batch axis
* ``partial_eval_jaxpr`` (in ``partial_eval.py``): split into known and unknown parts
* ``transpose_jaxpr``: (non-linear inputs, output cotangents) -> input cotangents

Transformed jaxprs are memoized per source jaxpr (held weakly), so calling
``grad(jit(f))`` twice compiles the derivative once.
"""
import functools
import weakref

from .core import ShapedArray
from .jaxpr import ClosedJaxpr, Jaxpr, jaxpr_as_fun, trace_to_jaxpr
from .forward_mode import Zero, instantiate, jvp_flat, tangent_aval, zeros_like_aval
from .partial_eval import partial_eval_jaxpr as _partial_eval_jaxpr
from .transpose import backward_pass
from .batching import batch_flat, move_batch_axis, not_mapped
from .util import merge_lists, partition_list, split_list


def memoize_on_jaxpr(fn):
    """Cache ``fn(closed_jaxpr, *hashable_args)`` for as long as the jaxpr lives."""
    cache = weakref.WeakKeyDictionary()

    @functools.wraps(fn)
    def memoized(closed, *args):
        per_jaxpr = cache.setdefault(closed, {})
        if args not in per_jaxpr:
            per_jaxpr[args] = fn(closed, *args)
        return per_jaxpr[args]
    return memoized


def _closed(fun, in_avals):
    jaxpr, consts = trace_to_jaxpr(fun, in_avals, purpose="a higher-order primitive")
    return ClosedJaxpr(jaxpr, consts)


def with_zeros(nonzeros, avals, tangents):
    """One tangent per aval: the next of ``tangents`` where ``nonzeros`` says
    so, a symbolic Zero elsewhere."""
    zeros = [Zero(tangent_aval(a)) for a in partition_list(nonzeros, avals)[0]]
    return merge_lists(nonzeros, zeros, tangents)


@memoize_on_jaxpr
def jvp_jaxpr(closed, nonzeros, instantiate_outputs):
    """The JVP of ``closed``: inputs are the primals then the tangents of the
    inputs marked in ``nonzeros``; outputs are the primal outputs then the
    tangents that are not symbolically zero (all of them where
    ``instantiate_outputs`` says so). Returns ``(jaxpr, out_nonzeros)``."""
    in_avals = closed.in_avals
    _, nonzero_avals = partition_list(nonzeros, in_avals)
    tangent_avals = [tangent_aval(a) for a in nonzero_avals]
    out_nonzeros = []

    def fun(*args):
        primals, nonzero_tangents = split_list(args, [len(in_avals)])
        tangents = with_zeros(nonzeros, in_avals, nonzero_tangents)
        primals_out, tangents_out = jvp_flat(jaxpr_as_fun(closed), primals, tangents)
        out_nonzeros[:] = [type(t) is not Zero or inst
                           for t, inst in zip(tangents_out, instantiate_outputs)]
        _, nonzero_out = partition_list(out_nonzeros, tangents_out)
        return list(primals_out) + [instantiate(t) for t in nonzero_out]
    return _closed(fun, list(in_avals) + tangent_avals), tuple(out_nonzeros)


def batched_aval(aval, axis_size):
    return ShapedArray((axis_size,) + aval.shape, aval.dtype, aval.weak_type)


@memoize_on_jaxpr
def batch_jaxpr(closed, axis_size, in_batched, instantiate_outputs):
    """``closed`` on inputs with a leading batch axis (where ``in_batched``).
    Outputs are batched at axis 0 where the computation made them so, or
    where ``instantiate_outputs`` asks. Returns ``(jaxpr, out_batched)``."""
    in_avals = [batched_aval(a, axis_size) if b else a
                for a, b in zip(closed.in_avals, in_batched)]
    out_batched = []

    def fun(*args):
        dims = [0 if b else not_mapped for b in in_batched]
        outs = batch_flat(jaxpr_as_fun(closed), axis_size, args, dims)
        out_batched[:] = [d is not not_mapped or inst
                          for (_, d), inst in zip(outs, instantiate_outputs)]
        return [move_batch_axis(axis_size, v, d, 0 if b else None)
                for (v, d), b in zip(outs, out_batched)]
    return _closed(fun, in_avals), tuple(out_batched)


@memoize_on_jaxpr
def partial_eval_jaxpr(closed, unknowns, instantiate_outputs=False):
    """Memoized ``partial_eval.partial_eval_jaxpr``."""
    return _partial_eval_jaxpr(closed, list(unknowns), instantiate_outputs)


@memoize_on_jaxpr
def transpose_jaxpr(closed, linear):
    """The transpose of ``closed`` with respect to the inputs marked ``linear``.

    The result takes the non-linear inputs, then one cotangent per output, and
    returns one cotangent per linear input (zeros where none flows back).
    """
    in_avals = closed.in_avals
    nonlinear_avals, _ = partition_list(linear, in_avals)
    ct_avals = [tangent_aval(a) for a in closed.out_avals]
    jaxpr = closed.jaxpr
    known_vars, linear_vars = partition_list(linear, jaxpr.invars)
    # The non-linear inputs are just more constants of the linear program.
    as_linear = Jaxpr(jaxpr.constvars + known_vars, linear_vars, jaxpr.outvars, jaxpr.eqns)

    def fun(*args):
        known, cts = split_list(args, [len(nonlinear_avals)])
        cts_in = backward_pass(as_linear, list(closed.consts) + list(known), cts)
        return [zeros_like_aval(ct.aval) if type(ct) is Zero else ct for ct in cts_in]
    return _closed(fun, nonlinear_avals + ct_avals)
