"""The pointwise activation functions of ``jax.nn`` (and ``glu``).

Each is a few ``jnp`` or ``lax`` operations written the way JAX writes them,
so that values, dtypes and derivatives agree with JAX's, also at the awkward
points: the kinks of ``relu``/``relu6`` (slope 0, by a custom rule), large
inputs of ``softplus`` (through ``logaddexp``'s custom rule), ``elu`` far left
(``expm1`` kept away from overflow so its derivative stays finite).
"""
import math

import numpy as np

from .. import lax
from .. import numpy as jnp
from ..custom_derivatives import custom_jvp
from ._util import arraylike, inexact


def identity(x):
    """Returns ``x`` unchanged (as an array)."""
    return arraylike("identity", x)


@custom_jvp
def relu(x):
    """max(x, 0). Its derivative at 0 is 0, by a custom rule as in JAX."""
    return jnp.maximum(x, 0)


# The slope at the kink is a convention; JAX picks 0 (a rule, not a tie-split).
relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))


@custom_jvp
def relu6(x):
    """min(max(x, 0), 6), with slope 0 at both kinks (JAX's custom rule)."""
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x))."""
    return lax.logistic(inexact("sigmoid", x))


def tanh(x):
    """The hyperbolic tangent (``jnp.tanh``)."""
    return jnp.tanh(x)


def softplus(x):
    """log(1 + exp(x)), as ``logaddexp(x, 0)``: stable for large |x|, and its
    custom derivative is sigmoid(x) everywhere."""
    return jnp.logaddexp(x, 0)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), without overflow."""
    return -softplus(-arraylike("log_sigmoid", x))


def soft_sign(x):
    """x / (|x| + 1)."""
    x = arraylike("soft_sign", x)
    return x / (jnp.abs(x) + 1)


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2, a smooth relu (arXiv:2112.11687)."""
    x, b = arraylike("squareplus", x), arraylike("squareplus", b)
    return (x + jnp.sqrt(jnp.square(x) + b)) / 2


def sparse_plus(x):
    """0 for x <= -1, (x + 1)**2 / 4 in between, x for x >= 1."""
    x = arraylike("sparse_plus", x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


def sparse_sigmoid(x):
    """The derivative of ``sparse_plus``: (x + 1) / 2 clipped to [0, 1]."""
    return 0.5 * jnp.clip(x + 1.0, 0.0, 2.0)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    x = arraylike("silu", x)
    return x * sigmoid(x)


swish = silu


def mish(x):
    """x * tanh(softplus(x)) (arXiv:1908.08681)."""
    x = arraylike("mish", x)
    return x * jnp.tanh(softplus(x))


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = arraylike("elu", x)
    # expm1 sees only the non-positive inputs: for large x it would overflow,
    # and inf times the zero slope of the unselected branch is a nan gradient.
    safe = jnp.where(x > 0, 0.0, x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(safe))


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha): elu, continuously
    differentiable for every alpha (arXiv:1704.07483)."""
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


# The constants of Klambauer et al. (arXiv:1706.02515), as JAX spells them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """scale * elu(x, alpha) with the self-normalizing constants."""
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def leaky_relu(x, negative_slope=1e-2):
    """x for x >= 0, negative_slope * x otherwise."""
    x = arraylike("leaky_relu", x)
    return jnp.where(x >= 0, x, negative_slope * x)


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    x = arraylike("hard_tanh", x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


def hard_sigmoid(x):
    """relu6(x + 3) / 6, a piecewise-linear sigmoid."""
    return relu6(x + 3.0) / 6.0


def hard_silu(x):
    """x * hard_sigmoid(x) (also called hard_swish)."""
    x = arraylike("hard_silu", x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def gelu(x, approximate=True):
    """The Gaussian error linear unit x * Phi(x) (``approximate=False``), or
    its tanh approximation (the default, as in JAX)."""
    x = inexact("gelu", x)
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(x.dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x ** 3))))
        return x * cdf
    sqrt_half = np.sqrt(0.5).astype(x.dtype)
    return jnp.asarray(0.5 * x * lax.erfc(-x * sqrt_half), dtype=x.dtype)


def glu(x, axis=-1):
    """The gated linear unit: split ``x`` in two halves along ``axis``, and
    return first_half * sigmoid(second_half)."""
    x = arraylike("glu", x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the size of axis {axis} must be divisible by 2, "
                         f"got shape {x.shape}")
    x1, x2 = jnp.split(x, 2, axis)
    return x1 * sigmoid(x2)


@custom_jvp
def log1mexp(x):
    """log(1 - exp(-x)) for x > 0, accurately: through expm1 below log 2 and
    log1p above (Maechler's recipe)."""
    x = arraylike("log1mexp", x)
    return jnp.where(x < math.log(2.0), jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))
