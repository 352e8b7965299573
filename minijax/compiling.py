"""``jit``: compiling with XLA (Chapter 9).

``jit(f)(x)`` does four things, and caches the work of the first three:

1. **trace** ``f`` to a jaxpr, once per *signature* of the arguments (their
   pytree structure, shapes, dtypes, weak types, and the values of static
   arguments);
2. **lower** the jaxpr to StableHLO text (``lowering.py``);
3. **compile** it with XLA through jaxlib (``_xla.py``);
4. **execute** the compiled program on device buffers.

Compiled results stay on the device: the ``Array`` returned holds a device
buffer, and reads it into numpy only when something looks at it.

``jit`` is also a *primitive*, ``jit_p``, whose parameter is the traced
jaxpr. That is what lets it compose: under ``grad`` or ``vmap`` the call
``jit(f)(x)`` binds ``jit_p``, and the rules below transform the jaxpr (with
the toolkit in ``higher_order.py``) and bind ``jit_p`` again with the new
jaxpr. So ``grad(jit(f))`` compiles the derivative, ``jit(grad(f))`` compiles
a program that happens to contain a derivative, and ``vmap(jit(f))`` compiles
the batched program.
"""
import collections
import functools
import inspect
import weakref

import numpy as np

from . import _xla, core, tree_util
from .api_util import check_callable, dynamic_leaf_names, function_name
from .config import config
from .core import Primitive, Tracer, get_aval, set_current_trace
from .eager import Array, EvalTrace, to_numpy_operand, wrap_output
from .higher_order import (batch_jaxpr, jvp_jaxpr, partial_eval_jaxpr, transpose_jaxpr,
                           with_zeros)
from .jaxpr import (ClosedJaxpr, Jaxpr, JaxprEqn, Var, close_jaxpr, eval_jaxpr,
                    pp_alias_primitives, pp_params_rules, trace_to_jaxpr)
from .forward_mode import Zero, instantiate, jvp_rules
from .lowering import lower_module, lower_sub_jaxpr, lower_to_stablehlo, lowering_rules
from .partial_eval import partial_eval_rules
from .transpose import is_undefined, transpose_rules
from .util import merge_lists, partition_list, split_list
from .batching import batching_rules, moveaxis, not_mapped

# ---------------------------------------------------------------------------
# Compiling and running a closed jaxpr

_compiled_cache = weakref.WeakKeyDictionary()   # closed jaxpr -> executable


def compile_jaxpr(closed, name="main"):
    """Lower and compile ``closed``; cached for as long as the jaxpr lives."""
    entry = _compiled_cache.get(closed)
    if entry is None:
        text, host_callbacks = lower_module(closed, name)
        out_avals = [(a.shape, a.dtype) for a in closed.out_avals]
        entry = _compiled_cache[closed] = _xla.backend().compile(text, out_avals,
                                                                 host_callbacks)
    return entry


def device_buffer(x):
    """The device buffer for an argument, transferring (once) if needed."""
    if type(x) is Array:
        if x._buf is None:
            x._buf = _xla.backend().put(x._value)   # cached: the next call is free
        return x._buf
    if isinstance(x, Tracer):
        raise core.UnexpectedTracerError(core.escaped_tracer_message(x))
    value, _ = to_numpy_operand(x)
    return _xla.backend().put(value)


def run_compiled(executable, args, out_avals):
    """Execute on the arguments; wrap the resulting buffers as Arrays."""
    outs = executable.execute([device_buffer(x) for x in args])
    return [Array._from_buffer(buf, aval) for buf, aval in zip(outs, out_avals)]


# ---------------------------------------------------------------------------
# Compiling one primitive: how eager loops run
#
# JAX runs ``while``, ``scan`` (and so ``fori_loop``) compiled even when they
# are called eagerly, so an eager loop's result has XLA's last bits, the same
# as under ``jit``. minijax does the same: the eager implementation of a loop
# primitive compiles a one-equation program applying it (``apply_compiled``)
# and keeps the numpy interpreter for loops that cannot be lowered.

_primitive_cache = collections.OrderedDict()   # (primitive, avals, params) -> executable
_text_cache = collections.OrderedDict()        # StableHLO text -> executable
_CACHE_SIZE = 256


def _remember(cache, key, value):
    cache[key] = value
    while len(cache) > _CACHE_SIZE:   # least recently used first
        cache.popitem(last=False)


def primitive_executable(primitive, avals, params):
    """The compiled program ``primitive.bind(*args, **params)`` for arguments
    of types ``avals``, or None when something in it has no lowering.

    Cached twice: by the equation itself (the jaxprs in ``params`` by
    identity), and by its StableHLO text, because calling ``lax.fori_loop``
    again traces its body again into a new but identical jaxpr, and the text
    is far cheaper to write than XLA's compilation."""
    key = (primitive, tuple(avals), tuple(params.items()), config.x64_enabled)
    if key in _primitive_cache:
        _primitive_cache.move_to_end(key)
        return _primitive_cache[key]
    out_avals = primitive.abstract_eval_cached(avals, params)
    if not primitive.multiple_results:
        out_avals = [out_avals]
    invars, outvars = [Var(a) for a in avals], [Var(a) for a in out_avals]
    closed = ClosedJaxpr(Jaxpr([], invars, outvars,
                               [JaxprEqn(primitive, invars, params, outvars)]), [])
    shapes = [(a.shape, a.dtype) for a in out_avals]
    try:
        text, host_callbacks = lower_module(closed, primitive.name)
    except NotImplementedError:   # e.g. a primitive without a lowering rule in the body
        executable = None
    else:
        # A body that calls back into Python (debug.print) has the same text
        # whatever function it calls, so it is never shared through the text.
        executable = None if host_callbacks else _text_cache.get(text)
        if executable is None:
            executable = _xla.backend().compile(text, shapes, host_callbacks)
            if not host_callbacks:
                _remember(_text_cache, text, executable)
    _remember(_primitive_cache, key, executable)
    return executable


def apply_compiled(primitive, args, params, interpret):
    """Evaluate ``primitive`` on concrete ``args`` as JAX does eagerly:
    compiled by XLA. ``interpret(*numpy_values, **params)`` is the numpy
    meaning of the primitive, used when the program cannot be lowered and
    when ``config.update("jax_disable_jit", True)`` asks for no compilation.
    Returns Arrays."""
    avals = [get_aval(x) for x in args]
    out_avals = primitive.abstract_eval_cached(avals, params)
    executable = (None if config.read("jax_disable_jit") else
                  primitive_executable(primitive, avals, params))
    if executable is None:
        outs = interpret(*[to_numpy_operand(x)[0] for x in args], **params)
        return [wrap_output(o, a) for o, a in zip(outs, out_avals)]
    return run_compiled(executable, args, out_avals)


# ---------------------------------------------------------------------------
# The primitive

jit_p = Primitive("jit", multiple_results=True)
jit_p.takes_arrays = True   # eager impl gets Arrays, so device buffers are not copied back


@jit_p.def_impl
def _jit_impl(*args, jaxpr, name):
    if config.jit_disabled:
        return eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)
    outs = run_compiled(compile_jaxpr(jaxpr, name), args, jaxpr.out_avals)
    if config.debug_nans and _has_nan(outs):
        _locate_nan(name, lambda: eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args))
    return outs


# ---------------------------------------------------------------------------
# jax_debug_nans under jit: XLA cannot say which operation made a nan, so, as
# JAX does, check the outputs and, if one has a nan, run the function again
# without jit, where every primitive's output is checked.


def _has_nan(outs):
    return any(x.dtype.kind in "fc" and np.isnan(x._value).any() for x in outs)


def _locate_nan(name, run_eagerly):
    """Re-run eagerly to find the primitive that made the nan; it raises."""
    print("Invalid nan value encountered in the output of a jax.jit function. "
          "Calling the de-optimized version.")
    with config.setting("jax_disable_jit", True):
        run_eagerly()
    raise FloatingPointError(
        f"invalid value (nan) encountered in the output of jit({name}), but the de-optimized "
        f"function (run without jit) produced no nan. XLA's optimizations (fusion, "
        f"reassociation) can produce a nan where op-by-op evaluation does not; so can nan "
        f"or inf literals among the inputs or outputs.")


@jit_p.def_abstract_eval
def _jit_abstract_eval(*avals, jaxpr, name):
    expected = jaxpr.in_avals
    if [(a.shape, a.dtype) for a in avals] != [(a.shape, a.dtype) for a in expected]:
        raise TypeError(f"jit of {name}: argument types {[a.str_short() for a in avals]} do "
                        f"not match the traced types {[a.str_short() for a in expected]}")
    return jaxpr.out_avals


def _jit_jvp(primals, tangents, jaxpr, name):
    nonzeros = tuple(type(t) is not Zero for t in tangents)
    jvp_closed, out_nonzeros = jvp_jaxpr(jaxpr, nonzeros, (False,) * len(jaxpr.out_avals))
    _, nonzero_tangents = partition_list(nonzeros, tangents)
    outs = jit_p.bind(*primals, *nonzero_tangents, jaxpr=jvp_closed, name=name)
    primals_out, nonzero_out = split_list(outs, [len(jaxpr.out_avals)])
    return primals_out, with_zeros(out_nonzeros, jaxpr.out_avals, nonzero_out)


def _jit_batch(axis_size, vals, dims, jaxpr, name):
    in_batched = tuple(d is not not_mapped for d in dims)
    vals = [v if d is not_mapped else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    batched, out_batched = batch_jaxpr(jaxpr, axis_size, in_batched,
                                       (False,) * len(jaxpr.out_avals))
    outs = jit_p.bind(*vals, jaxpr=batched, name=name)
    return outs, [0 if b else not_mapped for b in out_batched]


def _jit_partial_eval(trace, args, *, jaxpr, name):
    """Under linearize: run the known part of the jaxpr now (compiled), stage
    the unknown part (a jit of its own) into the linear program."""
    unknowns = tuple(trace.is_unknown(x) for x in args)
    known, unknown, out_unknowns, num_res = partial_eval_jaxpr(jaxpr, unknowns)
    known_args, unknown_args = partition_list(unknowns, args)
    with set_current_trace(trace.parent):
        known_outs = jit_p.bind(*known_args, jaxpr=known, name=name)
    known_outs, residuals = split_list(known_outs, [len(known_outs) - num_res])
    staged = trace.stage_primitive(jit_p, residuals + unknown_args,
                                   {"jaxpr": unknown, "name": name})
    return merge_lists(out_unknowns, known_outs, staged)


def _jit_transpose(cts, *args, jaxpr, name):
    linear = tuple(is_undefined(x) for x in args)
    transposed = transpose_jaxpr(jaxpr, linear)
    cts = [instantiate(ct) for ct in cts]
    nonlinear_args, linear_args = partition_list(linear, args)
    outs = jit_p.bind(*nonlinear_args, *cts, jaxpr=transposed, name=name)
    return merge_lists(linear, [None] * len(nonlinear_args), outs)


def _jit_lower(b, args, in_avals, out_avals, jaxpr, name):
    return lower_sub_jaxpr(b, jaxpr, args)


def _jit_pp_params(params):
    """``name`` first, as JAX prints it, so the equation is easy to scan."""
    return [("name", params["name"])] + sorted(
        (k, v) for k, v in params.items() if k != "name")


jvp_rules[jit_p] = _jit_jvp
batching_rules[jit_p] = _jit_batch
partial_eval_rules[jit_p] = _jit_partial_eval
transpose_rules[jit_p] = _jit_transpose
lowering_rules[jit_p] = _jit_lower
pp_params_rules[jit_p] = _jit_pp_params
pp_alias_primitives.add(jit_p)   # the body's inputs and outputs print with the call's names

# ---------------------------------------------------------------------------
# The user-facing wrapper


class _CacheEntry:
    """What one signature traced to."""
    __slots__ = ("jaxpr", "tracer_consts", "in_tree", "out_tree", "out_avals", "executable")

    def __init__(self, jaxpr, tracer_consts, in_tree, out_tree):
        self.jaxpr, self.tracer_consts = jaxpr, tracer_consts
        self.in_tree, self.out_tree = in_tree, out_tree
        self.out_avals = jaxpr.out_avals   # read on every call: computed once
        self.executable = None

    def result(self, outs):
        """The function's result (a pytree) from its flat outputs."""
        if self.out_tree.node_type is None:   # one array: no tree to rebuild
            return outs[0]
        return tree_util.tree_unflatten(self.out_tree, outs)


class JitFunction:
    """``jit(f)``: call it like ``f``; ``.lower(*args)`` shows the StableHLO."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), cache_size=256):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.name = function_name(fun)
        self.static_argnums = _as_tuple(static_argnums)
        self.static_argnames = _as_tuple(static_argnames)
        self._signature = _signature_or_none(fun)
        if self._signature is not None:
            _check_static_args(self._signature, self.static_argnums, self.static_argnames)
        self._cache = collections.OrderedDict()   # LRU: signature -> _CacheEntry
        self._cache_size = cache_size
        self.cache_misses = 0

    # -- arguments -----------------------------------------------------------

    def _split_static(self, args, kwargs):
        """(dynamic args, dynamic kwargs, hashable key of the static values)."""
        n = len(args)
        static_nums = {i % n for i in self.static_argnums if -n <= i < n}
        static_names = set(self.static_argnames)
        if self._signature is not None:   # static args may be passed by position or name
            params = list(self._signature.parameters)
            static_names |= {params[i] for i in static_nums if i < len(params)}
            static_nums |= {i for i, p in enumerate(params[:n]) if p in static_names}
        static = tuple((i, args[i]) for i in sorted(static_nums)) + tuple(
            sorted((k, v) for k, v in kwargs.items() if k in static_names))
        try:
            hash(static)
        except TypeError as err:
            bad = next(v for _, v in static if not _hashable(v))
            raise ValueError(f"Non-hashable static arguments are not supported. An error "
                             f"occurred while trying to hash an object of type {type(bad)}, "
                             f"{bad!r}. The error was:\n{err}\nPass a tuple instead of a list, "
                             "or make the argument dynamic.") from None
        dyn_args = tuple(a for i, a in enumerate(args) if i not in static_nums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in static_names}
        return dyn_args, dyn_kwargs, static, static_nums

    # -- tracing ------------------------------------------------------------------

    def _entry(self, args, kwargs):
        dyn_args, dyn_kwargs, static, static_nums = self._split_static(args, kwargs)
        leaves, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
        avals = tuple(_arg_aval(x, i, self) for i, x in enumerate(leaves))
        key = (in_tree, avals, static, config.x64_enabled)
        entry = self._cache.get(key)
        if entry is not None:
            self._touch(key)
            return entry, leaves
        entry = self._trace(args, kwargs, static_nums, in_tree, avals)
        self._remember(key, entry)
        return entry, leaves

    def _touch(self, key):
        """Mark ``key`` most recently used."""
        try:
            self._cache.move_to_end(key)
        except KeyError:   # another thread evicted it meanwhile; the entry is still good
            pass

    def _remember(self, key, entry):
        """Cache ``entry``, evicting the least recently used beyond the cache size."""
        if entry.tracer_consts:   # closures over outer tracers are not reusable
            return
        self._cache[key] = entry
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _trace(self, args, kwargs, static_nums, in_tree, avals):
        self.cache_misses += 1
        out_tree = None
        static_names = set(self.static_argnames)

        def flat_fun(*xs):
            nonlocal out_tree
            dyn_args, dyn_kwargs = tree_util.tree_unflatten(in_tree, xs)
            it = iter(dyn_args)
            full = [a if i in static_nums else next(it) for i, a in enumerate(args)]
            kw = {**{k: v for k, v in kwargs.items() if k in static_names}, **dyn_kwargs}
            leaves, out_tree = tree_util.tree_flatten(self.fun(*full, **kw))
            return leaves

        names = dynamic_leaf_names(self.fun, args, {k: v for k, v in kwargs.items()
                                                    if k not in static_names}, static_nums)
        jaxpr, consts = trace_to_jaxpr(flat_fun, avals, self.name, names, "jit")
        closed, tracer_consts = close_jaxpr(jaxpr, consts)
        return _CacheEntry(closed, tracer_consts, in_tree, out_tree)

    def _fast_entry(self, args):
        """The cache entry for arguments that are all arrays (no pytrees, no
        statics): the common case, checked without flattening anything."""
        if self.static_argnums or self.static_argnames:
            return None
        avals = []
        for x in args:
            if type(x) is Array or isinstance(x, Tracer):
                avals.append(x.aval)
            else:
                return None
        key = (len(args), tuple(avals), config.x64_enabled)
        entry = self._cache.get(key)
        if entry is None:
            entry, _ = self._entry(args, {})
            self._remember(key, entry)
        else:
            self._touch(key)
        return entry

    # -- calling ----------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if config.jit_disabled:   # disable_jit(): plain Python, op by op
            return self.fun(*args, **kwargs)
        entry = self._fast_entry(args) if not kwargs else None
        if entry is not None:
            leaves = args
        else:
            entry, leaves = self._entry(args, kwargs)
        if type(core.current_trace()) is EvalTrace and not entry.tracer_consts:
            # The common case: concrete arguments, nothing to transform.
            if entry.executable is None:
                entry.executable = compile_jaxpr(entry.jaxpr, self.name)
            outs = run_compiled(entry.executable, leaves, entry.out_avals)
            if config.debug_nans and _has_nan(outs):
                _locate_nan(self.name, lambda: self.fun(*args, **kwargs))
        else:
            outs = jit_p.bind(*entry.tracer_consts, *leaves, jaxpr=entry.jaxpr, name=self.name)
        return entry.result(outs)

    def lower(self, *args, **kwargs):
        """Trace and lower for these arguments: ``.as_text()`` is the StableHLO."""
        entry, _ = self._entry(args, kwargs)
        return Lowered(entry, self.name)

    def trace(self, *args, **kwargs):
        entry, _ = self._entry(args, kwargs)
        return Traced(entry)

    def clear_cache(self):
        self._cache.clear()

    def __get__(self, obj, objtype=None):   # jit-decorated methods bind like functions
        return self if obj is None else functools.partial(self, obj)

    def __repr__(self):
        return f"<jit-compiled function {self.name}>"


class Traced:
    """``jit(f).trace(*args)``: the jaxpr that ``f`` traced to."""

    def __init__(self, entry):
        self.jaxpr = entry.jaxpr


class Lowered:
    """``jit(f).lower(*args)``: the StableHLO module handed to XLA."""

    def __init__(self, entry, name):
        self._entry, self._name = entry, name
        self._text = lower_to_stablehlo(entry.jaxpr, name)

    def as_text(self):
        return self._text

    def compile(self):
        executable = compile_jaxpr(self._entry.jaxpr, self._name)
        return Compiled(executable, self._entry)


class Compiled:
    """A compiled program, callable on arguments of the traced signature
    (the dynamic ones: static arguments were fixed when it was lowered)."""

    def __init__(self, executable, entry):
        self._executable, self._entry = executable, entry

    def __call__(self, *args, **kwargs):
        leaves, in_tree = tree_util.tree_flatten((args, kwargs))
        expected = self._entry.jaxpr.in_avals
        got = [get_aval(x) for x in leaves]
        # The executable would misread arguments of another structure or type.
        if in_tree != self._entry.in_tree or [(a.shape, a.dtype) for a in got] != [
                (a.shape, a.dtype) for a in expected]:
            raise TypeError(
                f"Function compiled for arguments {self._entry.in_tree} with types "
                f"{[a.str_short() for a in expected]} was called with {in_tree} with types "
                f"{[a.str_short() for a in got]}. Pass the dynamic (non-static) arguments "
                "only, with the shapes and dtypes it was lowered for.")
        outs = run_compiled(self._executable, leaves, self._entry.jaxpr.out_avals)
        return tree_util.tree_unflatten(self._entry.out_tree, outs)


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=(),
        keep_unused=False, device=None, backend=None, inline=False):
    """Compile ``fun`` with XLA. Usable as ``jit(f)``, ``@jit`` or
    ``@partial(jit, static_argnums=...)``."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames)
    check_callable(fun)
    return JitFunction(fun, static_argnums, static_argnames)


# ---------------------------------------------------------------------------
# Helpers


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (int, str)):
        return (x,)
    return tuple(x)


def _signature_or_none(fun):
    try:
        return inspect.signature(fun)
    except (TypeError, ValueError):
        return None


def _check_static_args(signature, static_argnums, static_argnames):
    """JAX's ValueError, at ``jit`` time, for static arguments ``fun`` cannot take
    (a typo in a name would otherwise be silently ignored)."""
    kinds = [p.kind for p in signature.parameters.values()]
    if inspect.Parameter.VAR_POSITIONAL not in kinds:
        n = sum(k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                for k in kinds)
        if any(not -n <= i < n for i in static_argnums):
            raise ValueError(f"Jitted function has static_argnums={static_argnums}, but only "
                             f"accepts {n} positional arguments.")
    if inspect.Parameter.VAR_KEYWORD not in kinds:
        names = {name for name, p in signature.parameters.items()
                 if p.kind is not inspect.Parameter.POSITIONAL_ONLY}
        invalid = set(static_argnames) - names
        if invalid:
            raise ValueError(f"Jitted function has invalid argnames {invalid} in "
                             f"static_argnames. Function does not take these args.")


def _hashable(v):
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _arg_aval(x, i, jf):
    try:
        return get_aval(x)
    except TypeError:
        raise TypeError(f"Argument {x!r} of type {type(x)} is not a valid JAX type (argument "
                        f"{i} of jit-compiled {jf.name}); mark it static with static_argnums "
                        "or static_argnames if it is a configuration value.") from None


def devices():
    """The devices jit compiles for (one: a GPU if present, else the CPU)."""
    return [_xla.backend().device]


def default_backend():
    """'cpu' or 'cuda'/'gpu': the platform jit uses."""
    return _xla.backend().platform


def device_put(x):
    """Copy the leaves of ``x`` to the device now (returns Arrays holding buffers)."""
    def put(leaf):
        value, aval = to_numpy_operand(leaf)
        return Array._from_buffer(_xla.backend().put(value), aval)
    return tree_util.tree_map(put, x)


def device_get(x):
    """Copy the arrays in the pytree ``x`` to the host: each becomes a numpy
    array; other leaves (Python scalars, strings, ...) are returned as they are."""
    def get(leaf):
        if type(leaf) is Array or isinstance(leaf, Tracer):
            return np.array(leaf)   # a copy: Arrays are immutable, numpy arrays are not
        return leaf
    return tree_util.tree_map(get, x)


def block_until_ready(x):
    """Wait for every array in the pytree ``x``; return ``x``."""
    for leaf in tree_util.tree_leaves(x):
        if hasattr(leaf, "block_until_ready"):
            leaf.block_until_ready()
    return x

