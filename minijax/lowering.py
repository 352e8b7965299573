"""Lowering: from a jaxpr to StableHLO text, the input of the XLA compiler (Chapter 9).

A jaxpr is already almost an XLA program: both are lists of typed operations
on arrays. Lowering walks the equations in order and writes one or a few
StableHLO operations for each, using MLIR's textual syntax::

    %2 = stablehlo.sine %1 : tensor<3xf32>

minijax writes this text directly (XLA parses it); no MLIR Python bindings
are needed. Simple elementwise operations use MLIR's short "pretty" form;
everything else uses the generic form, which has the same shape for every
operation::

    %3 = "stablehlo.transpose"(%2) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>

Two things lax allows that StableHLO does not are handled here: implicit
broadcasting of rank-0 operands and size-1 axes (made explicit with
``broadcast_in_dim``), and the ``integer_pow``/``select_n``/``argmax`` style
conveniences (spelled out in simpler operations).
"""
import numpy as np

from . import dtypes
from .core import ShapedArray
from .jaxpr import Literal
from . import lax
from .lax import elementwise as ew, shapes as sh, reductions as red

# ---------------------------------------------------------------------------
# Types and constants


def element_type(dtype):
    """MLIR's name for a numpy dtype: f32, i32 (signless), ui8, i1, complex<f32>."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return "i1"
    if dtype.kind == "c":
        return f"complex<f{dtype.itemsize * 4}>"
    if dtype == dtypes.bfloat16:
        return "bf16"
    prefix = {"f": "f", "i": "i", "u": "ui"}[dtype.kind]
    return f"{prefix}{dtype.itemsize * 8}"


def tensor_type(aval):
    """``tensor<3x4xf32>`` (``tensor<f32>`` for a scalar)."""
    dims = "".join(f"{d}x" for d in aval.shape)
    return f"tensor<{dims}{element_type(aval.dtype)}>"


def dense_attr(value, dtype):
    """A constant's value as a dense literal. Finite scalars are written in
    decimal (numpy's shortest round-trip form, so still exact); arrays, nan and
    inf as hex bytes, which keep every bit."""
    value = np.asarray(value, dtype=dtype)
    if value.ndim == 0 and value.dtype.kind in "biuf" and np.isfinite(value):
        if value.dtype.kind == "b":
            return f"dense<{str(bool(value)).lower()}>"
        if value.dtype.kind in "iu":
            return f"dense<{int(value)}>"
        return f"dense<{_float_text(value)}>"
    if value.dtype == np.bool_:
        value = value.astype(np.uint8)
    return f'dense<"0x{np.ascontiguousarray(value).tobytes().hex().upper()}">'


def _float_text(value):
    """``str(np.float32(0.1))`` is '0.1'; MLIR also wants a '.' before any exponent."""
    mantissa, _, exponent = str(value.item() if value.dtype == np.float64 else
                                value.dtype.type(value)).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + (f"e{exponent}" if exponent else "")


def i64_array(values):
    return "array<i64" + (": " + ", ".join(str(int(v)) for v in values) if len(values) else "") + ">"


def int_list(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


# ---------------------------------------------------------------------------
# The emitter: a function body being written


class FunctionBuilder:
    """Accumulates the lines of one function body and names SSA values.

    ``host_callbacks`` collects the Python functions the program calls back
    (``debug.print`` under jit); a custom call names one by its index in this
    list, which is handed to the compiler with the program.
    """

    def __init__(self, indent=4, host_callbacks=None):
        self.lines, self.counter, self.indent = [], 0, indent
        self.host_callbacks = [] if host_callbacks is None else host_callbacks

    def add_host_callback(self, fn):
        """Register ``fn`` to be called from the compiled program; its index."""
        self.host_callbacks.append(fn)
        return len(self.host_callbacks) - 1

    def fresh(self):
        self.counter += 1
        return f"%{self.counter - 1}"

    def emit(self, text):
        self.lines.append(" " * self.indent + text)

    def op(self, name, operands, in_avals, out_aval, attrs=""):
        """A generic-form operation with one result; returns its SSA name."""
        result = self.fresh()
        ins = ", ".join(tensor_type(a) for a in in_avals)
        attrs = f" {{{attrs}}}" if attrs else ""
        self.emit(f'{result} = "{name}"({", ".join(operands)}){attrs} : ({ins}) -> '
                  f'{tensor_type(out_aval)}')
        return result

    def elementwise(self, name, operands, aval):
        """A pretty-form elementwise operation (all operands of type ``aval``)."""
        result = self.fresh()
        self.emit(f"{result} = stablehlo.{name} {', '.join(operands)} : {tensor_type(aval)}")
        return result

    def constant(self, value, aval):
        result = self.fresh()
        self.emit(f"{result} = stablehlo.constant {dense_attr(value, aval.dtype)} : "
                  f"{tensor_type(aval)}")
        return result

    def region(self, arg_avals, body):
        """A nested region ``^bb0(args): ... stablehlo.return``; ``body(builder,
        arg_names)`` returns the names to return. Used by reduce, scatter, while
        and case."""
        inner = FunctionBuilder(self.indent + 2, self.host_callbacks)
        inner.counter = self.counter
        args = [inner.fresh() for _ in arg_avals]
        inner.lines.append(" " * (self.indent) + "^bb0(" + ", ".join(
            f"{a}: {tensor_type(t)}" for a, t in zip(args, arg_avals)) + "):")
        outs, out_avals = body(inner, args)
        inner.emit(f'"stablehlo.return"({", ".join(outs)}) : '
                   f'({", ".join(tensor_type(a) for a in out_avals)}) -> ()')
        self.counter = inner.counter
        return "\n".join(inner.lines)

    def op_with_regions(self, name, operands, in_avals, out_avals, regions, attrs=""):
        """A generic-form operation with regions and possibly several results."""
        results = [self.fresh() for _ in out_avals]
        lhs = results[0] if len(results) == 1 else f"{results[0]}:{len(results)}"
        attrs = f" {{{attrs}}}" if attrs else ""
        ins = ", ".join(tensor_type(a) for a in in_avals)
        outs = ", ".join(tensor_type(a) for a in out_avals)
        outs = outs if len(out_avals) == 1 else f"({outs})"
        body = ", ".join("{\n" + r + "\n" + " " * self.indent + "}" for r in regions)
        self.emit(f'{lhs} = "{name}"({", ".join(operands)}) ({body}){attrs} : ({ins}) -> {outs}')
        if len(results) == 1:
            return results
        return [f"{results[0]}#{i}" for i in range(len(results))]


# ---------------------------------------------------------------------------
# Lowering a jaxpr


def lower_jaxpr(builder, jaxpr, consts, args):
    """Write ``jaxpr``'s equations into ``builder``; return the output names.

    ``args`` are the SSA names of the inputs; ``consts`` the constants' values.
    """
    env = {}

    def read(a):
        if type(a) is Literal:
            return builder.constant(a.val, a.aval)
        return env[a]

    for v, c in zip(jaxpr.constvars, consts):
        env[v] = builder.constant(np.asarray(getattr(c, "_value", c)), v.aval)
    env.update(zip(jaxpr.invars, args))
    for eqn in jaxpr.eqns:
        rule = lowering_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"no lowering rule for the primitive '{eqn.primitive.name}'")
        in_avals = [a.aval for a in eqn.invars]
        out_avals = [v.aval for v in eqn.outvars]
        outs = rule(builder, [read(a) for a in eqn.invars], in_avals,
                    out_avals if eqn.primitive.multiple_results else out_avals[0], **eqn.params)
        env.update(zip(eqn.outvars, outs if eqn.primitive.multiple_results else [outs]))
    return [read(a) for a in jaxpr.outvars]


def lower_to_stablehlo(closed, name="main"):
    """The StableHLO module (as text) computing ``closed``: one public ``main``."""
    return lower_module(closed, name)[0]


def lower_module(closed, name="main"):
    """``(text, host_callbacks)``: the StableHLO module computing ``closed``,
    and the Python functions it calls back (empty for most programs)."""
    builder = FunctionBuilder()
    in_avals, out_avals = closed.in_avals, closed.out_avals
    args = [f"%arg{i}" for i in range(len(in_avals))]
    outs = lower_jaxpr(builder, closed.jaxpr, closed.consts, args)
    signature = ", ".join(f"{a}: {tensor_type(t)}" for a, t in zip(args, in_avals))
    results = ", ".join(tensor_type(t) for t in out_avals)
    builder.emit(f"func.return {', '.join(outs)} : {results}" if outs else "func.return")
    module_name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    text = "\n".join([f"module @jit_{module_name} {{",
                      f"  func.func public @main({signature}) -> ({results}) {{",
                      *builder.lines,
                      "  }",
                      "}"])
    return text, builder.host_callbacks


# ---------------------------------------------------------------------------
# Helpers for rules

lowering_rules = {}


def broadcast_to(b, x, aval, shape):
    """lax's implicit broadcasting made explicit (rank-0 operands, size-1 axes)."""
    if aval.shape == tuple(shape):
        return x
    out = ShapedArray(shape, aval.dtype)
    if not aval.shape:
        return b.op("stablehlo.broadcast_in_dim", [x], [aval], out,
                    f"broadcast_dimensions = {i64_array([])}")
    # Same rank, some axes of size 1: drop them, then broadcast the rest back.
    kept = [i for i, (d, s) in enumerate(zip(aval.shape, shape)) if d == s]
    squeezed_aval = ShapedArray([aval.shape[i] for i in kept], aval.dtype)
    squeezed = b.op("stablehlo.reshape", [x], [aval], squeezed_aval)
    return b.op("stablehlo.broadcast_in_dim", [squeezed], [squeezed_aval], out,
                f"broadcast_dimensions = {i64_array(kept)}")


def _elementwise_lower(name):
    """A lax elementwise primitive that maps to one StableHLO operation."""
    def rule(b, args, in_avals, out_aval, **params):
        args = [broadcast_to(b, x, a, out_aval.shape) for x, a in zip(args, in_avals)]
        if in_avals[0].dtype == out_aval.dtype:
            return b.elementwise(name, args, out_aval)
        in_avals = [ShapedArray(out_aval.shape, a.dtype) for a in in_avals]
        return b.op(f"stablehlo.{name}", args, in_avals, out_aval)
    return rule


def _chlo_lower(name):
    """Operations XLA provides in its "client library" (CHLO) dialect."""
    def rule(b, args, in_avals, out_aval, **params):
        args = [broadcast_to(b, x, a, out_aval.shape) for x, a in zip(args, in_avals)]
        in_avals = [ShapedArray(out_aval.shape, a.dtype) for a in in_avals]
        return b.op(f"chlo.{name}", args, in_avals, out_aval)
    return rule


def scalar_const(b, value, dtype):
    return b.constant(np.asarray(value, dtype), ShapedArray((), dtype))


def full_like(b, value, aval):
    """An array of ``aval`` filled with ``value``."""
    c = scalar_const(b, value, aval.dtype)
    if not aval.shape:
        return c
    return broadcast_to(b, c, ShapedArray((), aval.dtype), aval.shape)


# ---------------------------------------------------------------------------
# Elementwise rules

for _prim, _name in [
        (ew.neg_p, "negate"), (ew.floor_p, "floor"), (ew.ceil_p, "ceil"),
        (ew.is_finite_p, "is_finite"), (ew.exp_p, "exponential"), (ew.log_p, "log"),
        (ew.log1p_p, "log_plus_one"), (ew.expm1_p, "exponential_minus_one"),
        (ew.sin_p, "sine"), (ew.cos_p, "cosine"), (ew.tan_p, "tan"), (ew.tanh_p, "tanh"),
        (ew.logistic_p, "logistic"), (ew.sqrt_p, "sqrt"), (ew.rsqrt_p, "rsqrt"),
        (ew.cbrt_p, "cbrt"), (ew.not_p, "not"), (ew.real_p, "real"),
        (ew.imag_p, "imag"),
        (ew.add_p, "add"), (ew.add_any_p, "add"), (ew.sub_p, "subtract"),
        (ew.mul_p, "multiply"), (ew.div_p, "divide"), (ew.rem_p, "remainder"),
        (ew.pow_p, "power"), (ew.max_p, "maximum"), (ew.min_p, "minimum"),
        (ew.atan2_p, "atan2"), (ew.and_p, "and"), (ew.or_p, "or"), (ew.xor_p, "xor"),
        (ew.complex_p, "complex")]:
    lowering_rules[_prim] = _elementwise_lower(_name)

for _prim, _name in [
        (ew.asin_p, "asin"), (ew.acos_p, "acos"), (ew.atan_p, "atan"), (ew.sinh_p, "sinh"),
        (ew.cosh_p, "cosh"), (ew.asinh_p, "asinh"), (ew.acosh_p, "acosh"),
        (ew.atanh_p, "atanh"), (ew.erf_p, "erf"), (ew.erfc_p, "erfc"),
        (ew.erf_inv_p, "erf_inv"), (ew.lgamma_p, "lgamma"), (ew.digamma_p, "digamma"),
        (ew.nextafter_p, "next_after"), (ew.polygamma_p, "polygamma")]:
    lowering_rules[_prim] = _chlo_lower(_name)

lowering_rules[ew.stop_gradient_p] = lambda b, args, in_avals, out_aval: args[0]


def _unsigned_aware_lower(name, unsigned_rule):
    """StableHLO's ``abs`` and ``sign`` reject unsigned integers; spell those out."""
    signed_rule = _elementwise_lower(name)

    def rule(b, args, in_avals, out_aval):
        if in_avals[0].dtype.kind == "u":
            return unsigned_rule(b, args[0], out_aval)
        return signed_rule(b, args, in_avals, out_aval)
    return rule


lowering_rules[ew.abs_p] = _unsigned_aware_lower("abs", lambda b, x, aval: x)
lowering_rules[ew.sign_p] = _unsigned_aware_lower(   # 0 for 0, else 1
    "sign", lambda b, x, aval: b.elementwise("minimum", [x, full_like(b, 1, aval)], aval))


def _round_lower(b, args, in_avals, out_aval, rounding_method):
    name = "round_nearest_afz" if rounding_method == 0 else "round_nearest_even"
    return b.elementwise(name, args, out_aval)


lowering_rules[ew.round_p] = _round_lower


def _exp2_lower(b, args, in_avals, out_aval):
    ln2 = full_like(b, np.log(2), out_aval)
    return b.elementwise("exponential", [b.elementwise("multiply", [args[0], ln2], out_aval)],
                         out_aval)


lowering_rules[ew.exp2_p] = _exp2_lower


def _integer_pow_lower(b, args, in_avals, out_aval, y):
    """Square-and-multiply, the same multiplications as the eager implementation."""
    x, = args
    if y == 0:
        return full_like(b, 1, out_aval)
    if y == 3:
        # JAX writes (x * x) * x. The order matters for complex numbers: XLA
        # multiplies them with fused multiply-adds, which do not commute bitwise.
        square = b.elementwise("multiply", [x, x], out_aval)
        return b.elementwise("multiply", [square, x], out_aval)
    acc, base, n = None, x, abs(y)
    while n:
        if n & 1:
            acc = base if acc is None else b.elementwise("multiply", [acc, base], out_aval)
        n >>= 1
        if n:
            base = b.elementwise("multiply", [base, base], out_aval)
    if y < 0:
        acc = b.elementwise("divide", [full_like(b, 1, out_aval), acc], out_aval)
    return acc


lowering_rules[ew.integer_pow_p] = _integer_pow_lower


def _conj_lower(b, args, in_avals, out_aval, input_dtype):
    x, = args
    real_aval = ShapedArray(out_aval.shape, np.finfo(out_aval.dtype).dtype)
    if in_avals[0].dtype.kind != "c":
        x = b.op("stablehlo.convert", [x], in_avals, real_aval) \
            if in_avals[0].dtype != real_aval.dtype else x
        zero = full_like(b, 0, real_aval)
        return b.op("stablehlo.complex", [x, zero], [real_aval, real_aval], out_aval)
    re = b.op("stablehlo.real", [x], [out_aval], real_aval)
    im = b.op("stablehlo.imag", [x], [out_aval], real_aval)
    return b.op("stablehlo.complex", [re, b.elementwise("negate", [im], real_aval)],
                [real_aval, real_aval], out_aval)


lowering_rules[ew.conj_p] = _conj_lower

_DIRECTIONS = {ew.eq_p: "EQ", ew.ne_p: "NE", ew.lt_p: "LT", ew.le_p: "LE", ew.gt_p: "GT",
               ew.ge_p: "GE"}


def compare(b, direction, x, y, aval, out_aval):
    kind = aval.dtype.kind
    compare_type = "FLOAT" if kind in "fc" else "SIGNED" if kind == "i" else "UNSIGNED"
    return b.op("stablehlo.compare", [x, y], [aval, aval], out_aval,
                f"comparison_direction = #stablehlo<comparison_direction {direction}>, "
                f"compare_type = #stablehlo<comparison_type {compare_type}>")


def _compare_lower(direction):
    def rule(b, args, in_avals, out_aval):
        shape = out_aval.shape
        x, y = (broadcast_to(b, a, t, shape) for a, t in zip(args, in_avals))
        return compare(b, direction, x, y, ShapedArray(shape, in_avals[0].dtype), out_aval)
    return rule


for _prim, _direction in _DIRECTIONS.items():
    lowering_rules[_prim] = _compare_lower(_direction)


def _select_n_lower(b, args, in_avals, out_aval):
    which, *cases = args
    which_aval = in_avals[0]
    if len(cases) == 1:
        return cases[0]
    if which_aval.dtype == np.bool_:
        return b.op("stablehlo.select", [which, cases[1], cases[0]],
                    [which_aval, out_aval, out_aval], out_aval)
    # An integer selector: cases[which] as a chain of equality tests.
    result = cases[0]
    pred_aval = ShapedArray(which_aval.shape, np.bool_)
    for i, case in enumerate(cases[1:], start=1):
        index = full_like(b, i, which_aval)
        pred = compare(b, "EQ", which, index, which_aval, pred_aval)
        result = b.op("stablehlo.select", [pred, case, result],
                      [pred_aval, out_aval, out_aval], out_aval)
    return result


lowering_rules[ew.select_n_p] = _select_n_lower
lowering_rules[ew.clamp_p] = lambda b, args, in_avals, out_aval: b.op(
    "stablehlo.clamp", args, in_avals, out_aval)


def convert(b, x, aval, new_dtype):
    out_aval = ShapedArray(aval.shape, new_dtype)
    if aval.dtype == out_aval.dtype:
        return x
    if aval.dtype.kind == "c" and out_aval.dtype.kind != "c":   # complex -> real: real part
        real_aval = ShapedArray(aval.shape, np.finfo(aval.dtype).dtype)
        x, aval = b.op("stablehlo.real", [x], [aval], real_aval), real_aval
        if aval.dtype == out_aval.dtype:
            return x
    if out_aval.dtype == np.bool_:   # x != 0
        return compare(b, "NE", x, full_like(b, 0, aval), aval, out_aval)
    return b.op("stablehlo.convert", [x], [aval], out_aval)


lowering_rules[ew.convert_element_type_p] = (
    lambda b, args, in_avals, out_aval, new_dtype, weak_type:
    convert(b, args[0], in_avals[0], new_dtype))

# ---------------------------------------------------------------------------
# Structural rules


def _broadcast_in_dim_lower(b, args, in_avals, out_aval, shape, broadcast_dimensions):
    return b.op("stablehlo.broadcast_in_dim", args, in_avals, out_aval,
                f"broadcast_dimensions = {i64_array(broadcast_dimensions)}")


def _reshape_lower(b, args, in_avals, out_aval, **params):
    return b.op("stablehlo.reshape", args, in_avals, out_aval)


lowering_rules[sh.broadcast_in_dim_p] = _broadcast_in_dim_lower
lowering_rules[sh.reshape_p] = _reshape_lower
lowering_rules[sh.squeeze_p] = _reshape_lower
lowering_rules[sh.transpose_p] = lambda b, args, in_avals, out_aval, permutation: b.op(
    "stablehlo.transpose", args, in_avals, out_aval, f"permutation = {i64_array(permutation)}")
lowering_rules[sh.rev_p] = lambda b, args, in_avals, out_aval, dimensions: b.op(
    "stablehlo.reverse", args, in_avals, out_aval, f"dimensions = {i64_array(dimensions)}")
lowering_rules[sh.concatenate_p] = lambda b, args, in_avals, out_aval, dimension: b.op(
    "stablehlo.concatenate", args, in_avals, out_aval, f"dimension = {dimension} : i64")


def _pad_lower(b, args, in_avals, out_aval, padding_config):
    lo, hi, interior = zip(*padding_config) if padding_config else ((), (), ())
    return b.op("stablehlo.pad", args, in_avals, out_aval,
                f"edge_padding_low = {i64_array(lo)}, edge_padding_high = {i64_array(hi)}, "
                f"interior_padding = {i64_array(interior)}")


def _slice_lower(b, args, in_avals, out_aval, start_indices, limit_indices, strides):
    strides = strides or (1,) * len(start_indices)
    return b.op("stablehlo.slice", args, in_avals, out_aval,
                f"start_indices = {i64_array(start_indices)}, "
                f"limit_indices = {i64_array(limit_indices)}, strides = {i64_array(strides)}")


lowering_rules[sh.pad_p] = _pad_lower
lowering_rules[sh.slice_p] = _slice_lower


def _index_operands(b, args, avals):
    """Dynamic start indices, all converted to i32 (StableHLO wants one type)."""
    i32 = np.dtype(np.int32)
    return [convert(b, x, a, i32) for x, a in zip(args, avals)], [
        ShapedArray((), i32) for _ in avals]


def _dynamic_slice_lower(b, args, in_avals, out_aval, slice_sizes):
    starts, start_avals = _index_operands(b, args[1:], in_avals[1:])
    return b.op("stablehlo.dynamic_slice", [args[0]] + starts, [in_avals[0]] + start_avals,
                out_aval, f"slice_sizes = {i64_array(slice_sizes)}")


def _dynamic_update_slice_lower(b, args, in_avals, out_aval):
    starts, start_avals = _index_operands(b, args[2:], in_avals[2:])
    return b.op("stablehlo.dynamic_update_slice", args[:2] + starts,
                in_avals[:2] + start_avals, out_aval)


lowering_rules[sh.dynamic_slice_p] = _dynamic_slice_lower
lowering_rules[sh.dynamic_update_slice_p] = _dynamic_update_slice_lower


def _in_bounds_mask(b, indices, idx_aval, index_map, operand_shape, window_sizes):
    """For each index row: is its whole window inside the operand? (shape: batch)"""
    batch_shape = idx_aval.shape[:-1]
    vec_aval = ShapedArray(idx_aval.shape, np.bool_)
    upper = [operand_shape[d] - window_sizes[d] for d in index_map]
    lo_ok = compare(b, "GE", indices, full_like(b, 0, idx_aval), idx_aval, vec_aval)
    hi_const = b.constant(np.broadcast_to(np.asarray(upper, idx_aval.dtype), idx_aval.shape),
                          idx_aval)
    hi_ok = compare(b, "LE", indices, hi_const, idx_aval, vec_aval)
    both = b.elementwise("and", [lo_ok, hi_ok], vec_aval)
    bool_scalar = ShapedArray((), np.bool_)
    region = b.region([bool_scalar, bool_scalar], lambda rb, xs: (
        [rb.elementwise("and", xs, bool_scalar)], [bool_scalar]))
    init = scalar_const(b, True, np.bool_)
    mask, = b.op_with_regions("stablehlo.reduce", [both, init], [vec_aval, bool_scalar],
                              [ShapedArray(batch_shape, np.bool_)], [region],
                              f"dimensions = {i64_array([len(batch_shape)])}")
    return mask


def _gather_lower(b, args, in_avals, out_aval, dimension_numbers, slice_sizes, mode,
                 fill_value, indices_are_sorted, unique_indices):
    operand, indices = args
    op_aval, idx_aval = in_avals
    dn = dimension_numbers
    attrs = (f"dimension_numbers = #stablehlo.gather<offset_dims = {int_list(dn.offset_dims)}, "
             f"collapsed_slice_dims = {int_list(dn.collapsed_slice_dims)}, "
             f"start_index_map = {int_list(dn.start_index_map)}, "
             f"index_vector_dim = {idx_aval.ndim - 1}>, "
             f"slice_sizes = {i64_array(slice_sizes)}, "
             f"indices_are_sorted = {str(indices_are_sorted).lower()}")
    out = b.op("stablehlo.gather", [operand, indices], in_avals, out_aval, attrs)
    if mode != sh.GatherScatterMode.FILL_OR_DROP:
        return out   # XLA clamps start indices, exactly as in the eager implementation
    mask = _in_bounds_mask(b, indices, idx_aval, dn.start_index_map, op_aval.shape,
                           slice_sizes)
    batch_positions = [i for i in range(out_aval.ndim) if i not in dn.offset_dims]
    mask_aval = ShapedArray(out_aval.shape, np.bool_)
    full_mask = b.op("stablehlo.broadcast_in_dim", [mask],
                     [ShapedArray(idx_aval.shape[:-1], np.bool_)], mask_aval,
                     f"broadcast_dimensions = {i64_array(batch_positions)}")
    fill = full_like(b, sh._default_fill(out_aval.dtype) if fill_value is None else fill_value,
                     out_aval)
    return b.op("stablehlo.select", [full_mask, out, fill], [mask_aval, out_aval, out_aval],
                out_aval)


lowering_rules[sh.gather_p] = _gather_lower


def _clamp_indices(b, indices, idx_aval, index_map, operand_shape, window_sizes):
    upper = [operand_shape[d] - window_sizes[d] for d in index_map]
    hi = b.constant(np.broadcast_to(np.asarray(upper, idx_aval.dtype), idx_aval.shape), idx_aval)
    lo = full_like(b, 0, idx_aval)
    return b.op("stablehlo.clamp", [lo, indices, hi], [idx_aval] * 3, idx_aval)


def _scatter_lower(combine):
    def rule(b, args, in_avals, out_aval, dimension_numbers, mode, indices_are_sorted,
             unique_indices):
        operand, indices, updates = args
        op_aval, idx_aval, upd_aval = in_avals
        dn = dimension_numbers
        if mode == sh.GatherScatterMode.CLIP:   # XLA drops out-of-bounds windows; clip clamps
            window = iter(upd_aval.shape[i] for i in dn.update_window_dims)
            sizes = [1 if d in dn.inserted_window_dims else next(window)
                     for d in range(op_aval.ndim)]
            indices = _clamp_indices(b, indices, idx_aval, dn.scatter_dims_to_operand_dims,
                                     op_aval.shape, sizes)
        scalar = ShapedArray((), op_aval.dtype)
        region = b.region([scalar, scalar], lambda rb, xs: (
            [combine(rb, xs, scalar)], [scalar]))
        attrs = (f"scatter_dimension_numbers = #stablehlo.scatter<"
                 f"update_window_dims = {int_list(dn.update_window_dims)}, "
                 f"inserted_window_dims = {int_list(dn.inserted_window_dims)}, "
                 f"scatter_dims_to_operand_dims = {int_list(dn.scatter_dims_to_operand_dims)}, "
                 f"index_vector_dim = {idx_aval.ndim - 1}>, "
                 f"indices_are_sorted = {str(indices_are_sorted).lower()}, "
                 f"unique_indices = {str(unique_indices).lower()}")
        out, = b.op_with_regions("stablehlo.scatter", [operand, indices, updates], in_avals,
                                 [out_aval], [region], attrs)
        return out
    return rule


for _p, _op in ((sh.scatter_add_p, "add"), (sh.scatter_mul_p, "multiply"),
               (sh.scatter_min_p, "minimum"), (sh.scatter_max_p, "maximum")):
    lowering_rules[_p] = _scatter_lower(
        lambda rb, xs, aval, op=_op: rb.elementwise(op, xs, aval))
lowering_rules[sh.scatter_p] = _scatter_lower(lambda rb, xs, aval: xs[1])
lowering_rules[sh.iota_p] = lambda b, args, in_avals, out_aval, dtype, shape, dimension: b.op(
    "stablehlo.iota", [], [], out_aval, f"iota_dimension = {dimension} : i64")

# ---------------------------------------------------------------------------
# Reductions


def _reduce(b, x, aval, axes, out_aval, init_value, combine):
    scalar = ShapedArray((), aval.dtype)
    init = scalar_const(b, init_value, aval.dtype)
    region = b.region([scalar, scalar], lambda rb, xs: ([combine(rb, xs, scalar)], [scalar]))
    out, = b.op_with_regions("stablehlo.reduce", [x, init], [aval, scalar], [out_aval],
                             [region], f"dimensions = {i64_array(axes)}")
    return out


def _reduction_lower(op_name, init):
    def rule(b, args, in_avals, out_aval, axes):
        return _reduce(b, args[0], in_avals[0], axes, out_aval, init(in_avals[0].dtype),
                       lambda rb, xs, aval: rb.elementwise(op_name, xs, aval))
    return rule


lowering_rules[red.reduce_sum_p] = _reduction_lower("add", lambda dt: 0)
lowering_rules[red.reduce_prod_p] = _reduction_lower("multiply", lambda dt: 1)
lowering_rules[red.reduce_max_p] = _reduction_lower("maximum", red._lowest)
lowering_rules[red.reduce_min_p] = _reduction_lower("minimum", red._highest)
lowering_rules[red.reduce_and_p] = _reduction_lower(   # identity: all bits set
    "and", lambda dt: True if dt == np.bool_ else -1 if dt.kind == "i" else np.iinfo(dt).max)
lowering_rules[red.reduce_or_p] = _reduction_lower("or", lambda dt: 0)


def _arg_reduction_lower(direction):
    """argmax/argmin as a reduction over (value, index) pairs: the better value
    wins, nan beats everything, and ties go to the smaller index."""
    def rule(b, args, in_avals, out_aval, axes, index_dtype):
        x, = args
        aval = in_avals[0]
        axis = axes[0]
        idx_aval = ShapedArray(aval.shape, index_dtype)
        iota = b.op("stablehlo.iota", [], [], idx_aval, f"iota_dimension = {axis} : i64")
        v_scalar, i_scalar = ShapedArray((), aval.dtype), ShapedArray((), index_dtype)
        bool_scalar = ShapedArray((), np.bool_)

        def body(rb, xs):
            xv, xi, yv, yi = xs
            better = compare(rb, direction, xv, yv, v_scalar, bool_scalar)
            tie = compare(rb, "EQ", xv, yv, v_scalar, bool_scalar)
            if aval.dtype.kind in "fc":
                x_nan = compare(rb, "NE", xv, xv, v_scalar, bool_scalar)
                y_nan = compare(rb, "NE", yv, yv, v_scalar, bool_scalar)
                y_not_nan = rb.elementwise("not", [y_nan], bool_scalar)
                better = rb.elementwise("or", [better, rb.elementwise(
                    "and", [x_nan, y_not_nan], bool_scalar)], bool_scalar)
                tie = rb.elementwise("or", [tie, rb.elementwise("and", [x_nan, y_nan],
                                                                bool_scalar)], bool_scalar)
            first = compare(rb, "LT", xi, yi, i_scalar, bool_scalar)
            pick_x = rb.elementwise("or", [better, rb.elementwise("and", [tie, first],
                                                                  bool_scalar)], bool_scalar)
            v = rb.op("stablehlo.select", [pick_x, xv, yv], [bool_scalar, v_scalar, v_scalar],
                      v_scalar)
            i = rb.op("stablehlo.select", [pick_x, xi, yi], [bool_scalar, i_scalar, i_scalar],
                      i_scalar)
            return [v, i], [v_scalar, i_scalar]

        region = b.region([v_scalar, i_scalar, v_scalar, i_scalar], body)
        init_v = scalar_const(b, red._lowest(aval.dtype) if direction == "GT"
                              else red._highest(aval.dtype), aval.dtype)
        init_i = scalar_const(b, 0, index_dtype)
        _, index = b.op_with_regions(
            "stablehlo.reduce", [x, iota, init_v, init_i], [aval, idx_aval, v_scalar, i_scalar],
            [ShapedArray(out_aval.shape, aval.dtype), out_aval], [region],
            f"dimensions = {i64_array(axes)}")
        return index
    return rule


lowering_rules[red.argmax_p] = _arg_reduction_lower("GT")
lowering_rules[red.argmin_p] = _arg_reduction_lower("LT")


def _cumulative_lower(op_name, init):
    """A windowed reduction whose window reaches back over the whole axis."""
    def rule(b, args, in_avals, out_aval, axis, reverse):
        aval = in_avals[0]
        n = aval.shape[axis]
        if n == 0:   # nothing to accumulate (and XLA rejects an empty window)
            return args[0]
        window = [n if i == axis else 1 for i in range(aval.ndim)]
        reach_back = (0, n - 1) if reverse else (n - 1, 0)
        padding = [reach_back if i == axis else (0, 0) for i in range(aval.ndim)]
        scalar = ShapedArray((), aval.dtype)
        init_c = scalar_const(b, init(aval.dtype), aval.dtype)
        region = b.region([scalar, scalar],
                          lambda rb, xs: ([rb.elementwise(op_name, xs, scalar)], [scalar]))
        pad_text = "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in padding) + "]"
        out, = b.op_with_regions(
            "stablehlo.reduce_window", [args[0], init_c], [aval, scalar], [out_aval], [region],
            f"window_dimensions = {i64_array(window)}, "
            f"window_strides = {i64_array([1] * aval.ndim)}, "
            f"padding = dense<{pad_text}> : tensor<{aval.ndim}x2xi64>")
        return out
    return rule


lowering_rules[red.cumsum_p] = _cumulative_lower("add", lambda dt: 0)
lowering_rules[red.cumprod_p] = _cumulative_lower("multiply", lambda dt: 1)
lowering_rules[red.cummax_p] = _cumulative_lower("maximum", red._lowest)
lowering_rules[red.cummin_p] = _cumulative_lower("minimum", red._highest)


def _sort_lower(b, args, in_avals, out_avals, dimension, is_stable, num_keys):
    """stablehlo.sort with a lexicographic comparator on the first ``num_keys``
    operands (floats in total order, so nans sort last as in numpy)."""
    scalars = [ShapedArray((), a.dtype) for a in in_avals]
    bool_scalar = ShapedArray((), np.bool_)

    def sort_keys(rb, x, aval):
        """JAX's keys of one operand, as [(key, aval)]: a complex number by
        its real, then its imaginary part; floats with -0 as +0 and every nan
        as one nan, so that they tie (and keep their order in a stable sort)."""
        if aval.dtype.kind == "c":
            part = ShapedArray((), np.finfo(aval.dtype).dtype)
            return [key for op in ("stablehlo.real", "stablehlo.imag")
                    for key in sort_keys(rb, rb.op(op, [x], [aval], part), part)]
        if aval.dtype.kind != "f":
            return [(x, aval)]
        zero, nan = scalar_const(rb, 0, aval.dtype), scalar_const(rb, np.nan, aval.dtype)
        x_or_zero = rb.op("stablehlo.select", [compare(rb, "EQ", x, zero, aval, bool_scalar),
                                               zero, x], [bool_scalar, aval, aval], aval)
        return [(rb.op("stablehlo.select", [compare(rb, "NE", x, x, aval, bool_scalar),
                                            nan, x_or_zero], [bool_scalar, aval, aval], aval),
                 aval)]

    def comparator(rb, xs):
        lhs_keys = [k for i in range(num_keys) for k in sort_keys(rb, xs[2 * i], scalars[i])]
        rhs_keys = [k for i in range(num_keys) for k in sort_keys(rb, xs[2 * i + 1], scalars[i])]
        result = None   # "less", built from the last key up
        for (lhs, aval), (rhs, _) in reversed(list(zip(lhs_keys, rhs_keys))):
            less = _total_order_compare(rb, "LT", lhs, rhs, aval)
            if result is None:
                result = less
            else:
                equal = _total_order_compare(rb, "EQ", lhs, rhs, aval)
                result = rb.elementwise("or", [less, rb.elementwise(
                    "and", [equal, result], bool_scalar)], bool_scalar)
        return [result], [bool_scalar]

    region = b.region([a for a in scalars for _ in (0, 1)], comparator)
    return b.op_with_regions("stablehlo.sort", args, in_avals, out_avals, [region],
                             f"dimension = {dimension} : i64, "
                             f"is_stable = {str(is_stable).lower()}")


def _total_order_compare(b, direction, x, y, aval):
    kind = aval.dtype.kind
    compare_type = "TOTALORDER" if kind == "f" else "SIGNED" if kind == "i" else "UNSIGNED"
    return b.op("stablehlo.compare", [x, y], [aval, aval], ShapedArray((), np.bool_),
                f"comparison_direction = #stablehlo<comparison_direction {direction}>, "
                f"compare_type = #stablehlo<comparison_type {compare_type}>")


lowering_rules[lax.sort_p] = _sort_lower


def _dot_general_lower(b, args, in_avals, out_aval, dimension_numbers, precision,
                      preferred_element_type):
    (lc, rc), (lb, rb) = dimension_numbers
    lhs, rhs = args
    lhs_aval, rhs_aval = in_avals
    if lhs_aval.dtype != out_aval.dtype:   # compute in the requested output type
        lhs = convert(b, lhs, lhs_aval, out_aval.dtype)
        rhs = convert(b, rhs, rhs_aval, out_aval.dtype)
        lhs_aval = ShapedArray(lhs_aval.shape, out_aval.dtype)
        rhs_aval = ShapedArray(rhs_aval.shape, out_aval.dtype)
    attrs = (f"dot_dimension_numbers = #stablehlo.dot<"
             f"lhs_batching_dimensions = {int_list(lb)}, rhs_batching_dimensions = {int_list(rb)}, "
             f"lhs_contracting_dimensions = {int_list(lc)}, "
             f"rhs_contracting_dimensions = {int_list(rc)}>")
    return b.op("stablehlo.dot_general", [lhs, rhs], [lhs_aval, rhs_aval], out_aval, attrs)


lowering_rules[red.dot_general_p] = _dot_general_lower


# -- convolution ---------------------------------------------------------------

from .lax import convolution as conv_mod   # noqa: E402


def _conv_labels(spec, first, second):
    """StableHLO's names for each axis of an operand: ``[b, f, 0, 1]``."""
    labels = [None] * len(spec)
    labels[spec[0]], labels[spec[1]] = first, second
    for i, axis in enumerate(spec[2:]):
        labels[axis] = str(i)
    return "[" + ", ".join(labels) + "]"


def _conv_general_dilated_lower(b, args, in_avals, out_aval, *, window_strides, padding,
                                lhs_dilation, rhs_dilation, dimension_numbers,
                                feature_group_count, batch_group_count, precision,
                                preferred_element_type):
    if in_avals[0].dtype.kind == "c":
        # XLA:CPU has no complex convolution: JAX spells it as three real
        # ones (Gauss's trick), and so do we, for the same numbers.
        params = dict(window_strides=window_strides, padding=padding,
                      lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation,
                      dimension_numbers=dimension_numbers,
                      feature_group_count=feature_group_count,
                      batch_group_count=batch_group_count, precision=precision,
                      preferred_element_type=None if preferred_element_type is None else
                      np.finfo(preferred_element_type).dtype)
        return lower_fun(b, lambda x, y: [_gauss_complex_conv(x, y, params)], args,
                         in_avals)[0]
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    dims = (f"{_conv_labels(lhs_spec, 'b', 'f')}x{_conv_labels(rhs_spec, 'o', 'i')}->"
            f"{_conv_labels(out_spec, 'b', 'f')}")
    pads = "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in padding) + "]"
    flags = ", ".join(["false"] * len(window_strides))
    result = b.fresh()
    b.emit(f"{result} = stablehlo.convolution({args[0]}, {args[1]}) dim_numbers = {dims}, "
           f"window = {{stride = {int_list(window_strides)}, pad = {pads}, "
           f"lhs_dilate = {int_list(lhs_dilation)}, rhs_dilate = {int_list(rhs_dilation)}, "
           f"reverse = [{flags}]}} {{batch_group_count = {batch_group_count} : i64, "
           f"feature_group_count = {feature_group_count} : i64}} : "
           f"({tensor_type(in_avals[0])}, {tensor_type(in_avals[1])}) -> "
           f"{tensor_type(out_aval)}")
    return result


def _gauss_complex_conv(x, y, params):
    """A complex convolution from three real ones (JAX's arithmetic, term by term)."""
    conv = lambda a, b: conv_mod.conv_general_dilated_p.bind(a, b, **params)
    x_re, x_im, y_re, y_im = lax.real(x), lax.imag(x), lax.real(y), lax.imag(y)
    k1 = conv(lax.add(x_re, x_im), y_re)
    k2 = conv(x_re, lax.sub(y_im, y_re))
    k3 = conv(x_im, lax.add(y_re, y_im))
    return lax.complex(lax.sub(k1, k3), lax.add(k1, k2))


lowering_rules[conv_mod.conv_general_dilated_p] = _conv_general_dilated_lower


# -- windowed reductions -------------------------------------------------------


def _padding_attr(padding):
    rows = ", ".join(f"[{lo}, {hi}]" for lo, hi in padding)
    return f"dense<[{rows}]> : tensor<{len(padding)}x2xi64>" if padding else \
        "dense<> : tensor<0x2xi64>"


def _reduce_window(b, operands, in_avals, inits, out_avals, reducer, window_dimensions,
                   window_strides, padding, base_dilation, window_dilation):
    """``stablehlo.reduce_window`` over several operands at once; ``reducer(rb,
    accumulators, elements)`` returns the combined values."""
    scalars = [ShapedArray((), a.dtype) for a in in_avals]
    n = len(operands)
    region = b.region(scalars + scalars, lambda rb, xs: (reducer(rb, xs[:n], xs[n:]), scalars))
    return b.op_with_regions(
        "stablehlo.reduce_window", list(operands) + list(inits), list(in_avals) + scalars,
        out_avals, [region],
        f"window_dimensions = {i64_array(window_dimensions)}, "
        f"window_strides = {i64_array(window_strides)}, "
        f"base_dilations = {i64_array(base_dilation)}, "
        f"window_dilations = {i64_array(window_dilation)}, "
        f"padding = {_padding_attr(padding)}")


def _monoid_window_lower(op_name, identity):
    def rule(b, args, in_avals, out_aval, **window):
        aval = in_avals[0]
        init = scalar_const(b, identity(aval.dtype), aval.dtype)
        scalar = ShapedArray((), aval.dtype)
        combine = lambda rb, accs, xs: [rb.elementwise(op_name, accs + xs, scalar)]
        return _reduce_window(b, args, in_avals, [init], [out_aval], combine, **window)[0]
    return rule


lowering_rules[lax.reduce_window_sum_p] = _monoid_window_lower("add", lambda dt: 0)
lowering_rules[lax.reduce_window_max_p] = _monoid_window_lower("maximum", red._lowest)
lowering_rules[lax.reduce_window_min_p] = _monoid_window_lower("minimum", red._highest)


def _select_direction(select_prim):
    return "GE" if select_prim is ew.ge_p else "LE"


def _select_and_gather_add_lower(b, args, in_avals, out_aval, *, select_prim, **window):
    """A reduce_window over (operand, tangent) pairs that keeps the pair whose
    operand wins (JAX's lowering on CPU, too)."""
    tangents, operand = args
    t_aval, x_aval = in_avals
    scalar, pred = ShapedArray((), x_aval.dtype), ShapedArray((), np.bool_)
    fill = (red._lowest if select_prim is ew.ge_p else red._highest)(x_aval.dtype)
    inits = [scalar_const(b, fill, x_aval.dtype), scalar_const(b, 0, t_aval.dtype)]

    def keep_winner(rb, accs, xs):
        which = compare(rb, _select_direction(select_prim), accs[0], xs[0], scalar, pred)
        return [rb.op("stablehlo.select", [which, a, x], [pred, scalar, scalar], scalar)
                for a, x in zip(accs, xs)]
    out_avals = [ShapedArray(out_aval.shape, x_aval.dtype), out_aval]
    return _reduce_window(b, [operand, tangents], [x_aval, t_aval], inits, out_avals,
                          keep_winner, **window)[1]


def _select_and_scatter_add_lower(b, args, in_avals, out_aval, *, select_prim,
                                  window_dimensions, window_strides, padding):
    """``stablehlo.select_and_scatter`` on the operand padded with the
    selection's identity (as JAX does on CPU), then the padding cropped off."""
    source, operand = args
    s_aval, x_aval = in_avals
    scalar, pred = ShapedArray((), x_aval.dtype), ShapedArray((), np.bool_)
    fill = (red._lowest if select_prim is ew.ge_p else red._highest)(x_aval.dtype)
    padded_aval = ShapedArray([d + lo + hi for d, (lo, hi) in zip(x_aval.shape, padding)],
                              x_aval.dtype)
    padded = _pad_lower(b, [operand, scalar_const(b, fill, x_aval.dtype)], [x_aval, scalar],
                        padded_aval, [(lo, hi, 0) for lo, hi in padding])
    select = b.region([scalar, scalar], lambda rb, xs: (
        [compare(rb, _select_direction(select_prim), xs[0], xs[1], scalar, pred)], [pred]))
    scatter = b.region([scalar, scalar], lambda rb, xs: (
        [rb.elementwise("add", xs, scalar)], [scalar]))
    zero = scalar_const(b, 0, s_aval.dtype)
    scattered, = b.op_with_regions(
        "stablehlo.select_and_scatter", [padded, source, zero], [padded_aval, s_aval, scalar],
        [ShapedArray(padded_aval.shape, s_aval.dtype)], [select, scatter],
        f"window_dimensions = {i64_array(window_dimensions)}, "
        f"window_strides = {i64_array(window_strides)}, "
        f"padding = {_padding_attr([(0, 0)] * len(padding))}")
    return _pad_lower(b, [scattered, zero], [padded_aval, scalar], out_aval,
                      [(-lo, -hi, 0) for lo, hi in padding])


lowering_rules[lax.select_and_gather_add_p] = _select_and_gather_add_lower
lowering_rules[lax.select_and_scatter_add_p] = _select_and_scatter_add_lower



def _fft_lower(b, args, in_avals, out_aval, *, fft_type, fft_lengths):
    result = b.fresh()
    b.emit(f"{result} = stablehlo.fft {args[0]}, type = {fft_type.name}, "
           f"length = {int_list(fft_lengths)} : ({tensor_type(in_avals[0])}) -> "
           f"{tensor_type(out_aval)}")
    return result


lowering_rules[lax.fft_p] = _fft_lower


# -- bits, rounding, cumulative logsumexp, top_k ----------------------------------

lowering_rules[ew.population_count_p] = _elementwise_lower("popcnt")
lowering_rules[ew.clz_p] = _elementwise_lower("count_leading_zeros")


def _reduce_precision_lower(b, args, in_avals, out_aval, *, exponent_bits, mantissa_bits):
    result = b.fresh()
    b.emit(f"{result} = stablehlo.reduce_precision {args[0]}, "
           f"format = e{exponent_bits}m{mantissa_bits} : {tensor_type(out_aval)}")
    return result


lowering_rules[ew.reduce_precision_p] = _reduce_precision_lower


def _cumlogsumexp_lower(b, args, in_avals, out_aval, *, axis, reverse):
    """As JAX does on CPU: a parallel prefix scan of logaddexp, in lax."""
    from .forward_mode import logaddexp, prefix_scan
    return lower_fun(b, lambda x: [prefix_scan(logaddexp, x, axis, reverse, -np.inf)],
                     args, in_avals)[0]


lowering_rules[red.cumlogsumexp_p] = _cumlogsumexp_lower


def _top_k_lower(b, args, in_avals, out_avals, *, k, axis):
    """``chlo.top_k`` works on the last axis: swap ``axis`` there and back."""
    aval = in_avals[0]
    perm = list(range(aval.ndim))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    moved = lambda a: ShapedArray([a.shape[p] for p in perm], a.dtype)   # noqa: E731
    x = args[0]
    if axis != aval.ndim - 1:
        x = b.op("stablehlo.transpose", [x], [aval], moved(aval),
                 f"permutation = {i64_array(perm)}")
    values, indices = b.fresh(), b.fresh()
    v_aval, i_aval = moved(out_avals[0]), moved(out_avals[1])
    b.emit(f"{values}, {indices} = chlo.top_k({x}, k = {k}) : {tensor_type(moved(aval))} -> "
           f"({tensor_type(v_aval)}, {tensor_type(i_aval)})")
    if axis == aval.ndim - 1:
        return [values, indices]
    return [b.op("stablehlo.transpose", [r], [a], out, f"permutation = {i64_array(perm)}")
            for r, a, out in zip((values, indices), (v_aval, i_aval), out_avals)]


lowering_rules[lax.top_k_p] = _top_k_lower


def lower_sub_jaxpr(b, closed, args):
    """Inline a ClosedJaxpr (the body of jit, a branch of cond, ...)."""
    return lower_jaxpr(b, closed.jaxpr, closed.consts, args)



# ---------------------------------------------------------------------------
# Linear algebra (the primitives of minijax/lax/linalg.py)
#
# StableHLO has ``cholesky`` and ``triangular_solve``. For eigh, svd, qr and
# lu we call the LAPACK kernels jaxlib ships, as JAX does on CPU: a
# ``custom_call`` to ``lapack_ssyevd_ffi`` and friends. The kernels want
# column-major matrices (the ``layouts``), take their options as typed
# attributes (``mode = 86 : ui8`` is LAPACK's 'V'), and return a status
# ``info`` per matrix that we turn into NaNs, as JAX does. The small
# computations around a call (a triangle, a permutation from row swaps) are
# written in lax and lowered by tracing them (``lower_fun``).

from .lax import linalg as la   # noqa: E402


def lower_fun(b, fun, args, in_avals):
    """Lower a Python function of lax operations at this point of the program."""
    from .jaxpr import trace_to_jaxpr
    jaxpr, consts = trace_to_jaxpr(lambda *xs: list(fun(*xs)), list(in_avals))
    return lower_jaxpr(b, jaxpr, consts, args)


# The incomplete gamma and beta functions have no StableHLO operation: each
# lowers to its series or continued fraction, traced from lax.
from .lax import special as _special   # noqa: E402


def _special_formula_lower(name):
    def rule(b, args, in_avals, out_aval):
        from .lax._special_formulas import FORMULAS
        return lower_fun(b, lambda *xs: [FORMULAS[name](*xs)], args, in_avals)[0]
    return rule


for _prim in (_special.igamma_p, _special.igammac_p, _special.igamma_grad_a_p,
              _special.regularized_incomplete_beta_p):
    lowering_rules[_prim] = _special_formula_lower(_prim.name)


def _layout(ndim, matrix):
    """Column-major within each matrix for matrices, row-major otherwise."""
    order = (ndim - 2, ndim - 1) + tuple(range(ndim - 3, -1, -1)) if matrix else \
        tuple(range(ndim - 1, -1, -1))
    if not order:
        return "dense<> : tensor<0xindex>"
    return f"dense<{int_list(order)}> : tensor<{len(order)}xindex>"


def lapack_call(b, name, dtype, operands, in_avals, out_avals, **attrs):
    """A typed-FFI custom call to jaxlib's LAPACK kernel ``lapack_<s|d|c|z><name>_ffi``."""
    from . import _xla
    if _xla.backend().platform != "cpu":
        raise NotImplementedError(
            f"minijax lowers this linear-algebra routine to LAPACK, which runs on the CPU "
            f"only; call it outside jit (eagerly), or set MINIJAX_PLATFORM=cpu")
    _xla.register_lapack_targets()
    prefix = {"float32": "s", "float64": "d", "complex64": "c", "complex128": "z"}[
        np.dtype(dtype).name]
    target = f"lapack_{prefix}{name}_ffi"
    rank = max(a.ndim for a in in_avals)
    config = ", ".join(f"{k} = {v} : ui8" for k, v in attrs.items())
    operand_layouts = ", ".join(_layout(a.ndim, a.ndim == rank) for a in in_avals)
    result_layouts = ", ".join(_layout(a.ndim, a.ndim == rank) for a in out_avals)
    results = [b.fresh() for _ in out_avals]
    lhs = results[0] if len(results) == 1 else f"{results[0]}:{len(results)}"
    outs = ", ".join(tensor_type(a) for a in out_avals)
    b.emit(f"{lhs} = stablehlo.custom_call @{target}({', '.join(operands)}) "
           f"{{api_version = 4 : i32, backend_config = {{{config}}}, "
           f"operand_layouts = [{operand_layouts}], result_layouts = [{result_layouts}]}} : "
           f"({', '.join(tensor_type(a) for a in in_avals)}) -> "
           f"{outs if len(results) == 1 else '(' + outs + ')'}")
    if len(results) == 1:
        return results
    return [f"{results[0]}#{i}" for i in range(len(results))]


def _nan_unless(ok, x):
    """``x`` where its matrix's LAPACK status was fine, NaN elsewhere (lax code)."""
    from . import lax
    aval = x.aval
    ok = lax.broadcast_in_dim(ok, aval.shape, tuple(range(ok.aval.ndim)))
    return lax.select(ok, x, lax.full_like(x, np.nan))


def _info_aval(aval):
    return ShapedArray(aval.shape[:-2], np.int32)


def _cholesky_lower(b, args, in_avals, out_aval):
    return b.op("stablehlo.cholesky", args, in_avals, out_aval, "lower = true")


def _triangular_solve_lower(b, args, in_avals, out_aval, *, left_side, lower, transpose_a,
                            conjugate_a, unit_diagonal):
    a, rhs = args
    a_aval = in_avals[0]
    conjugate_a = conjugate_a and a_aval.dtype.kind == "c"
    if conjugate_a and not transpose_a:   # StableHLO has no "conjugate only" mode
        from . import lax
        a, = lower_fun(b, lambda x: [lax.conj(x)], [a], [a_aval])
    from . import _xla
    if _xla.backend().platform == "cpu":
        # LAPACK's trsm, as JAX does on CPU: a zero on the diagonal gives
        # +-inf as in the eager evaluator, where StableHLO's blocked solver
        # spreads NaNs.
        trans = ("C" if conjugate_a else "T") if transpose_a else "N"
        return lapack_call(b, "trsm", a_aval.dtype, [a, rhs], in_avals, [out_aval],
                           side=ord("L" if left_side else "R"), uplo=ord("L" if lower else "U"),
                           trans_x=ord(trans), diag=ord("U" if unit_diagonal else "N"))[0]
    mode = "ADJOINT" if conjugate_a and transpose_a else "TRANSPOSE" if transpose_a else \
        "NO_TRANSPOSE"
    flag = lambda v: "true" if v else "false"
    return b.op("stablehlo.triangular_solve", [a, rhs], in_avals, out_aval,
                f"left_side = {flag(left_side)}, lower = {flag(lower)}, "
                f"unit_diagonal = {flag(unit_diagonal)}, "
                f"transpose_a = #stablehlo<transpose {mode}>")


def _eigh_lower(b, args, in_avals, out_avals, *, lower, sort_eigenvalues):
    aval, = in_avals
    name = "heevd" if aval.dtype.kind == "c" else "syevd"
    v, w, info = lapack_call(b, name, aval.dtype, args, in_avals,
                             list(out_avals) + [_info_aval(aval)],
                             mode=ord("V"), uplo=ord("L" if lower else "U"))
    from . import lax
    return lower_fun(b, lambda v, w, info: [_nan_unless(lax.eq(info, lax.full_like(info, 0)), v),
                                            _nan_unless(lax.eq(info, lax.full_like(info, 0)), w)],
                     [v, w, info], list(out_avals) + [_info_aval(aval)])


def _svd_lower(b, args, in_avals, out_avals, *, full_matrices, compute_uv):
    aval, = in_avals
    *batch, m, n = aval.shape
    if m == 0 or n == 0:
        raise NotImplementedError("svd of an empty matrix under jit; call it eagerly")
    s_shape, u_shape, vh_shape = la._svd_shapes(aval.shape, full_matrices or not compute_uv)
    call_avals = [aval, out_avals[0], ShapedArray(u_shape, aval.dtype),
                  ShapedArray(vh_shape, aval.dtype), _info_aval(aval)]
    mode = "N" if not compute_uv else "A" if full_matrices else "S"
    _, s, u, vh, info = lapack_call(b, "gesdd", aval.dtype, args, in_avals, call_avals,
                                    mode=ord(mode))
    from . import lax

    def finish(s, u, vh, info):
        ok = lax.eq(info, lax.full_like(info, 0))
        outs = [_nan_unless(ok, s)]
        return outs + ([_nan_unless(ok, u), _nan_unless(ok, vh)] if compute_uv else [])
    return lower_fun(b, finish, [s, u, vh, info], call_avals[1:])


def _qr_lower(b, args, in_avals, out_avals, *, full_matrices):
    """geqrf leaves R in the upper triangle and Householder reflectors below it;
    orgqr (ungqr for complex) multiplies the reflectors out into Q."""
    aval, = in_avals
    *batch, m, n = aval.shape
    k = min(m, n)
    batch = tuple(batch)
    taus_aval = ShapedArray(batch + (k,), aval.dtype)
    reflectors, taus = lapack_call(b, "geqrf", aval.dtype, args, in_avals, [aval, taus_aval])
    q_aval, r_aval = out_avals
    q_cols = q_aval.shape[-1]
    from . import lax

    def shape_for_q(x):   # Q has q_cols columns: pad or crop the reflectors
        if q_cols > n:
            return lax.pad(x, lax._convert_element_type(0, aval.dtype),
                           [(0, 0, 0)] * len(batch) + [(0, 0, 0), (0, q_cols - n, 0)])
        return lax.slice(x, (0,) * aval.ndim, batch + (m, q_cols))
    q_in_aval = ShapedArray(batch + (m, q_cols), aval.dtype)
    q_in, = lower_fun(b, lambda x: [shape_for_q(x)], [reflectors], [aval])
    name = "ungqr" if aval.dtype.kind == "c" else "orgqr"
    q, = lapack_call(b, name, aval.dtype, [q_in, taus], [q_in_aval, taus_aval], [q_aval])
    r, = lower_fun(b, lambda x: [la.triu(lax.slice(x, (0,) * aval.ndim, r_aval.shape))],
                   [reflectors], [aval])
    return [q, r]


def _lu_lower(b, args, in_avals, out_avals):
    aval, = in_avals
    lu_aval, pivots_aval, perm_aval = out_avals
    lu, pivots, info = lapack_call(b, "getrf", aval.dtype, args, in_avals,
                                   [lu_aval, pivots_aval, _info_aval(aval)])
    from . import lax

    def finish(lu, pivots, info):
        pivots = lax.sub(pivots, lax.full_like(pivots, 1))   # LAPACK counts from 1
        ok = lax.ge(info, lax.full_like(info, 0))   # info > 0: singular, but factored
        return [_nan_unless(ok, lu), pivots,
                la.lu_pivots_to_permutation(pivots, aval.shape[-2])]
    return lower_fun(b, finish, [lu, pivots, info], [lu_aval, pivots_aval, _info_aval(aval)])


lowering_rules[la.cholesky_p] = _cholesky_lower
lowering_rules[la.triangular_solve_p] = _triangular_solve_lower
lowering_rules[la.eigh_p] = _eigh_lower
lowering_rules[la.svd_p] = _svd_lower
lowering_rules[la.qr_p] = _qr_lower
lowering_rules[la.lu_p] = _lu_lower


# Bit manipulation
for _prim, _name in [(ew.shift_left_p, "shift_left"),
                     (ew.shift_right_logical_p, "shift_right_logical"),
                     (ew.shift_right_arithmetic_p, "shift_right_arithmetic")]:
    lowering_rules[_prim] = _elementwise_lower(_name)
lowering_rules[ew.bitcast_convert_type_p] = (
    lambda b, args, in_avals, out_aval, new_dtype:
    b.op("stablehlo.bitcast_convert", args, in_avals, out_aval))
