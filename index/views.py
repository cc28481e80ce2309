"""Research views over the index: entity lists, timelines, meeting histories.

What researchers ask is rarely "which pages match": it is "who appears with
whom, when, and where did they meet". These functions aggregate the stored
fields of every matching document; they read the index only, never the
network or the crawl store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from index.keys import person_filter_keys, person_key, surname_key
from index.search import DISPLAY, Filters, matching_fields

ENTITY_KINDS = {
    "people": "person",
    "institutions": "institution",
    "projects": "project",
    "places": "place",
}


@dataclass(slots=True)
class _Entity:
    count: int = 0
    first: str | None = None
    last: str | None = None
    with_: Counter = field(default_factory=Counter)

    def see(self, day: str | None) -> None:
        self.count += 1
        if day:
            self.first = day if self.first is None or day < self.first else self.first
            self.last = day if self.last is None or day > self.last else self.last


def entities(
    index_dir: Path,
    kind: str,
    query: str = "",
    filters: Filters | None = None,
    limit: int = 50,
    cooccurring: int = 5,
) -> list[dict]:
    """Entities of one kind with document counts, first/last date and top companions."""
    facet = ENTITY_KINDS[kind]
    stats: dict[str, _Entity] = defaultdict(_Entity)
    for f in matching_fields(index_dir, query, filters):
        day = f.get("published") or None
        mine = set(f.get(DISPLAY[facet]) or [])
        others = [
            (other_kind, v)
            for other_kind, stored in DISPLAY.items()
            for v in set(f.get(stored) or [])
        ]
        for value in mine:
            e = stats[value]
            e.see(day)
            e.with_.update(o for o in others if o != (facet, value))
    ranked = sorted(stats.items(), key=lambda kv: (-kv[1].count, kv[0]))[:limit]
    return [
        {
            "value": value,
            "count": e.count,
            "first": e.first,
            "last": e.last,
            "cooccurring": [
                {"kind": k, "value": v, "count": c}
                for (k, v), c in e.with_.most_common(cooccurring)
            ],
        }
        for value, e in ranked
    ]


def _period(day: date, by: str) -> str:
    if by == "day":
        return day.isoformat()
    if by == "week":
        y, w, _ = day.isocalendar()
        return f"{y}-W{w:02d}"
    if by == "month":
        return day.strftime("%Y-%m")
    return str(day.year)


def _periods_between(first: date, last: date, by: str) -> list[str]:
    """Every period from first to last, so gaps show as zero bars."""
    out: list[str] = []
    day = first
    while day <= last:
        p = _period(day, by)
        if not out or out[-1] != p:
            out.append(p)
        day += timedelta(days=1 if by in ("day", "week") else 28 if by == "month" else 365)
    if _period(last, by) not in out:
        out.append(_period(last, by))
    return sorted(set(out))


def timeline(
    index_dir: Path, query: str = "", filters: Filters | None = None, by: str = "month"
) -> list[dict]:
    """Document counts per period (by publication date), gaps filled with zeros."""
    counts: Counter[str] = Counter()
    days: list[date] = []
    for f in matching_fields(index_dir, query, filters):
        if f.get("published"):
            d = date.fromisoformat(f["published"])
            days.append(d)
            counts[_period(d, by)] += 1
    if not days:
        return []
    return [
        {"period": p, "count": counts.get(p, 0)} for p in _periods_between(min(days), max(days), by)
    ]


def meetings(index_dir: Path, filters: Filters, query: str = "") -> list[dict]:
    """The meeting history: one row per (event day, document), oldest first.

    Each row names the other people, institutions and places of the document.
    A document published before its event day is an announcement; it is
    linked to the later reports of the same day that share a person, place or
    institution, so "announced … then held" reads as one story.
    """
    focus_full: set[str] = set()
    focus_surnames: set[str] = set()
    for value in filters.person:
        full, surnames = person_filter_keys(value)
        focus_full.update(full)
        focus_surnames.update(surnames)

    def is_focus(name: str) -> bool:
        return person_key(name) in focus_full or surname_key(name) in focus_surnames

    docs = list(matching_fields(index_dir, query, filters))
    ids = {f.get("id") for f in docs}
    copies: dict[str, list[str]] = defaultdict(list)
    for f in docs:  # a rewrite of a release in the results is the same meeting, not another
        if f.get("duplicate_of") in ids:
            copies[f["duplicate_of"]].append(f.get("url", ""))
    rows: list[dict] = []
    for f in docs:
        if f.get("duplicate_of") in ids:
            continue
        published = f.get("published") or None
        for day in f.get("event_dates") or []:
            rows.append(
                {
                    "date": day,
                    "title": f.get("title", ""),
                    "url": f.get("url", ""),
                    "id": f.get("id", ""),
                    "published": published,
                    "kind": "announcement" if published and published < day else "report",
                    "places": f.get("places_display") or [],
                    "people": [p for p in f.get("people_display") or [] if not is_focus(p)],
                    "institutions": f.get("institutions_display") or [],
                    "source": f.get("source", ""),
                    "reported_in": [],
                    "copies": copies.get(f.get("id", ""), []),
                }
            )
    rows.sort(key=lambda r: (r["date"], r["published"] or "", r["url"]))
    by_day: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_day[r["date"]].append(r)
    for same_day in by_day.values():
        for ann in (r for r in same_day if r["kind"] == "announcement"):
            keys = set(ann["places"]) | set(ann["people"]) | set(ann["institutions"])
            ann["reported_in"] = [
                r["id"]
                for r in same_day
                if r["kind"] == "report"
                and keys & (set(r["places"]) | set(r["people"]) | set(r["institutions"]))
            ]
    return rows
