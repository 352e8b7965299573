"""Seeded generation of random programs.

``generate(seed)`` always returns the same program for the same seed. Inputs
are float64 arrays of small shapes built from two or three dimension sizes,
so that binary ops often find partners to broadcast with and matrix products
find matching dimensions. Operands are drawn from the whole pool with a bias
towards recent values: programs are chains with fan-out and reuse.
"""
import numpy as np

from .ops import OPS
from .program import Op, Program

_KINDS = sorted(OPS)
_WEIGHTS = np.array([OPS[k].weight for k in _KINDS]) / sum(OPS[k].weight for k in _KINDS)


class Pool:
    """The values defined so far (name -> shape) and how to draw from them."""

    def __init__(self, rng, shapes):
        self.rng = rng
        self.shapes = dict(shapes)

    def pick(self, pred):
        """A random name whose shape satisfies ``pred``, recent ones likelier;
        None if there is none."""
        names = [n for n, s in self.shapes.items() if pred(s)]
        if not names:
            return None
        w = np.arange(1, len(names) + 1, dtype=float) ** 1.5
        return names[int(self.rng.choice(len(names), p=w / w.sum()))]


def _input_shapes(rng):
    n, m = (int(d) for d in rng.choice([2, 3, 4], size=2))
    menu = [(), (m,), (n,), (n, m), (n, 1), (1, m), (m, n), (2, n, m)]
    count = int(rng.integers(1, 4))
    return [menu[int(i)] for i in rng.choice(len(menu), size=count)]


def generate(seed, max_ops=12):
    """The random program of ``seed`` (between 1 and ``max_ops`` ops)."""
    rng = np.random.default_rng(seed)
    inputs = {f"x{i}": rng.normal(size=s) for i, s in enumerate(_input_shapes(rng))}
    pool = Pool(rng, {k: np.shape(v) for k, v in inputs.items()})
    ops, counter, target = [], len(inputs), int(rng.integers(1, max_ops + 1))
    while len(ops) < target:
        kind = _KINDS[int(rng.choice(len(_KINDS), p=_WEIGHTS))]
        proposal = OPS[kind].propose(pool)
        if proposal is None:
            continue
        args, params, shapes = proposal
        outs = tuple(f"v{counter + i}" for i in range(len(shapes)))
        counter += len(shapes)
        ops.append(Op(kind, tuple(args), params, outs, tuple(tuple(s) for s in shapes)))
        pool.shapes.update(zip(outs, ops[-1].shapes))
    defined = [o for op in ops for o in op.outs]
    extra = [n for n in rng.choice(defined, size=int(rng.integers(0, 3))) if n != defined[-1]]
    outputs = list(dict.fromkeys(extra + [defined[-1]]))
    return Program(seed, inputs, ops, outputs)
