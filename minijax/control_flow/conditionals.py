"""``cond`` and ``switch``: the ``cond_p`` primitive, carrying one jaxpr per branch,
and its rule in every interpreter."""
import numpy as np

from .. import dtypes, lax, tree_util
from ..api_util import function_name
from ..core import Primitive, Tracer, get_aval, set_current_trace
from ..higher_order import (batch_jaxpr, jvp_jaxpr, partial_eval_jaxpr, transpose_jaxpr,
                            with_zeros)
from ..jaxpr import ClosedJaxpr, eval_jaxpr, trace_to_jaxpr
from ..forward_mode import Zero, instantiate, jvp_rules, zeros_like_aval
from ..lowering import lower_sub_jaxpr, lowering_rules, scalar_const
from ..partial_eval import partial_eval_rules
from ..transpose import is_undefined, transpose_rules
from ..batching import batching_rules, bdim_at_front, moveaxis, not_mapped
from ..util import merge_lists, partition_list, split_list
from .common import (_cast_outputs, _describe_types, _join_consts, _partial_eval_forced,
                     _strip_weak, _trace)


cond_p = Primitive("cond", multiple_results=True)


def cond(pred, true_fun, false_fun, *operands):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, with
    ``pred`` a scalar that may be traced. Both branches are traced; only one
    runs."""
    try:
        aval = get_aval(pred)
    except TypeError:
        raise TypeError(f"Pred must be a scalar, got {pred!r} of type {type(pred)}") from None
    if aval.shape != ():
        raise TypeError(f"Pred must be a scalar, got {np.asarray(pred) if not isinstance(pred, Tracer) else pred} "
                        f"of shape {aval.shape}.")
    if aval.dtype != np.bool_ and not np.issubdtype(aval.dtype, np.number):
        raise TypeError(f"Pred type must be either boolean or number, got {aval.dtype}.")
    if aval.dtype != np.bool_:
        pred = lax.ne(pred, lax._convert_element_type(0, aval.dtype, aval.weak_type))
    index = lax.convert_element_type(pred, np.int32)
    return _switch(index, (false_fun, true_fun), operands, ("false_fun", "true_fun"))


def switch(index, branches, *operands):
    """``branches[index](*operands)``; ``index`` is clamped to the valid range."""
    branches = list(branches)
    if not branches:
        raise ValueError("Empty branch sequence")
    aval = get_aval(index)
    if aval.shape != () or aval.dtype.kind not in "iub":
        raise TypeError(f"switch index must be an integer scalar, got {aval.str_short()}")
    index = lax.convert_element_type(index, np.int32)
    index = lax.clamp(np.int32(0), index, np.int32(len(branches) - 1))
    if len(branches) == 1:
        return branches[0](*operands)
    return _switch(index, branches, operands, tuple(f"branches[{i}]" for i in
                                                    range(len(branches))))


def _switch(index, branches, operands, names):
    flat_ops, in_tree = tree_util.tree_flatten(operands)
    in_avals = [get_aval(x) for x in flat_ops]
    traced = [_trace(f, in_avals, in_tree, function_name(f), "cond") for f in branches]
    out_tree = traced[0][2]
    for (closed, _, tree), name in zip(traced[1:], names[1:]):
        if tree != out_tree:
            raise TypeError(f"cond branch outputs must have the same pytree structure, but "
                            f"{names[0]} returns {out_tree} and {name} returns {tree}.")
    out_avals = [closed.out_avals for closed, _, _ in traced]
    for avals, name in zip(out_avals[1:], names[1:]):
        if _strip_weak(avals) != _strip_weak(out_avals[0]):
            raise TypeError(f"cond branches must have equal output types, but {names[0]} "
                            f"returns ({_describe_types(out_avals[0])}) and {name} returns "
                            f"({_describe_types(avals)}).")
    # Where branches disagree on weak types, the result is strongly typed.
    weak = [all(a[i].weak_type for a in out_avals) for i in range(len(out_avals[0]))]
    if any(a[i].weak_type != w for a in out_avals for i, w in enumerate(weak)):
        traced = [_trace(_cast_outputs(f, weak), in_avals, in_tree, function_name(f), "cond")
                  for f in branches]
    jaxprs, consts = _join_consts(traced)
    outs = cond_p.bind(index, *consts, *flat_ops, branches=tuple(jaxprs))
    return tree_util.tree_unflatten(out_tree, outs)


@cond_p.def_impl
def _cond_impl(index, *args, branches):
    return eval_jaxpr(branches[int(index)].jaxpr, branches[int(index)].consts, *args)


@cond_p.def_abstract_eval
def _cond_abstract_eval(index, *avals, branches):
    if index.shape != () or index.dtype != np.int32:
        raise TypeError(f"cond index must be an int32 scalar, got {index.str_short()}")
    return branches[0].out_avals


def _cond_jvp(primals, tangents, branches):
    index, *ops = primals
    nonzeros = tuple(type(t) is not Zero for t in tangents[1:])
    n_out = len(branches[0].out_avals)
    # A tangent output is nonzero if it is in any branch.
    out_nz = [False] * n_out
    for br in branches:
        _, nz = jvp_jaxpr(br, nonzeros, (False,) * n_out)
        out_nz = [a or b for a, b in zip(out_nz, nz)]
    jvp_branches = tuple(jvp_jaxpr(br, nonzeros, tuple(out_nz))[0] for br in branches)
    _, nonzero_tangents = partition_list(nonzeros, tangents[1:])
    outs = cond_p.bind(index, *ops, *nonzero_tangents, branches=jvp_branches)
    primals_out, nonzero_out = split_list(outs, [n_out])
    return primals_out, with_zeros(out_nz, branches[0].out_avals, nonzero_out)


def _cond_batch(axis_size, vals, dims, branches):
    index, *ops = vals
    index_dim, *op_dims = dims
    n_out = len(branches[0].out_avals)
    if index_dim is not_mapped:
        in_batched = tuple(d is not not_mapped for d in op_dims)
        out_b = [False] * n_out
        for br in branches:
            _, b = batch_jaxpr(br, axis_size, in_batched, (False,) * n_out)
            out_b = [x or y for x, y in zip(out_b, b)]
        batched = tuple(batch_jaxpr(br, axis_size, in_batched, tuple(out_b))[0]
                        for br in branches)
        ops = [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(ops, op_dims)]
        outs = cond_p.bind(index, *ops, branches=batched)
        return outs, [0 if b else not_mapped for b in out_b]
    # A batched predicate: every example may take a different branch, so run
    # all branches on the whole batch and select per example.
    ops = [bdim_at_front(axis_size, v, d) for v, d in zip(ops, op_dims)]
    index = bdim_at_front(axis_size, index, index_dim)
    all_batched = (True,) * len(ops)
    results = []
    for i, br in enumerate(branches):
        batched, _ = batch_jaxpr(br, axis_size, all_batched, (True,) * n_out)
        masked = [_only_where_taken(index, i, x) for x in ops]
        results.append(eval_jaxpr(batched.jaxpr, batched.consts, *masked))
    outs = []
    for i in range(n_out):
        cases = [r[i] for r in results]
        shape = get_aval(cases[0]).shape
        which = lax.broadcast_in_dim(index, shape, (0,)) if len(shape) > 1 else index
        outs.append(lax.select_n(which, *cases))
    return outs, [0] * n_out


def _only_where_taken(index, i, x):
    """``x`` for the examples that take branch ``i``; for the others, the same
    values behind ``stop_gradient``. A branch evaluated where it was not taken
    may produce inf or nan derivatives (sqrt at 0, say); this keeps them from
    flowing back into ``x``."""
    aval = get_aval(x)
    if not dtypes.is_inexact(aval.dtype):
        return x
    taken = lax.eq(index, np.int32(i))
    if aval.ndim > 1:
        taken = lax.broadcast_in_dim(taken, aval.shape, (0,))
    return lax.select(taken, x, lax.stop_gradient(x))


def _cond_partial_eval(trace, args, **params):
    """Known index: split every branch into known and unknown parts. The known
    cond runs now and also returns every branch's residuals (zeros for the
    branches not taken), so all branches have the same outputs."""
    branches = params["branches"]
    index, *ops = args
    if trace.is_unknown(index):
        return trace.stage_primitive(cond_p, args, params)
    unknowns = tuple(trace.is_unknown(x) for x in ops)
    n_out = len(branches[0].out_avals)
    out_uk = [False] * n_out
    for _ in range(2):   # the union of unknown outputs over the branches
        for br in branches:
            _, _, uk, _ = partial_eval_jaxpr(br, unknowns, False)
            out_uk = [a or b for a, b in zip(out_uk, uk)]
    splits = [_partial_eval_forced(br, unknowns, tuple(out_uk)) for br in branches]
    res_avals = [known.out_avals[len(known.out_avals) - n_res:] for known, _, n_res in splits]
    known_branches, unknown_branches = _pad_residuals(splits, res_avals, ops, unknowns)
    known_ops, unknown_ops = partition_list(unknowns, ops)
    with set_current_trace(trace.parent):
        known_outs = cond_p.bind(index, *known_ops, branches=known_branches)
    known_outs, residuals = split_list(known_outs, [n_out - sum(out_uk)])
    staged = trace.stage_primitive(cond_p, [index, *residuals, *unknown_ops],
                                   {"branches": unknown_branches})
    return merge_lists(out_uk, known_outs, staged)


def _pad_residuals(splits, res_avals, ops, unknowns):
    """Known branch i returns all branches' residual slots (its own filled, the
    others zero); unknown branch i reads only its own slots."""
    all_res = [a for avals in res_avals for a in avals]
    k_avals, uk_avals = partition_list(unknowns, [get_aval(x) for x in ops])
    known_branches, unknown_branches = [], []
    offset = 0
    for (known, unknown, n_res), avals in zip(splits, res_avals):
        n_known_out = len(known.out_avals) - n_res
        start = offset

        def k_fun(*xs, known=known, start=start, n_res=n_res, n_known_out=n_known_out):
            outs, own_res = split_list(eval_jaxpr(known.jaxpr, known.consts, *xs),
                                       [n_known_out])
            slots = [zeros_like_aval(a) for a in all_res]
            slots[start:start + n_res] = own_res
            return outs + slots

        def uk_fun(*xs, unknown=unknown, start=start, n_res=n_res):
            _, own_res, _, ins = split_list(xs, [start, n_res, len(all_res) - start - n_res])
            return eval_jaxpr(unknown.jaxpr, unknown.consts, *own_res, *ins)

        kj, kc = trace_to_jaxpr(k_fun, k_avals, purpose="cond")
        uj, uc = trace_to_jaxpr(uk_fun, all_res + uk_avals, purpose="cond")
        known_branches.append(ClosedJaxpr(kj, kc))
        unknown_branches.append(ClosedJaxpr(uj, uc))
        offset += n_res
    return tuple(known_branches), tuple(unknown_branches)


def _cond_transpose(cts, index, *ops, branches):
    if is_undefined(index):
        raise NotImplementedError("cannot transpose cond with respect to its index")
    linear = tuple(is_undefined(x) for x in ops)
    cts = [instantiate(ct) for ct in cts]
    transposed = tuple(transpose_jaxpr(br, linear) for br in branches)
    nonlinear_ops, _ = partition_list(linear, ops)
    outs = cond_p.bind(index, *nonlinear_ops, *cts, branches=transposed)
    return [None] + merge_lists(linear, [None] * len(nonlinear_ops), outs)


def _cond_lower(b, args, in_avals, out_avals, branches):
    index, *ops = args
    clamped = b.op("stablehlo.clamp", [scalar_const(b, 0, np.int32), index,
                                       scalar_const(b, len(branches) - 1, np.int32)],
                   [in_avals[0]] * 3, in_avals[0])
    regions = []
    for br in branches:
        def body(rb, _, br=br):
            return lower_sub_jaxpr(rb, br, ops), br.out_avals
        regions.append(b.region([], body))
    return b.op_with_regions("stablehlo.case", [clamped], [in_avals[0]], out_avals, regions)


jvp_rules[cond_p] = _cond_jvp
batching_rules[cond_p] = _cond_batch
partial_eval_rules[cond_p] = _cond_partial_eval
transpose_rules[cond_p] = _cond_transpose
lowering_rules[cond_p] = _cond_lower
