"""minijax beside real JAX, HIPS autograd and numpy: one command, one table.

    python benchmarks/run.py            # everything (a few minutes)
    python benchmarks/run.py --quick    # fewer repetitions
    python benchmarks/run.py --only mlp # workloads whose name contains "mlp"

Every workload is run by each implementation in turn, round after round, so
all of them see the same machine conditions; the table reports the median
time per call and the ratio to minijax (a ratio above 1 means the other
implementation is slower). Machines are noisy: read ratios, not microseconds.

Implementations: ``minijax`` (eager, numpy underneath), ``minijax.jit``
(XLA through jaxlib), ``jax`` (JAX without jit: every operation dispatched
to XLA one by one), ``jax.jit``, ``autograd`` (HIPS autograd on numpy, when
installed), ``jaxlib`` (the floor for jit dispatch: jaxlib executing the same
compiled program, no Python around it) and ``numpy`` (plain forward
computation, where meaningful).
"""
import argparse
import gc
import statistics
import sys
import time
import tracemalloc

import numpy as np

import jax
import jax.numpy as jjnp
import minijax
import minijax.numpy as mjnp

try:
    import autograd
    import autograd.numpy as anp
except ImportError:   # autograd is optional
    autograd = anp = None

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------------------
# Timing


def _block_any(out):
    if isinstance(out, (list, tuple, dict)):
        for leaf in minijax.tree_util.tree_leaves(out):
            if hasattr(leaf, "block_until_ready"):
                leaf.block_until_ready()
    elif hasattr(out, "block_until_ready"):
        out.block_until_ready()
    return out


def time_round(fn, target):
    """Seconds per call over a block of calls lasting about ``target`` seconds."""
    t0 = time.perf_counter()
    _block_any(fn())
    once = time.perf_counter() - t0
    n = max(1, int(target / max(once, 1e-7)))
    t0 = time.perf_counter()
    for _ in range(n):
        out = fn()
    _block_any(out)
    return (time.perf_counter() - t0) / n


def compare(impls, rounds, target):
    """Median seconds per call for each implementation, interleaved by round."""
    for fn in impls.values():   # warm up: compile, fill caches
        _block_any(fn())
        _block_any(fn())
    times = {name: [] for name in impls}
    for _ in range(rounds):
        for name, fn in impls.items():
            gc.collect()
            times[name].append(time_round(fn, target))
    return {name: statistics.median(ts) for name, ts in times.items()}


# ---------------------------------------------------------------------------
# Workloads. Each builds its implementations from the same definitions,
# written once against a numpy-like module ``np_``.


def mlp_params(sizes=(784, 512, 512, 10)):
    params = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        params.append(((RNG.standard_normal((m, n)) / np.sqrt(m)).astype(np.float32),
                       np.zeros(n, np.float32)))
    return params


def make_loss(np_):
    def predict(params, x):
        for w, b in params[:-1]:
            x = np_.tanh(x @ w + b)
        w, b = params[-1]
        return x @ w + b

    def loss(params, x, y):
        logits = predict(params, x)
        shifted = logits - np_.max(logits, axis=-1, keepdims=True)
        log_probs = shifted - np_.log(np_.sum(np_.exp(shifted), axis=-1, keepdims=True))
        return -np_.mean(np_.sum(log_probs * y, axis=-1))
    return loss


def mlp_batch(batch=128):
    x = RNG.standard_normal((batch, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, batch)]
    return x, y


def to(lib, tree):
    return [tuple(lib.asarray(a) for a in layer) for layer in tree]


def bench_mlp_grad():
    """grad of a 3-layer MLP loss (784-512-512-10, batch 128)."""
    params, (x, y) = mlp_params(), mlp_batch()
    impls = {
        "minijax": (lambda g, p, xx, yy: lambda: g(p, xx, yy))(
            minijax.grad(make_loss(mjnp)), to(mjnp, params), mjnp.asarray(x), mjnp.asarray(y)),
        "jax": (lambda g, p, xx, yy: lambda: g(p, xx, yy))(
            jax.grad(make_loss(jjnp)), to(jjnp, params), jjnp.asarray(x), jjnp.asarray(y)),
    }
    if autograd:
        impls["autograd"] = (lambda g: lambda: g(params, x, y))(autograd.grad(make_loss(anp)))
    return impls


def make_step(grad_fn):
    def step(params, x, y):
        grads = grad_fn(params, x, y)
        return [(w - 0.01 * gw, b - 0.01 * gb) for (w, b), (gw, gb) in zip(params, grads)]
    return step


def bench_mlp_step_jit():
    """jitted MLP training step (784-512-512-10, batch 128), steady state."""
    params, (x, y) = mlp_params(), mlp_batch()
    m_step = minijax.jit(make_step(minijax.grad(make_loss(mjnp))))
    j_step = jax.jit(make_step(jax.grad(make_loss(jjnp))))
    mp, jp = to(mjnp, params), to(jjnp, params)
    mx, my, jx, jy = mjnp.asarray(x), mjnp.asarray(y), jjnp.asarray(x), jjnp.asarray(y)
    return {"minijax.jit": lambda: m_step(mp, mx, my), "jax.jit": lambda: j_step(jp, jx, jy)}


def bench_mlp_step_first_call():
    """first call of the jitted MLP step (trace + lower + compile)."""
    params, (x, y) = mlp_params(), mlp_batch()
    mp, jp = to(mjnp, params), to(jjnp, params)
    mx, my, jx, jy = mjnp.asarray(x), mjnp.asarray(y), jjnp.asarray(x), jjnp.asarray(y)

    def first(lib, np_, p, xx, yy):
        # A fresh function object each time: nothing cached from earlier calls.
        step = lib.jit(make_step(lib.grad(make_loss(np_))))
        return step(p, xx, yy)
    return {"minijax.jit": lambda: first(minijax, mjnp, mp, mx, my),
            "jax.jit": lambda: first(jax, jjnp, jp, jx, jy)}


def bench_dispatch():
    """dispatch of a tiny jitted function, x * 2 + 1 on 3 floats."""
    m = minijax.jit(lambda x: x * 2 + 1)
    j = jax.jit(lambda x: x * 2 + 1)
    mx, jx = mjnp.ones(3), jjnp.ones(3)
    m(mx)
    return {"minijax.jit": lambda: m(mx), "jax.jit": lambda: j(jx),
            "jaxlib": jaxlib_floor(m, mx),
            "numpy": (lambda v: lambda: v * 2 + 1)(np.ones(3, np.float32))}


def jaxlib_floor(jitted, x):
    """The floor for dispatch: jaxlib's execute_sharded on the program ``jitted``
    compiled for ``x``, with the argument's device buffer already in hand."""
    entry = next(iter(jitted._cache.values()))   # the one signature it was called with
    executable, handlers = entry.executable.executable, entry.executable.handlers
    buffers = [minijax.compiling.device_buffer(x)]
    return lambda: executable.execute_sharded(buffers).consume_with_handlers(handlers)


def hvp_variants(lib, np_):
    def f(X):
        return np_.sum(np_.tanh(X) ** 2)

    def fwd_over_rev(X, V):
        return lib.jvp(lib.grad(f), (X,), (V,))[1]

    def rev_over_fwd(X, V):
        return lib.grad(lambda X: lib.jvp(f, (X,), (V,))[1])(X)

    def rev_over_rev(X, V):
        return lib.grad(lambda X: np_.vdot(lib.grad(f)(X), V))(X)

    def naive(X, V):
        return np_.tensordot(lib.hessian(f)(X), V, 2)
    return {"fwd-over-rev": fwd_over_rev, "rev-over-fwd": rev_over_fwd,
            "rev-over-rev": rev_over_rev, "naive hessian": naive}


def autograd_hvp(variant, X, V):
    """The same HVP variant in HIPS autograd (``make_jvp`` is its forward mode)."""
    f = lambda X: anp.sum(anp.tanh(X) ** 2)
    if variant == "fwd-over-rev":
        return lambda: autograd.make_jvp(autograd.grad(f))(X)(V)[1]
    if variant == "rev-over-fwd":
        g = autograd.grad(lambda X: autograd.make_jvp(f)(X)(V)[1])
        return lambda: g(X)
    if variant == "rev-over-rev":
        g = autograd.grad(lambda X: anp.sum(autograd.grad(f)(X) * V))
        return lambda: g(X)
    h = autograd.hessian(f)
    return lambda: np.tensordot(h(X), V, 2)


def bench_hvp(variant):
    def build():
        X = RNG.standard_normal((30, 40)).astype(np.float32)
        V = RNG.standard_normal((30, 40)).astype(np.float32)
        impls = {}
        for name, lib, np_ in (("minijax", minijax, mjnp), ("jax", jax, jjnp)):
            fn = hvp_variants(lib, np_)[variant]
            impls[name] = (lambda fn, a, b: lambda: fn(a, b))(fn, np_.asarray(X), np_.asarray(V))
        if autograd:
            impls["autograd"] = autograd_hvp(variant, X, V)
        return impls
    build.__doc__ = f"HVP, {variant}, f(X) = sum(tanh(X)**2), X 30x40"
    return build


def _mjp_setup(lib, np_):
    W = np_.asarray(RNG.standard_normal((8, 64)).astype(np.float32))
    inputs = np_.asarray(RNG.standard_normal((16, 8)).astype(np.float32))

    def predict(W):
        return np_.tanh(inputs @ W)   # (16, 64): a wide-ish Jacobian
    return W, predict


def bench_mjp(batched):
    def build():
        impls = {}
        for name, lib, np_ in (("minijax", minijax, mjnp), ("jax", jax, jjnp)):
            W, predict = _mjp_setup(lib, np_)
            _, vjp_fun = lib.vjp(predict, W)
            vs = np_.asarray(RNG.standard_normal((128, 16, 64)).astype(np.float32))
            if batched:
                run = (lambda f, vs: lambda: f(vs))(lib.vmap(vjp_fun), vs)
            else:
                run = (lambda f, vs, np_: lambda: np_.stack([f(v)[0] for v in vs]))(vjp_fun, vs,
                                                                                    np_)
            impls[name] = run
        return impls
    build.__doc__ = f"matrix-Jacobian products, 128 vectors, {'vmap' if batched else 'loop'}"
    return build


def bench_jmp(batched):
    def build():
        impls = {}
        for name, lib, np_ in (("minijax", minijax, mjnp), ("jax", jax, jjnp)):
            W, predict = _mjp_setup(lib, np_)
            vs = np_.asarray(RNG.standard_normal((128, 8, 64)).astype(np.float32))
            push = lambda v, predict=predict, W=W, lib=lib: lib.jvp(predict, (W,), (v,))[1]
            if batched:
                run = (lambda f, vs: lambda: f(vs))(lib.vmap(push), vs)
            else:
                run = (lambda f, vs, np_: lambda: np_.stack([f(v) for v in vs]))(push, vs, np_)
            impls[name] = run
        return impls
    build.__doc__ = f"Jacobian-matrix products, 128 vectors, {'vmap' if batched else 'loop'}"
    return build


def bench_per_example(shape):
    def build():
        params = mlp_params((64, 128, 128, 10))
        x = RNG.standard_normal((128, 64)).astype(np.float32)
        y = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, 128)]

        def per_example_grads(lib, np_):
            loss = make_loss(np_)
            if shape == "xi[None]":   # each example as a batch of one
                example_loss = lambda p, xi, yi: loss(p, xi[None], yi[None])
            else:                     # each example as plain vectors
                example_loss = loss
            return lib.vmap(lib.grad(example_loss), in_axes=(None, 0, 0))

        m, j = per_example_grads(minijax, mjnp), per_example_grads(jax, jjnp)
        mp, jp = to(mjnp, params), to(jjnp, params)
        mx, my, jx, jy = mjnp.asarray(x), mjnp.asarray(y), jjnp.asarray(x), jjnp.asarray(y)
        mjit, jjit = minijax.jit(m), jax.jit(j)
        impls = {"minijax": lambda: m(mp, mx, my), "minijax.jit": lambda: mjit(mp, mx, my),
                 "jax": lambda: j(jp, jx, jy), "jax.jit": lambda: jjit(jp, jx, jy)}
        if autograd:   # autograd has no vmap: a loop over the examples
            g = autograd.grad(make_loss(anp))
            xs = x[:, None] if shape == "xi[None]" else x
            ys = y[:, None] if shape == "xi[None]" else y
            impls["autograd"] = lambda: [g(params, xi, yi) for xi, yi in zip(xs, ys)]
        return impls
    build.__doc__ = (f"per-example gradients, vmap(grad(loss)) with examples as {shape} "
                     "(MLP 64-128-128-10, batch 128)")
    return build


WORKLOADS = [
    ("mlp grad (eager)", bench_mlp_grad),
    ("hvp fwd-over-rev", bench_hvp("fwd-over-rev")),
    ("hvp rev-over-fwd", bench_hvp("rev-over-fwd")),
    ("hvp rev-over-rev", bench_hvp("rev-over-rev")),
    ("hvp naive hessian", bench_hvp("naive hessian")),
    ("mjp loop", bench_mjp(False)),
    ("mjp vmap", bench_mjp(True)),
    ("jmp loop", bench_jmp(False)),
    ("jmp vmap", bench_jmp(True)),
    ("mlp step jit", bench_mlp_step_jit),
    ("mlp step first call", bench_mlp_step_first_call),
    ("tiny jit dispatch", bench_dispatch),
    ("per-example xi[None]", bench_per_example("xi[None]")),
    ("per-example vectors", bench_per_example("vectors")),
]

# ---------------------------------------------------------------------------
# Memory: peak bytes allocated (tracemalloc sees numpy's buffers) by the
# derivative of a chain of depth N. Reverse mode keeps one residual per step,
# O(N); forward mode keeps O(1).


def sin_chain(np_, depth):
    def f(x):
        for _ in range(depth):
            x = np_.sin(x)
        return np_.sum(x)
    return f


def peak_bytes(fn):
    """Peak memory allocated while ``fn()`` runs, above what was live before."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return peak - before


def memory_table(depths=(10, 100, 1000), size=10_000):
    """Peak memory of grad (minijax, autograd) and jvp (minijax) vs chain depth."""
    x = RNG.standard_normal(size).astype(np.float32)
    mx = mjnp.asarray(x)
    print(f"\npeak memory vs depth: grad of sum(sin(sin(...x))), x float32[{size}] "
          f"({x.nbytes // 1024} KiB); ratio = autograd / minijax")
    print(f"{'depth':>8s}{'minijax grad':>16s}{'autograd grad':>22s}{'minijax jvp':>16s}")
    rows = {}
    for depth in depths:
        m_grad = peak_bytes(lambda: minijax.grad(sin_chain(mjnp, depth))(mx))
        m_jvp = peak_bytes(lambda: minijax.jvp(sin_chain(mjnp, depth), (mx,), (mx,)))
        row = {"minijax grad": m_grad, "minijax jvp": m_jvp}
        cell = ""
        if autograd:
            a_grad = peak_bytes(lambda: autograd.grad(sin_chain(anp, depth))(x))
            row["autograd grad"] = a_grad
            cell = f"{_mib(a_grad)} ({a_grad / m_grad:.2f}x)"
        rows[depth] = row
        print(f"{depth:8d}{_mib(m_grad):>16s}{cell:>22s}{_mib(m_jvp):>16s}")
    return rows


def _mib(n):
    return f"{n / 2**20:.2f} MiB"


COLUMNS = ["minijax", "minijax.jit", "jax", "jax.jit", "autograd", "jaxlib", "numpy"]


def fmt(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--only", default="", help="run workloads whose name contains this")
    args = parser.parse_args(argv)
    rounds, target = (3, 0.05) if args.quick else (7, 0.2)
    print(f"minijax {getattr(minijax, '__version__', '')} | jax {jax.__version__} | "
          f"numpy {np.__version__} | autograd {'yes' if autograd else 'not installed'} | "
          f"backend {minijax.default_backend()} | python {sys.version.split()[0]}")
    print(f"median of {rounds} interleaved rounds; ratio = time / minijax's time "
          "(the minijax.jit column is compared with jax.jit)\n")
    header = f"{'workload':22s}" + "".join(f"{c:>22s}" for c in COLUMNS)
    print(header)
    print("-" * len(header))
    results = {}
    for name, build in WORKLOADS:
        if args.only and args.only not in name:
            continue
        impls = build()
        first_call = "first call" in name
        if first_call:   # each call compiles from scratch: time single calls
            times = {k: statistics.median(_single_calls(fn, rounds)) for k, fn in impls.items()}
        else:
            times = compare(impls, rounds, target)
        results[name] = times
        print(f"{name:22s}" + "".join(_cell(times, c) for c in COLUMNS))
    print("\nratios > 1: the other implementation takes longer than minijax "
          "(minijax.jit's column: jax.jit / minijax.jit)")
    if not args.only or args.only in "memory":
        results["memory"] = memory_table()
    return results


def _single_calls(fn, rounds):
    out = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        _block_any(fn())
        out.append(time.perf_counter() - t0)
    return out


def _cell(times, column):
    if column not in times:
        return f"{'':>22s}"
    t = times[column]
    if column == "minijax" or (column == "minijax.jit" and "minijax" not in times):
        return f"{fmt(t):>22s}"
    if column == "jax.jit" and "minijax.jit" in times:
        ref = times["minijax.jit"]
    elif column in ("minijax.jit",):
        ref = times["minijax"]
    else:
        ref = times.get("minijax", times.get("minijax.jit"))
    return f"{fmt(t) + f' ({t / ref:.2f}x)':>22s}"


if __name__ == "__main__":
    main()
