"""Search evaluation: annotated queries over the fixture articles, scored as recall@10 / precision@10.

The document universe is every gold article of every fixture site, extracted
with the product's extractor and indexed with the product's indexer into a
temporary data dir, so the figures measure the whole chain a user depends on
(extraction → analyzer → filters), not the search layer in isolation.

Run: ``python -m benchmarks.eval_search [--format table|json] [--misses]``.
Results are saved to ``benchmarks/results/search.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.eval_extraction import load_json, request_headers, route_table, site_dirs
from crawler.extract import extract_page
from crawler.store import Store
from crawler.urls import canonicalize, doc_id
from index.search import Filters, search
from index.writer import update_index

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "search.json"
K = 10


def build_corpus(fixtures_dir: Path, data_dir: Path) -> dict[str, str]:
    """Extract and index every gold article; returns doc id -> "site:path"."""
    ids: dict[str, str] = {}
    with Store(data_dir / "socnews.sqlite3") as store:
        for d in site_dirs(
            fixtures_dir / "sites" if (fixtures_dir / "sites").is_dir() else fixtures_dir
        ):
            meta = load_json(d / "site.json")
            table = route_table(load_json(d / "routes.json"))
            for rec in load_json(d / "gold.json"):
                route = table[rec["path"]]
                url = canonicalize(f"https://{meta['host']}{rec['path']}")
                record = extract_page((d / route["file"]).read_bytes(), url, request_headers(route))
                did = doc_id(url)
                ids[did] = f"{d.name}:{rec['path']}"
                store.save_document(did, record, meta["host"], did + str(hash(record.text)))
        update_index(store, data_dir / "index", rebuild=True)
    return ids


def _filters(spec: dict[str, str]) -> Filters:
    def many(key: str) -> list[str]:
        v = spec.get(key)
        return [] if v is None else [v] if isinstance(v, str) else list(v)

    return Filters(
        person=many("person"),
        institution=many("institution"),
        project=many("project"),
        place=many("place"),
        source=many("source"),
        date_from=spec.get("from"),
        date_to=spec.get("to"),
    )


def run_search_eval(fixtures_dir: Path = FIXTURES_DIR) -> dict[str, Any]:
    queries = json.loads((fixtures_dir / "queries.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="socnews-eval-") as tmp:
        data = Path(tmp)
        started = time.perf_counter()
        ids = build_corpus(fixtures_dir, data)
        build_seconds = time.perf_counter() - started
        per_query = []
        for q in queries:
            result = search(
                data / "index", q.get("query", ""), _filters(q.get("filters", {})), limit=K
            )
            got = [ids.get(h["id"], h["id"]) for h in result["hits"]]
            relevant = set(q["relevant"])
            found = relevant & set(got)
            per_query.append(
                {
                    "id": q["id"],
                    "query": q.get("query", ""),
                    "filters": q.get("filters", {}),
                    "recall": len(found) / min(len(relevant), K) if relevant else None,
                    "precision": len(found) / len(got) if got and relevant else None,
                    "empty_ok": (not got) if not relevant else None,
                    "missed": sorted(relevant - set(got)),
                    "unexpected": [g for g in got if g not in relevant],
                }
            )
    scored = [p for p in per_query if p["recall"] is not None]
    precs = [p["precision"] for p in scored if p["precision"] is not None]
    empties = [p for p in per_query if p["empty_ok"] is not None]
    return {
        "queries": len(per_query),
        "documents": len(ids),
        "build_seconds": round(build_seconds, 2),
        "recall_at_10": sum(p["recall"] for p in scored) / len(scored) if scored else None,
        "precision_at_10": (sum(precs) + sum(0.0 for p in scored if p["precision"] is None))
        / len(scored)
        if scored
        else None,
        "empty_cases": len(empties),
        "empty_cases_ok": sum(1 for p in empties if p["empty_ok"]),
        "per_query": per_query,
    }


def format_table(res: dict[str, Any], misses: bool = False) -> str:
    lines = [
        f"queries: {res['queries']} over {res['documents']} documents (index built in {res['build_seconds']} s)",
        f"recall@10:    {res['recall_at_10']:.3f}",
        f"precision@10: {res['precision_at_10']:.3f}",
        f"empty-result cases correct: {res['empty_cases_ok']}/{res['empty_cases']}",
    ]
    if misses:
        for p in res["per_query"]:
            bad = p["missed"] or p["unexpected"]
            if bad:
                lines.append(f"{p['id']} {p['query']!r} {p['filters']}")
                lines += [f"    missed     {m}" for m in p["missed"]]
                lines += [f"    unexpected {u}" for u in p["unexpected"]]
    return "\n".join(lines)


def save_results(res: dict[str, Any], path: Path = RESULTS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score the annotated search queries.")
    ap.add_argument("--fixtures", type=Path, default=FIXTURES_DIR)
    ap.add_argument("--format", choices=["table", "json"], default="table")
    ap.add_argument("--misses", action="store_true", help="list every missed and unexpected hit")
    args = ap.parse_args(argv)
    res = run_search_eval(args.fixtures)
    path = save_results(res)
    if args.format == "json":
        print(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        print(format_table(res, args.misses))
        print(f"\nfull results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
