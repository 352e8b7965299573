"""numpy's index tricks: ``jnp.r_`` and ``jnp.c_`` build arrays from slices,
scalars and arrays written inside square brackets."""

from ..core import concrete_or_error
from .creation import arange, array, linspace
from .shapes import concatenate, expand_dims, transpose


def _grid_from_slice(s):
    """``start:stop:step`` as ``arange``; an imaginary step ``5j`` asks ``linspace``
    for 5 points including ``stop``."""
    start, stop, step = (concrete_or_error(v, "a slice inside jnp.r_/jnp.c_").item()
                         if v is not None else None for v in (s.start, s.stop, s.step))
    start = 0 if start is None else start
    if isinstance(step, complex):
        return linspace(start, stop, int(abs(step)))
    return arange(start, stop, 1 if step is None else step)


class _AxisConcat:
    """``obj[item, ...]``: concatenate the items along ``axis``, each made at least
    ``ndmin``-dimensional (a 1-D item's axis goes to position ``trans1d``).

    A leading string overrides those: ``"axis,ndmin,trans1d"``, or ``"r"``/``"c"``
    for a row/column matrix result.
    """

    def __init__(self, axis, ndmin, trans1d):
        self.axis, self.ndmin, self.trans1d = axis, ndmin, trans1d

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d, matrix = self.axis, self.ndmin, self.trans1d, -1
        if items and isinstance(items[0], str):
            directive, items = items[0], items[1:]
            if directive in ("r", "c"):
                matrix = 0 if directive == "r" else 1
            else:
                try:
                    given = [int(v) for v in directive.split(",")[:3]]
                except ValueError:
                    raise ValueError(f"could not understand directive {directive!r}") from None
                axis, ndmin, trans1d = given + [ndmin, trans1d][len(given) - 1:]
        parts = [self._item(item, ndmin, trans1d) for item in items]
        out = concatenate(parts, axis=axis)
        if matrix != -1 and out.ndim == 1:
            out = expand_dims(out, matrix)
        return out

    @staticmethod
    def _item(item, ndmin, trans1d):
        if isinstance(item, str):
            raise ValueError("string directive must be placed at the beginning")
        value = _grid_from_slice(item) if isinstance(item, slice) else array(item)
        item_ndim = 0 if isinstance(item, slice) else value.ndim
        value = array(value, ndmin=ndmin)
        if trans1d != -1 and ndmin > item_ndim:
            # numpy's rule: rotate the axes so the item's own axes end at trans1d.
            shift = ndmin - abs(ndmin + trans1d + 1) % ndmin
            order = tuple(range(ndmin))
            value = transpose(value, order[shift:] + order[:shift])
        return value

    def __len__(self):
        return 0


r_ = _AxisConcat(0, 1, -1)
r_.__doc__ = "Concatenate along the first axis: ``jnp.r_[1:4, 0, [7, 8]]``."
c_ = _AxisConcat(-1, 2, 0)
c_.__doc__ = "Stack as columns (concatenate along the last axis, at least 2-D)."

