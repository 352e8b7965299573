"""Forward mode: Jacobian-vector products (Chapter 5).

``jvp(f, (x,), (v,))`` computes ``f(x)`` and the directional derivative
``∂f(x) v`` in one pass. Every value becomes a *dual number*: a ``JVPTracer``
carrying a primal value and a tangent. Each primitive has a JVP rule that maps
(primals, tangents) to (primal out, tangent out); the chain rule is nothing
more than running those rules in program order.

Tangents of values that do not depend on the inputs are *symbolic zeros*
(``Zero``): rules skip them, and a primitive whose inputs all have zero
tangents is evaluated without any derivative work at all.

Layout of this module: the tracer and interpreter; the ``jvp`` entry point
(its argument checks live in ``api_util``); then the rule table, one entry per
primitive (the book's "table of derivatives").
"""
import numpy as np

from . import core, dtypes, lax, tree_util
from .api_util import check_callable, check_jvp_arguments, check_output, split_aux
from .core import ShapedArray, Tracer, bind_with_trace, get_aval, set_current_trace
from .lax import elementwise as ew, shapes as sh, reductions as red

# ---------------------------------------------------------------------------
# Symbolic zeros and tangent types


class Zero:
    """A tangent known to be zero. It costs nothing until someone needs its value."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


def tangent_aval(aval):
    """The type of a tangent of ``aval``: the same, except that integers and
    booleans have ``float0`` tangents (they cannot be perturbed)."""
    if dtypes.is_inexact(aval.dtype):
        return aval
    return ShapedArray(aval.shape, dtypes.float0, False)


def zeros_like_aval(aval):
    """A concrete (or traced) array of zeros of type ``aval``."""
    if aval.dtype == dtypes.float0:
        return np.zeros(aval.shape, dtypes.float0)
    zero = lax._convert_element_type(np.zeros((), aval.dtype), aval.dtype, aval.weak_type)
    return lax.broadcast_in_dim(zero, aval.shape, ())


def instantiate(t):
    """A tangent as a real value: symbolic zeros become arrays of zeros."""
    return zeros_like_aval(t.aval) if type(t) is Zero else t


def add_tangents(a, b):
    """Sum of two tangents, skipping symbolic zeros."""
    if type(a) is Zero:
        return b
    if type(b) is Zero:
        return a
    return lax.add_any(a, b)


# ---------------------------------------------------------------------------
# The interpreter


class JVPTracer(Tracer):
    """A dual number: a primal value and its tangent."""
    __slots__ = ("_primal", "_tangent")

    def __init__(self, trace, primal, tangent):
        self._trace, self._primal, self._tangent = trace, primal, tangent

    @property
    def aval(self):
        return get_aval(self._primal)

    def to_concrete_value(self):
        p = self._primal
        if isinstance(p, Tracer):
            return p.to_concrete_value()
        return np.asarray(p)

    def __repr__(self):
        return f"JVPTracer(primal={self._primal!r}, tangent={self._tangent!r})"


class JVPTrace(core.Trace):
    """Interprets each primitive by its JVP rule; primal work goes to the parent."""

    def primal_tangent(self, x):
        """Split a value into (primal, tangent); non-tracers have zero tangents."""
        if isinstance(x, JVPTracer) and x._trace is self:
            return x._primal, x._tangent
        if isinstance(x, Tracer):
            self.check_foreign(x)
        return x, None   # None: a zero tangent whose type we have not needed yet

    def process_primitive(self, primitive, args, params):
        pairs = [self.primal_tangent(x) for x in args]
        primals, tangents = [p for p, _ in pairs], [t for _, t in pairs]
        if all(t is None or type(t) is Zero for t in tangents):
            # Nothing here depends on the inputs: no derivative work at all.
            return bind_with_trace(self.parent, primitive, primals, params)
        tangents = [Zero(tangent_aval(get_aval(p))) if t is None else t
                    for p, t in zip(primals, tangents)]
        rule = jvp_rules.get(primitive)
        if rule is None:
            raise NotImplementedError(f"Differentiation rule for '{primitive.name}' not "
                                      "implemented")
        with set_current_trace(self.parent):
            primal_out, tangent_out = rule(primals, tangents, **params)
        if primitive.multiple_results:
            return [self.pack(p, t) for p, t in zip(primal_out, tangent_out)]
        return self.pack(primal_out, tangent_out)

    def pack(self, primal, tangent):
        """Wrap as a tracer, or return the bare primal if the tangent is zero."""
        return primal if type(tangent) is Zero else JVPTracer(self, primal, tangent)

    def describe(self):
        return "inside a jvp (forward-mode differentiation)"


def jvp_flat(fun, primals, tangents):
    """Push ``tangents`` forward through ``fun`` (flat lists in and out).

    ``tangents`` may hold ``Zero``s. Returns ``(primals_out, tangents_out)``;
    output tangents may be ``Zero``.
    """
    trace = JVPTrace()
    with set_current_trace(trace, retire=True):
        ins = [p if type(t) is Zero else JVPTracer(trace, p, t)
               for p, t in zip(primals, tangents)]
        outs = fun(*ins)
    primals_out, tangents_out = [], []
    for out in outs:
        p, t = trace.primal_tangent(out)
        primals_out.append(p)
        tangents_out.append(Zero(tangent_aval(get_aval(p))) if t is None else t)
    return primals_out, tangents_out


# ---------------------------------------------------------------------------
# The public entry point


def jvp(fun, primals, tangents, has_aux=False):
    """Evaluate ``fun(*primals)`` and its derivative along ``tangents``.

    Returns ``(primals_out, tangents_out)``, or ``(primals_out, tangents_out,
    aux)`` with ``has_aux=True``. Integer inputs take ``float0`` tangents.
    """
    check_callable(fun)
    flat_primals, flat_tangents, in_tree = check_jvp_arguments(primals, tangents)
    # Integer primals have float0 tangents: symbolic zeros inside.
    flat_tangents = [Zero(tangent_aval(get_aval(p))) if get_aval(t).dtype == dtypes.float0
                     else t for p, t in zip(flat_primals, flat_tangents)]
    out_tree, aux = None, None

    def flat_fun(*xs):
        nonlocal out_tree, aux
        out = fun(*tree_util.tree_unflatten(in_tree, xs))
        if has_aux:
            out, aux = split_aux(out, "jvp")
        flat_out, out_tree = tree_util.tree_flatten(out)
        return [check_output(x, "jvp") for x in flat_out]

    trace_aux = []

    def flat_fun_aux(*xs):
        outs = flat_fun(*xs)
        if has_aux:   # aux values leave as plain primals (their tangents dropped)
            aux_leaves, aux_tree = tree_util.tree_flatten(aux)
            trace_aux.append(aux_tree)
            return outs + list(aux_leaves)
        return outs

    primals_out, tangents_out = jvp_flat(flat_fun_aux, flat_primals, flat_tangents)
    n = out_tree.num_leaves
    out_p = tree_util.tree_unflatten(out_tree, primals_out[:n])
    out_t = tree_util.tree_unflatten(out_tree, [to_user_tangent(t) for t in tangents_out[:n]])
    if has_aux:
        return out_p, out_t, tree_util.tree_unflatten(trace_aux[0], primals_out[n:])
    return out_p, out_t


def to_user_tangent(t):
    """What users receive: zeros become arrays (float0 arrays for integers)."""
    return instantiate(t)


# ---------------------------------------------------------------------------
# Rule helpers

jvp_rules = {}


def defjvp(primitive, *operand_rules):
    """Define a JVP by one rule per operand: ``rule(t, ans, *primals, **params)``
    returns that operand's contribution to the output tangent (``None`` for an
    operand that cannot be differentiated). Contributions are summed."""
    def rule(primals, tangents, **params):
        ans = primitive.bind(*primals, **params)
        out = Zero(tangent_aval(get_aval(ans)))
        for operand_rule, t in zip(operand_rules, tangents):
            if type(t) is not Zero and operand_rule is not None:
                out = add_tangents(out, operand_rule(t, ans, *primals, **params))
        return ans, broadcast_tangent(out, get_aval(ans).shape)
    jvp_rules[primitive] = rule


def deflinear(primitive):
    """A primitive linear in all its operands is its own JVP."""
    def rule(primals, tangents, **params):
        ans = primitive.bind(*primals, **params)
        return ans, primitive.bind(*map(instantiate, tangents), **params)
    jvp_rules[primitive] = rule


def defzero(primitive):
    """Outputs that cannot change continuously (integers, booleans, steps)."""
    def rule(primals, tangents, **params):
        ans = primitive.bind(*primals, **params)
        if primitive.multiple_results:
            return ans, [Zero(tangent_aval(get_aval(a))) for a in ans]
        return ans, Zero(tangent_aval(get_aval(ans)))
    jvp_rules[primitive] = rule


def broadcast_tangent(t, shape):
    """lax broadcasts rank-0 operands and size-1 axes; so must their tangents."""
    if type(t) is Zero:
        return Zero(t.aval.update(shape=shape))
    t_shape = get_aval(t).shape
    if t_shape == shape:
        return t
    if not t_shape:
        return lax.broadcast_in_dim(t, shape, ())
    kept = [i for i, (a, b) in enumerate(zip(t_shape, shape)) if a == b]
    squeezed = lax.reshape(t, [t_shape[i] for i in kept])
    return lax.broadcast_in_dim(squeezed, shape, tuple(kept))


def _const(x, value):
    """``value`` as a weakly typed scalar of ``x``'s dtype."""
    return lax._convert_element_type(value, get_aval(x).dtype, True)


# ---------------------------------------------------------------------------
# The table of derivatives: elementwise operations

deflinear(ew.neg_p)
deflinear(ew.real_p)
deflinear(ew.imag_p)
deflinear(ew.conj_p)
deflinear(ew.complex_p)
defjvp(ew.add_p, lambda t, ans, x, y: t, lambda t, ans, x, y: t)
defjvp(ew.add_any_p, lambda t, ans, x, y: t, lambda t, ans, x, y: t)
defjvp(ew.sub_p, lambda t, ans, x, y: t, lambda t, ans, x, y: lax.neg(t))
defjvp(ew.mul_p, lambda t, ans, x, y: lax.mul(t, y), lambda t, ans, x, y: lax.mul(x, t))
defjvp(ew.div_p,
       lambda t, ans, x, y: lax.div(t, y),
       lambda t, ans, x, y: lax.mul(lax.mul(lax.neg(t), x), lax.integer_pow(y, -2)))
# (nextafter has no rule, as in JAX: its derivative is not zero, and JAX raises.)
for _p in (ew.sign_p, ew.floor_p, ew.ceil_p, ew.round_p, ew.is_finite_p, ew.stop_gradient_p,
           ew.not_p, ew.and_p, ew.or_p, ew.xor_p, ew.eq_p, ew.ne_p, ew.lt_p, ew.le_p,
           ew.gt_p, ew.ge_p, red.argmax_p, red.argmin_p, red.reduce_and_p,
           red.reduce_or_p, sh.iota_p):
    defzero(_p)

defjvp(ew.exp_p, lambda t, ans, x: lax.mul(t, ans))
defjvp(ew.exp2_p, lambda t, ans, x: lax.mul(t, lax.mul(ans, _const(x, np.log(2)))))
defjvp(ew.log_p, lambda t, ans, x: lax.div(t, x))
defjvp(ew.log1p_p, lambda t, ans, x: lax.div(t, lax.add(x, _const(x, 1))))
defjvp(ew.expm1_p, lambda t, ans, x: lax.mul(t, lax.add(ans, _const(x, 1))))
defjvp(ew.sin_p, lambda t, ans, x: lax.mul(t, lax.cos(x)))
defjvp(ew.cos_p, lambda t, ans, x: lax.neg(lax.mul(t, lax.sin(x))))
defjvp(ew.tan_p, lambda t, ans, x: lax.mul(t, lax.add(_const(x, 1), lax.mul(ans, ans))))
defjvp(ew.asin_p, lambda t, ans, x: lax.mul(t, lax.rsqrt(lax.sub(_const(x, 1), lax.mul(x, x)))))
defjvp(ew.acos_p, lambda t, ans, x: lax.mul(
    t, lax.neg(lax.rsqrt(lax.sub(_const(x, 1), lax.mul(x, x))))))
defjvp(ew.atan_p, lambda t, ans, x: lax.div(t, lax.add(_const(x, 1), lax.mul(x, x))))
defjvp(ew.sinh_p, lambda t, ans, x: lax.mul(t, lax.cosh(x)))
defjvp(ew.cosh_p, lambda t, ans, x: lax.mul(t, lax.sinh(x)))
defjvp(ew.tanh_p, lambda t, ans, x: lax.mul(lax.add(t, lax.mul(t, ans)),
                                            lax.sub(_const(x, 1), ans)))
defjvp(ew.asinh_p, lambda t, ans, x: lax.mul(t, lax.rsqrt(lax.add(lax.mul(x, x),
                                                                    _const(x, 1)))))
defjvp(ew.acosh_p, lambda t, ans, x: lax.mul(t, lax.rsqrt(
    lax.mul(lax.sub(x, _const(x, 1)), lax.add(x, _const(x, 1))))))
defjvp(ew.atanh_p, lambda t, ans, x: lax.mul(lax.div(_const(x, 1), lax.add(_const(x, 1), x)),
                                             lax.div(t, lax.sub(_const(x, 1), x))))
defjvp(ew.logistic_p, lambda t, ans, x: lax.mul(t, lax.mul(ans, lax.sub(_const(x, 1), ans))))
defjvp(ew.sqrt_p, lambda t, ans, x: lax.div(t, lax.mul(_const(x, 2), ans)))
defjvp(ew.rsqrt_p, lambda t, ans, x: lax.mul(t, lax.mul(_const(x, -0.5), lax.div(ans, x))))
defjvp(ew.cbrt_p, lambda t, ans, x: lax.mul(t, lax.mul(_const(x, 1 / 3),
                                                       lax.integer_pow(ans, -2))))
defjvp(ew.erf_p, lambda t, ans, x: lax.mul(t, lax.mul(_const(x, 2 / np.sqrt(np.pi)),
                                                      lax.exp(lax.neg(lax.mul(x, x))))))
defjvp(ew.erfc_p, lambda t, ans, x: lax.mul(t, lax.mul(_const(x, -2 / np.sqrt(np.pi)),
                                                       lax.exp(lax.neg(lax.mul(x, x))))))
defjvp(ew.erf_inv_p, lambda t, ans, x: lax.mul(t, lax.mul(_const(x, np.sqrt(np.pi) / 2),
                                                          lax.exp(lax.mul(ans, ans)))))
defjvp(ew.lgamma_p, lambda t, ans, x: lax.mul(t, lax.digamma(x)))
defjvp(ew.digamma_p, lambda t, ans, x: lax.mul(t, lax.polygamma(_const(x, 1), x)))
# polygamma's order m takes integer values: it has no derivative (None), as in JAX.
defjvp(ew.polygamma_p, None,
       lambda t, ans, m, x: lax.mul(t, lax.polygamma(lax.add(m, _const(m, 1)), x)))


# The incomplete gamma and beta functions (lax.special), with JAX's rules.
def _igamma_slope_x(a, x):
    """d/dx P(a, x), the gamma density x**(a-1) e**-x / Gamma(a)."""
    log_density = lax.sub(lax.mul(lax.sub(a, _const(a, 1)), lax.log(x)),
                          lax.add(x, lax.lgamma(a)))
    return lax.exp(log_density)


def _betainc_slope_x(a, b, x):
    """d/dx I_x(a, b), the beta density x**(a-1) (1-x)**(b-1) / B(a, b)."""
    log_beta = lax.sub(lax.add(lax.lgamma(a), lax.lgamma(b)), lax.lgamma(lax.add(a, b)))
    one = _const(x, 1)
    return lax.exp(lax.sub(lax.add(lax.mul(lax.sub(b, one), lax.log1p(lax.neg(x))),
                                   lax.mul(lax.sub(a, one), lax.log(x))), log_beta))


def _betainc_shape_jvp(t, ans, a, b, x):
    raise ValueError("Betainc gradient with respect to a and b not supported.")


defjvp(lax.igamma_p, lambda t, ans, a, x: lax.mul(t, lax.igamma_grad_a(a, x)),
       lambda t, ans, a, x: lax.mul(t, _igamma_slope_x(a, x)))
defjvp(lax.igammac_p, lambda t, ans, a, x: lax.neg(lax.mul(t, lax.igamma_grad_a(a, x))),
       lambda t, ans, a, x: lax.neg(lax.mul(t, _igamma_slope_x(a, x))))
# igamma_grad_a has no rule: as in JAX, it cannot be differentiated.
defjvp(lax.regularized_incomplete_beta_p, _betainc_shape_jvp, _betainc_shape_jvp,
       lambda t, ans, a, b, x: lax.mul(t, _betainc_slope_x(a, b, x)))


def _abs_jvp(t, ans, x):
    if dtypes.is_complex(get_aval(x).dtype):
        # d|z| = Re(conj(z) dz) / |z|; at z = 0 we divide by 1 instead (JAX's choice).
        safe = lax.select(lax.eq(ans, _const(ans, 0)), lax.full_like(ans, 1), ans)
        ratio = lax.div(lax.conj(x), lax.complex(safe, lax.full_like(safe, 0)))
        return lax.real(lax.mul(ratio, t))
    return lax.select(lax.ge(x, _const(x, 0)), t, lax.neg(t))


defjvp(ew.abs_p, _abs_jvp)


def _integer_pow_jvp(t, ans, x, *, y):
    if y == 0:
        return Zero(tangent_aval(get_aval(x)))
    factor = _const(x, y) if y == 1 else lax.mul(_const(x, y), lax.integer_pow(x, y - 1))
    return lax.mul(t, factor)


defjvp(ew.integer_pow_p, _integer_pow_jvp)


def _strong(x):
    """``x`` with its weak type dropped, as JAX's pow rules convert operands."""
    return lax._convert_element_type(x, get_aval(x).dtype, False)


def _pow_jvp_base(t, ans, x, y):
    # y * x**(y - 1), on strongly typed operands like JAX's rule: the tangent is
    # never weak, and at x = 0, y = 0 the slope is 0 * inf = nan, as in JAX.
    x, y = _strong(x), _strong(y)
    return lax.mul(t, lax.mul(y, lax.pow(x, lax.sub(y, _const(y, 1)))))


def _pow_jvp_exponent(t, ans, x, y):
    # log(x) * x**y, with log(0) replaced by log(1) so that 0**y has slope 0 in y.
    safe_x = lax.select(lax.eq(x, _const(x, 0)), lax.full_like(x, 1), x)
    return _strong(lax.mul(t, lax.mul(lax.log(safe_x), ans)))


defjvp(ew.pow_p, _pow_jvp_base, _pow_jvp_exponent)


def _balanced_eq(x, z, y):
    """1 where x alone attains z, 1/2 where x and y tie, 0 elsewhere."""
    one, half, zero = _const(z, 1), _const(z, 0.5), _const(z, 0)
    z_shape = get_aval(z).shape
    x, y = broadcast_tangent(x, z_shape), broadcast_tangent(y, z_shape)
    return lax.select(lax.eq(x, z), lax.select(lax.eq(y, z), lax.full_like(z, half),
                                               lax.full_like(z, one)), lax.full_like(z, zero))


defjvp(ew.max_p, lambda t, ans, x, y: lax.mul(broadcast_tangent(t, get_aval(ans).shape),
                                              _balanced_eq(x, ans, y)),
       lambda t, ans, x, y: lax.mul(broadcast_tangent(t, get_aval(ans).shape),
                                    _balanced_eq(y, ans, x)))
defjvp(ew.min_p, lambda t, ans, x, y: lax.mul(broadcast_tangent(t, get_aval(ans).shape),
                                              _balanced_eq(x, ans, y)),
       lambda t, ans, x, y: lax.mul(broadcast_tangent(t, get_aval(ans).shape),
                                    _balanced_eq(y, ans, x)))
defjvp(ew.atan2_p,
       lambda t, ans, x, y: lax.mul(t, lax.div(y, lax.add(lax.mul(x, x), lax.mul(y, y)))),
       lambda t, ans, x, y: lax.mul(t, lax.neg(lax.div(x, lax.add(lax.mul(x, x),
                                                                   lax.mul(y, y))))))
defjvp(ew.rem_p,
       lambda t, ans, x, y: t,
       lambda t, ans, x, y: lax.mul(lax.neg(t), lax.mul(lax.sign(lax.div(x, y)),
                                                        lax.floor(lax.abs(lax.div(x, y))))))


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    ans = lax.select_n(which, *cases)
    case_tangents = tangents[1:]
    if all(type(t) is Zero for t in case_tangents):
        return ans, Zero(tangent_aval(get_aval(ans)))
    return ans, lax.select_n(which, *map(instantiate, case_tangents))


jvp_rules[ew.select_n_p] = _select_n_jvp


def _clamp_jvp(primals, tangents):
    lo, x, hi = primals
    ans = lax.clamp(lo, x, hi)
    shape = get_aval(ans).shape
    zero = lax.full_like(ans, 0)
    lo_b, hi_b = broadcast_tangent(lo, shape), broadcast_tangent(hi, shape)
    picks = (lax.bitwise_and(lax.gt(lo_b, x), lax.lt(lo_b, hi_b)),   # clamped at lo
             lax.bitwise_and(lax.gt(x, lo_b), lax.lt(x, hi_b)),      # passes through
             lax.lt(hi_b, x))                                        # clamped at hi
    out = Zero(tangent_aval(get_aval(ans)))
    for pick, t in zip(picks, tangents):
        if type(t) is not Zero:
            out = add_tangents(out, lax.select(pick, broadcast_tangent(t, shape), zero))
    return ans, out


jvp_rules[ew.clamp_p] = _clamp_jvp


def _convert_element_type_jvp(primals, tangents, *, new_dtype, weak_type):
    x, = primals
    t, = tangents
    ans = lax.convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if not dtypes.is_inexact(new_dtype) or not dtypes.is_inexact(get_aval(x).dtype):
        return ans, Zero(tangent_aval(get_aval(ans)))
    return ans, lax.convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


jvp_rules[ew.convert_element_type_p] = _convert_element_type_jvp

# ---------------------------------------------------------------------------
# Structural operations are linear in their array operands

for _p in (sh.broadcast_in_dim_p, sh.reshape_p, sh.transpose_p, sh.squeeze_p, sh.rev_p,
           sh.concatenate_p, sh.pad_p, sh.slice_p, red.reduce_sum_p, red.cumsum_p):
    deflinear(_p)


def _linear_in_first(n_linear):
    """JVP of a primitive linear in its first ``n_linear`` operands, whose
    remaining operands are integer indices."""
    def rule(primals, tangents, **params):
        prim = rule.primitive
        ans = prim.bind(*primals, **params)
        lin = tangents[:n_linear]
        if all(type(t) is Zero for t in lin):
            return ans, Zero(tangent_aval(get_aval(ans)))
        return ans, prim.bind(*map(instantiate, lin), *primals[n_linear:], **params)
    return rule


for _p, _n in ((sh.dynamic_slice_p, 1), (sh.dynamic_update_slice_p, 2)):
    jvp_rules[_p] = _linear_in_first(_n)
    jvp_rules[_p].primitive = _p


def _indexed_jvp(primitive, linear_positions):
    """gather/scatter: linear in the array operands, not in the indices."""
    def rule(primals, tangents, **params):
        ans = primitive.bind(*primals, **params)
        if all(type(tangents[i]) is Zero for i in linear_positions):
            return ans, Zero(tangent_aval(get_aval(ans)))
        args = [instantiate(tangents[i]) if i in linear_positions else p
                for i, p in enumerate(primals)]
        if "fill_value" in params:   # out-of-bounds entries are constants: zero tangent
            params = dict(params, fill_value=0)
        return ans, primitive.bind(*args, **params)
    jvp_rules[primitive] = rule


_indexed_jvp(sh.gather_p, (0,))
_indexed_jvp(sh.scatter_add_p, (0, 2))
_indexed_jvp(sh.scatter_p, (0, 2))


def _scatter_mul_jvp(primals, tangents, **params):
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    out = sh.scatter_mul_p.bind(*primals, **params)
    if type(t_updates) is not Zero and not params["unique_indices"]:
        # With an index repeated, each update's slope is the product of the
        # others that land with it; like JAX, minijax does not go there.
        raise NotImplementedError(
            "scatter_mul gradients with respect to the updates are only implemented if "
            "`unique_indices=True`.")
    tangent = Zero(tangent_aval(get_aval(out)))
    if type(t_operand) is not Zero:   # linear in the operand
        tangent = sh.scatter_mul_p.bind(t_operand, indices, updates, **params)
    if type(t_updates) is not Zero:   # each position is operand * its one update
        spread = sh.scatter_add_p.bind(lax.full_like(operand, 0), indices, t_updates, **params)
        tangent = add_tangents(tangent, lax.mul(operand, spread))
    return out, tangent


jvp_rules[sh.scatter_mul_p] = _scatter_mul_jvp


def _scatter_extremal_jvp(primitive):
    """scatter_min / scatter_max. Every value that ties for the extremum at a
    position (the operand's own, and each update landing there) shares the
    slope equally, as with ``max`` elsewhere; the arithmetic follows JAX's
    rule, so the tangents agree to the bit."""
    def rule(primals, tangents, **params):
        operand, indices, updates = primals
        out = primitive.bind(*primals, **params)
        if all(type(t) is Zero for t in tangents):
            return out, Zero(tangent_aval(get_aval(out)))
        t_operand, t_updates = instantiate(tangents[0]), instantiate(tangents[2])
        dn, mode = params["dimension_numbers"], params["mode"]
        u_shape = get_aval(updates).shape

        def at_updates(x):   # x's values where each update lands
            return lax._scatter_windows(x, indices, u_shape, dn, mode)

        def count(weights):  # per update: the sum of weights landing with it
            return at_updates(sh.scatter_add_p.bind(lax.full_like(operand, 0), indices,
                                                    weights, **params))
        result = at_updates(out)
        update_wins = lax.eq(updates, result)
        operand_wins = lax.eq(at_updates(operand), result)
        one, zero = lax.full_like(updates, 1), lax.full_like(updates, 0)
        n_winning = count(lax.select(update_wins, one, zero))
        n_landing = count(one)
        share = lax.select(operand_wins, lax.div(one, lax.add(n_winning, one)),
                           lax.div(one, n_winning))
        update_coef = lax.select(update_wins, share, zero)
        operand_share = lax.select(operand_wins, share, zero)
        operand_coef = lax.div(lax.add(lax.full_like(updates, -1), operand_share), n_landing)
        # Start from the operand's tangent everywhere; at each landing update,
        # take back the operand's share it loses and add the update's.
        correction = lax.add(lax.mul(at_updates(t_operand), operand_coef),
                             lax.mul(t_updates, update_coef))
        return out, sh.scatter_add_p.bind(t_operand, indices, correction, **params)
    jvp_rules[primitive] = rule


_scatter_extremal_jvp(sh.scatter_min_p)
_scatter_extremal_jvp(sh.scatter_max_p)

# ---------------------------------------------------------------------------
# Reductions


def _dot_general_jvp(primals, tangents, **params):
    lhs, rhs = primals
    t_lhs, t_rhs = tangents
    ans = lax.dot_general_p.bind(lhs, rhs, **params)
    out = Zero(tangent_aval(get_aval(ans)))
    if type(t_lhs) is not Zero:
        out = add_tangents(out, lax.dot_general_p.bind(t_lhs, rhs, **params))
    if type(t_rhs) is not Zero:
        out = add_tangents(out, lax.dot_general_p.bind(lhs, t_rhs, **params))
    return ans, out


jvp_rules[red.dot_general_p] = _dot_general_jvp


def _conv_general_dilated_jvp(primals, tangents, **params):
    """Bilinear, like dot_general: one convolution per perturbed operand."""
    lhs, rhs = primals
    t_lhs, t_rhs = tangents
    ans = lax.conv_general_dilated_p.bind(lhs, rhs, **params)
    out = Zero(tangent_aval(get_aval(ans)))
    if type(t_lhs) is not Zero:
        out = add_tangents(out, lax.conv_general_dilated_p.bind(t_lhs, rhs, **params))
    if type(t_rhs) is not Zero:
        out = add_tangents(out, lax.conv_general_dilated_p.bind(lhs, t_rhs, **params))
    return ans, out


jvp_rules[lax.conv_general_dilated_p] = _conv_general_dilated_jvp


# Windowed reductions (minijax/lax/windowed.py): a window sum is linear; the
# tangent of a window max (min) is the tangent of the element that won.
deflinear(lax.reduce_window_sum_p)


def _reduce_window_chooser_jvp(select_prim):
    def rule(t, ans, x, **window):
        return lax.select_and_gather_add_p.bind(instantiate(t), x, select_prim=select_prim,
                                                **window)
    return rule


defjvp(lax.reduce_window_max_p, _reduce_window_chooser_jvp(ew.ge_p))
defjvp(lax.reduce_window_min_p, _reduce_window_chooser_jvp(ew.le_p))
for _p in (lax.select_and_gather_add_p, lax.select_and_scatter_add_p):   # linear in operand 0
    jvp_rules[_p] = _linear_in_first(1)
    jvp_rules[_p].primitive = _p

deflinear(lax.fft_p)   # the Fourier transform is linear: its JVP is itself


def _chooser_jvp(prim):
    def rule(primals, tangents, *, axes):
        x, = primals
        t, = tangents
        ans = prim.bind(x, axes=axes)
        shape = get_aval(x).shape
        kept = tuple(i for i in range(len(shape)) if i not in axes)
        location = lax.convert_element_type(
            lax.eq(x, lax.broadcast_in_dim(ans, shape, kept)), get_aval(t).dtype)
        counts = lax.reduce_sum(location, axes)
        return ans, lax.div(lax.reduce_sum(lax.mul(t, location), axes), counts)
    jvp_rules[prim] = rule


_chooser_jvp(red.reduce_max_p)
_chooser_jvp(red.reduce_min_p)


def _reduce_prod_jvp(primals, tangents, *, axes):
    """d prod(x) = sum_i t_i * prod_{j != i} x_j, using exclusive cumulative
    products from both ends (no division, so zeros in x are fine)."""
    x, = primals
    t, = tangents
    ans = lax.reduce_prod(x, axes)
    x_flat, t_flat = _axes_to_front(x, axes), _axes_to_front(t, axes)
    before = _exclusive_cumprod(x_flat, reverse=False)
    after = _exclusive_cumprod(x_flat, reverse=True)
    return ans, lax.reduce_sum(lax.mul(t_flat, lax.mul(before, after)), (0,))


def _axes_to_front(x, axes):
    """Move ``axes`` to the front and merge them into one axis."""
    shape = get_aval(x).shape
    rest = [i for i in range(len(shape)) if i not in axes]
    moved = lax.transpose(x, tuple(axes) + tuple(rest))
    n = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    return lax.reshape(moved, (n,) + tuple(shape[i] for i in rest))


def _exclusive_cumprod(x, reverse):
    """Products of the elements strictly before (or after) each position on axis 0."""
    shape = get_aval(x).shape
    one = lax._convert_element_type(1, get_aval(x).dtype, False)
    inclusive = lax.cumprod(x, 0, reverse)
    if reverse:
        return lax.pad(inclusive, one, [(-1, 1, 0)] + [(0, 0, 0)] * (len(shape) - 1))
    return lax.pad(inclusive, one, [(1, -1, 0)] + [(0, 0, 0)] * (len(shape) - 1))


jvp_rules[red.reduce_prod_p] = _reduce_prod_jvp


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    """Sort the primals together with an iota: the sorted iota is the
    permutation, and each tangent is gathered with it (a linear map, so
    reverse mode can transpose it)."""
    shape = get_aval(primals[0]).shape
    iota = lax.broadcasted_iota(np.int32, shape, dimension)
    *sorted_primals, perm = lax.sort_p.bind(*primals, iota, dimension=dimension,
                                            is_stable=is_stable, num_keys=num_keys)
    tangents_out = [t if type(t) is Zero else jnp.take_along_axis(t, perm, axis=dimension)
                    for t in tangents]
    return sorted_primals, tangents_out


jvp_rules[lax.sort_p] = _sort_jvp


def prefix_scan(combine, x, axis, reverse, identity):
    """An inclusive scan along ``axis`` written with lax operations only
    (Hillis-Steele: log2(n) rounds of combine-with-shifted). Differentiating it
    gives the derivatives of cumprod, cummax and cummin."""
    n = get_aval(x).shape[axis]
    if reverse:
        return lax.rev(prefix_scan(combine, lax.rev(x, (axis,)), axis, False, identity),
                       (axis,))
    ndim = get_aval(x).ndim
    fill = lax._convert_element_type(identity, get_aval(x).dtype, False)
    shift = 1
    while shift < n:
        config = [(0, 0, 0)] * ndim
        config[axis] = (shift, -shift, 0)
        x = combine(x, lax.pad(x, fill, config))
        shift *= 2
    return x


def _cumulative_jvp(prim, combine, identity):
    """cumprod/cummax/cummin: the primal from the primitive, the tangent by
    differentiating ``prefix_scan``."""
    def rule(primals, tangents, *, axis, reverse):
        ident = identity(get_aval(primals[0]).dtype)
        scan = lambda v: [prefix_scan(combine, v, axis, reverse, ident)]
        _, (tangent_out,) = jvp_flat(scan, primals, tangents)
        return prim.bind(*primals, axis=axis, reverse=reverse), tangent_out
    jvp_rules[prim] = rule


_cumulative_jvp(red.cumprod_p, lax.mul, lambda dt: 1)
_cumulative_jvp(red.cummax_p, lax.max, lambda dt: -np.inf if dt.kind == "f" else np.iinfo(dt).min)
_cumulative_jvp(red.cummin_p, lax.min, lambda dt: np.inf if dt.kind == "f" else np.iinfo(dt).max)


def logaddexp(x, y):
    """log(exp(x) + exp(y)) in lax operations, stable for large values (the
    combine step of cumlogsumexp; -inf + -inf gives -inf, not nan)."""
    big = lax.max(x, y)
    delta = lax.sub(x, y)
    stable = lax.add(big, lax.log1p(lax.exp(lax.neg(lax.abs(delta)))))
    return lax.select(lax.ne(delta, delta), lax.add(x, y), stable)


_cumulative_jvp(red.cumlogsumexp_p, logaddexp, lambda dt: -np.inf)


def _top_k_jvp(primals, tangents, *, k, axis):
    """The tangents of the chosen elements, gathered with their indices."""
    operand, = primals
    t, = tangents
    values, indices = lax.top_k_p.bind(operand, k=k, axis=axis)
    return [values, indices], [jnp.take_along_axis(t, indices, axis=axis),
                               Zero(tangent_aval(get_aval(indices)))]


jvp_rules[lax.top_k_p] = _top_k_jvp


# ---------------------------------------------------------------------------
# Linear algebra (the primitives of minijax/lax/linalg.py)
#
# Each rule differentiates a matrix identity rather than an elementwise
# formula: perturb A = L L^H (or A = V diag(w) V^H, ...) to first order and
# solve for the perturbation of the factors. They are JAX's rules.

from .lax import linalg as la   # noqa: E402


def _cholesky_jvp(primals, tangents):
    """From dA = dL L^H + L dL^H: L^{-1} dA L^{-H} = L^{-1} dL + (L^{-1} dL)^H,
    where L^{-1} dL is lower triangular. So L^{-1} dL is the lower triangle of
    the left side with its diagonal halved (``phi``)."""
    a, = primals
    a_dot, = tangents
    L = la.tril(la.cholesky_p.bind(a))
    a_dot = instantiate(a_dot)
    # L^{-1} dA L^{-H}: one solve from the right, one from the left.
    right = la.triangular_solve(L, a_dot, left_side=False, lower=True, transpose_a=True,
                                conjugate_a=True)
    middle = la.triangular_solve(L, right, left_side=True, lower=True)
    n = get_aval(a).shape[-1]
    half_diagonal = lax.add(la.eye_like(a, n), lax.full_like(a, 1))
    phi = lax.div(la.tril(middle), half_diagonal)
    return L, la.matmul(L, phi)


jvp_rules[la.cholesky_p] = _cholesky_jvp


def _triangular_solve_jvp(primals, tangents, **params):
    """Linear in b; in a, d(op(a)^{-1}) = -op(a)^{-1} op(da) op(a)^{-1}."""
    a, b = primals
    a_dot, b_dot = tangents
    x = la.triangular_solve_p.bind(a, b, **params)
    out = Zero(get_aval(x)) if type(b_dot) is Zero else la.triangular_solve_p.bind(
        a, b_dot, **params)
    if type(a_dot) is not Zero:
        # Only the triangle the solve reads can move (without a unit diagonal).
        k = 1 if params["unit_diagonal"] else 0
        da = la.tril(a_dot, -k) if params["lower"] else la.triu(a_dot, k)
        da = la._T(da) if params["transpose_a"] else da
        da = lax.conj(da) if params["conjugate_a"] and dtypes.is_complex(
            get_aval(da).dtype) else da
        da = lax.neg(da)
        term = la.matmul(da, x) if params["left_side"] else la.matmul(x, da)
        # op(a) stays as it was: solve once more with the same parameters.
        out = add_tangents(out, la.triangular_solve_p.bind(a, term, **params))
    return x, out


jvp_rules[la.triangular_solve_p] = _triangular_solve_jvp


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues):
    """First-order perturbation theory for distinct eigenvalues: in the
    eigenbasis the perturbation is C = V^H dA V; dw = Re diag(C) and
    dV = V (F * C) with F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it."""
    a, = primals
    a_dot, = tangents
    v, w_real = la.eigh_p.bind(la.symmetrize(a), lower=lower,
                               sort_eigenvalues=sort_eigenvalues)
    dtype = get_aval(a).dtype
    n = get_aval(a).shape[-1]
    eye = la.eye_like(a, n)
    w = lax.convert_element_type(w_real, dtype)
    shape = get_aval(a).shape
    batch = tuple(range(len(shape) - 2))
    w_cols = lax.broadcast_in_dim(w, shape, batch + (len(shape) - 1,))   # w[j]
    w_rows = lax.broadcast_in_dim(w, shape, batch + (len(shape) - 2,))   # w[i]
    F = lax.sub(lax.integer_pow(lax.add(eye, lax.sub(w_cols, w_rows)), -1), eye)
    C = la.matmul(la.matmul(la._H(v), instantiate(a_dot)), v)
    dv = la.matmul(v, lax.mul(F, C))
    dw = la.diagonal(lax.real(C) if dtypes.is_complex(dtype) else C)
    return [v, w_real], [dv, dw]


jvp_rules[la.eigh_p] = _eigh_jvp


def _thin_qr_jvp(q, r, a_dot):
    """From dA = dQ R + Q dR with Q^H dQ skew-Hermitian and dR upper triangular
    (reduced factors of an m x n matrix, m >= n)."""
    dtype, n = get_aval(r).dtype, get_aval(r).shape[-1]
    dx_rinv = la.triangular_solve(r, a_dot)                     # dA R^{-1}
    qt_dx_rinv = la.matmul(la._H(q), dx_rinv)
    lower_part = la.tril(qt_dx_rinv, -1)
    omega = lax.sub(lower_part, la._H(lower_part))              # skew-Hermitian part
    if dtypes.is_complex(dtype):   # the diagonal of Q^H dQ is imaginary for complex Q
        imag_part = lax.sub(qt_dx_rinv, lax.convert_element_type(lax.real(qt_dx_rinv), dtype))
        omega = lax.add(omega, lax.mul(la.eye_like(r, n), imag_part))
    dq = lax.add(la.matmul(q, lax.sub(omega, qt_dx_rinv)), dx_rinv)
    dr = la.matmul(lax.sub(qt_dx_rinv, omega), r)
    return dq, dr


def _qr_jvp(primals, tangents, *, full_matrices):
    """Tall or square A: the thin rule. Wide A (m < n): A = [A1 A2] with A1
    square gives Q and R1 from A1 = Q R1 (the thin rule), and R2 = Q^H A2, so
    dR2 = dQ^H A2 + Q^H dA2."""
    a, = primals
    a_dot = instantiate(tangents[0])
    q, r = la.qr_p.bind(a, full_matrices=full_matrices)
    *_, m, n = get_aval(a).shape
    if m > n and full_matrices:
        raise NotImplementedError("Unimplemented case of QR decomposition derivative "
                                  "(full_matrices=True needs a square or wide matrix)")
    if m <= n:
        last = len(get_aval(a).shape) - 1
        left = lambda x: lax.slice_in_dim(x, 0, m, axis=last)
        right = lambda x: lax.slice_in_dim(x, m, n, axis=last)
        dq, dr1 = _thin_qr_jvp(q, left(r), left(a_dot))
        dr2 = lax.add(la.matmul(la._H(dq), right(a)), la.matmul(la._H(q), right(a_dot)))
        return [q, r], [dq, lax.concatenate([dr1, dr2], last)]
    dq, dr = _thin_qr_jvp(q, r, a_dot)
    return [q, r], [dq, dr]


jvp_rules[la.qr_p] = _qr_jvp


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv):
    """In the singular bases, dS = U^H dA V: ds = Re diag(dS); dU and dV mix
    the singular vectors with weights 1 / (s_j^2 - s_i^2), plus the part of
    dA outside the span of U (or V) for non-square A."""
    a, = primals
    a_dot, = tangents
    s, u, vh = la.svd_p.bind(a, full_matrices=False, compute_uv=True)
    *_, m, n = get_aval(a).shape
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("Singular value decomposition JVP not implemented for full "
                                  "matrices")
    dtype = get_aval(a).dtype
    real = lambda x: lax.real(x) if dtypes.is_complex(dtype) else x
    to_dtype = lambda x: lax.convert_element_type(x, dtype)
    a_dot = instantiate(a_dot)
    ut, v = la._H(u), la._H(vh)
    dS = la.matmul(la.matmul(ut, a_dot), v)
    ds = la.diagonal(real(dS))
    if not compute_uv:
        return [s], [ds]
    k = get_aval(s).shape[-1]
    shape = get_aval(dS).shape
    batch = tuple(range(len(shape) - 2))
    s_cols = lax.broadcast_in_dim(s, shape, batch + (len(shape) - 1,))   # s[j]
    s_rows = lax.broadcast_in_dim(s, shape, batch + (len(shape) - 2,))   # s[i]
    eye = la.eye_like(s_cols, k)
    s_diffs = lax.mul(lax.add(s_cols, s_rows), lax.sub(s_cols, s_rows))
    F = lax.sub(lax.div(lax.full_like(eye, 1), lax.add(s_diffs, eye)), eye)
    dSS = lax.mul(to_dtype(s_cols), dS)    # dS diag(s)
    SdS = lax.mul(to_dtype(s_rows), dS)    # diag(s) dS
    zero = lax.convert_element_type(lax.eq(s, lax.full_like(s, 0)), get_aval(s).dtype)
    s_inv = lax.sub(lax.div(lax.full_like(s, 1), lax.add(s, zero)), zero)
    half = lax._convert_element_type(0.5, dtype)
    dUdV_diag = lax.mul(lax.mul(half, lax.sub(dS, la._H(dS))), to_dtype(la.diag_matrix(s_inv)))
    dU = la.matmul(u, lax.add(lax.mul(to_dtype(F), lax.add(dSS, la._H(dSS))), dUdV_diag))
    dV = la.matmul(v, lax.mul(to_dtype(F), lax.add(SdS, la._H(SdS))))
    s_cols_tall = lambda rows: lax.broadcast_in_dim(s, shape[:-2] + (rows, k),
                                                    batch + (len(shape) - 1,))
    if m > n:   # the part of dA V outside the column space of U
        dAV = la.matmul(a_dot, v)
        dU = lax.add(dU, lax.div(lax.sub(dAV, la.matmul(u, la.matmul(ut, dAV))),
                                 to_dtype(s_cols_tall(m))))
    if n > m:
        dAHU = la.matmul(la._H(a_dot), u)
        dV = lax.add(dV, lax.div(lax.sub(dAHU, la.matmul(v, la.matmul(vh, dAHU))),
                                 to_dtype(s_cols_tall(n))))
    return [s, u, vh], [ds, dU, la._H(dV)]


jvp_rules[la.svd_p] = _svd_jvp


def _lu_jvp(primals, tangents):
    """With P A = L U: L^{-1} P dA U^{-1} = L^{-1} dL + dU U^{-1}, a strictly
    lower plus an upper triangular matrix; split it to get dL and dU."""
    a, = primals
    a_dot, = tangents
    lu, pivots, permutation = la.lu_p.bind(a)
    shape = get_aval(a).shape
    *batch, m, n = shape
    k = min(m, n)
    dtype = get_aval(a).dtype
    nb = len(batch)
    # P dA: gather the rows of the tangent in the permutation's order.
    onehot = lax.convert_element_type(
        lax.eq(lax.broadcast_in_dim(permutation, tuple(batch) + (m, m), tuple(range(nb + 1))),
               lax.broadcasted_iota(np.int32, tuple(batch) + (m, m), nb + 1)), dtype)
    x = la.matmul(onehot, instantiate(a_dot))
    zero = lax._convert_element_type(0, dtype)
    # L: m x m unit lower triangular; U: n x n upper triangular (padded with I).
    l_part = la.tril(lax.slice(lu, (0,) * len(shape), tuple(batch) + (m, k)), -1)
    l_full = lax.pad(l_part, zero, [(0, 0, 0)] * (nb + 1) + [(0, m - k, 0)])
    l_full = lax.add(l_full, la.eye_like(lax.broadcast_in_dim(zero, tuple(batch) + (m, m), ()),
                                         m))
    u_part = la.triu(lax.slice(lu, (0,) * len(shape), tuple(batch) + (k, n)))
    u_full = lax.pad(u_part, zero, [(0, 0, 0)] * nb + [(0, n - k, 0), (0, 0, 0)])
    u_eye = lax.pad(la.eye_like(lax.broadcast_in_dim(zero, tuple(batch) + (n - k, n - k), ()),
                                n - k), zero, [(0, 0, 0)] * nb + [(k, 0, 0), (k, 0, 0)])
    u_full = lax.add(u_full, u_eye)
    la_ = la.triangular_solve(l_full, x, left_side=True, lower=True, unit_diagonal=True)
    lau = la.triangular_solve(u_full, la_, left_side=False, lower=False)
    l_dot = la.matmul(l_full, la.tril(lau, -1))
    u_dot = la.matmul(la.triu(lau), u_full)
    return [lu, pivots, permutation], [lax.add(l_dot, u_dot), Zero(tangent_aval(get_aval(pivots))),
                                       Zero(tangent_aval(get_aval(permutation)))]


jvp_rules[la.lu_p] = _lu_jvp


# Bit manipulation: integer results (and floats made of random bits) have no
# derivative.
for _p in (ew.shift_left_p, ew.shift_right_logical_p, ew.shift_right_arithmetic_p,
           ew.bitcast_convert_type_p):
    defzero(_p)
for _p in (ew.population_count_p, ew.clz_p):
    defzero(_p)
# Rounding to a narrower format: JAX treats it as linear (the tangent is
# rounded the same way), which keeps mixed-precision training code working.
deflinear(ew.reduce_precision_p)


# jnp (used by the sort rule above, when it runs) defines functions with
# custom_jvp, whose rules need this module's names: a real cycle, so this
# import comes last, once everything above is defined.
from . import numpy as jnp  # noqa: E402
