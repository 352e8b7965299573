"""``minijax.nn``: the activation functions and softmax helpers of ``jax.nn``.

Each is a few ``jnp`` operations, so every transformation sees through it; a
few are written the way JAX writes them so that their derivatives behave the
same at the awkward points (``relu`` at 0, ``softplus`` for large inputs).
"""
import numpy as np

from . import dtypes, lax
from . import numpy as jnp
from .custom_derivatives import custom_jvp
from .util import reject_unsupported


@custom_jvp
def relu(x):
    """max(x, 0). Its derivative at 0 is 0, by a custom rule as in JAX."""
    x = jnp.asarray(x)
    return jnp.where(x > 0, x, jnp.zeros_like(x))


# The slope at the kink is a convention; JAX picks 0 (a rule, not a tie-split).
relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))


@custom_jvp
def relu6(x):
    """min(max(x, 0), 6), with slope 0 at both kinks (JAX's custom rule)."""
    return jnp.minimum(relu(x), 6.0)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x))."""
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    return lax.logistic(x)


def log_sigmoid(x):
    """log(sigmoid(x)), without overflow: -softplus(-x)."""
    return -softplus(-jnp.asarray(x))


def softplus(x):
    """log(1 + exp(x)), computed stably as max(x, 0) + log1p(exp(-|x|)).

    Written so that plain autodiff gives sigmoid(x) everywhere, 0.5 at 0
    included: there |x| has slope +1 (so the log1p term contributes -0.5)
    and the ``x >= 0`` branch has slope 1. (JAX attaches a custom JVP rule to
    logaddexp for the same effect.)"""
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    zero = jnp.zeros_like(x)
    return jnp.where(x >= 0, x, zero) + jnp.log1p(jnp.exp(-jnp.abs(x)))


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    return x * sigmoid(x)


swish = silu


def gelu(x, approximate=True):
    """The Gaussian error linear unit: x * Phi(x), or its tanh approximation."""
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    if approximate:
        cdf = 0.5 * (1.0 + jnp.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
        return x * cdf
    return 0.5 * x * (1.0 + lax.erf(x / np.sqrt(2).astype(x.dtype)))


def elu(x, alpha=1.0):
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    safe = jnp.where(x > 0, jnp.zeros_like(x), x)   # keep expm1 away from overflow
    return jnp.where(x > 0, x, alpha * jnp.expm1(safe))


def leaky_relu(x, negative_slope=0.01):
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    return jnp.where(x >= 0, x, negative_slope * x)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(exp(a))) along ``axis``, shifted by the maximum for stability.
    (JAX's weights ``b``, ``return_sign`` and ``where`` are not implemented.)"""
    reject_unsupported("jax.nn.logsumexp", b=(b, None), return_sign=(return_sign, False),
                       where=(where, None))
    return jnp.logsumexp(a, axis=axis, keepdims=keepdims)


def log_softmax(x, axis=-1):
    """x - logsumexp(x): log-probabilities, stable for large inputs."""
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    shifted = x - lax.stop_gradient(jnp.max(x, axis, keepdims=True))
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis, keepdims=True))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``."""
    x, = jnp.promote_dtypes_inexact(jnp.asarray(x))
    unnormalized = jnp.exp(x - lax.stop_gradient(jnp.max(x, axis, keepdims=True)))
    return unnormalized / jnp.sum(unnormalized, axis, keepdims=True)


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """Rows of the identity: ``one_hot(y, k)[..., j] == (y == j)``, of the
    default float dtype unless ``dtype`` says otherwise."""
    dtype = dtypes.default_float_dtype() if dtype is None else dtype
    x = jnp.asarray(x)
    axis = axis % (x.ndim + 1)
    classes = lax.broadcasted_iota(np.int32, (1,) * axis + (num_classes,) +
                                   (1,) * (x.ndim - axis), axis)
    return (jnp.expand_dims(x, axis) == classes).astype(dtype)
