"""The numpy kernels behind ``dot_general``: a performance layer.

``dot_general`` means one thing (multiply along paired axes, sum the
contracting ones), but numpy has several ways to compute it, and on small
programs the choice decides minijax's speed. ``batched_matmul`` is the
general method, the one to read: every case becomes one batched ``np.matmul``.
``dot_general`` below picks a faster numpy call for the cases it recognises:

* nothing to sum (an outer product, batched or not, as in per-example
  gradients): a broadcast multiply. A batched matmul with contraction size 1
  runs a tiny BLAS call per batch element, which is many times slower;
* no batch axes: ``np.tensordot``, one BLAS matrix product;
* true batches: ``batched_matmul``.

All of them give the same result up to rounding; an outer product computes
each element as one product, exactly, as XLA does.
"""
import math

import numpy as np


def free_axes(ndim, contract, batch):
    """The axes of an operand that are neither contracted nor batch axes."""
    return [i for i in range(ndim) if i not in contract and i not in batch]


def _size(x, axes):
    return math.prod(x.shape[a] for a in axes)


def batched_matmul(lhs, rhs, dimension_numbers):
    """``dot_general`` as one matrix product per batch element:
    (batch, lhs free, contract) @ (batch, contract, rhs free)."""
    (lc, rc), (lb, rb) = dimension_numbers
    lf, rf = free_axes(lhs.ndim, lc, lb), free_axes(rhs.ndim, rc, rb)
    l3 = np.transpose(lhs, list(lb) + lf + list(lc)).reshape(
        _size(lhs, lb), _size(lhs, lf), _size(lhs, lc))
    r3 = np.transpose(rhs, list(rb) + list(rc) + rf).reshape(
        _size(rhs, rb), _size(rhs, rc), _size(rhs, rf))
    out = np.matmul(l3, r3)
    shape = ([lhs.shape[a] for a in lb] + [lhs.shape[a] for a in lf]
             + [rhs.shape[a] for a in rf])
    return out.reshape(shape)


def outer_product(lhs, rhs, dimension_numbers):
    """``dot_general`` whose contracting axes hold one element (or none): a
    broadcast multiply, batch axes aligned, lhs free axes before rhs free axes."""
    (lc, rc), (lb, rb) = dimension_numbers
    lf, rf = free_axes(lhs.ndim, lc, lb), free_axes(rhs.ndim, rc, rb)
    # Index the size-1 contracting axes away, then lay out (batch, lhs free, 1...)
    # and (batch, 1..., rhs free) so that multiplying broadcasts to the result.
    lhs = np.transpose(lhs, list(lb) + lf + list(lc))[(..., *[0] * len(lc))]
    rhs = np.transpose(rhs, list(rb) + rf + list(rc))[(..., *[0] * len(rc))]
    lhs = lhs.reshape(lhs.shape + (1,) * len(rf))
    rhs = rhs.reshape(rhs.shape[:len(rb)] + (1,) * len(lf) + rhs.shape[len(rb):])
    return np.multiply(lhs, rhs)


def dot_general(lhs, rhs, dimension_numbers):
    """``dot_general`` on numpy arrays of one dtype, with the fastest numpy
    call for the case."""
    (lc, rc), (lb, _) = dimension_numbers
    if lhs.dtype == np.bool_:   # numpy's matmul gives or-of-ands on bools: keep it
        return batched_matmul(lhs, rhs, dimension_numbers)
    if _size(lhs, lc) == 1:
        return outer_product(lhs, rhs, dimension_numbers)
    if not lb:
        return np.tensordot(lhs, rhs, (list(lc), list(rc)))
    return batched_matmul(lhs, rhs, dimension_numbers)
