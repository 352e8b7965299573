"""Pytrees: nested containers of arrays, flattened to a list of leaves.

Every transformation in minijax works on flat lists of arrays. Users, however,
pass tuples of dicts of lists. A *pytree* is any such nesting of registered
container types; everything else is a *leaf*. ``tree_flatten`` turns a pytree
into its leaves plus a ``PyTreeDef`` (the shape of the nesting), and
``tree_unflatten`` rebuilds it: the pair is how ``grad`` can differentiate with
respect to a dict of parameters and hand back a dict of gradients.

Registered out of the box: tuple, list, dict (children in sorted-key order),
``collections.OrderedDict`` (insertion order), namedtuple (any tuple subclass
with ``_fields``), ``None`` (a node with no children), and whatever users
register with ``register_pytree_node``, ``register_pytree_with_keys``,
``register_dataclass`` or ``register_static``.

Every leaf also has a *key path*: the keys leading to it from the root, such as
``(DictKey('params'), SequenceKey(0))``, which ``keystr`` prints as
``['params'][0]``. Paths name leaves in error messages and let
``tree_map_with_path`` treat leaves by where they sit.
"""
import collections
import dataclasses
import difflib
import functools
from collections import namedtuple

__all__ = ["PyTreeDef", "register_pytree_node", "register_pytree_node_class",
           "register_pytree_with_keys", "register_pytree_with_keys_class",
           "register_dataclass", "register_static",
           "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure",
           "tree_map", "tree_all", "tree_reduce", "tree_transpose", "treedef_is_leaf",
           "all_leaves", "Partial", "tree_flatten_with_path", "tree_leaves_with_path",
           "tree_map_with_path", "keystr", "DictKey", "SequenceKey", "GetAttrKey",
           "FlattenedIndexKey"]

# ``flatten_with_keys(x)`` returns ``([(key, child), ...], aux)``; None means
# "number the children with FlattenedIndexKey".
_NodeType = namedtuple("_NodeType", ["name", "flatten", "unflatten", "flatten_with_keys"],
                       defaults=[None])
_registry = {}


# ---------------------------------------------------------------------------
# Keys: one step of a path from the root of a tree to a leaf


@dataclasses.dataclass(frozen=True)
class DictKey:
    """The key of a dict entry: prints as ``['a']``."""
    key: object

    def __str__(self):
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True)
class SequenceKey:
    """A position in a tuple or list: prints as ``[0]``."""
    idx: int

    def __str__(self):
        return f"[{self.idx!r}]"


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    """An attribute (namedtuple field, dataclass field): prints as ``.name``."""
    name: str

    def __str__(self):
        return f".{self.name}"


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey:
    """The position of a child of a node registered without keys."""
    key: int

    def __str__(self):
        return f"[<flat index {self.key}>]"


def _simple_key(key):
    """The key alone, for ``keystr(..., simple=True)``: ``a``, ``0``, ``name``."""
    for cls, field in ((DictKey, "key"), (SequenceKey, "idx"), (GetAttrKey, "name"),
                       (FlattenedIndexKey, "key")):
        if isinstance(key, cls):
            return str(getattr(key, field))
    return str(key)


def keystr(keys, *, simple=False, separator=""):
    """A key path as text: ``['a'][0].x``, or with ``simple=True`` and
    ``separator='/'``, ``a/0/x``."""
    if simple:
        return separator.join(_simple_key(k) for k in keys)
    return separator.join(str(k) for k in keys)


def register_pytree_node(nodetype, flatten_func, unflatten_func):
    """Make ``nodetype`` a pytree node.

    ``flatten_func(x)`` returns ``(children, aux_data)``; ``unflatten_func(aux_data,
    children)`` rebuilds the node. ``aux_data`` must be hashable: it is part of
    the tree's structure (it goes into jit's cache key).
    """
    _register(nodetype, _NodeType(nodetype.__name__, flatten_func, unflatten_func))
    return nodetype


def _register(nodetype, entry):
    if nodetype in _registry:
        raise ValueError(f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    _registry[nodetype] = entry


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func, flatten_func=None):
    """Make ``nodetype`` a pytree node whose children have keys.

    ``flatten_with_keys(x)`` returns ``([(key, child), ...], aux_data)``; the keys
    appear in key paths (``tree_flatten_with_path``, error messages).
    ``flatten_func``, if given, is a faster flatten without the keys.
    """
    if flatten_func is None:
        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [child for _, child in pairs], aux
    _register(nodetype, _NodeType(nodetype.__name__, flatten_func, unflatten_func,
                                  flatten_with_keys))
    return nodetype


def register_pytree_with_keys_class(cls):
    """Class decorator: register ``cls`` using its ``tree_flatten_with_keys``
    method and ``tree_unflatten`` classmethod."""
    flatten = getattr(cls, "tree_flatten", None)
    return register_pytree_with_keys(cls, lambda x: x.tree_flatten_with_keys(),
                                     cls.tree_unflatten,
                                     None if flatten is None else (lambda x: x.tree_flatten()))


def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    """Register a (data)class: ``data_fields`` are children (arrays, traced),
    ``meta_fields`` are aux data (static: part of the structure). For a
    dataclass both default from its fields: those declared with
    ``field(metadata=dict(static=True))`` are meta, the rest data. Usable as a
    class decorator."""
    if (data_fields is None) != (meta_fields is None):
        raise TypeError("register_dataclass: data_fields and meta_fields must both be specified "
                        f"when either is specified. Got {data_fields=} {meta_fields=}.")
    is_dc = dataclasses.is_dataclass(nodetype)
    if data_fields is None:
        if not is_dc:
            raise TypeError("register_dataclass: data_fields and meta_fields are required when "
                            f"nodetype is not a dataclass. Got {nodetype=}.")
        fields = dataclasses.fields(nodetype)
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
    if is_dc:
        _check_dataclass_fields(nodetype, data_fields, meta_fields, drop_fields)
    if overlap := set(data_fields) & set(meta_fields):
        raise ValueError(f"data_fields and meta_fields must not overlap. Overlapping fields: "
                         f"{overlap}.")

    def flatten_with_keys(x):
        pairs = [(GetAttrKey(name), getattr(x, name)) for name in data_fields]
        return pairs, tuple(getattr(x, name) for name in meta_fields)

    def flatten(x):
        return ([getattr(x, name) for name in data_fields],
                tuple(getattr(x, name) for name in meta_fields))

    def unflatten(meta, data):   # through the constructor, as JAX does
        return nodetype(**dict(zip(meta_fields, meta)), **dict(zip(data_fields, data)))

    return register_pytree_with_keys(nodetype, flatten_with_keys, unflatten, flatten)


def _check_dataclass_fields(nodetype, data_fields, meta_fields, drop_fields):
    """The fields passed to the constructor must be listed, each exactly once."""
    init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)
    given = {*data_fields, *meta_fields}
    if given != init_fields:
        msg = ("data_fields and meta_fields must include all dataclass fields with "
               "``init=True`` and only them.")
        if missing := init_fields - given:
            msg += f" Missing fields: {missing}. Add them to drop_fields to suppress this error."
        if unexpected := given - init_fields:
            msg += f" Unexpected fields: {unexpected}."
        raise ValueError(msg)


def register_static(cls):
    """Register ``cls`` as a node with no children: its instances are part of
    a tree's structure (like a static argument), never leaves. Instances must
    be hashable."""
    return register_pytree_with_keys(cls, lambda x: ((), x), lambda x, _: x)


def register_pytree_node_class(cls):
    """Class decorator: register ``cls`` using its ``tree_flatten`` method and
    ``tree_unflatten`` classmethod."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def _sequence_with_keys(seq):
    return [(SequenceKey(i), x) for i, x in enumerate(seq)], None


def _dict_with_keys(d):
    keys = sorted(d)
    return [(DictKey(k), d[k]) for k in keys], tuple(keys)


register_pytree_with_keys(tuple, _sequence_with_keys, lambda _, xs: tuple(xs),
                          lambda t: (t, None))
register_pytree_with_keys(list, _sequence_with_keys, lambda _, xs: list(xs),
                          lambda t: (t, None))
register_pytree_with_keys(dict, _dict_with_keys, lambda keys, xs: dict(zip(keys, xs)),
                          lambda d: ([d[k] for k in sorted(d)], tuple(sorted(d))))
register_pytree_with_keys(type(None), lambda _: ((), None), lambda _, xs: None,
                          lambda _: ((), None))
register_pytree_with_keys(
    collections.OrderedDict,   # insertion order, unlike dict
    lambda d: ([(DictKey(k), v) for k, v in d.items()], tuple(d)),
    lambda keys, xs: collections.OrderedDict(zip(keys, xs)),
    lambda d: (list(d.values()), tuple(d)))

_NAMEDTUPLE = _NodeType("namedtuple", lambda t: (tuple(t), None), None,
                        lambda t: ([(GetAttrKey(f), x) for f, x in zip(t._fields, t)], None))


def _node_type(x):
    """The registry entry for ``x``'s type, or None if ``x`` is a leaf."""
    entry = _registry.get(type(x))
    if entry is None and isinstance(x, tuple) and hasattr(x, "_fields"):
        return _NAMEDTUPLE
    return entry


class PyTreeDef:
    """The structure of a pytree: node kinds and aux data, with leaves as holes.

    A leaf is the ``PyTreeDef`` with ``node_type is None``. Two trees have equal
    ``PyTreeDef``s exactly when they have the same structure.
    """
    __slots__ = ("node_type", "node_data", "children_defs", "num_leaves", "num_nodes", "_hash")

    def __init__(self, node_type, node_data, children_defs):
        self.node_type = node_type          # a type, or None for a leaf
        self.node_data = node_data          # aux data (hashable)
        self.children_defs = children_defs  # tuple of PyTreeDef
        if node_type is None:
            self.num_leaves, self.num_nodes = 1, 1
        else:
            self.num_leaves = sum(c.num_leaves for c in children_defs)
            self.num_nodes = 1 + sum(c.num_nodes for c in children_defs)
        self._hash = hash((node_type, node_data, children_defs))

    def __eq__(self, other):
        return (isinstance(other, PyTreeDef) and self._hash == other._hash
                and self.node_type is other.node_type and self.node_data == other.node_data
                and self.children_defs == other.children_defs)

    def __hash__(self):
        return self._hash

    def children(self):
        return list(self.children_defs)

    def unflatten(self, leaves):
        return tree_unflatten(self, leaves)

    def __repr__(self):
        return f"PyTreeDef({self._str()})"

    def _str(self):
        t, kids = self.node_type, [c._str() for c in self.children_defs]
        if t is None:
            return "*"
        if t is type(None):
            return "None"
        if t is tuple:
            return "(" + kids[0] + ",)" if len(kids) == 1 else "(" + ", ".join(kids) + ")"
        if t is list:
            return "[" + ", ".join(kids) + "]"
        if t is dict:
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.node_data, kids)) + "}"
        if _registry.get(t) is None:  # a namedtuple
            return f"CustomNode(namedtuple[{t.__name__}], [{', '.join(kids)}])"
        # JAX prints the aux data with str(): Box[meta], not Box['meta'].
        return f"CustomNode({t.__name__}[{self.node_data}], [{', '.join(kids)}])"


_LEAF = PyTreeDef(None, None, ())


def _flatten(x, leaves, is_leaf):
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF
    entry = _node_type(x)
    if entry is None:
        leaves.append(x)
        return _LEAF
    children, aux = entry.flatten(x)
    kids = tuple(_flatten(c, leaves, is_leaf) for c in children)
    return PyTreeDef(type(x), aux, kids)


def tree_flatten(tree, is_leaf=None):
    """Return ``(leaves, treedef)``: the leaves in order and the structure."""
    leaves = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def _unflatten(treedef, leaves_iter):
    if treedef.node_type is None:
        return next(leaves_iter)
    children = [_unflatten(c, leaves_iter) for c in treedef.children_defs]
    t = treedef.node_type
    entry = _registry.get(t)
    if entry is None:  # a namedtuple
        return t(*children)
    return entry.unflatten(treedef.node_data, children)


def tree_unflatten(treedef, leaves):
    """Rebuild a pytree of structure ``treedef`` from ``leaves``."""
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        few = "few" if len(leaves) < treedef.num_leaves else "many"
        raise ValueError(f"Too {few} leaves for PyTreeDef; expected {treedef.num_leaves}, "
                         f"got {len(leaves)}")
    return _unflatten(treedef, iter(leaves))


def tree_leaves(tree, is_leaf=None):
    """The leaves of ``tree``, in flattening order."""
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree, is_leaf=None):
    """The ``PyTreeDef`` of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def treedef_is_leaf(treedef):
    """True for a structure with no children: a leaf, and also ``None`` or ``()``
    (JAX's definition: a single node)."""
    return treedef.num_nodes == 1


def all_leaves(iterable):
    """True if every element of ``iterable`` is a leaf."""
    return all(_node_type(x) is None for x in iterable)


def flatten_up_to(treedef, tree, what="tree", path_str=None):
    """The subtrees of ``tree`` sitting where ``treedef`` has leaves.

    ``treedef`` must be a prefix of ``tree``'s structure. Used to broadcast a
    prefix spec such as vmap's ``in_axes`` over the arguments. A mismatch is a
    ValueError naming the key path where the trees differ (``what`` names the
    prefix tree in the message, e.g. "vmap in_axes"; ``path_str`` turns a key
    path into the words that locate it, e.g. "in_axes[0]['w']").
    """
    out = []
    _flatten_up_to(treedef, tree, out, what, (), path_str or (lambda p: what + keystr(p)))
    return out


def _flatten_up_to(treedef, tree, out, what, path, path_str):
    if treedef.node_type is None:
        out.append(tree)
        return
    entry = _node_type(tree)
    if entry is None or type(tree) is not treedef.node_type:
        raise ValueError(_mismatch(path_str(path), "different types", (
            f"At that key path, the prefix pytree {what} has a subtree of type\n"
            f"    {treedef.node_type}\nbut at the same key path the full pytree has a "
            f"subtree of different type\n    {type(tree)}.")))
    keys, children, aux = _children_with_keys(entry, tree)
    if len(children) != len(treedef.children_defs) and type(tree) in (tuple, list):
        raise ValueError(_mismatch(
            path_str(path), f"different lengths of {type(tree).__name__}",
            f"At that key path, the prefix pytree {what} has a subtree of type "
            f"{type(tree).__name__} of length {len(treedef.children_defs)}, but the full "
            f"pytree has a subtree of the same type but of length {len(children)}."))
    if aux != treedef.node_data or len(children) != len(treedef.children_defs):
        diff = "\n".join("    " + line.rstrip("\n") for line in difflib.ndiff(
            [repr(treedef.node_data)], [repr(aux)]))
        raise ValueError(_mismatch(
            path_str(path), "different pytree metadata",
            f"At that key path, the prefix pytree {what} has a subtree of type\n"
            f"    {type(tree)}\nwith metadata\n    {treedef.node_data!r}\nbut at the same "
            f"key path the full pytree has a subtree of the same type but with metadata\n"
            f"    {aux!r}\nso the diff in the metadata at these pytree nodes is\n{diff}"))
    for key, sub, child in zip(keys, treedef.children_defs, children):
        _flatten_up_to(sub, child, out, what, path + (key,), path_str)


def _mismatch(where, kind, details):
    """JAX's layout of a structure-mismatch message: what differs, where, how."""
    return f"pytree structure error: {kind} at key path\n    {where}\n{details}"


def _children_with_keys(entry, x):
    """``(keys, children, aux)`` of the node ``x``."""
    if entry.flatten_with_keys is not None:
        pairs, aux = entry.flatten_with_keys(x)
        pairs = list(pairs)
        return [k for k, _ in pairs], [c for _, c in pairs], aux
    children, aux = entry.flatten(x)
    children = list(children)
    return [FlattenedIndexKey(i) for i in range(len(children))], children, aux


# ---------------------------------------------------------------------------
# Flattening with key paths


def _flatten_with_path(x, path, leaves, is_leaf, takes_path):
    if is_leaf is not None and (is_leaf(path, x) if takes_path else is_leaf(x)):
        leaves.append((path, x))
        return _LEAF
    entry = _node_type(x)
    if entry is None:
        leaves.append((path, x))
        return _LEAF
    keys, children, aux = _children_with_keys(entry, x)
    kids = tuple(_flatten_with_path(c, path + (k,), leaves, is_leaf, takes_path)
                 for k, c in zip(keys, children))
    return PyTreeDef(type(x), aux, kids)


def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """``([(path, leaf), ...], treedef)``: each leaf with the key path leading
    to it, a tuple of keys such as ``(DictKey('a'), SequenceKey(0))``.

    With ``is_leaf_takes_path=True``, ``is_leaf`` is called as ``is_leaf(path, x)``.
    """
    leaves = []
    treedef = _flatten_with_path(tree, (), leaves, is_leaf, is_leaf_takes_path)
    return leaves, treedef


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """``[(path, leaf), ...]``: the leaves of ``tree`` with their key paths."""
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    """Like ``tree_map``, but ``f`` also gets each leaf's key path:
    ``f(path, leaf, *rest_leaves)``."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    rest_leaves = [flatten_up_to(treedef, r, "tree_map_with_path tree") for r in rest]
    return treedef.unflatten(f(path, x, *xs)
                             for (path, x), *xs in zip(pairs, *rest_leaves))


# ---------------------------------------------------------------------------
# Maps and reductions


def tree_map(f, tree, *rest, is_leaf=None):
    """Apply ``f`` leafwise; ``rest`` must have ``tree``'s structure (or extend it)."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    all_leaves_ = [leaves] + [flatten_up_to(treedef, r, "tree_map tree") for r in rest]
    return treedef.unflatten(f(*xs) for xs in zip(*all_leaves_))


def tree_all(tree, *, is_leaf=None):
    """True if every leaf is truthy."""
    return all(tree_leaves(tree, is_leaf))


_NO_INITIALIZER = object()   # None is a valid initializer, so a sentinel marks "none given"


def tree_reduce(function, tree, initializer=_NO_INITIALIZER, is_leaf=None):
    """``functools.reduce`` over the leaves."""
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _NO_INITIALIZER:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """Swap the outer and inner levels of a tree of trees. ``inner_treedef=None``
    takes the inner structure from the first inner tree."""
    flat = flatten_up_to(outer_treedef, pytree_to_transpose, "tree_transpose argument")
    if inner_treedef is None:
        inner_treedef = tree_structure(flat[0]) if flat else tree_structure(())
    inner = []
    for x in flat:
        if tree_structure(x) != inner_treedef:   # JAX compares whole structures: TypeError
            raise TypeError(f"Mismatch\n{inner_treedef}\n != \n{tree_structure(x)}: every "
                            f"inner tree of tree_transpose must have structure inner_treedef.")
        inner.append(tree_leaves(x))
    transposed = [outer_treedef.unflatten(col) for col in zip(*inner)]
    return inner_treedef.unflatten(transposed)


class Partial(functools.partial):
    """A ``functools.partial`` that is a pytree: its bound arguments are leaves."""

    def __new__(cls, func, *args, **kw):
        return super().__new__(cls, func, *args, **kw)


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, xs: Partial(func, *xs[0], **xs[1]))
