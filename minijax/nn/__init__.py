"""``minijax.nn``: the neural-network functions of ``jax.nn``.

- ``activations``: relu, gelu, silu, elu, softplus, ... (pointwise) and glu;
- ``normalization``: softmax, log_softmax, logsumexp, logmeanexp, standardize, one_hot;
- ``attention``: dot_product_attention;
- ``initializers``: weight initializers on ``minijax.random``.

Everything is written with ``jnp`` and ``lax`` operations (a few custom JVP
rules where JAX has them), so every transformation sees through it.
Not provided: JAX's fp8/fp4 ``scaled_matmul`` and ``scaled_dot_general``.
"""
from .activations import (  # noqa: F401
    identity, relu, relu6, sigmoid, tanh, softplus, log_sigmoid, soft_sign, squareplus,
    sparse_plus, sparse_sigmoid, silu, swish, mish, elu, celu, selu, leaky_relu, hard_tanh,
    hard_sigmoid, hard_silu, hard_swish, gelu, glu, log1mexp)
from .normalization import (  # noqa: F401
    logsumexp, logmeanexp, softmax, log_softmax, standardize, one_hot)
from .attention import dot_product_attention  # noqa: F401
from . import initializers  # noqa: F401
