"""Facet counts (person, institution, project, place, year, source) over a result set.

Counts are over the WHOLE set of matching documents, not the page shown, so
the work is proportional to the number of hits: a frequent word matches a
third of a 50,000-document archive.  Each document's facet values are read
once per searcher from the packed ``facets`` column and kept as a tuple of
small integers (one id per distinct ``(facet, value)``), so counting a result
set is a single ``Counter`` over a flattened iterator, which runs in C,
instead of a Python loop over ``(facet, value)`` pairs per document.

The table is filled lazily, only for documents that have appeared in some
result: a one-shot CLI search pays for its own hits, a long-lived process
(a service, the benchmark) reuses the work.  A searcher is tied to one index
generation, so document numbers never change meaning under a table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from itertools import chain

from whoosh.searching import Searcher

from index.columns import LazyColumn
from index.memo import per_searcher
from index.writer import unpack_facets

FACETS = ("person", "institution", "project", "place", "year", "source")


class FacetTable:
    """Interned ``(facet, value)`` ids and each document's tuple of them."""

    def __init__(self, searcher: Searcher) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.values: list[tuple[str, str]] = []
        self.column = LazyColumn(searcher, "facets", self._row)

    def _row(self, raw: bytes) -> tuple[int, ...]:
        ids, values = self.ids, self.values
        row = []
        for kv in unpack_facets(raw):
            found = ids.get(kv)
            if found is None:
                found = ids[kv] = len(values)
                values.append(kv)
            row.append(found)
        return tuple(row)

    def counts(self, docnums: Collection[int]) -> dict[str, list[dict]]:
        """``{facet: [{"value", "count"}, ...]}``, most frequent first, then by value."""
        rows = self.column.fill(docnums)
        counted = Counter(chain.from_iterable(map(rows.__getitem__, docnums)))
        out: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
        values = self.values
        for vid, n in counted.items():
            kind, value = values[vid]
            if value and kind in out:
                out[kind].append((value, n))
        return {
            name: [{"value": v, "count": c} for v, c in sorted(pairs, key=lambda x: (-x[1], x[0]))]
            for name, pairs in out.items()
        }


def facet_table(searcher: Searcher) -> FacetTable:
    """The searcher's table, created on first use."""
    return per_searcher(searcher, "facet_table", lambda: FacetTable(searcher))


def facet_counts(searcher: Searcher, docnums: Collection[int]) -> dict[str, list[dict]]:
    return facet_table(searcher).counts(docnums)
