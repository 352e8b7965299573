"""``minijax.scipy``: the few ``jax.scipy`` functions the book uses."""
from . import special  # noqa: F401
from . import linalg  # noqa: F401
