"""``minijax.scipy``: ``jax.scipy``'s special functions, statistics and linear algebra."""
from . import special  # noqa: F401
from . import linalg  # noqa: F401
from . import stats  # noqa: F401
