"""BM25F top-k for word queries, computed block by block instead of matcher by matcher.

Ranking was most of a query's time once result sets were cheap: for a word
found in half of a 50,000-document archive, Whoosh steps a tree of union
matchers posting by posting and reads each document's field length through
three layers of calls (85 ms).  A query made only of words — ``Term``s
joined by ``And``/``Or``, which is what the parser gives for anything but
phrases and wildcards — scores a document as the sum of its terms' BM25F
scores, so the same numbers come from one loop over each term's posting
blocks, with the field lengths of a segment read as one byte string.

Same formula, statistics and tie order (score, then lower document number)
as Whoosh's ``BM25F``; only the order in which a document's term scores are
added can differ, which moves a score by at most a unit in the last place.
Anything else (phrases, boosts, another weighting) returns None and Whoosh
ranks it; ``tests/test_ranking.py`` compares both on random queries.
"""

from __future__ import annotations

import heapq
from array import array
from itertools import accumulate

from whoosh.query import And, Or, Query, Term
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from index.memo import SizedLRU, per_searcher


def word_terms(q: Query) -> list[tuple[str, str]] | None:
    """The ``(field, text)`` of every Term of an And/Or tree of Terms; None for anything else.

    A term that occurs twice stays twice: Whoosh adds its score twice.
    """
    if q.boost != 1.0:
        return None
    if type(q) is Term:
        return [(q.fieldname, q.text)]
    if type(q) in (And, Or):
        out: list[tuple[str, str]] = []
        for child in q.subqueries:
            terms = word_terms(child)
            if terms is None:
                return None
            out += terms
        return out
    return None


def _lengths(searcher: Searcher, sub: Searcher, fieldname: str) -> bytes:
    """The segment's field-length bytes (one per document), cached on the top searcher."""
    cache: dict = per_searcher(searcher, "field_lengths", dict)
    key = (id(sub), fieldname)
    raw = cache.get(key)
    if raw is None:
        col = sub.reader()._perdoc._cached_reader(f"_{fieldname}_len", _LENGTHS)
        raw = b"" if col is None else col._dbfile.get(col._basepos, col._count)
        cache[key] = raw
    return raw


def _lengths_column():  # noqa: ANN202 - whoosh's private column type
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    return LENGTHS_COLUMN


_LENGTHS = _lengths_column()


def top_k(
    searcher: Searcher, q: Query, matched: set[int], k: int
) -> list[tuple[int, float]] | None:
    """The ``k`` best ``(docnum, score)`` among ``matched``, or None when Whoosh must rank ``q``."""
    terms = word_terms(q)
    weighting = searcher.weighting
    if terms is None or type(weighting) is not BM25F:
        return None
    schema = searcher.schema
    if any(f not in schema or not schema[f].scorable for f, _ in terms):
        return None
    try:
        scores = _scores(searcher, terms, matched, weighting)
    except AttributeError:  # not the pinned whoosh3 codec: let Whoosh rank
        return None
    return heapq.nsmallest(k, scores.items(), key=lambda kv: (-kv[1], kv[0]))


# Upper bound on cached postings per searcher (12 bytes each: 24 MB).
CACHE_POSTINGS = 2_000_000


def _term_scores(
    searcher: Searcher, fieldname: str, text: str, weighting: BM25F
) -> tuple[array, array]:
    """(global docnums, BM25F scores) of one term's postings, cached per searcher.

    A term's score in a document depends only on the searcher's statistics,
    so it is computed once per searcher: repeating a frequent word then costs
    one pass over two arrays instead of unpickling its posting blocks again.
    """
    cache: SizedLRU[tuple[array, array]] = per_searcher(
        searcher, "term_scores", lambda: SizedLRU(CACHE_POSTINGS, lambda entry: len(entry[0]))
    )
    key = (fieldname, text)
    hit = cache.get(key)
    if hit is not None:
        return hit
    K1 = weighting.K1  # noqa: N806 - the formula's names
    B = weighting._field_B.get(fieldname, weighting.B)  # noqa: N806
    idf = searcher.idf(fieldname, text)
    avgfl = searcher.avg_field_length(fieldname) or 1
    fmt = searcher.schema[fieldname].format
    docs, scores = array("I"), array("d")
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, text) not in reader:
            continue
        lengths = _lengths(searcher, sub, fieldname)
        deleted = reader.deleted_docs_set
        m = reader._terms.matcher(fieldname, reader._text_to_bytes(fieldname, text), fmt)
        delta = not m._byteids
        while m.is_active():
            if m._data is None:
                m._read_data()
            ids, weights = m._data[0], m._data[1]
            if delta:
                ids = accumulate(ids)
            if weights is None or isinstance(weights, float):
                weights = [1.0 if weights is None else weights] * m._blocklength
            for doc, tf in zip(ids, weights, strict=False):
                if doc in deleted:
                    continue
                fl = byte_to_length(lengths[doc])
                docs.append(doc + offset)
                scores.append(idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))))
            m._next_block()
    entry = (docs, scores)
    cache.put(key, entry)
    return entry


def _scores(
    searcher: Searcher, terms: list[tuple[str, str]], matched: set[int], weighting: BM25F
) -> dict[int, float]:
    """Each matched document's summed term scores."""
    scores: dict[int, float] = {}
    get = scores.get
    for fieldname, text in terms:
        docs, term_scores = _term_scores(searcher, fieldname, text, weighting)
        for g, s in zip(docs, term_scores, strict=True):
            if g in matched:
                scores[g] = get(g, 0.0) + s
    return scores
