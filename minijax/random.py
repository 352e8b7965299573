"""``minijax.random``: JAX's default PRNG, threefry2x32, bit for bit.

There is no hidden random state. A *key* is a pair of 32-bit words, and every
random number is a pure function of a key: ``normal(key, (3,))`` gives the
same three numbers every time. New keys come from old ones by ``split`` and
``fold_in``, which hash a key together with a counter.

The hash is Threefry-2x32 (Salmon et al., "Parallel random numbers: as easy as
1, 2, 3", 2011): 20 rounds of add, rotate and xor on pairs of ``uint32``
words. It is written below with ``lax`` operations, so it runs eagerly, is
staged by ``jit``, and batches under ``vmap`` like any other function.

Keys come in two flavours, as in JAX:

* raw keys (``PRNGKey(0)``): a ``uint32[2]`` array;
* typed keys (``key(0)``): an array of dtype ``key<fry>`` whose elements are
  keys. ``PRNGKeyArray`` wraps the ``uint32`` words; it is a pytree with the
  words as its one leaf, so ``jit`` passes and returns keys as their ``uint32``
  data and ``vmap`` batches the words. (JAX makes key arrays a true dtype of
  its type system, with primitives ``random_wrap``, ``random_bits``, ...;
  a pytree gives the same behaviour under transformations with far less code.)

The samplers follow JAX 0.10.2 with its defaults
(``jax_threefry_partitionable=True``) operation for operation, and, as in
JAX, each one runs as a ``jit``-compiled function, so their floating-point
arithmetic is XLA's on every path (eager, ``jit``, ``vmap``). One caveat:
inside a larger jitted program XLA may fuse a sampler's last float steps with
the code around it differently than in JAX's program, and round a result
differently in the last bit (seen for ``beta``, ``f`` and ``ball``).
"""
import functools
import math
import operator
from collections.abc import Sequence

import numpy as np

from . import batching, dtypes, forward_mode, lax, lowering, tree_util
from . import numpy as jnp
from .compiling import jit
from .core import Primitive, Tracer, concrete_or_error, get_aval
from .jaxpr import close_jaxpr, trace_to_jaxpr

_U32 = np.dtype("uint32")
_UINT = {8: np.dtype("uint8"), 16: np.dtype("uint16"), 32: _U32, 64: np.dtype("uint64")}

# ---------------------------------------------------------------------------
# Threefry-2x32: the hash every random number comes from

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)   # Threefish's key-schedule constant


def _u32(value):
    return np.array(value, _U32)


def _rotate_left(x, distance):
    """Rotate the bits of ``uint32`` words left by ``distance`` (a ``uint32``)."""
    return lax.bitwise_or(lax.shift_left(x, distance),
                          lax.shift_right_logical(x, lax.sub(_u32(32), distance)))


def threefry2x32(key1, key2, x1, x2):
    """Threefry-2x32 with 20 rounds: hash the counter words ``(x1, x2)``
    under the key ``(key1, key2)``. All operands are ``uint32``; the key words
    are scalars, the counters arrays of one shape."""
    schedule = (key1, key2, lax.bitwise_xor(lax.bitwise_xor(key1, key2), _PARITY))
    x1, x2 = lax.add(x1, schedule[0]), lax.add(x2, schedule[1])

    def block(i, state):
        """Four rounds of add, rotate, xor; then add the next key words. Each
        block uses the next key words and the other set of rotations, so both
        lists are rotated by one for the next block."""
        (x1, x2), schedule, rotations = state
        for j in range(4):
            x1 = lax.add(x1, x2)
            x2 = lax.bitwise_xor(x1, _rotate_left(x2, rotations[0][j]))
        x1 = lax.add(x1, schedule[0])
        x2 = lax.add(lax.add(x2, schedule[1]), lax.convert_element_type(i + 1, _U32))
        return (x1, x2), schedule[1:] + schedule[:1], rotations[1:] + rotations[:1]

    # Five blocks in a loop rather than unrolled: that is how JAX emits them
    # on CPU, and a loop keeps XLA from fusing the hash with the float
    # arithmetic around it, which changes how XLA rounds that arithmetic
    # (fused multiply-adds); we want JAX's bits there too.
    rotations = [_u32(r) for r in _ROTATIONS]
    (x1, x2), _, _ = lax.fori_loop(0, 5, block, ((x1, x2), schedule[1:] + schedule[:1],
                                                 rotations))
    return x1, x2


def _counters(shape):
    """The 64-bit indices ``0, 1, ..., prod(shape) - 1`` laid out in ``shape``,
    as two ``uint32`` arrays (high words, low words)."""
    size = math.prod(shape)
    if size >= 2 ** 32:   # JAX goes to 2**64; the high words would then count too
        raise NotImplementedError("minijax draws at most 2**32 - 1 random values at once")
    low = lax.reshape(lax.iota(_U32, size), shape) if shape else _u32(0)
    return lax.full(shape, 0, _U32), low


def _hash_counters(words, shape):
    """Threefry of the key ``words`` (``uint32[2]``) over the counters of ``shape``."""
    high, low = _counters(shape)
    return threefry2x32(words[0], words[1], high, low)


# ---------------------------------------------------------------------------
# Keys


class PRNGKeyDType:
    """The dtype of typed threefry keys, printed ``key<fry>``."""
    name = "key<fry>"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return type(other) is PRNGKeyDType

    def __hash__(self):
        return hash(self.name)


key_fry = PRNGKeyDType()


class PRNGKeyArray:
    """An array of typed keys: ``shape`` keys over ``uint32[*shape, 2]`` words."""
    __slots__ = ("_words",)
    dtype = key_fry

    def __init__(self, words):
        self._words = words

    shape = property(lambda self: tuple(get_aval(self._words).shape[:-1]))
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d key array")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        if any(i is Ellipsis for i in index):   # keep the words axis last
            index = index + (slice(None),)
        return PRNGKeyArray(self._words[index])

    def reshape(self, *shape):
        """Reshape the array of keys (not their words)."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], Sequence) else shape
        return PRNGKeyArray(jnp.reshape(self._words, (*shape, 2)))

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return jnp.all(self._words == other._words, axis=-1)

    def __ne__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return jnp.any(self._words != other._words, axis=-1)

    __hash__ = None

    def __repr__(self):
        if isinstance(self._words, Tracer):
            return f"PRNGKeyArray[{self.shape}] of {self._words!r}"
        return (f"Array({self.shape}, dtype={self.dtype.name}) overlaying:\n"
                f"{np.asarray(self._words)}")

    __str__ = __repr__


tree_util.register_pytree_node(PRNGKeyArray, lambda k: ((k._words,), None),
                               lambda _, words: PRNGKeyArray(words[0]))


def _check_key_words(words):
    """The ``uint32[..., 2]`` words of a raw key, checked."""
    if not all(hasattr(words, a) for a in ("ndim", "shape", "dtype")):
        raise TypeError("minijax encountered invalid PRNG key data: expected key_data to have "
                        f"ndim, shape, and dtype attributes. Got {words!r}")
    if words.dtype != _U32:
        raise TypeError("minijax encountered invalid PRNG key data: expected key_data.dtype = "
                        f"uint32; got dtype={words.dtype}")
    if tuple(words.shape[-1:]) != (2,):
        raise TypeError("minijax encountered invalid PRNG key data: expected key_data.shape to "
                        f"end with (2,); got shape={tuple(words.shape)} for impl=threefry2x32")
    return words


def _key_words(name, key, allow_batched=False):
    """The words of ``key`` (typed or raw), and whether it was typed. Random
    functions take one key; ``vmap`` is the way to use many."""
    if isinstance(key, PRNGKeyArray):
        words, typed, shape = key._words, True, key.shape
    else:
        words, typed = _check_key_words(key), False
        shape = tuple(words.shape)
    if not allow_batched and len(shape) > (0 if typed else 1):
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{shape} != (). Use jax.vmap for batching.")
    return words, typed


def _return_key(words, typed):
    return PRNGKeyArray(words) if typed else words


def _seed_words(seed):
    """The key of an integer seed: its high and low 32 bits (a 32-bit seed has
    high word 0; so does a negative one: the shift counts as too far)."""
    high = lax.convert_element_type(
        lax.shift_right_logical(seed, lax._convert_element_type(32, get_aval(seed).dtype)),
        _U32)
    low = lax.convert_element_type(seed, _U32)   # wraps, keeping the low 32 bits
    return jnp.stack([high, low])


def _seed(ctor_name, seed):
    if isinstance(seed, PRNGKeyArray):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given a PRNG key.")
    if np.ndim(seed):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given an array of shape "
                        f"{np.shape(seed)} != (). Use jax.vmap for batching")
    # A Python int goes through int64 first, so that a large hash does not
    # overflow when 64-bit types are off: it wraps to 32 bits, as in JAX.
    seed = jnp.asarray(np.int64(seed)) if isinstance(seed, int) else jnp.asarray(seed)
    if seed.dtype.kind not in "iu":
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    return _seed_words(seed)


def key(seed, *, impl=None):
    """A typed key (dtype ``key<fry>``) from an integer seed."""
    _check_impl(impl)
    return PRNGKeyArray(_seed("key", seed))


def PRNGKey(seed, *, impl=None):
    """A raw key, ``uint32[2]``, from an integer seed."""
    _check_impl(impl)
    return _seed("PRNGKey", seed)


def _check_impl(impl):
    if impl not in (None, "threefry2x32"):
        raise NotImplementedError(f"minijax implements only the threefry2x32 PRNG, not {impl!r}")


def key_data(keys):
    """The ``uint32`` words under an array of keys."""
    words, _ = _key_words("key_data", keys, allow_batched=True)
    return words


def key_impl(keys):
    """The name of the PRNG behind ``keys``: always ``'threefry2x32'``."""
    _key_words("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    """``key`` itself: keys are immutable values (JAX needs this for stateful
    code; minijax has none)."""
    return key


def wrap_key_data(key_bits_array, *, impl=None):
    """Typed keys over ``uint32[..., 2]`` words."""
    _check_impl(impl)
    return PRNGKeyArray(_check_key_words(jnp.asarray(key_bits_array)))


def split(key, num=2):
    """``num`` new keys (or an array of shape ``num`` if it is a tuple)."""
    words, typed = _key_words("split", key)
    shape = tuple(map(operator.index, num)) if isinstance(num, Sequence) else (operator.index(num),)
    new_high, new_low = _hash_counters(words, shape)
    return _return_key(jnp.stack([new_high, new_low], axis=len(shape)), typed)


def fold_in(key, data):
    """A new key from ``key`` and a 32-bit integer ``data``."""
    words, typed = _key_words("fold_in", key)
    if np.ndim(data):
        raise TypeError(f"fold_in accepts a scalar, but was given an array of shape "
                        f"{np.shape(data)} != (). Use jax.vmap for batching.")
    data = jnp.asarray(data, dtype=_U32)
    # The counter pair is the key of seed ``data``: (0, data).
    out = threefry2x32(words[0], words[1], _u32(0), data)
    return _return_key(jnp.stack(out), typed)


def _random_bits(words, bit_width, shape):
    """``bit_width``-bit random words of ``shape``: one threefry output pair per
    element, combined (64 bits: both words; fewer: their xor, truncated)."""
    high, low = _hash_counters(words, shape)
    if bit_width == 64:
        wide = lambda w: lax.convert_element_type(w, _UINT[64])
        return lax.bitwise_or(lax.shift_left(wide(high), np.array(32, _UINT[64])), wide(low))
    return lax.convert_element_type(lax.bitwise_xor(high, low), _UINT[bit_width])


def _shape(shape):
    if isinstance(shape, Sequence):
        return tuple(operator.index(d) for d in shape)
    return (operator.index(shape),)


def _dtype(dtype, default):
    return dtypes.canonicalize_dtype(default() if dtype is None else dtype)


def bits(key, shape=(), dtype=None):
    """Uniformly random bits as unsigned integers."""
    words, _ = _key_words("bits", key)
    dtype = _dtype(dtype, lambda: _UINT[64] if dtypes.default_int_dtype().itemsize == 8 else _U32)
    if dtype.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    return _random_bits(words, dtype.itemsize * 8, _shape(shape))


# ---------------------------------------------------------------------------
# Continuous distributions. Each public function checks its arguments; the
# sampler itself is a jit-compiled function of the key words, as in JAX.


def _float_dtype(name, dtype, kinds="f"):
    dtype = _dtype(dtype, dtypes.default_float_dtype)
    if dtype.kind not in kinds:
        what = "a float" if kinds == "f" else "a float or complex"
        raise ValueError(f"dtype argument to `{name}` must be {what} dtype, got {dtype}")
    return dtype


def _check_shape(name, shape, *param_shapes):
    if param_shapes:
        together = np.broadcast_shapes(shape, *param_shapes)
        if together != tuple(shape):
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                             f"argument, and the result of broadcasting the shapes must equal "
                             f"the shape argument, but got result {together} for shape "
                             f"argument {shape}.")


def _const(dtype, value):
    return np.array(value, dtype)


@functools.partial(jit, static_argnums=(3, 4))
def _uniform(words, minval, maxval, shape, dtype):
    """Random mantissa bits under the exponent of 1.0 give a float in [1, 2);
    subtract 1 and scale to [minval, maxval)."""
    minval = lax.broadcast_to_rank(lax.convert_element_type(minval, dtype), len(shape))
    maxval = lax.broadcast_to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    info = np.finfo(dtype)
    uint = _UINT[info.bits]
    mantissa = lax.shift_right_logical(_random_bits(words, info.bits, shape),
                                       np.array(info.bits - info.nmant, uint))
    one_to_two = lax.bitwise_or(mantissa, _const(dtype, 1.0).view(uint))
    floats = lax.sub(lax.bitcast_convert_type(one_to_two, dtype), _const(dtype, 1.0))
    return lax.max(minval, lax.add(lax.mul(floats, lax.sub(maxval, minval)), minval))


def uniform(key, shape=(), dtype=None, minval=0., maxval=1.):
    """Uniform floats in ``[minval, maxval)``."""
    words, _ = _key_words("uniform", key)
    dtype = _float_dtype("uniform", dtype)
    return _uniform(words, minval, maxval, _shape(shape), dtype)


@functools.partial(jit, static_argnums=(1, 2))
def _normal_real(words, shape, dtype):
    """Inverse-CDF sampling: sqrt(2) erfinv(u) for u uniform in (-1, 1)."""
    lo = np.nextafter(_const(dtype, -1.0), _const(dtype, 0.0))
    u = _uniform(words, lo, _const(dtype, 1.0), shape, dtype)
    return lax.mul(_const(dtype, np.sqrt(2)), lax.erf_inv(u))


@functools.partial(jit, static_argnums=(1, 2))
def _normal(words, shape, dtype):
    if dtype.kind != "c":
        return _normal_real(words, shape, dtype)
    real_dtype = np.finfo(dtype).dtype   # complex: independent parts of variance 1/2
    words_re, words_im = split(words)
    re = _normal_real(words_re, shape, real_dtype).astype(dtype)
    im = _normal_real(words_im, shape, real_dtype).astype(dtype)
    return (re + 1j * im) / _const(dtype, np.sqrt(2))


def normal(key, shape=(), dtype=None):
    """Standard normal floats (complex: real and imaginary parts of variance 1/2)."""
    words, _ = _key_words("normal", key)
    return _normal(words, _shape(shape), _float_dtype("normal", dtype, "fc"))


@functools.partial(jit, static_argnums=(3, 4))
def _truncated_normal(words, lower, upper, shape, dtype):
    sqrt2 = _const(dtype, np.sqrt(2))
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a, b = lax.erf(lax.div(lower, sqrt2)), lax.erf(lax.div(upper, sqrt2))
    out = lax.mul(sqrt2, lax.erf_inv(_uniform(words, a, b, shape, dtype)))
    # Rounding may land on (or past) a bound; keep to the open interval.
    return jnp.clip(out, lax.nextafter(lax.stop_gradient(lower), _const(dtype, np.inf)),
                    lax.nextafter(lax.stop_gradient(upper), _const(dtype, -np.inf)))


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normal floats conditioned on ``lower < x < upper``."""
    words, _ = _key_words("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = np.broadcast_shapes(np.shape(lower), np.shape(upper))
    else:
        shape = _shape(shape)
        _check_shape("truncated_normal", shape, np.shape(lower), np.shape(upper))
    return _truncated_normal(words, lower, upper, shape, dtype)


def _unary_sampler(name, transform, minval=lambda info: 0., maxval=1.):
    """A distribution that is ``transform`` of one uniform draw in
    ``[minval(finfo), maxval)``."""
    @functools.partial(jit, static_argnums=(1, 2))
    def sample(words, shape, dtype):
        u = _uniform(words, _const(dtype, minval(np.finfo(dtype))), _const(dtype, maxval),
                     shape, dtype)
        return transform(u)

    def sampler(key, shape=(), dtype=None):
        words, _ = _key_words(name, key)
        return sample(words, _shape(shape), _float_dtype(name, dtype))
    sampler.__name__ = sampler.__qualname__ = name
    return sampler


exponential = _unary_sampler("exponential", lambda u: lax.neg(lax.log1p(lax.neg(u))))
exponential.__doc__ = "Exponential floats of rate 1: -log(1 - u)."
laplace = _unary_sampler(
    "laplace", lambda u: lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u)))),
    minval=lambda info: -1. + info.epsneg)
laplace.__doc__ = "Laplace floats (location 0, scale 1)."
logistic = _unary_sampler("logistic", lambda u: lax.sub(lax.log(u), lax.log1p(lax.neg(u))),
                          minval=lambda info: info.tiny)
logistic.__doc__ = "Logistic floats: the log-odds of a uniform draw."
cauchy = _unary_sampler(
    "cauchy", lambda u: lax.tan(lax.mul(_const(u.dtype, np.pi), lax.sub(u, _const(u.dtype, .5)))),
    minval=lambda info: info.eps)
cauchy.__doc__ = "Standard Cauchy floats: tan(pi (u - 1/2))."


@functools.partial(jit, static_argnums=(1, 2, 3))
def _gumbel(words, shape, dtype, mode):
    info = np.finfo(dtype)
    if mode == "high":   # two uniforms, the second refining the first near 0
        high, low = _uniform(words, 0., 1., (2,) + shape, dtype)
        x = jnp.where(high >= 0.5, high, high + 2 ** -int(info.nmant) * low + info.tiny)
        return -jnp.log(-jnp.log1p(-x))
    return -jnp.log(-jnp.log(_uniform(words, _const(dtype, info.tiny), 1., shape, dtype)))


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel floats: -log(-log(u))."""
    words, _ = _key_words("gumbel", key)
    dtype = _float_dtype("gumbel", dtype)
    mode = "low" if mode is None else mode
    if mode == "highest":
        raise NotImplementedError("gumbel mode='highest' is not implemented in minijax; "
                                  "use mode='high'")
    if mode not in ("high", "low"):
        raise ValueError(f"Must provide valid mode for gumbel got: {mode}")
    return _gumbel(words, _shape(shape), dtype, mode)


def _broadcast_shape(name, shape, *params):
    """``shape`` if given (checked against the parameters'), else theirs."""
    if shape is None:
        return np.broadcast_shapes(*(np.shape(p) for p in params))
    shape = _shape(shape)
    _check_shape(name, shape, *(np.shape(p) for p in params))
    return shape


def _two_keys(words):
    return split(words)


@functools.partial(jit, static_argnums=(2, 3))
def _pareto(words, b, shape, dtype):
    e = exponential(words, shape, dtype)
    return lax.exp(lax.div(e, lax.convert_element_type(b, dtype)))


def pareto(key, b, shape=None, dtype=None):
    """Pareto floats of shape parameter ``b``: exp(Exponential / b)."""
    words, _ = _key_words("pareto", key)
    dtype = _float_dtype("pareto", dtype)
    return _pareto(words, b, _broadcast_shape("pareto", shape, b), dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _rayleigh(words, scale, shape, dtype):
    u = uniform(words, shape, dtype)
    scale = jnp.broadcast_to(jnp.asarray(scale).astype(dtype), shape)
    return lax.mul(scale, lax.sqrt(lax.mul(lax.log(u), _const(dtype, -2))))


def rayleigh(key, scale, shape=None, dtype=None):
    """Rayleigh floats: scale * sqrt(-2 log u)."""
    words, _ = _key_words("rayleigh", key)
    dtype = _float_dtype("rayleigh", dtype)
    return _rayleigh(words, scale, _broadcast_shape("rayleigh", shape, scale), dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _wald(words, mean, shape, dtype):
    k1, k2 = _two_keys(words)
    mean = jnp.broadcast_to(jnp.asarray(mean).astype(dtype), shape)
    v, z = normal(k1, shape, dtype), uniform(k2, shape, dtype)
    y = lax.integer_pow(v, 2)
    mean_sq = lax.integer_pow(mean, 2)
    sqrt_term = lax.sqrt(4 * mean * y + mean_sq * lax.integer_pow(y, 2))
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return lax.select(lax.le(z, mean / (mean + x)), x, mean_sq / x)


def wald(key, mean, shape=None, dtype=None):
    """Wald (inverse Gaussian) floats of mean ``mean`` and shape 1."""
    words, _ = _key_words("wald", key)
    dtype = _float_dtype("wald", dtype)
    return _wald(words, mean, _broadcast_shape("wald", shape, mean), dtype)


@functools.partial(jit, static_argnums=(4, 5))
def _triangular(words, left, mode, right, shape, dtype):
    left, mode, right = (jnp.broadcast_to(lax.convert_element_type(v, dtype), shape)
                         for v in (left, mode, right))
    u = uniform(words, shape, dtype)
    below = left + lax.sqrt(u * (right - left) * (mode - left))
    above = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return lax.select(u < (mode - left) / (right - left), below, above)


def triangular(key, left, mode, right, shape=None, dtype=None):
    """Triangular floats on [left, right] peaking at ``mode``."""
    words, _ = _key_words("triangular", key)
    dtype = _float_dtype("triangular", dtype)
    shape = _broadcast_shape("triangular", shape, left, mode, right)
    return _triangular(words, left, mode, right, shape, dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _lognormal(words, sigma, shape, dtype):
    return lax.exp(normal(words, shape, dtype) * lax.convert_element_type(sigma, dtype))


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None):
    """exp(sigma * Normal)."""
    words, _ = _key_words("lognormal", key)
    dtype = _float_dtype("lognormal", dtype, "fc")
    return _lognormal(words, sigma, _broadcast_shape("lognormal", shape, sigma), dtype)


@functools.partial(jit, static_argnums=(1, 2))
def _maxwell(words, shape, dtype):
    return jnp.linalg.norm(normal(words, shape + (3,), dtype), axis=-1)


def maxwell(key, shape=(), dtype=None):
    """Maxwell floats: the length of a 3-vector of standard normals."""
    words, _ = _key_words("maxwell", key)
    return _maxwell(words, _shape(shape), _float_dtype("maxwell", dtype))


@functools.partial(jit, static_argnums=(3, 4))
def _double_sided_maxwell(words, loc, scale, shape, dtype):
    params_shape = np.broadcast_shapes(np.shape(loc), np.shape(scale))
    shape = (shape or params_shape) + params_shape
    maxwell_words, sign_words = _two_keys(words)
    rvs = maxwell(maxwell_words, shape, dtype)
    return rademacher(sign_words, shape, dtype) * rvs * scale + loc


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Maxwell magnitudes with random signs, scaled and shifted."""
    words, _ = _key_words("double_sided_maxwell", key)
    dtype = _float_dtype("double_sided_maxwell", dtype)
    return _double_sided_maxwell(words, loc, scale, _shape(shape), dtype)


@functools.partial(jit, static_argnums=(3, 4))
def _weibull_min(words, scale, concentration, shape, dtype):
    u = uniform(words, shape, dtype, 0, 1)
    return jnp.power(-jnp.log1p(-u), 1.0 / concentration) * scale   # the inverse CDF


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull floats (scipy's weibull_min)."""
    words, _ = _key_words("weibull_min", key)
    dtype = _float_dtype("weibull_min", dtype)
    return _weibull_min(words, scale, concentration, _shape(shape), dtype)


# ---------------------------------------------------------------------------
# Discrete distributions


def _clip_to(value, dtype):
    """Convert integers to ``dtype``, clipping to its range instead of wrapping."""
    info, have = np.iinfo(dtype), np.iinfo(value.dtype)
    lo = np.array(max(info.min, have.min), value.dtype)
    hi = np.array(min(info.max, have.max), value.dtype)
    return jnp.clip(value, lo, hi).astype(dtype)


@functools.partial(jit, static_argnums=(3, 4))
def _randint(words, minval, maxval, shape, dtype):
    """Two random words per draw reduced modulo the span: biased only by about
    span**2 / 2**(2 * nbits) when the span is not a power of 2."""
    minval, maxval = jnp.asarray(minval), jnp.asarray(maxval)
    if minval.dtype.kind not in "iu":
        minval = minval.astype(int)
    if maxval.dtype.kind not in "iu":
        maxval = maxval.astype(int)
    # maxval above the dtype's range (randint(k, s, 0, 256, uint8)) needs one more in the span.
    too_big = lax.gt(maxval, _clip_to(jnp.array(np.iinfo(dtype).max, dtype), maxval.dtype))
    minval = lax.broadcast_to_rank(_clip_to(minval, dtype), len(shape))
    maxval = lax.broadcast_to_rank(_clip_to(maxval, dtype), len(shape))
    nbits = np.iinfo(dtype).bits
    k1, k2 = _two_keys(words)
    higher, lower = _random_bits(k1, nbits, shape), _random_bits(k2, nbits, shape)
    uint = _UINT[nbits]
    span = lax.convert_element_type(maxval - minval, uint)
    span = lax.select(maxval <= minval, lax.full_like(span, 1), span)   # empty: always minval
    span = lax.select(too_big & (maxval > minval), lax.add(span, np.array(1, uint)), span)
    # (higher * 2**nbits + lower) % span without overflow: 2**nbits % span, squared.
    multiplier = lax.rem(np.array(2 ** (nbits // 2), uint), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    return lax.add(minval, lax.convert_element_type(lax.rem(offset, span), dtype))


def randint(key, shape, minval, maxval, dtype=None):
    """Uniform integers in ``[minval, maxval)`` (``minval`` when the range is empty)."""
    words, _ = _key_words("randint", key)
    dtype = _dtype(dtype, dtypes.default_int_dtype)
    if dtype.kind not in "iu":
        raise TypeError(f"randint only accepts integer dtypes, got {dtype}")
    shape = _shape(shape)
    _check_shape("randint", shape, np.shape(minval), np.shape(maxval))
    info, sample_dtype = np.iinfo(dtype), dtype
    if info.bits < 32:   # sample narrow types in 32 bits, to keep the bias small
        sample_dtype = np.dtype("int32")
        minval = jnp.asarray(minval).astype("int32").clip(int(info.min), int(info.max))
        maxval = jnp.asarray(maxval).astype("int32").clip(int(info.min), int(info.max) + 1)
    return _randint(words, minval, maxval, shape, sample_dtype).astype(dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _bernoulli(words, p, shape, mode):
    dtype = get_aval(p).dtype
    if mode == "high":   # a second uniform refines the first below its resolution
        u1, u2 = _uniform(words, 0., 1., (2, *shape), dtype)
        u2 = u2 * 2 ** -int(np.finfo(dtype).nmant)
        return u2 < p - u1
    return _uniform(words, 0., 1., shape, dtype) < p


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability ``p``."""
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    words, _ = _key_words("bernoulli", key)
    dtype = dtypes.dtype(p)
    if dtype.kind != "f":
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {dtype}.")
    p = lax.convert_element_type(p, dtype)
    return _bernoulli(words, p, _broadcast_shape("bernoulli", shape, p), mode)


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability."""
    words, _ = _key_words("rademacher", key)
    dtype = _dtype(dtype, dtypes.default_int_dtype)
    coin = bernoulli(words, 0.5, _shape(shape)).astype(dtype)
    return (2 * coin - 1).astype(dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _geometric(words, p, shape, dtype):
    p, = jnp.promote_dtypes_inexact(p)
    u = uniform(words, shape, p.dtype)
    u = jnp.where(u == 0, 1, u)   # as JAX: keeps log finite without changing other draws
    g = lax.floor(lax.div(lax.log(u), jnp.broadcast_to(lax.log1p(-p), shape))) + 1
    return g.astype(dtype)


def geometric(key, p, shape=None, dtype=None):
    """Number of Bernoulli(p) trials up to the first success (>= 1)."""
    words, _ = _key_words("geometric", key)
    dtype = _dtype(dtype, dtypes.default_int_dtype)
    if dtype.kind not in "iu":
        raise ValueError(f"dtype argument to `geometric` must be an int dtype, got {dtype}")
    return _geometric(words, p, _broadcast_shape("geometric", shape, p), dtype)


# ---------------------------------------------------------------------------
# Shuffling and choosing


def _top_k_indices(x, k):
    """Indices of the ``k`` largest entries along the last axis of ``x``,
    largest first, ties to the lower index (``lax.top_k``'s order): a stable
    sort of ``-x``."""
    positions = lax.broadcasted_iota(np.dtype("int32"), x.shape, x.ndim - 1)
    order = lax.sort_key_val(lax.neg(x), positions, x.ndim - 1)[1]
    return order[..., :k]


@functools.partial(jit, static_argnums=(2,))
def _shuffle(words, x, axis):
    """Sort by random 32-bit keys; more rounds of sorting for longer arrays, so
    that ties (equal keys) cannot bias the order (JAX's heuristic)."""
    exponent = 3
    rounds = int(np.ceil(exponent * np.log(max(1, x.size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        words, subwords = split(words)
        _, x = lax.sort_key_val(_random_bits(subwords, 32, x.shape), x, axis)
    return x


def permutation(key, x, axis=0, independent=False):
    """A shuffled ``arange(x)``, or ``x`` shuffled along ``axis``."""
    words, _ = _key_words("permutation", key)
    if not np.ndim(x):
        if np.dtype(dtypes.dtype(x)).kind not in "iu":
            raise TypeError("x must be an integer or at least 1-dimensional")
        n = int(concrete_or_error(x, "argument x of jax.random.permutation()"))
        return _shuffle(words, jnp.arange(n), 0)
    x = jnp.asarray(x)
    axis = lax._canonical_axis(axis, x.ndim)
    if independent or x.ndim == 1:
        return _shuffle(words, x, axis)
    return jnp.take(x, _shuffle(words, jnp.arange(x.shape[axis]), 0), axis=axis)


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    """Draw from ``arange(a)`` or from ``a`` along ``axis``, optionally with
    probabilities ``p``."""
    words, _ = _key_words("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = int(concrete_or_error(a, "The error occurred in jax.random.choice()"))
    else:
        axis = lax._canonical_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(words, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis=axis)
        else:
            slices = (slice(None),) * axis + (slice(n_draws),)
            result = permutation(words, n_inputs if arr.ndim == 0 else arr, axis)[slices]
    else:
        p_arr, = jnp.promote_dtypes_inexact(jnp.asarray(p))
        if p_arr.shape != (n_inputs,):
            raise ValueError("p must be None or a 1D vector with the same size as "
                             f"a.shape[axis]. p has shape {p_arr.shape} and a.shape[axis] is "
                             f"{n_inputs}.")
        if replace:   # invert the CDF
            p_cuml = jnp.cumsum(p_arr)
            r = p_cuml[-1] * (1 - uniform(words, shape, dtype=p_cuml.dtype))
            ind = jnp.sum(p_cuml < r[..., None], axis=-1).astype(int)   # searchsorted, left
        else:   # the Gumbel top-k trick
            g = gumbel(words, (n_inputs,), dtype=p_arr.dtype) + jnp.log(p_arr)
            ind = _top_k_indices(g, n_draws).astype(int)
        result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis=axis)
    return result.reshape(shape if arr.ndim == 0 else
                          arr.shape[0:axis] + tuple(shape) + arr.shape[axis + 1:])


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Category indices drawn with probabilities ``softmax(logits, axis)``
    (the Gumbel-max trick)."""
    words, _ = _key_words("categorical", key)
    logits = jnp.asarray(logits)
    batch_shape = tuple(np.delete(logits.shape, axis))
    if shape is None:
        shape = batch_shape
    else:
        shape = _shape(shape)
        _check_shape("categorical", shape, batch_shape)
    prefix = shape[:len(shape) - len(batch_shape)]
    if not replace:   # the Gumbel top-k trick, once per batch element
        logits = logits + gumbel(words, logits.shape, logits.dtype, mode=mode)
        k = math.prod(prefix)
        if k > logits.shape[axis]:
            raise ValueError(f"Number of samples without replacement ({k}) cannot exceed "
                             f"number of categories ({logits.shape[axis]}).")
        indices = _top_k_indices(jnp.moveaxis(logits, axis, -1), k)   # batch_shape + (k,)
        samples_first = lax.transpose(indices, (indices.ndim - 1, *range(indices.ndim - 1)))
        return lax.reshape(samples_first, shape)
    if axis >= 0:
        axis -= logits.ndim
    logits_shape = list(shape[len(shape) - len(batch_shape):])
    logits_shape.insert(axis % logits.ndim, logits.shape[axis])
    noise = gumbel(words, (*prefix, *logits_shape), logits.dtype, mode=mode)
    return jnp.argmax(noise + lax.expand_dims(logits, tuple(range(len(prefix)))), axis=axis)


# ---------------------------------------------------------------------------
# Gamma and the distributions built on it


def _gamma_one(words, alpha, log_space):
    """One Gamma(alpha) draw by Marsaglia and Tsang's rejection method (2000):
    d V for V = (1 + c x)**3, x normal, accepted with a squeeze test or the
    exact log test. alpha < 1 is boosted to alpha + 1 and corrected by a
    power of a uniform (done in log space for ``loggamma``)."""
    dtype = get_aval(alpha).dtype
    zero, one = _const(dtype, 0), _const(dtype, 1)
    third = _const(dtype, 1. / 3.)
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, third)
    c = lax.div(third, lax.sqrt(d))

    def rejected(state):
        _, X, V, U = state
        squeeze = lax.ge(U, lax.sub(one, lax.mul(_const(dtype, 0.0331), lax.mul(X, X))))
        exact = lax.ge(lax.log(U), lax.add(lax.mul(X, _const(dtype, 0.5)),
                                           lax.mul(d, lax.add(lax.sub(one, V), lax.log(V)))))
        return lax.bitwise_and(squeeze, exact)

    def positive_v(state):   # draw x until v = 1 + c x > 0
        words, _, _ = state
        words, sub = split(words)
        x = _normal(sub, (), dtype)
        return words, x, lax.add(one, lax.mul(x, c))

    def propose(state):
        words, x_words, u_words = split(state[0], 3)
        _, x, v = lax.while_loop(lambda s: lax.le(s[2], zero), positive_v,
                                 (x_words, zero, _const(dtype, -1)))
        U = _uniform(u_words, _const(dtype, 0), one, (), dtype)
        return words, lax.mul(x, x), lax.mul(lax.mul(v, v), v), U

    words, sub = split(words)
    _, _, V, _ = lax.while_loop(rejected, propose, (words, zero, one, _const(dtype, 2)))
    if log_space:
        log_u = lax.neg(exponential(sub, (), dtype))
        log_boost = lax.select(boost_mask | (log_u == 0), zero,
                               lax.mul(log_u, lax.div(one, alpha_orig)))
        return lax.add(lax.add(lax.log(d), lax.log(V)), log_boost)
    u = 1 - uniform(sub, (), dtype)
    boost = lax.select(boost_mask, one, lax.pow(u, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, V), boost)


def _gamma_per_element(words, a, log_space):
    """One key per element of ``a`` and a loop over elements: the rejection
    loops of different elements run for different numbers of rounds."""
    if a.size == 0:
        return jnp.zeros(a.shape, a.dtype)
    samples = lax.map(lambda args: _gamma_one(*args, log_space),
                      (split(words, a.size), jnp.ravel(a)))
    return jnp.reshape(samples, a.shape)


# ``random_gamma`` is a primitive, as in JAX, for one reason: its derivative.
# Differentiating through the rejection loops would give a wrong answer; JAX
# differentiates the sample implicitly (``random_gamma_grad``), which minijax
# does not implement, so the JVP rule refuses instead. The other rules run,
# lower or batch the loops above.
random_gamma_p = Primitive("random_gamma")
_gamma_compiled = jit(_gamma_per_element, static_argnums=(2,))
random_gamma_p.def_impl(lambda words, a, log_space: np.asarray(_gamma_compiled(words, a,
                                                                               log_space)))
random_gamma_p.def_abstract_eval(lambda words, a, log_space: a.strip_weak_type())


def _random_gamma_jvp(primals, tangents, log_space):
    raise NotImplementedError(
        "minijax cannot differentiate gamma samples with respect to their shape parameter "
        "(JAX differentiates them implicitly with random_gamma_grad); apply stop_gradient "
        "to the parameter if its derivative is not needed.")


def _random_gamma_batch(axis_size, vals, dims, log_space):
    words, a = (batching.bdim_at_front(axis_size, v, d) for v, d in zip(vals, dims))
    return lax.map(lambda wa: random_gamma_p.bind(*wa, log_space=log_space), (words, a)), 0


def _random_gamma_lower(b, args, in_avals, out_aval, log_space):
    jaxpr, consts = trace_to_jaxpr(lambda w, a: [_gamma_per_element(w, a, log_space)],
                                   in_avals)
    closed, _ = close_jaxpr(jaxpr, consts)
    return lowering.lower_sub_jaxpr(b, closed, args)[0]


forward_mode.jvp_rules[random_gamma_p] = _random_gamma_jvp
batching.batching_rules[random_gamma_p] = _random_gamma_batch
lowering.lowering_rules[random_gamma_p] = _random_gamma_lower


@functools.partial(jit, static_argnums=(2, 3, 4))
def _gamma(words, a, shape, dtype, log_space):
    a = jnp.broadcast_to(lax.convert_element_type(a, dtype), shape)
    return random_gamma_p.bind(words, a, log_space=log_space)


def _gamma_sampler(name, log_space):
    def sampler(key, a, shape=None, dtype=None):
        words, _ = _key_words(name, key)
        dtype = _float_dtype(name, dtype)
        return _gamma(words, a, _broadcast_shape(name, shape, a), dtype, log_space)
    sampler.__name__ = sampler.__qualname__ = name
    return sampler


gamma = _gamma_sampler("gamma", False)
gamma.__doc__ = "Gamma(a) floats (scale 1)."
loggamma = _gamma_sampler("loggamma", True)
loggamma.__doc__ = "The log of Gamma(a) floats, accurate for small ``a``."


@functools.partial(jit, static_argnums=(3, 4))
def _beta(words, a, b, shape, dtype):
    words_a, words_b = _two_keys(words)
    a = jnp.broadcast_to(lax.convert_element_type(a, dtype), shape)
    b = jnp.broadcast_to(lax.convert_element_type(b, dtype), shape)
    log_gamma_a, log_gamma_b = loggamma(words_a, a, shape, dtype), loggamma(words_b, b, shape, dtype)
    # Gamma_a / (Gamma_a + Gamma_b), scaled by the larger one so nothing underflows.
    log_max = lax.max(log_gamma_a, log_gamma_b)
    gamma_a, gamma_b = jnp.exp(log_gamma_a - log_max), jnp.exp(log_gamma_b - log_max)
    return gamma_a / (gamma_a + gamma_b)


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) floats, as Gamma(a) / (Gamma(a) + Gamma(b))."""
    words, _ = _key_words("beta", key)
    dtype = _float_dtype("beta", dtype)
    return _beta(words, a, b, _broadcast_shape("beta", shape, a, b), dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _dirichlet(words, alpha, shape, dtype):
    from .nn import softmax
    alpha = lax.convert_element_type(alpha, dtype)
    return softmax(loggamma(words, alpha, shape + np.shape(alpha)[-1:], dtype), -1)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) vectors along the last axis: normalized Gamma draws."""
    words, _ = _key_words("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    if np.ndim(alpha) < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {np.ndim(alpha)}")
    batch = np.shape(alpha)[:-1]
    if shape is None:
        shape = batch
    else:
        shape = _shape(shape)
        _check_shape("dirichlet", shape, batch)
    return _dirichlet(words, alpha, shape, dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _t(words, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    words_n, words_g = _two_keys(words)
    n = normal(words_n, shape, dtype)
    half_df = lax.div(df, _const(dtype, 2))
    return n * jnp.sqrt(half_df / gamma(words_g, half_df, shape, dtype))


def t(key, df, shape=None, dtype=None):
    """Student's t floats with ``df`` degrees of freedom."""
    words, _ = _key_words("t", key)
    dtype = _float_dtype("t", dtype)
    return _t(words, df, _broadcast_shape("t", shape, df), dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _chisquare(words, df, shape, dtype):
    half_df = lax.div(lax.convert_element_type(df, dtype), _const(dtype, 2))
    return lax.mul(jnp.exp(loggamma(words, half_df, shape, dtype)), _const(dtype, 2))


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square floats with ``df`` degrees of freedom: 2 Gamma(df / 2)."""
    words, _ = _key_words("chisquare", key)
    dtype = _float_dtype("chisquare", dtype)
    return _chisquare(words, df, _broadcast_shape("chisquare", shape, df), dtype)


@functools.partial(jit, static_argnums=(3, 4))
def _f(words, dfnum, dfden, shape, dtype):
    dfden, dfnum = lax.convert_element_type(dfden, dtype), lax.convert_element_type(dfnum, dtype)
    words_den, words_num = _two_keys(words)
    num = lax.div(chisquare(words_num, dfnum, shape, dtype), dfnum)
    den = lax.div(chisquare(words_den, dfden, shape, dtype), dfden)
    return lax.div(num, den)


def f(key, dfnum, dfden, shape=None, dtype=None):
    """F-distributed floats: a ratio of scaled chi-squares."""
    words, _ = _key_words("f", key)
    dtype = _float_dtype("f", dtype)
    return _f(words, dfnum, dfden, _broadcast_shape("f", shape, dfnum, dfden), dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _generalized_normal(words, p, shape, dtype):
    words_g, words_r = split(words)
    g = gamma(words_g, 1 / p, shape, dtype)
    return rademacher(words_r, shape, dtype) * g ** (1 / p)


def generalized_normal(key, p, shape=(), dtype=None):
    """Floats with density proportional to exp(-|x|**p)."""
    words, _ = _key_words("generalized_normal", key)
    return _generalized_normal(words, p, _shape(shape), _float_dtype("generalized_normal", dtype))


@functools.partial(jit, static_argnums=(2, 3, 4))
def _ball(words, p, d, shape, dtype):
    words_g, words_e = split(words)
    g = generalized_normal(words_g, p, (*shape, d), dtype)
    e = exponential(words_e, shape, dtype)
    return g / (((jnp.abs(g) ** p).sum(-1) + e) ** (1 / p))[..., None]


def ball(key, d, p=2, shape=(), dtype=None):
    """Points uniform in the unit ``p``-norm ball of dimension ``d``."""
    words, _ = _key_words("ball", key)
    d = operator.index(concrete_or_error(d, "The error occurred in jax.random.ball()"))
    return _ball(words, p, d, _shape(shape), _float_dtype("ball", dtype))


# ---------------------------------------------------------------------------
# Poisson: Knuth's multiplication method for small rates, Hormann's
# transformed rejection (1993) for large ones, both as loops over the whole
# array that stop when every element is done (as in JAX, TensorFlow, numpy).


def _poisson_knuth(words, lam, shape, dtype, max_iters):
    """Count uniforms until their product drops below exp(-lam)."""
    def body(carry):
        i, k, words, log_prod = carry
        words, sub = split(words)
        k = lax.select(log_prod > -lam, k + 1, k)
        return i + 1, k, words, log_prod + jnp.log(uniform(sub, shape, np.float32))

    def not_done(carry):
        i, _, _, log_prod = carry
        return (log_prod > -lam).any() & (i < max_iters)

    init = (0, lax.full(shape, 0, dtype), words, lax.full(shape, 0, np.float32))
    return (lax.while_loop(not_done, body, init)[1] - 1).astype(dtype)


def _poisson_rejection(words, lam, shape, dtype, max_iters):
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body(carry):
        i, k_out, accepted, words = carry
        words, sub_u, sub_v = split(words, 3)
        u = uniform(sub_u, shape, lam.dtype) - 0.5
        v = uniform(sub_v, shape, lam.dtype)
        u_shifted = 0.5 - abs(u)
        k = lax.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = lax.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -lam + k * log_lam - lax.lgamma(k + 1)
        accept1 = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        accept = accept1 | (~reject & (s <= t))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, words

    def not_done(carry):
        i, _, accepted, _ = carry
        return (~accepted).any() & (i < max_iters)

    init = (0, lax.full(shape, -1, lam.dtype), lax.full(shape, False, np.bool_), words)
    return lax.while_loop(not_done, body, init)[1].astype(dtype)


@functools.partial(jit, static_argnums=(2, 3))
def _poisson(words, lam, shape, dtype):
    use_knuth = lax.ne(lam, lam) | (lam < 10)   # nan goes to Knuth's loop
    lam_knuth = lax.select(use_knuth, lam, lax.full_like(lam, 0.0))
    lam_rejection = lax.select(use_knuth, lax.full_like(lam, 1e5), lam)
    max_iters = dtype.type(np.iinfo(dtype).max)
    result = lax.select(use_knuth, _poisson_knuth(words, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(words, lam_rejection, shape, dtype, max_iters))
    return lax.select(lam == 0, jnp.zeros_like(result), result)


def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) integers."""
    words, _ = _key_words("poisson", key)
    dtype = _dtype(dtype, dtypes.default_int_dtype)
    shape = np.shape(lam) if shape is None else _shape(shape)
    lam = lax.convert_element_type(jnp.broadcast_to(lam, shape), np.float32)
    return _poisson(words, lam, shape, dtype)


# ---------------------------------------------------------------------------
# Multivariate normal


def _cholesky_factor(cov):
    """The lower Cholesky factor of ``cov``. ``jnp.linalg.cholesky`` arrives
    with minijax's linear algebra; until then numpy factors concrete matrices."""
    if hasattr(jnp.linalg, "cholesky"):
        return jnp.linalg.cholesky(cov)
    if isinstance(cov, Tracer) and cov.to_concrete_value() is None:
        raise NotImplementedError(
            "multivariate_normal of a traced covariance needs jnp.linalg.cholesky, which this "
            "minijax does not have yet; call it outside jit/vmap with a concrete covariance.")
    value = np.asarray(cov.to_concrete_value() if isinstance(cov, Tracer) else cov)
    return jnp.asarray(np.linalg.cholesky(value).astype(value.dtype))


@functools.partial(jit, static_argnums=(3, 4))
def _multivariate_normal(words, mean, factor, shape, dtype):
    z = normal(words, shape + mean.shape[-1:], dtype)
    return mean + jnp.einsum("...ij,...j->...i", factor, z)


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Normal vectors of mean ``mean`` and covariance ``cov`` (batched over
    leading axes): mean + L z for the Cholesky factor L of cov."""
    words, _ = _key_words("multivariate_normal", key)
    if method != "cholesky":
        if method in ("svd", "eigh"):
            raise NotImplementedError(f"multivariate_normal method={method!r} is not "
                                      "implemented in minijax; use method='cholesky'")
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    mean, cov = jnp.promote_dtypes_inexact(jnp.asarray(mean), jnp.asarray(cov))
    dtype = mean.dtype if dtype is None else _float_dtype("multivariate_normal", dtype)
    if mean.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == "
                         f"{mean.ndim}")
    if cov.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == "
                         f"{cov.ndim}")
    n = mean.shape[-1]
    if cov.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, "
                         f"but got cov.shape == {cov.shape}.")
    if shape is None:
        shape = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2])
    else:
        shape = _shape(shape)
        _check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    return _multivariate_normal(words, mean, _cholesky_factor(cov), shape, dtype)


# ---------------------------------------------------------------------------
# Orthogonal matrices: Mezzadri's recipe (arXiv:math-ph/0609050). The QR
# factors of a Gaussian matrix are unique once R's diagonal is made positive,
# and the Q so fixed is uniformly distributed on the orthogonal group.


@functools.partial(jit, static_argnums=(1, 2, 3, 4))
def _orthogonal(words, n, m, shape, dtype):
    z = normal(words, (*shape, max(n, m), min(n, m)), dtype)
    q, r = jnp.linalg.qr(z)
    signs = jnp.sign(jnp.diagonal(r, 0, -2, -1))
    q = q * jnp.expand_dims(signs, -2)
    return jnp.swapaxes(q, -1, -2) if n < m else q


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """A random (n, m) matrix (m defaults to n) with orthonormal rows or
    columns, whichever are fewer; uniform on the orthogonal group when n == m.
    ``shape`` adds leading batch axes."""
    words, _ = _key_words("orthogonal", key)
    dtype = _float_dtype("orthogonal", dtype)
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    return _orthogonal(words, n, m, _shape(shape), dtype)
