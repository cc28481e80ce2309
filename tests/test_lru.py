"""The bounded caches of a crawl run."""

from __future__ import annotations

import pytest

from crawler.lru import LRU


def test_least_recently_used_goes_first() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert len(cache) == 2 and cache.get("b") is None
    assert "a" in cache  # a membership test is a use too
    cache.put("d", 4)
    assert "c" not in cache and cache.get("a") == 1 and cache.get("d") == 4


def test_replace_pop_and_defaults() -> None:
    cache: LRU[str, str] = LRU(1)
    cache.put("k", "old")
    cache.put("k", "new")
    assert len(cache) == 1 and cache.get("k") == "new"
    assert cache.get("missing", "default") == "default"
    assert cache.pop("k") == "new" and cache.pop("k") is None and len(cache) == 0
    with pytest.raises(ValueError):
        LRU(0)
