"""What cond, while and scan share: staging Python functions into jaxprs, and
partial evaluation of a body with some outputs forced unknown."""
from .. import core, lax, tree_util
from ..core import Tracer, get_aval
from ..higher_order import partial_eval_jaxpr
from ..util import merge_lists, partition_list, split_list
from ..jaxpr import ClosedJaxpr, Jaxpr, Var, close_jaxpr, eval_jaxpr, trace_to_jaxpr


def _trace(fun, avals, in_tree, name, what):
    """Stage ``fun`` (taking pytrees) at ``avals``. Returns (closed jaxpr whose
    leading invars are the hoisted tracer constants, those constants, out_tree)."""
    out_tree = None

    def flat_fun(*xs):
        nonlocal out_tree
        out_leaves, out_tree = tree_util.tree_flatten(fun(*tree_util.tree_unflatten(in_tree, xs)))
        return [_as_value(x, what) for x in out_leaves]

    jaxpr, consts = trace_to_jaxpr(flat_fun, avals, name, purpose=what)
    closed, tracer_consts = close_jaxpr(jaxpr, consts)
    return closed, tracer_consts, out_tree


def _as_value(x, what):
    if isinstance(x, Tracer) or core.is_valid_value(x):
        return x
    raise TypeError(f"{what}: the function returned {x!r} of type {type(x).__name__}, which "
                    "is not an array; return (pytrees of) arrays or scalars.")


def _with_leading_inputs(closed, avals_before, avals_after=()):
    """``closed`` with extra, unused inputs before (and after) its own."""
    before = [Var(a) for a in avals_before]
    after = [Var(a) for a in avals_after]
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars, before + j.invars + after, j.outvars, j.eqns),
                       closed.consts)


def _join_consts(traced):
    """Give several traced bodies the same leading constant inputs (the union
    of their hoisted tracer constants), so one primitive can carry them all."""
    all_consts = [c for _, consts, _ in traced for c in consts]
    joined = []
    for i, (closed, consts, _) in enumerate(traced):
        before = [get_aval(c) for _, cs, _ in traced[:i] for c in cs]
        after = [get_aval(c) for _, cs, _ in traced[i + 1:] for c in cs]
        n = len(consts)
        j = closed.jaxpr
        own, rest = split_list(j.invars, [n])
        pre, post = [Var(a) for a in before], [Var(a) for a in after]
        joined.append(ClosedJaxpr(Jaxpr(j.constvars, pre + own + post + rest, j.outvars,
                                        j.eqns), closed.consts))
    return joined, all_consts


def _describe_types(avals):
    return ", ".join(a.str_short() for a in avals)


def _strip_weak(avals):
    return [a.strip_weak_type() for a in avals]


def _cast_outputs(fun, weak):
    def cast(*args):
        leaves, tree = tree_util.tree_flatten(fun(*args))
        return tree_util.tree_unflatten(tree, [
            lax._convert_element_type(x, get_aval(x).dtype, w) for x, w in zip(leaves, weak)])
    return cast


def _partial_eval_forced(closed, unknowns, out_unknowns):
    """partial_eval_jaxpr, with the outputs in ``out_unknowns`` forced unknown."""
    known, unknown, uk, n_res = partial_eval_jaxpr(closed, unknowns, False)
    if list(uk) == list(out_unknowns):
        return known, unknown, n_res
    # Some output is known in this branch but unknown in another: compute it
    # on the known side and pass it through the unknown side as a residual.
    n_known_out = len(known.out_avals) - n_res
    known_out_avals, res_avals = split_list(known.out_avals, [n_known_out])
    forced = [must and not u for u, must in zip(uk, out_unknowns)]
    forced_among_known, _ = partition_list(uk, forced)
    _, forced_among_unknown = partition_list(out_unknowns, forced)
    _, passed_avals = partition_list(forced_among_known, known_out_avals)

    def new_known(*xs):
        outs, res = split_list(eval_jaxpr(known.jaxpr, known.consts, *xs), [n_known_out])
        kept, passed = partition_list(forced_among_known, outs)
        return kept + passed + res

    def new_unknown(*xs):
        passed, res_and_ins = split_list(xs, [len(passed_avals)])
        outs = eval_jaxpr(unknown.jaxpr, unknown.consts, *res_and_ins)
        return merge_lists(forced_among_unknown, outs, passed)

    k_avals, uk_avals = partition_list(unknowns, closed.in_avals)
    kj, kc = trace_to_jaxpr(new_known, k_avals, purpose="cond")
    uj, uc = trace_to_jaxpr(new_unknown, passed_avals + list(res_avals) + uk_avals,
                            purpose="cond")
    return ClosedJaxpr(kj, kc), ClosedJaxpr(uj, uc), len(passed_avals) + n_res
