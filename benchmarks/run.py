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
installed) and ``numpy`` (plain forward computation, where meaningful).
"""
import argparse
import gc
import statistics
import sys
import time

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
    return {"minijax.jit": lambda: m(mx), "jax.jit": lambda: j(jx),
            "numpy": (lambda v: lambda: v * 2 + 1)(np.ones(3, np.float32))}


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


def bench_hvp(variant):
    def build():
        X = RNG.standard_normal((30, 40)).astype(np.float32)
        V = RNG.standard_normal((30, 40)).astype(np.float32)
        impls = {}
        for name, lib, np_ in (("minijax", minijax, mjnp), ("jax", jax, jjnp)):
            fn = hvp_variants(lib, np_)[variant]
            impls[name] = (lambda fn, a, b: lambda: fn(a, b))(fn, np_.asarray(X), np_.asarray(V))
        if autograd and variant in ("rev-over-rev", "naive hessian"):
            f = lambda X: anp.sum(anp.tanh(X) ** 2)
            if variant == "rev-over-rev":
                g = autograd.grad(lambda X: anp.sum(autograd.grad(f)(X) * V))
                impls["autograd"] = lambda: g(X)
            else:
                h = autograd.hessian(f)
                impls["autograd"] = lambda: np.tensordot(h(X), V, 2)
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


def bench_per_example():
    """per-example gradients, vmap(grad(loss)) eager vs jit (MLP 64-128-128-10, batch 128)."""
    params = mlp_params((64, 128, 128, 10))
    x = RNG.standard_normal((128, 64)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, 128)]

    def build(lib, np_):
        loss = make_loss(np_)

        def example_loss(p, xi, yi):
            return loss(p, xi[None], yi[None])
        return lib.vmap(lib.grad(example_loss), in_axes=(None, 0, 0))

    m, j = build(minijax, mjnp), build(jax, jjnp)
    mp, jp = to(mjnp, params), to(jjnp, params)
    mx, my, jx, jy = mjnp.asarray(x), mjnp.asarray(y), jjnp.asarray(x), jjnp.asarray(y)
    mjit, jjit = minijax.jit(m), jax.jit(j)
    return {"minijax": lambda: m(mp, mx, my), "minijax.jit": lambda: mjit(mp, mx, my),
            "jax": lambda: j(jp, jx, jy), "jax.jit": lambda: jjit(jp, jx, jy)}


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
    ("per-example grads", bench_per_example),
]

COLUMNS = ["minijax", "minijax.jit", "jax", "jax.jit", "autograd", "numpy"]


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
