"""``minijax.scipy``: ``jax.scipy``'s special functions, statistics, signal processing and linear algebra."""
from . import special  # noqa: F401
from . import linalg  # noqa: F401
from . import signal  # noqa: F401
from . import stats  # noqa: F401
