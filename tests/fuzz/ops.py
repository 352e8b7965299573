"""The fuzzer's vocabulary: every kind of op a program may contain.

Each ``OpKind`` knows how to *propose* itself over the current pool of values
(pick operands of suitable shapes, draw static parameters, work out the result
shapes) and how to *render* itself as a Python expression over the names
``jnp``, ``lax`` and ``jax``. Inputs whose math has edges are kept inside the
domain by construction: ``log`` sees ``1 + x**2``, ``exp`` sees ``tanh(x)``,
division is by ``2 + cos(y)``, so both libraries see smooth, finite values.

``forward``/``reverse`` say whether JAX itself differentiates the op in that
mode (JAX has no reverse mode through ``while_loop`` and no forward mode
through ``custom_vjp``); programs with such ops get only the transformations
JAX supports.
"""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

MAX_SIZE = 48          # no value grows beyond this many elements


@dataclass
class OpKind:
    name: str
    propose: Callable      # g -> (args, params, out_shapes) or None
    template: str          # str.format template over {0}, {1}... and params
    forward: bool = True
    reverse: bool = True
    helpers: tuple = ()    # names in HELPERS this op needs defined in build()
    weight: float = 1.0    # relative frequency

    def render(self, args, params):
        return self.template.format(*args, **params)


# ----------------------------------------------------------------- helpers

def _size(shape):
    return int(np.prod(shape, dtype=int))


def _broadcast(*shapes):
    try:
        out = np.broadcast_shapes(*shapes)
    except ValueError:
        return None
    return out if _size(out) <= MAX_SIZE and len(out) <= 3 else None


def _pick(g, pred=lambda s: True):
    return g.pick(pred)


def _pick_same(g, shape):
    """A pool value of exactly ``shape`` (may be the first operand again)."""
    return g.pick(lambda s: s == shape)


def _pick_broadcastable(g, shape):
    """A value whose shape broadcasts with ``shape``."""
    return g.pick(lambda s: _broadcast(shape, s) is not None)


def _axis(g, ndim):
    """A random axis of an ``ndim`` array, sometimes negative (JAX normalises)."""
    ax = int(g.rng.integers(ndim))
    return ax - ndim if g.rng.random() < 0.3 else ax


# ----------------------------------------------- expressions for sub-bodies
# Bodies of cond branches, loop bodies, scan bodies and checkpointed
# functions: small random elementwise expressions over the lambda's
# parameters, all of one shape, so every expression keeps that shape.

_BODY_UNARY = ["jnp.sin({})", "jnp.cos({})", "jnp.tanh({})", "jnp.exp(jnp.tanh({}))",
               "(0.5 * {})", "jnp.square({})", "lax.logistic({})", "jnp.abs({})",
               "jnp.log1p(jnp.square({}))", "jnp.sqrt(1.0 + jnp.square({}))", "(-{})"]
_BODY_BINARY = ["({} + {})", "({} - {})", "({} * {})", "({} / (2.0 + jnp.cos({})))",
                "jnp.maximum({}, {})", "jnp.minimum({}, {})", "jnp.where({0} > {1}, {0}, 0.5 * {1})"]


def body_expr(rng, names, depth=2):
    """Random elementwise expression text over ``names`` (same-shape values)."""
    if depth == 0 or rng.random() < 0.25:
        return str(rng.choice(names))
    if rng.random() < 0.45:
        return rng.choice(_BODY_UNARY).format(body_expr(rng, names, depth - 1))
    template = rng.choice(_BODY_BINARY)
    a, b = body_expr(rng, names, depth - 1), body_expr(rng, names, depth - 1)
    return template.format(a, b) if "{0}" not in template else template.format(a, b)


# ------------------------------------------------------------ elementwise

def _unary(g):
    x = _pick(g)
    return (x,), {}, (g.shapes[x],)


def _binary(g):
    x = _pick(g)
    y = _pick_broadcastable(g, g.shapes[x])
    if y is None:
        return None
    return (x, y), {}, (_broadcast(g.shapes[x], g.shapes[y]),)


def _ternary(g):
    c, x = _pick(g), _pick(g)
    out = _broadcast(g.shapes[c], g.shapes[x])
    if out is None:
        return None
    y = _pick_broadcastable(g, out)
    if y is None:
        return None
    return (c, x, y), {}, (_broadcast(out, g.shapes[y]),)


def _clip(g):
    x = _pick(g)
    lo = round(float(g.rng.uniform(-1.5, 0.0)), 2)
    return (x,), {"lo": lo, "hi": round(lo + float(g.rng.uniform(0.5, 2.0)), 2)}, (g.shapes[x],)


UNARY = {
    "sin": "jnp.sin({0})", "cos": "jnp.cos({0})", "tanh": "jnp.tanh({0})",
    "exp": "jnp.exp(jnp.tanh({0}))", "log": "jnp.log(1.0 + jnp.square({0}))",
    "logistic": "lax.logistic({0})", "square": "jnp.square({0})", "abs": "jnp.abs({0})",
    "neg": "-{0}", "sqrt": "jnp.sqrt(1.0 + {0} * {0})", "expm1": "jnp.expm1(jnp.sin({0}))",
    "log1p": "jnp.log1p(jnp.abs({0}))", "arctan": "jnp.arctan({0})", "sinh": "jnp.sinh(jnp.tanh({0}))",
    "cube": "{0} ** 3", "rsqrt": "lax.rsqrt(2.0 + jnp.sin({0}))", "erf": "lax.erf({0})",
    "softplus": "jax.nn.softplus({0})", "relu": "jax.nn.relu({0})", "gelu": "jax.nn.gelu({0})",
    "recip": "1.0 / (2.0 + jnp.cos({0}))", "powf": "(1.0 + {0} * {0}) ** 1.5",
    "stop_gradient": "lax.stop_gradient({0})", "arcsinh": "jnp.arcsinh({0})",
    "sign_mul": "jnp.sign({0}) * {0}", "floor_add": "jnp.floor({0}) + {0}",
    "scale": "2.5 * {0}", "shift": "{0} - 0.75",
}
BINARY = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}",
    "div": "{0} / (2.0 + jnp.cos({1}))", "maximum": "jnp.maximum({0}, {1})",
    "minimum": "jnp.minimum({0}, {1})", "arctan2": "jnp.arctan2({0}, 2.0 + jnp.sin({1}))",
    "logaddexp": "jnp.logaddexp({0}, {1})", "hypot": "jnp.hypot(1.0 + jnp.abs({0}), {1})",
    "where_gt": "jnp.where({0} > {1}, {0}, {1})", "pow": "jnp.power(1.5 + jnp.sin({0}), {1})",
}


# ------------------------------------------------------------- reductions

def _reduction(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    keepdims = bool(g.rng.random() < 0.4)
    r = g.rng.random()
    if r < 0.2:
        axes, text = tuple(range(len(shape))), "None"
    elif r < 0.35 and len(shape) >= 2:
        axes = tuple(sorted(g.rng.choice(len(shape), 2, replace=False).tolist()))
        text = repr(axes)
    else:
        ax = _axis(g, len(shape))
        axes, text = (ax % len(shape),), str(ax)
    out = tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdims or i not in axes)
    return (x,), {"axis": text, "keepdims": keepdims}, (out,)


def _axis_preserving(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    return (x,), {"axis": _axis(g, len(g.shapes[x]))}, (g.shapes[x],)


REDUCTIONS = {
    "sum": "jnp.sum({0}, axis={axis}, keepdims={keepdims})",
    "mean": "jnp.mean({0}, axis={axis}, keepdims={keepdims})",
    "max": "jnp.max({0}, axis={axis}, keepdims={keepdims})",
    "min": "jnp.min({0}, axis={axis}, keepdims={keepdims})",
    "prod": "jnp.prod(jnp.tanh({0}), axis={axis}, keepdims={keepdims})",
    "var": "jnp.var({0}, axis={axis}, keepdims={keepdims})",
    "logsumexp": "jax.nn.logsumexp({0}, axis={axis}, keepdims={keepdims})",
    "norm_sq": "jnp.sum(jnp.square({0}), axis={axis}, keepdims={keepdims})",
}
ALONG_AXIS = {
    "cumsum": "jnp.cumsum({0}, axis={axis})", "cumprod": "jnp.cumprod(jnp.tanh({0}), axis={axis})",
    "softmax": "jax.nn.softmax({0}, axis={axis})", "sort": "jnp.sort({0}, axis={axis})",
    "flip": "jnp.flip({0}, axis={axis})", "roll": "jnp.roll({0}, 1, axis={axis})",
    "cummax": "lax.cummax({0}, axis={axis} % {0}.ndim)",
}


# ----------------------------------------------------------------- shapes

def _factorizations(n):
    return [(a, n // a) for a in range(1, n + 1) if n % a == 0]


def _reshape(g):
    x = _pick(g, lambda s: _size(s) > 1)
    if x is None:
        return None
    n = _size(g.shapes[x])
    r = g.rng.random()
    if r < 0.3:
        new = (n,)
    else:
        pairs = _factorizations(n)
        new = tuple(pairs[int(g.rng.integers(len(pairs)))])
    text = list(new)
    if g.rng.random() < 0.3:                   # let reshape infer one dimension
        text[int(g.rng.integers(len(text)))] = -1
    return (x,), {"shape": repr(tuple(text))}, (new,)


def _transpose(g):
    x = _pick(g, lambda s: len(s) >= 2)
    if x is None:
        return None
    shape = g.shapes[x]
    perm = tuple(int(i) for i in g.rng.permutation(len(shape)))
    return (x,), {"perm": repr(perm)}, (tuple(shape[i] for i in perm),)


def _swapaxes(g):
    x = _pick(g, lambda s: len(s) >= 2)
    if x is None:
        return None
    shape = list(g.shapes[x])
    a, b = (int(i) for i in g.rng.choice(len(shape), 2, replace=False))
    shape[a], shape[b] = shape[b], shape[a]
    return (x,), {"a": a, "b": b}, (tuple(shape),)


def _expand_dims(g):
    x = _pick(g, lambda s: len(s) <= 2)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = int(g.rng.integers(len(shape) + 1))
    return (x,), {"axis": ax}, (shape[:ax] + (1,) + shape[ax:],)


def _squeeze(g):
    x = _pick(g, lambda s: 1 in s)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = shape.index(1)
    return (x,), {"axis": ax}, (shape[:ax] + shape[ax + 1:],)


def _broadcast_to(g):
    x = _pick(g, lambda s: len(s) <= 2)
    if x is None:
        return None
    shape = g.shapes[x]
    lead = int(g.rng.integers(2, 4))
    new = (lead,) + tuple(int(g.rng.integers(2, 4)) if d == 1 else d for d in shape)
    if _size(new) > MAX_SIZE:
        return None
    return (x,), {"shape": repr(new)}, (new,)


def _slice(g):
    x = _pick(g, lambda s: len(s) >= 1 and max(s) >= 2)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = int(g.rng.choice([i for i, d in enumerate(shape) if d >= 2]))
    d = shape[ax]
    start = int(g.rng.integers(0, d - 1))
    stop = int(g.rng.integers(start + 1, d + 1))
    step = int(g.rng.choice([1, 1, 2]))
    if g.rng.random() < 0.15:                      # a reversing slice
        start, stop, step = d - 1 - start, None, -1
    index = "".join(":, " for _ in range(ax)) + f"{start}:{'' if stop is None else stop}:{step}"
    n = len(range(*slice(start, stop, step).indices(d)))
    return (x,), {"index": index}, (shape[:ax] + (n,) + shape[ax + 1:],)


def _int_index(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = int(g.rng.integers(len(shape)))
    i = int(g.rng.integers(-shape[ax], shape[ax]))
    index = "".join(":, " for _ in range(ax)) + str(i)
    return (x,), {"index": index}, (shape[:ax] + shape[ax + 1:],)


def _index_array(g, allow_repeats=True):
    """(text, length) of a static integer index array over an axis of size d."""
    def make(d):
        n = int(g.rng.integers(1, 5))
        if allow_repeats:
            idx = g.rng.integers(-d, d, size=n)
        else:
            n = min(n, d)
            idx = g.rng.permutation(d)[:n]
        return f"jnp.array({[int(i) for i in idx]!r})", n
    return make


def _gather(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    idx, n = _index_array(g)(shape[0])
    out = (n,) + shape[1:]
    return ((x,), {"idx": idx}, (out,)) if _size(out) <= MAX_SIZE else None


def _take(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = int(g.rng.integers(len(shape)))
    idx, n = _index_array(g)(shape[ax])
    out = shape[:ax] + (n,) + shape[ax + 1:]
    return ((x,), {"idx": idx, "axis": ax}, (out,)) if _size(out) <= MAX_SIZE else None


def _dynamic_index(g):
    """``x[argmax(y) % d]``: an index computed from data (a dynamic gather)."""
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    y = _pick(g)
    shape = g.shapes[x]
    return (x, y), {"d": shape[0]}, (shape[1:],)


def _dynamic_slice(g):
    x = _pick(g, lambda s: len(s) >= 1 and max(s) >= 2)
    if x is None:
        return None
    y = _pick(g)
    shape = g.shapes[x]
    ax = int(g.rng.choice([i for i, d in enumerate(shape) if d >= 2]))
    size = int(g.rng.integers(1, shape[ax]))
    # the start may run past the end: both libraries clamp it
    return (x, y), {"size": size, "axis": ax}, (shape[:ax] + (size,) + shape[ax + 1:],)


def _dynamic_update_slice(g):
    """Write a leading slice of ``u`` into ``x`` at a data-dependent start."""
    x = _pick(g, lambda s: len(s) >= 1 and max(s) >= 2)
    if x is None:
        return None
    shape = g.shapes[x]
    u, y = _pick_same(g, shape), _pick(g)
    ax = int(g.rng.choice([i for i, d in enumerate(shape) if d >= 2]))
    params = {"cut": ":, " * ax + f":{int(g.rng.integers(1, shape[ax]))}",
              "pre": "0, " * ax, "d": shape[ax], "post": ", 0" * (len(shape) - ax - 1) + ","}
    return (x, u, y), params, (shape,)


def _scatter(g, allow_repeats):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    if g.rng.random() < 0.4:
        i = int(g.rng.integers(-shape[0], shape[0]))
        idx, target = str(i), shape[1:]
    else:
        idx, n = _index_array(g, allow_repeats)(shape[0])
        target = (n,) + shape[1:]
    y = g.pick(lambda s: _broadcast(s, target) == target)
    if y is None:
        return None
    return (x, y), {"idx": idx}, (shape,)


def _concatenate(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = int(g.rng.integers(len(shape)))
    y = g.pick(lambda s: len(s) == len(shape)
               and all(a == b for i, (a, b) in enumerate(zip(s, shape)) if i != ax))
    out = shape[:ax] + (shape[ax] + g.shapes[y][ax],) + shape[ax + 1:]
    return ((x, y), {"axis": ax}, (out,)) if _size(out) <= MAX_SIZE else None


def _stack(g):
    x = _pick(g, lambda s: len(s) <= 2 and 2 * _size(s) <= MAX_SIZE)
    if x is None:
        return None
    shape = g.shapes[x]
    y = _pick_same(g, shape)
    ax = int(g.rng.integers(len(shape) + 1))
    return (x, y), {"axis": ax}, (shape[:ax] + (2,) + shape[ax:],)


# ---------------------------------------------------------------- products

def _matmul(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    xs = g.shapes[x]

    def fits(s):
        if not s:
            return False
        k = s[0] if len(s) == 1 else s[-2]
        if k != xs[-1]:
            return False
        try:
            out = np.matmul(np.zeros(xs), np.zeros(s)).shape
        except ValueError:
            return False
        return _size(out) <= MAX_SIZE
    y = g.pick(fits)
    if y is None:
        return None
    return (x, y), {}, (np.matmul(np.zeros(xs), np.zeros(g.shapes[y])).shape,)


def _dot_t(g):
    """``x @ y.T`` for two matrices with the same number of columns."""
    x = _pick(g, lambda s: len(s) == 2)
    if x is None:
        return None
    y = g.pick(lambda s: len(s) == 2 and s[1] == g.shapes[x][1])
    return (x, y), {}, ((g.shapes[x][0], g.shapes[y][0]),)


def _rowdot(g):
    x = _pick(g, lambda s: len(s) == 2)
    if x is None:
        return None
    y = _pick_same(g, g.shapes[x])
    return (x, y), {}, ((g.shapes[x][0],),)


def _outer(g):
    x = _pick(g, lambda s: len(s) == 1)
    if x is None:
        return None
    y = g.pick(lambda s: len(s) == 1 and s[0] * g.shapes[x][0] <= MAX_SIZE)
    if y is None:
        return None
    return (x, y), {}, ((g.shapes[x][0], g.shapes[y][0]),)


def _solve(g):
    """``solve(4 I + a a^T, b)``: a well-conditioned linear system."""
    a = _pick(g, lambda s: len(s) == 2 and s[0] <= 4)
    if a is None:
        return None
    n = g.shapes[a][0]
    b = g.pick(lambda s: len(s) in (1, 2) and s[0] == n)
    if b is None:
        return None
    return (a, b), {"n": n}, (g.shapes[b],)


# ------------------------------------------------------------ control flow

def _same_pair(g):
    x = _pick(g)
    return x, _pick_same(g, g.shapes[x])


def _cond(g):
    p = _pick(g)
    x, y = _same_pair(g)
    body = {"t": body_expr(g.rng, ["a", "b"]), "f": body_expr(g.rng, ["a", "b"])}
    return (p, x, y), body, (g.shapes[x],)


def _switch(g):
    p = _pick(g)
    x, y = _same_pair(g)
    body = {k: body_expr(g.rng, ["a", "b"]) for k in ("b0", "b1", "b2")}
    return (p, x, y), body, (g.shapes[x],)


def _loop(g):
    x, w = _same_pair(g)
    params = {"body": body_expr(g.rng, ["c", "w"]), "n": int(g.rng.integers(0, 4))}
    return (x, w), params, (g.shapes[x],)


def _scan(g):
    xs = _pick(g, lambda s: len(s) >= 1)
    if xs is None:
        return None
    shape = g.shapes[xs]
    init = _pick_same(g, shape[1:])
    if init is None:
        return None
    params = {"carry": body_expr(g.rng, ["c", "x"]), "y": body_expr(g.rng, ["c", "x"]),
              "reverse": bool(g.rng.random() < 0.3)}
    return (init, xs), params, (shape[1:], shape)


_POLICIES = ["", ", policy=jax.checkpoint_policies.nothing_saveable",
             ", policy=jax.checkpoint_policies.everything_saveable",
             ", policy=jax.checkpoint_policies.dots_saveable", ", prevent_cse=False"]


def _checkpoint(g):
    x, y = _same_pair(g)
    return (x, y), {"body": body_expr(g.rng, ["a", "b"], depth=3),
                    "policy": str(g.rng.choice(_POLICIES))}, (g.shapes[x],)


# ------------------------------------------------------- newer primitives

def _nonneg_axis(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    return (x,), {"axis": int(g.rng.integers(len(g.shapes[x])))}, (g.shapes[x],)


def _top_k(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    k = int(g.rng.integers(1, shape[-1] + 1))
    return (x,), {"k": k}, (shape[:-1] + (k,),)


def _reduce_window(g):
    x = _pick(g, lambda s: len(s) >= 1 and max(s) >= 2)
    if x is None:
        return None
    shape = g.shapes[x]
    window = tuple(int(g.rng.integers(1, min(d, 3) + 1)) for d in shape)
    strides = tuple(int(g.rng.integers(1, 3)) for _ in shape)
    padding = str(g.rng.choice(["VALID", "SAME"]))
    if padding == "VALID":
        out = tuple((d - w) // s + 1 for d, w, s in zip(shape, window, strides))
    else:
        out = tuple(-(-d // s) for d, s in zip(shape, strides))
    return (x,), {"window": repr(window), "strides": repr(strides), "padding": repr(padding)}, (out,)


def _fft(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    return (x,), {"axis": _axis(g, len(shape)), "n": None}, (shape,)


def _rfft_roundtrip(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = _axis(g, len(shape))
    return (x,), {"axis": ax, "n": shape[ax]}, (shape,)


def _conv2d(g):
    x = _pick(g, lambda s: len(s) == 2)
    if x is None:
        return None
    n, m = g.shapes[x]
    w = g.pick(lambda s: len(s) == 2 and s[0] <= n and s[1] <= m)
    padding = str(g.rng.choice(["VALID", "SAME"]))
    wn, wm = g.shapes[w]
    out = (n - wn + 1, m - wm + 1) if padding == "VALID" else (n, m)
    return (x, w), {"padding": repr(padding)}, (out,)


def _square_matrix(g):
    """A matrix ``a`` (at most 4 rows) for ops on ``4 I + a a^T``."""
    a = _pick(g, lambda s: len(s) == 2 and s[0] <= 4)
    if a is None:
        return None
    n = g.shapes[a][0]
    return a, n


def _spd_op(out_shape):
    def propose(g):
        picked = _square_matrix(g)
        if picked is None:
            return None
        a, n = picked
        return (a,), {"n": n}, (out_shape(n),)
    return propose


def _svd_values(g):
    x = _pick(g, lambda s: len(s) == 2)
    if x is None:
        return None
    return (x,), {}, ((min(g.shapes[x]),),)


def _qr_r(g):
    """The column sums of ``R`` of a reduced QR: shape ``(columns,)``."""
    x = _pick(g, lambda s: len(s) == 2)
    if x is None:
        return None
    return (x,), {}, ((g.shapes[x][1],),)


def _take_along_axis(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    y = _pick_same(g, g.shapes[x])
    return (x, y), {"axis": _axis(g, len(g.shapes[x]))}, (g.shapes[x],)


def _triu(g):
    x = _pick(g, lambda s: len(s) >= 2)
    if x is None:
        return None
    return (x,), {"k": int(g.rng.integers(-1, 2))}, (g.shapes[x],)


def _repeat(g):
    x = _pick(g, lambda s: len(s) >= 1 and 2 * _size(s) <= MAX_SIZE)
    if x is None:
        return None
    shape = g.shapes[x]
    ax = int(g.rng.integers(len(shape)))
    return (x,), {"axis": ax}, (shape[:ax] + (2 * shape[ax],) + shape[ax + 1:],)


# ------------------------------------------------- transformations inside

def _nested(g):
    """Two same-shape operands and a body over them, for ``jax.jit``,
    ``jax.vmap`` (leading axis) and ``jax.grad`` written inside a program."""
    x, y = _same_pair(g)
    if x is None:
        return None
    return (x, y), {"body": body_expr(g.rng, ["a", "b"], depth=3)}, (g.shapes[x],)


def _nested_rank1(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    y = _pick_same(g, g.shapes[x])
    return (x, y), {"body": body_expr(g.rng, ["a", "b"], depth=3)}, (g.shapes[x],)


def _nested_unary(g):
    x = _pick(g)
    t = _pick_same(g, g.shapes[x])
    return (x, t), {"body": body_expr(g.rng, ["a"], depth=3)}, (g.shapes[x],)


def _lax_map(g):
    x = _pick(g, lambda s: len(s) >= 1)
    if x is None:
        return None
    return (x,), {"body": body_expr(g.rng, ["r"], depth=3)}, (g.shapes[x],)


# ------------------------------------------------------- custom derivatives
# Functions with hand-written derivative rules, defined once in build() by the
# programs that use them.

HELPERS = {
    "softplus_cj": '''
@jax.custom_jvp
def softplus_cj(x):
    return jnp.logaddexp(x, 0.0)

@softplus_cj.defjvp
def _softplus_cj_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus_cj(x), t * lax.logistic(x)
''',
    "mulsin_cj": '''
@jax.custom_jvp
def mulsin_cj(x, y):
    return x * jnp.sin(y)

@mulsin_cj.defjvp
def _mulsin_cj_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return mulsin_cj(x, y), tx * jnp.sin(y) + x * jnp.cos(y) * ty
''',
    "tanh_cj": '''
@jax.custom_jvp
def tanh_cj(x):
    return jnp.tanh(x)

tanh_cj.defjvps(lambda t, ans, x: t * (1.0 - ans ** 2))
''',
    "logcosh_cv": '''
@jax.custom_vjp
def logcosh_cv(x):
    return jnp.log(jnp.cosh(x))

def _logcosh_cv_fwd(x):
    return logcosh_cv(x), jnp.tanh(x)

def _logcosh_cv_bwd(t, g):
    return (g * t,)

logcosh_cv.defvjp(_logcosh_cv_fwd, _logcosh_cv_bwd)
''',
    "sinmul_cv": '''
@jax.custom_vjp
def sinmul_cv(x, y):
    return jnp.sin(x) * y

def _sinmul_cv_fwd(x, y):
    return sinmul_cv(x, y), (jnp.cos(x), jnp.sin(x), y)

def _sinmul_cv_bwd(res, g):
    cos_x, sin_x, y = res
    return (g * cos_x * y, g * sin_x)

sinmul_cv.defvjp(_sinmul_cv_fwd, _sinmul_cv_bwd)
''',
}


def _custom_binary(g):
    x, y = _same_pair(g)
    return (x, y), {}, (g.shapes[x],)


# ------------------------------------------------------------------- table

def _table():
    ops = {}

    def add(name, propose, template, **kw):
        ops[name] = OpKind(name, propose, template, **kw)

    for name, t in UNARY.items():
        add(name, _unary, t, weight=0.35)
    add("clip", _clip, "jnp.clip({0}, {lo}, {hi})", weight=0.3)
    for name, t in BINARY.items():
        add(name, _binary, t, weight=0.6)
    add("where", _ternary, "jnp.where({0} > 0, {1}, {2})")
    for name, t in REDUCTIONS.items():
        add(name, _reduction, t, weight=0.4)
    for name, t in ALONG_AXIS.items():
        add(name, _axis_preserving, t, weight=0.3)
    add("reshape", _reshape, "jnp.reshape({0}, {shape})")
    add("transpose", _transpose, "jnp.transpose({0}, {perm})")
    add("swapaxes", _swapaxes, "jnp.swapaxes({0}, {a}, {b})", weight=0.4)
    add("expand_dims", _expand_dims, "jnp.expand_dims({0}, {axis})", weight=0.5)
    add("squeeze", _squeeze, "jnp.squeeze({0}, axis={axis})", weight=0.5)
    add("broadcast_to", _broadcast_to, "jnp.broadcast_to({0}, {shape})", weight=0.5)
    add("slice", _slice, "{0}[{index}]")
    add("int_index", _int_index, "{0}[{index}]")
    add("gather", _gather, "{0}[{idx}]")
    add("take", _take, "jnp.take({0}, {idx}, axis={axis})", weight=0.6)
    add("dynamic_index", _dynamic_index, "{0}[jnp.argmax({1}) % {d}]", weight=0.6)
    add("dynamic_slice", _dynamic_slice,
        "lax.dynamic_slice_in_dim({0}, jnp.argmax({1}), {size}, axis={axis})", weight=0.5)
    add("dynamic_update_slice", _dynamic_update_slice,
        "lax.dynamic_update_slice({0}, {1}[{cut}], ({pre}jnp.argmax({2}) % {d}{post}))", weight=0.5)
    add("scatter_set", lambda g: _scatter(g, False), "{0}.at[{idx}].set({1})", weight=0.6)
    add("scatter_add", lambda g: _scatter(g, True), "{0}.at[{idx}].add({1})", weight=0.6)
    # JAX differentiates scatter-multiply only for indices declared unique
    add("scatter_mul", lambda g: _scatter(g, False),
        "{0}.at[{idx}].multiply({1}, unique_indices=True)", weight=0.3)
    add("concatenate", _concatenate, "jnp.concatenate([{0}, {1}], axis={axis})")
    add("stack", _stack, "jnp.stack([{0}, {1}], axis={axis})", weight=0.5)
    add("matmul", _matmul, "{0} @ {1}", weight=1.2)
    add("dot_t", _dot_t, "jnp.dot({0}, {1}.T)", weight=0.8)
    add("einsum_rowdot", _rowdot, "jnp.einsum('ij,ij->i', {0}, {1})", weight=0.5)
    add("outer", _outer, "jnp.outer({0}, {1})", weight=0.4)
    add("solve", _solve, "jnp.linalg.solve(4.0 * jnp.eye({n}) + {0} @ {0}.T, {1})", weight=0.4)
    add("cond", _cond,
        "lax.cond(jnp.sum({0}) > 0, lambda a, b: {t}, lambda a, b: {f}, {1}, {2})", weight=1.2)
    add("switch", _switch,
        "lax.switch(jnp.argmax(jnp.ravel({0})[:3]), [lambda a, b: {b0}, lambda a, b: {b1}, "
        "lambda a, b: {b2}], {1}, {2})", weight=0.7)
    add("fori_loop", _loop, "lax.fori_loop(0, {n}, lambda i, c: (lambda c, w: {body})(c, {1}), {0})", weight=0.8)
    add("fori_loop_i", _loop,
        "lax.fori_loop(0, {n}, lambda i, c: 0.5 * c + jnp.sin(i * {1}), {0})", weight=0.4)
    add("while_loop", _loop,
        "lax.while_loop(lambda s: s[0] < {n}, lambda s: (s[0] + 1, (lambda c, w: {body})(s[1], {1})), "
        "(0, {0}))[1]", reverse=False, weight=0.7)
    add("scan", _scan,
        "lax.scan(lambda c, x: ({carry}, {y}), {0}, {1}, reverse={reverse})", weight=1.2)
    add("checkpoint", _checkpoint, "jax.checkpoint(lambda a, b: {body}{policy})({0}, {1})")
    add("custom_jvp_softplus", _unary, "softplus_cj({0})", helpers=("softplus_cj",), weight=0.5)
    add("custom_jvp_mulsin", _custom_binary, "mulsin_cj({0}, {1})", helpers=("mulsin_cj",), weight=0.5)
    add("custom_jvp_tanh", _unary, "tanh_cj({0})", helpers=("tanh_cj",), weight=0.4)
    add("custom_vjp_logcosh", _unary, "logcosh_cv({0})", helpers=("logcosh_cv",),
        forward=False, weight=0.5)
    add("custom_vjp_sinmul", _custom_binary, "sinmul_cv({0}, {1})", helpers=("sinmul_cv",),
        forward=False, weight=0.5)
    add("cumlogsumexp", _nonneg_axis, "lax.cumlogsumexp({0}, axis={axis})", weight=0.4)
    add("associative_scan_add", _nonneg_axis,
        "lax.associative_scan(jnp.add, {0}, axis={axis})", weight=0.4)
    add("associative_scan_mul", _nonneg_axis,
        "lax.associative_scan(lambda a, b: a * b, jnp.tanh({0}), reverse=True, axis={axis})",
        weight=0.3)
    add("associative_scan_max", _nonneg_axis,
        "lax.associative_scan(jnp.maximum, {0}, axis={axis})", weight=0.3)
    add("top_k", _top_k, "lax.top_k({0}, {k})[0]", weight=0.4)
    add("reduce_window_sum", _reduce_window,
        "lax.reduce_window({0}, 0.0, lax.add, {window}, {strides}, {padding})", weight=0.4)
    add("reduce_window_max", _reduce_window,
        "lax.reduce_window({0}, -jnp.inf, lax.max, {window}, {strides}, {padding})", weight=0.4)
    add("fft_real", _fft, "jnp.real(jnp.fft.fft({0}, axis={axis}))", weight=0.3)
    add("ifft_imag", _fft, "jnp.imag(jnp.fft.ifft({0} + 0.5j * jnp.sin({0}), axis={axis}))",
        weight=0.3)
    add("rfft_irfft", _rfft_roundtrip,
        "jnp.fft.irfft(jnp.fft.rfft({0}, axis={axis}) * (1.0 + 0.5j), n={n}, axis={axis})",
        weight=0.3)
    add("conv2d", _conv2d, "lax.conv({0}[None, None], {1}[None, None], (1, 1), {padding})[0, 0]",
        weight=0.5)
    add("det", _spd_op(lambda n: ()), "jnp.linalg.det(4.0 * jnp.eye({n}) + {0} @ {0}.T)",
        weight=0.3)
    add("slogdet", _spd_op(lambda n: ()),
        "jnp.linalg.slogdet(4.0 * jnp.eye({n}) + {0} @ {0}.T)[1]", weight=0.3)
    add("inv", _spd_op(lambda n: (n, n)), "jnp.linalg.inv(4.0 * jnp.eye({n}) + {0} @ {0}.T)",
        weight=0.3)
    add("cholesky", _spd_op(lambda n: (n, n)),
        "jnp.linalg.cholesky(4.0 * jnp.eye({n}) + {0} @ {0}.T)", weight=0.3)
    add("eigvalsh", _spd_op(lambda n: (n,)), "jnp.linalg.eigvalsh({0} @ {0}.T)", weight=0.3)
    add("svd_values", _svd_values, "jnp.linalg.svd({0}, compute_uv=False)", weight=0.3)
    add("qr_r", _qr_r, "jnp.linalg.qr({0})[1].sum(0)", weight=0.3)
    add("take_along_axis", _take_along_axis,
        "jnp.take_along_axis({0}, jnp.argsort({1}, axis={axis}), axis={axis})", weight=0.4)
    add("triu", _triu, "jnp.triu({0}, k={k})", weight=0.6)
    add("repeat", _repeat, "jnp.repeat({0}, 2, axis={axis})", weight=0.3)
    add("clamp", _unary, "lax.clamp(-0.8, {0}, 0.9)", weight=0.3)
    add("inner_jit", _nested, "jax.jit(lambda a, b: {body})({0}, {1})", weight=0.7)
    add("inner_vmap", _nested_rank1, "jax.vmap(lambda a, b: {body})({0}, {1})", weight=0.7)
    add("inner_grad", _nested,
        "jax.grad(lambda a, b: jnp.sum({body}), argnums=(0, 1))({0}, {1})[0]", weight=0.7)
    add("inner_jvp", _nested_unary,
        "jax.jvp(lambda a: {body}, ({0},), ({1},))[1]", weight=0.5)
    add("inner_vjp", _nested_unary,
        "jax.vjp(lambda a: {body}, {0})[1]({1})[0]", weight=0.5)
    add("lax_map", _lax_map, "lax.map(lambda r: {body}, {0})", weight=0.5)
    return ops


OPS = _table()
