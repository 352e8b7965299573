"""minijax.nn against jax.nn, name by name: values in float32 and float64
and across shapes, gradients (against jax.grad and by finite differences),
vmap, jit, the ``where=`` masks, dot_product_attention, and the initializers
(bit for bit: minijax.random is JAX's threefry)."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads
from helpers import F64_TOL, check_like_jax, x64

# Kinks (0, +-1, 6, -3, 3), large inputs, and ordinary points.
X = np.array([-40.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.25, 1.0, 3.0, 6.0, 7.5, 40.0])
# Points away from every kink, for finite differences.
SMOOTH = np.array([-2.3, -0.7, 0.4, 1.7, 4.2])

ACTIVATIONS = ["relu", "relu6", "sigmoid", "tanh", "softplus", "log_sigmoid", "soft_sign",
               "squareplus", "sparse_plus", "sparse_sigmoid", "silu", "swish", "mish", "elu",
               "celu", "selu", "leaky_relu", "hard_tanh", "hard_sigmoid", "hard_silu",
               "hard_swish", "identity"]
WITH_PARAMS = [("elu", dict(alpha=0.5)), ("celu", dict(alpha=2.0)),
               ("leaky_relu", dict(negative_slope=0.2)), ("squareplus", dict(b=1.5)),
               ("gelu", dict(approximate=True)), ("gelu", dict(approximate=False))]
CASES = [(name, {}) for name in ACTIVATIONS] + WITH_PARAMS


def _pair(name, kwargs):
    ours, theirs = getattr(minijax.nn, name), getattr(jax.nn, name)
    return (lambda x: ours(x, **kwargs)), (lambda x: theirs(x, **kwargs))


def test_every_activation_of_jax_nn_is_here():
    skipped = {"scaled_matmul", "scaled_dot_general", "get_scaled_dot_general_config"}
    missing = [n for n in dir(jax.nn) if not n.startswith("_") and n not in skipped
               and not hasattr(minijax.nn, n)]
    assert not missing, missing


@pytest.mark.parametrize("name,kwargs", CASES, ids=lambda c: str(c))
def test_activation_values(name, kwargs):
    ours, theirs = _pair(name, kwargs)
    x32 = X.astype(np.float32)
    check_like_jax(ours(x32), theirs(x32))
    check_like_jax(ours(x32.reshape(3, 4)), theirs(x32.reshape(3, 4)))
    check_like_jax(ours(np.float32(0.5)), theirs(np.float32(0.5)))
    with x64():
        check_like_jax(ours(X), theirs(X), **F64_TOL)


@pytest.mark.parametrize("name,kwargs", CASES, ids=lambda c: str(c))
def test_activation_gradients(name, kwargs):
    """The derivative at every point of X, kinks included, is JAX's."""
    ours, theirs = _pair(name, kwargs)
    x32 = X.astype(np.float32)
    check_like_jax(minijax.vmap(minijax.grad(ours))(x32), jax.vmap(jax.grad(theirs))(x32))
    with x64():
        check_like_jax(minijax.vmap(minijax.grad(ours))(X), jax.vmap(jax.grad(theirs))(X),
                       **F64_TOL)
        check_grads(ours, (SMOOTH,), order=2)


@pytest.mark.parametrize("name,kwargs", CASES[::3], ids=lambda c: str(c))
def test_activation_under_jit(name, kwargs):
    ours, theirs = _pair(name, kwargs)
    x32 = X.astype(np.float32)
    check_like_jax(minijax.jit(ours)(x32), jax.jit(theirs)(x32), rtol=1e-5, atol=1e-6)
    check_like_jax(minijax.jit(minijax.grad(lambda x: ours(x).sum()))(x32),
                   jax.jit(jax.grad(lambda x: theirs(x).sum()))(x32), rtol=1e-5, atol=1e-6)


def test_activations_reject_lists():
    with pytest.raises(TypeError, match="silu"):
        minijax.nn.silu([1.0, 2.0])


def test_glu():
    x = np.arange(12, dtype=np.float32).reshape(3, 4) / 5 - 1
    for axis in (-1, 1):
        check_like_jax(minijax.nn.glu(x, axis), jax.nn.glu(x, axis))
    check_like_jax(minijax.grad(lambda x: minijax.nn.glu(x).sum())(x),
                   jax.grad(lambda x: jax.nn.glu(x).sum())(x))
    check_like_jax(minijax.vmap(minijax.nn.glu)(x), jax.vmap(jax.nn.glu)(x))
    with pytest.raises(ValueError, match="divisible by 2"):
        minijax.nn.glu(x, axis=0)


def test_log1mexp():
    x = np.array([1e-3, 0.3, np.log(2.0), 2.0, 30.0], np.float32)
    check_like_jax(minijax.nn.log1mexp(x), jax.nn.log1mexp(x))
    check_like_jax(minijax.vmap(minijax.grad(minijax.nn.log1mexp))(x),
                   jax.vmap(jax.grad(jax.nn.log1mexp))(x))


M = np.array([[1.0, -2.0, 3.0, 0.5], [0.5, 0.5, -1.0, 40.0], [-3.0, 2.0, 2.0, 1.0]])
MASK = np.array([[True, False, True, True], [True, True, False, False],
                 [False, False, False, False]])


@pytest.mark.parametrize("axis,masked", [(-1, False), (0, True), ((0, 1), False),
                                         (None, True), (-1, True)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(name, axis, masked):
    ours, theirs = getattr(minijax.nn, name), getattr(jax.nn, name)
    where = MASK if masked else None
    m32 = M.astype(np.float32)
    check_like_jax(ours(m32, axis, where=where), theirs(m32, axis, where=where))
    w = np.arange(12.0, dtype=np.float32).reshape(3, 4)

    def loss(f, jnp):
        # Masked-out log_softmax entries are -inf: leave them out of the sum.
        return lambda m: (w * jnp.where(MASK, f(m, axis, where=where), 0) if masked
                          else w * f(m, axis, where=where)).sum()
    check_like_jax(minijax.grad(loss(ours, minijax.numpy))(m32),
                   jax.grad(loss(theirs, jax.numpy))(m32))
    with x64():
        check_like_jax(ours(M, axis, where=where), theirs(M, axis, where=where), **F64_TOL)
    check_like_jax(minijax.vmap(lambda m: ours(m, -1))(m32), jax.vmap(lambda m: theirs(m, -1))(m32))
    check_like_jax(minijax.jit(lambda m: ours(m, axis, where=where))(m32),
                   theirs(m32, axis, where=where))


@pytest.mark.parametrize("kwargs", [
    dict(), dict(axis=1), dict(axis=0, keepdims=True), dict(axis=(0, 1)),
    dict(axis=1, b=np.array([1.0, 2.0, 0.0, 0.5])),
    dict(axis=1, b=np.array([1.0, -2.0, 0.5, 0.5]), return_sign=True),
    dict(axis=1, b=np.array([1.0, -2.0, 0.5, 0.5])),
    dict(axis=1, where=MASK), dict(where=MASK, keepdims=True)])
def test_logsumexp(kwargs):
    m32 = M.astype(np.float32)
    ours = minijax.nn.logsumexp(m32, **kwargs)
    check_like_jax(ours, jax.nn.logsumexp(m32, **kwargs))
    check_like_jax(minijax.scipy.special.logsumexp(m32, **kwargs),
                   jax.scipy.special.logsumexp(m32, **kwargs))

    def total(f):
        def fn(m):
            out = f(m, **kwargs)
            out = out[0] if isinstance(out, tuple) else out
            return (out * np.isfinite(np.asarray(ours[0] if isinstance(ours, tuple) else ours))
                    ).sum()
        return fn
    check_like_jax(minijax.grad(total(minijax.nn.logsumexp))(m32),
                   jax.grad(total(jax.nn.logsumexp))(m32))
    with x64():
        check_like_jax(minijax.nn.logsumexp(M, **kwargs), jax.nn.logsumexp(M, **kwargs),
                       **F64_TOL)


def test_logsumexp_infinities_and_jit():
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [0.0, 1.0]], np.float32)
    check_like_jax(minijax.nn.logsumexp(x, axis=1), jax.nn.logsumexp(x, axis=1))
    check_like_jax(minijax.jit(lambda m: minijax.nn.logsumexp(m, 1))(M.astype(np.float32)),
                   jax.nn.logsumexp(M.astype(np.float32), 1))
    with x64():
        check_grads(lambda m: minijax.nn.logsumexp(m, 1, b=np.array([1.0, 2.0, 0.5, 3.0])),
                    (M,), order=2)


@pytest.mark.parametrize("kwargs", [dict(), dict(axis=0), dict(axis=1, where=MASK),
                                    dict(axis=1, keepdims=True)])
def test_logmeanexp(kwargs):
    m32 = M.astype(np.float32)
    check_like_jax(minijax.nn.logmeanexp(m32, **kwargs), jax.nn.logmeanexp(m32, **kwargs))


@pytest.mark.parametrize("kwargs", [
    dict(), dict(axis=0), dict(axis=None), dict(algorithm="stable"),
    dict(where=MASK[:2]), dict(where=MASK[:2], algorithm="stable"),
    dict(mean=0.5, variance=2.0), dict(epsilon=0.1)])
def test_standardize(kwargs):
    x = M[:2].astype(np.float32)
    check_like_jax(minijax.nn.standardize(x, **kwargs), jax.nn.standardize(x, **kwargs))
    w = np.arange(8, dtype=np.float32).reshape(2, 4)
    check_like_jax(minijax.grad(lambda x: (w * minijax.nn.standardize(x, **kwargs)).sum())(x),
                   jax.grad(lambda x: (w * jax.nn.standardize(x, **kwargs)).sum())(x),
                   rtol=2e-5, atol=2e-5)
    with x64():
        check_like_jax(minijax.nn.standardize(M[:2], **kwargs),
                       jax.nn.standardize(M[:2], **kwargs), **F64_TOL)


def test_standardize_rejects_unknown_algorithm():
    with pytest.raises(ValueError, match="algorithm"):
        minijax.nn.standardize(M, algorithm="fancy")


@pytest.mark.parametrize("kwargs", [dict(), dict(axis=0), dict(dtype=np.int32),
                                    dict(axis=1, dtype=np.bool_)])
def test_one_hot(kwargs):
    y = np.array([[0, 2, 1], [5, -1, 3]], np.int32)
    check_like_jax(minijax.nn.one_hot(y, 4, **kwargs), jax.nn.one_hot(y, 4, **kwargs))
    check_like_jax(minijax.vmap(lambda v: minijax.nn.one_hot(v, 4, **kwargs))(y),
                   jax.vmap(lambda v: jax.nn.one_hot(v, 4, **kwargs))(y))
    check_like_jax(minijax.jit(lambda v: minijax.nn.one_hot(v, 4, **kwargs))(y),
                   jax.nn.one_hot(y, 4, **kwargs))


# ---------------------------------------------------------------------------
# dot_product_attention


def _qkv(B, T, S, N, K, H, dtype=np.float32, batched=True):
    rng = np.random.default_rng(0)
    lead = (B,) if batched else ()
    q = rng.normal(size=lead + (T, N, H)).astype(dtype)
    k = rng.normal(size=lead + (S, K, H)).astype(dtype)
    v = rng.normal(size=lead + (S, K, H)).astype(dtype)
    return q, k, v


ATTENTION = [   # (N, K) heads, then keyword arguments
    ((4, 4), dict()),
    ((4, 2), dict(is_causal=True)),
    ((4, 1), dict(scale=0.3)),
    ((4, 2), dict(bias=np.linspace(-1, 1, 2 * 4 * 3 * 5).reshape(2, 4, 3, 5).astype(np.float32))),
    ((2, 2), dict(bias=np.linspace(-1, 1, 15).reshape(1, 1, 3, 5).astype(np.float32))),
    ((4, 2), dict(mask=np.tril(np.ones((3, 5), bool), 1)[None, None])),
    ((2, 1), dict(query_seq_lengths=np.array([2, 3], np.int32),
                  key_value_seq_lengths=np.array([4, 1], np.int32))),
    ((2, 2), dict(local_window_size=1)),
    ((4, 2), dict(local_window_size=(2, 0), is_causal=True)),
]


@pytest.mark.parametrize("heads,kwargs", ATTENTION, ids=lambda c: str(c)[:40])
def test_dot_product_attention(heads, kwargs):
    N, K = heads
    q, k, v = _qkv(2, 3, 5, N, K, 8)
    check_like_jax(minijax.nn.dot_product_attention(q, k, v, **kwargs),
                   jax.nn.dot_product_attention(q, k, v, **kwargs), rtol=2e-5, atol=2e-6)
    w = np.cos(np.arange(q.size)).reshape(q.shape).astype(np.float32)

    def loss(f):
        return lambda q, k, v: (w * f(q, k, v, **kwargs)).sum()
    check_like_jax(minijax.grad(loss(minijax.nn.dot_product_attention), (0, 1, 2))(q, k, v),
                   jax.grad(loss(jax.nn.dot_product_attention), (0, 1, 2))(q, k, v),
                   rtol=2e-5, atol=2e-5)


def test_dot_product_attention_residual_rank3_vmap_jit_x64():
    q, k, v = _qkv(2, 3, 5, 2, 2, 4)
    check_like_jax(minijax.nn.dot_product_attention(q, k, v, return_residual=True),
                   jax.nn.dot_product_attention(q, k, v, return_residual=True), rtol=2e-5,
                   atol=2e-6)
    check_like_jax(minijax.nn.dot_product_attention(q[0], k[0], v[0]),
                   jax.nn.dot_product_attention(q[0], k[0], v[0]), rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.vmap(minijax.nn.dot_product_attention)(q, k, v),
                   jax.vmap(jax.nn.dot_product_attention)(q, k, v), rtol=2e-5, atol=2e-6)
    check_like_jax(minijax.jit(lambda *a: minijax.nn.dot_product_attention(*a, is_causal=True))(
        q, k, v), jax.nn.dot_product_attention(q, k, v, is_causal=True), rtol=2e-5, atol=2e-6)
    with x64():
        q, k, v = _qkv(2, 3, 5, 2, 1, 4, np.float64)
        # The softmax runs in float32 even here (as in JAX): float32 tolerances.
        check_like_jax(minijax.nn.dot_product_attention(q, k, v, is_causal=True),
                       jax.nn.dot_product_attention(q, k, v, is_causal=True))


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(implementation="tpu"), ValueError, "implementation"),
    (dict(implementation="cudnn"), NotImplementedError, "cudnn"),
    (dict(mask=np.ones((1, 1, 3, 5), np.float32)), ValueError, "mask dtype"),
    (dict(query_seq_lengths=np.array([1, 2, 3], np.int32)), ValueError, "query_seq_lengths"),
])
def test_dot_product_attention_bad_input(kwargs, error, match):
    q, k, v = _qkv(2, 3, 5, 4, 2, 8)
    with pytest.raises(error, match=match):
        minijax.nn.dot_product_attention(q, k, v, **kwargs)
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        minijax.nn.dot_product_attention(*_qkv(2, 3, 5, 3, 2, 8))


# ---------------------------------------------------------------------------
# initializers: JAX's numbers for the same key, bit for bit

INITIALIZERS = [
    ("zeros", None), ("ones", None), ("constant", (-7,)), ("uniform", ()), ("uniform", (3.0,)),
    ("normal", ()), ("normal", (0.5,)), ("truncated_normal", ()),
    ("truncated_normal", (1.0, None, -1.0, 0.5)),
    ("glorot_uniform", ()), ("glorot_normal", ()), ("xavier_uniform", ()),
    ("xavier_normal", ()), ("he_uniform", ()), ("he_normal", ()), ("kaiming_uniform", ()),
    ("kaiming_normal", ()), ("lecun_uniform", ()), ("lecun_normal", ()),
    ("variance_scaling", (0.7, "fan_out", "normal")),
    ("variance_scaling", (2.0, "fan_geo_avg", "uniform")),
    ("variance_scaling", (1.0, "fan_in", "truncated_normal", 0, 1)),
    ("glorot_uniform", (0, -1, 1)),
]


def _initializer(module, name, args):
    fn = getattr(module, name)
    return fn if args is None else fn(*args)


@pytest.mark.parametrize("name,args", INITIALIZERS, ids=lambda c: str(c))
def test_initializers_bit_for_bit(name, args):
    shape = (2, 3, 5)
    ours = _initializer(minijax.nn.initializers, name, args)
    theirs = _initializer(jax.nn.initializers, name, args)
    for dtype in (np.float32, None):
        got = ours(minijax.random.key(42), shape, dtype)
        want = theirs(jax.random.key(42), shape, dtype)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    if name not in ("glorot_normal", "he_uniform", "variance_scaling"):
        return   # float64: a few suffice (each dtype compiles the samplers again)
    with x64():
        np.testing.assert_array_equal(
            np.asarray(ours(minijax.random.key(1), shape, np.float64)),
            np.asarray(theirs(jax.random.key(1), shape, np.float64)))


@pytest.mark.parametrize("name", ["variance_scaling"])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "normal"])
def test_complex_variance_scaling(name, distribution):
    ours = minijax.nn.initializers.variance_scaling(1.0, "fan_avg", distribution)
    theirs = jax.nn.initializers.variance_scaling(1.0, "fan_avg", distribution)
    got = ours(minijax.random.key(3), (4, 3), np.complex64)
    want = theirs(jax.random.key(3), (4, 3), np.complex64)
    check_like_jax(got, want)


@pytest.mark.parametrize("shape,column_axis", [((3, 3), -1), ((4, 2), -1), ((2, 5), -1),
                                               ((2, 3, 4), 0)])
def test_orthogonal(shape, column_axis):
    ours = minijax.nn.initializers.orthogonal(1.5, column_axis)(minijax.random.key(0), shape)
    theirs = jax.nn.initializers.orthogonal(1.5, column_axis)(jax.random.key(0), shape)
    check_like_jax(ours, theirs, rtol=1e-5, atol=1e-6)
    check_like_jax(minijax.random.orthogonal(minijax.random.key(1), 3, (2,), m=5),
                   jax.random.orthogonal(jax.random.key(1), 3, (2,), m=5), rtol=1e-5, atol=1e-6)


def test_delta_orthogonal():
    ours = minijax.nn.initializers.delta_orthogonal()(minijax.random.key(0), (3, 3, 2, 4))
    theirs = jax.nn.initializers.delta_orthogonal()(jax.random.key(0), (3, 3, 2, 4))
    check_like_jax(ours, theirs, rtol=1e-5, atol=1e-6)


def test_initializer_protocol():
    assert isinstance(minijax.nn.initializers.he_normal(), minijax.nn.initializers.Initializer)


def test_initializer_bad_input():
    with pytest.raises(ValueError, match="invalid mode"):
        minijax.nn.initializers.variance_scaling(1.0, "fan_sideways", "normal")(
            minijax.random.key(0), (2, 2))
    with pytest.raises(ValueError, match="invalid distribution"):
        minijax.nn.initializers.variance_scaling(1.0, "fan_in", "cauchy")(
            minijax.random.key(0), (2, 2))
    with pytest.raises(ValueError, match="at least 2D"):
        minijax.nn.initializers.glorot_normal()(minijax.random.key(0), (3,))
    with pytest.raises(ValueError, match="at least a 2D"):
        minijax.nn.initializers.orthogonal()(minijax.random.key(0), (3,))
