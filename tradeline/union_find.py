"""Disjoint sets of strings, where the smallest member names its set.

Why our own and not scipy's `DisjointSet`: the company registry, the firm grouping and the
timeline merge need a set's name to be its smallest member, so that groups (and the keys made
from them) do not depend on the order of the unions; and importing scipy for this would cost
the run's start-up what the lazy imports saved. One implementation for the three of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


class UnionFind:
    """Path-halving union-find over strings; `find` gives a set's smallest member."""

    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {item: item for item in items}

    def find(self, x: str) -> str:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smaller root wins: order-free

    def groups(self) -> dict[str, list[str]]:
        """{smallest member: members, in insertion order}."""
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return out
