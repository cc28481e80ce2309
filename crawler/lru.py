"""A bounded least-recently-used mapping, for the crawler's per-run caches.

Why: a crawl of tens of thousands of pages must not keep one cache entry per
URL or per document for the whole run.  What these caches hold is used again
soon or not at all (menu links repeat on every page of a host; a new article's
near-duplicates were stored in the same week), so forgetting the least
recently used entry bounds the memory and costs few repeated computations.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A mapping of at most ``max_items`` entries; reading or writing one makes it the newest."""

    def __init__(self, max_items: int) -> None:
        if max_items < 1:
            raise ValueError(f"an LRU needs room for at least one item, got {max_items}")
        self.max_items = max_items
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        """Membership; a hit counts as a use, as a ``get`` would."""
        if key in self._items:
            self._items.move_to_end(key)  # type: ignore[arg-type]
            return True
        return False

    def get(self, key: K, default: V | None = None) -> V | None:
        if key not in self._items:
            return default
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: K, value: V) -> None:
        """Insert or replace; the least recently used entries go when over the bound."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def pop(self, key: K, default: V | None = None) -> V | None:
        return self._items.pop(key, default)
