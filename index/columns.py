"""Per-document column values, read lazily and kept for the life of a searcher.

Facet counting and newest-first ordering need one small value per matching
document.  Reading a Whoosh column costs a few microseconds per document, so
values are read once, the first time a document appears in a result, and
kept in a plain list indexed by document number.  A searcher is tied to one
index generation, so a document number never changes meaning under a list;
loading the whole column up front would instead charge a one-shot CLI
search for documents it never touches.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from whoosh.searching import Searcher

from index.memo import per_searcher


class LazyColumn:
    """``rows[docnum]`` = ``convert(column[docnum])``, filled on demand."""

    def __init__(self, searcher: Searcher, name: str, convert: Callable[[Any], Any]) -> None:
        self.searcher = searcher
        self.name = name
        self.convert = convert
        self.rows: list[Any] = [None] * searcher.doc_count_all()
        self._filled = bytearray(searcher.doc_count_all())
        self._reader = None

    def fill(self, docnums: Collection[int]) -> list[Any]:
        """Make sure ``rows`` holds every document of ``docnums``; returns ``rows``."""
        filled = self._filled
        missing = [d for d in docnums if not filled[d]]
        if missing:
            if self._reader is None:
                self._reader = self.searcher.reader().column_reader(self.name)
            reader, convert, rows = self._reader, self.convert, self.rows
            for d in missing:
                rows[d] = convert(reader[d])
                filled[d] = 1
        return self.rows


def lazy_column(searcher: Searcher, name: str, convert: Callable[[Any], Any]) -> LazyColumn:
    """The searcher's lazy copy of column ``name`` (one per searcher and name)."""
    return per_searcher(searcher, f"column:{name}", lambda: LazyColumn(searcher, name, convert))
