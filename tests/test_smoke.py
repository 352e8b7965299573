import minijax as jax
import minijax.numpy as jnp


def test_grad_of_polynomial():
    f = lambda x: x ** 3 + 2 * x ** 2 - 3 * x + 1
    assert float(jax.grad(f)(1.0)) == 4.0
    assert float(jax.grad(jax.grad(f))(1.0)) == 10.0
