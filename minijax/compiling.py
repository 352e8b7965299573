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

from . import _xla, core, tree_util
from .api_util import dynamic_leaf_names, function_name
from .config import config
from .core import Primitive, Tracer, get_aval, set_current_trace
from .eager import Array, EvalTrace, to_numpy_operand
from .higher_order import (batch_jaxpr, jvp_jaxpr, partial_eval_jaxpr, transpose_jaxpr,
                           with_zeros)
from .jaxpr import close_jaxpr, trace_to_jaxpr
from .forward_mode import Zero, instantiate, jvp_rules
from .lowering import lower_sub_jaxpr, lower_to_stablehlo, lowering_rules
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
        text = lower_to_stablehlo(closed, name)
        out_avals = [(a.shape, a.dtype) for a in closed.out_avals]
        entry = _compiled_cache[closed] = _xla.backend().compile(text, out_avals)
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
# The primitive

jit_p = Primitive("jit", multiple_results=True)
jit_p.takes_arrays = True   # eager impl gets Arrays, so device buffers are not copied back


@jit_p.def_impl
def _jit_impl(*args, jaxpr, name):
    return run_compiled(compile_jaxpr(jaxpr, name), args, jaxpr.out_avals)


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


jvp_rules[jit_p] = _jit_jvp
batching_rules[jit_p] = _jit_batch
partial_eval_rules[jit_p] = _jit_partial_eval
transpose_rules[jit_p] = _jit_transpose
lowering_rules[jit_p] = _jit_lower

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
            self._cache.move_to_end(key)
            return entry, leaves
        entry = self._trace(args, kwargs, static_nums, in_tree, avals)
        self._remember(key, entry)
        return entry, leaves

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
            self._cache.move_to_end(key)
        return entry

    # -- calling ----------------------------------------------------------------

    def __call__(self, *args, **kwargs):
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
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r}")
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


def block_until_ready(x):
    """Wait for every array in the pytree ``x``; return ``x``."""
    for leaf in tree_util.tree_leaves(x):
        if hasattr(leaf, "block_until_ready"):
            leaf.block_until_ready()
    return x

