"""Differentiating through solvers without unrolling them: ``lax.custom_linear_solve``
and ``lax.custom_root`` (Chapter "Custom derivative rules").

An iterative solver (a ``while_loop``) cannot be reverse-differentiated step by
step, and should not be: its result is defined by an equation, and the
implicit function theorem gives the derivative from the equation alone.

* ``custom_linear_solve(matvec, b, solve, transpose_solve)``: ``x = solve(matvec, b)``
  solves ``matvec(x) = b``. Its JVP solves again, ``matvec(ẋ) = ḃ - ṁatvec(x)``;
  its transpose (for reverse mode) is ``transpose_solve`` on the transposed
  ``matvec``. It is a higher-order primitive, ``linear_solve``, carrying four
  jaxprs: matvec, its transpose vecmat, solve and transpose_solve.
* ``custom_root(f, x0, solve, tangent_solve)``: ``x* = solve(f, x0)`` with
  ``f(x*) = 0``. Differentiating ``f(x*(θ), θ) = 0`` gives
  ``∂ₓf ẋ = -∂_θf θ̇``, which ``tangent_solve`` solves. Built on ``custom_jvp``;
  reverse mode then linearizes and transposes that rule, as for any custom_jvp.
"""
from . import lax, tree_util
from .batching import batching_rules, bdim_at_front, moveaxis, not_mapped
from .core import Primitive, get_aval
from .custom_derivatives import closure_convert, custom_jvp
from .forward_mode import Zero, instantiate, jvp_flat, jvp_rules, tangent_aval, jvp
from .higher_order import batch_jaxpr, transpose_jaxpr
from .jaxpr import close_jaxpr, eval_jaxpr, jaxpr_as_fun, trace_to_jaxpr
from .lowering import lower_sub_jaxpr, lowering_rules
from .partial_eval import linearize
from .transpose import is_undefined, transpose_rules
from .util import split_list

# ---------------------------------------------------------------------------
# custom_linear_solve

linear_solve_p = Primitive("custom_linear_solve", multiple_results=True)

_MATVEC, _VECMAT, _SOLVE, _TRANSPOSE_SOLVE = range(4)


def _stage(fun, in_tree, avals, what):
    """Stage ``fun`` (pytree in, pytree out) on flat leaves; tracers it closes over
    become leading inputs. Returns (closed jaxpr, those tracers)."""
    def flat(*leaves):
        return tree_util.tree_leaves(fun(tree_util.tree_unflatten(in_tree, leaves)))
    jaxpr, consts = trace_to_jaxpr(flat, avals, purpose=what)
    return close_jaxpr(jaxpr, consts)


def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False,
                        has_aux=False):
    """``solve(matvec, b)``, differentiated implicitly: derivatives solve again
    instead of differentiating the solver's steps."""
    if has_aux:
        raise NotImplementedError("minijax's custom_linear_solve does not support has_aux")
    b_leaves, tree = tree_util.tree_flatten(b)
    avals = [get_aval(x) for x in b_leaves]
    matvec_j, matvec_c = _stage(matvec, tree, avals, "custom_linear_solve matvec")
    if [a.shape for a in matvec_j.out_avals] != [a.shape for a in avals]:
        raise ValueError("matvec output shape must match the shape of b")
    solve_j, solve_c = _stage(lambda x: solve(matvec, x), tree, avals,
                              "custom_linear_solve solve")
    jaxprs, consts = [matvec_j, None, solve_j, None], [matvec_c, [], solve_c, []]
    if symmetric:
        jaxprs[_VECMAT], consts[_VECMAT] = matvec_j, matvec_c
        jaxprs[_TRANSPOSE_SOLVE], consts[_TRANSPOSE_SOLVE] = solve_j, solve_c
    elif transpose_solve is not None:
        vecmat = transpose_jaxpr(matvec_j, (False,) * len(matvec_c) + (True,) * len(avals))
        jaxprs[_VECMAT], consts[_VECMAT] = vecmat, matvec_c
        vecmat_fun = lambda y: tree_util.tree_unflatten(
            tree, eval_jaxpr(vecmat.jaxpr, vecmat.consts, *matvec_c, *tree_util.tree_leaves(y)))
        jaxprs[_TRANSPOSE_SOLVE], consts[_TRANSPOSE_SOLVE] = _stage(
            lambda x: transpose_solve(vecmat_fun, x), tree, avals,
            "custom_linear_solve transpose_solve")
    outs = linear_solve_p.bind(*[c for cs in consts for c in cs], *b_leaves,
                               const_lengths=tuple(len(cs) for cs in consts),
                               jaxprs=tuple(jaxprs))
    return tree_util.tree_unflatten(tree, outs)


def _split_consts(args, const_lengths):
    *consts, b = split_list(args, list(const_lengths))
    return consts, b


@linear_solve_p.def_impl
def _linear_solve_impl(*args, const_lengths, jaxprs):
    consts, b = _split_consts(args, const_lengths)
    return eval_jaxpr(jaxprs[_SOLVE].jaxpr, jaxprs[_SOLVE].consts, *consts[_SOLVE], *b)


@linear_solve_p.def_abstract_eval
def _linear_solve_abstract_eval(*avals, const_lengths, jaxprs):
    return jaxprs[_SOLVE].out_avals


def _linear_solve_jvp(primals, tangents, *, const_lengths, jaxprs):
    """ẋ solves ``matvec(ẋ) = ḃ - ṁatvec(x)``: the same solve, a new right-hand side."""
    consts, b = _split_consts(primals, const_lengths)
    const_dots, b_dot = _split_consts(tangents, const_lengths)
    x = linear_solve_p.bind(*primals, const_lengths=const_lengths, jaxprs=jaxprs)
    rhs = [instantiate(t) for t in b_dot]
    matvec_dots = const_dots[_MATVEC]
    if any(type(t) is not Zero for t in matvec_dots):
        # How matvec's own parameters move the product at the solution.
        _, mv_dot = jvp_flat(jaxpr_as_fun(jaxprs[_MATVEC]), list(consts[_MATVEC]) + list(x),
                             list(matvec_dots) + [Zero(tangent_aval(get_aval(v))) for v in x])
        rhs = [r if type(m) is Zero else lax.sub(r, m) for r, m in zip(rhs, mv_dot)]
    x_dot = linear_solve_p.bind(*[c for cs in consts for c in cs], *rhs,
                                const_lengths=const_lengths, jaxprs=jaxprs)
    return x, x_dot


def _linear_solve_transpose(cts, *args, const_lengths, jaxprs):
    """The transpose of ``b ↦ A⁻¹ b`` is ``c ↦ A⁻ᵀ c``: transpose_solve with vecmat."""
    consts, b = _split_consts(args, const_lengths)
    if any(is_undefined(c) for cs in consts for c in cs):
        raise NotImplementedError("custom_linear_solve is linear in b only")
    if jaxprs[_TRANSPOSE_SOLVE] is None:
        raise TypeError("transpose_solve required for backwards mode automatic "
                        "differentiation of custom_linear_solve")
    order = (_VECMAT, _MATVEC, _TRANSPOSE_SOLVE, _SOLVE)
    ct_b = linear_solve_p.bind(*[c for i in order for c in consts[i]],
                               *[instantiate(ct) for ct in cts],
                               const_lengths=tuple(const_lengths[i] for i in order),
                               jaxprs=tuple(jaxprs[i] for i in order))
    return [None] * sum(const_lengths) + list(ct_b)


def _linear_solve_batch(axis_size, vals, dims, *, const_lengths, jaxprs):
    """Batch every jaxpr; the right-hand side and the solution are batched."""
    vals = [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    batched = [d is not not_mapped for d in dims]
    const_b, _ = _split_consts(batched, const_lengths)
    consts, b = _split_consts(vals, const_lengths)
    b = [bdim_at_front(axis_size, v, d) for v, d in
         zip(b, dims[sum(const_lengths):])]
    new_jaxprs = []
    for j, cb in zip(jaxprs, const_b):
        if j is None:
            new_jaxprs.append(None)
            continue
        flags = tuple(cb) + (True,) * len(b)
        new_jaxprs.append(batch_jaxpr(j, axis_size, flags, (True,) * len(j.out_avals))[0])
    outs = linear_solve_p.bind(*[c for cs in consts for c in cs], *b,
                               const_lengths=const_lengths, jaxprs=tuple(new_jaxprs))
    return outs, [0] * len(outs)


def _linear_solve_lower(b, args, in_avals, out_avals, const_lengths, jaxprs):
    consts, rhs = _split_consts(args, const_lengths)
    return lower_sub_jaxpr(b, jaxprs[_SOLVE], list(consts[_SOLVE]) + list(rhs))


jvp_rules[linear_solve_p] = _linear_solve_jvp
transpose_rules[linear_solve_p] = _linear_solve_transpose
batching_rules[linear_solve_p] = _linear_solve_batch
lowering_rules[linear_solve_p] = _linear_solve_lower

# ---------------------------------------------------------------------------
# custom_root


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """``solve(f, initial_guess)``, a root of ``f``, differentiated implicitly
    with respect to the values ``f`` closes over: ``tangent_solve(g, y)`` must
    solve the linear equation ``g(x) = y``."""
    converted, params = closure_convert(f, initial_guess)   # f(x) == converted(x, *params)

    @custom_jvp
    def root(params, guess):
        return solve(lambda x: converted(x, *params), guess)

    @root.defjvp
    def root_jvp(primals, tangents):
        params, guess = primals
        params_dot, _ = tangents
        out = root(params, guess)
        solution = out[0] if has_aux else out
        # f(x*(θ), θ) = 0, so ∂ₓf · ẋ = -∂_θf · θ̇.
        _, rhs = jvp(lambda p: converted(solution, *p), (params,), (params_dot,))
        _, f_x = linearize(lambda x: converted(x, *params), solution)
        solution_dot = tree_util.tree_map(lax.neg, tangent_solve(f_x, rhs))
        if has_aux:
            return out, (solution_dot, tree_util.tree_map(lax.zeros_like_array, out[1]))
        return out, solution_dot
    return root(params, lax.stop_gradient(initial_guess))
