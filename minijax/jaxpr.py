"""Jaxprs: staging a Python function into a typed, printable program (Chapter 7).

A *jaxpr* is minijax's intermediate representation: a list of equations, each
applying one primitive to variables and literals, with typed inputs and
outputs. It is what you get when you run a function with the **staging
interpreter** (``JaxprTrace``): instead of computing anything, every ``bind``
appends an equation and returns a tracer standing for the new variable.

Everything after Chapter 7 works on jaxprs: reverse mode transposes them, and
``jit`` lowers them to XLA. This module holds the data structures, the staging
interpreter, ``make_jaxpr``, an evaluator, a type checker, and a printer that
writes JAX's textual format::

    { lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }
"""
import contextlib
import itertools

import numpy as np

from . import core, source_info, tree_util
from .util import reject_unsupported
from .api_util import dynamic_leaf_names, function_name
from .core import Tracer, get_aval, set_current_trace
from .config import config
from .eager import Array, eval_trace

# ---------------------------------------------------------------------------
# The IR


class Var:
    """A variable of a jaxpr, with its type. Names are given when printing."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Var({self.aval.str_short()})"


class Literal:
    """A scalar constant written directly into an equation (``2.0:f32[]``)."""
    __slots__ = ("val", "aval")

    def __init__(self, val, aval):
        self.val, self.aval = val, aval

    def __repr__(self):
        return f"Literal({self.val})"


class JaxprEqn:
    """``outvars = primitive[params] invars`` (the invars may include literals).
    ``source_info`` says where in the user's code it came from, when recorded."""
    __slots__ = ("primitive", "invars", "params", "outvars", "source_info")

    def __init__(self, primitive, invars, params, outvars, source_info=None):
        self.primitive, self.invars, self.params, self.outvars = (
            primitive, invars, params, outvars)
        self.source_info = source_info

    def __repr__(self):
        return f"JaxprEqn({self.primitive.name})"


class Jaxpr:
    """``{ lambda constvars ; invars . let eqns in (outvars) }``."""
    __slots__ = ("constvars", "invars", "outvars", "eqns")

    def __init__(self, constvars, invars, outvars, eqns):
        self.constvars, self.invars, self.outvars, self.eqns = (
            list(constvars), list(invars), list(outvars), list(eqns))

    in_avals = property(lambda self: [v.aval for v in self.invars])
    out_avals = property(lambda self: [v.aval for v in self.outvars])

    def __str__(self):
        return pp_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr together with the values of its constant variables."""
    __slots__ = ("jaxpr", "consts", "__weakref__")

    def __init__(self, jaxpr, consts):
        self.jaxpr, self.consts = jaxpr, list(consts)

    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    eqns = property(lambda self: self.jaxpr.eqns)

    def __str__(self):
        return pp_jaxpr(self.jaxpr)

    __repr__ = __str__

    def __call__(self, *args):
        return eval_jaxpr(self.jaxpr, self.consts, *args)


# ---------------------------------------------------------------------------
# The staging interpreter


class JaxprTracer(Tracer):
    """Stands for one variable of the jaxpr being built."""
    __slots__ = ("_var",)

    def __init__(self, trace, var):
        self._trace, self._var = trace, var

    @property
    def aval(self):
        return self._var.aval

    def __repr__(self):
        return f"JaxprTracer({self._var.aval.str_short()})"


def is_literalable(x):
    """Scalars are written inline; arrays become constant variables."""
    if type(x) in (bool, int, float, complex):
        return True
    if isinstance(x, (np.ndarray, np.generic)):
        return np.shape(x) == ()
    return type(x) is Array and x.shape == ()


staging_rules = {}   # primitive -> rule(trace, args, **params): staged its own way (custom calls)
pp_params_rules = {}   # primitive -> params -> [(key, value)]: the order a jaxpr prints them


class JaxprTrace(core.Trace):
    """Records every primitive as an equation instead of computing it."""

    records_everything = True   # False in PartialEvalTrace, which computes known values

    def __init__(self, parent=None, debug_name=None, arg_names=(), purpose="make_jaxpr"):
        super().__init__(parent)
        self.eqns = []
        self.invars = []
        self.const_vars = {}       # id(value) -> Var
        self.const_vals = []       # (Var, value), in order of first use
        self.producer = {}         # Var -> the equation that defines it
        self.debug_name, self.arg_names, self.purpose = debug_name, list(arg_names), purpose

    # -- inputs and constants ---------------------------------------------------

    def new_arg(self, aval):
        var = Var(aval)
        self.invars.append(var)
        return JaxprTracer(self, var)

    def atom(self, x):
        """The Var or Literal that ``x`` is in this jaxpr."""
        if isinstance(x, JaxprTracer) and x._trace is self:
            return x._var
        if isinstance(x, Tracer):
            self.check_foreign(x)
        elif is_literalable(x):
            aval = get_aval(x)
            return Literal(_literal_value(x, aval), aval)
        return self.const_var(x)

    def const_var(self, x):
        """A constant variable for ``x`` (an array or an outer tracer), reused
        if the same object is used twice."""
        var = self.const_vars.get(id(x))
        if var is None:
            var = self.const_vars[id(x)] = Var(get_aval(x))
            self.const_vals.append((var, x))
        return var

    # -- equations ----------------------------------------------------------

    def process_primitive(self, primitive, args, params):
        if config.eager_constant_folding and not any(isinstance(x, Tracer) for x in args):
            # ensure_compile_time_eval(): constants are computed now, not staged.
            return core.bind_with_trace(eval_trace, primitive, args, params)
        rule = staging_rules.get(primitive)
        if rule is not None:   # a primitive whose params hold Python functions to trace
            return rule(self, args, **params)
        invars = [self.atom(x) for x in args]
        out_avals = primitive.abstract_eval_cached([a.aval for a in invars], params)
        return self.add_eqn(primitive, invars, params, out_avals)

    # Partial-evaluation rules stage the unknown part of a higher-order primitive
    # by this name: it records an equation even in a subclass (PartialEvalTrace)
    # whose own process_primitive would compute known inputs instead.
    stage_primitive = process_primitive

    def add_eqn(self, primitive, invars, params, out_avals):
        """Append an equation; return tracers for its outputs."""
        many = primitive.multiple_results
        outvars = [Var(a) for a in (out_avals if many else [out_avals])]
        eqn = JaxprEqn(primitive, invars, params, outvars, source_info.current())
        self.eqns.append(eqn)
        for v in outvars:
            self.producer[v] = eqn
        tracers = [JaxprTracer(self, v) for v in outvars]
        return tracers if many else tracers[0]

    # -- the result -----------------------------------------------------------

    def to_jaxpr(self, outs):
        """The jaxpr computing ``outs`` from the arguments, and its constants."""
        outvars = [self.atom(x) for x in outs]
        constvars = [v for v, _ in self.const_vals]
        consts = [c for _, c in self.const_vals]
        return Jaxpr(constvars, self.invars, outvars, self.eqns), consts

    # -- error messages -----------------------------------------------------------

    def describe(self):
        name = self.debug_name or "a function"
        return f"while tracing the function {name} for {self.purpose}"

    def origin_message(self, tracer):
        """Which arguments a traced value depends on (for concretization errors)."""
        arg_of = {v: n for v, n in zip(self.invars, self.arg_names)}
        seen, todo, found = set(), [tracer._var], []
        while todo:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            if v in arg_of:
                found.append(arg_of[v])
            elif v in self.producer:
                todo.extend(a for a in self.producer[v].invars if isinstance(a, Var))
        if not found:
            return ""
        args = ", ".join(sorted(set(found)))
        plural = "s" if len(set(found)) > 1 else ""
        return (f"This concrete value was not available in Python because it depends on the "
                f"value of the argument{plural} {args}.")


def _literal_value(x, aval):
    """A literal's value as an Array of type ``aval`` (weak type included, so
    evaluating the jaxpr gives what running the function gave)."""
    if type(x) is Array:
        return x
    value = np.asarray(x)
    return Array(value.astype(aval.dtype) if value.dtype != aval.dtype else value, aval)


def is_staging():
    """True when what is computed now is being recorded into a jaxpr to run
    later (``make_jaxpr``, ``jit``, a loop body), not computed. Partial
    evaluation does not count: it computes its known values right away."""
    trace = core.current_trace()
    while trace is not None:
        if isinstance(trace, JaxprTrace) and trace.records_everything:
            return True
        trace = trace.parent
    return False


def trace_to_jaxpr(fun, in_avals, debug_name=None, arg_names=(), purpose="make_jaxpr"):
    """Stage ``fun`` (flat list of args -> flat list of outputs) into a jaxpr.

    Returns ``(jaxpr, consts)``. Constants closed over by ``fun`` (arrays, and
    tracers of outer transformations) become the jaxpr's constvars.
    """
    trace = JaxprTrace(debug_name=debug_name, arg_names=arg_names, purpose=purpose)
    with set_current_trace(trace, retire=True):
        args = [trace.new_arg(a) for a in in_avals]
        outs = fun(*args)
        return trace.to_jaxpr(outs)


def close_jaxpr(jaxpr, consts):
    """Split constants: concrete ones stay in a ClosedJaxpr; tracers of outer
    transformations must be passed in, so they become leading invars.

    Returns ``(closed_jaxpr, tracer_consts)``.
    """
    keep_vars, keep_vals, hoist_vars, hoist_vals = [], [], [], []
    for v, c in zip(jaxpr.constvars, consts):
        if isinstance(c, Tracer):
            hoist_vars.append(v)
            hoist_vals.append(c)
        else:
            keep_vars.append(v)
            keep_vals.append(c)
    new = Jaxpr(keep_vars, hoist_vars + jaxpr.invars, jaxpr.outvars, jaxpr.eqns)
    return ClosedJaxpr(new, keep_vals), hoist_vals


def make_jaxpr(fun, static_argnums=(), axis_env=None, return_shape=False):
    """``make_jaxpr(f)(*args)`` returns the ``ClosedJaxpr`` that ``f`` stages into.
    (``axis_env`` names axes for collectives, which minijax does not have.)"""
    reject_unsupported("make_jaxpr", axis_env=(axis_env, None))
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    def make(*args, **kwargs):
        static_set = {i % len(args) for i in static}
        dyn_args = [a for i, a in enumerate(args) if i not in static_set]
        flat, in_tree = tree_util.tree_flatten((dyn_args, kwargs))
        out_tree = None

        def flat_fun(*xs):
            nonlocal out_tree
            dyn, kw = tree_util.tree_unflatten(in_tree, xs)
            it = iter(dyn)
            full = [a if i in static_set else next(it) for i, a in enumerate(args)]
            out_leaves, out_tree = tree_util.tree_flatten(fun(*full, **kw))
            return out_leaves

        names = dynamic_leaf_names(fun, args, kwargs, static_set)
        jaxpr, consts = trace_to_jaxpr(flat_fun, [get_aval(x) for x in flat],
                                       function_name(fun), names, "make_jaxpr")
        closed = ClosedJaxpr(jaxpr, consts)
        if return_shape:
            shapes = [core.ShapeDtypeStruct(a.shape, a.dtype, a.weak_type)
                      for a in jaxpr.out_avals]
            return closed, tree_util.tree_unflatten(out_tree, shapes)
        return closed

    make.__name__ = f"make_jaxpr({function_name(fun)})"
    return make


def eval_shape(fun, *args, **kwargs):
    """The shapes and dtypes of ``fun(*args, **kwargs)`` as a pytree of
    ``ShapeDtypeStruct``, found by tracing: no arithmetic on arrays is done.
    Arguments may be arrays, scalars, or ``ShapeDtypeStruct``s standing in
    for arrays."""
    return make_jaxpr(fun, return_shape=True)(*args, **kwargs)[1]


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Context manager: inside it, operations on concrete values are computed
    while tracing (constant folding), even under ``jit``, so their results can
    drive Python control flow. Operations on traced values are staged as usual."""
    old, config.eager_constant_folding = config.eager_constant_folding, True
    try:
        yield
    finally:
        config.eager_constant_folding = old


# ---------------------------------------------------------------------------
# Evaluating a jaxpr: bind each equation's primitive, in order


def eval_jaxpr(jaxpr, consts, *args):
    """Run ``jaxpr`` under the current interpreter; returns the list of outputs.

    Because it only calls ``bind``, evaluating a jaxpr under ``jvp``, ``vmap``
    or the staging interpreter transforms it: that is how the higher-order
    primitives (``jit``, ``cond``, ...) transform the jaxprs they carry.
    """
    env = {}

    def read(a):
        return a.val if type(a) is Literal else env[a]

    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x
    for eqn in jaxpr.eqns:
        if eqn.source_info is not None and source_info.state.recording:
            out = source_info.bind_at(eqn.source_info, eqn.primitive,
                                      list(map(read, eqn.invars)), eqn.params)
        else:
            out = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
        if eqn.primitive.multiple_results:
            env.update(zip(eqn.outvars, out))
        else:
            env[eqn.outvars[0]] = out
    return [read(v) for v in jaxpr.outvars]


def dependent_outputs(jaxpr, marked_inputs):
    """Which outputs of ``jaxpr`` depend on the inputs flagged in ``marked_inputs``."""
    marked = {v for v, flag in zip(jaxpr.invars, marked_inputs) if flag}
    for eqn in jaxpr.eqns:
        if any(type(a) is Var and a in marked for a in eqn.invars):
            marked.update(eqn.outvars)
    return [type(v) is Var and v in marked for v in jaxpr.outvars]


def dce_jaxpr(jaxpr, used_outputs):
    """Dead-code elimination: keep the outputs flagged in ``used_outputs`` and
    only the equations they need, plus those with side effects (``debug.print``)."""
    outvars = [v for v, used in zip(jaxpr.outvars, used_outputs) if used]
    live = {v for v in outvars if type(v) is Var}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if eqn.primitive.has_side_effects or any(v in live for v in eqn.outvars):
            kept.append(eqn)
            live.update(a for a in eqn.invars if type(a) is Var)
    return Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, kept[::-1])


def jaxpr_as_fun(closed):
    """A Python function (flat args -> flat outputs) running ``closed``."""
    return lambda *args: eval_jaxpr(closed.jaxpr, closed.consts, *args)


# ---------------------------------------------------------------------------
# Type checking


class JaxprTypeError(TypeError):
    """A jaxpr that does not type-check."""


def check_jaxpr(jaxpr):
    """Check that every variable is defined before use and every equation's
    output types agree with its primitive's abstract evaluation."""
    defined = set()

    def use(a, where):
        if type(a) is Var and a not in defined:
            raise JaxprTypeError(f"variable {a} is used in {where} before it is defined")

    for v in list(jaxpr.constvars) + list(jaxpr.invars):
        if v in defined:
            raise JaxprTypeError(f"variable {v} is bound twice")
        defined.add(v)
    for eqn in jaxpr.eqns:
        for a in eqn.invars:
            use(a, f"equation {eqn.primitive.name}")
        try:
            out = eqn.primitive.abstract_eval(*[a.aval for a in eqn.invars], **eqn.params)
        except TypeError as err:
            raise JaxprTypeError(f"equation {eqn.primitive.name} is ill-typed: {err}") from err
        out = out if eqn.primitive.multiple_results else [out]
        for v, aval in zip(eqn.outvars, out):
            if (v.aval.shape, v.aval.dtype) != (aval.shape, aval.dtype):
                raise JaxprTypeError(
                    f"equation {eqn.primitive.name} declares output type "
                    f"{v.aval.str_short()} but its rule gives {aval.str_short()}")
            if v in defined:
                raise JaxprTypeError(f"variable {v} is bound twice")
            defined.add(v)
        for sub in _sub_jaxprs(eqn.params):
            check_jaxpr(sub.jaxpr if isinstance(sub, ClosedJaxpr) else sub)
    for a in jaxpr.outvars:
        use(a, "the outputs")


def _sub_jaxprs(params):
    for value in params.values():
        for item in (value if isinstance(value, (tuple, list)) else (value,)):
            if isinstance(item, (Jaxpr, ClosedJaxpr)):
                yield item


# ---------------------------------------------------------------------------
# Printing in JAX's format

_WIDTH = 80


def _var_names():
    """a, b, ..., z, ba, bb, ...: JAX's naming scheme."""
    for n in itertools.count():
        digits, m = [], n
        while True:
            digits.append(chr(ord("a") + m % 26))
            m //= 26
            if m == 0:
                break
        yield "".join(reversed(digits))


class _Names:
    """Variable names for one printout. As in JAX, names run on across the
    nested jaxprs (an inner jaxpr's variables do not restart at ``a``)."""

    def __init__(self):
        self.names, self.fresh = {}, _var_names()

    def __call__(self, v):
        if v not in self.names:
            self.names[v] = next(self.fresh)
        return self.names[v]

    def alias(self, inner, outer):
        """Name ``inner`` variables like the ``outer`` ones they stand for
        (a ``jit`` body's inputs and outputs, as JAX prints them)."""
        if len(inner) != len(outer):
            return
        taken = set()
        for i, o in zip(inner, outer):
            if type(i) is Var and type(o) is Var and i not in self.names and o not in taken:
                taken.add(o)
                self.names[i] = self(o)


pp_alias_primitives = set()   # primitives whose jaxpr param prints with the eqn's names


def pp_jaxpr(jaxpr, indent=0, names=None, prefix=0):
    """The jaxpr in JAX's textual syntax (``prefix``: width of text before it
    on its first line, such as ``jaxpr=``). Only the outermost jaxpr writes
    ``_`` for results nobody reads, as JAX does."""
    if names is None:
        names = _Names()
        names.names.update((v, "_") for v in _unused_results(jaxpr))

    def binder(v):
        return f"{names(v)}:{v.aval.str_short()}"

    def atom(a):
        if type(a) is Literal:
            return f"{_fmt_literal(a.val)}:{a.aval.str_short()}"
        return names(a)

    consts = " ".join(binder(v) for v in jaxpr.constvars)
    ins = " ".join(binder(v) for v in jaxpr.invars)
    lines = []
    for eqn in jaxpr.eqns:
        lhs = " ".join(binder(v) for v in eqn.outvars)
        lhs = lhs + " = " if lhs else ""   # an equation without outputs: no "="
        if eqn.primitive in pp_alias_primitives:
            inner = eqn.params["jaxpr"]
            inner = getattr(inner, "jaxpr", inner)
            names.alias(inner.invars, eqn.invars)
            names.alias(inner.outvars, eqn.outvars)
        rhs_args = " ".join(atom(a) for a in eqn.invars)
        pp_rule = (pp_params_rules.get(eqn.primitive)
                   or _PP_RULES_BY_NAME.get(eqn.primitive.name))
        params = _pp_params(pp_rule(eqn.params) if pp_rule else sorted(eqn.params.items()),
                            indent + 4, names)
        lines.append((lhs, eqn.primitive.name, params, rhs_args))
    outs = "(" + ", ".join(atom(a) for a in jaxpr.outvars) + ("," if len(jaxpr.outvars) == 1
                                                               else "") + ")"
    head = f"{{ lambda {consts}; {ins}. let"
    one_line_eqns = [f"{lhs}{name}{p[0]} {args}".rstrip() for lhs, name, p, args in lines
                     if "\n" not in p[0]]
    if len(one_line_eqns) == len(lines):   # all on one line, if it fits (as JAX does)
        single = f"{head} {'; '.join(one_line_eqns)} in {outs} }}"
        if len(single) + indent + prefix <= _WIDTH:
            return single
    pad = " " * (indent + 4)
    body = []
    for lhs, name, (short, long), args in lines:
        text = f"{pad}{lhs}{name}{short} {args}".rstrip()
        if len(text) > _WIDTH or "\n" in short:
            text = f"{pad}{lhs}{name}{long} {args}".rstrip()
        body.append(text)
    return "\n".join([head] + body + [" " * (indent + 2) + f"in {outs} }}"])


def _unused_results(jaxpr):
    """Equation results that no later equation and no output reads."""
    used = {a for eqn in jaxpr.eqns for a in eqn.invars if type(a) is Var}
    used |= {a for a in jaxpr.outvars if type(a) is Var}
    return [v for eqn in jaxpr.eqns for v in eqn.outvars if v not in used]


def _broadcast_in_dim_pp(params):
    """JAX leaves out the shape (the result's type shows it) and trivial
    broadcast dimensions."""
    return sorted((k, v) for k, v in params.items()
                  if k != "shape" and not (k == "broadcast_dimensions" and not v))


def _dot_general_pp(params):
    """JAX prints dimension numbers as lists and leaves out ``None`` params."""
    (lc, rc), (lb, rb) = params["dimension_numbers"]
    shown = {k: v for k, v in params.items() if v is not None}
    shown["dimension_numbers"] = ((list(lc), list(rc)), (list(lb), list(rb)))
    return sorted(shown.items())


_PP_RULES_BY_NAME = {"broadcast_in_dim": _broadcast_in_dim_pp, "dot_general": _dot_general_pp}


def _fmt_literal(val):
    val = np.asarray(val)
    if val.dtype.kind == "b":
        return str(bool(val))
    if val.dtype.kind in "iu":
        return str(int(val))
    if val.dtype.kind == "c":
        return str(complex(val))
    text = str(val.dtype.type(val))   # shortest form for the dtype: 1.1, not 1.100000023841858
    if text.lstrip("-").isdigit():   # bfloat16 prints whole numbers as "1"; JAX as "1.0"
        text += ".0"
    return text


def _pp_params(params, indent, names):
    """(one-line form, multi-line form) of ``[k=v ...]`` for ``(key, value)`` pairs."""
    if not params:
        return "", ""
    items = [(k, _pp_value(v, indent + 2, names, len(k) + 1)) for k, v in params]
    short = "[" + " ".join(f"{k}={v}" for k, v in items) + "]"
    pad = " " * (indent + 2)
    long = "[\n" + "\n".join(f"{pad}{k}={v}" for k, v in items) + "\n" + " " * indent + "]"
    return short, long


def _pp_value(v, indent, names, prefix=0):
    if isinstance(v, (Jaxpr, ClosedJaxpr)):   # names run on, as in JAX
        return pp_jaxpr(getattr(v, "jaxpr", v), indent, names, prefix)
    if isinstance(v, (tuple, list)) and v and all(isinstance(x, (Jaxpr, ClosedJaxpr))
                                                  for x in v):
        pad = " " * (indent + 2)
        inner = "\n".join(pad + _pp_value(x, indent + 2, names) for x in v)
        return "(\n" + inner + "\n" + " " * indent + ")"
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, type) and hasattr(v, "dtype"):
        return np.dtype(v).name
    return str(v)
