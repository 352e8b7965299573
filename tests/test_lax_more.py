"""top_k, associative_scan, cumlogsumexp, reduce_precision, population_count,
clz and nextafter (under jit) against JAX."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads

from helpers import check_like_jax, x64

RNG = np.random.default_rng(0)


def _with_ties(*shape):
    x = RNG.standard_normal(shape).astype(np.float32)
    x[..., 2] = x[..., 5]   # ties: the lower index comes first
    return x


@pytest.mark.parametrize("axis", [-1, 0])
def test_top_k_like_jax(axis):
    x = _with_ties(6, 7)
    fn = lambda lax: (lambda x: lax.top_k(x, 3, axis=axis))  # noqa: E731
    theirs = fn(jax.lax)(x)
    check_like_jax(fn(minijax.lax)(x), theirs, rtol=0, atol=0)
    check_like_jax(minijax.jit(fn(minijax.lax))(x), theirs, rtol=0, atol=0)
    xs = np.stack([x, -x])
    check_like_jax(minijax.vmap(fn(minijax.lax), 1)(np.moveaxis(xs, 0, 1)),
                   jax.vmap(fn(jax.lax))(xs), rtol=0, atol=0)
    value = lambda lax: (lambda x: lax.top_k(x, 3, axis=axis)[0])  # noqa: E731
    t = RNG.standard_normal(x.shape).astype(np.float32)
    check_like_jax(minijax.jvp(value(minijax.lax), (x,), (t,)),
                   jax.jvp(value(jax.lax), (x,), (t,)))
    check_like_jax(minijax.grad(lambda x: (value(minijax.lax)(x) ** 2).sum())(x),
                   jax.grad(lambda x: (value(jax.lax)(x) ** 2).sum())(x))
    with x64():
        check_grads(value(minijax.lax), (RNG.permutation(42).reshape(6, 7) * 0.5,), order=2,
                    modes=("fwd", "rev"))


def test_top_k_integers_and_errors_like_jax():
    u = RNG.integers(0, 255, (4, 6)).astype(np.uint8)
    check_like_jax(minijax.lax.top_k(u, 2), jax.lax.top_k(u, 2))
    for lax in (jax.lax, minijax.lax):
        with pytest.raises(ValueError):
            lax.top_k(u, 7)
        with pytest.raises(ValueError):
            lax.top_k(u, -1)
        with pytest.raises(ValueError):
            lax.top_k(np.float32(1), 1)


@pytest.mark.parametrize("n", [1, 5, 8])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("fn", ["mul", "max"])
def test_associative_scan_like_jax(fn, reverse, n):
    x = RNG.standard_normal((n, 3)).astype(np.float32)
    check_like_jax(minijax.lax.associative_scan(getattr(minijax.lax, fn), x, reverse=reverse),
                   jax.lax.associative_scan(getattr(jax.lax, fn), x, reverse=reverse),
                   rtol=1e-5, atol=1e-6)


def test_associative_scan_pytrees_axes_and_transformations():
    x = RNG.standard_normal((3, 6)).astype(np.float32)

    def scan(lax):   # a linear recurrence h = a h + b, as pairs (a, b)
        def compose(p, q):
            return lax.mul(q[0], p[0]), lax.add(lax.mul(q[0], p[1]), q[1])
        return lambda a, b: lax.associative_scan(compose, (a, b), axis=-1)[1]
    check_like_jax(scan(minijax.lax)(x, x), scan(jax.lax)(x, x), rtol=1e-5, atol=1e-5)
    check_like_jax(minijax.jit(scan(minijax.lax))(x, x), scan(jax.lax)(x, x), rtol=1e-5,
                   atol=1e-5)
    check_like_jax(minijax.vmap(scan(minijax.lax))(x, x), jax.vmap(scan(jax.lax))(x, x),
                   rtol=1e-5, atol=1e-5)
    with x64():
        check_grads(scan(minijax.lax), (x.astype(np.float64) / 2, x.astype(np.float64)),
                    order=2, modes=("fwd", "rev"))
    with pytest.raises(ValueError):
        minijax.lax.associative_scan(minijax.lax.add, (x, x[:, :2]), axis=1)


@pytest.mark.parametrize("reverse", [False, True])
def test_cumlogsumexp_like_jax(reverse):
    z = (RNG.standard_normal((4, 5)) * 30).astype(np.float32)
    z[0, 0] = -np.inf
    fn = lambda lax: (lambda z: lax.cumlogsumexp(z, axis=1, reverse=reverse))  # noqa: E731
    check_like_jax(fn(minijax.lax)(z), fn(jax.lax)(z), rtol=1e-5, atol=1e-5)
    check_like_jax(minijax.jit(fn(minijax.lax))(z), jax.jit(fn(jax.lax))(z), rtol=1e-5,
                   atol=1e-5)
    zs = np.stack([z, z[::-1]], 2)
    check_like_jax(minijax.vmap(fn(minijax.lax), 2)(zs), jax.vmap(fn(jax.lax), 2)(zs),
                   rtol=1e-5, atol=1e-5)
    finite = z[1:]
    check_like_jax(minijax.grad(lambda z: fn(minijax.lax)(z).sum())(finite),
                   jax.grad(lambda z: fn(jax.lax)(z).sum())(finite), rtol=1e-4, atol=1e-5)
    with x64():
        check_grads(fn(minijax.lax), (RNG.standard_normal((3, 4)),), order=2,
                    modes=("fwd", "rev"))
    with pytest.raises(TypeError):
        minijax.lax.cumlogsumexp(np.array([True]))


@pytest.mark.parametrize("dtype", ["int32", "uint8", "int8", "uint32", "int16"])
@pytest.mark.parametrize("name", ["population_count", "clz"])
def test_bit_counts_like_jax(name, dtype):
    info = np.iinfo(dtype)
    x = np.concatenate([RNG.integers(info.min, info.max, 20, dtype=np.int64),
                        [0, 1, info.max, info.min]]).astype(dtype)
    fn = getattr(minijax.lax, name)
    check_like_jax(fn(x), getattr(jax.lax, name)(x), rtol=0, atol=0)
    check_like_jax(minijax.jit(fn)(x), getattr(jax.lax, name)(x), rtol=0, atol=0)
    check_like_jax(minijax.vmap(fn)(x.reshape(4, 6)), jax.vmap(getattr(jax.lax, name))(
        x.reshape(4, 6)), rtol=0, atol=0)
    with pytest.raises(TypeError):
        fn(np.float32(1))


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_reduce_precision_bit_exact_like_jax(dtype):
    big = 3.0e38 if dtype == "float32" else 6.0e4
    v = np.concatenate([RNG.standard_normal(40) * 1e3, RNG.standard_normal(40) * 1e-5,
                        [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-8, big, -big]]).astype(dtype)
    for e, m in [(5, 10), (8, 7), (4, 3), (5, 2), (3, 1)]:
        ours = minijax.lax.reduce_precision(v, e, m)
        theirs = jax.lax.reduce_precision(v, e, m)
        check_like_jax(ours, theirs, rtol=0, atol=0)
        check_like_jax(minijax.jit(lambda v: minijax.lax.reduce_precision(v, e, m))(v), theirs,
                       rtol=0, atol=0)
    grad = lambda lax, jx: jx.grad(lambda v: lax.reduce_precision(v, 5, 2).sum() * 3)  # noqa: E731
    check_like_jax(grad(minijax.lax, minijax)(v[:4].astype(np.float32)),
                   grad(jax.lax, jax)(v[:4].astype(np.float32)))


def test_nextafter_under_jit_like_jax():
    x, y = np.float32([1, 2, 0, -0.0, 1e-38]), np.float32([2, 0, -1, 1, 0])
    check_like_jax(minijax.jit(minijax.lax.nextafter)(x, y), jax.lax.nextafter(x, y),
                   rtol=0, atol=0)


# ---------------------------------------------------------------------------
# gather and scatter with batching dimensions

def _batched_gather(lax, x, idx):
    """Per batch element b (axis 0 of both), x[b, idx[b, k, 0], idx[b, k, 1]]."""
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(1, 2),
                                    start_index_map=(1, 2), operand_batching_dims=(0,),
                                    start_indices_batching_dims=(0,))
    return lax.gather(x, idx, dn, (1, 1, 1), mode="clip")


def _batched_scatter_add(lax, x, idx, updates):
    # the indices' batching axis is axis 1 here, the operand's axis 2
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0, 1),
                                     scatter_dims_to_operand_dims=(0, 1),
                                     operand_batching_dims=(2,),
                                     scatter_indices_batching_dims=(1,))
    return lax.scatter_add(x, idx, updates, dn)


def test_gather_and_scatter_with_batching_dims_like_jax():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    idx = np.array([[[0, 1], [2, 3], [1, 0]], [[1, 1], [0, 2], [2, 3]]], np.int32)
    sidx = np.array([[[0, 1], [2, 0], [1, 2], [1, 1]]] * 3, np.int32)   # (3, 4, 2)
    updates = RNG.standard_normal((3, 4)).astype(np.float32)
    y = np.moveaxis(x, 0, 1)   # (3, 2, 4): batching axis 2 has 4 entries

    def both(lax):
        return lambda x, y, u: (_batched_gather(lax, x, idx),
                                _batched_scatter_add(lax, y, sidx, u))
    theirs = both(jax.lax)(x, y, updates)
    check_like_jax(both(minijax.lax)(x, y, updates), theirs, rtol=0, atol=0)
    check_like_jax(minijax.jit(both(minijax.lax))(x, y, updates), theirs, rtol=0, atol=0)
    loss = lambda lax: (lambda x, y, u: sum(                       # noqa: E731
        (o * o).sum() for o in both(lax)(x, y, u)))
    check_like_jax(minijax.grad(loss(minijax.lax), (0, 1, 2))(x, y, updates),
                   jax.grad(loss(jax.lax), (0, 1, 2))(x, y, updates))
    xs = np.stack([x, 2 * x])
    check_like_jax(minijax.vmap(lambda x: _batched_gather(minijax.lax, x, idx))(xs),
                   jax.vmap(lambda x: _batched_gather(jax.lax, x, idx))(xs), rtol=0, atol=0)


def test_batching_dims_of_different_sizes_are_an_error_like_jax():
    x = np.zeros((1, 3, 4), np.float32)
    idx = np.zeros((2, 3, 2), np.int32)
    for lax in (jax.lax, minijax.lax):
        with pytest.raises(TypeError, match="batching dimensions .* same shape, got") as info:
            _batched_gather(lax, x, idx)
        assert "got (1,) and (2,)" in str(info.value)


def test_gather_axis_neither_offset_nor_collapsed_is_an_error_like_jax():
    x, idx = np.zeros((2, 3, 4), np.float32), np.zeros((2, 3, 2), np.int32)
    for lax in (jax.lax, minijax.lax):
        dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(2,),
                                        start_index_map=(1, 2), operand_batching_dims=(0,),
                                        start_indices_batching_dims=(0,))
        with pytest.raises(TypeError, match="must either be a offset dimension or explicitly"):
            lax.gather(x, idx, dn, (1, 1, 1), mode="clip")
