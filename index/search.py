"""Queries, filters and facets over the Whoosh index (library side of ``socnews search``).

Returns plain dicts in the shape of the JSON contract so the CLI only formats.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.qparser.common import QueryParserError
from whoosh.query import And, Every, Or, Query, Term, TermRange

from crawler.extract.codes import normalize_code
from index.keys import base_key, person_key, place_key

FACETS = ("person", "institution", "project", "place", "year", "source")
_DISPLAY = {
    "person": "people_display",
    "institution": "institutions_display",
    "project": "projects_display",
    "place": "places_display",
}


class QueryError(ValueError):
    """The query text cannot be parsed (a usage error, exit code 2)."""


class NoIndex(RuntimeError):
    """There is no index yet (run a crawl or ``socnews index``)."""


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


class _BoldFormatter(highlight.Formatter):
    """``<b>term</b>`` with no classes: the contract's snippet markup."""

    between = " … "

    def format_token(self, text: str, token, replace: bool = False) -> str:  # noqa: ANN001
        return f"<b>{highlight.get_text(text, token, replace)}</b>"


def person_query(value: str) -> Query:
    key = person_key(value)
    if " " in key:
        return Term("person", key)
    return Or([Term("person", key), Term("surname", key)])


def institution_query(value: str) -> Query:
    return Term("institution", base_key(value))


def project_query(value: str) -> Query:
    code = normalize_code(value)
    if code:
        return Term("project", code.lower())
    return Term("project", base_key(value))


def filter_query(f: Filters) -> Query | None:
    parts: list[Query] = []
    parts += [person_query(v) for v in f.person]
    parts += [institution_query(v) for v in f.institution]
    parts += [project_query(v) for v in f.project]
    parts += [Term("place", place_key(v)) for v in f.place]
    if f.source:
        parts.append(Or([Term("source", s.lower()) for s in f.source]))
    if f.date_from or f.date_to:
        parts.append(TermRange("dates", f.date_from, f.date_to, startexcl=False, endexcl=False))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def open_index(index_dir: Path) -> whoosh_index.Index:
    if not whoosh_index.exists_in(str(index_dir)):
        raise NoIndex("no search index yet: run `socnews crawl` or `socnews index` first")
    try:
        return whoosh_index.open_dir(str(index_dir))
    except Exception as e:  # noqa: BLE001 - a damaged index fails in many ways
        raise NoIndex(
            f"the search index is damaged ({type(e).__name__}); run `socnews index --rebuild`"
        ) from None


def parse_query(ix: whoosh_index.Index, text: str) -> Query:
    parser = MultifieldParser(["title", "text", "entities"], schema=ix.schema, group=AndGroup)
    try:
        return parser.parse(text)
    except QueryParserError as e:
        raise QueryError(f"cannot parse query {text!r}: {e}") from None


def search(
    index_dir: Path,
    query: str = "",
    filters: Filters | None = None,
    limit: int = 10,
    offset: int = 0,
    sort: str = "relevance",
    with_facets: bool = False,
) -> dict:
    filters = filters or Filters()
    ix = open_index(index_dir)
    q = parse_query(ix, query) if query.strip() else Every()
    fq = filter_query(filters)
    if fq is not None:
        q = And([q, fq]) if not isinstance(q, Every) else fq
    with ix.searcher() as searcher:
        kwargs: dict = {"limit": None}
        if sort in ("date", "-date"):
            kwargs["sortedby"] = "order"
            kwargs["reverse"] = sort == "-date"
        results = searcher.search(q, terms=True, **kwargs)
        results.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=60)
        results.formatter = _BoldFormatter()
        total = len(results)
        hits = [_hit(h) for h in results[offset : offset + limit]]
        facets = _facets(results) if with_facets else {name: [] for name in FACETS}
    return {"query": query, "total": total, "hits": hits, "facets": facets}


def _hit(h) -> dict:  # noqa: ANN001 - whoosh Hit
    snippet = h.highlights("text", top=2) or (h.get("text") or "")[:200]
    return {
        "id": h["id"],
        "url": h["url"],
        "title": h.get("title", ""),
        "published": h.get("published") or None,
        "event_dates": h.get("event_dates") or [],
        "score": round(float(h.score or 0.0), 3),
        "snippet": snippet,
        "people": h.get("people_display") or [],
        "institutions": h.get("institutions_display") or [],
        "projects": h.get("projects_display") or [],
        "places": h.get("places_display") or [],
        "source": h.get("source", ""),
        "duplicate_of": h.get("duplicate_of") or None,
    }


def _facets(results) -> dict:  # noqa: ANN001 - whoosh Results
    counters: dict[str, Counter] = {name: Counter() for name in FACETS}
    for hit in results:
        fields = hit.fields()
        for name, stored in _DISPLAY.items():
            counters[name].update(set(fields.get(stored) or []))
        if fields.get("year"):
            counters["year"][fields["year"]] += 1
        counters["source"][fields.get("source", "")] += 1
    return {
        name: [
            {"value": v, "count": c}
            for v, c in sorted(counter.items(), key=lambda x: (-x[1], x[0]))
            if v
        ]
        for name, counter in counters.items()
    }
