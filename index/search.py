"""Queries, filters and facets over the Whoosh index (library side of ``socnews search``).

Returns plain dicts in the shape of the JSON contract so the CLI only formats.
Filters turn what a user types (a surname, an abbreviation, a code with
Cyrillic look-alike letters) into the normalised keys the index stores, so
they are exact term lookups rather than fuzzy text matches.
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import And, Every, Or, Ordered, Phrase, Query, Sequence, Term
from whoosh.searching import Searcher

from index import docsets, ranking
from index.columns import lazy_column
from index.dateranges import YEAR, clamp, decompose
from index.docsets import DocNumbers
from index.facets import FACETS, facet_counts
from index.keys import (
    institution_filter_keys,
    person_filter_keys,
    place_filter_keys,
    project_filter_keys,
)
from index.snippets import snippet
from index.storage import MappedStorage

DISPLAY = {
    "person": "people_display",
    "institution": "institutions_display",
    "project": "projects_display",
    "place": "places_display",
}


class QueryError(ValueError):
    """The query text cannot be parsed (a usage error, exit code 2)."""


class NoIndex(RuntimeError):
    """There is no usable index (run a crawl or ``socnews index``)."""


@dataclass(slots=True)
class Filters:
    person: list[str] = field(default_factory=list)
    institution: list[str] = field(default_factory=list)
    project: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None

    def is_empty(self) -> bool:
        return not (
            self.person or self.institution or self.project or self.place or self.source
            or self.date_from or self.date_to
        )  # fmt: skip


def _any(field_name: str, keys: list[str]) -> Query:
    terms = [Term(field_name, k) for k in dict.fromkeys(keys) if k]
    if not terms:
        return Term(field_name, "\x00no-such-value")  # nothing matches, honestly empty
    return terms[0] if len(terms) == 1 else Or(terms)


def person_query(value: str) -> Query:
    full, surnames = person_filter_keys(value)
    parts = [_any("person", full)] if full else []
    if surnames:
        parts.append(_any("surname", surnames))
    return parts[0] if len(parts) == 1 else Or(parts)


def institution_query(value: str) -> Query:
    return _any("institution", institution_filter_keys(value))


def project_query(value: str) -> Query:
    return _any("project", project_filter_keys(value))


def place_query(value: str) -> Query:
    return _any("place", place_filter_keys(value))


def _term_filters(f: Filters) -> list[Query]:
    """Every filter but the dates, as exact-term queries on the normalised key fields."""
    parts: list[Query] = []
    parts += [person_query(v) for v in f.person]
    parts += [institution_query(v) for v in f.institution]
    parts += [project_query(v) for v in f.project]
    parts += [place_query(v) for v in f.place]
    if f.source:
        parts.append(Or([Term("source", s.strip().lower()) for s in f.source]))
    return parts


def _date_docs(searcher: Searcher, f: Filters) -> set[int]:
    """Documents with a published or event day in the range, from year/month/day terms."""
    years = sorted(
        t.decode() if isinstance(t, bytes) else t for t in searcher.reader().lexicon(YEAR)
    )
    span = clamp(
        date.fromisoformat(f.date_from) if f.date_from else None,
        date.fromisoformat(f.date_to) if f.date_to else None,
        date(int(years[0]), 1, 1) if years else None,
        date(int(years[-1]), 12, 31) if years else None,
    )
    if span is None:
        return set()
    out: set[int] = set()
    for field_name, term in decompose(*span):
        out.update(docsets.term_docs(searcher, field_name, term))
    return out


def filter_docs(searcher: Searcher, f: Filters | None) -> set[int] | None:
    """Document numbers passing every filter; None when there are no filters."""
    if f is None or f.is_empty():
        return None
    sets = [docsets.docs(searcher, q) for q in _term_filters(f)]
    if f.date_from or f.date_to:
        sets.append(_date_docs(searcher, f))
    sets.sort(key=len)
    out = sets[0]
    for other in sets[1:]:
        out &= other
    return out


_OPEN: dict[str, tuple[tuple, whoosh_index.Index, Searcher]] = {}


def _signature(index_dir: Path) -> tuple:
    """Identity of the index's current generation (changes on commit and on rebuild)."""
    try:
        return tuple(
            sorted((p.name, p.stat().st_ino, p.stat().st_mtime_ns) for p in index_dir.glob("*.toc"))
        )
    except OSError:
        return ()


def open_index(index_dir: Path) -> whoosh_index.Index:
    return _searcher(index_dir)[0]


def _searcher(index_dir: Path) -> tuple[whoosh_index.Index, Searcher]:
    """The index and a searcher, kept open across queries in one process.

    Opening a multi-segment index costs more than a typical query. The cached
    searcher is reused only while the index's table of contents is the same
    file, so a commit by a crawl or a rebuild is seen at the next query.
    """
    key = str(index_dir.resolve())
    sig = _signature(index_dir)
    cached = _OPEN.get(key)
    if cached is not None and cached[0] == sig and sig:
        return cached[1], cached[2]
    if cached is not None:
        _OPEN.pop(key, None)
        with contextlib.suppress(Exception):
            cached[2].close()
    if not whoosh_index.exists_in(str(index_dir)):
        raise NoIndex("no search index yet: run `socnews crawl` or `socnews index` first")
    try:
        ix = MappedStorage(str(index_dir)).open_index()
        searcher = ix.searcher()
    except Exception as e:  # noqa: BLE001 - a damaged index fails in many ways
        raise NoIndex(
            f"the search index is damaged ({type(e).__name__}); run `socnews index --rebuild`"
        ) from None
    _OPEN[key] = (sig, ix, searcher)
    return ix, searcher


def parse_query(ix: whoosh_index.Index, text: str) -> Query:
    parser = MultifieldParser(["title", "text", "entities"], schema=ix.schema, group=AndGroup)
    try:
        return parser.parse(text)
    except QueryParserError as e:
        raise QueryError(f"cannot parse query {text!r}: {e}") from None
    except Exception as e:  # noqa: BLE001 - whoosh raises plain errors on odd syntax
        raise QueryError(f"cannot parse query {text!r}: {type(e).__name__}: {e}") from None


def matching_fields(index_dir: Path, query: str, filters: Filters | None) -> Iterator[dict]:
    """Stored fields of every matching document, in index order (research views read these)."""
    ix, searcher = _searcher(index_dir)
    text_q = parse_query(ix, query) if query.strip() else None
    for docnum in sorted(_matched(searcher, text_q, filters)):
        yield searcher.stored_fields(docnum)


def _matched(searcher: Searcher, text_q: Query | None, filters: Filters | None) -> set[int]:
    """Documents matching the free text (all without it) and every filter."""
    return _match_sets(searcher, text_q, filters)[0]


def _match_sets(
    searcher: Searcher, text_q: Query | None, filters: Filters | None
) -> tuple[set[int], int, bool]:
    """(matching documents, how many match the text alone, whether filters narrowed it)."""
    allowed = filter_docs(searcher, filters)
    if text_q is None:
        every = allowed if allowed is not None else docsets.docs(searcher, Every())
        return every, len(every), allowed is not None
    matched = docsets.docs(searcher, text_q)
    text_count = len(matched)
    if allowed is not None:
        matched &= allowed
    return matched, text_count, allowed is not None


def search(
    index_dir: Path,
    query: str = "",
    filters: Filters | None = None,
    limit: int = 10,
    offset: int = 0,
    sort: str = "relevance",
    with_facets: bool = False,
    collapse: bool = False,
) -> dict:
    """One page of hits, the total and (optionally) facets, in the contract's shape.

    The set of matching documents is computed once, as set algebra
    (:mod:`index.docsets`), and serves the total, the facets and the filter
    of the ranked search; Whoosh scores only the free text.  Without free
    text there is nothing to score, so hits come newest first.
    """
    ix, searcher = _searcher(index_dir)
    text_q = parse_query(ix, query) if query.strip() else None
    k = offset + limit
    try:
        if text_q is not None and sort == "relevance" and not collapse and _positional(text_q):
            matched, ranked = _ranked_in_one_pass(
                searcher, text_q, filter_docs(searcher, filters), k
            )
        else:
            matched, text_count, filtered = _match_sets(searcher, text_q, filters)
            if text_q is None:
                ranked = _newest_first(searcher, matched, k, sort, collapse)
            elif (
                sort == "relevance"
                and not collapse
                and (fast := ranking.top_k(searcher, text_q, matched, k)) is not None
            ):
                ranked = fast
            else:
                restrict = None
                if filtered:  # a few filtered documents: score only them (see _ranked)
                    narrow = len(matched) * NARROW_RATIO < text_count
                    restrict = DocNumbers(searcher, matched) if narrow else matched
                ranked = _ranked(searcher, text_q, restrict, k, sort, collapse)
    except (QueryError, NoIndex):
        raise
    except Exception as e:  # noqa: BLE001 - a malformed field:value shows up only here
        raise QueryError(f"cannot run query {query!r}: {type(e).__name__}: {e}") from None
    total = len(matched)
    if collapse:  # count groups, not documents
        total = len(set(lazy_column(searcher, "group", _text).fill(matched)[d] for d in matched))
    terms = _query_terms(text_q) if text_q is not None else set()
    hits = [_hit(searcher.stored_fields(d), score, terms) for d, score in ranked[offset:]]
    facets = facet_counts(searcher, matched) if with_facets else {name: [] for name in FACETS}
    return {"query": query, "total": total, "hits": hits, "facets": facets}


def _text(raw: object) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw or "")


# Below this share of the text's matches, the filtered documents are scored
# by intersection (stepping through them only) rather than by a collector that
# steps through every text match and drops the filtered-out ones.
NARROW_RATIO = 4


def _ranked(
    searcher: Searcher,
    text_q: Query,
    restrict: set[int] | DocNumbers | None,
    k: int,
    sort: str,
    collapse: bool,
) -> list[tuple[int, float]]:
    """Top ``k`` of the free-text query by BM25F (or by date) among ``restrict``.

    ``restrict`` is None without filters, the filtered set for a collector
    filter, or a :class:`DocNumbers` query to intersect with when the
    filtered set is much smaller than the text's matches (a word in half the
    archive, filtered to one person: 110 ms stepping, 20 ms intersecting).
    Either way the filters add nothing to the score.
    """
    if k <= 0 or (restrict is not None and not isinstance(restrict, DocNumbers) and not restrict):
        return []
    q = _tree_unions(text_q)
    kwargs: dict = {"limit": k, "terms": False}
    if isinstance(restrict, DocNumbers):
        if not restrict.docnums:
            return []
        q = And([q, restrict])
    elif restrict is not None:
        kwargs["filter"] = restrict
    if sort in ("date", "-date"):
        kwargs["sortedby"] = "order"
        kwargs["reverse"] = sort == "-date"
    if collapse:
        kwargs["collapse"] = "group"  # one hit per near-duplicate group
    results = searcher.search(q, **kwargs)
    return [(h.docnum, float(h.score or 0.0)) for h in results]


def _positional(q: Query) -> bool:
    """Whether the query checks word positions (a phrase), which only Whoosh can evaluate."""
    return isinstance(q, Phrase | Ordered | Sequence) or any(_positional(c) for c in q.children())


class _RecordingTop(TopCollector):
    """Top-k by score that also keeps every matching document number.

    A phrase is matched by walking word positions in Python, the expensive
    part of such a query; recording the matches while scoring them gives the
    total and the facets without walking the positions a second time.  Block
    skipping and matcher replacement (which drops alternatives that can no
    longer reach the top k) are off so that no match goes unrecorded.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)
        self.seen: list[int] = []

    def _collect(self, global_docnum: int, score: float) -> float:
        self.seen.append(global_docnum)
        return super()._collect(global_docnum, score)


def _ranked_in_one_pass(
    searcher: Searcher, text_q: Query, allowed: set[int] | None, k: int
) -> tuple[set[int], list[tuple[int, float]]]:
    top = _RecordingTop(max(k, 1))
    collector = top if allowed is None else FilterCollector(top, allow=allowed)
    searcher.search_with_collector(_tree_unions(text_q), collector)
    ranked = [(h.docnum, float(h.score or 0.0)) for h in top.results()]
    return set(top.seen), ranked[:k]


def _tree_unions(q: Query) -> Query:
    """Ask for Whoosh's binary union matchers, which can skip low-scoring blocks.

    For segments under 5,000 documents Whoosh picks an array matcher that
    scores every posting of every alternative (each word is an ``Or`` over
    title, text and entities) before the collector sees any: a frequent word
    cost 40 ms at 10,000 documents.  The tree matcher lets the top-k
    collector skip blocks that cannot beat the current tenth hit.
    """
    if isinstance(q, Or):
        q.matcher_type = Or.DEFAULT_MATCHER
    for child in q.children():
        _tree_unions(child)
    return q


def _newest_first(
    searcher: Searcher, matched: set[int], k: int, sort: str, collapse: bool
) -> list[tuple[int, float]]:
    """Filter-only results: newest first (``--sort date``: oldest first); ties by docnum."""
    if not matched or k <= 0:
        return []
    order = lazy_column(searcher, "order", int).fill(matched)
    oldest_first = sort == "date"
    if collapse:
        groups = lazy_column(searcher, "group", _text).fill(matched)
        best: dict[str, int] = {}
        for d in sorted(matched, key=lambda d: (order[d] if oldest_first else -order[d], d)):
            best.setdefault(groups[d], d)
        pool: Iterable[int] = best.values()
    else:
        pool = matched
    if oldest_first:
        top = heapq.nsmallest(k, pool, key=lambda d: (order[d], d))
    else:
        top = heapq.nsmallest(k, pool, key=lambda d: (-order[d], d))
    return [(d, 0.0) for d in top]


def _query_terms(q: Query) -> set[str]:
    """The analysed terms a query looks for in the text fields (for snippets)."""
    out = set()
    for fieldname, text in q.all_terms():
        if fieldname in ("text", "title", "entities"):
            out.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return out


def _hit(h: dict, score: float, terms: set[str]) -> dict:
    """A hit in the contract's shape, from the document's stored fields."""
    return {
        "id": h["id"],
        "url": h["url"],
        "title": h.get("title", ""),
        "published": h.get("published") or None,
        "event_dates": h.get("event_dates") or [],
        "score": round(score, 3),
        "snippet": snippet(h.get("text") or "", terms),
        "people": h.get("people_display") or [],
        "institutions": h.get("institutions_display") or [],
        "projects": h.get("projects_display") or [],
        "places": h.get("places_display") or [],
        "source": h.get("source", ""),
        "duplicate_of": h.get("duplicate_of") or None,
    }
