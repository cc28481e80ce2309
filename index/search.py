"""Queries, filters and facets over the Whoosh index (library side of ``socnews search``).

Returns plain dicts in the shape of the JSON contract so the CLI only formats.
Filters turn what a user types (a surname, an abbreviation, a code with
Cyrillic look-alike letters) into the normalised keys the index stores, so
they are exact term lookups rather than fuzzy text matches.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import And, Every, Or, Query, Term, TermRange
from whoosh.searching import Searcher

from index.keys import (
    institution_filter_keys,
    person_filter_keys,
    place_filter_keys,
    project_filter_keys,
)
from index.snippets import snippet
from index.writer import unpack_facets

FACETS = ("person", "institution", "project", "place", "year", "source")
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


def filter_query(f: Filters) -> Query | None:
    parts: list[Query] = []
    parts += [person_query(v) for v in f.person]
    parts += [institution_query(v) for v in f.institution]
    parts += [project_query(v) for v in f.project]
    parts += [place_query(v) for v in f.place]
    if f.source:
        parts.append(Or([Term("source", s.strip().lower()) for s in f.source]))
    if f.date_from or f.date_to:
        parts.append(TermRange("dates", f.date_from, f.date_to, startexcl=False, endexcl=False))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


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
        ix = whoosh_index.open_dir(str(index_dir))
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


def build_query(ix: whoosh_index.Index, query: str, filters: Filters | None) -> Query:
    """Free text AND filters; an empty query with filters matches on the filters alone."""
    q: Query = parse_query(ix, query) if query.strip() else Every()
    fq = filter_query(filters or Filters())
    if fq is None:
        return q
    return fq if isinstance(q, Every) else And([q, fq])


def matching_fields(index_dir: Path, query: str, filters: Filters | None) -> Iterator[dict]:
    """Stored fields of every matching document (research views read these)."""
    ix, searcher = _searcher(index_dir)
    q = build_query(ix, query, filters)
    for docnum in searcher.docs_for_query(q):
        yield searcher.stored_fields(docnum)


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
    ix, searcher = _searcher(index_dir)
    q = build_query(ix, query, filters)
    kwargs: dict = {"limit": offset + limit, "terms": False}
    if sort in ("date", "-date"):
        kwargs["sortedby"] = "order"
        kwargs["reverse"] = sort == "-date"
    if collapse:
        kwargs["collapse"] = "group"  # one hit per near-duplicate group
    try:
        results = searcher.search(q, **kwargs)
    except Exception as e:  # noqa: BLE001 - a malformed field:value shows up only here
        raise QueryError(f"cannot run query {query!r}: {type(e).__name__}: {e}") from None
    total = len(results)
    if collapse:  # count groups, not documents
        total = len({searcher.stored_fields(d).get("group") for d in searcher.docs_for_query(q)})
    terms = _query_terms(q)
    hits = [_hit(h, terms) for h in results[offset : offset + limit]]
    facets = facet_counts(searcher, q) if with_facets else {name: [] for name in FACETS}
    return {"query": query, "total": total, "hits": hits, "facets": facets}


def _query_terms(q: Query) -> set[str]:
    """The analysed terms a query looks for in the text fields (for snippets)."""
    out = set()
    for fieldname, text in q.all_terms():
        if fieldname in ("text", "title", "entities"):
            out.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return out


def _hit(h, terms: set[str]) -> dict:  # noqa: ANN001 - whoosh Hit
    return {
        "id": h["id"],
        "url": h["url"],
        "title": h.get("title", ""),
        "published": h.get("published") or None,
        "event_dates": h.get("event_dates") or [],
        "score": round(float(h.score or 0.0), 3),
        "snippet": snippet(h.get("text") or "", terms),
        "people": h.get("people_display") or [],
        "institutions": h.get("institutions_display") or [],
        "projects": h.get("projects_display") or [],
        "places": h.get("places_display") or [],
        "source": h.get("source", ""),
        "duplicate_of": h.get("duplicate_of") or None,
    }


def _facet_cache(searcher: Searcher) -> dict[int, list[tuple[str, str]]]:
    """Unpacked facet values per document, kept with the (cached) searcher.

    A searcher is tied to one index generation, so its document numbers never
    change meaning: unpacking a document's facets once per process is enough.
    """
    cache = getattr(searcher, "_socnews_facets", None)
    if cache is None:
        cache = {}
        searcher._socnews_facets = cache  # type: ignore[attr-defined]
    return cache


def facet_counts(searcher: Searcher, q: Query) -> dict:
    """Counts per facet value over the WHOLE result set, not just the page shown."""
    counters: dict[str, Counter] = {name: Counter() for name in FACETS}
    cache = _facet_cache(searcher)
    column = None
    for docnum in searcher.docs_for_query(q):
        values = cache.get(docnum)
        if values is None:
            if column is None:
                column = searcher.reader().column_reader("facets")
            values = cache[docnum] = unpack_facets(column[docnum])
        for kind, value in values:
            counters[kind][value] += 1
    return {
        name: [
            {"value": v, "count": c}
            for v, c in sorted(counter.items(), key=lambda x: (-x[1], x[0]))
            if v
        ]
        for name, counter in counters.items()
    }
