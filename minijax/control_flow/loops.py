"""Loops: ``while_loop`` (``while_p``), ``scan`` (``scan_p``), and ``fori_loop`` and
``map`` built on them, with their rules in every interpreter."""
import numpy as np

from .. import dtypes, lax, tree_util
from ..api_util import function_name
from ..core import Primitive, ShapedArray, Tracer, get_aval, set_current_trace
from ..compiling import apply_compiled
from ..errors import UnsupportedWhileLoopDifferentiation
from ..higher_order import (batch_jaxpr, batched_aval, jvp_jaxpr, partial_eval_jaxpr,
                            transpose_jaxpr, with_zeros)
from ..jaxpr import (ClosedJaxpr, Jaxpr, dce_jaxpr, dependent_outputs,
                     eval_jaxpr, trace_to_jaxpr)
from ..forward_mode import Zero, instantiate, jvp_rules, tangent_aval, zeros_like_aval
from ..lowering import compare, full_like, lower_sub_jaxpr, lowering_rules, scalar_const
from ..partial_eval import partial_eval_rules
from ..transpose import is_undefined, transpose_rules
from ..batching import batching_rules, bdim_at_front, moveaxis, not_mapped
from ..util import merge_lists, partition_list, split_list
from .common import (_cast_outputs, _describe_types, _partial_eval_forced, _strip_weak,
                     _trace, _with_leading_inputs)


while_p = Primitive("while", multiple_results=True)


def while_loop(cond_fun, body_fun, init_val):
    """``while cond_fun(val): val = body_fun(val)``; return ``val``.

    Forward-mode differentiable, not reverse-mode (see ``minijax.control_flow``'s docstring).
    """
    flat_init, init_tree = tree_util.tree_flatten(init_val)
    in_tree = tree_util.tree_structure((init_val,))   # the functions take one argument
    avals = [get_aval(x) for x in flat_init]
    body, body_consts, out_tree = _trace(body_fun, avals, in_tree, function_name(body_fun),
                                         "while_loop body_fun")
    if out_tree != init_tree:
        raise TypeError(f"while_loop body_fun carry input and carry output must have the same "
                        f"pytree structure, but the input is {in_tree} and the output is "
                        f"{out_tree}.")
    if body.out_avals != avals:
        # A weakly typed initial value takes the type the body gives it (so that
        # ``while_loop(c, lambda x: x * w, 0.)`` works with a float32 ``w``).
        if all(a.weak_type or a == o for a, o in zip(avals, body.out_avals)) and all(
                a.shape == o.shape for a, o in zip(avals, body.out_avals)):
            flat_init = [lax._convert_element_type(x, o.dtype, o.weak_type and a.weak_type)
                         for x, a, o in zip(flat_init, avals, body.out_avals)]
            avals = [get_aval(x) for x in flat_init]
            body, body_consts, _ = _trace(body_fun, avals, in_tree, function_name(body_fun),
                                          "while_loop body_fun")
        if _strip_weak(body.out_avals) != _strip_weak(avals):
            raise TypeError(f"while_loop body_fun output and input must have identical types: "
                            f"the carry is ({_describe_types(avals)}) but body_fun returns "
                            f"({_describe_types(body.out_avals)}).")
        if body.out_avals != avals:   # weak-type differences: the carry is strong
            flat_init = [lax._convert_element_type(x, a.dtype, False)
                         for x, a in zip(flat_init, avals)]
            avals = [get_aval(x) for x in flat_init]
            body, body_consts, _ = _trace(_cast_outputs(body_fun, [a.weak_type for a in avals]),
                                          avals, in_tree, function_name(body_fun),
                                          "while_loop body_fun")
    cond, cond_consts, cond_tree = _trace(cond_fun, avals, in_tree, function_name(cond_fun),
                                          "while_loop cond_fun")
    if len(cond.out_avals) != 1 or cond.out_avals[0].shape != () or \
            cond.out_avals[0].dtype != np.bool_:
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"[{_describe_types(cond.out_avals)}].")
    outs = while_p.bind(*cond_consts, *body_consts, *flat_init, cond_jaxpr=cond,
                        body_jaxpr=body, cond_nconsts=len(cond_consts),
                        body_nconsts=len(body_consts))
    return tree_util.tree_unflatten(init_tree, outs)


def _split_while(args, cond_nconsts, body_nconsts):
    return split_list(args, [cond_nconsts, body_nconsts])


@while_p.def_impl
def _while_impl(*args, **params):
    """Eagerly, the loop runs compiled by XLA, as in JAX, so its result has
    jit's bits; ``_while_interpret`` is the fallback (and the meaning)."""
    return apply_compiled(while_p, args, params, _while_interpret)


while_p.takes_arrays = True   # eager impl gets Arrays: the arguments go to XLA


def _while_interpret(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    """The meaning of ``while``, on numpy values: a Python while loop."""
    cond_consts, body_consts, carry = _split_while(args, cond_nconsts, body_nconsts)
    while bool(eval_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, *cond_consts, *carry)[0]):
        carry = eval_jaxpr(body_jaxpr.jaxpr, body_jaxpr.consts, *body_consts, *carry)
    return carry


@while_p.def_abstract_eval
def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    return body_jaxpr.out_avals


def _while_jvp(primals, tangents, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cond_consts, body_consts, carry = _split_while(primals, cond_nconsts, body_nconsts)
    _, body_const_t, carry_t = _split_while(tangents, cond_nconsts, body_nconsts)
    const_nz = tuple(type(t) is not Zero for t in body_const_t)
    carry_nz = tuple(type(t) is not Zero for t in carry_t)
    while True:   # which carries have nonzero tangents: a fixed point
        _, out_nz = jvp_jaxpr(body_jaxpr, const_nz + carry_nz, carry_nz)
        new = tuple(a or b for a, b in zip(carry_nz, out_nz))
        if new == carry_nz:
            break
        carry_nz = new
    body_jvp, _ = jvp_jaxpr(body_jaxpr, const_nz + carry_nz, carry_nz)
    # The jvp body takes (consts, carry, const tangents, carry tangents); the
    # while carry must come last, so reorder its inputs.
    nb, nc = len(body_consts), len(carry)
    n_ct = sum(const_nz)
    j = body_jvp.jaxpr
    consts_in, carry_in, const_t_in, carry_t_in = split_list(j.invars, [nb, nc, n_ct])
    invars = consts_in + const_t_in + carry_in + carry_t_in
    body_new = ClosedJaxpr(Jaxpr(j.constvars, invars, j.outvars, j.eqns), body_jvp.consts)
    _, nonzero_avals = partition_list(carry_nz, body_jaxpr.out_avals)
    cond_new = _with_leading_inputs(cond_jaxpr, (), [tangent_aval(a) for a in nonzero_avals])
    carry_t = [instantiate(t) for t in partition_list(carry_nz, carry_t)[1]]
    _, body_const_t = partition_list(const_nz, body_const_t)
    outs = while_p.bind(*cond_consts, *body_consts, *body_const_t, *carry, *carry_t,
                        cond_jaxpr=cond_new, body_jaxpr=body_new, cond_nconsts=cond_nconsts,
                        body_nconsts=nb + n_ct)
    carry_out, carry_t_out = split_list(outs, [nc])
    return carry_out, with_zeros(carry_nz, body_jaxpr.out_avals, carry_t_out)


def _while_batch(axis_size, vals, dims, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cc, bc, carry = _split_while(vals, cond_nconsts, body_nconsts)
    cc_d, bc_d, carry_d = _split_while(dims, cond_nconsts, body_nconsts)
    cc_b = tuple(d is not not_mapped for d in cc_d)
    bc_b = tuple(d is not not_mapped for d in bc_d)
    carry_b = tuple(d is not not_mapped for d in carry_d)
    while True:   # which carries are batched: a fixed point
        _, out_b = batch_jaxpr(body_jaxpr, axis_size, bc_b + carry_b, carry_b)
        new = tuple(a or b for a, b in zip(carry_b, out_b))
        if new == carry_b:
            break
        carry_b = new
    _, pred_b = batch_jaxpr(cond_jaxpr, axis_size, cc_b + carry_b, (False,))
    if pred_b[0]:   # examples finish at different times: batch everything
        carry_b = (True,) * len(carry)
    front = lambda vs, ds: [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(vs, ds)]
    cc, bc = front(cc, cc_d), front(bc, bc_d)
    carry = [bdim_at_front(axis_size, v, d) if b else v
             for v, d, b in zip(carry, carry_d, carry_b)]
    body_b, _ = batch_jaxpr(body_jaxpr, axis_size, bc_b + carry_b, carry_b)
    cond_b, _ = batch_jaxpr(cond_jaxpr, axis_size, cc_b + carry_b, (False,))
    if pred_b[0]:
        cond_b, body_b = _predicated_loop(cond_b, body_b, len(cc), len(bc), axis_size)
        outs = while_p.bind(*cc, *cc, *bc, *carry, cond_jaxpr=cond_b, body_jaxpr=body_b,
                            cond_nconsts=len(cc), body_nconsts=len(cc) + len(bc))
    else:
        outs = while_p.bind(*cc, *bc, *carry, cond_jaxpr=cond_b, body_jaxpr=body_b,
                            cond_nconsts=len(cc), body_nconsts=len(bc))
    return outs, [0 if b else not_mapped for b in carry_b]


def _predicated_loop(cond_b, body_b, n_cc, n_bc, axis_size):
    """With a batched predicate: loop while any example is still running, and
    let the body update only the examples whose predicate holds."""
    carry_avals = body_b.out_avals

    def cond_fun(*args):
        pred = eval_jaxpr(cond_b.jaxpr, cond_b.consts, *args)[0]
        return [lax.reduce_or(pred, (0,))]

    def body_fun(*args):
        cc, bc, carry = split_list(args, [n_cc, n_bc])
        pred = eval_jaxpr(cond_b.jaxpr, cond_b.consts, *cc, *carry)[0]
        new = eval_jaxpr(body_b.jaxpr, body_b.consts, *bc, *carry)
        outs = []
        for n, old in zip(new, carry):
            shape = get_aval(n).shape
            which = lax.broadcast_in_dim(pred, shape, (0,)) if len(shape) > 1 else pred
            outs.append(lax.select(which, n, old))
        return outs

    cc_avals = cond_b.in_avals[:n_cc]
    bc_avals = body_b.in_avals[:n_bc]
    cj, cc_consts = trace_to_jaxpr(cond_fun, list(cc_avals) + list(carry_avals),
                                   purpose="while_loop")
    bj, bc_consts = trace_to_jaxpr(body_fun, list(cc_avals) + list(bc_avals) +
                                   list(carry_avals), purpose="while_loop")
    return ClosedJaxpr(cj, cc_consts), ClosedJaxpr(bj, bc_consts)


def _while_partial_eval(trace, args, **params):
    """Known carries (that never depend on unknown ones) are computed by a
    known loop now. The unknown carries need every step's known values too,
    and a while loop has nowhere to store those, so the staged loop recomputes
    the known carries alongside. This is enough for forward mode (linearize);
    transposing the staged loop is what reverse mode cannot do."""
    cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
    cn, bn = params["cond_nconsts"], params["body_nconsts"]
    cc, bc, carry = _split_while(args, cn, bn)
    cc_uk = tuple(trace.is_unknown(x) for x in cc)
    bc_uk = tuple(trace.is_unknown(x) for x in bc)
    carry_uk = tuple(trace.is_unknown(x) for x in carry)
    while True:
        _, _, out_uk, _ = partial_eval_jaxpr(body_jaxpr, bc_uk + carry_uk, False)
        new = tuple(a or b for a, b in zip(carry_uk, out_uk))
        if new == carry_uk:
            break
        carry_uk = new
    _, _, pred_uk, _ = partial_eval_jaxpr(cond_jaxpr, cc_uk + carry_uk, False)
    if pred_uk[0] or not any(carry_uk) or any(cc_uk):
        return trace.stage_primitive(while_p, args, params)
    # The known loop: the same loop restricted to the known carries.
    known_body, _, _, n_res = partial_eval_jaxpr(body_jaxpr, bc_uk + carry_uk, False)
    n_known_carry = len(carry_uk) - sum(carry_uk)
    kb = known_body.jaxpr
    known_body = ClosedJaxpr(Jaxpr(kb.constvars, kb.invars, kb.outvars[:n_known_carry],
                                   kb.eqns), known_body.consts)
    known_cond, _, _, _ = partial_eval_jaxpr(cond_jaxpr, cc_uk + carry_uk, False)
    kc = known_cond.jaxpr
    known_cond = ClosedJaxpr(Jaxpr(kc.constvars, kc.invars, kc.outvars[:1], kc.eqns),
                             known_cond.consts)
    known_bc, _ = partition_list(bc_uk, bc)
    known_carry, _ = partition_list(carry_uk, carry)
    with set_current_trace(trace.parent):
        known_outs = while_p.bind(*cc, *known_bc, *known_carry, cond_jaxpr=known_cond,
                                  body_jaxpr=known_body, cond_nconsts=len(cc),
                                  body_nconsts=len(known_bc))
    staged = trace.stage_primitive(while_p, args, params)
    _, staged_unknown = partition_list(carry_uk, staged)
    return merge_lists(carry_uk, known_outs, staged_unknown)


def _while_transpose(cts, *args, **params):
    raise UnsupportedWhileLoopDifferentiation(
        "Reverse-mode differentiation does not work for lax.while_loop (or lax.fori_loop "
        "with bounds that are not known while tracing). Reverse mode must replay the loop "
        "backwards using values saved from every iteration, but a while loop's number of "
        "iterations is only known by running it, so there is no fixed place to save them. "
        "Use lax.fori_loop with concrete Python int bounds or lax.scan (both have a known "
        "length and are reverse-differentiable), use forward mode (jax.jvp, jax.jacfwd), "
        "or differentiate the loop's result implicitly instead of step by step: "
        "lax.custom_root for a root or fixed point found by the loop, "
        "lax.custom_linear_solve for a linear solve, or your own rule with "
        "minijax.custom_vjp / minijax.custom_jvp.")


def _while_lower(b, args, in_avals, out_avals, cond_jaxpr, body_jaxpr, cond_nconsts,
                 body_nconsts):
    cc, bc, carry = _split_while(args, cond_nconsts, body_nconsts)
    carry_avals = in_avals[cond_nconsts + body_nconsts:]

    def cond_region(rb, xs):
        return lower_sub_jaxpr(rb, cond_jaxpr, list(cc) + list(xs)), cond_jaxpr.out_avals

    def body_region(rb, xs):
        return lower_sub_jaxpr(rb, body_jaxpr, list(bc) + list(xs)), body_jaxpr.out_avals

    regions = [b.region(carry_avals, cond_region), b.region(carry_avals, body_region)]
    return b.op_with_regions("stablehlo.while", carry, carry_avals, out_avals, regions)


jvp_rules[while_p] = _while_jvp
batching_rules[while_p] = _while_batch
partial_eval_rules[while_p] = _while_partial_eval
transpose_rules[while_p] = _while_transpose
lowering_rules[while_p] = _while_lower

# ---------------------------------------------------------------------------
# scan

scan_p = Primitive("scan", multiple_results=True)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` for each ``x`` along the leading axis of
    ``xs``; returns the final carry and the stacked ``y``s."""
    xs_flat, xs_tree = tree_util.tree_flatten(xs)
    lengths = {get_aval(x).shape[0] for x in xs_flat if get_aval(x).ndim > 0}
    if any(get_aval(x).ndim == 0 for x in xs_flat):
        raise ValueError("scan got value with no leading axis to scan over: every leaf of xs "
                         "needs a leading axis.")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) != 1:
        raise ValueError(f"scan got inconsistent or missing lengths: {sorted(lengths)} (pass "
                         "length= when xs is None)." if lengths else
                         "scan got no xs and no length: pass length=.")
    n = lengths.pop()
    init_flat, init_tree = tree_util.tree_flatten(init)
    x_avals = [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in xs_flat]

    in_tree = tree_util.tree_structure((init, xs))
    carry_avals = [get_aval(x) for x in init_flat]
    body, consts, out_tree = _trace(lambda c, x: _check_pair(f(c, x)), carry_avals + x_avals,
                                    in_tree, function_name(f), "scan")
    n_carry = len(init_flat)
    out_carry_avals = body.out_avals[:n_carry]
    if _strip_weak(out_carry_avals) != _strip_weak(carry_avals):
        # A weakly typed initial carry may take the body's dtype (as in JAX);
        # differences in weak type alone are tolerated.
        if not all(a.weak_type and a.shape == o.shape for a, o in zip(carry_avals,
                                                                     out_carry_avals) if a != o):
            raise TypeError(f"scan body function carry input and carry output must have equal "
                            f"types: the carry is ({_describe_types(carry_avals)}) but the body "
                            f"returns ({_describe_types(out_carry_avals)}).")
        init_flat = [lax._convert_element_type(x, o.dtype, o.weak_type and a.weak_type)
                     for x, a, o in zip(init_flat, carry_avals, out_carry_avals)]
        carry_avals = [get_aval(x) for x in init_flat]
        body, consts, out_tree = _trace(
            lambda c, x: _check_pair(_cast_carry(f(c, x), carry_avals)),
            carry_avals + x_avals, in_tree, function_name(f), "scan")
    outs = scan_p.bind(*consts, *init_flat, *xs_flat, jaxpr=body, num_consts=len(consts),
                       num_carry=n_carry, length=n, reverse=bool(reverse))
    carry_tree, ys_tree = out_tree.children()
    carry_out = tree_util.tree_unflatten(carry_tree, outs[:n_carry])
    ys = tree_util.tree_unflatten(ys_tree, outs[n_carry:])
    return carry_out, ys


def _check_pair(out):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"scan body function must return a pair (carry, y), got {out!r}")
    return tuple(out)


def _cast_carry(out, carry_avals):
    carry, y = _check_pair(out)
    leaves, tree = tree_util.tree_flatten(carry)
    leaves = [lax._convert_element_type(x, a.dtype, a.weak_type)
              for x, a in zip(leaves, carry_avals)]
    return tree_util.tree_unflatten(tree, leaves), y


def _scan_parts(args, num_consts, num_carry):
    return split_list(args, [num_consts, num_carry])


@scan_p.def_impl
def _scan_impl(*args, **params):
    """Eagerly, the scan runs compiled by XLA, as in JAX, so its result has
    jit's bits; ``_scan_interpret`` is the fallback (and the meaning)."""
    return apply_compiled(scan_p, args, params, _scan_interpret)


scan_p.takes_arrays = True


def _scan_interpret(*args, jaxpr, num_consts, num_carry, length, reverse):
    """The meaning of ``scan``, on numpy values: a Python for loop."""
    consts, carry, xs = _scan_parts(args, num_consts, num_carry)
    ys = []
    for i in (range(length - 1, -1, -1) if reverse else range(length)):
        outs = eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *consts, *carry, *[x[i] for x in xs])
        carry, y = split_list(outs, [num_carry])
        ys.append(y)
    if reverse:
        ys.reverse()
    y_avals = jaxpr.out_avals[num_carry:]
    stacked = [np.stack([np.asarray(y[k]) for y in ys]) if ys else
               np.zeros((0,) + a.shape, a.dtype) for k, a in enumerate(y_avals)]
    return list(carry) + [np.asarray(s, a.dtype) for s, a in zip(stacked, y_avals)]


@scan_p.def_abstract_eval
def _scan_abstract_eval(*avals, jaxpr, num_consts, num_carry, length, reverse):
    ys = [batched_aval(a, length) for a in jaxpr.out_avals[num_carry:]]
    return list(jaxpr.out_avals[:num_carry]) + ys


def _scan_jvp(primals, tangents, jaxpr, num_consts, num_carry, length, reverse):
    consts, carry, xs = _scan_parts(primals, num_consts, num_carry)
    ct, carry_t, xs_t = _scan_parts(tangents, num_consts, num_carry)
    nz = lambda ts: tuple(type(t) is not Zero for t in ts)
    const_nz, carry_nz, xs_nz = nz(ct), nz(carry_t), nz(xs_t)
    n_ys = len(jaxpr.out_avals) - num_carry
    while True:
        _, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + (False,) * n_ys)
        new = tuple(a or b for a, b in zip(carry_nz, out_nz[:num_carry]))
        if new == carry_nz:
            break
        carry_nz = new
    body, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + (False,) * n_ys)
    ys_nz = out_nz[num_carry:]
    # Reorder the jvp body to scan's layout: (consts, const tangents), (carry,
    # carry tangents), (xs, xs tangents); outputs (carry, carry tangents, ys, ys tangents).
    nc, nx = len(consts), len(xs)
    j = body.jaxpr
    n_ct, n_carry_t = sum(const_nz), sum(carry_nz)
    p_consts, p_carry, p_xs, t_consts, t_carry, t_xs = split_list(
        j.invars, [nc, num_carry, nx, n_ct, n_carry_t])
    invars = p_consts + t_consts + p_carry + t_carry + p_xs + t_xs
    p_carry, p_ys, t_carry, t_ys = split_list(j.outvars, [num_carry, n_ys, n_carry_t])
    outvars = p_carry + t_carry + p_ys + t_ys
    body = ClosedJaxpr(Jaxpr(j.constvars, invars, outvars, j.eqns), body.consts)
    pick = lambda ts, flags: [instantiate(t) for t in partition_list(flags, ts)[1]]
    outs = scan_p.bind(*consts, *pick(ct, const_nz), *carry, *pick(carry_t, carry_nz), *xs,
                       *pick(xs_t, xs_nz), jaxpr=body, num_consts=nc + n_ct,
                       num_carry=num_carry + n_carry_t, length=length, reverse=reverse)
    carry_out, carry_t_out, ys, ys_t = split_list(outs, [num_carry, n_carry_t, n_ys])
    out_avals = _scan_abstract_eval(jaxpr=jaxpr, num_consts=num_consts, num_carry=num_carry,
                                    length=length, reverse=reverse)
    carry_avals, ys_avals = split_list(out_avals, [num_carry])
    tangents_out = (with_zeros(carry_nz, carry_avals, carry_t_out)
                    + with_zeros(ys_nz, ys_avals, ys_t))
    return carry_out + ys, tangents_out


def batch_scan_operands(axis_size, vals, dims, jaxpr, num_consts, num_carry):
    """What a scan-like primitive's batching rule needs: the batched body and
    its operands, constants and carry batched at axis 0, xs at axis 1 (the
    scan axis stays first). A carry is batched if its start or the body makes
    it so, found by iterating to a fixed point. Returns ``(body, operands,
    out_dims)``."""
    consts, carry, xs = _scan_parts(vals, num_consts, num_carry)
    cd, carry_d, xd = _scan_parts(dims, num_consts, num_carry)
    const_b = tuple(d is not not_mapped for d in cd)
    carry_b = tuple(d is not not_mapped for d in carry_d)
    xs_b = tuple(d is not not_mapped for d in xd)
    n_ys = len(jaxpr.out_avals) - num_carry
    while True:
        _, out_b = batch_jaxpr(jaxpr, axis_size, const_b + carry_b + xs_b,
                               carry_b + (False,) * n_ys)
        new = tuple(a or b for a, b in zip(carry_b, out_b[:num_carry]))
        if new == carry_b:
            break
        carry_b = new
    body, out_b = batch_jaxpr(jaxpr, axis_size, const_b + carry_b + xs_b,
                              carry_b + (False,) * n_ys)
    consts = [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(consts, cd)]
    carry = [bdim_at_front(axis_size, v, d) if b else v for v, d, b in zip(carry, carry_d,
                                                                            carry_b)]
    xs = [v if d is not_mapped else moveaxis(v, d, 1) for v, d in zip(xs, xd)]   # scan axis first
    out_dims = ([0 if b else not_mapped for b in carry_b]
                + [1 if b else not_mapped for b in out_b[num_carry:]])
    return body, consts + carry + xs, out_dims


def _scan_batch(axis_size, vals, dims, jaxpr, num_consts, num_carry, length, reverse):
    body, operands, out_dims = batch_scan_operands(axis_size, vals, dims, jaxpr, num_consts,
                                                   num_carry)
    outs = scan_p.bind(*operands, jaxpr=body, num_consts=num_consts,
                       num_carry=num_carry, length=length, reverse=reverse)
    return outs, out_dims


def _scan_partial_eval(trace, args, **params):
    """Split the step into a known and an unknown step. The known scan runs now
    and also stacks every step's residuals as extra outputs; the staged scan
    reads them back as extra inputs. This is what makes scan (and fori_loop
    with static bounds) reverse-differentiable."""
    jaxpr = params["jaxpr"]
    nc, ncarry = params["num_consts"], params["num_carry"]
    length, reverse = params["length"], params["reverse"]
    consts, carry, xs = _scan_parts(args, nc, ncarry)
    uk = lambda vs: tuple(trace.is_unknown(x) for x in vs)
    const_uk, carry_uk, xs_uk = uk(consts), uk(carry), uk(xs)
    if not any(const_uk + carry_uk + xs_uk):
        with set_current_trace(trace.parent):
            return scan_p.bind(*args, **params)
    n_ys = len(jaxpr.out_avals) - ncarry
    while True:
        _, _, out_uk, _ = partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk, False)
        new = tuple(a or b for a, b in zip(carry_uk, out_uk[:ncarry]))
        if new == carry_uk:
            break
        carry_uk = new
    _, _, out_uk, _ = partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk, False)
    forced = carry_uk + tuple(out_uk[ncarry:])
    known, unknown, n_res = _partial_eval_forced(jaxpr, const_uk + carry_uk + xs_uk, forced)
    ys_uk = forced[ncarry:]
    n_known_carry = ncarry - sum(carry_uk)
    known_consts, unknown_consts = partition_list(const_uk, consts)
    known_carry_in, unknown_carry_in = partition_list(carry_uk, carry)
    known_xs, unknown_xs = partition_list(xs_uk, xs)
    known, invariant, invariant_res = _hoist_invariant_residuals(
        trace, known, n_res, known_consts)
    with set_current_trace(trace.parent):
        known_outs = scan_p.bind(*known_consts, *known_carry_in, *known_xs, jaxpr=known,
                                 num_consts=len(known_consts),
                                 num_carry=n_known_carry, length=length, reverse=reverse)
    known_carry, known_ys, per_step_res = split_list(
        known_outs, [n_known_carry, n_ys - sum(ys_uk)])
    # The unknown step takes (residuals, unknown consts, unknown carry, unknown
    # xs). Per-step residuals go with the xs; loop-invariant ones are consts.
    u = unknown.jaxpr
    n_uc, n_ucarry = sum(const_uk), sum(carry_uk)
    res_vars, uc_vars, ucarry_vars, ux_vars = split_list(u.invars, [n_res, n_uc, n_ucarry])
    step_res, const_res = partition_list(invariant, res_vars)
    invars = uc_vars + const_res + ucarry_vars + step_res + ux_vars
    unknown = ClosedJaxpr(Jaxpr(u.constvars, invars, u.outvars, u.eqns), unknown.consts)
    staged = trace.stage_primitive(
        scan_p, [*unknown_consts, *invariant_res, *unknown_carry_in, *per_step_res,
                 *unknown_xs],
        dict(jaxpr=unknown, num_consts=n_uc + len(const_res), num_carry=n_ucarry,
             length=length, reverse=reverse))
    staged_carry, staged_ys = split_list(staged, [n_ucarry])
    return (merge_lists(carry_uk, known_carry, staged_carry)
            + merge_lists(ys_uk, known_ys, staged_ys))


def _hoist_invariant_residuals(trace, known, n_res, known_consts):
    """Residuals that depend only on the scan's constants are the same at every
    step: compute them once, before the loop, instead of stacking ``length``
    copies. Returns the known step without them, a flag per residual saying
    whether it was hoisted, and the hoisted values."""
    n_kc = len(known_consts)
    n_out = len(known.out_avals)
    varying = dependent_outputs(known.jaxpr, [i >= n_kc for i in range(len(known.in_avals))])
    invariant = [not v for v in varying[n_out - n_res:]]
    if not any(invariant):
        return known, invariant, []
    keep = [True] * (n_out - n_res)
    once = dce_jaxpr(known.jaxpr, [False] * len(keep) + invariant)
    # Only the constant inputs feed these outputs, so they are the inputs.
    once = Jaxpr(once.constvars, once.invars[:n_kc], once.outvars, once.eqns)
    with set_current_trace(trace.parent):
        values = eval_jaxpr(once, known.consts, *known_consts)
    step = dce_jaxpr(known.jaxpr, keep + [not inv for inv in invariant])
    return ClosedJaxpr(step, known.consts), invariant, values


def _scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length, reverse):
    """A scan run backwards: the carry cotangent flows from the last step to
    the first, the consts' cotangents accumulate in the carry, and each step's
    xs cotangent is a per-step output."""
    consts, carry, xs = _scan_parts(args, num_consts, num_carry)
    const_lin = tuple(is_undefined(x) for x in consts)
    xs_lin = tuple(is_undefined(x) for x in xs)
    # The step is linear in every carry, even where the initial carry is a
    # known constant (an instantiated zero tangent): transpose them all.
    ct_carry, ct_ys = split_list([instantiate(c) for c in cts], [num_carry])
    body_t = transpose_jaxpr(jaxpr, const_lin + (True,) * num_carry + xs_lin)
    known_consts, lin_consts = partition_list(const_lin, consts)
    known_xs, _ = partition_list(xs_lin, xs)
    lin_const_avals = [tangent_aval(x.aval) for x in lin_consts]
    carry_ct_avals = [tangent_aval(a) for a in jaxpr.out_avals[:num_carry]]
    n_kc, n_lc, n_kx = len(known_consts), len(lin_const_avals), len(known_xs)
    ct_y_avals = [tangent_aval(a) for a in jaxpr.out_avals[num_carry:]]

    def step(*a):
        kc, acc, carry_ct, kx, y_ct = split_list(a, [n_kc, n_lc, num_carry, n_kx])
        outs = eval_jaxpr(body_t.jaxpr, body_t.consts, *kc, *kx, *carry_ct, *y_ct)
        const_ct, carry_ct_new, xs_ct = split_list(outs, [n_lc, num_carry])
        acc = [lax.add_any(a_, c) for a_, c in zip(acc, const_ct)]
        return acc + carry_ct_new + xs_ct

    x_avals = [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in known_xs]
    sj, sc = trace_to_jaxpr(step, [get_aval(x) for x in known_consts] + lin_const_avals
                            + carry_ct_avals + x_avals + ct_y_avals, purpose="scan transpose")
    acc0 = [zeros_like_aval(a) for a in lin_const_avals]
    outs = scan_p.bind(*known_consts, *acc0, *ct_carry, *known_xs, *ct_ys,
                       jaxpr=ClosedJaxpr(sj, sc), num_consts=n_kc,
                       num_carry=len(lin_const_avals) + num_carry, length=length,
                       reverse=not reverse)
    const_cts, carry_cts, xs_cts = split_list(outs, [n_lc, num_carry])
    return (merge_lists(const_lin, [None] * n_kc, const_cts)
            + [ct if is_undefined(x) else None for ct, x in zip(carry_cts, carry)]
            + merge_lists(xs_lin, [None] * n_kx, xs_cts))


def _scan_lower(b, args, in_avals, out_avals, jaxpr, num_consts, num_carry, length,
                reverse):
    """A while loop over a step counter; xs are sliced and ys written with
    dynamic slices at the counter."""
    consts, carry, xs = _scan_parts(args, num_consts, num_carry)
    c_avals, carry_avals, x_avals = _scan_parts(in_avals, num_consts, num_carry)
    y_avals = out_avals[num_carry:]
    if length == 0:   # no steps (and slicing an empty xs would not type-check)
        return list(carry) + [full_like(b, 0, a) for a in y_avals]
    i32 = ShapedArray((), np.int32)
    bool_scalar = ShapedArray((), np.bool_)
    ys_init = [full_like(b, 0, a) for a in y_avals]
    loop_avals = [i32] + list(carry_avals) + list(y_avals)
    zero = scalar_const(b, 0, np.int32)

    def cond_region(rb, vs):
        limit = scalar_const(rb, length, np.int32)
        return [compare(rb, "LT", vs[0], limit, i32, bool_scalar)], [bool_scalar]

    def body_region(rb, vs):
        [i], cs, ys = split_list(vs, [1, num_carry])
        pos = i if not reverse else rb.elementwise(
            "subtract", [scalar_const(rb, length - 1, np.int32), i], i32)
        x_slices = []
        for x, a in zip(xs, x_avals):
            one = a.update(shape=(1,) + a.shape[1:])
            starts = [pos] + [zero] * (a.ndim - 1)
            piece = rb.op("stablehlo.dynamic_slice", [x] + starts, [a] + [i32] * a.ndim, one,
                          f"slice_sizes = array<i64: {', '.join(str(d) for d in one.shape)}>")
            x_slices.append(rb.op("stablehlo.reshape", [piece], [one],
                                  a.update(shape=a.shape[1:])))
        outs = lower_sub_jaxpr(rb, jaxpr, list(consts) + list(cs) + x_slices)
        new_carry, y_vals = split_list(outs, [num_carry])
        new_ys = []
        for ys_acc, y, a in zip(ys, y_vals, y_avals):
            one = a.update(shape=(1,) + a.shape[1:])
            y1 = rb.op("stablehlo.reshape", [y], [a.update(shape=a.shape[1:])], one)
            starts = [pos] + [zero] * (a.ndim - 1)
            new_ys.append(rb.op("stablehlo.dynamic_update_slice", [ys_acc, y1] + starts,
                                [a, one] + [i32] * a.ndim, a))
        one = scalar_const(rb, 1, np.int32)
        return [rb.elementwise("add", [i, one], i32)] + new_carry + new_ys, loop_avals

    regions = [b.region(loop_avals, cond_region), b.region(loop_avals, body_region)]
    outs = b.op_with_regions("stablehlo.while", [zero] + list(carry) + ys_init, loop_avals,
                             loop_avals, regions)
    return outs[1:]


jvp_rules[scan_p] = _scan_jvp
batching_rules[scan_p] = _scan_batch
partial_eval_rules[scan_p] = _scan_partial_eval
transpose_rules[scan_p] = _scan_transpose
lowering_rules[scan_p] = _scan_lower

# ---------------------------------------------------------------------------
# fori_loop and map, built on the primitives above


def _fori_index_dtype(lower, upper):
    """The loop index's dtype: the bounds' common dtype. As in JAX, bounds of
    different dtypes are an error, except that a Python int meets a signed
    integer array's dtype."""
    lo_dt, hi_dt = dtypes.dtype(lower), dtypes.dtype(upper)
    if lo_dt == hi_dt:
        return lo_dt
    if lo_dt.kind == hi_dt.kind == "i":
        lo_weak, hi_weak = dtypes.is_weakly_typed(lower), dtypes.is_weakly_typed(upper)
        if lo_weak != hi_weak:
            return hi_dt if lo_weak else lo_dt
    raise TypeError(f"lower and upper arguments to fori_loop must have equal types, got "
                    f"{lo_dt.name} and {hi_dt.name}")


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``.

    With concrete bounds this is a ``scan`` of known length (reverse-mode
    differentiable); with traced bounds, a ``while_loop`` (forward mode only).
    """
    i_dtype = _fori_index_dtype(lower, upper)
    lo, hi = _concrete_int(lower), _concrete_int(upper)
    if lo is not None and hi is not None:
        def step(carry, _):
            i, val = carry
            return (lax.add(i, lax._convert_element_type(1, i_dtype, True)), body_fun(i, val)), None

        start = lax._convert_element_type(lower, i_dtype, dtypes.is_weakly_typed(lower)
                                          and dtypes.is_weakly_typed(upper))
        (_, val), _ = scan(step, (start, init_val), None, length=max(hi - lo, 0))
        return val

    def cond_fun(carry):
        i, stop, _ = carry
        return lax.lt(i, stop)

    def body(carry):
        i, stop, val = carry
        return lax.add(i, lax._convert_element_type(1, get_aval(i).dtype, True)), stop, \
            body_fun(i, val)

    weak = dtypes.is_weakly_typed(lower) and dtypes.is_weakly_typed(upper)
    carry = (lax._convert_element_type(lower, i_dtype, weak),
             lax._convert_element_type(upper, i_dtype, weak), init_val)
    return while_loop(cond_fun, body, carry)[2]


def _concrete_int(x):
    """``x`` as a Python int if its value is known while tracing, else None.
    Forward-mode tracers know their primal value (as in JAX's ``is_concrete``),
    so under ``grad`` a bound computed from the input still gives a scan."""
    if isinstance(x, Tracer):
        x = x.to_concrete_value()   # a numpy value, or None
        if x is None:
            return None
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, np.ndarray) or hasattr(x, "aval"):
        if x.shape == () and x.dtype.kind in "iu":
            return int(x)
    return None


def map(f, xs):
    """``stack([f(x) for x in xs])`` as a scan (sequential, unlike vmap)."""
    _, ys = scan(lambda _, x: (None, f(x)), None, xs)
    return ys
