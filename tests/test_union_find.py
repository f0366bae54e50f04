"""The one union-find the registry, the firm grouping and the merge share: a set is named by
its smallest member whatever the order of the unions."""

from __future__ import annotations

import itertools

from tradeline.union_find import UnionFind


def test_sets_are_named_by_their_smallest_member_in_any_union_order() -> None:
    items = ["d", "b", "e", "a", "c", "f"]
    links = [("d", "e"), ("e", "b"), ("c", "f")]
    results = set()
    for order, flip in itertools.product(itertools.permutations(links), (False, True)):
        sets = UnionFind(items)
        for a, b in order:
            sets.union(*((b, a) if flip else (a, b)))
        groups = sets.groups()
        results.add(tuple(sorted((root, tuple(members)) for root, members in groups.items())))
    assert results == {(("a", ("a",)), ("b", ("d", "b", "e")), ("c", ("c", "f")))}


def test_find_of_a_lone_item_is_itself_and_unknown_items_fail() -> None:
    sets = UnionFind(["x"])
    assert sets.find("x") == "x"
    try:
        sets.find("y")
    except KeyError:
        pass
    else:
        raise AssertionError("an item never added has no set")
