"""Memory and time of reverse mode through a long loop, with and without checkpointing.

    python benchmarks/checkpoint.py                 # about four minutes
    python benchmarks/checkpoint.py --quick         # smaller T, seconds
    python benchmarks/checkpoint.py --lengths 100 1000 10000 --checkpoints 8 32
    python benchmarks/checkpoint.py --plot out.png  # also draw the curves
    python benchmarks/checkpoint.py --jit --lengths 100 1000 10000   # compiled: time only

The gradient of ``sum(final carry)`` of a loop of T steps whose carry holds
``--size`` float32 numbers (100k by default), computed eagerly by minijax:

* ``scan``: ``lax.scan``; reverse mode saves every step's residuals;
* ``scan+remat``: ``lax.scan`` of ``checkpoint(body)``: saves each step's input carry;
* ``ckpt=c``: ``checkpointed_scan(..., checkpoints=c)``: at most c carries.

Peak memory is measured with tracemalloc (numpy allocations are traced) and
reported in units of one carry; time is wall-clock seconds of one gradient.
Plain scan and scan+remat grow linearly in T, so they are run only up to
``--max-linear-T`` to keep the machine usable.
"""
import argparse
import time
import tracemalloc

import numpy as np

import minijax
import minijax.numpy as jnp
from minijax import lax
from minijax.ad_checkpoint import checkpointed_scan


def body(c, x):
    # A few elementwise operations; their residuals are carry-sized.
    return c * (1.0 - 0.01 * c * c) + x * jnp.cos(c), None


def methods(checkpoints):
    out = {"scan": lambda c, xs: lax.scan(body, c, xs),
           "scan+remat": lambda c, xs: lax.scan(minijax.checkpoint(body), c, xs)}
    for k in checkpoints:
        out[f"ckpt={k}"] = (lambda c, xs, k=k: checkpointed_scan(body, c, xs, checkpoints=k))
    return out


def measure(loop, size, length, jit=False):
    """(peak memory in carries, seconds) of one eager gradient; with ``jit``,
    (nan, seconds) of one compiled gradient (compilation excluded):
    tracemalloc cannot see XLA's buffers."""
    c0 = np.linspace(-1, 1, size).astype(np.float32)
    xs = np.linspace(0, 0.01, length).astype(np.float32)
    grad = minijax.grad(lambda c: jnp.sum(loop(c, xs)[0]))
    if jit:
        grad = minijax.jit(grad)
        np.asarray(grad(c0))   # compile
        start = time.perf_counter()
        np.asarray(grad(c0))
        return float("nan"), time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    np.asarray(grad(c0))
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / (4 * size), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--lengths", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--max-linear-T", type=int, default=300)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--jit", action="store_true", help="time compiled gradients")
    parser.add_argument("--plot", metavar="PNG")
    args = parser.parse_args()
    if args.quick:
        args.size, args.lengths = 10_000, [30, 100, 300]
    rows = {}
    mode = "minijax.jit" if args.jit else "eager minijax"
    print(f"carry: {args.size} float32; memory in carries, time in seconds ({mode})")
    print(f"{'T':>6} {'method':>11} {'peak mem':>9} {'time':>8} {'mem/scan':>9} {'time/scan':>10}")
    for length in args.lengths:
        for name, loop in methods(args.checkpoints).items():
            if name.startswith("scan") and length > args.max_linear_T:
                continue
            mem, sec = measure(loop, args.size, length, args.jit)
            rows[name, length] = (mem, sec)
            base = rows.get(("scan", length))
            ratio = (f"{mem / base[0]:9.3f} {sec / base[1]:10.2f}" if base else
                     f"{'-':>9} {'-':>10}")
            print(f"{length:6d} {name:>11} {mem:9.1f} {sec:8.2f} {ratio}", flush=True)
    if args.plot:
        plot(rows, args.plot)


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax_mem, ax_time) = plt.subplots(1, 2, figsize=(10, 4))
    for name in dict.fromkeys(n for n, _ in rows):
        ts = sorted(t for n, t in rows if n == name)
        ax_mem.loglog(ts, [rows[name, t][0] for t in ts], "o-", label=name)
        ax_time.loglog(ts, [rows[name, t][1] for t in ts], "o-", label=name)
    ax_mem.set(xlabel="steps T", ylabel="peak memory (carries)", title="memory")
    ax_time.set(xlabel="steps T", ylabel="seconds per gradient", title="time")
    ax_mem.legend()
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    main()
