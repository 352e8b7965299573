"""Pytrees against JAX's: flattening order, structures, their repr, tree_map
over several trees, user-registered nodes, and the errors for mismatches.

Hypothesis builds random nested trees of tuples, lists, dicts (keys in random
order), namedtuples, ``None`` and two user classes registered with *both*
libraries; every property compares minijax with ``jax.tree_util``.
"""
import collections

import jax
import jax.tree_util as jtu
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minijax
import minijax.numpy as mnp
import minijax.tree_util as mtu

Point = collections.namedtuple("Point", ["x", "y"])


class Box:
    """A user node registered with ``register_pytree_node``; ``meta`` is aux data."""

    def __init__(self, a, b, meta):
        self.a, self.b, self.meta = a, b, meta

    def __eq__(self, other):
        return (type(other) is Box and (self.a, self.b, self.meta) ==
                (other.a, other.b, other.meta))

    def __repr__(self):
        return f"Box({self.a!r}, {self.b!r}, {self.meta!r})"


def _box_flatten(box):
    return (box.a, box.b), box.meta


def _box_unflatten(meta, children):
    return Box(children[0], children[1], meta)


for _tu in (mtu, jtu):
    _tu.register_pytree_node(Box, _box_flatten, _box_unflatten)


@jtu.register_pytree_node_class
@mtu.register_pytree_node_class
class Pair:
    """A user node registered with ``register_pytree_node_class``."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def tree_flatten(self):
        return (self.first, self.second), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children)

    def __eq__(self, other):
        return type(other) is Pair and (self.first, self.second) == (other.first, other.second)

    def __repr__(self):
        return f"Pair({self.first!r}, {self.second!r})"



# ---------------------------------------------------------------------------
# Strategies

leaves = st.one_of(st.integers(-9, 9), st.floats(-4, 4, allow_nan=False),
                   st.sampled_from(["s", b"b"]))
keys = st.text(alphabet="abcxyz", min_size=1, max_size=2)


def _nodes(children):
    return st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=3),
        st.builds(Point, children, children),
        st.builds(Box, children, children, st.sampled_from(["m", ("t", 1), 7])),
        st.builds(Pair, children, children),
    )


trees = st.recursive(st.one_of(leaves, st.none()), _nodes, max_leaves=12)


# ---------------------------------------------------------------------------
# Flattening


@given(trees)
def test_flatten_like_jax(tree):
    our_leaves, our_def = mtu.tree_flatten(tree)
    their_leaves, their_def = jtu.tree_flatten(tree)
    assert our_leaves == their_leaves
    assert repr(our_def) == repr(their_def)
    assert str(our_def) == str(their_def)
    assert our_def.num_leaves == their_def.num_leaves == len(our_leaves)
    assert our_def.num_nodes == their_def.num_nodes
    assert mtu.tree_leaves(tree) == jtu.tree_leaves(tree)
    assert repr(mtu.tree_structure(tree)) == repr(jtu.tree_structure(tree))
    assert mtu.treedef_is_leaf(our_def) == jtu.treedef_is_leaf(their_def)


@given(trees)
def test_round_trip(tree):
    leaves_, treedef = mtu.tree_flatten(tree)
    rebuilt = mtu.tree_unflatten(treedef, leaves_)
    assert rebuilt == tree
    assert type(rebuilt) is type(tree)
    assert mtu.tree_structure(rebuilt) == treedef
    assert treedef.unflatten(leaves_) == tree


@given(trees)
def test_unflatten_with_new_leaves_keeps_structure(tree):
    treedef = mtu.tree_structure(tree)
    new = mtu.tree_unflatten(treedef, range(treedef.num_leaves))
    assert mtu.tree_structure(new) == treedef
    assert hash(mtu.tree_structure(new)) == hash(treedef)
    assert mtu.tree_leaves(new) == list(range(treedef.num_leaves))
    assert new == jtu.tree_unflatten(jtu.tree_structure(tree), range(treedef.num_leaves))


@given(trees, trees)
def test_structure_equality_like_jax(a, b):
    assert (mtu.tree_structure(a) == mtu.tree_structure(b)) == \
        (jtu.tree_structure(a) == jtu.tree_structure(b))


@given(trees)
def test_is_leaf(tree):
    def is_leaf(x):
        return isinstance(x, (list, Point)) or x is None
    assert mtu.tree_leaves(tree, is_leaf=is_leaf) == jtu.tree_leaves(tree, is_leaf=is_leaf)
    assert repr(mtu.tree_structure(tree, is_leaf=is_leaf)) == \
        repr(jtu.tree_structure(tree, is_leaf=is_leaf))


EXAMPLES = [
    1, None, (), [], {}, (1,), [1, 2], {"b": 1, "a": 2}, Point(1, (2, 3)), (None, [None]),
    {"z": [1, {"y": None}], "a": (1,)}, Box(1, [2, 3], "meta"), Box(1, 2, ("t", 1)),
    [(), [()]], {1: 2, 0: 3}, Point(None, None), ((1,),), Pair(1, Pair(2, None)),
    np.arange(3), [mnp.ones(2), {"w": mnp.zeros(())}],
]


@pytest.mark.parametrize("tree", EXAMPLES, ids=[repr(t)[:30] for t in EXAMPLES])
def test_examples_like_jax(tree):
    """Hand-picked trees, including arrays as leaves (they are never containers)."""
    ours, theirs = mtu.tree_structure(tree), jtu.tree_structure(tree)
    assert repr(ours) == repr(theirs)
    assert len(mtu.tree_leaves(tree)) == len(jtu.tree_leaves(tree))
    assert mtu.treedef_is_leaf(ours) == jtu.treedef_is_leaf(theirs)
    assert [repr(c) for c in ours.children()] == [repr(c) for c in theirs.children()]


def test_dict_children_in_sorted_key_order():
    tree = {"b": 1, "c": 2, "a": 3}
    assert mtu.tree_leaves(tree) == [3, 1, 2]
    rebuilt = mtu.tree_unflatten(mtu.tree_structure(tree), [30, 10, 20])
    assert rebuilt == {"a": 30, "b": 10, "c": 20}


def test_none_is_a_node_without_children():
    assert mtu.tree_leaves([None, 1, None]) == [1]
    assert mtu.tree_structure(None).num_leaves == 0
    assert mtu.tree_map(lambda x: x + 1, [None, 1]) == [None, 2]


# ---------------------------------------------------------------------------
# tree_map and friends


@given(trees, st.integers(1, 3))
def test_tree_map_several_trees(tree, n_trees):
    numeric = jtu.tree_map(lambda _: 1, tree)
    others = [jtu.tree_map(lambda x, k=k: x * 10 + k, numeric) for k in range(n_trees - 1)]
    f = lambda *xs: sum(xs) * 2   # noqa: E731
    ours = mtu.tree_map(f, numeric, *others)
    theirs = jtu.tree_map(f, numeric, *others)
    assert ours == theirs
    assert repr(mtu.tree_structure(ours)) == repr(jtu.tree_structure(theirs))


@given(trees, trees)
def test_tree_map_mismatch_errors_like_jax(a, b):
    """Where JAX's tree_map refuses two trees, minijax raises the same type; where
    JAX accepts them (``b`` may extend ``a`` below its leaves), results agree."""
    f = lambda x, y: (x, y)   # noqa: E731
    try:
        theirs = jtu.tree_map(f, a, b)
    except Exception as err:   # noqa: BLE001: the type is what we compare
        with pytest.raises(type(err)):
            mtu.tree_map(f, a, b)
    else:
        assert mtu.tree_map(f, a, b) == theirs


@pytest.mark.parametrize("a,b", [
    ((1, 2), (1,)), ([1], (1,)), ({"a": 1}, {"b": 1}), ((1,), 1), ([None], [1]),
    (Box(1, 2, "m"), Box(1, 2, "n")), (Point(1, 2), (1, 2)), ([1, 2], [1, 2, 3]),
])
def test_tree_map_mismatch_is_value_error(a, b):
    with pytest.raises(ValueError):
        jtu.tree_map(lambda x, y: x, a, b)
    with pytest.raises(ValueError):
        mtu.tree_map(lambda x, y: x, a, b)


def test_tree_map_extends_below_leaves():
    """The extra trees may have subtrees where the first has leaves."""
    assert mtu.tree_map(lambda x, y: (x, y), [1, None], [[2, 3], None]) == \
        jtu.tree_map(lambda x, y: (x, y), [1, None], [[2, 3], None])


@pytest.mark.parametrize("n", [0, 1, 3])
def test_unflatten_wrong_number_of_leaves(n):
    ours, theirs = mtu.tree_structure((1, 2)), jtu.tree_structure((1, 2))
    with pytest.raises(ValueError):
        jtu.tree_unflatten(theirs, list(range(n)))
    with pytest.raises(ValueError):
        mtu.tree_unflatten(ours, list(range(n)))


def test_duplicate_registration_is_value_error():
    with pytest.raises(ValueError):
        jtu.register_pytree_node(Box, _box_flatten, _box_unflatten)
    with pytest.raises(ValueError):
        mtu.register_pytree_node(Box, _box_flatten, _box_unflatten)


def test_register_pytree_node_returns_and_rebuilds():
    class Local:
        def __init__(self, v):
            self.v = v
    mtu.register_pytree_node(Local, lambda x: ((x.v,), "aux"), lambda aux, ch: Local(ch[0]))
    leaves_, treedef = mtu.tree_flatten([Local(3)])
    assert leaves_ == [3]
    assert repr(treedef) == "PyTreeDef([CustomNode(Local[aux], [*])])"
    assert mtu.tree_unflatten(treedef, [5])[0].v == 5


def test_tree_reduce_all_transpose_like_jax():
    tree = [1, (2, 3), {"a": 4}]
    add = lambda a, b: a + b   # noqa: E731
    assert mtu.tree_reduce(add, tree) == jtu.tree_reduce(add, tree)
    assert mtu.tree_reduce(add, tree, 10) == jtu.tree_reduce(add, tree, 10)
    assert mtu.tree_all([True, (1, 0)]) == jtu.tree_all([True, (1, 0)])
    assert mtu.tree_all([True, (1, 2)]) == jtu.tree_all([True, (1, 2)])
    assert mtu.all_leaves([1, 2]) and not mtu.all_leaves([1, (2,)])
    outer, inner = [0, 0], (0, 0)
    assert mtu.tree_transpose(mtu.tree_structure(outer), mtu.tree_structure(inner),
                              [(1, 2), (3, 4)]) == \
        jtu.tree_transpose(jtu.tree_structure(outer), jtu.tree_structure(inner),
                           [(1, 2), (3, 4)])


def test_flatten_with_path_keystr_like_jax():
    tree = {"b": [1, (2, 3)], "a": {"x": 4}}
    ours, our_def = mtu.tree_flatten_with_path(tree)
    theirs, their_def = jtu.tree_flatten_with_path(tree)
    assert [mtu.keystr(p) for p, _ in ours] == [jtu.keystr(p) for p, _ in theirs]
    assert [leaf for _, leaf in ours] == [leaf for _, leaf in theirs]
    assert repr(our_def) == repr(their_def)


def test_partial_is_a_pytree():
    def f(a, b, c=0):
        return a + 10 * b + 100 * c
    ours, theirs = mtu.Partial(f, 1, c=3), jtu.Partial(f, 1, c=3)
    our_leaves, our_def = mtu.tree_flatten(ours)
    their_leaves, _ = jtu.tree_flatten(theirs)
    assert our_leaves == their_leaves
    assert mtu.tree_unflatten(our_def, [2, 4])(5) == f(2, 5, c=4)
    assert ours(2) == theirs(2)


def test_transformations_accept_user_nodes():
    """jvp and vmap flatten user classes and rebuild them on the way out."""
    box = Box(mnp.ones(2), mnp.arange(2.0), "m")
    out, tan = minijax.jvp(lambda b: Box(b.a * 2, b.b, b.meta), (box,), (box,))
    assert isinstance(out, Box) and out.meta == "m"
    np.testing.assert_allclose(tan.a, [2., 2.])
    mapped = minijax.vmap(lambda p: Pair(p.first + p.second, p.second))(
        Pair(mnp.ones((3, 2)), mnp.zeros((3, 2))))
    assert isinstance(mapped, Pair)
    assert mapped.first.shape == (3, 2)
    their = jax.vmap(lambda p: Pair(p.first + p.second, p.second))(
        Pair(jax.numpy.ones((3, 2)), jax.numpy.zeros((3, 2))))
    np.testing.assert_allclose(mapped.first, their.first)
