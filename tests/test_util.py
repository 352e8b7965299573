"""The list helpers that higher-order rules share."""
import pytest

from minijax.util import merge_lists, partition_list, split_list


def test_split_list_keeps_the_rest():
    assert split_list(range(6), [2, 0, 3]) == [[0, 1], [], [2, 3, 4], [5]]


def test_partition_then_merge_is_the_identity():
    mask = [True, False, False, True, None is None]
    xs = ["a", None, "c", None, "e"]
    off, on = partition_list(mask, xs)
    assert off == [None, "c"] and on == ["a", None, "e"]
    assert merge_lists(mask, off, on) == xs


def test_merge_checks_lengths():
    with pytest.raises(AssertionError):
        merge_lists([True, False], [1], [2, 3])
