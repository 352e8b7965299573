"""Binomial checkpointing of loops: reverse mode in bounded memory (Chapter 15).

Reverse mode through ``lax.scan`` saves the residuals of *every* step: memory
grows linearly with the number of steps T. ``checkpoint(body)`` shrinks what
each step saves to its input carry, but that is still T carries.

``checkpointed_scan(f, init, xs, checkpoints=c)`` keeps at most ``c`` carries.
Its backward pass follows Griewank's *revolve* schedule: to reverse steps
``[start, end)`` from a snapshot at ``start``, run forward to a point ``m``,
snapshot there, reverse ``[m, end)`` with one snapshot fewer, then reverse
``[start, m)`` again from ``start``. Choosing ``m`` by the binomial rule makes
the number of recomputed steps the smallest possible for ``c`` snapshots: it
grows like ``T * r`` where ``C(c + r, c) >= T``, so logarithmically in T for
fixed memory.

How it fits the machinery: ``checkpointed_scan_p`` is a scan primitive.

* eager, ``jit``, ``vmap``: it is an ordinary scan (same lowering).
* ``jvp``: a ``checkpointed_scan_p`` of the JVP step.
* partial evaluation (``linearize``): the primal scan runs now and saves
  nothing; the staged equation is the whole JVP scan, reading only the primal
  *inputs* (initial carry, xs, constants) as residuals.
* transpose: the revolve schedule, as a table of actions interpreted by one
  ``while_loop`` (so ``jit`` compiles a loop, not an unrolled schedule): each
  action advances the primal carry, stores or restores a snapshot, or does
  one backward step (recompute that step's residuals, transpose them).

JAX has no such primitive; Equinox (``checkpointed_while_loop``) and Diffrax
(``RecursiveCheckpointAdjoint``) build it on top of JAX with ``custom_vjp``.
"""
import operator
from math import comb

import numpy as np

from . import core, lax, tree_util
from .config import config
from .api_util import function_name
from .batching import batching_rules
from .control_flow import _partial_eval_forced, _strip_weak, _trace
from .control_flow.loops import _check_pair, _scan_abstract_eval, batch_scan_operands, scan_p
from .core import Primitive, get_aval, set_current_trace
from .forward_mode import Zero, instantiate, jvp_rules, tangent_aval, zeros_like_aval
from .higher_order import jvp_jaxpr, partial_eval_jaxpr, transpose_jaxpr
from .jaxpr import ClosedJaxpr, Jaxpr, JaxprTrace, dce_jaxpr, eval_jaxpr
from .lowering import lowering_rules
from .partial_eval import partial_eval_rules
from .transpose import is_undefined, transpose_rules
from .util import merge_lists, partition_list, split_list

# ---------------------------------------------------------------------------
# The schedule (pure Python: the same list drives the loop and the book's plot)

SNAPSHOT, RESTORE, ADVANCE, REVERSE = "snapshot", "restore", "advance", "reverse"
_ACTION_CODES = {ADVANCE: 0, SNAPSHOT: 1, RESTORE: 2, REVERSE: 3}


def _check_checkpoints(checkpoints):
    if isinstance(checkpoints, bool) or not hasattr(checkpoints, "__index__"):
        raise TypeError(f"checkpoints must be a positive int, got {checkpoints!r}")
    if operator.index(checkpoints) < 1:
        raise ValueError(f"checkpoints must be at least 1, got {checkpoints}")
    return operator.index(checkpoints)


def _split_point(steps, snapshots):
    """Where to place the next snapshot when reversing ``steps`` steps from a
    stored start with ``snapshots`` slots (the start's included). With ``r``
    the smallest number of forward runs per step such that C(snapshots + r,
    snapshots) >= steps, the right part must fit C(snapshots - 1 + r,
    snapshots - 1) steps (one snapshot fewer, r runs) and the left part
    C(snapshots + r - 1, snapshots) (r - 1 runs left); the smallest such split
    is also the cheapest (checked against brute force in the tests)."""
    r = 0
    while comb(snapshots + r, snapshots) < steps:
        r += 1
    lowest = max(1, steps - comb(snapshots - 1 + r, snapshots - 1),
                 comb(snapshots + r - 2, snapshots) if r >= 2 else 1)
    return min(lowest, steps - 1)


def revolve_schedule(length, checkpoints):
    """The backward pass of a ``length``-step loop with ``checkpoints`` snapshot
    slots, as a list of actions:

    * ``("snapshot", slot, t)``: store the current carry (at step ``t``) in ``slot``;
    * ``("restore", slot, t)``: make the carry stored in ``slot`` current;
    * ``("advance", t0, t1)``: run steps ``t0 .. t1-1`` forward;
    * ``("reverse", t, t)``: the backward step of step ``t`` (current carry at ``t``).
    """
    checkpoints = _check_checkpoints(checkpoints)
    actions = [(SNAPSHOT, 0, 0)]
    free = list(range(checkpoints - 1, 0, -1))
    position = [0]   # the step the current carry is at

    def go_to(slot, t):
        if position[0] != t:
            actions.append((RESTORE, slot, t))
            position[0] = t

    def advance(t0, t1):
        if t1 > t0:
            actions.append((ADVANCE, t0, t1))
            position[0] = t1

    def reverse(start, end, slot, snapshots):
        while end - start > 1 and snapshots > 1:
            m = start + _split_point(end - start, snapshots)
            go_to(slot, start)
            advance(start, m)
            new = free.pop()
            actions.append((SNAPSHOT, new, m))
            reverse(m, end, new, snapshots - 1)   # the right part, one slot fewer
            free.append(new)
            end = m                               # then the left part, from `start`
        for t in range(end - 1, start - 1, -1):   # one slot: recompute from it every time
            go_to(slot, start)
            advance(start, t)
            actions.append((REVERSE, t, t))

    if length:
        reverse(0, length, 0, checkpoints)
    return actions


def schedule_cost(actions):
    """``(forward steps recomputed, snapshots used at once)`` of a schedule."""
    steps = sum(b - a for kind, a, b in actions if kind == ADVANCE)
    slots = {a for kind, a, _ in actions if kind == SNAPSHOT}
    return steps, len(slots)


# ---------------------------------------------------------------------------
# The primitive

checkpointed_scan_p = Primitive("checkpointed_scan", multiple_results=True)


def _scan_params(params):
    return dict(jaxpr=params["jaxpr"], num_consts=params["num_consts"],
                num_carry=params["num_carry"], length=params["length"], reverse=False)


@checkpointed_scan_p.def_impl
def _checkpointed_scan_impl(*args, **params):
    return scan_p.impl(*args, **_scan_params(params))


checkpointed_scan_p.takes_arrays = True   # like scan_p: run compiled


@checkpointed_scan_p.def_abstract_eval
def _checkpointed_scan_abstract_eval(*avals, **params):
    return _scan_abstract_eval(*avals, **_scan_params(params))


def _checkpointed_scan_lower(b, args, in_avals, out_avals, **params):
    return lowering_rules[scan_p](b, args, in_avals, out_avals, **_scan_params(params))


def _parts(xs, num_consts, num_carry):
    return split_list(xs, [num_consts, num_carry])


def _checkpointed_scan_jvp(primals, tangents, jaxpr, num_consts, num_carry, length,
                           checkpoints):
    """A checkpointed scan of the JVP step; its layout is scan's: (consts,
    const tangents), (carry, carry tangents), (xs, xs tangents)."""
    consts, carry, xs = _parts(primals, num_consts, num_carry)
    const_t, carry_t, xs_t = _parts(tangents, num_consts, num_carry)
    nonzero = lambda ts: tuple(type(t) is not Zero for t in ts)
    const_nz, carry_nz, xs_nz = nonzero(const_t), nonzero(carry_t), nonzero(xs_t)
    n_ys = len(jaxpr.out_avals) - num_carry
    while True:   # a carry tangent that becomes nonzero in the body is nonzero throughout
        _, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + (False,) * n_ys)
        new = tuple(a or b for a, b in zip(carry_nz, out_nz[:num_carry]))
        if new == carry_nz:
            break
        carry_nz = new
    body, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + (False,) * n_ys)
    j = body.jaxpr
    nc, nx = len(consts), len(xs)
    n_ct, n_cat = sum(const_nz), sum(carry_nz)
    p_in, t_in = split_list(j.invars, [nc + num_carry + nx])
    p_c, p_carry, p_x = _parts(p_in, nc, num_carry)
    t_c, t_carry, t_x = _parts(t_in, n_ct, n_cat)
    p_out, t_out = split_list(j.outvars, [num_carry + n_ys])
    body = ClosedJaxpr(Jaxpr(j.constvars, p_c + t_c + p_carry + t_carry + p_x + t_x,
                             p_out[:num_carry] + t_out[:n_cat] + p_out[num_carry:]
                             + t_out[n_cat:], j.eqns), body.consts)
    pick = lambda ts, flags: [instantiate(t) for t, f in zip(ts, flags) if f]
    outs = checkpointed_scan_p.bind(
        *consts, *pick(const_t, const_nz), *carry, *pick(carry_t, carry_nz), *xs,
        *pick(xs_t, xs_nz), jaxpr=body, num_consts=nc + n_ct, num_carry=num_carry + n_cat,
        length=length, checkpoints=checkpoints)
    carry_out, carry_t_out, ys, ys_t = split_list(outs, [num_carry, n_cat, n_ys])
    out_avals = jaxpr.out_avals
    carry_t_out, ys_t = iter(carry_t_out), iter(ys_t)
    tangents_out = [next(carry_t_out) if nz else Zero(tangent_aval(a))
                    for nz, a in zip(carry_nz, out_avals[:num_carry])]
    tangents_out += [next(ys_t) if nz else Zero(tangent_aval(a).update(
        shape=(length,) + a.shape)) for nz, a in zip(out_nz[num_carry:], out_avals[num_carry:])]
    return list(carry_out) + list(ys), tangents_out


def _checkpointed_scan_batch(axis_size, vals, dims, jaxpr, num_consts, num_carry, length,
                             checkpoints):
    """Batched like a plain scan (the same rule, another primitive)."""
    body, operands, out_dims = batch_scan_operands(axis_size, vals, dims, jaxpr, num_consts,
                                                   num_carry)
    outs = checkpointed_scan_p.bind(*operands, jaxpr=body, num_consts=num_consts,
                                    num_carry=num_carry, length=length,
                                    checkpoints=checkpoints)
    return outs, out_dims


def _checkpointed_scan_partial_eval(trace, args, **params):
    """The primal scan runs now and keeps no residuals; the staged equation is
    the whole scan again, reading the known inputs (only) as residuals."""
    jaxpr, nc, ncarry = params["jaxpr"], params["num_consts"], params["num_carry"]
    unknowns = tuple(trace.is_unknown(x) for x in args)
    const_uk, carry_uk, xs_uk = map(tuple, _parts(unknowns, nc, ncarry))
    while True:
        _, _, out_uk, _ = partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk, False)
        new = tuple(a or b for a, b in zip(carry_uk, out_uk[:ncarry]))
        if new == carry_uk:
            break
        carry_uk = new
    _, _, out_uk, _ = partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk, False)
    in_uk = const_uk + carry_uk + xs_uk
    out_uk = carry_uk + tuple(out_uk[ncarry:])
    known, _, n_res = _partial_eval_forced(jaxpr, in_uk, out_uk)
    n_known_out = len(known.out_avals) - n_res
    primal_step = ClosedJaxpr(dce_jaxpr(known.jaxpr, [True] * n_known_out + [False] * n_res),
                              known.consts)
    known_args = partition_list(in_uk, args)[0]
    with set_current_trace(trace.parent):
        known_outs = scan_p.bind(*known_args, jaxpr=primal_step,
                                 num_consts=nc - sum(const_uk),
                                 num_carry=ncarry - sum(carry_uk),
                                 length=params["length"], reverse=False)
    staged = trace.stage_primitive(checkpointed_scan_p, list(args), params)
    staged_unknown = [s for s, u in zip(staged, out_uk) if u]
    return merge_lists(out_uk, known_outs, staged_unknown)


def _checkpointed_scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length,
                                 checkpoints):
    """Reverse the scan on the revolve schedule (see ``_reverse_sweep``)."""
    undefined = tuple(is_undefined(x) for x in args)
    const_lin, carry_lin, xs_lin = map(tuple, _parts(undefined, num_consts, num_carry))
    while True:
        # As for scan: the step is linear in every carry that a linear input
        # reaches, even where the initial carry is a known (zero) tangent.
        _, _, out_uk, _ = partial_eval_jaxpr(jaxpr, const_lin + carry_lin + xs_lin, False)
        new = tuple(a or b for a, b in zip(carry_lin, out_uk[:num_carry]))
        if new == carry_lin:
            break
        carry_lin = new
    linear = const_lin + carry_lin + xs_lin
    ys_uk = tuple(out_uk[num_carry:])
    # The primal part of the step (K) and its linear part (U, reading K's residuals).
    primal, linear_step, n_res = _partial_eval_forced(jaxpr, linear, carry_lin + ys_uk)
    n_lin = sum(linear)
    step_t = transpose_jaxpr(linear_step, (False,) * n_res + (True,) * n_lin)
    known_consts, known_carry, known_xs = [partition_list(lin, part)[0] for lin, part in
                                           zip((const_lin, carry_lin, xs_lin),
                                               _parts(args, num_consts, num_carry))]
    ct_carry = [instantiate(ct) for ct, lin in zip(cts[:num_carry], carry_lin) if lin]
    ct_ys = [instantiate(ct) for ct, uk in zip(cts[num_carry:], ys_uk) if uk]
    lin_avals = [tangent_aval(x.aval if is_undefined(x) else get_aval(x))
                 for x, lin in zip(args, linear) if lin]
    lin_const_avals, lin_carry_avals, lin_x_avals = _parts(lin_avals, sum(const_lin),
                                                           sum(carry_lin))
    ct_consts, ct_init, ct_xs = _reverse_sweep(
        primal, step_t, n_res, revolve_schedule(length, checkpoints), checkpoints,
        known_consts, known_carry, known_xs, ct_carry, ct_ys, lin_const_avals,
        [a.update(shape=a.shape[1:]) for a in lin_x_avals], length)
    outs = iter(ct_consts + ct_init + ct_xs)
    return [ct if undef else None for ct, undef in
            zip([next(outs) if lin else None for lin in linear], undefined)]


def _reverse_sweep(primal, step_t, n_res, actions, checkpoints, consts, carry0, xs,
                   ct_carry, ct_ys, lin_const_avals, lin_x_avals, length):
    """Interpret the schedule with one ``while_loop``. Its state: the current
    primal carry, the snapshots, the carry cotangent, the accumulated constant
    cotangents and the per-step xs cotangents. Each iteration reads one row
    ``(kind, a, b)`` of the table and does that action.

    Two ways to do it, because updating a buffer costs different things.
    numpy cannot update in place (every write copies the whole buffer), so
    in the numpy interpreter (``jax_disable_jit``) a ``switch`` runs only
    the row's own action. Compiled (eagerly too, as loops run), XLA
    updates buffers in place but copies those that pass through a branch, so
    every iteration applies every kind of action, each a no-op
    (a ``select``, or a ``fori_loop`` of zero steps) unless it is the row's,
    and only the backward step sits in a ``cond``, away from the big buffers.
    """
    table = np.array([(_ACTION_CODES[k], a, b) for k, a, b in actions], np.int32)
    carry_avals = [get_aval(c) for c in carry0]
    n_kc, n_lc = len(carry0), len(lin_const_avals)
    index = lambda buf, i: lax.dynamic_index_in_dim(buf, i, 0, keepdims=False)

    def primal_step(carry, t):
        x_t = [index(x, t) for x in xs]
        return eval_jaxpr(primal.jaxpr, primal.consts, *consts, *carry, *x_t)

    def advance_one(t, carry):
        return [_like(c, av) for c, av in zip(primal_step(carry, t)[:n_kc], carry_avals)]

    def backward_step(operands):
        carry, ct_carry_, ct_consts, t = operands
        residuals = primal_step(carry, t)[len(primal.out_avals) - n_res:]
        outs = eval_jaxpr(step_t.jaxpr, step_t.consts, *residuals, *ct_carry_,
                          *[index(y, t) for y in ct_ys])
        ct_c, ct_carry_new, ct_x = _parts(outs, n_lc, len(ct_carry_))
        return (list(ct_carry_new), [lax.add(a, b) for a, b in zip(ct_consts, ct_c)],
                list(ct_x))

    def no_backward_step(operands):
        _, ct_carry_, ct_consts, _ = operands
        return list(ct_carry_), list(ct_consts), [zeros_like_aval(a) for a in lin_x_avals]

    # -- eager: one branch per action
    def advance(state, a, b):
        carry, snaps, ct = state
        return lax.fori_loop(a, b, advance_one, carry), snaps, ct

    def snapshot(state, slot, _):
        carry, snaps, ct = state
        return carry, [lax.dynamic_update_index_in_dim(s, c, slot, 0)
                       for s, c in zip(snaps, carry)], ct

    def restore(state, slot, _):
        _, snaps, ct = state
        return [_like(index(s, slot), av) for s, av in zip(snaps, carry_avals)], snaps, ct

    def reverse(state, t, _):
        carry, snaps, (ct_carry_, ct_consts, ct_xs) = state
        ct_carry_, ct_consts, ct_x = backward_step((carry, ct_carry_, ct_consts, t))
        ct_xs = [lax.dynamic_update_index_in_dim(buf, v, t, 0) for buf, v in zip(ct_xs, ct_x)]
        return carry, snaps, (ct_carry_, ct_consts, ct_xs)

    def eager_body(kind, a, b, carry, snaps, ct):
        return lax.switch(kind, [advance, snapshot, restore, reverse], (carry, snaps, ct), a, b)

    # -- compiled: every action every time, no-ops where not the row's
    def compiled_body(kind, a, b, carry, snaps, ct):
        ct_carry_, ct_consts, ct_xs = ct
        is_kind = {k: lax.eq(kind, np.int32(code)) for k, code in _ACTION_CODES.items()}
        snaps = [lax.dynamic_update_index_in_dim(
            s, lax.select(is_kind[SNAPSHOT], c, index(s, a)), a, 0)
            for s, c in zip(snaps, carry)]
        carry = [lax.select(is_kind[RESTORE], _like(index(s, a), av), c)
                 for s, c, av in zip(snaps, carry, carry_avals)]
        carry = lax.fori_loop(a, lax.select(is_kind[ADVANCE], b, a), advance_one, carry)
        ct_carry_, ct_consts, ct_x = lax.cond(is_kind[REVERSE], backward_step,
                                              no_backward_step,
                                              (carry, ct_carry_, ct_consts, a))
        ct_xs = [lax.dynamic_update_index_in_dim(
            buf, lax.select(is_kind[REVERSE], v, index(buf, a)), a, 0)
            for buf, v in zip(ct_xs, ct_x)]
        return carry, snaps, (ct_carry_, ct_consts, ct_xs)

    step_body = compiled_body if _compiled() else eager_body

    def body(loop):
        i, state = loop
        kind, a, b = (index(table, i)[k] for k in range(3))
        return i + 1, step_body(kind, a, b, *state)

    init = (list(carry0),
            [lax.full((checkpoints,) + a.shape, 0, a.dtype) for a in carry_avals],
            (list(ct_carry), [zeros_like_aval(a) for a in lin_const_avals],
             [lax.full((length,) + a.shape, 0, a.dtype) for a in lin_x_avals]))
    _, (_, _, (ct_carry, ct_consts, ct_xs)) = lax.while_loop(
        lambda loop: loop[0] < len(table), body, (np.int32(0), init))
    return list(ct_consts), list(ct_carry), list(ct_xs)


def _compiled():
    """True when the backward pass will run compiled: eagerly, as loops run
    unless ``jax_disable_jit`` is set, or staged for ``jit`` (some interpreter
    below the current one records a jaxpr)."""
    if not config.jit_disabled:
        return True
    trace = core.current_trace()
    while trace is not None:
        if isinstance(trace, JaxprTrace):
            return True
        trace = trace.parent
    return False


def _like(x, aval):
    """``x`` with exactly the type ``aval`` (weak type included), so loop and
    branch outputs agree with their inputs."""
    return lax._convert_element_type(x, aval.dtype, aval.weak_type)


jvp_rules[checkpointed_scan_p] = _checkpointed_scan_jvp
batching_rules[checkpointed_scan_p] = _checkpointed_scan_batch
partial_eval_rules[checkpointed_scan_p] = _checkpointed_scan_partial_eval
transpose_rules[checkpointed_scan_p] = _checkpointed_scan_transpose
lowering_rules[checkpointed_scan_p] = _checkpointed_scan_lower

# ---------------------------------------------------------------------------
# The user-facing loops


def checkpointed_scan(f, init, xs=None, length=None, *, checkpoints):
    """``lax.scan(f, init, xs, length)`` whose reverse pass stores at most
    ``checkpoints`` carries and recomputes the rest on the revolve schedule."""
    checkpoints = _check_checkpoints(checkpoints)
    xs_flat, xs_tree = tree_util.tree_flatten(xs)
    lengths = {get_aval(x).shape[0] for x in xs_flat if get_aval(x).ndim > 0}
    if any(get_aval(x).ndim == 0 for x in xs_flat):
        raise ValueError("checkpointed_scan got value with no leading axis to scan over: "
                         "every leaf of xs needs a leading axis.")
    if length is not None:
        lengths.add(operator.index(length))
    if len(lengths) != 1:
        raise ValueError(f"checkpointed_scan got inconsistent or missing lengths: "
                         f"{sorted(lengths)} (pass length= when xs is None).")
    n = lengths.pop()
    init_flat, init_tree = tree_util.tree_flatten(init)
    in_tree = tree_util.tree_structure((init, xs))
    x_avals = [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in xs_flat]
    carry_avals = [get_aval(x) for x in init_flat]
    step = lambda c, x: _check_pair(f(c, x))
    body, consts, out_tree = _trace(step, carry_avals + x_avals, in_tree, function_name(f),
                                    "checkpointed_scan")
    out_carry = body.out_avals[:len(init_flat)]
    if out_carry != carry_avals:
        if _strip_weak(out_carry) != _strip_weak(carry_avals):
            raise TypeError(f"checkpointed_scan body function carry input and carry output "
                            f"must have equal types: {[a.str_short() for a in carry_avals]} "
                            f"vs {[a.str_short() for a in out_carry]}.")
        # Weak types differ only: the carry takes the body's (as scan does).
        init_flat = [_like(x, a) for x, a in zip(init_flat, out_carry)]
        carry_avals = list(out_carry)
        body, consts, out_tree = _trace(step, carry_avals + x_avals, in_tree,
                                        function_name(f), "checkpointed_scan")
    outs = checkpointed_scan_p.bind(*consts, *init_flat, *xs_flat, jaxpr=body,
                                    num_consts=len(consts), num_carry=len(init_flat),
                                    length=n, checkpoints=checkpoints)
    carry_tree, ys_tree = out_tree.children()
    return (tree_util.tree_unflatten(carry_tree, outs[:len(init_flat)]),
            tree_util.tree_unflatten(ys_tree, outs[len(init_flat):]))


def checkpointed_while_loop(cond_fun, body_fun, init_val, *, max_steps, checkpoints):
    """``lax.while_loop`` that reverse mode can differentiate, in bounded memory.

    The loop runs at most ``max_steps`` iterations: like Equinox's, it stops
    there (without an error) if ``cond_fun`` still holds. It is a
    ``checkpointed_scan`` of ``max_steps`` steps in which the steps after the
    loop has ended are identities (a ``cond`` skips ``body_fun``), so the
    memory bound is ``checkpoints`` carries whatever the trip count.
    """
    if isinstance(max_steps, bool) or not hasattr(max_steps, "__index__"):
        raise TypeError(f"max_steps must be a positive int, got {max_steps!r}")
    if operator.index(max_steps) < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps}")

    def step(state, _):
        val, done = state
        active = lax.bitwise_and(lax.bitwise_not(done), cond_fun(val))
        val = lax.cond(active, body_fun, lambda v: v, val)
        return (val, lax.bitwise_not(active)), None

    (val, _), _ = checkpointed_scan(step, (init_val, np.bool_(False)), None,
                                    length=operator.index(max_steps), checkpoints=checkpoints)
    return val
