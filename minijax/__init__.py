"""minijax: JAX's transformations, re-implemented to be read."""
from .config import config
from . import dtypes, tree_util, core, eager, lax, numpy
from .eager import Array
from .core import ShapeDtypeStruct
from .forward_mode import jvp
from .batching import vmap
from .jaxpr import make_jaxpr
from .partial_eval import linearize
from .transpose import vjp
from .api import jacfwd, jacrev, hessian, grad, value_and_grad
from . import test_util, nn, scipy
from .compiling import jit, devices, default_backend, device_put, block_until_ready
from .custom_derivatives import custom_jvp, custom_vjp, custom_gradient, closure_convert
from . import custom_solvers
from . import ad_checkpoint
from .ad_checkpoint import checkpoint, remat, checkpoint_policies
from . import random
from . import sharding
