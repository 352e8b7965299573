"""``jnp.einsum``: Einstein summation, reduced to ``dot_general`` calls.

Each operand's private indices are summed out first, repeated indices within
one operand take a diagonal, and the operands are then contracted pairwise
from left to right. (JAX asks opt_einsum for the cheapest pairwise order; for
the one- and two-operand contractions of the book the order is moot.)
"""
import string

from .. import lax
from .. import numpy as jnp  # a cycle: numpy/__init__ imports this module


def einsum(subscripts, /, *operands, optimize="auto", precision=None,
           preferred_element_type=None):
    """Evaluate an Einstein summation such as ``einsum("ij,jk->ik", a, b)``."""
    if not isinstance(subscripts, str):
        raise TypeError("minijax's einsum takes a subscripts string first, e.g. "
                        "einsum('ij,jk->ik', a, b)")
    operands = jnp.promote_dtypes(*operands) if len(operands) > 1 else [
        jnp.asarray(operands[0])]
    inputs, output = _parse(subscripts.replace(" ", ""), [op.ndim for op in operands])
    if len(inputs) != len(operands):
        raise ValueError(f"einsum: {len(inputs)} operand subscripts for {len(operands)} "
                         "operands")
    terms = []
    for letters, op in zip(inputs, operands):
        if len(letters) != op.ndim:
            raise ValueError(f"einsum: subscripts {letters!r} do not match an operand of "
                             f"rank {op.ndim}")
        terms.append(_take_diagonals(op, letters))
    sizes = {}
    for letters, op in terms:
        for ch, n in zip(letters, op.shape):
            if sizes.setdefault(ch, n) != n and 1 not in (n, sizes[ch]):
                raise ValueError(f"einsum: index {ch!r} has sizes {sizes[ch]} and {n}")
    terms = [_sum_private(i, terms, output) for i in range(len(terms))]
    letters, acc = terms[0]
    for i in range(1, len(terms)):
        later = set(output).union(*(t[0] for t in terms[i + 1:]))
        letters, acc = _contract(letters, acc, *terms[i], later, precision,
                                 preferred_element_type)
    missing = set(output) - set(letters)
    if missing:
        raise ValueError(f"einsum: output subscripts {sorted(missing)} do not appear in the "
                         "inputs")
    unneeded = tuple(i for i, ch in enumerate(letters) if ch not in output)
    if unneeded:
        acc = lax.reduce_sum(acc, unneeded)
        letters = "".join(ch for ch in letters if ch in output)
    return lax.transpose(acc, tuple(letters.index(ch) for ch in output))


def _parse(subscripts, ranks):
    """Split into input and output letter strings, expanding ``...``."""
    if "->" in subscripts:
        lhs, output = subscripts.split("->")
    else:
        lhs, output = subscripts, None
    inputs = lhs.split(",")
    unused = [c for c in string.ascii_letters if c not in subscripts]
    n_ellipsis = max([rank - len(s.replace("...", "")) for s, rank in zip(inputs, ranks)
                      if "..." in s] or [0])
    ell = "".join(unused[:n_ellipsis])
    expanded = []
    for s, rank in zip(inputs, ranks):
        if "..." in s:
            k = rank - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ellipsis - k:])
        expanded.append(s)
    if output is None:
        counts = {}
        for s in expanded:
            for ch in s:
                counts[ch] = counts.get(ch, 0) + 1
        output = ell + "".join(sorted(ch for ch, c in counts.items()
                                      if c == 1 and ch not in ell))
    else:
        output = output.replace("...", ell)
    return expanded, output


def _take_diagonals(op, letters):
    """Indices repeated within one operand select its diagonal."""
    while len(set(letters)) < len(letters):
        ch = next(c for c in letters if letters.count(c) > 1)
        i = letters.index(ch)
        j = letters.index(ch, i + 1)
        op = jnp.diagonal(op, 0, i, j)   # moves the diagonal to the last axis
        letters = "".join(c for k, c in enumerate(letters) if k not in (i, j)) + ch
    return letters, op


def _sum_private(i, terms, output):
    """Sum out the indices that appear in no other operand and not in the output."""
    letters, op = terms[i]
    others = set(output).union(*(t[0] for k, t in enumerate(terms) if k != i))
    private = tuple(k for k, ch in enumerate(letters) if ch not in others)
    if not private:
        return letters, op
    return "".join(ch for ch in letters if ch in others), lax.reduce_sum(op, private)


def _contract(la, a, lb, b, later, precision, preferred_element_type):
    """One pairwise contraction: shared indices needed later are batch axes,
    the other shared ones are summed."""
    shared = [ch for ch in la if ch in lb]
    batch = [ch for ch in shared if ch in later]
    contract = [ch for ch in shared if ch not in later]
    dn = ((tuple(la.index(c) for c in contract), tuple(lb.index(c) for c in contract)),
          (tuple(la.index(c) for c in batch), tuple(lb.index(c) for c in batch)))
    out = lax.dot_general(a, b, dn, precision, preferred_element_type)
    free_a = [ch for ch in la if ch not in shared]
    free_b = [ch for ch in lb if ch not in shared]
    return "".join(batch + free_a + free_b), out
