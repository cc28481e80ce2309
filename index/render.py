"""Turn result dicts into terminal tables, CSV and JSON text.

Pure functions (dict in, str out) so every output format is testable without
a terminal.  Everything printed passes through :func:`safe`: crawled text is
hostile, and an escape sequence in a headline must never reach the user's
terminal.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil

from crawler.extract.htmlsafe import strip_controls

_TAGS = re.compile(r"</?b>")
BOLD, RESET = "\x1b[1m", "\x1b[0m"


def safe(text: object) -> str:
    return strip_controls(str(text if text is not None else ""))


def to_json(obj: object) -> str:
    """UTF-8 JSON, not ASCII-escaped, with control characters escaped by json itself."""
    return json.dumps(obj, ensure_ascii=False, indent=2)


def terminal_width(default: int = 100) -> int:
    return shutil.get_terminal_size((default, 24)).columns


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def highlight_snippet(snippet: str, color: bool) -> str:
    """Snippet markup ``<b>…</b>`` as terminal bold (or plain text)."""
    text = safe(snippet)
    if not color:
        return html.unescape(_TAGS.sub("", text))
    return html.unescape(text.replace("<b>", BOLD).replace("</b>", RESET))


def search_table(result: dict, color: bool = False, width: int | None = None) -> str:
    width = width or terminal_width()
    out = io.StringIO()
    total, shown = result["total"], len(result["hits"])
    out.write(
        f"{total} result{'s' if total != 1 else ''}"
        + (f", showing {shown}" if shown < total else "")
        + "\n"
    )
    for i, h in enumerate(result["hits"], 1):
        date = h.get("published") or "----------"
        dup = "[near-duplicate] " if h.get("duplicate_of") else ""
        out.write("\n" + _cut(f"{i:>3}. {date}  {dup}{safe(h['title'])}", width) + "\n")
        out.write(_cut(f"     {safe(h['source'])}  {safe(h['url'])}", width) + "\n")
        people = ", ".join(safe(p) for p in h.get("people", [])[:4])
        if people:
            out.write(_cut(f"     people: {people}", width) + "\n")
        snippet = " ".join(highlight_snippet(h.get("snippet", ""), color).split())
        plain_len = len(_TAGS.sub("", safe(h.get("snippet", ""))))
        if snippet:
            # cut on the plain text length so colour codes do not count as width
            limit = (width - 5) * 2
            out.write(
                "     "
                + (snippet if plain_len <= limit else snippet[:limit] + "…")
                + (RESET if color else "")
                + "\n"
            )
    facets = result.get("facets") or {}
    if any(facets.values()):
        out.write("\n" + facets_table(facets, width))
    return out.getvalue()


def facets_table(facets: dict, width: int | None = None, top: int = 8) -> str:
    width = width or terminal_width()
    out = io.StringIO()
    for name, values in facets.items():
        if not values:
            continue
        out.write(f"{name}:\n")
        for v in values[:top]:
            out.write(_cut(f"  {v['count']:>5}  {safe(v['value'])}", width) + "\n")
        if len(values) > top:
            out.write(f"  … {len(values) - top} more\n")
    return out.getvalue()


def search_csv(result: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "id",
            "published",
            "title",
            "url",
            "source",
            "score",
            "people",
            "institutions",
            "projects",
            "places",
            "duplicate_of",
        ]
    )
    for h in result["hits"]:
        w.writerow(
            [
                h["id"], h.get("published") or "", safe(h["title"]), h["url"], h["source"], h["score"],
                "; ".join(map(safe, h["people"])), "; ".join(map(safe, h["institutions"])),
                "; ".join(map(safe, h["projects"])), "; ".join(map(safe, h["places"])),
                h.get("duplicate_of") or "",
            ]
        )  # fmt: skip
    return out.getvalue()


def record_text(rec: dict) -> str:
    """A stored or extracted record as readable text."""
    lines = [safe(rec.get("title", "")), "=" * min(80, len(rec.get("title", "")) or 1)]
    lines.append(f"url:          {safe(rec.get('url', ''))}")
    lines.append(f"published:    {rec.get('published') or '-'}")
    lines.append(f"event dates:  {', '.join(rec.get('event_dates') or []) or '-'}")
    people = [
        p["name"] + (f" ({p['role']})" if p.get("role") else "") for p in rec.get("people") or []
    ]
    lines.append(f"people:       {safe('; '.join(people)) or '-'}")
    inst = [
        i["name"] + (f" ({i['abbr']})" if i.get("abbr") else "")
        for i in rec.get("institutions") or []
    ]
    lines.append(f"institutions: {safe('; '.join(inst)) or '-'}")
    proj = [
        " ".join(x for x in (p.get("code"), p.get("name")) if x) for p in rec.get("projects") or []
    ]
    lines.append(f"projects:     {safe('; '.join(proj)) or '-'}")
    lines.append(f"places:       {safe(', '.join(rec.get('places') or [])) or '-'}")
    lines.append("")
    lines.append(safe(rec.get("text", "")))
    return "\n".join(lines) + "\n"


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for r in rows:
        w.writerow([safe(x) if isinstance(x, str) else x for x in r])
    return out.getvalue()


def entities_table(rows: list[dict], width: int | None = None) -> str:
    width = width or terminal_width()
    if not rows:
        return "no entities\n"
    out = io.StringIO()
    name_w = min(45, max(len(safe(r["value"])) for r in rows))
    out.write(f"{'docs':>5}  {'first':<10}  {'last':<10}  {'name':<{name_w}}  appears with\n")
    for r in rows:
        with_ = ", ".join(f"{safe(c['value'])} ({c['count']})" for c in r["cooccurring"][:3])
        line = f"{r['count']:>5}  {r['first'] or '-':<10}  {r['last'] or '-':<10}  {_cut(safe(r['value']), name_w):<{name_w}}  {with_}"
        out.write(_cut(line, width) + "\n")
    return out.getvalue()


def entities_csv(rows: list[dict]) -> str:
    return _csv(
        ["value", "count", "first", "last", "cooccurring"],
        [
            [r["value"], r["count"], r["first"] or "", r["last"] or "",
             "; ".join(f"{c['value']} ({c['count']})" for c in r["cooccurring"])]
            for r in rows
        ],
    )  # fmt: skip


def timeline_table(rows: list[dict], width: int | None = None) -> str:
    width = width or terminal_width()
    if not rows:
        return "no dated documents\n"
    top = max(r["count"] for r in rows) or 1
    label_w = max(len(r["period"]) for r in rows)
    bar_w = max(10, width - label_w - 10)
    out = io.StringIO()
    for r in rows:
        bar = "█" * round(r["count"] / top * bar_w) if r["count"] else ""
        out.write(f"{r['period']:<{label_w}} {r['count']:>5} {bar}\n")
    return out.getvalue()


def timeline_csv(rows: list[dict]) -> str:
    return _csv(["period", "count"], [[r["period"], r["count"]] for r in rows])


def meetings_table(rows: list[dict], width: int | None = None) -> str:
    width = width or terminal_width()
    if not rows:
        return "no dated events found\n"
    out = io.StringIO()
    for r in rows:
        mark = "announced" if r["kind"] == "announcement" else "held"
        places = ", ".join(map(safe, r["places"][:3]))
        out.write(_cut(f"{r['date']}  {mark:<9}  {places}  {safe(r['title'])}", width) + "\n")
        if r["people"]:
            out.write(
                _cut("            with: " + ", ".join(map(safe, r["people"][:6])), width) + "\n"
            )
        if r["institutions"]:
            out.write(
                _cut(
                    "            institutions: " + ", ".join(map(safe, r["institutions"][:4])),
                    width,
                )
                + "\n"
            )
        out.write(_cut(f"            {safe(r['url'])}", width) + "\n")
        for copy in r.get("copies", []):
            out.write(_cut(f"            also: {safe(copy)}", width) + "\n")
        if r["reported_in"]:
            out.write(f"            reported afterwards in: {', '.join(r['reported_in'])}\n")
    return out.getvalue()


def meetings_csv(rows: list[dict]) -> str:
    return _csv(
        ["date", "kind", "places", "title", "people", "institutions", "url", "published", "reported_in"],
        [
            [r["date"], r["kind"], "; ".join(r["places"]), r["title"], "; ".join(r["people"]),
             "; ".join(r["institutions"]), r["url"], r["published"] or "", "; ".join(r["reported_in"])]
            for r in rows
        ],
    )  # fmt: skip
