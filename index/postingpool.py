"""A compact in-memory posting pool for Whoosh's segment writer.

Whoosh buffers every posting of a batch as a 5-tuple ``(field, term bytes,
docnum, weight, value)``, about 130 bytes each with the term's bytes and the
weight's float, and sorts the whole list when the segment is written.  For
a 1,000-article batch that was 38 MiB, and the index step runs inside the
crawler's process, so it set the crawl's peak memory.

This pool groups postings by term instead: per term an array of document
numbers, an array of weights and a list of value references (about 20 bytes
a posting), and sorts only the distinct terms at the end.  It yields the
postings Whoosh's pool would, in the same order: by field, term, then
document number.  It never spills to disk; a batch's size bounds it (see
``index.writer``).

``whoosh.writing.SegmentWriter`` builds its ``PostingPool`` itself and
ignores its ``poolclass`` argument, so ``index.writer`` swaps this one in
after creating the writer.  Single-process writers use only ``add``,
``iter_postings`` and ``cleanup`` (and ``fieldnames``), which is all this
implements.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

Posting = tuple[str, bytes, int, float, bytes | None]

# Short values (a keyword field's packed frequency) repeat endlessly: keep one copy.
_SHARED_VALUE_LEN = 8


class CompactPostingPool:
    """Postings grouped per (field, term); see the module docstring."""

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bytes], tuple[array, array, list]] = {}
        self._shared: dict[bytes, bytes] = {}
        self._unsorted: set[tuple[str, bytes]] = set()
        self.fieldnames: set[str] = set()

    def __len__(self) -> int:
        return sum(len(docs) for docs, _, _ in self._terms.values())

    def add(self, item: Posting) -> None:
        fieldname, tbytes, docnum, weight, value = item
        key = (fieldname, tbytes)
        entry = self._terms.get(key)
        if entry is None:
            entry = self._terms[key] = (array("q"), array("d"), [])
            self.fieldnames.add(fieldname)
        elif docnum < entry[0][-1]:
            self._unsorted.add(key)
        entry[0].append(docnum)
        entry[1].append(weight)
        if value is not None and len(value) <= _SHARED_VALUE_LEN:
            value = self._shared.setdefault(value, value)
        entry[2].append(value)

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, sorted as Whoosh sorts its pool; each term is freed once yielded."""
        terms = self._terms
        for key in sorted(terms):
            fieldname, tbytes = key
            docs, weights, values = terms.pop(key)
            order: range | list[int] = range(len(docs))
            if key in self._unsorted:
                # Writers add documents in number order, merged segments after
                # them; anything else still comes out sorted, as Whoosh's would.
                order = sorted(order, key=lambda i: (docs[i], weights[i], values[i] or b""))
            for i in order:
                yield fieldname, tbytes, docs[i], weights[i], values[i]

    def cleanup(self) -> None:
        self._terms.clear()
        self._shared.clear()
        self._unsorted.clear()
