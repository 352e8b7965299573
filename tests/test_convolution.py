"""lax.conv_general_dilated against JAX: values, jvp/vjp, check_grads, vmap, jit, errors."""
import jax
import numpy as np
import pytest

import minijax
from minijax.test_util import check_grads

from helpers import check_like_jax, x64

TOL = dict(rtol=1e-4, atol=1e-4)

# (lhs shape, rhs shape, keyword arguments): strides, every padding form,
# dilations, groups and layouts.
CONFIGS = {
    "dilated_padded": ((2, 3, 5, 6), (4, 3, 2, 3), dict(
        window_strides=(1, 2), padding=[(1, 0), (0, 2)], lhs_dilation=(2, 1),
        rhs_dilation=(1, 2))),
    "feature_groups_same": ((2, 4, 5, 6), (6, 2, 2, 3), dict(
        window_strides=(2, 1), padding="SAME", feature_group_count=2)),
    "batch_groups_same_lower": ((4, 3, 5, 6), (6, 3, 2, 3), dict(
        window_strides=(1, 1), padding="SAME_LOWER", batch_group_count=2)),
    "nhwc_negative_padding": ((2, 5, 6, 3), (2, 3, 3, 4), dict(
        window_strides=(2, 1), padding=[(-1, 2), (1, -1)],
        dimension_numbers=("NHWC", "HWIO", "NCHW"))),
    "conv1d_atrous": ((2, 3, 5), (4, 3, 2), dict(window_strides=(3,), padding="SAME",
                                                  rhs_dilation=(2,))),
    "conv3d_valid": ((1, 2, 4, 3, 4), (2, 2, 2, 2, 3), dict(window_strides=(1, 1, 1),
                                                            padding="VALID")),
}


def _args(name, dtype=np.float32, seed=0):
    lhs_shape, rhs_shape, _ = CONFIGS[name]
    rng = np.random.default_rng(seed)
    return rng.standard_normal(lhs_shape).astype(dtype), rng.standard_normal(rhs_shape).astype(dtype)


def _fn(lax, name):
    kw = CONFIGS[name][2]
    return lambda x, w: lax.conv_general_dilated(x, w, **kw)


@pytest.mark.parametrize("name", CONFIGS)
def test_values_and_vjp_like_jax(name):
    x, w = _args(name)
    out, pullback = minijax.vjp(_fn(minijax.lax, name), x, w)
    out_j, pullback_j = jax.vjp(_fn(jax.lax, name), x, w)
    check_like_jax(out, out_j, **TOL)
    ct = np.random.default_rng(1).standard_normal(out_j.shape).astype(np.float32)
    check_like_jax(pullback(ct), pullback_j(ct), **TOL)


@pytest.mark.parametrize("name", CONFIGS)
def test_check_grads_order2_float64(name):
    with x64():
        check_grads(_fn(minijax.lax, name), _args(name, np.float64), order=2,
                    modes=("fwd", "rev"))


@pytest.mark.parametrize("name", ["feature_groups_same", "batch_groups_same_lower"])
@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (2, 1)])
def test_vmap_like_jax(name, in_axes):
    x, w = _args(name)
    xs, ws = np.stack([x, 2 * x, x + 1]), np.stack([w, -w, w * 0.5])
    xs = x if in_axes[0] is None else np.moveaxis(xs, 0, in_axes[0])
    ws = w if in_axes[1] is None else np.moveaxis(ws, 0, in_axes[1])
    check_like_jax(minijax.vmap(_fn(minijax.lax, name), in_axes=in_axes)(xs, ws),
                   jax.vmap(_fn(jax.lax, name), in_axes=in_axes)(xs, ws), **TOL)


@pytest.mark.parametrize("name", ["dilated_padded", "batch_groups_same_lower"])
def test_jit_of_value_and_grad_like_jax(name):
    x, w = _args(name)

    def loss(lax):
        return lambda x, w: (lax.conv_general_dilated(x, w, **CONFIGS[name][2]) ** 2).sum()
    ours = minijax.jit(minijax.value_and_grad(loss(minijax.lax), (0, 1)))(x, w)
    theirs = jax.jit(jax.value_and_grad(loss(jax.lax), (0, 1)))(x, w)
    check_like_jax(ours, theirs, rtol=2e-4, atol=2e-4)


def test_complex_and_integer_convolutions_like_jax():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2, 3, 5)) + 1j * rng.standard_normal((2, 3, 5))).astype(np.complex64)
    w = (rng.standard_normal((4, 3, 2)) + 1j * rng.standard_normal((4, 3, 2))).astype(np.complex64)
    fn = lambda lax: (lambda x, w: lax.conv(x, w, (1,), "SAME"))  # noqa: E731
    check_like_jax(fn(minijax.lax)(x, w), jax.jit(fn(jax.lax))(x, w), rtol=1e-5, atol=1e-5)
    check_like_jax(minijax.jit(fn(minijax.lax))(x, w), jax.jit(fn(jax.lax))(x, w), rtol=1e-5,
                   atol=1e-5)
    xi, wi = rng.integers(-3, 3, (1, 2, 4)).astype(np.int32), rng.integers(-3, 3, (2, 2, 2)).astype(np.int32)
    check_like_jax(fn(minijax.lax)(xi, wi), fn(jax.lax)(xi, wi))
    pref = lambda lax: lax.conv(xi, wi, (1,), "VALID", preferred_element_type=np.float32)  # noqa: E731
    check_like_jax(pref(minijax.lax), pref(jax.lax))


def test_conv_with_general_padding_and_dimension_numbers_like_jax():
    x, w = _args("dilated_padded")
    args = (x, w, (1, 1), [(1, 2), (0, 1)], (1, 2), (2, 1))
    check_like_jax(minijax.lax.conv_with_general_padding(*args),
                   jax.lax.conv_with_general_padding(*args), **TOL)
    for dn in [None, ("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"), ("NWHC", "WHIO", "CNHW")]:
        ours = minijax.lax.conv_dimension_numbers((2, 3, 4, 5), (6, 3, 2, 2), dn)
        theirs = jax.lax.conv_dimension_numbers((2, 3, 4, 5), (6, 3, 2, 2), dn)
        assert tuple(ours) == tuple(theirs)
    assert minijax.lax.padtype_to_pads((5, 6), (2, 3), (2, 1), "SAME") == \
        jax.lax.padtype_to_pads((5, 6), (2, 3), (2, 1), "SAME")


@pytest.mark.parametrize("dn, error", [
    (("NCHW", "OIHW"), TypeError),            # not three specs
    (("NCH", "OIH", "NCH"), TypeError),       # wrong length
    (("NCHH", "OIHW", "NCHW"), TypeError),    # duplicate letters
    (("NXHW", "OIHW", "NCHW"), TypeError),    # no feature axis
    (("NCHW", "OIHW", "NCHZ"), TypeError),    # spatial letters differ
    ("NCHW", TypeError),                      # a string, not a tuple
])
def test_bad_dimension_numbers_raise_like_jax(dn, error):
    x, w = np.zeros((1, 2, 3, 3), np.float32), np.zeros((2, 2, 2, 2), np.float32)
    with pytest.raises(error):
        jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=dn)
    with pytest.raises(error, match="dimension_numbers"):
        minijax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=dn)


@pytest.mark.parametrize("kwargs, error", [
    (dict(feature_group_count=3), ValueError),
    (dict(batch_group_count=3), ValueError),
    (dict(padding="FULL"), RuntimeError),
    (dict(padding=[1, 2]), ValueError),
    (dict(padding="SAME", lhs_dilation=(2, 1)), ValueError),
])
def test_bad_arguments_raise_like_jax(kwargs, error):
    x, w = np.zeros((2, 2, 3, 3), np.float32), np.zeros((2, 2, 2, 2), np.float32)
    kwargs = dict(dict(window_strides=(1, 1), padding="VALID"), **kwargs)
    with pytest.raises(error):
        jax.lax.conv_general_dilated(x, w, **kwargs)
    with pytest.raises(error):
        minijax.lax.conv_general_dilated(x, w, **kwargs)


def test_small_cnn_per_example_gradients_like_jax():
    """conv + max pooling + dense: per-example gradients with vmap(grad) under jit."""
    rng = np.random.default_rng(0)
    params = (rng.standard_normal((4, 1, 3, 3)).astype(np.float32) * 0.3,
              rng.standard_normal((4 * 3 * 3, 2)).astype(np.float32) * 0.1)
    images = rng.standard_normal((5, 1, 1, 8, 8)).astype(np.float32)
    labels = rng.standard_normal((5, 2)).astype(np.float32)

    def loss(jx):
        lax, jnp = jx.lax, jx.numpy

        def f(params, image, label):
            kernel, dense = params
            h = jnp.tanh(lax.conv(image, kernel, (1, 1), "SAME"))
            h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
            h = lax.reduce_window(h, 0.0, lax.add, (1, 1, 2, 2), (1, 1, 1, 1), "VALID") / 4
            return jnp.sum((h.reshape(-1) @ dense - label) ** 2)
        return f
    per_example = lambda jx: jx.jit(jx.vmap(jx.grad(loss(jx)), (None, 0, 0)))  # noqa: E731
    check_like_jax(per_example(minijax)(params, images, labels),
                   per_example(jax)(params, images, labels), rtol=1e-4, atol=1e-5)


def test_shapes_are_python_ints():
    """The output shape of a convolution (and of its transposes, in grad) is
    a tuple of Python ints, as JAX's: numpy integers print as np.int64(4)."""
    x, w = np.ones((1, 1, 8, 8), np.float32), np.ones((4, 1, 3, 3), np.float32)
    f = lambda w, x: minijax.lax.conv_general_dilated(x, w, (1, 1), "SAME").sum()  # noqa: E731
    for shape in (minijax.grad(f)(w, x).shape, minijax.grad(f, 1)(w, x).shape,
                  minijax.eval_shape(lambda: minijax.lax.conv(x, w, (1, 1), "SAME")).shape):
        assert all(type(d) is int for d in shape), shape
