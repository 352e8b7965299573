"""The incomplete gamma and beta functions as primitives, as in JAX's
``lax``: ``igamma``, ``igammac``, ``igamma_grad_a`` and ``betainc`` (the
``regularized_incomplete_beta`` primitive).

StableHLO has no such operations, so each primitive means a program of lax
operations (a power series or a continued fraction run by ``while_loop``,
in ``_special_formulas``): the lowering traces that program, and the eager
implementation runs it compiled, so eager results carry jit's bits, as in
JAX. Derivatives (``forward_mode``) are per operand, as JAX's: in ``x`` in
closed form; ``igamma`` in ``a`` through ``igamma_grad_a``, which itself has
no derivative; ``betainc`` in ``a`` and ``b`` raises, as JAX does.
"""
import numpy as np

from ..core import Primitive, ShapedArray
from .elementwise import FLOAT, _check_kind, _check_same_dtypes, broadcast_shapes_lax


def _compiled_formula(name):
    """The eager implementation: the primitive's formula, jit-compiled once
    (imported late: the formulas need ``minijax.numpy`` and ``jit``)."""
    compiled = []

    def impl(*args):
        if not compiled:
            from ..compiling import jit
            from . import _special_formulas
            compiled.append(jit(_special_formulas.FORMULAS[name]))
        return np.asarray(compiled[0](*args))
    impl.__name__ = f"_{name}_impl"
    return impl


def _elementwise_float(name):
    """Declare the elementwise primitive ``name`` on floating operands of one
    dtype (lax's broadcasting: rank-0 operands and size-1 axes)."""
    prim = Primitive(name)
    prim.def_impl(_compiled_formula(name))

    @prim.def_abstract_eval
    def abstract_eval(*avals):
        for aval in avals:
            _check_kind(name, aval, FLOAT)
        _check_same_dtypes(name, avals)
        shape = broadcast_shapes_lax(name, *(a.shape for a in avals))
        return ShapedArray(shape, avals[0].dtype, all(a.weak_type for a in avals))
    return prim


igamma_p = _elementwise_float("igamma")
igammac_p = _elementwise_float("igammac")
igamma_grad_a_p = _elementwise_float("igamma_grad_a")
regularized_incomplete_beta_p = _elementwise_float("regularized_incomplete_beta")


def igamma(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    return igamma_p.bind(a, x)


def igammac(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return igammac_p.bind(a, x)


def igamma_grad_a(a, x):
    """The derivative of ``igamma(a, x)`` with respect to ``a``."""
    return igamma_grad_a_p.bind(a, x)


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    return regularized_incomplete_beta_p.bind(a, b, x)
