"""minijax: JAX's transformations, re-implemented to be read."""
import warnings as _warnings

# scipy (numpy-level special functions and LAPACK calls for the eager
# interpreter) adds entries to warnings.filters when first imported. Import it
# first, under catch_warnings, so that importing minijax leaves the user's
# warning filters as they were (as importing JAX does).
with _warnings.catch_warnings():
    import scipy.linalg as _scipy_linalg     # noqa: F401  (not minijax.scipy)
    import scipy.special as _scipy_special   # noqa: F401

from .config import config, disable_jit, debug_nans, numpy_rank_promotion
from . import dtypes, errors, tree_util, tree, core, eager, lax, numpy
from .eager import Array
from .core import ShapeDtypeStruct, typeof
from .forward_mode import jvp
from .batching import vmap
from .jaxpr import make_jaxpr, eval_shape, ensure_compile_time_eval
from .partial_eval import linearize
from .transpose import vjp, linear_transpose
from .api import jacfwd, jacrev, jacobian, hessian, grad, value_and_grad, named_call
from . import test_util, nn, scipy
from .compiling import (jit, devices, default_backend, device_put, device_get,
                        block_until_ready)
from .custom_derivatives import custom_jvp, custom_vjp, custom_gradient, closure_convert
from . import custom_solvers
from . import ad_checkpoint
from .ad_checkpoint import checkpoint, remat, checkpoint_policies
from . import random, flatten_util, debug
from . import jaxpr as _jaxpr

# Two of JAX's error types live next to the code that raises them; list them
# in minijax.errors with the others.
errors.JaxprTypeError = _jaxpr.JaxprTypeError
errors.NonConcreteBooleanIndexError = numpy.indexing.NonConcreteBooleanIndexError
from . import random
from . import sharding
