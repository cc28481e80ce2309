"""Which documents match a query, as a Python set, without Whoosh's matchers.

Counting the hits and the facets of a query needs the whole set of matching
document numbers, not just the top ten.  Whoosh computes that by stepping a
tree of matcher objects one document at a time in Python, and for small
segments it builds an ``ArrayUnionMatcher`` that clears a 2,048-slot array
in a Python loop for every block: at 50,000 documents that alone was most of
a faceted query's time.  Here a query tree is evaluated as set algebra
instead (``Or`` = union, ``And`` = intersection, ``AndNot`` = difference);
a term's documents are read block by block straight from the postings
(one ``set.update`` per block of up to 128 ids, in C).

Each term's documents are cached per searcher, as a compact array, like a
search engine's query cache: a researcher's session filters on the same few
names and date ranges again and again, frequent words come back in query
after query, and reading a frequent word's postings means unpickling every
block of it, positions included (most of the 60 ms such a word took at
50,000 documents).  A searcher is bound to one index generation, so cached
entries never go stale; the cache is bounded by the number of document
numbers it holds (4 bytes each).

Anything the evaluator does not know (phrases, wildcards, ...) falls back to
Whoosh's own ``docs_for_query``, so the answer is always the same set Whoosh
would give; ``tests/test_docsets.py`` checks that on an index with deletions.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate

from whoosh.matching import ListMatcher, Matcher, NullMatcher
from whoosh.query import And, AndNot, Every, Not, Or, Query, Term, TermRange
from whoosh.searching import Searcher

from index.memo import SizedLRU, per_searcher

# Upper bound on the document numbers cached per searcher (4 bytes each: 8 MB).
CACHE_BUDGET = 2_000_000


def _cache(searcher: Searcher) -> SizedLRU[array]:
    """The searcher's term cache: (field, term) -> array of global docnums."""
    return per_searcher(searcher, "term_docs", lambda: SizedLRU(CACHE_BUDGET))


def _leaves(searcher: Searcher) -> list[tuple[Searcher, int]]:
    return list(searcher.leaf_searchers())


def _segment_term_docs(reader, fieldname: str, text: str | bytes, offset: int) -> set[int]:  # noqa: ANN001
    """Live document numbers (plus ``offset``) of one term in one segment."""
    out: set[int] = set()
    if (fieldname, text) not in reader:
        return out
    btext = reader._text_to_bytes(fieldname, text)  # pinned whoosh3: private but stable
    matcher = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    delta_coded = not matcher._byteids
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids = matcher._data[0]
        if delta_coded:  # Whoosh decodes these with a Python generator; accumulate is C
            ids = accumulate(ids, initial=offset) if offset else accumulate(ids)
            if offset:
                next(ids)  # the initial value itself is not an id
        elif offset:
            ids = [i + offset for i in ids]
        out.update(ids)
        matcher._next_block()
    deleted = reader.deleted_docs_set
    if deleted:
        out.difference_update(d + offset for d in deleted)
    return out


def term_docs(searcher: Searcher, fieldname: str, text: str | bytes) -> set[int]:
    """Global document numbers containing one term (a new set the caller may change)."""
    key = (fieldname, text if isinstance(text, str) else text.decode("utf-8", "replace"))
    cache = _cache(searcher)
    if (hit := cache.get(key)) is not None:
        return set(hit)
    out: set[int] = set()
    try:
        for sub, offset in _leaves(searcher):
            out |= _segment_term_docs(sub.reader(), fieldname, text, offset)
    except AttributeError:  # another codec: Whoosh's own (slower) path gives the same set
        out = set(searcher.docs_for_query(Term(fieldname, text)))
    cache.put(key, array("I", out))
    return out


def _all_docs(searcher: Searcher) -> set[int]:
    reader = searcher.reader()
    return set(reader.all_doc_ids())


def _union(sets: Iterable[Iterable[int]]) -> set[int]:
    out: set[int] = set()
    for s in sets:
        out.update(s)
    return out


def docs(searcher: Searcher, q: Query) -> set[int]:
    """The set of global document numbers matching ``q`` (same as ``docs_for_query``)."""
    if isinstance(q, Term):
        return term_docs(searcher, q.fieldname, q.text)
    if isinstance(q, Every):
        return _all_docs(searcher)
    if isinstance(q, TermRange):
        expanded = q.simplify(searcher.reader())  # Or of the Terms in range (or NullQuery)
        if not isinstance(expanded, TermRange):
            return docs(searcher, expanded)
    elif isinstance(q, AndNot):
        return docs(searcher, q.a) - docs(searcher, q.b)
    elif isinstance(q, Not):
        return _all_docs(searcher) - docs(searcher, q.query)
    elif isinstance(q, And) and q.subqueries:
        # smallest first keeps the intermediate sets small
        parts = sorted((docs(searcher, s) for s in q.subqueries), key=len)
        out = parts[0]
        for p in parts[1:]:
            if not out:
                break
            out &= p
        return out
    elif type(q) is Or:
        return _union(docs(searcher, s) for s in q.subqueries)
    return set(searcher.docs_for_query(q))


class _ZeroScoreList(ListMatcher):
    """Postings of a fixed document list that add nothing to a score and never prune."""

    def score(self) -> float:
        return 0.0

    def max_quality(self) -> float:
        return 0.0

    def supports_block_quality(self) -> bool:
        return False

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()


class DocNumbers(Query):
    """A query matching a fixed set of (global) document numbers, scoring 0.

    ``And([text, DocNumbers(...)])`` ranks the text query's matches inside an
    already computed result set (the filters' documents) by the text's score
    alone: the intersection steps through the small set and skips the text
    postings to each of its documents, where a filtering collector would
    step through every text match.  Bound to one searcher's document numbers.
    """

    def __init__(self, searcher: Searcher, docnums: Iterable[int]) -> None:
        self.docnums = sorted(docnums)
        self._leaves = {id(sub): offset for sub, offset in _leaves(searcher)}

    def __repr__(self) -> str:
        return f"DocNumbers({len(self.docnums)} documents)"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def estimate_size(self, ixreader) -> int:  # noqa: ANN001
        return len(self.docnums)

    def estimate_min_size(self, ixreader) -> int:  # noqa: ANN001
        return len(self.docnums)

    def matcher(self, searcher: Searcher, context=None) -> Matcher:  # noqa: ANN001
        offset = self._leaves.get(id(searcher), 0)
        lo = bisect_left(self.docnums, offset)
        hi = bisect_left(self.docnums, offset + searcher.doc_count_all())
        if lo == hi:
            return NullMatcher()
        return _ZeroScoreList(array("I", [d - offset for d in self.docnums[lo:hi]]))
