"""``minijax.nn.initializers``: JAX's weight initializers, on ``minijax.random``.

An initializer is a function ``init(key, shape, dtype=None)`` returning a new
array; the functions here build them (``normal(0.1)``, ``glorot_uniform()``,
...) or are one (``zeros``, ``ones``). Since ``minijax.random`` reproduces
JAX's threefry generator, the same key gives JAX's numbers.
"""
import math
import typing

import numpy as np

from .. import dtypes, random
from .. import numpy as jnp


@typing.runtime_checkable
class Initializer(typing.Protocol):
    """The type of an initializer: ``init(key, shape, dtype=None)`` -> array."""

    def __call__(self, key, shape, dtype=None, out_sharding=None):
        raise NotImplementedError


def _default(dtype):
    return dtypes.default_float_dtype() if dtype is None else dtype


def _no_sharding(out_sharding, name):
    if out_sharding is not None:
        raise NotImplementedError(f"nn.initializers.{name}: out_sharding is not supported "
                                  "(minijax runs on one device)")


def zeros(key, shape, dtype=None, out_sharding=None):
    """An array of zeros (the key is ignored)."""
    _no_sharding(out_sharding, "zeros")
    return jnp.zeros(shape, _default(dtype))


def ones(key, shape, dtype=None, out_sharding=None):
    """An array of ones (the key is ignored)."""
    _no_sharding(out_sharding, "ones")
    return jnp.ones(shape, _default(dtype))


def constant(value, dtype=None):
    """An initializer giving arrays full of ``value``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "constant")
        return jnp.full(shape, value, dtype=_default(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    """An initializer drawing uniformly from ``[0, scale)``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "uniform")
        dtype = _default(dtype)
        return random.uniform(key, shape, dtype) * jnp.array(scale, dtype)
    return init


def normal(stddev=1e-2, dtype=None):
    """An initializer drawing from a normal of mean 0 and deviation ``stddev``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "normal")
        dtype = _default(dtype)
        return random.normal(key, shape, dtype) * jnp.array(stddev, dtype)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """An initializer drawing ``stddev`` times a standard normal truncated to
    ``(lower, upper)`` (no correction of the deviation for the truncation)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "truncated_normal")
        dtype = _default(dtype)
        return random.truncated_normal(key, lower, upper, shape, dtype) * jnp.array(stddev,
                                                                                   dtype)
    return init


def _size(shape, axes):
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    """(fan_in, fan_out): the input and output sizes of a weight of ``shape``,
    each times the receptive field (the axes that are neither in, out nor
    batch: a convolution kernel's spatial axes)."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional "
                         "weights tensor with default in_axis. Must be at least 2D or specify "
                         "in_axis explicitly.")
    in_size, out_size = _size(shape, in_axis), _size(shape, out_axis)
    receptive_field = math.prod(shape) / in_size / out_size / _size(shape, batch_axis)
    return in_size * receptive_field, out_size * receptive_field


def _complex_uniform(key, shape, dtype):
    """Uniform on the unit-variance disk: radius sqrt(2 u), uniform angle."""
    key_r, key_theta = random.split(key)
    real_dtype = np.finfo(dtype).dtype
    r = jnp.sqrt(2 * random.uniform(key_r, shape, real_dtype)).astype(dtype)
    theta = 2 * np.pi * random.uniform(key_theta, shape, real_dtype).astype(dtype)
    return r * jnp.exp(1j * theta)


def _complex_truncated_normal(key, upper, shape, dtype):
    """A complex normal of variance 1 (before truncation) with its modulus
    truncated to ``upper``, by inverting the modulus's CDF."""
    key_r, key_theta = random.split(key)
    real_dtype = np.finfo(dtype).dtype
    t = ((1 - jnp.exp(jnp.array(-(upper ** 2), dtype)))
         * random.uniform(key_r, shape, real_dtype).astype(dtype))
    r = jnp.sqrt(-jnp.log(1 - t))
    theta = 2 * np.pi * random.uniform(key_theta, shape, real_dtype).astype(dtype)
    return r * jnp.exp(1j * theta)


# The standard deviation of a standard normal truncated to (-2, 2), and of the
# modulus-truncated complex normal: dividing by it restores the asked variance.
_TRUNCATED_STDDEV = .87962566103423978
_COMPLEX_TRUNCATED_STDDEV = .95311164380491208

_FAN_MODES = {
    "fan_in": lambda fan_in, fan_out: fan_in,
    "fan_out": lambda fan_in, fan_out: fan_out,
    "fan_avg": lambda fan_in, fan_out: (fan_in + fan_out) / 2,
    "fan_geo_avg": lambda fan_in, fan_out: (fan_in * fan_out) ** 0.5,
}


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    """An initializer of variance ``scale / n``, ``n`` the fan picked by
    ``mode`` ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"), drawn from
    ``distribution``: "truncated_normal" (at two deviations), "normal" or
    "uniform" (a disk for complex dtypes)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "variance_scaling")
        shape = tuple(map(int, shape))
        dtype = _default(dtype)
        if mode not in _FAN_MODES:
            raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
        variance = jnp.array(scale / _FAN_MODES[mode](*_compute_fans(
            shape, in_axis, out_axis, batch_axis)), dtype=dtype)
        is_real = dtypes.issubdtype(dtype, np.floating)
        if distribution == "truncated_normal":
            if is_real:
                stddev = jnp.sqrt(variance) / jnp.array(_TRUNCATED_STDDEV, dtype)
                return random.truncated_normal(key, -2, 2, shape, dtype) * stddev
            stddev = jnp.sqrt(variance) / jnp.array(_COMPLEX_TRUNCATED_STDDEV, dtype)
            return _complex_truncated_normal(key, 2, shape, dtype) * stddev
        if distribution == "normal":
            return random.normal(key, shape, dtype) * jnp.sqrt(variance)
        if distribution == "uniform":
            if is_real:
                return random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)
            return _complex_uniform(key, shape, dtype) * jnp.sqrt(variance)
        raise ValueError(f"invalid distribution for variance scaling initializer: "
                         f"{distribution}")
    return init


def _scaled(scale, mode, distribution, doc):
    def builder(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis=in_axis,
                                out_axis=out_axis, batch_axis=batch_axis, dtype=dtype)
    builder.__doc__ = doc
    return builder


glorot_uniform = _scaled(1.0, "fan_avg", "uniform", "Glorot (Xavier) uniform: variance "
                         "scaling with scale 1, mode 'fan_avg'.")
glorot_normal = _scaled(1.0, "fan_avg", "truncated_normal", "Glorot (Xavier) normal: "
                        "variance scaling with scale 1, mode 'fan_avg', truncated normal.")
lecun_uniform = _scaled(1.0, "fan_in", "uniform", "LeCun uniform: variance scaling with "
                        "scale 1, mode 'fan_in'.")
lecun_normal = _scaled(1.0, "fan_in", "truncated_normal", "LeCun normal: variance scaling "
                       "with scale 1, mode 'fan_in', truncated normal.")
he_uniform = _scaled(2.0, "fan_in", "uniform", "He (Kaiming) uniform: variance scaling "
                     "with scale 2, mode 'fan_in'.")
he_normal = _scaled(2.0, "fan_in", "truncated_normal", "He (Kaiming) normal: variance "
                    "scaling with scale 2, mode 'fan_in', truncated normal.")
glorot_uniform.__name__, glorot_normal.__name__ = "glorot_uniform", "glorot_normal"
lecun_uniform.__name__, lecun_normal.__name__ = "lecun_uniform", "lecun_normal"
he_uniform.__name__, he_normal.__name__ = "he_uniform", "he_normal"
xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of matrices (reshaped to ``shape``) whose columns along
    ``column_axis``, or rows if fewer, are orthonormal, times ``scale``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "orthogonal")
        dtype = _default(dtype)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if any(dim == 0 for dim in shape):
            return jnp.zeros(shape, dtype=dtype)
        n_cols = shape[column_axis]
        n_rows = math.prod(shape) // n_cols
        q = random.orthogonal(key, n_rows, (), dtype, n_cols)
        q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))
        return jnp.array(scale, dtype) * jnp.moveaxis(q, -1, column_axis)
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of 3-d to 5-d convolution kernels that are zero except
    at the spatial centre, which holds an orthogonal matrix (Xiao et al. 2018)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding(out_sharding, "delta_orthogonal")
        dtype = _default(dtype)
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        matrix = orthogonal(scale=scale, column_axis=column_axis, dtype=dtype)(
            key, shape[-2:])
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return jnp.zeros(shape, dtype=dtype).at[centre].set(matrix)
    return init
