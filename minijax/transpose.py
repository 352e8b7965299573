"""Transposition and ``vjp`` (Chapter 8, second half).

``linearize`` gave us a jaxpr for the linear map ``v ↦ ∂f(x) v``. Reverse mode
needs its *transpose*, ``w ↦ ∂f(x)ᵀ w``: the vector-Jacobian product. A linear
program is transposed by walking its equations **backwards**, turning each
linear primitive into its transpose: a broadcast becomes a sum, a slice a pad,
``mul(c, t)`` stays ``mul(c, w)``, and where a value fed several equations
(fan-out) the cotangents flowing back are *added up*.

So, as in JAX: **vjp = linearize + transpose**, and ``grad`` is ``vjp`` with
cotangent 1.0. Nothing here is specific to a particular function: the same
backward pass transposes every linear jaxpr.
"""
import numpy as np

from . import dtypes, lax, tree_util
from .api_util import function_name
from .core import get_aval
from .jaxpr import Literal, Var, trace_to_jaxpr
from .forward_mode import Zero, add_tangents, instantiate, tangent_aval, zeros_like_aval
from .lax import elementwise as ew, shapes as sh, reductions as red
from .partial_eval import flatten_fun, linearize_flat


class UndefinedPrimal:
    """Marks an operand that is a linear input of an equation being transposed:
    its value is unknown, only its type matters."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined(x):
    return type(x) is UndefinedPrimal


# ---------------------------------------------------------------------------
# The backward pass


def backward_pass(jaxpr, consts, cotangents_out):
    """Transpose ``jaxpr`` (linear in its invars) at the given output cotangents.

    Returns one cotangent per invar (``Zero`` where none flowed back).
    """
    known = dict(zip(jaxpr.constvars, consts))
    linear = set(jaxpr.invars)
    linear_eqns = []
    # Forward sweep: equations that touch no linear input are ordinary
    # computations on constants; evaluate them so their values are known.
    for eqn in jaxpr.eqns:
        if any(type(a) is Var and a in linear for a in eqn.invars):
            linear.update(eqn.outvars)
            linear_eqns.append(eqn)
        else:
            outs = eqn.primitive.bind(*[_read(known, a) for a in eqn.invars], **eqn.params)
            known.update(zip(eqn.outvars, outs if eqn.primitive.multiple_results else [outs]))

    cts = {}

    def accumulate(v, ct):
        if type(v) is Var and v in linear and type(ct) is not Zero and ct is not None:
            cts[v] = add_tangents(cts[v], ct) if v in cts else ct

    for v, ct in zip(jaxpr.outvars, cotangents_out):
        accumulate(v, ct)
    # Backward sweep: each equation turns its outputs' cotangents into its inputs'.
    for eqn in reversed(linear_eqns):
        cts_out = [cts.pop(v, None) for v in eqn.outvars]
        if all(ct is None for ct in cts_out):
            continue   # nothing flows back through this equation
        cts_out = [Zero(tangent_aval(v.aval)) if ct is None else ct
                   for v, ct in zip(eqn.outvars, cts_out)]
        invals = [UndefinedPrimal(a.aval) if type(a) is Var and a in linear
                  else _read(known, a) for a in eqn.invars]
        rule = transpose_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"Transpose rule (for reverse-mode differentiation) for "
                                      f"'{eqn.primitive.name}' not implemented")
        ct_arg = cts_out if eqn.primitive.multiple_results else cts_out[0]
        cts_in = rule(ct_arg, *invals, **eqn.params)
        for a, ct in zip(eqn.invars, cts_in):
            accumulate(a, ct)
    return [cts.get(v, Zero(tangent_aval(v.aval))) for v in jaxpr.invars]


def _read(env, a):
    # A literal's value is an Array of the literal's type (weak types included).
    return a.val if type(a) is Literal else env[a]


# ---------------------------------------------------------------------------
# vjp


def vjp(fun, *primals, has_aux=False):
    """``(fun(*primals), vjp_fun)``: ``vjp_fun(cotangent)`` returns one cotangent
    per primal (a tuple). ``vjp_fun`` only evaluates the stored linear jaxpr,
    so it can itself be traced, e.g. by ``jit``, whatever Python control flow
    ``fun`` used."""
    flat_primals, in_tree = tree_util.tree_flatten(primals)
    flat_fun, info = flatten_fun(fun, in_tree, has_aux, "vjp")
    primals_out, jaxpr, residuals = linearize_flat(flat_fun, flat_primals, function_name(fun),
                                                   lambda: info["num_aux"])
    out_tree = info["out_tree"]
    n = out_tree.num_leaves
    out_avals = [get_aval(p) for p in primals_out[:n]]
    in_avals = [get_aval(p) for p in flat_primals]
    name = function_name(fun)

    def vjp_fun(cotangent):
        flat_ct = _check_cotangent(cotangent, out_tree, out_avals, name)
        cts_in = backward_pass(jaxpr, residuals, flat_ct)
        cts_in = [_to_input_dtype(instantiate(ct), aval) for ct, aval in zip(cts_in, in_avals)]
        return tuple(tree_util.tree_unflatten(in_tree, cts_in))

    out = tree_util.tree_unflatten(out_tree, primals_out[:n])
    if has_aux:
        return out, vjp_fun, tree_util.tree_unflatten(info["aux_tree"], primals_out[n:])
    return out, vjp_fun


def linear_transpose(fun, *primals, reduce_axes=()):
    """The transpose of the linear function ``fun``: a function taking a
    cotangent of ``fun``'s output and returning a tuple of cotangents, one per
    argument. ``primals`` only give the argument types: ``fun`` is traced, not
    evaluated, and is transposed as written (no linearization), so it must be
    linear in all its arguments."""
    if reduce_axes:
        raise NotImplementedError("linear_transpose: reduce_axes is not supported by minijax "
                                  "(JAX has deprecated it too)")
    flat_primals, in_tree = tree_util.tree_flatten(primals)
    in_avals = [get_aval(x) for x in flat_primals]
    flat_fun, info = flatten_fun(fun, in_tree, False, "linear_transpose")
    jaxpr, consts = trace_to_jaxpr(flat_fun, in_avals, function_name(fun), purpose="transpose")
    out_tree = info["out_tree"]
    out_avals = jaxpr.out_avals
    _check_linear_dtypes([a.dtype for a in in_avals], [a.dtype for a in out_avals])

    def transposed(out_cotangent):
        flat_ct, ct_tree = tree_util.tree_flatten(out_cotangent)
        if ct_tree != out_tree:
            raise TypeError(f"cotangent tree does not match function output, expected "
                            f"{out_tree} but got {ct_tree}")
        if any(get_aval(ct).shape != a.shape or get_aval(ct).dtype != a.dtype
               for ct, a in zip(flat_ct, out_avals)):
            raise TypeError(f"cotangent type does not match function output, expected "
                            f"{tuple(out_avals)} but got {flat_ct}")
        flat_ct = [lax._convert_element_type(ct, get_aval(ct).dtype, get_aval(ct).weak_type)
                   for ct in flat_ct]   # Python scalars and numpy values as Arrays
        cts_in = backward_pass(jaxpr, consts, flat_ct)
        cts_in = [instantiate(ct) for ct in cts_in]
        return tree_util.tree_unflatten(in_tree, cts_in)
    return transposed


def _check_linear_dtypes(in_dtypes, out_dtypes):
    """A linear map goes float/complex to float/complex, or integer to integer."""
    all_dtypes = in_dtypes + out_dtypes
    if not (all(dtypes.is_inexact(d) for d in all_dtypes)
            or all(np.issubdtype(d, np.integer) for d in all_dtypes)):
        raise TypeError(f"linear_transpose only supports [float or complex] -> [float or "
                        f"complex], and integer -> integer functions, but got "
                        f"{[np.dtype(d).name for d in in_dtypes]} -> "
                        f"{[np.dtype(d).name for d in out_dtypes]}.")


def _check_cotangent(cotangent, out_tree, out_avals, name):
    """The cotangent's leaves, checked against the outputs' types and made
    canonical (a float64 numpy array becomes float32 unless x64 is on, as for
    any input). Integer outputs take a symbolic zero."""
    flat_ct, ct_tree = tree_util.tree_flatten(cotangent)
    if ct_tree != out_tree:
        raise ValueError(f"unexpected tree structure of argument to vjp function: got "
                         f"{ct_tree}, but expected to match {out_tree}. The argument to a VJP "
                         f"function returned by `vjp` must match the pytree structure of the "
                         f"output of the differentiated function {name}.")
    out = []
    for ct, aval in zip(flat_ct, out_avals):
        expected, got = tangent_aval(aval), get_aval(ct)
        if expected.dtype == dtypes.float0 and got.shape == expected.shape:
            # Like JAX, accept any dtype where float0 is due: the cotangent of
            # an integer output is zero whatever it holds.
            out.append(Zero(expected))
            continue
        if got.shape != expected.shape or got.dtype != expected.dtype:
            raise ValueError(f"unexpected JAX type (e.g. shape/dtype) for argument to VJP "
                             f"function: got {_type_str(got)}, but expected "
                             f"{_type_str(expected)} because the corresponding output of the "
                             f"differentiated function had JAX type {_type_str(aval)}")
        out.append(lax._convert_element_type(ct, got.dtype, got.weak_type))
    return out


def _type_str(aval):
    """``float32[3,4]``: the type as JAX's vjp errors print it."""
    name = "float0" if aval.dtype == dtypes.float0 else aval.dtype.name
    return f"{name}[{','.join(map(str, aval.shape))}]"


def _to_input_dtype(ct, aval):
    """Cotangents come back with the primal's dtype. Their weak type is what
    the backward pass computed, as in JAX (weak where only weak values met)."""
    if aval.dtype == dtypes.float0 or get_aval(ct).dtype == dtypes.float0:
        return ct
    ct_aval = get_aval(ct)
    if ct_aval.dtype != aval.dtype:
        return lax._convert_element_type(ct, aval.dtype, aval.weak_type)
    return ct


# ---------------------------------------------------------------------------
# Transpose rules: rule(ct, *operands, **params) -> one cotangent per operand
# (None for operands that are not linear inputs).

transpose_rules = {}


def unbroadcast(ct, aval):
    """Undo lax's implicit broadcasting (of rank-0 operands and size-1 axes)
    by summing the cotangent over the broadcast axes."""
    if type(ct) is Zero:
        return Zero(tangent_aval(aval))
    shape = get_aval(ct).shape
    if shape == aval.shape:
        return ct
    if not aval.shape:
        return lax.reduce_sum(ct, tuple(range(len(shape))))
    axes = tuple(i for i, (a, b) in enumerate(zip(aval.shape, shape)) if a == 1 and b != 1)
    return lax.reshape(lax.reduce_sum(ct, axes), aval.shape)


def _add_transpose(ct, x, y):
    return [unbroadcast(ct, x.aval) if is_undefined(x) else None,
            unbroadcast(ct, y.aval) if is_undefined(y) else None]


def _sub_transpose(ct, x, y):
    neg = Zero(ct.aval) if type(ct) is Zero else lax.neg(ct)
    return [unbroadcast(ct, x.aval) if is_undefined(x) else None,
            unbroadcast(neg, y.aval) if is_undefined(y) else None]


transpose_rules[ew.add_p] = _add_transpose
transpose_rules[ew.add_any_p] = _add_transpose
transpose_rules[ew.sub_p] = _sub_transpose
transpose_rules[ew.neg_p] = lambda ct, x: [lax.neg(instantiate(ct))]


def _nonlinear(name):
    return NotImplementedError(f"Transposing {name} with both operands linear: the program "
                               "is not linear in its inputs.")


def _mul_transpose(ct, x, y):
    if is_undefined(x) and is_undefined(y):
        raise _nonlinear("mul")
    ct = instantiate(ct)
    if is_undefined(x):
        return [unbroadcast(lax.mul(ct, y), x.aval), None]
    return [None, unbroadcast(lax.mul(x, ct), y.aval)]


def _div_transpose(ct, x, y):
    if is_undefined(y):
        raise _nonlinear("div (in the divisor)")
    return [unbroadcast(lax.div(instantiate(ct), y), x.aval), None]


transpose_rules[ew.mul_p] = _mul_transpose
transpose_rules[ew.div_p] = _div_transpose


def _convert_element_type_transpose(ct, x, *, new_dtype, weak_type):
    return [lax.convert_element_type_p.bind(instantiate(ct), new_dtype=x.aval.dtype,
                                            weak_type=x.aval.weak_type)]


transpose_rules[ew.convert_element_type_p] = _convert_element_type_transpose


def _zeros_of(ct):
    return lax.full_like(ct, 0)


def _strong_zeros_of(ct):
    # JAX builds the missing half of a complex cotangent from a strongly typed
    # zero, so these cotangents are never weak; we do the same.
    return lax.full_like(ct, 0, get_aval(ct).dtype)


transpose_rules[ew.real_p] = lambda ct, x: [lax.complex(ct, _strong_zeros_of(ct))]
transpose_rules[ew.imag_p] = lambda ct, x: [lax.complex(_strong_zeros_of(ct), lax.neg(ct))]
transpose_rules[ew.complex_p] = lambda ct, x, y: [
    unbroadcast(lax.real(ct), x.aval) if is_undefined(x) else None,
    unbroadcast(lax.imag(lax.neg(ct)), y.aval) if is_undefined(y) else None]


def _conj_transpose(ct, x, *, input_dtype):
    if dtypes.is_complex(input_dtype):
        return [lax.conj(ct)]
    return [lax.real(ct)]


transpose_rules[ew.conj_p] = _conj_transpose


def _select_n_transpose(ct, which, *cases):
    if is_undefined(which):
        raise _nonlinear("select_n (in the predicate)")
    ct = instantiate(ct)
    zeros = _zeros_of(ct)
    out = [None]
    for i, case in enumerate(cases):
        if is_undefined(case):
            picks = [ct if j == i else zeros for j in range(len(cases))]
            out.append(lax.select_n(which, *picks))
        else:
            out.append(None)
    return out


transpose_rules[ew.select_n_p] = _select_n_transpose

# -- structural ------------------------------------------------------------------


def _broadcast_in_dim_transpose(ct, x, *, shape, broadcast_dimensions):
    ct = instantiate(ct)
    new_axes = tuple(i for i in range(len(shape)) if i not in broadcast_dimensions)
    stretched = tuple(d for axis, d in enumerate(broadcast_dimensions)
                      if x.aval.shape[axis] == 1 and shape[d] != 1)
    summed = lax.reduce_sum(ct, tuple(sorted(new_axes + stretched)))
    return [lax.reshape(summed, x.aval.shape)]


transpose_rules[sh.broadcast_in_dim_p] = _broadcast_in_dim_transpose
transpose_rules[sh.reshape_p] = lambda ct, x, *, new_sizes, dimensions: [
    lax.reshape(instantiate(ct), x.aval.shape)]
transpose_rules[sh.transpose_p] = lambda ct, x, *, permutation: [
    lax.transpose(instantiate(ct), tuple(np.argsort(permutation)))]
transpose_rules[sh.squeeze_p] = lambda ct, x, *, dimensions: [
    lax.reshape(instantiate(ct), x.aval.shape)]
transpose_rules[sh.rev_p] = lambda ct, x, *, dimensions: [lax.rev(instantiate(ct), dimensions)]


def _concatenate_transpose(ct, *operands, dimension):
    ct = instantiate(ct)
    out, start = [], 0
    for x in operands:
        size = (x.aval if is_undefined(x) else get_aval(x)).shape[dimension]
        out.append(lax.slice_in_dim(ct, start, start + size, 1, dimension)
                   if is_undefined(x) else None)
        start += size
    return out


transpose_rules[sh.concatenate_p] = _concatenate_transpose


def _pad_transpose(ct, x, padding_value, *, padding_config):
    ct = instantiate(ct)
    zero = lax._convert_element_type(0, get_aval(ct).dtype, False)
    # Undo the edges (negated padding crops what was added and re-adds what was
    # cropped), then keep every (interior + 1)-th element.
    unpadded = lax.pad(ct, zero, [(-lo, -hi, 0) for lo, hi, _ in padding_config])
    ndim = len(padding_config)
    ct_x = lax.slice(unpadded, (0,) * ndim, get_aval(unpadded).shape,
                     tuple(interior + 1 for _, _, interior in padding_config))
    ct_pad = None
    if is_undefined(padding_value):
        all_axes = tuple(range(ndim))
        ct_pad = lax.sub(lax.reduce_sum(ct, all_axes), lax.reduce_sum(ct_x, all_axes))
    return [ct_x if is_undefined(x) else None, ct_pad]


transpose_rules[sh.pad_p] = _pad_transpose


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
    ct = instantiate(ct)
    shape = x.aval.shape
    strides = strides or (1,) * len(shape)
    ct_shape = get_aval(ct).shape
    real_limits = [s + (n - 1) * st + 1 if n else s
                   for s, n, st in zip(start_indices, ct_shape, strides)]
    config = [(s, d - lim, st - 1) for s, d, lim, st in
              zip(start_indices, shape, real_limits, strides)]
    return [lax.pad(ct, lax._convert_element_type(0, get_aval(ct).dtype, False), config)]


transpose_rules[sh.slice_p] = _slice_transpose


def _dynamic_slice_transpose(ct, x, *starts, slice_sizes):
    ct = instantiate(ct)
    zeros = zeros_like_aval(x.aval)
    return [lax.dynamic_update_slice(zeros, ct, starts)] + [None] * len(starts)


def _dynamic_update_slice_transpose(ct, x, update, *starts):
    ct = instantiate(ct)
    u_aval = update.aval if is_undefined(update) else get_aval(update)
    ct_x = lax.dynamic_update_slice(ct, zeros_like_aval(u_aval), starts) \
        if is_undefined(x) else None
    ct_u = lax.dynamic_slice(ct, starts, u_aval.shape) if is_undefined(update) else None
    return [ct_x, ct_u] + [None] * len(starts)


transpose_rules[sh.dynamic_slice_p] = _dynamic_slice_transpose
transpose_rules[sh.dynamic_update_slice_p] = _dynamic_update_slice_transpose


def _gather_transpose(ct, operand, indices, *, dimension_numbers, slice_sizes, mode,
                      fill_value, indices_are_sorted, unique_indices):
    ct = instantiate(ct)
    dn = dimension_numbers
    scatter_dn = lax.ScatterDimensionNumbers(update_window_dims=dn.offset_dims,
                                             inserted_window_dims=dn.collapsed_slice_dims,
                                             scatter_dims_to_operand_dims=dn.start_index_map)
    zeros = zeros_like_aval(operand.aval)
    return [lax.scatter_add(zeros, indices, ct, scatter_dn, mode=mode,
                            indices_are_sorted=indices_are_sorted,
                            unique_indices=unique_indices), None]


transpose_rules[sh.gather_p] = _gather_transpose


def _scatter_add_transpose(ct, operand, indices, updates, *, dimension_numbers, mode,
                           indices_are_sorted, unique_indices):
    ct = instantiate(ct)
    ct_u = None
    if is_undefined(updates):
        ct_u = lax._scatter_windows(ct, indices, updates.aval.shape, dimension_numbers, mode)
    return [ct if is_undefined(operand) else None, None, ct_u]


def _scatter_transpose(ct, operand, indices, updates, *, dimension_numbers, mode,
                       indices_are_sorted, unique_indices):
    ct = instantiate(ct)
    u_aval = updates.aval if is_undefined(updates) else get_aval(updates)
    ct_x = None
    if is_undefined(operand):   # overwritten positions receive no cotangent
        ct_x = lax.scatter(ct, indices, zeros_like_aval(u_aval), dimension_numbers, mode=mode)
    ct_u = None
    if is_undefined(updates):
        ct_u = lax._scatter_windows(ct, indices, u_aval.shape, dimension_numbers, mode)
        if not unique_indices:   # an update overwritten by a later one gets nothing
            kept = _surviving_updates(get_aval(ct).shape, indices, u_aval.shape,
                                      dimension_numbers, mode)
            ct_u = lax.select(kept, ct_u, lax.full_like(ct_u, 0))
    return [ct_x, None, ct_u]


def _surviving_updates(operand_shape, indices, updates_shape, dn, mode):
    """Where several updates land on one position, only the one the scatter
    keeps reaches the output. Scatter a distinct id (1, 2, ...) for every
    update element, read back what landed under each: a boolean mask, shaped
    like the updates, of the elements that survived (JAX does the same)."""
    n = int(np.prod(updates_shape, dtype=np.int64))
    ids = lax.reshape(lax.add(lax.iota(dtypes.int32, n), np.int32(1)), updates_shape)
    landed = lax.scatter(lax.full(operand_shape, 0, dtypes.int32), indices, ids, dn,
                         mode=mode)
    return lax.eq(lax._scatter_windows(landed, indices, updates_shape, dn, mode), ids)


def _scatter_mul_transpose(ct, operand, indices, updates, *, dimension_numbers, mode,
                           indices_are_sorted, unique_indices):
    # Linear in the operand only: each position is scaled by the product of
    # the updates that land on it, and so is its cotangent.
    if is_undefined(updates):
        raise NotImplementedError("scatter_mul is not linear in its updates; minijax "
                                  "cannot transpose it with respect to them.")
    ct_x = lax.scatter_mul(instantiate(ct), indices, updates, dimension_numbers, mode=mode,
                           indices_are_sorted=indices_are_sorted,
                           unique_indices=unique_indices)
    return [ct_x, None, None]


transpose_rules[sh.scatter_add_p] = _scatter_add_transpose
transpose_rules[sh.scatter_mul_p] = _scatter_mul_transpose
transpose_rules[sh.scatter_p] = _scatter_transpose

# -- reductions and contractions ---------------------------------------------------


def _reduce_sum_transpose(ct, x, *, axes):
    kept = tuple(i for i in range(len(x.aval.shape)) if i not in axes)
    return [lax.broadcast_in_dim(instantiate(ct), x.aval.shape, kept)]


transpose_rules[red.reduce_sum_p] = _reduce_sum_transpose
transpose_rules[red.cumsum_p] = lambda ct, x, *, axis, reverse: [
    lax.cumsum(instantiate(ct), axis, not reverse)]


def _dot_transpose_lhs(ct, x_aval, y, dimension_numbers, preferred_element_type, precision,
                       swap_ans=False):
    """The cotangent of the left operand of ``dot_general``: contract the
    output cotangent with ``y`` over y's free axes, then lay the result out
    like x. The cotangent's axes are (batch, x free, y free), or with
    ``swap_ans`` (batch, y free, x free)."""
    (xc, yc), (xb, yb) = dimension_numbers
    x_ndim, y_ndim = len(x_aval.shape), get_aval(y).ndim
    x_free = [i for i in range(x_ndim) if i not in xc and i not in xb]
    y_free = [i for i in range(y_ndim) if i not in yc and i not in yb]
    nb = len(xb)
    start = nb if swap_ans else nb + len(x_free)
    ct_y_free = tuple(range(start, start + len(y_free)))
    dn = ((ct_y_free, tuple(y_free)), (tuple(range(nb)), tuple(yb)))
    out = lax.dot_general(ct, y, dn, precision, x_aval.dtype)
    # ``out`` axes: batch, x free, then y's contracted axes in y order.
    layout = list(xb) + x_free + [xc[list(yc).index(d)] for d in sorted(yc)]
    return lax.transpose(out, tuple(layout.index(d) for d in range(x_ndim)))


def _dot_general_transpose(ct, x, y, *, dimension_numbers, precision, preferred_element_type):
    if is_undefined(x) and is_undefined(y):
        raise _nonlinear("dot_general")
    ct = instantiate(ct)
    (xc, yc), (xb, yb) = dimension_numbers
    if is_undefined(x):
        return [_dot_transpose_lhs(ct, x.aval, y, dimension_numbers, preferred_element_type,
                                   precision), None]
    # The right operand: the same rule with the roles swapped. The cotangent
    # then has the new "y" free axes (x's) before the new "x" free axes (y's):
    # swap_ans contracts them where they are, with no transpose of ct.
    swapped = ((yc, xc), (yb, xb))
    return [None, _dot_transpose_lhs(ct, y.aval, x, swapped, preferred_element_type, precision,
                                     swap_ans=True)]


transpose_rules[red.dot_general_p] = _dot_general_transpose


# -- convolution ---------------------------------------------------------------
# conv_general_dilated is bilinear. Ignoring space, it contracts [batch, in]
# with [in, out] like a matrix product, and each transpose is a convolution
# again: the lhs cotangent convolves the output cotangent with the kernel
# flipped in space and with its feature axes swapped; the rhs cotangent
# convolves the input with the output cotangent, batch and feature axes
# swapped. Strides and dilations trade places. Groups move as in JAX: the
# lhs transpose folds the group count into the kernel's input features, and
# the rhs transpose turns feature groups into batch groups and vice versa.

from .lax import convolution as conv_mod   # noqa: E402


def _spatial(shape, spec):
    return tuple(shape[i] for i in spec[2:])


def _swap_01(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def _conv_transpose_lhs(ct, rhs, lhs_aval, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision, preferred_element_type):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    rhs_shape = get_aval(rhs).shape
    groups = max(feature_group_count, batch_group_count)
    if groups > 1:   # the group count moves from the kernel's out to its in features
        rhs = conv_mod.reshape_axis_out_of(rhs_spec[0], groups, rhs)
        rhs = conv_mod.reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
    pads = conv_mod.conv_vjp_lhs_padding(
        _spatial(lhs_aval.shape, lhs_spec), _spatial(rhs_shape, rhs_spec), window_strides,
        _spatial(get_aval(ct).shape, out_spec), padding, lhs_dilation, rhs_dilation)
    flipped = lax.rev(rhs, tuple(rhs_spec[2:]))
    if get_aval(flipped).dtype != get_aval(ct).dtype:
        flipped = lax.convert_element_type(flipped, get_aval(ct).dtype)
    dn = conv_mod.ConvDimensionNumbers(out_spec, _swap_01(rhs_spec), lhs_spec)
    out = lax.conv_general_dilated(
        ct, flipped, window_strides=lhs_dilation, padding=pads, lhs_dilation=window_strides,
        rhs_dilation=rhs_dilation, dimension_numbers=dn, feature_group_count=groups,
        precision=precision, preferred_element_type=preferred_element_type)
    if get_aval(out).dtype != lhs_aval.dtype:
        out = lax.convert_element_type(out, lhs_aval.dtype)
    if batch_group_count > 1:   # the groups come back as features: make them batch
        out = conv_mod.reshape_axis_out_of(lhs_spec[1], batch_group_count, out)
        out = conv_mod.reshape_axis_into(lhs_spec[1], lhs_spec[0], out)
    return out


def _conv_transpose_rhs(ct, lhs, rhs_aval, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision, preferred_element_type):
    if 0 in get_aval(ct).shape:   # no output: no cotangent (and no empty kernel)
        return zeros_like_aval(rhs_aval)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    pads = conv_mod.conv_vjp_rhs_padding(
        _spatial(get_aval(lhs).shape, lhs_spec), _spatial(rhs_aval.shape, rhs_spec),
        window_strides, _spatial(get_aval(ct).shape, out_spec), padding, lhs_dilation,
        rhs_dilation)
    if get_aval(lhs).dtype != get_aval(ct).dtype:
        lhs = lax.convert_element_type(lhs, get_aval(ct).dtype)
    dn = conv_mod.ConvDimensionNumbers(_swap_01(lhs_spec), _swap_01(out_spec),
                                       _swap_01(rhs_spec))
    out = lax.conv_general_dilated(
        lhs, ct, window_strides=rhs_dilation, padding=pads, lhs_dilation=lhs_dilation,
        rhs_dilation=window_strides, dimension_numbers=dn,
        feature_group_count=batch_group_count, batch_group_count=feature_group_count,
        precision=precision, preferred_element_type=preferred_element_type)
    if get_aval(out).dtype != rhs_aval.dtype:
        out = lax.convert_element_type(out, rhs_aval.dtype)
    return out


def _conv_general_dilated_transpose(ct, lhs, rhs, **params):
    if is_undefined(lhs) and is_undefined(rhs):
        raise _nonlinear("conv_general_dilated")
    if type(ct) is Zero:
        return [None if not is_undefined(x) else Zero(x.aval) for x in (lhs, rhs)]
    if is_undefined(lhs):
        return [_conv_transpose_lhs(ct, rhs, lhs.aval, **params), None]
    return [None, _conv_transpose_rhs(ct, lhs, rhs.aval, **params)]


transpose_rules[lax.conv_general_dilated_p] = _conv_general_dilated_transpose


# -- windowed reductions ---------------------------------------------------------


def _reduce_window_sum_transpose(ct, x, *, window_dimensions, window_strides, padding,
                                 base_dilation, window_dilation):
    """Each input element receives the cotangents of the windows it fell in: a
    window sum over the cotangent, spread out by the strides and padded so
    that every window reaches back over its elements (a transposed box
    convolution)."""
    ct = instantiate(ct)
    in_shape = x.aval.shape
    pads = conv_mod.conv_vjp_lhs_padding(in_shape, window_dimensions, window_strides,
                                         get_aval(ct).shape, padding, base_dilation,
                                         window_dilation)
    zero = lax._convert_element_type(0, get_aval(ct).dtype, False)
    spread = lax.pad(ct, zero, [(lo, hi, s - 1) for (lo, hi), s in zip(pads, window_strides)])
    ones = (1,) * len(in_shape)
    return [lax.reduce_window_sum_p.bind(
        spread, window_dimensions=window_dimensions, window_strides=base_dilation,
        padding=((0, 0),) * len(in_shape), base_dilation=ones,
        window_dilation=window_dilation)]


def _select_and_gather_add_transpose(ct, tangents, operand, *, select_prim,
                                     window_dimensions, window_strides, padding,
                                     base_dilation, window_dilation):
    """Gathering the winners' tangents transposes to scattering the
    cotangents onto the winners (undilating the operand first)."""
    if any(d != 1 for d in window_dilation):
        raise NotImplementedError(f"VJP not implemented for select_and_gather (MaxPool) with "
                                  f"window dilation, got window_dilation={window_dilation}.")
    if type(ct) is Zero:
        return [Zero(tangents.aval), None]
    dilated = any(d != 1 for d in base_dilation)
    if dilated:   # the holes never win
        fill = (red._lowest if select_prim is ew.ge_p else red._highest)(get_aval(operand).dtype)
        operand = lax.pad(operand, lax._convert_element_type(fill, get_aval(operand).dtype),
                          [(0, 0, d - 1) for d in base_dilation])
    out = lax.select_and_scatter_add_p.bind(ct, operand, select_prim=select_prim,
                                            window_dimensions=window_dimensions,
                                            window_strides=window_strides, padding=padding)
    if dilated:
        out = lax.slice(out, (0,) * len(base_dilation), get_aval(out).shape, base_dilation)
    return [out, None]


def _select_and_scatter_add_transpose(ct, source, operand, *, select_prim, window_dimensions,
                                      window_strides, padding):
    if type(ct) is Zero:
        return [Zero(source.aval), None]
    ones = (1,) * len(window_dimensions)
    return [lax.select_and_gather_add_p.bind(
        ct, operand, select_prim=select_prim, window_dimensions=window_dimensions,
        window_strides=window_strides, padding=padding, base_dilation=ones,
        window_dilation=ones), None]


transpose_rules[lax.reduce_window_sum_p] = _reduce_window_sum_transpose
transpose_rules[lax.select_and_gather_add_p] = _select_and_gather_add_transpose
transpose_rules[lax.select_and_scatter_add_p] = _select_and_scatter_add_transpose


# -- Fourier transforms ----------------------------------------------------------
# The DFT matrix is symmetric, so FFT and IFFT are their own transposes. RFFT
# keeps n // 2 + 1 of the n frequencies; the bins it drops are conjugates of
# kept ones, so in the transpose every kept bin except 0 (and n / 2 for even
# n) stands for two: IRFFT's sum counts them twice, hence the weights.


def _pair_weights(m, n, dtype):
    """1 for the DC bin (and the Nyquist bin of an even n), 2 for the others."""
    weights = np.full(m, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    return np.asarray(weights, dtype)


def _fft_transpose(ct, x, *, fft_type, fft_lengths):
    ct = instantiate(ct)
    dtype = get_aval(ct).dtype
    size = int(np.prod(fft_lengths))
    if fft_type == lax.FftType.RFFT:
        weights = _pair_weights(get_aval(ct).shape[-1], fft_lengths[-1],
                                np.finfo(dtype).dtype)
        halved = lax.div(lax.conj(ct), lax.convert_element_type(
            lax.broadcast_to_rank(weights, get_aval(ct).ndim), dtype))
        out = lax.fft(halved, lax.FftType.IRFFT, fft_lengths)
        return [lax.mul(out, lax._convert_element_type(size, get_aval(out).dtype))]
    if fft_type == lax.FftType.IRFFT:
        spectrum = lax.fft(ct, lax.FftType.RFFT, fft_lengths)
        c_dtype = get_aval(spectrum).dtype
        weights = _pair_weights(get_aval(spectrum).shape[-1], fft_lengths[-1],
                                np.finfo(c_dtype).dtype) / size
        scaled = lax.mul(lax.convert_element_type(
            lax.broadcast_to_rank(weights, get_aval(spectrum).ndim), c_dtype), spectrum)
        return [lax.conj(scaled)]
    return [lax.fft(ct, fft_type, fft_lengths)]


transpose_rules[lax.fft_p] = _fft_transpose

transpose_rules[ew.reduce_precision_p] = lambda ct, x, **params: [
    ew.reduce_precision_p.bind(instantiate(ct), **params)]   # linear, as in JAX


# ---------------------------------------------------------------------------
# Linear algebra (minijax/lax/linalg.py): triangular_solve is linear in b.

from .lax import linalg as la   # noqa: E402


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                unit_diagonal):
    """x = op(a)^{-1} b, so the cotangent of b is op(a)^{-T} ct: the same solve
    with ``transpose_a`` flipped (a plain transpose: no extra conjugation)."""
    if is_undefined(a):
        raise _nonlinear("triangular_solve (in the matrix a)")
    if type(ct) is Zero:
        return [None, Zero(b.aval)]
    return [None, la.triangular_solve(a, ct, left_side=left_side, lower=lower,
                                      transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                      unit_diagonal=unit_diagonal)]


transpose_rules[la.triangular_solve_p] = _triangular_solve_transpose
