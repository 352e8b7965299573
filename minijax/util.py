"""Small helpers: list bookkeeping for higher-order rules, and refusing
keyword arguments minijax does not implement.

Rules for ``cond``, ``while_loop``, ``scan``, ``custom_jvp``, ``custom_vjp``
and ``checkpoint`` all shuffle flat lists of inputs: split off the constants,
separate the known inputs from the unknown ones, put them back in order. These
three helpers give each shuffle a name, so a rule reads as what it does.

``reject_unsupported`` keeps minijax's promise for keywords: a keyword JAX has
is either implemented as JAX does it, or refused with NotImplementedError when
given anything but its default. It is never accepted and silently ignored.
"""


def split_list(xs, sizes):
    """Cut ``xs`` into consecutive pieces of the given ``sizes``; the last
    piece holds whatever is left over.

    >>> split_list([1, 2, 3, 4, 5], [1, 2])
    [[1], [2, 3], [4, 5]]
    """
    xs, pieces, start = list(xs), [], 0
    for size in sizes:
        pieces.append(xs[start:start + size])
        start += size
    pieces.append(xs[start:])
    return pieces


def partition_list(mask, xs):
    """Split ``xs`` by a boolean ``mask``: ``(where False, where True)``.

    >>> partition_list([False, True, False], ["a", "b", "c"])
    (['a', 'c'], ['b'])
    """
    xs = list(xs)
    assert len(mask) == len(xs), (len(mask), len(xs))
    off = [x for m, x in zip(mask, xs) if not m]
    on = [x for m, x in zip(mask, xs) if m]
    return off, on


def merge_lists(mask, off, on):
    """Undo ``partition_list``: interleave ``off`` (where the mask is False)
    and ``on`` (where it is True) back into one list.

    >>> merge_lists([False, True, False], ['a', 'c'], ['b'])
    ['a', 'b', 'c']
    """
    off, on = list(off), list(on)
    assert len(off) + len(on) == len(mask), (len(off), len(on), len(mask))
    off_iter, on_iter = iter(off), iter(on)
    return [next(on_iter) if m else next(off_iter) for m in mask]


def reject_unsupported(fun_name, **options):
    """Raise NotImplementedError if any keyword has a value other than its
    default. Each keyword is passed as ``name=(value, default)``.

    >>> reject_unsupported("jnp.sum", out=(None, None))   # the default: fine
    >>> reject_unsupported("jnp.sum", out=([], None))
    Traceback (most recent call last):
    NotImplementedError: jnp.sum: minijax does not implement out=<list> (only the default, out=None).
    """
    for name, (value, default) in options.items():
        if not _is_default(value, default):
            shown = (repr(value) if value is None or isinstance(value, (bool, int, float, str))
                     else f"<{type(value).__name__}>")
            raise NotImplementedError(f"{fun_name}: minijax does not implement {name}={shown} "
                                      f"(only the default, {name}={default!r}).")


def _is_default(value, default):
    if value is default:
        return True
    scalar_types = (bool, int, float, str)
    return (isinstance(value, scalar_types) and isinstance(default, scalar_types)
            and type(value) in (type(default), bool, int) and value == default)
