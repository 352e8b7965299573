"""``minijax.tree`` and the key-path half of ``tree_util``, against JAX's.

Every test runs the same code on ``jax`` and on ``minijax`` and compares what
comes out: leaves, structures and their repr, key paths as ``repr`` and as
``keystr``, and the errors for mismatched trees.
"""
import collections
import dataclasses

import jax
import jax.tree_util as jtu
import pytest

import minijax
import minijax.tree_util as mtu

Point = collections.namedtuple("Point", ["x", "y"])

TREES = [
    {"b": [1, (2, 3)], "a": {"x": 4}},
    [Point(1, None), (), [None, 2.5]],
    collections.OrderedDict([("z", 1), ("a", (2, 3))]),
    (1,),
    7,
]


def _reprs(pairs):
    return [(repr(path), leaf) for path, leaf in pairs]


@pytest.mark.parametrize("tree", TREES)
def test_short_names_match_jax_tree(tree):
    """Each ``minijax.tree`` function gives what ``jax.tree``'s gives."""
    assert minijax.tree.leaves(tree) == jax.tree.leaves(tree)
    assert repr(minijax.tree.structure(tree)) == repr(jax.tree.structure(tree))
    leaves, treedef = minijax.tree.flatten(tree)
    assert minijax.tree.unflatten(treedef, leaves) == tree
    inc = lambda x: None if x is None else x + 1   # noqa: E731
    assert minijax.tree.map(inc, tree) == jax.tree.map(inc, tree)
    assert minijax.tree.all(tree) == jax.tree.all(tree)
    add = lambda a, b: a + b   # noqa: E731
    assert minijax.tree.reduce(add, tree, 0) == jax.tree.reduce(add, tree, 0)


@pytest.mark.parametrize("tree", TREES)
def test_paths_match_jax(tree):
    """Key paths: the same key objects (by repr), keystr in both forms, and
    the same leaves and structure."""
    ours, our_def = minijax.tree.flatten_with_path(tree)
    theirs, their_def = jax.tree.flatten_with_path(tree)
    assert _reprs(ours) == _reprs(theirs)
    assert repr(our_def) == repr(their_def)
    assert [mtu.keystr(p) for p, _ in ours] == [jtu.keystr(p) for p, _ in theirs]
    assert [mtu.keystr(p, simple=True, separator="/") for p, _ in ours] == \
        [jtu.keystr(p, simple=True, separator="/") for p, _ in theirs]
    assert _reprs(minijax.tree.leaves_with_path(tree)) == _reprs(jax.tree.leaves_with_path(tree))
    g = lambda path, x: mtu.keystr(path)   # noqa: E731
    h = lambda path, x: jtu.keystr(path)   # noqa: E731
    assert minijax.tree.map_with_path(g, tree) == jax.tree.map_with_path(h, tree)


def test_key_types_print_like_jax():
    for m, j in [(mtu.DictKey("a"), jtu.DictKey("a")), (mtu.SequenceKey(1), jtu.SequenceKey(1)),
                 (mtu.GetAttrKey("x"), jtu.GetAttrKey("x")),
                 (mtu.FlattenedIndexKey(2), jtu.FlattenedIndexKey(2))]:
        assert repr(m) == repr(j) and str(m) == str(j)
    assert mtu.DictKey("a") == mtu.DictKey("a") and mtu.DictKey("a") != mtu.DictKey("b")
    assert hash(mtu.SequenceKey(3)) == hash(mtu.SequenceKey(3))
    assert (mtu.DictKey("a").key, mtu.SequenceKey(3).idx, mtu.GetAttrKey("x").name,
            mtu.FlattenedIndexKey(2).key) == ("a", 3, "x", 2)
    assert mtu.keystr(()) == jtu.keystr(())


def test_map_with_path_several_trees_and_is_leaf_takes_path():
    a, b = {"u": [1, 2], "v": 3}, {"u": [10, 20], "v": 30}
    f = lambda p, x, y: (len(p), x + y)   # noqa: E731
    assert minijax.tree.map_with_path(f, a, b) == jax.tree.map_with_path(f, a, b)
    is_leaf = lambda p, x: len(p) == 1   # noqa: E731
    tree = [1, [2, [3]]]
    ours = mtu.tree_leaves_with_path(tree, is_leaf=is_leaf, is_leaf_takes_path=True)
    theirs = jtu.tree_leaves_with_path(tree, is_leaf=is_leaf, is_leaf_takes_path=True)
    assert _reprs(ours) == _reprs(theirs)


class Node:
    """A user class: registered once in each library per test, with keys."""

    def __init__(self, a, b):
        self.a, self.b = a, b


def _register_both(cls, register):
    register(jtu, cls)
    register(mtu, cls)


def test_register_pytree_with_keys():
    class K(Node):
        pass

    def register(tu, cls):
        tu.register_pytree_with_keys(
            cls, lambda n: (((tu.GetAttrKey("a"), n.a), (tu.GetAttrKey("b"), n.b)), "meta"),
            lambda aux, ch: cls(*ch))
    _register_both(K, register)
    tree = [K(1, {"c": 2})]
    assert _reprs(mtu.tree_leaves_with_path(tree)) == _reprs(jtu.tree_leaves_with_path(tree))
    assert repr(mtu.tree_structure(tree)) == repr(jtu.tree_structure(tree))
    assert mtu.tree_leaves(tree) == [1, 2]
    rebuilt = mtu.tree_map(lambda x: x * 10, tree)[0]
    assert (rebuilt.a, rebuilt.b) == (10, {"c": 20})


def test_node_without_keys_gets_flattened_index_keys():
    class P(Node):
        pass
    _register_both(P, lambda tu, cls: tu.register_pytree_node(
        cls, lambda n: ((n.a, n.b), None), lambda aux, ch: cls(*ch)))
    tree = {"p": P(1, (2,))}
    assert _reprs(mtu.tree_leaves_with_path(tree)) == _reprs(jtu.tree_leaves_with_path(tree))


def test_register_pytree_with_keys_class():
    def make(tu):
        @tu.register_pytree_with_keys_class
        class C:
            def __init__(self, a):
                self.a = a

            def tree_flatten_with_keys(self):
                return ((tu.GetAttrKey("a"), self.a),), None

            @classmethod
            def tree_unflatten(cls, aux, children):
                return cls(*children)
        return C
    ours, theirs = make(mtu), make(jtu)
    assert _reprs(mtu.tree_leaves_with_path([ours(3)])) == \
        _reprs(jtu.tree_leaves_with_path([theirs(3)]))
    assert mtu.tree_map(lambda x: x + 1, ours(3)).a == 4


def _dataclasses():
    @dataclasses.dataclass
    class Params:
        w: object
        b: object
        name: str = dataclasses.field(default="layer", metadata=dict(static=True))
    return Params


def test_register_dataclass_decorator_form():
    ours, theirs = _dataclasses(), _dataclasses()
    ours.__name__ = theirs.__name__ = "Params"
    mtu.register_dataclass(ours)
    jtu.register_dataclass(theirs)
    m, j = ours(1, [2, 3], "dense"), theirs(1, [2, 3], "dense")
    assert mtu.tree_leaves(m) == jtu.tree_leaves(j)
    assert repr(mtu.tree_structure(m)) == repr(jtu.tree_structure(j))
    assert _reprs(mtu.tree_leaves_with_path(m)) == _reprs(jtu.tree_leaves_with_path(j))
    assert mtu.tree_map(lambda x: x * 2, m) == ours(2, [4, 6], "dense")


def test_register_dataclass_explicit_fields_and_errors():
    class Plain:
        def __init__(self, x, k):
            self.x, self.k = x, k
    mtu.register_dataclass(Plain, data_fields=["x"], meta_fields=["k"])
    leaves, treedef = mtu.tree_flatten(Plain(1.0, "static"))
    assert leaves == [1.0] and mtu.tree_unflatten(treedef, [2.0]).k == "static"
    for tu in (jtu, mtu):
        with pytest.raises(TypeError):   # one of the two lists only
            tu.register_dataclass(_dataclasses(), data_fields=["w"])
        with pytest.raises(TypeError):   # not a dataclass, no fields given
            tu.register_dataclass(type("NotDC", (), {}))
        with pytest.raises(ValueError):  # a constructor field left out
            tu.register_dataclass(_dataclasses(), data_fields=["w"], meta_fields=["name"])


def test_register_static():
    def make(tu):
        @tu.register_static
        class Cfg:
            def __init__(self, v):
                self.v = v

            def __hash__(self):
                return hash(self.v)

            def __eq__(self, other):
                return type(other) is type(self) and other.v == self.v

            def __repr__(self):
                return f"Cfg({self.v})"
        return Cfg
    ours, theirs = make(mtu), make(jtu)
    assert repr(mtu.tree_structure([ours(1), 2])) == repr(jtu.tree_structure([theirs(1), 2]))
    assert mtu.tree_leaves([ours(1), 2]) == [2]
    # A static node is part of the structure: jit retraces on a new value.
    traces = []

    @minijax.jit
    def f(cfg, x):
        traces.append(cfg.v)
        return x * cfg.v
    assert float(f(ours(2), 1.5)) == 3.0 and float(f(ours(3), 1.5)) == 4.5
    assert traces == [2, 3]


def test_partial_paths_and_repr_like_jax():
    ours, theirs = mtu.Partial(max, 5, key=1), jtu.Partial(max, 5, key=1)
    assert _reprs(mtu.tree_leaves_with_path(ours)) == _reprs(jtu.tree_leaves_with_path(theirs))
    assert repr(mtu.tree_structure(ours)) == repr(jtu.tree_structure(theirs))
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("a,b", [
    ({"a": [1, 2]}, {"a": [1, 2, 3]}),
    ({"a": [1, 2]}, {"b": [1, 2]}),
    ({"a": [1, (2,)]}, {"a": [1, [2]]}),
    ({"a": [1, (2,)]}, {"a": [1, 3]}),
])
def test_mismatch_messages_name_the_key_path(a, b):
    """The first lines of the message are JAX's, key path included."""
    with pytest.raises(ValueError) as theirs:
        jax.tree.map(lambda x, y: x, a, b)
    with pytest.raises(ValueError) as ours:
        minijax.tree.map(lambda x, y: x, a, b)
    assert str(ours.value).splitlines()[:4] == str(theirs.value).splitlines()[:4]


def test_reduce_initializer_none_and_empty():
    assert minijax.tree.reduce(lambda a, b: a, [], None) is None
    for mod in (jax.tree, minijax.tree):
        with pytest.raises(TypeError):
            mod.reduce(lambda a, b: a + b, [])


def test_transpose_infers_inner_and_rejects_mismatch():
    outer = [0, 0]
    tree = [(1, 2), (3, 4)]
    assert minijax.tree.transpose(minijax.tree.structure(outer), None, tree) == \
        jax.tree.transpose(jax.tree.structure(outer), None, tree)
    for mod in (jax.tree, minijax.tree):
        with pytest.raises(TypeError):
            mod.transpose(mod.structure(outer), mod.structure((0, 0)), [(1, 2), (3,)])


# ---------------------------------------------------------------------------
# flatten_util.ravel_pytree

import jax.numpy as jnp   # noqa: E402
import numpy as np   # noqa: E402
from jax.flatten_util import ravel_pytree as jax_ravel   # noqa: E402

import minijax.numpy as mnp   # noqa: E402
from minijax.flatten_util import ravel_pytree as our_ravel   # noqa: E402


def _ravel_cases(np_mod):
    return [
        {"a": 1.0},
        {"a": 1.0, "b": np_mod.ones(2)},
        [np_mod.arange(3), np_mod.ones((2, 2), np_mod.float16)],
        [np_mod.arange(3), 2.0],
        (np_mod.ones(2), np_mod.ones(1, np_mod.complex64)),
        [],
        [1, True],
    ]


@pytest.mark.parametrize("i", range(7))
def test_ravel_pytree_like_jax(i):
    """Same vector (values, dtype, weak type) and the same tree back."""
    ours, theirs = _ravel_cases(mnp)[i], _ravel_cases(jnp)[i]
    our_flat, our_unravel = our_ravel(ours)
    their_flat, their_unravel = jax_ravel(theirs)
    assert repr(our_flat) == repr(their_flat)
    assert repr(our_unravel(our_flat)) == repr(their_unravel(their_flat))


def test_unravel_errors_like_jax():
    _, ours = our_ravel([mnp.arange(3), 2.0])
    _, theirs = jax_ravel([jnp.arange(3), 2.0])
    for unravel, np_mod in ((ours, mnp), (theirs, jnp)):
        with pytest.raises(ValueError, match="Sum of sizes 4"):
            unravel(np_mod.ones(3))
        with pytest.raises(TypeError, match="expected dtype float32"):
            unravel(np_mod.ones(4, np_mod.float16))


def test_unravel_is_differentiable_batchable_jittable():
    params = {"w": np.arange(6.0, dtype=np.float32).reshape(2, 3), "b": np.ones(2, np.float32)}
    flat, unravel = our_ravel(params)
    loss = lambda v: mnp.sum(unravel(v)["w"] ** 2) + mnp.sum(unravel(v)["b"])   # noqa: E731
    j_flat, j_unravel = jax_ravel(params)
    j_loss = lambda v: jnp.sum(j_unravel(v)["w"] ** 2) + jnp.sum(j_unravel(v)["b"])   # noqa
    np.testing.assert_allclose(minijax.grad(loss)(flat), jax.grad(j_loss)(j_flat))
    np.testing.assert_allclose(minijax.jit(minijax.grad(loss))(flat), jax.grad(j_loss)(j_flat))
    batch = np.stack([np.asarray(flat), 2 * np.asarray(flat)])
    np.testing.assert_allclose(minijax.vmap(loss)(batch), jax.vmap(j_loss)(batch))
    minijax.test_util.check_grads(lambda v: unravel(v)["w"], (flat,), order=2)
