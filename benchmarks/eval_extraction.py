"""Score the extractor against the hand-made gold of the fixture sites.

    python -m benchmarks.eval_extraction [--fixtures DIR] [--format table|json]
                                         [--site ID] [--misses]

For every gold record (``fixtures/sites/*/gold.json``) the route's bytes and
headers are handed to ``crawler.extract.extract_page(raw, url, headers)`` with
``url = https://<site.host><path>``, exactly as the crawler would, and the
returned record is compared field by field with the gold:

- title and published: accuracy (titles compared after whitespace collapse and
  folding «»„“”" into one quote form, so a quote style is not an error);
- event_dates, people, institutions, project codes, project names, places:
  micro precision / recall / F1 over all pages (each (page, item) is one item;
  a predicted duplicate is a false positive);
- people also get a role score: the share of the gold role's tokens found in
  the predicted role, averaged over matched people whose gold role is not null;
- content: must_include recall (snippets found in the predicted text) and
  must_exclude leakage (boilerplate snippets found in *any* predicted field),
  plus the number of predicted people who come from boilerplate;
- speed: pages per second of ``extract_page`` alone.

The full result (figures and every miss) is always written to
``benchmarks/results/extraction.json``; ``socnews eval`` calls ``run_eval``.
The scoring functions are pure and unit-tested on hand-made pairs
(``tests/test_eval_scoring.py``), independent of the real extractor.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

from fixtures.check_gold import (
    FIXTURES_DIR,
    load_json,
    route_content_type,
    route_table,
    site_dirs,
)

RESULTS_PATH = Path(__file__).resolve().parent / "results" / "extraction.json"

Extractor = Callable[[bytes, str, dict[str, str]], Any]

# Every quote form the sources use, folded into one for title comparison and
# removed for name comparison.
QUOTE_CHARS = "«»„“”‟″\"'‘’‚"
_QUOTE_TO_ONE = str.maketrans({c: '"' for c in '«»„“”‟″"'})
_QUOTE_DROP = str.maketrans({c: " " for c in QUOTE_CHARS})

PRF_FIELDS = (
    "event_dates",
    "people",
    "institutions",
    "project_codes",
    "project_names",
    "places",
)
FIELD_LABELS = {
    "title": "title accuracy",
    "published": "published accuracy",
    "event_dates": "event_dates P/R/F1",
    "people": "people P/R/F1",
    "role_overlap": "people role overlap",
    "institutions": "institutions P/R/F1",
    "project_codes": "project codes P/R/F1",
    "project_names": "project names P/R/F1",
    "places": "places P/R/F1",
    "must_include": "must_include recall",
    "must_exclude": "must_exclude leakage",
    "boilerplate_people": "people from boilerplate",
    "pages": "pages",
}


# --------------------------------------------------------------------------- normalisation


def collapse(text: str | None) -> str:
    """Collapse every whitespace run (NBSP included) into one space."""
    return " ".join((text or "").split())


def norm_title(text: str | None) -> str:
    """Titles: whitespace collapsed, all quote styles folded into one."""
    return collapse((text or "").translate(_QUOTE_TO_ONE))


def norm_name(text: str | None) -> str:
    """People and places: case-folded, whitespace collapsed."""
    return collapse(text).casefold()


def norm_label(text: str | None) -> str:
    """Institution and project names: case-folded, quotes removed, whitespace collapsed."""
    return collapse((text or "").translate(_QUOTE_DROP)).casefold()


def norm_code(code: str | None) -> str:
    """Project codes are compared as printed (the extractor must normalise them)."""
    return collapse(code)


def tokens(text: str | None) -> list[str]:
    """Word tokens of a role phrase, case-folded."""
    return re.findall(r"\w+", (text or "").casefold())


# --------------------------------------------------------------------------- pure scoring


def score_sets(gold: Iterable[Hashable], pred: Iterable[Hashable]) -> tuple[int, int, int]:
    """(tp, fp, fn) of two collections compared as multisets.

    Gold lists are unique by construction, so a predicted item that repeats
    one already matched counts as a false positive: the contract says «each
    once».
    """
    g, p = Counter(gold), Counter(pred)
    tp = sum(min(n, p[k]) for k, n in g.items())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    """Precision, recall, F1; P is None with no predictions, R with nothing to find."""
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    # F1 = 2tp / (2tp + fp + fn) stays defined (0.0) when nothing was predicted.
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def _role_tokens(role: str | None) -> set[str]:
    """Role tokens with known abbreviations spelled out and light stems.

    «изпълнителен директор на АСП» and «изпълнителен директор на Агенцията за
    социално подпомагане» say the same thing; the conventions ask for the role
    as the text gives it, so either spelling must score the same.
    """
    from index.abbreviations import ABBREVIATIONS
    from index.stemmer import stem

    out: set[str] = set()
    for tok in tokens(role):
        full = ABBREVIATIONS.get(tok.upper())
        out.update(stem(t) for t in (tokens(full) if full else [tok]))
    return out


def role_overlap(gold_role: str | None, pred_role: str | None) -> float | None:
    """Share of the gold role's tokens that occur in the predicted role.

    None when the gold role is null (nothing to score); 0.0 when the gold has
    a role and the prediction has none.
    """
    g = _role_tokens(gold_role)
    if not g:
        return None
    return len(g & _role_tokens(pred_role)) / len(g)


def match_people(
    gold: list[dict], pred: list[dict]
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pair gold and predicted people by normalised name, one to one.

    Returns (pairs, missed gold, false-positive predictions).
    """
    free = list(gold)
    pairs, fps = [], []
    for p in pred:
        key = norm_name(p.get("name"))
        hit = next((g for g in free if norm_name(g.get("name")) == key), None)
        if hit is None:
            fps.append(p)
        else:
            free.remove(hit)
            pairs.append((hit, p))
    return pairs, free, fps


def match_institutions(
    gold: list[dict], pred: list[dict]
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pair institutions one to one: equal normalised names, else equal abbreviations.

    Names are tried first over all predictions, so a prediction that names an
    institution exactly is never lost to another that merely shares its
    abbreviation. Returns (pairs, missed gold, false-positive predictions).
    """
    free_g = list(gold)
    pending = list(pred)
    pairs: list[tuple[dict, dict]] = []

    def take(same: Callable[[dict, dict], bool]) -> None:
        for p in list(pending):
            hit = next((g for g in free_g if same(g, p)), None)
            if hit is not None:
                free_g.remove(hit)
                pending.remove(p)
                pairs.append((hit, p))

    take(lambda g, p: norm_label(g.get("name")) == norm_label(p.get("name")) != "")
    take(lambda g, p: bool(g.get("abbr")) and norm_name(g["abbr"]) == norm_name(p.get("abbr")))
    return pairs, free_g, pending


def text_fields(pred: dict) -> list[str]:
    """Every predicted string a boilerplate snippet must not leak into."""
    out = [pred.get("title") or "", pred.get("text") or ""]
    for p in pred.get("people") or []:
        out += [p.get("name") or "", p.get("role") or ""]
    out += [i.get("name") or "" for i in pred.get("institutions") or []]
    out += [p.get("name") or "" for p in pred.get("projects") or []]
    out += [str(x) for x in pred.get("places") or []]
    return [collapse(s) for s in out if s]


def boilerplate_people(gold: dict, pred: dict) -> list[str]:
    """Predicted people who are not in the gold and whose surname is in a must_exclude snippet."""
    gold_surnames = {
        norm_name(p["name"]).split()[-1] for p in gold.get("people") or [] if p.get("name")
    }
    snippets = [s.casefold() for s in gold.get("must_exclude") or []]
    out = []
    for p in pred.get("people") or []:
        words = norm_name(p.get("name")).split()
        if not words or words[-1] in gold_surnames:
            continue
        if any(words[-1] in s for s in snippets):
            out.append(p.get("name") or "")
    return out


def empty_counts() -> dict[str, Any]:
    """Additive counters for one page, a site, or everything."""
    c: dict[str, Any] = {f: [0, 0, 0] for f in PRF_FIELDS}
    c.update(
        pages=0,
        title=[0, 0],
        published=[0, 0],
        role=[0.0, 0],
        must_include=[0, 0],
        must_exclude=[0, 0],
        boilerplate_people=0,
    )
    return c


def add_counts(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Add ``other``'s counters into ``into``."""
    into["pages"] += other["pages"]
    into["boilerplate_people"] += other["boilerplate_people"]
    for key in (*PRF_FIELDS, "title", "published", "role", "must_include", "must_exclude"):
        into[key] = [a + b for a, b in zip(into[key], other[key], strict=True)]


def score_page(gold: dict, pred: dict) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """Score one page.

    ``gold`` is a gold record, ``pred`` the extractor's record in its JSON
    form (``Record.to_json()``). Returns the page's counters and its misses
    as (field, "missed" | "false positive", value) triples.
    """
    c = empty_counts()
    c["pages"] = 1
    misses: list[tuple[str, str, str]] = []

    def record_set(field: str, g: list, p: list, show: Callable[[Any], str] = str) -> None:
        tp, fp, fn = score_sets(g, p)
        c[field] = [tp, fp, fn]
        left = Counter(p)
        for item in g:
            if left[item] > 0:
                left[item] -= 1
            else:
                misses.append((field, "missed", show(item)))
        rest = Counter(g)
        for item in p:
            if rest[item] > 0:
                rest[item] -= 1
            else:
                misses.append((field, "false positive", show(item)))

    ok = norm_title(gold.get("title")) == norm_title(pred.get("title"))
    c["title"] = [int(ok), 1]
    if not ok:
        misses += [
            ("title", "missed", gold.get("title") or ""),
            ("title", "false positive", pred.get("title") or ""),
        ]

    ok = (gold.get("published") or None) == (pred.get("published") or None)
    c["published"] = [int(ok), 1]
    if not ok:
        misses += [
            ("published", "missed", str(gold.get("published"))),
            ("published", "false positive", str(pred.get("published"))),
        ]

    record_set(
        "event_dates",
        list(gold.get("event_dates") or []),
        [str(d) for d in pred.get("event_dates") or []],
    )

    pairs, missed, fps = match_people(gold.get("people") or [], pred.get("people") or [])
    c["people"] = [len(pairs), len(fps), len(missed)]
    misses += [("people", "missed", g["name"]) for g in missed]
    misses += [("people", "false positive", p.get("name") or "") for p in fps]
    for g, p in pairs:
        ov = role_overlap(g.get("role"), p.get("role"))
        if ov is not None:
            c["role"][0] += ov
            c["role"][1] += 1
            if ov < 1.0:
                misses.append(
                    ("role", "missed", f"{g['name']}: {g['role']!r} (got {p.get('role')!r})")
                )

    pairs, missed, fps = match_institutions(
        gold.get("institutions") or [], pred.get("institutions") or []
    )
    c["institutions"] = [len(pairs), len(fps), len(missed)]
    misses += [("institutions", "missed", _inst(g)) for g in missed]
    misses += [("institutions", "false positive", _inst(p)) for p in fps]

    g_proj, p_proj = gold.get("projects") or [], pred.get("projects") or []
    record_set(
        "project_codes",
        [norm_code(x["code"]) for x in g_proj if x.get("code")],
        [norm_code(x["code"]) for x in p_proj if x.get("code")],
    )
    record_set(
        "project_names",
        [norm_label(x["name"]) for x in g_proj if x.get("name")],
        [norm_label(x["name"]) for x in p_proj if x.get("name")],
    )
    record_set(
        "places",
        [norm_name(x) for x in gold.get("places") or []],
        [norm_name(str(x)) for x in pred.get("places") or []],
    )

    text = collapse(pred.get("text"))
    inc = [collapse(s) for s in gold.get("must_include") or []]
    found = [s for s in inc if s in text]
    c["must_include"] = [len(found), len(inc)]
    misses += [("must_include", "missed", s) for s in inc if s not in found]

    fields = text_fields(pred)
    exc = [collapse(s) for s in gold.get("must_exclude") or []]
    leaked = [s for s in exc if any(s in f for f in fields)]
    c["must_exclude"] = [len(leaked), len(exc)]
    misses += [("must_exclude", "false positive", s) for s in leaked]

    bp = boilerplate_people(gold, pred)
    c["boilerplate_people"] = len(bp)
    misses += [("boilerplate_people", "false positive", n) for n in bp]
    return c, misses


def _inst(i: dict) -> str:
    return f"{i.get('name')} ({i.get('abbr')})" if i.get("abbr") else str(i.get("name"))


def metrics(c: dict[str, Any]) -> dict[str, Any]:
    """Turn additive counters into the reported figures."""
    out: dict[str, Any] = {"pages": c["pages"]}
    for key in ("title", "published"):
        right, total = c[key]
        out[key] = {"accuracy": right / total if total else None, "correct": right, "total": total}
    for f in PRF_FIELDS:
        out[f] = prf(*c[f])
    total, n = c["role"]
    out["role_overlap"] = {"mean": total / n if n else None, "scored": n}
    found, total = c["must_include"]
    out["must_include"] = {
        "recall": found / total if total else None,
        "found": found,
        "total": total,
    }
    leaked, total = c["must_exclude"]
    out["must_exclude"] = {
        "leakage": leaked / total if total else None,
        "leaked": leaked,
        "total": total,
    }
    out["boilerplate_people"] = {"count": c["boilerplate_people"]}
    return out


# --------------------------------------------------------------------------- running


def _default_extractor() -> Extractor:
    try:
        from crawler.extract import extract_page  # type: ignore[attr-defined]
    except ImportError as exc:
        raise RuntimeError(f"crawler.extract.extract_page is not available ({exc})") from None
    return extract_page


def as_json(record: Any) -> dict[str, Any]:
    """The extractor's record in its contract JSON form (a dict passes through)."""
    if isinstance(record, dict):
        return record
    if hasattr(record, "to_json"):
        return record.to_json()
    raise TypeError(f"extract_page returned {type(record).__name__}, not a Record")


def request_headers(route: dict) -> dict[str, str]:
    """The response headers a fetch of the route would give (lower-case keys, like httpx)."""
    headers = {k.lower(): v for k, v in (route.get("headers") or {}).items()}
    headers["content-type"] = route_content_type(route)
    return headers


def run_eval(
    fixtures_dir: Path = FIXTURES_DIR,
    site: str | None = None,
    extract: Extractor | None = None,
) -> dict[str, Any]:
    """Extract every gold page and score it; returns figures and misses.

    ``extract`` defaults to ``crawler.extract.extract_page``; tests and
    comparisons may pass another function with the same signature.
    Raises ``ValueError`` for an unknown site, ``RuntimeError`` if there is no
    extractor.
    """
    dirs = site_dirs(fixtures_dir)
    if site is not None:
        dirs = [d for d in dirs if d.name == site]
        if not dirs:
            raise ValueError(f"unknown site {site!r}")
    extract = extract or _default_extractor()
    # Warm up once so pages/s measures extraction, not one-off gazetteer loading.
    # A failing extractor is scored page by page below, so its warm-up may fail too.
    with contextlib.suppress(Exception):
        extract(b"<html><body><p>\xd0\xb0</p></body></html>", "https://example.bg/", {})
    total = empty_counts()
    sites: dict[str, Any] = {}
    misses: list[dict[str, str]] = []
    seconds = 0.0
    for d in dirs:
        meta = load_json(d / "site.json")
        table = route_table(load_json(d / "routes.json"))  # type: ignore[arg-type]
        gold = load_json(d / "gold.json")
        site_counts = empty_counts()
        for rec in gold:  # type: ignore[union-attr]
            route = table.get(rec["path"])
            if route is None:
                misses.append(
                    {
                        "site": d.name,
                        "path": rec["path"],
                        "field": "error",
                        "kind": "missed",
                        "value": "no route",
                    }
                )
                continue
            raw = (d / route["file"]).read_bytes()
            url = f"https://{meta['host']}{rec['path']}"  # type: ignore[index]
            started = time.perf_counter()
            try:
                pred = as_json(extract(raw, url, request_headers(route)))
            except Exception as exc:  # noqa: BLE001 - one bad page must not stop the benchmark
                pred = {}
                misses.append(
                    {
                        "site": d.name,
                        "path": rec["path"],
                        "field": "error",
                        "kind": "false positive",
                        "value": f"{type(exc).__name__}: {exc}",
                    }
                )
            seconds += time.perf_counter() - started
            counts, page_misses = score_page(rec, pred)
            add_counts(site_counts, counts)
            misses += [
                {"site": d.name, "path": rec["path"], "field": f, "kind": k, "value": v}
                for f, k, v in page_misses
            ]
        add_counts(total, site_counts)
        sites[d.name] = metrics(site_counts)
    return {
        "extractor": getattr(extract, "__module__", "?") + "." + getattr(extract, "__name__", "?"),
        "fixtures": str(fixtures_dir),
        "pages": total["pages"],
        "seconds": seconds,
        "pages_per_second": total["pages"] / seconds if seconds else None,
        "sites": sites,
        "overall": metrics(total),
        "misses": misses,
    }


def save_results(result: dict[str, Any], path: Path = RESULTS_PATH) -> Path:
    """Write the full result as UTF-8 JSON (Cyrillic kept readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- output


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def cell(m: dict[str, Any], key: str) -> str:
    """One table cell for figure ``key`` of a metrics dict."""
    v = m[key]
    if key in PRF_FIELDS:
        return f"{_num(v['precision'])}/{_num(v['recall'])}/{_num(v['f1'])}"
    if key in ("title", "published"):
        return _num(v["accuracy"])
    if key == "role_overlap":
        return _num(v["mean"])
    if key == "must_include":
        return _num(v["recall"])
    if key == "must_exclude":
        return _num(v["leakage"])
    if key == "boilerplate_people":
        return str(v["count"])
    return str(v)


def format_table(result: dict[str, Any]) -> str:
    """Rows are figures, columns are sites plus «overall»."""
    cols = [*result["sites"], "overall"]
    data = {**result["sites"], "overall": result["overall"]}
    rows = [[FIELD_LABELS[k], *(cell(data[c], k) for c in cols)] for k in FIELD_LABELS]
    header = ["field", *cols]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    pps = result["pages_per_second"]
    lines.append("")
    lines.append(
        f"{result['pages']} pages, extraction {result['seconds']:.3f} s, "
        + (f"{pps:.1f} pages/s" if pps else "– pages/s")
    )
    return "\n".join(lines)


def format_misses(misses: list[dict[str, str]]) -> str:
    """``site:path field: missed X`` / ``false positive Y``, one per line."""
    return "\n".join(
        f"{m['site']}:{m['path']} {m['field']}: {m['kind']} {m['value']}" for m in misses
    )


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.eval_extraction", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--fixtures", type=Path, default=FIXTURES_DIR, help="fixtures directory (holding sites/)"
    )
    ap.add_argument("--format", choices=("table", "json"), default="table")
    ap.add_argument("--site", help="score one site only")
    ap.add_argument("--misses", action="store_true", help="list every miss and false positive")
    args = ap.parse_args(argv)
    try:
        result = run_eval(args.fixtures, args.site)
    except ValueError as exc:
        print(f"eval_extraction: error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"eval_extraction: error: {exc}", file=sys.stderr)
        return 1
    # the bundled fixtures keep the canonical file; any other set (e.g. heldout) its own
    default = args.fixtures.resolve() == FIXTURES_DIR.resolve()
    path = save_results(
        result,
        RESULTS_PATH
        if default
        else RESULTS_PATH.with_name(f"extraction-{args.fixtures.name}.json"),
    )
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
        if args.misses and result["misses"]:
            print()
            print(format_misses(result["misses"]))
        print(f"\nfull results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
