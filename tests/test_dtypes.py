"""dtype rules against JAX's: canonical types, weak types, the promotion table.

Every expectation here is computed by real JAX, with 64-bit mode off (the
default) and on (``x64()``): the full ``promote_types`` table, ``result_type``
with weak Python scalars, weak arrays and Python scalar types, and the dtype
and weak flag of the arrays that array constructors and operators produce.
"""
import itertools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st
from jax._src.lax import lax as jax_lax_internal

import minijax
import minijax.lax as mlax
import minijax.numpy as mnp
from minijax import dtypes

from helpers import check_like_jax, weak_type, x64

DTYPE_NAMES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
               "uint64", "float16", "float32", "float64", "complex64", "complex128"]
# The dtypes arrays can have with 64-bit mode off.
X32_NAMES = [n for n in DTYPE_NAMES if n not in ("int64", "uint64", "float64", "complex128")]
SCALARS = [True, 1, 1.0, 1j]
SCALAR_TYPES = [bool, int, float, complex]


@pytest.fixture(params=[False, True], ids=["x32", "x64"])
def mode(request):
    """Run a test with 64-bit mode off, then on; yields the supported dtype names."""
    if request.param:
        with x64():
            yield DTYPE_NAMES
    else:
        yield X32_NAMES


def jax_array(name, weak):
    """A JAX 0-d array of dtype ``name`` carrying the weak flag ``weak``."""
    return jax_lax_internal._convert_element_type(np.zeros((), name), np.dtype(name),
                                                  weak_type=weak)


def our_array(name, weak):
    return mlax._convert_element_type(np.zeros((), name), name, weak)


def jax_result(*args):
    return jax.dtypes.result_type(*args, return_weak_type_flag=True)


def our_result(*args):
    return dtypes.result_type(*args, return_weak_type_flag=True)


# ---------------------------------------------------------------------------
# Canonicalization


def test_canonicalize_dtype_like_jax(mode):
    for name in DTYPE_NAMES:
        assert dtypes.canonicalize_dtype(name) == jax.dtypes.canonicalize_dtype(name), name


def test_x64_flag_round_trip():
    assert not minijax.config.x64_enabled
    with x64():
        assert minijax.config.read("jax_enable_x64")
        assert dtypes.canonicalize_dtype(np.float64) == np.float64
    assert minijax.config.jax_enable_x64 is False
    with pytest.raises(AttributeError):
        minijax.config.update("jax_no_such_flag", True)


def test_unsupported_dtype_is_a_type_error():
    with pytest.raises(TypeError):
        dtypes.canonicalize_dtype(np.dtype("U3"))
    with pytest.raises(TypeError):
        jnp.array(["a"])
    with pytest.raises(TypeError):
        mnp.array(["a"])


def test_float0_is_jax_float0():
    assert dtypes.float0 == jax.dtypes.float0
    assert dtypes.float0.itemsize == 0


# ---------------------------------------------------------------------------
# The promotion table


def test_promote_types_table(mode):
    """All pairs of dtypes; like JAX's, the result is not canonicalized."""
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        expected = jnp.promote_types(a, b)
        assert mnp.promote_types(a, b) == expected, (a, b, expected)
        assert mnp.promote_types(np.dtype(a), getattr(mnp, b if b != "bool" else "bool_")) \
            == expected, (a, b)


def test_promote_types_is_symmetric_and_idempotent(mode):
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        assert mnp.promote_types(a, b) == mnp.promote_types(b, a)
    for a in DTYPE_NAMES:
        assert mnp.promote_types(a, a) == np.dtype(a)


def test_promote_types_rejects_unsupported_dtypes():
    with pytest.raises(ValueError):
        jnp.promote_types("U3", "int8")
    with pytest.raises(ValueError):
        mnp.promote_types("U3", "int8")


def test_result_type_of_dtypes(mode):
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        assert our_result(np.dtype(a), np.dtype(b)) == jax_result(np.dtype(a), np.dtype(b)), \
            (a, b)


def test_result_type_weak_and_strong_arrays(mode):
    """Every pair of dtypes, each operand weak or strong."""
    for a, b in itertools.product(mode, mode):
        for wa, wb in itertools.product((False, True), repeat=2):
            expected = jax_result(jax_array(a, wa), jax_array(b, wb))
            got = our_result(our_array(a, wa), our_array(b, wb))
            assert got == expected, (a, wa, b, wb)


def test_result_type_with_python_scalars(mode):
    """Python scalars are weak: they adopt the array's dtype when they can."""
    for name in mode:
        for weak in (False, True):
            for s in SCALARS:
                assert our_result(our_array(name, weak), s) == \
                    jax_result(jax_array(name, weak), s), (name, weak, s)
                assert our_result(s, our_array(name, weak)) == \
                    jax_result(s, jax_array(name, weak)), (s, name, weak)


def test_result_type_with_python_scalar_types(mode):
    """``float`` (the type) promotes like a weak float, ``np.dtype(float)`` does not."""
    for name in mode:
        for t in SCALAR_TYPES:
            assert our_result(np.dtype(name), t) == jax_result(np.dtype(name), t), (name, t)
    for t in SCALAR_TYPES:
        assert our_result(t) == jax_result(t)
        assert dtypes.dtype(t) == jax.dtypes.canonicalize_dtype(jnp.dtype(t))


def test_result_type_of_python_scalars_alone(mode):
    for s, t in itertools.product(SCALARS, SCALARS):
        assert our_result(s, t) == jax_result(s, t), (s, t)
    for s in SCALARS:
        assert our_result(s) == jax_result(s)
        assert mnp.result_type(s) == jnp.result_type(s)


def test_result_type_needs_an_argument():
    with pytest.raises(ValueError):
        dtypes.result_type()


_OPERAND = st.one_of(
    st.sampled_from(SCALARS).map(lambda s: ("scalar", s)),
    st.tuples(st.sampled_from(DTYPE_NAMES), st.booleans()).map(lambda t: ("array",) + t),
    st.sampled_from(DTYPE_NAMES).map(lambda n: ("dtype", n)),
)


@given(st.lists(_OPERAND, min_size=1, max_size=5), st.booleans())
def test_result_type_of_many_operands(operands, use_x64):
    """``result_type`` of any mix of scalars, weak/strong arrays and dtypes."""
    def build(op, make):
        if op[0] == "scalar":
            return op[1]
        if op[0] == "dtype":
            return np.dtype(op[1])
        return make(op[1], op[2])

    with x64() if use_x64 else warnings.catch_warnings():
        supported = DTYPE_NAMES if use_x64 else X32_NAMES
        operands = [op for op in operands if op[0] != "array" or op[1] in supported]
        if not operands:
            return
        expected = jax_result(*(build(op, jax_array) for op in operands))
        assert our_result(*(build(op, our_array) for op in operands)) == expected


# ---------------------------------------------------------------------------
# What arrays users get: constructors and operators


CONSTRUCTORS = [
    ("scalar float", lambda np_: np_.array(1.0)),
    ("scalar int", lambda np_: np_.array(3)),
    ("scalar bool", lambda np_: np_.array(True)),
    ("scalar complex", lambda np_: np_.array(1 + 2j)),
    ("asarray float", lambda np_: np_.asarray(2.5)),
    ("list of floats", lambda np_: np_.array([1., 2.])),
    ("list of ints", lambda np_: np_.array([1, 2])),
    ("mixed list", lambda np_: np_.array([1, 2.5])),
    ("complex list", lambda np_: np_.array([1j, 2])),
    ("bool list", lambda np_: np_.array([True, False])),
    ("nested list", lambda np_: np_.array([[1., 2.], [3., 4.]])),
    ("numpy float64", lambda np_: np_.asarray(np.arange(3.0))),
    ("numpy int64", lambda np_: np_.asarray(np.arange(3))),
    ("numpy uint8", lambda np_: np_.asarray(np.arange(3, dtype=np.uint8))),
    ("numpy float64 scalar", lambda np_: np_.asarray(np.float64(1.5))),
    ("numpy float16", lambda np_: np_.asarray(np.ones(2, np.float16))),
    ("dtype=int", lambda np_: np_.array(1.7, dtype=int)),
    ("dtype=float", lambda np_: np_.array(2, dtype=float)),
    ("dtype=complex", lambda np_: np_.array(2, dtype=complex)),
    ("dtype=int8", lambda np_: np_.array([1, 2], dtype=np_.int8)),
    ("float32()", lambda np_: np_.float32(3)),
    ("int16()", lambda np_: np_.int16(3)),
    ("zeros", lambda np_: np_.zeros(3)),
    ("zeros int", lambda np_: np_.zeros((2, 1), int)),
    ("ones bool", lambda np_: np_.ones(2, bool)),
    ("full weak", lambda np_: np_.full((2,), 1.5)),
    ("full int", lambda np_: np_.full((2,), 7)),
    ("full dtype", lambda np_: np_.full((2,), 7, np_.float16)),
    ("zeros_like weak", lambda np_: np_.zeros_like(np_.array(1.0))),
    ("ones_like int8", lambda np_: np_.ones_like(np_.array([1, 2], np_.int8))),
    ("full_like", lambda np_: np_.full_like(np_.array([1, 2]), 2.5)),
    ("eye", lambda np_: np_.eye(3)),
    ("eye int", lambda np_: np_.eye(2, 3, 1, dtype=int)),
    ("arange int", lambda np_: np_.arange(5)),
    ("arange float", lambda np_: np_.arange(0.5, 3)),
    ("arange dtype", lambda np_: np_.arange(3, dtype=np_.float16)),
    ("linspace", lambda np_: np_.linspace(0, 1, 5)),
    ("linspace int", lambda np_: np_.linspace(0, 10, 4, dtype=int)),
]


@pytest.mark.parametrize("name,make", CONSTRUCTORS, ids=[c[0] for c in CONSTRUCTORS])
def test_constructor_dtypes(name, make, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # both libraries warn about 64-bit requests
        check_like_jax(make(mnp), make(jnp))


def test_documented_defaults():
    """The defaults the design notes promise, spelled out."""
    x = mnp.array(1.0)
    assert x.dtype == np.float32 and weak_type(x)
    y = mnp.array([1., 2.])
    assert y.dtype == np.float32 and not weak_type(y)
    z = mnp.array(1j)
    assert z.dtype == np.complex64 and weak_type(z)
    assert mnp.array(1).dtype == np.int32
    with x64():
        assert mnp.array(1.0).dtype == np.float64
        assert mnp.array(1j).dtype == np.complex128


def test_requesting_unavailable_dtype_warns():
    with pytest.warns(UserWarning):
        x = mnp.zeros(3, np.float64)
    assert x.dtype == np.float32
    with pytest.warns(UserWarning):
        mnp.array([1, 2], dtype=np.dtype("int64"))
    with x64(), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mnp.zeros(3, np.float64).dtype == np.float64


BINARY_OPS = [
    ("add", lambda lib, a, b: a + b),
    ("mul", lambda lib, a, b: a * b),
    ("truediv", lambda lib, a, b: a / b),
    ("maximum", lambda lib, a, b: lib.maximum(a, b)),
    ("sin", lambda lib, a, b: lib.sin(a)),
]


def jax_type(f, *args):
    """JAX's (shape, dtype, weak_type) for ``f(*args)``, by tracing only (fast:
    nothing is compiled)."""
    out = jax.eval_shape(f, *args)
    return out.shape, out.dtype, out.weak_type


def our_type(x):
    return x.shape, x.dtype, weak_type(x)


def _ones(lib, name, weak):
    x = our_array(name, weak) if lib is mnp else jax_array(name, weak)
    return x == x if name == "bool" else x + (x == x).astype(x.dtype)


@pytest.mark.parametrize("op_name,op", BINARY_OPS, ids=[o[0] for o in BINARY_OPS])
def test_operator_results_with_scalars(op_name, op, mode):
    """``x op scalar`` and ``scalar op x``: dtype and weak flag as in JAX."""
    for name in mode:
        for weak in (False, True) if name != "bool" else (False,):
            for s in (1, 2.0, 1j) if op_name != "maximum" else (1, 2.0):
                ours, theirs = our_array(name, weak), jax_array(name, weak)
                assert our_type(op(mnp, ours, s)) == \
                    jax_type(lambda x: op(jnp, x, s), theirs), (name, weak, s)
                assert our_type(op(mnp, s, ours)) == \
                    jax_type(lambda x: op(jnp, s, x), theirs), (s, name, weak)


@pytest.mark.parametrize("name", ["bool", "uint8", "int32", "float16", "float32", "complex64"])
def test_operator_values_with_scalars(name):
    """A sample computed by JAX for real: values too, not just types."""
    ours, theirs = _ones(mnp, name, False), _ones(jnp, name, False)
    for op_name, op in BINARY_OPS:
        for s in (3, 2.5):
            if name == "bool" and op_name == "truediv":
                continue
            check_like_jax(op(mnp, ours, s), op(jnp, theirs, s), rtol=1e-3)


def test_operator_results_between_arrays(mode):
    """``x + y`` and ``x / y`` for every pair of dtypes and weak flags."""
    for a, b in itertools.product(mode, mode):
        for wa, wb in itertools.product((False, True), repeat=2):
            if (a == "bool" and wa) or (b == "bool" and wb):
                continue
            x, y = our_array(a, wa), our_array(b, wb)
            jx, jy = jax_array(a, wa), jax_array(b, wb)
            assert our_type(x + y) == jax_type(jnp.add, jx, jy), (a, wa, b, wb)
            if not (wa or wb):
                assert our_type(mnp.true_divide(x, y)) == jax_type(jnp.true_divide, jx, jy), \
                    (a, b)


def test_dtype_helpers():
    assert mnp.issubdtype(mnp.float32, mnp.floating)
    assert not mnp.issubdtype(mnp.int32, mnp.inexact)
    assert mnp.finfo(mnp.float32).eps == jnp.finfo(jnp.float32).eps
    assert mnp.iinfo(mnp.int8).max == jnp.iinfo(jnp.int8).max
    assert np.dtype(mnp.float32) == np.float32
    assert mnp.dtype("float16") == np.float16
