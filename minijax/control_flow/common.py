"""What cond, while and scan share: staging Python functions into jaxprs, and
partial evaluation of a body with some outputs forced unknown."""
from .. import core, lax, tree_util
from ..core import Tracer, get_aval
from ..higher_order import partial_eval_jaxpr
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
        own, rest = j.invars[:n], j.invars[n:]
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
    known_out_avals = known.out_avals[:n_known_out]
    res_avals = known.out_avals[n_known_out:]
    forced = [i for i, (a, b) in enumerate(zip(uk, out_unknowns)) if b and not a]
    known_positions = [i for i, u in enumerate(uk) if not u]
    pass_through = [known_positions.index(i) for i in forced]

    def new_known(*xs):
        outs = eval_jaxpr(known.jaxpr, known.consts, *xs)
        kept = [o for j, o in enumerate(outs[:n_known_out]) if j not in pass_through]
        return kept + [outs[j] for j in pass_through] + outs[n_known_out:]

    def new_unknown(*xs):
        n_pass = len(pass_through)
        passed, res_and_ins = xs[:n_pass], xs[n_pass:]
        outs = iter(eval_jaxpr(unknown.jaxpr, unknown.consts, *res_and_ins))
        passed = iter(passed)
        return [next(passed) if i in forced else next(outs)
                for i, u in enumerate(out_unknowns) if u]

    k_avals = [a for a, u in zip(closed.in_avals, unknowns) if not u]
    uk_avals = [a for a, u in zip(closed.in_avals, unknowns) if u]
    kj, kc = trace_to_jaxpr(new_known, k_avals, purpose="cond")
    uj, uc = trace_to_jaxpr(new_unknown, [known_out_avals[j] for j in pass_through]
                            + list(res_avals) + uk_avals, purpose="cond")
    return ClosedJaxpr(kj, kc), ClosedJaxpr(uj, uc), len(pass_through) + n_res
