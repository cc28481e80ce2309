"""Things computed once per searcher, and the size-bounded LRU some of them use.

A searcher is bound to one index generation, so anything derived from it
(term sets, term scores, column values, the facet table) stays valid for as
long as the searcher is open; ``index.search`` replaces the searcher when
the index changes, and everything kept here goes with it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from whoosh.searching import Searcher

T = TypeVar("T")
V = TypeVar("V")


def per_searcher(searcher: Searcher, name: str, make: Callable[[], T]) -> T:
    """The searcher's ``name`` object, made by ``make()`` on first use."""
    memo: dict[str, object] = searcher.__dict__.setdefault("_socnews_memo", {})
    found = memo.get(name)
    if found is None:
        found = memo[name] = make()
    return found  # type: ignore[return-value]


class SizedLRU(Generic[V]):
    """Least-recently-used mapping bounded by the summed size of its values, not their count.

    Cached document lists range from one document to half the archive; a
    count bound would either waste memory or hold almost nothing.  A value
    bigger than a quarter of the budget is not kept: it would evict
    everything else.
    """

    def __init__(self, budget: int, size_of: Callable[[V], int] = len) -> None:  # type: ignore[assignment]
        self.budget = budget
        self.size_of = size_of
        self.size = 0
        self.items: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: V) -> None:
        size = self.size_of(value)
        if size > self.budget // 4:
            return
        old = self.items.pop(key, None)
        if old is not None:
            self.size -= self.size_of(old)
        self.items[key] = value
        self.size += size
        while self.size > self.budget and self.items:
            _, evicted = self.items.popitem(last=False)
            self.size -= self.size_of(evicted)
