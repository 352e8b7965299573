"""minijax: JAX's transformations, re-implemented to be read."""
from .config import config
from . import dtypes, tree_util, core, eager, lax, numpy
from .eager import Array
from .core import ShapeDtypeStruct
from .jvp import jvp
from .vmap import vmap
from .api import jacfwd
